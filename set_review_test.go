package hotredis_test

// Tests from a review (2026-12-06) of Set and its algebra that passed from
// the start. (Its one failing test, a Set[float64] holding 0.0 and -0.0
// as two members, is described in that session's closing note.)

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

func setReviewSorted(t *testing.T) func(vs []int, err error) []int {
	return func(vs []int, err error) []int { return setReviewSort(t, vs, err) }
}

func setReviewSort(t *testing.T, vs []int, err error) []int {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	out := slices.Clone(vs)
	slices.Sort(out)
	if out == nil {
		out = []int{}
	}
	return out
}

// TestSetReviewEmptyAndMissing: Python semantics on missing/empty sets
// and comparisons with themselves.
func TestSetReviewEmptyAndMissing(t *testing.T) {
	e := hotredis.NewSet[int](key(t, "e"))
	f := hotredis.NewSet[int](key(t, "f"))
	s := hotredis.NewSet[int](key(t, "s"))
	defer s.Delete(ctx)
	noErr(t, s.Replace(ctx, 1, 2))
	type rel struct {
		name string
		got  func() (bool, error)
		want bool
	}
	for _, r := range []rel{
		{"e<=f", func() (bool, error) { return e.IsSubset(ctx, f) }, true},
		{"e>=f", func() (bool, error) { return e.IsSuperset(ctx, f) }, true},
		{"e==f", func() (bool, error) { return e.Equal(ctx, f) }, true},
		{"e disjoint f", func() (bool, error) { return e.IsDisjoint(ctx, f) }, true},
		{"e disjoint e", func() (bool, error) { return e.IsDisjoint(ctx, e) }, true},
		{"s disjoint s", func() (bool, error) { return s.IsDisjoint(ctx, s) }, false},
		{"s<=s", func() (bool, error) { return s.IsSubset(ctx, s) }, true},
		{"s==s", func() (bool, error) { return s.Equal(ctx, s) }, true},
		{"s<=e", func() (bool, error) { return s.IsSubset(ctx, e) }, false},
		{"s>=e", func() (bool, error) { return s.IsSuperset(ctx, e) }, true},
		{"e<=s", func() (bool, error) { return e.IsSubset(ctx, s) }, true},
		{"e<= values()", func() (bool, error) { return e.IsSubsetValues(ctx) }, true},
		{"e== values()", func() (bool, error) { return e.EqualValues(ctx) }, true},
		{"e disjoint values()", func() (bool, error) { return e.IsDisjointValues(ctx) }, true},
		{"s>= values()", func() (bool, error) { return s.IsSupersetValues(ctx) }, true},
		{"s== values(2,1,1)", func() (bool, error) { return s.EqualValues(ctx, 2, 1, 1) }, true},
		{"s>= values(1,1)", func() (bool, error) { return s.IsSupersetValues(ctx, 1, 1) }, true},
		{"s<= values(1,1,2,3)", func() (bool, error) { return s.IsSubsetValues(ctx, 1, 1, 2, 3) }, true},
	} {
		got, err := r.got()
		if err != nil || got != r.want {
			t.Errorf("%s = %v, %v; want %v", r.name, got, err, r.want)
		}
	}
	if _, err := e.Pop(ctx); !errors.Is(err, hotredis.ErrEmpty) {
		t.Errorf("Pop of missing set: %v", err)
	}
	if _, err := e.Random(ctx); !errors.Is(err, hotredis.ErrEmpty) {
		t.Errorf("Random of missing set: %v", err)
	}
	if n, err := s.Remove(ctx, 9); n != 0 || err != nil {
		t.Errorf("Remove of a missing member = %d, %v", n, err)
	}
	// Algebra with missing sets.
	if got := setReviewSorted(t)(s.Union(ctx, e, f)); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("Union with missing = %v", got)
	}
	if got := setReviewSorted(t)(s.Intersection(ctx, e)); len(got) != 0 {
		t.Errorf("Intersection with missing = %v", got)
	}
	if got := setReviewSorted(t)(e.Difference(ctx, s)); len(got) != 0 {
		t.Errorf("missing - s = %v", got)
	}
	if got := setReviewSorted(t)(e.SymmetricDifference(ctx, s)); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("missing ^ s = %v", got)
	}
	if got := setReviewSorted(t)(s.SymmetricDifference(ctx, s)); len(got) != 0 {
		t.Errorf("s ^ s = %v", got)
	}
	if got := setReviewSorted(t)(s.IntersectionValues(ctx, 2, 2, 3)); !slices.Equal(got, []int{2}) {
		t.Errorf("IntersectionValues = %v", got)
	}
	if got := setReviewSorted(t)(s.SymmetricDifferenceValues(ctx, 2, 3, 3)); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("SymmetricDifferenceValues = %v", got)
	}
	if got := setReviewSorted(t)(s.UnionValues(ctx, 3, 3, 1)); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("UnionValues = %v", got)
	}
	// In-place with a missing other.
	noErr(t, e.UnionUpdate(ctx, f))
	noErr(t, e.SymmetricDifferenceUpdate(ctx, s))
	if got := setReviewSorted(t)(e.Members(ctx)); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("missing ^= s leaves %v", got)
	}
	noErr(t, e.IntersectionUpdate(ctx, f))
	if n, _ := rawClient().Exists(ctx, e.Key()).Result(); n != 0 {
		t.Errorf("e &= missing leaves the key")
	}
	noErr(t, s.SymmetricDifferenceUpdateValues(ctx, 2, 3, 3))
	if got := setReviewSorted(t)(s.Members(ctx)); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("s ^= {2,3,3} leaves %v", got)
	}
}

