package hotredis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	ops    []opRecord
	waits  []hotredis.WaitEvent
	leases []hotredis.LeaseEvent
}

type opRecord struct {
	op     hotredis.Operation
	end    hotredis.OperationEnd
	ended  bool
	caller any // the callerKey value of the caller's context
}

type callerKey struct{}

// opCtxKey marks the context StartOperation returns, which the round trip
// must be sent with.
type opCtxKey struct{}

func (r *recorder) StartOperation(ctx context.Context, op hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	r.mu.Lock()
	i := len(r.ops)
	r.ops = append(r.ops, opRecord{op: op, caller: ctx.Value(callerKey{})})
	r.mu.Unlock()
	return context.WithValue(ctx, opCtxKey{}, i), func(end hotredis.OperationEnd) {
		r.mu.Lock()
		r.ops[i].end, r.ops[i].ended = end, true
		r.mu.Unlock()
	}
}

func (r *recorder) Wait(ctx context.Context, w hotredis.WaitEvent) {
	r.mu.Lock()
	r.waits = append(r.waits, w)
	r.mu.Unlock()
}

func (r *recorder) Lease(ctx context.Context, e hotredis.LeaseEvent) {
	r.mu.Lock()
	r.leases = append(r.leases, e)
	r.mu.Unlock()
}

// opsOn returns the operations on key k.
func (r *recorder) opsOn(k string) []opRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []opRecord
	for _, o := range r.ops {
		if o.op.Key == k {
			out = append(out, o)
		}
	}
	return out
}

func (r *recorder) waitsOn(k string) []hotredis.WaitEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hotredis.WaitEvent
	for _, w := range r.waits {
		if w.Key == k {
			out = append(out, w)
		}
	}
	return out
}

func (r *recorder) leasesOn(k string) []hotredis.LeaseEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []hotredis.LeaseEvent
	for _, e := range r.leases {
		if e.Key == k {
			out = append(out, e)
		}
	}
	return out
}

// eventually fails t unless ok holds within two seconds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("not within 2s: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// observedClient returns a client of its own whose observer is a new
// recorder.
func observedClient(t *testing.T) (*hotredis.Client, *recorder) {
	c := otherClient(t)
	r := &recorder{}
	c.SetObserver(r)
	return c, r
}

func TestObserverOperations(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	caller := context.WithValue(ctx, callerKey{}, "mine")
	on := hotredis.WithClient(c)
	kl, km, kc, kw := key(t, "list"), key(t, "map"), key(t, "counter"), key(t, "wrong")

	must[int](t)(hotredis.NewList[string](kl, on).Append(caller, "a", "b"))
	must[int](t)(hotredis.NewList[string](kl, on).Len(caller))
	noErr(t, hotredis.NewMap[string, int](km, on).Set(caller, "x", 1))
	must[int64](t)(hotredis.NewCounter[string](kc, on).Add(caller, "y", 2))
	noErr(t, rawClient().Set(ctx, kw, "text", 0).Err())
	if _, err := hotredis.NewList[string](kw, on).Append(caller, "a"); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("Append on a string = %v", err)
	}

	for _, c := range []struct{ key, typ, names string }{
		{kl, "List", "List.Append List.Len"},
		{km, "Map", "Map.Set"},
		{kc, "Counter", "Counter.Add"},
		{kw, "List", "List.Append"},
	} {
		ops := rec.opsOn(c.key)
		var names []string
		for _, o := range ops {
			names = append(names, o.op.Name)
			if o.op.Type != c.typ || o.caller != "mine" || !o.ended || o.op.Blocking {
				t.Errorf("%s: %+v: want type %s, the caller's context, ended, not blocking", c.key, o, c.typ)
			}
			if c.key != kw && o.end.Err != nil {
				t.Errorf("%s: %s reported error %v", c.key, o.op.Name, o.end.Err)
			}
		}
		if strings.Join(names, " ") != c.names {
			t.Errorf("operations on %s: %q, want %q", c.key, names, c.names)
		}
	}
	if ops := rec.opsOn(kw); len(ops) != 1 || !errors.Is(ops[0].end.Err, hotredis.ErrWrongType) {
		t.Errorf("failing Append reported %+v, want ErrWrongType", ops)
	}
}

