package hotredis_test

// Tests from a review (2026-12-06) of Limiter, Event and RWLock. Those
// whose doc comment says "Found by review" failed before the fixes named
// there; the others passed from the start and guard behaviour worth
// keeping.

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// Found by review (fixed: limiter_reserve replies the bucket's arrival
// time after a take, and limiter_cancel gives back tokens taken at once
// from it). TestReviewLimiterWaitTakenAtOnceThenCancelledGivesBack: a Wait
// on a full bucket takes its token at once (no wait); when the caller's
// context is cancelled (or the connection cut) while that reply is on its
// way, WaitN returns an error (plain context.Canceled for the cancel), yet
// the token stays spent: nobody gives it back. WaitN's doc: "if ctx ends
// while it sleeps, or before the reservation's reply comes, it returns
// ctx's error and gives the tokens back"; README: "A reply lost ...
// ErrUnknownOutcome, and the tokens go back when the server is reachable".
// Only reservations that must wait (wait > 0) were recorded and given
// back. Now a reply that comes after ctx's end gives back tokens taken at
// once too; a lost reply is ErrUnknownOutcome, and tokens taken at once,
// never recorded, stay spent (as WaitN's doc says).
func TestReviewLimiterWaitTakenAtOnceThenCancelledGivesBack(t *testing.T) {
	for _, fault := range []string{"cancelled", "deadline", "lost"} {
		t.Run(fault, func(t *testing.T) {
			onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
				k := key(t)
				rdb := srv.GoRedis()
				defer rdb.Close()
				l := hotredis.NewLimiter(k, 0.05, 1, hotredis.WithClient(c)) // 20 s per token; full now
				warmLimiterClient(t, c, rdb)
				// The take's reply ({1, 0, time, after}) is held, not
				// everything: a connection the client dials meanwhile greets
				// the server through the proxy, which a stall of every reply
				// would hold, and the take would never go (seen once in CI
				// on the cluster pass, go-redis).
				p.StallOn(hotredistest.ToClient, "*4\r\n:1\r\n:0\r\n")
				cc, cancel := context.WithCancel(ctx)
				if fault == "deadline" {
					cc, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				}
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- l.Wait(cc) }()
				// The take's reply held by the proxy, not only its key
				// written: a Resume before the proxy reads the reply would
				// leave the stall to fire after it, holding the reply for
				// good (seen 9 times in 40 runs of the cancelled case).
				if !waited(func() bool { return rdb.Exists(ctx, k).Val() == 1 && !p.Armed() }) {
					p.Resume(hotredistest.ToClient)
					t.Fatal("the Wait's take never reached the bucket")
				}
				switch fault {
				case "cancelled":
					cancel()
				case "lost":
					p.Cut()
				}
				err := <-done
				p.Resume(hotredistest.ToClient)
				t.Logf("Wait = %v", err)
				if err == nil {
					t.Fatal("Wait = nil though it never had its reply")
				}
				if fault == "lost" {
					if !errors.Is(err, hotredis.ErrUnknownOutcome) {
						t.Errorf("Wait whose reply was lost = %v, want ErrUnknownOutcome", err)
					}
					return // (taken at once: not recorded, so spent)
				}
				if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Wait whose reply came after ctx's end = %v, want ctx's error", err)
				}
				// The give-back (if any) runs in the background.
				gone := false
				for deadline := time.Now().Add(5 * time.Second); !gone && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					gone = rdb.Exists(ctx, k).Val() == 0
				}
				if !gone {
					t.Errorf("Wait returned %v (its caller never acts), but its token stays spent: bucket %q (PTTL %v); want it given back (bucket full, key absent)",
						err, rdb.Get(ctx, k).Val(), rdb.PTTL(ctx, k).Val())
				}
			})
		})
	}
}

// Found by review (fixed: event_set announces first).
// TestReviewEventSetRefusedOnWrongTypeWakeStreamLeavesItUnset:
// with a list at the Event's wake stream, Set is refused (ErrWrongType),
// but event_set has already written the flag before its XADD fails (a
// script's error does not undo its earlier writes): the event is set
// although Set failed, and a second Set then reports success without
// announcing anything. TestEventRefusals: "Keys of another type are
// refused and left as they are"; a refused call should change nothing.
func TestReviewEventSetRefusedOnWrongTypeWakeStreamLeavesItUnset(t *testing.T) {
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	noErr(t, rdb.RPush(ctx, k+":wake", "x").Err())
	e := hotredis.NewEvent(k)
	if err := e.Set(ctx); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("Set with a list at the wake stream = %v, want ErrWrongType", err)
	}
	set, err := e.IsSet(ctx)
	noErr(t, err)
	if set {
		t.Errorf("IsSet = true after a Set refused with ErrWrongType (flag %q): the refused Set changed the event", rdb.Get(ctx, k).Val())
	}
	if err := e.Set(ctx); !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("a second Set with the list still at the wake stream = %v, want ErrWrongType again", err)
	}
}

