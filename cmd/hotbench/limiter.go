package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

func init() { benches["limiter"] = benchLimiter }

// benchLimiter compares Limiter.Allow with go-redis/redis_rate's Allow
// (GCRA on go-redis, also one script per decision), from one goroutine and
// from 64, in alternating rounds on one server. Each side has its own keys:
// a decision that admits and one that refuses cost the same script, so
// the limit (1e9/s, burst 1e9: always admitted; 1/s, burst 1: refused
// after the first) is set for both outcomes.
func benchLimiter(url string) error {
	ctx := context.Background()
	hc, err := hotredis.NewClientURL(url)
	if err != nil {
		return err
	}
	defer hc.Close()
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	rl := redis_rate.NewLimiter(rdb)
	tag := strconv.FormatUint(rand.Uint64(), 36)
	fmt.Printf("load: %s; each pair alternates %d rounds over %v\n\n", loadAvg(), rounds, *duration)
	fmt.Println("| decision | goroutines | hotredis µs/op | redis_rate µs/op | ratio |")
	fmt.Println("|---|---|---|---|---|")
	for _, c := range []struct {
		name string
		r    float64
		b    int
		lim  redis_rate.Limit
	}{
		{"admitted", 1e9, 1e9, redis_rate.Limit{Rate: 1e9, Burst: 1e9, Period: 1e9}}, // Period 1s in ns
		{"refused", 1, 1, redis_rate.PerSecond(1)},
	} {
		l := hotredis.NewLimiter("bench:lim:"+c.name+":"+tag, c.r, c.b, hotredis.WithClient(hc))
		hot := func(ctx context.Context) error { _, err := l.Allow(ctx); return err }
		peer := func(ctx context.Context) error {
			_, err := rl.Allow(ctx, "bench:rr:"+c.name+":"+tag, c.lim)
			return err
		}
		for _, g := range []int{1, parallelism} {
			per, err := rotated(ctx, []func(context.Context) error{hot, peer}, g)
			if err != nil {
				return err
			}
			var ratio []float64
			for r := range per[0] {
				ratio = append(ratio, per[0][r]/per[1][r])
			}
			fmt.Printf("| %s | %d | %.1f | %.1f | %.2f |\n", c.name, g, median(per[0])/1e3, median(per[1])/1e3, median(ratio))
		}
		_ = l.Delete(ctx)
	}
	return nil
}
