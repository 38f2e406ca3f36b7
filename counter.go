package hotredis

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"iter"
	"math"
	"math/big"
	"slices"
	"strconv"
)

var (
	scriptCounterUpdate     = loadScript("counter_update")
	scriptCounterCombine    = loadScript("counter_combine")
	scriptCounterMostCommon = loadScript("counter_most_common")
	scriptCounterTotal      = loadScript("counter_total")
)

// counterStretch is how many fields one call of the MostCommon and Total
// scripts examines. A counter up to this size is read in one atomic step
// (about 0.1 s of server time); a larger one in several steps, so that
// Redis never stalls for seconds, at the price of not being a snapshot.
const counterStretch = 100_000

// Counter counts elements of type K, stored as a Redis hash at its key
// (field: the element as text, value: its count in decimal): HOT Redis's
// MultiSet, Python's collections.Counter. Counts are exact int64s; as in
// HOT Redis, zero and negative counts are kept, and a missing element
// counts 0. Every method that changes the counter is one atomic step on
// the server, so any number of goroutines and processes can share one.
//
// Methods that change the counter called with a Transaction's context are
// queued and return zero values; methods that only read fail there with
// ErrInTransaction.
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
	s, ok, err := asString(c.read(ctx, cmd("HGET", c.keys[:1], f)))
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
// mapping), in one atomic step: if any count would overflow or a stored
// count is not an integer, nothing changes and the error is returned.
func (c *Counter[K]) Update(ctx context.Context, counts map[K]int64) error {
	return c.update(ctx, counts, 1)
}

// UpdateElements counts each of elems once more (Python's Counter.update
// with an iterable), in one atomic step like Update.
func (c *Counter[K]) UpdateElements(ctx context.Context, elems ...K) error {
	return c.update(ctx, tally(elems), 1)
}

// Subtract subtracts counts from the counter (Python's Counter.subtract:
// counts may go to zero or below and are kept), in one atomic step like
// Update.
func (c *Counter[K]) Subtract(ctx context.Context, counts map[K]int64) error {
	return c.update(ctx, counts, -1)
}

// SubtractElements counts each of elems once less, in one atomic step
// like Update.
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
	args = append(args, strconv.Itoa(chunkSize))
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		if sign < 0 {
			if n == math.MinInt64 {
				return fmt.Errorf("hotredis: counter %q: Subtract: %w: cannot negate %d", c.key, ErrOverflow, n)
			}
			n = -n
		}
		args = append(args, f, strconv.FormatInt(n, 10))
	}
	_, err := c.eval(ctx, scriptCounterUpdate, true, c.keys[:1], args...)
	return err
}

// IntersectionUpdate keeps, for each element, the smaller of its count here
// and in other, then drops every element whose count is not positive
// (Python's Counter &=), in one atomic step on the server. Both counters
// must be in one Cluster slot.
func (c *Counter[K]) IntersectionUpdate(ctx context.Context, other *Counter[K]) error {
	_, err := c.eval(ctx, scriptCounterCombine, true, []string{c.key, other.key}, "and", strconv.Itoa(chunkSize))
	return err
}

// UnionUpdate keeps, for each element, the larger of its count here and in
// other, then drops every element whose count is not positive (Python's
// Counter |=), in one atomic step on the server. Both counters must be in
// one Cluster slot.
func (c *Counter[K]) UnionUpdate(ctx context.Context, other *Counter[K]) error {
	_, err := c.eval(ctx, scriptCounterCombine, true, []string{c.key, other.key}, "or", strconv.Itoa(chunkSize))
	return err
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
	args := make([]string, 0, 2+2*len(counts))
	args = append(args, op, strconv.Itoa(chunkSize))
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		args = append(args, f, strconv.FormatInt(n, 10))
	}
	_, err := c.eval(ctx, scriptCounterCombine, true, c.keys[:1], args...)
	return err
}

