package hotredis_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

func TestTransactionAppliesAllAtCommit(t *testing.T) {
	a := hotredis.NewList[string](key(t, "a"))
	b := hotredis.NewList[string](key(t, "b"))
	_ = a.Replace(ctx, "x", "y", "z")
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		if _, err := a.Append(tctx, "w"); err != nil {
			return err
		}
		if err := a.Insert(tctx, 0, "first"); err != nil { // Lua inside MULTI
			return err
		}
		if err := a.Reverse(tctx); err != nil {
			return err
		}
		if _, err := b.Append(tctx, "1", "2"); err != nil {
			return err
		}
		// Others see nothing before EXEC.
		if n, _ := a.Len(ctx); n != 3 {
			t.Errorf("inside the transaction another reader saw length %d", n)
		}
		if ok, _ := b.Exists(ctx); ok {
			t.Error("inside the transaction another reader saw b")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Values(ctx)
	if want := []string{"w", "z", "y", "x", "first"}; !slices.Equal(got, want) {
		t.Errorf("a = %q, want %q", got, want)
	}
	if got, _ := b.Values(ctx); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("b = %q", got)
	}
}

func TestTransactionDropsOnErrorAndPanic(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	_ = l.Replace(ctx, 1)
	boom := errors.New("boom")
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		l.Append(tctx, 2)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_ = hotredis.Transaction(ctx, func(tctx context.Context) error {
			l.Append(tctx, 3)
			panic("boom")
		})
	}()
	if got, _ := l.Values(ctx); !slices.Equal(got, []int{1}) {
		t.Errorf("list = %v, want [1]: a dropped transaction wrote", got)
	}
}

func TestTransactionReadIsAnError(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	_ = l.Replace(ctx, 1, 2)
	for name, f := range map[string]func(context.Context) error{
		"Get":      func(c context.Context) error { _, err := l.Get(c, 0); return err },
		"Len":      func(c context.Context) error { _, err := l.Len(c); return err },
		"Values":   func(c context.Context) error { _, err := l.Values(c); return err },
		"Count":    func(c context.Context) error { _, err := l.Count(c, 1); return err },
		"Contains": func(c context.Context) error { _, err := l.Contains(c, 1); return err },
		"TTL":      func(c context.Context) error { _, err := l.TTL(c); return err },
	} {
		err := hotredis.Transaction(ctx, func(tctx context.Context) error { return f(tctx) })
		if !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("%s inside a transaction: %v", name, err)
		}
	}
}

func TestTransactionOtherClientIsAnError(t *testing.T) {
	other := srv.Client(t)
	l := hotredis.NewList[int](key(t), hotredis.WithClient(other))
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		_, err := l.Append(tctx, 1)
		return err
	})
	if err == nil {
		t.Fatal("an object of another client joined the transaction")
	}
	if ok, _ := l.Exists(ctx); ok {
		t.Error("the write ran outside the transaction")
	}
}

func TestTransactionReportsFailedCommand(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	k := key(t, "str")
	rdb.Set(ctx, k, "s", 0)
	good := hotredis.NewList[int](key(t, "good"))
	bad := hotredis.NewList[int](k)
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		good.Append(tctx, 1)
		bad.Append(tctx, 1)
		return nil
	})
	if !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("err = %v, want ErrWrongType", err)
	}
}

func TestOptimisticCounterIsExact(t *testing.T) {
	for name, c := range backends(t) {
		t.Run(name, func(t *testing.T) { optimisticCounter(t, c) })
	}
}

func TestTransactionOnEveryBackend(t *testing.T) {
	for name, c := range backends(t) {
		t.Run(name, func(t *testing.T) {
			a := hotredis.NewList[int](key(t, "a"), hotredis.WithClient(c))
			b := hotredis.NewList[int](key(t, "b"), hotredis.WithClient(c))
			_ = a.Replace(ctx, 1, 2, 3)
			_ = b.Delete(ctx)
			err := c.Transaction(ctx, func(tctx context.Context) error {
				a.Reverse(tctx)
				a.PopAt(tctx, 1)
				b.Append(tctx, 9)
				return a.Insert(tctx, 0, 0)
			})
			if err != nil {
				t.Fatal(err)
			}
			ga, _ := a.Values(ctx)
			gb, _ := b.Values(ctx)
			if !slices.Equal(ga, []int{0, 3, 1}) || !slices.Equal(gb, []int{9}) {
				t.Fatalf("a = %v, b = %v", ga, gb)
			}
		})
	}
}

