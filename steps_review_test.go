package hotredis_test

// Tests from a review (2026-12-06) of the stepped long operations
// (list_steps.go, list_sort.go, rebuild.go, string_steps.go, bulk.go and
// their scripts). Those marked "found by review" failed before 2d47b3e (a
// rebuild's commit whose reply is lost or late), 88fa0d3 (List.Sort's
// numbers), 130afbd (list copy steps) and 1313a1a (set and hash scan
// steps).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// stepsFloatsEqual compares float slices, NaN equal to NaN.
func stepsFloatsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	})
}

// TestStepsReviewSortOfNumbersTheCodecReads — found by review, fixed since.
//
// A List[float64] (or List[int]) holding a number in a form the library's
// own codec reads (Python's float()/int() forms, which the README promises:
// "Floats are read in every form Python's float() reads (-nan, +inf,
// 1_000.5 included)"; "1e400" reads as +Inf, " 2.5" with whitespace) is
// sorted by value per List.Sort's doc ("Numeric element types ... sort by
// value"; "A NaN sorts first"; only "an element ... that is not a number at
// all is a *DecodeError"). Values reads every element fine, yet Sort fails
// with the server's opaque "ERR One or more scores can't be converted into
// double" (not even a *DecodeError), whether the list is short (SORT
// refuses, then the steps refuse) or long (the steps refuse): the steps
// parse with strconv.ParseFloat (list_sort.go:67), not the codec's
// pyfmt.ParseFloat. " 2.5" even sorts when short (strtod skips leading
// space) and fails when long.
func TestStepsReviewSortOfNumbersTheCodecReads(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, odd := range []string{"-nan", "+nan", "1e400", "-1e400", " 2.5", "2.5 "} {
		for _, n := range []int{50, 5_000} {
			t.Run(fmt.Sprintf("float64 %q among %d", odd, n), func(t *testing.T) {
				k := key(t)
				defer rdb.Del(ctx, k)
				vals := make([]any, n)
				for i := range vals {
					vals[i] = strconv.Itoa((i * 7919) % n)
				}
				vals[n/2] = odd
				noErr(t, rdb.RPush(ctx, k, vals...).Err())
				l := hotredis.NewList[float64](k)
				model, err := l.Values(ctx)
				if err != nil {
					t.Fatalf("Values before the sort: %v (the codec should read %q)", err, odd)
				}
				slices.Sort(model) // NaN first
				if err := l.Sort(ctx, false); err != nil {
					t.Fatalf("Sort of a list holding %q (which Values reads): %v", odd, err)
				}
				got := must[[]float64](t)(l.Values(ctx))
				if !stepsFloatsEqual(got, model) {
					t.Fatalf("after Sort: first difference at %d", firstDiff(got, model))
				}
				noScratch(t, k)
			})
		}
	}
}

// TestStepsReviewSortOfUndecodableIsADecodeError — found by review, fixed since (3 of 4
// cases).
//
// List.Sort's doc: "An element of a numeric type's list that is not a
// number at all is a *DecodeError, and nothing changes." A List[float64]
// holding "0x10" or "0x1p4" (hex, which the codec refuses as Python's
// float() does: Values is a *DecodeError) must get that *DecodeError from
// Sort, the list unchanged. Only "0x10" in a long list does (the steps'
// strconv.ParseFloat refuses it). A short list's one SORT
// (list_sort.lua, strtod reads hex) sorts "0x10" and "0x1p4" as 16 and
// Sort returns nil; a long list's steps (list_sort.go:67,
// strconv.ParseFloat accepts Go hex floats with a p exponent) sort
// "0x1p4" as 16 and Sort returns nil: the list changed, no error.
func TestStepsReviewSortOfUndecodableIsADecodeError(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, odd := range []string{"0x10", "0x1p4"} {
		for _, n := range []int{20, 5_000} {
			t.Run(fmt.Sprintf("%s among %d", odd, n), func(t *testing.T) {
				k := key(t)
				defer rdb.Del(ctx, k)
				vals := make([]any, n)
				for i := range vals {
					vals[i] = strconv.Itoa(n - i)
				}
				vals[0] = odd
				noErr(t, rdb.RPush(ctx, k, vals...).Err())
				l := hotredis.NewList[float64](k)
				if _, err := l.Values(ctx); !errors.Is(err, hotredis.ErrDecode) {
					t.Fatalf("Values of a list holding %s: %v, want ErrDecode", odd, err)
				}
				err := l.Sort(ctx, false)
				var de *hotredis.DecodeError
				if !errors.As(err, &de) || de.Value != odd {
					t.Errorf("Sort of a %d-element List[float64] holding %s: %v, want a *DecodeError for %s", n, odd, err, odd)
				}
				if s := rdb.LIndex(ctx, k, 0).Val(); s != odd {
					t.Errorf("the refused Sort changed the list: %q at 0", s)
				}
				noScratch(t, k)
			})
		}
	}
}

