package hotredis_test

// Tests from a review (2026-12-06) of Transaction, Optimistic and the
// client's dispatch. Those marked "found by review" failed before the
// fixes of that session (a finished transaction's context; every
// MULTI/EXEC on a dedicated connection on a single server); the others
// passed from the start.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// TestTxReviewWriteAfterTransactionReturned: found by review, fixed since. A write made with the
// context of a Transaction that has already committed can never be
// applied with it (SPEC: "every write made with the inner context is
// queued and applied all-or-nothing ... when the function returns nil").
// It must say so (an error), not report success while nothing is written.
func TestTxReviewWriteAfterTransactionReturned(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	noErr(t, l.Replace(ctx, 1))
	var stale context.Context
	noErr(t, hotredis.Transaction(ctx, func(tctx context.Context) error {
		stale = tctx
		_, err := l.Append(tctx, 2)
		return err
	}))
	_, err := l.Append(stale, 3)
	vals := must[[]int](t)(l.Values(ctx))
	if err == nil && len(vals) == 2 {
		t.Errorf("Append with the context of a committed Transaction returned nil, yet nothing was written (list %v): a silently lost write", vals)
	}
}

// TestTxReviewCommitReplyHeldPastDeadline: a Transaction whose EXEC went
// out with its reply held past the context's deadline returns by the
// deadline with ErrUnknownOutcome (wrapping context.DeadlineExceeded),
// never a late success; the writes are applied once.
func TestTxReviewCommitReplyHeldPastDeadline(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		a := hotredis.NewInt(key(t, "a"), hotredis.WithClient(c))
		b := hotredis.NewInt(key(t, "b"), hotredis.WithClient(c))
		noErr(t, a.Store(ctx, 1))
		noErr(t, b.Store(ctx, 1))
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.Transaction(short, func(tctx context.Context) error {
			if _, err := a.Add(tctx, 10); err != nil {
				return err
			}
			if _, err := b.Add(tctx, 10); err != nil {
				return err
			}
			p.Stall(hotredistest.ToClient)
			return nil
		})
		took := time.Since(start)
		p.Resume(hotredistest.ToClient)
		if took > time.Second || !errors.Is(err, hotredis.ErrUnknownOutcome) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Transaction with its EXEC reply held past a 300 ms deadline = %v after %v; want ErrUnknownOutcome (DeadlineExceeded) by the deadline", err, took)
		}
		rdb := srv.GoRedis()
		defer rdb.Close()
		waitFor(t, func() bool { return rdb.Get(ctx, a.Key()).Val() == "11" })
		time.Sleep(200 * time.Millisecond)
		if va, vb := rdb.Get(ctx, a.Key()).Val(), rdb.Get(ctx, b.Key()).Val(); va != "11" || vb != "11" {
			t.Errorf("after the held EXEC: a = %s, b = %s; want 11 and 11 (applied once, together)", va, vb)
		}
	})
}

// TestTxReviewCommitReplyHeldWithoutDeadline: a Transaction with no
// deadline whose EXEC reply is held past the client's connection timeout
// reports ErrUnknownOutcome wrapping an i/o timeout (README: "Without a
// deadline, a call waits as long as the client's connection timeout ...
// a write's wrapped in ErrUnknownOutcome"), and its writes are applied
// exactly once (never sent again).
func TestTxReviewCommitReplyHeldWithoutDeadline(t *testing.T) {
	defer hotredis.SetConnTimeout(500 * time.Millisecond)()
	n, c, p, srv := proxiedInt(t)
	start := time.Now()
	err := c.Transaction(context.Background(), func(tctx context.Context) error {
		if _, err := n.Add(tctx, 10); err != nil {
			return err
		}
		p.Stall(hotredistest.ToClient)
		return nil
	})
	took := time.Since(start)
	p.Resume(hotredistest.ToClient)
	if !errors.Is(err, hotredis.ErrUnknownOutcome) || errors.Is(err, context.DeadlineExceeded) || took > 5*time.Second {
		t.Errorf("Transaction, reply held past the connection timeout = %v after %v; want ErrUnknownOutcome (an i/o timeout), not context.DeadlineExceeded", err, took)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Logf("(error does not wrap os.ErrDeadlineExceeded: %v)", err)
	}
	rdb := srv.GoRedis()
	defer rdb.Close()
	waitFor(t, func() bool { return rdb.Get(ctx, n.Key()).Val() != "1" })
	time.Sleep(300 * time.Millisecond)
	if v := rdb.Get(ctx, n.Key()).Val(); v != "11" {
		t.Errorf("value = %s, want 11: the transaction applied once", v)
	}
}