// Elements returns an iterator over the elements, each repeated as many
// times as its count; elements with a count below one are skipped
// (Python's Counter.elements). The hash is read with HSCAN a chunk at a
// time, with All's consistency.
func (c *Counter[K]) Elements(ctx context.Context) iter.Seq2[K, error] {
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
// across calls. A counter of more than 100,000 elements is examined in
// several steps (so Redis never stalls for long) and is then not a
// snapshot if it changes meanwhile.
func (c *Counter[K]) MostCommon(ctx context.Context, n int) ([]Pair[K, int64], error) {
	if n == 0 {
		return []Pair[K, int64]{}, c.err
	}
	var best map[string]string
	if n < 0 {
		arr, err := asArray(c.read(ctx, cmd("HGETALL", c.keys[:1])))
		if err != nil {
			return nil, err
		}
		best = pairsOf(arr)
	} else {
		best = map[string]string{}
		cursor := "0"
		for {
			arr, err := asArray(c.eval(ctx, scriptCounterMostCommon, false, c.keys[:1],
				strconv.Itoa(n), cursor, strconv.Itoa(counterStretch), strconv.Itoa(chunkSize)))
			if err != nil {
				return nil, err
			}
			if len(arr) == 0 {
				return nil, wrapErr(c.kind, c.key, fmt.Errorf("%w: empty MostCommon reply", errReply))
			}
			cursor, _, _ = asString(arr[0], nil)
			for f, v := range pairsOf(arr[1:]) {
				best[f] = v
			}
			if cursor == "0" || cursor == "" {
				break
			}
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
// 100,000 elements is summed in several steps.
func (c *Counter[K]) Total(ctx context.Context) (int64, error) {
	sum := new(big.Int)
	cursor := "0"
	for {
		arr, err := asArray(c.eval(ctx, scriptCounterTotal, false, c.keys[:1],
			cursor, strconv.Itoa(counterStretch), strconv.Itoa(chunkSize)))
		if err != nil {
			return 0, err
		}
		if len(arr) == 0 {
			return 0, wrapErr(c.kind, c.key, fmt.Errorf("%w: empty Total reply", errReply))
		}
		cursor, _, _ = asString(arr[0], nil)
		for _, x := range arr[1:] {
			s, _, _ := asString(x, nil)
			part, ok := new(big.Int).SetString(s, 10)
			if !ok {
				return 0, wrapErr(c.kind, c.key, fmt.Errorf("%w: Total part %q", errReply, s))
			}
			sum.Add(sum, part)
		}
		if cursor == "0" || cursor == "" {
			break
		}
	}
	if !sum.IsInt64() {
		return 0, fmt.Errorf("hotredis: counter %q: Total %s: %w", c.key, sum, ErrOverflow)
	}
	return sum.Int64(), nil
}

// Items returns every element and its count, read in one reply (HGETALL).
// Use All for a very large counter.
func (c *Counter[K]) Items(ctx context.Context) (map[K]int64, error) {
	arr, err := asArray(c.read(ctx, cmd("HGETALL", c.keys[:1])))
	if err != nil {
		return nil, err
	}
	out := make(map[K]int64, len(arr)/2)
	for i := 0; i+1 < len(arr); i += 2 {
		p, err := decodePair(c.keyc, c.counts, arr[i], arr[i+1])
		if err != nil {
			return nil, err
		}
		out[p.Key] = p.Value
	}
	return out, nil
}

// Len returns the number of distinct elements, whatever their counts.
func (c *Counter[K]) Len(ctx context.Context) (int, error) {
	n, err := asInt(c.read(ctx, cmd("HLEN", c.keys[:1])))
	return int(n), err
}

// Remove deletes the elements ks, whatever their counts (Python's del
// c[k]), and returns how many were present.
func (c *Counter[K]) Remove(ctx context.Context, ks ...K) (int, error) {
	return removeFields(ctx, &c.object, c.keyc, ks)
}

// Clear removes every element (the key is deleted).
func (c *Counter[K]) Clear(ctx context.Context) error { return c.Delete(ctx) }

// Replace atomically replaces the whole counter with counts (zero and
// negative counts are stored too).
func (c *Counter[K]) Replace(ctx context.Context, counts map[K]int64) error {
	args := make([]string, 0, 2*len(counts))
	for k, n := range counts {
		f, err := c.keyc.encode(k)
		if err != nil {
			return err
		}
		args = append(args, f, strconv.FormatInt(n, 10))
	}
	cmds := append([]cmdList{cmd("DEL", c.keys[:1])}, chunkCmds("HSET", c.keys[:1], args)...)
	_, err := c.atomic(ctx, cmds...)
	return err
}
