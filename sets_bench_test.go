package hotredis_test

import (
	"strconv"
	"testing"

	"github.com/hotredis/hotredis"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// Set, Map and Counter operations beside the raw command each sends, on
// the same server in the same run, so the ratio is the library's
// overhead:
//
//	go test -run '^$' -bench 'Set|Map|Counter|Raw(SADD|SISMEMBER|HSET|HGET|HINCRBY)' -benchmem .
//
// "parallel" variants run 64 goroutines (b.SetParallelism(32) on 2 CPUs).

// setsBench runs op once per iteration (i counts up), serially and from
// 64 goroutines, as two sub-benchmarks.
func setsBench(b *testing.B, op func(i int) error) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := op(i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(32)
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if err := op(i); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}

func BenchmarkSetAdd(b *testing.B) {
	s := hotredis.NewSet[string]("bench:set-add")
	defer s.Delete(ctx)
	setsBench(b, func(i int) error { _, err := s.Add(ctx, strconv.Itoa(i%1000)); return err })
}

func BenchmarkRawSADD(b *testing.B) {
	c := rawRueidis(b)
	defer c.Do(ctx, c.B().Del().Key("bench:raw-sadd").Build())
	setsBench(b, func(i int) error {
		return c.Do(ctx, c.B().Sadd().Key("bench:raw-sadd").Member(strconv.Itoa(i%1000)).Build()).Error()
	})
}

func BenchmarkSetContains(b *testing.B) {
	s := hotredis.NewSet[string]("bench:set-contains")
	_ = s.Replace(ctx, "a", "b")
	defer s.Delete(ctx)
	setsBench(b, func(int) error { _, err := s.Contains(ctx, "a"); return err })
}

func BenchmarkRawSISMEMBER(b *testing.B) {
	c := rawRueidis(b)
	s := hotredis.NewSet[string]("bench:raw-sismember")
	_ = s.Replace(ctx, "a", "b")
	defer s.Delete(ctx)
	setsBench(b, func(int) error {
		return c.Do(ctx, c.B().Sismember().Key("bench:raw-sismember").Member("a").Build()).Error()
	})
}

func BenchmarkMapSet(b *testing.B) {
	m := hotredis.NewMap[string, int]("bench:map-set")
	defer m.Delete(ctx)
	setsBench(b, func(i int) error { return m.Set(ctx, strconv.Itoa(i%1000), i) })
}

func BenchmarkRawHSET(b *testing.B) {
	c := rawRueidis(b)
	defer c.Do(ctx, c.B().Del().Key("bench:raw-hset").Build())
	setsBench(b, func(i int) error {
		return c.Do(ctx, c.B().Hset().Key("bench:raw-hset").FieldValue().FieldValue(strconv.Itoa(i%1000), strconv.Itoa(i)).Build()).Error()
	})
}

func BenchmarkMapGet(b *testing.B) {
	m := hotredis.NewMap[string, int]("bench:map-get")
	_ = m.Set(ctx, "k", 42)
	defer m.Delete(ctx)
	setsBench(b, func(int) error { _, _, err := m.Get(ctx, "k"); return err })
}

func BenchmarkRawHGET(b *testing.B) {
	c := rawRueidis(b)
	m := hotredis.NewMap[string, int]("bench:raw-hget")
	_ = m.Set(ctx, "k", 42)
	defer m.Delete(ctx)
	setsBench(b, func(int) error {
		_, err := c.Do(ctx, c.B().Hget().Key("bench:raw-hget").Field("k").Build()).AsInt64()
		return err
	})
}

func BenchmarkMapSetDefault(b *testing.B) {
	m := hotredis.NewMap[string, int]("bench:map-setdefault")
	defer m.Delete(ctx)
	setsBench(b, func(i int) error { _, err := m.SetDefault(ctx, strconv.Itoa(i%1000), i); return err })
}

func BenchmarkCounterAdd(b *testing.B) {
	c := hotredis.NewCounter[string]("bench:counter-add")
	defer c.Delete(ctx)
	setsBench(b, func(i int) error { _, err := c.Add(ctx, strconv.Itoa(i%1000), 1); return err })
}

func BenchmarkRawHINCRBY(b *testing.B) {
	c := rawRueidis(b)
	defer c.Do(ctx, c.B().Del().Key("bench:raw-hincrby").Build())
	setsBench(b, func(i int) error {
		return c.Do(ctx, c.B().Hincrby().Key("bench:raw-hincrby").Field(strconv.Itoa(i%1000)).Increment(1).Build()).Error()
	})
}

func BenchmarkCounterUpdateElements(b *testing.B) {
	c := hotredis.NewCounter[string]("bench:counter-update")
	defer c.Delete(ctx)
	setsBench(b, func(i int) error { return c.UpdateElements(ctx, "a", "b", strconv.Itoa(i%100)) })
}

// BenchmarkCounterMostCommon measures MostCommon(10) on a counter of
// 100,000 elements (one atomic stretch): server time, with 10 pairs
// crossing the network.
func BenchmarkCounterMostCommon(b *testing.B) {
	c := hotredis.NewCounter[int]("bench:counter-mostcommon")
	counts := make(map[int]int64, 100_000)
	for i := range 100_000 {
		counts[i] = int64(i*7919) % 100_003
	}
	if err := c.Replace(ctx, counts); err != nil {
		b.Fatal(err)
	}
	defer c.Delete(ctx)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.MostCommon(ctx, 10); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetMembers reads a whole set of each size, beside the raw
// SMEMBERS of the same set from go-redis and from rueidis. A first SSCAN
// step reads a set of up to about 4,000 members whole; a bigger one of up
// to 16,384 is then sized and read by one SMEMBERS; a bigger one still in
// SSCAN steps under WATCH (whole.go).
func BenchmarkSetMembers(b *testing.B) {
	wholeReads(b, "bench:members:", []int{100, 1_000, 5_000, 16_000, 50_000},
		func(k string, n int) (func() error, error) {
			s := hotredis.NewSet[string](k)
			return func() error { _, err := s.Members(ctx); return err }, s.Replace(ctx, numbered("member-", n)...)
		},
		func(rdb *redis.Client, k string) error { return rdb.SMembers(ctx, k).Err() },
		func(c rueidis.Client, k string) error {
			_, err := c.Do(ctx, c.B().Smembers().Key(k).Build()).AsStrSlice()
			return err
		})
}

// BenchmarkMapItems is BenchmarkSetMembers for Map.Items and HGETALL: one
// HSCAN step up to about 4,000 fields, one HGETALL up to 8,192, else HSCAN
// steps under WATCH.
func BenchmarkMapItems(b *testing.B) {
	wholeReads(b, "bench:items:", []int{100, 1_000, 5_000, 50_000},
		func(k string, n int) (func() error, error) {
			m, err := benchMap(k, n)
			return func() error { _, err := m.Items(ctx); return err }, err
		},
		func(rdb *redis.Client, k string) error { return rdb.HGetAll(ctx, k).Err() },
		func(c rueidis.Client, k string) error {
			_, err := c.Do(ctx, c.B().Hgetall().Key(k).Build()).AsStrMap()
			return err
		})
}

// BenchmarkMapKeys is BenchmarkMapItems for Map.Keys and HKEYS: one HSCAN
// step up to about 4,000 fields, HKEYS (after HLEN) up to 8,192, else
// HSCAN steps under WATCH.
func BenchmarkMapKeys(b *testing.B) {
	wholeReads(b, "bench:keys:", []int{100, 1_000, 5_000},
		func(k string, n int) (func() error, error) {
			m, err := benchMap(k, n)
			return func() error { _, err := m.Keys(ctx); return err }, err
		},
		func(rdb *redis.Client, k string) error { return rdb.HKeys(ctx, k).Err() },
		func(c rueidis.Client, k string) error {
			_, err := c.Do(ctx, c.B().Hkeys().Key(k).Build()).AsStrSlice()
			return err
		})
}

// benchMap stores a map of n fields at k, field-i: value-i.
func benchMap(k string, n int) (*hotredis.Map[string, string], error) {
	m := hotredis.NewMap[string, string](k)
	entries := make(map[string]string, n)
	for i, f := range numbered("field-", n) {
		entries[f] = "value-" + strconv.Itoa(i)
	}
	return m, m.Replace(ctx, entries)
}

// wholeReads runs threeSides (sub-benchmarks size/hotredis, size/go-redis,
// size/rueidis) for each size, on a value at prefix+size that fill stores
// and whose hotredis read it returns; the value is deleted afterwards.
func wholeReads(b *testing.B, prefix string, sizes []int, fill func(k string, n int) (func() error, error),
	goRedis func(rdb *redis.Client, k string) error, raw func(c rueidis.Client, k string) error) {
	for _, n := range sizes {
		k := prefix + strconv.Itoa(n)
		ours, err := fill(k, n)
		if err != nil {
			b.Fatal(err)
		}
		threeSides(b, strconv.Itoa(n), ours,
			func(rdb *redis.Client) error { return goRedis(rdb, k) },
			func(c rueidis.Client) error { return raw(c, k) })
		rawGoRedis(b).Del(ctx, k)
	}
}

// numbered returns n strings: prefix followed by 0, 1, ...
func numbered(prefix string, n int) []string {
	ss := make([]string, n)
	for i := range ss {
		ss[i] = prefix + strconv.Itoa(i)
	}
	return ss
}

// threeSides runs serial sub-benchmarks name/hotredis, name/go-redis and
// name/rueidis: ours, and the raw clients' way of doing the same.
func threeSides(b *testing.B, name string, ours func() error, goRedis func(*redis.Client) error, raw func(rueidis.Client) error) {
	b.Run(name+"/hotredis", func(b *testing.B) { bench(b, false, ours) })
	b.Run(name+"/go-redis", func(b *testing.B) {
		rdb := rawGoRedis(b)
		bench(b, false, func() error { return goRedis(rdb) })
	})
	b.Run(name+"/rueidis", func(b *testing.B) {
		c := rawRueidis(b)
		bench(b, false, func() error { return raw(c) })
	})
}
