package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

func init() {
	roles["wg-done"] = roleWGDone
	roles["wg-member"] = roleWGMember
}

// roleWGDone waits for a word on the list WG_KEY:go, notes the time in
// WG_KEY:doneat and calls Done on the WaitGroup at WG_KEY.
func roleWGDone() error {
	rdb, done, err := roleClients()
	if err != nil {
		return err
	}
	defer done()
	k := os.Getenv("WG_KEY")
	if err := rdb.BLPop(context.Background(), 20*time.Second, k+":go").Err(); err != nil {
		return err
	}
	if err := rdb.Set(context.Background(), k+":doneat", time.Now().UnixNano(), 0).Err(); err != nil {
		return err
	}
	return hotredis.NewWaitGroup(k).Done(context.Background())
}

// roleWGMember runs a member of the WaitGroup at WG_KEY with a lease of
// 1s, which never returns: the test kills the process.
func roleWGMember() error {
	c, err := roleClient()
	if err != nil {
		return err
	}
	defer c.Close()
	wg := hotredis.NewWaitGroup(os.Getenv("WG_KEY"), hotredis.WithLease(time.Second))
	return wg.Go(context.Background(), func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("the member's context ended: %w", context.Cause(ctx))
	})
}

// TestWaitGroupModel runs random Adds, Dones and Counts against a Go
// counter: a change that would make it negative is refused and changes
// nothing, and the group occupies its key exactly while the count is not 0.
func TestWaitGroupModel(t *testing.T) {
	var run atomic.Int64
	rapid.Check(t, func(rt *rapid.T) {
		wg := hotredis.NewWaitGroup(key(t, strconv.FormatInt(run.Add(1), 10)))
		defer wg.Delete(ctx)
		var model int64
		for i := range rapid.IntRange(1, 30).Draw(rt, "ops") {
			switch op := rapid.SampledFrom([]string{"add", "done", "count"}).Draw(rt, fmt.Sprint("op", i)); op {
			case "add", "done":
				delta := int64(-1)
				if op == "add" {
					delta = rapid.Int64Range(-5, 5).Draw(rt, fmt.Sprint("delta", i))
				}
				var err error
				if op == "add" {
					err = wg.Add(ctx, delta)
				} else {
					err = wg.Done(ctx)
				}
				switch {
				case model+delta < 0:
					if !errors.Is(err, hotredis.ErrInvalidArgument) || !strings.Contains(err.Error(), "negative WaitGroup counter") {
						rt.Fatalf("%s(%d) on %d = %v, want a negative counter error", op, delta, model, err)
					}
				case err != nil:
					rt.Fatalf("%s(%d) on %d: %v", op, delta, model, err)
				default:
					model += delta
				}
			case "count":
				if n, err := wg.Count(ctx); err != nil || n != model {
					rt.Fatalf("Count = %d, %v; want %d", n, err, model)
				}
			}
			if ok, err := wg.Exists(ctx); err != nil || ok != (model > 0) {
				rt.Fatalf("Exists = %v, %v with count %d", ok, err, model)
			}
		}
	})
}

// TestWaitGroupWaitWokenAcrossProcesses: the last Done, in another
// process, wakes a Wait blocked here at once, not at its next re-read
// (which would come a second after it began).
func TestWaitGroupWaitWokenAcrossProcesses(t *testing.T) {
	t.Parallel()
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	noErr(t, wg.Add(ctx, 1))
	child := startRole(t, "wg-done", "WG_KEY="+k)
	rdb := rawClient()
	defer rdb.Close()
	defer rdb.Del(ctx, k+":go", k+":doneat")
	got := make(chan time.Time, 1)
	go func() {
		if err := wg.Wait(ctx); err != nil {
			t.Error(err)
		}
		got <- time.Now()
	}()
	time.Sleep(100 * time.Millisecond) // the Wait blocks
	select {
	case <-got:
		t.Fatal("Wait returned before Done")
	default:
	}
	noErr(t, rdb.RPush(ctx, k+":go", "go").Err())
	var returned time.Time
	select {
	case returned = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("Wait did not return after the child's Done")
	}
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	at := must[int64](t)(rdb.Get(ctx, k+":doneat").Int64())
	d := returned.Sub(time.Unix(0, at))
	t.Logf("Wait returned %v after the Done in another process", d)
	if d > 900*time.Millisecond { // (a poll would come after maxBlock, 1 s)
		t.Errorf("Wait returned %v after the Done: not woken by it", d)
	}
}

