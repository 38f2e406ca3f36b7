package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

func init() {
	roles["event-setter"] = roleEventSetter
	roles["event-waiter"] = roleEventWaiter
}

func TestEventModel(t *testing.T) {
	other := otherClient(t)
	rapid.Check(t, func(rt *rapid.T) {
		k := key(t)
		noErr(t, hotredis.NewEvent(k).Delete(ctx))
		handles := []*hotredis.Event{hotredis.NewEvent(k), hotredis.NewEvent(k, hotredis.WithClient(other))}
		handle := rapid.SampledFrom([]int{0, 1})
		set := false // the model
		rt.Repeat(map[string]func(*rapid.T){
			"Set": func(rt *rapid.T) {
				if err := handles[handle.Draw(rt, "handle")].Set(ctx); err != nil {
					rt.Fatal(err)
				}
				set = true
			},
			"Clear": func(rt *rapid.T) {
				if err := handles[handle.Draw(rt, "handle")].Clear(ctx); err != nil {
					rt.Fatal(err)
				}
				set = false
			},
			"IsSet": func(rt *rapid.T) {
				got, err := handles[handle.Draw(rt, "handle")].IsSet(ctx)
				if err != nil || got != set {
					rt.Fatalf("IsSet = %v, %v; want %v", got, err, set)
				}
			},
			"Wait": func(rt *rapid.T) {
				d := 3 * time.Millisecond // long enough to block, short enough for many runs
				if set {
					d = 5 * time.Second // no wait: only a round trip
				}
				c, cancel := context.WithTimeout(ctx, d)
				defer cancel()
				err := handles[handle.Draw(rt, "handle")].Wait(c)
				if set && err != nil || !set && err != context.DeadlineExceeded {
					rt.Fatalf("Wait with the event set %v = %v", set, err)
				}
			},
		})
	})
}

// roleEventSetter writes the time to EVENT_KEY:setat and sets the event
// at EVENT_KEY.
func roleEventSetter() error {
	rdb, done, err := roleClients()
	if err != nil {
		return err
	}
	defer done()
	ctx := context.Background()
	k := os.Getenv("EVENT_KEY")
	if err := rdb.Set(ctx, k+":setat", time.Now().UnixNano(), 0).Err(); err != nil {
		return err
	}
	return hotredis.NewEvent(k).Set(ctx)
}

// Waits are woken by a Set from another process, in about a round trip
// (a poll would take up to a second).
func TestEventWaitWokenByOtherProcess(t *testing.T) {
	t.Parallel()
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	const waiters = 4
	woken := make(chan time.Time, waiters)
	for range waiters {
		go func() {
			c, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := hotredis.NewEvent(k).Wait(c); err != nil {
				t.Error(err)
			}
			woken <- time.Now()
		}()
	}
	time.Sleep(50 * time.Millisecond)
	noErr(t, startRole(t, "event-setter", "EVENT_KEY="+k).Wait())
	setAt := time.Unix(0, must[int64](t)(rdb.Get(ctx, k+":setat").Int64()))
	var worst time.Duration
	for range waiters {
		worst = max(worst, (<-woken).Sub(setAt))
	}
	t.Logf("%d waiters woken within %v of the other process's Set", waiters, worst)
	if ok := must[bool](t)(hotredis.NewEvent(k).IsSet(ctx)); !ok {
		t.Fatal("not set")
	}
}

