package hotredis_test

// A review's tests of the queues under faults. Found by review, fixed
// since: a take from a set queue whose set key held another type moved the
// item out of the list before failing, and its recovery then lost it; a
// recovery into a list key of another type left a ghost member in the set
// and lost the item. The scripts now check the types before any write.
// A put woken for space whose context then ended kept the wake-up: the
// next put waiting stayed asleep until its 1 s re-check.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

var (
	_ = fmt.Sprint
	_ = sync.Mutex{}
	_ atomic.Int64
	_ = hotredistest.ToClient
	_ = slices.Equal[[]string]
)

// TestQueueReviewSetQueueWrongTypeSetKeepsItems: a set queue whose list holds
// items but whose key-set holds another type: every get must fail with
// ErrWrongType and leave the list as it was.
func TestQueueReviewSetQueueWrongTypeSetKeepsItems(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, lifo := range []bool{false, true} {
		for _, op := range []string{"Get", "TryGet", "GetMany", "TryReserve"} {
			t.Run(fmt.Sprint(lifo, op), func(t *testing.T) {
				k := key(t)
				var q anyQueue
				if lifo {
					q = hotredis.NewLifoSetQueue[string](k)
				} else {
					q = hotredis.NewSetQueue[string](k)
				}
				noErr(t, q.Delete(ctx))
				rdb.RPush(ctx, k, "a", "b")
				rdb.Set(ctx, k+"-set", "a string", 0)
				tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
				defer cancel()
				var err error
				switch op {
				case "Get":
					_, err = q.Get(tctx)
				case "TryGet":
					_, err = q.TryGet(tctx)
				case "GetMany":
					_, err = q.GetMany(tctx, 2)
				case "TryReserve":
					_, _, err = q.TryReserve(tctx, time.Minute)
				}
				if !errors.Is(err, hotredis.ErrWrongType) {
					t.Errorf("%s with a string at key-set: %v, want ErrWrongType", op, err)
				}
				time.Sleep(50 * time.Millisecond) // background give-backs
				if got := rdb.LRange(ctx, k, 0, -1).Val(); !slices.Equal(got, []string{"a", "b"}) {
					t.Errorf("after the failed %s the list holds %q, want [a b]", op, got)
				}
				if s := rdb.Get(ctx, k+"-set").Val(); s != "a string" {
					t.Errorf("key-set now %q", s)
				}
				rdb.Del(ctx, k, k+"-set")
				noErr(t, q.Delete(ctx))
			})
		}
	}
}

// findItem reports where v is stored among the keys of queue k (any list
// key that starts with k).
func findItem(t *testing.T, k, v string) []string {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	var where []string
	for _, kk := range rdb.Keys(ctx, k+"*").Val() {
		if rdb.Type(ctx, kk).Val() != "list" {
			continue
		}
		if slices.Contains(rdb.LRange(ctx, kk, 0, -1).Val(), v) {
			where = append(where, kk)
		}
	}
	return where
}

// TestQueueReviewSetQueueWrongTypeSetLosesItem: with a string at key-set, a
// TryGet moves the head item into its take's list; once that take is due,
// the next get's recovery pops the item from the take's list and then
// fails at SADD: the item is gone for good, also after key-set is mended.
func TestQueueReviewSetQueueWrongTypeSetLosesItem(t *testing.T) {
	defer hotredis.SetGetHold(200 * time.Millisecond)()
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	q := hotredis.NewSetQueue[string](k)
	noErr(t, q.Delete(ctx))
	rdb.RPush(ctx, k, "a")
	rdb.Set(ctx, k+"-set", "a string", 0)
	_, err := q.TryGet(ctx)
	t.Logf("first TryGet: %v; \"a\" in %q", err, findItem(t, k, "a"))
	time.Sleep(400 * time.Millisecond) // the take is due
	t.Logf("before second TryGet: \"a\" in %q; keys %q", findItem(t, k, "a"), rdb.Keys(ctx, "*TestQueueReviewSetQueueWrongTypeSetLosesItem*").Val())
	_, err = q.TryGet(ctx)
	t.Logf("second TryGet: %v; \"a\" in %q", err, findItem(t, k, "a"))
	// Mend key-set as the queue's layout wants it.
	rdb.Del(ctx, k+"-set")
	time.Sleep(400 * time.Millisecond)
	v, err := q.TryGet(ctx)
	t.Logf("third TryGet after mending key-set: %q %v", v, err)
	if v != "a" {
		if where := findItem(t, k, "a"); len(where) == 0 {
			t.Errorf("item \"a\" is gone: in no key of the queue (TryGet: %v)", err)
		} else {
			t.Errorf("item \"a\" not delivered; it is in %q", where)
		}
	}
	noErr(t, q.Delete(ctx))
}

