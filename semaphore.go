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
	scriptSemAcquire  = loadScript("sem_acquire")
	scriptSemRelease  = loadScript("sem_release")
	scriptSemRenew    = loadScript("sem_renew")
	scriptSemGiveBack = loadScript("sem_give_back")
	scriptSemValue    = loadScript("sem_value")
)

// maxPermits bounds sizes and counts: the scripts count in Lua numbers,
// which are exact up to 2^53.
const maxPermits = 1 << 52

// Semaphore is a counting semaphore shared through Redis: Python's
// threading.Semaphore and Go's x/sync/semaphore.Weighted, across processes
// and machines. It starts with n permits; Acquire takes one (AcquireN
// takes several), blocking while too few are free; Release returns one. As
// in Python, a Release beyond what the handle holds adds a permit: the
// semaphore's capacity grows for everyone. (HOT Redis's Semaphore is
// silently bounded to 1 and polls; this one is neither.)
//
// Permits are leased to the handle that acquired them: every handle has an
// id, and the permits it holds are one lease (DefaultLease, or WithLease)
// that a watchdog renews while the process lives, so a crashed process's
// permits come back when the lease runs out. Lost is closed if the lease
// is lost. Each acquisition draws a fencing token (Token) greater than all
// earlier ones. Goroutines may share a handle (its permits are then
// pooled, as with x/sync/semaphore) or use one each.
//
// Waiters block on the server and are woken by releases, or when the
// earliest lease runs out. Blocked waiters are woken in the order they
// started blocking, and a waiter woken for a request larger than what is
// free keeps its place instead of passing the wake-up on, so large
// requests are not starved by small ones behind them; a new call that
// finds permits free takes them at once (barging).
//
// All handles of one semaphore must be made with the same n. Layout: a
// sorted set of holder ids scored by lease expiry (server time) at the
// key, a hash of permits held at "{key}:state", a wake list at
// "{key}:wake" and the fencing counter at "{key}:fence", all in one Cluster
// slot. Delete forgets every holder and added permit, but keeps the
// fencing counter. A key holding anything else, such as HOT Redis's list
// semaphore, gives ErrWrongType. Semaphores cannot be used inside a
// Transaction or Optimistic (ErrInTransaction).
type Semaphore struct {
	semCore
}

// NewSemaphore returns a handle on the semaphore at key with n permits, and
// its own id. It does no I/O; an empty key makes a new unique one (see
// Key). A negative n (or one of 2^52 or more) is reported by every method.
// Options: WithClient, WithLease.
func NewSemaphore(key string, n int64, opts ...Option) *Semaphore {
	return &Semaphore{newSemCore("semaphore", key, n, false, opts)}
}

// Acquire takes one permit, blocking until one is free or ctx ends. If ctx
// ends first it returns ctx's error and leaves nothing behind.
func (s *Semaphore) Acquire(ctx context.Context) error { return s.acquire(ctx, 1) }

// AcquireN takes n permits at once, blocking until n are free or ctx ends
// (then it returns ctx's error and takes none). A request larger than the
// semaphore waits until over-releases make room, or ctx ends.
func (s *Semaphore) AcquireN(ctx context.Context, n int64) error { return s.acquire(ctx, n) }

// TryAcquire takes one permit if one is free and reports whether it did,
// without waiting.
func (s *Semaphore) TryAcquire(ctx context.Context) (bool, error) { return s.tryAcquire(ctx, 1) }

// TryAcquireN takes n permits if n are free and reports whether it did,
// without waiting.
func (s *Semaphore) TryAcquireN(ctx context.Context, n int64) (bool, error) {
	return s.tryAcquire(ctx, n)
}

// Release returns one permit and wakes a waiter. If the handle holds none,
// it adds a permit to the semaphore, as Python's Semaphore.release does.
// It returns ErrNotHeld if the handle's lease was lost.
func (s *Semaphore) Release(ctx context.Context) error { return s.release(ctx, 1) }

// ReleaseN returns n permits; those beyond what the handle holds are added
// to the semaphore. It returns ErrNotHeld, and changes nothing, if the
// handle's lease was lost.
func (s *Semaphore) ReleaseN(ctx context.Context, n int64) error { return s.release(ctx, n) }

// Available returns how many permits are free now (Python's internal
// value): n, plus permits added by over-release, minus those held.
func (s *Semaphore) Available(ctx context.Context) (int64, error) { return s.available(ctx) }

// Held returns how many permits this handle holds.
func (s *Semaphore) Held() int64 { return s.heldCount() }

// Token returns the fencing token of the handle's latest acquisition, or 0
// when it holds no permit. Tokens strictly increase across acquisitions.
func (s *Semaphore) Token() int64 { return s.token() }

