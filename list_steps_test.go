package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"
)

// listStepsN is long enough for every stepwise list operation to take
// several steps (reads: 10,000 elements a step; rewrites: 4,000), and
// short enough for the suite. Millions are the benchmark's (hotbench
// steps).
const listStepsN = 30_000

// TestListLongRewritesMatchTheModelAndLetOthersIn rewrites a long list
// with every operation that works in steps: the result equals Go's, the
// expiry is kept, no scratch key is left, and another client was served
// while each ran (it saw the scratch list being built).
func TestListLongRewritesMatchTheModelAndLetOthersIn(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	model := rand.Perm(listStepsN)
	noErr(t, l.Replace(ctx, model...))
	checkList(t, l, model, "Replace")
	must[bool](t)(l.Expire(ctx, time.Hour))
	steps := []struct {
		name  string
		apply func() error
		model func()
	}{
		{"Reverse", func() error { return l.Reverse(ctx) }, func() { slices.Reverse(model) }},
		{"Sort", func() error { return l.Sort(ctx, false) }, func() { slices.Sort(model) }},
		{"Sort descending", func() error { return l.Sort(ctx, true) }, func() {
			slices.SortFunc(model, func(a, b int) int { return b - a })
		}},
		{"SetSlice of a long middle", func() error { return l.SetSlice(ctx, 100, listStepsN-100, -1, -2) }, func() {
			model = slices.Concat(model[:100], []int{-1, -2}, model[listStepsN-100:])
		}},
		{"SetSlice inserting many", func() error { return l.SetSlice(ctx, 50, 50, rangeInts(5000)...) }, func() {
			model = slices.Concat(model[:50], rangeInts(5000), model[50:])
		}},
		{"Repeat", func() error { _, err := l.Repeat(ctx, 3); return err }, func() {
			model = slices.Concat(model, model, model)
		}},
	}
	rdb := rawClient()
	defer rdb.Close()
	for _, st := range steps {
		obs := observe(t, l.Key(), "list")
		// Between two steps another client is served, and sees the list
		// as it was (the observer's looks show it too, when the machine
		// lets its goroutine run during the rebuild).
		done := watchRebuilds(func() (int64, error) { return rdb.LLen(ctx, l.Key()).Result() }, int64(len(model)))
		err := st.apply()
		served, stale := done()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		looks := obs.finish()
		st.model()
		if n, _ := during(looks); n == 0 && served == 0 {
			t.Errorf("%s: no other client was served while the list was rebuilt", st.name)
		}
		if stale > 0 {
			t.Errorf("%s: a reader between steps saw a length other than the old one", st.name)
		}
		checkList(t, l, model, st.name)
		if ttl := must[time.Duration](t)(l.TTL(ctx)); ttl <= time.Hour-time.Minute {
			t.Errorf("after %s: TTL %v, want about an hour", st.name, ttl)
		}
		noScratch(t, l.Key())
	}
}

// watchRebuilds has another client read a key's size (by size) after
// every step of a rebuild, until the function it returns is called, which
// reports how many reads were served and how many saw a size other than
// before.
func watchRebuilds(size func() (int64, error), before int64) func() (served, stale int64) {
	var served, stale atomic.Int64
	hotredis.DuringRebuilds(func() {
		if n, err := size(); err == nil {
			served.Add(1)
			if n != before {
				stale.Add(1)
			}
		}
	})
	return func() (int64, int64) {
		hotredis.DuringRebuilds(nil)
		return served.Load(), stale.Load()
	}
}

