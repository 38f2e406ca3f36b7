package hotredis_test

// A review's tests of the Client's Close and of observing. Found by
// review, fixed since: a Close against a stalled server took 11 s (a
// detached call's give-back got 5 s of its own after the call's 5 s); a
// second Close returned while the first still waited; iterators were
// observed as "Set.?", "Map.?", "Counter.?" ("List.Slice" for List.All).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// clientReviewBlockedCalls returns calls that block on c (each finds what it waits
// for taken by other, a second client), keyed by name.
func clientReviewBlockedCalls(t *testing.T, other *hotredis.Client, prefix string) func(c *hotredis.Client) map[string]func(context.Context) error {
	t.Helper()
	oon := hotredis.WithClient(other)
	k := func(s string) string { return "{creview" + prefix + "}:" + s }

	held := hotredis.NewLock(k("lock"), oon)
	noErr(t, held.Acquire(ctx))
	sem := hotredis.NewSemaphore(k("sem"), 1, oon)
	noErr(t, sem.Acquire(ctx))
	rw := hotredis.NewRWLock(k("rw"), oon)
	noErr(t, rw.Acquire(ctx))
	full := hotredis.NewQueue[string](k("full"), oon, hotredis.WithMaxSize(1))
	noErr(t, full.Put(ctx, "x"))
	unfinished := hotredis.NewQueue[string](k("unfinished"), oon)
	noErr(t, unfinished.Put(ctx, "x"))
	wg := hotredis.NewWaitGroup(k("wg"), oon)
	noErr(t, wg.Add(ctx, 1))
	// A Once whose runner (on other) runs until the test ends.
	onceRunning := make(chan struct{})
	onceEnd := make(chan struct{})
	t.Cleanup(func() { close(onceEnd) })
	go hotredis.NewOnce(k("once"), oon).Do(ctx, func(context.Context) error {
		close(onceRunning)
		<-onceEnd
		return nil
	})
	<-onceRunning

	return func(c *hotredis.Client) map[string]func(context.Context) error {
		on := hotredis.WithClient(c)
		return map[string]func(context.Context) error{
			"Lock.Acquire":       hotredis.NewLock(k("lock"), on).Acquire,
			"Semaphore.Acquire":  hotredis.NewSemaphore(k("sem"), 1, on).Acquire,
			"RWLock.AcquireRead": hotredis.NewRWLock(k("rw"), on).AcquireRead,
			"Queue.Get": func(ctx context.Context) error {
				_, err := hotredis.NewQueue[string](k("empty"), on).Get(ctx)
				return err
			},
			"Queue.Reserve": func(ctx context.Context) error {
				_, _, err := hotredis.NewQueue[string](k("empty2"), on).Reserve(ctx, time.Minute)
				return err
			},
			"Queue.Put(full)": func(ctx context.Context) error {
				return hotredis.NewQueue[string](k("full"), on, hotredis.WithMaxSize(1)).Put(ctx, "y")
			},
			"Queue.Join":     hotredis.NewQueue[string](k("unfinished"), on).Join,
			"Event.Wait":     hotredis.NewEvent(k("event"), on).Wait,
			"WaitGroup.Wait": hotredis.NewWaitGroup(k("wg"), on).Wait,
			"Barrier.Wait": func(ctx context.Context) error {
				_, err := hotredis.NewBarrier(k("barrier"), 2, on).Wait(ctx)
				return err
			},
			"Once.Do(waiting)": func(ctx context.Context) error {
				return hotredis.NewOnce(k("once"), on).Do(ctx, func(context.Context) error { return nil })
			},
		}
	}
}