// TestTxReviewCommitCutIsUnknown: a Transaction whose EXEC reply is lost
// to a cut connection is ErrUnknownOutcome, applied at most once.
func TestTxReviewCommitCutIsUnknown(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 1))
		short, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := cutMidCall(p, hotredistest.ToClient, func() error {
			return c.Transaction(short, func(tctx context.Context) error {
				_, err := n.Add(tctx, 10)
				return err
			})
		})
		// (go-redis v9.23 gets the reply of a cut MULTI/EXEC all the same,
		// applied once: a success is then right.)
		if err != nil && !errors.Is(err, hotredis.ErrUnknownOutcome) {
			t.Errorf("Transaction whose EXEC reply was cut = %v, want ErrUnknownOutcome", err)
		}
		t.Logf("cut EXEC: %v", err)
		rdb := srv.GoRedis()
		defer rdb.Close()
		time.Sleep(200 * time.Millisecond)
		// Applied at most once: 11, or 1 when the EXEC never reached the
		// server (under load the cut can come before it is sent: a new
		// connection's greeting waits on the stalled replies). A success
		// must have applied it.
		if v := rdb.Get(ctx, n.Key()).Val(); v != "11" && (err == nil || v != "1") {
			t.Errorf("value = %s after %v, want 11 (or 1 with ErrUnknownOutcome: applied at most once)", v, err)
		}
	})
}

