// Package hotredisotel records what hotredis objects do with
// OpenTelemetry. New returns a hotredis.Observer; give it to a client
// (hotredis.Options.Observer, or Client.SetObserver for one made by
// WrapGoRedis):
//
//	obs, err := hotredisotel.New() // the global providers, or WithTracerProvider...
//	client, err := hotredis.NewClient(hotredis.Options{URL: url, Observer: obs})
//
// Traces: one client span per round trip an object makes, named after the
// method ("List.Append"), a child of the span in the caller's context,
// with the attributes of OpenTelemetry's database conventions
// (db.system.name and db.system = "redis", db.operation.name) and
// hotredis.type, hotredis.key (unless WithoutKeys), hotredis.blocking for
// the server-side waits of blocking calls, hotredis.retries; a failed
// round trip has error status and error.type. A call that had to wait (a
// Lock's Acquire, a queue's Get...) adds an internal span "<method> wait"
// covering the wait, with its outcome; the lease of a lock or semaphore
// adds events (hotredis.lease.acquired, .handed-off, .renewed, .released,
// .lost) to the span of the call that changed it (renewals, and leases the
// watchdog finds lost, to the watchdog's context).
//
// Metrics:
//
//	db.client.operation.duration  histogram (s)  per round trip, by hotredis.type, db.operation.name, hotredis.outcome (ok, error, timeout, cancelled), error.type, hotredis.blocking
//	hotredis.wait.duration        histogram (s)  waits of locks, semaphores, queues, WaitGroup, Once, Event and Barrier, by hotredis.type, db.operation.name, hotredis.outcome (acquired, handed-off, timeout, cancelled, error)
//	hotredis.handoff.duration     histogram (s)  from a release to the wake of the waiter it handed the lock or permits to (about 1 ms resolution), by hotredis.type
//	hotredis.lease.hold.duration  histogram (s)  how long a lock or a semaphore handle's permits were held, by hotredis.type, hotredis.lease.end (released, lost); not for a holding that began before the Observer was set
//	hotredis.lease.lost           counter        leases lost (run out, or taken away), by hotredis.type
//	hotredis.length               gauge          Len of each registered object (Register)
//	hotredis.waiting              gauge          Waiting of each registered object that has it (a Barrier)
package hotredisotel

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/hotredis/hotredis"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/hotredis/hotredis/hotredisotel"

// Attribute keys of this package (the others are OpenTelemetry's).
const (
	TypeKey     = attribute.Key("hotredis.type")      // "List", "Lock", "Queue"...
	KeyKey      = attribute.Key("hotredis.key")       // the object's key
	OutcomeKey  = attribute.Key("hotredis.outcome")   // how a round trip or a wait ended
	BlockingKey = attribute.Key("hotredis.blocking")  // a server-side wait of a blocking call
	RetriesKey  = attribute.Key("hotredis.retries")   // commands sent again (TRYAGAIN, NOSCRIPT, a read after its connection failed)
	LeaseEndKey = attribute.Key("hotredis.lease.end") // released or lost
	TokenKey    = attribute.Key("hotredis.token")     // a lease's fencing token
)

// dbSystem is the attribute of the database conventions before 1.30,
// which many back ends still look for.
var dbSystem = attribute.String("db.system", "redis")

// An Option configures New.
type Option func(*config)

type config struct {
	tp       trace.TracerProvider
	mp       metric.MeterProvider
	hideKeys bool
	attrs    []attribute.KeyValue
	firstErr error // of New's
}

// WithTracerProvider makes the Observer start spans with tp instead of the
// global tracer provider.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider makes the Observer record metrics with mp instead of
// the global meter provider.
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithoutKeys leaves the objects' keys out of spans, for keys that carry
// what traces must not (user ids, e-mail addresses). Metrics never carry
// keys, except the gauges of objects registered without WithoutKeys.
func WithoutKeys() Option { return func(c *config) { c.hideKeys = true } }

// WithAttributes adds attrs to every span and measurement, such as
// server.address or a deployment's name.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(c *config) { c.attrs = append(c.attrs, attrs...) }
}

// Observer is a hotredis.Observer that records spans and metrics. It is
// safe for concurrent use, and may serve several clients.
type Observer struct {
	tracer   trace.Tracer
	hideKeys bool
	attrs    []attribute.KeyValue

	opDuration, waitDuration, handOff, held metric.Float64Histogram
	lost                                    metric.Int64Counter
	length, waiting                         metric.Int64ObservableGauge

	sets sync.Map // setKey → metric.MeasurementOption, built once

	mu         sync.Mutex
	registered map[hotredis.Object]attribute.Set
}