// TestWaitGroupGoConcurrent: waiters return only after every member
// started by Go has finished.
func TestWaitGroupGoConcurrent(t *testing.T) {
	t.Parallel()
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	noErr(t, wg.Add(ctx, 1)) // hold the round open while the members start
	const members, waiters = 16, 4
	var started sync.WaitGroup
	var finished atomic.Int64
	var all sync.WaitGroup
	for i := range members {
		started.Add(1)
		all.Add(1)
		go func() {
			defer all.Done()
			err := hotredis.NewWaitGroup(k).Go(ctx, func(ctx context.Context) error {
				started.Done()
				time.Sleep(time.Duration(i%4) * 20 * time.Millisecond)
				finished.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	for range waiters {
		all.Add(1)
		go func() {
			defer all.Done()
			if err := hotredis.NewWaitGroup(k).Wait(ctx); err != nil {
				t.Error(err)
			}
			if n := finished.Load(); n != members {
				t.Errorf("Wait returned with %d of %d members finished", n, members)
			}
		}()
	}
	started.Wait()
	if n := must[int64](t)(wg.Count(ctx)); n < 1 || n > members+1 {
		t.Errorf("Count = %d while members run", n)
	}
	noErr(t, wg.Done(ctx))
	all.Wait()
	if n := must[int64](t)(wg.Count(ctx)); n != 0 {
		t.Errorf("Count after all = %d", n)
	}
	if ok := must[bool](t)(wg.Exists(ctx)); ok {
		t.Error("the group's key is left at zero with nothing lost")
	}
}

// TestWaitGroupCrashedMemberCountsLost: a member whose process is killed
// is counted done when its lease runs out, and Wait reports it lost.
func TestWaitGroupCrashedMemberCountsLost(t *testing.T) {
	t.Parallel() // mostly waiting for the lease to run out
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	child := startRole(t, "wg-member", "WG_KEY="+k)
	rdb := rawClient()
	defer rdb.Close()
	deadline := time.Now().Add(20 * time.Second)
	for rdb.ZCard(ctx, k+":members").Val() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the child never started its member")
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := make(chan error, 1)
	go func() { got <- wg.Wait(ctx) }()
	err, killed := killWhileBlocked(t, child, got, 100*time.Millisecond, time.Second+1500*time.Millisecond,
		"the killed member's lease of 1s did not run out in time")
	if !errors.Is(err, hotredis.ErrMemberLost) {
		t.Fatalf("Wait = %v, want ErrMemberLost", err)
	}
	t.Logf("Wait returned %v after SIGKILL: %v", time.Since(killed), err)
	if n := must[int64](t)(wg.Count(ctx)); n != 0 {
		t.Errorf("Count = %d, want 0", n)
	}
	if n := rdb.ZCard(ctx, k+":members").Val(); n != 0 {
		t.Errorf("%d members left", n)
	}
}

// TestWaitGroupGoLeaseLostWhileRunning: a member whose lease runs out
// while f runs is counted done (and lost) once, f's context is cancelled,
// and Go reports it; the loss is reported until the next round.
func TestWaitGroupGoLeaseLostWhileRunning(t *testing.T) {
	t.Parallel()
	k := key(t)
	wg := hotredis.NewWaitGroup(k, hotredis.WithLease(300*time.Millisecond))
	defer wg.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	noErr(t, wg.Add(ctx, 1))
	errF := errors.New("f stopped")
	err := wg.Go(ctx, func(fctx context.Context) error {
		ids := must[[]string](t)(rdb.ZRange(ctx, k+":members", 0, -1).Result())
		if len(ids) != 1 {
			t.Fatalf("members %v, want one", ids)
		}
		if n := must[int64](t)(wg.Count(ctx)); n != 2 {
			t.Errorf("Count while running = %d, want 2", n)
		}
		// Make the lease run out, as a long pause would.
		noErr(t, rdb.ZAdd(ctx, k+":members", redis.Z{Score: 1, Member: ids[0]}).Err())
		select {
		case <-fctx.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("f's context was not cancelled when its lease was lost")
		}
		if !errors.Is(context.Cause(fctx), hotredis.ErrMemberLost) {
			t.Errorf("cause = %v, want ErrMemberLost", context.Cause(fctx))
		}
		return errF
	})
	if !errors.Is(err, hotredis.ErrMemberLost) || !errors.Is(err, errF) {
		t.Fatalf("Go = %v, want ErrMemberLost and f's error", err)
	}
	if n := must[int64](t)(wg.Count(ctx)); n != 1 {
		t.Fatalf("Count = %d, want 1: the lost member is counted done once", n)
	}
	noErr(t, wg.Done(ctx))
	for range 2 { // every Wait reports the loss, until the next round
		if err := wg.Wait(ctx); !errors.Is(err, hotredis.ErrMemberLost) || !strings.Contains(err.Error(), "1 member") {
			t.Fatalf("Wait = %v, want 1 member lost", err)
		}
	}
	if ok := must[bool](t)(wg.Exists(ctx)); !ok {
		t.Error("the loss is not kept for Wait")
	}
	noErr(t, wg.Add(ctx, 1)) // a new round
	noErr(t, wg.Done(ctx))
	noErr(t, wg.Wait(ctx))
	if ok := must[bool](t)(wg.Exists(ctx)); ok {
		t.Error("the group's key is left at zero after a round with no loss")
	}
}

// TestWaitGroupGo: Go counts its member while f runs, returns f's error
// without calling it lost, counts a panicking f done, and does nothing
// when ctx has ended.
func TestWaitGroupGo(t *testing.T) {
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	errF := errors.New("f failed")
	err := wg.Go(ctx, func(ctx context.Context) error {
		if n := must[int64](t)(wg.Count(ctx)); n != 1 {
			t.Errorf("Count in f = %d", n)
		}
		// A member's count is its own: a Done cannot take it away.
		if err := wg.Done(ctx); !errors.Is(err, hotredis.ErrInvalidArgument) {
			t.Errorf("Done with only a member running = %v, want ErrInvalidArgument", err)
		}
		return errF
	})
	if err != errF {
		t.Fatalf("Go = %v, want f's error as it is", err)
	}
	noErr(t, wg.Wait(ctx))

	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the panic of f", r)
			}
		}()
		_ = wg.Go(ctx, func(context.Context) error { panic("boom") })
	}()
	if n := must[int64](t)(wg.Count(ctx)); n != 0 {
		t.Errorf("Count after a panic in f = %d", n)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	called := false
	if err := wg.Go(cctx, func(context.Context) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Errorf("Go with an ended ctx = %v, f called %v", err, called)
	}
	// ctx ends while f runs: the member is counted done in the background.
	cctx, cancel = context.WithCancel(ctx)
	err = wg.Go(cctx, func(context.Context) error { cancel(); return nil })
	if !errors.Is(err, hotredis.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
		t.Errorf("Go whose ctx ended in f = %v, want ErrUnknownOutcome", err)
	}
	noErr(t, wg.Wait(ctx)) // not lost
	if err := wg.Go(ctx, nil); !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Go(nil) = %v", err)
	}
	if ok := must[bool](t)(wg.Exists(ctx)); ok {
		t.Error("the group's key is left at zero")
	}
}

// TestWaitGroupCancelledWaitLeavesNothing: a Wait whose ctx ends returns
// its error and leaves no key; at zero only the wake stream is left, and
// it expires.
func TestWaitGroupCancelledWaitLeavesNothing(t *testing.T) {
	t.Parallel()
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	noErr(t, wg.Add(ctx, 2))
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := wg.Wait(tctx); err != context.DeadlineExceeded {
		t.Fatalf("Wait = %v, want DeadlineExceeded", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if err := wg.Wait(cctx); err != context.Canceled {
		t.Fatalf("Wait = %v, want Canceled", err)
	}
	if ks := keysMatching(t, rdb, k+"*"); !slices.Equal(ks, []string{k}) {
		t.Errorf("keys %v while the count is 2, want only %s", ks, k)
	}
	noErr(t, wg.Done(ctx))
	noErr(t, wg.Done(ctx))
	if ks := keysMatching(t, rdb, k+"*"); !slices.Equal(ks, []string{k + ":wake"}) {
		t.Errorf("keys %v at zero, want only the wake stream", ks)
	}
	if ttl := rdb.PTTL(ctx, k+":wake").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("the wake stream's TTL is %v", ttl)
	}
}

// TestWaitGroupWaitSeesZeroBeforeNewRound: a Wait blocked while the count
// reaches zero returns, even when a new round begins at once.
func TestWaitGroupWaitSeesZeroBeforeNewRound(t *testing.T) {
	t.Parallel()
	wg := hotredis.NewWaitGroup(key(t))
	defer wg.Delete(ctx)
	noErr(t, wg.Add(ctx, 1))
	got := make(chan error, 1)
	go func() { got <- wg.Wait(ctx) }()
	time.Sleep(200 * time.Millisecond) // the Wait blocks
	noErr(t, wg.Done(ctx))
	noErr(t, wg.Add(ctx, 1))
	select {
	case err := <-got:
		noErr(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Wait missed the zero")
	}
	if n := must[int64](t)(wg.Count(ctx)); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

// TestWaitGroupInvalid: out-of-range changes are refused and change
// nothing; a key of another type is ErrWrongType.
func TestWaitGroupInvalid(t *testing.T) {
	k := key(t)
	wg := hotredis.NewWaitGroup(k)
	defer wg.Delete(ctx)
	if err := wg.Done(ctx); !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Done at zero = %v", err)
	}
	if ok := must[bool](t)(wg.Exists(ctx)); ok {
		t.Error("a refused Done made the key")
	}
	noErr(t, wg.Add(ctx, 3))
	if err := wg.Add(ctx, -4); !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Add(-4) on 3 = %v", err)
	}
	noErr(t, wg.Add(ctx, 0))
	if n := must[int64](t)(wg.Count(ctx)); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
	for _, d := range []int64{1 << 52, -1 << 52, 1<<63 - 1, -1 << 63} {
		if err := wg.Add(ctx, d); !errors.Is(err, hotredis.ErrInvalidArgument) {
			t.Errorf("Add(%d) = %v", d, err)
		}
	}
	noErr(t, wg.Add(ctx, 1<<52-4))
	if err := wg.Add(ctx, 1); !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Add past 2^52 = %v", err)
	}
	if n := must[int64](t)(wg.Count(ctx)); n != 1<<52-1 {
		t.Errorf("Count = %d, want 2^52-1", n)
	}
	noErr(t, wg.Add(ctx, -(1<<52-1)))
	if ok := must[bool](t)(wg.Exists(ctx)); ok {
		t.Error("the group's key is left at zero")
	}

	rdb := rawClient()
	defer rdb.Close()
	noErr(t, rdb.RPush(ctx, k, "x").Err())
	checks := map[string]error{
		"Add":   wg.Add(ctx, 1),
		"Done":  wg.Done(ctx),
		"Wait":  wg.Wait(ctx),
		"Go":    wg.Go(ctx, func(context.Context) error { t.Error("f ran"); return nil }),
		"Count": func() error { _, err := wg.Count(ctx); return err }(),
	}
	for op, err := range checks {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a list = %v, want ErrWrongType", op, err)
		}
	}
	if n := rdb.LLen(ctx, k).Val(); n != 1 {
		t.Errorf("the list has %d items", n)
	}
}

