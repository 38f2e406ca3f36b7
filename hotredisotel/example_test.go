package hotredisotel_test

import (
	"context"
	"fmt"
	"slices"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredisotel"
)

// A client whose objects record spans and metrics. A program gives the
// providers exporters (OTLP, Prometheus...), or sets the global ones and
// calls hotredisotel.New() without options; this example records in
// memory, to print what it got.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	obs, err := hotredisotel.New(hotredisotel.WithTracerProvider(tp), hotredisotel.WithMeterProvider(mp))
	if err != nil {
		panic(err)
	}
	client, err := hotredis.NewClient(hotredis.Options{Addrs: []string{srv.Addr}, Observer: obs})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	// The caller's span is the parent of the operations' spans.
	ctx, span := tp.Tracer("shop").Start(context.Background(), "checkout")
	visits := hotredis.NewCounter[string]("example:visits", hotredis.WithClient(client))
	cart := hotredis.NewLock("example:cart", hotredis.WithClient(client))
	_, _ = visits.Add(ctx, "checkout", 1)
	if err := cart.Acquire(ctx); err != nil {
		panic(err)
	}
	_ = cart.Release(ctx)
	span.End()
	defer visits.Delete(context.Background())

	for _, s := range spans.Ended() {
		fmt.Printf("%s (parent %v)\n", s.Name(), s.Parent().SpanID() == span.SpanContext().SpanID())
	}
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// Counter.Add (parent true)
	// Lock.Acquire (parent true)
	// Lock.Release (parent true)
	// checkout (parent false)
	// [db.client.operation.duration hotredis.lease.hold.duration]
}
