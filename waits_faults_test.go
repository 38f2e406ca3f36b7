package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// A call that waits (a Get, an Acquire, a Wait...) rides out a lost
// connection: its connections cut, or its server restarted, while it
// waits, it gives back what the lost round trip may have taken and waits
// on, and ends as it would have without the fault (README, "Guarantees
// under faults").

// blockedCall is a call that waits, on the client under faults, until
// another client ends the wait.
type blockedCall struct {
	name string
	// start makes the objects on c, the client under faults, and on
	// other, a client beside it, so that call waits until end is called
	// (after the faults; restarted says the server lost its data); check,
	// when not nil, says what must hold once call returned.
	start func(t *testing.T, k string, c, other *hotredis.Client) (call func(context.Context) error, end func(restarted bool) error, check func() error)
	// cutOnly: a restart that loses the data leaves the wait nothing to
	// end it (a Barrier's round, a Once's runner are gone).
	cutOnly bool
}

var blockedCalls = []blockedCall{
	{"Queue.Get", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
		producer := hotredis.NewQueue[string](k, hotredis.WithClient(other))
		var got string
		return func(ctx context.Context) (err error) {
				got, err = q.Get(ctx)
				return err
			}, func(bool) error { return producer.Put(ctx, "item") },
			func() error {
				if n, err := producer.Len(ctx); got != "item" || n != 0 || err != nil {
					return fmt.Errorf("got %q, then %d left (%v); want the item, once", got, n, err)
				}
				return nil
			}
	}, false},
	{"Queue.Reserve", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
		producer := hotredis.NewQueue[string](k, hotredis.WithClient(other))
		return func(ctx context.Context) error {
				got, r, err := q.Reserve(ctx, time.Minute)
				if err == nil && got != "item" {
					err = fmt.Errorf("reserved %q", got)
				}
				if err == nil {
					err = q.Ack(ctx, r)
				}
				return err
			}, func(bool) error { return producer.Put(ctx, "item") },
			func() error {
				if n, err := producer.Len(ctx); n != 0 || err != nil {
					return fmt.Errorf("%d left (%v) after the item was reserved and acked", n, err)
				}
				return nil
			}
	}, false},
	{"Queue.Put (full)", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		q := hotredis.NewQueue[string](k, hotredis.WithClient(c), hotredis.WithMaxSize(1))
		consumer := hotredis.NewQueue[string](k, hotredis.WithClient(other), hotredis.WithMaxSize(1))
		noErr(t, consumer.Put(ctx, "first"))
		return func(ctx context.Context) error { return q.Put(ctx, "second") },
			func(restarted bool) error {
				if restarted {
					return nil // the queue is empty: room for the put
				}
				_, err := consumer.Get(ctx)
				return err
			},
			func() error {
				got, err := consumer.Get(ctx)
				if n, lerr := consumer.Len(ctx); got != "second" || err != nil || n != 0 || lerr != nil {
					return fmt.Errorf("then Get = %q, %v and %d left (%v); want the put item, once", got, err, n, lerr)
				}
				return nil
			}
	}, false},
	{"Queue.Join", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
		worker := hotredis.NewQueue[string](k, hotredis.WithClient(other))
		noErr(t, worker.Put(ctx, "task"))
		return q.Join, func(restarted bool) error {
			if restarted {
				return nil // no task left unfinished
			}
			if _, err := worker.Get(ctx); err != nil {
				return err
			}
			return worker.TaskDone(ctx)
		}, nil
	}, false},
	{"Lock.Acquire", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		lock := hotredis.NewLock(k, hotredis.WithClient(c))
		holder := hotredis.NewLock(k, hotredis.WithClient(other))
		noErr(t, holder.Acquire(ctx))
		return lock.Acquire, func(restarted bool) error {
				if err := holder.Release(ctx); err != nil && !(restarted && errors.Is(err, hotredis.ErrNotHeld)) {
					return err
				}
				return nil
			}, func() error {
				if ok, err := holder.TryAcquire(ctx); ok || err != nil {
					return fmt.Errorf("after the Acquire, another TryAcquire = %v, %v; want the lock held", ok, err)
				}
				return lock.Release(ctx)
			}
	}, false},
	{"Semaphore.Acquire", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		s := hotredis.NewSemaphore(k, 1, hotredis.WithClient(c))
		holder := hotredis.NewSemaphore(k, 1, hotredis.WithClient(other))
		noErr(t, holder.Acquire(ctx))
		return s.Acquire, func(restarted bool) error {
				if restarted {
					return nil // the permit's holding is gone
				}
				return holder.Release(ctx)
			}, func() error {
				if ok, err := holder.TryAcquire(ctx); ok || err != nil {
					return fmt.Errorf("after the Acquire, another TryAcquire = %v, %v; want no permit left", ok, err)
				}
				return s.Release(ctx)
			}
	}, false},
	{"Event.Wait", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		e := hotredis.NewEvent(k, hotredis.WithClient(c))
		setter := hotredis.NewEvent(k, hotredis.WithClient(other))
		return e.Wait, func(bool) error { return setter.Set(ctx) }, nil
	}, false},
	{"WaitGroup.Wait", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		wg := hotredis.NewWaitGroup(k, hotredis.WithClient(c))
		member := hotredis.NewWaitGroup(k, hotredis.WithClient(other))
		noErr(t, member.Add(ctx, 1))
		return wg.Wait, func(restarted bool) error {
			if restarted {
				return nil // the count is gone: zero
			}
			return member.Done(ctx)
		}, nil
	}, false},
	{"Once.Do (waiting for the runner)", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		o := hotredis.NewOnce(k, hotredis.WithClient(c))
		runner := hotredis.NewOnce(k, hotredis.WithClient(other))
		started, proceed, ran := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			ran <- runner.Do(ctx, func(context.Context) error { close(started); <-proceed; return nil })
		}()
		<-started
		runs := 0
		return func(ctx context.Context) error {
				return o.Do(ctx, func(context.Context) error { runs++; return nil })
			}, func(restarted bool) error {
				close(proceed)
				if err := <-ran; err != nil && !restarted {
					return err
				}
				return nil
			}, func() error {
				if runs != 0 {
					return fmt.Errorf("the waiting Do ran f %d times; want the runner's run only", runs)
				}
				return nil
			}
	}, true},
	{"Barrier.Wait", func(t *testing.T, k string, c, other *hotredis.Client) (func(context.Context) error, func(bool) error, func() error) {
		b := hotredis.NewBarrier(k, 2, hotredis.WithClient(c))
		party := hotredis.NewBarrier(k, 2, hotredis.WithClient(other))
		return func(ctx context.Context) error { _, err := b.Wait(ctx); return err },
			func(bool) error { _, err := party.Wait(ctx); return err }, nil
	}, true},
}