// TestWaitGroupInTransaction: Add and Done are queued in a Transaction;
// Wait, Count and Go, which need replies or wait, are refused.
func TestWaitGroupInTransaction(t *testing.T) {
	wg := hotredis.NewWaitGroup(key(t))
	defer wg.Delete(ctx)
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		noErr(t, wg.Add(tctx, 2))
		noErr(t, wg.Done(tctx))
		for op, err := range map[string]error{
			"Wait":  wg.Wait(tctx),
			"Go":    wg.Go(tctx, func(context.Context) error { return nil }),
			"Count": func() error { _, err := wg.Count(tctx); return err }(),
		} {
			if !errors.Is(err, hotredis.ErrInTransaction) {
				t.Errorf("%s in a transaction = %v", op, err)
			}
		}
		return nil
	})
	noErr(t, err)
	if n := must[int64](t)(wg.Count(ctx)); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	err = hotredis.Transaction(ctx, func(tctx context.Context) error { return wg.Add(tctx, -2) })
	if err == nil || !strings.Contains(err.Error(), "negative WaitGroup counter") {
		t.Errorf("a negative Add in a transaction = %v", err)
	}
	if n := must[int64](t)(wg.Count(ctx)); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

// TestWaitGroupDeleteReleasesWaiters: a Delete sets the counter to zero.
func TestWaitGroupDeleteReleasesWaiters(t *testing.T) {
	t.Parallel()
	wg := hotredis.NewWaitGroup(key(t))
	noErr(t, wg.Add(ctx, 1))
	got := make(chan error, 1)
	go func() { got <- wg.Wait(ctx) }()
	time.Sleep(100 * time.Millisecond) // the Wait blocks
	noErr(t, wg.Delete(ctx))
	select {
	case err := <-got:
		noErr(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not return after Delete")
	}
}

// A zero reached (and left at once by a new round) between a Wait's read
// of the stream that timed out (maxBlock) and its next look at the
// counter still ends the Wait: it reads on from where it began. (The
// observer's hook runs in that gap, on the waiting goroutine.)
func TestWaitGroupZeroBetweenTwoLooksEndsTheWait(t *testing.T) {
	t.Parallel()
	k := key(t)
	other := hotredis.NewWaitGroup(k)
	noErr(t, other.Add(ctx, 1))
	c := otherClient(t)
	var once sync.Once
	c.SetObserver(roundTrips{name: "WaitGroup.Wait", blocking: true, ended: func(context.Context, hotredis.OperationEnd) {
		once.Do(func() {
			noErr(t, other.Done(ctx))
			noErr(t, other.Add(ctx, 1)) // the next round
		})
	}})
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := hotredis.NewWaitGroup(k, hotredis.WithClient(c)).Wait(wctx); err != nil {
		t.Fatalf("Wait = %v, want ended by the zero reached while it looked again", err)
	}
	noErr(t, other.Done(ctx))
}

// TestWaitGroupGoWhoseFinishLostItsReplySucceeds: the member's finish
// runs, its reply is lost with the connection; Go sends it again, which
// finds the member gone while its lease surely ran: the first run
// finished it, so Go succeeds (it returned ErrUnknownOutcome before),
// and the group counts the member done, not lost.
func TestWaitGroupGoWhoseFinishLostItsReplySucceeds(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		k := key(t)
		warm := hotredis.NewWaitGroup(k+":warm", hotredis.WithClient(c)) // (the scripts loaded)
		noErr(t, warm.Go(ctx, func(context.Context) error { return nil }))
		wg := hotredis.NewWaitGroup(k, hotredis.WithClient(c), hotredis.WithLease(time.Minute))
		f, cut := cutOnceFReturns(p) // the finish goes out with its reply held, then the cut
		err := wg.Go(ctx, f)
		<-cut
		if err != nil {
			t.Errorf("Go = %v after f succeeded, want nil", err)
		}
		other := hotredis.NewWaitGroup(k, hotredis.WithClient(srv.Client(t)))
		if n, err := other.Count(ctx); n != 0 || err != nil {
			t.Errorf("Count = %d, %v; want 0", n, err)
		}
		if err := other.Wait(ctx); err != nil {
			t.Errorf("Wait = %v, want nil: the member finished, not lost", err)
		}
	})
}

