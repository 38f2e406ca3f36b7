package hotredis_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// TestObjectsLeaveNothingBehind checks what objects leave in Redis: after
// being used, locks and semaphores keep only their fencing counters (for
// an hour) and queues only their join tokens (for seconds), nothing
// without an expiry; collections keep their own key and nothing else; and
// Delete removes every key an object made, also while it is in use.
func TestObjectsLeaveNothingBehind(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	const n = 200 // objects of each type

	t.Run("locks and semaphores keep only their fencing counters", func(t *testing.T) {
		type use func(ctx context.Context, i int) error
		uses := map[string]use{
			"lock": func(ctx context.Context, i int) error {
				return acquireRelease(ctx, hotredis.NewLock(key(t, "lock", fmt.Sprint(i))))
			},
			"rlock": func(ctx context.Context, i int) error {
				return acquireRelease(ctx, hotredis.NewRLock(key(t, "rlock", fmt.Sprint(i))))
			},
			"sem": func(ctx context.Context, i int) error {
				return acquireReleaseN(ctx, hotredis.NewSemaphore(key(t, "sem", fmt.Sprint(i)), 3))
			},
			"bsem": func(ctx context.Context, i int) error {
				return acquireReleaseN(ctx, hotredis.NewBoundedSemaphore(key(t, "bsem", fmt.Sprint(i)), 3))
			},
			"rwlock": func(ctx context.Context, i int) error {
				l := hotredis.NewRWLock(key(t, "rwlock", fmt.Sprint(i)))
				if err := acquireRelease(ctx, l); err != nil {
					return err
				}
				return acquireRelease(ctx, readLocker{l})
			},
		}
		for _, u := range uses {
			forEach(t, n, func(i int) error { return u(ctx, i) })
		}
		used := time.Now()
		left := ttlsOf(t, rdb, keysMatching(t, rdb, key(t)+"*"))
		if len(left) == 0 {
			t.Fatal("no keys at all: not even fencing counters")
		}
		noPersistentKeys(t, left)

		time.Sleep(time.Until(used.Add(2500 * time.Millisecond)))
		left = ttlsOf(t, rdb, keysMatching(t, rdb, key(t)+"*"))
		var others []string
		for k, ttl := range left {
			switch {
			case !strings.HasSuffix(k, ":fence"):
				others = append(others, fmt.Sprintf("%s (PTTL %v)", k, ttl))
			case ttl <= 0 || ttl > time.Hour:
				t.Errorf("fencing counter %s has PTTL %v, want > 0 and <= 1h", k, ttl)
			}
		}
		if len(others) > 0 {
			t.Errorf("2.5s after use, %d keys besides fencing counters remain, such as %v", len(others), sample(others))
		}
	})

	t.Run("coordination types keep only expiring keys, and a done Once", func(t *testing.T) {
		const n = 50
		forEach(t, n, func(i int) error {
			wg := hotredis.NewWaitGroup(key(t, "wg", fmt.Sprint(i)))
			if err := wg.Go(ctx, func(context.Context) error { return nil }); err != nil {
				return err
			}
			if err := wg.Wait(ctx); err != nil {
				return err
			}
			if err := hotredis.NewOnce(key(t, "once", fmt.Sprint(i))).Do(ctx, func(context.Context) error { return nil }); err != nil {
				return err
			}
			ev := hotredis.NewEvent(key(t, "event", fmt.Sprint(i)))
			if err := ev.Set(ctx); err != nil {
				return err
			}
			if err := ev.Clear(ctx); err != nil {
				return err
			}
			if _, err := hotredis.NewBarrier(key(t, "barrier", fmt.Sprint(i)), 1).Wait(ctx); err != nil {
				return err
			}
			_, err := hotredis.NewLimiter(key(t, "limiter", fmt.Sprint(i)), 1000, 1).Allow(ctx)
			return err
		})
		time.Sleep(10 * time.Millisecond) // the limiters' buckets are full again
		left := ttlsOf(t, rdb, keysMatching(t, rdb, key(t)+"*"))
		for k, ttl := range left {
			switch {
			case strings.Contains(k, ":once:") && !strings.HasSuffix(k, ":wake"):
				if ttl != -1 { // being done is the point: it stays until Reset or Delete
					t.Errorf("a done Once's key %s has PTTL %v", k, ttl)
				}
			case strings.Contains(k, ":limiter:"):
				t.Errorf("a full limiter's bucket %s remains (PTTL %v)", k, ttl)
			case ttl <= 0 || ttl > time.Hour:
				t.Errorf("%s has PTTL %v, want an expiry of at most an hour", k, ttl)
			}
		}
	})

	t.Run("queues keep only their join tokens", func(t *testing.T) {
		for _, kind := range queueKinds {
			forEach(t, n, func(i int) error {
				q := kind.make(key(t, kind.name, fmt.Sprint(i)))
				if _, err := q.Put(ctx, "x"); err != nil {
					return err
				}
				if _, err := q.Get(ctx); err != nil {
					return err
				}
				return q.TaskDone(ctx)
			})
		}
		time.Sleep(500 * time.Millisecond) // Gets are acknowledged in the background
		left := ttlsOf(t, rdb, keysMatching(t, rdb, key(t)+"*"))
		noPersistentKeys(t, left)
		var others []string
		for k, ttl := range left {
			if !strings.HasSuffix(k, ":joined") {
				others = append(others, fmt.Sprintf("%s (PTTL %v)", k, ttl))
			}
		}
		if len(others) > 0 {
			t.Errorf("%d keys besides join tokens remain, such as %v", len(others), sample(others))
		}
	})

	t.Run("collections keep only their own keys", func(t *testing.T) {
		const n = 50
		var want []string
		for kind, use := range collectionUses() {
			for i := range n {
				want = append(want, key(t, kind, fmt.Sprint(i)))
			}
			forEach(t, n, func(i int) error { return use(ctx, key(t, kind, fmt.Sprint(i))) })
		}
		got := keysMatching(t, rdb, key(t)+"*")
		var extra []string
		for _, k := range got {
			if !slices.Contains(want, k) {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			t.Errorf("%d keys besides the collections' own remain, such as %v", len(extra), sample(extra))
		}
		if len(got)-len(extra) != len(want) {
			t.Errorf("%d of the %d collections exist after use", len(got)-len(extra), len(want))
		}
	})

	t.Run("Delete removes every key", func(t *testing.T) {
		uses := map[string]func(k string) deleter{}
		for kind, use := range collectionUses() {
			uses[kind] = func(k string) deleter {
				if err := use(ctx, k); err != nil {
					t.Fatal(err)
				}
				return objectOf(kind, k)
			}
		}
		for _, kind := range queueKinds {
			uses[kind.name] = func(k string) deleter { return queueInUse(t, kind.make(k)) }
		}
		// Each lock and semaphore is handed over once (which leaves a
		// grant stream), then held by a handle whose watchdog renews its
		// lease of 300ms every 100ms, with a waiter in line that never
		// comes back for its place, as a waiting process that died.
		lease := hotredis.WithLease(300 * time.Millisecond)
		uses["Lock"] = func(k string) deleter {
			first, holder, waiter := hotredis.NewLock(k), hotredis.NewLock(k, lease), hotredis.NewLock(k)
			handOver(t, k, first.Acquire, first.Release, holder.Acquire)
			must[func(context.Context)](t)(hotredis.JoinLine(ctx, waiter, 1))
			return holder
		}
		uses["RLock"] = func(k string) deleter {
			first, holder, waiter := hotredis.NewRLock(k), hotredis.NewRLock(k, lease), hotredis.NewRLock(k)
			handOver(t, k, first.Acquire, first.Release, holder.Acquire)
			if err := holder.Acquire(ctx); err != nil { // again
				t.Fatal(err)
			}
			must[func(context.Context)](t)(hotredis.JoinLine(ctx, waiter, 1))
			return holder
		}
		uses["Semaphore"] = func(k string) deleter {
			first, holder, waiter := hotredis.NewSemaphore(k, 3), hotredis.NewSemaphore(k, 3, lease), hotredis.NewSemaphore(k, 3)
			handOver(t, k, nOf(first.AcquireN, 3), nOf(first.ReleaseN, 3), nOf(holder.AcquireN, 2))
			must[func(context.Context)](t)(hotredis.JoinLine(ctx, waiter, 2))
			return holder
		}
		uses["BoundedSemaphore"] = func(k string) deleter {
			first, holder, waiter := hotredis.NewBoundedSemaphore(k, 3), hotredis.NewBoundedSemaphore(k, 3, lease), hotredis.NewBoundedSemaphore(k, 3)
			handOver(t, k, nOf(first.AcquireN, 3), nOf(first.ReleaseN, 3), nOf(holder.AcquireN, 2))
			must[func(context.Context)](t)(hotredis.JoinLine(ctx, waiter, 2))
			return holder
		}

		kinds := slices.Sorted(maps.Keys(uses))
		keyOf := func(kind string) string { return key(t, kind, "obj") }
		for _, kind := range kinds {
			k := keyOf(kind)
			o := uses[kind](k)
			if len(keysMatching(t, rdb, "*"+k+"*")) == 0 {
				t.Fatalf("using a %s made no key", kind)
			}
			if err := o.Delete(ctx); err != nil {
				t.Fatalf("%s.Delete: %v", kind, err)
			}
		}
		// Background work (acknowledgements, a holder's watchdog) goes on
		// after Delete, and must not bring keys back: look after 500ms,
		// and give what remains until 2s after Delete.
		time.Sleep(500 * time.Millisecond)
		deadline := time.Now().Add(1500 * time.Millisecond)
		for _, kind := range kinds {
			t.Run(kind, func(t *testing.T) {
				pattern := "*" + keyOf(kind) + "*"
				left := keysMatching(t, rdb, pattern)
				for len(left) > 0 && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
					left = keysMatching(t, rdb, pattern)
				}
				if len(left) > 0 {
					var desc []string
					for k, ttl := range ttlsOf(t, rdb, left) {
						desc = append(desc, fmt.Sprintf("%s (PTTL %v)", k, ttl))
					}
					slices.Sort(desc)
					t.Errorf("2s after %s.Delete, %d keys remain: %v", kind, len(left), desc)
				}
			})
		}
	})
}

