package main

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// The set and counter rows work on these keys, each reset before a run
// from its copy saved at key+origSuffix; scratchA and scratchB are the
// native side's scratch sets.
const (
	setS, setT         = "{steps}:s", "{steps}:t"
	counterC, counterO = "{steps}:c", "{steps}:o"
	scratchA, scratchB = "{steps}:x", "{steps}:y"
	origSuffix         = ":orig"
)

// setData is what the set and counter rows start from, for size n.
type setData struct {
	members  []int         // s: 0 .. n-1
	values   []int         // t, and the values: n/2 .. 3n/2-1, half of them members
	counts   map[int]int64 // c: some counts are not positive
	others   map[int]int64 // o: the other counts, over values' range
	elements []int         // for UpdateElements: n/2 distinct
}

func newSetData(n int) setData {
	d := setData{make([]int, n), make([]int, n), make(map[int]int64, n), make(map[int]int64, n), make([]int, n)}
	for i := range n {
		d.members[i] = i
		d.values[i] = n/2 + i
		d.counts[i] = int64(i%1000 - 100)
		d.others[n/2+i] = int64(i*7%1000 - 100)
		d.elements[i] = i % max(n/2, 1)
	}
	return d
}

// small values and counts, against the big set and counter.
var (
	small       = []int{1, 2, 3, 5_000_000}
	smallCounts = map[int]int64{1: 5, 2: -5, 5_000_000: 3}
)

// setRows saves the sets and counters (unless the filter keeps no set or
// counter row) and runs the rows on them.
func (b *stepsBench) setRows(report *stallReport, cfg stepsConfig) error {
	d := newSetData(cfg.setSize)
	ops := cfg.filter(append(b.setOps(d, humanN(cfg.setSize)), b.counterOps(d, humanN(cfg.setSize))...))
	if len(ops) == 0 {
		return nil
	}
	if err := b.saveSetData(d); err != nil {
		return err
	}
	defer b.admin.Unlink(b.ctx, setS, setT, counterC, counterO, scratchA, scratchB,
		setS+origSuffix, setT+origSuffix, counterC+origSuffix, counterO+origSuffix)
	for _, op := range ops {
		if err := b.runRow(report, op); err != nil {
			return err
		}
	}
	return nil
}

// saveSetData writes the saved copies (each one MULTI of chunked SADDs or
// HSETs, by hotredis's Replace, which writes exactly hotredis's format).
func (b *stepsBench) saveSetData(d setData) error {
	w := hotredis.WithClient(b.hc)
	for key, vs := range map[string][]int{setS: d.members, setT: d.values} {
		if err := hotredis.NewSet[int](key+origSuffix, w).Replace(b.ctx, vs...); err != nil {
			return err
		}
	}
	for key, counts := range map[string]map[int]int64{counterC: d.counts, counterO: d.others} {
		if err := hotredis.NewCounter[int](key+origSuffix, w).Replace(b.ctx, counts); err != nil {
			return err
		}
	}
	return nil
}

// reset returns the prepare that restores keys from their saved copies.
func (b *stepsBench) reset(keys ...string) func(context.Context) error {
	var pairs [][2]string
	for _, k := range keys {
		pairs = append(pairs, [2]string{k, k + origSuffix})
	}
	return b.copyKeys(pairs...)
}

