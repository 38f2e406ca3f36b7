package hotredis_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// workload appends unique values to lists spread over every cluster slot
// range, recording which appends Redis acknowledged, until stop closes.
type workload struct {
	lists  []*hotredis.List[string]
	mu     sync.Mutex
	acked  map[string]time.Time // value -> when acknowledged
	okN    atomic.Int64
	errN   atomic.Int64
	lastOK []atomic.Int64 // per list: unix nanos of the last success
}

func newWorkload(c *hotredis.Client, n int) *workload {
	w := &workload{acked: map[string]time.Time{}, lastOK: make([]atomic.Int64, n)}
	for i := range n {
		w.lists = append(w.lists, hotredis.NewList[string](fmt.Sprintf("failover:%d", i), hotredis.WithClient(c)))
	}
	return w
}

func (w *workload) run(stop <-chan struct{}, wg *sync.WaitGroup) {
	for i, l := range w.lists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				v := fmt.Sprintf("%d-%d", i, seq)
				cctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				start := time.Now()
				_, err := l.Append(cctx, v)
				cancel()
				if took := time.Since(start); took > 2*time.Second {
					panic(fmt.Sprintf("a call hung for %v past its 500ms context", took))
				}
				if err != nil {
					w.errN.Add(1)
					time.Sleep(20 * time.Millisecond)
					continue
				}
				w.okN.Add(1)
				now := time.Now()
				w.lastOK[i].Store(now.UnixNano())
				w.mu.Lock()
				w.acked[v] = now
				w.mu.Unlock()
			}
		}()
	}
}

// allRecoveredAfter reports whether every list had a success after t.
func (w *workload) allRecoveredAfter(t time.Time) bool {
	for i := range w.lastOK {
		if w.lastOK[i].Load() <= t.UnixNano() {
			return false
		}
	}
	return true
}

