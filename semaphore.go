package hotredis

import "context"

// Semaphore is a counting semaphore shared through Redis: Go's
// x/sync/semaphore.Weighted and Python's threading.Semaphore across
// machines. It starts with n permits; Acquire takes one (AcquireN
// several), blocking while too few are free, and Release returns one. As
// in Python, a Release beyond what the handle holds adds a permit. Permits
// are leased to the handle that took them; waiters are served first come,
// first served. See the package documentation.
type Semaphore struct{ semOf }

// BoundedSemaphore is a Semaphore that cannot grow: Python's
// threading.BoundedSemaphore. Releasing more permits than the handle
// holds returns ErrOverRelease and changes nothing.
type BoundedSemaphore struct{ semOf }

// NewSemaphore returns a handle on the semaphore at key with n permits,
// and its own id. It does no I/O; an empty key makes a new unique one (see
// Key). All handles of one semaphore must be made with the same n. A
// negative n (or one of 2^52 or more) is ErrInvalidArgument from every
// method. Options: WithClient, WithLease.
func NewSemaphore(key string, n int64, opts ...Option) *Semaphore {
	return &Semaphore{semOf{newLine(semKind, "semaphore", key, n, opts)}}
}

// NewBoundedSemaphore returns a handle on the bounded semaphore at key
// with n permits, as NewSemaphore.
func NewBoundedSemaphore(key string, n int64, opts ...Option) *BoundedSemaphore {
	s := &BoundedSemaphore{semOf{newLine(semKind, "boundedsemaphore", key, n, opts)}}
	s.bounded = true
	return s
}

// semOf holds the methods of Semaphore and BoundedSemaphore.
type semOf struct{ line }

// Acquire takes one permit, blocking until one is handed over or ctx ends.
// If ctx ends first it returns ctx's error and leaves nothing behind: it
// leaves the line, and permits granted meanwhile go to the next waiters.
func (s *semOf) Acquire(ctx context.Context) error { return s.acquire(ctx, "Acquire", 1) }

// AcquireN takes n permits at once, blocking until n are handed over or
// ctx ends (then it takes none). While it waits at the head of the line,
// smaller requests behind it wait too. A request larger than the
// semaphore waits, without holding up the line, until over-releases make
// room or ctx ends. A negative n is ErrInvalidArgument.
func (s *semOf) AcquireN(ctx context.Context, n int64) error { return s.acquire(ctx, "AcquireN", n) }

// TryAcquire takes one permit if one is free and nobody waits ahead, and
// reports whether it did, without waiting.
func (s *semOf) TryAcquire(ctx context.Context) (bool, error) {
	return s.tryAcquire(ctx, "TryAcquire", 1)
}

// TryAcquireN takes n permits if n are free and nobody waits ahead, and
// reports whether it did, without waiting.
func (s *semOf) TryAcquireN(ctx context.Context, n int64) (bool, error) {
	return s.tryAcquire(ctx, "TryAcquireN", n)
}

// Release returns one permit, which goes to the first waiter in line if
// any. If the handle holds none, a Semaphore gains a permit (Python's
// release) and a BoundedSemaphore returns ErrOverRelease. It returns
// ErrNotHeld if the handle's lease was lost.
func (s *semOf) Release(ctx context.Context) error { return s.release(ctx, "Release", 1) }

// ReleaseN returns n permits, handed on to the waiters in line; those
// beyond what the handle holds are an over-release, as for Release. It
// returns ErrNotHeld, and changes nothing, if the handle's lease was lost,
// and ErrOverflow, changing nothing, if an over-release would take the
// semaphore's permits (its size plus those added) to 2^52, past which
// counts are no longer exact.
func (s *semOf) ReleaseN(ctx context.Context, n int64) error { return s.release(ctx, "ReleaseN", n) }

// Available returns how many permits are free now (Python's internal
// value): n, plus permits added by over-release, minus those held.
func (s *semOf) Available(ctx context.Context) (int64, error) {
	if s.err != nil {
		return 0, s.err
	}
	return asInt(s.script(ctx, scriptSemValue, s.ks, s.args()...))
}

// Held returns how many permits this handle holds.
func (s *semOf) Held() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}
