package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
)

var (
	scriptLockAcquire  = loadScript("lock_acquire")
	scriptLockRelease  = loadScript("lock_release")
	scriptLockRenew    = loadScript("lock_renew")
	scriptLockLease    = loadScript("lock_lease")
	scriptLockGiveBack = loadScript("lock_give_back")
)

// DefaultLease is the lease of a Lock, RLock, Semaphore or
// BoundedSemaphore made without WithLease: how long a lock or permit stays
// taken after its holder's process dies. While the holder lives, a
// watchdog goroutine renews the lease every third of it.
const DefaultLease = 30 * time.Second

// minLease is the shortest lease WithLease accepts: Redis counts
// expiries in milliseconds and the watchdog needs room to renew.
const minLease = 30 * time.Millisecond

// lockOptions are the options of locks and semaphores, kept in options.
type lockOptions struct {
	lease time.Duration
}

// WithLease sets the lease of a Lock, RLock, Semaphore or BoundedSemaphore
// (default DefaultLease, minimum 30ms): the time a lock or permit outlives
// a holder that stops renewing it, such as a killed process. A shorter
// lease frees the lock sooner after a crash; a longer one tolerates longer
// pauses (GC, a stopped VM) before a live holder loses its lease.
func WithLease(ttl time.Duration) Option {
	return func(o *options) { o.lock.lease = ttl }
}

func leaseOf(o options) time.Duration {
	if o.lock.lease <= 0 {
		return DefaultLease
	}
	return max(o.lock.lease, minLease)
}

// Lock is a mutual-exclusion lock shared through Redis by any number of
// goroutines, processes and machines: Python's threading.Lock and Go's
// sync.Mutex. It fixes HOT Redis's Lock, which has no owner and no expiry.
//
// A Lock handle is an owner: Release succeeds only on the handle that
// acquired it (others get ErrNotHeld). Goroutines may share one handle the
// way they share a sync.Mutex (Acquire on it blocks while it is held, by
// this handle or another), or use a handle each.
//
// Every holding is a lease (DefaultLease, or WithLease) renewed in the
// background while the holder's process lives; if the process dies, the
// lease runs out and a waiter takes the lock. A holder that loses its lease
// (its renewals failed, e.g. during a long pause) sees Lost closed. Each
// acquisition draws a fencing token (Token) greater than every earlier one
// of the same lock, to pass to downstream systems so they can reject a
// stale holder.
//
// Waiters block on the server (BLPOP on an auxiliary wake list) and are
// woken by the release itself, in about one round trip, or when the
// holder's lease runs out. Blocked waiters are woken in the order they
// started blocking, but a new Acquire or TryAcquire can take a lock that
// has just been released before the woken waiter does (barging), as with
// sync.Mutex in normal mode.
//
// Layout: a hash at the key (owner, count, fence) with the lease as its
// expiry, a wake list at "{key}:wake" and the fencing counter at
// "{key}:fence", all in one Cluster slot. Delete frees the lock by force;
// it keeps the fencing counter, so tokens never go back. A key holding
// anything else, such as HOT Redis's list lock, gives ErrWrongType.
//
// Locks cannot be taken or released inside a Transaction or Optimistic:
// those return ErrInTransaction.
type Lock struct {
	lockCore
}

// NewLock returns a handle on the lock at key, with its own owner id. It
// does no I/O; an empty key makes a new unique one (see Key). Options:
// WithClient, WithLease.
func NewLock(key string, opts ...Option) *Lock {
	return &Lock{newLockCore("lock", key, false, opts)}
}

// Acquire takes the lock, blocking until it is free or ctx ends. On
// success the handle holds it (see Token and Lost) until Release, or until
// the lease is lost. It returns ctx's error if ctx ends first, and then
// leaves nothing behind: the lock is not taken and no waiter remains.
// Acquire on a handle that already holds the lock blocks, as sync.Mutex.
func (l *Lock) Acquire(ctx context.Context) error { return l.acquire(ctx) }

// TryAcquire takes the lock if it is free and reports whether it did,
// without waiting.
func (l *Lock) TryAcquire(ctx context.Context) (bool, error) { return l.tryAcquire(ctx) }

// Release frees the lock and wakes one waiter. It returns ErrNotHeld when
// this handle does not hold the lock: it never took it, released it
// already, or lost its lease (then another holder may have it).
func (l *Lock) Release(ctx context.Context) error { return l.release(ctx) }

// Locked reports whether anyone holds the lock.
func (l *Lock) Locked(ctx context.Context) (bool, error) { return l.locked(ctx) }

