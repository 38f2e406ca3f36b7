package hotredis_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// TestBlockingSurvivesSlotMigration: a queue Get and a lock Acquire wait
// on the server while their slot moves to another master (resharding). A
// Put and a Release made mid-move, when the object's keys are split
// between the two masters, and a Put made after it, reach the waiting
// callers within their contexts, with nothing lost or delivered twice.
func TestBlockingSurvivesSlotMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped with -short")
	}
	onceOnly(t)
	cl := hotredistest.NewCluster(t)
	c := cl.Client(t)
	const tag = "{migrate}"
	q := hotredis.NewQueue[string](tag+":queue", hotredis.WithClient(c))
	holder := hotredis.NewLock(tag+":lock", hotredis.WithClient(c))
	waiter := hotredis.NewLock(tag+":lock", hotredis.WithClient(c))
	noErr(t, q.Put(ctx, "before")) // so that the slot holds several keys
	if v := value(q.Get(ctx))(t); v != "before" {
		t.Fatalf("Get = %q", v)
	}
	noErr(t, holder.Acquire(ctx))
	first := holder.Token()

	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got := make(chan string, 2)
	getter := func() {
		v, err := q.Get(wctx)
		if err != nil {
			v = "error: " + err.Error()
		}
		got <- v
	}
	go getter()
	acquired := make(chan error, 1)
	go func() { acquired <- waiter.Acquire(wctx) }()
	time.Sleep(200 * time.Millisecond) // both wait on the server now

	rdb := cl.GoRedis()
	defer rdb.Close()
	slot := int(value(rdb.ClusterKeySlot(ctx, tag+":queue").Result())(t))
	dst := cl.Nodes[0]
	if owner, _ := cl.SlotOwner(ctx, slot); owner == dst {
		dst = cl.Nodes[1]
	}
	m, err := cl.StartSlotMigration(ctx, slot, dst)
	noErr(t, err)
	n, err := m.MoveKeys(ctx, 1)
	noErr(t, err)
	t.Logf("slot %d: %d key moved from %s to %s, the others not yet", slot, n, m.From().Addr, dst.Addr)

	// Mid-move, the object's scripts meet TRYAGAIN (keys split) or ASK.
	during := make(chan error, 2)
	go func() { during <- q.Put(wctx, "during") }()
	go func() { during <- holder.Release(wctx) }()
	time.Sleep(100 * time.Millisecond)
	_, err = m.MoveKeys(ctx, 0)
	noErr(t, err)
	noErr(t, m.Finish(ctx))
	finished := time.Now()
	if owner, _ := cl.SlotOwner(ctx, slot); owner != dst {
		t.Fatalf("slot %d is served by %v after the move, want %s", slot, owner, dst.Addr)
	}
	for range 2 {
		noErr(t, <-during)
	}
	select {
	case v := <-got:
		if v != "during" {
			t.Errorf("the waiting Get returned %q, want \"during\"", v)
		}
	case <-wctx.Done():
		t.Fatal("the waiting Get did not receive the Put made during the move")
	}
	select {
	case err := <-acquired:
		noErr(t, err)
	case <-wctx.Done():
		t.Fatal("the waiting Acquire did not get the lock released during the move")
	}
	t.Logf("the put and the release reached the waiters %v after the move finished", time.Since(finished).Round(time.Millisecond))
	if waiter.Token() <= first {
		t.Errorf("fencing token %d after %d", waiter.Token(), first)
	}
	d := redis.NewClient(&redis.Options{Addr: dst.Addr})
	defer d.Close()
	if n := value(d.Exists(ctx, tag+":lock").Result())(t); n != 1 {
		t.Error("the lock is not on the slot's new owner")
	}

	// After the move: a new wait, a new put.
	go getter()
	time.Sleep(50 * time.Millisecond)
	noErr(t, q.Put(ctx, "after"))
	if v := <-got; v != "after" {
		t.Errorf("Get after the move = %q", v)
	}
	noErr(t, waiter.Release(ctx))
	if n := value(q.Len(ctx))(t); n != 0 {
		t.Errorf("%d items left in the queue: delivered twice or not at all", n)
	}
}

// TestOptimisticSurvivesSlotMigration: an optimistic transaction on two
// keys of a slot that moves meets the move (keys split between masters:
// TRYAGAIN; then the new owner: MOVED) and runs again until it commits,
// exactly once.
func TestOptimisticSurvivesSlotMigration(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test skipped with -short")
	}
	onceOnly(t)
	cl := hotredistest.NewCluster(t)
	c := cl.Client(t)
	const tag = "{optmove}"
	a := hotredis.NewInt(tag+":a", hotredis.WithClient(c))
	b := hotredis.NewInt(tag+":b", hotredis.WithClient(c))
	noErr(t, a.Store(ctx, 10))
	noErr(t, b.Store(ctx, 0))

	rdb := cl.GoRedis()
	defer rdb.Close()
	slot := int(value(rdb.ClusterKeySlot(ctx, tag+":a").Result())(t))
	dst := cl.Nodes[0]
	if owner, _ := cl.SlotOwner(ctx, slot); owner == dst {
		dst = cl.Nodes[1]
	}
	m, err := cl.StartSlotMigration(ctx, slot, dst)
	noErr(t, err)
	_, err = m.MoveKeys(ctx, 1)
	noErr(t, err)

	// Move 3 from a to b, atomically, while the keys are split.
	runs := 0
	done := make(chan error, 1)
	go func() {
		done <- c.Optimistic(ctx, func(ctx context.Context) error {
			runs++
			x, err := a.Load(ctx)
			if err != nil {
				return err
			}
			y, err := b.Load(ctx)
			if err != nil {
				return err
			}
			if err := a.Store(ctx, x-3); err != nil {
				return err
			}
			return b.Store(ctx, y+3)
		}, a, b)
	}()
	time.Sleep(200 * time.Millisecond)
	_, err = m.MoveKeys(ctx, 0)
	noErr(t, err)
	noErr(t, m.Finish(ctx))
	select {
	case err := <-done:
		noErr(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("Optimistic did not finish after the move")
	}
	if x, y := value(a.Load(ctx))(t), value(b.Load(ctx))(t); x != 7 || y != 3 {
		t.Errorf("after the transfer a=%d b=%d, want 7 and 3 (applied once)", x, y)
	}
	t.Logf("fn ran %d times", runs)
}
