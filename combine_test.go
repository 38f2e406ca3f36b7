package hotredis_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

// The calls of one Float or Int that overlap go to the server combined,
// several in one script call (combine.go). Each caller must get what it
// would have got alone at its place in the key's history.

// result is one call's result.
type result[R any] struct {
	v   R
	err error
}

type floatResult = result[float64]

// heldCalls makes n calls of h (a *Float or an *Int), held to be
// combined (HoldSteps), one at a time so that they wait in order, and
// returns their results, which come once the returned release sends them.
func heldCalls[R any](t scalarT, h any, n int, call func(i int) (R, error)) (release func() []result[R]) {
	t.Helper()
	free := hotredis.HoldSteps(h)
	res := make([]result[R], n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v, err := call(i)
			res[i] = result[R]{v, err}
		})
		if !waited(func() bool { n, _ := hotredis.Steps(h); return n == i+1 }) {
			free() // (or the next test's HoldSteps waits for them for ever)
			wg.Wait()
			t.Fatalf("call %d did not wait to be combined", i)
		}
	}
	return func() []result[R] {
		free()
		wg.Wait()
		return res
	}
}

// queueFloatCalls is heldCalls of f's ops[i](ys[i]) with ctxs[i].
func queueFloatCalls(t scalarT, f *hotredis.Float, ctxs []context.Context, ops []string, ys []float64) (release func() []floatResult) {
	t.Helper()
	return heldCalls(t, f, len(ops), func(i int) (float64, error) { return callFloat(ctxs[i], f, ops[i], ys[i]) })
}

// checkSteps compares the results of combined calls ops[i](ys[i]), made
// on a value x, with model's, each step on the value the one before left
// (a failing step leaves it), and returns the value the model ends at.
func checkSteps[R any](t scalarT, x R, ops []string, ys []R, got []result[R], model func(R, string, R) (R, error), same func(a, b R) bool) R {
	t.Helper()
	a := x
	for i, g := range got {
		want, wantErr := model(a, ops[i], ys[i])
		switch {
		case wantErr != nil:
			if !errors.Is(g.err, wantErr) {
				t.Fatalf("step %d: %v %s %v = (%v, %v), want %v", i, a, ops[i], ys[i], g.v, g.err, wantErr)
			}
			continue
		case g.err != nil || !same(g.v, want):
			t.Fatalf("step %d: %v %s %v = (%v, %v), want %v", i, a, ops[i], ys[i], g.v, g.err, want)
		}
		a = want
	}
	return a
}

// Combined calls compute what Go computes, one after the other, each on
// the value the one before left: random starting values, operands and
// ops, failures (division by zero, results out of range) included.
func TestFloatCombinedCallsMatchGo(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	rapid.Check(t, func(t *rapid.T) {
		x := genFloat(t, "x")
		n := rapid.IntRange(1, 12).Draw(t, "n")
		ops, ys, ctxs := make([]string, n), make([]float64, n), make([]context.Context, n)
		for i := range n {
			ops[i] = rapid.SampledFrom(floatOps[:4]).Draw(t, "op") // (Pow is not combined)
			ys[i] = genFloat(t, "y")
			ctxs[i] = ctx
		}
		if err := f.Store(ctx, x); err != nil {
			t.Fatal(err)
		}
		_, before := hotredis.Steps(f)
		got := queueFloatCalls(t, f, ctxs, ops, ys)()
		if _, after := hotredis.Steps(f); after != before+int64(n) {
			t.Fatalf("%d of %d calls were combined", after-before, n)
		}
		a := checkSteps(t, x, ops, ys, got, goFloat, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })
		if got, want := rdb.Get(ctx, f.Key()).Val(), pyfmt.Float(a); got != want {
			t.Fatalf("stored %q, want %q", got, want)
		}
	})
}

// What fails every call, whatever its operand (a value that is not a
// float, an infinite one, a key of another type), fails every combined
// call as it fails one alone, and changes nothing.
func TestFloatCombinedCallsFailTogether(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	for _, c := range []struct {
		set  func() error
		want error
	}{
		{func() error { return rdb.Set(ctx, f.Key(), "abc", 0).Err() }, hotredis.ErrDecode},
		{func() error { return rdb.Set(ctx, f.Key(), "-inf", 0).Err() }, hotredis.ErrNotFinite},
		{func() error { rdb.Del(ctx, f.Key()); return rdb.RPush(ctx, f.Key(), "x").Err() }, hotredis.ErrWrongType},
	} {
		noErr(t, c.set())
		dump := rdb.Dump(ctx, f.Key()).Val()
		ctxs := []context.Context{ctx, ctx, ctx}
		for i, r := range queueFloatCalls(t, f, ctxs, []string{"add", "mul", "div"}, []float64{1, 2, 0})() {
			if !errors.Is(r.err, c.want) {
				t.Errorf("call %d: %v, want %v", i, r.err, c.want)
			}
			var de *hotredis.DecodeError
			if c.want == hotredis.ErrDecode && (!errors.As(r.err, &de) || de.Value != "abc") {
				t.Errorf("call %d: %v, want a DecodeError with the stored text", i, r.err)
			}
		}
		if rdb.Dump(ctx, f.Key()).Val() != dump {
			t.Errorf("the key changed after failed calls (%v)", c.want)
		}
		rdb.Del(ctx, f.Key())
	}
}