// TestStepsReviewListStepBytesWithATinyFirstElement — found by review, fixed since.
//
// list_step sizes its pieces by the size of the step's first element
// (list_step.lua:34), so a step that begins at a short element copies a
// piece of up to 1,000 elements however long the others are. Here a list
// of one 1-byte element followed by 200 elements of 64 KiB (12.5 MiB) is
// reversed: the first rcopy step copies all 201 elements (12.5 MiB, over
// 6x stepBytes, 2 MiB) in one script. The package promises steps "of at
// most 2 MiB" / "bounded in bytes" (README, rebuild.go stepBytes) and the
// SPEC "Every script does bounded work per call"
// (TestListStepCopiesAboutStepBytes covers only a long first element).
func TestStepsReviewListStepBytesWithATinyFirstElement(t *testing.T) {
	const n, size = 200, 64 << 10
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	noErr(t, rdb.RPush(ctx, k, "a").Err())
	for i := range n {
		s := strconv.Itoa(i) + ":"
		noErr(t, rdb.RPush(ctx, k, s+strings.Repeat("x", size-len(s))).Err())
	}
	// After each step: how many elements the scratch list gained.
	var last, most, steps atomic.Int64
	hotredis.DuringRebuilds(func() {
		for _, s := range scratchLeft(t, k) {
			if strings.Contains(s, ":run:") {
				continue
			}
			got := rdb.LLen(ctx, s).Val()
			most.Store(max(most.Load(), got-last.Load()))
			last.Store(got)
		}
		steps.Add(1)
	})
	defer hotredis.DuringRebuilds(nil)
	noErr(t, hotredis.NewList[string](k).Reverse(ctx))
	if got := rdb.LIndex(ctx, k, -1).Val(); got != "a" {
		t.Fatalf("after Reverse the last element is %.10q, want a", got)
	}
	// A step of ~2 MiB holds 32 elements of 64 KiB; allow 3 MiB.
	if m := most.Load(); m > 48 {
		t.Errorf("Reverse of 1 short + %d elements of %d KiB: %d steps, one copied %d elements (%d MiB) at once; want at most ~2 MiB a step",
			n, size>>10, steps.Load(), m, m*size>>20)
	}
	noScratch(t, k)
}

// stepsCommitCase is a stepped rewrite whose commit (the MULTI/EXEC of
// rebuild_commit) replies with size: "*1\r\n:<size>\r\n".
type stepsCommitCase struct {
	name    string
	size    int64
	setup   func(t *testing.T, c *hotredis.Client, k string)
	call    func(ctx context.Context, c *hotredis.Client, k string) error
	applied func(t *testing.T, c *hotredis.Client, k string) bool
}

