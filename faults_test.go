package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// The guarantees under faults (SPEC, README "Guarantees under faults"),
// each tested with real faults: connections cut by a proxy or by the
// server (CLIENT KILL), traffic stalled by a proxy, the server paused
// (SIGSTOP), processes killed (SIGKILL).

func init() { roles["lock-holder-with-waiters"] = roleLockHolderWithWaiters }

// faults injects faults into the connections of the client named
// "consumer" on the suite's topology: on a single server through a proxy
// (cuts, stalls in either direction) and by CLIENT KILL; on a Cluster by
// CLIENT KILL on every master and by pausing the master of slot. It
// returns the consumer's client.
type faults struct {
	t       *testing.T
	proxy   *hotredistest.Proxy     // single server only
	masters []*hotredistest.Server  // where CLIENT KILL goes
	paused  *hotredistest.Server    // the master a pause stops (cluster)
	raws    []redis.UniversalClient // one per master, to kill connections
	n       atomic.Int64            // faults injected
}

func newFaults(t *testing.T, key string) (*faults, *hotredis.Client) {
	t.Helper()
	f := &faults{t: t}
	opts := hotredis.Options{ClientName: "consumer"}
	if onCluster() {
		cl := sharedCluster(t)
		ms, err := cl.Masters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.masters = ms
		if f.paused, err = cl.SlotOwner(ctx, slotOf(t, key)); err != nil {
			t.Fatal(err)
		}
		opts.Addrs = cl.Addrs()
	} else {
		f.proxy = hotredistest.NewProxy(t, srv.Addr)
		f.masters = []*hotredistest.Server{srv}
		opts.Addrs = []string{f.proxy.Addr()}
	}
	for _, m := range f.masters {
		rdb := m.GoRedis()
		t.Cleanup(func() { rdb.Close() })
		f.raws = append(f.raws, rdb)
	}
	// Other tests' faults may cut this client's first connection.
	var c *hotredis.Client
	var err error
	for range 20 {
		if c, err = hotredis.NewClient(opts); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return f, c
}

// slotOf returns key's Cluster slot, as the server computes it.
func slotOf(t *testing.T, key string) int {
	rdb := cluster.GoRedis()
	defer rdb.Close()
	n, err := rdb.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// one injects one random fault and undoes it (a stall lasts 5-60 ms).
func (f *faults) one() {
	f.n.Add(1)
	stall := time.Duration(5+rand.IntN(55)) * time.Millisecond
	switch r := rand.IntN(10); {
	case r < 4:
		f.kill()
	case f.proxy != nil && r < 7:
		f.proxy.Cut()
	case f.proxy != nil && r < 9:
		d := []hotredistest.Direction{hotredistest.ToClient, hotredistest.ToServer, hotredistest.Both}[rand.IntN(3)]
		f.proxy.Stall(d)
		time.Sleep(stall)
		f.proxy.Resume(d)
	default:
		s := f.masters[0]
		if f.paused != nil {
			s = f.paused
		}
		if err := s.Pause(); err != nil {
			f.t.Error(err)
			return
		}
		time.Sleep(stall)
		if err := s.Resume(); err != nil {
			f.t.Error(err)
		}
	}
}

// kill cuts the consumer's connections on the server side.
func (f *faults) kill() {
	for _, rdb := range f.raws {
		list, err := rdb.ClientList(ctx).Result()
		if err != nil {
			continue // a master paused a moment ago may still be slow
		}
		for _, line := range strings.Split(list, "\n") {
			if !strings.Contains(line, " name=consumer ") {
				continue
			}
			for _, field := range strings.Fields(line) {
				if id, ok := strings.CutPrefix(field, "id="); ok {
					rdb.Do(ctx, "CLIENT", "KILL", "ID", id)
				}
			}
		}
	}
}

// takeKinds are the ways to take from a queue, each taking one or more
// items: a Get of one, one without a wait (TryGet, of a LIFO queue), of
// several (GetMany), of a set queue (its Get).
var takeKinds = []struct {
	name string
	get  func(ctx context.Context, k string, c *hotredis.Client) ([]string, error)
}{
	{"Get", func(ctx context.Context, k string, c *hotredis.Client) ([]string, error) {
		v, err := hotredis.NewQueue[string](k, hotredis.WithClient(c)).Get(ctx)
		return []string{v}, err
	}},
	{"TryGet", func(ctx context.Context, k string, c *hotredis.Client) ([]string, error) {
		v, err := hotredis.NewLifoQueue[string](k, hotredis.WithClient(c)).TryGet(ctx)
		if errors.Is(err, hotredis.ErrEmpty) {
			time.Sleep(time.Millisecond)
			return nil, nil
		}
		return []string{v}, err
	}},
	{"GetMany", func(ctx context.Context, k string, c *hotredis.Client) ([]string, error) {
		return hotredis.NewQueue[string](k, hotredis.WithClient(c)).GetMany(ctx, 3)
	}},
	{"SetQueueGet", func(ctx context.Context, k string, c *hotredis.Client) ([]string, error) {
		v, err := hotredis.NewSetQueue[string](k, hotredis.WithClient(c)).Get(ctx)
		return []string{v}, err
	}},
}

// TestQueueTakesLoseNothingUnderFaults runs consumers whose connections
// are cut, stalled and whose server is paused, over a thousand times,
// while producers put unique items directly: every item is delivered
// exactly once, whatever happened to the replies of the takes.
func TestQueueTakesLoseNothingUnderFaults(t *testing.T) {
	// Cleanup, not defer: the parallel subtests run after this returns.
	// A take's acknowledgement goes again while its registration runs
	// (getHold, 10 s outside tests): under a fault every few ms on a
	// loaded machine, 1.5 s once let 7 acknowledgements of one consumer
	// run out, and their items come again (at-least-once, as documented;
	// a fresh clone's CI, 2026-12-07). 3 s keeps the test exact.
	t.Cleanup(hotredis.SetGetHold(3 * time.Second))
	var total atomic.Int64
	t.Cleanup(func() {
		if n := total.Load(); n < 1000 && !t.Failed() {
			t.Errorf("%d faults in all, want 1000 or more", n)
		}
	})
	for _, tc := range takeKinds {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			f, consumer := newFaults(t, k)
			// The producers' handles: on the default client, never faulted.
			put, setPut := hotredis.NewQueue[string](k), hotredis.NewSetQueue[string](k)
			noErr(t, setPut.Delete(ctx))
			const consumers, producers, each, minFaults = 8, 2, 300, 250
			var (
				got  deliveries
				errs atomic.Int64
				stop atomic.Bool
				wg   sync.WaitGroup
			)
			for range consumers {
				wg.Go(func() {
					for !stop.Load() {
						gctx, cancel := context.WithTimeout(ctx, time.Duration(50+rand.IntN(250))*time.Millisecond)
						if rand.IntN(4) == 0 {
							time.AfterFunc(time.Duration(rand.IntN(50))*time.Millisecond, cancel)
						}
						vs, err := tc.get(gctx, k, consumer)
						cancel()
						if err != nil {
							errs.Add(1)
							var de *hotredis.DecodeError
							if errors.As(err, &de) || errors.Is(err, hotredis.ErrWrongType) {
								t.Error(err)
								return
							}
							continue
						}
						got.add(vs)
					}
				})
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for p := range producers {
					for i := range each {
						var err error
						if v := fmt.Sprintf("%d-%d", p, i); tc.name == "SetQueueGet" {
							_, err = setPut.Put(ctx, v)
						} else {
							err = put.Put(ctx, v)
						}
						if err != nil {
							t.Error(err)
							return
						}
						time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
					}
				}
			}()
			for f.n.Load() < minFaults || !isClosed(done) {
				f.one()
				time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
			}
			// Every item comes back: taken items whose reply was lost after
			// their registration's deadline (getHold), given-back ones at
			// once. (Distinct items: an item delivered twice must not end
			// the wait before the others came.)
			deadline := time.Now().Add(20 * time.Second)
			for got.distinct() < producers*each && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			stop.Store(true)
			wg.Wait()
			got.check(t, k, producers*each)
			total.Add(f.n.Load())
			t.Logf("%d faults, %d calls failed, %d items delivered", f.n.Load(), errs.Load(), len(got.received))
		})
	}
}

