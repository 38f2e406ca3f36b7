package hotredis_test

// Whole reads that size their value first (size_of, from a review): a
// value deleted or replaced by another type between reads, and the script
// cache flushed between them, on both backends.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// wholeReadClients returns the default client and a go-redis-wrapped one on
// the suite's topology.
func wholeReadClients(t *testing.T) map[string]*hotredis.Client {
	rdb := rawClient()
	g := hotredis.WrapGoRedis(rdb)
	t.Cleanup(func() { g.Close(); rdb.Close() })
	return map[string]*hotredis.Client{"rueidis": client, "go-redis": g}
}

// wholeReadHandles makes a set, a map, a counter and a list on c, named
// for t (and more, when given) and deleted when t ends.
func wholeReadHandles(t *testing.T, c *hotredis.Client, more ...string) (*hotredis.Set[int], *hotredis.Map[int, int], *hotredis.Counter[int], *hotredis.List[int]) {
	on := hotredis.WithClient(c)
	name := func(kind string) string { return key(t, append([]string{kind}, more...)...) }
	s := hotredis.NewSet[int](name("set"), on)
	m := hotredis.NewMap[int, int](name("map"), on)
	cn := hotredis.NewCounter[int](name("counter"), on)
	l := hotredis.NewList[int](name("list"), on)
	t.Cleanup(func() { s.Delete(ctx); m.Delete(ctx); cn.Delete(ctx); l.Delete(ctx) })
	return s, m, cn, l
}

// checkWholeReads reads every whole read of s, m, c, l three times and
// compares with the models.
func checkWholeReads(t *testing.T, what string, s *hotredis.Set[int], m *hotredis.Map[int, int], c *hotredis.Counter[int], l *hotredis.List[int],
	members []int, entries map[int]int, counts map[int]int64, items []int) {
	t.Helper()
	for i := range 3 {
		if s != nil {
			got, err := s.Members(ctx)
			if err != nil || !slices.Equal(sorted(got), sorted(slices.Clone(members))) {
				t.Fatalf("%s read %d: Members: %d members, err %v; want %d", what, i, len(got), err, len(members))
			}
		}
		if m != nil {
			got, err := m.Items(ctx)
			if err != nil || !maps.Equal(got, entries) {
				t.Fatalf("%s read %d: Items: %d entries, err %v; want %d", what, i, len(got), err, len(entries))
			}
			keys, err := m.Keys(ctx)
			if err != nil || !slices.Equal(sorted(keys), sorted(slices.Collect(maps.Keys(entries)))) {
				t.Fatalf("%s read %d: Keys: %d, err %v; want %d", what, i, len(keys), err, len(entries))
			}
			vals, err := m.Values(ctx)
			if err != nil || !slices.Equal(sorted(vals), sorted(slices.Collect(maps.Values(entries)))) {
				t.Fatalf("%s read %d: Values: %d, err %v; want %d", what, i, len(vals), err, len(entries))
			}
		}
		if c != nil {
			got, err := c.Items(ctx)
			if err != nil || !maps.Equal(got, counts) {
				t.Fatalf("%s read %d: Counter.Items: %d entries, err %v; want %d", what, i, len(got), err, len(counts))
			}
		}
		if l != nil {
			got, err := l.Values(ctx)
			if err != nil || !slices.Equal(got, items) {
				t.Fatalf("%s read %d: List.Values: %d items, err %v; want %d", what, i, len(got), err, len(items))
			}
			if len(items) > 10 {
				sl, err := l.Slice(ctx, 3, len(items)-2)
				if err != nil || !slices.Equal(sl, items[3:len(items)-2]) {
					t.Fatalf("%s read %d: List.Slice: %d items, err %v", what, i, len(sl), err)
				}
			}
		}
	}
}

// TestWholeReadsAroundTheSizingThresholds (from a review of size_of):
// values at and around the sizes from which whole reads size first, empty
// ones, and ones read in steps, read again and again, then shrunk, on both
// backends, equal the model every time.
func TestWholeReadsAroundTheSizingThresholds(t *testing.T) {
	for name, c := range wholeReadClients(t) {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{0, 1, 255, 256, 257, 513, 1_023, 1_024, 1_025, 2_049, 9_000, 17_000} {
				s, m, cn, l := wholeReadHandles(t, c, strconv.Itoa(n))
				members := ints(0, n, 1)
				entries := make(map[int]int, n)
				counts := make(map[int]int64, n)
				for i := range n {
					entries[i] = i * 7
					counts[i] = int64(i%5 + 1)
				}
				if n > 0 {
					noErr(t, s.Replace(ctx, members...))
					noErr(t, m.Replace(ctx, entries))
					noErr(t, cn.Replace(ctx, counts))
					noErr(t, l.Replace(ctx, members...))
				}
				checkWholeReads(t, fmt.Sprint(n), s, m, cn, l, members, entries, counts, members)
				// Shrink to below half the threshold and grow again: the
				// handles go back and forth between sizing and not.
				small := min(n, 100)
				smallEntries := map[int]int{}
				smallCounts := map[int]int64{}
				for i := range small {
					smallEntries[i] = entries[i]
					smallCounts[i] = counts[i]
				}
				if small > 0 {
					noErr(t, s.Replace(ctx, members[:small]...))
					noErr(t, m.Replace(ctx, smallEntries))
					noErr(t, cn.Replace(ctx, smallCounts))
					noErr(t, l.Replace(ctx, members[:small]...))
				} else {
					s.Delete(ctx)
					m.Delete(ctx)
					cn.Delete(ctx)
					l.Delete(ctx)
				}
				checkWholeReads(t, fmt.Sprint(n, " shrunk"), s, m, cn, l, members[:small], smallEntries, smallCounts, members[:small])
			}
		})
	}
}

