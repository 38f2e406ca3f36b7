package hotredis

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
)

// Set algebra with plain Go values, sent as a script's arguments. A read
// (UnionValues, IsSubsetValues, ...) that would visit more than 4,000
// members and values goes in bounded steps while the set is watched: one
// snapshot, as the reads of set algebra with other Sets.

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

// values returns the members op computes over s and vs: by one script,
// or, when that would visit more than oneStepMax members and values, in
// steps while s is watched (see valuesSteps).
func (s *Set[T]) values(ctx context.Context, name, op string, vs []T) ([]T, error) {
	arr, err := s.valuesRead(ctx, name, op, vs)
	if err != nil {
		return nil, err
	}
	return s.vals.decodeAll(arr)
}

// valuesRead is set_values with op over s and vs, or its steps.
func (s *Set[T]) valuesRead(ctx context.Context, name, op string, vs []T) ([]any, error) {
	bound := oneStepMax
	if s.queuing(ctx) {
		bound = 0 // one script: inside a transaction nothing can go in steps
	}
	args, err := s.valueArgs(vs, op, chunkText, strconv.Itoa(bound), s.stepBound(ctx, readStepBytes))
	if err != nil {
		return nil, err
	}
	vals := args[4:]
	// Many values go in steps without asking the script: Redis would take
	// as long to hand it a million arguments as the work itself.
	if bound == 0 || len(vals) <= bound {
		arr, err := asArray(s.script(ctx, scriptSetValues, s.keys[:1], args...))
		if !backend.IsServerError(err, "BIG") {
			return arr, err
		}
	}
	var arr []any
	err = s.snapshotOf(ctx, name, s.keys[:1], func(ctx context.Context) error {
		arr, err = s.valuesSteps(ctx, op, vals)
		return err
	})
	return arr, err
}

// valuesSteps computes what set_values replies for op over s and vals
// (distinct, encoded) in bounded steps, for a snapshotOf: which values are
// members by SMISMEMBER, a chunk of values a command and a few commands a
// round trip, and, for union, diff and xor, the members by SSCAN.
func (s *Set[T]) valuesSteps(ctx context.Context, op string, vals []string) ([]any, error) {
	member := make([]bool, 0, len(vals))
	for rest := vals; len(rest) > 0; {
		var cmds []backend.Cmd
		for len(cmds) < 8 && len(rest) > 0 {
			k := min(len(rest), chunkSize)
			cmds = append(cmds, cmdArgs("SMISMEMBER", s.keys[:1], rest[:k]))
			rest = rest[k:]
		}
		rs, err := s.readMany(ctx, cmds...)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			arr, err := asArray(r.Val, r.Err)
			if err != nil {
				return nil, err
			}
			for _, x := range arr {
				member = append(member, x == int64(1))
			}
		}
	}
	if len(member) != len(vals) {
		return nil, fmt.Errorf("%w: SMISMEMBER answered %d of %d values", errReply, len(member), len(vals))
	}
	var out []any
	pick := func(members bool) { // the values that are members, or those that are not
		for i, v := range vals {
			if member[i] == members {
				out = append(out, v)
			}
		}
	}
	switch op {
	case "compare":
		n, err := scalarInt(s.readScalar(ctx, cmd("SCARD", s.keys[:1])))
		in := 0
		for _, m := range member {
			if m {
				in++
			}
		}
		return []any{n, int64(len(vals)), int64(in)}, err
	case "inter":
		pick(true)
		return out, nil
	}
	members, err := s.scanWhole(ctx, "SSCAN", 1, nil)
	if err != nil {
		return nil, err
	}
	given := make(map[string]struct{}, len(vals))
	if op != "union" {
		for _, v := range vals {
			given[v] = struct{}{}
		}
	}
	for _, m := range members {
		if _, in := given[m]; !in {
			out = append(out, m)
		}
	}
	if op != "diff" {
		pick(false)
	}
	return out, nil
}

// UnionValues returns the members of s together with vs, without changing
// s. Duplicates are returned once.
func (s *Set[T]) UnionValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "UnionValues", "union", vs)
}

// IntersectionValues returns the values among vs that are members of s
// (each once). Only those cross the network back.
func (s *Set[T]) IntersectionValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "IntersectionValues", "inter", vs)
}

// DifferenceValues returns the members of s that are not among vs.
func (s *Set[T]) DifferenceValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "DifferenceValues", "diff", vs)
}

// SymmetricDifferenceValues returns the members of s not among vs together
// with the values among vs that are not members of s.
func (s *Set[T]) SymmetricDifferenceValues(ctx context.Context, vs ...T) ([]T, error) {
	return s.values(ctx, "SymmetricDifferenceValues", "xor", vs)
}

func (s *Set[T]) valuesUpdate(ctx context.Context, op string, vs []T) error {
	args, err := s.valueArgs(vs, op, chunkText)
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
// copy of the set (for inter, to an empty scratch set); union and diff are
// SADD and SREM (valueVerbs), which applyNative sends as they are.
var (
	valueSteps = map[string]string{"xor": "xor", "inter": "inter"}
	valueVerbs = map[string]string{"union": "SADD", "diff": "SREM"}
)

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
		if verb, ok := valueVerbs[op]; ok {
			return r.applyNative(ctx, verb, vals, 1)
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
func (s *Set[T]) compareValues(ctx context.Context, name string, vs []T) (a, b, inter int64, err error) {
	return counts3(s.valuesRead(ctx, name, "compare", vs))
}

// IsSubsetValues reports whether every member of s is among vs.
func (s *Set[T]) IsSubsetValues(ctx context.Context, vs ...T) (bool, error) {
	a, _, inter, err := s.compareValues(ctx, "IsSubsetValues", vs)
	return err == nil && inter == a, err
}

// IsSupersetValues reports whether every value of vs is a member of s.
func (s *Set[T]) IsSupersetValues(ctx context.Context, vs ...T) (bool, error) {
	_, b, inter, err := s.compareValues(ctx, "IsSupersetValues", vs)
	return err == nil && inter == b, err
}

// IsDisjointValues reports whether no value of vs is a member of s.
func (s *Set[T]) IsDisjointValues(ctx context.Context, vs ...T) (bool, error) {
	_, _, inter, err := s.compareValues(ctx, "IsDisjointValues", vs)
	return err == nil && inter == 0, err
}

// EqualValues reports whether the members of s are exactly vs (ignoring
// order and duplicates).
func (s *Set[T]) EqualValues(ctx context.Context, vs ...T) (bool, error) {
	a, b, inter, err := s.compareValues(ctx, "EqualValues", vs)
	return err == nil && a == b && inter == a, err
}