// deliveries records the items consumers took from a queue.
type deliveries struct {
	mu       sync.Mutex
	received map[string]int // item → times delivered
	count    atomic.Int64   // items delivered in all
}

func (d *deliveries) add(vs []string) {
	d.mu.Lock()
	if d.received == nil {
		d.received = map[string]int{}
	}
	for _, v := range vs {
		d.received[v]++
	}
	d.mu.Unlock()
	d.count.Add(int64(len(vs)))
}

// distinct returns how many distinct items were delivered.
func (d *deliveries) distinct() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.received)
}

// check fails t unless each of the want items put in queue k was
// delivered exactly once; then it logs where the missing ones are.
func (d *deliveries) check(t *testing.T, k string, want int) {
	t.Helper()
	d.mu.Lock()
	defer d.mu.Unlock()
	for v, n := range d.received {
		if n != 1 {
			t.Errorf("%q delivered %d times", v, n)
		}
	}
	if len(d.received) != want {
		t.Errorf("%d distinct items delivered, want %d: %d lost", len(d.received), want, want-len(d.received))
		logQueueKeys(t, k)
	}
}

// logQueueKeys logs every key of the queue k, for the next one to look
// where missing items are: still queued (a consumer stuck), or in a take's
// or parking list, with or without its registration.
func logQueueKeys(t *testing.T, k string) {
	rdb := rawClient()
	defer rdb.Close()
	for _, key := range keysMatching(t, rdb, "*"+k[1:len(k)-1]+"*") {
		typ := rdb.Type(ctx, key).Val()
		var v any
		switch typ {
		case "list":
			v = rdb.LRange(ctx, key, 0, 20).Val()
		case "zset":
			v = rdb.ZRangeWithScores(ctx, key, 0, 20).Val()
		case "set":
			v = rdb.SRandMemberN(ctx, key, 20).Val()
		default:
			v = rdb.Get(ctx, key).Val()
		}
		t.Logf("%s (%s): %v", key, typ, v)
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// TestEveryCallReturnsByItsDeadlineWhileTheServerIsPaused pauses the
// server (every master of a Cluster) and calls every kind of operation
// with a 300 ms deadline: each returns by then (+50 ms), with an error
// that wraps context.DeadlineExceeded — never a success after the
// deadline — and the client works again once the server resumes.
func TestEveryCallReturnsByItsDeadlineWhileTheServerIsPaused(t *testing.T) {
	var servers []*hotredistest.Server
	var c *hotredis.Client
	if onCluster() {
		cl := hotredistest.NewCluster(t)
		servers = cl.Nodes
		c = cl.Client(t)
	} else {
		s := hotredistest.NewServer(t)
		servers = []*hotredistest.Server{s}
		c = s.Client(t)
	}
	k := func(s string) string { return "{paused}:" + s }
	on := hotredis.WithClient(c)
	list := hotredis.NewList[string](k("list"), on)
	set := hotredis.NewSet[string](k("set"), on)
	m := hotredis.NewMap[string, int](k("map"), on)
	counter := hotredis.NewCounter[string](k("counter"), on)
	str := hotredis.NewString(k("string"), on)
	n := hotredis.NewInt(k("int"), on)
	x := hotredis.NewFloat(k("float"), on)
	q := hotredis.NewQueue[string](k("queue"), on, hotredis.WithMaxSize(1))
	empty := hotredis.NewQueue[string](k("empty"), on)
	sq := hotredis.NewSetQueue[string](k("setqueue"), on)
	held := hotredis.NewLock(k("held"), on)
	other := hotredis.NewLock(k("held"), on)
	rl := hotredis.NewRLock(k("rlock"), on)
	sem := hotredis.NewSemaphore(k("sem"), 1, on)
	semOther := hotredis.NewSemaphore(k("sem"), 1, on)
	rw := hotredis.NewRWLock(k("rw"), on)
	rwOther := hotredis.NewRWLock(k("rw"), on)
	group := hotredis.NewWaitGroup(k("wg"), on)
	once := hotredis.NewOnce(k("once"), on)
	ev := hotredis.NewEvent(k("event"), on)
	bar := hotredis.NewBarrier(k("barrier"), 2, on)
	lim := hotredis.NewLimiter(k("limiter"), 1, 1, on)
	// Warm up: data to read, a lock and permit held, connections made.
	must[int](t)(list.Append(ctx, "a", "b"))
	must[int](t)(set.Add(ctx, "a"))
	noErr(t, m.Set(ctx, "a", 1))
	noErr(t, q.Put(ctx, "full"))
	noErr(t, held.Acquire(ctx))
	noErr(t, sem.Acquire(ctx))
	noErr(t, rw.Acquire(ctx))
	noErr(t, group.Add(ctx, 1))
	must[bool](t)(lim.Allow(ctx))
	must[bool](t)(sq.Put(ctx, "a"))
	noErr(t, c.Ping(ctx))
	if _, err := empty.TryGet(ctx); !errors.Is(err, hotredis.ErrEmpty) {
		t.Fatal(err)
	}

	calls := map[string]func(context.Context) error{
		"List.Append":     func(ctx context.Context) error { _, err := list.Append(ctx, "x"); return err },
		"List.Values":     func(ctx context.Context) error { _, err := list.Values(ctx); return err },
		"List.Insert":     func(ctx context.Context) error { return list.Insert(ctx, 1, "y") },
		"List.Reverse":    func(ctx context.Context) error { return list.Reverse(ctx) },
		"Set.Add":         func(ctx context.Context) error { _, err := set.Add(ctx, "b"); return err },
		"Set.Contains":    func(ctx context.Context) error { _, err := set.Contains(ctx, "a"); return err },
		"Map.Set":         func(ctx context.Context) error { return m.Set(ctx, "b", 2) },
		"Map.SetDefault":  func(ctx context.Context) error { _, err := m.SetDefault(ctx, "c", 3); return err },
		"Counter.Add":     func(ctx context.Context) error { _, err := counter.Add(ctx, "a", 1); return err },
		"Counter.Total":   func(ctx context.Context) error { _, err := counter.Total(ctx); return err },
		"String.Set":      func(ctx context.Context) error { return str.Set(ctx, "v") },
		"String.ToUpper":  func(ctx context.Context) error { _, err := str.ToUpper(ctx); return err },
		"Int.Add":         func(ctx context.Context) error { _, err := n.Add(ctx, 1); return err },
		"Int.Mul":         func(ctx context.Context) error { _, err := n.Mul(ctx, 2); return err },
		"Float.Add":       func(ctx context.Context) error { _, err := x.Add(ctx, 1); return err },
		"Queue.Put":       func(ctx context.Context) error { return q.Put(ctx, "blocked") },
		"Queue.TryPut":    func(ctx context.Context) error { return q.TryPut(ctx, "x") },
		"Queue.Get":       func(ctx context.Context) error { _, err := empty.Get(ctx); return err },
		"Queue.TryGet":    func(ctx context.Context) error { _, err := q.TryGet(ctx); return err },
		"Queue.GetMany":   func(ctx context.Context) error { _, err := empty.GetMany(ctx, 2); return err },
		"Queue.Reserve":   func(ctx context.Context) error { _, _, err := empty.Reserve(ctx, time.Minute); return err },
		"Queue.Join":      func(ctx context.Context) error { return q.Join(ctx) },
		"SetQueue.Get":    func(ctx context.Context) error { _, err := sq.Get(ctx); return err },
		"Lock.Release":    func(ctx context.Context) error { return held.Release(ctx) },
		"Lock.Acquire":    func(ctx context.Context) error { return other.Acquire(ctx) },
		"Lock.TryAcquire": func(ctx context.Context) error { _, err := other.TryAcquire(ctx); return err },
		"Lock.Locked":     func(ctx context.Context) error { _, err := other.Locked(ctx); return err },
		"RLock.Acquire":   func(ctx context.Context) error { return rl.Acquire(ctx) },
		"Semaphore.Release": func(ctx context.Context) error {
			return sem.Release(ctx)
		},
		"Semaphore.Acquire": func(ctx context.Context) error { return semOther.Acquire(ctx) },
		"Semaphore.Available": func(ctx context.Context) error {
			_, err := semOther.Available(ctx)
			return err
		},
		"RWLock.AcquireRead": func(ctx context.Context) error { return rwOther.AcquireRead(ctx) },
		"RWLock.Release":     func(ctx context.Context) error { return rw.Release(ctx) },
		"WaitGroup.Wait":     func(ctx context.Context) error { return group.Wait(ctx) },
		"WaitGroup.Done":     func(ctx context.Context) error { return group.Done(ctx) },
		"Once.Do":            func(ctx context.Context) error { return once.Do(ctx, func(context.Context) error { return nil }) },
		"Event.Wait":         func(ctx context.Context) error { return ev.Wait(ctx) },
		"Event.Set":          func(ctx context.Context) error { return ev.Set(ctx) },
		"Barrier.Wait":       func(ctx context.Context) error { _, err := bar.Wait(ctx); return err },
		"Limiter.Allow":      func(ctx context.Context) error { _, err := lim.Allow(ctx); return err },
		"Limiter.Wait":       func(ctx context.Context) error { return lim.Wait(ctx) },
		"Transaction": func(ctx context.Context) error {
			return c.Transaction(ctx, func(ctx context.Context) error { _, err := list.Append(ctx, "t"); return err })
		},
		"Optimistic": func(ctx context.Context) error {
			return c.Optimistic(ctx, func(ctx context.Context) error { _, err := n.Load(ctx); return err }, n)
		},
		"Ping": func(ctx context.Context) error { return c.Ping(ctx) },
	}

	for _, s := range servers {
		noErr(t, s.Pause())
	}
	const timeout, slack = 300 * time.Millisecond, 50 * time.Millisecond
	lag := measureLag(t)
	type result struct {
		took time.Duration
		err  error
	}
	results := map[string]result{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			err := call(cctx)
			took := time.Since(start)
			mu.Lock()
			results[name] = result{took, err}
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, s := range servers {
		noErr(t, s.Resume())
	}
	slowest, slowName := time.Duration(0), ""
	for name, r := range results {
		if r.took > slowest {
			slowest, slowName = r.took, name
		}
		if r.took > timeout+slack+lag.allowance() {
			t.Errorf("%s returned after %v with a %v deadline (%v; goroutines woke up to %v late)", name, r.took.Round(time.Millisecond), timeout, r.err, lag.allowance())
		}
		if !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("%s = %v while the server was paused, want an error wrapping context.DeadlineExceeded", name, r.err)
		}
	}
	t.Logf("%d calls with a %v deadline against the paused server; the slowest, %s, returned after %v (goroutines woke up to %v late)",
		len(results), timeout, slowName, slowest.Round(time.Millisecond), lag.allowance())
	// The client carries on.
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if err := c.Ping(rctx); err == nil {
			break
		} else if rctx.Err() != nil {
			t.Fatalf("the client did not recover after the pause: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := list.Append(rctx, "after"); err != nil {
		chain := ""
		for e := err; e != nil; e = errors.Unwrap(e) {
			chain += fmt.Sprintf(" <%T %v>", e, e)
		}
		t.Errorf("Append after the pause: %v; chain:%s; rctx.Err=%v", err, chain, rctx.Err())
	}
}

// TestDeadHolderWithWaitersFreesTheLockWithinLeasePlusASecond kills a
// process that holds a lock (lease 1 s) while three of its goroutines wait
// in line ahead of a waiter here: the waiter here gets the lock within the
// lease + 1 s of the kill, although the dead waiters stood first in line.
func TestDeadHolderWithWaitersFreesTheLockWithinLeasePlusASecond(t *testing.T) {
	const lease = time.Second
	for _, kind := range []string{"lock", "rlock", "sem"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			rdb := rawClient()
			defer rdb.Close()
			child := startRole(t, "lock-holder-with-waiters", "LOCK_KIND="+kind, "LOCK_KEY="+k)
			defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
			deadline := time.Now().Add(15 * time.Second)
			for rdb.Exists(ctx, k+":ready").Val() == 0 {
				if time.Now().After(deadline) {
					t.Fatal("the child never held the lock")
				}
				time.Sleep(5 * time.Millisecond)
			}
			waitInLine(t, k, 3)
			me := newLocker(kind, k, 1, hotredis.WithLease(lease))
			got := make(chan time.Time, 1)
			go func() {
				if err := me.Acquire(ctx); err != nil {
					t.Error(err)
				}
				got <- time.Now()
			}()
			waitInLine(t, k, 4)
			time.Sleep(100 * time.Millisecond) // the dead waiters have just renewed
			killed := time.Now()
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			select {
			case at := <-got:
				took := at.Sub(killed)
				t.Logf("the lock passed on %v after the holder and its waiters died", took.Round(time.Millisecond))
				if took > lease+time.Second {
					t.Errorf("the lock passed on %v after the kill, want within the lease (%v) + 1s", took, lease)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the lock never passed on")
			}
			noErr(t, me.Release(ctx))
		})
	}
}

// roleLockHolderWithWaiters takes the lock LOCK_KEY of kind LOCK_KIND
// with a 1 s lease, puts three more handles of it in line, says so with
// LOCK_KEY:ready, and waits to be killed.
func roleLockHolderWithWaiters() error {
	rdb, done, err := roleClients()
	if err != nil {
		return err
	}
	defer done()
	k, kind := os.Getenv("LOCK_KEY"), os.Getenv("LOCK_KIND")
	lease := hotredis.WithLease(time.Second)
	if err := newLocker(kind, k, 1, lease).Acquire(ctx); err != nil {
		return err
	}
	for range 3 {
		go func() { _ = newLocker(kind, k, 1, lease).Acquire(ctx) }()
	}
	if err := rdb.Set(ctx, k+":ready", 1, time.Minute).Err(); err != nil {
		return err
	}
	time.Sleep(time.Minute)
	return nil
}

// TestHugeArgumentsCannotWedgeTheServer refuses what no Redis can hold
// before sending anything, and builds a big legitimate result in bounded
// steps while another client keeps being served.
func TestHugeArgumentsCannotWedgeTheServer(t *testing.T) {
	l := hotredis.NewList[string](key(t, "list"))
	s := hotredis.NewString(key(t, "string"))
	l.Delete(ctx)
	must[int](t)(l.Append(ctx, "a"))
	noErr(t, s.Set(ctx, "ab"))
	for name, call := range map[string]func() error{
		"List.Repeat":      func() error { _, err := l.Repeat(ctx, 1<<40); return err },
		"String.Repeat":    func() error { _, err := s.Repeat(ctx, 1<<40); return err },
		"ImmutableRepeat":  func() error { _, err := hotredis.NewImmutableString(s.Key()).Repeat(ctx, 1<<40); return err },
		"String.SetRange":  func() error { _, err := s.SetRange(ctx, 1<<40, "x"); return err },
		"String.SetRange2": func() error { _, err := s.SetRange(ctx, 512<<20, "x"); return err },
	} {
		if err := call(); !errors.Is(err, hotredis.ErrInvalidArgument) {
			t.Errorf("%s with a huge argument = %v, want ErrInvalidArgument", name, err)
		}
	}
	if vs := must[[]string](t)(l.Values(ctx)); len(vs) != 1 {
		t.Errorf("the refused Repeat changed the list: %d elements", len(vs))
	}

	// 10,000 elements times 50: half a million written in bounded steps,
	// while another connection PINGs.
	base := make([]string, 10_000)
	for i := range base {
		base[i] = fmt.Sprint(i)
	}
	noErr(t, l.Replace(ctx, base...))
	rdb := rawClient()
	defer rdb.Close()
	lag := measureLag(t)
	stop := make(chan struct{})
	var longest time.Duration
	pinged := make(chan error, 1)
	go func() {
		var err error
		for {
			select {
			case <-stop:
				pinged <- err
				return
			default:
			}
			start := time.Now()
			if perr := rdb.Ping(ctx).Err(); perr != nil && err == nil {
				err = perr
			}
			longest = max(longest, time.Since(start))
			time.Sleep(time.Millisecond)
		}
	}()
	n := must[int](t)(l.Repeat(ctx, 50))
	close(stop)
	noErr(t, <-pinged)
	if n != 500_000 {
		t.Fatalf("Repeat(50) of 10,000 gave %d elements", n)
	}
	for _, i := range []int{0, 9_999, 10_000, 255_001, 499_999} {
		if v := must[string](t)(l.Get(ctx, i)); v != base[i%10_000] {
			t.Errorf("element %d = %q, want %q", i, v, base[i%10_000])
		}
	}
	t.Logf("longest PING during the Repeat: %v (goroutines woke up to %v late)", longest.Round(time.Millisecond), lag.allowance())
	if longest > 500*time.Millisecond+lag.allowance() {
		t.Errorf("a PING waited %v during the Repeat: the server was held", longest)
	}
	noErr(t, l.Reverse(ctx))
	if v := must[string](t)(l.Get(ctx, 0)); v != "9999" {
		t.Errorf("after Reverse the head is %q, want 9999", v)
	}
	l.Delete(ctx)
}

// TestCallsWithDeadlinesReturnByThemThroughFaults runs 32 goroutines of
// calls, each with its own deadline, beside 8 without one, while the
// connections are cut,
// stalled (also while new ones are being made: a cut during a stall makes
// the client dial a connection that cannot answer) and the server is
// paused: every call returns by its deadline, plus a little, and the
// client serves again afterwards. Calls on connections that are up go
// straight to rueidis (see internal/backend/steady.go); this is the test
// that they do not wait for a connection being made.
func TestCallsWithDeadlinesReturnByThemThroughFaults(t *testing.T) {
	k := key(t)
	f, c := newFaults(t, k)
	on := hotredis.WithClient(c)
	n := hotredis.NewInt(k+":int", on)
	l := hotredis.NewList[int](k+":list", on)
	s := hotredis.NewSet[int](k+":set", on)
	defer n.Delete(ctx)
	defer l.Delete(ctx)
	defer s.Delete(ctx)
	calls := []func(context.Context) error{
		func(ctx context.Context) error { _, err := n.Add(ctx, 1); return err },
		func(ctx context.Context) error { _, err := l.Append(ctx, 1); return err },
		func(ctx context.Context) error { _, err := s.Add(ctx, rand.IntN(100)); return err },
	}
	const timeout, slack = 250 * time.Millisecond, 100 * time.Millisecond
	lag := measureLag(t)
	type lateCall struct {
		took time.Duration
		err  error
	}
	var (
		stop      atomic.Bool
		done      atomic.Int64
		slowest   atomic.Int64
		wg        sync.WaitGroup
		mu        sync.Mutex
		lateCalls []lateCall
		late      int
	)
	// Eight goroutines call without a deadline: when one of them makes a
	// connection through the stalled proxy, rueidis's dial timeout bounds
	// it, and a call with a deadline must not wait for it.
	for g := range 8 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if err := calls[(g+i)%len(calls)](context.WithoutCancel(ctx)); err != nil {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	for g := range 32 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				cctx, cancel := context.WithTimeout(ctx, timeout)
				start := time.Now()
				err := calls[(g+i)%len(calls)](cctx)
				took := time.Since(start)
				cancel()
				done.Add(1)
				if int64(took) > slowest.Load() {
					slowest.Store(int64(took))
				}
				if took > timeout+slack { // (judged at the end, against the lag seen by then)
					mu.Lock()
					lateCalls = append(lateCalls, lateCall{took, err})
					mu.Unlock()
				}
				if err != nil {
					time.Sleep(time.Millisecond) // do not spin on a dead connection
				}
			}
		})
	}
	for range 30 {
		time.Sleep(20 * time.Millisecond)
		f.one()
		if f.proxy != nil && rand.IntN(2) == 0 {
			// Cut while stalled: the replacement connection is dialled
			// through a proxy that forwards nothing until Resume.
			f.proxy.Stall(hotredistest.Both)
			f.proxy.Cut()
			time.Sleep(time.Duration(100+rand.IntN(300)) * time.Millisecond)
			f.proxy.Resume(hotredistest.Both)
		}
	}
	stop.Store(true)
	wg.Wait()
	var lateExamples []string
	for _, c := range lateCalls {
		if c.took > timeout+slack+lag.allowance() {
			late++
			if len(lateExamples) < 5 {
				lateExamples = append(lateExamples, fmt.Sprintf("%v (%v)", c.took.Round(time.Millisecond), c.err))
			}
		}
	}
	if late > 0 {
		t.Errorf("%d of %d calls returned more than %v after their %v deadline (goroutines woke up to %v late), e.g. %v", late, done.Load(), slack, timeout, lag.allowance(), lateExamples)
	}
	t.Logf("%d calls through %d faults; the slowest returned after %v (goroutines woke up to %v late)", done.Load(), f.n.Load(), time.Duration(slowest.Load()).Round(time.Millisecond), lag.allowance())
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if _, err := n.Add(rctx, 1); err == nil {
			break
		} else if rctx.Err() != nil {
			t.Fatalf("the client does not serve again after the faults: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLostRepliesAreUnknownOutcomes cuts connections with a command on
// its way (stalled toward the server: never applied) or with its reply on
// its way (stalled toward the client: applied): a write says
// ErrUnknownOutcome either way (README, "Guarantees under faults"), and a
// Release whose reply was lost leaves the handle holding nothing and the
// lock free within its lease; a read goes again; a TryAcquire or a
// TryGet, whose lost replies the library undoes, fails without it and
// gives back what it may have taken, and an Acquire or a Get gives it
// back and goes on. On the default client, and on a go-redis client told
// not to send commands again (MaxRetries -1, as WrapGoRedis's doc asks:
// its default would apply such a write twice).
func TestLostRepliesAreUnknownOutcomes(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	clients := map[string]func() *hotredis.Client{
		"rueidis": func() *hotredis.Client {
			c, err := hotredis.NewClientURL("redis://" + p.Addr())
			noErr(t, err)
			return c
		},
		"go-redis": func() *hotredis.Client {
			rdb := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1})
			t.Cleanup(func() { rdb.Close() })
			return hotredis.WrapGoRedis(rdb)
		},
	}
	for name, mk := range clients {
		t.Run(name, func(t *testing.T) {
			c := mk()
			defer c.Close()
			on := hotredis.WithClient(c)
			n := hotredis.NewInt("lost:n:"+name, on)
			lock := hotredis.NewLock("lost:lock:"+name, on, hotredis.WithLease(2*time.Second))
			cut := func(d hotredistest.Direction, call func() error) error { return cutMidCall(p, d, call) }
			add := func() error { _, err := n.Add(ctx, 1); return err }
			noErr(t, add()) // a connection made
			for _, st := range []struct {
				d       hotredistest.Direction
				applied bool
			}{{hotredistest.ToServer, false}, {hotredistest.ToClient, true}} {
				before := must[int64](t)(n.Load(ctx))
				err := cut(st.d, add)
				if !errors.Is(err, hotredis.ErrUnknownOutcome) {
					t.Errorf("Add cut (stalled %v) = %v, want ErrUnknownOutcome", st.d, err)
				}
				want := before
				if st.applied {
					want++
				}
				if got := must[int64](t)(n.Load(ctx)); got != want {
					t.Errorf("after an Add cut (stalled %v): %d, want %d", st.d, got, want)
				}
			}
			// A read changes nothing: it goes again, on a new connection.
			var loaded int64
			if err := cut(hotredistest.ToClient, func() (err error) { loaded, err = n.Load(ctx); return err }); err != nil || loaded != must[int64](t)(n.Load(ctx)) {
				t.Errorf("Load cut = %d, %v; want it sent again and the value", loaded, err)
			}
			noErr(t, lock.Acquire(ctx))
			if err := cut(hotredistest.ToClient, func() error { return lock.Release(ctx) }); !errors.Is(err, hotredis.ErrUnknownOutcome) {
				t.Errorf("Release cut = %v, want ErrUnknownOutcome", err)
			}
			select {
			case <-lock.Lost():
			default:
				t.Error("after a Release whose reply was lost, the handle still holds the lock")
			}
			// Whether or not the Release reached the server, the lock is
			// free within the lease: the handle renews it no more.
			freeWithin := func(what string) {
				t.Helper()
				for deadline := time.Now().Add(3 * time.Second); must[bool](t)(lock.Locked(ctx)); time.Sleep(20 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("the lock is still held 3 s after %s (lease 2 s)", what)
					}
				}
			}
			freeWithin("a Release whose reply was lost")

			// What the library undoes when a reply is lost has a known
			// outcome: a TryAcquire or a TryGet says only that the
			// connection failed, and gives back what it may have taken.
			other := hotredis.NewLock("lost:lock:"+name, on, hotredis.WithLease(2*time.Second))
			if err := cut(hotredistest.ToClient, func() error { _, err := other.TryAcquire(ctx); return err }); err == nil || errors.Is(err, hotredis.ErrUnknownOutcome) {
				t.Errorf("TryAcquire cut = %v, want an error other than ErrUnknownOutcome", err)
			}
			freeWithin("a TryAcquire whose reply was lost")
			q := hotredis.NewQueue[string]("lost:queue:"+name, on)
			noErr(t, q.Put(ctx, "item"))
			if err := cut(hotredistest.ToClient, func() error { _, err := q.TryGet(ctx); return err }); err == nil || errors.Is(err, hotredis.ErrUnknownOutcome) {
				t.Errorf("TryGet cut = %v, want an error other than ErrUnknownOutcome", err)
			}
			// A call that waits goes on after that (it rides out a lost
			// connection): the Acquire holds the lock, and only under its
			// own holding (what the lost try got was given back); the Get
			// returns the item given back by the TryGet, once.
			if err := cut(hotredistest.ToClient, func() error { return other.Acquire(ctx) }); err != nil {
				t.Errorf("Acquire cut = %v, want it to go on and acquire", err)
			} else {
				noErr(t, other.Release(ctx))
				if held := must[bool](t)(lock.Locked(ctx)); held {
					t.Error("the lock is held after the Release of an Acquire that rode out a lost reply")
				}
			}
			var got string
			if err := cut(hotredistest.ToClient, func() (err error) { got, err = q.Get(ctx); return err }); got != "item" || err != nil {
				t.Errorf("Get cut = %q, %v; want it to go on and get the item", got, err)
			}
			if n := must[int](t)(q.Len(ctx)); n != 0 {
				t.Errorf("%d items left after the Get; want none (the item delivered once)", n)
			}
		})
	}
}

