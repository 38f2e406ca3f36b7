package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

// backends returns the clients every List behaviour is checked against:
// the default rueidis client, a wrapped go-redis client, and (unless
// -short) a Redis Cluster.
func backends(t *testing.T) map[string]*hotredis.Client {
	t.Helper()
	rdb := rawClient()
	t.Cleanup(func() { rdb.Close() })
	bs := map[string]*hotredis.Client{
		"rueidis": client,
		"goredis": hotredis.WrapGoRedis(rdb),
	}
	if !testing.Short() {
		bs["cluster"] = sharedCluster(t).Client(t)
	}
	return bs
}

// pyList is the model: a Go slice with Python list semantics.
type pyList []string

func clampSlice(i, n int) int {
	if i < 0 {
		i += n
		if i < 0 {
			i = 0
		}
	}
	return min(i, n)
}

func (p pyList) slice(s, e int) pyList {
	s, e = clampSlice(s, len(p)), clampSlice(e, len(p))
	if e < s {
		return pyList{}
	}
	return slices.Clone(p[s:e])
}

func (p pyList) index(i int) (int, bool) {
	if i < 0 {
		i += len(p)
	}
	return i, i >= 0 && i < len(p)
}

func (p pyList) setSlice(s, e int, vs []string) pyList {
	s, e = clampSlice(s, len(p)), clampSlice(e, len(p))
	e = max(e, s)
	out := append(slices.Clone(p[:s]), vs...)
	return append(out, p[e:]...)
}

func TestListMatchesPythonModel(t *testing.T) {
	for name, c := range backends(t) {
		t.Run(name, func(t *testing.T) {
			rounds := 1
			if name == "rueidis" {
				rounds = 4 // 400 random sequences against the main backend (10 took 25 s a pass)
			}
			for range rounds {
				checkListModel(t, name, c)
			}
		})
	}
}

