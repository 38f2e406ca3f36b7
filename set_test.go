package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

// model is an in-memory set of strings.
type model map[string]bool

func modelOf(vs ...string) model {
	m := model{}
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func (m model) sorted() []string { return slices.Sorted(maps.Keys(m)) }

func sortedCopy(vs []string) []string {
	out := slices.Clone(vs)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func sameMembers(t fataler, what string, got []string, want model) {
	t.Helper()
	g, w := sortedCopy(got), want.sorted()
	if w == nil {
		w = []string{}
	}
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got %q, want %q", what, g, w)
	}
}

// TestSetModel applies random operations to two Sets sharing a hash tag
// and to two Go maps, and compares them after every step.
func TestSetModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		tag := fmt.Sprintf("{%s}", key(t))
		a := hotredis.NewSet[string](tag + ":a")
		b := hotredis.NewSet[string](tag + ":b")
		if err := a.Clear(ctx); err != nil {
			rt.Fatal(err)
		}
		if err := b.Clear(ctx); err != nil {
			rt.Fatal(err)
		}
		ma, mb := model{}, model{}
		elem := rapid.SampledFrom([]string{"", "a", "b", "c", "d", "e", "é", "x y"})
		elems := rapid.SliceOfN(elem, 0, 6)
		check := func(op string, err error) {
			if err != nil {
				rt.Fatalf("%s: %v", op, err)
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"": func(rt *rapid.T) {
				got, err := a.Members(ctx)
				check("Members", err)
				sameMembers(rt, "a", got, ma)
				got, err = b.Members(ctx)
				check("Members", err)
				sameMembers(rt, "b", got, mb)
			},
			"Add": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				n, err := a.Add(ctx, vs...)
				check("Add", err)
				want := 0
				for v := range modelOf(vs...) {
					if !ma[v] {
						want++
						ma[v] = true
					}
				}
				if n != want {
					rt.Fatalf("Add returned %d, want %d", n, want)
				}
			},
			"AddB": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				_, err := b.Add(ctx, vs...)
				check("Add", err)
				for _, v := range vs {
					mb[v] = true
				}
			},
			"Remove": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				n, err := a.Remove(ctx, vs...)
				check("Remove", err)
				want := 0
				for v := range modelOf(vs...) {
					if ma[v] {
						want++
						delete(ma, v)
					}
				}
				if n != want {
					rt.Fatalf("Remove returned %d, want %d", n, want)
				}
			},
			"Contains": func(rt *rapid.T) {
				v := elem.Draw(rt, "v")
				ok, err := a.Contains(ctx, v)
				check("Contains", err)
				if ok != ma[v] {
					rt.Fatalf("Contains(%q) = %v", v, ok)
				}
			},
			"Len": func(rt *rapid.T) {
				n, err := a.Len(ctx)
				check("Len", err)
				if n != len(ma) {
					rt.Fatalf("Len = %d, want %d", n, len(ma))
				}
			},
			"Pop": func(rt *rapid.T) {
				v, err := a.Pop(ctx)
				if len(ma) == 0 {
					if !errors.Is(err, hotredis.ErrEmpty) {
						rt.Fatalf("Pop on empty: %v", err)
					}
					return
				}
				check("Pop", err)
				if !ma[v] {
					rt.Fatalf("Pop returned %q, not a member", v)
				}
				delete(ma, v)
			},
			"Random": func(rt *rapid.T) {
				v, err := a.Random(ctx)
				if len(ma) == 0 {
					if !errors.Is(err, hotredis.ErrEmpty) {
						rt.Fatalf("Random on empty: %v", err)
					}
					return
				}
				check("Random", err)
				if !ma[v] {
					rt.Fatalf("Random returned %q, not a member", v)
				}
			},
			"Replace": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				check("Replace", a.Replace(ctx, vs...))
				ma = modelOf(vs...)
			},
			"Algebra": func(rt *rapid.T) {
				u, err := a.Union(ctx, b)
				check("Union", err)
				sameMembers(rt, "Union", u, union(ma, mb))
				i, err := a.Intersection(ctx, b)
				check("Intersection", err)
				sameMembers(rt, "Intersection", i, inter(ma, mb))
				d, err := a.Difference(ctx, b)
				check("Difference", err)
				sameMembers(rt, "Difference", d, diff(ma, mb))
				x, err := a.SymmetricDifference(ctx, b)
				check("SymmetricDifference", err)
				sameMembers(rt, "SymmetricDifference", x, xor(ma, mb))
				x, err = a.SymmetricDifference(ctx, b, a, b)
				check("SymmetricDifference3", err)
				sameMembers(rt, "SymmetricDifference(b, a, b)", x, model{})
				for name, f := range map[string]func(context.Context, *hotredis.Set[string]) (bool, error){
					"IsSubset": a.IsSubset, "IsSuperset": a.IsSuperset, "IsDisjoint": a.IsDisjoint, "Equal": a.Equal,
				} {
					got, err := f(ctx, b)
					check(name, err)
					if want := compare(name, ma, mb); got != want {
						rt.Fatalf("%s = %v, want %v (a=%v b=%v)", name, got, want, ma.sorted(), mb.sorted())
					}
				}
			},
			"AlgebraValues": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				mv := modelOf(vs...)
				u, err := a.UnionValues(ctx, vs...)
				check("UnionValues", err)
				sameMembers(rt, "UnionValues", u, union(ma, mv))
				i, err := a.IntersectionValues(ctx, vs...)
				check("IntersectionValues", err)
				sameMembers(rt, "IntersectionValues", i, inter(ma, mv))
				d, err := a.DifferenceValues(ctx, vs...)
				check("DifferenceValues", err)
				sameMembers(rt, "DifferenceValues", d, diff(ma, mv))
				x, err := a.SymmetricDifferenceValues(ctx, vs...)
				check("SymmetricDifferenceValues", err)
				sameMembers(rt, "SymmetricDifferenceValues", x, xor(ma, mv))
				for name, f := range map[string]func(context.Context, ...string) (bool, error){
					"IsSubset": a.IsSubsetValues, "IsSuperset": a.IsSupersetValues, "IsDisjoint": a.IsDisjointValues, "Equal": a.EqualValues,
				} {
					got, err := f(ctx, vs...)
					check(name, err)
					if want := compare(name, ma, mv); got != want {
						rt.Fatalf("%sValues = %v, want %v (a=%v vs=%q)", name, got, want, ma.sorted(), vs)
					}
				}
			},
			"Update": func(rt *rapid.T) {
				op := rapid.SampledFrom([]string{"union", "inter", "diff", "xor", "self"}).Draw(rt, "op")
				var err error
				switch op {
				case "union":
					err, ma = a.UnionUpdate(ctx, b), union(ma, mb)
				case "inter":
					err, ma = a.IntersectionUpdate(ctx, b), inter(ma, mb)
				case "diff":
					err, ma = a.DifferenceUpdate(ctx, b), diff(ma, mb)
				case "xor":
					err, ma = a.SymmetricDifferenceUpdate(ctx, b), xor(ma, mb)
				case "self":
					err, ma = a.SymmetricDifferenceUpdate(ctx, a, b), mb.clone()
				}
				check(op, err)
			},
			"UpdateValues": func(rt *rapid.T) {
				vs := elems.Draw(rt, "vs")
				mv := modelOf(vs...)
				op := rapid.SampledFrom([]string{"union", "inter", "diff", "xor"}).Draw(rt, "op")
				var err error
				switch op {
				case "union":
					err, ma = a.UnionUpdateValues(ctx, vs...), union(ma, mv)
				case "inter":
					err, ma = a.IntersectionUpdateValues(ctx, vs...), inter(ma, mv)
				case "diff":
					err, ma = a.DifferenceUpdateValues(ctx, vs...), diff(ma, mv)
				case "xor":
					err, ma = a.SymmetricDifferenceUpdateValues(ctx, vs...), xor(ma, mv)
				}
				check(op+"Values", err)
			},
		})
	})
}

