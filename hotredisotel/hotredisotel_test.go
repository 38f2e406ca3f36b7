package hotredisotel_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredisotel"
	"github.com/hotredis/hotredis/hotredistest"
)

var srv *hotredistest.Server

func TestMain(m *testing.M) {
	var err error
	if srv, err = hotredistest.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

var ctx = context.Background()

// rig is a client observed by an Observer that records in memory.
type rig struct {
	spans  *tracetest.SpanRecorder
	tracer trace.Tracer
	reader *sdkmetric.ManualReader
	obs    *hotredisotel.Observer
	client *hotredis.Client
}

func newRig(t *testing.T, opts ...hotredisotel.Option) *rig {
	r := &rig{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) })
	r.tracer = tp.Tracer("test")
	obs, err := hotredisotel.New(append([]hotredisotel.Option{hotredisotel.WithTracerProvider(tp), hotredisotel.WithMeterProvider(mp)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	r.obs = obs
	r.client = srv.Client(t)
	r.client.SetObserver(obs)
	return r
}

// key returns a new key of the test's own, with a hash tag.
func key(t *testing.T, suffix string) string {
	return "{otel:" + t.Name() + ":" + strconv.FormatInt(time.Now().UnixNano(), 36) + "}:" + suffix
}

// ended returns the ended spans named name.
func (r *rig) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

// metric returns the metric named name, collected now.
func (r *rig) metric(t *testing.T, name string) metricdata.Aggregation {
	t.Helper()
	m := r.maybeMetric(t, name)
	if m == nil {
		t.Fatalf("no metric %s", name)
	}
	return m
}

// maybeMetric is metric, returning nil when there is none.
func (r *rig) maybeMetric(t *testing.T, name string) metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m.Data
			}
		}
	}
	return nil
}

// has reports whether set holds every attribute of want.
func has(set attribute.Set, want ...attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// histCount returns how many values histogram h recorded with attributes
// including want.
func histCount(t *testing.T, h metricdata.Aggregation, want ...attribute.KeyValue) uint64 {
	t.Helper()
	hist, ok := h.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%T is not a float64 histogram", h)
	}
	n := uint64(0)
	for _, dp := range hist.DataPoints {
		if has(dp.Attributes, want...) {
			n += dp.Count
		}
	}
	return n
}

func TestSpansAreChildrenOfTheCallersSpan(t *testing.T) {
	r := newRig(t)
	k, wrong := key(t, "list"), key(t, "wrong")
	if err := srv.GoRedis().Set(ctx, wrong, "text", 0).Err(); err != nil {
		t.Fatal(err)
	}
	pctx, parent := r.tracer.Start(ctx, "request")
	list := hotredis.NewList[string](k, hotredis.WithClient(r.client))
	if _, err := list.Append(pctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := hotredis.NewList[string](wrong, hotredis.WithClient(r.client)).Append(pctx, "a"); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("Append on a string = %v", err)
	}
	parent.End()

	spans := r.ended("List.Append")
	if len(spans) != 2 {
		t.Fatalf("%d List.Append spans, want 2", len(spans))
	}
	for i, s := range spans {
		if s.Parent().SpanID() != parent.SpanContext().SpanID() || s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("span %d is not a child of the caller's span", i)
		}
		if s.SpanKind() != trace.SpanKindClient {
			t.Errorf("span %d kind %v", i, s.SpanKind())
		}
		a := attrsOf(s)
		for k, v := range map[attribute.Key]string{"db.system.name": "redis", "db.system": "redis", "db.operation.name": "List.Append", "hotredis.type": "List"} {
			if a[k].AsString() != v {
				t.Errorf("span %d: %s = %q, want %q", i, k, a[k].AsString(), v)
			}
		}
	}
	if got := attrsOf(spans[0])["hotredis.key"].AsString(); got != k {
		t.Errorf("hotredis.key = %q, want %q", got, k)
	}
	if spans[0].Status().Code != codes.Unset {
		t.Errorf("successful span status %v", spans[0].Status())
	}
	failed := spans[1]
	if failed.Status().Code != codes.Error || attrsOf(failed)["error.type"].AsString() != "ErrWrongType" {
		t.Errorf("failed span: status %v, error.type %q", failed.Status(), attrsOf(failed)["error.type"].AsString())
	}

	d := r.metric(t, "db.client.operation.duration")
	if n := histCount(t, d, attribute.String("hotredis.type", "List"), attribute.String("db.operation.name", "List.Append"), attribute.String("hotredis.outcome", "ok"), attribute.String("db.system.name", "redis")); n != 1 {
		t.Errorf("%d successful List.Append durations, want 1", n)
	}
	if n := histCount(t, d, attribute.String("db.operation.name", "List.Append"), attribute.String("hotredis.outcome", "error"), attribute.String("error.type", "ErrWrongType")); n != 1 {
		t.Errorf("%d failed List.Append durations, want 1", n)
	}
}