// TestTxReviewCloseDuringOptimistic: Close while an Optimistic's fn runs
// returns (it waits for clean-ups only, at most 5 s), and the Optimistic
// then fails with ErrClosed with nothing written (SPEC: "after
// Client.Close every call is ErrClosed").
func TestTxReviewCloseDuringOptimistic(t *testing.T) {
	for _, backend := range []string{"rueidis", "go-redis"} {
		t.Run(backend, func(t *testing.T) {
			srv := hotredistest.NewServer(t)
			c := faultyClient(t, backend, srv.Addr)
			n := hotredis.NewInt(key(t), hotredis.WithClient(c))
			noErr(t, n.Store(ctx, 1))
			inFn, release := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- c.Optimistic(ctx, func(tctx context.Context) error {
					v, err := n.Load(tctx)
					if err != nil {
						return err
					}
					close(inFn)
					<-release
					if _, err := n.Load(tctx); err != nil {
						return err
					}
					return n.Store(tctx, v+10)
				}, n)
			}()
			<-inFn
			closed := make(chan error, 1)
			go func() { closed <- c.Close() }()
			select {
			case <-closed:
			case <-time.After(7 * time.Second):
				close(release)
				t.Fatal("Close did not return within 7 s while an Optimistic's fn ran")
			}
			close(release)
			select {
			case err := <-done:
				if !errors.Is(err, hotredis.ErrClosed) {
					t.Errorf("Optimistic whose client closed during fn = %v, want ErrClosed", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Optimistic did not return 10 s after its client closed")
			}
			rdb := srv.GoRedis()
			defer rdb.Close()
			if v := rdb.Get(ctx, n.Key()).Val(); v != "1" {
				t.Errorf("value = %s, want 1: nothing written after Close", v)
			}
		})
	}
}

// TestTxReviewCloseDuringTransactionFn: Close while a Transaction's fn
// runs: the commit is refused with ErrClosed, nothing written.
func TestTxReviewCloseDuringTransactionFn(t *testing.T) {
	srv := hotredistest.NewServer(t)
	c := faultyClient(t, "rueidis", srv.Addr)
	n := hotredis.NewInt(key(t), hotredis.WithClient(c))
	noErr(t, n.Store(ctx, 1))
	err := c.Transaction(ctx, func(tctx context.Context) error {
		if _, err := n.Add(tctx, 10); err != nil {
			return err
		}
		return c.Close()
	})
	if !errors.Is(err, hotredis.ErrClosed) {
		t.Errorf("Transaction whose client closed during fn = %v, want ErrClosed", err)
	}
	rdb := srv.GoRedis()
	defer rdb.Close()
	if v := rdb.Get(ctx, n.Key()).Val(); v != "1" {
		t.Errorf("value = %s, want 1", v)
	}
}

// TestTxReviewNested: a Transaction or Optimistic started with the
// context of another fails (with nothing sent), and when fn returns that
// error the outer one writes nothing; a lock Acquire inside a Transaction
// is ErrInTransaction.
func TestTxReviewNested(t *testing.T) {
	l := hotredis.NewList[int](key(t, "l"))
	noErr(t, l.Replace(ctx, 1))
	for name, inner := range map[string]func(context.Context) error{
		"Transaction": func(tctx context.Context) error {
			return hotredis.Transaction(tctx, func(ictx context.Context) error { _, err := l.Append(ictx, 3); return err })
		},
		"Optimistic": func(tctx context.Context) error {
			return hotredis.Optimistic(tctx, func(ictx context.Context) error { _, err := l.Append(ictx, 3); return err }, l)
		},
	} {
		for _, outerOpt := range []bool{false, true} {
			outer := hotredis.Transaction
			if outerOpt {
				outer = func(ctx context.Context, fn func(context.Context) error) error {
					return hotredis.Optimistic(ctx, fn, l)
				}
			}
			var innerErr error
			err := outer(ctx, func(tctx context.Context) error {
				if _, err := l.Append(tctx, 2); err != nil {
					return err
				}
				innerErr = inner(tctx)
				return innerErr
			})
			if innerErr == nil || err == nil {
				t.Errorf("%s nested in (optimistic %v): inner %v, outer %v; want an error", name, outerOpt, innerErr, err)
			}
		}
	}
	if got := must[[]int](t)(l.Values(ctx)); len(got) != 1 {
		t.Errorf("list = %v, want [1]", got)
	}
	lk := hotredis.NewLock(key(t, "lock"))
	err := hotredis.Transaction(ctx, func(tctx context.Context) error { return lk.Acquire(tctx) })
	if !errors.Is(err, hotredis.ErrInTransaction) {
		t.Errorf("Lock.Acquire inside a Transaction = %v, want ErrInTransaction", err)
	}
	q := hotredis.NewQueue[int](key(t, "q"))
	err = hotredis.Transaction(ctx, func(tctx context.Context) error { _, err := q.Get(tctx); return err })
	if !errors.Is(err, hotredis.ErrInTransaction) {
		t.Errorf("Queue.Get inside a Transaction = %v, want ErrInTransaction", err)
	}
}

// TestTxReviewOptimisticRetriesAndSideEffects: fn of an Optimistic whose
// watched key changes on the first two attempts runs 3 times, and only the
// last attempt's writes are applied (the queued writes of aborted attempts
// never leak into a later commit).
func TestTxReviewOptimisticRetriesAndSideEffects(t *testing.T) {
	n := hotredis.NewInt(key(t, "n"))
	log := hotredis.NewList[int](key(t, "log"))
	noErr(t, n.Store(ctx, 0))
	noErr(t, log.Delete(ctx))
	rdb := rawClient()
	defer rdb.Close()
	attempts := 0
	err := hotredis.Optimistic(ctx, func(tctx context.Context) error {
		attempts++
		v, err := n.Load(tctx)
		if err != nil {
			return err
		}
		if _, err := log.Append(tctx, attempts); err != nil {
			return err
		}
		if attempts <= 2 {
			if err := rdb.Incr(ctx, n.Key()).Err(); err != nil {
				return err
			}
		}
		return n.Store(tctx, v+100)
	}, n)
	noErr(t, err)
	if attempts != 3 {
		t.Errorf("fn ran %d times, want 3", attempts)
	}
	if got := must[[]int](t)(log.Values(ctx)); len(got) != 1 || got[0] != 3 {
		t.Errorf("log = %v, want [3]: only the committed attempt's writes", got)
	}
	if v := must[int64](t)(n.Load(ctx)); v != 102 {
		t.Errorf("n = %d, want 102", v)
	}
}

// TestTxReviewNilAndInvalid: a nil fn is ErrInvalidArgument, a nil watch
// object too (a nil interface or a nil pointer), not a panic.
func TestTxReviewNilAndInvalid(t *testing.T) {
	var nilList *hotredis.List[int]
	for name, f := range map[string]func() error{
		"Transaction nil fn": func() error { return hotredis.Transaction(ctx, nil) },
		"Optimistic nil fn":  func() error { return hotredis.Optimistic(ctx, nil) },
		"Optimistic nil obj": func() error {
			return hotredis.Optimistic(ctx, func(context.Context) error { return nil }, nilList)
		},
		"Optimistic nil iface": func() error {
			return hotredis.Optimistic(ctx, func(context.Context) error { return nil }, nil)
		},
	} {
		err, p := noPanic(f)
		if p != nil || !errors.Is(err, hotredis.ErrInvalidArgument) {
			t.Errorf("%s = %v (panic %v), want ErrInvalidArgument", name, err, p)
		}
	}
}

// TestTxReviewBadOptions: invalid Options give an error from NewClient
// (never a panic, and within a few seconds).
func TestTxReviewBadOptions(t *testing.T) {
	cases := map[string]hotredis.Options{
		"bad scheme":       {URL: "http://127.0.0.1:1"},
		"garbage URL":      {URL: "::::"},
		"empty addr":       {Addrs: []string{""}},
		"refused":          {Addrs: []string{"127.0.0.1:1"}},
		"negative DB":      {Addrs: []string{srv.Addr}, DB: -1},
		"DB out of range":  {Addrs: []string{srv.Addr}, DB: 100000},
		"bad client name":  {Addrs: []string{srv.Addr}, ClientName: "has space"},
		"replicas refused": {Addrs: []string{"127.0.0.1:1"}, ReadFromReplicas: true},
	}
	for name, o := range cases {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			start := time.Now()
			var c *hotredis.Client
			err, p := noPanic(func() error {
				var err error
				c, err = hotredis.NewClient(o)
				return err
			})
			took := time.Since(start)
			if p != nil {
				t.Fatalf("NewClient(%s) panicked: %v", name, p)
			}
			if err == nil {
				defer c.Close()
				// A client made anyway must say what is wrong on use.
				perr := c.Ping(ctx)
				t.Errorf("NewClient(%s) = nil error (Ping: %v); want a clear error", name, perr)
				return
			}
			if took > 12*time.Second {
				t.Errorf("NewClient(%s) took %v", name, took)
			}
			t.Logf("%s: %v (%v)", name, err, took.Round(time.Millisecond))
		})
	}
}