func stepsCommitCases(raw stepsRaw) []stepsCommitCase {
	const listN, strN = 5_003, 300 << 10
	return []stepsCommitCase{
		{
			name: "List.Reverse", size: listN,
			setup: func(t *testing.T, c *hotredis.Client, k string) {
				vs := make([]int, listN)
				for i := range vs {
					vs[i] = i
				}
				noErr(t, hotredis.NewList[int](k, hotredis.WithClient(c)).Replace(ctx, vs...))
			},
			call: func(ctx context.Context, c *hotredis.Client, k string) error {
				return hotredis.NewList[int](k, hotredis.WithClient(c)).Reverse(ctx)
			},
			applied: func(t *testing.T, c *hotredis.Client, k string) bool {
				return raw.LIndexVal(k, 0) == strconv.Itoa(listN-1)
			},
		},
		{
			name: "String.Repeat", size: 2 * strN,
			setup: func(t *testing.T, c *hotredis.Client, k string) {
				noErr(t, hotredis.NewString(k, hotredis.WithClient(c)).Set(ctx, varied(strN)))
			},
			call: func(ctx context.Context, c *hotredis.Client, k string) error {
				_, err := hotredis.NewString(k, hotredis.WithClient(c)).Repeat(ctx, 2)
				return err
			},
			applied: func(t *testing.T, c *hotredis.Client, k string) bool {
				return raw.StrLenVal(k) == 2*strN
			},
		},
		{
			name: "Set.Add of 10,001", size: 10_004,
			setup: func(t *testing.T, c *hotredis.Client, k string) {
				must[int](t)(hotredis.NewSet[int](k, hotredis.WithClient(c)).Add(ctx, -1, -2, -3))
			},
			call: func(ctx context.Context, c *hotredis.Client, k string) error {
				vs := make([]int, 10_001)
				for i := range vs {
					vs[i] = i
				}
				_, err := hotredis.NewSet[int](k, hotredis.WithClient(c)).Add(ctx, vs...)
				return err
			},
			applied: func(t *testing.T, c *hotredis.Client, k string) bool {
				return raw.SCardVal(k) == 10_004
			},
		},
	}
}

// stepsRaw reads the private server of a fault test directly.
type stepsRaw struct{ srv *hotredistest.Server }

func (r stepsRaw) LIndexVal(k string, i int64) string {
	c := r.srv.GoRedis()
	defer c.Close()
	return c.LIndex(ctx, k, i).Val()
}

func (r stepsRaw) StrLenVal(k string) int64 {
	c := r.srv.GoRedis()
	defer c.Close()
	return c.StrLen(ctx, k).Val()
}

func (r stepsRaw) SCardVal(k string) int64 {
	c := r.srv.GoRedis()
	defer c.Close()
	return c.SCard(ctx, k).Val()
}

// TestStepsReviewRebuildCommitReplyLostIsUnknownOutcome — found by review, fixed since.
//
// A stepped rewrite (List.Reverse of 5,003, String.Repeat of 300 KiB x2,
// Set.Add of 10,001) whose commit ran on the server but whose reply was
// lost (connections cut while the EXEC's reply is held) must report
// ErrUnknownOutcome: README's fault table, "Put, PutMany, every other
// write: ErrUnknownOutcome: may or may not have been applied", and
// ErrUnknownOutcome's doc ("its connection failed ... before the reply of
// its change came back"). The change was applied, yet the call returns
// the bare connection error: rebuild (rebuild.go:152 and 174) takes the error
// of conn.Exec as it is (wrapErr), never through Client.outcome as
// Optimistic's commit does (transaction.go:159).
func TestStepsReviewRebuildCommitReplyLostIsUnknownOutcome(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	raw := stepsRaw{srv}
	for _, backend := range []string{"rueidis", "go-redis"} {
		for _, tc := range stepsCommitCases(raw) {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				c := faultyClient(t, backend, p.Addr())
				k := "{stepsreview}:" + backend + ":" + strings.ReplaceAll(tc.name, " ", "") + ":lost"
				tc.setup(t, c, k)
				p.StallOn(hotredistest.ToClient, "*1\r\n:"+strconv.FormatInt(tc.size, 10)+"\r\n")
				done := make(chan error, 1)
				go func() { done <- tc.call(ctx, c, k) }()
				deadline := time.Now().Add(10 * time.Second)
				for p.Armed() && time.Now().Before(deadline) {
					time.Sleep(2 * time.Millisecond)
				}
				if p.Armed() {
					p.Resume(hotredistest.ToClient)
					t.Fatalf("the commit's reply was never seen (call: %v)", <-done)
				}
				time.Sleep(50 * time.Millisecond)
				p.Cut()
				p.Resume(hotredistest.ToClient)
				err := <-done
				if !tc.applied(t, c, k) {
					t.Fatalf("after the lost reply the change is not in place (err %v): applied twice, or the stall held something else", err)
				}
				if !errors.Is(err, hotredis.ErrUnknownOutcome) {
					t.Errorf("%s whose commit ran but whose reply was lost: %v, want ErrUnknownOutcome", tc.name, err)
				}
			})
		}
	}
}