// TestSetReviewWrongTypeMore: wrong-type keys on the paths TestSetBadInput
// leaves out: a typed error and nothing changed.
func TestSetReviewWrongTypeMore(t *testing.T) {
	rdb := rawClient()
	k := key(t, "str")
	rdb.Set(ctx, k, "a string", 0)
	defer rdb.Del(ctx, k)
	w := hotredis.NewSet[int](k)
	ok := hotredis.NewSet[int](key(t, "ok"))
	defer ok.Delete(ctx)
	noErr(t, ok.Replace(ctx, 1, 2))
	many := ints(0, 5000, 1)
	checks := map[string]error{}
	checks["IntersectionUpdateValues()"] = w.IntersectionUpdateValues(ctx)
	checks["IntersectionUpdateValues(many)"] = w.IntersectionUpdateValues(ctx, many...)
	checks["SymmetricDifferenceUpdateValues(many)"] = w.SymmetricDifferenceUpdateValues(ctx, many...)
	checks["DifferenceUpdateValues(many)"] = w.DifferenceUpdateValues(ctx, many...)
	checks["UnionUpdateValues(many)"] = w.UnionUpdateValues(ctx, many...)
	checks["DifferenceUpdateValues"] = w.DifferenceUpdateValues(ctx, 1)
	checks["DifferenceUpdate other"] = ok.DifferenceUpdate(ctx, w)
	checks["DifferenceUpdate self"] = w.DifferenceUpdate(ctx, ok)
	checks["IntersectionUpdate self"] = w.IntersectionUpdate(ctx, ok)
	checks["Clear-free Replace"] = nil
	_, checks["Pop"] = w.Pop(ctx)
	_, checks["Random"] = w.Random(ctx)
	_, checks["Len"] = w.Len(ctx)
	_, checks["Contains"] = w.Contains(ctx, 1)
	_, checks["Remove"] = w.Remove(ctx, 1)
	_, checks["Intersection"] = ok.Intersection(ctx, w)
	_, checks["Difference"] = ok.Difference(ctx, w)
	_, checks["IsDisjoint"] = ok.IsDisjoint(ctx, w)
	_, checks["Equal"] = ok.Equal(ctx, w)
	_, checks["IsSuperset"] = w.IsSuperset(ctx, ok)
	_, checks["UnionValues"] = w.UnionValues(ctx, 1)
	_, checks["IntersectionValues(many)"] = w.IntersectionValues(ctx, many...)
	_, checks["SymmetricDifferenceValues(many)"] = w.SymmetricDifferenceValues(ctx, many...)
	_, checks["IsSupersetValues(many)"] = w.IsSupersetValues(ctx, many...)
	_, checks["EqualValues"] = w.EqualValues(ctx)
	delete(checks, "Clear-free Replace")
	for name, err := range checks {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a string key: %v, want ErrWrongType", name, err)
		}
	}
	if v, _ := rdb.Get(ctx, k).Result(); v != "a string" {
		t.Fatalf("wrong-type key changed to %q", v)
	}
	if got := setReviewSorted(t)(ok.Members(ctx)); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("other set changed to %v", got)
	}
}

