package backend

import (
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// The busy pipeline: a second rueidis client for the moments when many
// calls are in flight at once.
//
// rueidis's writer goroutine flushes its connection as soon as it has
// written what is queued, so with many goroutines on a small machine it
// makes one write (and Redis one read) for every few commands, and those
// system calls are what the client's and the server's CPUs spend most on.
// Its MaxFlushDelay option makes the writer pause up to that long after a
// flush while more than one call is in flight, so that each write carries
// more commands: 64 goroutines on this project's 2-core machine then do
// 1.8-2.8x as many calls (hotbench ops). The pause is pure latency when
// only a few calls overlap (2-8 goroutines: 1.1-1.35x slower), so the
// main client keeps none, and calls go to a second client that pauses
// (and has half as many connections, so that each carries more) only
// while more than busyFrom calls are in flight. From 10 in flight, as it
// was, 12-16 goroutines made 2.1-3.7x raw rueidis's time a call on this
// machine (hotbench -g 12, -g 16); from 24, 1.0-1.2x there, and the same
// as from 10 at 28-64 goroutines (BENCHMARKS.md). That client is made the
// first time the load asks for it, in the background (the calls meanwhile
// use the main client), so that a program whose calls never pile up keeps
// only the main client's connections.

const (
	// busyFrom is how many calls must be in flight for the next one to
	// take the busy pipeline.
	busyFrom = 24
	// busyFlushDelay is the busy pipeline's MaxFlushDelay.
	busyFlushDelay = 20 * time.Microsecond
	// busyRetry is how long after a failed attempt to make the busy
	// client another may start.
	busyRetry = time.Second
)

// busyPipe makes and holds the busy pipeline's client.
type busyPipe struct {
	opt rueidis.ClientOption // the busy client's options
	c   atomic.Pointer[rueidis.Client]

	mu      sync.Mutex
	making  sync.WaitGroup // the goroutine making the client
	started bool           // a making goroutine is running
	closed  bool
	retryAt time.Time
}

// newBusyPipe prepares the busy pipeline of a client made with opt, in
// mode, unless the caller set a flush delay of its own (then the main
// client already pauses).
func newBusyPipe(opt rueidis.ClientOption, mode rueidis.ClientMode) *busyPipe {
	if opt.MaxFlushDelay != 0 || opt.DisableAutoPipelining {
		return nil
	}
	opt.MaxFlushDelay = busyFlushDelay
	m := opt.PipelineMultiplex
	if m == 0 && mode != rueidis.ClientModeCluster {
		m = min(2, bits.Len(uint(runtime.GOMAXPROCS(0)))-1) // rueidis's default there
	}
	if m--; m <= 0 {
		m = -1 // one connection (per node)
	}
	opt.PipelineMultiplex = m
	if mode == rueidis.ClientModeStandalone && opt.Sentinel.MasterSet == "" &&
		len(opt.Standalone.ReplicaAddress) == 0 && !opt.Standalone.EnableRedirect {
		opt.ForceSingleClient = true // no CLUSTER probe: the main client made it
	}
	return &busyPipe{opt: opt}
}

// client returns the busy client, or nil while it is not made yet (and
// starts making it).
func (b *busyPipe) client() rueidis.Client {
	if c := b.made(); c != nil {
		return c
	}
	b.start()
	return nil
}

// made returns the busy client, nil if it is not made.
func (b *busyPipe) made() rueidis.Client {
	if c := b.c.Load(); c != nil {
		return *c
	}
	return nil
}

func (b *busyPipe) start() {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A client made since the caller looked needs no other: a second
	// would replace it in c, and nothing would close the first.
	if b.started || b.closed || b.c.Load() != nil || time.Now().Before(b.retryAt) {
		return
	}
	b.started = true
	b.making.Add(1)
	go func() {
		defer b.making.Done()
		c, err := rueidis.NewClient(b.opt)
		b.mu.Lock()
		defer b.mu.Unlock()
		b.started = false
		switch {
		case err != nil:
			b.retryAt = time.Now().Add(busyRetry)
		case b.closed:
			c.Close()
		default:
			b.c.Store(&c)
		}
	}()
}

// close closes the busy client, after waiting for one being made.
func (b *busyPipe) close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.making.Wait()
	if c := b.made(); c != nil {
		c.Close()
	}
}