var _ hotredis.Observer = (*Observer)(nil)

// durations are the buckets (s) of the duration histograms: a round trip
// on a local network takes tens of µs, a wait for a lock up to minutes.
var durations = []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// New returns an Observer that records with the global providers unless
// options say otherwise.
func New(opts ...Option) (*Observer, error) {
	var c config
	for _, opt := range opts {
		opt(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	o := &Observer{
		tracer:     c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		hideKeys:   c.hideKeys,
		attrs:      c.attrs,
		registered: map[hotredis.Object]attribute.Set{},
	}
	m := c.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	hist := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithDescription(desc), metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(durations...))
		c.err(err)
		return h
	}
	o.opDuration = hist("db.client.operation.duration", "Duration of database client operations.")
	o.waitDuration = hist("hotredis.wait.duration", "Time calls waited for a lock, permits, a queue item or room.")
	o.handOff = hist("hotredis.handoff.duration", "Time from a release to the wake of the waiter it handed the lock or permits to.")
	o.held = hist("hotredis.lease.hold.duration", "Time a lock, or a semaphore handle's permits, was held.")
	var err error
	o.lost, err = m.Int64Counter("hotredis.lease.lost", metric.WithDescription("Leases of locks and semaphores lost."), metric.WithUnit("{lease}"))
	c.err(err)
	o.length, err = m.Int64ObservableGauge("hotredis.length", metric.WithDescription("Length of registered objects."), metric.WithUnit("{item}"))
	c.err(err)
	o.waiting, err = m.Int64ObservableGauge("hotredis.waiting", metric.WithDescription("Waiters of registered objects."), metric.WithUnit("{waiter}"))
	c.err(err)
	if c.firstErr == nil {
		_, err = m.RegisterCallback(o.observeRegistered, o.length, o.waiting)
		c.err(err)
	}
	if c.firstErr != nil {
		return nil, fmt.Errorf("hotredisotel: %w", c.firstErr)
	}
	return o, nil
}

// StartOperation starts the span of a round trip, and returns the function
// that ends it and records its duration.
func (o *Observer) StartOperation(ctx context.Context, op hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	if ctx.Value(quietKey{}) != nil {
		return ctx, nil
	}
	start := time.Now()
	attrs := make([]attribute.KeyValue, 0, 6+len(o.attrs))
	attrs = append(attrs, semconv.DBSystemNameRedis, dbSystem, semconv.DBOperationName(op.Name), TypeKey.String(op.Type))
	if !o.hideKeys {
		attrs = append(attrs, KeyKey.String(op.Key))
	}
	if op.Blocking {
		attrs = append(attrs, BlockingKey.Bool(true))
	}
	attrs = append(attrs, o.attrs...)
	ctx, span := o.tracer.Start(ctx, op.Name, trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	return ctx, func(end hotredis.OperationEnd) {
		d := time.Since(start)
		outcome, errType := opOutcome(end.Err)
		if end.Retries > 0 {
			span.SetAttributes(RetriesKey.Int(end.Retries))
		}
		if end.Err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(errType))
			o.recordError(span, end.Err, op.Key)
		}
		span.End(trace.WithTimestamp(start.Add(d)))
		o.opDuration.Record(ctx, d.Seconds(), o.set(setKey{kind: "op", typ: op.Type, name: op.Name, outcome: outcome, errType: errType, blocking: op.Blocking}))
	}
}

// recordError gives span err's exception event and error status; an
// Observer WithoutKeys takes key out of their text (an error names its
// object's key, quoted).
func (o *Observer) recordError(span trace.Span, err error, key string) {
	if !o.hideKeys || key == "" {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return
	}
	q := strconv.Quote(key)
	msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), q[1:len(q)-1], "…"), key, "…")
	span.AddEvent("exception", trace.WithAttributes(
		attribute.String("exception.type", fmt.Sprintf("%T", err)), attribute.String("exception.message", msg)))
	span.SetStatus(codes.Error, msg)
}