// TestWaitGroupGoSentTwiceCountsOnce: on a client that sends every
// command twice (go-redis's retries after a lost connection), a member's
// start counts once, so its end brings the count back to zero. (Its end
// sent twice reports ErrMemberLost: the second run finds it gone, as
// README says.)
func TestWaitGroupGoSentTwiceCountsOnce(t *testing.T) {
	k := key(t)
	wg := hotredis.NewWaitGroup(k, hotredis.WithClient(twiceClient(t)))
	ran := false
	err := wg.Go(ctx, func(context.Context) error {
		if n, err := hotredis.NewWaitGroup(k).Count(ctx); n != 1 || err != nil {
			t.Errorf("Count while the member runs = %d, %v; want 1", n, err)
		}
		ran = true
		return nil
	})
	if !ran || err != nil && !errors.Is(err, hotredis.ErrMemberLost) {
		t.Fatalf("Go = %v (f ran: %v), want f run", err, ran)
	}
	if n, err := hotredis.NewWaitGroup(k).Count(ctx); n != 0 || err != nil {
		t.Errorf("Count after Go = %d, %v; want 0", n, err)
	}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	noErr(t, hotredis.NewWaitGroup(k).Wait(short))
}

// TestWaitGroupFinishGoesOutWhenCtxEndsOnTheWay: the window of
// TestOnceRecordGoesOutWhenCtxEndsOnTheWay in WaitGroup.finish: the
// member is counted done (it was not, and once its lease ran out a Wait
// reported it lost though its f returned).
func TestWaitGroupFinishGoesOutWhenCtxEndsOnTheWay(t *testing.T) {
	t.Parallel()
	k := key(t)
	w := hotredis.NewWaitGroup(k, hotredis.WithLease(3*time.Second))
	c := newEndingCtx()
	err := w.Go(c, func(context.Context) error {
		c.arm()
		return nil
	})
	if err != nil && !errors.Is(err, hotredis.ErrUnknownOutcome) {
		t.Fatalf("Go = %v, want nil or ErrUnknownOutcome (the finish going on in the background)", err)
	}
	ok := waited(func() bool { n, err := w.Count(ctx); return err == nil && n == 0 })
	n, _ := w.Count(ctx)
	if !ok {
		t.Errorf("Count = %d after the member's f returned, want 0 (counted done in the background)", n)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.Wait(wctx); err != nil {
		t.Errorf("Wait = %v, want nil: the member's f returned", err)
	}
}
