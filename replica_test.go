package hotredis_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// calls returns how many times each server ran command (INFO
// commandstats), summed.
func calls(t *testing.T, servers []*hotredistest.Server, command string) int64 {
	t.Helper()
	re := regexp.MustCompile(`cmdstat_` + command + `:calls=(\d+)`)
	var n int64
	for _, s := range servers {
		rdb := s.GoRedis()
		info, err := rdb.Info(ctx, "commandstats").Result()
		rdb.Close()
		noErr(t, err)
		if m := re.FindStringSubmatch(info); m != nil {
			c, _ := strconv.ParseInt(m[1], 10, 64)
			n += c
		}
	}
	return n
}

// replicasOf returns the servers that are replicas now.
func replicasOf(t *testing.T, servers []*hotredistest.Server) []*hotredistest.Server {
	t.Helper()
	var out []*hotredistest.Server
	for _, s := range servers {
		rdb := s.GoRedis()
		info, err := rdb.Info(ctx, "replication").Result()
		rdb.Close()
		noErr(t, err)
		if regexp.MustCompile(`role:slave`).MatchString(info) {
			out = append(out, s)
		}
	}
	return out
}

// With ReadFromReplicas, reads outside transactions are served by
// replicas (eventually seeing the writes, which go to the primary), while
// the reads a type acts on itself and writes stay on the primary.
func TestReadFromReplicas(t *testing.T) {
	onceOnly(t)  // its own cluster and sentinel, whatever the suite's topology
	t.Parallel() // mostly waiting for a new cluster's gossip
	check := func(t *testing.T, c *hotredis.Client, servers []*hotredistest.Server, prefix string) {
		replicas := replicasOf(t, servers)
		if len(replicas) == 0 {
			t.Fatal("no replicas")
		}
		on := hotredis.WithClient(c)
		list := hotredis.NewList[string](prefix+"{r}:list", on)
		counter := hotredis.NewCounter[string](prefix+"{r}:counter", on)
		lock := hotredis.NewLock(prefix+"{r}:lock", on)
		t.Cleanup(func() { _ = list.Delete(ctx); _ = counter.Delete(ctx) })
		must[int](t)(list.Append(ctx, "a", "b", "c")) // a write: the primary takes it
		noErr(t, counter.Update(ctx, map[string]int64{"x": 3, "y": 1}))

		// Replicas catch up: reads see the writes (staleness is bounded
		// by replication, not forever).
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if n := must[int](t)(list.Len(ctx)); n == 3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a replica never showed the list")
			}
		}
		llen, ro := calls(t, replicas, "llen"), calls(t, replicas, "evalsha_ro")
		for range 50 {
			if n := must[int](t)(list.Len(ctx)); n != 3 {
				t.Fatalf("Len = %d", n)
			}
		}
		if top := must[[]hotredis.Pair[string, int64]](t)(counter.MostCommon(ctx, 1)); len(top) != 1 || top[0].Key != "x" {
			t.Fatalf("MostCommon = %v", top)
		}
		if got := calls(t, replicas, "llen") - llen; got < 50 {
			t.Errorf("replicas ran %d of 50 LLENs", got)
		}
		if got := calls(t, replicas, "evalsha_ro") + calls(t, replicas, "eval_ro") - ro; got < 1 {
			t.Errorf("replicas ran no read-only script (MostCommon)")
		}

		// A read the engine acts on (a lock's own lease) stays on the
		// primary: right after Acquire it sees the holding.
		ro = calls(t, replicas, "evalsha_ro") + calls(t, replicas, "eval_ro")
		for range 20 {
			noErr(t, lock.Acquire(ctx))
			if d, err := lock.Lease(ctx); err != nil || d <= 0 {
				t.Fatalf("Lease right after Acquire = %v, %v", d, err)
			}
			noErr(t, lock.Release(ctx))
		}
		if got := calls(t, replicas, "evalsha_ro") + calls(t, replicas, "eval_ro") - ro; got != 0 {
			t.Errorf("replicas ran %d read-only scripts for Lock.Lease", got)
		}
		// A read in steps under WATCH (a long list's Values) reads the
		// primary, whose EXEC vouches for the snapshot: a lagging replica
		// would mix older states into it. (Also when a step's EVALSHA
		// meets NOSCRIPT on the primary: the EVAL it falls back to stays
		// there.)
		long := hotredis.NewList[int](prefix+"{r}:long", on)
		t.Cleanup(func() { _ = long.Delete(ctx) })
		noErr(t, long.Replace(ctx, rangeInts(25_000)...))
		for deadline := time.Now().Add(5 * time.Second); must[int](t)(long.Len(ctx)) != 25_000; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("a replica never showed the long list")
			}
		}
		lrange := calls(t, replicas, "lrange")
		if v := must[[]int](t)(long.Values(ctx)); len(v) != 25_000 || v[24_999] != 1_024_999 {
			t.Fatalf("Values of the long list: %d elements", len(v))
		}
		// (The reads by one command that would have been the whole answer
		// for a shorter list may go to a replica: a fresh handle's first
		// LRANGE of 1,025 elements, then, once it has seen that they are
		// short, one of 10,001.)
		if got := calls(t, replicas, "lrange") - lrange; got > 2 {
			t.Errorf("replicas ran %d LRANGEs for Values of a long list: the steps under WATCH went to replicas", got)
		}
		// Inside Optimistic, reads are live, on the primary.
		noErr(t, c.Optimistic(ctx, func(ctx context.Context) error {
			n, err := list.Len(ctx)
			if err != nil {
				return err
			}
			_, err = list.Append(ctx, strconv.Itoa(n))
			return err
		}, list))
		if v := must[[]string](t)(hotredis.NewList[string](list.Key(), on).Values(ctx)); len(v) != 4 || v[3] != "3" {
			t.Fatalf("after Optimistic: %q", v)
		}
	}
	t.Run("cluster", func(t *testing.T) {
		cl := sharedCluster(t)
		replicasKnown(t, cl)
		c, err := hotredis.NewClient(hotredis.Options{Addrs: cl.Addrs(), ReadFromReplicas: true})
		noErr(t, err)
		defer c.Close()
		check(t, c, cl.Nodes, "replica-reads:")
	})
	t.Run("sentinel", func(t *testing.T) {
		if testing.Short() {
			t.Skip("sentinel setup skipped with -short")
		}
		s := hotredistest.NewSentinel(t)
		c, err := hotredis.NewClient(hotredis.Options{MasterName: s.MasterName, Addrs: s.SentinelAddrs(), ReadFromReplicas: true})
		noErr(t, err)
		defer c.Close()
		check(t, c, []*hotredistest.Server{s.Primary, s.Replica}, "replica-reads:")
	})
}