// TestReviewRWLockCancelledWriterLetsReadersBehindIn: a reader holds, a
// writer waits, a reader waits behind the writer; when the writer gives
// up, the reader behind it is admitted at once (the first reader still
// holding), and the line is empty.
func TestReviewRWLockCancelledWriterLetsReadersBehindIn(t *testing.T) {
	k := key(t)
	r1, w, r2 := hotredis.NewRWLock(k), hotredis.NewRWLock(k), hotredis.NewRWLock(k)
	noErr(t, r1.AcquireRead(ctx))
	wc, cancelW := context.WithCancel(ctx)
	defer cancelW()
	wrote := make(chan error, 1)
	go func() { wrote <- w.Acquire(wc) }()
	waitInLine(t, k, 1)
	read := make(chan error, 1)
	go func() { read <- r2.AcquireRead(ctx) }()
	waitInLine(t, k, 2)
	select {
	case err := <-read:
		t.Fatalf("a reader behind a waiting writer got in: %v", err)
	case <-time.After(150 * time.Millisecond):
	}
	cancelW()
	if err := <-wrote; !errors.Is(err, context.Canceled) {
		t.Fatalf("writer's Acquire = %v, want Canceled", err)
	}
	start := time.Now()
	select {
	case err := <-read:
		noErr(t, err)
		t.Logf("reader behind the cancelled writer admitted %v after the cancel", time.Since(start))
	case <-time.After(3 * time.Second):
		t.Fatal("the reader behind a writer that gave up was not admitted while the first reader held")
	}
	if w.Token() != 0 {
		t.Errorf("Token of a writer that gave up = %d, want 0", w.Token())
	}
	noErr(t, r1.ReleaseRead(ctx))
	noErr(t, r2.ReleaseRead(ctx))
	ok, err := w.TryAcquire(ctx)
	if err != nil || !ok {
		t.Fatalf("TryAcquire after every reader left = %v, %v", ok, err)
	}
	noErr(t, w.Release(ctx))
}

// TestReviewRWLockKilledWaitingWriterLetsReadersIn: a writer waiting in
// line (another process) is SIGKILLed while a reader holds and a second
// reader waits behind the writer: the second reader gets in once the dead
// writer's registration runs out (well within lease + 1 s), not after the
// 30 s lease, and the holding reader was never displaced.
func TestReviewRWLockKilledWaitingWriterLetsReadersIn(t *testing.T) {
	k := key(t)
	r1 := hotredis.NewRWLock(k)
	noErr(t, r1.AcquireRead(ctx))
	child := startRole(t, "lock-waiter", "LOCK_KIND=rwlock", "LOCK_KEY="+k, "LOCK_N=1")
	waitInLine(t, k, 1)
	r2 := hotredis.NewRWLock(k)
	read := make(chan error, 1)
	go func() { read <- r2.AcquireRead(ctx) }()
	waitInLine(t, k, 2)
	noErr(t, child.Process.Kill())
	_ = child.Wait()
	killed := time.Now()
	select {
	case err := <-read:
		noErr(t, err)
		t.Logf("reader behind the killed writer admitted %v after the kill", time.Since(killed))
	case <-time.After(4 * time.Second):
		t.Fatal("a dead waiting writer held back the readers behind it for more than 4 s")
	}
	rdb := rawClient()
	defer rdb.Close()
	if n := rdb.Exists(ctx, k+":got").Val(); n != 0 {
		t.Error("the killed writer got the lock")
	}
	noErr(t, r1.ReleaseRead(ctx))
	noErr(t, r2.ReleaseRead(ctx))
}

