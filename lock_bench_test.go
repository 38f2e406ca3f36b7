package hotredis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// BenchmarkLockAcquireRelease is one uncontended Acquire and Release: two
// scripts, two round trips. Compare BenchmarkRawSETNXDEL, the least a lock
// costs without owner checks or fencing.
func BenchmarkLockAcquireRelease(b *testing.B) {
	l := hotredis.NewLock(key(b))
	for b.Loop() {
		if err := l.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
		if err := l.Release(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewLock is what a lock made per request costs before it talks
// to Redis: its handle, and the names of its 22 keys.
func BenchmarkNewLock(b *testing.B) {
	b.ReportAllocs()
	var l *hotredis.Lock
	for b.Loop() {
		l = hotredis.NewLock("jobs:42:lock")
	}
	_ = l.Key()
}

// BenchmarkLockAcquireReleaseParallel: every goroutine its own lock.
func BenchmarkLockAcquireReleaseParallel(b *testing.B) {
	k := key(b)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		l := hotredis.NewLock(fmt.Sprint(k, ":", n.Add(1)))
		for pb.Next() {
			if err := l.Acquire(ctx); err != nil {
				b.Fatal(err)
			}
			if err := l.Release(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSemaphoreAcquireRelease(b *testing.B) {
	s := hotredis.NewSemaphore(key(b), 4)
	for b.Loop() {
		if err := s.Acquire(ctx); err != nil {
			b.Fatal(err)
		}
		if err := s.Release(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawSETNXDEL is SET NX PX then DEL with go-redis on the same
// server: a lock with no owner check on release.
func BenchmarkRawSETNXDEL(b *testing.B) {
	rdb := srv.GoRedis()
	defer rdb.Close()
	k := key(b)
	for b.Loop() {
		if err := rdb.SetNX(context.Background(), k, "x", 30*time.Second).Err(); err != nil {
			b.Fatal(err)
		}
		if err := rdb.Del(context.Background(), k).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