// TestStepsReviewRebuildCommitPastDeadlineIsUnknownOutcome — found by review, fixed since.
//
// The same with the context's deadline passing while the commit's reply
// is held (a stall, no cut): README "a call whose change may have been
// applied says so (ErrUnknownOutcome, which also wraps
// context.DeadlineExceeded ...)". The change was applied; the call
// returns plain context.DeadlineExceeded (rebuild.go:152 and 174, then
// rebuildList's fail, which passes context errors through).
func TestStepsReviewRebuildCommitPastDeadlineIsUnknownOutcome(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	raw := stepsRaw{srv}
	for _, backend := range []string{"rueidis", "go-redis"} {
		for _, tc := range stepsCommitCases(raw) {
			t.Run(backend+"/"+tc.name, func(t *testing.T) {
				c := faultyClient(t, backend, p.Addr())
				k := "{stepsreview}:" + backend + ":" + strings.ReplaceAll(tc.name, " ", "") + ":deadline"
				tc.setup(t, c, k)
				p.StallOn(hotredistest.ToClient, "*1\r\n:"+strconv.FormatInt(tc.size, 10)+"\r\n")
				defer p.Resume(hotredistest.ToClient)
				cctx, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				err := tc.call(cctx, c, k)
				if p.Armed() {
					t.Fatalf("the commit's reply was never seen (call: %v)", err)
				}
				if !tc.applied(t, c, k) {
					t.Fatalf("the commit did not run (err %v)", err)
				}
				if !errors.Is(err, hotredis.ErrUnknownOutcome) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s whose commit ran, reply held past the deadline: %v, want ErrUnknownOutcome wrapping DeadlineExceeded", tc.name, err)
				}
				p.Resume(hotredistest.ToClient)
				p.Cut() // (the held replies are stale)
			})
		}
	}
}

// TestStepsReviewListRewritesAroundStepSizes rewrites lists just around
// the sizes where they go in steps (4,000 elements; list_step's pieces of
// 1,000; a copy stretch of 4,000) with SetSlice (Python's slice
// assignment, negative and reversed bounds), Repeat and Reverse, and
// compares each with a Go model; the expiry is kept and no scratch key is
// left. (Passes: a regression.)
func TestStepsReviewListRewritesAroundStepSizes(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	defer l.Delete(ctx)
	py := func(i, n int) int {
		if i < 0 {
			i = max(0, i+n)
		}
		return min(i, n)
	}
	for _, n := range []int{3_999, 4_000, 4_001, 5_001, 8_001} {
		for _, b := range [][2]int{{0, 0}, {1, -1}, {2_000, 1_000}, {-1, math.MaxInt}, {999, 3_001}, {-4_001, -3_999}, {0, math.MaxInt}} {
			model := rangeInts(n)
			noErr(t, l.Replace(ctx, model...))
			must[bool](t)(l.Expire(ctx, time.Hour))
			ins := []int{-1, -2, -3}
			noErr(t, l.SetSlice(ctx, b[0], b[1], ins...))
			s := py(b[0], n)
			e := max(s, py(b[1], n))
			model = slices.Concat(model[:s], ins, model[e:])
			name := fmt.Sprintf("SetSlice(%d, %d) of %d", b[0], b[1], n)
			checkList(t, l, model, name)
			noErr(t, l.Reverse(ctx))
			slices.Reverse(model)
			checkList(t, l, model, name+", Reverse")
			if ttl := must[time.Duration](t)(l.TTL(ctx)); ttl <= time.Hour-time.Minute {
				t.Errorf("after %s and Reverse: TTL %v", name, ttl)
			}
		}
		model := rangeInts(n)
		noErr(t, l.Replace(ctx, model...))
		got := must[int](t)(l.Repeat(ctx, 2))
		model = slices.Concat(model, model)
		if got != len(model) {
			t.Errorf("Repeat(2) of %d = %d", n, got)
		}
		checkList(t, l, model, fmt.Sprintf("Repeat(2) of %d", n))
		noScratch(t, l.Key())
	}
}

