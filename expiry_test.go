package hotredis_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// expiring is what every object has to give and take its expiry.
type expiring interface {
	Expire(context.Context, time.Duration) (bool, error)
	Persist(context.Context) (bool, error)
}

// Expire and Persist act on what an object stores, not on the keys that
// expire on their own (leases, wake streams and tokens), which keep
// their expiry through both. Before, a Persist made a
// Queue's Join token, an Event's or a WaitGroup's wake stream and a
// Lock's lease permanent, and reported an expiry removed from an object
// that never had one.
func TestExpiryChangesLeaveWhatExpiresOnItsOwn(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, c := range []struct {
		name string
		// make builds the object at k; what it stores is in the keys
		// with the suffixes data ("" for k itself), what expires on its
		// own in those of timed.
		make        func(t *testing.T, k string) expiring
		data, timed []string
		// kept: the data expires at first (a barrier's round outlives
		// its last use by an hour).
		kept bool
	}{
		{"Queue", func(t *testing.T, k string) expiring {
			q := hotredis.NewQueue[string](k)
			noErr(t, q.Put(ctx, "x"))
			_, err := q.Get(ctx)
			noErr(t, err)
			noErr(t, q.TaskDone(ctx)) // (wakes Joins with a token)
			// An item put beside the token, as a program in HOT Redis's
			// layout does (a Put drops a stale token).
			noErr(t, rdb.RPush(ctx, k, "y").Err())
			noErr(t, rdb.Incr(ctx, k+":unfinished").Err())
			return q
		}, []string{"", ":unfinished"}, []string{":joined"}, false},
		{"Event", func(t *testing.T, k string) expiring {
			e := hotredis.NewEvent(k)
			noErr(t, e.Set(ctx))
			return e
		}, []string{""}, []string{":wake"}, false},
		{"WaitGroup", func(t *testing.T, k string) expiring {
			w := hotredis.NewWaitGroup(k)
			noErr(t, w.Add(ctx, 1))
			noErr(t, w.Done(ctx)) // (wakes Waits on the stream)
			noErr(t, w.Add(ctx, 1))
			return w
		}, []string{""}, []string{":wake"}, false},
		{"Lock", func(t *testing.T, k string) expiring {
			l := hotredis.NewLock(k)
			noErr(t, l.Acquire(ctx))
			return l
		}, nil, []string{"", ":fence"}, false},
		{"Semaphore", func(t *testing.T, k string) expiring {
			s := hotredis.NewSemaphore(k, 2)
			noErr(t, s.Acquire(ctx))
			return s
		}, nil, []string{"", ":state"}, false},
		{"BoundedSemaphore", func(t *testing.T, k string) expiring {
			s := hotredis.NewBoundedSemaphore(k, 2)
			noErr(t, s.Acquire(ctx)) // (its state counts only what leases hold)
			return s
		}, nil, []string{"", ":state"}, false},
		{"RWLock", func(t *testing.T, k string) expiring {
			l := hotredis.NewRWLock(k)
			noErr(t, l.AcquireRead(ctx))
			return l
		}, nil, []string{"", ":state"}, false},
		{"SetQueue", func(t *testing.T, k string) expiring {
			q := hotredis.NewSetQueue[string](k) // (its set's key comes second)
			must[bool](t)(q.Put(ctx, "x"))
			return q
		}, []string{"", "-set", ":unfinished"}, nil, false},
		{"Barrier", func(t *testing.T, k string) expiring {
			b := hotredis.NewBarrier(k, 2)
			errs := make(chan error, 2)
			for range 2 {
				go func() { _, err := b.Wait(ctx); errs <- err }()
			}
			noErr(t, <-errs)
			noErr(t, <-errs) // (the second Wait was woken through the stream)
			return b
		}, []string{""}, []string{":wake"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := key(t)
			o := c.make(t, k)
			pttl := func(suffix string) time.Duration {
				t.Helper()
				return must[time.Duration](t)(rdb.PTTL(ctx, k+suffix).Result())
			}
			own := map[string]time.Duration{}
			for _, s := range c.timed {
				if own[s] = pttl(s); own[s] <= 0 {
					t.Fatalf("setup: %q has PTTL %v, want its own expiry", k+s, own[s])
				}
			}
			if removed := must[bool](t)(o.Persist(ctx)); removed != c.kept {
				t.Errorf("the first Persist reported removed = %v", removed)
			}
			// (Expire reports whether it gave anything an expiry: a lock,
			// whose keys all go by themselves, gets none.)
			if set := must[bool](t)(o.Expire(ctx, 10*time.Hour)); set != (len(c.data) > 0) {
				t.Errorf("Expire reported %v", set)
			}
			for _, s := range c.data {
				if d := pttl(s); d < 9*time.Hour {
					t.Errorf("after Expire(10h), %q has PTTL %v", k+s, d)
				}
			}
			for _, s := range c.timed {
				if d := pttl(s); d <= 0 || d > own[s] {
					t.Errorf("after Expire(10h), %q has PTTL %v, where its own was %v", k+s, d, own[s])
				}
			}
			if removed := must[bool](t)(o.Persist(ctx)); removed != (len(c.data) > 0) {
				t.Errorf("Persist after Expire reported removed = %v", removed)
			}
			for _, s := range c.data {
				if d := pttl(s); d != -1 {
					t.Errorf("after Persist, %q has PTTL %v", k+s, d)
				}
			}
			for _, s := range c.timed {
				if d := pttl(s); d <= 0 || d > own[s] {
					t.Errorf("after Persist, %q has PTTL %v, where its own was %v", k+s, d, own[s])
				}
			}
			// A short Expire: what the object stores goes, and a lease, a
			// token or a stream stays its time (a lock its holder holds is
			// not freed).
			if set := must[bool](t)(o.Expire(ctx, time.Millisecond)); set != (len(c.data) > 0) {
				t.Errorf("a second Expire reported %v", set)
			}
			waitFor(t, func() bool {
				for _, s := range c.data {
					if pttl(s) != -2 {
						return false
					}
				}
				return true
			})
			for _, s := range c.timed {
				if d := pttl(s); d <= 0 || d > own[s] {
					t.Errorf("after Expire(1ms), %q has PTTL %v, where its own was %v", k+s, d, own[s])
				}
			}
		})
	}
}

