package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

// TestMapModel applies random operations to a Map and to a Go map and
// compares them after every step.
func TestMapModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		m := hotredis.NewMap[string, int](key(t))
		if err := m.Clear(ctx); err != nil {
			rt.Fatal(err)
		}
		model := map[string]int{}
		field := rapid.SampledFrom([]string{"", "a", "b", "c", "d", "ü"})
		value := rapid.IntRange(-5, 5)
		entries := rapid.MapOfN(field, value, 0, 4)
		check := func(op string, err error) {
			if err != nil {
				rt.Fatalf("%s: %v", op, err)
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"": func(rt *rapid.T) {
				got, err := m.Items(ctx)
				check("Items", err)
				if !maps.Equal(got, model) {
					rt.Fatalf("Items = %v, want %v", got, model)
				}
			},
			"Get": func(rt *rapid.T) {
				k := field.Draw(rt, "k")
				v, ok, err := m.Get(ctx, k)
				check("Get", err)
				w, wok := model[k]
				if v != w || ok != wok {
					rt.Fatalf("Get(%q) = %v, %v; want %v, %v", k, v, ok, w, wok)
				}
			},
			"Set": func(rt *rapid.T) {
				k, v := field.Draw(rt, "k"), value.Draw(rt, "v")
				check("Set", m.Set(ctx, k, v))
				model[k] = v
			},
			"SetMany": func(rt *rapid.T) {
				e := entries.Draw(rt, "entries")
				check("SetMany", m.SetMany(ctx, e))
				maps.Copy(model, e)
			},
			"SetDefault": func(rt *rapid.T) {
				k, v := field.Draw(rt, "k"), value.Draw(rt, "v")
				got, err := m.SetDefault(ctx, k, v)
				check("SetDefault", err)
				if w, ok := model[k]; ok {
					v = w
				}
				model[k] = v
				if got != v {
					rt.Fatalf("SetDefault(%q) = %v, want %v", k, got, v)
				}
			},
			"Remove": func(rt *rapid.T) {
				ks := rapid.SliceOfN(field, 0, 3).Draw(rt, "ks")
				n, err := m.Remove(ctx, ks...)
				check("Remove", err)
				want := 0
				for _, k := range slices.Compact(slices.Sorted(slices.Values(ks))) {
					if _, ok := model[k]; ok {
						want++
						delete(model, k)
					}
				}
				if n != want {
					rt.Fatalf("Remove = %d, want %d", n, want)
				}
			},
			"Pop": func(rt *rapid.T) {
				k := field.Draw(rt, "k")
				v, ok, err := m.Pop(ctx, k)
				check("Pop", err)
				w, wok := model[k]
				if v != w || ok != wok {
					rt.Fatalf("Pop(%q) = %v, %v; want %v, %v", k, v, ok, w, wok)
				}
				delete(model, k)
			},
			"PopItem": func(rt *rapid.T) {
				k, v, err := m.PopItem(ctx)
				if len(model) == 0 {
					if !errors.Is(err, hotredis.ErrEmpty) {
						rt.Fatalf("PopItem on empty: %v", err)
					}
					return
				}
				check("PopItem", err)
				if w, ok := model[k]; !ok || w != v {
					rt.Fatalf("PopItem = %q, %v; model has %v, %v", k, v, w, ok)
				}
				delete(model, k)
			},
			"Has": func(rt *rapid.T) {
				k := field.Draw(rt, "k")
				ok, err := m.Has(ctx, k)
				check("Has", err)
				if _, w := model[k]; ok != w {
					rt.Fatalf("Has(%q) = %v", k, ok)
				}
			},
			"LenKeysValues": func(rt *rapid.T) {
				n, err := m.Len(ctx)
				check("Len", err)
				ks, err := m.Keys(ctx)
				check("Keys", err)
				vs, err := m.Values(ctx)
				check("Values", err)
				slices.Sort(ks)
				slices.Sort(vs)
				wk := slices.Sorted(maps.Keys(model))
				wv := slices.Sorted(maps.Values(model))
				if n != len(model) || !slices.Equal(ks, wk) || !slices.Equal(vs, wv) {
					rt.Fatalf("Len, Keys, Values = %d %q %v; want %d %q %v", n, ks, vs, len(model), wk, wv)
				}
			},
			"All": func(rt *rapid.T) {
				got := map[string]int{}
				for p, err := range m.All(ctx) {
					check("All", err)
					got[p.Key] = p.Value
				}
				if !maps.Equal(got, model) {
					rt.Fatalf("All = %v, want %v", got, model)
				}
			},
			"Incr": func(rt *rapid.T) {
				k, n := field.Draw(rt, "k"), value.Draw(rt, "n")
				got, err := m.Incr(ctx, k, int64(n))
				check("Incr", err)
				model[k] += n
				if got != int64(model[k]) {
					rt.Fatalf("Incr = %d, want %d", got, model[k])
				}
			},
			"Replace": func(rt *rapid.T) {
				e := entries.Draw(rt, "entries")
				check("Replace", m.Replace(ctx, e))
				model = maps.Clone(e)
			},
		})
	})
}

