package hotredis_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
)

// Queue benchmarks, each beside the raw commands doing the same job on the
// same server in the same run:
//
//	go test -run '^$' -bench 'Queue' -benchmem .
//
// Each hotredis benchmark has a client of its own, as each raw one does:
// rueidis switches a connection to background reading and writing for good
// once it has seen concurrent calls, which adds latency to serial ones, so
// sharing the suite's client would compare unequal connections.
//
// PutGet is a Put followed by a Get (raw: LPUSH then BRPOP); Throughput
// moves items from 8 producer to 8 consumer goroutines; Handoff measures
// the time from a Put to the return of a Get already blocked on the server,
// reported as p50-µs and p99-µs.

// ownClient gives a benchmark a fresh hotredis client, closed when it ends.
func ownClient(b *testing.B) hotredis.Option { return hotredis.WithClient(srv.Client(b)) }

func BenchmarkQueuePutGet(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		q := hotredis.NewQueue[string]("bench:queue", ownClient(b))
		q.Delete(ctx)
		defer q.Delete(ctx)
		bench(b, p, func() error {
			if err := q.Put(ctx, "v"); err != nil {
				return err
			}
			_, err := q.Get(ctx)
			return err
		})
	})
}

// BenchmarkQueuePutGetCancellable is BenchmarkQueuePutGet with a context
// that can be cancelled, as a request handler's is: a take must not be
// lost when it ends (see detach). Compare BenchmarkRawLPUSHBRPOPCancellable.
func BenchmarkQueuePutGetCancellable(b *testing.B) {
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	benchModes(b, func(b *testing.B, p bool) {
		q := hotredis.NewQueue[string]("bench:queue-cancellable", ownClient(b))
		q.Delete(ctx)
		defer q.Delete(ctx)
		bench(b, p, func() error {
			if err := q.Put(c, "v"); err != nil {
				return err
			}
			_, err := q.Get(c)
			return err
		})
	})
}

func BenchmarkQueuePutGetBounded(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		q := hotredis.NewQueue[string]("bench:queue-bounded", ownClient(b), hotredis.WithMaxSize(1000))
		q.Delete(ctx)
		defer q.Delete(ctx)
		bench(b, p, func() error {
			if err := q.Put(ctx, "v"); err != nil {
				return err
			}
			_, err := q.Get(ctx)
			return err
		})
	})
}

func BenchmarkSetQueuePutGet(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		q := hotredis.NewSetQueue[int]("bench:setqueue", ownClient(b))
		q.Delete(ctx)
		defer q.Delete(ctx)
		var mu sync.Mutex
		n := 0
		bench(b, p, func() error {
			mu.Lock()
			n++
			v := n
			mu.Unlock()
			if _, err := q.Put(ctx, v); err != nil {
				return err
			}
			_, err := q.Get(ctx)
			return err
		})
	})
}

func BenchmarkQueueReserveAck(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		q := hotredis.NewQueue[string]("bench:queue-reserve", ownClient(b))
		q.Delete(ctx)
		defer q.Delete(ctx)
		bench(b, p, func() error {
			if err := q.Put(ctx, "v"); err != nil {
				return err
			}
			_, r, err := q.Reserve(ctx, time.Minute)
			if err != nil {
				return err
			}
			return q.Ack(ctx, r)
		})
	})
}

func BenchmarkRawLPUSHBRPOP(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawRueidis(b)
		k := "bench:raw-queue"
		c.Do(ctx, c.B().Del().Key(k).Build())
		bench(b, p, func() error {
			if err := c.Do(ctx, c.B().Lpush().Key(k).Element("v").Build()).Error(); err != nil {
				return err
			}
			return c.Do(ctx, c.B().Brpop().Key(k).Timeout(1).Build()).Error()
		})
	})
}

// BenchmarkQueuePutGetPaired alternates, in one loop, a Put+Get on a Queue
// and a raw LPUSH+BRPOP, and reports the median of each (µs) and their
// ratio: on a shared machine both see the same load, and the medians
// ignore the spikes that make separate runs differ by tens of percent.
func BenchmarkQueuePutGetPaired(b *testing.B) {
	q := hotredis.NewQueue[string]("bench:queue-paired", ownClient(b))
	q.Delete(ctx)
	defer q.Delete(ctx)
	c := rawRueidis(b)
	k := "bench:raw-paired"
	c.Do(ctx, c.B().Del().Key(k).Build())
	hot := make([]time.Duration, 0, b.N)
	raw := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		if err := q.Put(ctx, "v"); err != nil {
			b.Fatal(err)
		}
		if _, err := q.Get(ctx); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := c.Do(ctx, c.B().Lpush().Key(k).Element("v").Build()).Error(); err != nil {
			b.Fatal(err)
		}
		if err := c.Do(ctx, c.B().Brpop().Key(k).Timeout(1).Build()).Error(); err != nil {
			b.Fatal(err)
		}
		hot = append(hot, t1.Sub(t0))
		raw = append(raw, time.Since(t1))
	}
	slices.Sort(hot)
	slices.Sort(raw)
	h, r := hot[len(hot)/2], raw[len(raw)/2]
	b.ReportMetric(float64(h.Nanoseconds())/1e3, "hot-µs")
	b.ReportMetric(float64(r.Nanoseconds())/1e3, "raw-µs")
	b.ReportMetric(float64(h)/float64(r), "hot/raw")
}

