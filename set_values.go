package hotredis

import (
	"context"
	"strconv"
)

// Set algebra with plain Go values, sent as a script's arguments.

// valueArgs encodes vs for a script's ARGV after the given leading
// arguments, dropping duplicates (by stored text).
func (s *Set[T]) valueArgs(vs []T, lead ...string) ([]string, error) {
	seen := make(map[string]struct{}, len(vs))
	out := append(make([]string, 0, len(lead)+len(vs)), lead...)
	for _, v := range vs {
		e, err := s.vals.encode(v)
		if err != nil {
			return nil, err
		}
		if _, dup := seen[e]; !dup {
			seen[e] = struct{}{}
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *Set[T]) values(ctx context.Context, op string, vs []T) ([]T, error) {
	args, err := s.valueArgs(vs, op, strconv.Itoa(chunkSize))
	if err != nil {
		return nil, err
	}
	arr, err := asArray(s.script(ctx, scriptSetValues, s.keys[:1], args...))
	if err != nil {
		return nil, err
	}
	return s.vals.decodeAll(arr)
}

// UnionValues returns the members of s together with vs, without changing
// s. Duplicates are returned once.
func (s *Set[T]) UnionValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "union", vs)
}

// IntersectionValues returns the values among vs that are members of s
// (each once). Only those cross the network back.
func (s *Set[T]) IntersectionValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "inter", vs)
}

// DifferenceValues returns the members of s that are not among vs.
func (s *Set[T]) DifferenceValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "diff", vs)
}

// SymmetricDifferenceValues returns the members of s not among vs together
// with the values among vs that are not members of s.
func (s *Set[T]) SymmetricDifferenceValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "xor", vs)
}

func (s *Set[T]) valuesUpdate(ctx context.Context, op string, vs []T) error {
	args, err := s.valueArgs(vs, op, strconv.Itoa(chunkSize))
	if err != nil {
		return err
	}
	if vals := args[2:]; len(vals) > oneStepMax && !s.queuing(ctx) {
		done, err := s.rebuildValues(ctx, op, vals)
		if done || err != nil {
			return err
		}
	}
	_, err = s.script(ctx, scriptSetValuesUpdate, s.keys, args...)
	return err
}

// valueSteps names the set_step step that applies each op's values to a
// copy of the set (for inter, to an empty scratch set).
var valueSteps = map[string]string{"union": "add", "diff": "rem", "xor": "xor", "inter": "inter"}

// rebuildValues applies op with many values (distinct, encoded) by a
// rebuild in bounded steps (see rebuild.go): the members are copied to a
// scratch set (except for inter, which keeps only members among the
// values), then the values are applied to it a chunk at a time, and it is
// swapped in. It reports false when the set kept changing meanwhile.
func (s *Set[T]) rebuildValues(ctx context.Context, op string, vals []string) (bool, error) {
	return s.rebuild(ctx, "set", s.keys[:1], func(ctx context.Context, r *rebuilder) error {
		if op != "inter" {
			if err := r.scan(ctx, scriptSetStep, s.key, nil, "copy"); err != nil {
				return err
			}
		}
		return r.apply(ctx, scriptSetStep, valueSteps[op], s.key, vals, 1)
	})
}

// UnionUpdateValues adds vs to s (Python's s |= {...}); it is Add without
// the count, in bounded steps from 4,000 values (Add: from 10,000).
func (s *Set[T]) UnionUpdateValues(ctx context.Context, vs ...T) error {
	return s.valuesUpdate(ctx, "union", vs)
}

// IntersectionUpdateValues keeps only the members of s that are among vs;
// with no vs it empties s. The set keeps its expiry. The members kept are
// gathered in a scratch key in s's slot, which then replaces s, so the
// cost follows the number of values, not the size of s; the scratch key
// is always removed.
func (s *Set[T]) IntersectionUpdateValues(ctx context.Context, vs ...T) error {
	return s.valuesUpdate(ctx, "inter", vs)
}

// DifferenceUpdateValues removes vs from s; it is Remove without the
// count, in bounded steps from 4,000 values (Remove: from 10,000).
func (s *Set[T]) DifferenceUpdateValues(ctx context.Context, vs ...T) error {
	return s.valuesUpdate(ctx, "diff", vs)
}

// SymmetricDifferenceUpdateValues removes from s the values among vs that
// are members and adds the others (Python's s ^= {...}); a value repeated
// in vs counts once. The set keeps its expiry.
func (s *Set[T]) SymmetricDifferenceUpdateValues(ctx context.Context, vs ...T) error {
	return s.valuesUpdate(ctx, "xor", vs)
}

// compareValues returns |s|, the number of distinct vs, and how many of
// them are members of s, read atomically.
func (s *Set[T]) compareValues(ctx context.Context, vs []T) (a, b, inter int64, err error) {
	args, err := s.valueArgs(vs, "compare", strconv.Itoa(chunkSize))
	if err != nil {
		return 0, 0, 0, err
	}
	return counts3(s.script(ctx, scriptSetValues, s.keys[:1], args...))
}

// IsSubsetValues reports whether every member of s is among vs.
func (s *Set[T]) IsSubsetValues(ctx context.Context, vs ...T) (bool, error) {
	a, _, inter, err := s.compareValues(ctx, vs)
	return err == nil && inter == a, err
}

// IsSupersetValues reports whether every value of vs is a member of s.
func (s *Set[T]) IsSupersetValues(ctx context.Context, vs ...T) (bool, error) {
	_, b, inter, err := s.compareValues(ctx, vs)
	return err == nil && inter == b, err
}

// IsDisjointValues reports whether no value of vs is a member of s.
func (s *Set[T]) IsDisjointValues(ctx context.Context, vs ...T) (bool, error) {
	_, _, inter, err := s.compareValues(ctx, vs)
	return err == nil && inter == 0, err
}

// EqualValues reports whether the members of s are exactly vs (ignoring
// order and duplicates).
func (s *Set[T]) EqualValues(ctx context.Context, vs ...T) (bool, error) {
	a, b, inter, err := s.compareValues(ctx, vs)
	return err == nil && a == b && inter == a, err
}