// TestReviewRWLockReadThenWriteOnOneHandle: as with sync.RWMutex, a
// handle holding a read hold that asks to write waits for itself; the
// wait ends by its deadline with DeadlineExceeded and leaves nothing in
// line; the read hold stays and releases; the handle's holds are counted
// apart: Release (write) without a write hold and ReleaseRead without a
// read hold are ErrNotHeld and change nothing.
func TestReviewRWLockReadThenWriteOnOneHandle(t *testing.T) {
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	h := hotredis.NewRWLock(k)
	noErr(t, h.AcquireRead(ctx))
	noErr(t, h.AcquireRead(ctx)) // two read holds
	if err := h.Release(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("Release (write) with only read holds = %v, want ErrNotHeld", err)
	}
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	err := h.Acquire(c)
	cancel()
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire while holding for reading = %v, want DeadlineExceeded", err)
	}
	if took > 2*time.Second {
		t.Errorf("Acquire with a 300ms deadline returned after %v", took)
	}
	if h.Token() != 0 {
		t.Errorf("Token after a failed write Acquire = %d", h.Token())
	}
	if !waited(func() bool { return rdb.ZCard(ctx, k+":waiters").Val() == 0 }) {
		t.Errorf("%d waiters left in line by a wait that gave up", rdb.ZCard(ctx, k+":waiters").Val())
	}
	select {
	case <-h.Lost():
		t.Fatal("Lost closed while the handle holds two read holds")
	default:
	}
	// Another reader still gets in (no writer waits).
	other := hotredis.NewRWLock(k)
	if ok, err := other.TryAcquireRead(ctx); err != nil || !ok {
		t.Fatalf("TryAcquireRead by another handle = %v, %v", ok, err)
	}
	noErr(t, other.ReleaseRead(ctx))
	noErr(t, h.ReleaseRead(ctx))
	select {
	case <-h.Lost():
		t.Fatal("Lost closed while the handle still holds one read hold")
	default:
	}
	if ok, err := other.TryAcquire(ctx); err != nil || ok {
		t.Fatalf("TryAcquire while a read hold remains = %v, %v, want false", ok, err)
	}
	noErr(t, h.ReleaseRead(ctx))
	select {
	case <-h.Lost():
	case <-time.After(time.Second):
		t.Fatal("Lost still open after the last ReleaseRead")
	}
	if err := h.ReleaseRead(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("a third ReleaseRead = %v, want ErrNotHeld", err)
	}
	noErr(t, h.Acquire(ctx))
	tok := h.Token()
	if tok <= 0 {
		t.Fatalf("Token while holding for writing = %d", tok)
	}
	if err := h.ReleaseRead(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("ReleaseRead while holding for writing only = %v, want ErrNotHeld", err)
	}
	if ok, err := other.TryAcquireRead(ctx); err != nil || ok {
		t.Fatalf("TryAcquireRead while a writer holds = %v, %v, want false", ok, err)
	}
	noErr(t, h.Release(ctx))
	if err := h.Release(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("a second Release = %v, want ErrNotHeld", err)
	}
	noErr(t, other.Acquire(ctx))
	if other.Token() <= tok {
		t.Errorf("the next writer's token %d is not above the previous %d", other.Token(), tok)
	}
	noErr(t, other.Release(ctx))
	if !waited(func() bool {
		return len(keysMatching(t, rdb, k+"*")) == 0 || onlyFenceLeft(keysMatching(t, rdb, k+"*"), k)
	}) {
		t.Errorf("keys left: %v", keysMatching(t, rdb, k+"*"))
	}
}

// onlyFenceLeft reports whether ks holds nothing but k's fencing counter and
// grant streams (which outlive a holding by design).
func onlyFenceLeft(ks []string, k string) bool {
	for _, x := range ks {
		if x != k+":fence" && !strings.HasPrefix(x, k+":grants:") {
			return false
		}
	}
	return true
}

var _ = strconv.Itoa

// TestReviewRWLockAcquireWhoseReplyIsLate: the writer's Acquire on a
// free lock runs on the server, but its reply is stalled past the
// caller's 300 ms deadline: Acquire returns by the deadline with an error
// wrapping DeadlineExceeded (never a late success), and the lock the
// server granted is released in the background once the reply comes, so
// that another handle can take it. The same for AcquireRead, whose read
// hold must not keep a writer out. ("what can be undone is undone (a lock
// granted to a caller that gave up is released)")
func TestReviewRWLockAcquireWhoseReplyIsLate(t *testing.T) {
	for _, side := range []string{"write", "read"} {
		t.Run(side, func(t *testing.T) {
			onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
				k := key(t)
				rdb := srv.GoRedis()
				defer rdb.Close()
				h := hotredis.NewRWLock(k, hotredis.WithClient(c))
				// Warm up: the scripts cached, the connections made.
				noErr(t, h.Acquire(ctx))
				noErr(t, h.Release(ctx))
				noErr(t, h.AcquireRead(ctx))
				noErr(t, h.ReleaseRead(ctx))
				p.Stall(hotredistest.ToClient)
				cc, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
				start := time.Now()
				var err error
				if side == "write" {
					err = h.Acquire(cc)
				} else {
					err = h.AcquireRead(cc)
				}
				took := time.Since(start)
				taken := rdb.Exists(ctx, k).Val() == 1
				p.Resume(hotredistest.ToClient)
				t.Logf("Acquire = %v after %v (taken on the server: %v)", err, took, taken)
				if err == nil || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Acquire with its reply stalled past the deadline = %v, want an error wrapping DeadlineExceeded", err)
				}
				if took > 300*time.Millisecond+250*time.Millisecond {
					t.Errorf("Acquire returned %v after its call, deadline 300ms", took)
				}
				if h.Token() != 0 {
					t.Errorf("Token = %d after a failed Acquire", h.Token())
				}
				other := hotredis.NewRWLock(k, hotredis.WithClient(srv.Client(t))) // (straight to the server)
				got := false
				for deadline := time.Now().Add(3 * time.Second); !got && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					ok, err := other.TryAcquire(ctx)
					noErr(t, err)
					got = ok
				}
				if !got {
					t.Fatalf("the lock granted to an Acquire that gave up was not released (holders %v)", rdb.ZRangeWithScores(ctx, k, 0, -1).Val())
				}
				noErr(t, other.Release(ctx))
			})
		})
	}
}