func (m model) clone() model { return maps.Clone(m) }

func union(a, b model) model {
	out := a.clone()
	maps.Copy(out, b)
	return out
}

func inter(a, b model) model {
	out := model{}
	for v := range a {
		if b[v] {
			out[v] = true
		}
	}
	return out
}

func diff(a, b model) model {
	out := model{}
	for v := range a {
		if !b[v] {
			out[v] = true
		}
	}
	return out
}

func xor(a, b model) model { return union(diff(a, b), diff(b, a)) }

func compare(name string, a, b model) bool {
	switch name {
	case "IsSubset":
		return len(diff(a, b)) == 0
	case "IsSuperset":
		return len(diff(b, a)) == 0
	case "IsDisjoint":
		return len(inter(a, b)) == 0
	}
	return len(xor(a, b)) == 0
}

func TestSetAll(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	want := make([]int, 5000)
	for i := range want {
		want[i] = i
	}
	if err := s.Replace(ctx, want...); err != nil {
		t.Fatal(err)
	}
	var got []int
	for v, err := range s.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	if !slices.Equal(got, want) {
		t.Fatalf("All gave %d distinct members, want %d", len(got), len(want))
	}
	// Stopping early is fine.
	for range s.All(ctx) {
		break
	}
}

func TestSetExpiryKept(t *testing.T) {
	s := hotredis.NewSet[string](key(t))
	o := hotredis.NewSet[string](key(t, "other"))
	s.Replace(ctx, "a", "b", "c")
	o.Replace(ctx, "b", "c", "d")
	if _, err := s.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error { return s.IntersectionUpdate(ctx, o) },
		func() error { return s.IntersectionUpdateValues(ctx, "b", "c", "x") },
		func() error { return s.UnionUpdate(ctx, o) },
		func() error { return s.SymmetricDifferenceUpdateValues(ctx, "q") },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		if ttl, err := s.TTL(ctx); err != nil || ttl <= 0 {
			t.Fatalf("TTL after update = %v, %v", ttl, err)
		}
	}
	if n, _ := rawClient().Exists(ctx, s.Key()+":tmp", "{"+s.Key()+"}:tmp").Result(); n != 0 {
		t.Fatalf("scratch key left behind")
	}
}