// TestListLongRewriteWhoseScratchIsLostStartsAgain deletes the scratch
// list in the middle of rewrites whose steps append values (a Sort, a
// SetSlice inserting many), as its expiry would after a long stall: the
// next step notices, the rewrite starts again and ends equal to the model.
func TestListLongRewriteWhoseScratchIsLostStartsAgain(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	model := rand.Perm(listStepsN)
	noErr(t, l.Replace(ctx, model...))
	rdb := rawClient()
	defer rdb.Close()
	for _, st := range []struct {
		name  string
		apply func() error
		model func()
	}{
		{"Sort", func() error { return l.Sort(ctx, false) }, func() { slices.Sort(model) }},
		{"SetSlice inserting many", func() error { return l.SetSlice(ctx, 50, 50, rangeInts(20_000)...) }, func() {
			model = slices.Concat(model[:50], rangeInts(20_000), model[50:])
		}},
	} {
		var steps, lost atomic.Int64
		hotredis.DuringRebuilds(func() {
			if steps.Add(1) != 2 {
				return
			}
			for _, k := range scratchLeft(t, l.Key()) {
				lost.Add(rdb.Del(ctx, k).Val())
			}
		})
		tries := hotredis.RebuildTries()
		err := st.apply()
		hotredis.DuringRebuilds(nil)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if lost.Load() == 0 {
			t.Fatalf("%s: no scratch list to lose after the second step", st.name)
		}
		if n := hotredis.RebuildTries() - tries; n != 2 {
			t.Errorf("%s: %d rebuild attempts, want 2: one more after the scratch list was lost", st.name, n)
		}
		st.model()
		checkList(t, l, model, st.name)
		noScratch(t, l.Key())
	}
}

func rangeInts(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1_000_000 + i
	}
	return out
}

// checkList compares the list with the model (through the stepwise
// Values, and LRANGE directly).
func checkList(t *testing.T, l *hotredis.List[int], model []int, after string) {
	t.Helper()
	got := must[[]int](t)(l.Values(ctx))
	if !slices.Equal(got, model) {
		t.Fatalf("after %s: %d elements, want %d; first difference at %d", after, len(got), len(model), firstDiff(got, model))
	}
	rdb := rawClient()
	defer rdb.Close()
	raw := rdb.LRange(ctx, l.Key(), 0, -1).Val()
	if len(raw) != len(model) {
		t.Fatalf("after %s: LRANGE gives %d elements, want %d", after, len(raw), len(model))
	}
	for i, s := range raw {
		if s != strconv.Itoa(model[i]) {
			t.Fatalf("after %s: element %d is %q, want %d", after, i, s, model[i])
		}
	}
}

