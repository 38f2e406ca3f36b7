package hotredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// A waiter whose registration and the line's keys ran out (its
// connection stalled) comes back, with its old ticket, to a lock that a
// newcomer took by lock_acquire_quick meanwhile (the line was gone): it
// marks that holding, and the newcomer's release hands the lock to it in
// its own step.
func TestLockWaiterComingBackMarksAQuickHolding(t *testing.T) {
	srv := hotredistest.NewServer(t)
	rdb := srv.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	k := key(t)
	first := hotredis.NewLock(k, hotredis.WithClient(srv.Client(t)))
	noErr(t, first.Acquire(ctx))
	p := hotredistest.NewProxy(t, srv.Addr)
	w := hotredis.NewLock(k, hotredis.WithClient(faultyClient(t, "rueidis", p.Addr())))
	got := make(chan error, 1)
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	go func() { got <- w.Acquire(wctx) }()
	waitInLineOn(t, rdb, k, 1)
	if rdb.HGet(ctx, k, "q").Val() == "" {
		t.Fatal("no mark after a wait joined")
	}
	p.Stall(hotredistest.Both)
	waitInLineOn(t, rdb, k, 0) // the line's keys ran out
	noErr(t, first.Release(ctx))
	if rdb.Exists(ctx, k).Val() != 0 {
		t.Fatalf("lock not freed: %v", rdb.HGetAll(ctx, k).Val())
	}
	second := hotredis.NewLock(k, hotredis.WithClient(srv.Client(t)))
	noErr(t, second.Acquire(ctx)) // lock_acquire_quick: free, no line
	if h := rdb.HGetAll(ctx, k).Val(); h["q"] != "" || h["g"] != "" {
		t.Fatalf("a fresh holding with fields of an old one: %v", h)
	}
	p.Resume(hotredistest.Both)
	waitInLineOn(t, rdb, k, 1) // back, with its ticket
	if rdb.HGet(ctx, k, "q").Val() == "" {
		t.Fatalf("the waiter came back to a quick holding and did not mark it: %v", rdb.HGetAll(ctx, k).Val())
	}
	noErr(t, second.Release(ctx))
	if owner := rdb.HGet(ctx, k, "owner").Val(); owner == "" {
		t.Fatal("the release freed the lock instead of handing it to the waiter that came back")
	}
	select {
	case err := <-got:
		noErr(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter was not served")
	}
	noErr(t, w.Release(ctx))
}

// A holding lock_acquire_quick took hands on to whoever joined the line
// since (its mark q): an RLock re-entered after or before the waiter
// joined, a Lock whose own handle's second goroutine waits, and a waiter
// that gave up (the mark stays: the release goes the long way, frees the
// lock, and the next holding is unmarked).
func TestLockQuickHoldingsHandOnToWhoJoinedSince(t *testing.T) {
	t.Run("rlock", func(t *testing.T) {
		k := key(t)
		rdb := rawClient()
		defer rdb.Close()
		a, b := hotredis.NewRLock(k), hotredis.NewRLock(k)
		noErr(t, a.Acquire(ctx))
		got := make(chan error, 1)
		go func() { got <- b.Acquire(ctx) }()
		waitInLine(t, k, 1)
		noErr(t, a.Acquire(ctx)) // re-entry
		noErr(t, a.Release(ctx))
		if c := rdb.HGet(ctx, k, "count").Val(); c != "1" {
			t.Fatalf("count %q after the inner release", c)
		}
		noErr(t, a.Release(ctx))
		if owner := rdb.HGet(ctx, k, "owner").Val(); owner == "" {
			t.Fatal("the last release freed the lock instead of handing it on")
		}
		noErr(t, <-got)
		noErr(t, b.Release(ctx))
		if rdb.Exists(ctx, k).Val() != 0 {
			t.Fatalf("left: %v", rdb.HGetAll(ctx, k).Val())
		}
	})
	t.Run("rlock-reentry-first", func(t *testing.T) {
		k := key(t)
		rdb := rawClient()
		defer rdb.Close()
		a, b := hotredis.NewRLock(k), hotredis.NewRLock(k)
		noErr(t, a.Acquire(ctx))
		noErr(t, a.Acquire(ctx)) // re-entry
		noErr(t, a.Release(ctx))
		got := make(chan error, 1)
		go func() { got <- b.Acquire(ctx) }()
		waitInLine(t, k, 1)
		noErr(t, a.Release(ctx))
		if owner := rdb.HGet(ctx, k, "owner").Val(); owner == "" {
			t.Fatal("the last release freed the lock instead of handing it on")
		}
		noErr(t, <-got)
		noErr(t, b.Release(ctx))
	})
	t.Run("lock-same-handle", func(t *testing.T) {
		k := key(t)
		rdb := rawClient()
		defer rdb.Close()
		a := hotredis.NewLock(k)
		noErr(t, a.Acquire(ctx))
		got := make(chan error, 1)
		go func() { got <- a.Acquire(ctx) }()
		waitInLine(t, k, 1)
		noErr(t, a.Release(ctx))
		if owner := rdb.HGet(ctx, k, "owner").Val(); owner == "" {
			t.Fatal("the release freed the lock instead of handing it to the handle's own waiter")
		}
		noErr(t, <-got)
		noErr(t, a.Release(ctx))
	})
	t.Run("cancelled-waiter-leaves-mark", func(t *testing.T) {
		k := key(t)
		rdb := rawClient()
		defer rdb.Close()
		a, b := hotredis.NewLock(k), hotredis.NewLock(k)
		noErr(t, a.Acquire(ctx))
		bctx, cancel := context.WithCancel(ctx)
		got := make(chan error, 1)
		go func() { got <- b.Acquire(bctx) }()
		waitInLine(t, k, 1)
		cancel()
		<-got
		waitInLine(t, k, 0)
		if rdb.HGet(ctx, k, "q").Val() == "" {
			t.Fatal("no mark")
		}
		noErr(t, a.Release(ctx)) // quick: -1 (the mark), then the full release: free
		if rdb.Exists(ctx, k).Val() != 0 {
			t.Fatalf("left held: %v", rdb.HGetAll(ctx, k).Val())
		}
		c := hotredis.NewLock(k)
		ok, err := c.TryAcquire(ctx)
		if err != nil || !ok {
			t.Fatalf("TryAcquire after: %v %v", ok, err)
		}
		if rdb.HGet(ctx, k, "q").Val() != "" {
			t.Fatal("mark on a fresh holding")
		}
		noErr(t, c.Release(ctx))
	})
}
