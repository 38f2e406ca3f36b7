package hotredisotel_test

// Tests from an adversarial review (2026-12-07) of hotredisotel: what its
// doc comments and the README promise, checked against a real server and
// the SDK's in-memory recorder and reader. The WithoutKeys ones failed
// then: an error's text, which names its key, went into the span's status
// and exception event. So did the gauge's type for a LifoQueue ("LifoQueue"
// where its round trips say "Queue"), a nil *Observer set (a panic), and
// a holding begun before the Observer was set (recorded as held 0 s).

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredisotel"
)

// TestReviewWithoutKeysKeepsKeysOutOfSpans: "WithoutKeys leaves the
// objects' keys out of spans, for keys that carry what traces must not
// (user ids, e-mail addresses)". A failed round trip's span carries the
// error's text, which names the key, as its status description and in its
// exception event.
func TestReviewWithoutKeysKeepsKeysOutOfSpans(t *testing.T) {
	r := newRig(t, hotredisotel.WithoutKeys())
	secret := key(t, "user:alice@example.com")
	if err := srv.GoRedis().Set(ctx, secret, "text", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := hotredis.NewList[string](secret, hotredis.WithClient(r.client)).Append(ctx, "a"); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("Append on a string = %v", err)
	}
	spans := r.ended("List.Append")
	if len(spans) != 1 {
		t.Fatalf("%d List.Append spans", len(spans))
	}
	s := spans[0]
	var leaks []string
	for _, kv := range s.Attributes() {
		if strings.Contains(kv.Value.Emit(), "alice@example.com") {
			leaks = append(leaks, "attribute "+string(kv.Key))
		}
	}
	if strings.Contains(s.Status().Description, "alice@example.com") {
		leaks = append(leaks, "status description "+s.Status().Description)
	}
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if strings.Contains(kv.Value.Emit(), "alice@example.com") {
				leaks = append(leaks, "event "+e.Name+" attribute "+string(kv.Key)+"="+kv.Value.Emit())
			}
		}
	}
	if len(leaks) > 0 {
		t.Errorf("WithoutKeys, yet the key is on the span: %q", leaks)
	}
}

// TestReviewMetricsCarryNoKeys: "Metrics never carry keys, except the
// gauges of objects registered"; and the attribute sets stay bounded:
// many keys make no more series than one.
func TestReviewMetricsCarryNoKeys(t *testing.T) {
	r := newRig(t)
	var keys []string
	for i := range 20 {
		k := key(t, "k"+string(rune('a'+i)))
		keys = append(keys, k)
		l := hotredis.NewList[string](k, hotredis.WithClient(r.client))
		if _, err := l.Append(ctx, "v"); err != nil {
			t.Fatal(err)
		}
		lock := hotredis.NewLock(k+":lock", hotredis.WithClient(r.client))
		if err := lock.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		if err := lock.Release(ctx); err != nil {
			t.Fatal(err)
		}
		q := hotredis.NewQueue[string](k+":q", hotredis.WithClient(r.client))
		tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		_, _ = q.Get(tctx)
		cancel()
	}
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	series := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var sets []attribute.Set
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					sets = append(sets, dp.Attributes)
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					sets = append(sets, dp.Attributes)
				}
			}
			series += len(sets)
			for _, s := range sets {
				for _, kv := range s.ToSlice() {
					for _, k := range keys {
						if strings.Contains(kv.Value.Emit(), k) {
							t.Errorf("metric %s carries key %q in %s", m.Name, k, kv.Key)
						}
					}
				}
			}
		}
	}
	if series > 30 {
		t.Errorf("%d series for 20 keys of 3 kinds: unbounded attributes?", series)
	}
}

