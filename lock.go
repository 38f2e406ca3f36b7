package hotredis

import (
	"context"
	"time"
)

// Lock is a mutual-exclusion lock shared through Redis by every process
// that uses its key: Go's sync.Mutex and Python's threading.Lock across
// machines. The handle that acquires it holds it, on a lease that outlives
// a dead process by at most the lease; waiters are served first come,
// first served. See the package documentation for leases, fencing tokens,
// fairness and what faults mean to a lock.
type Lock struct{ lockOf }

// RLock is a re-entrant Lock: Python's threading.RLock across machines.
// The handle that holds it may acquire it again; it is free after as many
// releases as acquisitions. The count lives in Redis.
type RLock struct{ lockOf }

// NewLock returns a handle on the lock at key, with its own owner id. It
// does no I/O; an empty key makes a new unique one (see Key). Options:
// WithClient, WithLease.
func NewLock(key string, opts ...Option) *Lock {
	return &Lock{lockOf{newLine(lockKind, "lock", key, 1, opts)}}
}

// NewRLock returns a handle on the re-entrant lock at key, as NewLock.
func NewRLock(key string, opts ...Option) *RLock {
	l := &RLock{lockOf{newLine(lockKind, "rlock", key, 1, opts)}}
	l.reentrant = true
	return l
}

// lockOf holds the methods of Lock and RLock.
type lockOf struct{ line }

// Acquire takes the lock, blocking until it is handed over or ctx ends.
// An RLock's handle that holds it already takes it once more at once,
// keeping its fencing token; a Lock's blocks, as sync.Mutex. If ctx ends
// first, Acquire returns ctx's error and leaves nothing behind: it leaves
// the line, and a grant that arrived meanwhile is passed on.
func (l *lockOf) Acquire(ctx context.Context) error { return l.acquire(ctx, "Acquire", 1) }

// TryAcquire takes the lock if it is free and nobody waits for it (or, for
// an RLock, if this handle holds it), and reports whether it did, without
// waiting.
func (l *lockOf) TryAcquire(ctx context.Context) (bool, error) {
	return l.tryAcquire(ctx, "TryAcquire", 1)
}

// Release undoes one Acquire. When the lock becomes free it goes to the
// first waiter in line. It returns ErrNotHeld when this handle does not
// hold the lock: it never took it, released it already, or lost its lease
// (then another holder may have it).
func (l *lockOf) Release(ctx context.Context) error { return l.release(ctx, "Release", 1) }

// Locked reports whether anyone holds the lock.
func (l *lockOf) Locked(ctx context.Context) (bool, error) {
	n, err := scalarInt(l.readScalar(ctx, cmd("HEXISTS", l.ks[:1], "owner")))
	return n == 1, err
}

// Lease returns how long the handle's lease has left before it expires
// unless renewed, NoTTL if the key was made persistent, or ErrNotHeld when
// this handle does not hold the lock.
func (l *lockOf) Lease(ctx context.Context) (time.Duration, error) {
	n, err := asInt(l.script(ctx, scriptLockLease, l.ks, l.args(l.id)...))
	switch {
	case err != nil:
		return 0, l.fail("Lease", err)
	case n == -3:
		return 0, l.fail("Lease", ErrNotHeld)
	case n < 0:
		return NoTTL, nil
	}
	return time.Duration(n) * time.Millisecond, nil
}

// Extend sets the handle's lease to ttl from now (minimum 30ms), and makes
// the watchdog keep it at ttl from then on, this holding and later ones.
// It returns ErrNotHeld when this handle does not hold the lock.
func (l *lockOf) Extend(ctx context.Context, ttl time.Duration) error {
	if err := l.noTx(ctx, "Extend"); err != nil {
		return err
	}
	ttl = max(ttl, minLease)
	l.setLeaseTTL(ttl)
	l.mu.Lock()
	le := l.hold
	l.mu.Unlock()
	start := time.Now()
	n, err := asInt(l.script(ctx, l.kind.renew, l.ks[:l.kind.renewKeys], l.args(l.id, ms(ttl))...))
	if err == nil && n == 0 {
		return l.fail("Extend", ErrNotHeld)
	}
	if err == nil && le != nil {
		le.renewedUntil(start.Add(ttl))
	}
	return l.fail("Extend", err)
}