func firstDiff[E comparable](a, b []E) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestListLongReadsAreSnapshots reads a long list in steps (Values,
// Slice, Count, Index) while another client writes it in the middle of
// the first attempt: the read starts over and returns the list as it is
// after the write, never a mix.
func TestListLongReadsAreSnapshots(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	model := make([]int, listStepsN)
	for i := range model {
		model[i] = i % 100
	}
	noErr(t, l.Replace(ctx, model...))
	// Count and Index search 10,000 from each end by LPOS (100 matches at
	// most) and the middle by a script step, so that the list takes steps.
	defer hotredis.SetScanSteps(10_000, 100)()
	rdb := rawClient()
	defer rdb.Close()
	reads := []struct {
		name  string
		write func() // the other client's write
		read  func() (any, error)
		want  func() any
	}{
		{"Values", func() { rdb.RPush(ctx, l.Key(), 7) }, func() (any, error) { return l.Values(ctx) },
			func() any { return append(slices.Clone(model), 7) }},
		{"Slice", func() { rdb.LSet(ctx, l.Key(), 15_000, -1) }, func() (any, error) { return l.Slice(ctx, 12_000, math.MaxInt) },
			func() any { m := slices.Clone(model[12_000:]); m[3_000] = -1; return m }},
		{"Count", func() { rdb.RPush(ctx, l.Key(), 42) }, func() (any, error) { return l.Count(ctx, 42) },
			func() any { return listStepsN/100 + 1 }},
		{"Index far", func() { rdb.LSet(ctx, l.Key(), 25_000, 1000) }, func() (any, error) { return l.Index(ctx, 1000) },
			func() any { return 25_000 }},
		{"Index of nothing", func() { rdb.LSet(ctx, l.Key(), 25_000, 99) }, func() (any, error) { return l.Index(ctx, 2000) },
			func() any { return -1 }},
	}
	defer hotredis.DuringReads(nil)
	for _, r := range reads {
		attempts := writeOnFirstRead(r.write)
		got, err := r.read()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		if n := attempts(); n < 2 {
			t.Errorf("%s: %d attempts; want the read to start over after the write", r.name, n)
		}
		want := r.want()
		if gs, ok := got.([]int); ok {
			if !slices.Equal(gs, want.([]int)) {
				t.Errorf("%s: %d elements, first difference at %d", r.name, len(gs), firstDiff(gs, want.([]int)))
			}
		} else if got != want {
			t.Errorf("%s = %v, want %v", r.name, got, want)
		}
		model = must[[]int](t)(l.Values(ctx))
	}
	// A short list is one step, with no snapshot machinery.
	hotredis.DuringReads(nil)
	short := hotredis.NewList[int](key(t, "short"))
	noErr(t, short.Replace(ctx, 1, 2, 3, 2))
	before := hotredis.ReadAttempts()
	if n := must[int](t)(short.Count(ctx, 2)); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if i := must[int](t)(short.Index(ctx, 3)); i != 2 {
		t.Errorf("Index = %d, want 2", i)
	}
	if n := hotredis.ReadAttempts() - before; n != 0 {
		t.Errorf("a short list took %d stepwise attempts", n)
	}
}

// TestListLongSortOfUndecodableIsADecodeError sorts and reads a long
// List[int] holding text: a *DecodeError naming the text, and nothing
// changes.
func TestListLongSortOfUndecodableIsADecodeError(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	noErr(t, l.Replace(ctx, rand.Perm(listStepsN)...))
	rdb := rawClient()
	defer rdb.Close()
	rdb.LSet(ctx, l.Key(), 20_000, "abc")
	err := l.Sort(ctx, false)
	var de *hotredis.DecodeError
	if !errors.As(err, &de) || de.Value != "abc" {
		t.Fatalf("Sort of a list holding abc: %v, want a *DecodeError for abc", err)
	}
	// The whole reads decode each step as it comes.
	vs, err := l.Values(ctx)
	if de = nil; !errors.As(err, &de) || de.Value != "abc" || !errors.Is(err, hotredis.ErrDecode) || vs != nil {
		t.Errorf("Values of a list holding abc: %d values, %v; want a *DecodeError for abc", len(vs), err)
	}
	vs, err = l.Slice(ctx, 1, -1)
	if de = nil; !errors.As(err, &de) || de.Value != "abc" || vs != nil {
		t.Errorf("Slice(1, -1) of a list holding abc: %d values, %v; want a *DecodeError for abc", len(vs), err)
	}
	if s := rdb.LIndex(ctx, l.Key(), 20_000).Val(); s != "abc" {
		t.Errorf("the refused Sort changed the list: %q at 20000", s)
	}
	noScratch(t, l.Key())
}

// TestListLongSortMatchesRedisSORT sorts long lists in steps, in one run
// and in several runs merged, and compares each result with Redis's own
// SORT ... STORE of a copy: numbers by value with SORT's tie-break for
// equal values written differently ("1", "1.0", "1e0"), text by bytes,
// both orders.
func TestListLongSortMatchesRedisSORT(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	numbers := []string{"1", "1.0", "1e0", "-0", "0", "0.5", "-2.25", "1e3", "1000", "999.999", "-1e-300", "123456789012345678"}
	for _, runs := range []struct {
		name string
		mem  int64
	}{{"one run", 1 << 20}, {"runs merged", 7_000}} {
		t.Run(runs.name, func(t *testing.T) {
			defer hotredis.SetSortMem(runs.mem)()
			for _, kind := range []string{"numbers", "text"} {
				for _, desc := range []bool{false, true} {
					k := key(t) + ":" + kind + ":" + strconv.FormatBool(desc)
					vals := make([]any, listStepsN)
					for i := range vals {
						switch kind {
						case "numbers":
							if i%3 == 0 {
								vals[i] = numbers[rand.IntN(len(numbers))]
							} else {
								vals[i] = strconv.FormatFloat(rand.NormFloat64()*1e6, 'g', -1, 64)
							}
						default:
							vals[i] = strconv.Quote(strconv.Itoa(rand.IntN(listStepsN / 2)))
						}
					}
					noErr(t, rdb.RPush(ctx, k, vals...).Err())
					noErr(t, rdb.Copy(ctx, k, k+":want", 0, false).Err())
					sort := &redis.Sort{Alpha: kind == "text", Order: "ASC"}
					if desc {
						sort.Order = "DESC"
					}
					noErr(t, rdb.SortStore(ctx, k+":want", k+":want", sort).Err())
					var err error
					if kind == "numbers" {
						err = hotredis.NewList[float64](k).Sort(ctx, desc)
					} else {
						err = hotredis.NewList[string](k).Sort(ctx, desc)
					}
					noErr(t, err)
					got, want := rdb.LRange(ctx, k, 0, -1).Val(), rdb.LRange(ctx, k+":want", 0, -1).Val()
					if !slices.Equal(got, want) {
						i := 0
						for i < min(len(got), len(want)) && got[i] == want[i] {
							i++
						}
						t.Fatalf("%s desc=%v: %d elements, SORT gives %d; first difference at %d", kind, desc, len(got), len(want), i)
					}
					noScratch(t, k)
				}
			}
		})
	}
}

// TestListCountAndIndexMatchTheModel: Count and Index agree with Go's
// model for random lists, whatever splits the search into LPOS from the
// head, LPOS from the tail and script steps in the middle, and wherever a
// run of matches cuts an LPOS step short.
func TestListCountAndIndexMatchTheModel(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	rapid.Check(t, func(rt *rapid.T) {
		model := rapid.SliceOfN(rapid.IntRange(0, 4), 0, 300).Draw(rt, "list")
		lpos := int64(rapid.IntRange(1, 120).Draw(rt, "lpos"))
		matches := int64(rapid.IntRange(1, 6).Draw(rt, "matches"))
		restore := hotredis.SetScanSteps(lpos, matches)
		defer restore()
		noErr(rt, l.Replace(ctx, model...))
		for v := range 6 {
			want := 0
			for _, x := range model {
				if x == v {
					want++
				}
			}
			if got := must[int](rt)(l.Count(ctx, v)); got != want {
				rt.Fatalf("Count(%d) = %d, want %d", v, got, want)
			}
			if got, want := must[int](rt)(l.Index(ctx, v)), slices.Index(model, v); got != want {
				rt.Fatalf("Index(%d) = %d, want %d", v, got, want)
			}
		}
	})
}

// TestListCountAndIndexAcrossReadSteps searches a list whose middle (past
// the LPOS steps from either end) spans several script stretches: a value
// found only in the third, and ones in every stretch.
func TestListCountAndIndexAcrossReadSteps(t *testing.T) {
	defer hotredis.SetScanSteps(1000, 10)()
	l := hotredis.NewList[int](key(t))
	model := make([]int, listStepsN)
	for i := range model {
		model[i] = i % 7 // 7 is in no step but the third
	}
	model[25_123] = 7
	for i := range 30 { // more than the head's step returns: the middle begins in a run
		model[i] = 3
	}
	noErr(t, l.Replace(ctx, model...))
	for v := range 8 {
		want := 0
		for _, x := range model {
			if x == v {
				want++
			}
		}
		if got := must[int](t)(l.Count(ctx, v)); got != want {
			t.Errorf("Count(%d) = %d, want %d", v, got, want)
		}
		if got, want := must[int](t)(l.Index(ctx, v)), slices.Index(model, v); got != want {
			t.Errorf("Index(%d) = %d, want %d", v, got, want)
		}
	}
}

// TestListLongSortCancelled cancels a long sort while its sorted runs
// are being written: Sort returns the context's error, the list is as it
// was, and the runs and the scratch list are removed.
func TestListLongSortCancelled(t *testing.T) {
	defer hotredis.SetSortMem(7_000)()
	l := hotredis.NewList[int](key(t))
	model := rand.Perm(listStepsN)
	noErr(t, l.Replace(ctx, model...))
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var steps atomic.Int64
	hotredis.DuringRebuilds(func() {
		if steps.Add(1) == 3 { // the second run is being written
			cancel()
		}
	})
	defer hotredis.DuringRebuilds(nil)
	if err := l.Sort(cctx, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Sort: %v, want context.Canceled", err)
	}
	checkList(t, l, model, "a cancelled Sort")
	// Scratch keys whose removal the cancellation sent to the background.
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if left := scratchLeft(t, l.Key()); len(left) == 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("scratch keys left behind: %q", left)
		}
	}
}