// TestWholeReadsOfAValueDeletedOrRetyped: a big value read once (so
// that the next read sizes it first), then deleted: the reads find it
// empty; then a string at the key: ErrWrongType, the string untouched.
func TestWholeReadsOfAValueDeletedOrRetyped(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for name, c := range wholeReadClients(t) {
		t.Run(name, func(t *testing.T) {
			s, m, cn, l := wholeReadHandles(t, c)
			members := ints(0, 3_000, 1)
			entries := map[int]int{}
			counts := map[int]int64{}
			for i := range 3_000 {
				entries[i] = -i
				counts[i] = int64(i + 1)
			}
			noErr(t, s.Replace(ctx, members...))
			noErr(t, m.Replace(ctx, entries))
			noErr(t, cn.Replace(ctx, counts))
			noErr(t, l.Replace(ctx, members...))
			checkWholeReads(t, "before", s, m, cn, l, members, entries, counts, members)

			for _, k := range []string{s.Key(), m.Key(), cn.Key(), l.Key()} {
				noErr(t, rdb.Del(ctx, k).Err())
			}
			checkWholeReads(t, "deleted", s, m, cn, l, nil, map[int]int{}, map[int]int64{}, nil)

			// Big again, read (sizing on), then a string in its place.
			noErr(t, s.Replace(ctx, members...))
			noErr(t, m.Replace(ctx, entries))
			noErr(t, cn.Replace(ctx, counts))
			noErr(t, l.Replace(ctx, members...))
			checkWholeReads(t, "again", s, m, cn, l, members, entries, counts, members)
			for _, k := range []string{s.Key(), m.Key(), cn.Key(), l.Key()} {
				noErr(t, rdb.Set(ctx, k, "str", time.Hour).Err())
			}
			reads := map[string]func() error{
				"Members":       func() error { _, err := s.Members(ctx); return err },
				"Items":         func() error { _, err := m.Items(ctx); return err },
				"Keys":          func() error { _, err := m.Keys(ctx); return err },
				"Values":        func() error { _, err := m.Values(ctx); return err },
				"Counter.Items": func() error { _, err := cn.Items(ctx); return err },
				"List.Values":   func() error { _, err := l.Values(ctx); return err },
				"List.Slice":    func() error { _, err := l.Slice(ctx, 1, 2_500); return err },
			}
			for op, read := range reads {
				for i := range 2 {
					if err := read(); !errors.Is(err, hotredis.ErrWrongType) {
						t.Errorf("%s %d onto a string: %v, want ErrWrongType", op, i, err)
					}
				}
			}
			for _, k := range []string{s.Key(), m.Key(), cn.Key(), l.Key()} {
				if v := rdb.Get(ctx, k).Val(); v != "str" {
					t.Errorf("%s: %q after the refused reads", k, v)
				}
				if d := rdb.PTTL(ctx, k).Val(); d <= 0 {
					t.Errorf("%s: PTTL %v after the refused reads", k, d)
				}
			}
		})
	}
}

// scriptFlushAll flushes the script cache of every primary.
func scriptFlushAll(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		noErr(t, cc.ForEachShard(ctx, func(ctx context.Context, c *redis.Client) error {
			return c.ScriptFlush(ctx).Err()
		}))
		return
	}
	noErr(t, rdb.ScriptFlush(ctx).Err())
}

// TestSizedWholeReadsAfterScriptFlush: the script cache flushed between
// sized reads (outside and inside Optimistic): NOSCRIPT is handled, the
// reads equal the model.
func TestSizedWholeReadsAfterScriptFlush(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for name, c := range wholeReadClients(t) {
		t.Run(name, func(t *testing.T) {
			s, m, _, l := wholeReadHandles(t, c)
			members := ints(0, 3_000, 1)
			entries := map[int]int{}
			for i := range 2_000 {
				entries[i] = i * 11
			}
			noErr(t, s.Replace(ctx, members...))
			noErr(t, m.Replace(ctx, entries))
			noErr(t, l.Replace(ctx, members...))
			for round := range 4 {
				scriptFlushAll(t, rdb)
				checkWholeReads(t, fmt.Sprint("flushed ", round), s, m, nil, l, members, entries, nil, members)
				scriptFlushAll(t, rdb)
				err := c.Optimistic(ctx, func(tctx context.Context) error {
					got, err := m.Items(tctx)
					if err != nil {
						return err
					}
					if !maps.Equal(got, entries) {
						t.Fatalf("round %d: Items inside Optimistic after SCRIPT FLUSH: %d entries", round, len(got))
					}
					ms, err := s.Members(tctx)
					if err != nil {
						return err
					}
					if !slices.Equal(sorted(ms), members) {
						t.Fatalf("round %d: Members inside Optimistic after SCRIPT FLUSH: %d", round, len(ms))
					}
					vs, err := l.Values(tctx)
					if err != nil {
						return err
					}
					if !slices.Equal(vs, members) {
						t.Fatalf("round %d: List.Values inside Optimistic after SCRIPT FLUSH: %d", round, len(vs))
					}
					return m.Set(tctx, -1, round)
				}, s, m, l)
				noErr(t, err)
				entries[-1] = round
			}
		})
	}
}
