package hotredis

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

var (
	scriptCounterUpdate     = lua.Load("counter_update")
	scriptCounterCombine    = lua.Load("counter_combine")
	scriptCounterMostCommon = lua.Load("counter_most_common")
	scriptCounterTotal      = lua.Load("counter_total")
)

// counterStretch is how many fields one call of the MostCommon and Total
// scripts examines: a few milliseconds of server time. A counter up to
// this size is read in one step; a larger one in several, while it is
// WATCHed (see stretches).
const counterStretch = oneStepMax

// Counter counts elements of type K, stored as a Redis hash at its key
// (field: the element as text, value: its count in decimal): HOT Redis's
// MultiSet, Python's collections.Counter. Counts are exact int64s; as in
// HOT Redis, zero and negative counts are kept, and a missing element
// counts 0. An update over more than 4,000 elements is rebuilt in bounded
// steps, and MostCommon and Total read a big counter in steps that still
// return a snapshot (see the package documentation).
type Counter[K comparable] struct {
	object
	keyc   coder[K]
	counts coder[int64]
}

// NewCounter returns a handle on the counter at key. It does no I/O; an
// empty key makes a new unique one (see Key).
func NewCounter[K comparable](key string, opts ...Option) *Counter[K] {
	o := collect(opts)
	c := &Counter[K]{object: newObject("counter", key, o)}
	c.keyc = newCoder[K](&c.object, o.keyCodec)
	c.counts = newCoder[int64](&c.object, nil)
	return c
}

// Get returns the count of k, 0 when k is missing.
func (c *Counter[K]) Get(ctx context.Context, k K) (int64, error) {
	f, err := c.keyc.encode(k)
	if err != nil {
		return 0, err
	}
	s, ok, err := scalarString(c.readScalar(ctx, cmd("HGET", c.keys[:1], f)))
	if err != nil || !ok {
		return 0, err
	}
	return c.counts.decode(s)
}

// Add adds n (which may be negative) to the count of k and returns the new
// count (HINCRBY). A result beyond int64 is ErrOverflow and a stored count
// that is not an integer is ErrDecode; either leaves the count unchanged.
func (c *Counter[K]) Add(ctx context.Context, k K, n int64) (int64, error) {
	f, err := c.keyc.encode(k)
	if err != nil {
		return 0, err
	}
	return incrField(ctx, &c.object, f, n)
}

// Update adds counts to the counter (Python's Counter.update with a
// mapping), atomically: if any count would overflow or a stored count is
// not an integer, nothing changes and the error is returned. More than
// 4,000 counts are applied in bounded steps (see Counter).
func (c *Counter[K]) Update(ctx context.Context, counts map[K]int64) error {
	return c.update(ctx, counts, 1)
}

// UpdateElements counts each of elems once more (Python's Counter.update
// with an iterable), atomically like Update.
func (c *Counter[K]) UpdateElements(ctx context.Context, elems ...K) error {
	return c.update(ctx, tally(elems), 1)
}

// Subtract subtracts counts from the counter (Python's Counter.subtract:
// counts may go to zero or below and are kept), atomically like Update.
func (c *Counter[K]) Subtract(ctx context.Context, counts map[K]int64) error {
	return c.update(ctx, counts, -1)
}

// SubtractElements counts each of elems once less, atomically like
// Update.
func (c *Counter[K]) SubtractElements(ctx context.Context, elems ...K) error {
	return c.update(ctx, tally(elems), -1)
}

func tally[K comparable](elems []K) map[K]int64 {
	m := make(map[K]int64, len(elems))
	for _, e := range elems {
		m[e]++
	}
	return m
}

