package hotredis

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

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

// readAlgebra reads the members that op ("union", "inter", "diff" or
// "xor") computes over s and others.
func (s *Set[T]) readAlgebra(ctx context.Context, name, op string, others []*Set[T]) ([]T, error) {
	ks, err := s.setKeys(name, others)
	if err != nil {
		return nil, err
	}
	arr, err := s.algebra(ctx, name, op, ks)
	if err != nil {
		return nil, err
	}
	return s.vals.decodeAll(arr)
}

// The reads of set algebra below, and the comparisons, are one snapshot
// of the sets: the work of up to oneStepMax members (replying with up to
// readStepBytes) is one script (set_read); more is done in steps of a few thousand members while every
// set is WATCHed (see algebraSteps), so that Redis is never held for long.

// Union returns the members of s and of every other Set, in no particular
// order: SUNION on the server, or in steps for big sets (above).
func (s *Set[T]) Union(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Union", "union", others)
}

// Intersection returns the members of s that are in every other Set:
// SINTER on the server, or in steps for big sets (see Union).
func (s *Set[T]) Intersection(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Intersection", "inter", others)
}

// Difference returns the members of s that are in none of the others:
// SDIFF on the server, or in steps for big sets (see Union).
func (s *Set[T]) Difference(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "Difference", "diff", others)
}

// SymmetricDifference returns the members that are in s or in the other
// Set but not in both; with several others it chains, as Python's
// s ^ a ^ b does (members found in an odd number of the sets). It is
// computed by a script on the server, or in steps for big sets (see
// Union).
func (s *Set[T]) SymmetricDifference(ctx context.Context, others ...*Set[T]) ([]T, error) {
	return s.readAlgebra(ctx, "SymmetricDifference", "xor", others)
}

// algebra returns the members op computes over sets (s's key first), as
// they are stored: by set_read when that visits at most oneStepMax
// members and replies with at most readStepBytes, else in steps.
func (s *Set[T]) algebra(ctx context.Context, name, op string, sets []string) ([]any, error) {
	arr, err := asArray(s.script(ctx, scriptSetRead, sets, op, strconv.Itoa(oneStepMax), readStepBytesArg))
	if !backend.IsServerError(err, "BIG") {
		return arr, err
	}
	var out []any
	err = s.snapshotOf(ctx, name, slices.Compact(slices.Sorted(slices.Values(sets))), func(ctx context.Context) error {
		members, err := s.algebraSteps(ctx, op, sets)
		out = members
		return err
	})
	return out, err
}

// algebraSteps computes op over sets in steps of a few thousand members:
// a union or symmetric difference reads every set; an intersection scans
// the smallest set on the server, keeping the members found in all the
// others (set_pick), and a difference scans s, keeping those found in
// none.
func (s *Set[T]) algebraSteps(ctx context.Context, op string, sets []string) ([]any, error) {
	distinct := slices.Compact(slices.Sorted(slices.Values(sets)))
	switch op {
	case "union", "xor":
		// mentions[m]: how many of sets (a key named twice counts twice)
		// hold m.
		mentions := map[string]int{}
		for _, k := range distinct {
			members, err := s.scanWholeOf(ctx, []string{k}, "SSCAN", 1, nil)
			if err != nil {
				return nil, err
			}
			times := countOf(sets, k)
			for _, m := range members {
				mentions[m] += times
			}
		}
		var out []any
		for m, n := range mentions {
			if op == "union" || n%2 == 1 {
				out = append(out, m)
			}
		}
		return out, nil
	case "inter", "diff":
		from, rest := sets[0], distinct
		if op == "inter" {
			var err error
			if from, err = s.smallest(ctx, distinct); err != nil {
				return nil, err
			}
		} else {
			rest = slices.Compact(slices.Sorted(slices.Values(sets[1:])))
		}
		rule := map[string]string{"inter": "all", "diff": "none"}[op]
		picked, _, _, err := s.pick(ctx, from, rest, rule, false, nil)
		return once(picked, 1), err
	}
	return nil, fmt.Errorf("hotredis: set %q: unknown operation %q", s.key, op)
}

// smallest returns the key among ks of the set with the fewest members.
func (s *Set[T]) smallest(ctx context.Context, ks []string) (string, error) {
	cmds := make([]backend.Cmd, len(ks))
	for i, k := range ks {
		cmds[i] = cmd("SCARD", []string{k})
	}
	rs, err := s.readMany(ctx, cmds...)
	if err != nil {
		return "", err
	}
	best, least := ks[0], int64(-1)
	for i, r := range rs {
		n, err := asInt(r.Val, r.Err)
		if err != nil {
			return "", err
		}
		if least < 0 || n < least {
			best, least = ks[i], n
		}
	}
	return best, nil
}