func TestSetBadInput(t *testing.T) {
	rdb := rawClient()
	k := key(t)
	rdb.Set(ctx, k, "a string", 0)
	s := hotredis.NewSet[string](k)
	ok := hotredis.NewSet[string](key(t, "ok"))
	ok.Replace(ctx, "a")
	checks := map[string]error{}
	_, checks["Add"] = s.Add(ctx, "x")
	_, checks["Members"] = s.Members(ctx)
	_, checks["Union"] = ok.Union(ctx, s)
	checks["UnionUpdate"] = ok.UnionUpdate(ctx, s)
	checks["IntersectionUpdate"] = ok.IntersectionUpdate(ctx, s)
	checks["SymmetricDifferenceUpdate"] = ok.SymmetricDifferenceUpdate(ctx, s)
	checks["SymmetricDifferenceUpdate self"] = s.SymmetricDifferenceUpdate(ctx, ok)
	checks["IntersectionUpdateValues"] = s.IntersectionUpdateValues(ctx, "a")
	checks["UnionUpdateValues"] = s.UnionUpdateValues(ctx, "a")
	_, checks["IsSubsetValues"] = s.IsSubsetValues(ctx)
	_, checks["IsSubset"] = s.IsSubset(ctx, ok)
	_, checks["SymmetricDifference"] = ok.SymmetricDifference(ctx, s)
	for name, err := range checks {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a string key: %v, want ErrWrongType", name, err)
		}
	}
	if v, _ := rdb.Get(ctx, k).Result(); v != "a string" {
		t.Fatalf("wrong-type key changed to %q", v)
	}
	if m, _ := ok.Members(ctx); !slices.Equal(m, []string{"a"}) {
		t.Fatalf("other set changed to %q", m)
	}

	// An undecodable member: ErrDecode naming the key and the value.
	ints := hotredis.NewSet[int](key(t, "ints"))
	rdb.SAdd(ctx, ints.Key(), "1", "two")
	_, err := ints.Members(ctx)
	var de *hotredis.DecodeError
	if !errors.Is(err, hotredis.ErrDecode) || !errors.As(err, &de) || de.Value != "two" || de.Key != ints.Key() {
		t.Fatalf("Members with a bad member: %v", err)
	}
	var iterErr error
	for _, err := range ints.All(ctx) {
		iterErr = err
	}
	if !errors.Is(iterErr, hotredis.ErrDecode) {
		t.Fatalf("All with a bad member: %v", iterErr)
	}
}