func (c *Counter[K]) update(ctx context.Context, counts map[K]int64, sign int64) error {
	if len(counts) == 0 {
		return c.err
	}
	args := make([]string, 0, 1+2*len(counts))
	args = append(args, chunkText)
	var then []string // increments after all of args: 1 for a Subtract of MinInt64
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		if sign < 0 {
			if n == math.MinInt64 {
				// -n, 2^63, does not fit an int64: 2^63-1, then 1 more.
				n = math.MinInt64 + 1
				then = append(then, f, "1")
			}
			n = -n
		}
		args = append(args, f, strconv.FormatInt(n, 10))
	}
	if len(counts) > oneStepMax && !c.queuing(ctx) {
		// A copy of the counter takes the increments, then replaces it.
		done, err := c.rebuild(ctx, "hash", c.keys[:1], func(ctx context.Context, r *rebuilder) error {
			if err := r.scan(ctx, scriptHashStep, c.key, nil, "scan-copy"); err != nil {
				return err
			}
			if err := r.apply(ctx, scriptHashStep, "incr", c.key, args[1:], 2); err != nil {
				return err
			}
			return r.apply(ctx, scriptHashStep, "incr", c.key, then, 2) // (steps of their own: a step takes each field once)
		})
		if done || err != nil {
			return c.countErr(ctx, err, fieldsOf(args[1:]), c.key)
		}
	}
	// (counter_update undoes the whole update, a field's two increments
	// together, when one fails.)
	_, err := c.script(ctx, scriptCounterUpdate, c.keys[:1], append(args, then...)...)
	return c.countErr(ctx, err, fieldsOf(args[1:]), c.key)
}

// fieldsOf returns the fields of pairs (field, value, ...).
func fieldsOf(pairs []string) []string {
	fs := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		fs = append(fs, pairs[i])
	}
	return fs
}

// countErr gives a counter script's refusal of a stored count that is not
// an integer the *DecodeError that Get's would be: a NOTINT names one of
// keys and the value; HINCRBY's refusal does not, and the count is looked
// for among fields (an error path: the update changed nothing). Other
// errors pass unchanged.
func (c *Counter[K]) countErr(ctx context.Context, err error, fields []string, keys ...string) error {
	var de *DecodeError
	if !errors.Is(err, ErrDecode) || errors.As(err, &de) {
		return err
	}
	msg := err.Error()
	if i := strings.Index(msg, "NOTINT "); i >= 0 {
		rest := msg[i+len("NOTINT "):]
		for _, k := range keys {
			mid := " of " + k + " holds "
			j := strings.Index(rest, mid)
			if j < 0 {
				continue
			}
			f, v := strings.TrimPrefix(rest[:j], "field "), rest[j+len(mid):]
			if e := strings.LastIndex(v, ", not an integer"); e >= 0 {
				v = v[:e]
			}
			return decodeError(k, v, "int64", fmt.Errorf("%s does not hold an integer count", f))
		}
	}
	for len(fields) > 0 {
		n := min(len(fields), chunkSize)
		vs, e := asArray(c.read(ctx, cmdArgs("HMGET", c.keys[:1], fields[:n])))
		if e != nil {
			return err
		}
		for i, v := range vs {
			if s, ok, _ := asString(v, nil); ok && !isCount(s) {
				return decodeError(c.key, s, "int64", fmt.Errorf("field %q does not hold an integer count", fields[i]))
			}
		}
		fields = fields[n:]
	}
	return err
}

// isCount reports whether s is a count as Redis stores one: a decimal
// int64 without sign or zeros it need not have.
func isCount(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && strconv.FormatInt(n, 10) == s
}

// IntersectionUpdate keeps, for each element, the smaller of its count here
// and in other, then drops every element whose count is not positive
// (Python's Counter &=), atomically, on the server. Both counters must be
// in one Cluster slot.
func (c *Counter[K]) IntersectionUpdate(ctx context.Context, other *Counter[K]) error {
	if other == nil {
		return c.invalid("IntersectionUpdate", "other counter is nil")
	}
	return c.combine(ctx, "and", other, nil)
}

// UnionUpdate keeps, for each element, the larger of its count here and in
// other, then drops every element whose count is not positive (Python's
// Counter |=), atomically, on the server. Both counters must be in one
// Cluster slot.
func (c *Counter[K]) UnionUpdate(ctx context.Context, other *Counter[K]) error {
	if other == nil {
		return c.invalid("UnionUpdate", "other counter is nil")
	}
	return c.combine(ctx, "or", other, nil)
}

