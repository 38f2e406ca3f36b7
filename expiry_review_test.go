package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// A Persist after an Expire keeps the count of unfinished tasks, for
// every kind of queue: a Join still waits for the task once the Expire's
// time has passed. (A SetQueue's keys once got their marks of what
// expires on its own before its set's key went in among them, so the
// count was taken for a wake token and kept the expiry: the review of
// fc4901b.)
func TestQueuePersistAfterExpireKeepsTasksToJoin(t *testing.T) {
	rdb := rawClient()
	t.Cleanup(func() { rdb.Close() })
	type joinable interface {
		expiring
		Join(context.Context) error
	}
	for _, c := range []struct {
		name string
		make func(k string) joinable
	}{
		{"Queue", func(k string) joinable {
			x := hotredis.NewQueue[string](k)
			noErr(t, x.Put(ctx, "a"))
			return x
		}},
		{"SetQueue", func(k string) joinable {
			x := hotredis.NewSetQueue[string](k)
			must[bool](t)(x.Put(ctx, "a"))
			return x
		}},
		{"LifoSetQueue", func(k string) joinable {
			x := hotredis.NewLifoSetQueue[string](k)
			must[bool](t)(x.Put(ctx, "a"))
			return x
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			x := c.make(k)
			if !must[bool](t)(x.Expire(ctx, 1500*time.Millisecond)) {
				t.Fatal("Expire reported the queue missing")
			}
			if !must[bool](t)(x.Persist(ctx)) {
				t.Fatal("Persist reported nothing removed")
			}
			for _, s := range []string{"", ":unfinished"} {
				if d := must[time.Duration](t)(rdb.PTTL(ctx, k+s).Result()); d != -1 {
					t.Errorf("after Expire then Persist, %q has PTTL %v, want none", k+s, d)
				}
			}
			time.Sleep(1700 * time.Millisecond)
			jctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			if err := x.Join(jctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Join with a task outstanding returned %v, want it to wait", err)
			}
		})
	}
}

// A Persist after a short Expire keeps a Barrier's round whole: its
// waiters' set (whose leases are its scores) is persisted with the round.
// (fc4901b left the set its short expiry, as a lease's: it ran out before
// the waiter's next check renewed it, and the persisted round broke for
// good.)
func TestBarrierPersistAfterExpireKeepsTheRound(t *testing.T) {
	t.Parallel()
	k := key(t)
	b := hotredis.NewBarrier(k, 2)
	errs := make(chan error, 1)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	go func() { _, err := b.Wait(wctx); errs <- err }()
	rdb := rawClient()
	defer rdb.Close()
	waitFor(t, func() bool { return rdb.ZCard(ctx, k+":waiting").Val() == 1 })
	time.Sleep(100 * time.Millisecond)
	must[bool](t)(b.Expire(ctx, 250*time.Millisecond)) // (short, but longer than a stall between two calls)
	must[bool](t)(b.Persist(ctx))
	if d := rdb.PTTL(ctx, k+":waiting").Val(); d != -1 && d < time.Second {
		t.Errorf("after Persist, the waiters' set expires in %v", d)
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := hotredis.NewBarrier(k, 2).Wait(ctx); err != nil {
		t.Errorf("the second party's Wait after Expire and Persist: %v (want the round to complete)", err)
	}
	if err := <-errs; err != nil {
		t.Errorf("the first party's Wait: %v", err)
	}
}

// Expire and Persist reach every take's list over more than a page, with
// ties over the page bounds, deadlines as large as 1e20 ms (RESP2 writes
// them "1e+20") and ids that look like numbers, on rueidis, and on
// go-redis over RESP3 and over RESP2 (whose replies WITHSCORES differ).
func TestQueueExpiryChangesPageEveryTake(t *testing.T) {
	if onCluster() {
		t.Skip("single server")
	}
	resp2 := srv.GoRedis().Options()
	resp2.Protocol = 2
	r2 := redis.NewClient(resp2)
	defer r2.Close()
	r3 := srv.GoRedis()
	defer r3.Close()
	rdb := rawClient()
	defer rdb.Close()
	for name, c := range map[string]*hotredis.Client{
		"rueidis": client, "goredis3": hotredis.WrapGoRedis(r3), "goredis2": hotredis.WrapGoRedis(r2),
	} {
		t.Run(name, func(t *testing.T) {
			k := key(t)
			q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
			noErr(t, q.Put(ctx, "x"))
			var ids []string
			add := func(score float64, n int) {
				p := rdb.Pipeline()
				for range n {
					id := fmt.Sprint(len(ids))
					ids = append(ids, id)
					p.ZAdd(ctx, k+":reserved", redis.Z{Score: score, Member: id})
					p.RPush(ctx, k+":reserved:"+id, "item")
				}
				_, err := p.Exec(ctx)
				noErr(t, err)
			}
			add(4102444800000, 499)
			add(4102444800001, 1100)
			add(4102444800001.5, 3)
			add(1e20, 700)
			add(1.7976931348623157e308, 2)
			count := func(bad func(time.Duration) bool) (n int) {
				p := rdb.Pipeline()
				cmds := make([]*redis.DurationCmd, len(ids))
				for i, id := range ids {
					cmds[i] = p.PTTL(ctx, k+":reserved:"+id)
				}
				_, err := p.Exec(ctx)
				noErr(t, err)
				for _, c := range cmds {
					if bad(c.Val()) {
						n++
					}
				}
				return n
			}
			if !must[bool](t)(q.Expire(ctx, 10*time.Hour)) {
				t.Fatal("Expire reported the queue missing")
			}
			if n := count(func(d time.Duration) bool { return d < 9*time.Hour }); n > 0 {
				t.Errorf("after Expire, %d of %d take lists lack the expiry", n, len(ids))
			}
			must[bool](t)(q.Persist(ctx))
			if n := count(func(d time.Duration) bool { return d != -1 }); n > 0 {
				t.Errorf("after Persist, %d of %d take lists keep an expiry", n, len(ids))
			}
			noErr(t, q.Delete(ctx))
		})
	}
}