// Token returns the fencing token of the handle's current holding, or 0
// when it does not hold the lock. Tokens of successive holdings of one
// lock strictly increase, whatever handle or process holds it.
func (l *Lock) Token() int64 { return l.token() }

// Lost returns a channel that is closed when the handle's current holding
// ends: when its lease is lost (the watchdog could not renew it in time,
// or found another owner) or when it is released. Use it to stop work
// that needs the lock. If the handle holds nothing, the channel is already
// closed.
func (l *Lock) Lost() <-chan struct{} { return l.lost() }

// Lease returns how long the handle's lease has left before it expires
// unless renewed, NoTTL if the key was made persistent, or ErrNotHeld when
// this handle does not hold the lock.
func (l *Lock) Lease(ctx context.Context) (time.Duration, error) { return l.lease(ctx) }

// Extend sets the handle's lease to ttl from now (minimum 30ms), and makes
// the watchdog keep it at ttl from then on, this holding and later ones.
// It returns ErrNotHeld when this handle does not hold the lock.
func (l *Lock) Extend(ctx context.Context, ttl time.Duration) error { return l.extend(ctx, ttl) }

// lockCore is the shared machinery of Lock and RLock; reentrant chooses.
type lockCore struct {
	object           // keys: the lock hash, the wake list
	fence     string // the fencing counter; not in keys, so Delete keeps it
	id        string // this handle's owner id
	reentrant bool

	mu   sync.Mutex
	ttl  time.Duration
	hold *lease // the current holding; nil when not held
}

func newLockCore(kind, key string, reentrant bool, opts []Option) lockCore {
	o := collect(opts)
	obj := newObject(kind, key, o, "wake")
	return lockCore{
		object:    obj,
		fence:     keys.Aux(obj.key, "fence"),
		id:        ownerID(),
		reentrant: reentrant,
		ttl:       leaseOf(o),
	}
}

// ownerID returns a random id for a handle: unique across processes.
func ownerID() string { return marker()[len("\x00hotredis-marker:"):] }

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

func (l *lockCore) noTx(ctx context.Context, op string) error {
	if txFrom(ctx) != nil {
		return fmt.Errorf("hotredis: %s %q: %s: %w", l.kind, l.key, op, ErrInTransaction)
	}
	return nil
}

func (l *lockCore) leaseTTL() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ttl
}