func checkListModel(t *testing.T, name string, c *hotredis.Client) {
	{
		{
			rapid.Check(t, func(rt *rapid.T) {
				l := hotredis.NewList[string]("{model}:"+name, hotredis.WithClient(c))
				if err := l.Clear(ctx); err != nil {
					rt.Fatal(err)
				}
				var m pyList
				val := rapid.SampledFrom([]string{"", "a", "b", "c", "ab", "héllo", "x y"})
				idx := rapid.IntRange(-8, 8)
				rt.Repeat(map[string]func(*rapid.T){
					"Append": func(rt *rapid.T) {
						vs := rapid.SliceOfN(val, 0, 4).Draw(rt, "vs")
						n, err := l.Append(ctx, vs...)
						m = append(m, vs...)
						check(rt, err, n == len(m), "Append len %d, model %d", n, len(m))
					},
					"Insert": func(rt *rapid.T) {
						i, v := idx.Draw(rt, "i"), val.Draw(rt, "v")
						err := l.Insert(ctx, i, v)
						j := clampSlice(i, len(m))
						m = slices.Insert(m, j, v)
						check(rt, err, true, "")
					},
					"Pop": func(rt *rapid.T) {
						v, err := l.Pop(ctx)
						if len(m) == 0 {
							if !errors.Is(err, hotredis.ErrEmpty) {
								rt.Fatalf("Pop on empty: %v", err)
							}
							return
						}
						want := m[len(m)-1]
						m = m[:len(m)-1]
						check(rt, err, v == want, "Pop = %q, want %q", v, want)
					},
					"PopAt": func(rt *rapid.T) {
						i := idx.Draw(rt, "i")
						v, err := l.PopAt(ctx, i)
						j, ok := m.index(i)
						if !ok {
							if !errors.Is(err, hotredis.ErrIndexOutOfRange) {
								rt.Fatalf("PopAt(%d) of %d: %v", i, len(m), err)
							}
							return
						}
						want := m[j]
						m = slices.Delete(m, j, j+1)
						check(rt, err, v == want, "PopAt(%d) = %q, want %q", i, v, want)
					},
					"Get": func(rt *rapid.T) {
						i := idx.Draw(rt, "i")
						v, err := l.Get(ctx, i)
						j, ok := m.index(i)
						if !ok {
							if !errors.Is(err, hotredis.ErrIndexOutOfRange) {
								rt.Fatalf("Get(%d) of %d: %v", i, len(m), err)
							}
							return
						}
						check(rt, err, v == m[j], "Get(%d) = %q, want %q", i, v, m[j])
					},
					"Set": func(rt *rapid.T) {
						i, v := idx.Draw(rt, "i"), val.Draw(rt, "v")
						err := l.Set(ctx, i, v)
						j, ok := m.index(i)
						if !ok {
							if !errors.Is(err, hotredis.ErrIndexOutOfRange) {
								rt.Fatalf("Set(%d) of %d: %v", i, len(m), err)
							}
							return
						}
						m[j] = v
						check(rt, err, true, "")
					},
					"Slice": func(rt *rapid.T) {
						s, e := idx.Draw(rt, "s"), idx.Draw(rt, "e")
						got, err := l.Slice(ctx, s, e)
						want := m.slice(s, e)
						check(rt, err, slices.Equal(got, want), "Slice(%d,%d) = %q, want %q", s, e, got, want)
					},
					"SetSlice": func(rt *rapid.T) {
						s, e := idx.Draw(rt, "s"), idx.Draw(rt, "e")
						vs := rapid.SliceOfN(val, 0, 4).Draw(rt, "vs")
						err := l.SetSlice(ctx, s, e, vs...)
						m = m.setSlice(s, e, vs)
						check(rt, err, true, "")
					},
					"Remove": func(rt *rapid.T) {
						v := val.Draw(rt, "v")
						ok, err := l.Remove(ctx, v)
						i := slices.Index(m, v)
						if i >= 0 {
							m = slices.Delete(m, i, i+1)
						}
						check(rt, err, ok == (i >= 0), "Remove(%q) = %v", v, ok)
					},
					"IndexCountContains": func(rt *rapid.T) {
						v := val.Draw(rt, "v")
						i, err := l.Index(ctx, v)
						check(rt, err, i == slices.Index(m, v), "Index(%q) = %d", v, i)
						n, err := l.Count(ctx, v)
						want := 0
						for _, x := range m {
							if x == v {
								want++
							}
						}
						check(rt, err, n == want, "Count(%q) = %d, want %d", v, n, want)
						ok, err := l.Contains(ctx, v)
						check(rt, err, ok == slices.Contains(m, v), "Contains(%q) = %v", v, ok)
					},
					"Reverse": func(rt *rapid.T) {
						err := l.Reverse(ctx)
						slices.Reverse(m)
						check(rt, err, true, "")
					},
					"Sort": func(rt *rapid.T) {
						rev := rapid.Bool().Draw(rt, "reverse")
						err := l.Sort(ctx, rev)
						slices.Sort(m)
						if rev {
							slices.Reverse(m)
						}
						check(rt, err, true, "")
					},
					"Repeat": func(rt *rapid.T) {
						k := rapid.IntRange(-1, 3).Draw(rt, "n")
						n, err := l.Repeat(ctx, k)
						var out pyList
						for range k {
							out = append(out, m...)
						}
						m = out
						check(rt, err, n == len(m), "Repeat len %d, want %d", n, len(m))
					},
					"Replace": func(rt *rapid.T) {
						vs := rapid.SliceOfN(val, 0, 5).Draw(rt, "vs")
						err := l.Replace(ctx, vs...)
						m = slices.Clone(pyList(vs))
						check(rt, err, true, "")
					},
					"": func(rt *rapid.T) {
						got, err := l.Values(ctx)
						check(rt, err, slices.Equal(got, m) || (len(got) == 0 && len(m) == 0), "list %q, model %q", got, m)
						n, err := l.Len(ctx)
						check(rt, err, n == len(m), "Len %d, model %d", n, len(m))
					},
				})
			})
		}
	}
}