// TestListLongReadsOnGoRedis: the stepwise reads and the client-side sort
// give the same results on a go-redis client (whose replies come as []any
// where rueidis gives []string).
func TestListLongReadsOnGoRedis(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	on := hotredis.WithClient(hotredis.WrapGoRedis(rdb))
	l := hotredis.NewList[int](key(t), on)
	model := rand.Perm(listStepsN)
	noErr(t, l.Replace(ctx, model...))
	if got := must[[]int](t)(l.Values(ctx)); !slices.Equal(got, model) {
		t.Fatalf("Values: first difference at %d", firstDiff(got, model))
	}
	defer hotredis.SetScanSteps(10_000, 100)()
	if i := must[int](t)(l.Index(ctx, model[25_000])); i != 25_000 {
		t.Errorf("Index = %d, want 25000", i)
	}
	if n := must[int](t)(l.Count(ctx, model[7])); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
	defer hotredis.SetSortMem(7_000)()
	noErr(t, l.Sort(ctx, true))
	slices.SortFunc(model, func(a, b int) int { return b - a })
	if got := must[[]int](t)(l.Values(ctx)); !slices.Equal(got, model) {
		t.Fatalf("after Sort: first difference at %d", firstDiff(got, model))
	}
	noScratch(t, l.Key())
}

