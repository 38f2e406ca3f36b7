package hotredis_test

import (
	"context"
	"testing"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/lua"
)

// benchOp measures op from one goroutine ("single") and from many
// ("parallel", GOMAXPROCS*16 goroutines sharing the client).
func benchOp(b *testing.B, op func() error) {
	b.Run("single", func(b *testing.B) {
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// benchRaw measures the same command sent by rueidis and by go-redis
// straight to the shared server.
func benchRaw(b *testing.B, rue func(rueidis.Client) rueidis.Completed, goredis func() error) {
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	b.Run("rueidis", func(b *testing.B) {
		benchOp(b, func() error { return rc.Do(ctx, rue(rc)).Error() })
	})
	b.Run("goredis", func(b *testing.B) { benchOp(b, goredis) })
}

func BenchmarkIntAdd(b *testing.B) {
	i := hotredis.NewInt(key(b))
	defer i.Delete(ctx)
	benchOp(b, func() error { _, err := i.Add(ctx, 1); return err })
}

func BenchmarkRawINCRBY(b *testing.B) {
	k := key(b)
	rdb := srv.GoRedis()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	benchRaw(b, func(c rueidis.Client) rueidis.Completed { return c.B().Incrby().Key(k).Increment(1).Build() },
		func() error { return rdb.IncrBy(ctx, k, 1).Err() })
}

func BenchmarkIntMul(b *testing.B) {
	i := hotredis.NewInt(key(b))
	defer i.Delete(ctx)
	i.Store(ctx, 1<<60+1)
	benchOp(b, func() error { _, err := i.Mul(ctx, 1); return err })
}

// BenchmarkRawEVALSHAIntArith sends Int.Mul's script itself (with its
// libraries, as the library sends it).
func BenchmarkRawEVALSHAIntArith(b *testing.B) {
	script := lua.Load("int_arith")
	src, sha := script.Src, script.SHA
	k := key(b)
	rdb := srv.GoRedis()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	rdb.ScriptLoad(ctx, string(src))
	rdb.Set(ctx, k, 1<<60+1, 0)
	benchRaw(b, func(c rueidis.Client) rueidis.Completed {
		return c.B().Evalsha().Sha1(sha).Numkeys(1).Key(k).Arg("mul", "1").Build()
	}, func() error { return rdb.EvalSha(ctx, sha, []string{k}, "mul", "1").Err() })
}

// BenchmarkIntAddCancellable is Int.Add with a context that can be
// cancelled, as a request handler's is (BenchmarkIntAdd's cannot): on the
// shared connections such a call goes straight to rueidis only while they
// are up (internal/backend/steady.go). Compare BenchmarkRawINCRBYCancellable.
func BenchmarkIntAddCancellable(b *testing.B) {
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	i := hotredis.NewInt(key(b))
	defer i.Delete(ctx)
	benchOp(b, func() error { _, err := i.Add(c, 1); return err })
}

// BenchmarkRawINCRBYCancellable is INCRBY by raw rueidis with a context
// that can be cancelled.
func BenchmarkRawINCRBYCancellable(b *testing.B) {
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	k := key(b)
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr}, DisableCache: true})
	if err != nil {
		b.Fatal(err)
	}
	defer rc.Close()
	defer rc.Do(ctx, rc.B().Del().Key(k).Build())
	benchOp(b, func() error { return rc.Do(c, rc.B().Incrby().Key(k).Increment(1).Build()).Error() })
}