func TestObserverOptionAndRetries(t *testing.T) {
	// Not parallel: SCRIPT FLUSH makes the next script call send it again.
	rec := &recorder{}
	c, err := hotredis.NewClient(hotredis.Options{URL: testURL, Observer: rec})
	noErr(t, err)
	t.Cleanup(func() { c.Close() })
	k := key(t)
	n := hotredis.NewInt(k, hotredis.WithClient(c))
	noErr(t, n.Store(ctx, 3))
	must[int64](t)(n.Mul(ctx, 2)) // loads the script
	flush := func(ctx context.Context, rdb *redis.Client) error { return rdb.ScriptFlush(ctx).Err() }
	if cc, ok := rawClient().(*redis.ClusterClient); ok {
		noErr(t, cc.ForEachMaster(ctx, flush))
	} else {
		noErr(t, flush(ctx, rawClient().(*redis.Client)))
	}
	if v := must[int64](t)(n.Mul(ctx, 2)); v != 12 {
		t.Fatalf("Mul = %d", v)
	}
	ops := rec.opsOn(k)
	if len(ops) != 3 || ops[2].op.Name != "Int.Mul" || ops[2].end.Retries < 1 || ops[2].end.Err != nil {
		t.Fatalf("operations: %+v; want the last one Int.Mul, sent again after SCRIPT FLUSH", ops)
	}
	c.SetObserver(nil)
	must[int64](t)(n.Load(ctx))
	if len(rec.opsOn(k)) != 3 {
		t.Fatal("operations reported after SetObserver(nil)")
	}
}

func TestObserverLockWaits(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	k := key(t)
	holder := hotredis.NewLock(k, hotredis.WithClient(c))
	noErr(t, holder.Acquire(ctx))

	// A waiter handed the lock by the release.
	waiter := hotredis.NewLock(k, hotredis.WithClient(c))
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		done <- waiter.Acquire(ctx)
	}()
	waitInLine(t, k, 1)
	time.Sleep(300 * time.Millisecond)
	noErr(t, holder.Release(ctx))
	noErr(t, <-done)

	// One that gives up at its deadline, one that is cancelled.
	late := hotredis.NewLock(k, hotredis.WithClient(c))
	tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if err := late.Acquire(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire past its deadline = %v", err)
	}
	cctx, cancel2 := context.WithCancel(ctx)
	time.AfterFunc(300*time.Millisecond, cancel2)
	if err := late.Acquire(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Acquire = %v", err)
	}
	noErr(t, waiter.Release(ctx))

	ws := rec.waitsOn(k)
	if len(ws) != 3 {
		t.Fatalf("waits: %+v, want 3", ws)
	}
	for i, want := range []struct {
		outcome string
		min     time.Duration
	}{{hotredis.WaitHandedOff, 100 * time.Millisecond}, {hotredis.WaitTimeout, 100 * time.Millisecond}, {hotredis.WaitCancelled, 100 * time.Millisecond}} {
		// (Waited counts from the first attempt's reply: on this shared
		// 2-core machine that attempt once took 12 ms of the 150, so
		// each wait lasts 300 ms or more, and must be seen to last 100.)
		w := ws[i]
		if w.Type != "Lock" || w.Name != "Lock.Acquire" || w.Outcome != want.outcome || w.Waited < want.min || w.Waited > 5*time.Second {
			t.Errorf("wait %d: %+v, want Lock.Acquire %s after at least %v", i, w, want.outcome, want.min)
		}
	}
	if ho := ws[0].HandOff; ho < 0 || ho > time.Second {
		t.Errorf("hand-off latency %v", ho)
	}
	if !errors.Is(ws[1].Err, context.DeadlineExceeded) || !errors.Is(ws[2].Err, context.Canceled) {
		t.Errorf("wait errors: %v, %v", ws[1].Err, ws[2].Err)
	}
	// Every round trip, also those run in goroutines of the library, is
	// named after the method called; the waits' blocking reads say so.
	blocking := 0
	for _, o := range rec.opsOn(k) {
		if o.op.Name != "Lock.Acquire" && o.op.Name != "Lock.Release" && o.op.Name != "Lock.renew" {
			t.Errorf("operation named %q", o.op.Name)
		}
		if o.op.Blocking {
			blocking++
		}
	}
	if blocking == 0 {
		t.Error("no blocking round trip reported")
	}
}