// TestListSlicesAroundOneStep reads slices of lists around one read step
// (10,000 elements), from the head, from the end and across it, against
// Python's slice rules: a slice that one LRANGE covers whatever the
// list's length is one command, and a longer one goes in steps.
func TestListSlicesAroundOneStep(t *testing.T) {
	l := hotredis.NewList[string](key(t))
	defer l.Delete(ctx)
	bounds := [][2]int{
		{0, math.MaxInt}, {0, 10_000}, {0, 10_001}, {1, 10_001}, {1, 10_002}, {9_999, math.MaxInt},
		{5, 5}, {7, 3}, {0, 0}, {-10_000, math.MaxInt}, {-10_001, math.MaxInt}, {-3, math.MaxInt},
		{-1, 5}, {-10_000, -1}, {3, -2}, {12_000, 12_500}, {20_000, math.MaxInt},
	}
	for _, n := range []int{0, 3, 9_999, 10_000, 10_001, 20_001} {
		m := make(pyList, n)
		for i := range m {
			m[i] = strconv.Itoa(i)
		}
		noErr(t, l.Replace(ctx, m...))
		for _, b := range bounds {
			before := hotredis.ReadAttempts()
			got := must[[]string](t)(l.Slice(ctx, b[0], b[1]))
			if want := m.slice(b[0], b[1]); !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
				t.Errorf("Slice(%d, %d) of %d: %d elements, want %d (first difference at %d)", b[0], b[1], n, len(got), len(want), firstDiff(got, want))
			}
			// (At a step and one, a slice to the end may take steps: LRANGE
			// asks for one more than a step to learn where the list ends.)
			steps := hotredis.ReadAttempts() - before
			if len(got) <= 10_000 && steps > 0 || len(got) > 10_001 && steps == 0 {
				t.Errorf("Slice(%d, %d) of %d: %d stepwise attempts for %d elements", b[0], b[1], n, steps, len(got))
			}
		}
	}

	// Values of a list longer than a step goes to the steps at once the
	// second time (three LRANGEs of 20,001, not four), and back to one
	// LRANGE once the list is short again (after one read in steps).
	values := func(want pyList) (steps, lranges int64) {
		t.Helper()
		before, lr := hotredis.ReadAttempts(), commandCalls(t, l.Key(), "lrange")
		if got := must[[]string](t)(l.Values(ctx)); !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
			t.Fatalf("Values of %d: %d elements, first difference at %d", len(want), len(got), firstDiff(got, want))
		}
		return hotredis.ReadAttempts() - before, commandCalls(t, l.Key(), "lrange") - lr
	}
	long, short := make(pyList, 20_001), pyList{"a", "b", "c"}
	for i := range long {
		long[i] = strconv.Itoa(-i)
	}
	noErr(t, l.Replace(ctx, long...))
	values(long)
	if steps, lranges := values(long); steps != 1 || lranges != 3 {
		t.Errorf("Values of a long list read again: %d attempts, %d LRANGEs; want 1 and 3", steps, lranges)
	}
	noErr(t, l.Replace(ctx, short...))
	values(short)
	if steps, lranges := values(short); steps != 0 || lranges != 1 {
		t.Errorf("Values of a list short again, read again: %d attempts, %d LRANGEs; want 0 and 1", steps, lranges)
	}
}