// replicasKnown waits until every node of cl sees every slot served by a
// primary and its replica (gossip about a new cluster's roles takes a
// while), as a client learns the topology from one of them.
func replicasKnown(t *testing.T, cl *hotredistest.Cluster) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ok := true
		for _, n := range cl.Nodes {
			rdb := n.GoRedis()
			slots, err := rdb.ClusterSlots(ctx).Result()
			rdb.Close()
			covered := 0
			for _, s := range slots {
				if len(s.Nodes) >= 2 {
					covered += s.End - s.Start + 1
				}
			}
			ok = ok && err == nil && covered == 16384
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the cluster's nodes never agreed on its replicas")
		}
	}
}

// TestReplicaReadsStringUpdateActsOnThePrimary: with ReadFromReplicas, a
// String's transforms (ToUpper, ..., Update) read the value they act on
// from the primary (Options.ReadFromReplicas: every read a type acts on
// itself goes there); they read a replica, and when f(stale) == stale
// returned at once, the transform silently not applied (found by
// review). A replica one write behind is made by a write on the primary
// that is not replicated (redis.set_repl(REPL_NONE)): what a lagging
// replica looks like.
func TestReplicaReadsStringUpdateActsOnThePrimary(t *testing.T) {
	c, rdb := replicaReader(t)
	s := hotredis.NewString("{replupd}s", hotredis.WithClient(c))
	t.Cleanup(func() { _ = rdb.Del(ctx, s.Key()).Err() })
	noErr(t, s.Set(ctx, "ABC"))
	for deadline := time.Now().Add(5 * time.Second); must[string](t)(s.Get(ctx)) != "ABC"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the replica never showed the value")
		}
	}
	// The latest write, not yet on the replica.
	noErr(t, rdb.Eval(ctx, "redis.set_repl(redis.REPL_NONE) return redis.call('SET', KEYS[1], ARGV[1])", []string{s.Key()}, "abc").Err())

	got, err := s.ToUpper(ctx)
	noErr(t, err)
	now, _ := rdb.Get(ctx, s.Key()).Result()
	if got != "ABC" || now != "ABC" {
		t.Fatalf("ToUpper of %q returned %q, and the primary holds %q: the transform was not applied (it read a lagging replica and skipped the compare-and-set)", "abc", got, now)
	}
}

// TestReplicaReadsFloatPowActsOnThePrimary: Float.Pow reads the value it
// raises from the primary: a replica one write behind (the key not there
// yet) made Pow fail with ErrDivideByZero for a value that is not 0 on the
// primary (found by review).
func TestReplicaReadsFloatPowActsOnThePrimary(t *testing.T) {
	c, rdb := replicaReader(t)
	f := hotredis.NewFloat("{replpow}f", hotredis.WithClient(c))
	t.Cleanup(func() { _ = rdb.Del(ctx, f.Key()).Err() })
	_ = rdb.Del(ctx, f.Key()).Err()
	// The latest write (2.0), not yet on the replica.
	noErr(t, rdb.Eval(ctx, "redis.set_repl(redis.REPL_NONE) return redis.call('SET', KEYS[1], ARGV[1])", []string{f.Key()}, "2.0").Err())
	got, err := f.Pow(ctx, -1)
	if err != nil || got != 0.5 {
		t.Fatalf("Pow(-1) of 2.0 (on the primary) = %v, %v; want 0.5 (it read a lagging replica)", got, err)
	}
}

// replicaReader returns, on the cluster topology (skipping the test on
// another), a client that reads from replicas and a plain one of the
// cluster's.
func replicaReader(t *testing.T) (*hotredis.Client, redis.UniversalClient) {
	t.Helper()
	if !onCluster() {
		t.Skip("cluster only")
	}
	cl := sharedCluster(t)
	replicasKnown(t, cl)
	c, err := hotredis.NewClient(hotredis.Options{Addrs: cl.Addrs(), ReadFromReplicas: true})
	noErr(t, err)
	t.Cleanup(func() { c.Close() })
	rdb := cl.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	return c, rdb
}