// handOver has one handle take a lock or semaphore (acquire), another
// wait in line for it (next), and the first release it (release), which
// hands it over.
func handOver(t *testing.T, k string, acquire, release, next func(context.Context) error) {
	t.Helper()
	if err := acquire(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- next(ctx) }()
	waitInLine(t, k, 1)
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// nOf binds a semaphore method's count.
func nOf(f func(context.Context, int64) error, n int64) func(context.Context) error {
	return func(ctx context.Context) error { return f(ctx, n) }
}

// acquireRelease takes and releases l once.
func acquireRelease(ctx context.Context, l interface {
	Acquire(context.Context) error
	Release(context.Context) error
}) error {
	if err := l.Acquire(ctx); err != nil {
		return err
	}
	return l.Release(ctx)
}

// acquireReleaseN takes and releases one permit of s, then two.
func acquireReleaseN(ctx context.Context, s semaphore) error {
	if err := acquireRelease(ctx, s); err != nil {
		return err
	}
	if err := s.AcquireN(ctx, 2); err != nil {
		return err
	}
	return s.ReleaseN(ctx, 2)
}

// collectionUses uses a collection of each type at a key in a typical
// way, including the operations that work in scratch keys.
func collectionUses() map[string]func(ctx context.Context, k string) error {
	return map[string]func(ctx context.Context, k string) error{
		"List": func(ctx context.Context, k string) error {
			l := hotredis.NewList[string](k)
			return firstErr(err1(l.Append(ctx, "a", "b", "c")), l.Reverse(ctx), l.Insert(ctx, 1, "x"), err1(l.PopAt(ctx, 0)), l.Sort(ctx, false))
		},
		"Set": func(ctx context.Context, k string) error {
			s := hotredis.NewSet[string](k)
			return firstErr(err1(s.Add(ctx, "a", "b", "c")), s.IntersectionUpdateValues(ctx, "a", "b"), s.SymmetricDifferenceUpdateValues(ctx, "c"))
		},
		"Map": func(ctx context.Context, k string) error {
			m := hotredis.NewMap[string, int](k)
			return firstErr(m.Set(ctx, "a", 1), err1(m.SetDefault(ctx, "b", 2)), err2(m.Pop(ctx, "a")))
		},
		"DefaultMap": func(ctx context.Context, k string) error {
			m := hotredis.NewDefaultMap[string, int](k, func() int { return 7 })
			return firstErr(err1(m.Get(ctx, "a")), err1(m.Get(ctx, "b")))
		},
		"Counter": func(ctx context.Context, k string) error {
			c := hotredis.NewCounter[string](k)
			return firstErr(c.UpdateElements(ctx, "a", "b", "a"), c.IntersectionUpdateCounts(ctx, map[string]int64{"a": 1}), err1(c.MostCommon(ctx, 1)), err1(c.Total(ctx)))
		},
		"String": func(ctx context.Context, k string) error {
			s := hotredis.NewString(k)
			return firstErr(s.Set(ctx, "abc"), err1(s.ToUpper(ctx)), err1(s.Append(ctx, "d")), err1(s.SetSlice(ctx, 0, 1, "x")))
		},
		"ImmutableString": func(ctx context.Context, k string) error {
			s := hotredis.NewImmutableString(k)
			return firstErr(hotredis.NewString(k).Set(ctx, "abc"), err1(s.Get(ctx)), err1(s.Slice(ctx, -2, 5)), err1(s.Contains(ctx, "b")))
		},
		"Int": func(ctx context.Context, k string) error {
			i := hotredis.NewInt(k)
			return firstErr(err1(i.Add(ctx, 5)), err1(i.Mul(ctx, 3)), err1(i.Shl(ctx, 1)))
		},
		"Float": func(ctx context.Context, k string) error {
			f := hotredis.NewFloat(k)
			return firstErr(err1(f.Add(ctx, 1.5)), err1(f.Pow(ctx, 2)))
		},
	}
}

// objectOf is a handle on the collection collectionUses made at k.
func objectOf(kind, k string) deleter {
	switch kind {
	case "List":
		return hotredis.NewList[string](k)
	case "Set":
		return hotredis.NewSet[string](k)
	case "Map":
		return hotredis.NewMap[string, int](k)
	case "DefaultMap":
		return hotredis.NewDefaultMap[string, int](k, nil)
	case "Counter":
		return hotredis.NewCounter[string](k)
	case "String":
		return hotredis.NewString(k)
	case "ImmutableString":
		return hotredis.NewImmutableString(k)
	case "Int":
		return hotredis.NewInt(k)
	case "Float":
		return hotredis.NewFloat(k)
	}
	panic("unknown collection " + kind)
}

// deleter is an object, for Delete.
type deleter interface{ Delete(context.Context) error }

// queueInUse puts three items in q, reserves one (never acknowledged),
// gets one and marks it done, and returns q.
func queueInUse(t *testing.T, q anyQueue) deleter {
	t.Helper()
	if _, err := q.PutMany(ctx, "a", "b", "c"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Reserve(ctx, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.TaskDone(ctx); err != nil {
		t.Fatal(err)
	}
	return q
}

// forEach runs f(0), ..., f(n-1) on a few goroutines and fails t with the
// first error.
func forEach(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		once sync.Once
		err  error
	)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				if e := f(i); e != nil {
					once.Do(func() { err = e })
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
}

// ttlsOf returns the PTTL of each of keys that still exists.
func ttlsOf(t *testing.T, rdb redis.UniversalClient, keys []string) map[string]time.Duration {
	t.Helper()
	cmds := make([]*redis.DurationCmd, len(keys))
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.PTTL(ctx, k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]time.Duration, len(keys))
	for i, k := range keys {
		if ttl := cmds[i].Val(); ttl != -2 { // -2: gone meanwhile
			out[k] = ttl
		}
	}
	return out
}

// noPersistentKeys fails t for each key that never expires.
func noPersistentKeys(t *testing.T, ttls map[string]time.Duration) {
	t.Helper()
	var persistent []string
	for k, ttl := range ttls {
		if ttl == -1 {
			persistent = append(persistent, k)
		}
	}
	if len(persistent) > 0 {
		t.Errorf("%d keys never expire, such as %v", len(persistent), sample(persistent))
	}
}

// sample returns a few of ss, sorted, for a failure message.
func sample(ss []string) []string {
	ss = slices.Sorted(slices.Values(ss))
	return ss[:min(len(ss), 5)]
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// lazyFreed sums INFO's lazyfreed_objects (values freed in the background
// by UNLINK and the like) over the servers the tests use.
func lazyFreed(t *testing.T) int64 {
	t.Helper()
	var mu sync.Mutex
	var sum int64
	add := func(ctx context.Context, c *redis.Client) error {
		info, err := c.Info(ctx, "memory").Result()
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, "lazyfreed_objects:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				mu.Lock()
				sum += n
				mu.Unlock()
			}
		}
		return err
	}
	rdb := rawClient()
	defer rdb.Close()
	var err error
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, add)
	} else {
		err = add(ctx, rdb.(*redis.Client))
	}
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestBigQueuesAreFreedInTheBackground: deleting a queue or set queue of
// 200,000 items UNLINKs its keys, so that Redis frees them in the
// background instead of inside the script (a SetQueue's million members
// would take it ~100 ms), and leaves no key behind.
func TestBigQueuesAreFreedInTheBackground(t *testing.T) {
	items := make([]int, 200_000)
	for i := range items {
		items[i] = i
	}
	q := hotredis.NewQueue[int](key(t, "q"))
	sq := hotredis.NewSetQueue[int](key(t, "sq"))
	for s := 0; s < len(items); s += 10_000 { // (PutMany's most a call)
		noErr(t, q.PutMany(ctx, items[s:s+10_000]...))
		must[int](t)(sq.PutMany(ctx, items[s:s+10_000]...))
	}
	for name, del := range map[string]func(context.Context) error{"Queue": q.Delete, "SetQueue": sq.Delete} {
		before := lazyFreed(t)
		noErr(t, del(ctx))
		after := lazyFreed(t)
		for deadline := time.Now().Add(5 * time.Second); after <= before && time.Now().Before(deadline); after = lazyFreed(t) {
			time.Sleep(10 * time.Millisecond) // counted once the background thread is done
		}
		if after <= before {
			t.Errorf("%s.Delete of 200,000 items freed nothing in the background (lazyfreed_objects %d, then %d)", name, before, after)
		}
	}
	for _, k := range []string{q.Key(), sq.Key()} {
		rdb := rawClient()
		if ks := keysMatching(t, rdb, k+"*"); len(ks) > 0 {
			t.Errorf("left behind: %v", ks)
		}
		rdb.Close()
	}
}