func TestObserverLeases(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	k := key(t)
	l := hotredis.NewLock(k, hotredis.WithClient(c), hotredis.WithLease(600*time.Millisecond))
	noErr(t, l.Acquire(ctx))
	first := l.Token()
	start := time.Now()
	renewals := func(token int64) (n int) {
		for _, e := range rec.leasesOn(k) {
			if e.Kind == hotredis.LeaseRenewed && e.Token == token {
				n++
			}
		}
		return n
	}
	// Held until its watchdog renewed it (every 200 ms), however late a
	// loaded machine runs it.
	if !waited(func() bool { return renewals(first) > 0 }) {
		t.Fatal("no renewal reported in 5 s of a 600 ms lease")
	}
	held := time.Since(start)
	noErr(t, l.Release(ctx))

	noErr(t, l.Acquire(ctx))
	second := l.Token()
	noErr(t, rawClient().Del(ctx, k).Err()) // someone deletes the lock
	select {
	case <-l.Lost():
	case <-time.After(5 * time.Second):
		t.Fatal("Lost not closed after the lock was deleted")
	}

	var kinds []string
	for _, e := range rec.leasesOn(k) {
		if e.Type != "Lock" {
			t.Errorf("lease event %+v: want type Lock", e)
		}
		if e.Kind == hotredis.LeaseRenewed {
			continue // how many depends on timing
		}
		kinds = append(kinds, e.Kind)
		switch e.Kind {
		case hotredis.LeaseReleased:
			if e.Token != first || e.Held < held {
				t.Errorf("release: %+v, want token %d, held >= %v", e, first, held)
			}
		case hotredis.LeaseLost:
			if e.Token != second {
				t.Errorf("loss: %+v, want token %d", e, second)
			}
		}
	}
	if got := strings.Join(kinds, " "); got != "acquired released acquired lost" {
		t.Errorf("lease events %q, want acquired released acquired lost (and renewals)", got)
	}
}

func TestObserverLeaseHandedOff(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	k := key(t)
	a := hotredis.NewSemaphore(k, 1, hotredis.WithClient(c))
	b := hotredis.NewSemaphore(k, 1, hotredis.WithClient(c))
	noErr(t, a.Acquire(ctx))
	done := make(chan error, 1)
	go func() { done <- b.Acquire(ctx) }()
	waitInLine(t, k, 1)
	noErr(t, a.Release(ctx))
	noErr(t, <-done)
	noErr(t, b.Release(ctx))
	eventually(t, "four lease events", func() bool { return len(rec.leasesOn(k)) >= 4 })
	// By holding (a's release and b's wake race to be reported first).
	kinds := map[int64]string{}
	for _, e := range rec.leasesOn(k) {
		if e.Kind != hotredis.LeaseRenewed { // the grant's short lease is renewed at once
			kinds[e.Token] += e.Kind + " "
		}
	}
	var got []string
	for _, ks := range kinds {
		got = append(got, ks)
	}
	slices.Sort(got)
	if want := []string{"acquired released ", "handed-off released "}; !slices.Equal(got, want) {
		t.Errorf("lease events by holding %q, want %q", got, want)
	}
	if ws := rec.waitsOn(k); len(ws) != 1 || ws[0].Name != "Semaphore.Acquire" || ws[0].Outcome != hotredis.WaitHandedOff {
		t.Errorf("waits %+v", ws)
	}
}

func TestObserverQueueWait(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	k := key(t)
	q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
	time.AfterFunc(time.Second, func() {
		_ = hotredis.NewQueue[string](k, hotredis.WithClient(otherClient(t))).Put(ctx, "item")
	})
	start := time.Now()
	if v := must[string](t)(q.Get(ctx)); v != "item" {
		t.Fatalf("Get = %q", v)
	}
	took1 := time.Since(start)
	tctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := q.Get(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get on an empty queue past its deadline = %v", err)
	}
	took := time.Since(start)

	// A wait is timed from the first try's empty reply, which came 17 ms
	// after the call began once, and 63 ms another time (the cluster pass
	// beside a loaded suite): each wait is most of its call, and no longer
	// than it.
	ws := rec.waitsOn(k)
	if len(ws) != 2 {
		t.Fatalf("waits %+v, want 2", ws)
	}
	if w := ws[0]; w.Name != "Queue.Get" || w.Type != "Queue" || w.Outcome != hotredis.WaitAcquired || w.Waited < took1/2 || w.Waited > took1 {
		t.Errorf("first wait %+v, in a call of %v (the item came after 1 s)", w, took1)
	}
	if w := ws[1]; w.Name != "Queue.Get" || w.Outcome != hotredis.WaitTimeout || w.Waited < took/2 || w.Waited > took {
		t.Errorf("second wait %+v, in a call of %v", w, took)
	}
	blocking := false
	for _, o := range rec.opsOn(k) {
		blocking = blocking || o.op.Blocking && o.op.Name == "Queue.Get"
		if !strings.HasPrefix(o.op.Name, "Queue.") || strings.HasSuffix(o.op.Name, "?") {
			t.Errorf("operation named %q", o.op.Name)
		}
	}
	if !blocking {
		t.Error("no blocking Queue.Get round trip reported")
	}
}