// Lost returns a channel that is closed when the handle stops holding
// permits: its lease was lost, or it released them all. If the handle
// holds none, the channel is already closed.
func (s *Semaphore) Lost() <-chan struct{} { return s.lost() }

// BoundedSemaphore is a Semaphore that cannot grow: Python's
// threading.BoundedSemaphore. Releasing more permits than the handle holds
// returns ErrOverRelease and changes nothing. Everything else, leases,
// fencing tokens, waking and layout, is as for Semaphore.
type BoundedSemaphore struct {
	semCore
}

// NewBoundedSemaphore returns a handle on the bounded semaphore at key with
// n permits, and its own id. It does no I/O; an empty key makes a new
// unique one (see Key). Options: WithClient, WithLease.
func NewBoundedSemaphore(key string, n int64, opts ...Option) *BoundedSemaphore {
	return &BoundedSemaphore{newSemCore("boundedsemaphore", key, n, true, opts)}
}

// Acquire takes one permit, blocking until one is free or ctx ends. If ctx
// ends first it returns ctx's error and leaves nothing behind.
func (s *BoundedSemaphore) Acquire(ctx context.Context) error { return s.acquire(ctx, 1) }

// AcquireN takes n permits at once, blocking until n are free or ctx ends.
// A request larger than the semaphore waits until ctx ends, as in
// x/sync/semaphore.
func (s *BoundedSemaphore) AcquireN(ctx context.Context, n int64) error { return s.acquire(ctx, n) }

// TryAcquire takes one permit if one is free and reports whether it did.
func (s *BoundedSemaphore) TryAcquire(ctx context.Context) (bool, error) {
	return s.tryAcquire(ctx, 1)
}

// TryAcquireN takes n permits if n are free and reports whether it did.
func (s *BoundedSemaphore) TryAcquireN(ctx context.Context, n int64) (bool, error) {
	return s.tryAcquire(ctx, n)
}

// Release returns one permit and wakes a waiter. It returns ErrOverRelease
// if the handle holds none, and ErrNotHeld if its lease was lost.
func (s *BoundedSemaphore) Release(ctx context.Context) error { return s.release(ctx, 1) }

// ReleaseN returns n permits: ErrOverRelease if the handle holds fewer,
// ErrNotHeld if its lease was lost; either way nothing changes.
func (s *BoundedSemaphore) ReleaseN(ctx context.Context, n int64) error { return s.release(ctx, n) }

// Available returns how many permits are free now.
func (s *BoundedSemaphore) Available(ctx context.Context) (int64, error) { return s.available(ctx) }

// Held returns how many permits this handle holds.
func (s *BoundedSemaphore) Held() int64 { return s.heldCount() }

// Token returns the fencing token of the handle's latest acquisition, or 0
// when it holds no permit.
func (s *BoundedSemaphore) Token() int64 { return s.token() }

// Lost returns a channel that is closed when the handle stops holding
// permits (lease lost, or all released); already closed if it holds none.
func (s *BoundedSemaphore) Lost() <-chan struct{} { return s.lost() }

// semCore is the shared machinery of Semaphore and BoundedSemaphore.
type semCore struct {
	object         // keys: holders, state, wake list
	fence   string // the fencing counter; not in keys, so Delete keeps it
	id      string // this handle's id
	size    int64
	bounded bool

	op sync.Mutex // one acquire or release script of this handle at a time

	mu   sync.Mutex
	ttl  time.Duration
	held int64  // permits this handle holds
	tok  int64  // the latest fencing token
	hold *lease // the lease on held permits; nil when held is 0
	// lostHeld counts permits whose lease was lost and that were not
	// released since: releasing them is ErrNotHeld, not an over-release.
	lostHeld int64
}

func newSemCore(kind, key string, n int64, bounded bool, opts []Option) semCore {
	o := collect(opts)
	obj := newObject(kind, key, o, "state", "wake")
	if n < 0 || n >= maxPermits {
		obj.err = fmt.Errorf("hotredis: %s %q: size %d out of range [0, 2^52)", kind, obj.key, n)
	}
	return semCore{
		object:  obj,
		fence:   keys.Aux(obj.key, "fence"),
		id:      ownerID(),
		size:    n,
		bounded: bounded,
		ttl:     leaseOf(o),
	}
}

func (s *semCore) check(ctx context.Context, op string, n int64) error {
	if s.err != nil {
		return s.err
	}
	if txFrom(ctx) != nil {
		return fmt.Errorf("hotredis: %s %q: %s: %w", s.kind, s.key, op, ErrInTransaction)
	}
	if n < 0 || n >= maxPermits {
		return fmt.Errorf("hotredis: %s %q: %s(%d): count out of range [0, 2^52)", s.kind, s.key, op, n)
	}
	return ctx.Err()
}

func (s *semCore) leaseTTL() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ttl
}