// IntersectionUpdateCounts is IntersectionUpdate with the other counts
// given as a Go map.
func (c *Counter[K]) IntersectionUpdateCounts(ctx context.Context, counts map[K]int64) error {
	return c.combineCounts(ctx, "and", counts)
}

// UnionUpdateCounts is UnionUpdate with the other counts given as a Go
// map.
func (c *Counter[K]) UnionUpdateCounts(ctx context.Context, counts map[K]int64) error {
	return c.combineCounts(ctx, "or", counts)
}

func (c *Counter[K]) combineCounts(ctx context.Context, op string, counts map[K]int64) error {
	pairs := make([]string, 0, 2*len(counts))
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		pairs = append(pairs, f, strconv.FormatInt(n, 10))
	}
	return c.combine(ctx, op, nil, pairs)
}

// combine applies &= (op "and") or |= ("or") with other, or with pairs
// (field, count) when other is nil. One script does it when it visits at
// most oneStepMax fields (the script itself counts them, and refuses with
// BIG, changing nothing, when there are more), or inside a transaction;
// otherwise the counter is rebuilt in bounded steps.
func (c *Counter[K]) combine(ctx context.Context, op string, other *Counter[K], pairs []string) (err error) {
	ks := c.keys[:1]
	if other != nil {
		ks = []string{c.key, other.key}
	}
	defer func() { err = c.countErr(ctx, err, fieldsOf(pairs), ks...) }()
	inTx := c.queuing(ctx)
	limit := strconv.Itoa(oneStepMax)
	if inTx {
		limit = "0"
	}
	args := append([]string{op, chunkText, limit}, pairs...)
	if inTx || len(pairs)/2 <= oneStepMax {
		// Sending many pairs only to hear BIG would cost as much as the
		// work: Redis parses every argument before the script starts.
		_, err := c.script(ctx, scriptCounterCombine, ks, args...)
		if !backend.IsServerError(err, "BIG") {
			return err
		}
	}
	done, err := c.rebuild(ctx, "hash", ks, func(ctx context.Context, r *rebuilder) error {
		switch {
		case other != nil && op == "and":
			return r.scan(ctx, scriptHashStep, c.key, []string{other.key}, "scan-min")
		case other != nil:
			if err := r.scan(ctx, scriptHashStep, c.key, []string{other.key}, "scan-max"); err != nil {
				return err
			}
			return r.scan(ctx, scriptHashStep, other.key, []string{c.key}, "scan-rest")
		case op == "and":
			// Only the given fields can stay; every count is still checked.
			if err := r.apply(ctx, scriptHashStep, "min", c.key, pairs, 2); err != nil {
				return err
			}
			return r.scan(ctx, scriptHashStep, c.key, nil, "scan-check")
		default:
			if err := r.scan(ctx, scriptHashStep, c.key, nil, "scan-pos"); err != nil {
				return err
			}
			return r.apply(ctx, scriptHashStep, "max", c.key, pairs, 2)
		}
	})
	if done || err != nil {
		return err
	}
	args[2] = "0"
	_, err = c.script(ctx, scriptCounterCombine, ks, args...)
	return err
}

// Elements returns an iterator over the elements, each repeated as many
// times as its count; elements with a count below one are skipped
// (Python's Counter.elements). The hash is read with HSCAN a chunk at a
// time, with All's consistency.
func (c *Counter[K]) Elements(ctx context.Context) iter.Seq2[K, error] {
	ctx = c.iterCtx(ctx)
	return func(yield func(K, error) bool) {
		for p, err := range c.All(ctx) {
			if err != nil {
				yield(p.Key, err)
				return
			}
			for i := int64(0); i < p.Value; i++ {
				if !yield(p.Key, nil) {
					return
				}
			}
		}
	}
}

// All returns an iterator over the elements and their counts, read with
// HSCAN about chunkSize (1000) at a time, so client memory stays flat
// whatever the counter's size. If a read fails, or an entry cannot be
// decoded, the iterator yields the error once and stops. Changes made
// meanwhile may be seen or missed, and an entry may be seen twice if the
// hash is resized meanwhile.
func (c *Counter[K]) All(ctx context.Context) iter.Seq2[Pair[K, int64], error] {
	return scanPairs(ctx, &c.object, c.keyc, c.counts)
}