// Many goroutines adding at once: every result is a distinct step of the
// key's history, none lost or repeated, and failing calls among them
// (division by zero, a product out of range) fail alone and change
// nothing.
func TestFloatConcurrentCallsAreCombined(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	const workers, each = 64, 50
	noErr(t, f.Store(ctx, 2.5))
	_, before := hotredis.Steps(f)
	var mu sync.Mutex
	var sums []float64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				switch w % 8 {
				case 6:
					if _, err := f.Div(ctx, 0); !errors.Is(err, hotredis.ErrDivideByZero) {
						t.Errorf("Div(0) = %v, want ErrDivideByZero", err)
					}
				case 7:
					if _, err := f.Mul(ctx, 1e308); !errors.Is(err, hotredis.ErrNotFinite) {
						t.Errorf("Mul(1e308) = %v, want ErrNotFinite", err)
					}
				default:
					v, err := f.Add(ctx, 1)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					sums = append(sums, v)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(sums)
	for i, v := range sums {
		if want := 2.5 + float64(i+1); v != want {
			t.Fatalf("the %dth smallest sum is %v, want %v: a step lost or repeated", i+1, v, want)
		}
	}
	if got, want := must[float64](t)(f.Load(ctx)), 2.5+float64(len(sums)); got != want {
		t.Errorf("final value %v, want %v", got, want)
	}
	if _, after := hotredis.Steps(f); after == before {
		t.Error("no call of 64 goroutines was combined")
	}
}

// Faults, through a proxy: a caller whose context ends before its call is
// sent gets the context's error and changes nothing; one whose context
// ends after gets ErrUnknownOutcome, while the others of its combined call
// still get their results; a lost reply is ErrUnknownOutcome for each.
func TestFloatCombinedCallsUnderFaults(t *testing.T) {
	srv := hotredistest.NewServer(t) // (its own: plain, on every topology)
	p := hotredistest.NewProxy(t, srv.Addr)
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{p.Addr()}})
	noErr(t, err)
	defer c.Close()
	f := hotredis.NewFloat(key(t), hotredis.WithClient(c))
	adds := func(n int) ([]string, []float64) {
		return slices.Repeat([]string{"add"}, n), slices.Repeat([]float64{1}, n)
	}
	load := func() float64 { return must[float64](t)(f.Load(ctx)) }
	noErr(t, f.Store(ctx, 0))

	// Ended before it was sent.
	cctx, cancel := context.WithCancel(ctx)
	ops, ys := adds(2)
	release := queueFloatCalls(t, f, []context.Context{cctx, ctx}, ops, ys)
	cancel()
	res := release() // (at once: the call that sends next must leave the ended one out, though its caller may not have run since)
	if !errors.Is(res[0].err, context.Canceled) || errors.Is(res[0].err, hotredis.ErrUnknownOutcome) {
		t.Errorf("a call cancelled before it was sent: %v, want context.Canceled alone", res[0].err)
	}
	if res[1] != (floatResult{1, nil}) {
		t.Errorf("the call after it: %+v, want 1", res[1])
	}
	if got := load(); got != 1 {
		t.Errorf("value %v, want 1: the cancelled call was applied", got)
	}

	// Ended after it was sent, while the reply is held: its deadline
	// passes, and the others' wait goes on.
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	ops, ys = adds(3)
	ctxs := []context.Context{dctx, ctx, ctx} // (the first's context is the combined call's parent)
	release = queueFloatCalls(t, f, ctxs, ops, ys)
	p.Stall(hotredistest.ToClient)
	done := make(chan []floatResult, 1)
	go func() { done <- release() }()
	// The combined call ran (seen past the proxy), then the deadline
	// passes.
	direct := srv.GoRedis()
	defer direct.Close()
	ran := func(want float64) func() bool {
		return func() bool { v, err := direct.Get(ctx, f.Key()).Float64(); return err == nil && v == want }
	}
	waitFor(t, ran(4))
	<-dctx.Done()
	select {
	case <-done:
		t.Fatal("the combined call returned while its reply was held")
	default:
	}
	p.Resume(hotredistest.ToClient)
	res = <-done
	if !errors.Is(res[0].err, hotredis.ErrUnknownOutcome) || !errors.Is(res[0].err, context.DeadlineExceeded) {
		t.Errorf("a call whose deadline passed after it was sent: %v, want ErrUnknownOutcome and context.DeadlineExceeded", res[0].err)
	}
	if res[1] != (floatResult{3, nil}) || res[2] != (floatResult{4, nil}) {
		t.Errorf("the others of its combined call: %+v and %+v, want 3 and 4", res[1], res[2])
	}

	// A lost reply.
	ops, ys = adds(2)
	release = queueFloatCalls(t, f, []context.Context{ctx, ctx}, ops, ys)
	p.Stall(hotredistest.ToClient)
	go func() { done <- release() }()
	waitFor(t, ran(6)) // sent, and run: the reply is what is lost
	p.Cut()
	p.Resume(hotredistest.ToClient)
	for i, r := range <-done {
		if !errors.Is(r.err, hotredis.ErrUnknownOutcome) {
			t.Errorf("call %d of a combined call whose reply was lost: %v, want ErrUnknownOutcome", i, r.err)
		}
	}
	var got float64
	waitFor(t, func() bool { got, err = f.Load(ctx); return err == nil }) // (the cut may reset an idle connection)
	if got != 6 {
		t.Errorf("value %v, want 6: the call whose reply was lost ran", got)
	}
}