// TestCloseLetsGiveBacksRun cancels a Reserve and an Acquire whose
// replies are held up (the server has taken the item, granted the lock),
// then closes the client before the replies arrive: Close waits for what
// the calls took to be given back, and that give-back must run, though
// Close refuses every new call meanwhile. (It was refused: the item stayed
// reserved until its visibility ran out, the lock held until its lease
// did; TestQueueCancelledWaitsLoseNothing lost an item or two this way
// when its last cancelled waits raced its Close.)
func TestCloseLetsGiveBacksRun(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	c, err := hotredis.NewClientURL("redis://" + p.Addr())
	noErr(t, err)
	on := hotredis.WithClient(c)
	q := hotredis.NewQueue[string]("{close}:q", on)
	lock := hotredis.NewLock("{close}:lock", on, hotredis.WithLease(time.Minute))
	noErr(t, q.Put(ctx, "item"))
	noErr(t, lock.Acquire(ctx)) // connections made, the scripts loaded
	noErr(t, lock.Release(ctx))

	p.Stall(hotredistest.ToClient)
	calls := []func(context.Context) error{
		func(ctx context.Context) error { _, _, err := q.Reserve(ctx, time.Minute); return err },
		func(ctx context.Context) error { return lock.Acquire(ctx) },
	}
	for _, call := range calls {
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- call(cctx) }()
		time.Sleep(50 * time.Millisecond) // sent, run, its reply held
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled call: %v, want context.Canceled", err)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	time.Sleep(50 * time.Millisecond) // Close waits for the give-backs
	p.Resume(hotredistest.ToClient)
	select {
	case err := <-closed:
		noErr(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}

	rdb := srv.GoRedis()
	defer rdb.Close()
	if n := rdb.LLen(ctx, "{close}:q").Val(); n != 1 {
		t.Errorf("%d items in the queue after Close, want the reserved one back", n)
	}
	if n := rdb.ZCard(ctx, "{close}:q:reserved").Val(); n != 0 {
		t.Errorf("%d reservations left after Close", n)
	}
	other := hotredis.NewLock("{close}:lock", hotredis.WithClient(srv.Client(t)))
	if ok := must[bool](t)(other.TryAcquire(ctx)); !ok {
		t.Error("the lock is still held after Close: the cancelled Acquire's grant was not given back")
	} else {
		noErr(t, other.Release(ctx))
	}
}

// TestQueueTakesSentTwiceLoseNothing: a take whose command or pipeline
// reached the server twice (a client's resend of a call it wrongly judged
// unsent) delivers its items once, and the second run takes nothing more:
// the consumers' client here runs every command and pipeline twice. (Each
// run took items into the same take's list and the Get's acknowledgement
// deleted them all: the first run's were lost.)
func TestQueueTakesSentTwiceLoseNothing(t *testing.T) {
	for _, tc := range takeKinds {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			c := twiceClient(t)
			put, setPut := hotredis.NewQueue[string](k), hotredis.NewSetQueue[string](k)
			const consumers, items = 4, 150
			var (
				got  deliveries
				stop atomic.Bool
				wg   sync.WaitGroup
			)
			// Waits without a deadline: a wait's second run waits on the
			// server again (for nothing, at the end), which would eat any
			// deadline, and every item a wait took came back (a caller that
			// gave up) to be taken by another wait.
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			for range consumers {
				wg.Go(func() {
					for !stop.Load() {
						vs, err := tc.get(cctx, k, c)
						if errors.Is(err, context.Canceled) {
							return
						}
						if err != nil {
							t.Error(err)
							return
						}
						got.add(vs)
					}
				})
			}
			// Put one at a time, some while the consumers wait (their
			// waits' pipelines run twice too), some in bursts.
			for i := range items {
				var err error
				if v := strconv.Itoa(i); tc.name == "SetQueueGet" {
					_, err = setPut.Put(ctx, v)
				} else {
					err = put.Put(ctx, v)
				}
				noErr(t, err)
				if i%10 == 0 {
					time.Sleep(20 * time.Millisecond)
				}
			}
			waited(func() bool { return got.count.Load() >= items })
			stop.Store(true)
			cancel()
			wg.Wait()
			got.check(t, k, items)
			if n, err := put.Len(ctx); err != nil || n != 0 {
				t.Errorf("Len = %d, %v after all were delivered, want 0", n, err)
			}
		})
	}
}

