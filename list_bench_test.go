package hotredis_test

import (
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
)

// Each List operation is measured beside the raw command it sends, with
// the same server in the same run, so the ratio is the library's overhead:
//
//	go test -run '^$' -bench 'List|Raw' -benchmem .
//
// "Parallel" variants run 64 goroutines (b.SetParallelism(32) on 2 CPUs).

func rawRueidis(b *testing.B) rueidis.Client {
	c, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

func rawGoRedis(b *testing.B) *redis.Client {
	c := srv.GoRedis()
	b.Cleanup(func() { c.Close() })
	return c
}

// bench runs op once per iteration, serially or from 64 goroutines.
func bench(b *testing.B, parallel bool, op func() error) {
	b.ReportAllocs()
	if !parallel {
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := op(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func benchModes(b *testing.B, f func(b *testing.B, parallel bool)) {
	b.Run("serial", func(b *testing.B) { f(b, false) })
	b.Run("parallel", func(b *testing.B) { f(b, true) })
}

func BenchmarkListAppend(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:append")
		defer l.Delete(ctx)
		bench(b, p, func() error { _, err := l.Append(ctx, "v"); return err })
	})
}

func BenchmarkListAppendGoRedis(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:append-gr", hotredis.WithClient(hotredis.WrapGoRedis(rawGoRedis(b))))
		defer l.Delete(ctx)
		bench(b, p, func() error { _, err := l.Append(ctx, "v"); return err })
	})
}

func BenchmarkRawRPUSH(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawRueidis(b)
		defer c.Do(ctx, c.B().Del().Key("bench:raw-rpush").Build())
		bench(b, p, func() error {
			return c.Do(ctx, c.B().Rpush().Key("bench:raw-rpush").Element("v").Build()).Error()
		})
	})
}

func BenchmarkRawRPUSHGoRedis(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawGoRedis(b)
		defer c.Del(ctx, "bench:raw-rpush-gr")
		bench(b, p, func() error { return c.RPush(ctx, "bench:raw-rpush-gr", "v").Err() })
	})
}

func BenchmarkListGet(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:get")
		_ = l.Replace(ctx, "a", "b", "c")
		defer l.Delete(ctx)
		bench(b, p, func() error { _, err := l.Get(ctx, 1); return err })
	})
}

func BenchmarkRawLINDEX(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawRueidis(b)
		l := hotredis.NewList[string]("bench:raw-lindex")
		_ = l.Replace(ctx, "a", "b", "c")
		defer l.Delete(ctx)
		bench(b, p, func() error {
			_, err := c.Do(ctx, c.B().Lindex().Key("bench:raw-lindex").Index(1).Build()).ToString()
			return err
		})
	})
}

func BenchmarkListLen(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:len")
		bench(b, p, func() error { _, err := l.Len(ctx); return err })
	})
}

func BenchmarkRawLLEN(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawRueidis(b)
		bench(b, p, func() error { return c.Do(ctx, c.B().Llen().Key("bench:raw-llen").Build()).Error() })
	})
}

func BenchmarkListPop(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:pop")
		_ = l.Delete(ctx)
		bench(b, p, func() error {
			// Pop on an empty list is ErrEmpty; keep it non-empty by
			// measuring a pipelined pair is not the point: measure Pop of
			// whatever is there and ignore emptiness.
			_, err := l.Pop(ctx)
			if err != nil && !isEmpty(err) {
				return err
			}
			return nil
		})
	})
}

func BenchmarkRawRPOP(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		c := rawRueidis(b)
		bench(b, p, func() error {
			err := c.Do(ctx, c.B().Rpop().Key("bench:raw-rpop").Build()).Error()
			if rueidis.IsRedisNil(err) {
				return nil
			}
			return err
		})
	})
}

func BenchmarkListInsert(b *testing.B) {
	benchModes(b, func(b *testing.B, p bool) {
		l := hotredis.NewList[string]("bench:insert")
		_ = l.Replace(ctx, "a", "b", "c")
		defer l.Delete(ctx)
		bench(b, p, func() error { return l.Insert(ctx, 1, "x") })
	})
}

func isEmpty(err error) bool { return errors.Is(err, hotredis.ErrEmpty) }

// BenchmarkListValues reads a whole list of each size, beside the raw
// LRANGE 0 -1 of the same list from go-redis and from rueidis. Up to
// 10,000 elements come in one step; a longer list in LRANGE steps of
// 10,000 under WATCH (list_steps.go).
func BenchmarkListValues(b *testing.B) {
	wholeReads(b, "bench:values:", []int{100, 1_000, 10_000, 50_000},
		func(k string, n int) (func() error, error) {
			l := hotredis.NewList[string](k)
			return func() error { _, err := l.Values(ctx); return err }, l.Replace(ctx, numbered("element-", n)...)
		},
		func(rdb *redis.Client, k string) error { return rdb.LRange(ctx, k, 0, -1).Err() },
		func(c rueidis.Client, k string) error {
			_, err := c.Do(ctx, c.B().Lrange().Key(k).Start(0).Stop(-1).Build()).AsStrSlice()
			return err
		})
}