// TestListLongAppendIsRebuilt appends more than one MULTI/EXEC may carry
// (over 16 MiB, or over 300,000 values): the list is rebuilt in steps of
// at most 2 MiB of values (another client is served meanwhile and sees
// the old length), the result equals Go's append, the expiry is kept,
// Append returns the new length, and a write by another program during
// the rebuild is kept before the appended values or after them, never
// lost. A list over four times longer than the values is not copied: one
// MULTI/EXEC.
func TestListLongAppendIsRebuilt(t *testing.T) {
	l := hotredis.NewList[string](key(t))
	defer l.Delete(ctx)
	model := []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	noErr(t, l.Replace(ctx, model...))
	must[bool](t)(l.Expire(ctx, time.Hour))
	long := make([]string, 17)
	for i := range long {
		long[i] = strings.Repeat(string(rune('a'+i)), 1<<20)
	}
	many := make([]string, 300_001)
	for i := range many {
		many[i] = "m" + strconv.Itoa(i)
	}
	rdb := rawClient()
	defer rdb.Close()
	for _, tc := range []struct {
		name    string
		vs      []string
		rebuilt bool
	}{
		{"17 values of 1 MiB", long, true},
		{"300,001 values", many, true},
		{"17 values of 1 MiB to a list 17,000 times longer", long, false},
	} {
		var grew int64 // the most values a step pushed into the scratch list
		last := int64(-1)
		done := watchRebuilds(func() (int64, error) {
			for _, k := range scratchLeft(t, l.Key()) {
				if n := rdb.LLen(ctx, k).Val(); last >= 0 {
					grew, last = max(grew, n-last), n
				} else {
					last = n
				}
			}
			return rdb.LLen(ctx, l.Key()).Result()
		}, int64(len(model)))
		n, err := l.Append(ctx, tc.vs...)
		served, stale := done()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		model = append(model, tc.vs...)
		if n != len(model) {
			t.Errorf("%s: Append returned %d, want %d", tc.name, n, len(model))
		}
		if tc.rebuilt && served == 0 || !tc.rebuilt && served > 0 {
			t.Errorf("%s: %d reads served between rebuild steps, want rebuilt: %v", tc.name, served, tc.rebuilt)
		}
		if stale > 0 {
			t.Errorf("%s: a reader between steps saw a length other than the old one", tc.name)
		}
		if len(tc.vs[0]) == 1<<20 && grew > 2 {
			t.Errorf("%s: a step pushed %d values of 1 MiB, want 2 MiB at most", tc.name, grew)
		}
		if got := rdb.LRange(ctx, l.Key(), 0, -1).Val(); !slices.Equal(got, model) {
			t.Fatalf("%s: %d elements, want %d; first difference at %d", tc.name, len(got), len(model), firstDiff(got, model))
		}
		if ttl := must[time.Duration](t)(l.TTL(ctx)); ttl <= time.Hour-time.Minute {
			t.Errorf("after %s: TTL %v, want about an hour", tc.name, ttl)
		}
		noScratch(t, l.Key())
	}

	// Another program pushes while the rebuild runs.
	noErr(t, l.Replace(ctx, "a", "b"))
	obs := observe(t, l.Key(), "list")
	w := obs.writeDuring(l.Key(), "RPUSH", "w")
	n := must[int](t)(l.Append(ctx, many...))
	var wr writeResult
	select {
	case wr = <-w:
	case <-time.After(10 * time.Second):
		t.Fatal("no rebuild was seen")
	}
	want := slices.Concat([]string{"a", "b", "w"}, many)
	if !checkRetried(t, wr, obs.finish()) {
		want = slices.Concat([]string{"a", "b"}, many, []string{"w"})
	}
	if wr.beforeCommit && n != len(want) || !wr.beforeCommit && n != len(want)-1 {
		t.Errorf("Append with a concurrent RPUSH returned %d; the list holds %d", n, len(want))
	}
	if got := rdb.LRange(ctx, l.Key(), 0, -1).Val(); !slices.Equal(got, want) {
		t.Fatalf("with a concurrent RPUSH: %d elements, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
	}
	noScratch(t, l.Key())
}

// TestListFarInsertPopAtRemoveGoInSteps: Insert, PopAt and Remove walk
// the list natively (10-25 ms a million elements) only up to a bound
// (500,000; 100 here); further in, Insert lifts the shorter side or
// rebuilds the list, PopAt and Remove rebuild it, in bounded steps.
// Checked against Python's list semantics on a Go slice, with the steps
// counted, and inside a transaction (one native step whatever the index).
func TestListFarInsertPopAtRemoveGoInSteps(t *testing.T) {
	defer hotredis.SetListWalkMax(100)()
	const n = 10_000
	l := hotredis.NewList[int](key(t))
	defer l.Delete(ctx)
	var model []int
	reset := func() {
		model = rangeInts(n)
		noErr(t, l.Replace(ctx, model...))
	}
	pyIndex := func(i, n int) int {
		if i < 0 {
			i = max(0, i+n)
		}
		return min(i, n)
	}
	check := func(what string, stepped, wantSteps bool) {
		t.Helper()
		if got := must[[]int](t)(l.Values(ctx)); !slices.Equal(got, model) {
			t.Fatalf("%s: the list differs from the model (%d elements, want %d)", what, len(got), len(model))
		}
		if stepped != wantSteps {
			t.Errorf("%s went in steps: %v, want %v", what, stepped, wantSteps)
		}
	}
	reset()
	for _, i := range []int{0, 50, 100, 101, 5_000, 9_950, n, n + 5, -1, -5_000, -50, -2 * n} {
		before := hotredis.RebuildTries()
		noErr(t, l.Insert(ctx, i, -1))
		j := pyIndex(i, len(model))
		model = slices.Insert(model, j, -1)
		// (Past 100 from the head, SetSlice: a script lifting the shorter
		// side, up to 4,000 elements, else steps.)
		check(fmt.Sprintf("Insert(%d, -1)", i), hotredis.RebuildTries() > before, j > 100 && min(j, len(model)-1-j) > 4_000)
	}
	reset()
	for _, i := range []int{0, 100, 101, 5_000, -1, -101, -102, -5_000} {
		before := hotredis.RebuildTries()
		got := must[int](t)(l.PopAt(ctx, i))
		j := i
		if j < 0 {
			j += len(model)
		}
		if got != model[j] {
			t.Fatalf("PopAt(%d) = %d, want %d", i, got, model[j])
		}
		model = slices.Delete(model, j, j+1)
		check(fmt.Sprintf("PopAt(%d)", i), hotredis.RebuildTries() > before, min(j, len(model)-j) > 100)
	}
	for _, i := range []int{len(model), -len(model) - 1} {
		if _, err := l.PopAt(ctx, i); !errors.Is(err, hotredis.ErrIndexOutOfRange) {
			t.Errorf("PopAt(%d) of %d elements = %v, want ErrIndexOutOfRange", i, len(model), err)
		}
	}
	// Remove: the values at these places (a second of the first two at the
	// end), and one absent (found absent in steps: the list is longer
	// than the bound).
	must[int](t)(l.Append(ctx, model[3], model[5_000]))
	model = append(model, model[3], model[5_000])
	for _, at := range []int{3, 100, 101, 5_000, -3, 0} {
		v := -7 // (at 0: absent)
		switch {
		case at > 0:
			v = model[at]
		case at < 0:
			v = model[len(model)+at]
		}
		before := hotredis.RebuildTries()
		removed := must[bool](t)(l.Remove(ctx, v))
		j := slices.Index(model, v)
		if removed != (j >= 0) {
			t.Fatalf("Remove(%d) = %v, want %v", v, removed, j >= 0)
		}
		if j >= 0 {
			model = slices.Delete(model, j, j+1)
		}
		check(fmt.Sprintf("Remove(%d), at %d", v, j), hotredis.RebuildTries() > before, j < 0 || j >= 50) // (LPOS MAXLEN 50: indexes 0-49)
	}
	// Inside a transaction: the native step, whatever the index.
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
		if err := l.Insert(ctx, 5_000, -2); err != nil {
			return err
		}
		_, err := l.PopAt(ctx, 6_000)
		return err
	}))
	model = slices.Insert(model, 5_000, -2)
	model = slices.Delete(model, 6_000, 6_001)
	check("Insert and PopAt in a transaction", false, false)
}

