package hotredis

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
)

// Set algebra with other Sets, on the server.

// setKeys returns s's key followed by the keys of others; a nil other is
// ErrInvalidArgument.
func (s *Set[T]) setKeys(op string, others []*Set[T]) ([]string, error) {
	ks := make([]string, 0, 1+len(others))
	ks = append(ks, s.key)
	for i, o := range others {
		if o == nil {
			return nil, s.invalid(op, "other set %d is nil", i)
		}
		ks = append(ks, o.key)
	}
	return ks, s.err
}

// readAlgebra reads the members that the command name (SUNION, SINTER,
// SDIFF) computes over s and others.
func (s *Set[T]) readAlgebra(ctx context.Context, op, name string, others []*Set[T]) ([]T, error) {
	ks, err := s.setKeys(op, others)
	if err != nil {
		return nil, err
	}
	return s.readMembers(ctx, cmd(name, ks))
}

// Union returns the members of s and of every other Set (SUNION, on the
// server), in no particular order.
func (s *Set[T]) Union(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Union", "SUNION", others)
}

// Intersection returns the members of s that are in every other Set
// (SINTER, on the server).
func (s *Set[T]) Intersection(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Intersection", "SINTER", others)
}

// Difference returns the members of s that are in none of the others
// (SDIFF, on the server).
func (s *Set[T]) Difference(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Difference", "SDIFF", others)
}

// SymmetricDifference returns the members that are in s or in the other
// Set but not in both; with several others it chains, as Python's
// s ^ a ^ b does (members found in an odd number of the sets). It is
// computed by a script on the server.
func (s *Set[T]) SymmetricDifference(ctx context.Context, others ...*Set[T]) ([]T, error) {
	ks, err := s.setKeys("SymmetricDifference", others)
	if err != nil {
		return nil, err
	}
	arr, err := asArray(s.script(ctx, scriptSetXor, ks))
	if err != nil {
		return nil, err
	}
	return s.vals.decodeAll(arr)
}

// UnionUpdate adds the members of every other Set to s (Python's |=), on
// the server. The set keeps its expiry.
func (s *Set[T]) UnionUpdate(ctx context.Context, others ...*Set[T]) error {
	return s.store(ctx, "UnionUpdate", "union", others)
}

// IntersectionUpdate keeps only the members of s that are in every other
// Set (Python's &=), on the server. The set keeps its expiry; with no
// others it is unchanged.
func (s *Set[T]) IntersectionUpdate(ctx context.Context, others ...*Set[T]) error {
	return s.store(ctx, "IntersectionUpdate", "inter", others)
}

// DifferenceUpdate removes from s the members of every other Set (Python's
// -=), on the server. The set keeps its expiry.
func (s *Set[T]) DifferenceUpdate(ctx context.Context, others ...*Set[T]) error {
	return s.store(ctx, "DifferenceUpdate", "diff", others)
}

// SymmetricDifferenceUpdate replaces s with its symmetric difference with
// the other Set (Python's ^=), chaining over several others, on the
// server. The set keeps its expiry.
func (s *Set[T]) SymmetricDifferenceUpdate(ctx context.Context, others ...*Set[T]) error {
	return s.store(ctx, "SymmetricDifferenceUpdate", "xor", others)
}

// store applies op with others in place. One script does it when it
// visits at most oneStepMax members (the script counts them, and refuses
// with BIG, changing nothing, when there are more), or inside a
// transaction; otherwise the set is rebuilt in bounded steps.
func (s *Set[T]) store(ctx context.Context, name, op string, others []*Set[T]) error {
	sets, err := s.setKeys(name, others)
	if err != nil || len(others) == 0 {
		return err
	}
	ks := append([]string{s.key, s.keys[1]}, sets[1:]...)
	args := []string{op, strconv.Itoa(chunkSize), strconv.Itoa(oneStepMax)}
	inTx := s.queuing(ctx)
	if inTx {
		args[2] = "0"
	}
	_, err = s.script(ctx, scriptSetStore, ks, args...)
	if inTx || !backend.IsServerError(err, "BIG") {
		return err
	}
	done, err := s.rebuild(ctx, "set", sets, func(ctx context.Context, r *rebuilder) error {
		return s.rebuildStore(ctx, r, op, sets)
	})
	if done || err != nil {
		return err
	}
	args[2] = "0"
	_, err = s.script(ctx, scriptSetStore, ks, args...)
	return err
}

