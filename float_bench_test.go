package hotredis_test

import (
	"testing"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
)

func BenchmarkFloatAdd(b *testing.B) {
	f := hotredis.NewFloat(key(b))
	defer f.Delete(ctx)
	benchOp(b, func() error { _, err := f.Add(ctx, 1.5); return err })
}

func BenchmarkFloatAddIncrByFloat(b *testing.B) {
	f := hotredis.NewFloat(key(b), hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	benchOp(b, func() error { _, err := f.Add(ctx, 1.5); return err })
}

func BenchmarkRawINCRBYFLOAT(b *testing.B) {
	k := key(b)
	rdb := srv.GoRedis()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	benchRaw(b, func(c rueidis.Client) rueidis.Completed { return c.B().Incrbyfloat().Key(k).Increment(1.5).Build() },
		func() error { return rdb.IncrByFloat(ctx, k, 1.5).Err() })
}