// TestReviewRWLockAcquireRidesOutALostReply: a writer's Acquire whose
// reply is lost with its connection sends the same attempt again and
// holds the lock once: its one Release frees it for another writer.
func TestReviewRWLockAcquireRidesOutALostReply(t *testing.T) {
	for _, side := range []string{"write", "read"} {
		t.Run(side, func(t *testing.T) {
			onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
				k := key(t)
				rdb := srv.GoRedis()
				defer rdb.Close()
				h := hotredis.NewRWLock(k, hotredis.WithClient(c))
				noErr(t, h.Acquire(ctx))
				noErr(t, h.Release(ctx))
				noErr(t, h.AcquireRead(ctx))
				noErr(t, h.ReleaseRead(ctx))
				p.Stall(hotredistest.ToClient)
				done := make(chan error, 1)
				go func() {
					if side == "write" {
						done <- h.Acquire(ctx)
					} else {
						done <- h.AcquireRead(ctx)
					}
				}()
				if !waited(func() bool { return rdb.Exists(ctx, k).Val() == 1 }) {
					p.Resume(hotredistest.ToClient)
					t.Fatal("the Acquire never reached the server")
				}
				p.Cut()
				p.Resume(hotredistest.ToClient)
				select {
				case err := <-done:
					noErr(t, err)
				case <-time.After(10 * time.Second):
					t.Fatal("Acquire did not ride out the cut")
				}
				other := hotredis.NewRWLock(k, hotredis.WithClient(srv.Client(t))) // (straight to the server)
				t.Logf("after the ride-out: h.Token %d, holders %v, state %v", h.Token(), rdb.ZRangeWithScores(ctx, k, 0, -1).Val(), rdb.HGetAll(ctx, k+":state").Val())
				if ok, err := other.TryAcquire(ctx); err != nil || ok {
					t.Fatalf("TryAcquire while h holds = %v, %v", ok, err)
				}
				if side == "write" {
					noErr(t, h.Release(ctx))
				} else {
					noErr(t, h.ReleaseRead(ctx))
				}
				c2, cancel := context.WithTimeout(ctx, 3*time.Second)
				defer cancel()
				if err := other.Acquire(c2); err != nil {
					t.Fatalf("Acquire after h's one release = %v: h's lost attempt was counted twice (holders %v, state %v)",
						err, rdb.ZRangeWithScores(ctx, k, 0, -1).Val(), rdb.HGetAll(ctx, k+":state").Val())
				}
				noErr(t, other.Release(ctx))
			})
		})
	}
}

