package hotredis_test

import (
	"testing"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
)

func BenchmarkStringAppend(b *testing.B) {
	s := hotredis.NewString(key(b))
	defer s.Delete(ctx)
	benchOp(b, func() error { _, err := s.Append(ctx, "x"); return err })
}

func BenchmarkRawAPPEND(b *testing.B) {
	k := key(b)
	rdb := srv.GoRedis()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	benchRaw(b, func(c rueidis.Client) rueidis.Completed { return c.B().Append().Key(k).Value("x").Build() },
		func() error { return rdb.Append(ctx, k, "x").Err() })
}

// BenchmarkStringUpdate is a compare-and-set transform: two round trips.
func BenchmarkStringUpdate(b *testing.B) {
	s := hotredis.NewString(key(b))
	defer s.Delete(ctx)
	s.Set(ctx, "hello")
	flip := func(v string) string {
		if v == "hello" {
			return "HELLO"
		}
		return "hello"
	}
	benchOp(b, func() error { _, err := s.Update(ctx, flip); return err })
}
