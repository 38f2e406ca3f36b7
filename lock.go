package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/keys"
)

var (
	scriptLockAcquire = loadScriptWith("lock_acquire", "line_lib", "lock_lib")
	scriptLockRelease = loadScriptWith("lock_release", "line_lib", "lock_lib").handsOff()
	scriptLockCancel  = loadScriptWith("lock_cancel", "line_lib", "lock_lib")
	scriptLockRenew   = loadScript("lock_renew")
	scriptLockLease   = loadScript("lock_lease")
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
// this handle or another), or use a handle each. As with a sync.Mutex, a
// shared handle cannot tell its goroutines apart: if one's holding is lost
// and another goroutine then takes the lock through the same handle, the
// first one's late Release frees the second one's holding. Where holders
// may outlive their lease, give each its own handle (and check Lost and
// the fencing token).
//
// Every holding is a lease (DefaultLease, or WithLease) renewed in the
// background while the holder's process lives; if the process dies, the
// lease runs out and a waiter takes the lock. A holder that loses its lease
// (its renewals failed, e.g. during a long pause) sees Lost closed. Each
// acquisition draws a fencing token (Token) greater than every earlier one
// of the same lock, to pass to downstream systems so they can reject a
// stale holder.
//
// Fairness: first come, first served. Waiters stand in a line kept in
// Redis, and Release hands the lock directly to the first waiter in line,
// in the same step that frees it: the waiter's Acquire returns holding the
// lock about one round trip after the release, without trying again, and
// nobody can take the lock in between. While anyone waits, a new Acquire
// joins the end of the line and TryAcquire fails (no barging, as with
// sync.Mutex in starvation mode). A waiter whose process dies leaves the
// line when its registration runs out, about 3 seconds after its last
// renewal (waiters renew it every second); if the lock was handed to it
// in that time, the grant's lease is that short too, so a dead waiter
// keeps the lock no longer than that. (A live waiter's watchdog renews the
// grant to the full lease at once: Lease may report a few seconds just
// after a hand-off.) When a holder's lease runs out, the first waiter in
// line gets the lock at the latest a second later.
//
// Layout: a hash at the key (owner, count, fence, and the wait it was
// granted to) with the lease as its expiry; the line at "{key}:waiters"
// (a sorted set), the waiters' registrations at "{key}:waiting" (a hash),
// 16 grant streams at "{key}:grants:0" to "{key}:grants:15" on which
// waiters learn they were served, and the fencing counter at
// "{key}:fence", all in one Cluster slot. Delete frees the lock by force
// and empties the line (waiters rejoin it); it keeps the fencing counter,
// so tokens never go back. A key holding anything else, such as HOT
// Redis's list lock, gives ErrWrongType.
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

// Acquire takes the lock, blocking until it is handed over or ctx ends.
// On success the handle holds it (see Token and Lost) until Release, or
// until the lease is lost. It returns ctx's error if ctx ends first, and
// then leaves nothing behind: it leaves the line, and a grant that arrived
// meanwhile is passed on to the next waiter. Acquire on a handle that
// already holds the lock blocks, as sync.Mutex.
func (l *Lock) Acquire(ctx context.Context) error { return l.acquire(ctx) }

// TryAcquire takes the lock if it is free and nobody is waiting for it,
// and reports whether it did, without waiting.
func (l *Lock) TryAcquire(ctx context.Context) (bool, error) { return l.tryAcquire(ctx) }

// Release frees the lock, or hands it to the first waiter in line. It
// returns ErrNotHeld when this handle does not hold the lock: it never
// took it, released it already, or lost its lease (then another holder may
// have it).
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
	object              // keys: the lock hash, then the hand-off keys
	scriptKeys []string // the KEYS of lock_lib's scripts
	id         string   // this handle's owner id
	reentrant  bool

	mu   sync.Mutex
	ttl  time.Duration
	hold *lease // the current holding; nil when not held
}

func newLockCore(kind, key string, reentrant bool, opts []Option) lockCore {
	o := collect(opts)
	obj := newObject(kind, key, o, handoffSuffixes...)
	// The fencing counter is not in the object's keys, so Delete keeps it.
	ks := append([]string{obj.keys[0], keys.Aux(obj.key, "fence")}, obj.keys[1:]...)
	return lockCore{
		object:     obj,
		scriptKeys: ks,
		id:         ownerID(),
		reentrant:  reentrant,
		ttl:        leaseOf(o),
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
	w := &wait{id: ownerID()}
	for {
		w.since = time.Now()
		ok, left, err := l.try(ctx, w)
		if ok {
			return nil
		}
		var token int64
		var expires time.Time
		if err == nil {
			token, _, expires, err = l.awaitGrant(ctx, w, waitFor(left))
		}
		if err != nil {
			l.cancelWait(ctx, w)
			return err
		}
		if token > 0 && time.Now().Before(expires) {
			l.startHold(token, expires)
			return nil
		}
		// No grant yet, or one read too late to be sure its lease still
		// runs: the next attempt confirms it if the lock is still this
		// wait's.
	}
}

// waitFor is how long a waiter waits for a grant before it tries again
// (renewing its registration): until the holding it waits for may have run
// out (left; negative: unknown), at most maxBlock.
func waitFor(left time.Duration) time.Duration {
	if left < 0 {
		return maxBlock
	}
	return min(maxBlock, left+time.Millisecond)
}

// cancelWait takes w out of the line after its Acquire failed, and gives
// back the lock if it was granted to w meanwhile. It runs even though ctx
// has ended; if it fails too, the registration runs out by itself.
func (l *lockCore) cancelWait(ctx context.Context, w *wait) {
	if w.stream == "" {
		return // never joined the line
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), waiterExpiry)
	defer cancel()
	_, _ = l.eval(bg, scriptLockCancel, true, l.scriptKeys, append(handoffArgs[:2:2], l.id, w.id)...)
}