// setOps are the Set rows: the algebra with values, with another Set,
// and with a few values against a big set.
func (b *stepsBench) setOps(d setData, size string) []stepOp {
	s := hotredis.NewSet[int](setS, hotredis.WithClient(b.hc))
	t := hotredis.NewSet[int](setT, hotredis.WithClient(b.hc))
	one, both := b.reset(setS), b.reset(setS, setT)
	n, four := size+"+"+size, size+"+4" // the set's size, and the values' or the other set's
	return []stepOp{
		{"Set.UnionUpdateValues", n, one,
			func(ctx context.Context) error { return s.UnionUpdateValues(ctx, d.values...) },
			"MULTI: SADD×k", b.rawChunked("SADD", d.values)},
		{"Set.IntersectionUpdateValues", n, one,
			func(ctx context.Context) error { return s.IntersectionUpdateValues(ctx, d.values...) },
			"MULTI: SADD×k, SINTERSTORE", b.rawValues(d.values, intersection)},
		{"Set.DifferenceUpdateValues", n, one,
			func(ctx context.Context) error { return s.DifferenceUpdateValues(ctx, d.values...) },
			"MULTI: SREM×k", b.rawChunked("SREM", d.values)},
		{"Set.SymmetricDifferenceUpdateValues", n, one,
			func(ctx context.Context) error { return s.SymmetricDifferenceUpdateValues(ctx, d.values...) },
			"MULTI: SADD×k, SDIFFSTORE×2, SUNIONSTORE", b.rawValues(d.values, symmetricDifference)},
		{"Set.UnionUpdate (other Set)", n, both,
			func(ctx context.Context) error { return s.UnionUpdate(ctx, t) },
			"SUNIONSTORE s s t", func(ctx context.Context) error { return b.raw.SUnionStore(ctx, setS, setS, setT).Err() }},
		{"Set.IntersectionUpdate (other Set)", n, both,
			func(ctx context.Context) error { return s.IntersectionUpdate(ctx, t) },
			"SINTERSTORE s s t", func(ctx context.Context) error { return b.raw.SInterStore(ctx, setS, setS, setT).Err() }},
		{"Set.DifferenceUpdate (other Set)", n, both,
			func(ctx context.Context) error { return s.DifferenceUpdate(ctx, t) },
			"SDIFFSTORE s s t", func(ctx context.Context) error { return b.raw.SDiffStore(ctx, setS, setS, setT).Err() }},
		{"Set.SymmetricDifferenceUpdate (other Set)", n, both,
			func(ctx context.Context) error { return s.SymmetricDifferenceUpdate(ctx, t) },
			"MULTI: SDIFFSTORE×2, SUNIONSTORE", b.rawTx(func(ctx context.Context, p redis.Pipeliner) {
				symmetricDifference(ctx, p, setT)
			})},
		{"Set.Add (half new)", n, one,
			func(ctx context.Context) error { _, err := s.Add(ctx, d.values...); return err },
			"MULTI: SADD×k", b.rawChunked("SADD", d.values)},
		{"Set.Replace", size, one,
			func(ctx context.Context) error { return s.Replace(ctx, d.values...) },
			"MULTI: UNLINK, SADD×k", b.rawTx(func(ctx context.Context, p redis.Pipeliner) {
				p.Unlink(ctx, setS)
				chunks(d.values, func(args []any) { p.SAdd(ctx, setS, args...) })
			})},
		{"Set.Union (other Set)", n, both,
			func(ctx context.Context) error { _, err := s.Union(ctx, t); return err },
			"SUNION s t", func(ctx context.Context) error { return b.raw.SUnion(ctx, setS, setT).Err() }},
		{"Set.Intersection (other Set)", n, both,
			func(ctx context.Context) error { _, err := s.Intersection(ctx, t); return err },
			"SINTER s t", func(ctx context.Context) error { return b.raw.SInter(ctx, setS, setT).Err() }},
		// A false answer stops at the first member missing from t; a true
		// one (s <= s) reads every member.
		{"Set.IsSubset (other Set: false)", n, both,
			func(ctx context.Context) error { _, err := s.IsSubset(ctx, t); return err },
			"SINTERCARD 2 s t", func(ctx context.Context) error { return b.raw.SInterCard(ctx, 0, setS, setT).Err() }},
		{"Set.IsSubset (itself: true)", n, one,
			func(ctx context.Context) error { _, err := s.IsSubset(ctx, s); return err },
			"SINTERCARD 2 s s", func(ctx context.Context) error { return b.raw.SInterCard(ctx, 0, setS, setS).Err() }},
		{"Set.UnionValues", four, one,
			func(ctx context.Context) error { _, err := s.UnionValues(ctx, small...); return err },
			"SMEMBERS", func(ctx context.Context) error { return b.raw.SMembers(ctx, setS).Err() }},
		{"Set.IsSupersetValues", n, one,
			func(ctx context.Context) error { _, err := s.IsSupersetValues(ctx, d.values...); return err },
			"SMISMEMBER s v×n", func(ctx context.Context) error { return b.raw.SMIsMember(ctx, setS, anys(d.values)...).Err() }},
		{"Set.Members", size, one,
			func(ctx context.Context) error { _, err := s.Members(ctx); return err },
			"SMEMBERS", func(ctx context.Context) error { return b.raw.SMembers(ctx, setS).Err() }},
		// The fastest native ways whose every step stays short: SSCAN
		// stretches, and what the client does with each (not atomic).
		{"Set.Members (bounded)", size, one,
			func(ctx context.Context) error { _, err := s.Members(ctx); return err },
			"SSCAN COUNT 1000 to the end", b.rawScan(setS, nil)},
		{"Set.Intersection (bounded)", n, both,
			func(ctx context.Context) error { _, err := s.Intersection(ctx, t); return err },
			"SSCAN s; SMISMEMBER t each stretch", b.rawScan(setS, func(ctx context.Context, ms []string) error {
				return b.raw.SMIsMember(ctx, setT, anyStrings(ms)...).Err()
			})},
		{"Set.UnionUpdate (bounded)", n, both,
			func(ctx context.Context) error { return s.UnionUpdate(ctx, t) },
			"SSCAN t; SADD s each stretch", b.rawScan(setT, func(ctx context.Context, ms []string) error {
				return b.raw.SAdd(ctx, setS, anyStrings(ms)...).Err()
			})},
		{"Set.IntersectionUpdateValues", four, one,
			func(ctx context.Context) error { return s.IntersectionUpdateValues(ctx, small...) },
			"MULTI: SADD, SINTERSTORE", b.rawValues(small, intersection)},
		{"Set.SymmetricDifferenceUpdateValues", four, one,
			func(ctx context.Context) error { return s.SymmetricDifferenceUpdateValues(ctx, small...) },
			"MULTI: SADD, SDIFFSTORE×2, SUNIONSTORE", b.rawValues(small, symmetricDifference)},
	}
}