func TestWithoutKeys(t *testing.T) {
	r := newRig(t, hotredisotel.WithoutKeys(), hotredisotel.WithAttributes(attribute.String("deployment", "test")))
	k := key(t, "n")
	if err := hotredis.NewInt(k, hotredis.WithClient(r.client)).Store(ctx, 1); err != nil {
		t.Fatal(err)
	}
	spans := r.ended("Int.Store")
	if len(spans) != 1 {
		t.Fatalf("%d Int.Store spans", len(spans))
	}
	a := attrsOf(spans[0])
	if _, ok := a["hotredis.key"]; ok {
		t.Error("the key is on the span")
	}
	if a["deployment"].AsString() != "test" {
		t.Error("WithAttributes' attribute is not on the span")
	}
}

func TestLockMetrics(t *testing.T) {
	r := newRig(t)
	k := key(t, "lock")
	holder := hotredis.NewLock(k, hotredis.WithClient(r.client))
	waiter := hotredis.NewLock(k, hotredis.WithClient(r.client))
	if err := holder.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, wspan := r.tracer.Start(ctx, "waiter")
	done := make(chan error, 1)
	go func() { done <- waiter.Acquire(wctx) }()
	for n := int64(0); n != 1; n = srv.GoRedis().ZCard(ctx, k+":waiters").Val() {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if err := holder.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := waiter.Release(wctx); err != nil {
		t.Fatal(err)
	}
	wspan.End()

	// A lease lost: someone deletes the lock.
	short := hotredis.NewLock(key(t, "short"), hotredis.WithClient(r.client), hotredis.WithLease(300*time.Millisecond))
	if err := short.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.GoRedis().Del(ctx, short.Key()).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-short.Lost():
	case <-time.After(2 * time.Second):
		t.Fatal("lease not lost")
	}

	lockType := attribute.String("hotredis.type", "Lock")
	if n := histCount(t, r.metric(t, "hotredis.wait.duration"), lockType, attribute.String("db.operation.name", "Lock.Acquire"), attribute.String("hotredis.outcome", "handed-off")); n != 1 {
		t.Errorf("%d handed-off waits, want 1", n)
	}
	if n := histCount(t, r.metric(t, "hotredis.handoff.duration"), lockType); n != 1 {
		t.Errorf("%d hand-offs, want 1", n)
	}
	held := r.metric(t, "hotredis.lease.hold.duration")
	if n := histCount(t, held, lockType, attribute.String("hotredis.lease.end", "released")); n != 2 {
		t.Errorf("%d released holdings, want 2", n)
	}
	if n := histCount(t, held, lockType, attribute.String("hotredis.lease.end", "lost")); n != 1 {
		t.Errorf("%d lost holdings, want 1", n)
	}
	sum, ok := r.metric(t, "hotredis.lease.lost").(metricdata.Sum[int64])
	if !ok || len(sum.DataPoints) != 1 || sum.DataPoints[0].Value != 1 || !has(sum.DataPoints[0].Attributes, lockType) {
		t.Errorf("hotredis.lease.lost = %+v, want 1 for Lock", sum.DataPoints)
	}

	// The wait is a span of its own, under the caller's; the lease events
	// are on the caller's span.
	waits := r.ended("Lock.Acquire wait")
	if len(waits) != 1 || waits[0].Parent().SpanID() != wspan.SpanContext().SpanID() || attrsOf(waits[0])["hotredis.outcome"].AsString() != "handed-off" {
		t.Fatalf("wait spans %v", waits)
	}
	var events []string
	for _, s := range r.ended("waiter") {
		for _, e := range s.Events() {
			events = append(events, e.Name)
		}
	}
	if fmt.Sprint(events) != "[hotredis.lease.handed-off hotredis.lease.released]" {
		t.Errorf("events on the waiter's span: %v", events)
	}
}