// TestReviewRWLockTwoReadWaitsOfOneHandleBehindAWriter: two goroutines
// of one handle wait to read while a writer holds; the writer's release
// admits both (two read holds of the handle), each needs its ReleaseRead,
// and a third is ErrNotHeld; then a writer gets in.
func TestReviewRWLockTwoReadWaitsOfOneHandleBehindAWriter(t *testing.T) {
	k := key(t)
	w, r := hotredis.NewRWLock(k), hotredis.NewRWLock(k)
	noErr(t, w.Acquire(ctx))
	read := make(chan error, 2)
	for i := range 2 {
		go func() { read <- r.AcquireRead(ctx) }()
		waitInLine(t, k, int64(i+1))
	}
	noErr(t, w.Release(ctx))
	for range 2 {
		select {
		case err := <-read:
			noErr(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("a read wait of the handle was not admitted when the writer released")
		}
	}
	if ok, err := w.TryAcquire(ctx); err != nil || ok {
		t.Fatalf("TryAcquire with two read holds = %v, %v", ok, err)
	}
	noErr(t, r.ReleaseRead(ctx))
	if ok, err := w.TryAcquire(ctx); err != nil || ok {
		t.Fatalf("TryAcquire with one read hold left = %v, %v", ok, err)
	}
	noErr(t, r.ReleaseRead(ctx))
	if err := r.ReleaseRead(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("a third ReleaseRead = %v, want ErrNotHeld", err)
	}
	if ok, err := w.TryAcquire(ctx); err != nil || !ok {
		t.Fatalf("TryAcquire once every read hold went = %v, %v", ok, err)
	}
	noErr(t, w.Release(ctx))
}

// TestReviewRWLockShortLeaseReadersKeepTheLock: readers and a writer on
// a 200 ms lease: held for 1.5 s (many leases), the holds are renewed, so
// the other side never gets in meanwhile, and gets in once released.
func TestReviewRWLockShortLeaseReadersKeepTheLock(t *testing.T) {
	k := key(t)
	lease := hotredis.WithLease(200 * time.Millisecond)
	r, w := hotredis.NewRWLock(k, lease), hotredis.NewRWLock(k, lease)
	noErr(t, r.AcquireRead(ctx))
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok, err := w.TryAcquire(ctx); err != nil || ok {
			t.Fatalf("writer's TryAcquire while a reader holds on a renewed lease = %v, %v", ok, err)
		}
	}
	select {
	case <-r.Lost():
		t.Fatal("the reader's lease was lost although its process lives")
	default:
	}
	noErr(t, r.ReleaseRead(ctx))
	noErr(t, w.Acquire(ctx))
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok, err := r.TryAcquireRead(ctx); err != nil || ok {
			t.Fatalf("reader's TryAcquireRead while a writer holds on a renewed lease = %v, %v", ok, err)
		}
	}
	noErr(t, w.Release(ctx))
	noErr(t, r.AcquireRead(ctx))
	noErr(t, r.ReleaseRead(ctx))
}

// Found by review (fixed: dispatch.go's boundPassed).
// TestReviewNoDeadlineCallIsNotToldItsDeadlinePassed: a
// Limiter.Wait and an RWLock.Acquire whose context can be cancelled but
// has no deadline, against a server whose replies are stalled, end after
// ~5 s with an error that wraps context.DeadlineExceeded although their
// context has no deadline and has not ended: the detached call's own 5 s
// bound (dispatch.go's detached/backgroundTimeout) leaks out as the
// caller's deadline. README: "Without a deadline, a call waits as long as
// the client's connection timeout ..., and then reports an i/o timeout
// (os.ErrDeadlineExceeded ...), not a deadline its context never had."
// (rueidis client: its connection timeout is longer than that bound.)
func TestReviewNoDeadlineCallIsNotToldItsDeadlinePassed(t *testing.T) {
	t.Parallel() // (20 s of waiting out the detached calls' 5 s bound, on servers of its own)
	for _, typ := range []string{"Limiter.Wait", "RWLock.Acquire"} {
		t.Run(typ, func(t *testing.T) {
			t.Parallel() // (a server of its own)
			srv := hotredistest.NewServer(t)
			p := hotredistest.NewProxy(t, srv.Addr)
			c := faultyClient(t, "rueidis", p.Addr())
			k := key(t)
			rdb := srv.GoRedis()
			defer rdb.Close()
			var call func(context.Context) error
			switch typ {
			case "Limiter.Wait":
				l := hotredis.NewLimiter(k, 0.05, 1, hotredis.WithClient(c))
				warmLimiterClient(t, c, rdb)
				call = l.Wait
			default:
				l := hotredis.NewRWLock(k, hotredis.WithClient(c))
				noErr(t, l.Acquire(ctx))
				noErr(t, l.Release(ctx))
				call = l.Acquire
			}
			p.Stall(hotredistest.ToClient)
			defer p.Resume(hotredistest.ToClient)
			cc, cancel := context.WithCancel(ctx) // no deadline
			defer cancel()
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- call(cc) }()
			select {
			case err := <-done:
				t.Logf("%s = %v after %v (ctx.Err %v)", typ, err, time.Since(start), cc.Err())
				if cc.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s with a context that has no deadline and has not ended = %v: wraps context.DeadlineExceeded, a deadline its context never had", typ, err)
				}
			case <-time.After(20 * time.Second):
				t.Logf("%s still waiting after 20 s", typ)
			}
			p.Resume(hotredistest.ToClient)
			if typ == "RWLock.Acquire" {
				// Whatever the error, a lock the server granted the call
				// that gave up is released.
				other := hotredis.NewRWLock(k, hotredis.WithClient(srv.Client(t)))
				got := false
				for deadline := time.Now().Add(3 * time.Second); !got && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					ok, err := other.TryAcquire(ctx)
					noErr(t, err)
					got = ok
				}
				if !got {
					t.Errorf("the lock granted to the Acquire that gave up was not released (holders %v)", rdb.ZRangeWithScores(ctx, k, 0, -1).Val())
				}
			}
		})
	}
}