func check(t interface {
	Helper()
	Fatalf(string, ...any)
}, err error, ok bool, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if !ok {
		t.Fatalf(format, args...)
	}
}

func TestListSliceTable(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	if err := l.Replace(ctx, 0, 1, 2, 3, 4); err != nil {
		t.Fatal(err)
	}
	m := pyList{"0", "1", "2", "3", "4"}
	for _, c := range []struct{ s, e int }{
		{0, 5}, {1, 3}, {-2, math.MaxInt}, {0, -1}, {3, 1}, {-100, 2}, {2, 100}, {0, 0}, {-1, 0}, {5, 9}, {math.MinInt, math.MaxInt},
	} {
		got, err := l.Slice(ctx, c.s, c.e)
		if err != nil {
			t.Fatal(err)
		}
		want := m.slice(c.s, c.e)
		if fmt.Sprint(got) != "["+strings.Join(want, " ")+"]" {
			t.Errorf("Slice(%d, %d) = %v, want %v", c.s, c.e, got, want)
		}
	}
}

func TestListSortNumeric(t *testing.T) {
	l := hotredis.NewList[float64](key(t))
	if err := l.Replace(ctx, 10, -2.5, 3, 1e-7, 100); err != nil {
		t.Fatal(err)
	}
	if err := l.Sort(ctx, false); err != nil {
		t.Fatal(err)
	}
	got, _ := l.Values(ctx)
	if want := []float64{-2.5, 1e-7, 3, 10, 100}; !slices.Equal(got, want) {
		t.Errorf("numeric sort = %v, want %v", got, want)
	}
	if err := l.Sort(ctx, true); err != nil {
		t.Fatal(err)
	}
	got, _ = l.Values(ctx)
	if want := []float64{100, 10, 3, 1e-7, -2.5}; !slices.Equal(got, want) {
		t.Errorf("numeric sort desc = %v, want %v", got, want)
	}
}

// TestListHuge runs every whole-list operation on a list far above the
// ~8,000 elements where HOT Redis's unpack-based scripts fail.
func TestListHuge(t *testing.T) {
	n := scaleN() / 5 // many steps of every stepwise operation; millions are hotbench's
	if testing.Short() {
		n = 100_000
	}
	l := hotredis.NewList[int](key(t))
	vs := make([]int, n)
	for i := range vs {
		vs[i] = i
	}
	if err := l.Replace(ctx, vs...); err != nil {
		t.Fatal(err)
	}
	if i, err := l.Index(ctx, n-1); err != nil || i != n-1 {
		t.Fatalf("Index = %d, %v", i, err)
	}
	if c, err := l.Count(ctx, 7); err != nil || c != 1 {
		t.Fatalf("Count = %d, %v", c, err)
	}
	if err := l.Reverse(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := l.Get(ctx, 0); err != nil || v != n-1 {
		t.Fatalf("after Reverse, Get(0) = %d, %v", v, err)
	}
	mid := n / 2
	if err := l.Insert(ctx, mid, -1); err != nil {
		t.Fatal(err)
	}
	if v, err := l.Get(ctx, mid); err != nil || v != -1 {
		t.Fatalf("after Insert, Get(mid) = %d, %v", v, err)
	}
	if v, err := l.PopAt(ctx, mid); err != nil || v != -1 {
		t.Fatalf("PopAt(mid) = %d, %v", v, err)
	}
	if err := l.Sort(ctx, false); err != nil {
		t.Fatal(err)
	}
	if v, err := l.Get(ctx, -1); err != nil || v != n-1 {
		t.Fatalf("after Sort, Get(-1) = %d, %v", v, err)
	}
	if err := l.SetSlice(ctx, 10, n-10, 42); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Len(ctx); got != 21 {
		t.Fatalf("after SetSlice, Len = %d, want 21", got)
	}
	if _, err := l.Repeat(ctx, n/20); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Len(ctx); got != 21*(n/20) {
		t.Fatalf("after Repeat, Len = %d, want %d", got, 21*(n/20))
	}
	count := 0
	for v, err := range l.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42, n - 10}[min(count%21, 11)]; count%21 <= 11 && v != want {
			t.Fatalf("All: element %d = %d, want %d", count, v, want)
		}
		count++
	}
	if count != 21*(n/20) {
		t.Fatalf("All yielded %d elements, want %d", count, 21*(n/20))
	}
	_ = l.Delete(ctx)
}