// TestListFarOpsConflictNamesTheOp: a far Insert, PopAt or Remove whose
// list a writer changes during every rebuild step is ErrTxConflict, named
// for the operation called (a far Insert's was named SetSlice, the
// operation it became, and a far Remove's Index; found by review).
func TestListFarOpsConflictNamesTheOp(t *testing.T) {
	defer hotredis.SetListWalkMax(100)()
	l := hotredis.NewList[int](key(t))
	defer l.Delete(ctx)
	noErr(t, l.Replace(ctx, rangeInts(10_000)...))
	rdb := rawClient()
	defer rdb.Close()
	hotredis.DuringRebuilds(func() { rdb.RPush(ctx, l.Key(), -5) })
	defer hotredis.DuringRebuilds(nil)
	for _, op := range []struct {
		name string
		f    func() error
	}{
		{"Insert", func() error { return l.Insert(ctx, 5000, -1) }},
		{"PopAt", func() error { _, err := l.PopAt(ctx, 5000); return err }},
		{"Remove", func() error { _, err := l.Remove(ctx, 1_007_000); return err }},
	} {
		err := op.f()
		if !errors.Is(err, hotredis.ErrTxConflict) {
			t.Errorf("%s: %v, want ErrTxConflict", op.name, err)
			continue
		}
		if !strings.Contains(err.Error(), ": "+op.name+": ") {
			t.Errorf("%s: error %q does not name %s", op.name, err, op.name)
		}
	}
}