func (s *semCore) acquire(ctx context.Context, n int64) error {
	if err := s.check(ctx, "Acquire", n); err != nil || n == 0 {
		return err
	}
	// After a wake-up the attempt is made even if ctx has ended meanwhile:
	// the wake-up was taken from the list, and giving up would lose it.
	for {
		ok, left, err := s.try(ctx, n)
		if err != nil || ok {
			return err
		}
		err = waitWake(ctx, &s.object, s.keys[2], left, func(bg context.Context) {
			_, _ = s.eval(bg, scriptSemGiveBack, true, s.keys, s.sizeArg(), ms(s.leaseTTL()))
		})
		if err != nil {
			return err
		}
	}
}

func (s *semCore) tryAcquire(ctx context.Context, n int64) (bool, error) {
	if err := s.check(ctx, "TryAcquire", n); err != nil || n == 0 {
		return err == nil, err
	}
	ok, _, err := s.try(ctx, n)
	return ok, err
}

func (s *semCore) sizeArg() string { return strconv.FormatInt(s.size, 10) }

// try runs one attempt, whatever ctx's state; when too few permits are free it returns how long
// until the earliest lease runs out (negative: no lease to wait for).
func (s *semCore) try(ctx context.Context, n int64) (ok bool, left time.Duration, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	// Not cancelled half-way: the permits could be taken without the
	// handle knowing it holds them.
	arr, err := asArray(s.eval(context.WithoutCancel(ctx), scriptSemAcquire, true,
		[]string{s.keys[0], s.keys[1], s.fence, s.keys[2]},
		s.id, strconv.FormatInt(n, 10), s.sizeArg(), ms(s.leaseTTL())))
	if err != nil {
		return false, 0, err
	}
	if len(arr) < 2 {
		return false, 0, fmt.Errorf("hotredis: %s %q: %w", s.kind, s.key, errReply)
	}
	if r, _ := arr[0].(int64); r == 0 {
		wait, _ := arr[1].(int64)
		return false, time.Duration(wait) * time.Millisecond, nil
	}
	token, _ := arr[1].(int64)
	s.mu.Lock()
	s.held += n
	s.tok = token
	le := s.hold
	fresh := le == nil
	if fresh {
		le = newLease(token)
		s.hold = le
	}
	s.mu.Unlock()
	if fresh {
		le.keepAlive(s.leaseTTL, func(ctx context.Context) (bool, error) {
			r, err := asInt(s.eval(ctx, scriptSemRenew, true, s.keys[:2], s.id, ms(s.leaseTTL())))
			return r == 1, err
		}, func() { s.endHold(le, true) })
	}
	return true, 0, nil
}

// endHold forgets le and the permits under it, if it is still current;
// lost says they were lost rather than released.
func (s *semCore) endHold(le *lease, lost bool) {
	s.mu.Lock()
	if s.hold == le {
		if lost {
			s.lostHeld += s.held
		}
		s.hold, s.held, s.tok = nil, 0, 0
	}
	s.mu.Unlock()
	le.end()
}

func (s *semCore) release(ctx context.Context, n int64) error {
	if err := s.check(ctx, "Release", n); err != nil || n == 0 {
		return err
	}
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	if s.lostHeld > 0 {
		k := min(s.lostHeld, n)
		s.lostHeld -= k
		s.mu.Unlock()
		return fmt.Errorf("hotredis: %s %q: Release(%d): the lease on %d of them was lost: %w", s.kind, s.key, n, k, ErrNotHeld)
	}
	fromLease := min(s.held, n)
	le := s.hold
	s.mu.Unlock()
	over := n - fromLease
	if over > 0 && s.bounded {
		return fmt.Errorf("hotredis: %s %q: Release(%d) with %d held: %w", s.kind, s.key, n, fromLease, ErrOverRelease)
	}
	_, err := s.eval(context.WithoutCancel(ctx), scriptSemRelease, true, s.keys, s.id,
		strconv.FormatInt(fromLease, 10), strconv.FormatInt(over, 10), s.sizeArg(), ms(s.leaseTTL()))
	if errors.Is(err, ErrNotHeld) && le != nil {
		s.endHold(le, true)
		s.mu.Lock()
		s.lostHeld = max(0, s.lostHeld-fromLease)
		s.mu.Unlock()
		return err
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.held -= fromLease
	done := s.held == 0 && le != nil && s.hold == le
	s.mu.Unlock()
	if done {
		s.endHold(le, false)
	}
	return nil
}

func (s *semCore) available(ctx context.Context) (int64, error) {
	if s.err != nil {
		return 0, s.err
	}
	return asInt(s.eval(ctx, scriptSemValue, false, s.keys[:2], s.sizeArg()))
}

func (s *semCore) heldCount() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

func (s *semCore) token() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok
}

func (s *semCore) lost() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		return s.hold.done
	}
	return closedChan
}
