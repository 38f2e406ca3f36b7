package hotredis_test

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"math"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

// counterModel is Python's Counter, for the operations we mirror.
type counterModel map[string]int64

func (m counterModel) keepPositive() {
	for k, v := range m {
		if v <= 0 {
			delete(m, k)
		}
	}
}

// and is Python's Counter.__iand__.
func (m counterModel) and(o counterModel) {
	for k, v := range m {
		if o[k] < v {
			m[k] = o[k]
		}
	}
	m.keepPositive()
}

// or is Python's Counter.__ior__.
func (m counterModel) or(o counterModel) {
	for k, v := range o {
		if v > m[k] {
			m[k] = v
		}
	}
	m.keepPositive()
}

func (m counterModel) mostCommon(n int) []hotredis.Pair[string, int64] {
	var out []hotredis.Pair[string, int64]
	for k, v := range m {
		out = append(out, hotredis.Pair[string, int64]{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b hotredis.Pair[string, int64]) int {
		if a.Value != b.Value {
			return cmp.Compare(b.Value, a.Value)
		}
		return strings.Compare(a.Key, b.Key)
	})
	if n >= 0 && len(out) > n {
		out = out[:n]
	}
	if out == nil {
		out = []hotredis.Pair[string, int64]{}
	}
	return out
}

func TestCounterModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tag := "{" + key(t) + "}"
		c := hotredis.NewCounter[string](tag + ":c")
		o := hotredis.NewCounter[string](tag + ":o")
		c.Clear(ctx)
		o.Clear(ctx)
		mc, mo := counterModel{}, counterModel{}
		elem := rapid.SampledFrom([]string{"", "a", "b", "c", "d", "é"})
		count := rapid.OneOf(rapid.Int64Range(-4, 4), rapid.SampledFrom([]int64{1 << 53, 1<<53 + 1, -(1 << 60), 1 << 62}))
		counts := rapid.MapOfN(elem, count, 0, 4)
		check := func(op string, err error) {
			if err != nil {
				rt.Fatalf("%s: %v", op, err)
			}
		}
		// overflows reports whether adding d to m would leave int64.
		overflows := func(m counterModel, d map[string]int64, sign int64) bool {
			for k, n := range d {
				s := new(big.Int).Add(big.NewInt(m[k]), new(big.Int).Mul(big.NewInt(n), big.NewInt(sign)))
				if !s.IsInt64() {
					return true
				}
			}
			return false
		}
		apply := func(m counterModel, d map[string]int64, sign int64) {
			for k, n := range d {
				m[k] += sign * n
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"": func(rt *rapid.T) {
				got, err := c.Items(ctx)
				check("Items", err)
				if !maps.Equal(got, map[string]int64(mc)) {
					rt.Fatalf("Items = %v, want %v", got, mc)
				}
			},
			"Get": func(rt *rapid.T) {
				k := elem.Draw(rt, "k")
				n, err := c.Get(ctx, k)
				check("Get", err)
				if n != mc[k] {
					rt.Fatalf("Get(%q) = %d, want %d", k, n, mc[k])
				}
			},
			"Add": func(rt *rapid.T) {
				k, n := elem.Draw(rt, "k"), count.Draw(rt, "n")
				got, err := c.Add(ctx, k, n)
				if overflows(mc, map[string]int64{k: n}, 1) {
					if !errors.Is(err, hotredis.ErrOverflow) {
						rt.Fatalf("Add overflowing: %v", err)
					}
					return
				}
				check("Add", err)
				mc[k] += n
				if got != mc[k] {
					rt.Fatalf("Add = %d, want %d", got, mc[k])
				}
			},
			"Update": func(rt *rapid.T) {
				d := counts.Draw(rt, "d")
				sign := rapid.SampledFrom([]int64{1, -1}).Draw(rt, "sign")
				var err error
				if sign > 0 {
					err = c.Update(ctx, d)
				} else {
					err = c.Subtract(ctx, d)
				}
				if overflows(mc, d, sign) {
					if !errors.Is(err, hotredis.ErrOverflow) {
						rt.Fatalf("Update overflowing: %v", err)
					}
					return // and nothing changed: the invariant checks it
				}
				check("Update", err)
				apply(mc, d, sign)
			},
			"UpdateOther": func(rt *rapid.T) {
				d := counts.Draw(rt, "d")
				if overflows(mo, d, 1) {
					return
				}
				check("Update other", o.Update(ctx, d))
				apply(mo, d, 1)
			},
			"UpdateElements": func(rt *rapid.T) {
				es := rapid.SliceOfN(elem, 0, 6).Draw(rt, "es")
				d := map[string]int64{}
				for _, e := range es {
					d[e]++
				}
				if overflows(mc, d, 1) || overflows(mc, d, -1) {
					return
				}
				if rapid.Bool().Draw(rt, "subtract") {
					check("SubtractElements", c.SubtractElements(ctx, es...))
					apply(mc, d, -1)
				} else {
					check("UpdateElements", c.UpdateElements(ctx, es...))
					apply(mc, d, 1)
				}
			},
			"Combine": func(rt *rapid.T) {
				switch rapid.IntRange(0, 3).Draw(rt, "op") {
				case 0:
					check("IntersectionUpdate", c.IntersectionUpdate(ctx, o))
					mc.and(mo)
				case 1:
					check("UnionUpdate", c.UnionUpdate(ctx, o))
					mc.or(mo)
				case 2:
					d := counts.Draw(rt, "d")
					check("IntersectionUpdateCounts", c.IntersectionUpdateCounts(ctx, d))
					mc.and(d)
				case 3:
					d := counts.Draw(rt, "d")
					check("UnionUpdateCounts", c.UnionUpdateCounts(ctx, d))
					mc.or(d)
				}
			},
			"MostCommon": func(rt *rapid.T) {
				n := rapid.IntRange(-1, 7).Draw(rt, "n")
				got, err := c.MostCommon(ctx, n)
				check("MostCommon", err)
				if want := mc.mostCommon(n); !slices.Equal(got, want) {
					rt.Fatalf("MostCommon(%d) = %v, want %v", n, got, want)
				}
			},
			"Total": func(rt *rapid.T) {
				got, err := c.Total(ctx)
				sum := new(big.Int)
				for _, v := range mc {
					sum.Add(sum, big.NewInt(v))
				}
				if !sum.IsInt64() {
					if !errors.Is(err, hotredis.ErrOverflow) {
						rt.Fatalf("Total beyond int64: %v", err)
					}
					return
				}
				check("Total", err)
				if got != sum.Int64() {
					rt.Fatalf("Total = %d, want %d", got, sum)
				}
			},
			"Elements": func(rt *rapid.T) {
				got := map[string]int64{}
				for e, err := range c.Elements(ctx) {
					check("Elements", err)
					got[e]++
					if got[e] > 10 {
						return // a huge count: enough
					}
				}
				want := maps.Clone(mc)
				want.keepPositive()
				if !maps.Equal(got, map[string]int64(want)) {
					rt.Fatalf("Elements counted %v, want %v", got, want)
				}
			},
			"Remove": func(rt *rapid.T) {
				k := elem.Draw(rt, "k")
				n, err := c.Remove(ctx, k)
				check("Remove", err)
				_, had := mc[k]
				if (n == 1) != had {
					rt.Fatalf("Remove(%q) = %d", k, n)
				}
				delete(mc, k)
			},
			"Replace": func(rt *rapid.T) {
				d := counts.Draw(rt, "d")
				check("Replace", c.Replace(ctx, d))
				mc = maps.Clone(d)
			},
		})
	})
}