func (l *lockCore) tryAcquire(ctx context.Context) (bool, error) {
	if err := l.noTx(ctx, "TryAcquire"); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ok, _, err := l.try(ctx, nil)
	return ok, err
}

// try runs one attempt, whatever ctx's state, as the wait w (nil: do not
// wait; otherwise w joins the line or renews its place, and learns its
// grant stream). When the lock is held it returns how long the holding
// has left (negative: unknown).
func (l *lockCore) try(ctx context.Context, w *wait) (ok bool, left time.Duration, err error) {
	ttl := l.leaseTTL()
	re := "0"
	if l.reentrant {
		re = "1"
	}
	wid := ""
	if w != nil {
		wid = w.id
	}
	start := time.Now()
	// The attempt is not cancelled half-way: if ctx ended after the script
	// ran, the caller would hold a lock it does not know about.
	arr, err := asArray(l.eval(context.WithoutCancel(ctx), scriptLockAcquire, true, l.scriptKeys,
		append(handoffArgs[:2:2], l.id, ms(ttl), re, wid)...))
	if err != nil {
		return false, 0, err
	}
	if len(arr) < 2 {
		return false, 0, fmt.Errorf("hotredis: %s %q: %w", l.kind, l.key, errReply)
	}
	if n, _ := arr[0].(int64); n == 0 {
		wait, _ := arr[1].(int64)
		if w != nil {
			if err := l.parseWait(arr, w, l.scriptKeys[4:]); err != nil {
				return false, 0, err
			}
		}
		return false, time.Duration(wait) * time.Millisecond, nil
	}
	token, _ := arr[1].(int64)
	count, _ := arr[2].(int64)
	if le := l.current(); count == 1 || le == nil || le.token != token {
		// A new holding, or a re-entry into a grant to another wait of
		// this handle that has not been read yet.
		l.startHold(token, start.Add(ttl))
	}
	return true, 0, nil
}

// startHold records a holding whose lease on the server lasts until at
// least expires, and starts its watchdog. A holding with the same token is
// kept: it is the same one.
func (l *lockCore) startHold(token int64, expires time.Time) {
	le := newLease(token)
	l.mu.Lock()
	old := l.hold
	if old != nil && old.token == token {
		l.mu.Unlock()
		return
	}
	l.hold = le
	l.mu.Unlock()
	if old != nil {
		old.end() // a holding whose loss the watchdog had not seen yet
	}
	le.keepAlive(l.leaseTTL, expires, func(ctx context.Context, ttl time.Duration) (bool, error) {
		n, err := asInt(l.eval(ctx, scriptLockRenew, true, l.keys[:1], l.id, ms(ttl)))
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
	n, err := asInt(l.eval(context.WithoutCancel(ctx), scriptLockRelease, true, l.scriptKeys, append(handoffArgs[:2:2], l.id)...))
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
	if le := l.current(); err == nil && le != nil {
		// The watchdog's schedule and its idea of when the lease ends
		// follow the old lease: a shorter one would run out before the
		// next renewal, unnoticed. Renewing now resets both.
		le.renewNow()
	}
	return err
}

// lease is one holding of a lock, or of a semaphore handle's permits,
// kept alive by a watchdog goroutine until it ends.
type lease struct {
	token int64
	done  chan struct{} // closed when the holding ends: released or lost
	once  sync.Once
	now   chan struct{} // renew at once (a grant to confirm)
}

func newLease(token int64) *lease {
	return &lease{token: token, done: make(chan struct{}), now: make(chan struct{}, 1)}
}

func (le *lease) end() { le.once.Do(func() { close(le.done) }) }

// renewNow makes the watchdog renew the lease at once.
func (le *lease) renewNow() {
	select {
	case le.now <- struct{}{}:
	default: // a renewal is due already
	}
}

// keepAlive starts the watchdog: it renews the lease every third of ttl()
// until the lease ends, at once if the lease on the server (which lasts
// until at least expires) is much shorter than ttl(), as a grant's is, and again
// sooner after a failed renewal. It calls lost when renew reports the
// lease gone, or when renewals have failed until expires: the server may
// have expired it by then, so the holder must assume it has lost it.
func (le *lease) keepAlive(ttl func() time.Duration, expires time.Time, renew func(ctx context.Context, ttl time.Duration) (bool, error), lost func()) {
	go func() {
		next := time.Now()
		if d := ttl(); time.Until(expires) > 2*d/3 {
			next = next.Add(d / 3) // a full lease, not a grant's short one
		}
		for {
			t := time.NewTimer(time.Until(next))
			select {
			case <-le.done:
				t.Stop()
				return
			case <-le.now:
				t.Stop()
			case <-t.C:
			}
			d := ttl() // once: the renewal asks for the lease expires assumes
			start := time.Now()
			// Never wait for a renewal past expires: the lease may be gone
			// on the server by then, and Lost must say so without waiting
			// for a stalled call.
			ctx, cancel := context.WithTimeout(context.Background(), time.Until(expires))
			ok, err := renew(ctx, d)
			cancel()
			switch {
			case err == nil && ok:
				expires = start.Add(d)
				next = start.Add(d / 3)
			case err == nil && !ok, !time.Now().Before(expires):
				lost()
				return
			default: // try again soon enough to renew before expires
				next = time.Now().Add(min(d/3, max(time.Until(expires)/3, 10*time.Millisecond)))
			}
		}
	}()
}