// TestClientReviewCloseEndsBlockedWaits: calls blocked in a wait when Close
// comes end, with an error wrapping ErrClosed, Close returns, and nothing
// of the client's is left running.
func TestClientReviewCloseEndsBlockedWaits(t *testing.T) {
	for _, tc := range []struct {
		withCancel, goRedis bool
	}{{false, false}, {true, false}, {false, true}, {true, true}} {
		withCancel := tc.withCancel
		t.Run(fmt.Sprintf("cancelable=%v,goredis=%v", withCancel, tc.goRedis), func(t *testing.T) {
			srv := hotredistest.NewServer(t)
			other := srv.Client(t)
			mk := clientReviewBlockedCalls(t, other, fmt.Sprint(withCancel, tc.goRedis))
			var c *hotredis.Client
			var err error
			if tc.goRedis {
				rdb := srv.GoRedis()
				t.Cleanup(func() { rdb.Close() })
				noErr(t, rdb.Ping(ctx).Err())
				c = hotredis.WrapGoRedis(rdb)
			}
			before := goleak.IgnoreCurrent()
			if !tc.goRedis {
				c, err = hotredis.NewClientURL(srv.URL())
				noErr(t, err)
			}
			calls := mk(c)
			cctx := context.Background()
			if withCancel {
				var cancel context.CancelFunc
				cctx, cancel = context.WithCancel(ctx)
				defer cancel()
			}
			type res struct {
				name string
				err  error
				at   time.Time
			}
			results := make(chan res, len(calls))
			for name, call := range calls {
				go func() {
					err := call(cctx)
					results <- res{name, err, time.Now()}
				}()
			}
			time.Sleep(500 * time.Millisecond) // all blocked
			select {
			case r := <-results:
				t.Fatalf("%s returned before Close: %v", r.name, r.err)
			default:
			}
			start := time.Now()
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			select {
			case err := <-closed:
				noErr(t, err)
				t.Logf("Close took %v", time.Since(start))
			case <-time.After(15 * time.Second):
				t.Fatal("Close did not return within 15s")
			}
			got := map[string]bool{}
			timeout := time.After(15 * time.Second)
			for len(got) < len(calls) {
				select {
				case r := <-results:
					got[r.name] = true
					if !errors.Is(r.err, hotredis.ErrClosed) {
						t.Errorf("%s blocked when Close came = %v, want ErrClosed", r.name, r.err)
					}
					t.Logf("%s ended %v after Close began: %v", r.name, r.at.Sub(start), r.err)
				case <-timeout:
					for name := range calls {
						if !got[name] {
							t.Errorf("%s still blocked 15s after Close", name)
						}
					}
					return
				}
			}
			if err := clientReviewFindLeaks(before); err != nil {
				t.Errorf("goroutines left after Close and every call ended: %v", err)
			}
		})
	}
}

// clientReviewFindLeaks is goleak.Find with time for connections' goroutines to end.
func clientReviewFindLeaks(before goleak.Option) error {
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = goleak.Find(before); err == nil {
			return nil
		}
	}
	return err
}

var _ = sync.Mutex{}

// clientReviewRec is an Observer that counts how often each operation's end is
// called.
type clientReviewRec struct {
	mu     sync.Mutex
	ops    []*clientReviewOp
	waits  []hotredis.WaitEvent
	leases []hotredis.LeaseEvent
	after  func() bool // reports whether the observed client was closed
	late   []string    // calls after Close returned
}

type clientReviewOp struct {
	op   hotredis.Operation
	ends []hotredis.OperationEnd
}

func (r *clientReviewRec) noteLate(what string) {
	if r.after != nil && r.after() {
		r.late = append(r.late, what)
	}
}

func (r *clientReviewRec) StartOperation(ctx context.Context, op hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	r.mu.Lock()
	o := &clientReviewOp{op: op}
	r.ops = append(r.ops, o)
	r.noteLate("StartOperation " + op.Name)
	r.mu.Unlock()
	return ctx, func(end hotredis.OperationEnd) {
		r.mu.Lock()
		o.ends = append(o.ends, end)
		r.noteLate("end " + op.Name)
		r.mu.Unlock()
	}
}