// rawScan reads key with SSCAN COUNT 1000 to the end, handing each
// stretch of members to each (nil: nothing more).
func (b *stepsBench) rawScan(key string, each func(context.Context, []string) error) func(context.Context) error {
	return func(ctx context.Context) error {
		var cursor uint64
		for {
			ms, next, err := b.raw.SScan(ctx, key, cursor, "", 1000).Result()
			if err != nil {
				return err
			}
			if each != nil && len(ms) > 0 {
				if err := each(ctx, ms); err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// rawTx runs the commands queued by queue in one transaction.
func (b *stepsBench) rawTx(queue func(context.Context, redis.Pipeliner)) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := b.raw.TxPipelined(ctx, func(p redis.Pipeliner) error {
			queue(ctx, p)
			return nil
		})
		return err
	}
}

// setAlgebra queues setS op= other, natively.
type setAlgebra func(ctx context.Context, p redis.Pipeliner, other string)

// rawValues runs, in one transaction, SADDs of vs into the scratch set
// scratchA, then algebra of setS with it, then UNLINKs the scratch set.
func (b *stepsBench) rawValues(vs []int, algebra setAlgebra) func(context.Context) error {
	return b.rawTx(func(ctx context.Context, p redis.Pipeliner) {
		chunks(vs, func(args []any) { p.SAdd(ctx, scratchA, args...) })
		algebra(ctx, p, scratchA)
		p.Unlink(ctx, scratchA)
	})
}

// rawChunked runs, in one transaction, command (SADD or SREM) of vs on
// setS: the whole job of a union or a difference with values.
func (b *stepsBench) rawChunked(command string, vs []int) func(context.Context) error {
	return b.rawTx(func(ctx context.Context, p redis.Pipeliner) {
		chunks(vs, func(args []any) { p.Do(ctx, append([]any{command, setS}, args...)...) })
	})
}

func intersection(ctx context.Context, p redis.Pipeliner, other string) {
	p.SInterStore(ctx, setS, setS, other)
}

// symmetricDifference is (s - other) | (other - s), through scratchB.
func symmetricDifference(ctx context.Context, p redis.Pipeliner, other string) {
	p.SDiffStore(ctx, scratchB, other, setS)
	p.SDiffStore(ctx, setS, setS, other)
	p.SUnionStore(ctx, setS, setS, scratchB)
	p.Unlink(ctx, scratchB)
}

// rawHSet sets counts in counterC in one transaction, after deleting it
// when replace is set.
func (b *stepsBench) rawHSet(counts map[int]int64, replace bool) func(context.Context) error {
	pairs := make([]int, 0, 2*len(counts))
	for k, v := range counts {
		pairs = append(pairs, k, int(v))
	}
	return b.rawTx(func(ctx context.Context, p redis.Pipeliner) {
		if replace {
			p.Unlink(ctx, counterC)
		}
		chunks(pairs, func(args []any) { p.HSet(ctx, counterC, args...) })
	})
}

// counterOps are the Counter rows, which Redis has no native counterpart
// for, and the Map rows on the same hash.
func (b *stepsBench) counterOps(d setData, size string) []stepOp {
	c := hotredis.NewCounter[int](counterC, hotredis.WithClient(b.hc))
	o := hotredis.NewCounter[int](counterO, hotredis.WithClient(b.hc))
	m := hotredis.NewMap[int, int64](counterC, hotredis.WithClient(b.hc)) // the same hash
	one, both := b.reset(counterC), b.reset(counterC, counterO)
	n, three := size+"+"+size, size+"+3" // the counter's size, and the counts' or the other counter's
	op := func(name, size string, prepare func(context.Context) error, run func(context.Context) error) stepOp {
		return stepOp{name: name, size: size, prepare: prepare, hot: run}
	}
	return []stepOp{
		op("Counter.Update", n, one, func(ctx context.Context) error { return c.Update(ctx, d.others) }),
		op("Counter.Subtract", n, one, func(ctx context.Context) error { return c.Subtract(ctx, d.others) }),
		op("Counter.UpdateElements (half distinct)", n, one,
			func(ctx context.Context) error { return c.UpdateElements(ctx, d.elements...) }),
		op("Counter.IntersectionUpdateCounts", n, one, func(ctx context.Context) error { return c.IntersectionUpdateCounts(ctx, d.others) }),
		op("Counter.UnionUpdateCounts", n, one, func(ctx context.Context) error { return c.UnionUpdateCounts(ctx, d.others) }),
		op("Counter.IntersectionUpdate (other Counter)", n, both, func(ctx context.Context) error { return c.IntersectionUpdate(ctx, o) }),
		op("Counter.UnionUpdate (other Counter)", n, both, func(ctx context.Context) error { return c.UnionUpdate(ctx, o) }),
		op("Counter.Update", three, one, func(ctx context.Context) error { return c.Update(ctx, smallCounts) }),
		op("Counter.UnionUpdateCounts", three, one, func(ctx context.Context) error { return c.UnionUpdateCounts(ctx, smallCounts) }),
		op("Counter.IntersectionUpdateCounts", three, one, func(ctx context.Context) error { return c.IntersectionUpdateCounts(ctx, smallCounts) }),
		{"Map.SetMany (half new)", n, one,
			func(ctx context.Context) error { return m.SetMany(ctx, d.others) },
			"MULTI: HSET×k", b.rawHSet(d.others, false)},
		{"Map.Replace", size, one,
			func(ctx context.Context) error { return m.Replace(ctx, d.others) },
			"MULTI: UNLINK, HSET×k", b.rawHSet(d.others, true)},
		{"Map.Items", size, one,
			func(ctx context.Context) error { _, err := m.Items(ctx); return err },
			"HGETALL", func(ctx context.Context) error { return b.raw.HGetAll(ctx, counterC).Err() }},
		op("Counter.MostCommon(10)", size, one, func(ctx context.Context) error { _, err := c.MostCommon(ctx, 10); return err }),
		op("Counter.Total", size, one, func(ctx context.Context) error { _, err := c.Total(ctx); return err }),
	}
}

// anys is vs as the arguments of a go-redis command.
func anys(vs []int) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