// takeOps are the ways to take one item, for the lost-reply tests: wait
// says whether the call waits for the item (put after it blocks).
var qreviewTakeOps = []struct {
	name  string
	wait  bool
	block bool // a call that waits on (rides out the cut)
	take  func(ctx context.Context, q anyQueue) ([]string, error)
}{
	{"Get", false, true, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, err := q.Get(ctx)
		return []string{v}, err
	}},
	{"GetWaiting", true, true, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, err := q.Get(ctx)
		return []string{v}, err
	}},
	{"TryGet", false, false, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, err := q.TryGet(ctx)
		return []string{v}, err
	}},
	{"GetMany", false, true, func(ctx context.Context, q anyQueue) ([]string, error) { return q.GetMany(ctx, 3) }},
	{"GetManyWaiting", true, true, func(ctx context.Context, q anyQueue) ([]string, error) { return q.GetMany(ctx, 3) }},
	{"Reserve", false, true, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, _, err := q.Reserve(ctx, time.Minute)
		return []string{v}, err
	}},
	{"ReserveWaiting", true, true, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, _, err := q.Reserve(ctx, time.Minute)
		return []string{v}, err
	}},
	{"TryReserve", false, false, func(ctx context.Context, q anyQueue) ([]string, error) {
		v, _, err := q.TryReserve(ctx, time.Minute)
		return []string{v}, err
	}},
}

// TestQueueReviewBoundedConcurrency: many producers and consumers on a
// bounded queue of every kind: the list never holds more than maxsize,
// every item is delivered once, and Join returns once every item is done,
// with Unfinished 0.
func TestQueueReviewBoundedConcurrency(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		const max, producers, each, consumers = 5, 12, 40, 6
		k := key(t)
		q := kind.make(k, hotredis.WithMaxSize(max))
		noErr(t, q.Delete(ctx))
		var over atomic.Int64
		stopMon := make(chan struct{})
		monDone := make(chan struct{})
		go func() {
			defer close(monDone)
			for {
				select {
				case <-stopMon:
					return
				default:
				}
				if n := rdb.LLen(ctx, k).Val(); n > max {
					over.Store(n)
				}
			}
		}()
		var got deliveries
		var pw, cw sync.WaitGroup
		for p := range producers {
			pw.Go(func() {
				for i := 0; i < each; {
					if i%5 == 0 && i+2 <= each {
						n, err := q.PutMany(ctx, fmt.Sprintf("%d-%d", p, i), fmt.Sprintf("%d-%d", p, i+1))
						if err != nil || n != 2 {
							t.Errorf("PutMany: %d %v", n, err)
							return
						}
						i += 2
						continue
					}
					if _, err := q.Put(ctx, fmt.Sprintf("%d-%d", p, i)); err != nil {
						t.Error(err)
						return
					}
					i++
				}
			})
		}
		var taken atomic.Int64
		for range consumers {
			cw.Go(func() {
				for taken.Load() < producers*each {
					gctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
					vs, err := q.GetMany(gctx, 2)
					cancel()
					if err != nil {
						if !errors.Is(err, context.DeadlineExceeded) {
							t.Error(err)
							return
						}
						continue
					}
					got.add(vs)
					taken.Add(int64(len(vs)))
					for range vs {
						if err := q.TaskDone(ctx); err != nil {
							t.Error(err)
						}
					}
				}
			})
		}
		joined := make(chan error, 1)
		go func() {
			time.Sleep(20 * time.Millisecond)
			jctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			joined <- q.Join(jctx)
		}()
		pw.Wait()
		cw.Wait()
		if err := <-joined; err != nil {
			t.Errorf("Join: %v", err)
		}
		close(stopMon)
		<-monDone
		if n := over.Load(); n > 0 {
			t.Errorf("the list held %d items, maxsize %d", n, max)
		}
		got.check(t, k, producers*each)
		if n := must[int](t)(q.Unfinished(ctx)); n != 0 {
			t.Errorf("Unfinished %d after all done", n)
		}
		if err := q.TaskDone(ctx); !errors.Is(err, hotredis.ErrTooManyTaskDone) {
			t.Errorf("an extra TaskDone: %v", err)
		}
	})
}

