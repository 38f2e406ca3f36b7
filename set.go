package hotredis

import (
	"context"
	"fmt"
	"github.com/hotredis/hotredis/internal/lua"
	"iter"
	"slices"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
)

var (
	scriptSetStore        = lua.Load("set_store")
	scriptSetXor          = lua.Load("set_xor")
	scriptSetCompare      = lua.Load("set_compare")
	scriptSetValues       = lua.Load("set_values")
	scriptSetValuesUpdate = lua.Load("set_values_update")
)

// Set is a set of T stored as a Redis set at its key: HOT Redis's Set, Go's
// map[T]struct{}, Python's set. Every method is one atomic step on the
// server, so any number of goroutines and processes can share a Set.
//
// Set algebra comes in two forms. Methods named after Python's (Union,
// IntersectionUpdate, IsSubset, ...) take other Sets and run entirely on
// the server; on a Redis Cluster every Set involved must live in the same
// slot (give the keys a common hash tag such as "{users}:a" and
// "{users}:b"), or the call fails with ErrCrossSlot before anything is
// sent. The same methods with a Values suffix (UnionValues,
// IntersectionUpdateValues, IsSubsetValues, ...) take plain Go values,
// which travel to the server as arguments of a script, so they too are
// atomic. Other Sets must be bound to the same client as the receiver:
// only their keys are used.
//
// Sizes: any number of members and values works. The in-place methods
// run as one script when it visits at most 4,000 members: with values
// (UnionUpdateValues, IntersectionUpdateValues, DifferenceUpdateValues,
// SymmetricDifferenceUpdateValues) the cost follows the number of distinct
// values; with other Sets (UnionUpdate, ...) it follows the other Sets'
// sizes (for IntersectionUpdate, the smallest set's). Beyond that, one
// script would keep Redis busy for long (seconds per million members), so
// the new set is built beside the old one (in a scratch key in its Cluster
// slot, which expires if the client dies) by steps of about 1,000
// members, each a millisecond or so of server time, while the sets are
// WATCHed; then it replaces the old one in one O(1) MULTI/EXEC, keeping
// the expiry. Readers see the old set or the new one, never a mix. If a
// set changed meanwhile, the build starts over; after 3 such attempts the
// change runs as one script after all, which is correct but holds Redis
// for as long as it runs. Such a build usually copies the whole set, so
// it costs more in total than one script, but no other client waits for
// it.
//
// Methods that change the set called with a Transaction's or an Optimistic
// transaction's context are queued and return zero values, and each runs
// as one script, whatever its size; methods that only read fail in a
// Transaction with ErrInTransaction.
type Set[T any] struct {
	object
	vals coder[T]
}

// NewSet returns a handle on the set at key. It does no I/O; an empty key
// makes a new unique one (see Key).
func NewSet[T any](key string, opts ...Option) *Set[T] {
	o := collect(opts)
	s := &Set[T]{object: newObject("set", key, o, "tmp")}
	s.vals = newCoder[T](&s.object, o.codec)
	return s
}

// Add adds vs and returns how many of them were not already members. A very
// long vs is sent in chunks inside one MULTI/EXEC, so it is still atomic.
func (s *Set[T]) Add(ctx context.Context, vs ...T) (int, error) {
	return s.variadic(ctx, "SADD", vs)
}

// Remove removes vs and returns how many of them were members (Python's
// discard: missing values are not an error).
func (s *Set[T]) Remove(ctx context.Context, vs ...T) (int, error) {
	return s.variadic(ctx, "SREM", vs)
}

func (s *Set[T]) variadic(ctx context.Context, op string, vs []T) (int, error) {
	if len(vs) == 0 {
		return 0, s.err
	}
	ss, err := s.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	if len(ss) <= 10*chunkSize {
		n, err := asInt(s.write(ctx, cmd(op, s.keys[:1], ss...)))
		return int(n), err
	}
	rs, err := s.atomic(ctx, chunkCmds(op, s.keys[:1], ss)...)
	if err != nil || rs == nil {
		return 0, err
	}
	total := 0
	for _, r := range rs {
		n, _ := asInt(r.Val, nil)
		total += int(n)
	}
	return total, nil
}