// TestReviewEverySpanEnds: every span started is ended, under
// concurrent calls, cancellations and timeouts.
func TestReviewEverySpanEnds(t *testing.T) {
	r := newRig(t)
	k := key(t, "n")
	n := hotredis.NewInt(k, hotredis.WithClient(r.client))
	f := hotredis.NewFloat(k+":f", hotredis.WithClient(r.client))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				c := ctx
				cancel := context.CancelFunc(func() {})
				switch i % 3 {
				case 1:
					c, cancel = context.WithCancel(ctx)
					cancel()
				case 2:
					c, cancel = context.WithTimeout(ctx, time.Duration(40+g*30)*time.Microsecond)
				}
				_, _ = n.Mul(c, 1)
				_, _ = f.Add(c, 1)
				cancel()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		q := hotredis.NewQueue[string](k+":q", hotredis.WithClient(r.client))
		for range 3 {
			c, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
			_, _ = q.Get(c)
			cancel()
		}
	}()
	wg.Wait()
	deadline := time.Now().Add(3 * time.Second)
	for len(r.spans.Started()) != len(r.spans.Ended()) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if s, e := len(r.spans.Started()), len(r.spans.Ended()); s != e {
		t.Errorf("%d spans started, %d ended", s, e)
	}
	// Each ended op span is recorded once in the duration histogram.
	ops := 0
	for _, s := range r.spans.Ended() {
		if !strings.HasSuffix(s.Name(), " wait") {
			ops++
		}
	}
	h := r.metric(t, "db.client.operation.duration").(metricdata.Histogram[float64])
	var recorded uint64
	for _, dp := range h.DataPoints {
		recorded += dp.Count
	}
	if recorded != uint64(ops) {
		t.Errorf("%d operation spans, %d operation durations", ops, recorded)
	}
}

// TestReviewTimeoutOutcome: a round trip cut by the caller's deadline is
// hotredis.outcome "timeout", a cancelled one "cancelled", and each has
// error status.
func TestReviewTimeoutOutcome(t *testing.T) {
	r := newRig(t)
	k := key(t, "lock")
	holder := hotredis.NewLock(k, hotredis.WithClient(srv.Client(t)))
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	defer holder.Release(ctx)
	l := hotredis.NewLock(k, hotredis.WithClient(r.client))
	tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := l.Acquire(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire = %v", err)
	}
	waits := r.ended("Lock.Acquire wait")
	if len(waits) != 1 || attrsOf(waits[0])["hotredis.outcome"].AsString() != "timeout" {
		t.Fatalf("wait spans %v", waits)
	}
	if n := histCount(t, r.metric(t, "hotredis.wait.duration"), attribute.String("db.operation.name", "Lock.Acquire"), attribute.String("hotredis.outcome", "timeout")); n != 1 {
		t.Errorf("%d timed-out Lock.Acquire waits, want 1", n)
	}
}

// TestReviewWithoutKeysWaitSpans: a wait that ends in an error (a
// broken Barrier) records the error on its span: without the key, under
// WithoutKeys.
func TestReviewWithoutKeysWaitSpans(t *testing.T) {
	r := newRig(t, hotredisotel.WithoutKeys())
	k := key(t, "user:bob@example.com")
	b := hotredis.NewBarrier(k, 2, hotredis.WithClient(r.client))
	done := make(chan error, 1)
	go func() { _, err := b.Wait(ctx); done <- err }()
	for n := 0; n != 1; n, _ = b.Waiting(ctx) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := hotredis.NewBarrier(k, 2, hotredis.WithClient(srv.Client(t))).Abort(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, hotredis.ErrBrokenBarrier) {
		t.Fatalf("Wait = %v", err)
	}
	waits := r.ended("Barrier.Wait wait")
	if len(waits) != 1 {
		t.Fatalf("%d wait spans", len(waits))
	}
	s := waits[0]
	if strings.Contains(s.Status().Description, "bob@example.com") {
		t.Errorf("WithoutKeys, yet the wait span's status names the key: %q", s.Status().Description)
	}
	for _, e := range s.Events() {
		for _, kv := range e.Attributes {
			if strings.Contains(kv.Value.Emit(), "bob@example.com") {
				t.Errorf("WithoutKeys, yet the wait span's %s event names the key: %s=%q", e.Name, kv.Key, kv.Value.Emit())
			}
		}
	}
}