// TestStepsReviewSetXorUpdateWithItselfInSteps: a big set's
// SymmetricDifferenceUpdate chained over another set and itself
// (s ^= a ^ s, Python: s becomes a) and IntersectionUpdate/
// DifferenceUpdate naming s among the others, in steps, against a Go
// model; the expiry is kept. (Passes: a regression.)
func TestStepsReviewSetXorUpdateWithItselfInSteps(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "s"))
	a := hotredis.NewSet[int](key(t, "a"))
	defer s.Delete(ctx)
	defer a.Delete(ctx)
	sv, av := ints(0, 12_000, 1), ints(6_000, 18_000, 1)
	var lastTries int64
	reset := func() {
		defer func() { lastTries = hotredis.RebuildTries() }()
		noErr(t, s.Replace(ctx, sv...))
		noErr(t, a.Replace(ctx, av...))
		must[bool](t)(s.Expire(ctx, time.Hour))
	}
	check := func(name string, want []int) {
		t.Helper()
		if tries := hotredis.RebuildTries(); tries == lastTries {
			t.Errorf("%s: not rebuilt in steps", name)
		} else {
			lastTries = tries
		}
		got := must[[]int](t)(s.Members(ctx))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d members, want %d (first difference at %d)", name, len(got), len(want), firstDiff(got, want))
		}
		if len(want) > 0 {
			if ttl := must[time.Duration](t)(s.TTL(ctx)); ttl <= time.Hour-time.Minute {
				t.Errorf("%s: TTL %v", name, ttl)
			}
		}
		noScratch(t, s.Key())
	}
	reset()
	noErr(t, s.SymmetricDifferenceUpdate(ctx, a, s))
	check("s ^= a ^ s", av)
	reset()
	noErr(t, s.IntersectionUpdate(ctx, a, s))
	check("s &= a & s", ints(6_000, 12_000, 1))
	reset()
	noErr(t, s.DifferenceUpdate(ctx, a, s))
	check("s -= a, s", nil)
	reset()
	noErr(t, s.SymmetricDifferenceUpdate(ctx, a))
	check("s ^= a", slices.Concat(ints(0, 6_000, 1), ints(12_000, 18_000, 1)))
}

// TestStepsReviewSortOfUnderscoredNumbers: numbers written with
// Python's underscores ("1_000.5" in a List[float64], "1_000" in a
// List[int]), which SORT refuses, are sorted by value in steps, short
// list or long. (Passes: a regression.)
func TestStepsReviewSortOfUnderscoredNumbers(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, n := range []int{50, 5_000} {
		t.Run(fmt.Sprintf("int \"1_000\" among %d", n), func(t *testing.T) {
			k := key(t)
			defer rdb.Del(ctx, k)
			vals := make([]any, n)
			for i := range vals {
				vals[i] = strconv.Itoa((i * 7919) % n)
			}
			vals[n/3] = "1_000"
			noErr(t, rdb.RPush(ctx, k, vals...).Err())
			l := hotredis.NewList[int](k)
			model := must[[]int](t)(l.Values(ctx))
			slices.Sort(model)
			if err := l.Sort(ctx, false); err != nil {
				t.Fatalf("Sort of a List[int] holding \"1_000\" (which Values reads as 1000): %v", err)
			}
			if got := must[[]int](t)(l.Values(ctx)); !slices.Equal(got, model) {
				t.Fatalf("after Sort: first difference at %d", firstDiff(got, model))
			}
		})
	}
	for _, n := range []int{50, 5_000} {
		t.Run(fmt.Sprintf("float64 \"1_000.5\" among %d", n), func(t *testing.T) {
			k := key(t)
			defer rdb.Del(ctx, k)
			vals := make([]any, n)
			for i := range vals {
				vals[i] = strconv.Itoa((i * 7919) % n)
			}
			vals[n/3] = "1_000.5"
			noErr(t, rdb.RPush(ctx, k, vals...).Err())
			l := hotredis.NewList[float64](k)
			model := must[[]float64](t)(l.Values(ctx))
			slices.Sort(model)
			noErr(t, l.Sort(ctx, true))
			slices.Reverse(model)
			if got := must[[]float64](t)(l.Values(ctx)); !slices.Equal(got, model) {
				t.Fatalf("after Sort: first difference at %d", firstDiff(got, model))
			}
			noScratch(t, k)
		})
	}
}

