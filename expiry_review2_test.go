package hotredis_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// From the second review of what expires on its own (fc4901b..0835c41):
// another handle's Expire (short and long), Persist, and both in either
// order, while the object is in use. Each subtest asserts what the type
// promises.

// expiryOrders are the expiry changes another handle makes.
var expiryOrders = map[string]func(t *testing.T, o expiring){
	"Expire": func(t *testing.T, o expiring) { must[bool](t)(o.Expire(ctx, time.Millisecond)) },
	"ExpirePersist": func(t *testing.T, o expiring) {
		// (Short, but longer than any stall between the two calls of a
		// loaded machine.)
		must[bool](t)(o.Expire(ctx, 250*time.Millisecond))
		must[bool](t)(o.Persist(ctx))
	},
	"PersistExpire": func(t *testing.T, o expiring) {
		must[bool](t)(o.Persist(ctx))
		must[bool](t)(o.Expire(ctx, time.Millisecond))
	},
	"ExpireLong":     func(t *testing.T, o expiring) { must[bool](t)(o.Expire(ctx, time.Hour)) },
	"ExpireLongPers": func(t *testing.T, o expiring) { must[bool](t)(o.Expire(ctx, time.Hour)); must[bool](t)(o.Persist(ctx)) },
}

// Once: f runs once, and a Do waiting for the run returns nil when it
// succeeds, whatever another handle does to the expiry meanwhile.
func TestExpiryReviewOnceExpiryWhileRunning(t *testing.T) {
	for name, change := range expiryOrders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			var runs atomic.Int32
			finish := whileRunning(func(f func(context.Context) error) error {
				return hotredis.NewOnce(k).Do(ctx, func(c context.Context) error { runs.Add(1); return f(c) })
			})
			change(t, hotredis.NewOnce(k))
			time.Sleep(80 * time.Millisecond)
			waiter := make(chan error, 1)
			go func() {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				waiter <- hotredis.NewOnce(k).Do(c, func(context.Context) error { runs.Add(1); return nil })
			}()
			time.Sleep(100 * time.Millisecond)
			noErr(t, finish())
			if err := <-waiter; err != nil {
				t.Errorf("a Do waiting for the run: %v", err)
			}
			if n := runs.Load(); n != 1 {
				t.Errorf("f ran %d times", n)
			}
		})
	}
}

// Event: a Wait blocked on a clear event returns when another handle
// sets it, after another's expiry changes.
func TestExpiryReviewEventExpiryWhileWaiting(t *testing.T) {
	for name, change := range expiryOrders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			e := hotredis.NewEvent(k)
			noErr(t, e.Set(ctx))
			noErr(t, e.Clear(ctx)) // (the stream exists)
			got := make(chan error, 1)
			go func() {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				got <- hotredis.NewEvent(k).Wait(c)
			}()
			time.Sleep(100 * time.Millisecond)
			change(t, hotredis.NewEvent(k))
			time.Sleep(80 * time.Millisecond)
			noErr(t, e.Set(ctx))
			if err := <-got; err != nil {
				t.Errorf("Wait: %v", err)
			}
		})
	}
}

// WaitGroup: a Wait with a member running (Go) waits for it, then
// returns nil, when the changes leave the group in place (long Expire,
// Persist); after a short Expire the group is gone and Wait returns.
func TestExpiryReviewWaitGroupExpiryWhileAMemberRuns(t *testing.T) {
	for name, change := range expiryOrders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			finish := whileRunning(func(f func(context.Context) error) error { return hotredis.NewWaitGroup(k).Go(ctx, f) })
			change(t, hotredis.NewWaitGroup(k))
			time.Sleep(80 * time.Millisecond)
			got := make(chan error, 1)
			go func() {
				c, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				got <- hotredis.NewWaitGroup(k).Wait(c)
			}()
			time.Sleep(150 * time.Millisecond)
			short := name == "Expire" || name == "PersistExpire"
			if !short {
				select {
				case err := <-got:
					t.Fatalf("Wait returned %v with a member running", err)
				default:
				}
			}
			err := finish()
			if !short {
				noErr(t, err)
			}
			if err := <-got; err != nil && !short {
				t.Errorf("Wait: %v", err)
			}
		})
	}
}