// TestTxReviewOptimisticNoWatchOnCluster: on a Cluster, an Optimistic
// given no watch object (the doc asks for one) still fails cleanly or
// works; it must not panic; an Optimistic that only writes applies them.
func TestTxReviewOptimisticNoWatchOnCluster(t *testing.T) {
	if !onCluster() {
		t.Skip("cluster only")
	}
	c := sharedCluster(t).Client(t)
	a := hotredis.NewList[int](key(t, "a"), hotredis.WithClient(c))
	noErr(t, a.Delete(ctx))
	err, p := noPanic(func() error {
		return c.Optimistic(ctx, func(tctx context.Context) error {
			_, err := a.Append(tctx, 1)
			return err
		})
	})
	if p != nil {
		t.Fatalf("Optimistic without watch objects on a Cluster panicked: %v", p)
	}
	t.Logf("write-only: %v", err)
	err, p = noPanic(func() error {
		return c.Optimistic(ctx, func(tctx context.Context) error {
			n, err := a.Len(tctx)
			if err != nil {
				return err
			}
			_, err = a.Append(tctx, int(n))
			return err
		})
	})
	if p != nil {
		t.Fatalf("Optimistic without watch objects on a Cluster panicked: %v", p)
	}
	t.Logf("read-write: %v", err)
}

// TestTxReviewConcurrentWritesInFn: writes queued from several goroutines
// that fn starts and waits for all go in the commit.
func TestTxReviewConcurrentWritesInFn(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	noErr(t, s.Delete(ctx))
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for i := range 50 {
			wg.Go(func() {
				if _, err := s.Add(tctx, i); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	})
	noErr(t, err)
	if n := must[int](t)(s.Len(ctx)); n != 50 {
		t.Errorf("set has %d members, want 50", n)
	}
}

// TestTxReviewWritesOfEveryKindApply: writes of every kind (plain
// commands, scripts, writes across objects) made inside a Transaction all
// succeed and are all applied at the commit (SPEC: "every write made with
// the inner context is queued and applied all-or-nothing ... Lua-backed
// operations work inside it").
func TestTxReviewWritesOfEveryKindApply(t *testing.T) {
	l := hotredis.NewList[string](key(t, "l"))
	s := hotredis.NewSet[string](key(t, "s"))
	s2 := hotredis.NewSet[string](key(t, "s2"))
	m := hotredis.NewMap[string, int](key(t, "m"))
	str := hotredis.NewString(key(t, "str"))
	n := hotredis.NewInt(key(t, "n"))
	f := hotredis.NewFloat(key(t, "f"))
	cnt := hotredis.NewCounter[string](key(t, "c"))
	cnt2 := hotredis.NewCounter[string](key(t, "c2"))
	q := hotredis.NewQueue[string](key(t, "q"))
	noErr(t, l.Replace(ctx, "a", "b", "c"))
	noErr(t, s.Replace(ctx, "x"))
	noErr(t, s2.Replace(ctx, "y"))
	noErr(t, str.Set(ctx, "hello"))
	noErr(t, n.Store(ctx, 1))
	noErr(t, f.Store(ctx, 1.5))
	noErr(t, cnt.Replace(ctx, map[string]int64{"a": 1}))
	noErr(t, cnt2.Replace(ctx, map[string]int64{"b": 2}))
	noErr(t, q.Delete(ctx))
	noErr(t, m.Delete(ctx))
	type step struct {
		name string
		f    func(context.Context) error
	}
	steps := []step{
		{"List.Remove", func(c context.Context) error { _, err := l.Remove(c, "b"); return err }},
		{"List.Insert", func(c context.Context) error { return l.Insert(c, 1, "i") }},
		{"Set.Add", func(c context.Context) error { _, err := s.Add(c, "z"); return err }},
		{"Set.UnionUpdate", func(c context.Context) error { return s.UnionUpdate(c, s2) }},
		{"Map.Set", func(c context.Context) error { return m.Set(c, "k", 7) }},
		{"String.Append", func(c context.Context) error { _, err := str.Append(c, "!"); return err }},
		{"Int.Add", func(c context.Context) error { _, err := n.Add(c, 4); return err }},
		{"Int.Mul", func(c context.Context) error { _, err := n.Mul(c, 2); return err }},
		{"Float.Add", func(c context.Context) error { _, err := f.Add(c, 1); return err }},
		{"Counter.Add", func(c context.Context) error { _, err := cnt.Add(c, "a", 2); return err }},
		{"Counter.UnionUpdate", func(c context.Context) error { return cnt.UnionUpdate(c, cnt2) }},
		{"Queue.Put", func(c context.Context) error { return q.Put(c, "job") }},
	}
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		for _, st := range steps {
			if err := st.f(tctx); err != nil {
				t.Errorf("%s inside a Transaction: %v", st.name, err)
			}
		}
		return nil
	})
	noErr(t, err)
	if got := must[[]string](t)(l.Values(ctx)); fmt.Sprint(got) != "[a i c]" {
		t.Errorf("list = %v, want [a i c]", got)
	}
	if got := must[int](t)(s.Len(ctx)); got != 3 {
		t.Errorf("set has %d members, want 3 (x, z, y)", got)
	}
	if v, ok, err := m.Get(ctx, "k"); err != nil || !ok || v != 7 {
		t.Errorf("map k = %v %v %v", v, ok, err)
	}
	if got := must[string](t)(str.Get(ctx)); got != "hello!" {
		t.Errorf("string = %q, want hello!", got)
	}
	if got := must[int64](t)(n.Load(ctx)); got != 10 {
		t.Errorf("int = %d, want 10", got)
	}
	if got := must[float64](t)(f.Load(ctx)); got != 2.5 {
		t.Errorf("float = %v, want 2.5", got)
	}
	if got := must[map[string]int64](t)(cnt.Items(ctx)); got["a"] != 3 || got["b"] != 2 {
		t.Errorf("counter = %v, want a:3 b:2", got)
	}
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if v, err := q.TryGet(tctx); err != nil || v != "job" {
		t.Errorf("queue TryGet = %q, %v; want job", v, err)
	}
}