// TestSetReviewBigInPlaceKeepsExpiry: in-place changes done in bounded
// steps ("The set keeps its expiry") keep the TTL, give Python's result
// and leave no scratch key.
func TestSetReviewBigInPlaceKeepsExpiry(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "s"))
	o := hotredis.NewSet[int](key(t, "o"))
	defer s.Delete(ctx)
	defer o.Delete(ctx)
	sBase := ints(0, 6000, 1)
	oBase := ints(3000, 9000, 1)
	many := ints(2000, 8000, 1)
	type step struct {
		name string
		do   func() error
		want map[int]bool
	}
	ms, mo, mm := intSet(sBase), intSet(oBase), intSet(many)
	and := func(a, b map[int]bool) map[int]bool { return keep(copyMap(a), b, true) }
	minus := func(a, b map[int]bool) map[int]bool { return keep(copyMap(a), b, false) }
	or := func(a, b map[int]bool) map[int]bool {
		out := copyMap(a)
		for v := range b {
			out[v] = true
		}
		return out
	}
	xor := func(a, b map[int]bool) map[int]bool { return or(minus(a, b), minus(b, a)) }
	for _, st := range []step{
		{"UnionUpdate", func() error { return s.UnionUpdate(ctx, o) }, or(ms, mo)},
		{"IntersectionUpdate", func() error { return s.IntersectionUpdate(ctx, o) }, and(ms, mo)},
		{"DifferenceUpdate", func() error { return s.DifferenceUpdate(ctx, o) }, minus(ms, mo)},
		{"SymmetricDifferenceUpdate", func() error { return s.SymmetricDifferenceUpdate(ctx, o) }, xor(ms, mo)},
		{"UnionUpdateValues", func() error { return s.UnionUpdateValues(ctx, many...) }, or(ms, mm)},
		{"IntersectionUpdateValues", func() error { return s.IntersectionUpdateValues(ctx, many...) }, and(ms, mm)},
		{"DifferenceUpdateValues", func() error { return s.DifferenceUpdateValues(ctx, many...) }, minus(ms, mm)},
		{"SymmetricDifferenceUpdateValues", func() error { return s.SymmetricDifferenceUpdateValues(ctx, many...) }, xor(ms, mm)},
	} {
		noErr(t, s.Replace(ctx, sBase...))
		noErr(t, o.Replace(ctx, oBase...))
		if _, err := s.Expire(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := st.do(); err != nil {
			t.Errorf("%s: %v", st.name, err)
			continue
		}
		if ttl, err := s.TTL(ctx); err != nil || ttl <= 0 {
			t.Errorf("%s: TTL after = %v, %v", st.name, ttl, err)
		}
		got := setReviewSorted(t)(s.Members(ctx))
		want := slices.Sorted(mapKeys(st.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d members, want %d", st.name, len(got), len(want))
		}
		if n, _ := rawClient().Exists(ctx, s.Key()+":tmp", "{"+s.Key()+"}:tmp").Result(); n != 0 {
			t.Errorf("%s: scratch key left behind", st.name)
		}
	}
}

func copyMap(m map[int]bool) map[int]bool {
	out := make(map[int]bool, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mapKeys(m map[int]bool) func(func(int) bool) {
	return func(yield func(int) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestSetReviewBigRelations: comparisons decided in steps (sets above
// oneStepMax) agree with Python.
func TestSetReviewBigRelations(t *testing.T) {
	a := hotredis.NewSet[int](key(t, "a"))
	b := hotredis.NewSet[int](key(t, "b"))
	c := hotredis.NewSet[int](key(t, "c"))
	e := hotredis.NewSet[int](key(t, "e"))
	defer a.Delete(ctx)
	defer b.Delete(ctx)
	defer c.Delete(ctx)
	noErr(t, a.Replace(ctx, ints(0, 6000, 1)...))
	noErr(t, b.Replace(ctx, ints(0, 12000, 1)...))
	noErr(t, c.Replace(ctx, ints(20000, 30000, 1)...))
	type rel struct {
		name string
		got  func() (bool, error)
		want bool
	}
	for _, r := range []rel{
		{"a<=b", func() (bool, error) { return a.IsSubset(ctx, b) }, true},
		{"b<=a", func() (bool, error) { return b.IsSubset(ctx, a) }, false},
		{"b>=a", func() (bool, error) { return b.IsSuperset(ctx, a) }, true},
		{"a>=b", func() (bool, error) { return a.IsSuperset(ctx, b) }, false},
		{"a==a", func() (bool, error) { return a.Equal(ctx, a) }, true},
		{"a==b", func() (bool, error) { return a.Equal(ctx, b) }, false},
		{"a disjoint c", func() (bool, error) { return a.IsDisjoint(ctx, c) }, true},
		{"c disjoint a", func() (bool, error) { return c.IsDisjoint(ctx, a) }, true},
		{"b disjoint a", func() (bool, error) { return b.IsDisjoint(ctx, a) }, false},
		{"a disjoint a", func() (bool, error) { return a.IsDisjoint(ctx, a) }, false},
		{"a<=a", func() (bool, error) { return a.IsSubset(ctx, a) }, true},
		{"e<=a", func() (bool, error) { return e.IsSubset(ctx, a) }, true},
		{"a>=e", func() (bool, error) { return a.IsSuperset(ctx, e) }, true},
		{"a== values a", func() (bool, error) { return a.EqualValues(ctx, append(ints(0, 6000, 1), ints(0, 6000, 1)...)...) }, true},
		{"a<= values b", func() (bool, error) { return a.IsSubsetValues(ctx, ints(0, 12000, 1)...) }, true},
		{"a>= values 0..5000 twice", func() (bool, error) {
			return a.IsSupersetValues(ctx, append(ints(0, 5000, 1), ints(0, 5000, 1)...)...)
		}, true},
		{"a disjoint values c", func() (bool, error) { return a.IsDisjointValues(ctx, ints(20000, 30000, 1)...) }, true},
	} {
		got, err := r.got()
		if err != nil || got != r.want {
			t.Errorf("%s = %v, %v; want %v", r.name, got, err, r.want)
		}
	}
	// Algebra with duplicates among many values, in steps.
	vals := append(ints(5000, 10000, 1), ints(5000, 10000, 1)...)
	if got := setReviewSorted(t)(a.SymmetricDifferenceValues(ctx, vals...)); len(got) != 5000+4000 {
		t.Errorf("SymmetricDifferenceValues with duplicates: %d members, want 9000", len(got))
	}
	if got := setReviewSorted(t)(a.IntersectionValues(ctx, vals...)); len(got) != 1000 {
		t.Errorf("IntersectionValues with duplicates: %d members, want 1000", len(got))
	}
	if got := setReviewSorted(t)(a.UnionValues(ctx, vals...)); len(got) != 10000 {
		t.Errorf("UnionValues with duplicates: %d members, want 10000", len(got))
	}
	if got := setReviewSorted(t)(a.DifferenceValues(ctx, vals...)); len(got) != 5000 {
		t.Errorf("DifferenceValues with duplicates: %d members, want 5000", len(got))
	}
}

// TestSetReviewLostReplies: a write of Set whose reply is lost (the
// connection cut with the reply held) reports ErrUnknownOutcome, and the
// set holds either what it held or the whole change.
func TestSetReviewLostReplies(t *testing.T) {
	onEachBackend(t, func(t *testing.T, srv *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		on := hotredis.WithClient(c)
		s := hotredis.NewSet[int](key(t, "s"), on)
		o := hotredis.NewSet[int](key(t, "o"), on)
		noErr(t, o.Replace(ctx, 2, 3, 4))
		type write struct {
			name  string
			call  func() error
			after []int
		}
		for _, w := range []write{
			{"Add", func() error { _, err := s.Add(ctx, 9); return err }, []int{1, 2, 9}},
			{"Remove", func() error { _, err := s.Remove(ctx, 1); return err }, []int{2}},
			{"Pop", func() error { _, err := s.Pop(ctx); return err }, nil},
			{"UnionUpdate", func() error { return s.UnionUpdate(ctx, o) }, []int{1, 2, 3, 4}},
			{"IntersectionUpdate", func() error { return s.IntersectionUpdate(ctx, o) }, []int{2}},
			{"DifferenceUpdate", func() error { return s.DifferenceUpdate(ctx, o) }, []int{1}},
			{"SymmetricDifferenceUpdate", func() error { return s.SymmetricDifferenceUpdate(ctx, o) }, []int{1, 3, 4}},
			{"IntersectionUpdateValues", func() error { return s.IntersectionUpdateValues(ctx, 1, 7) }, []int{1}},
			{"SymmetricDifferenceUpdateValues", func() error { return s.SymmetricDifferenceUpdateValues(ctx, 1, 7) }, []int{2, 7}},
			{"Replace", func() error { return s.Replace(ctx, 8) }, []int{8}},
			{"Clear", func() error { return s.Clear(ctx) }, []int{}},
		} {
			before := []int{1, 2}
			if w.after == nil {
				before = []int{5}
				w.after = []int{}
			}
			noErr(t, s.Replace(ctx, before...))
			err := cutMidCall(p, hotredistest.ToClient, w.call)
			if !errors.Is(err, hotredis.ErrUnknownOutcome) {
				t.Errorf("%s with its reply lost = %v, want ErrUnknownOutcome", w.name, err)
			}
			var got []int
			for i := 0; i < 50; i++ {
				if got, err = s.Members(ctx); err == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			slices.Sort(got)
			if got == nil {
				got = []int{}
			}
			if !slices.Equal(got, w.after) && !slices.Equal(got, before) {
				t.Errorf("%s with its reply lost: set holds %v, want %v or %v (atomic)", w.name, got, before, w.after)
			}
		}
	})
}

// TestSetReviewCrossSlot: on a Cluster, every algebra between Sets in
// different slots fails with ErrCrossSlot, naming the fix ({tag}), and
// changes nothing, small or big (steps).
func TestSetReviewCrossSlot(t *testing.T) {
	c := sharedCluster(t).Client(t)
	on := hotredis.WithClient(c)
	for _, big := range []bool{false, true} {
		s := hotredis.NewSet[int]("{zzx}:s:"+t.Name(), on)
		far := hotredis.NewSet[int]("zzfar:"+t.Name(), on)
		n := 3
		if big {
			n = 6000
		}
		noErr(t, s.Replace(ctx, ints(0, n, 1)...))
		noErr(t, far.Replace(ctx, ints(1, n+1, 1)...))
		checks := map[string]error{
			"UnionUpdate":               s.UnionUpdate(ctx, far),
			"IntersectionUpdate":        s.IntersectionUpdate(ctx, far),
			"DifferenceUpdate":          s.DifferenceUpdate(ctx, far),
			"SymmetricDifferenceUpdate": s.SymmetricDifferenceUpdate(ctx, far),
			"Intersection":              second(s.Intersection(ctx, far)),
			"Difference":                second(s.Difference(ctx, far)),
			"SymmetricDifference":       second(s.SymmetricDifference(ctx, far)),
			"Union":                     second(s.Union(ctx, far)),
			"IsSuperset":                second(s.IsSuperset(ctx, far)),
			"IsDisjoint":                second(s.IsDisjoint(ctx, far)),
			"Equal":                     second(s.Equal(ctx, far)),
			"IsSubset":                  second(s.IsSubset(ctx, far)),
		}
		for name, err := range checks {
			if !errors.Is(err, hotredis.ErrCrossSlot) {
				t.Errorf("big %v: %s across slots: %v, want ErrCrossSlot", big, name, err)
			} else if !strings.Contains(err.Error(), "{") {
				t.Errorf("big %v: %s across slots: %q does not say how to fix it", big, name, err)
			}
		}
		if got, err := s.Len(ctx); err != nil || got != n {
			t.Errorf("big %v: s holds %d members (%v), want %d unchanged", big, got, err, n)
		}
		if got, err := far.Len(ctx); err != nil || got != n {
			t.Errorf("big %v: far holds %d members (%v), want %d unchanged", big, got, err, n)
		}
		noErr(t, s.Delete(ctx))
		noErr(t, far.Delete(ctx))
	}
}

// TestSetReviewNonCanonicalMembers: members written by another client
// as "01" or "+1" next to "1": Members of a Set[int] must not return the
// same int twice (a set has no duplicates); ErrDecode for the
// non-canonical text would be fine.
func TestSetReviewNonCanonicalMembers(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	rawClient().SAdd(ctx, s.Key(), "1", "01", "+1", "1.0")
	got, err := s.Members(ctx)
	if err == nil {
		slices.Sort(got)
		if len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("Members = %v: the same member twice", got)
		}
	}
	u, err := s.Union(ctx, s)
	if err == nil {
		slices.Sort(u)
		if len(slices.Compact(slices.Clone(u))) != len(u) {
			t.Errorf("Union = %v: the same member twice", u)
		}
	}
}

// TestSetReviewBigOtherNamedTwice: s ^ a ^ a is s, s - a - a is s - a,
// in one script and in steps.
func TestSetReviewBigOtherNamedTwice(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "s"))
	a := hotredis.NewSet[int](key(t, "a"))
	defer s.Delete(ctx)
	defer a.Delete(ctx)
	for _, n := range []int{10, 6000} {
		noErr(t, s.Replace(ctx, ints(0, n, 1)...))
		noErr(t, a.Replace(ctx, ints(n/2, n+n/2, 1)...))
		if got := setReviewSorted(t)(s.SymmetricDifference(ctx, a, a)); len(got) != n {
			t.Errorf("n %d: s ^ a ^ a read: %d members, want %d", n, len(got), n)
		}
		noErr(t, s.SymmetricDifferenceUpdate(ctx, a, a))
		if got := setReviewSorted(t)(s.Members(ctx)); !slices.Equal(got, ints(0, n, 1)) {
			t.Errorf("n %d: s ^= a ^ a leaves %d members, want %d", n, len(got), n)
		}
		noErr(t, s.DifferenceUpdate(ctx, a, a))
		if got := setReviewSorted(t)(s.Members(ctx)); !slices.Equal(got, ints(0, n/2, 1)) {
			t.Errorf("n %d: s -= a, a leaves %d members, want %d", n, len(got), n/2)
		}
		noErr(t, s.Replace(ctx, ints(0, n, 1)...))
		noErr(t, s.IntersectionUpdate(ctx, a, a, s))
		if got := setReviewSorted(t)(s.Members(ctx)); !slices.Equal(got, ints(n/2, n, 1)) {
			t.Errorf("n %d: s &= a, a, s leaves %d members, want %d", n, len(got), n/2)
		}
	}
}

// TestSetReviewPopUndecodable: Pop of a member that cannot be decoded
// reports ErrDecode carrying the value (so it is not lost unseen).
func TestSetReviewPopUndecodable(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	rawClient().SAdd(ctx, s.Key(), "two")
	_, err := s.Pop(ctx)
	var de *hotredis.DecodeError
	if !errors.As(err, &de) || de.Value != "two" || de.Key != s.Key() {
		t.Fatalf("Pop of an undecodable member = %v, want ErrDecode carrying it", err)
	}
	rawClient().SAdd(ctx, s.Key(), "two")
	if _, err := s.Random(ctx); !errors.Is(err, hotredis.ErrDecode) {
		t.Fatalf("Random of an undecodable member = %v", err)
	}
	if n, _ := s.Len(ctx); n != 1 {
		t.Fatalf("Random changed the set: Len %d", n)
	}
}

// TestSetReviewBigAddRemoveCounts: Add and Remove of more than 10,000
// values (in steps) return how many were new / were members, with
// duplicates among the values counted once, and keep the expiry.
func TestSetReviewBigAddRemoveCounts(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	noErr(t, s.Replace(ctx, ints(0, 6000, 1)...))
	if _, err := s.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	vals := append(ints(3000, 15000, 1), ints(3000, 15000, 1)...)
	n, err := s.Add(ctx, vals...)
	if err != nil || n != 9000 {
		t.Errorf("Add = %d, %v; want 9000 new", n, err)
	}
	if l, _ := s.Len(ctx); l != 15000 {
		t.Errorf("Len after Add = %d", l)
	}
	n, err = s.Remove(ctx, append(ints(10000, 25000, 1), ints(10000, 25000, 1)...)...)
	if err != nil || n != 5000 {
		t.Errorf("Remove = %d, %v; want 5000 removed", n, err)
	}
	if l, _ := s.Len(ctx); l != 10000 {
		t.Errorf("Len after Remove = %d", l)
	}
	if ttl, err := s.TTL(ctx); err != nil || ttl <= 0 {
		t.Errorf("TTL after = %v, %v", ttl, err)
	}
}