// roleEventWaiter runs EVENT_GOROUTINES goroutines that each, for every
// round r of EVENT_ROUNDS, count themselves in EVENT_KEY:ready:r and
// wait for the event at EVENT_KEY.
func roleEventWaiter() error {
	rdb, done, err := roleClients()
	if err != nil {
		return err
	}
	defer done()
	k := os.Getenv("EVENT_KEY")
	c, err := hotredis.DefaultClient()
	if err != nil {
		return err
	}
	c.SetObserver(firstLooks("Event.Wait", func(ctx context.Context, round int64) {
		_ = rdb.Incr(ctx, k+":ready:"+strconv.FormatInt(round, 10)).Err()
	}))
	var wg sync.WaitGroup
	errs := make(chan error, envInt("EVENT_GOROUTINES"))
	for range envInt("EVENT_GOROUTINES") {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range envInt("EVENT_ROUNDS") {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				err := hotredis.NewEvent(k).Wait(context.WithValue(ctx, waiterKey{}, &waiter{round: r}))
				cancel()
				if err != nil {
					errs <- fmt.Errorf("round %d: %w", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// A Set followed at once by a Clear wakes every waiter that was waiting
// at the time of the Set, here and in another process; so does a Set and
// Clear in one transaction, which no waiter can see set.
func TestEventSetThenClearWakesAllWaiters(t *testing.T) {
	t.Parallel()
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	const local, remote, rounds = 5, 3, 2
	child := startRole(t, "event-waiter", "EVENT_KEY="+k,
		fmt.Sprint("EVENT_GOROUTINES=", remote), fmt.Sprint("EVENT_ROUNDS=", rounds))
	e := hotredis.NewEvent(k)
	// Each waiter has read the event clear before the Set (else it rightly
	// waits for the next one): counted as their state reads end, here and
	// in the other process. (A pause instead, even of a second, was once
	// too short on a loaded machine.)
	var ready atomic.Int64
	waiters := otherClient(t)
	waiters.SetObserver(firstLooks("Event.Wait", func(context.Context, int64) { ready.Add(1) }))
	for r := range rounds {
		ready.Store(0)
		woken := make(chan error, local)
		for range local {
			go func() {
				c, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				woken <- hotredis.NewEvent(k, hotredis.WithClient(waiters)).Wait(context.WithValue(c, waiterKey{}, &waiter{}))
			}()
		}
		noErr(t, waitForCount(ctx, rdb, k+":ready:"+strconv.Itoa(r), remote, 20*time.Second))
		for deadline := time.Now().Add(20 * time.Second); ready.Load() < local; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d of %d waiters read the event", r, ready.Load(), local)
			}
		}
		if r == 0 {
			noErr(t, e.Set(ctx))
			noErr(t, e.Clear(ctx))
		} else {
			noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
				if err := e.Set(ctx); err != nil {
					return err
				}
				return e.Clear(ctx)
			}))
		}
		for range local {
			select {
			case err := <-woken:
				noErr(t, err)
			case <-time.After(5 * time.Second):
				t.Fatalf("round %d: a waiter was not woken", r)
			}
		}
		if ok := must[bool](t)(e.IsSet(ctx)); ok {
			t.Fatalf("round %d: set after Clear", r)
		}
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("the other process's waiters: %v", err)
	}
}

// A Wait whose context ends returns the context's error and leaves
// nothing in Redis.
func TestEventWaitDeadlineLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	e := hotredis.NewEvent(k)
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := e.Wait(c); err != context.DeadlineExceeded {
		t.Errorf("Wait = %v, want context.DeadlineExceeded", err)
	}
	c, cancel = context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := e.Wait(c); err != context.Canceled {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if left := keysMatching(t, rdb, key(t)+"*"); len(left) > 0 {
		t.Errorf("keys left: %v", left)
	}
}

// Keys of another type are refused and left as they are.
func TestEventRefusals(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, aux := range []string{"", ":wake"} {
		k := key(t, "wrong"+aux)
		noErr(t, rdb.RPush(ctx, k+aux, "x").Err())
		e := hotredis.NewEvent(k)
		if err := e.Wait(ctx); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("Wait with a list at %q = %v, want ErrWrongType", k+aux, err)
		}
		if err := e.Set(ctx); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("Set with a list at %q = %v, want ErrWrongType", k+aux, err)
		}
		if aux == "" {
			if _, err := e.IsSet(ctx); !errors.Is(err, hotredis.ErrWrongType) {
				t.Errorf("IsSet = %v, want ErrWrongType", err)
			}
			if err := e.Clear(ctx); !errors.Is(err, hotredis.ErrWrongType) {
				t.Errorf("Clear = %v, want ErrWrongType", err)
			}
		}
		if n := rdb.LLen(ctx, k+aux).Val(); n != 1 {
			t.Errorf("the list at %q has %d items, want 1", k+aux, n)
		}
	}
	e := hotredis.NewEvent(key(t))
	err := hotredis.Transaction(ctx, func(ctx context.Context) error { return e.Wait(ctx) })
	if !errors.Is(err, hotredis.ErrInTransaction) {
		t.Errorf("Wait in a transaction = %v, want ErrInTransaction", err)
	}
}

// A Set (and a Clear at once) that comes between a Wait's read of the
// stream that timed out (maxBlock) and its next look at the event still
// wakes it: the Wait reads on from where it began. (The observer's hook
// runs in that gap, on the waiting goroutine.)
func TestEventSetBetweenTwoLooksWakesTheWait(t *testing.T) {
	t.Parallel()
	k := key(t)
	other := hotredis.NewEvent(k)
	c := otherClient(t)
	var once sync.Once
	c.SetObserver(roundTrips{name: "Event.Wait", blocking: true, ended: func(context.Context, hotredis.OperationEnd) {
		once.Do(func() {
			noErr(t, other.Set(ctx))
			noErr(t, other.Clear(ctx))
		})
	}})
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := hotredis.NewEvent(k, hotredis.WithClient(c)).Wait(wctx); err != nil {
		t.Fatalf("Wait = %v, want woken by the Set made while it looked again", err)
	}
}