func TestSetInTransaction(t *testing.T) {
	s := hotredis.NewSet[string](key(t))
	o := hotredis.NewSet[string](key(t, "o"))
	o.Replace(ctx, "b", "c")
	err := client.Transaction(ctx, func(ctx context.Context) error {
		s.Add(ctx, "a", "b")
		s.UnionUpdate(ctx, o)
		s.DifferenceUpdateValues(ctx, "c")
		if _, err := s.Members(ctx); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("read in a transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Members(ctx)
	sameMembers(t, "after transaction", got, modelOf("a", "b"))

	// Optimistic: read live, then write.
	err = client.Optimistic(ctx, func(ctx context.Context) error {
		sub, err := s.IsSupersetValues(ctx, "a")
		if err != nil || !sub {
			return fmt.Errorf("IsSupersetValues = %v, %v", sub, err)
		}
		return s.IntersectionUpdateValues(ctx, "a")
	}, s)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = s.Members(ctx)
	sameMembers(t, "after optimistic", got, modelOf("a"))
}

// TestSetLarge checks that algebra with more values than one chunk (and
// than Lua's unpack limit) works, in one step.
func TestSetLarge(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	const n = 30000
	vs := make([]int, n)
	for i := range vs {
		vs[i] = i
	}
	if err := s.Replace(ctx, vs...); err != nil {
		t.Fatal(err)
	}
	evens := make([]int, 0, n/2)
	for i := 0; i < 2*n; i += 2 {
		evens = append(evens, i)
	}
	if err := s.SymmetricDifferenceUpdateValues(ctx, evens...); err != nil {
		t.Fatal(err)
	}
	// odds below n, evens from n to 2n.
	if l, _ := s.Len(ctx); l != n {
		t.Fatalf("Len = %d, want %d", l, n)
	}
	if err := s.IntersectionUpdateValues(ctx, evens...); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Len(ctx); l != n/2 {
		t.Fatalf("Len = %d, want %d", l, n/2)
	}
	o := hotredis.NewSet[int](key(t, "other"))
	o.Replace(ctx, vs...)
	if err := s.UnionUpdate(ctx, o); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Len(ctx); l != n+n/2 {
		t.Fatalf("Len = %d, want %d", l, n+n/2)
	}
	if err := s.DifferenceUpdate(ctx, o); err != nil {
		t.Fatal(err)
	}
	if sup, err := s.IsSubsetValues(ctx, evens...); err != nil || !sup {
		t.Fatalf("IsSubsetValues = %v, %v", sup, err)
	}
}

func init() {
	roles["set-adder"] = func() error {
		c, err := roleClient()
		if err != nil {
			return err
		}
		defer c.Close()
		return addMembers(context.Background(), hotredis.NewSet[string](os.Getenv("SET_KEY")), os.Getenv("SET_PREFIX"), 500)
	}
}

func addMembers(ctx context.Context, s *hotredis.Set[string], prefix string, n int) error {
	for i := range n {
		if _, err := s.Add(ctx, prefix+strconv.Itoa(i)); err != nil {
			return err
		}
		if i%3 == 0 {
			if err := s.SymmetricDifferenceUpdateValues(ctx, prefix+"x", prefix+"x"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestSetConcurrent has goroutines and two OS processes add to one Set at
// once: nothing is lost.
func TestSetConcurrent(t *testing.T) {
	s := hotredis.NewSet[string](key(t))
	p1 := startRole(t, "set-adder", "SET_KEY="+s.Key(), "SET_PREFIX=p1-")
	p2 := startRole(t, "set-adder", "SET_KEY="+s.Key(), "SET_PREFIX=p2-")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := addMembers(ctx, s, fmt.Sprintf("g%d-", g), 200); err != nil {
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
	// Each adder leaves n members, plus its "x" toggled an odd or even
	// number of times, plus one "x<i>" for each i%3 == 0.
	want := 0
	for _, n := range []int{500, 500, 200, 200, 200, 200, 200, 200, 200, 200} {
		toggles := (n + 2) / 3
		want += n + toggles + toggles%2
	}
	if n, err := s.Len(ctx); err != nil || n != want {
		t.Fatalf("Len = %d, %v; want %d", n, err, want)
	}
}

func TestSetCluster(t *testing.T) {
	c := sharedCluster(t).Client(t)
	a := hotredis.NewSet[string]("{sets}:a", hotredis.WithClient(c))
	b := hotredis.NewSet[string]("{sets}:b", hotredis.WithClient(c))
	far := hotredis.NewSet[string]("elsewhere:"+t.Name(), hotredis.WithClient(c))
	a.Replace(ctx, "1", "2", "3")
	b.Replace(ctx, "2", "3", "4")
	far.Replace(ctx, "3")
	if err := a.IntersectionUpdate(ctx, b); err != nil {
		t.Fatal(err)
	}
	x, err := a.SymmetricDifference(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	sameMembers(t, "SymmetricDifference", x, modelOf("4"))
	if err := a.IntersectionUpdateValues(ctx, "3"); err != nil {
		t.Fatal(err)
	}
	if sub, err := a.IsSubset(ctx, b); err != nil || !sub {
		t.Fatalf("IsSubset = %v, %v", sub, err)
	}
	for name, err := range map[string]error{
		"UnionUpdate": a.UnionUpdate(ctx, far),
		"Union":       second(a.Union(ctx, b, far)),
		"IsSubset":    second(a.IsSubset(ctx, far)),
	} {
		if !errors.Is(err, hotredis.ErrCrossSlot) {
			t.Errorf("%s across slots: %v, want ErrCrossSlot", name, err)
		}
	}
}

func second[A any](_ A, err error) error { return err }

// TestSetUpdatesWithItselfAmongTheOthers: each in-place algebra that names
// the set itself among the others leaves what Python's chained operators
// give from the sets as they were (s ^ a ^ s is a), and what the read of
// the same algebra returns, on a small set (one script) and a big one
// (bounded steps).
func TestSetUpdatesWithItselfAmongTheOthers(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "s"))
	a := hotredis.NewSet[int](key(t, "a"))
	b := hotredis.NewSet[int](key(t, "b"))
	defer s.Delete(ctx)
	defer a.Delete(ctx)
	defer b.Delete(ctx)
	type algebra struct {
		read   func(...*hotredis.Set[int]) ([]int, error)
		update func(...*hotredis.Set[int]) error
		model  func(x, y map[int]bool) map[int]bool
	}
	ops := map[string]algebra{
		"union": {func(o ...*hotredis.Set[int]) ([]int, error) { return s.Union(ctx, o...) },
			func(o ...*hotredis.Set[int]) error { return s.UnionUpdate(ctx, o...) },
			func(x, y map[int]bool) map[int]bool { maps.Copy(x, y); return x }},
		"intersection": {func(o ...*hotredis.Set[int]) ([]int, error) { return s.Intersection(ctx, o...) },
			func(o ...*hotredis.Set[int]) error { return s.IntersectionUpdate(ctx, o...) },
			func(x, y map[int]bool) map[int]bool { return keep(x, y, true) }},
		"difference": {func(o ...*hotredis.Set[int]) ([]int, error) { return s.Difference(ctx, o...) },
			func(o ...*hotredis.Set[int]) error { return s.DifferenceUpdate(ctx, o...) },
			func(x, y map[int]bool) map[int]bool { return keep(x, y, false) }},
		"symmetric difference": {func(o ...*hotredis.Set[int]) ([]int, error) { return s.SymmetricDifference(ctx, o...) },
			func(o ...*hotredis.Set[int]) error { return s.SymmetricDifferenceUpdate(ctx, o...) },
			func(x, y map[int]bool) map[int]bool {
				for v := range y {
					if x[v] {
						delete(x, v)
					} else {
						x[v] = true
					}
				}
				return x
			}},
	}
	for _, big := range []bool{false, true} {
		contents := [][]int{{1, 2}, {2, 3}, {3, 4}}
		if big { // more members than one script visits
			contents[1] = append(contents[1], ints(10, 5010, 1)...)
		}
		for _, order := range [][]int{{1, 0}, {0, 1}, {1, 0, 2}, {2, 0, 1, 0}} {
			for name, op := range ops {
				sets := []*hotredis.Set[int]{s, a, b}
				for i, set := range sets {
					noErr(t, set.Replace(ctx, contents[i]...))
				}
				var others []*hotredis.Set[int]
				model := intSet(contents[0])
				for _, i := range order {
					others = append(others, sets[i])
					model = op.model(model, intSet(contents[i]))
				}
				read := must[[]int](t)(op.read(others...))
				noErr(t, op.update(others...))
				got := must[[]int](t)(s.Members(ctx))
				want := slices.Sorted(maps.Keys(model))
				slices.Sort(read)
				slices.Sort(got)
				if !slices.Equal(got, want) || !slices.Equal(read, want) {
					t.Errorf("big %v, %s with others %v: update leaves %d members, read gives %d, Python %d", big, name, order, len(got), len(read), len(want))
				}
			}
		}
	}
}

// keep returns x's members that are (in true) or are not (in false) in y.
func keep(x, y map[int]bool, in bool) map[int]bool {
	maps.DeleteFunc(x, func(v int, _ bool) bool { return y[v] != in })
	return x
}