// TestCounterExact checks counts near the ends of int64, where Lua
// numbers (doubles) would round.
func TestCounterExact(t *testing.T) {
	c := hotredis.NewCounter[string](key(t))
	big := map[string]int64{"a": math.MaxInt64 - 1, "b": math.MaxInt64 - 2, "c": math.MinInt64 + 1, "d": 1<<53 + 1, "e": 1 << 53}
	if err := c.Replace(ctx, big); err != nil {
		t.Fatal(err)
	}
	top, err := c.MostCommon(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := counterModel(big).mostCommon(2); !slices.Equal(top, want) {
		t.Fatalf("MostCommon = %v, want %v", top, want)
	}
	last, _ := c.MostCommon(ctx, -1)
	if want := counterModel(big).mostCommon(-1); !slices.Equal(last, want) {
		t.Fatalf("MostCommon(-1) = %v, want %v", last, want)
	}
	if _, err := c.Total(ctx); !errors.Is(err, hotredis.ErrOverflow) {
		t.Fatalf("Total beyond int64: %v", err)
	}
	c.Remove(ctx, "a", "b")
	tot, err := c.Total(ctx)
	if want := int64(math.MinInt64 + 1 + 1<<53 + 1 + 1<<53); err != nil || tot != want {
		t.Fatalf("Total = %d, %v; want %d", tot, err, want)
	}
	if err := c.UnionUpdateCounts(ctx, map[string]int64{"d": 1<<53 + 2}); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Get(ctx, "d"); n != 1<<53+2 {
		t.Fatalf("after |=, d = %d", n)
	}
	if n, _ := c.Get(ctx, "c"); n != 0 {
		t.Fatalf("|= kept a negative count: %d", n)
	}
}

// TestCounterMostCommonLarge builds a counter larger than one stretch of
// the MostCommon script and checks the top elements, read on the server.
func TestCounterMostCommonLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	c := hotredis.NewCounter[string](key(t))
	rdb := rawClient()
	const n = 150_000
	args := make([]any, 0, 2000)
	want := counterModel{}
	for i := range n {
		cnt := int64(i % 1000)
		if i == 77_777 {
			cnt = 5000
		}
		f := "e" + strconv.Itoa(i)
		want[f] = cnt
		args = append(args, f, cnt)
		if len(args) == cap(args) || i == n-1 {
			if err := rdb.HSet(ctx, c.Key(), args...).Err(); err != nil {
				t.Fatal(err)
			}
			args = args[:0]
		}
	}
	got, err := c.MostCommon(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if w := want.mostCommon(10); !slices.Equal(got, w) {
		t.Fatalf("MostCommon(10) = %v, want %v", got, w)
	}
	tot, err := c.Total(ctx)
	var sum int64
	for _, v := range want {
		sum += v
	}
	if err != nil || tot != sum {
		t.Fatalf("Total = %d, %v; want %d", tot, err, sum)
	}
}

func TestCounterBadInput(t *testing.T) {
	rdb := rawClient()
	k := key(t)
	rdb.SAdd(ctx, k, "x")
	c := hotredis.NewCounter[string](k)
	checks := map[string]error{}
	_, checks["Add"] = c.Add(ctx, "a", 1)
	checks["Update"] = c.Update(ctx, map[string]int64{"a": 1})
	checks["UnionUpdateCounts"] = c.UnionUpdateCounts(ctx, map[string]int64{"a": 1})
	_, checks["MostCommon"] = c.MostCommon(ctx, 3)
	_, checks["Total"] = c.Total(ctx)
	for name, err := range checks {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a set key: %v, want ErrWrongType", name, err)
		}
	}

	bad := hotredis.NewCounter[string](key(t, "bad"))
	rdb.HSet(ctx, bad.Key(), "ok", "3", "junk", "1.5", "z", "1")
	before, _ := rdb.HGetAll(ctx, bad.Key()).Result()
	checks = map[string]error{}
	_, checks["Get"] = bad.Get(ctx, "junk")
	_, checks["Add"] = bad.Add(ctx, "junk", 1)
	checks["Update"] = bad.Update(ctx, map[string]int64{"ok": 1, "z": 2, "junk": 1, "new": 4})
	checks["IntersectionUpdateCounts"] = bad.IntersectionUpdateCounts(ctx, map[string]int64{"ok": 1})
	checks["UnionUpdateCounts"] = bad.UnionUpdateCounts(ctx, map[string]int64{"ok": 5})
	_, checks["MostCommon"] = bad.MostCommon(ctx, 1)
	_, checks["Total"] = bad.Total(ctx)
	_, checks["Items"] = bad.Items(ctx)
	many := map[string]int64{"junk": 1}
	for i := range 5000 {
		many[strconv.Itoa(i)] = 1
	}
	checks["Update of 5,000 (in steps)"] = bad.Update(ctx, many)
	checks["IntersectionUpdateCounts of 5,000 (in steps)"] = bad.IntersectionUpdateCounts(ctx, many)
	for name, err := range checks {
		var de *hotredis.DecodeError
		if !errors.Is(err, hotredis.ErrDecode) || !errors.As(err, &de) || de.Key != bad.Key() || de.Value != "1.5" {
			t.Errorf("%s with a non-integer count: %v, want a *DecodeError of %q holding \"1.5\"", name, err, bad.Key())
		}
	}
	after, _ := rdb.HGetAll(ctx, bad.Key()).Result()
	if !maps.Equal(before, after) {
		t.Fatalf("bad input changed the counter: %v -> %v", before, after)
	}
	if err := bad.Subtract(ctx, map[string]int64{"ok": math.MinInt64}); !errors.Is(err, hotredis.ErrOverflow) {
		t.Fatalf("Subtract(MinInt64): %v", err)
	}
}