func (r *clientReviewRec) Wait(ctx context.Context, w hotredis.WaitEvent) {
	r.mu.Lock()
	r.waits = append(r.waits, w)
	r.noteLate("Wait " + w.Name + " " + w.Outcome)
	r.mu.Unlock()
}

func (r *clientReviewRec) Lease(ctx context.Context, e hotredis.LeaseEvent) {
	r.mu.Lock()
	r.leases = append(r.leases, e)
	r.noteLate("Lease " + e.Type + " " + e.Kind)
	r.mu.Unlock()
}

func (r *clientReviewRec) snapshot() (ops []clientReviewOp, waits []hotredis.WaitEvent, leases []hotredis.LeaseEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.ops {
		ops = append(ops, clientReviewOp{op: o.op, ends: append([]hotredis.OperationEnd(nil), o.ends...)})
	}
	return ops, append([]hotredis.WaitEvent(nil), r.waits...), append([]hotredis.LeaseEvent(nil), r.leases...)
}

// clientReviewExpected returns the type and operation name a call named as in
// callsOfEveryMethod ("Queue(WithMaxSize(1)).Put", "Lock.Release (held)")
// is observed under.
func clientReviewExpected(name string) (typ, op string) {
	depth, dot := 0, -1
	for i, r := range name {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 && dot < 0 {
				dot = i
			}
		}
	}
	typ = name[:dot]
	if i := strings.IndexByte(typ, '('); i >= 0 {
		typ = typ[:i]
	}
	method := name[dot+1:]
	if i := strings.IndexAny(method, " ("); i >= 0 {
		method = method[:i]
	}
	switch typ {
	case "LifoQueue", "SetQueue", "LifoSetQueue":
		typ = "Queue"
	}
	return typ, typ + "." + method
}

// TestClientReviewObserverNamesIterators: the round trips of the iterators
// (List.All, Set.All, Map.All, DefaultMap.All, Counter.All,
// Counter.Elements) are reported under the method called, as every other
// method's ("Name is the type and the method called").
func TestClientReviewObserverNamesIterators(t *testing.T) {
	s := hotredistest.NewServer(t)
	c := s.Client(t)
	rec := &clientReviewRec{}
	c.SetObserver(rec)
	on := hotredis.WithClient(c)
	list := hotredis.NewList[string]("{creviewit}:list", on)
	set := hotredis.NewSet[string]("{creviewit}:set", on)
	m := hotredis.NewMap[string, int]("{creviewit}:map", on)
	dm := hotredis.NewDefaultMap[string, int]("{creviewit}:dmap", nil, on)
	counter := hotredis.NewCounter[string]("{creviewit}:counter", on)
	q := hotredis.NewQueue[string]("{creviewit}:queue", on)
	must[int](t)(list.Append(ctx, "a", "b"))
	must[int](t)(set.Add(ctx, "a", "b"))
	noErr(t, m.Set(ctx, "a", 1))
	noErr(t, dm.Set(ctx, "a", 1))
	must[int64](t)(counter.Add(ctx, "a", 1))
	calls := []call{
		{"List.All", func(ctx context.Context) error { return seqErr(list.All(ctx)) }},
		{"Set.All", func(ctx context.Context) error { return seqErr(set.All(ctx)) }},
		{"Map.All", func(ctx context.Context) error { return seqErr(m.All(ctx)) }},
		{"DefaultMap.All", func(ctx context.Context) error { return seqErr(dm.All(ctx)) }},
		{"Counter.All", func(ctx context.Context) error { return seqErr(counter.All(ctx)) }},
		{"Counter.Elements", func(ctx context.Context) error { return seqErr(counter.Elements(ctx)) }},
		{"Queue.TryGet", func(ctx context.Context) error { return err1(q.TryGet(ctx)) }},
		{"Queue.TryReserve", func(ctx context.Context) error { return err2(q.TryReserve(ctx, time.Second)) }},
	}
	for _, cl := range calls {
		before, _, _ := rec.snapshot()
		o := cl.run(5 * time.Second)
		after, _, _ := rec.snapshot()
		var names []string
		for _, op := range after[len(before):] {
			names = append(names, op.op.Name)
		}
		t.Logf("%s (err %v): observed %q", cl.name, o.err, names)
		for _, n := range names {
			if n != cl.name {
				t.Errorf("%s: a round trip observed as %q", cl.name, n)
			}
		}
	}
}