// TestBlockedCallsRideOutACut cuts every connection of a client while
// one of its calls waits: the call waits on, on a new connection, and
// ends when another client ends its wait, as it would have without the
// cut, having taken once what it waited for.
func TestBlockedCallsRideOutACut(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	other := srv.Client(t)
	for _, backend := range []string{"rueidis", "go-redis"} {
		for _, bc := range blockedCalls {
			t.Run(backend+"/"+bc.name, func(t *testing.T) {
				c := faultyClient(t, backend, p.Addr())
				call, end, check := bc.start(t, key(t), c, other)
				done := make(chan error, 1)
				go func() { done <- call(ctx) }()
				waitBlocked(t, srv, done)
				p.Cut()
				time.Sleep(50 * time.Millisecond) // the call is on its way again
				select {
				case err := <-done:
					t.Fatalf("the call ended with the cut: %v", err)
				default:
				}
				noErr(t, end(false))
				endsAfter(t, done, check)
			})
		}
	}
}

// TestBlockedCallsRideOutARestart restarts the server (which loses its
// data: no persistence) 300 ms after one of a client's calls began to
// wait, or after it was killed and the call made: the call waits on once
// the server is back, and ends when another client ends its wait there.
func TestBlockedCallsRideOutARestart(t *testing.T) {
	t.Parallel() // (a server of its own, restarted: waits mostly)
	srv := hotredistest.NewServer(t)
	other := srv.Client(t)
	for _, whileDown := range []bool{false, true} {
		for _, bc := range blockedCalls {
			if bc.cutOnly {
				continue
			}
			name := bc.name
			if whileDown {
				name = "made while down/" + name
			}
			t.Run(name, func(t *testing.T) {
				c := srv.Client(t)
				call, end, check := bc.start(t, key(t), c, other)
				calling := make(chan error, 1)
				var done <-chan error = calling
				if !whileDown {
					go func() { calling <- call(ctx) }()
					waitBlocked(t, srv, done)
				}
				srv.Kill()
				restarted := false
				defer func() {
					if !restarted { // (a failure above: the next cases need a server)
						_ = srv.Restart()
					}
				}()
				if whileDown {
					go func() { calling <- call(ctx) }()
				}
				time.Sleep(300 * time.Millisecond) // calls made now are refused
				select {
				case err := <-done:
					t.Fatalf("the call ended with the server down: %v", err)
				default:
				}
				noErr(t, srv.Restart())
				restarted = true
				// The end comes once the call waits again, or has ended:
				// with the data gone, a lock, a permit, room in a queue may
				// be free.
				ended := waitBlockedOrEnded(t, srv, done)
				noErr(t, retryRefused(func() error { return end(true) }))
				if ended != nil {
					done = ended
				}
				endsAfter(t, done, check)
			})
		}
	}
}

