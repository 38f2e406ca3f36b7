package hotredis_test

import (
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/hotredis/hotredis"
)

// TestHOTRedisLayouts checks, type by type, the bytes the SPEC's storage
// layout names: what a Go program writes is what HOT Redis writes, and
// what HOT Redis writes (raw commands here, as Python sends them) reads
// back as Go values. Keys carry a hash tag, so on a Cluster this is the
// tagged-key layout a Python program would use there. (List, Queue and
// Int have their own layout tests beside their other tests.)
func TestHOTRedisLayouts(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	t.Run("Set", func(t *testing.T) {
		k := key(t)
		if _, err := hotredis.NewSet[float64](k).Add(ctx, 3, 0.1, 1e16, -2.5); err != nil {
			t.Fatal(err)
		}
		got := rdb.SMembers(ctx, k).Val()
		slices.Sort(got)
		if want := []string{"-2.5", "0.1", "1e+16", "3.0"}; !slices.Equal(got, want) {
			t.Errorf("stored %q, want %q", got, want)
		}
		py := key(t, "py")
		rdb.SAdd(ctx, py, "1", "2.5", "1e-07")
		vals, err := hotredis.NewSet[float64](py).Members(ctx)
		slices.Sort(vals)
		if err != nil || !slices.Equal(vals, []float64{1e-7, 1, 2.5}) {
			t.Errorf("read %v, %v", vals, err)
		}
	})
	t.Run("Map", func(t *testing.T) {
		k := key(t)
		m := hotredis.NewMap[string, bool](k)
		if err := m.SetMany(ctx, map[string]bool{"yes": true, "no": false, "": true}); err != nil {
			t.Fatal(err)
		}
		if got, want := rdb.HGetAll(ctx, k).Val(), map[string]string{"yes": "True", "no": "False", "": "True"}; !maps.Equal(got, want) {
			t.Errorf("stored %q, want %q", got, want)
		}
		py := key(t, "py")
		rdb.HSet(ctx, py, "1", "-42", "2", "9007199254740993")
		items, err := hotredis.NewMap[int, int64](py).Items(ctx)
		if want := map[int]int64{1: -42, 2: 9007199254740993}; err != nil || !maps.Equal(items, want) {
			t.Errorf("read %v, %v; want %v", items, err, want)
		}
	})
	t.Run("DefaultMap", func(t *testing.T) {
		k := key(t)
		d := hotredis.NewDefaultMap[string, float64](k, func() float64 { return 1 })
		if v, err := d.Get(ctx, "missing"); err != nil || v != 1 {
			t.Fatalf("Get = %v, %v", v, err)
		}
		// The default is stored, as HOT Redis's HSETNX does.
		if got := rdb.HGet(ctx, k, "missing").Val(); got != "1.0" {
			t.Errorf("default stored as %q, want \"1.0\"", got)
		}
		rdb.HSet(ctx, k, "py", "0.30000000000000004")
		if v, err := d.Get(ctx, "py"); err != nil || v != 0.30000000000000004 {
			t.Errorf("read %v, %v", v, err)
		}
	})
	t.Run("Counter", func(t *testing.T) {
		k := key(t)
		c := hotredis.NewCounter[string](k)
		if err := c.Update(ctx, map[string]int64{"a": 3, "b": 1}); err != nil {
			t.Fatal(err)
		}
		if err := c.Subtract(ctx, map[string]int64{"b": 1, "c": 2}); err != nil {
			t.Fatal(err)
		}
		// Zero and negative counts are kept, in decimal, as Python's
		// Counter.subtract keeps them.
		if got, want := rdb.HGetAll(ctx, k).Val(), map[string]string{"a": "3", "b": "0", "c": "-2"}; !maps.Equal(got, want) {
			t.Errorf("stored %q, want %q", got, want)
		}
		rdb.HIncrBy(ctx, k, "d", 7)
		if n, err := c.Get(ctx, "d"); err != nil || n != 7 {
			t.Errorf("read %d, %v", n, err)
		}
	})
	t.Run("Float", func(t *testing.T) {
		k := key(t)
		f := hotredis.NewFloat(k)
		for _, c := range []struct {
			x    float64
			want string
		}{{3, "3.0"}, {0.1, "0.1"}, {1e-7, "1e-07"}, {1e16, "1e+16"}, {12345678, "12345678.0"}, {-2.5, "-2.5"}, {1.5e300, "1.5e+300"}} {
			if err := f.Store(ctx, c.x); err != nil {
				t.Fatal(err)
			}
			if got := rdb.Get(ctx, k).Val(); got != c.want {
				t.Errorf("Store(%v) wrote %q, want %q", c.x, got, c.want)
			}
		}
		// What INCRBYFLOAT (HOT Redis's +=) leaves, and other forms
		// Python's float() reads.
		for raw, want := range map[string]float64{"0.3": 0.3, "0.0000001": 1e-7, "5": 5, "1E5": 1e5, " 2.5 ": 2.5, "-inf": math.Inf(-1)} {
			rdb.Set(ctx, k, raw, 0)
			if v, err := f.Load(ctx); err != nil || v != want {
				t.Errorf("Load of %q = %v, %v; want %v", raw, v, err, want)
			}
		}
	})
	t.Run("String", func(t *testing.T) {
		k := key(t)
		s := hotredis.NewString(k)
		if err := s.Set(ctx, "héllo"); err != nil {
			t.Fatal(err)
		}
		if got := rdb.Get(ctx, k).Val(); got != "héllo" {
			t.Errorf("stored %q", got)
		}
		// HOT Redis never stores an empty String: it deletes the key.
		if err := s.Set(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if n := rdb.Exists(ctx, k).Val(); n != 0 {
			t.Errorf("empty String left the key in place")
		}
		if v, err := hotredis.NewImmutableString(k).Get(ctx); err != nil || v != "" {
			t.Errorf("missing reads %q, %v; want \"\"", v, err)
		}
	})
}
