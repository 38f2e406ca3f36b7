package hotredis_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// Helpers shared by the package's tests. (The suite's servers, clients and
// keys are in main_test.go.)

// must returns a function that fails t on an error and otherwise returns
// the value: must[int](t)(l.Len(ctx)).
func must[V any](t interface {
	Helper()
	Fatal(...any)
}) func(V, error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// noErr fails t (a testing.TB or a *rapid.T) on err.
func noErr(t interface {
	Helper()
	Fatal(...any)
}, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fataler is what testing.TB and *rapid.T have in common.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// locker is what Lock, RLock and the semaphores have in common for the
// contention tests.
type locker interface {
	Acquire(ctx context.Context) error
	Release(ctx context.Context) error
}

// newLocker makes a handle of the kind named by kind on key.
func newLocker(kind, key string, n int64, opts ...hotredis.Option) locker {
	switch kind {
	case "lock":
		return hotredis.NewLock(key, opts...)
	case "rlock":
		return hotredis.NewRLock(key, opts...)
	case "sem":
		return hotredis.NewSemaphore(key, n, opts...)
	case "bsem":
		return hotredis.NewBoundedSemaphore(key, n, opts...)
	case "rwlock":
		return hotredis.NewRWLock(key, opts...)
	case "rwlock-read":
		return readLocker{hotredis.NewRWLock(key, opts...)}
	}
	panic("unknown locker kind " + kind)
}

// readLocker is the reading side of an RWLock as a locker.
type readLocker struct{ l *hotredis.RWLock }

func (r readLocker) Acquire(ctx context.Context) error { return r.l.AcquireRead(ctx) }
func (r readLocker) Release(ctx context.Context) error { return r.l.ReleaseRead(ctx) }

func tokenOf(l locker) int64 {
	if t, ok := l.(interface{ Token() int64 }); ok {
		return t.Token()
	}
	return 0
}

func envInt(name string) int64 {
	n, _ := strconv.ParseInt(os.Getenv(name), 10, 64)
	return n
}

// waitInLine waits until n waiters stand in the line of the lock or
// semaphore at k.
func waitInLine(t *testing.T, k string, n int64) {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	waitInLineOn(t, rdb, k, n)
}

// waitInLineOn is waitInLine on the server of rdb.
func waitInLineOn(t *testing.T, rdb redis.UniversalClient, k string, n int64) {
	t.Helper()
	waitCount(t, "waiters in line", func() int64 { return rdb.ZCard(ctx, k+":waiters").Val() }, n)
}

// waitCount waits up to 10 s until count returns n (what it counts: what).
func waitCount(t *testing.T, what string, count func() int64, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for got := count(); got != n; got = count() {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s, want %d", got, what, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// writeOnFirstRead makes write run once, at the start of the first
// attempt of the next stepwise snapshot read, and returns a function that
// reports how many attempts reads have made since. Not for parallel tests.
func writeOnFirstRead(write func()) (attempts func() int64) {
	var wrote atomic.Bool
	hotredis.DuringReads(func() {
		if !wrote.Swap(true) {
			write()
		}
	})
	before := hotredis.ReadAttempts()
	return func() int64 { return hotredis.ReadAttempts() - before }
}

// observeApply runs apply on the key k (of Redis type typ) while a second
// program looks at it (see observe), and checks with checkLooks what it
// saw: the old value (oldSize, oldP) or the new one, never a part.
func observeApply(t *testing.T, k, typ string, probes []string, apply func() error, oldSize, size int64, oldP, newP string) {
	t.Helper()
	obs := observe(t, k, typ, probes...)
	if err := apply(); err != nil {
		t.Fatal(err)
	}
	looks := obs.finish()
	if obs.err != nil {
		t.Fatal(obs.err)
	}
	checkLooks(t, looks, oldSize, size, oldP, newP)
	noScratch(t, k)
}

// killWhileBlocked checks that the blocked call whose result comes on got
// has not returned settle after it began (the child holds what it waits
// for), SIGKILLs child, and returns the call's result and when it came.
// It fails t with what (saying what did not happen) if nothing comes
// within bound of the kill.
func killWhileBlocked(t *testing.T, child *exec.Cmd, got <-chan error, settle, bound time.Duration, what string) (err error, killed time.Time) {
	t.Helper()
	time.Sleep(settle)
	select {
	case err := <-got:
		t.Fatalf("returned while the child held on: %v", err)
	default:
	}
	killed = time.Now()
	noErr(t, child.Process.Signal(syscall.SIGKILL))
	_ = child.Wait()
	select {
	case err = <-got:
		return err, killed
	case <-time.After(bound):
		t.Fatal(what)
		return nil, killed
	}
}

// schedLag measures how late this process's goroutines wake while a test
// runs: a goroutine that sleeps a millisecond at a time records its worst
// overshoot. Checks that a call returned by its deadline allow it on top
// of their slack, up to maxLagAllowance: CI runs two suites at once on 2
// cores, where a goroutine a deadline woke can wait 100 ms and more to
// run, which says nothing about the library. (The faults these checks
// guard against, a call waiting for a dial or for a paused server, take
// seconds.)
type schedLag struct {
	worst atomic.Int64
	stop  chan struct{}
	done  chan struct{}
}

const maxLagAllowance = time.Second

// measureLag starts measuring; it stops when t ends.
func measureLag(t testing.TB) *schedLag {
	l := &schedLag{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for {
			start := time.Now()
			select {
			case <-l.stop:
				return
			case <-time.After(time.Millisecond):
			}
			if over := int64(time.Since(start) - time.Millisecond); over > l.worst.Load() {
				l.worst.Store(over)
			}
		}
	}()
	t.Cleanup(func() { close(l.stop); <-l.done })
	return l
}

// allowance is the worst lag seen so far, up to maxLagAllowance.
func (l *schedLag) allowance() time.Duration {
	return min(time.Duration(l.worst.Load()), maxLagAllowance)
}

// roundTrips is an Observer that calls ended at the end of each round trip
// of the operation named name that blocks on the server (blocking) or
// does not, with the caller's context: a test acts at a precise point of
// a wait from it, on the waiting goroutine.
type roundTrips struct {
	nopObserver
	name     string
	blocking bool
	ended    func(context.Context, hotredis.OperationEnd)
}

func (r roundTrips) StartOperation(ctx context.Context, op hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	if op.Name != r.name || op.Blocking != r.blocking {
		return ctx, nil
	}
	return ctx, func(end hotredis.OperationEnd) { r.ended(ctx, end) }
}

// firstLooks is roundTrips calling read once a wait of the operation
// named name, whose context carries a *waiter (waiterKey), has first read
// the state (the round trip before the wait blocks; a wait reads it again
// after each maxBlock), with the caller's context and the waiter's round.
func firstLooks(name string, read func(ctx context.Context, round int64)) roundTrips {
	return roundTrips{name: name, ended: func(ctx context.Context, end hotredis.OperationEnd) {
		if w, _ := ctx.Value(waiterKey{}).(*waiter); w != nil && end.Err == nil && w.read.CompareAndSwap(false, true) {
			read(ctx, w.round)
		}
	}}
}

type waiterKey struct{}

// waiter marks a wait's context for firstLooks.
type waiter struct {
	round int64
	read  atomic.Bool
}

// cutMidCall runs call with the traffic toward d stalled by p, cuts every
// connection once call has had time to be sent, and returns its error:
// toward the client, the call ran on the server and its reply is lost;
// toward the server, it never ran.
func cutMidCall(p *hotredistest.Proxy, d hotredistest.Direction, call func() error) error {
	p.Stall(d)
	done := make(chan error, 1)
	go func() { done <- call() }()
	time.Sleep(50 * time.Millisecond)
	p.Cut()
	p.Resume(d)
	return <-done
}

// cutOnceFReturns returns an f for a call that runs it (Once.Do,
// WaitGroup.Go) which holds the replies from the server when it returns,
// so that what the call sends next runs with its reply held; 50 ms later
// the connections are cut and the replies flow again, and cut is closed.
func cutOnceFReturns(p *hotredistest.Proxy) (f func(context.Context) error, cut <-chan struct{}) {
	done := make(chan struct{})
	return func(context.Context) error {
		p.Stall(hotredistest.ToClient)
		go func() {
			defer close(done)
			time.Sleep(50 * time.Millisecond)
			p.Cut()
			p.Resume(hotredistest.ToClient)
		}()
		return nil
	}, done
}

// whileRunning calls run (a Once's Do, a WaitGroup's Go) in a goroutine
// with a function that blocks until finish is called, and returns once
// that function runs; finish lets it return nil and returns run's error.
func whileRunning(run func(f func(context.Context) error) error) (finish func() error) {
	running, end := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- run(func(context.Context) error {
			close(running)
			<-end
			return nil
		})
	}()
	<-running
	return func() error {
		close(end)
		return <-done
	}
}

// waitFor waits until cond holds (a few seconds at most).
func waitFor(t scalarT, cond func() bool) {
	t.Helper()
	if !waited(cond) {
		t.Fatal("timed out waiting")
	}
}

// waited waits until cond holds, and reports false if it did not within a
// few seconds.
func waited(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// endingCtx is a context that ends (as a deadline that passes does) at the
// second call of Err after arm: it puts the end of the caller's context
// between two checks of it a few instructions apart, where a real
// deadline falls by chance.
type endingCtx struct {
	context.Context
	mu    sync.Mutex
	armed bool
	calls int
	done  chan struct{}
	err   error
}

func newEndingCtx() *endingCtx {
	return &endingCtx{Context: context.Background(), done: make(chan struct{})}
}

func (c *endingCtx) arm() {
	c.mu.Lock()
	c.armed = true
	c.mu.Unlock()
}

func (c *endingCtx) Done() <-chan struct{} { return c.done }

func (c *endingCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && c.armed {
		if c.calls++; c.calls >= 2 {
			c.err = context.DeadlineExceeded
			close(c.done)
		}
	}
	return c.err
}