// TestBlockedCallEndsWhenTheServerStaysDown: a server out of reach for
// longer than a blocking call rides out (shortened to 1 s here) ends the
// call with the connection's failure, which is not ErrUnknownOutcome (a
// take's outcome is known: given back).
func TestBlockedCallEndsWhenTheServerStaysDown(t *testing.T) {
	defer hotredis.SetRideOutFor(time.Second)()
	srv := hotredistest.NewServer(t)
	q := hotredis.NewQueue[string](key(t), hotredis.WithClient(srv.Client(t)))
	done := make(chan error, 1)
	go func() { _, err := q.Get(ctx); done <- err }()
	waitBlocked(t, srv, done)
	down := time.Now() // (before Kill: the client may see the connection go while Kill waits for the process)
	srv.Kill()
	select {
	case err := <-done:
		if took := time.Since(down); err == nil || errors.Is(err, hotredis.ErrUnknownOutcome) || took < time.Second {
			t.Errorf("Get with the server down = %v after %v; want the connection's failure after 1 s", err, took)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Get still waits 20 s after the server went down for good")
	}
}

// onEachBackend runs f as a subtest on each backend ("rueidis", and
// "go-redis" told not to send commands again), with c, a client of it
// through the proxy p in front of srv, a server of the test's own.
func onEachBackend(t *testing.T, f func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client)) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	for _, backend := range []string{"rueidis", "go-redis"} {
		t.Run(backend, func(t *testing.T) { f(t, srv, p, faultyClient(t, backend, p.Addr())) })
	}
}

// faultyClient returns a client of backend through the proxy at addr.
func faultyClient(t *testing.T, backend, addr string) *hotredis.Client {
	t.Helper()
	if backend == "go-redis" {
		rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
		c := hotredis.WrapGoRedis(rdb)
		t.Cleanup(func() { c.Close(); rdb.Close() })
		return c
	}
	c, err := hotredis.NewClientURL("redis://" + addr)
	noErr(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// waitBlocked waits until the server counts a client blocked (the call
// waits there), failing if the call ends first.
func waitBlocked(t *testing.T, srv *hotredistest.Server, done <-chan error) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("the call ended before it waited: %v", err)
		default:
		}
		if n, err := srv.BlockedClients(ctx); err == nil && n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the call does not wait on the server after 10 s")
		}
	}
}