// TestClientReviewSecondCloseWaits: Close "closes the client's connections,
// after waiting for the clean-ups of calls that gave up". A second Close,
// made while the first still waits for a give-back held up by a stalled
// server, returns at once: nil, with the give-back still running and the
// connections still open.
func TestClientReviewSecondCloseWaits(t *testing.T) {
	t.Parallel() // (a server of its own; 5 s of waiting)
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	before := goleak.IgnoreCurrent()
	c, err := hotredis.NewClientURL("redis://" + p.Addr())
	noErr(t, err)
	q := hotredis.NewQueue[string]("{creview2close}:q", hotredis.WithClient(c))
	noErr(t, q.Put(ctx, "item"))
	noErr(t, q.Put(ctx, "item2"))
	must[string](t)(q.Get(ctx)) // connections made, scripts loaded

	p.Stall(hotredistest.ToClient)
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, _, err := q.Reserve(cctx, time.Minute); done <- err }()
	time.Sleep(50 * time.Millisecond) // sent, run, its reply held
	cancel()
	<-done
	first := make(chan error, 1)
	go func() { first <- c.Close() }()
	time.Sleep(50 * time.Millisecond) // the first Close waits for the give-back
	start := time.Now()
	second := c.Close()
	took := time.Since(start)
	firstDone := false
	select {
	case <-first:
		firstDone = true
	case <-time.After(3 * time.Second):
		// (The first returns a moment after the connections close, which
		// is when the second may return; a second that did not wait
		// returns while the first still waits, for about 4 s.)
	}
	leaks := goleak.Find(before)
	p.Resume(hotredistest.ToClient)
	if !firstDone {
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		t.Errorf("a second Close returned (%v, after %v) while the first still waited for the give-back", second, took)
		if leaks != nil {
			t.Logf("running when the second Close returned: %v", leaks)
		}
	}
}

// TestClientReviewReadFromReplicasSingleServer: "On a single server without
// replicas it changes nothing."
func TestClientReviewReadFromReplicasSingleServer(t *testing.T) {
	s := hotredistest.NewServer(t)
	c, err := hotredis.NewClient(hotredis.Options{URL: s.URL(), ReadFromReplicas: true})
	noErr(t, err)
	defer c.Close()
	on := hotredis.WithClient(c)
	list := hotredis.NewList[string]("{creviewrr}:list", on)
	must[int](t)(list.Append(ctx, "a", "b"))
	if n := must[int](t)(list.Len(ctx)); n != 2 {
		t.Errorf("Len = %d", n)
	}
	counter := hotredis.NewCounter[string]("{creviewrr}:c", on)
	must[int64](t)(counter.Add(ctx, "x", 2))
	if top := must[[]hotredis.Pair[string, int64]](t)(counter.MostCommon(ctx, 1)); len(top) != 1 {
		t.Errorf("MostCommon = %v", top)
	}
	lock := hotredis.NewLock("{creviewrr}:lock", on)
	noErr(t, lock.Acquire(ctx))
	if d := must[time.Duration](t)(lock.Lease(ctx)); d <= 0 {
		t.Errorf("Lease = %v", d)
	}
	noErr(t, lock.Release(ctx))
	q := hotredis.NewQueue[string]("{creviewrr}:q", on)
	noErr(t, q.Put(ctx, "a"))
	if v := must[string](t)(q.Get(ctx)); v != "a" {
		t.Errorf("Get = %q", v)
	}
}