// TestQueueWaitSentTwiceGivesBackWhatItTook: a Get whose wait's pipeline
// ran twice, the first run taking an item and the second waiting in vain
// until the Get's deadline, gives the first run's item back when it gives
// up (not when its registration expires: getHold, 10 s by default).
// (GetMany: its take registers only once it waits, where a Get's first
// take registers itself in any case.)
func TestQueueWaitSentTwiceGivesBackWhatItTook(t *testing.T) {
	k := key(t)
	c := twiceClient(t)
	q := hotredis.NewQueue[string](k)
	raw := rawClient()
	t.Cleanup(func() { raw.Close() })
	done := make(chan error, 1)
	go func() {
		gctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := hotredis.NewQueue[string](k, hotredis.WithClient(c)).GetMany(gctx, 2)
		done <- err
	}()
	// Once the wait registered (its pipeline's first command), the item
	// comes: the first run's wait takes it, the second's waits.
	if !waited(func() bool { return raw.ZCard(ctx, k+":reserved").Val() > 0 }) {
		t.Fatal("the Get never waited")
	}
	noErr(t, q.Put(ctx, "x"))
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetMany: %v, want the deadline", err)
	}
	if !waited(func() bool { n, _ := q.Len(ctx); return n == 1 }) {
		t.Error("the item the Get's wait took did not come back")
		logQueueKeys(t, k)
	}
	v, err := q.TryGet(ctx)
	if err != nil || v != "x" {
		t.Errorf("TryGet = %q, %v, want x", v, err)
	}
}