func init() {
	roles["counter-adder"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		return countMany(context.Background(), hotredis.NewCounter[string](os.Getenv("COUNTER_KEY")), 300)
	}
}

func countMany(ctx context.Context, c *hotredis.Counter[string], n int) error {
	for i := range n {
		var err error
		switch i % 3 {
		case 0:
			_, err = c.Add(ctx, "a", 2)
		case 1:
			err = c.UpdateElements(ctx, "a", "b", "b")
		case 2:
			err = c.Update(ctx, map[string]int64{"a": -1, "c": 1})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// TestCounterConcurrent has goroutines and two OS processes update one
// Counter: no update is lost.
func TestCounterConcurrent(t *testing.T) {
	c := hotredis.NewCounter[string](key(t))
	p1 := startRole(t, "counter-adder", "COUNTER_KEY="+c.Key())
	p2 := startRole(t, "counter-adder", "COUNTER_KEY="+c.Key())
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := countMany(ctx, c, 300); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := p1.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := p2.Wait(); err != nil {
		t.Fatal(err)
	}
	got, err := c.Items(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Per 3 steps: a +2 +1 -1, b +2, c +1; 100 rounds per worker, 8 workers.
	want := map[string]int64{"a": 8 * 100 * 2, "b": 8 * 100 * 2, "c": 8 * 100}
	if !maps.Equal(got, want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
}

func TestCounterCluster(t *testing.T) {
	cl := sharedCluster(t).Client(t)
	a := hotredis.NewCounter[string]("{ctr}:a", hotredis.WithClient(cl))
	b := hotredis.NewCounter[string]("{ctr}:b", hotredis.WithClient(cl))
	far := hotredis.NewCounter[string]("ctr-elsewhere", hotredis.WithClient(cl))
	a.Replace(ctx, map[string]int64{"x": 3, "y": 1})
	b.Replace(ctx, map[string]int64{"x": 1, "z": 2})
	if err := a.UnionUpdate(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Items(ctx); !maps.Equal(got, map[string]int64{"x": 3, "y": 1, "z": 2}) {
		t.Fatalf("after |=: %v", got)
	}
	if err := a.IntersectionUpdate(ctx, far); !errors.Is(err, hotredis.ErrCrossSlot) {
		t.Fatalf("&= across slots: %v", err)
	}
	if top, err := a.MostCommon(ctx, 1); err != nil || len(top) != 1 || top[0].Key != "x" {
		t.Fatalf("MostCommon = %v, %v", top, err)
	}
}

// TestCounterSubtractMinInt64: subtracting -2^63 adds 2^63, which no
// int64 holds, but the count it makes may fit (Python: Counter(a=-1)
// minus -2^63 is 2^63-1); when it does not, ErrOverflow changes nothing.
// In one script and in bounded steps.
func TestCounterSubtractMinInt64(t *testing.T) {
	for _, many := range []bool{false, true} {
		c := hotredis.NewCounter[string](key(t))
		noErr(t, c.Update(ctx, map[string]int64{"a": -1, "z": 0}))
		sub := map[string]int64{"a": math.MinInt64}
		if many { // more than one script takes: in steps
			for i := range 5000 {
				sub[strconv.Itoa(i)] = 1
			}
		}
		noErr(t, c.Subtract(ctx, sub))
		if v := must[int64](t)(c.Get(ctx, "a")); v != math.MaxInt64 {
			t.Errorf("many %v: -1 minus -2^63 = %d, want 2^63-1", many, v)
		}
		if err := c.Subtract(ctx, map[string]int64{"z": math.MinInt64, "a": 1}); !errors.Is(err, hotredis.ErrOverflow) {
			t.Errorf("many %v: 0 minus -2^63: %v, want ErrOverflow", many, err)
		}
		if v := must[int64](t)(c.Get(ctx, "a")); v != math.MaxInt64 {
			t.Errorf("many %v: after a refused Subtract a = %d, want it unchanged", many, v)
		}
		if v := must[int64](t)(c.Get(ctx, "z")); v != 0 {
			t.Errorf("many %v: after a refused Subtract z = %d, want it unchanged", many, v)
		}
		noErr(t, c.Delete(ctx))
	}
}