func TestMapLarge(t *testing.T) {
	m := hotredis.NewMap[int, string](key(t))
	e := map[int]string{}
	for i := range 25000 {
		e[i] = strconv.Itoa(i * 2)
	}
	if err := m.Replace(ctx, e); err != nil {
		t.Fatal(err)
	}
	n := 0
	for p, err := range m.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.Value != e[p.Key] {
			t.Fatalf("All: %d -> %q, want %q", p.Key, p.Value, e[p.Key])
		}
		n++
	}
	if n < len(e) {
		t.Fatalf("All gave %d entries, want %d", n, len(e))
	}
	ks := slices.Collect(maps.Keys(e))
	if r, err := m.Remove(ctx, ks...); err != nil || r != len(e) {
		t.Fatalf("Remove = %d, %v", r, err)
	}
}

func TestMapBadInput(t *testing.T) {
	rdb := rawClient()
	k := key(t)
	rdb.RPush(ctx, k, "x")
	m := hotredis.NewMap[string, int](k)
	checks := map[string]error{}
	checks["Set"] = m.Set(ctx, "a", 1)
	_, _, checks["Get"] = m.Get(ctx, "a")
	_, checks["SetDefault"] = m.SetDefault(ctx, "a", 1)
	_, _, checks["Pop"] = m.Pop(ctx, "a")
	_, _, checks["PopItem"] = m.PopItem(ctx)
	_, checks["Items"] = m.Items(ctx)
	_, checks["Incr"] = m.Incr(ctx, "a", 1)
	for name, err := range checks {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a list key: %v, want ErrWrongType", name, err)
		}
	}

	good := hotredis.NewMap[string, int](key(t, "good"))
	rdb.HSet(ctx, good.Key(), "n", "not a number", "ok", "1")
	_, _, err := good.Get(ctx, "n")
	var de *hotredis.DecodeError
	if !errors.As(err, &de) || de.Value != "not a number" {
		t.Fatalf("Get of a bad value: %v", err)
	}
	if _, err := good.Items(ctx); !errors.Is(err, hotredis.ErrDecode) {
		t.Fatalf("Items with a bad value: %v", err)
	}
	_, err = good.Incr(ctx, "n", 1)
	if !errors.As(err, &de) || de.Value != "not a number" {
		t.Fatalf("Incr of a bad value: %v", err)
	}
	if _, err := good.IncrFloat(ctx, "n", 1.5); !errors.Is(err, hotredis.ErrDecode) {
		t.Fatalf("IncrFloat of a bad value: %v", err)
	}
	rdb.HSet(ctx, good.Key(), "big", "9223372036854775807")
	if _, err := good.Incr(ctx, "big", 1); !errors.Is(err, hotredis.ErrOverflow) {
		t.Fatalf("Incr past int64: %v", err)
	}
	if v, _ := rdb.HGet(ctx, good.Key(), "big").Result(); v != "9223372036854775807" {
		t.Fatalf("overflowed value changed to %q", v)
	}
}