// TestQueueReviewDoneContextChangesNothing: every queue call made with a
// context that has already ended returns its error and changes nothing.
func TestQueueReviewDoneContextChangesNothing(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for _, max := range []int{0, 3} {
			k := key(t, fmt.Sprint(max))
			q := kind.make(k, hotredis.WithMaxSize(max))
			noErr(t, q.Delete(ctx))
			must[int](t)(q.PutMany(ctx, "a", "b"))
			dctx, cancel := context.WithCancel(ctx)
			cancel()
			ops := map[string]func() error{
				"Put":        func() error { _, err := q.Put(dctx, "x"); return err },
				"TryPut":     func() error { _, err := q.TryPut(dctx, "x"); return err },
				"PutMany":    func() error { _, err := q.PutMany(dctx, "x", "y"); return err },
				"Get":        func() error { _, err := q.Get(dctx); return err },
				"TryGet":     func() error { _, err := q.TryGet(dctx); return err },
				"GetMany":    func() error { _, err := q.GetMany(dctx, 2); return err },
				"Reserve":    func() error { _, _, err := q.Reserve(dctx, time.Minute); return err },
				"TryReserve": func() error { _, _, err := q.TryReserve(dctx, time.Minute); return err },
				"TaskDone":   func() error { return q.TaskDone(dctx) },
			}
			for name, op := range ops {
				err := op()
				if !errors.Is(err, context.Canceled) {
					t.Errorf("max %d: %s with a cancelled context: %v", max, name, err)
				}
				time.Sleep(20 * time.Millisecond)
				if got := rdb.LRange(ctx, k, 0, -1).Val(); len(got) != 2 {
					t.Errorf("max %d: after %s with a cancelled context the list is %q", max, name, got)
					rdb.Del(ctx, k)
					must[int](t)(q.PutMany(ctx, "a", "b"))
				}
				if n := must[int](t)(q.Unfinished(ctx)); n != 2 {
					t.Errorf("max %d: after %s with a cancelled context Unfinished is %d", max, name, n)
				}
			}
		}
	})
}

// TestQueueReviewReserveAckExactlyOneAckPerItem: consumers reserve with a
// short visibility and are sometimes too slow; every item is acked
// successfully exactly once (a late Ack is ErrNotHeld), none is lost.
func TestQueueReviewReserveAckExactlyOneAckPerItem(t *testing.T) {
	t.Parallel() // (own keys, or servers of its own; waits mostly)
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		const items = 300
		k := key(t)
		q := kind.make(k)
		noErr(t, q.Delete(ctx))
		vs := make([]string, items)
		for i := range vs {
			vs[i] = fmt.Sprint("i", i)
		}
		must[int](t)(q.PutMany(ctx, vs...))
		var mu sync.Mutex
		acked := map[string]int{}
		var total atomic.Int64
		var wg sync.WaitGroup
		for c := range 8 {
			wg.Go(func() {
				for i := 0; total.Load() < items; i++ {
					gctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
					v, r, err := q.Reserve(gctx, 30*time.Millisecond)
					cancel()
					if err != nil {
						continue
					}
					if (c+i)%4 == 0 {
						time.Sleep(50 * time.Millisecond) // too slow: the item comes back
					}
					err = q.Ack(ctx, r)
					if errors.Is(err, hotredis.ErrNotHeld) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					acked[v]++
					mu.Unlock()
					total.Add(1)
				}
			})
		}
		wg.Wait()
		for v, n := range acked {
			if n != 1 {
				t.Errorf("%q acked %d times", v, n)
			}
		}
		if len(acked) != items {
			t.Errorf("%d items acked, want %d", len(acked), items)
		}
	})
}

