package hotredis

import (
	"context"
	"errors"
	"sync"
	"time"
)

// DefaultLease is the lease of whatever a process holds or runs on
// behalf of others when made without WithLease (the holds of a Lock,
// RLock, RWLock, Semaphore or BoundedSemaphore; a WaitGroup member started
// by Go; a Once's run; a Barrier's waiter): how long it stays taken after
// its process dies. While the process lives, a watchdog (a timer) renews
// the lease every third of it.
const DefaultLease = 30 * time.Second

// minLease is the shortest lease WithLease accepts: Redis counts
// expiries in milliseconds and the watchdog needs room to renew.
const minLease = 30 * time.Millisecond

// WithLease sets the lease (default DefaultLease, minimum 30ms) of a
// Lock, RLock, RWLock, Semaphore or BoundedSemaphore, of the members a
// WaitGroup's Go starts, of a Once's runner and of a Barrier's waiters:
// the time a hold, member, run or wait outlives a process that stops
// renewing it, such as a killed one. A shorter lease frees the lock (or
// counts the member lost, lets another run, breaks the round) sooner
// after a crash; a longer one tolerates longer pauses (GC, a stopped VM)
// before a live process loses its lease.
func WithLease(ttl time.Duration) Option {
	return func(o *options) { o.lease = ttl }
}

func leaseOf(o options) time.Duration {
	if o.lease <= 0 {
		return DefaultLease
	}
	return max(o.lease, minLease)
}

// lease is one holding of a lock, or of a semaphore handle's permits,
// kept alive by a watchdog until it ends. The watchdog is a timer, not a
// goroutine: it costs nothing between renewals (an uncontended Acquire
// and Release start and wake no goroutine), and its renewal runs in the
// goroutine the timer starts.
type lease struct {
	token int64
	since time.Time // when it began, for an Observer (observe.go)

	mu       sync.Mutex
	done     chan struct{} // closed when the holding ends; made when first asked for (lost)
	closed   bool          // the holding ended: done is closed, or never will be made
	ended    bool
	timer    *time.Timer // the next renewal, once keepAlive started
	ttl      func() time.Duration
	expires  time.Time // the lease on the server lasts at least until then
	renew    func(ctx context.Context, ttl time.Duration) (bool, error)
	lost     func(*lease)
	renewing bool      // a renewal is running
	poked    bool      // a poke came during it (pokedAt, below)
	pokedAt  time.Time // renew at once (zero), or the lease's new expiry
}

func newLease(token int64) *lease {
	return &lease{token: token}
}

// doneChan returns a channel closed when the holding ends: released or
// lost. Made on the first call, so that a holding nobody watches costs
// none.
func (le *lease) doneChan() <-chan struct{} {
	le.mu.Lock()
	defer le.mu.Unlock()
	switch {
	case le.closed:
		return closedChan
	case le.done == nil:
		le.done = make(chan struct{})
	}
	return le.done
}

// end ends the holding: the watchdog stops.
func (le *lease) end() {
	le.mu.Lock()
	if !le.closed && le.done != nil {
		close(le.done)
	}
	le.closed, le.ended = true, true
	if le.timer != nil {
		le.timer.Stop()
	}
	le.mu.Unlock()
}

// renewNow makes the watchdog renew the lease at once.
func (le *lease) renewNow() { le.poke(time.Time{}) }

// liveUntil returns the time until which the lease surely lasts on the
// server (unless released), by its watchdog's latest renewal; zero before
// keepAlive.
func (le *lease) liveUntil() time.Time {
	le.mu.Lock()
	defer le.mu.Unlock()
	return le.expires
}

// renewedUntil tells the watchdog that the lease was renewed (by Extend)
// until at least expires, so that it schedules the next renewal from
// there.
func (le *lease) renewedUntil(expires time.Time) { le.poke(expires) }

func (le *lease) poke(t time.Time) {
	le.mu.Lock()
	defer le.mu.Unlock()
	switch {
	case le.ended:
	case le.timer == nil || le.renewing: // applied when it starts, or after the renewal
		le.poked, le.pokedAt = true, t
	default:
		le.schedule(le.applyPoke(t))
	}
}

// applyPoke takes in a poke (see poke) and returns when to renew next.
// le.mu is held.
func (le *lease) applyPoke(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	le.expires = t // renewed by Extend: only reschedule
	return time.Now().Add(le.ttl() / 3)
}

// schedule sets the next renewal at next. le.mu is held.
func (le *lease) schedule(next time.Time) {
	if le.timer == nil {
		le.timer = time.AfterFunc(time.Until(next), le.fire)
		return
	}
	le.timer.Reset(time.Until(next))
}

// keepAlive starts the watchdog: it renews the lease every third of ttl()
// until the lease ends, at once if the lease on the server (which lasts
// until at least expires) is much shorter than ttl(), as a grant's is, and
// again sooner after a failed renewal. It calls lost when renew reports the
// lease gone, or when renewals have failed until expires: the server may
// have expired it by then, so the holder must assume it has lost it
// (lost gets le, so that a holder's lost can be one func for all its
// leases, made once).
func (le *lease) keepAlive(ttl func() time.Duration, expires time.Time, renew func(ctx context.Context, ttl time.Duration) (bool, error), lost func(*lease)) {
	le.mu.Lock()
	defer le.mu.Unlock()
	if le.ended {
		return
	}
	le.ttl, le.expires, le.renew, le.lost = ttl, expires, renew, lost
	next := time.Now()
	if d := ttl(); time.Until(expires) > 2*d/3 {
		next = next.Add(d / 3) // a full lease, not a grant's short one
	}
	if le.poked {
		le.poked = false
		next = le.applyPoke(le.pokedAt)
	}
	le.schedule(next)
}

// fire is one renewal, run by the timer.
func (le *lease) fire() {
	le.mu.Lock()
	if le.ended || le.renewing {
		le.mu.Unlock()
		return
	}
	le.renewing = true
	expires, d := le.expires, le.ttl() // once: the renewal asks for the lease expires assumes
	le.mu.Unlock()
	start := time.Now()
	// Never wait for a renewal past expires: the lease may be gone on the
	// server by then, and Lost must say so without waiting for a stalled
	// call.
	ctx, cancel := context.WithTimeout(watchdogCtx, time.Until(expires))
	ok, err := le.renew(ctx, d)
	cancel()
	le.mu.Lock()
	le.renewing = false
	if le.ended {
		le.mu.Unlock()
		return
	}
	var next time.Time
	switch {
	case err == nil && ok:
		le.expires = start.Add(d)
		next = start.Add(d / 3)
	case err == nil && !ok, !time.Now().Before(expires), errors.Is(err, ErrClosed):
		// Nothing more to renew (a closed client renews nothing: its
		// lease runs out on the server); lost ends the holding.
		le.ended = true
		le.mu.Unlock()
		le.lost(le)
		return
	default: // try again soon enough to renew before expires
		next = time.Now().Add(min(d/3, max(time.Until(expires)/3, 10*time.Millisecond)))
	}
	if le.poked && !le.pokedAt.IsZero() {
		// An Extend renewed the lease while this renewal, asking for the
		// old ttl d, was on its way: either may have reached the server
		// last, so the lease surely runs only until the earlier of the
		// two ends, and it is renewed again at once, with the new ttl.
		le.poked = false
		le.expires = le.pokedAt
		if start.Add(d).Before(le.expires) {
			le.expires = start.Add(d)
		}
		next = time.Now()
	}
	if le.poked {
		le.poked = false
		next = le.applyPoke(le.pokedAt)
	}
	le.schedule(next)
	le.mu.Unlock()
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()