// TestListSortOfIntegersPast2To53IsExact sorts lists of int64 and uint64
// holding integers that one float64 holds (around ±2^53, 1e16, MaxInt64,
// 2^63 and MaxUint64), short (one script would SORT it) and long (in
// steps, runs merged), either way: the order is slices.Sort's. SORT
// compares doubles: it put 9999999999999999 after 10000000000000000 and
// -9007199254740993 after -9007199254740992.
func TestListSortOfIntegersPast2To53IsExact(t *testing.T) {
	defer hotredis.SetSortMem(7_000)()
	rdb := rawClient()
	defer rdb.Close()
	ints := func(n int) []int64 {
		edges := []int64{1 << 53, 1<<53 + 1, 1<<53 + 2, -(1 << 53), -(1<<53 + 1), -(1<<53 + 2),
			9999999999999999, 1e16, 1e16 + 1, -9999999999999999, -1e16,
			math.MaxInt64, math.MaxInt64 - 1, math.MinInt64, math.MinInt64 + 1, 0, 7, -7}
		vs := make([]int64, n)
		for i := range vs {
			if i < len(edges) {
				vs[i] = edges[i]
			} else {
				vs[i] = edges[rand.IntN(len(edges))] + rand.Int64N(5) - 2
			}
		}
		rand.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		return vs
	}
	check := func(t *testing.T, k string, got, want []string, desc bool, what string) {
		t.Helper()
		if !slices.Equal(got, want) {
			for i := range want {
				if i >= len(got) || got[i] != want[i] {
					t.Fatalf("%s, desc %v: element %d is %v, want %s (of %d)", what, desc, i, got[i:min(i+3, len(got))], want[i], len(want))
				}
			}
			t.Fatalf("%s, desc %v: %d elements, want %d", what, desc, len(got), len(want))
		}
		if d := rdb.PTTL(ctx, k).Val(); d <= time.Hour-time.Minute {
			t.Errorf("%s: TTL %v after Sort, want about an hour", what, d)
		}
	}
	for _, n := range []int{40, listStepsN / 2} {
		for _, desc := range []bool{false, true} {
			k := fmt.Sprintf("%s:%d:%v", key(t), n, desc)
			vs := ints(n)
			l := hotredis.NewList[int64](k)
			must[int](t)(l.Append(ctx, vs...))
			must[bool](t)(l.Expire(ctx, time.Hour))
			noErr(t, l.Sort(ctx, desc))
			slices.Sort(vs)
			if desc {
				slices.Reverse(vs)
			}
			want := make([]string, len(vs))
			for i, v := range vs {
				want[i] = strconv.FormatInt(v, 10)
			}
			check(t, k, rdb.LRange(ctx, k, 0, -1).Val(), want, desc, fmt.Sprintf("List[int64] of %d", n))

			ku := k + ":u"
			us := make([]uint64, n)
			for i, v := range ints(n) {
				us[i] = uint64(v) // (every bit pattern: past 2^63 too)
			}
			lu := hotredis.NewList[uint64](ku)
			must[int](t)(lu.Append(ctx, us...))
			must[bool](t)(lu.Expire(ctx, time.Hour))
			noErr(t, lu.Sort(ctx, desc))
			slices.Sort(us)
			if desc {
				slices.Reverse(us)
			}
			for i, v := range us {
				want[i] = strconv.FormatUint(v, 10)
			}
			check(t, ku, rdb.LRange(ctx, ku, 0, -1).Val(), want, desc, fmt.Sprintf("List[uint64] of %d", n))
			rdb.Del(ctx, k, ku)
		}
	}
}