// TestQueueReviewSetQueueRecoveryIntoWrongTypeListLeavesGhost: a set queue's
// reservation runs out while its list key holds a string. The recovery
// that the next take runs pops the item from the reservation's list and
// adds it to key-set, then fails at LPUSH: the item is lost and key-set
// keeps a ghost member, so that once the list is mended a Put of an equal
// item is refused although no such item is queued.
func TestQueueReviewSetQueueRecoveryIntoWrongTypeListLeavesGhost(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	q := hotredis.NewSetQueue[string](k)
	noErr(t, q.Delete(ctx))
	must[bool](t)(q.Put(ctx, "x"))
	_, _, err := q.Reserve(ctx, 100*time.Millisecond)
	noErr(t, err)
	rdb.Set(ctx, k, "a string", 0) // another program's mistake
	time.Sleep(200 * time.Millisecond)
	_, err = q.TryGet(ctx)
	t.Logf("TryGet on the string: %v", err)
	if !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("TryGet: %v, want ErrWrongType", err)
	}
	t.Logf("after: set %q, x in %q", rdb.SMembers(ctx, k+"-set").Val(), findItem(t, k, "x"))
	rdb.Del(ctx, k) // mended
	added, err := q.Put(ctx, "x")
	noErr(t, err)
	if !added {
		t.Errorf("Put(x) refused: key-set holds %q though the list is %q", rdb.SMembers(ctx, k+"-set").Val(), rdb.LRange(ctx, k, 0, -1).Val())
	}
	if where := findItem(t, k, "x"); len(where) == 0 {
		t.Errorf("the reserved x is gone: in no key of the queue")
	}
}