// twiceClient returns a client on the suite's topology that sends every
// command and pipeline twice (see twice).
func twiceClient(t *testing.T) *hotredis.Client {
	rdb := rawClient()
	rdb.AddHook(twice{})
	c := hotredis.WrapGoRedis(rdb)
	t.Cleanup(func() {
		c.Close()
		rdb.Close()
	})
	return c
}

// twice is a go-redis hook that sends every command and pipeline twice,
// the second run's replies standing.
type twice struct{}

func (twice) DialHook(next redis.DialHook) redis.DialHook { return next }

func (twice) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		_ = next(ctx, cmd)
		return next(ctx, cmd)
	}
}

func (twice) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		_ = next(ctx, cmds)
		return next(ctx, cmds)
	}
}

// TestGetAckOutlivesAnOutageShorterThanTheHold: a Get's acknowledgement
// that cannot reach the server (down, its data kept: AOF) goes again for
// as long as the take's registration runs, so an outage shorter than that
// does not deliver the item twice (it gave up at half the hold, and on a
// LOADING refusal).
func TestGetAckOutlivesAnOutageShorterThanTheHold(t *testing.T) {
	defer hotredis.SetGetHold(3 * time.Second)()
	srv := hotredistest.NewServer(t, "--appendonly", "yes", "--appendfsync", "always")
	p := hotredistest.NewProxy(t, srv.Addr)
	k := key(t)
	direct := srv.Client(t)
	noErr(t, hotredis.NewQueue[string](k, hotredis.WithClient(direct)).Put(ctx, "x"))
	c := faultyClient(t, "rueidis", p.Addr())
	v, err := hotredis.NewQueue[string](k, hotredis.WithClient(c)).Get(ctx)
	got := time.Now()
	p.Stall(hotredistest.ToServer) // (the acknowledgement, due in 10 ms, held)
	if err != nil || v != "x" {
		t.Fatalf("Get = %q, %v; want x", v, err)
	}
	srv.Kill()
	p.Cut()
	p.Resume(hotredistest.ToServer)
	time.Sleep(2 * time.Second) // past half the hold: the acknowledgement fails meanwhile
	noErr(t, srv.Restart())
	time.Sleep(time.Until(got.Add(3*time.Second + 500*time.Millisecond))) // past the hold
	other := hotredis.NewQueue[string](k, hotredis.WithClient(srv.Client(t)))
	if v, _, err := other.TryReserve(ctx, time.Minute); !errors.Is(err, hotredis.ErrEmpty) {
		t.Errorf("TryReserve once the hold passed = %q, %v; want ErrEmpty: the item was acknowledged", v, err)
	}
}