func TestMapIncrFloat(t *testing.T) {
	m := hotredis.NewMap[string, float64](key(t))
	if _, err := m.IncrFloat(ctx, "x", 0.1); err != nil {
		t.Fatal(err)
	}
	got, err := m.IncrFloat(ctx, "x", 0.2)
	if err != nil || got != 0.30000000000000004 && got != 0.3 {
		t.Fatalf("IncrFloat = %v, %v", got, err)
	}
	if v, ok, err := m.Get(ctx, "x"); err != nil || !ok || v != got {
		t.Fatalf("Get after IncrFloat = %v, %v, %v", v, ok, err)
	}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := m.IncrFloat(ctx, "x", x); !errors.Is(err, hotredis.ErrNotFinite) {
			t.Errorf("IncrFloat(%v) = %v, want ErrNotFinite", x, err)
		}
	}
	_, _ = m.IncrFloat(ctx, "big", math.MaxFloat64)
	if _, err := m.IncrFloat(ctx, "big", math.MaxFloat64); !errors.Is(err, hotredis.ErrNotFinite) {
		t.Errorf("IncrFloat past float64's range = %v, want ErrNotFinite", err)
	}
	if _, err := m.IncrFloat(ctx, "big", -math.MaxFloat64); err != nil {
		t.Errorf("IncrFloat back into range after a refused one = %v", err)
	}
	if v, _, err := m.Get(ctx, "big"); err != nil || v != 0 {
		t.Errorf("after a refused IncrFloat past float64's range, max-max = %v, %v; want 0 (the refused sum taken back)", v, err)
	}
	if v, _, err := m.Get(ctx, "x"); err != nil || v != got {
		t.Errorf("Get after the refused increments = %v, %v; want %v", v, err, got)
	}
}

