package hotredis_test

import (
	"os"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// TestSetsScale runs the operations of Set, Map and Counter on collections
// of 1,000,000 members or fields. It takes tens of seconds, so it runs
// only with HOTREDIS_SCALE=1:
//
//	HOTREDIS_SCALE=1 go test -run TestSetsScale -v .
func TestSetsScale(t *testing.T) {
	if os.Getenv("HOTREDIS_SCALE") == "" {
		t.Skip("set HOTREDIS_SCALE=1 to run")
	}
	const n = 1_000_000
	timed := func(what string, f func() error) {
		t.Helper()
		start := time.Now()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%-40s %v", what, time.Since(start).Round(time.Millisecond))
	}
	vs := make([]int, n)
	for i := range vs {
		vs[i] = i
	}
	a := hotredis.NewSet[int]("{scale}:a")
	b := hotredis.NewSet[int]("{scale}:b")
	defer a.Delete(ctx)
	defer b.Delete(ctx)
	timed("Set.Replace 1M", func() error { return a.Replace(ctx, vs...) })
	timed("Set.Replace 1M (b)", func() error { return b.Replace(ctx, vs[n/2:]...) })
	timed("Set.IsSubset 1M", func() error { _, err := b.IsSubset(ctx, a); return err })
	timed("Set.SymmetricDifferenceUpdate 1M", func() error { return a.SymmetricDifferenceUpdate(ctx, b) })
	timed("Set.UnionUpdate 1M", func() error { return a.UnionUpdate(ctx, b) })
	timed("Set.IntersectionUpdate 1M", func() error { return a.IntersectionUpdate(ctx, b) })
	timed("Set.IntersectionUpdateValues 1M values", func() error { return a.IntersectionUpdateValues(ctx, vs...) })
	timed("Set.SymmetricDifferenceUpdateValues 1M", func() error { return a.SymmetricDifferenceUpdateValues(ctx, vs...) })
	timed("Set.IsDisjointValues 1M", func() error { _, err := a.IsDisjointValues(ctx, vs...); return err })
	timed("Set.All 1M", func() error {
		for _, err := range a.All(ctx) {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if l, _ := a.Len(ctx); l != n/2 {
		t.Fatalf("a has %d members, want %d", l, n/2)
	}

	c := hotredis.NewCounter[int]("{scale}:c")
	defer c.Delete(ctx)
	counts := make(map[int]int64, n)
	for i := range n {
		counts[i] = int64(i % 1000)
	}
	counts[123456] = 1 << 62
	timed("Counter.Replace 1M", func() error { return c.Replace(ctx, counts) })
	timed("Counter.MostCommon(10) 1M", func() error {
		top, err := c.MostCommon(ctx, 10)
		if err == nil && (len(top) != 10 || top[0].Key != 123456 || top[1].Value != 999) {
			t.Errorf("MostCommon = %v", top)
		}
		return err
	})
	timed("Counter.Total 1M", func() error { _, err := c.Total(ctx); return err })
	timed("Counter.UpdateElements 1M", func() error { return c.UpdateElements(ctx, vs...) })
	timed("Counter.IntersectionUpdateCounts 1M", func() error { return c.IntersectionUpdateCounts(ctx, map[int]int64{1: 5, 2: 5}) })
	if items, err := c.Items(ctx); err != nil || len(items) != 2 {
		t.Fatalf("after &=: %d items, %v", len(items), err)
	}

	m := hotredis.NewMap[int, int]("{scale}:m")
	defer m.Delete(ctx)
	timed("Map.Replace 1M", func() error { return m.Replace(ctx, counts2(n)) })
	timed("Map.All 1M", func() error {
		for _, err := range m.All(ctx) {
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func counts2(n int) map[int]int {
	m := make(map[int]int, n)
	for i := range n {
		m[i] = i
	}
	return m
}