// The waits of the types woken by a stream are reported too: an Event's
// Wait that a Set ends, and a WaitGroup's Wait that times out.
func TestObserverSignalWaits(t *testing.T) {
	t.Parallel()
	c, rec := observedClient(t)
	k := key(t)
	ev := hotredis.NewEvent(k+":event", hotredis.WithClient(c))
	time.AfterFunc(500*time.Millisecond, func() {
		_ = hotredis.NewEvent(k+":event", hotredis.WithClient(otherClient(t))).Set(ctx)
	})
	noErr(t, ev.Wait(ctx))
	wg := hotredis.NewWaitGroup(k+":wg", hotredis.WithClient(c))
	noErr(t, wg.Add(ctx, 1))
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := wg.Wait(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait past its deadline = %v", err)
	}
	if ws := rec.waitsOn(k + ":event"); len(ws) != 1 || ws[0].Name != "Event.Wait" || ws[0].Outcome != hotredis.WaitAcquired || ws[0].Waited < 250*time.Millisecond {
		t.Errorf("Event waits %+v", ws)
	}
	if ws := rec.waitsOn(k + ":wg"); len(ws) != 1 || ws[0].Name != "WaitGroup.Wait" || ws[0].Outcome != hotredis.WaitTimeout {
		t.Errorf("WaitGroup waits %+v", ws)
	}
}

// nopObserver observes nothing, for the cost of observing.
type nopObserver struct{}

func (nopObserver) StartOperation(ctx context.Context, _ hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	return ctx, nil
}
func (nopObserver) Wait(context.Context, hotredis.WaitEvent)   {}
func (nopObserver) Lease(context.Context, hotredis.LeaseEvent) {}

// BenchmarkObserver measures List.Append with no observer (compare with
// BenchmarkListAppend at an older commit: nothing to see) and with one
// that does nothing: the cost of naming the operation.
//
//	go test -run '^$' -bench 'Observer|ListAppend' -benchmem .
func BenchmarkObserver(b *testing.B) {
	for _, obs := range []struct {
		name string
		obs  hotredis.Observer
	}{{"none", nil}, {"nop", nopObserver{}}} {
		b.Run(obs.name, func(b *testing.B) {
			benchModes(b, func(b *testing.B, parallel bool) {
				c := srv.Client(b)
				c.SetObserver(obs.obs)
				l := hotredis.NewList[string](key(b), hotredis.WithClient(c))
				bench(b, parallel, func() error { _, err := l.Append(ctx, "x"); return err })
			})
		})
	}
}

// TestObserverOnceWaitEndsWhenTheWaiterRuns: a Do that waited for a
// runner that died, then ran f itself, reports its wait up to the moment
// it took over, acquired: not f's run, nor f's error.
func TestObserverOnceWaitEndsWhenTheWaiterRuns(t *testing.T) {
	c, rec := observedClient(t)
	k := key(t)
	noErr(t, rawClient().Set(ctx, k+":runner", "a-dead-runner", 300*time.Millisecond).Err())
	o := hotredis.NewOnce(k, hotredis.WithClient(c))
	defer o.Reset(ctx)
	var ranAt time.Time
	start := time.Now()
	err := o.Do(ctx, func(context.Context) error {
		ranAt = time.Now()
		time.Sleep(500 * time.Millisecond)
		return errors.New("boom")
	})
	if err == nil || ranAt.IsZero() {
		t.Fatalf("Do = %v, f ran: %v; want f's error from a run of its own", err, !ranAt.IsZero())
	}
	ws := rec.waitsOn(k)
	if len(ws) != 1 {
		t.Fatalf("%d waits reported, want 1: %+v", len(ws), ws)
	}
	if w := ws[0]; w.Outcome != hotredis.WaitAcquired || w.Err != nil || w.Waited > ranAt.Sub(start) {
		t.Errorf("wait %v (%s, %v); want acquired, no error, at most the %v until f ran", w.Waited, w.Outcome, w.Err, ranAt.Sub(start))
	}
}