func (l *lockCore) acquire(ctx context.Context) error {
	if err := l.noTx(ctx, "Acquire"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// After a wake-up the attempt is made even if ctx has ended meanwhile:
	// the wake-up was taken from the list, and giving up would lose it.
	for {
		ok, left, err := l.try(ctx)
		if err != nil || ok {
			return err
		}
		err = waitWake(ctx, &l.object, l.keys[1], left, func(bg context.Context) {
			_, _ = l.eval(bg, scriptLockGiveBack, true, l.keys, ms(l.leaseTTL()))
		})
		if err != nil {
			return err
		}
	}
}

func (l *lockCore) tryAcquire(ctx context.Context) (bool, error) {
	if err := l.noTx(ctx, "TryAcquire"); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ok, _, err := l.try(ctx)
	return ok, err
}

// try runs one attempt, whatever ctx's state. When the lock is held it returns how long the
// holder's lease has left (negative: unknown).
func (l *lockCore) try(ctx context.Context) (ok bool, left time.Duration, err error) {
	ttl := l.leaseTTL()
	re := "0"
	if l.reentrant {
		re = "1"
	}
	// The attempt is not cancelled half-way: if ctx ended after the script
	// ran, the caller would hold a lock it does not know about.
	arr, err := asArray(l.eval(context.WithoutCancel(ctx), scriptLockAcquire, true,
		[]string{l.keys[0], l.fence, l.keys[1]}, l.id, ms(ttl), re))
	if err != nil {
		return false, 0, err
	}
	if len(arr) < 2 {
		return false, 0, fmt.Errorf("hotredis: %s %q: %w", l.kind, l.key, errReply)
	}
	if n, _ := arr[0].(int64); n == 0 {
		wait, _ := arr[1].(int64)
		return false, time.Duration(wait) * time.Millisecond, nil
	}
	token, _ := arr[1].(int64)
	if count, _ := arr[2].(int64); count == 1 {
		l.startHold(token)
	}
	return true, 0, nil
}

// startHold records a new holding and starts its watchdog.
func (l *lockCore) startHold(token int64) {
	le := newLease(token)
	l.mu.Lock()
	old := l.hold
	l.hold = le
	l.mu.Unlock()
	if old != nil {
		old.end() // a holding whose loss the watchdog had not seen yet
	}
	le.keepAlive(l.leaseTTL, func(ctx context.Context) (bool, error) {
		n, err := asInt(l.eval(ctx, scriptLockRenew, true, l.keys[:1], l.id, ms(l.leaseTTL())))
		return n == 1, err
	}, func() { l.endHold(le) })
}

// endHold ends le, and forgets it if it is still the current holding.
func (l *lockCore) endHold(le *lease) {
	if le == nil {
		return
	}
	l.mu.Lock()
	if l.hold == le {
		l.hold = nil
	}
	l.mu.Unlock()
	le.end()
}

func (l *lockCore) current() *lease {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hold
}

func (l *lockCore) release(ctx context.Context) error {
	if err := l.noTx(ctx, "Release"); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	le := l.current()
	n, err := asInt(l.eval(context.WithoutCancel(ctx), scriptLockRelease, true, l.keys, l.id, ms(l.leaseTTL())))
	if errors.Is(err, ErrNotHeld) {
		l.endHold(le) // the server says it is gone: so is the lease
		return err
	}
	if err == nil && n == 0 {
		l.endHold(le)
	}
	return err
}

func (l *lockCore) locked(ctx context.Context) (bool, error) {
	n, err := asInt(l.read(ctx, cmd("HEXISTS", l.keys[:1], "owner")))
	return n == 1, err
}

func (l *lockCore) token() int64 {
	if le := l.current(); le != nil {
		return le.token
	}
	return 0
}

func (l *lockCore) lost() <-chan struct{} {
	if le := l.current(); le != nil {
		return le.done
	}
	return closedChan
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (l *lockCore) lease(ctx context.Context) (time.Duration, error) {
	n, err := asInt(l.eval(ctx, scriptLockLease, false, l.keys[:1], l.id))
	switch {
	case err != nil:
		return 0, err
	case n == -3:
		return 0, l.notHeld("Lease")
	case n < 0:
		return NoTTL, nil
	}
	return time.Duration(n) * time.Millisecond, nil
}

func (l *lockCore) notHeld(op string) error {
	return fmt.Errorf("hotredis: %s %q: %s: %w", l.kind, l.key, op, ErrNotHeld)
}

func (l *lockCore) extend(ctx context.Context, ttl time.Duration) error {
	if err := l.noTx(ctx, "Extend"); err != nil {
		return err
	}
	ttl = max(ttl, minLease)
	l.mu.Lock()
	l.ttl = ttl
	l.mu.Unlock()
	n, err := asInt(l.eval(ctx, scriptLockRenew, true, l.keys[:1], l.id, ms(ttl)))
	if err == nil && n == 0 {
		return l.notHeld("Extend")
	}
	return err
}

// lease is one holding of a lock, or of a semaphore handle's permits,
// kept alive by a watchdog goroutine until it ends.
type lease struct {
	token int64
	done  chan struct{} // closed when the holding ends: released or lost
	once  sync.Once
}

func newLease(token int64) *lease {
	return &lease{token: token, done: make(chan struct{})}
}

func (le *lease) end() { le.once.Do(func() { close(le.done) }) }

// keepAlive starts the watchdog: every third of ttl() it calls renew,
// until the lease ends. It calls lost when renew reports the lease gone,
// or when renewals have failed for a whole lease: the server may have
// expired it by then, so the holder must assume it has lost it.
func (le *lease) keepAlive(ttl func() time.Duration, renew func(context.Context) (bool, error), lost func()) {
	go func() {
		last := time.Now() // the start of the last successful renewal
		for {
			d := ttl()
			t := time.NewTimer(d / 3)
			select {
			case <-le.done:
				t.Stop()
				return
			case <-t.C:
			}
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), d/3)
			ok, err := renew(ctx)
			cancel()
			switch {
			case err == nil && ok:
				last = start
			case err == nil && !ok, time.Since(last) >= d:
				lost()
				return
			}
		}
	}()
}

// waitWake blocks on the wake list until a release pushes a wake-up, the
// holder's lease may have run out (after left; negative: unknown), a
// server-side wait of maxBlock passes, or ctx ends. Only the last is an
// error: the caller then tries again. A wake-up taken by a wait whose
// context ended is handed to giveBack, so it wakes someone else.
func waitWake(ctx context.Context, o *object, wake string, left time.Duration, giveBack func(context.Context)) error {
	d := maxBlock
	if left >= 0 {
		d = min(d, left+time.Millisecond)
	}
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	_, err := o.block(wctx, func(timeout string) backend.Cmd {
		return cmd("BLPOP", []string{wake}, timeout)
	}, func(bg context.Context, _ any) { giveBack(bg) })
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if wctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return nil // our own timeout: the lease may have run out
	}
	return err
}