// A bounded queue: a Put blocked on a full queue goes in once a Get
// frees room, and a Join waits for the tasks left, after another
// handle's long expiry changes; after a short Expire the put goes in
// (the queue is gone) within a few seconds.
func TestExpiryReviewQueueBlockedPutAndJoinAfterExpiryChanges(t *testing.T) {
	for name, change := range expiryOrders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			q := hotredis.NewQueue[string](k, hotredis.WithMaxSize(1))
			noErr(t, q.Put(ctx, "a"))
			put := make(chan error, 1)
			go func() {
				c, cancel := context.WithTimeout(ctx, 8*time.Second)
				defer cancel()
				put <- hotredis.NewQueue[string](k, hotredis.WithMaxSize(1)).Put(c, "b")
			}()
			time.Sleep(150 * time.Millisecond)
			change(t, hotredis.NewQueue[string](k, hotredis.WithMaxSize(1)))
			time.Sleep(80 * time.Millisecond)
			short := name == "Expire" || name == "PersistExpire"
			if !short {
				if v := must[string](t)(q.Get(ctx)); v != "a" {
					t.Fatalf("Get = %q", v)
				}
				noErr(t, q.TaskDone(ctx))
			}
			if err := <-put; err != nil {
				t.Fatalf("the blocked Put: %v", err)
			}
			jc, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			defer cancel()
			if err := q.Join(jc); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Join with b outstanding = %v, want it to wait", err)
			}
			if v := must[string](t)(q.Get(ctx)); v != "b" {
				t.Fatalf("Get = %q", v)
			}
			noErr(t, q.TaskDone(ctx))
			jc2, cancel2 := context.WithTimeout(ctx, 3*time.Second)
			defer cancel2()
			noErr(t, q.Join(jc2))
		})
	}
}

// Semaphore and BoundedSemaphore, RWLock: no permit too many after the
// changes, and the holder's release frees it.
func TestExpiryReviewLinesExpiryWhileHeld(t *testing.T) {
	for name, change := range expiryOrders {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			h := hotredis.NewBoundedSemaphore(k, 1)
			noErr(t, h.Acquire(ctx))
			change(t, hotredis.NewBoundedSemaphore(k, 1))
			time.Sleep(80 * time.Millisecond)
			if must[bool](t)(hotredis.NewBoundedSemaphore(k, 1).TryAcquire(ctx)) {
				t.Fatal("a second permit of one")
			}
			noErr(t, h.Release(ctx))
			o := hotredis.NewBoundedSemaphore(k, 1)
			if !must[bool](t)(o.TryAcquire(ctx)) {
				t.Fatal("no permit after the release")
			}
			noErr(t, o.Release(ctx))

			rw := hotredis.NewRWLock(k + ":rw")
			noErr(t, rw.Acquire(ctx))
			change(t, hotredis.NewRWLock(k+":rw"))
			time.Sleep(80 * time.Millisecond)
			c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if err := hotredis.NewRWLock(k + ":rw").AcquireRead(c); err == nil {
				t.Fatal("a reader got in while the writer holds the lock")
			}
			noErr(t, rw.Release(ctx))
		})
	}
}

// A long rebuild (a List's Reverse in steps, into a scratch key) keeps
// what another handle's Expire or Persist made of the list meanwhile, and
// leaves no scratch key without an expiry.
func TestExpiryReviewListRebuildKeepsAnExpiryChangeMadeMeanwhile(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, c := range []struct {
		name   string
		before func(l *hotredis.List[int])
		change func(l *hotredis.List[int])
		want   func(time.Duration) bool
	}{
		{"Persist", func(l *hotredis.List[int]) { must[bool](t)(l.Expire(ctx, time.Hour)) },
			func(l *hotredis.List[int]) { must[bool](t)(l.Persist(ctx)) },
			func(d time.Duration) bool { return d == hotredis.NoTTL }},
		{"Expire", func(*hotredis.List[int]) {},
			func(l *hotredis.List[int]) { must[bool](t)(l.Expire(ctx, 2*time.Hour)) },
			func(d time.Duration) bool { return d > 119*time.Minute }},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := key(t)
			l := hotredis.NewList[int](k)
			vs := make([]int, 20000)
			for i := range vs {
				vs[i] = i
			}
			noErr(t, l.Replace(ctx, vs...))
			c.before(l)
			var fired atomic.Bool
			hotredis.DuringRebuilds(func() {
				if fired.CompareAndSwap(false, true) {
					c.change(hotredis.NewList[int](k))
				}
			})
			defer hotredis.DuringRebuilds(nil)
			noErr(t, l.Reverse(ctx))
			if !fired.Load() {
				t.Skip("the Reverse took no steps")
			}
			if d := must[time.Duration](t)(l.TTL(ctx)); !c.want(d) {
				t.Errorf("after the Reverse, TTL = %v", d)
			}
			if v := must[int](t)(l.Get(ctx, 0)); v != 19999 {
				t.Errorf("first = %d", v)
			}
			for _, s := range must[[]string](t)(rdb.Keys(ctx, "*"+k+"*").Result()) {
				if d := rdb.PTTL(ctx, s).Val(); s != k && d == -1 {
					t.Errorf("%q left without an expiry", s)
				}
			}
		})
	}
}