// TestObserverGrantConfirmedByTheNextAttempt: a waiter that never read
// its grant's announcement (its connection was lost with the reply on
// the way) and took the grant on its next attempt was handed the lock by
// a release all the same: its wait and its holding are reported as
// handed-off, with the time since that release.
func TestObserverGrantConfirmedByTheNextAttempt(t *testing.T) {
	for _, kind := range []string{"lock", "sem"} {
		t.Run(kind, func(t *testing.T) {
			srv := hotredistest.NewServer(t)
			rdb := srv.GoRedis()
			t.Cleanup(func() { rdb.Close() })
			p := hotredistest.NewProxy(t, srv.Addr)
			c := faultyClient(t, "rueidis", p.Addr())
			rec := &recorder{}
			c.SetObserver(rec)
			k := key(t)
			holder := newLocker(kind, k, 1, hotredis.WithClient(srv.Client(t)))
			waiter := newLocker(kind, k, 1, hotredis.WithClient(c))
			noErr(t, holder.Acquire(ctx))
			done := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
				defer cancel()
				done <- waiter.Acquire(ctx)
			}()
			waitInLineOn(t, rdb, k, 1)
			// Blocked in its XREAD: it has read its first attempt's reply
			// (held back, that reply would make the next attempt the
			// first to succeed: no wait to report).
			waitFor(t, func() bool { n, err := srv.BlockedClients(ctx); return err == nil && n == 1 })
			p.Stall(hotredistest.ToClient) // the grant's announcement will not come through
			released := time.Now()
			noErr(t, holder.Release(ctx))
			time.Sleep(200 * time.Millisecond)
			p.Cut()
			p.Resume(hotredistest.ToClient)
			noErr(t, <-done)
			readBy := time.Since(released)
			token := tokenOf(waiter)
			noErr(t, waiter.Release(ctx))
			ws := rec.waitsOn(k)
			if len(ws) != 1 || ws[0].Outcome != hotredis.WaitHandedOff {
				t.Fatalf("waits %+v, want one handed-off", ws)
			}
			if ho := ws[0].HandOff; ho < 150*time.Millisecond || ho > readBy+50*time.Millisecond {
				t.Errorf("hand-off time %v, want from 150 ms to %v (the release 200 ms before the cut, the Acquire back %v after it)", ho, readBy, readBy)
			}
			kinds := ""
			for _, e := range rec.leasesOn(k) {
				if e.Token == token && e.Kind != hotredis.LeaseRenewed {
					kinds += e.Kind + " "
				}
			}
			if kinds != "handed-off released " {
				t.Errorf("lease events of the waiter's holding %q, want handed-off released", kinds)
			}
		})
	}
}

// TestCloseEndsHoldingsAsLost checks what Client.Close's doc says of a
// lock and a semaphore still held: nothing is released, each holding
// ends as lost at its next renewal (Lost closes, the observer hears
// LeaseLost), and its lease runs out on the server, where another
// client then takes it.
func TestCloseEndsHoldingsAsLost(t *testing.T) {
	const lease = 900 * time.Millisecond
	k := key(t)
	newClient := srv.NewClient
	if onCluster() {
		newClient = sharedCluster(t).NewClient
	}
	c := must[*hotredis.Client](t)(newClient())
	rec := &recorder{}
	c.SetObserver(rec)
	l := hotredis.NewLock(k+":lock", hotredis.WithClient(c), hotredis.WithLease(lease))
	s := hotredis.NewSemaphore(k+":sem", 1, hotredis.WithClient(c), hotredis.WithLease(lease))
	noErr(t, l.Acquire(ctx))
	noErr(t, s.Acquire(ctx))
	noErr(t, c.Close())
	// Not released: held on the server still.
	other := hotredis.NewLock(k+":lock", hotredis.WithLease(lease))
	otherSem := hotredis.NewSemaphore(k+":sem", 1, hotredis.WithLease(lease))
	if locked := must[bool](t)(other.Locked(ctx)); !locked {
		t.Error("the lock is free right after Close: it was released")
	}
	if got := must[bool](t)(otherSem.TryAcquire(ctx)); got {
		t.Error("another client took the semaphore right after Close: it was released")
	}
	for name, lost := range map[string]<-chan struct{}{"Lock": l.Lost(), "Semaphore": s.Lost()} {
		select {
		case <-lost:
		case <-time.After(lease + 5*time.Second):
			t.Fatalf("%s: Lost did not close after Close", name)
		}
	}
	rec.mu.Lock()
	var kinds []string
	for _, e := range rec.leases {
		kinds = append(kinds, e.Type+" "+e.Kind)
	}
	rec.mu.Unlock()
	slices.Sort(kinds)
	if want := []string{"Lock acquired", "Lock lost", "Semaphore acquired", "Semaphore lost"}; !slices.Equal(kinds, want) {
		t.Errorf("lease events %q, want %q", kinds, want)
	}
	// Taken by another client once the leases ran out.
	noErr(t, other.Acquire(ctx))
	defer other.Release(ctx)
	noErr(t, otherSem.Acquire(ctx))
	defer otherSem.Release(ctx)
}