// TestQueueReviewQueueCallsReturnByDeadlineWhenStalled: the queue calls not
// in the suite's paused-server list return by their deadline (+ a few
// ms) while the network is stalled both ways.
func TestQueueReviewQueueCallsReturnByDeadlineWhenStalled(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		on := hotredis.WithClient(c)
		k := "{qreviewdl:" + t.Name() + "}"
		q := hotredis.NewSetQueue[string](k, on, hotredis.WithMaxSize(2))
		lq := hotredis.NewLifoQueue[string](k+"l", on, hotredis.WithMaxSize(2))
		uq := hotredis.NewQueue[string](k+"u", on)
		noErr(t, q.Delete(ctx))
		noErr(t, lq.Delete(ctx))
		noErr(t, uq.Delete(ctx))
		must[int](t)(q.PutMany(ctx, "a", "b"))
		noErr(t, lq.PutMany(ctx, "a", "b"))
		noErr(t, uq.PutMany(ctx, "a", "b", "c"))
		_, r, err := q.Reserve(ctx, time.Minute)
		noErr(t, err)
		calls := map[string]func(ctx context.Context) error{
			"SetQueue.Put(full)": func(ctx context.Context) error {
				must[bool](t)(q.TryPut(ctx, "z"))
				_, err := q.Put(ctx, "c")
				return err
			},
			"SetQueue.Ack":        func(ctx context.Context) error { return q.Ack(ctx, r) },
			"SetQueue.TaskDone":   func(ctx context.Context) error { return q.TaskDone(ctx) },
			"SetQueue.Contains":   func(ctx context.Context) error { _, err := q.Contains(ctx, "a"); return err },
			"SetQueue.Unfinished": func(ctx context.Context) error { _, err := q.Unfinished(ctx); return err },
			"SetQueue.Expire":     func(ctx context.Context) error { _, err := q.Expire(ctx, time.Hour); return err },
			"SetQueue.Delete":     func(ctx context.Context) error { return q.Delete(ctx) },
			"LifoQueue.Put(full)": func(ctx context.Context) error { return lq.Put(ctx, "c") },
			"LifoQueue.PutMany":   func(ctx context.Context) error { return lq.PutMany(ctx, "c") },
			"LifoQueue.Full":      func(ctx context.Context) error { _, err := lq.Full(ctx); return err },
			"Queue.Put":           func(ctx context.Context) error { return uq.Put(ctx, "d") },
			"Queue.Get":           func(ctx context.Context) error { _, err := uq.Get(ctx); return err },
			"Queue.Empty":         func(ctx context.Context) error { _, err := uq.Empty(ctx); return err },
			"Queue.TryReserve":    func(ctx context.Context) error { _, _, err := uq.TryReserve(ctx, time.Minute); return err },
			"Queue.Persist":       func(ctx context.Context) error { _, err := uq.Persist(ctx); return err },
			"LifoQueue.GetMany":   func(ctx context.Context) error { _, err := lq.GetMany(ctx, 5); return err },
			"SetQueue.TryGet":     func(ctx context.Context) error { _, err := q.TryGet(ctx); return err },
			"SetQueue.Join":       func(ctx context.Context) error { return q.Join(ctx) },
		}
		_ = calls["SetQueue.Put(full)"]
		delete(calls, "SetQueue.Put(full)") // (TryPut inside needs the server)
		p.Stall(hotredistest.Both)
		defer p.Resume(hotredistest.Both)
		var wg sync.WaitGroup
		for name, call := range calls {
			wg.Go(func() {
				cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
				start := time.Now()
				err := call(cctx)
				if el := time.Since(start); el > 350*time.Millisecond {
					t.Errorf("%s returned after %v (deadline 300ms): %v", name, el, err)
				}
				if err == nil {
					t.Errorf("%s succeeded through a stalled network", name)
				}
			})
		}
		wg.Wait()
		p.Resume(hotredistest.Both)
		p.Cut()
	})
}

// TestQueueReviewSetQueueBoundedDuplicates: the documented behaviour of set
// queue puts on a bounded queue.
func TestQueueReviewSetQueueBoundedDuplicates(t *testing.T) {
	for _, lifo := range []bool{false, true} {
		k := key(t, fmt.Sprint(lifo))
		var q anyQueue = hotredis.NewSetQueue[string](k, hotredis.WithMaxSize(1))
		if lifo {
			q = hotredis.NewLifoSetQueue[string](k, hotredis.WithMaxSize(1))
		}
		noErr(t, q.Delete(ctx))
		if n, err := q.PutMany(ctx, "a", "a", "a"); n != 1 || err != nil {
			t.Errorf("PutMany(a,a,a) on an empty queue of 1: %d %v", n, err)
		}
		if ok, err := q.TryPut(ctx, "a"); ok || err != nil {
			t.Errorf("TryPut(a) of a queued item on a full queue: %v %v", ok, err)
		}
		sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		if ok, err := q.Put(sctx, "a"); ok || err != nil {
			t.Errorf("Put(a) of a queued item on a full queue: %v %v", ok, err)
		}
		cancel()
		if _, err := q.TryPut(ctx, "b"); !errors.Is(err, hotredis.ErrFull) {
			t.Errorf("TryPut(b) on a full queue: %v", err)
		}
		if n, err := q.PutMany(ctx, "b", "c"); n != 0 || !errors.Is(err, hotredis.ErrFull) {
			t.Errorf("PutMany(b, c), more new items than the bound: %d %v", n, err)
		}
		sctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
		if _, err := q.PutMany(sctx, "a", "b"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("PutMany(a, b) on a full queue: %v, want it to wait", err)
		}
		cancel()
		if n := must[int](t)(q.Unfinished(ctx)); n != 1 {
			t.Errorf("Unfinished %d, want 1", n)
		}
		if v := must[string](t)(q.Get(ctx)); v != "a" {
			t.Errorf("Get %q", v)
		}
		if ok, err := q.TryPut(ctx, "a"); !ok || err != nil {
			t.Errorf("TryPut(a) after a was taken: %v %v", ok, err)
		}
		if n := must[int](t)(q.Unfinished(ctx)); n != 2 {
			t.Errorf("Unfinished %d, want 2", n)
		}
		if full := must[bool](t)(q.Full(ctx)); !full {
			t.Error("not Full with 1 of 1")
		}
	}
}