func optimisticCounter(t *testing.T, c *hotredis.Client) {
	l := hotredis.NewList[int](key(t), hotredis.WithClient(c))
	_ = l.Replace(ctx, 0)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := c.Optimistic(ctx, func(tctx context.Context) error {
					v, err := l.Get(tctx, 0) // live, watched
					if err != nil {
						return err
					}
					return l.Set(tctx, 0, v+1) // queued
				}, l)
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := l.Get(ctx, 0); v != workers*each {
		t.Fatalf("counter = %d, want %d", v, workers*each)
	}
}

func TestOptimisticGivesUpWithErrTxConflict(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	_ = l.Replace(ctx, 0)
	attempts := 0
	err := hotredis.Optimistic(ctx, func(tctx context.Context) error {
		attempts++
		if _, err := l.Len(tctx); err != nil { // watches l
			return err
		}
		if _, err := l.Append(ctx, 1); err != nil { // someone else changes it
			return err
		}
		_, err := l.Append(tctx, 2)
		return err
	})
	if !errors.Is(err, hotredis.ErrTxConflict) || attempts != 20 {
		t.Fatalf("err = %v after %d attempts", err, attempts)
	}
	if c, _ := l.Count(ctx, 2); c != 0 {
		t.Error("a conflicting optimistic transaction wrote")
	}
}

func TestTransactionCrossSlotOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster tests skipped with -short")
	}
	c := sharedCluster(t).Client(t)
	a := hotredis.NewList[int]("{tx}a", hotredis.WithClient(c))
	b := hotredis.NewList[int]("{tx}b", hotredis.WithClient(c))
	far := hotredis.NewList[int]("elsewhere:"+t.Name(), hotredis.WithClient(c))
	_ = far.Delete(ctx)
	_ = a.Delete(ctx)
	_ = b.Delete(ctx)
	if err := c.Transaction(ctx, func(tctx context.Context) error {
		a.Append(tctx, 1)
		return b.Insert(tctx, 0, 2)
	}); err != nil {
		t.Fatalf("same-slot transaction: %v", err)
	}
	err := c.Transaction(ctx, func(tctx context.Context) error {
		a.Append(tctx, 3)
		far.Append(tctx, 4)
		return nil
	})
	if !errors.Is(err, hotredis.ErrCrossSlot) {
		t.Fatalf("cross-slot transaction: %v", err)
	}
	if n, _ := a.Len(ctx); n != 1 {
		t.Errorf("a cross-slot transaction wrote part of its commands")
	}
	if ok, _ := far.Exists(ctx); ok {
		t.Errorf("a cross-slot transaction wrote")
	}
	if err := c.Optimistic(ctx, func(tctx context.Context) error {
		n, err := a.Len(tctx)
		if err != nil {
			return err
		}
		_, err = b.Append(tctx, n)
		return err
	}, a); err != nil {
		t.Fatalf("optimistic on cluster: %v", err)
	}
}