// Wait records a wait, as a span covering it and in the wait (and
// hand-off) histograms.
func (o *Observer) Wait(ctx context.Context, w hotredis.WaitEvent) {
	end := time.Now()
	start := end.Add(-w.Waited)
	attrs := []attribute.KeyValue{TypeKey.String(w.Type), semconv.DBOperationName(w.Name), OutcomeKey.String(w.Outcome)}
	if !o.hideKeys {
		attrs = append(attrs, KeyKey.String(w.Key))
	}
	if w.Outcome == hotredis.WaitHandedOff {
		attrs = append(attrs, attribute.Float64("hotredis.handoff", w.HandOff.Seconds()))
	}
	attrs = append(attrs, o.attrs...)
	_, span := o.tracer.Start(ctx, w.Name+" wait", trace.WithSpanKind(trace.SpanKindInternal), trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	if w.Outcome == hotredis.WaitError && w.Err != nil {
		o.recordError(span, w.Err, w.Key)
	}
	span.End(trace.WithTimestamp(end))
	o.waitDuration.Record(ctx, w.Waited.Seconds(), o.set(setKey{kind: "wait", typ: w.Type, name: w.Name, outcome: w.Outcome}))
	if w.Outcome == hotredis.WaitHandedOff {
		o.handOff.Record(ctx, w.HandOff.Seconds(), o.set(setKey{kind: "handoff", typ: w.Type}))
	}
}

// Lease records a lease event: an event on the caller's span, and in the
// hold-time histogram and lost counter when the holding ends.
func (o *Observer) Lease(ctx context.Context, e hotredis.LeaseEvent) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		attrs := []attribute.KeyValue{TypeKey.String(e.Type), TokenKey.Int64(e.Token)}
		if !o.hideKeys {
			attrs = append(attrs, KeyKey.String(e.Key))
		}
		span.AddEvent("hotredis.lease."+e.Kind, trace.WithAttributes(attrs...))
	}
	switch {
	case e.Kind != hotredis.LeaseReleased && e.Kind != hotredis.LeaseLost:
	case e.Held > 0: // (0: the holding began before the Observer was set, its length unknown)
		o.held.Record(ctx, e.Held.Seconds(), o.set(setKey{kind: "held", typ: e.Type, outcome: e.Kind}))
	}
	if e.Kind == hotredis.LeaseLost {
		o.lost.Add(ctx, 1, o.set(setKey{kind: "lost", typ: e.Type}))
	}
}

// Register makes the gauges report obj: hotredis.length if it has a Len
// method (queues, lists, sets, maps...), hotredis.waiting if it has a
// Waiting method (Barrier), with attributes hotredis.type, hotredis.key
// (unless the Observer is WithoutKeys) and attrs. Each collection asks
// Redis (one round trip per object and gauge, not traced), with the
// collection's context, cut to one second. Register fails for an object
// that has neither method.
func (o *Observer) Register(obj hotredis.Object, attrs ...attribute.KeyValue) error {
	_, hasLen := obj.(lener)
	_, hasWaiting := obj.(waiter)
	if !hasLen && !hasWaiting {
		return fmt.Errorf("hotredisotel: %T has neither Len nor Waiting", obj)
	}
	all := append([]attribute.KeyValue{TypeKey.String(typeOf(obj))}, attrs...)
	if !o.hideKeys {
		all = append(all, KeyKey.String(obj.Key()))
	}
	all = append(all, o.attrs...)
	o.mu.Lock()
	o.registered[obj] = attribute.NewSet(all...)
	o.mu.Unlock()
	return nil
}

// Unregister stops reporting obj.
func (o *Observer) Unregister(obj hotredis.Object) {
	o.mu.Lock()
	delete(o.registered, obj)
	o.mu.Unlock()
}

type lener interface {
	Len(ctx context.Context) (int, error)
}

type waiter interface {
	Waiting(ctx context.Context) (int, error)
}

// quietKey marks the gauges' round trips, which are not traced.
type quietKey struct{}

