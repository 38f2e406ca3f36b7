package hotredis

import (
	"context"
	"fmt"
	"iter"

	"github.com/hotredis/hotredis/internal/lua"
)

var (
	scriptSetStore        = lua.Load("set_store")
	scriptSetRead         = lua.Load("set_read")
	scriptSetPick         = lua.Load("set_pick")
	scriptSetValues       = lua.Load("set_values")
	scriptSetValuesUpdate = lua.Load("set_values_update")
)

// Set is a set of T stored as a Redis set at its key: HOT Redis's Set, Go's
// map[T]struct{}, Python's set. Set algebra runs on the server: the
// methods named after Python's (Union, IntersectionUpdate, IsSubset, ...)
// take other Sets, which on a Cluster must share the slot of s (a common
// hash tag); the same names with a Values suffix take plain Go values.
// An in-place change over more than 4,000 members (or about 2 MiB of
// them) is rebuilt in bounded steps (see the package documentation).
//
// Bounded steps cost time. A big in-place change copies the whole set
// into a scratch key in steps before swapping it in (the one way to stay
// atomic without holding Redis), and a read of more than 16,384 members
// visits every member by SSCAN in steps: on this project's 2-core test
// machine, with sets of 1M members, Add or an in-place operation took
// 1.6-4.5x the native commands in one MULTI/EXEC, Union 3x SUNION,
// Intersection 7-8x SINTER and an IsSubset that holds 1.4-1.7 s against
// SINTERCARD's 0.06-0.25 s (the comparisons stop at the first member that
// decides: one that fails early costs a step or two). The native command
// would have kept every other client of Redis waiting for all of its
// time; a step keeps them waiting a few ms (BENCHMARKS.md).
type Set[T any] struct {
	object
	vals coder[T]
}

// NewSet returns a handle on the set at key. It does no I/O; an empty key
// makes a new unique one (see Key).
func NewSet[T any](key string, opts ...Option) *Set[T] {
	o := collect(opts)
	s := &Set[T]{object: newObject("set", key, o, "tmp")}
	s.ownExpiry(s.keys[1])
	s.vals = newCoder[T](&s.object, o.codec)
	return s
}

// Add adds vs and returns how many of them were not already members,
// atomically. More than 10,000 values (or 4 MiB) are applied in bounded
// steps to a copy of the set, which then replaces it (inside a transaction: in one
// MULTI/EXEC).
func (s *Set[T]) Add(ctx context.Context, vs ...T) (int, error) {
	return s.variadic(ctx, bulkSADD, vs)
}

// Remove removes vs and returns how many of them were members (Python's
// discard: missing values are not an error), atomically; more than
// 10,000 values (or 4 MiB) in bounded steps, as Add.
func (s *Set[T]) Remove(ctx context.Context, vs ...T) (int, error) {
	return s.variadic(ctx, bulkSREM, vs)
}

func (s *Set[T]) variadic(ctx context.Context, op bulk, vs []T) (int, error) {
	if len(vs) == 0 {
		return 0, s.none(ctx)
	}
	ss, err := s.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	return s.bulkWrite(ctx, op, ss)
}

// Contains reports whether v is a member.
func (s *Set[T]) Contains(ctx context.Context, v T) (bool, error) {
	e, err := s.vals.encode(v)
	if err != nil {
		return false, err
	}
	n, err := scalarInt(s.readScalar(ctx, cmd("SISMEMBER", s.keys[:1], e)))
	return n == 1, err
}

// Len returns the number of members (0 for a missing key).
func (s *Set[T]) Len(ctx context.Context) (int, error) {
	n, err := scalarInt(s.readScalar(ctx, cmd("SCARD", s.keys[:1])))
	return int(n), err
}

// Members returns every member, in no particular order, as one snapshot:
// in one command up to 16,384 members (SRANDMEMBER asked for more than
// the set has up to 1,024, else SMEMBERS after SCARD: a few ms of server
// time at most; fewer for long members: at most 4 MiB a command once the
// handle has seen their size), else in SSCAN steps of a few
// thousand while the key is WATCHed (read again if it changed meanwhile;
// ErrTxConflict if it kept changing through 3 attempts), so that Redis is
// never held for long. All reads a chunk at a time instead, without the
// snapshot.
func (s *Set[T]) Members(ctx context.Context) ([]T, error) {
	ss, err := s.readWhole(ctx, "Members", "SSCAN", 1)
	if err != nil {
		return nil, err
	}
	return s.vals.decodeStrings(ss)
}

// All returns an iterator over the members, read with SSCAN about chunkSize
// (1000) at a time (fewer when they are long: at most a few MiB a step),
// so client memory stays flat whatever the set's size.
// If a read fails, or a member cannot be decoded, the iterator yields the
// error once and stops. The set is not frozen: members added or removed
// meanwhile may be seen or missed, and a member present throughout may be
// seen twice if the set is resized meanwhile (SSCAN's guarantee).
func (s *Set[T]) All(ctx context.Context) iter.Seq2[T, error] {
	ctx = s.iterCtx(ctx)
	return func(yield func(T, error) bool) {
		var zero T
		cursor := "0"
		for {
			next, ss, err := scanKey(ctx, &s.object, "SSCAN", s.key, cursor, s.span(chunkSize, 1))
			if err != nil {
				yield(zero, err)
				return
			}
			for _, x := range ss {
				v, err := s.vals.decode(x)
				if err != nil {
					yield(zero, err)
					return
				}
				if !yield(v, nil) {
					return
				}
			}
			if next == "0" {
				return
			}
			cursor = next
		}
	}
}

// Pop removes and returns a random member, or returns ErrEmpty.
func (s *Set[T]) Pop(ctx context.Context) (T, error) {
	v, err := s.writeScalar(ctx, cmd("SPOP", s.keys[:1]))
	x, found, err := s.vals.decodeScalar(v, err)
	if !found && err == nil && !isQueued(v.Any) {
		err = s.emptyErr("Pop")
	}
	return x, err
}

// Random returns a random member without removing it, or returns ErrEmpty.
func (s *Set[T]) Random(ctx context.Context) (T, error) {
	x, found, err := s.vals.decodeScalar(s.readScalar(ctx, cmd("SRANDMEMBER", s.keys[:1])))
	if !found && err == nil {
		err = s.emptyErr("Random")
	}
	return x, err
}

func (s *Set[T]) emptyErr(op string) error {
	return fmt.Errorf("hotredis: set %q: %s: %w", s.key, op, ErrEmpty)
}

// Clear removes every member (the key is deleted, whatever it holds).
func (s *Set[T]) Clear(ctx context.Context) error { return s.Delete(ctx) }

// Replace atomically replaces the whole set with vs (duplicates count
// once). With no vs the key is deleted. More than 10,000 values (or
// 4 MiB) are gathered in a scratch set in bounded steps, which then replaces the set.
func (s *Set[T]) Replace(ctx context.Context, vs ...T) error {
	ss, err := s.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	return s.bulkReplace(ctx, bulkSADD, ss)
}