// waitBlockedOrEnded waits until the server counts a client blocked, or
// the call ended: then it returns a channel with the call's result.
func waitBlockedOrEnded(t *testing.T, srv *hotredistest.Server, done <-chan error) <-chan error {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-done:
			ended := make(chan error, 1)
			ended <- err
			return ended
		default:
		}
		if n, err := srv.BlockedClients(ctx); err == nil && n > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			t.Fatal("the call neither waits on the server nor ended 10 s after the restart")
		}
	}
}

// retryRefused runs f until it does not fail with a refused connection
// (the other client's first calls after the restart may still meet one).
func retryRefused(f func() error) error {
	var err error
	for range 50 {
		if err = f(); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// endsAfter waits for the call to end without an error, and runs check.
func endsAfter(t *testing.T, done <-chan error, check func() error) {
	t.Helper()
	select {
	case err := <-done:
		noErr(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the call still waits 10 s after its wait was ended")
	}
	if check != nil {
		noErr(t, check())
	}
}

// TestMaxOutageBoundsTheRideOut: a client's MaxOutage, not the default,
// bounds how long its waiting calls go on with the server out of reach:
// longer (a Get rides out an outage the default would end), negative (a
// Get ends at the first lost connection) and shorter (an Acquire ends
// long before the default would end it).
func TestMaxOutageBoundsTheRideOut(t *testing.T) {
	srv := hotredistest.NewServer(t)
	t.Run("longer than the default", func(t *testing.T) {
		defer hotredis.SetRideOutFor(300 * time.Millisecond)()
		c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{srv.Addr}, MaxOutage: time.Minute})
		noErr(t, err)
		defer c.Close()
		k := key(t)
		done := make(chan error, 1)
		var got string
		go func() {
			var err error
			got, err = hotredis.NewQueue[string](k, hotredis.WithClient(c)).Get(ctx)
			done <- err
		}()
		waitBlocked(t, srv, done)
		srv.Kill()
		time.Sleep(time.Second) // (past the default's 300 ms)
		noErr(t, srv.Restart())
		noErr(t, hotredis.NewQueue[string](k, hotredis.WithClient(srv.Client(t))).Put(ctx, "after"))
		if err := <-done; err != nil || got != "after" {
			t.Errorf("Get across a 1 s outage = %q, %v; want the item put after it", got, err)
		}
	})
	ends := func(t *testing.T, what string, done <-chan error, atLeast time.Duration) {
		t.Helper()
		down := time.Now()
		select {
		case err := <-done:
			if took := time.Since(down); err == nil || errors.Is(err, hotredis.ErrUnknownOutcome) || took < atLeast {
				t.Errorf("%s with the server down = %v after %v; want the connection's failure, after %v at least", what, err, took, atLeast)
			}
		case <-time.After(15 * time.Second): // (the default here: 60 s)
			t.Fatalf("%s still waits 15 s after the server went down", what)
		}
	}
	t.Run("negative", func(t *testing.T) {
		defer hotredis.SetRideOutFor(time.Minute)()
		defer func() { noErr(t, srv.Restart()) }()
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
		defer rdb.Close()
		c := hotredis.WrapGoRedis(rdb)
		defer c.Close()
		c.SetMaxOutage(-1)
		done := make(chan error, 1)
		go func() { _, err := hotredis.NewQueue[string](key(t), hotredis.WithClient(c)).Get(ctx); done <- err }()
		waitBlocked(t, srv, done)
		srv.Kill()
		ends(t, "Get", done, 0)
	})
	t.Run("shorter than the default", func(t *testing.T) {
		defer hotredis.SetRideOutFor(time.Minute)()
		defer func() { noErr(t, srv.Restart()) }()
		c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{srv.Addr}, MaxOutage: 500 * time.Millisecond})
		noErr(t, err)
		defer c.Close()
		k := key(t)
		noErr(t, hotredis.NewLock(k, hotredis.WithClient(srv.Client(t))).Acquire(ctx))
		done := make(chan error, 1)
		go func() { done <- hotredis.NewLock(k, hotredis.WithClient(c)).Acquire(ctx) }()
		waitBlocked(t, srv, done)
		srv.Kill()
		ends(t, "Acquire", done, 500*time.Millisecond)
	})
}