// TestStepsReviewLongSortOfRunsWithAWriterMeanwhile sorts a list in
// several runs merged (SetSortMem) while another program pushes to it
// during the first attempt (after its third step): the sort starts over,
// the pushed element is sorted in, the expiry is kept, and neither the
// scratch list nor any run's scratch list is left. (Passes: a
// regression.)
func TestStepsReviewLongSortOfRunsWithAWriterMeanwhile(t *testing.T) {
	defer hotredis.SetSortMem(3_000)()
	l := hotredis.NewList[int](key(t))
	defer l.Delete(ctx)
	model := make([]int, 10_000)
	for i := range model {
		model[i] = (i * 7919) % 10_007
	}
	noErr(t, l.Replace(ctx, model...))
	must[bool](t)(l.Expire(ctx, time.Hour))
	rdb := rawClient()
	defer rdb.Close()
	var steps atomic.Int64
	hotredis.DuringRebuilds(func() {
		if steps.Add(1) == 3 {
			rdb.RPush(ctx, l.Key(), -5)
		}
	})
	defer hotredis.DuringRebuilds(nil)
	tries := hotredis.RebuildTries()
	noErr(t, l.Sort(ctx, true))
	hotredis.DuringRebuilds(nil)
	if n := hotredis.RebuildTries() - tries; n != 2 {
		t.Errorf("%d rebuild attempts, want 2 (one more after the write)", n)
	}
	model = append(model, -5)
	slices.SortFunc(model, func(a, b int) int { return b - a })
	checkList(t, l, model, "a Sort with a writer meanwhile")
	if ttl := must[time.Duration](t)(l.TTL(ctx)); ttl <= time.Hour-time.Minute {
		t.Errorf("TTL %v, want about an hour", ttl)
	}
	noScratchSoon(t, l.Key())
}

// TestStepsReviewSetCopyStepBytesOnAFreshHandle — found by review, fixed since.
//
// A bulk Set.Add of 10,001 values rebuilds the set: its members are first
// copied into the scratch set by set_step "copy" steps of
// span(stretch) members (rebuild.go scan). A handle that has not read the
// set yet knows no member size, so span gives 1,000 members whatever
// their size, and the copy steps never note a size (only reads call
// sawStrings): here 1,100 members of 16 KiB (17 MiB) go ~1,000 at once
// (~16 MiB through Lua in one script, 8x stepBytes). Handles are cheap
// and made per call (NewSet "does no I/O"), so this is the common case.
// The README's exception names only "a handle's first read of a
// collection (up to 1,024 entries, whatever their size)"; a write's copy
// steps are promised "bounded steps, each a few ms".
func TestStepsReviewSetCopyStepBytesOnAFreshHandle(t *testing.T) {
	const n, size = 1_100, 16 << 10
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	defer rdb.Del(ctx, k)
	for i := range n {
		s := strconv.Itoa(i) + ":"
		noErr(t, rdb.SAdd(ctx, k, s+strings.Repeat("x", size-len(s))).Err())
	}
	var last, most atomic.Int64
	hotredis.DuringRebuilds(func() {
		for _, s := range scratchLeft(t, k) {
			got := rdb.SCard(ctx, s).Val()
			if last.Load() < n { // (the copy steps, before the values)
				most.Store(max(most.Load(), min(got, n)-last.Load()))
			}
			last.Store(got)
		}
	})
	defer hotredis.DuringRebuilds(nil)
	vs := make([]string, 10_001)
	for i := range vs {
		vs[i] = "v" + strconv.Itoa(i)
	}
	tries := hotredis.RebuildTries()
	must[int](t)(hotredis.NewSet[string](k).Add(ctx, vs...))
	if hotredis.RebuildTries() == tries {
		t.Fatal("the Add was not rebuilt in steps")
	}
	if got := rdb.SCard(ctx, k).Val(); got != n+10_001 {
		t.Fatalf("SCARD %d, want %d", got, n+10_001)
	}
	// ~2 MiB a step is 128 members of 16 KiB; allow 4 MiB (a read step).
	if m := most.Load(); m > 256 {
		t.Errorf("a copy step copied %d members of %d KiB (%d MiB) at once; want a few MiB at most", m, size>>10, m*size>>20)
	}
	noScratch(t, k)
}