// TestTxReviewContextEndsDuringFn: a Transaction whose context is
// cancelled while fn runs sends nothing, even if fn returns nil, and says
// so with the context's error (not ErrUnknownOutcome: nothing was sent).
func TestTxReviewContextEndsDuringFn(t *testing.T) {
	n := hotredis.NewInt(key(t))
	noErr(t, n.Store(ctx, 1))
	cctx, cancel := context.WithCancel(ctx)
	err := hotredis.Transaction(cctx, func(tctx context.Context) error {
		if _, err := n.Add(tctx, 10); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || errors.Is(err, hotredis.ErrUnknownOutcome) {
		t.Errorf("Transaction cancelled during fn = %v, want context.Canceled", err)
	}
	if v := must[int64](t)(n.Load(ctx)); v != 1 {
		t.Errorf("value = %d, want 1", v)
	}
}

// TestTxReviewReplicaOptimisticReadsPrimary: with ReadFromReplicas,
// every read inside Optimistic goes to the primary (Options: "every read
// inside Transaction or Optimistic, still goes to the primary"), with or
// without watch objects: a replica one write behind must not be read.
func TestTxReviewReplicaOptimisticReadsPrimary(t *testing.T) {
	c, rdb := replicaReader(t)
	for _, watch := range []bool{true, false} {
		n := hotredis.NewInt(fmt.Sprintf("{zzrepl%v}n", watch), hotredis.WithClient(c))
		t.Cleanup(func() { _ = rdb.Del(ctx, n.Key()).Err() })
		noErr(t, n.Store(ctx, 1))
		for deadline := time.Now().Add(5 * time.Second); must[int64](t)(n.Load(ctx)) != 1; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the replica never showed the value")
			}
		}
		noErr(t, rdb.Eval(ctx, "redis.set_repl(redis.REPL_NONE) return redis.call('SET', KEYS[1], ARGV[1])", []string{n.Key()}, "5").Err())
		var ws []hotredis.Object
		if watch {
			ws = append(ws, n)
		}
		var read int64
		err := c.Optimistic(ctx, func(tctx context.Context) error {
			v, err := n.Load(tctx)
			if err != nil {
				return err
			}
			read = v
			return n.Store(tctx, v+1)
		}, ws...)
		noErr(t, err)
		now, _ := rdb.Get(ctx, n.Key()).Result()
		if read != 5 || now != "6" {
			t.Errorf("watch %v: Optimistic read %d (primary: 5) and stored %s; want 5 and 6: it read a lagging replica", watch, read, now)
		}
	}
}