// pick runs set_pick over the whole set from, a stretch of members a
// step (see stretcher), picking the members in all of rest (rule "all")
// or in none ("none"). It returns the members picked (none when count is
// set), how many it scanned and how many it picked; a member the scan
// returned twice is picked twice. When stop is not nil, pick ends after
// the first step at whose end stop, given those counts so far, is true.
func (s *Set[T]) pick(ctx context.Context, from string, rest []string, rule string, count bool, stop func(scanned, n int64) bool) (picked []any, scanned, n int64, err error) {
	ks := append([]string{from}, rest...)
	mode := "members"
	if count {
		mode = "count"
	}
	var sz stretcher
	for cursor := "0"; ; {
		start := time.Now()
		arr, err := asArray(s.script(ctx, scriptSetPick, ks, cursor, strconv.Itoa(min(sz.stretchFor(chunkSize), oneStepMax)), rule, mode))
		if err != nil {
			return nil, 0, 0, err
		}
		sz.measured(time.Since(start))
		if len(arr) < 2 || (count && len(arr) != 3) {
			return nil, 0, 0, fmt.Errorf("%w: set_pick reply of %d items", errReply, len(arr))
		}
		next, _, _ := asString(arr[0], nil)
		k, _ := arr[1].(int64)
		scanned += k
		if count {
			c, _ := arr[2].(int64)
			n += c
		} else {
			picked = append(picked, arr[2:]...)
			n += int64(len(arr) - 2)
		}
		if (stop != nil && stop(scanned, n)) || next == "0" { // stop sees every step, the last too
			return picked, scanned, n, nil
		}
		cursor = next
	}
}

func countOf(ks []string, k string) int {
	n := 0
	for _, x := range ks {
		if x == k {
			n++
		}
	}
	return n
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
// visits at most oneStepMax members and copies at most stepBytes (the
// script counts them, and refuses with BIG, changing nothing, when there
// are more), or inside a transaction; otherwise the set is rebuilt in
// bounded steps.
func (s *Set[T]) store(ctx context.Context, name, op string, others []*Set[T]) error {
	sets, err := s.setKeys(name, others)
	if err != nil || len(others) == 0 {
		return err
	}
	ks := append([]string{s.key, s.keys[1]}, sets[1:]...)
	args := []string{op, chunkText, s.stepBound(ctx, oneStepMax), s.stepBound(ctx, stepBytes)}
	inTx := s.queuing(ctx)
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
	args[2], args[3] = "0", "0"
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
			n, err := scalarInt(s.readScalar(ctx, cmd("SCARD", []string{k})))
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

// The comparisons below are one snapshot of both sets, as the reads of
// set algebra are: three counts (SCARD and SINTERCARD) from one script
// when the work is small; else decided by the sizes when they suffice,
// or by scanning one set in steps and looking its members up in the
// other, which stops at the first member that decides the answer (a
// false IsSubset usually costs one step; a true one reads every member).

// IsSubset reports whether every member of s is in other (s <= other).
func (s *Set[T]) IsSubset(ctx context.Context, other *Set[T]) (bool, error) {
	return s.relation(ctx, "IsSubset", other, subsetOf)
}

// IsSuperset reports whether every member of other is in s (s >= other).
func (s *Set[T]) IsSuperset(ctx context.Context, other *Set[T]) (bool, error) {
	return s.relation(ctx, "IsSuperset", other, supersetOf)
}

// IsDisjoint reports whether s and other have no member in common.
func (s *Set[T]) IsDisjoint(ctx context.Context, other *Set[T]) (bool, error) {
	return s.relation(ctx, "IsDisjoint", other, disjointFrom)
}

// Equal reports whether s and other have the same members.
func (s *Set[T]) Equal(ctx context.Context, other *Set[T]) (bool, error) {
	return s.relation(ctx, "Equal", other, equalTo)
}

// setRelation is what a comparison of s with another set asks.
type setRelation int

const (
	subsetOf     setRelation = iota // every member of s is in the other
	supersetOf                      // every member of the other is in s
	equalTo                         // both
	disjointFrom                    // no member in common
)

// holds decides the relation from |s|, |other| and |s ∩ other|.
func (rel setRelation) holds(a, b, inter int64) bool {
	switch rel {
	case subsetOf:
		return inter == a
	case supersetOf:
		return inter == b
	case equalTo:
		return a == b && inter == a
	}
	return inter == 0
}

// relation reports whether rel holds between s and other, read
// atomically: by one script, or in steps for big sets (see above).
func (s *Set[T]) relation(ctx context.Context, op string, other *Set[T], rel setRelation) (bool, error) {
	ks, err := s.setKeys(op, []*Set[T]{other})
	if err != nil {
		return false, err
	}
	a, b, inter, err := counts3(s.script(ctx, scriptSetRead, ks, "compare", strconv.Itoa(oneStepMax)))
	if !backend.IsServerError(err, "BIG") {
		return err == nil && rel.holds(a, b, inter), err
	}
	var holds bool
	err = s.snapshotOf(ctx, op, slices.Compact(slices.Sorted(slices.Values(ks))), func(ctx context.Context) error {
		rs, err := s.readMany(ctx, cmd("SCARD", ks[:1]), cmd("SCARD", ks[1:]))
		if err != nil {
			return err
		}
		if a, err = asInt(rs[0].Val, rs[0].Err); err != nil {
			return err
		}
		if b, err = asInt(rs[1].Val, rs[1].Err); err != nil {
			return err
		}
		// Which set to scan; a member of it missing from the other (or,
		// for IsDisjoint, found in it) decides the answer. A scan may
		// return a member twice (when the set's table is resized), which
		// changes neither.
		from := ks[0]
		switch {
		case rel == subsetOf && a > b, rel == supersetOf && b > a, rel == equalTo && a != b:
			holds = false
			return nil
		case rel == supersetOf, rel == disjointFrom && b < a:
			from = ks[1]
		}
		decided := false
		_, _, _, err = s.pick(ctx, from, ks, "all", true, func(scanned, found int64) bool {
			if rel == disjointFrom {
				decided = found > 0
			} else {
				decided = scanned > found
			}
			return decided
		})
		holds = !decided
		return err
	})
	return holds, err
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