// TestReadOnlyOptimisticIsASnapshot checks that the reads of an optimistic
// transaction that writes nothing are one snapshot: another client moves
// units from x to y in MULTI/EXEC, so every consistent read of both sums
// to 100, and Optimistic must not return a pair read across a move.
func TestReadOnlyOptimisticIsASnapshot(t *testing.T) {
	x, y := hotredis.NewInt(key(t, "x")), hotredis.NewInt(key(t, "y"))
	rdb := rawClient()
	defer rdb.Close()
	move := func() error {
		_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.DecrBy(ctx, x.Key(), 1)
			p.IncrBy(ctx, y.Key(), 1)
			return nil
		})
		return err
	}
	read := func(tctx context.Context) (a, b int64, err error) {
		if a, err = x.Load(tctx); err != nil {
			return 0, 0, err
		}
		b, err = y.Load(tctx)
		return a, b, err
	}
	reset := func(t *testing.T) {
		t.Helper()
		if err := x.Store(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if err := y.Store(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a move between the two reads makes it run again", func(t *testing.T) {
		reset(t)
		var attempts int
		var a, b int64
		err := hotredis.Optimistic(ctx, func(tctx context.Context) error {
			attempts++
			var err error
			if a, err = x.Load(tctx); err != nil {
				return err
			}
			if attempts == 1 {
				if err := move(); err != nil {
					return err
				}
			}
			b, err = y.Load(tctx)
			return err
		}, x, y)
		if err != nil {
			t.Fatal(err)
		}
		if attempts < 2 {
			t.Errorf("fn ran %d time(s): a move between its reads went unnoticed", attempts)
		}
		if a != 99 || b != 1 {
			t.Errorf("Optimistic returned x = %d, y = %d; want the pair after the move, 99 and 1", a, b)
		}
	})

	t.Run("concurrent moves", func(t *testing.T) {
		reset(t)
		var (
			stop    = make(chan struct{})
			writers sync.WaitGroup
			readers sync.WaitGroup
			mu      sync.Mutex
			reads   int
			torn    int    // reads whose sum is not 100
			first   string // the first of them
			moves   atomic.Int64
		)
		for range 2 {
			writers.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := move(); err != nil {
						t.Error(err)
						return
					}
					moves.Add(1)
					// A pause, without which readers would rarely
					// see two reads without a move in between.
					time.Sleep(2 * time.Millisecond)
				}
			})
		}
		for range 4 {
			readers.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					var a, b int64
					err := hotredis.Optimistic(ctx, func(tctx context.Context) error {
						var err error
						a, b, err = read(tctx)
						return err
					}, x, y)
					if errors.Is(err, hotredis.ErrTxConflict) {
						continue // gave up: no pair returned
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					reads++
					if a+b != 100 {
						if torn == 0 {
							first = fmt.Sprintf("x = %d, y = %d", a, b)
						}
						torn++
					}
					mu.Unlock()
				}
			})
		}
		// At least a second, and until there are enough of both to tell
		// (on a loaded machine a second made 151 reads once), at most 20.
		enough := func() bool {
			mu.Lock()
			defer mu.Unlock()
			return reads >= 200 && moves.Load() >= 100
		}
		for start := time.Now(); time.Since(start) < time.Second || !enough() && time.Since(start) < 20*time.Second; {
			time.Sleep(10 * time.Millisecond)
		}
		close(stop)
		writers.Wait()
		readers.Wait()
		t.Logf("%d snapshots read during %d moves", reads, moves.Load())
		if torn > 0 {
			t.Errorf("%d of %d pairs returned by Optimistic were read across a move (first: %s), want x + y = 100", torn, reads, first)
		}
		if reads < 200 {
			t.Errorf("only %d successful reads: too few to tell", reads)
		}
		if moves.Load() < 100 {
			t.Errorf("only %d moves: too few to tell", moves.Load())
		}
	})
}

// TestOptimisticReadEndsByTheDeadline: a read inside Optimistic whose
// reply the server holds must end by the call's deadline (SPEC: "Every
// call returns by its context's deadline (+ a few ms), even with the
// server paused"), on both backends (go-redis read its reply by its own
// ReadTimeout, 5 s; found by review).
func TestOptimisticReadEndsByTheDeadline(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 1))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.Optimistic(short, func(ctx context.Context) error {
			p.Stall(hotredistest.ToClient) // the read goes out, its reply held
			_, err := n.Load(ctx)
			return err
		}, n)
		took := time.Since(start)
		p.Resume(hotredistest.ToClient)
		if took > time.Second {
			t.Errorf("Optimistic with a 300 ms deadline, its read's reply held, returned %v after %v; want it by the deadline", err, took)
		}
		if err == nil {
			t.Errorf("Optimistic with its read's reply held returned nil")
		}
	})
}

