package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

func init() { roles["lock-waiter"] = roleLockWaiter }

func TestLockServesWaitersInArrivalOrder(t *testing.T) {
	k := key(t)
	holder := hotredis.NewLock(k)
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	const waiters = 6
	var (
		mu    sync.Mutex
		order []int
		wg    sync.WaitGroup
	)
	// The waiters release only after the TryAcquire below: else, on a
	// loaded machine, the whole line may be served and the lock free
	// before it runs.
	proceed := make(chan struct{})
	for i := range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := hotredis.NewLock(k)
			if err := l.Acquire(ctx); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			<-proceed
			if err := l.Release(ctx); err != nil {
				t.Error(err)
			}
		}()
		waitInLine(t, k, int64(i+1))
	}
	// No barging: while anyone waits, a newcomer cannot take the lock,
	// even in the instant after a release.
	if ok, err := hotredis.NewLock(k).TryAcquire(ctx); err != nil || ok {
		t.Fatalf("TryAcquire with waiters in line = %v, %v", ok, err)
	}
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	ok, err := hotredis.NewLock(k).TryAcquire(ctx)
	close(proceed)
	if err != nil || ok {
		t.Fatalf("TryAcquire right after a release to a waiter = %v, %v", ok, err)
	}
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("served in order %v, want arrival order", order)
		}
	}
	if len(order) != waiters {
		t.Fatalf("%d waiters served, want %d", len(order), waiters)
	}
}