// blackhole takes over addr's port with a listener that never accepts
// and whose accept queue is full: dials to it time out.
func blackhole(t *testing.T, addr string) {
	t.Helper()
	_, ps, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(ps)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	sa := &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
	for i := 0; ; i++ {
		if err = syscall.Bind(fd, sa); err == nil {
			break
		}
		if i == 50 {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	// Fill the accept queue (backlog 0 holds one).
	for range 3 {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("blackhole still accepts dials")
	}
}

// TestCancellableCallFailsOnUnreachableServer: a write whose
// context can be cancelled but has no deadline, against a server whose
// address no longer answers dials, must fail as the same write with
// context.Background() does (after the dial timeout), not retry forever
// (it dialed again and again until cancelled; found by review): a dial
// that timed out by its own timeout fails every call that waited for it.
func TestCancellableCallFailsOnUnreachableServer(t *testing.T) {
	t.Parallel()
	s := hotredistest.NewServer(t)
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := hotredis.NewInt("unreachable:n", hotredis.WithClient(c))
	if _, err := n.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.Kill()
	blackhole(t, s.Addr)

	start := time.Now()
	_, err = n.Add(context.Background(), 1)
	t.Logf("Background(): %v after %v", err, time.Since(start).Round(time.Millisecond))
	if err == nil {
		t.Fatal("Background() write succeeded against a blackhole")
	}

	cctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type res struct {
		what string
		err  error
		took time.Duration
	}
	done := make(chan res, 2)
	start = time.Now()
	go func() {
		_, err := n.Add(cctx, 1)
		done <- res{"Add (a write)", err, time.Since(start)}
	}()
	go func() {
		_, err := n.Load(cctx)
		done <- res{"Load (a read)", err, time.Since(start)}
	}()
	timeout := time.After(20 * time.Second)
	var hung []string
	timedOut := false
	for range 2 {
		if !timedOut {
			select {
			case r := <-done:
				t.Logf("WithCancel %s: %v after %v", r.what, r.err, r.took.Round(time.Millisecond))
				if r.err == nil {
					t.Errorf("%s succeeded against a blackhole", r.what)
				}
				continue
			case <-timeout:
				timedOut = true
				cancel()
			}
		}
		r := <-done
		hung = append(hung, r.what)
		t.Logf("WithCancel %s: ended only on cancel, after %v: %v", r.what, r.took.Round(time.Millisecond), r.err)
	}
	if len(hung) > 0 {
		t.Fatalf("calls with a cancellable context (no deadline) had not returned after 20 s against an unreachable server, where Background() failed after the dial timeout: %v", hung)
	}
}