// Combined Int calls compute what Go computes (math/big, goInt), one
// after the other: random values, counts and ops, overflows and divisions
// by zero included.
func TestIntCombinedCallsMatchGo(t *testing.T) {
	v := hotredis.NewInt(key(t))
	defer v.Delete(ctx)
	// (Add and Sub are INCRBY and DECRBY, but Sub(MinInt64), which DECRBY
	// cannot negate.)
	ops := []string{"sub", "mul", "div", "mod", "pow", "and", "or", "xor", "andnot", "shl", "shr"}
	rapid.Check(t, func(t *rapid.T) {
		x := genInt64(t, "x")
		n := rapid.IntRange(1, 12).Draw(t, "n")
		stepOps, ys := make([]string, n), make([]int64, n)
		for i := range n {
			stepOps[i] = rapid.SampledFrom(ops).Draw(t, "op")
			switch stepOps[i] {
			case "sub":
				ys[i] = math.MinInt64
			case "pow", "shl", "shr":
				ys[i] = rapid.OneOf(rapid.Int64Range(0, 70), rapid.Int64()).Draw(t, "n")
			default:
				ys[i] = genInt64(t, "y")
			}
		}
		if rapid.Bool().Draw(t, "small") { // where pow and shl stay in range
			x = rapid.Int64Range(-20, 20).Draw(t, "x")
		}
		if err := v.Store(ctx, x); err != nil {
			t.Fatal(err)
		}
		got := heldCalls(t, v, n, func(i int) (int64, error) { return callInt(ctx, v, stepOps[i], ys[i]) })()
		a := checkSteps(t, x, stepOps, ys, got, goInt, func(a, b int64) bool { return a == b })
		if got := must[int64](t)(v.Load(ctx)); got != a {
			t.Fatalf("stored %d, want %d", got, a)
		}
	})
}

// TestCombinedStepLeftBeforeItsCallGoesIsNeverSent: a caller whose
// context ends after its step was taken into a combined call, but before
// that call went, gets the context's error, and the call goes without its
// step: it is never applied. (A review found such callers told
// ErrUnknownOutcome, and their steps applied after the callers' next
// calls had read the value: a check before a retry said "not applied"
// every time.) 200 tries of Int.Mul, each cancelled just as its combined
// call is made.
func TestCombinedStepLeftBeforeItsCallGoesIsNeverSent(t *testing.T) {
	h := hotredis.NewInt(key(t))
	defer h.Delete(ctx)
	outcomes := map[string]int{}
	for range 200 {
		noErr(t, h.Store(ctx, 1))
		free := hotredis.HoldSteps(h)
		cctx, cancel := context.WithCancel(ctx)
		res := make(chan error, 1)
		go func() { _, err := h.Mul(cctx, 2); res <- err }()
		waitFor(t, func() bool { n, _ := hotredis.Steps(h); return n == 1 })
		free()
		cancel()
		err := <-res
		time.Sleep(10 * time.Millisecond) // (a combined call that went lands)
		v := must[int64](t)(h.Load(ctx))
		switch {
		case err == nil:
			outcomes["applied"]++
			if v != 2 {
				t.Fatalf("a Mul(2) of 1 that succeeded left %d", v)
			}
		case errors.Is(err, hotredis.ErrUnknownOutcome):
			outcomes["unknown"]++
		case errors.Is(err, context.Canceled):
			outcomes["left out"]++
			if v != 1 {
				t.Fatalf("a Mul(2) of 1 that returned %v was applied: %d", err, v)
			}
		default:
			t.Fatal(err)
		}
	}
	t.Logf("outcomes of 200 Muls cancelled as their combined call was made: %v", outcomes)
	if outcomes["left out"] == 0 {
		t.Errorf("no Mul was left out of its combined call (%v): every cancelled step was sent", outcomes)
	}
}