// queueThroughput runs 8 producers and 8 consumers moving b.N items.
func queueThroughput(b *testing.B, put func(i int) error, get func() error) {
	b.ReportAllocs()
	const workers = 8
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < b.N; i += workers {
				if err := put(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for i := w; i < b.N; i += workers {
				if err := get(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkQueueThroughput8x8(b *testing.B) {
	q := hotredis.NewQueue[int]("bench:queue-8x8", ownClient(b))
	q.Delete(ctx)
	defer q.Delete(ctx)
	queueThroughput(b, func(i int) error { return q.Put(ctx, i) },
		func() error { _, err := q.Get(ctx); return err })
}

func BenchmarkRawThroughput8x8(b *testing.B) {
	c := rawRueidis(b)
	k := "bench:raw-8x8"
	c.Do(ctx, c.B().Del().Key(k).Build())
	queueThroughput(b, func(i int) error {
		return c.Do(ctx, c.B().Rpush().Key(k).Element(strconv.Itoa(i)).Build()).Error()
	}, func() error {
		return c.Do(ctx, c.B().Blpop().Key(k).Timeout(1).Build()).Error()
	})
}

// queueHandoff measures, b.N times, the time from the start of a put to
// the return of a get that was already waiting on the server.
func queueHandoff(b *testing.B, put func() error, get func(context.Context) error) {
	lat := make([]time.Duration, 0, b.N)
	ready := make(chan struct{}, 1)
	got := make(chan time.Time)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			ready <- struct{}{}
			if err := get(gctx); err != nil {
				close(got)
				return
			}
			got <- time.Now()
		}
	}()
	b.ResetTimer()
	for range b.N {
		<-ready
		time.Sleep(300 * time.Microsecond) // let the get reach the server and block
		start := time.Now()
		if err := put(); err != nil {
			b.Fatal(err)
		}
		end, ok := <-got
		if !ok {
			b.Fatal("get failed")
		}
		lat = append(lat, end.Sub(start))
	}
	b.StopTimer()
	cancel()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

func BenchmarkQueueHandoff(b *testing.B) {
	q := hotredis.NewQueue[string]("bench:queue-handoff", ownClient(b))
	q.Delete(ctx)
	defer q.Delete(ctx)
	queueHandoff(b, func() error { return q.Put(ctx, "v") },
		func(ctx context.Context) error { _, err := q.Get(ctx); return err })
}

func BenchmarkSetQueueHandoff(b *testing.B) {
	q := hotredis.NewSetQueue[string]("bench:setqueue-handoff", ownClient(b))
	q.Delete(ctx)
	defer q.Delete(ctx)
	queueHandoff(b, func() error { _, err := q.Put(ctx, "v"); return err },
		func(ctx context.Context) error { _, err := q.Get(ctx); return err })
}

// BenchmarkQueueHandoffPut measures a bounded put blocked on a full queue,
// from the start of the get that frees space to the put's return.
func BenchmarkQueueHandoffPut(b *testing.B) {
	q := hotredis.NewQueue[string]("bench:queue-handoff-put", ownClient(b), hotredis.WithMaxSize(1))
	q.Delete(ctx)
	defer q.Delete(ctx)
	q.Put(ctx, "v")
	queueHandoff(b, func() error { _, err := q.Get(ctx); return err },
		func(ctx context.Context) error { return q.Put(ctx, "v") })
}

func BenchmarkRawHandoff(b *testing.B) {
	c := rawRueidis(b)
	k := "bench:raw-handoff"
	c.Do(ctx, c.B().Del().Key(k).Build())
	queueHandoff(b, func() error {
		return c.Do(ctx, c.B().Rpush().Key(k).Element("v").Build()).Error()
	}, func(ctx context.Context) error {
		for ctx.Err() == nil {
			r, err := c.Do(ctx, c.B().Blpop().Key(k).Timeout(1).Build()).ToArray()
			if err == nil && len(r) > 0 {
				return nil
			}
			if err != nil && !rueidis.IsRedisNil(err) {
				return err
			}
		}
		return ctx.Err()
	})
}