func TestQueueWaitAndGauges(t *testing.T) {
	r := newRig(t)
	k := key(t, "queue")
	q := hotredis.NewQueue[string](k, hotredis.WithClient(r.client))
	time.AfterFunc(100*time.Millisecond, func() { _ = hotredis.NewQueue[string](k, hotredis.WithClient(srv.Client(t))).Put(ctx, "x") })
	if _, err := q.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if n := histCount(t, r.metric(t, "hotredis.wait.duration"), attribute.String("hotredis.type", "Queue"), attribute.String("db.operation.name", "Queue.Get"), attribute.String("hotredis.outcome", "acquired")); n != 1 {
		t.Errorf("%d Queue.Get waits, want 1", n)
	}
	if n := histCount(t, r.metric(t, "db.client.operation.duration"), attribute.String("db.operation.name", "Queue.Get"), attribute.Bool("hotredis.blocking", true)); n == 0 {
		t.Error("no blocking Queue.Get round trip")
	}

	// Gauges: a queue's length, a barrier's waiters.
	if err := q.PutMany(ctx, "a", "b"); err != nil {
		t.Fatal(err)
	}
	b := hotredis.NewBarrier(key(t, "barrier"), 2, hotredis.WithClient(r.client))
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = b.Wait(bctx) }()
	for n := 0; n != 1; n, _ = b.Waiting(ctx) {
		time.Sleep(5 * time.Millisecond)
	}
	for _, obj := range []hotredis.Object{q, b} {
		if err := r.obs.Register(obj, attribute.String("role", "jobs")); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.obs.Register(hotredis.NewLock(key(t, "lock"))); err == nil {
		t.Error("Register accepted a Lock, which has neither Len nor Waiting")
	}
	spansBefore := len(r.spans.Ended())
	for name, want := range map[string]struct {
		typ string
		n   int64
	}{"hotredis.length": {"Queue", 2}, "hotredis.waiting": {"Barrier", 1}} {
		g, ok := r.metric(t, name).(metricdata.Gauge[int64])
		if !ok || len(g.DataPoints) != 1 {
			t.Fatalf("%s = %+v", name, g)
		}
		dp := g.DataPoints[0]
		if dp.Value != want.n || !has(dp.Attributes, attribute.String("hotredis.type", want.typ), attribute.String("role", "jobs")) {
			t.Errorf("%s = %d %v, want %d for a %s", name, dp.Value, dp.Attributes.ToSlice(), want.n, want.typ)
		}
	}
	for _, sp := range r.spans.Ended()[spansBefore:] {
		// (Other spans may end meanwhile: the Get's acknowledgement, sent
		// in the background, or the barrier's waiter.)
		if n := sp.Name(); n == "Queue.Len" || n == "Barrier.Waiting" {
			t.Errorf("the gauges' round trips were traced: %s", n)
		}
	}
	r.obs.Unregister(q)
	if g, _ := r.maybeMetric(t, "hotredis.length").(metricdata.Gauge[int64]); len(g.DataPoints) != 0 {
		t.Errorf("hotredis.length after Unregister: %+v", g.DataPoints)
	}
}

// BenchmarkListAppend measures the cost of recording: List.Append with no
// observer and with an Observer whose spans are all sampled and whose
// metrics are read by a reader (nothing exported).
//
//	go test -run '^$' -bench . -benchmem
func BenchmarkListAppend(b *testing.B) {
	for _, observe := range []bool{false, true} {
		name := "none"
		if observe {
			name = "otel"
		}
		b.Run(name, func(b *testing.B) {
			c := srv.Client(b)
			if observe {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracetest.NewSpanRecorder()))
				mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				b.Cleanup(func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) })
				obs, err := hotredisotel.New(hotredisotel.WithTracerProvider(tp), hotredisotel.WithMeterProvider(mp))
				if err != nil {
					b.Fatal(err)
				}
				c.SetObserver(obs)
			}
			l := hotredis.NewList[string]("{otel:bench}:append", hotredis.WithClient(c))
			b.Cleanup(func() { _ = l.Delete(ctx) })
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Append(ctx, "v"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