// TestOptimisticCommitEndsByTheDeadline: the same for the EXEC.
func TestOptimisticCommitEndsByTheDeadline(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 1))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.Optimistic(short, func(ctx context.Context) error {
			v, err := n.Load(ctx)
			if err != nil {
				return err
			}
			p.Stall(hotredistest.ToClient) // the EXEC goes out, its reply held
			return n.Store(ctx, v+10)
		}, n)
		took := time.Since(start)
		p.Resume(hotredistest.ToClient)
		if took > time.Second || !errors.Is(err, hotredis.ErrUnknownOutcome) {
			t.Errorf("Optimistic with a 300 ms deadline, its EXEC's reply held, returned %v after %v; want ErrUnknownOutcome by the deadline", err, took)
		}
	})
}

// TestOptimisticEndsWhenCancelled: a cancellable context without a
// deadline ends an Optimistic whose read's reply is held, as it ends any
// other call (TestCancelEndsACallWithoutDeadline).
func TestOptimisticEndsWhenCancelled(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 1))
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		start := time.Now()
		err := c.Optimistic(cctx, func(ctx context.Context) error {
			p.Stall(hotredistest.ToClient)
			time.AfterFunc(200*time.Millisecond, cancel)
			_, err := n.Load(ctx)
			return err
		}, n)
		took := time.Since(start)
		p.Resume(hotredistest.ToClient)
		if took > 2*time.Second || !errors.Is(err, context.Canceled) {
			t.Errorf("Optimistic cancelled after 200 ms, its read's reply held, returned %v after %v; want context.Canceled at once", err, took)
		}
	})
}

func init() {
	roles["optimistic-panic"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		n := hotredis.NewInt("{optimistic}panic", hotredis.WithClient(c))
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = c.Optimistic(cctx, func(ctx context.Context) error {
				if _, err := n.Load(ctx); err != nil {
					return err
				}
				panic("boom in fn")
			}, n)
		}()
		if recovered == nil {
			return errors.New("the panic was not seen by the caller")
		}
		fmt.Println("recovered:", recovered)
		return nil
	}
}

// TestOptimisticPanicReachesTheCaller: a panic in fn, like any panic
// in a function the caller passes, reaches the caller's goroutine, where
// it can recover it (Transaction's doc: "When fn returns an error or
// panics nothing is sent"; an HTTP handler's recover, say), also when
// its context can end (fn ran on a goroutine of its own, where the panic
// killed the process; found by review). Run in a child process, for that.
func TestOptimisticPanicReachesTheCaller(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTREDIS_TEST_ROLE=optimistic-panic", "HOTREDIS_TEST_URL="+testURL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil || !bytes.Contains(out.Bytes(), []byte("recovered: boom in fn")) {
		s := out.String()
		if len(s) > 1500 {
			s = s[:1500]
		}
		t.Errorf("Optimistic with a context that can end, fn panicking: the caller could not recover it (child: %v):\n%s", err, s)
	}
}

// TestOptimisticSetEqualReadsLive: reads inside Optimistic are live
// (SPEC: "reads are live"; "A read inside it is a clear error, never a
// garbage value"). Set.Equal of two big sets of different sizes must say
// false inside Optimistic as outside it (its sizes went by a pipeline,
// which queued them and read them as 0; found by review).
func TestOptimisticSetEqualReadsLive(t *testing.T) {
	a := hotredis.NewSet[int](key(t, "a"))
	b := hotredis.NewSet[int](key(t, "b"))
	var va, vb []int
	for i := range 5000 {
		va = append(va, i)
		vb = append(vb, i)
	}
	vb = append(vb, 5000) // b = a + one more member
	_, err := a.Add(ctx, va...)
	noErr(t, err)
	_, err = b.Add(ctx, vb...)
	noErr(t, err)
	outside, err := a.Equal(ctx, b)
	noErr(t, err)
	if outside {
		t.Fatal("Equal outside a transaction said true")
	}
	var inside bool
	err = hotredis.Optimistic(ctx, func(tctx context.Context) error {
		var err error
		inside, err = a.Equal(tctx, b)
		return err
	}, a, b)
	if err == nil && inside {
		t.Errorf("Set.Equal inside Optimistic of a set of 5000 and one of 5001 members = true, want false (outside: %v)", outside)
	}
}

