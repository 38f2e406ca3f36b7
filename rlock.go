package hotredis

import (
	"context"
	"time"
)

// RLock is a re-entrant lock shared through Redis: Python's
// threading.RLock, across processes and machines. The handle that holds it
// may acquire it again; it is free only after as many releases as
// acquires. The count lives in Redis, so every other handle is excluded
// throughout, and a crash of the holder frees it when its lease runs out.
//
// The owner is the handle, not the goroutine: goroutines sharing an RLock
// handle all count as its owner. Leases, fencing tokens, fairness and the
// layout are those of Lock (see Lock), and so is the rule that RLocks are
// not taken inside transactions.
type RLock struct {
	lockCore
}

// NewRLock returns a handle on the re-entrant lock at key, with its own
// owner id. It does no I/O; an empty key makes a new unique one (see Key).
// Options: WithClient, WithLease.
func NewRLock(key string, opts ...Option) *RLock {
	return &RLock{newLockCore("rlock", key, true, opts)}
}

// Acquire takes the lock, or takes it once more if this handle holds it
// already, blocking while another handle holds it or until ctx ends (then
// it returns ctx's error and leaves nothing behind). A re-entry never
// waits in line; it keeps the holding's fencing token and renews its
// lease.
func (r *RLock) Acquire(ctx context.Context) error { return r.acquire(ctx) }

// TryAcquire is Acquire without waiting: it reports whether the handle now
// holds the lock.
func (r *RLock) TryAcquire(ctx context.Context) (bool, error) { return r.tryAcquire(ctx) }

// Release undoes one Acquire. When the count reaches zero the lock is
// freed, or handed to the first waiter in line. It returns ErrNotHeld when this handle does not
// hold the lock (never took it, released it as often as it took it, or
// lost its lease).
func (r *RLock) Release(ctx context.Context) error { return r.release(ctx) }

// Locked reports whether anyone holds the lock.
func (r *RLock) Locked(ctx context.Context) (bool, error) { return r.locked(ctx) }

// Token returns the fencing token of the handle's current holding (drawn
// when the count went from 0 to 1), or 0 when it does not hold the lock.
func (r *RLock) Token() int64 { return r.token() }

// Lost returns a channel that is closed when the handle's current holding
// ends: when its lease is lost or when the last Release frees the lock. If
// the handle holds nothing, the channel is already closed.
func (r *RLock) Lost() <-chan struct{} { return r.lost() }

// Lease returns how long the handle's lease has left, or ErrNotHeld when
// this handle does not hold the lock.
func (r *RLock) Lease(ctx context.Context) (time.Duration, error) { return r.lease(ctx) }

// Extend sets the handle's lease to ttl from now (minimum 30ms) and makes
// the watchdog keep it at ttl; ErrNotHeld when this handle does not hold
// the lock.
func (r *RLock) Extend(ctx context.Context, ttl time.Duration) error { return r.extend(ctx, ttl) }