// MostCommon returns the n elements with the highest counts, highest
// first (Python's Counter.most_common); n < 0 returns every element. The
// choice is made on the server, so only n pairs cross the network, even
// for a counter of millions of elements. Python orders equal counts by
// insertion, which Redis does not record; here equal counts are ordered by
// the elements' stored text, byte by byte, smallest first, which is stable
// across calls. A counter of more than 4,000 elements is examined in
// steps of a few thousand, each a few milliseconds (so Redis never
// stalls for long), while it is WATCHed, and examined again if it
// changed meanwhile, so the answer describes one moment; if it kept
// changing through 3 attempts, a counter of up to 32,000 elements is
// examined in one step after all (~20 ms at most), and a larger one gets
// ErrTxConflict.
// MostCommon with n < 0 reads the whole counter as Items does.
func (c *Counter[K]) MostCommon(ctx context.Context, n int) ([]Pair[K, int64], error) {
	if n == 0 {
		return []Pair[K, int64]{}, c.err
	}
	var best map[string]string
	if n < 0 {
		r, err := c.readWholeBy(ctx, "MostCommon", "HSCAN", 2, "")
		if err != nil {
			return nil, err
		}
		if best = r.byField; best == nil {
			best = make(map[string]string, r.entries())
			_ = r.eachPair(func(f, v string) error { best[f] = v; return nil })
		}
	} else {
		err := c.stretches(ctx, scriptCounterMostCommon, []string{strconv.Itoa(n)},
			func() { best = map[string]string{} },
			func(arr []any) error {
				for f, v := range pairsOf(arr) {
					best[f] = v
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	type entry struct {
		f string
		n int64
	}
	es := make([]entry, 0, len(best))
	for f, v := range best {
		x, err := c.counts.decode(v)
		if err != nil {
			return nil, err
		}
		es = append(es, entry{f, x})
	}
	slices.SortFunc(es, func(a, b entry) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return bytes.Compare([]byte(a.f), []byte(b.f))
	})
	if n >= 0 && len(es) > n {
		es = es[:n]
	}
	out := make([]Pair[K, int64], len(es))
	for i, e := range es {
		k, err := c.keyc.decode(e.f)
		if err != nil {
			return nil, err
		}
		out[i] = Pair[K, int64]{k, e.n}
	}
	return out, nil
}

// pairsOf reads a flat field, value, ... array.
func pairsOf(arr []any) map[string]string {
	m := make(map[string]string, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		f, _, _ := asString(arr[i], nil)
		v, _, _ := asString(arr[i+1], nil)
		m[f] = v
	}
	return m
}

// Total returns the sum of all counts (Python's Counter.total), computed
// exactly on the server: only a few numbers cross the network. A sum
// beyond int64 is ErrOverflow. Like MostCommon, a counter of more than
// 4,000 elements is summed in steps, and the sum is still a snapshot
// (ErrTxConflict as MostCommon's).
func (c *Counter[K]) Total(ctx context.Context) (int64, error) {
	var sum *big.Int
	err := c.stretches(ctx, scriptCounterTotal, nil,
		func() { sum = new(big.Int) },
		func(arr []any) error {
			for _, x := range arr {
				s, _, _ := asString(x, nil)
				part, ok := new(big.Int).SetString(s, 10)
				if !ok {
					return wrapErr(c.kind, c.key, fmt.Errorf("%w: Total part %q", errReply, s))
				}
				sum.Add(sum, part)
			}
			return nil
		})
	if err != nil {
		return 0, err
	}
	if !sum.IsInt64() {
		return 0, fmt.Errorf("hotredis: counter %q: Total %s: %w", c.key, sum, ErrOverflow)
	}
	return sum.Int64(), nil
}

// stretches reads the whole counter with s, a script that examines one
// stretch of it from a cursor (see counter_most_common.lua), and hands
// each reply's data (without the cursor) to each, after reset. A counter
// of at most counterStretch fields is read in one step. A larger one is
// read a stretch at a time (sized by the steps' time, see stretcher)
// while it is WATCHed, and read again if it
// changed meanwhile, so the result is still a snapshot; when it keeps
// changing (rebuildAttempts times), it is read in one long step if it has
// at most counterLongStep fields, else ErrTxConflict. Inside
// an optimistic transaction the stretches are read directly: the
// transaction's commit checks that the counter did not change.
func (c *Counter[K]) stretches(ctx context.Context, s *lua.Script, lead []string, reset func(), each func([]any) error) error {
	run := func(ctx context.Context, cursor string, budget int) (string, error) {
		args := append(append([]string{}, lead...), cursor, strconv.Itoa(budget), chunkText)
		arr, err := asArray(c.script(ctx, s, c.keys[:1], args...))
		if err != nil {
			return "", c.countErr(ctx, err, nil, c.key)
		}
		if len(arr) == 0 {
			return "", wrapErr(c.kind, c.key, fmt.Errorf("%w: empty %s reply", errReply, s.Name))
		}
		next, _, _ := asString(arr[0], nil)
		if next == "more" {
			return next, nil
		}
		return next, each(arr[1:])
	}
	all := func(ctx context.Context) error {
		var sz stretcher
		for cursor := "0"; ; {
			start := time.Now()
			next, err := run(ctx, cursor, sz.stretchFor(counterStretch))
			sz.measured(time.Since(start))
			if err != nil || next == "0" || next == "" {
				return err
			}
			cursor = next
		}
	}
	reset()
	if c.queuing(ctx) {
		return all(ctx)
	}
	if next, err := run(ctx, "start", counterStretch); err != nil || next != "more" {
		return err
	}
	done, err := c.watchedRead(ctx, c.keys[:1], reset, all)
	if done || err != nil {
		return err
	}
	// It kept changing: one long step, if the counter is small enough
	// for one (counterLongStep), or ErrTxConflict.
	reset()
	if next, err := run(ctx, "start", counterLongStep); err != nil || next != "more" {
		return err
	}
	return wrapErr(c.kind, c.key, fmt.Errorf("%w: the counter of more than %d elements kept changing through %d attempts to read it", ErrTxConflict, counterLongStep, rebuildAttempts))
}

// counterLongStep is the most fields a counter that keeps changing
// through its stepped reads is examined in one script instead (~10-20 ms
// here: a Lua sum over HVALS of 32,000 fields took 9-11 ms); a larger one
// gets ErrTxConflict, as Map.Items does, rather than hold Redis for all of
// it.
const counterLongStep = 8 * counterStretch

// Items returns every element and its count, read as Map.Items is: one
// snapshot, in bounded steps when there are more than 8,192.
func (c *Counter[K]) Items(ctx context.Context) (map[K]int64, error) {
	return hashItems(ctx, &c.object, "Items", c.keyc, c.counts)
}

// Len returns the number of distinct elements, whatever their counts.
func (c *Counter[K]) Len(ctx context.Context) (int, error) {
	n, err := scalarInt(c.readScalar(ctx, cmd("HLEN", c.keys[:1])))
	return int(n), err
}

// Remove deletes the elements ks, whatever their counts (Python's del
// c[k]), and returns how many were present; more than 10,000 in bounded
// steps, as Map.Remove.
func (c *Counter[K]) Remove(ctx context.Context, ks ...K) (int, error) {
	return removeFields(ctx, &c.object, c.keyc, ks)
}

// Clear removes every element (the key is deleted, whatever it holds).
func (c *Counter[K]) Clear(ctx context.Context) error { return c.Delete(ctx) }

// Replace atomically replaces the whole counter with counts (zero and
// negative counts are stored too); more than 10,000 (or 4 MiB) in bounded
// steps, as Map.Replace.
func (c *Counter[K]) Replace(ctx context.Context, counts map[K]int64) error {
	args := make([]string, 0, 2*len(counts))
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		args = append(args, f, strconv.FormatInt(n, 10))
	}
	return c.bulkReplace(ctx, bulkHSET, args)
}