// A short Expire of a Lock its holder holds, of a Semaphore, or of a Once
// while f runs, frees none of them: the holder's and the runner's leases
// are theirs alone, and a semaphore's count of what they hold goes with
// them. (Before, another handle then took the lock, a permit too many, or
// ran f a second time, before the holder's next renewal.)
func TestExpireLeavesAHolderItsLease(t *testing.T) {
	t.Run("Lock", func(t *testing.T) {
		t.Parallel()
		k := key(t)
		holder := hotredis.NewLock(k)
		noErr(t, holder.Acquire(ctx))
		other := hotredis.NewLock(k)
		must[bool](t)(other.Expire(ctx, time.Millisecond))
		time.Sleep(50 * time.Millisecond)
		if ok := must[bool](t)(other.TryAcquire(ctx)); ok {
			t.Fatal("another handle took the lock its holder holds, after a short Expire")
		}
		noErr(t, holder.Release(ctx))
	})
	t.Run("Semaphore", func(t *testing.T) {
		t.Parallel()
		k := key(t)
		holder := hotredis.NewSemaphore(k, 2)
		noErr(t, holder.Release(ctx)) // (an over-release: a third permit, for good)
		noErr(t, holder.AcquireN(ctx, 3))
		other := hotredis.NewSemaphore(k, 2)
		must[bool](t)(other.Expire(ctx, time.Millisecond))
		time.Sleep(50 * time.Millisecond)
		if ok := must[bool](t)(other.TryAcquire(ctx)); ok {
			t.Fatal("another handle took a fourth permit of three, after a short Expire")
		}
		noErr(t, holder.ReleaseN(ctx, 3))
		if ok := must[bool](t)(other.TryAcquireN(ctx, 3)); !ok {
			t.Fatal("the over-release's permit went with a short Expire")
		}
	})
	t.Run("Once", func(t *testing.T) {
		t.Parallel()
		k := key(t)
		finish := whileRunning(func(f func(context.Context) error) error { return hotredis.NewOnce(k).Do(ctx, f) })
		other := hotredis.NewOnce(k)
		must[bool](t)(other.Expire(ctx, time.Millisecond))
		time.Sleep(50 * time.Millisecond)
		c, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		if err := other.Do(c, func(context.Context) error {
			t.Error("f ran a second time while the first run goes on")
			return nil
		}); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a second Do while f runs = %v, want it to wait", err)
		}
		noErr(t, finish())
	})
}

// A WaitGroup's count and its members' set keep one expiry: an Expire
// reaches only the keys that exist, and a member Go starts afterwards
// makes the set anew. (Before, the set had none: once the group ran out,
// the count said 0 while the member ran, and the Add's Done failed with
// "1 of the count 0 are members started by Go": the second review of
// fc4901b, older than it.)
func TestWaitGroupMembersKeepTheGroupsExpiry(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	w := hotredis.NewWaitGroup(k)
	noErr(t, w.Add(ctx, 1))
	if !must[bool](t)(hotredis.NewWaitGroup(k).Expire(ctx, time.Hour)) {
		t.Fatal("Expire reported no expiry given")
	}
	finish := whileRunning(func(f func(context.Context) error) error { return hotredis.NewWaitGroup(k).Go(ctx, f) })
	group := must[int64](t)(rdb.Do(ctx, "PEXPIRETIME", k).Int64())
	members := must[int64](t)(rdb.Do(ctx, "PEXPIRETIME", k+":members").Int64())
	if group <= 0 || members != group {
		t.Errorf("the group expires at %v, its members' set at %v", group, members)
	}
	noErr(t, finish())
	noErr(t, w.Done(ctx))
}

// An Expire of a Once while its first run goes on reports false: what it
// stores (the done flag) is written when the run ends, and the runner's
// lease is the runner's. (Before, it reported true, from the lease, and
// the done flag written afterwards never expired: the second review of
// fc4901b.)
func TestOnceExpireWhileRunningReportsNothingGiven(t *testing.T) {
	t.Parallel()
	k := key(t)
	finish := whileRunning(func(f func(context.Context) error) error { return hotredis.NewOnce(k).Do(ctx, f) })
	o := hotredis.NewOnce(k)
	if set := must[bool](t)(o.Expire(ctx, time.Hour)); set {
		t.Error("Expire while f runs reported an expiry given")
	}
	noErr(t, finish())
	if !must[bool](t)(o.Expire(ctx, time.Hour)) {
		t.Error("Expire of a done Once reported no expiry given")
	}
	if d := must[time.Duration](t)(o.TTL(ctx)); d <= 59*time.Minute {
		t.Errorf("TTL after Expire(1h) = %v", d)
	}
}