func (o *Observer) observeRegistered(ctx context.Context, ob metric.Observer) error {
	o.mu.Lock()
	objs := make(map[hotredis.Object]attribute.Set, len(o.registered))
	for obj, set := range o.registered {
		objs[obj] = set
	}
	o.mu.Unlock()
	if len(objs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, quietKey{}, true), time.Second)
	defer cancel()
	var errs []error
	for obj, set := range objs {
		if l, ok := obj.(lener); ok {
			n, err := l.Len(ctx)
			if err == nil {
				ob.ObserveInt64(o.length, int64(n), metric.WithAttributeSet(set))
			}
			errs = append(errs, err)
		}
		if w, ok := obj.(waiter); ok {
			n, err := w.Waiting(ctx)
			if err == nil {
				ob.ObserveInt64(o.waiting, int64(n), metric.WithAttributeSet(set))
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// typeOf returns the name of obj's type without package and type
// arguments, "Queue" for every queue kind, as the round trips' type
// (hotredis.Operation.Type) is: "Queue" for a *hotredis.LifoQueue[string].
func typeOf(obj any) string {
	t := reflect.TypeOf(obj)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name, _, _ := strings.Cut(t.Name(), "[")
	if strings.HasSuffix(name, "Queue") {
		return "Queue"
	}
	return name
}

// setKey identifies the attributes of a measurement.
type setKey struct {
	kind, typ, name, outcome, errType string
	blocking                          bool
}

// set returns the attributes of k's measurements, built once.
func (o *Observer) set(k setKey) metric.MeasurementOption {
	if s, ok := o.sets.Load(k); ok {
		return s.(metric.MeasurementOption)
	}
	attrs := append([]attribute.KeyValue{TypeKey.String(k.typ)}, o.attrs...)
	switch k.kind {
	case "op":
		attrs = append(attrs, semconv.DBSystemNameRedis, dbSystem, semconv.DBOperationName(k.name), OutcomeKey.String(k.outcome))
		if k.errType != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(k.errType))
		}
		if k.blocking {
			attrs = append(attrs, BlockingKey.Bool(true))
		}
	case "wait":
		attrs = append(attrs, semconv.DBOperationName(k.name), OutcomeKey.String(k.outcome))
	case "held":
		attrs = append(attrs, LeaseEndKey.String(k.outcome))
	}
	s := metric.WithAttributeSet(attribute.NewSet(attrs...))
	o.sets.Store(k, s)
	return s
}

// opOutcome classifies a round trip's error: its outcome and error.type.
func opOutcome(err error) (outcome, errType string) {
	if err == nil {
		return "ok", ""
	}
	outcome = "error"
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		outcome = "timeout"
	case errors.Is(err, context.Canceled):
		outcome = "cancelled"
	}
	for _, e := range errorTypes {
		if errors.Is(err, e.err) {
			return outcome, e.name
		}
	}
	return outcome, semconv.ErrorTypeOther.Value.AsString()
}

// errorTypes name the errors a round trip may end with, in the order
// they are looked for (ErrUnknownOutcome wraps the context's error).
var errorTypes = []struct {
	err  error
	name string
}{
	{hotredis.ErrUnknownOutcome, "ErrUnknownOutcome"},
	{context.DeadlineExceeded, "context.DeadlineExceeded"},
	{context.Canceled, "context.Canceled"},
	{hotredis.ErrWrongType, "ErrWrongType"},
	{hotredis.ErrClosed, "ErrClosed"},
	{hotredis.ErrCrossSlot, "ErrCrossSlot"},
	{hotredis.ErrPermission, "ErrPermission"},
	{hotredis.ErrInTransaction, "ErrInTransaction"},
	{hotredis.ErrTxConflict, "ErrTxConflict"},
	{hotredis.ErrNotHeld, "ErrNotHeld"},
	{hotredis.ErrOverRelease, "ErrOverRelease"},
	{hotredis.ErrOverflow, "ErrOverflow"},
	{hotredis.ErrDivideByZero, "ErrDivideByZero"},
	{hotredis.ErrNotFinite, "ErrNotFinite"},
	{hotredis.ErrIndexOutOfRange, "ErrIndexOutOfRange"},
	{hotredis.ErrFull, "ErrFull"},
	{hotredis.ErrEmpty, "ErrEmpty"},
	{hotredis.ErrDecode, "ErrDecode"},
	{hotredis.ErrInvalidArgument, "ErrInvalidArgument"},
	{hotredis.ErrTooManyTaskDone, "ErrTooManyTaskDone"},
	{hotredis.ErrBrokenBarrier, "ErrBrokenBarrier"},
	{hotredis.ErrMemberLost, "ErrMemberLost"},
	{hotredis.ErrRunFailed, "ErrRunFailed"},
}

func (c *config) err(err error) {
	if err != nil && c.firstErr == nil {
		c.firstErr = err
	}
}