// TestTxReviewReadsAreErrInTransaction: every read inside a Transaction
// fails with ErrInTransaction (SPEC: "A read inside it is a clear error,
// never a garbage value"), also reads through iterators, reads across
// objects and reads by read-only scripts.
func TestTxReviewReadsAreErrInTransaction(t *testing.T) {
	l := hotredis.NewList[int](key(t, "l"))
	s := hotredis.NewSet[int](key(t, "s"))
	s2 := hotredis.NewSet[int](key(t, "s2"))
	m := hotredis.NewMap[string, int](key(t, "m"))
	str := hotredis.NewString(key(t, "str"))
	n := hotredis.NewInt(key(t, "n"))
	f := hotredis.NewFloat(key(t, "f"))
	cnt := hotredis.NewCounter[string](key(t, "c"))
	q := hotredis.NewQueue[int](key(t, "q"))
	lk := hotredis.NewLock(key(t, "lock"))
	noErr(t, l.Replace(ctx, 1, 2, 3))
	noErr(t, s.Replace(ctx, 1, 2))
	noErr(t, s2.Replace(ctx, 2, 3))
	noErr(t, m.Set(ctx, "a", 1))
	noErr(t, str.Set(ctx, "hello"))
	noErr(t, n.Store(ctx, 5))
	noErr(t, f.Store(ctx, 1.5))
	noErr(t, cnt.Replace(ctx, map[string]int64{"a": 2}))
	noErr(t, q.Put(ctx, 7))
	reads := map[string]func(context.Context) error{
		"List.All":            func(c context.Context) error { return seqErr(l.All(c)) },
		"List.Slice":          func(c context.Context) error { return err1(l.Slice(c, 0, 2)) },
		"List.Index":          func(c context.Context) error { return err1(l.Index(c, 2)) },
		"Set.Contains":        func(c context.Context) error { return err1(s.Contains(c, 1)) },
		"Set.Members":         func(c context.Context) error { return err1(s.Members(c)) },
		"Set.All":             func(c context.Context) error { return seqErr(s.All(c)) },
		"Set.Random":          func(c context.Context) error { return err1(s.Random(c)) },
		"Set.Union":           func(c context.Context) error { return err1(s.Union(c, s2)) },
		"Set.Equal":           func(c context.Context) error { return err1(s.Equal(c, s2)) },
		"Set.IsSubset":        func(c context.Context) error { return err1(s.IsSubset(c, s2)) },
		"Set.IsDisjoint":      func(c context.Context) error { return err1(s.IsDisjoint(c, s2)) },
		"Set.EqualValues":     func(c context.Context) error { return err1(s.EqualValues(c, 1, 2)) },
		"Set.IsSubsetValues":  func(c context.Context) error { return err1(s.IsSubsetValues(c, 1, 2, 3)) },
		"Set.IntersectionVal": func(c context.Context) error { return err1(s.IntersectionValues(c, 1)) },
		"Map.Get":             func(c context.Context) error { _, _, err := m.Get(c, "a"); return err },
		"Map.Has":             func(c context.Context) error { return err1(m.Has(c, "a")) },
		"Map.Items":           func(c context.Context) error { return err1(m.Items(c)) },
		"Map.Keys":            func(c context.Context) error { return err1(m.Keys(c)) },
		"Map.All":             func(c context.Context) error { return seqErr(m.All(c)) },
		"String.Get":          func(c context.Context) error { return err1(str.Get(c)) },
		"String.Slice":        func(c context.Context) error { return err1(str.Slice(c, 0, 2)) },
		"String.Index":        func(c context.Context) error { return err1(str.Index(c, "l")) },
		"String.HasPrefix":    func(c context.Context) error { return err1(str.HasPrefix(c, "h")) },
		"String.Len":          func(c context.Context) error { return err1(str.Len(c)) },
		"Int.Load":            func(c context.Context) error { return err1(n.Load(c)) },
		"Float.Load":          func(c context.Context) error { return err1(f.Load(c)) },
		"Counter.Get":         func(c context.Context) error { return err1(cnt.Get(c, "a")) },
		"Counter.MostCommon":  func(c context.Context) error { return err1(cnt.MostCommon(c, 1)) },
		"Counter.Total":       func(c context.Context) error { return err1(cnt.Total(c)) },
		"Counter.Items":       func(c context.Context) error { return err1(cnt.Items(c)) },
		"Queue.Len":           func(c context.Context) error { return err1(q.Len(c)) },
		"Queue.Empty":         func(c context.Context) error { return err1(q.Empty(c)) },
		"Queue.Unfinished":    func(c context.Context) error { return err1(q.Unfinished(c)) },
		"Lock.Locked":         func(c context.Context) error { return err1(lk.Locked(c)) },
		"Lock.Lease":          func(c context.Context) error { return err1(lk.Lease(c)) },
		"Object.Exists":       func(c context.Context) error { return err1(n.Exists(c)) },
	}
	for name, r := range reads {
		err, p := noPanic(func() error {
			return hotredis.Transaction(ctx, func(tctx context.Context) error { return r(tctx) })
		})
		switch {
		case p != nil:
			t.Errorf("%s inside a Transaction panicked: %v", name, p)
		case err == nil:
			t.Errorf("%s inside a Transaction returned no error (a value read before the commit?)", name)
		case !errors.Is(err, hotredis.ErrInTransaction):
			t.Logf("%s inside a Transaction = %v (not ErrInTransaction)", name, err)
		}
	}
}