// TestReviewRWLockWrongTypeGrantStream: with a list at one of the
// RWLock's grant streams (the one its first waiter reads), a read wait
// behind a writer is refused with ErrWrongType; the refused wait must not
// stay in line (holding back the readers after it, or being granted the
// lock), and the writer's Release must still work.
func TestReviewRWLockWrongTypeGrantStream(t *testing.T) {
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	for i := range 16 {
		noErr(t, rdb.RPush(ctx, k+":grants:"+strconv.Itoa(i), "x").Err())
	}
	w, r := hotredis.NewRWLock(k), hotredis.NewRWLock(k)
	noErr(t, w.Acquire(ctx))
	c, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	err := r.AcquireRead(c)
	t.Logf("AcquireRead = %v", err)
	if !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("AcquireRead with lists at the grant streams = %v, want ErrWrongType", err)
	}
	time.Sleep(100 * time.Millisecond) // (a clean-up runs in the background)
	if n := rdb.ZCard(ctx, k+":waiters").Val(); n != 0 {
		t.Errorf("%d waiters left in line by a refused wait: %v", n, rdb.ZRange(ctx, k+":waiters", 0, -1).Val())
	}
	rerr := w.Release(ctx)
	t.Logf("Release = %v; holders then %v", rerr, rdb.ZRangeWithScores(ctx, k, 0, -1).Val())
	if rerr != nil && !errors.Is(rerr, hotredis.ErrWrongType) {
		t.Errorf("Release = %v", rerr)
	}
	if n := rdb.ZCard(ctx, k).Val(); n != 0 {
		t.Errorf("after the writer's Release the lock is held by %v: the refused reader was granted it", rdb.ZRange(ctx, k, 0, -1).Val())
	}
	for i := range 16 {
		if n := rdb.LLen(ctx, k+":grants:"+strconv.Itoa(i)).Val(); n != 1 {
			t.Errorf("the list at grants:%d has %d items", i, n)
		}
	}
}

// TestReviewRWLockDeadWriterPassesToWaitingReaders: a writer in another
// process (lease 2 s) is SIGKILLed while two readers and then a writer
// wait here: both readers are admitted together within the lease + 1 s
// (plus a margin for a loaded machine), and the writer behind them waits
// until they release.
func TestReviewRWLockDeadWriterPassesToWaitingReaders(t *testing.T) {
	k := key(t)
	child := startRole(t, "lock-holder", "LOCK_KIND=rwlock", "LOCK_KEY="+k, "LOCK_N=0")
	ready := hotredis.NewLock(k + ":ready")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ok, err := ready.Locked(ctx); err != nil || ok {
			noErr(t, err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never took the lock")
		}
	}
	r1, r2, w := hotredis.NewRWLock(k), hotredis.NewRWLock(k), hotredis.NewRWLock(k)
	read := make(chan error, 2)
	go func() { read <- r1.AcquireRead(ctx) }()
	waitInLine(t, k, 1)
	go func() { read <- r2.AcquireRead(ctx) }()
	waitInLine(t, k, 2)
	wrote := make(chan error, 1)
	go func() { wrote <- w.Acquire(ctx) }()
	waitInLine(t, k, 3)
	noErr(t, child.Process.Kill())
	_ = child.Wait()
	killed := time.Now()
	for range 2 {
		select {
		case err := <-read:
			noErr(t, err)
		case <-time.After(2*time.Second + time.Second + 1500*time.Millisecond):
			t.Fatalf("a reader waiting behind a dead writer (lease 2 s) was not admitted within %v of the kill", time.Since(killed))
		}
	}
	t.Logf("both readers admitted %v after the kill (lease 2 s)", time.Since(killed))
	select {
	case err := <-wrote:
		t.Fatalf("the writer behind the readers got in while they hold: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	noErr(t, r1.ReleaseRead(ctx))
	noErr(t, r2.ReleaseRead(ctx))
	select {
	case err := <-wrote:
		noErr(t, err)
	case <-time.After(3 * time.Second):
		t.Fatal("the writer was not handed the lock when the readers released")
	}
	noErr(t, w.Release(ctx))
}

// TestReviewEventSetAndClearDuringACutWakeTheWait: a Wait blocked on a
// connection that is cut; while its client is cut off (replies stalled,
// then the connection reset), another client Sets and at once Clears the
// event: the Wait, riding out the cut, still returns nil (a Set came
// during the wait, "even if a Clear follows it at once").
func TestReviewEventSetAndClearDuringACutWakeTheWait(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		k := key(t)
		other := hotredis.NewEvent(k, hotredis.WithClient(srv.Client(t)))
		e := hotredis.NewEvent(k, hotredis.WithClient(c))
		wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- e.Wait(wctx) }()
		waitBlocked(t, srv, done)
		p.Stall(hotredistest.Both)
		noErr(t, other.Set(ctx))
		noErr(t, other.Clear(ctx))
		p.Cut()
		p.Resume(hotredistest.Both)
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("Wait = %v, want nil: a Set came while it waited", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Wait missed a Set (and Clear) made while its connection was cut")
		}
	})
}