// TestClusterFailover kills a master under a steady workload. The workload
// must resume on its own once a replica is promoted; no call may hang past
// its context; acknowledged writes may be lost only if they were
// acknowledged shortly before the kill (Redis replicates asynchronously).
func TestClusterFailover(t *testing.T) {
	onceOnly(t) // its own cluster or sentinel, whatever the suite's topology
	if testing.Short() {
		t.Skip("failover test skipped with -short")
	}
	cl := hotredistest.NewCluster(t, hotredistest.ClusterOptions{Replicas: 1})
	c := cl.Client(t)
	w := newWorkload(c, 12)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	w.run(stop, &wg)
	time.Sleep(time.Second)

	masters, err := cl.Masters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	killedAt := time.Now()
	masters[0].Kill()
	var recovered time.Duration
	for time.Since(killedAt) < 30*time.Second {
		if w.allRecoveredAfter(killedAt.Add(100 * time.Millisecond)) {
			recovered = time.Since(killedAt)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if recovered == 0 {
		t.Fatalf("the workload did not resume within 30s of the kill (ok=%d, errors=%d)", w.okN.Load(), w.errN.Load())
	}
	t.Logf("cluster failover: all keys writable again %v after the kill; %d ok, %d failed calls", recovered.Round(10*time.Millisecond), w.okN.Load(), w.errN.Load())

	// Consistency: everything stored was attempted; acknowledged values
	// are all there unless acknowledged just before the kill.
	stored := map[string]bool{}
	for _, l := range w.lists {
		vs, err := l.Values(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if stored[v] {
				t.Errorf("value %s stored twice", v)
			}
			stored[v] = true
		}
	}
	lost := 0
	for v, at := range w.acked {
		if !stored[v] {
			lost++
			if at.Before(killedAt.Add(-time.Second)) || at.After(killedAt.Add(time.Second)) {
				t.Errorf("value %s acknowledged at kill%+v is lost", v, at.Sub(killedAt))
			}
		}
	}
	t.Logf("acknowledged writes lost to asynchronous replication: %d of %d", lost, len(w.acked))
}

// TestSentinelFailover kills the primary of a Sentinel setup under a
// steady workload: the client follows the sentinels to the new primary.
func TestSentinelFailover(t *testing.T) {
	onceOnly(t) // its own cluster or sentinel, whatever the suite's topology
	if testing.Short() {
		t.Skip("failover test skipped with -short")
	}
	s := hotredistest.NewSentinel(t)
	c := s.Client(t)
	w := newWorkload(c, 4)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	w.run(stop, &wg)
	time.Sleep(time.Second)
	killedAt := time.Now()
	s.Primary.Kill()
	var recovered time.Duration
	for time.Since(killedAt) < 40*time.Second {
		if w.allRecoveredAfter(killedAt.Add(100 * time.Millisecond)) {
			recovered = time.Since(killedAt)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if recovered == 0 {
		t.Fatalf("the workload did not resume within 40s (ok=%d, errors=%d)", w.okN.Load(), w.errN.Load())
	}
	p, _ := s.CurrentPrimary(ctx)
	if p != s.Replica.Addr {
		t.Errorf("primary is %s, want the former replica %s", p, s.Replica.Addr)
	}
	t.Logf("sentinel failover: writable again %v after the kill; %d ok, %d failed calls", recovered.Round(10*time.Millisecond), w.okN.Load(), w.errN.Load())
}

// TestFencingTokensGrowPastALossyFailover: a primary and a replica
// (replicating through a proxy); the replica is promoted while the
// replication stream is held, so the last acquisition never reached it
// (README, Deployments: "a failover that lost the latest acquisitions").
// With clock-based draws (HEAD) the next token on the new primary is the
// server's clock, above the lost holder's token, which the clock gave a
// moment before; with one INCR a draw, the new primary's counter is behind
// by the lost draws and gives the lost holder's token again: two holders of
// the lock with the same fencing token, which a fenced store cannot tell
// apart.
func TestFencingTokensGrowPastALossyFailover(t *testing.T) {
	if onCluster() {
		t.Skip("own servers")
	}
	primary := hotredistest.NewServer(t)
	replica := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, primary.Addr)
	host, port, _ := net.SplitHostPort(p.Addr())
	rr := replica.GoRedis()
	defer rr.Close()
	pr := primary.GoRedis()
	defer pr.Close()
	noErr(t, pr.ConfigSet(ctx, "repl-diskless-sync-delay", "0").Err())
	noErr(t, rr.Do(ctx, "REPLICAOF", host, port).Err())
	if !waited(func() bool {
		info, _ := rr.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	}) {
		info, _ := rr.Info(ctx, "replication").Result()
		t.Fatalf("the replica's link is not up:\n%s\n%s", info, replica.Log())
	}

	const k = "failover:fence"
	lk := hotredis.NewLock(k, hotredis.WithClient(primary.Client(t)))
	noErr(t, lk.Acquire(ctx))
	if !waited(func() bool { return rr.Exists(ctx, k).Val() == 1 }) {
		t.Fatal("the replica never had the first holding")
	}
	noErr(t, lk.Release(ctx))
	// The replica must have the Release before the stream is held: a
	// failed run (CI, 2026-12-07) promoted a replica that had the first
	// holding and not its release (34 bytes short of a passing run's
	// stream: the DEL), so the Acquire below waited out that holding's
	// 30 s lease. (A WAIT cannot tell: it waits for the writes of its own
	// connection, and one that wrote nothing is answered at once.)
	if !waited(func() bool { return rr.Exists(ctx, k).Val() == 0 }) {
		t.Fatal("the replica still has the first holding 5 s after its release")
	}

	p.Stall(hotredistest.ToClient) // the replication stream, primary -> replica
	time.Sleep(20 * time.Millisecond)
	noErr(t, lk.Acquire(ctx)) // the acquisition the failover loses
	lost := lk.Token()
	time.Sleep(20 * time.Millisecond)
	noErr(t, rr.Do(ctx, "REPLICAOF", "NO", "ONE").Err()) // promoted without it
	p.Cut()

	nl := hotredis.NewLock(k, hotredis.WithClient(replica.Client(t)))
	actx, cancel := context.WithTimeout(ctx, 30*time.Second) // (10 s ran out twice on a loaded machine)
	defer cancel()
	if err := nl.Acquire(actx); err != nil { // free on the new primary: its holding was lost
		info, _ := rr.Info(ctx, "replication").Result()
		var keys []string
		for _, key := range rr.Keys(ctx, "*").Val() {
			keys = append(keys, fmt.Sprintf("%s (%s, PTTL %v)", key, rr.Type(ctx, key).Val(), rr.PTTL(ctx, key).Val()))
		}
		t.Fatalf("Acquire on the new primary: %v\nits keys: %v\nthe holding: %v\n%s\n%s", err, keys,
			rr.HGetAll(ctx, k).Val(), info, replica.Log())
	}
	defer nl.Release(ctx)
	if got := nl.Token(); got <= lost {
		t.Fatalf("after the failover the new holder's token is %d, the lost holder's %d: want greater", got, lost)
	}
}

// Clients of a Cluster made before a master's failover, idle through it,
// make their first calls to the failed-over slot after the replica's
// promotion: each must work. They went to the dead master with the slot
// map they had, and failed with "connection refused" until rueidis
// refreshed the map (a review of the fault paths, 2026-12-08: 4 of 6
// first calls failed, in 3 of 3 runs); a call that could not reach its
// master now goes again for up to 2 s.
func TestClusterCallsAfterAPromotionWork(t *testing.T) {
	onceOnly(t)
	if testing.Short() {
		t.Skip("failover test skipped with -short")
	}
	cl := hotredistest.NewCluster(t, hotredistest.ClusterOptions{Replicas: 1})
	const tag = "{promoted}"
	slot := slotOfTag(t, cl, tag)
	owner, err := cl.SlotOwner(ctx, slot)
	noErr(t, err)
	const n = 6
	var clients []*hotredis.Client
	for i := range n {
		c := cl.Client(t)
		clients = append(clients, c)
		noErr(t, hotredis.NewInt(fmt.Sprintf("%s:%d", tag, i), hotredis.WithClient(c)).Store(ctx, 1))
	}
	owner.Kill()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if o, err := cl.SlotOwner(ctx, slot); err == nil && o != owner {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no replica promoted within 30 s")
		}
	}
	time.Sleep(time.Second)
	for i, c := range clients {
		x := hotredis.NewInt(fmt.Sprintf("%s:%d", tag, i), hotredis.WithClient(c))
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		var err error
		switch i % 3 {
		case 0:
			_, err = x.Add(cctx, 1)
		case 1:
			_, err = x.Load(cctx)
		case 2:
			l := hotredis.NewLock(fmt.Sprintf("%s:lock%d", tag, i), hotredis.WithClient(c))
			if err = l.Acquire(cctx); err == nil {
				err = l.Release(cctx)
			}
		}
		cancel()
		if err != nil {
			t.Errorf("client %d: its first call after the promotion: %v", i, err)
		}
	}
}