func TestSemaphoreLineIsFirstComeFirstServed(t *testing.T) {
	k := key(t)
	holder := hotredis.NewSemaphore(k, 3)
	if err := holder.AcquireN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	// A wants all 3; B, behind it, wants the 1 that is free: B waits.
	a, b := hotredis.NewSemaphore(k, 3), hotredis.NewSemaphore(k, 3)
	gotA, gotB := make(chan error, 1), make(chan error, 1)
	go func() { gotA <- a.AcquireN(ctx, 3) }()
	waitInLine(t, k, 1)
	go func() { gotB <- b.Acquire(ctx) }()
	waitInLine(t, k, 2)
	if ok, err := hotredis.NewSemaphore(k, 3).TryAcquire(ctx); err != nil || ok {
		t.Fatalf("TryAcquire of a free permit with a larger request in line = %v, %v", ok, err)
	}
	select {
	case err := <-gotB:
		t.Fatalf("a smaller request overtook a larger one: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := holder.ReleaseN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := <-gotA; err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-gotB:
		t.Fatalf("B served while A holds all 3: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	start := time.Now()
	if err := a.ReleaseN(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := <-gotB; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 800*time.Millisecond { // (a poll would take up to maxBlock, 1 s; a loaded machine once made a hand-off nearly 300 ms)
		t.Errorf("B served %v after the release", d)
	}
	if v, _ := b.Available(ctx); v != 2 {
		t.Errorf("Available = %d, want 2", v)
	}
	_ = b.Release(ctx)
}

func TestSemaphoreRequestLargerThanSizeHoldsNobodyUp(t *testing.T) {
	k := key(t)
	big := hotredis.NewBoundedSemaphore(k, 2)
	c, cancel := context.WithCancel(ctx)
	gotBig := make(chan error, 1)
	go func() { gotBig <- big.AcquireN(c, 5) }()
	waitInLine(t, k, 1)
	small := hotredis.NewBoundedSemaphore(k, 2)
	if err := small.AcquireN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := small.ReleaseN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-gotBig; !errors.Is(err, context.Canceled) {
		t.Fatalf("AcquireN(5) of 2 = %v, want Canceled", err)
	}
	waitInLine(t, k, 0)
}

// roleLockWaiter waits for the lock (LOCK_KIND) at LOCK_KEY, says it got
// it by setting LOCK_KEY:got, and holds it until killed.
func roleLockWaiter() error {
	rdb, done, err := roleClients()
	if err != nil {
		return err
	}
	defer done()
	k := os.Getenv("LOCK_KEY")
	l := newLocker(os.Getenv("LOCK_KIND"), k, envInt("LOCK_N"))
	if err := l.Acquire(context.Background()); err != nil {
		return err
	}
	if err := rdb.Set(context.Background(), k+":got", 1, 0).Err(); err != nil {
		return err
	}
	time.Sleep(time.Minute)
	return nil
}

// testKilledWaiter kills a waiter first in line with SIGKILL and releases
// at once, so that the lock is handed to the dead waiter; the next waiter
// must get it when that grant's short lease runs out (the registration's
// expiry, 3s), not after the 30s lease.
func testKilledWaiter(t *testing.T, kind string) {
	t.Parallel()
	k := key(t)
	holder := newLocker(kind, k, 1)
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	child := startRole(t, "lock-waiter", "LOCK_KIND="+kind, "LOCK_KEY="+k, "LOCK_N=1")
	waitInLine(t, k, 1)
	next := newLocker(kind, k, 1)
	got := make(chan error, 1)
	go func() { got <- next.Acquire(ctx) }()
	waitInLine(t, k, 2)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killed := time.Now()
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		t.Fatalf("the next waiter got it at once (%v): the dead waiter was not served first", err)
	case <-time.After(300 * time.Millisecond):
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("served %v after its predecessor in line was killed", time.Since(killed))
	case <-time.After(8 * time.Second): // (the grant's lease, at most 1.5 s, then the next renewal; a loaded machine once took over 4.5 s)
		t.Fatal("a dead waiter kept the lock beyond its registration's expiry plus a margin")
	}
	if err := next.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLockWaiterKilledInLineKeepsNoGrant(t *testing.T) { testKilledWaiter(t, "lock") }

func TestSemaphoreWaiterKilledInLineKeepsNoGrant(t *testing.T) { testKilledWaiter(t, "bsem") }

func TestLockCancelledWaitGivesBackItsGrant(t *testing.T) {
	for _, kind := range []string{"lock", "rlock"} {
		t.Run(kind, func(t *testing.T) {
			k := key(t)
			holder := newLocker(kind, k, 1)
			if err := holder.Acquire(ctx); err != nil {
				t.Fatal(err)
			}
			// The first in line never reads its grant, like a waiter whose
			// context ends just as the lock is handed to it.
			var first locker
			var leave func(context.Context)
			var err error
			if kind == "rlock" {
				r := hotredis.NewRLock(k)
				first = r
				leave, err = hotredis.JoinLine(ctx, r, 1)
			} else {
				l := hotredis.NewLock(k)
				first = l
				leave, err = hotredis.JoinLine(ctx, l, 1)
			}
			if err != nil {
				t.Fatal(err)
			}
			second := newLocker(kind, k, 1)
			got := make(chan error, 1)
			go func() { got <- second.Acquire(ctx) }()
			waitInLine(t, k, 2)
			if err := holder.Release(ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-got:
				t.Fatalf("second in line served before the first gave up: %v", err)
			case <-time.After(100 * time.Millisecond):
			}
			start := time.Now()
			leave(ctx)
			if err := <-got; err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 800*time.Millisecond { // (a poll would take up to maxBlock, 1 s; a loaded machine once made a hand-off nearly 300 ms)
				t.Errorf("the given-back grant reached the next waiter after %v", d)
			}
			if err := first.Release(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
				t.Errorf("Release by the cancelled waiter's handle = %v, want ErrNotHeld", err)
			}
			if tok := tokenOf(second); tok <= 0 {
				t.Errorf("token %d", tok)
			}
			if err := second.Release(ctx); err != nil {
				t.Fatal(err)
			}
			waitInLine(t, k, 0)
		})
	}
}

func TestSemaphoreCancelledWaitGivesBackItsGrant(t *testing.T) {
	k := key(t)
	holder := hotredis.NewSemaphore(k, 2)
	if err := holder.AcquireN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	first := hotredis.NewSemaphore(k, 2)
	leave, err := hotredis.JoinLine(ctx, first, 2)
	if err != nil {
		t.Fatal(err)
	}
	second := hotredis.NewSemaphore(k, 2)
	got := make(chan error, 1)
	go func() { got <- second.Acquire(ctx) }()
	waitInLine(t, k, 2)
	if err := holder.ReleaseN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		t.Fatalf("second in line served while the first holds both permits: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if v, _ := holder.Available(ctx); v != 0 {
		t.Fatalf("Available = %d with 2 granted, want 0", v)
	}
	leave(ctx)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if v, _ := holder.Available(ctx); v != 1 {
		t.Errorf("Available = %d after the give-back and one taken, want 1", v)
	}
	if err := second.Release(ctx); err != nil {
		t.Fatal(err)
	}
	rdb := rawClient()
	defer rdb.Close()
	if n := rdb.HLen(ctx, k+":granted").Val(); n != 0 {
		t.Errorf("%d grants left unconfirmed", n)
	}
	waitInLine(t, k, 0)
}

// The waiter's Acquire returns on the grant itself: it joins the line
// once, and the release hands it the lock.
func TestLockHandOffIsAGrant(t *testing.T) {
	k := key(t)
	holder := hotredis.NewLock(k)
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	rdb := rawClient()
	defer rdb.Close()
	w := hotredis.NewLock(k)
	got := make(chan error, 1)
	go func() { got <- w.Acquire(ctx) }()
	waitInLine(t, k, 1)
	line := rdb.HGet(ctx, k+":waiting", "#seq").Val()
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// The holder took the lock uncontended (lock_acquire_quick), so the
	// quick release ran first: it must leave the hand-off to the full
	// one, which grants in its own step (no waiter's attempt comes
	// between: the waiter sleeps on its stream).
	if owner := rdb.HGet(ctx, k, "owner").Val(); owner == "" {
		t.Error("the release freed the lock instead of handing it to the waiter in line")
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if wid := rdb.HGet(ctx, k, "wid").Val(); wid == "" {
		t.Error("the lock was not granted to the waiter by the release")
	}
	if rdb.HGet(ctx, k+":waiting", "#seq").Val() != line {
		t.Error("the waiter joined the line again")
	}
	_ = w.Release(ctx)
}

// testStaleGrant pauses a waiter (SIGSTOP) just as the lock is handed to
// it, lets the grant's short lease run out so that the next waiter gets
// the lock, and resumes it: the grant is still on its stream, but it must
// not take it for a holding while the other waiter holds the lock.
func testStaleGrant(t *testing.T, kind string) {
	t.Parallel()
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	holder := newLocker(kind, k, 1)
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	child := startRole(t, "lock-waiter", "LOCK_KIND="+kind, "LOCK_KEY="+k, "LOCK_N=1")
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	waitInLine(t, k, 1)
	time.Sleep(50 * time.Millisecond) // let it block reading its stream
	if err := child.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	next := newLocker(kind, k, 1)
	got := make(chan error, 1)
	go func() { got <- next.Acquire(ctx) }()
	waitInLine(t, k, 2)
	if err := holder.Release(ctx); err != nil { // granted to the paused waiter
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(8 * time.Second): // (the grant's lease, at most 1.5 s, then the next renewal; a loaded machine once took over 4.5 s)
		t.Fatal("the paused waiter's grant did not run out")
	}
	if err := child.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if rdb.Exists(ctx, k+":got").Val() != 0 {
		// (next's Release tells whether next had lost its lease first: its
		// renewal held up past it by a loaded machine.)
		t.Fatalf("the resumed waiter took its expired grant while another waiter holds the lock (the other's Release: %v)", next.Release(ctx))
	}
	if err := next.Release(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rdb.Exists(ctx, k+":got").Val() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the resumed waiter never got the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLockGrantReadAfterItsLeaseIsNotTrusted(t *testing.T) { testStaleGrant(t, "lock") }

func TestSemaphoreGrantReadAfterItsLeaseIsNotTrusted(t *testing.T) { testStaleGrant(t, "bsem") }

// TestGrantReadNearItsEndIsConfirmedFirst: a waiter that reads its grant
// with little of the grant's short lease left (its announcement held up
// on the way) does not return from Acquire on the grant alone, leaving
// its watchdog's renewal to race the lease: with the connection stalled
// from that moment until the grant's lease has run out on the server, the
// Acquire that returns holds the lock (or permit) for good, and its
// Release finds it held. (A full suite run once had a grant lost right
// after Acquire returned on it, and another waiter took the lock.)
func TestGrantReadNearItsEndIsConfirmedFirst(t *testing.T) {
	for _, kind := range []string{"lock", "bsem"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := hotredistest.NewServer(t)
			rdb := srv.GoRedis()
			t.Cleanup(func() { rdb.Close() })
			p := hotredistest.NewProxy(t, srv.Addr)
			k := key(t)
			holder := newLocker(kind, k, 1, hotredis.WithClient(srv.Client(t)))
			noErr(t, holder.Acquire(ctx))
			w := newLocker(kind, k, 1, hotredis.WithClient(faultyClient(t, "rueidis", p.Addr())))
			done := make(chan error, 1)
			go func() { done <- w.Acquire(ctx) }()
			waitInLineOn(t, rdb, k, 1)
			time.Sleep(50 * time.Millisecond)               // let it block reading its stream
			p.StallOn(hotredistest.ToClient, "$1\r\nx\r\n") // the grant's announcement
			noErr(t, holder.Release(ctx))
			// Hold the announcement until 30 ms are left of the grant's lease
			// (x: its end, in ms of the server's clock).
			var end int64
			for i := range 16 {
				for _, e := range rdb.XRange(ctx, fmt.Sprintf("%s:grants:%d", k, i), "-", "+").Val() {
					if x, ok := e.Values["x"].(string); ok {
						end, _ = strconv.ParseInt(x, 10, 64)
					}
				}
			}
			if end == 0 {
				t.Fatal("no grant announced")
			}
			for rdb.Time(ctx).Val().UnixMilli() < end-30 {
				time.Sleep(5 * time.Millisecond)
			}
			if p.Armed() {
				t.Fatal("the grant's announcement did not reach the proxy")
			}
			p.Stall(hotredistest.ToServer)
			p.Resume(hotredistest.ToClient)
			for rdb.Time(ctx).Val().UnixMilli() < end+200 {
				time.Sleep(10 * time.Millisecond)
			}
			p.Resume(hotredistest.ToServer)
			select {
			case err := <-done:
				noErr(t, err)
			case <-time.After(10 * time.Second):
				t.Fatal("Acquire did not return")
			}
			if err := w.Release(ctx); err != nil {
				t.Fatalf("Release after Acquire returned = %v: the holding was lost while its watchdog's first renewal was held up", err)
			}
		})
	}
}

// TestLineKeepsTheOrderOfWaitersThatStalled: waiters whose registrations
// ran out while they were cut off from the server (a stall longer than
// the line's keys live, so the line itself went) take their places back
// when they return, whatever order they return in, also ahead of a
// newcomer that joined meanwhile (before any of them came back, or after
// the first): the first come is still the first served. (A full suite run
// once served [2 1 0 3 4 5]: a loaded machine had held every waiter's
// renewal past its registration.)
func TestLineKeepsTheOrderOfWaitersThatStalled(t *testing.T) {
	for _, c := range []struct {
		kind  string
		first int // how many stalled waiters come back before the newcomer joins
	}{{"lock", 0}, {"sem", 1}, {"rwlock", 0}, {"lock", 1}} {
		t.Run(fmt.Sprintf("%s/%d-back-first", c.kind, c.first), func(t *testing.T) {
			t.Parallel() // (a server of its own; waits mostly)
			srv := hotredistest.NewServer(t)
			rdb := srv.GoRedis()
			t.Cleanup(func() { rdb.Close() })
			k := key(t)
			inLine := func(n int64) {
				t.Helper()
				waitInLineOn(t, rdb, k, n)
			}
			holder := newLocker(c.kind, k, 1, hotredis.WithClient(srv.Client(t)))
			noErr(t, holder.Acquire(ctx))
			const stalled = 3
			proxies := make([]*hotredistest.Proxy, stalled)
			served := make(chan int, stalled+1)
			var wg sync.WaitGroup
			defer wg.Wait() // (before the clients close)
			wctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			start := func(i int, l locker) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := l.Acquire(wctx); err != nil {
						t.Error(err)
						served <- -1
						return
					}
					served <- i
					if err := l.Release(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			for i := range stalled {
				proxies[i] = hotredistest.NewProxy(t, srv.Addr)
				start(i, newLocker(c.kind, k, 1, hotredis.WithClient(faultyClient(t, "rueidis", proxies[i].Addr()))))
				inLine(int64(i + 1))
			}
			for _, p := range proxies {
				p.Stall(hotredistest.Both)
			}
			inLine(0) // every registration, and the line, ran out
			for i := range c.first {
				proxies[i].Resume(hotredistest.Both)
				inLine(int64(i + 1))
			}
			start(stalled, newLocker(c.kind, k, 1, hotredis.WithClient(srv.Client(t)))) // the newcomer
			inLine(int64(c.first + 1))
			for i := stalled - 1; i >= c.first; i-- { // the others, last first
				proxies[i].Resume(hotredistest.Both)
				inLine(int64(c.first + 1 + stalled - i))
			}
			noErr(t, holder.Release(ctx))
			var order []int
			for range stalled + 1 {
				select {
				case got := <-served:
					order = append(order, got)
				case <-time.After(10 * time.Second):
					t.Fatalf("served %v, then nobody within 10 s", order)
				}
			}
			if !slices.Equal(order, []int{0, 1, 2, 3}) {
				t.Fatalf("served in order %v, want [0 1 2 3] (3: the newcomer that came while 0, 1, 2 were away)", order)
			}
		})
	}
}

// TestSemaphoreCancelledHeadOfLineServesTheWaitersBehindIt: a wait at the
// head of a semaphore's line that holds up smaller requests behind it (a
// writer of an RWLock held by readers; an AcquireN larger than what is
// free) gives up: the waiters behind it are handed what is free at once,
// as a release would, not left to take it at their next renewal (up to
// a second later, reported as acquired rather than handed off).
func TestSemaphoreCancelledHeadOfLineServesTheWaitersBehindIt(t *testing.T) {
	for _, kind := range []string{"rwlock", "sem"} {
		t.Run(kind, func(t *testing.T) {
			c, rec := observedClient(t)
			on := hotredis.WithClient(c)
			k := key(t)
			var holder func() error
			var head, behind func(context.Context) error
			if kind == "rwlock" {
				h, w, r := hotredis.NewRWLock(k, on), hotredis.NewRWLock(k, on), hotredis.NewRWLock(k, on)
				holder, head, behind = func() error { return h.AcquireRead(ctx) }, w.Acquire, r.AcquireRead
			} else {
				h, w, r := hotredis.NewSemaphore(k, 2, on), hotredis.NewSemaphore(k, 2, on), hotredis.NewSemaphore(k, 2, on)
				holder = func() error { return h.Acquire(ctx) }
				head = func(c context.Context) error { return w.AcquireN(c, 2) }
				behind = r.Acquire
			}
			noErr(t, holder())
			hc, cancel := context.WithCancel(ctx)
			headDone := make(chan error, 1)
			go func() { headDone <- head(hc) }()
			waitInLine(t, k, 1)
			behindDone := make(chan error, 1)
			go func() { behindDone <- behind(ctx) }()
			waitInLine(t, k, 2)
			cancel()
			if err := <-headDone; !errors.Is(err, context.Canceled) {
				t.Fatalf("the head's wait = %v, want Canceled", err)
			}
			noErr(t, <-behindDone)
			var outcomes []string
			for _, w := range rec.waitsOn(k) {
				outcomes = append(outcomes, w.Outcome)
			}
			slices.Sort(outcomes)
			if want := []string{hotredis.WaitCancelled, hotredis.WaitHandedOff}; !slices.Equal(outcomes, want) {
				t.Errorf("waits ended %v, want %v (the one behind served by the cancel's hand-off)", outcomes, want)
			}
		})
	}
}