// TestReviewStalledCallsReturnByTheirDeadline: with every reply held
// (a stalled network), the calls of RWLock, Event and Limiter that the
// suite's pause test leaves out return by their 300 ms deadline with an
// error wrapping context.DeadlineExceeded (never a late success); the
// writes among them whose outcome is unknown say so (ErrUnknownOutcome).
// Once the network flows again, nothing is left held: a read hold the
// stalled ReleaseRead may or may not have released runs out with its
// lease at the latest, and a TryAcquire that gave up is undone.
func TestReviewStalledCallsReturnByTheirDeadline(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	c := faultyClient(t, "rueidis", p.Addr())
	on := hotredis.WithClient(c)
	k := key(t)
	reader := hotredis.NewRWLock(k+":rw", on, hotredis.WithLease(time.Second))
	tryW := hotredis.NewRWLock(k+":rw2", on)
	tryR := hotredis.NewRWLock(k+":rw3", on)
	ev := hotredis.NewEvent(k+":ev", on)
	lim := hotredis.NewLimiter(k+":lim", 0.05, 3, on)
	// Warm up: scripts cached, connections made.
	noErr(t, reader.AcquireRead(ctx))
	noErr(t, reader.ReleaseRead(ctx))
	noErr(t, reader.AcquireRead(ctx))
	for _, l := range []*hotredis.RWLock{tryW, tryR} {
		ok, err := l.TryAcquire(ctx)
		noErr(t, err)
		if !ok {
			t.Fatal("warm-up TryAcquire failed")
		}
		noErr(t, l.Release(ctx))
		ok, err = l.TryAcquireRead(ctx)
		noErr(t, err)
		if !ok {
			t.Fatal("warm-up TryAcquireRead failed")
		}
		noErr(t, l.ReleaseRead(ctx))
	}
	noErr(t, ev.Set(ctx))
	noErr(t, ev.Clear(ctx))
	must[bool](t)(ev.IsSet(ctx))
	must[bool](t)(lim.AllowN(ctx, 1))
	noErr(t, c.Ping(ctx))

	calls := []struct {
		name  string
		write bool
		call  func(context.Context) error
	}{
		{"RWLock.TryAcquire", false, func(ctx context.Context) error { _, err := tryW.TryAcquire(ctx); return err }},
		{"RWLock.TryAcquireRead", false, func(ctx context.Context) error { _, err := tryR.TryAcquireRead(ctx); return err }},
		{"RWLock.ReleaseRead", true, reader.ReleaseRead},
		{"Event.Clear", true, ev.Clear},
		{"Event.IsSet", false, func(ctx context.Context) error { _, err := ev.IsSet(ctx); return err }},
		{"Limiter.AllowN", true, func(ctx context.Context) error { _, err := lim.AllowN(ctx, 1); return err }},
	}
	p.Stall(hotredistest.ToClient)
	for _, cl := range calls {
		cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		start := time.Now()
		err := cl.call(cctx)
		took := time.Since(start)
		cancel()
		t.Logf("%s = %v after %v", cl.name, err, took.Round(time.Millisecond))
		if took > 300*time.Millisecond+200*time.Millisecond {
			t.Errorf("%s returned after %v, deadline 300ms", cl.name, took)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with its reply stalled = %v, want an error wrapping DeadlineExceeded", cl.name, err)
		}
		if cl.write && !errors.Is(err, hotredis.ErrUnknownOutcome) {
			t.Errorf("%s, a write whose reply never came = %v, want ErrUnknownOutcome", cl.name, err)
		}
	}
	p.Resume(hotredistest.ToClient)
	direct := srv.Client(t)
	for _, name := range []string{k + ":rw", k + ":rw2", k + ":rw3"} {
		other := hotredis.NewRWLock(name, hotredis.WithClient(direct))
		got := false
		for deadline := time.Now().Add(4 * time.Second); !got && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			ok, err := other.TryAcquire(ctx)
			noErr(t, err)
			got = ok
		}
		if !got {
			t.Errorf("%s still held after the stalled calls gave up", name)
			continue
		}
		noErr(t, other.Release(ctx))
	}
}