func TestMapInTransaction(t *testing.T) {
	m := hotredis.NewMap[string, string](key(t))
	m.Set(ctx, "a", "1")
	err := client.Transaction(ctx, func(ctx context.Context) error {
		m.Set(ctx, "b", "2")
		if v, err := m.SetDefault(ctx, "a", "x"); err != nil || v != "" {
			t.Errorf("SetDefault in a transaction = %q, %v", v, err)
		}
		m.Pop(ctx, "b")
		if _, _, err := m.Get(ctx, "a"); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("Get in a transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := m.Items(ctx)
	if !maps.Equal(got, map[string]string{"a": "1"}) {
		t.Fatalf("after transaction: %v", got)
	}
}

func init() {
	roles["map-incr"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		return incrMany(context.Background(), hotredis.NewMap[string, int64](os.Getenv("MAP_KEY")), 500)
	}
}

func incrMany(ctx context.Context, m *hotredis.Map[string, int64], n int) error {
	for i := range n {
		if _, err := m.Incr(ctx, "f"+strconv.Itoa(i%5), 1); err != nil {
			return err
		}
		if _, err := m.SetDefault(ctx, "first", int64(i)); err != nil {
			return err
		}
	}
	return nil
}

// TestMapConcurrent has goroutines and two OS processes increment fields
// of one Map: no update is lost.
func TestMapConcurrent(t *testing.T) {
	m := hotredis.NewMap[string, int64](key(t))
	p1 := startRole(t, "map-incr", "MAP_KEY="+m.Key())
	p2 := startRole(t, "map-incr", "MAP_KEY="+m.Key())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := incrMany(ctx, m, 250); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, p := range []interface{ Wait() error }{p1, p2} {
		if err := p.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	items, err := m.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for i := range 5 {
		total += items["f"+strconv.Itoa(i)]
	}
	if total != 2*500+8*250 {
		t.Fatalf("total of increments = %d, want %d", total, 2*500+8*250)
	}
	if items["first"] != 0 {
		t.Fatalf("SetDefault kept %d, want the first caller's 0", items["first"])
	}
}

func TestDefaultMap(t *testing.T) {
	calls := 0
	var mu sync.Mutex
	d := hotredis.NewDefaultMap[string, []string](key(t), func() []string {
		mu.Lock()
		calls++
		mu.Unlock()
		return []string{}
	})
	v, err := d.Get(ctx, "a")
	if err != nil || len(v) != 0 || v == nil {
		t.Fatalf("Get of missing = %v, %v", v, err)
	}
	if ok, _ := d.Has(ctx, "a"); !ok {
		t.Fatal("Get did not store the default")
	}
	d.Set(ctx, "a", []string{"x"})
	if v, _ := d.Get(ctx, "a"); !slices.Equal(v, []string{"x"}) {
		t.Fatalf("Get after Set = %v", v)
	}
	if calls != 1 {
		t.Fatalf("factory called %d times, want 1", calls)
	}
	if _, ok, _ := d.Lookup(ctx, "b"); ok {
		t.Fatal("Lookup of missing reported ok")
	}
	if n, _ := d.Len(ctx); n != 1 {
		t.Fatalf("Len = %d after Lookup, want 1", n)
	}

	// Concurrent first Gets: each handle's factory gives a different
	// value; all callers see the one that was stored.
	var wg sync.WaitGroup
	results := make([]int, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := hotredis.NewDefaultMap[string, int](key(t, "race"), func() int { return i + 1 })
			v, err := h.Get(ctx, "k")
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != results[0] || r == 0 {
			t.Fatalf("concurrent first Gets saw %v", results)
		}
	}

	// Inside an optimistic transaction a miss queues the store.
	c := hotredis.NewDefaultMap[string, int](key(t, "opt"), func() int { return 7 })
	err = client.Optimistic(ctx, func(ctx context.Context) error {
		v, err := c.Get(ctx, "k")
		if err == nil && v != 7 {
			err = fmt.Errorf("Get = %d, want 7", v)
		}
		return err
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := c.Lookup(ctx, "k"); !ok || v != 7 {
		t.Fatalf("after optimistic Get: %d, %v", v, ok)
	}
}

// TestDefaultMapIncrStartsFromTheFactory: a DefaultMap's Incr and
// IncrFloat of a missing entry start from the factory's value, as
// Python's d[k] += n on a defaultdict does (a review found them counting
// it 0, as Map's do); the factory runs only on a miss; concurrent first
// Incrs of many handles store one default and count every increment; a
// default that is not a number changes nothing; inside a Transaction the
// default goes with the increment.
func TestDefaultMapIncrStartsFromTheFactory(t *testing.T) {
	var calls atomic.Int64
	d := hotredis.NewDefaultMap[string, int](key(t), func() int { calls.Add(1); return 10 })
	if v := must[int64](t)(d.Incr(ctx, "a", 1)); v != 11 {
		t.Fatalf("Incr of a missing entry with factory 10 = %d, want 11 (defaultdict)", v)
	}
	if v := must[int64](t)(d.Incr(ctx, "a", 2)); v != 13 {
		t.Fatalf("Incr of 11 by 2 = %d", v)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("the factory ran %d times for one miss", n)
	}
	f := hotredis.NewDefaultMap[string, float64](key(t, "f"), func() float64 { return 0.5 })
	if v := must[float64](t)(f.IncrFloat(ctx, "a", 1)); v != 1.5 {
		t.Fatalf("IncrFloat of a missing entry with factory 0.5 = %v, want 1.5", v)
	}
	if _, err := f.IncrFloat(ctx, "b", math.MaxFloat64); err != nil {
		t.Fatal(err)
	}
	if _, err := f.IncrFloat(ctx, "b", math.MaxFloat64); !errors.Is(err, hotredis.ErrNotFinite) {
		t.Fatalf("IncrFloat past float64's range = %v, want ErrNotFinite", err)
	}
	if v := must[float64](t)(f.IncrFloat(ctx, "b", 0)); v != math.MaxFloat64 {
		t.Fatalf("after a refused IncrFloat the value is %v", v)
	}

	// Concurrent first Incrs on handles of their own: one default kept.
	k := key(t, "race")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			h := hotredis.NewDefaultMap[string, int](k, func() int { return 100 })
			for range 25 {
				if _, err := h.Incr(ctx, "n", int64(i+1)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if v := must[int64](t)(hotredis.NewMap[string, int](k).Incr(ctx, "n", 0)); v != 100+25*36 {
		t.Fatalf("8 handles' first Incrs counted %d, want %d", v, 100+25*36)
	}

	// A default that is not a number: ErrDecode, nothing stored.
	s := hotredis.NewDefaultMap[string, string](key(t, "s"), func() string { return "x" })
	if _, err := s.Incr(ctx, "a", 1); !errors.Is(err, hotredis.ErrDecode) {
		t.Fatalf("Incr from a default that is not a number = %v, want ErrDecode", err)
	}
	if ok := must[bool](t)(s.Has(ctx, "a")); ok {
		t.Fatal("a refused Incr left its default stored")
	}

	// Inside a Transaction the default goes with the increment.
	tx := hotredis.NewDefaultMap[string, int](key(t, "tx"), func() int { return 5 })
	noErr(t, client.Transaction(ctx, func(ctx context.Context) error {
		_, err := tx.Incr(ctx, "a", 1)
		return err
	}))
	if v, ok, _ := tx.Lookup(ctx, "a"); !ok || v != 6 {
		t.Fatalf("Incr in a Transaction from factory 5: %d, %v; want 6", v, ok)
	}
}

// TestDefaultMapIncrIsExactPast2To53: DefaultMap.Incr replies the exact
// result over the whole int64 range, as Map.Incr does (a review found it
// replying HINCRBY's result as the script's Lua had it, a double: 2^53+1
// read 2^53, and MaxInt64 read MinInt64), from a stored value and from
// the default.
func TestDefaultMapIncrIsExactPast2To53(t *testing.T) {
	rdb := rawClient()
	k := key(t)
	m := hotredis.NewMap[string, int64](k)
	d := hotredis.NewDefaultMap[string, int64](k, func() int64 { return 1<<53 + 1 })
	for _, c := range []struct {
		start string // "": missing (the default, 2^53+1)
		n     int64
	}{{"", 0}, {"", 2}, {"9007199254740993", 0}, {"9007199254740993", 2}, {"9223372036854775806", 1},
		{"-9223372036854775807", -1}, {"0", math.MaxInt64}, {"100", -(1<<60 + 1)}} {
		noErr(t, rdb.Del(ctx, k).Err())
		start := c.start
		if start != "" {
			noErr(t, rdb.HSet(ctx, k, "f", start).Err())
		} else {
			start = "9007199254740993"
		}
		want := must[int64](t)(strconv.ParseInt(start, 10, 64)) + c.n
		got, err := d.Incr(ctx, "f", c.n)
		stored := rdb.HGet(ctx, k, "f").Val()
		if err != nil || got != want || stored != strconv.FormatInt(want, 10) {
			t.Errorf("DefaultMap.Incr(%d) on %q = %d, %v (stored %q); want %d", c.n, c.start, got, err, stored, want)
		}
		noErr(t, rdb.HSet(ctx, k, "g", start).Err())
		if got, err := m.Incr(ctx, "g", c.n); err != nil || got != want {
			t.Errorf("Map.Incr(%d) on %q = %d, %v; want %d", c.n, start, got, err, want)
		}
	}
}

// TestMapPopOfAnUndecodableValueKeepsIt: Pop and PopItem that take an
// entry they cannot decode return the DecodeError and put the entry back
// (Python's pop never removes what it cannot hand back); IncrFloat inside
// a transaction refuses a result past float64's range and changes
// nothing (HINCRBYFLOAT would store it).
func TestMapPopOfAnUndecodableValueKeepsIt(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	ints := hotredis.NewMap[int, string](key(t, "ints"))
	defer ints.Delete(ctx)
	noErr(t, rdb.HSet(ctx, ints.Key(), "not-an-int", "precious").Err())
	var de *hotredis.DecodeError
	if _, _, err := ints.PopItem(ctx); !errors.As(err, &de) {
		t.Errorf("PopItem of an undecodable field = %v, want a DecodeError", err)
	}
	if v := rdb.HGet(ctx, ints.Key(), "not-an-int").Val(); v != "precious" {
		t.Errorf("after PopItem the field holds %q, want it back", v)
	}
	nums := hotredis.NewMap[string, int](key(t, "nums"))
	defer nums.Delete(ctx)
	long := strings.Repeat("9", 100) + "x"
	noErr(t, rdb.HSet(ctx, nums.Key(), "f", long).Err())
	if _, _, err := nums.Pop(ctx, "f"); !errors.As(err, &de) {
		t.Errorf("Pop of an undecodable value = %v, want a DecodeError", err)
	}
	if v := rdb.HGet(ctx, nums.Key(), "f").Val(); v != long {
		t.Errorf("after Pop the field holds %q, want it back", v)
	}

	floats := hotredis.NewMap[string, float64](key(t, "floats"))
	defer floats.Delete(ctx)
	noErr(t, floats.Set(ctx, "big", math.MaxFloat64))
	before := rdb.HGet(ctx, floats.Key(), "big").Val()
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := floats.IncrFloat(ctx, "big", math.MaxFloat64)
		return err
	})
	if after := rdb.HGet(ctx, floats.Key(), "big").Val(); !errors.Is(err, hotredis.ErrNotFinite) || after != before {
		t.Errorf("IncrFloat past float64's range in a transaction = %v, stored %.20q; want ErrNotFinite, %q kept", err, after, before)
	}
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := floats.IncrFloat(ctx, "small", 2.5)
		return err
	}))
	if v, ok, err := floats.Get(ctx, "small"); err != nil || !ok || v != 2.5 {
		t.Errorf("IncrFloat(2.5) in a transaction: %v, %v, %v; want 2.5", v, ok, err)
	}
}
