package hotredis

import (
	"context"
	"errors"
	"fmt"
)

// RWLock is a reader/writer lock shared through Redis: Go's sync.RWMutex
// across machines. Any number of readers or one writer hold it, each on a
// lease; once a writer waits, new readers queue behind it.
type RWLock struct {
	line      // the writing side: Acquire, Release, Token
	rd   line // the reading side, on the same keys
}

// rwSize is the number of permits of the semaphore an RWLock runs on: a
// reader takes one, a writer all of them.
const rwSize = 1 << 50

// NewRWLock returns a handle on the reader/writer lock at key, with its
// own owner ids for reading and writing. It does no I/O; an empty key
// makes a new unique one (see Key). Options: WithClient, WithLease.
//
// An RWLock is a semaphore of 2^50 permits on the line-and-lease engine:
// a reader takes one permit, a writer all of them. Its line is first come,
// first served, so a waiting writer holds back every reader that comes
// after it (no writer starvation), writers are served in arrival order,
// and readers that wait together behind a writer are admitted together
// when it releases. A holder whose process dies frees its hold when its
// lease runs out.
func NewRWLock(key string, opts ...Option) *RWLock {
	l := &RWLock{line: newLine(semKind, "rwlock", key, rwSize, opts)}
	l.rd = newLine(semKind, "rwlock", l.key, rwSize, opts) // an id of its own
	l.bounded, l.rd.bounded = true, true
	return l
}

// Acquire takes the lock for writing, blocking until every holder has
// released it and the writers and readers that came first were served, or
// until ctx ends. If ctx ends first it returns ctx's error and leaves
// nothing behind. As with sync.RWMutex, a handle that holds the lock for
// reading and asks to write waits for itself.
func (l *RWLock) Acquire(ctx context.Context) error { return l.acquire(ctx, "Acquire", rwSize) }

// TryAcquire takes the lock for writing if nobody holds it and nobody
// waits, and reports whether it did, without waiting.
func (l *RWLock) TryAcquire(ctx context.Context) (bool, error) {
	return l.tryAcquire(ctx, "TryAcquire", rwSize)
}

// Release ends the handle's write hold; the lock goes to the waiters first
// in line (a writer, or the readers up to the next writer). It returns
// ErrNotHeld when this handle does not hold the lock for writing: it never
// took it, released it already, or lost its lease.
func (l *RWLock) Release(ctx context.Context) error {
	return l.notHeld("Release", l.release(ctx, "Release", rwSize))
}

// AcquireRead takes the lock for reading, blocking while a writer holds it
// or waits ahead, or until ctx ends (then it returns ctx's error and
// leaves nothing behind). Readers hold it together. A handle may hold
// several read holds; each needs a ReleaseRead. As with sync.RWMutex, do
// not count on taking a second read hold while holding one: a writer that
// came in between is served first.
func (l *RWLock) AcquireRead(ctx context.Context) error { return l.rd.acquire(ctx, "AcquireRead", 1) }

// TryAcquireRead takes the lock for reading if no writer holds it or
// waits for it, and reports whether it did, without waiting.
func (l *RWLock) TryAcquireRead(ctx context.Context) (bool, error) {
	return l.rd.tryAcquire(ctx, "TryAcquireRead", 1)
}

// ReleaseRead ends one of the handle's read holds; when it was the last
// reader, the lock goes to the writer first in line. It returns ErrNotHeld
// when this handle holds no read hold (or lost its lease).
func (l *RWLock) ReleaseRead(ctx context.Context) error {
	return l.notHeld("ReleaseRead", l.rd.release(ctx, "ReleaseRead", 1))
}

// Token returns the fencing token of the handle's latest write
// acquisition, or 0 when it does not hold the lock for writing. Tokens
// strictly increase across acquisitions, whatever handle makes them.
func (l *RWLock) Token() int64 { return l.line.Token() }

// Lost returns a channel that is closed when the handle's current hold
// ends: its write hold if it has one, else its read holds (the channel
// closes when the lease on them is lost or the last is released). If the
// handle holds nothing, the channel is already closed.
func (l *RWLock) Lost() <-chan struct{} {
	if l.line.Token() != 0 {
		return l.line.Lost()
	}
	return l.rd.Lost()
}

// notHeld turns the engine's over-release (a release of permits the
// handle does not hold) into ErrNotHeld, which is what it means for a
// lock.
func (l *RWLock) notHeld(op string, err error) error {
	if errors.Is(err, ErrOverRelease) {
		what := "for reading"
		if op == "Release" {
			what = "for writing"
		}
		return l.fail(op, fmt.Errorf("%w %s by this handle", ErrNotHeld, what))
	}
	return err
}