// noPanic runs f, turning a panic into an error for the report.
func noPanic(f func() error) (err error, panicked any) {
	defer func() {
		if r := recover(); r != nil {
			panicked = r
		}
	}()
	return f(), nil
}

// TestOptimisticCrossSlotOnCluster: on a Cluster, an optimistic
// transaction whose function reads, or writes, an object in another slot
// than the watched one fails with ErrCrossSlot (SPEC: "otherwise fail
// early with ErrCrossSlot"), at once and with nothing written, not with a
// panic (rueidis panicked on the pinned connection; found by review).
func TestOptimisticCrossSlotOnCluster(t *testing.T) {
	if !onCluster() {
		t.Skip("cluster only")
	}
	c := sharedCluster(t).Client(t)
	for _, write := range []bool{false, true} {
		a := hotredis.NewList[int](fmt.Sprintf("{optslot%v}a", write), hotredis.WithClient(c))
		far := hotredis.NewList[int](fmt.Sprintf("optslot%v-elsewhere", write), hotredis.WithClient(c))
		t.Cleanup(func() { _ = a.Delete(ctx); _ = far.Delete(ctx) })
		noErr(t, a.Replace(ctx, 1))
		noErr(t, far.Delete(ctx))
		start := time.Now()
		err, p := noPanic(func() error {
			return c.Optimistic(ctx, func(tctx context.Context) error {
				n, err := a.Len(tctx)
				if err != nil {
					return err
				}
				if write {
					_, err = far.Append(tctx, n) // queued; another slot
				} else {
					_, err = far.Len(tctx) // another slot
				}
				return err
			}, a)
		})
		took := time.Since(start).Round(time.Millisecond)
		if p != nil {
			t.Fatalf("Optimistic with a write %v in another slot panicked (after %v): %v", write, took, p)
		}
		if !errors.Is(err, hotredis.ErrCrossSlot) || took > 2*time.Second {
			t.Fatalf("Optimistic with a write %v in another slot: %v after %v, want ErrCrossSlot at once", write, err, took)
		}
		if ok, _ := far.Exists(ctx); ok {
			t.Error("the cross-slot write was applied")
		}
	}
}

// TestOptimisticPanicDoesNotRunFnAgain: README: "A panic in fn reaches
// the caller, with nothing sent." A first call of fn whose read found the
// pooled dedicated connection closed (nothing sent) and that then
// panicked is not run again on another connection (it was, and the second
// run committed while the caller got the first one's panic; found by
// review).
func TestOptimisticPanicDoesNotRunFnAgain(t *testing.T) {
	srv := hotredistest.NewServer(t)
	rdb := srv.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	c := faultyClient(t, "rueidis", srv.Addr)
	n := hotredis.NewInt(key(t), hotredis.WithClient(c))
	noErr(t, n.Store(ctx, 1))
	// A dedicated connection goes back into rueidis's pool.
	noErr(t, c.Optimistic(ctx, func(ctx context.Context) error { _, err := n.Load(ctx); return err }))
	noErr(t, rdb.Do(ctx, "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").Err())
	time.Sleep(50 * time.Millisecond)

	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	calls := 0
	var firstErr error
	err, p := noPanic(func() error {
		return c.Optimistic(cctx, func(ctx context.Context) error {
			calls++
			_, err := n.Load(ctx)
			if calls == 1 {
				firstErr = err
				panic("boom")
			}
			if err != nil {
				return err
			}
			return n.Store(ctx, 42)
		})
	})
	v, lerr := n.Load(ctx)
	noErr(t, lerr)
	if firstErr == nil {
		t.Skip("the first read did not meet the killed connection")
	}
	if calls != 1 || p != "boom" || v != 1 {
		t.Errorf("fn panicked on its first run (its read: %v), then ran %d times in all; Optimistic = %v, panic reaching the caller: %v; stored value %d (42: a second run committed)",
			firstErr, calls, err, p, v)
	}
}