// Contains reports whether v is a member.
func (s *Set[T]) Contains(ctx context.Context, v T) (bool, error) {
	e, err := s.vals.encode(v)
	if err != nil {
		return false, err
	}
	n, err := asInt(s.read(ctx, cmd("SISMEMBER", s.keys[:1], e)))
	return n == 1, err
}

// Len returns the number of members (0 for a missing key).
func (s *Set[T]) Len(ctx context.Context) (int, error) {
	n, err := asInt(s.read(ctx, cmd("SCARD", s.keys[:1])))
	return int(n), err
}

// Members returns every member, in no particular order, in one reply. Use
// All for a very large set.
func (s *Set[T]) Members(ctx context.Context) ([]T, error) {
	return s.readMembers(ctx, cmd("SMEMBERS", s.keys[:1]))
}

func (s *Set[T]) readMembers(ctx context.Context, c backend.Cmd) ([]T, error) {
	arr, err := asArray(s.read(ctx, c))
	if err != nil {
		return nil, err
	}
	return s.vals.decodeAll(arr)
}

// All returns an iterator over the members, read with SSCAN about chunkSize
// (1000) at a time, so client memory stays flat whatever the set's size.
// If a read fails, or a member cannot be decoded, the iterator yields the
// error once and stops. The set is not frozen: members added or removed
// meanwhile may be seen or missed, and a member present throughout may be
// seen twice if the set is resized meanwhile (SSCAN's guarantee).
func (s *Set[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cursor := "0"
		for {
			next, arr, err := scan(ctx, &s.object, "SSCAN", cursor)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, x := range arr {
				v, err := s.vals.decodeAll([]any{x})
				if err != nil {
					yield(zero, err)
					return
				}
				if !yield(v[0], nil) {
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

// scan runs one step of SSCAN/HSCAN/ZSCAN over o's key with COUNT
// chunkSize and returns the next cursor and the items.
func scan(ctx context.Context, o *object, op, cursor string) (string, []any, error) {
	arr, err := asArray(o.read(ctx, cmd(op, o.keys[:1], cursor, "COUNT", strconv.Itoa(chunkSize))))
	if err != nil {
		return "", nil, err
	}
	if len(arr) != 2 {
		return "", nil, wrapErr(o.kind, o.key, fmt.Errorf("%w: %s reply of %d items", errReply, op, len(arr)))
	}
	next, _, err := asString(arr[0], nil)
	if err != nil {
		return "", nil, wrapErr(o.kind, o.key, err)
	}
	items, err := asArray(arr[1], nil)
	return next, items, wrapErr(o.kind, o.key, err)
}

// Pop removes and returns a random member, or returns ErrEmpty.
func (s *Set[T]) Pop(ctx context.Context) (T, error) {
	v, err := s.write(ctx, cmd("SPOP", s.keys[:1]))
	x, found, err := s.vals.decodeReply(v, err)
	if !found && err == nil && !isQueued(v) {
		err = s.emptyErr("Pop")
	}
	return x, err
}

// Random returns a random member without removing it, or returns ErrEmpty.
func (s *Set[T]) Random(ctx context.Context) (T, error) {
	v, err := s.read(ctx, cmd("SRANDMEMBER", s.keys[:1]))
	x, found, err := s.vals.decodeReply(v, err)
	if !found && err == nil {
		err = s.emptyErr("Random")
	}
	return x, err
}

func (s *Set[T]) emptyErr(op string) error {
	return fmt.Errorf("hotredis: set %q: %s: %w", s.key, op, ErrEmpty)
}

// Clear removes every member (the key is deleted).
func (s *Set[T]) Clear(ctx context.Context) error { return s.Delete(ctx) }

// Replace atomically replaces the whole set with vs (duplicates count
// once). With no vs the key is deleted.
func (s *Set[T]) Replace(ctx context.Context, vs ...T) error {
	ss, err := s.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	cmds := append([]backend.Cmd{cmd("DEL", s.keys[:1])}, chunkCmds("SADD", s.keys[:1], ss)...)
	_, err = s.atomic(ctx, cmds...)
	return err
}

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
// the count, except that more than 4,000 values are applied in bounded
// steps (see Set), where Add sends them in one MULTI/EXEC.
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
// count, except that more than 4,000 values are applied in bounded steps
// (see Set), where Remove sends them in one MULTI/EXEC.
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