// TestReviewRWLockReaderCutOffLosesItsHold: a reader (lease 1 s) whose
// network stalls cannot renew: its Lost channel closes by the time its
// lease may have run out, a writer elsewhere gets the lock within the
// lease + 1 s, and once the network is back the reader's ReleaseRead is
// ErrNotHeld; the handle can read again after the writer leaves.
func TestReviewRWLockReaderCutOffLosesItsHold(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	c := faultyClient(t, "rueidis", p.Addr())
	k := key(t)
	h := hotredis.NewRWLock(k, hotredis.WithClient(c), hotredis.WithLease(time.Second))
	w := hotredis.NewRWLock(k, hotredis.WithClient(srv.Client(t)))
	noErr(t, h.AcquireRead(ctx))
	lost := h.Lost()
	p.Stall(hotredistest.Both)
	stalled := time.Now()
	wrote := make(chan error, 1)
	go func() { wrote <- w.Acquire(ctx) }()
	select {
	case <-lost:
		t.Logf("Lost closed %v after the stall (lease 1 s)", time.Since(stalled))
	case <-time.After(2500 * time.Millisecond):
		t.Error("Lost still open 2.5 s into a stall, with a 1 s lease")
	}
	select {
	case err := <-wrote:
		noErr(t, err)
		t.Logf("writer got the lock %v after the reader was cut off", time.Since(stalled))
	case <-time.After(1*time.Second + time.Second + 1500*time.Millisecond):
		t.Fatal("a writer waited more than the lease + 1 s (+ margin) for a reader cut off")
	}
	p.Resume(hotredistest.Both)
	if err := h.ReleaseRead(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Errorf("ReleaseRead of a hold lost to the stall = %v, want ErrNotHeld", err)
	}
	noErr(t, w.Release(ctx))
	c2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	noErr(t, h.AcquireRead(c2))
	noErr(t, h.ReleaseRead(ctx))
}

// Found by review (fixed: line.go's opMutex gives up with ctx).
// TestReviewRWLockReleaseReadReturnsByItsDeadlineDuringAStalledAttempt:
// a handle holds a read hold; another goroutine of the same handle is in
// an AcquireRead (no deadline) whose attempt's reply is stalled; a
// ReleaseRead with a 300 ms deadline then waits for the handle's op
// mutex, which the stalled attempt holds (line.go release and try:
// l.op.Lock(), not bounded by ctx), for seconds, far past its deadline.
// The same for Release (write side, an Acquire of the same handle
// stalled) and for TryAcquireRead. SPEC: "Every
// call returns by its context's deadline (+ a few ms), even with the
// server paused."
func TestReviewRWLockReleaseReadReturnsByItsDeadlineDuringAStalledAttempt(t *testing.T) {
	for _, side := range []string{"read", "write", "tryread"} {
		t.Run(side, func(t *testing.T) {
			srv := hotredistest.NewServer(t)
			p := hotredistest.NewProxy(t, srv.Addr)
			c := faultyClient(t, "rueidis", p.Addr())
			k := key(t)
			h := hotredis.NewRWLock(k, hotredis.WithClient(c))
			w := hotredis.NewRWLock(k, hotredis.WithClient(srv.Client(t)))
			// Warm up the scripts, then hold.
			noErr(t, h.Acquire(ctx))
			noErr(t, h.Release(ctx))
			noErr(t, h.AcquireRead(ctx))
			noErr(t, h.AcquireRead(ctx))
			noErr(t, h.ReleaseRead(ctx))
			release, acquire := h.ReleaseRead, h.AcquireRead
			if side == "write" {
				noErr(t, h.ReleaseRead(ctx))
				noErr(t, h.Acquire(ctx))
				release, acquire = h.Release, h.Acquire
			}
			if side == "tryread" { // a TryAcquireRead waits for the same mutex in try
				release = func(ctx context.Context) error { _, err := h.TryAcquireRead(ctx); return err }
			}
			_ = w
			p.Stall(hotredistest.ToClient)
			defer p.Resume(hotredistest.ToClient)
			bg, cancelBg := context.WithCancel(ctx) // no deadline
			defer cancelBg()
			started := make(chan struct{})
			go func() { close(started); _ = acquire(bg) }() // waits for itself: its attempt's reply is stalled
			<-started
			time.Sleep(200 * time.Millisecond) // the attempt is on its way, holding the handle
			cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- release(cctx) }()
			select {
			case err := <-done:
				took := time.Since(start)
				t.Logf("release = %v after %v", err, took)
				if took > 300*time.Millisecond+300*time.Millisecond {
					t.Errorf("release with a 300ms deadline returned after %v", took)
				}
			case <-time.After(3 * time.Second):
				t.Errorf("release with a 300ms deadline still blocked after 3 s (the handle's stalled attempt holds it up)")
			}
			cancelBg()
		})
	}
}