// TestTxReviewOptimisticCommitCutIsUnknown: an Optimistic whose EXEC
// reply is lost to a cut connection reports ErrUnknownOutcome; fn is not
// run again and the write is applied once (never twice).
func TestTxReviewOptimisticCommitCutIsUnknown(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 1))
		short, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		runs := 0
		cutDone := make(chan struct{})
		err := c.Optimistic(short, func(tctx context.Context) error {
			runs++
			v, err := n.Load(tctx)
			if err != nil {
				return err
			}
			if runs == 1 {
				p.Stall(hotredistest.ToClient)
				go func() {
					defer close(cutDone)
					time.Sleep(100 * time.Millisecond)
					p.Cut()
					p.Resume(hotredistest.ToClient)
				}()
			}
			return n.Store(tctx, v+10)
		}, n)
		<-cutDone
		if err != nil && !errors.Is(err, hotredis.ErrUnknownOutcome) {
			t.Errorf("Optimistic whose EXEC reply was cut = %v, want ErrUnknownOutcome", err)
		}
		t.Logf("cut EXEC: %v (fn ran %d times)", err, runs)
		rdb := srv.GoRedis()
		defer rdb.Close()
		time.Sleep(200 * time.Millisecond)
		if v := rdb.Get(ctx, n.Key()).Val(); v != "11" {
			t.Errorf("value = %s, want 11 (applied exactly once); fn ran %d times, Optimistic = %v", v, runs, err)
		}
	})
}

// TestTxReviewTransactionAfterRestart: found by review, fixed since (rueidis backend). The
// first Transaction after a server restart works (README: "The calls after a restart or a network
// cut just work ... no write reports ErrUnknownOutcome for a command the
// server never saw"), on both backends.
func TestTxReviewTransactionAfterRestart(t *testing.T) {
	for _, name := range []string{"rueidis", "go-redis"} {
		t.Run(name, func(t *testing.T) {
			s := hotredistest.NewServer(t)
			c := faultyClient(t, name, s.Addr)
			a := hotredis.NewList[int](key(t, "a"), hotredis.WithClient(c))
			b := hotredis.NewInt(key(t, "b"), hotredis.WithClient(c))
			tx := func(i int) error {
				return c.Transaction(ctx, func(tctx context.Context) error {
					if _, err := a.Append(tctx, i); err != nil {
						return err
					}
					if err := a.Insert(tctx, 0, -i); err != nil {
						return err
					}
					_, err := b.Add(tctx, 1)
					return err
				})
			}
			for i := range 5 {
				noErr(t, tx(i))
			}
			s.Kill()
			if err := s.Restart(); err != nil {
				t.Fatal(err)
			}
			for i := range 5 {
				if err := tx(i); err != nil {
					t.Fatalf("Transaction %d after the restart: %v", i, err)
				}
			}
			if v := must[int64](t)(b.Load(ctx)); v != 5 && v != 10 {
				t.Errorf("b = %d after 5 transactions since the restart", v)
			}
		})
	}
}