// TestQueueReviewJoinWokenPromptly: Joins waiting on a queue return promptly
// (well under the 1 s re-check) after the TaskDone that finishes the last
// task, round after round, for every kind.
func TestQueueReviewJoinWokenPromptly(t *testing.T) {
	t.Parallel() // (own keys, or servers of its own; waits mostly)
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		noErr(t, q.Delete(ctx))
		var worst time.Duration
		for round := range 15 {
			must[int](t)(q.PutMany(ctx, fmt.Sprint("a", round), fmt.Sprint("b", round)))
			const joiners = 4
			ends := make(chan time.Time, joiners)
			for range joiners {
				go func() {
					jctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					defer cancel()
					noErr(t, q.Join(jctx))
					ends <- time.Now()
				}()
			}
			time.Sleep(30 * time.Millisecond)
			must[[]string](t)(q.GetMany(ctx, 2))
			noErr(t, q.TaskDone(ctx))
			select {
			case <-ends:
				t.Fatal("Join returned with a task unfinished")
			case <-time.After(20 * time.Millisecond):
			}
			at := time.Now()
			noErr(t, q.TaskDone(ctx))
			for range joiners {
				worst = max(worst, (<-ends).Sub(at))
			}
		}
		if worst > 300*time.Millisecond {
			t.Errorf("a Join returned %v after the last TaskDone", worst)
		}
	})
}

// TestQueueReviewWakeUpTakenByAPutWhoseContextEnds: a bounded queue of 1 is
// full; Put A (whose context ends as soon as it is woken) waits, then Put
// B waits. A TryGet frees the slot: A is woken and gives up; B fits and
// should return about a round trip later.
func TestQueueReviewWakeUpTakenByAPutWhoseContextEnds(t *testing.T) {
	t.Parallel() // (own keys; waits mostly)
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k, hotredis.WithMaxSize(1))
		var worst time.Duration
		for round := range 3 {
			noErr(t, q.Delete(ctx))
			must[bool](t)(q.Put(ctx, fmt.Sprint("p", round)))
			ec := newEndingCtx()
			aDone := make(chan error, 1)
			go func() { _, err := q.Put(ec, fmt.Sprint("a", round)); aDone <- err }()
			time.Sleep(100 * time.Millisecond)
			ec.arm()
			one := make(chan time.Time, 1)
			go func() {
				_, err := q.Put(ctx, fmt.Sprint("b", round))
				noErr(t, err)
				one <- time.Now()
			}()
			time.Sleep(100 * time.Millisecond)
			at := time.Now()
			must[string](t)(q.TryGet(ctx))
			aErr := <-aDone
			select {
			case end := <-one:
				worst = max(worst, end.Sub(at))
			case <-time.After(5 * time.Second):
				t.Fatal("the Put never returned")
			}
			t.Logf("round %d: A %v; list %q", round, aErr, queueReviewLRange(k))
		}
		if worst > 300*time.Millisecond {
			t.Errorf("the Put that fits returned %v after the take that made room", worst)
		}
	})
}

func queueReviewLRange(k string) []string {
	rdb := rawClient()
	defer rdb.Close()
	return rdb.LRange(ctx, k, 0, -1).Val()
}