// TestReviewGaugeTypeMatchesOperations: hotredis.type is "the object's
// type: ... ("Queue" for every queue kind)" on round trips; the gauge of
// the same registered object must carry the same hotredis.type, or the
// two cannot be joined.
func TestReviewGaugeTypeMatchesOperations(t *testing.T) {
	r := newRig(t)
	for _, q := range []interface {
		hotredis.Object
		Put(context.Context, string) error
	}{
		hotredis.NewLifoQueue[string](key(t, "lifo"), hotredis.WithClient(r.client)),
		hotredis.NewQueue[string](key(t, "fifo"), hotredis.WithClient(r.client)),
	} {
		if err := q.Put(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		spans := r.ended("Queue.Put")
		opType := attrsOf(spans[len(spans)-1])["hotredis.type"].AsString()
		if err := r.obs.Register(q); err != nil {
			t.Fatal(err)
		}
		g, ok := r.metric(t, "hotredis.length").(metricdata.Gauge[int64])
		if !ok {
			t.Fatal("no gauge")
		}
		for _, dp := range g.DataPoints {
			if v, _ := dp.Attributes.Value("hotredis.key"); v.AsString() != q.Key() {
				continue
			}
			if typ, _ := dp.Attributes.Value("hotredis.type"); typ.AsString() != opType {
				t.Errorf("%T: round trips have hotredis.type %q, its hotredis.length gauge %q", q, opType, typ.AsString())
			}
		}
		r.obs.Unregister(q)
	}
}

// TestReviewNilObserverPointer: SetObserver(obs) with "nil: none". A nil
// *hotredisotel.Observer (what New returns with an error) given as the
// Observer must not crash the first operation.
func TestReviewNilObserverPointer(t *testing.T) {
	c := srv.Client(t)
	var obs *hotredisotel.Observer
	c.SetObserver(obs)
	defer c.SetObserver(nil)
	var perr any
	func() {
		defer func() { perr = recover() }()
		_, _ = hotredis.NewList[string](key(t, "l"), hotredis.WithClient(c)).Len(ctx)
	}()
	if perr != nil {
		t.Errorf("List.Len with a nil *hotredisotel.Observer set panicked: %v", perr)
	}
}

// TestReviewHoldOfALeaseOfUnknownLengthIsNotRecorded: a holding that
// began before the Observer was set ends with Held 0 (LeaseEvent's doc);
// hotredis.lease.hold.duration must not record it as held for 0 s (a
// leader lock taken at start-up, before telemetry, would skew it).
func TestReviewHoldOfALeaseOfUnknownLengthIsNotRecorded(t *testing.T) {
	r := newRig(t)
	r.obs.Lease(ctx, hotredis.LeaseEvent{Type: "Lock", Key: "k", Kind: hotredis.LeaseReleased, Held: 0, Token: 1})
	if h, ok := r.maybeMetric(t, "hotredis.lease.hold.duration").(metricdata.Histogram[float64]); ok && len(h.DataPoints) > 0 {
		t.Errorf("a release of a holding of unknown length recorded: %+v", h.DataPoints)
	}
	r.obs.Lease(ctx, hotredis.LeaseEvent{Type: "Lock", Key: "k", Kind: hotredis.LeaseReleased, Held: 300 * time.Millisecond, Token: 2})
	h, ok := r.metric(t, "hotredis.lease.hold.duration").(metricdata.Histogram[float64])
	if !ok || len(h.DataPoints) != 1 || h.DataPoints[0].Count != 1 || h.DataPoints[0].Sum != 0.3 {
		t.Errorf("a release after 300 ms: %+v", h)
	}
}