// TestTxReviewClosedClient: Transaction and Optimistic on a closed
// client are ErrClosed, fn never runs.
func TestTxReviewClosedClient(t *testing.T) {
	c, err := srv.NewClient()
	noErr(t, err)
	n := hotredis.NewInt(key(t), hotredis.WithClient(c))
	noErr(t, n.Store(ctx, 1))
	noErr(t, c.Close())
	ran := false
	fn := func(tctx context.Context) error { ran = true; _, err := n.Add(tctx, 1); return err }
	if err := c.Transaction(ctx, fn); !errors.Is(err, hotredis.ErrClosed) {
		t.Errorf("Transaction on a closed client = %v, want ErrClosed", err)
	}
	if err := c.Optimistic(ctx, fn, n); !errors.Is(err, hotredis.ErrClosed) {
		t.Errorf("Optimistic on a closed client = %v, want ErrClosed", err)
	}
	if err := c.Optimistic(ctx, fn); !errors.Is(err, hotredis.ErrClosed) {
		t.Errorf("Optimistic (no watch) on a closed client = %v, want ErrClosed", err)
	}
	if ran {
		t.Error("fn ran on a closed client")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestTxReviewManyWrites: a Transaction of 20,000 queued writes applies
// them all.
func TestTxReviewManyWrites(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	noErr(t, l.Delete(ctx))
	err := hotredis.Transaction(ctx, func(tctx context.Context) error {
		for i := range 20000 {
			if _, err := l.Append(tctx, i); err != nil {
				return err
			}
		}
		return nil
	})
	noErr(t, err)
	if n := must[int](t)(l.Len(ctx)); n != 20000 {
		t.Errorf("Len = %d, want 20000", n)
	}
}

// TestTxReviewOptimisticWatchCrossSlot: on a Cluster, watch objects of
// different slots fail with ErrCrossSlot before fn runs.
func TestTxReviewOptimisticWatchCrossSlot(t *testing.T) {
	if !onCluster() {
		t.Skip("cluster only")
	}
	c := sharedCluster(t).Client(t)
	a := hotredis.NewList[int]("{zzws1}a", hotredis.WithClient(c))
	b := hotredis.NewList[int]("{zzws2}b", hotredis.WithClient(c))
	ran := false
	err, p := noPanic(func() error {
		return c.Optimistic(ctx, func(context.Context) error { ran = true; return nil }, a, b)
	})
	if p != nil || !errors.Is(err, hotredis.ErrCrossSlot) || ran {
		t.Errorf("Optimistic watching two slots = %v (panic %v, fn ran %v), want ErrCrossSlot before fn", err, p, ran)
	}
}

// TestTxReviewAtomicAfterRestart: found by review, fixed since (rueidis backend). The same as
// TestTxReviewTransactionAfterRestart for a method that sends a
// MULTI/EXEC of its own outside transactions (a SetQueue's Expire covers
// its two keys in one MULTI/EXEC): the first one after a restart fails
// with ErrUnknownOutcome though the server never saw it.
func TestTxReviewAtomicAfterRestart(t *testing.T) {
	s := hotredistest.NewServer(t)
	c := faultyClient(t, "rueidis", s.Addr)
	q := hotredis.NewSetQueue[int](key(t), hotredis.WithClient(c))
	for range 3 {
		must[bool](t)(q.Put(ctx, 1))
		must[bool](t)(q.Expire(ctx, time.Hour))
	}
	s.Kill()
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	must[bool](t)(q.Put(ctx, 1))
	if _, err := q.Expire(ctx, time.Hour); err != nil {
		t.Errorf("SetQueue.Expire after the restart: %v", err)
	}
}

// TestTxReviewTransactionAfterCut: found by review, fixed since (rueidis backend). As
// TestTxReviewTransactionAfterRestart, after a network cut of idle
// connections (README: "The calls after a restart or a network cut just
// work").
func TestTxReviewTransactionAfterCut(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		l := hotredis.NewList[int](key(t, "l"), hotredis.WithClient(c))
		tx := func() error {
			return c.Transaction(ctx, func(tctx context.Context) error {
				if _, err := n.Add(tctx, 1); err != nil {
					return err
				}
				_, err := l.Append(tctx, 1)
				return err
			})
		}
		for range 3 {
			noErr(t, tx())
		}
		p.Cut()
		time.Sleep(100 * time.Millisecond)
		if err := tx(); err != nil {
			t.Errorf("first Transaction after a cut of idle connections: %v", err)
		}
		rdb := srv.GoRedis()
		defer rdb.Close()
		t.Logf("value now %s", rdb.Get(ctx, n.Key()).Val())
	})
}

// TestTxReviewStaleOptimisticContext: found by review, fixed since (the write part). The
// context of an Optimistic that
// has returned: a read with it must not run on the connection the
// transaction had pinned (given back to the pool, maybe to another
// transaction), and a write with it must not report success while it is
// never applied.
func TestTxReviewStaleOptimisticContext(t *testing.T) {
	for _, backend := range []string{"rueidis", "go-redis"} {
		t.Run(backend, func(t *testing.T) {
			s := hotredistest.NewServer(t)
			c := faultyClient(t, backend, s.Addr)
			n := hotredis.NewInt(key(t), hotredis.WithClient(c))
			noErr(t, n.Store(ctx, 1))
			var stale context.Context
			noErr(t, c.Optimistic(ctx, func(tctx context.Context) error {
				stale = tctx
				_, err := n.Load(tctx)
				return err
			}, n))
			v, rerr, p := int64(0), error(nil), any(nil)
			func() {
				defer func() { p = recover() }()
				v, rerr = n.Load(stale)
			}()
			t.Logf("stale read: %d, %v (panic %v)", v, rerr, p)
			if p != nil {
				t.Errorf("a read with the context of a finished Optimistic panicked: %v", p)
			}
			_, werr := n.Add(stale, 10)
			got := must[int64](t)(n.Load(ctx))
			if werr == nil && got == 1 {
				t.Errorf("Add with the context of a finished Optimistic returned nil, yet nothing was written (value %d)", got)
			}
		})
	}
}