// rebuildStore builds the result of op over sets (s's key first) into
// r.tmp. Each member goes in by a rule that holds however often the scan
// meets it: union takes every member of every set, intersection the
// members of the smallest set found in all, difference the members of s
// found in none of the others, and symmetric difference the members found
// in an odd number of the sets (Python's chained s ^ a ^ b).
func (s *Set[T]) rebuildStore(ctx context.Context, r *rebuilder, op string, sets []string) error {
	distinct := slices.Compact(slices.Sorted(slices.Values(sets)))
	switch op {
	case "union":
		for _, k := range distinct {
			if err := r.scan(ctx, scriptSetStep, k, nil, "copy"); err != nil {
				return err
			}
		}
		return nil
	case "inter":
		smallest, least := s.key, int64(-1)
		for _, k := range distinct {
			n, err := asInt(s.read(ctx, cmd("SCARD", []string{k})))
			if err != nil {
				return err
			}
			if least < 0 || n < least {
				smallest, least = k, n
			}
		}
		return r.scan(ctx, scriptSetStep, smallest, sets, "pick", "all")
	case "diff":
		return r.scan(ctx, scriptSetStep, s.key, sets[1:], "pick", "none")
	case "xor":
		for _, k := range distinct {
			if err := r.scan(ctx, scriptSetStep, k, sets, "pick", "odd"); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("hotredis: set %q: unknown operation %q", s.key, op)
}

// IsSubset reports whether every member of s is in other (s <= other).
// Only three counts cross the network (SCARD and SINTERCARD on the server).
func (s *Set[T]) IsSubset(ctx context.Context, other *Set[T]) (bool, error) {
	a, _, inter, err := s.compare(ctx, "IsSubset", other)
	return err == nil && inter == a, err
}

// IsSuperset reports whether every member of other is in s (s >= other).
func (s *Set[T]) IsSuperset(ctx context.Context, other *Set[T]) (bool, error) {
	_, b, inter, err := s.compare(ctx, "IsSuperset", other)
	return err == nil && inter == b, err
}

// IsDisjoint reports whether s and other have no member in common.
func (s *Set[T]) IsDisjoint(ctx context.Context, other *Set[T]) (bool, error) {
	_, _, inter, err := s.compare(ctx, "IsDisjoint", other)
	return err == nil && inter == 0, err
}

// Equal reports whether s and other have the same members.
func (s *Set[T]) Equal(ctx context.Context, other *Set[T]) (bool, error) {
	a, b, inter, err := s.compare(ctx, "Equal", other)
	return err == nil && a == b && inter == a, err
}

// compare returns |s|, |other| and |s ∩ other|, read atomically.
func (s *Set[T]) compare(ctx context.Context, op string, other *Set[T]) (a, b, inter int64, err error) {
	ks, err := s.setKeys(op, []*Set[T]{other})
	if err != nil {
		return 0, 0, 0, err
	}
	return counts3(s.script(ctx, scriptSetCompare, ks))
}

func counts3(v any, err error) (a, b, c int64, _ error) {
	arr, err := asArray(v, err)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(arr) != 3 {
		return 0, 0, 0, fmt.Errorf("%w: %d counts", errReply, len(arr))
	}
	if a, err = asInt(arr[0], nil); err == nil {
		if b, err = asInt(arr[1], nil); err == nil {
			c, err = asInt(arr[2], nil)
		}
	}
	return a, b, c, err
}