// TestListConcurrentAppendPop: goroutines push and pop concurrently;
// every element comes out exactly once.
func TestListConcurrentAppendPop(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	const workers, each = 16, 300
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int]int{}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := l.Append(ctx, w*each+i); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 1 {
					v, err := l.Pop(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seen[v]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	rest, err := l.Values(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rest {
		seen[v]++
	}
	if len(seen) != workers*each {
		t.Fatalf("saw %d distinct elements, want %d", len(seen), workers*each)
	}
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("element %d seen %d times", v, n)
		}
	}
}

func init() {
	roles["list-appender"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		l := hotredis.NewList[string]("test:TestListProcesses")
		for i := range 500 {
			if _, err := l.Append(context.Background(), fmt.Sprintf("%d-%d", time.Now().UnixNano()%7, i)); err != nil {
				return err
			}
			if err := l.Insert(context.Background(), 0, "front"); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestListProcesses: three OS processes change one list at once; no update
// is lost.
func TestListProcesses(t *testing.T) {
	l := hotredis.NewList[string]("test:TestListProcesses")
	_ = l.Clear(ctx)
	var cmds []interface{ Wait() error }
	for range 3 {
		cmds = append(cmds, startRole(t, "list-appender"))
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	n, err := l.Len(ctx)
	if err != nil || n != 3000 {
		t.Fatalf("Len = %d, %v; want 3000", n, err)
	}
	if c, _ := l.Count(ctx, "front"); c != 1500 {
		t.Fatalf("Count(front) = %d, want 1500", c)
	}
}

func TestListBadInput(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	rdb.Set(ctx, k, "a string", 0)
	l := hotredis.NewList[string](k)
	for name, op := range map[string]func() error{
		"Append":  func() error { _, err := l.Append(ctx, "x"); return err },
		"Len":     func() error { _, err := l.Len(ctx); return err },
		"Insert":  func() error { return l.Insert(ctx, 0, "x") },
		"Reverse": func() error { return l.Reverse(ctx) },
		"Count":   func() error { _, err := l.Count(ctx, "x"); return err },
		"Values":  func() error { _, err := l.Values(ctx); return err },
	} {
		err := op()
		if !errors.Is(err, hotredis.ErrWrongType) || !strings.Contains(err.Error(), k) {
			t.Errorf("%s on a string key: %v, want ErrWrongType naming the key", name, err)
		}
	}
	if s, _ := rdb.Get(ctx, k).Result(); s != "a string" {
		t.Errorf("wrong-type key changed to %q", s)
	}

	// An element that is not an int: ErrDecode with key and value, nothing lost.
	k2 := key(t, "ints")
	rdb.RPush(ctx, k2, "1", "two", "3")
	li := hotredis.NewList[int](k2)
	_, err := li.Values(ctx)
	var de *hotredis.DecodeError
	if !errors.Is(err, hotredis.ErrDecode) || !errors.As(err, &de) || de.Key != k2 || de.Value != "two" {
		t.Errorf("Values with a bad element: %v", err)
	}
	if _, err := li.Get(ctx, 1); !errors.Is(err, hotredis.ErrDecode) {
		t.Errorf("Get of a bad element: %v", err)
	}
	if n, _ := rdb.LLen(ctx, k2).Result(); n != 3 {
		t.Errorf("list length after decode errors = %d, want 3", n)
	}

	// A cancelled context: an error, and nothing written.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := li.Append(cctx, 4); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with cancelled ctx: %v", err)
	}
	if n, _ := rdb.LLen(ctx, k2).Result(); n != 3 {
		t.Errorf("cancelled Append changed the list")
	}

	// A codec of the wrong type is reported by every call.
	bad := hotredis.NewList[int](key(t, "bad"), hotredis.WithCodec[string](hotredis.JSONCodec[string]()))
	if _, err := bad.Len(ctx); err == nil || !strings.Contains(err.Error(), "codec") {
		t.Errorf("wrong codec: %v", err)
	}
}

// TestListStorageIsHOTRedisLayout: the bytes in Redis are what HOT Redis
// writes, so Python programs can share the key.
func TestListStorageIsHOTRedisLayout(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	type check struct {
		push func(k string) error
		want []string
	}
	cases := map[string]check{
		"string": {func(k string) error { _, err := hotredis.NewList[string](k).Append(ctx, "héllo", ""); return err }, []string{"héllo", ""}},
		"int": {func(k string) error {
			_, err := hotredis.NewList[int64](k).Append(ctx, -42, 9007199254740993)
			return err
		}, []string{"-42", "9007199254740993"}},
		"float": {func(k string) error {
			_, err := hotredis.NewList[float64](k).Append(ctx, 3, 0.1, 1e-7, 1e16)
			return err
		}, []string{"3.0", "0.1", "1e-07", "1e+16"}},
		"bool": {func(k string) error { _, err := hotredis.NewList[bool](k).Append(ctx, true, false); return err }, []string{"True", "False"}},
		"struct": {func(k string) error {
			_, err := hotredis.NewList[struct{ A int }](k).Append(ctx, struct{ A int }{1})
			return err
		}, []string{`{"A":1}`}},
		"time": {func(k string) error {
			_, err := hotredis.NewList[time.Time](k).Append(ctx, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			return err
		}, []string{"2026-01-02T03:04:05Z"}},
	}
	for name, c := range cases {
		k := key(t, name)
		if err := c.push(k); err != nil {
			t.Fatal(err)
		}
		got, _ := rdb.LRange(ctx, k, 0, -1).Result()
		if !slices.Equal(got, c.want) {
			t.Errorf("%s stored as %q, want %q", name, got, c.want)
		}
	}
	// And what Python wrote reads back as Go values.
	k := key(t, "py")
	rdb.RPush(ctx, k, "1.5", "inf", "0.0000001", "2")
	got, err := hotredis.NewList[float64](k).Values(ctx)
	if err != nil || !slices.Equal(got, []float64{1.5, math.Inf(1), 1e-7, 2}) {
		t.Errorf("reading Python floats: %v, %v", got, err)
	}
}

func TestListExpiryKeptByRewrites(t *testing.T) {
	l := hotredis.NewList[string](key(t))
	_ = l.Replace(ctx, "b", "a", "c")
	if ok, err := l.Expire(ctx, time.Hour); err != nil || !ok {
		t.Fatalf("Expire = %v, %v", ok, err)
	}
	for name, op := range map[string]func() error{
		"Reverse":  func() error { return l.Reverse(ctx) },
		"Sort":     func() error { return l.Sort(ctx, false) },
		"SetSlice": func() error { return l.SetSlice(ctx, 0, 3, "x", "y") },
	} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
		if ttl, err := l.TTL(ctx); err != nil || ttl < 59*time.Minute {
			t.Errorf("after %s, TTL = %v, %v", name, ttl, err)
		}
	}
	if ok, err := l.Persist(ctx); err != nil || !ok {
		t.Errorf("Persist = %v, %v", ok, err)
	}
	if ttl, _ := l.TTL(ctx); ttl != hotredis.NoTTL {
		t.Errorf("TTL after Persist = %v", ttl)
	}
	_ = l.Delete(ctx)
	if ttl, _ := l.TTL(ctx); ttl != hotredis.Missing {
		t.Errorf("TTL after Delete = %v", ttl)
	}
	if ok, _ := l.Exists(ctx); ok {
		t.Error("Exists after Delete")
	}
}

func TestGeneratedKey(t *testing.T) {
	a, b := hotredis.NewList[int](""), hotredis.NewList[int]("")
	if a.Key() == "" || a.Key() == b.Key() {
		t.Fatalf("generated keys %q and %q", a.Key(), b.Key())
	}
}

// TestListSortOfFloatsSORTRefuses: a short List[float64] holding a
// subnormal or a NaN, which Redis's SORT refuses, sorts all the same, as
// slices.Sort would (NaN first).
func TestListSortOfFloatsSORTRefuses(t *testing.T) {
	l := hotredis.NewList[float64](key(t))
	defer l.Delete(ctx)
	for _, reverse := range []bool{false, true} {
		in := []float64{1.0, 5e-324, math.NaN(), 0.5, -2}
		noErr(t, l.Replace(ctx, in...))
		noErr(t, l.Sort(ctx, reverse))
		want := slices.Clone(in)
		slices.Sort(want)
		if reverse {
			slices.Reverse(want)
		}
		got := must[[]float64](t)(l.Values(ctx))
		if !slices.EqualFunc(got, want, func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }) {
			t.Errorf("Sort(reverse %v) = %v, want %v", reverse, got, want)
		}
	}
}

// TestListEdgesOfTypeAndSize: a key of another type is refused and left
// alone by Repeat(0) and by a Sort inside a transaction (SORT ... STORE
// would store a list over a set); an empty list repeats to empty however
// many times; a result past a Redis list's length is ErrInvalidArgument
// and changes nothing; appending nothing inside a transaction is no error.
func TestListEdgesOfTypeAndSize(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	set, hash := key(t, "set"), key(t, "hash")
	noErr(t, rdb.SAdd(ctx, set, "3", "1", "2").Err())
	noErr(t, rdb.HSet(ctx, hash, "f", "v").Err())
	defer rdb.Del(ctx, set, hash)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		return hotredis.NewList[int](set).Sort(ctx, false)
	})
	if typ := rdb.Type(ctx, set).Val(); !errors.Is(err, hotredis.ErrWrongType) || typ != "set" || rdb.SCard(ctx, set).Val() != 3 {
		t.Errorf("Sort of a set in a transaction = %v, the key now a %s; want ErrWrongType, the set intact", err, typ)
	}
	if _, err := hotredis.NewList[string](hash).Repeat(ctx, 0); !errors.Is(err, hotredis.ErrWrongType) || rdb.HGet(ctx, hash, "f").Val() != "v" {
		t.Errorf("Repeat(0) of a hash = %v; want ErrWrongType, the hash intact", err)
	}

	empty := hotredis.NewList[string](key(t, "empty"))
	if n, err := empty.Repeat(ctx, 1<<33); n != 0 || err != nil {
		t.Errorf("an empty list repeated 2^33 times = %d, %v; want 0, nil (Python: [] * 2**33 == [])", n, err)
	}
	l := hotredis.NewList[string](key(t, "list"))
	defer l.Delete(ctx)
	must[int](t)(l.Append(ctx, "a", "b"))
	for _, n := range []int{1 << 31, 1 << 40} {
		if _, err := l.Repeat(ctx, n); !errors.Is(err, hotredis.ErrInvalidArgument) {
			t.Errorf("Repeat(%d) of 2 elements = %v, want ErrInvalidArgument", n, err)
		}
	}
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := l.Append(ctx)
		return err
	}))
	if got := must[[]string](t)(l.Values(ctx)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("after the refused and empty calls: %q, want [a b]", got)
	}
}