// TestClientReviewCloseBoundAgainstStalledServer: Close waits for the
// clean-ups of calls that gave up, "at most 5 seconds against a stalled
// server".
func TestClientReviewCloseBoundAgainstStalledServer(t *testing.T) {
	for _, name := range []string{"Queue.Reserve", "Lock.Acquire", "Queue.Get"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // (each on servers of its own: 5 s of waiting)
			s := hotredistest.NewServer(t)
			p := hotredistest.NewProxy(t, s.Addr)
			c, err := hotredis.NewClientURL("redis://" + p.Addr())
			noErr(t, err)
			on := hotredis.WithClient(c)
			q := hotredis.NewQueue[string]("{creviewstall}:q", on)
			lock := hotredis.NewLock("{creviewstall}:lock", on)
			noErr(t, q.Put(ctx, "a"))
			noErr(t, q.Put(ctx, "b"))
			must[string](t)(q.Get(ctx))
			noErr(t, lock.Acquire(ctx))
			noErr(t, lock.Release(ctx))
			call := map[string]func(context.Context) error{
				"Queue.Reserve": func(ctx context.Context) error { return err2(q.Reserve(ctx, time.Minute)) },
				"Lock.Acquire":  lock.Acquire,
				"Queue.Get":     func(ctx context.Context) error { return err1(q.Get(ctx)) },
			}[name]
			p.Stall(hotredistest.ToClient)
			defer p.Resume(hotredistest.ToClient)
			cctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- call(cctx) }()
			time.Sleep(50 * time.Millisecond)
			cancel()
			<-done
			start := time.Now()
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			select {
			case <-closed:
			case <-time.After(30 * time.Second):
				t.Fatal("Close did not return within 30s")
			}
			took := time.Since(start)
			t.Logf("Close took %v", took)
			if took > 6*time.Second {
				t.Errorf("Close took %v against a stalled server; the doc says at most 5 seconds", took)
			}
		})
	}
}

// TestClientReviewCloseUnderLoad: Close while goroutines call every kind of
// method: Close returns, every call that fails afterwards wraps ErrClosed,
// and nothing of the client's is left running.
func TestClientReviewCloseUnderLoad(t *testing.T) {
	s := hotredistest.NewServer(t)
	before := goleak.IgnoreCurrent()
	c, err := hotredis.NewClientURL(s.URL())
	noErr(t, err)
	on := hotredis.WithClient(c)
	list := hotredis.NewList[string]("{creviewload}:list", on)
	q := hotredis.NewQueue[string]("{creviewload}:q", on)
	n := hotredis.NewInt("{creviewload}:n", on)
	ops := []func(context.Context) error{
		func(ctx context.Context) error { return err1(list.Append(ctx, "a")) },
		func(ctx context.Context) error {
			l := hotredis.NewLock("{creviewload}:lock", on, hotredis.WithLease(time.Second))
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			return l.Release(ctx)
		},
		func(ctx context.Context) error {
			if err := q.Put(ctx, "x"); err != nil {
				return err
			}
			return err1(q.Get(ctx))
		},
		func(ctx context.Context) error { return err1(n.Add(ctx, 1)) },
		func(ctx context.Context) error { return err2(q.Reserve(ctx, time.Second)) },
		func(ctx context.Context) error {
			return c.Optimistic(ctx, func(tctx context.Context) error { return err1(list.Len(tctx)) }, list)
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 24 {
		op := ops[i%len(ops)]
		wg.Go(func() {
			for {
				cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				err := op(cctx)
				cancel()
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	noErr(t, c.Close())
	t.Logf("Close took %v", time.Since(start))
	ended := make(chan struct{})
	go func() { wg.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(15 * time.Second):
		t.Fatal("calls still running 15s after Close")
	}
	close(errs)
	for err := range errs {
		if !errors.Is(err, hotredis.ErrClosed) {
			t.Errorf("a call ended by Close: %v, want ErrClosed", err)
		}
	}
	if err := clientReviewFindLeaks(before); err != nil {
		t.Errorf("left running after Close: %v", err)
	}
}
