package hotredis_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"sync"
	"testing"
	"unicode"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

var floatOps = []string{"add", "sub", "mul", "div", "pow"}

// goFloat is what a Float must compute for x op y: Go's float64 result,
// or ErrDivideByZero / ErrNotFinite where Go would give NaN or ±Inf.
func goFloat(x float64, op string, y float64) (float64, error) {
	var r float64
	switch op {
	case "add":
		r = x + y
	case "sub":
		r = x - y
	case "mul":
		r = x * y
	case "div":
		if y == 0 {
			return 0, hotredis.ErrDivideByZero
		}
		r = x / y
	case "pow":
		if x == 0 && y < 0 {
			return 0, hotredis.ErrDivideByZero
		}
		r = math.Pow(x, y)
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, hotredis.ErrNotFinite
	}
	return r, nil
}

func callFloat(c context.Context, f *hotredis.Float, op string, y float64) (float64, error) {
	switch op {
	case "add":
		return f.Add(c, y)
	case "sub":
		return f.Sub(c, y)
	case "mul":
		return f.Mul(c, y)
	case "div":
		return f.Div(c, y)
	case "pow":
		return f.Pow(c, y)
	}
	panic(op)
}

var floatEdges = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.2, 0.3, 1e-20, 1e16, 1e-4, 9.999999999999999e-5, 1e22, 1e23,
	math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-1022, 2.5, 3, 1 << 53, 1<<53 + 2, 123456789.125, 5e-324,
	0x1p60, 0x1p-60, 1.7976931348623157e308, 2.2250738585072014e-308, 4.35, 0.5, 7}

func genFloat(t *rapid.T, label string) float64 {
	return rapid.OneOf(
		rapid.SampledFrom(floatEdges),
		rapid.Float64(),
		rapid.Custom(func(t *rapid.T) float64 { // any bit pattern, subnormals and powers of two included
			x := math.Float64frombits(rapid.Uint64().Draw(t, "bits"))
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return 1
			}
			return x
		}),
		rapid.Custom(func(t *rapid.T) float64 { // short decimals, as people type them
			return float64(rapid.IntRange(-100000, 100000).Draw(t, "n")) / math.Pow10(rapid.IntRange(0, 6).Draw(t, "e"))
		}),
		rapid.Custom(func(t *rapid.T) float64 { // 1 to 17 digits at every magnitude where repr changes form (1e-4, 1e15, 1e16), or a neighbour of one
			m := rapid.Int64Range(1, 99999999999999999).Draw(t, "m")
			m /= int64(math.Pow10(rapid.IntRange(0, 16).Draw(t, "cut")))
			x, _ := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e"+strconv.Itoa(rapid.IntRange(-24, 20).Draw(t, "e")), 64)
			return math.Nextafter(x, []float64{x, math.Inf(1), 0}[rapid.IntRange(0, 2).Draw(t, "nudge")])
		}),
	).Draw(t, label)
}

// checkFloatOp runs op on a Float holding x and compares the result, the
// error and the stored text with Go's.
func checkFloatOp(t scalarT, f *hotredis.Float, raw func() string, x float64, op string, y float64) {
	t.Helper()
	if err := f.Store(ctx, x); err != nil {
		t.Fatal(err)
	}
	before := raw()
	want, wantErr := goFloat(x, op, y)
	got, err := callFloat(ctx, f, op, y)
	after := raw()
	if wantErr != nil {
		if !errors.Is(err, wantErr) || after != before {
			t.Fatalf("%v %s %v: got (%v, %v), stored %q; want %v and %q kept", x, op, y, got, err, after, wantErr, before)
		}
		return
	}
	if err != nil || math.Float64bits(got) != math.Float64bits(want) || after != pyfmt.Float(want) {
		t.Fatalf("%v %s %v: got (%v, %v), stored %q; want %v stored as %q", x, op, y, got, err, after, want, pyfmt.Float(want))
	}
}

func TestFloatMatchesGo(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	raw := func() string { return rdb.Get(ctx, f.Key()).Val() }
	rapid.Check(t, func(t *rapid.T) {
		checkFloatOp(t, f, raw, genFloat(t, "x"), rapid.SampledFrom(floatOps).Draw(t, "op"), genFloat(t, "y"))
	})
}

// The script writes every double as Python's repr does (pyfmt.Float is
// checked against Python separately), and reads it back exactly.
func TestFloatScriptWritesRepr(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	rapid.Check(t, func(t *rapid.T) {
		x := genFloat(t, "x")
		f.Store(ctx, x)
		got, err := f.Mul(ctx, 1) // x*1 is x, -0 included; the script formats it
		if s := rdb.Get(ctx, f.Key()).Val(); err != nil || s != pyfmt.Float(x) || math.Float64bits(got) != math.Float64bits(x) {
			t.Fatalf("%v: stored %q, got %v, %v; want %q", x, s, got, err, pyfmt.Float(x))
		}
	})
}

// FuzzFloatArith checks the float script against Go on any input. Its seed
// corpus runs with go test.
func FuzzFloatArith(f *testing.F) {
	for k := range floatOps {
		for j, x := range floatEdges {
			f.Add(x, uint8(k), floatEdges[(j*7+k)%len(floatEdges)])
		}
	}
	fl := hotredis.NewFloat("test:FuzzFloatArith")
	rdb := rawClient()
	raw := func() string { return rdb.Get(ctx, fl.Key()).Val() }
	f.Fuzz(func(t *testing.T, x float64, k uint8, y float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if err := fl.Store(ctx, x); !errors.Is(err, hotredis.ErrNotFinite) {
				t.Fatalf("Store(%v): %v", x, err)
			}
			return
		}
		op := floatOps[int(k)%len(floatOps)]
		if math.IsNaN(y) || math.IsInf(y, 0) {
			fl.Store(ctx, x)
			if _, err := callFloat(ctx, fl, op, y); !errors.Is(err, hotredis.ErrNotFinite) {
				t.Fatalf("%s(%v): %v", op, y, err)
			}
			return
		}
		checkFloatOp(t, fl, raw, x, op, y)
	})
}

func TestFloatTable(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	if v, err := f.Add(ctx, 0.1); v != 0.1 || err != nil { // a missing key is 0
		t.Fatalf("Add on missing = %v, %v", v, err)
	}
	a, b := 0.1, 0.2 // variables: Go's constant 0.1+0.2 is exactly 0.3
	if v, _ := f.Add(ctx, b); v != a+b || rdb.Get(ctx, f.Key()).Val() != "0.30000000000000004" {
		t.Fatalf("0.1+0.2 = %v stored as %q", v, rdb.Get(ctx, f.Key()).Val())
	}
	f.Store(ctx, 1)
	if v, _ := f.Add(ctx, 1e-20); v != 1 {
		t.Fatalf("1+1e-20 = %v", v)
	}
	f.Store(ctx, 1e-20)
	if v, _ := f.Add(ctx, 1e-20); v != 2e-20 || rdb.Get(ctx, f.Key()).Val() != "2e-20" {
		t.Fatalf("1e-20+1e-20 = %v stored as %q", v, rdb.Get(ctx, f.Key()).Val())
	}
	if old, err := f.Swap(ctx, 2.5); old != 2e-20 || err != nil {
		t.Fatalf("Swap = %v, %v", old, err)
	}
	if ok, err := f.CompareAndSwap(ctx, 2.5, 3); !ok || err != nil {
		t.Fatalf("CompareAndSwap(2.5, 3) = %v, %v", ok, err)
	}
	if ok, err := f.CompareAndSwap(ctx, 2.5, 4); ok || err != nil {
		t.Fatalf("CompareAndSwap(2.5, 4) on 3 = %v, %v", ok, err)
	}
	if ok, _ := f.CompareAndSwap(ctx, math.NaN(), 4); ok {
		t.Fatal("CompareAndSwap(NaN, 4) swapped")
	}
	if s := rdb.Get(ctx, f.Key()).Val(); s != "3.0" {
		t.Fatalf("stored %q", s)
	}
	f.Delete(ctx)
	if ok, _ := f.CompareAndSwap(ctx, 0, 4); !ok {
		t.Fatal("CompareAndSwap(0, 4) on a missing key did not swap")
	}

	// Other programs' text: INCRBYFLOAT's, and any form Python reads.
	rdb.Set(ctx, f.Key(), "1.5", 0)
	rdb.IncrByFloat(ctx, f.Key(), 1e-7)
	if v, _ := f.Load(ctx); v != 1.5000001 {
		t.Fatalf("after INCRBYFLOAT: %v", v)
	}
	for text, want := range map[string]float64{"3": 3, "  -2.5e3 ": -2500, "1E5": 1e5, "0.0000001": 1e-7, ".5": 0.5, "7.": 7,
		"+7": 7, "007.50": 7.5, "1_000.5": 1000.5, "1e1_0": 1e10, "\t2.5\n": 2.5, "\u00a02.5\u3000": 2.5, "\u0661\u0662.\u0665": 12.5} {
		rdb.Set(ctx, f.Key(), text, 0)
		if v, err := f.Load(ctx); v != want || err != nil {
			t.Errorf("Load of %q = %v, %v", text, v, err)
		}
		if v, err := f.Mul(ctx, 2); v != 2*want || err != nil {
			t.Errorf("Mul of %q = %v, %v", text, v, err)
		}
	}
}

func TestFloatBadInput(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	e := func(_ any, err error) error { return err }
	ops := map[string]func() error{
		"Load": func() error { return e(f.Load(ctx)) },
		"Add":  func() error { return e(f.Add(ctx, 1)) },
		"Sub":  func() error { return e(f.Sub(ctx, 1)) },
		"Mul":  func() error { return e(f.Mul(ctx, 1)) },
		"Div":  func() error { return e(f.Div(ctx, 1)) },
		"Pow":  func() error { return e(f.Pow(ctx, 2)) },
		"Swap": func() error { return e(f.Swap(ctx, 1)) },
		"CAS":  func() error { return e(f.CompareAndSwap(ctx, 0, 1)) },
	}
	// Text Python's float() refuses, some of which strtod reads.
	for _, junk := range []string{"abc", "", "0x10", "1.5.5", "1e", "--1", "+-nan", "nan(1)", "infinit", "1\x00", "1_", "_1", "1__0",
		"1 2", "\u00bd", "1\ufffd", "\xc0\xb1"} {
		rdb.Set(ctx, f.Key(), junk, 0)
		for name, op := range ops {
			err := op()
			var de *hotredis.DecodeError
			if !errors.As(err, &de) || !errors.Is(err, hotredis.ErrDecode) || de.Value != junk {
				t.Errorf("%s on %q: %v", name, junk, err)
			}
			if s := rdb.Get(ctx, f.Key()).Val(); s != junk {
				t.Fatalf("%s changed %q to %q", name, junk, s)
			}
		}
	}
	rdb.Del(ctx, f.Key())
	rdb.SAdd(ctx, f.Key(), "x")
	for name, op := range ops {
		if err := op(); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a set: %v", name, err)
		}
	}
	rdb.Del(ctx, f.Key())

	// Non-finite values are refused, not stored.
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		for name, err := range map[string]error{
			"Store": f.Store(ctx, x), "Add": e(f.Add(ctx, x)), "Mul": e(f.Mul(ctx, x)),
			"Div": e(f.Div(ctx, x)), "Pow": e(f.Pow(ctx, x)), "Swap": e(f.Swap(ctx, x)), "CAS": e(f.CompareAndSwap(ctx, 0, x)),
		} {
			if !errors.Is(err, hotredis.ErrNotFinite) {
				t.Errorf("%s(%v): %v", name, x, err)
			}
		}
	}
	if n := rdb.Exists(ctx, f.Key()).Val(); n != 0 {
		t.Fatal("a non-finite value was stored")
	}
	// A Python program may store inf or nan, "-nan" too (float("inf") * 0,
	// (-8.0) ** (1/3)): it loads, but arithmetic refuses it.
	fi := hotredis.NewFloat(f.Key(), hotredis.WithIncrByFloat())
	for _, c := range []struct{ text, want string }{
		{"inf", "+Inf"}, {"-inf", "-Inf"}, {"+inf", "+Inf"}, {"-Infinity", "-Inf"}, {"INF", "+Inf"},
		{"nan", "NaN"}, {"-nan", "NaN"}, {"+nan", "NaN"}, {"-NaN", "NaN"}, {"NAN", "NaN"}, {" -nan\n", "NaN"},
	} {
		rdb.Set(ctx, f.Key(), c.text, 0)
		if v, err := f.Load(ctx); err != nil || strconv.FormatFloat(v, 'g', -1, 64) != c.want {
			t.Errorf("Load of %q = %v, %v; want %s", c.text, v, err, c.want)
		}
		for _, op := range []string{"Add", "Sub", "Mul", "Div", "Pow"} {
			if err := ops[op](); !errors.Is(err, hotredis.ErrNotFinite) {
				t.Errorf("%s on %q: %v", op, c.text, err)
			}
		}
		if _, err := fi.Add(ctx, 1); !errors.Is(err, hotredis.ErrNotFinite) {
			t.Errorf("Add WithIncrByFloat on %q: %v", c.text, err)
		}
		if s := rdb.Get(ctx, f.Key()).Val(); s != c.text {
			t.Errorf("arithmetic on %q changed it to %q", c.text, s)
		}
	}
	f.Store(ctx, math.MaxFloat64)
	if _, err := f.Mul(ctx, 2); !errors.Is(err, hotredis.ErrNotFinite) {
		t.Errorf("overflow: %v", err)
	}
	if _, err := f.Div(ctx, 0); !errors.Is(err, hotredis.ErrDivideByZero) {
		t.Errorf("Div(0): %v", err)
	}
	f.Store(ctx, 0)
	if _, err := f.Pow(ctx, -1); !errors.Is(err, hotredis.ErrDivideByZero) {
		t.Errorf("0 ** -1: %v", err)
	}
	f.Store(ctx, -8)
	if _, err := f.Pow(ctx, 1.0/3); !errors.Is(err, hotredis.ErrNotFinite) {
		t.Errorf("-8 ** (1/3): %v", err)
	}
	if v, _ := f.Load(ctx); v != -8 {
		t.Fatalf("value changed to %v", v)
	}
}

// Python's float() reads a str's Unicode decimal digits and whitespace, so
// pyfmt.ParseFloat does, and the scripts (pyfloat_lib) read the same
// texts: every Unicode run of ten digits, and each whitespace character.
func TestScalarsReadUnicodeText(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	f, i := hotredis.NewFloat(key(t, "float")), hotredis.NewInt(key(t, "int"))
	defer f.Delete(ctx)
	defer i.Delete(ctx)
	check := func(text string, want float64) {
		t.Helper()
		rdb.Set(ctx, f.Key(), text, 0)
		rdb.Set(ctx, i.Key(), text, 0)
		v, err := f.Load(ctx)
		w, werr := f.Mul(ctx, 2)
		n, nerr := i.Load(ctx)
		m, merr := i.Mul(ctx, 2)
		if v != want || err != nil || w != 2*want || werr != nil || n != int64(want) || nerr != nil || m != 2*int64(want) || merr != nil {
			t.Errorf("%+q: Float Load %v, %v, Mul %v, %v; Int Load %d, %v, Mul %d, %v; want %v", text, v, err, w, werr, n, nerr, m, merr, want)
		}
	}
	var runs []unicode.Range32
	for _, r := range unicode.Nd.R16 {
		runs = append(runs, unicode.Range32{Lo: uint32(r.Lo), Hi: uint32(r.Hi)})
	}
	for _, r := range append(runs, unicode.Nd.R32...) {
		for zero := rune(r.Lo); zero <= rune(r.Hi); zero += 10 {
			check(string([]rune{zero + 9, zero + 8, zero + 1, zero + 3, zero + 4, zero + 2, zero + 7, zero + 6, zero + 5, '.', zero}), 981342765)
		}
	}
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if unicode.IsSpace(r) {
			check(string(r)+"7"+string(r), 7)
		}
	}
	for _, junk := range []string{"\u00bd", "\u00b2", "\u2167", "7\u200b", "\xff7", "\xc0\xb7", "\xe0\x80\xb7", "\xf0\x80\x80\xb7", "\xed\xa0\x80"} {
		rdb.Set(ctx, f.Key(), junk, 0)
		rdb.Set(ctx, i.Key(), junk, 0)
		_, err := f.Load(ctx)
		_, werr := f.Mul(ctx, 2)
		_, nerr := i.Load(ctx)
		_, merr := i.Mul(ctx, 2)
		for _, err := range []error{err, werr, nerr, merr} {
			if !errors.Is(err, hotredis.ErrDecode) {
				t.Errorf("%+q: %v, want ErrDecode", junk, err)
			}
		}
	}
}

func TestFloatConcurrent(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	run := func(workers, each int, op func() error) {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					if err := op(); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	f.Store(ctx, 0.5)
	run(8, 50, func() error { _, err := f.Add(ctx, 1); return err })
	if v, _ := f.Load(ctx); v != 400.5 {
		t.Fatalf("adds: %v", v)
	}
	f.Store(ctx, 1.5)
	run(8, 10, func() error { _, err := f.Mul(ctx, -2); return err })
	if v, _ := f.Load(ctx); v != 1.5*0x1p80 {
		t.Fatalf("muls: %v", v)
	}
	f.Store(ctx, 2)
	run(3, 2, func() error { _, err := f.Pow(ctx, 2); return err }) // six squarings
	if v, _ := f.Load(ctx); v != 0x1p64 {
		t.Fatalf("pows: %v", v)
	}
}

func TestFloatTransaction(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		f.Store(ctx, 1.5)
		f.Add(ctx, 1)
		f.Mul(ctx, 4)
		if _, err := f.Pow(ctx, 2); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("Pow in a transaction: %v", err)
		}
		return nil
	})
	if v, _ := f.Load(ctx); err != nil || v != 10 {
		t.Fatalf("got %v, %v", v, err)
	}
	err = hotredis.Optimistic(ctx, func(ctx context.Context) error {
		_, err := f.Pow(ctx, 0.5)
		return err
	}, f)
	if v, _ := f.Load(ctx); err != nil || v != math.Sqrt(10) {
		t.Fatalf("got %v, %v", v, err)
	}
}

// Powers of two have lopsided rounding intervals, where the nearest short
// decimal may not read back but the next one does.
func TestFloatScriptWritesPowersOfTwo(t *testing.T) {
	f := hotredis.NewFloat(key(t))
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	for e := -1074; e <= 1023; e++ {
		x := math.Ldexp(1, e)
		if e%3 == 0 {
			x = -x
		}
		f.Store(ctx, x)
		f.Mul(ctx, 1)
		if s := rdb.Get(ctx, f.Key()).Val(); s != pyfmt.Float(x) {
			t.Fatalf("2**%d stored as %q, want %q", e, s, pyfmt.Float(x))
		}
	}
}

// Every scalar script declares its keys, so each works on a Cluster.
func TestScalarsCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster")
	}
	c := sharedCluster(t).Client(t)
	for k := range 4 {
		name := key(t, strconv.Itoa(k))
		f := hotredis.NewFloat(name+":f", hotredis.WithClient(c))
		s := hotredis.NewString(name+":s", hotredis.WithClient(c))
		f.Store(ctx, 1.5)
		v, err := f.Add(ctx, 1)
		if err == nil {
			v, err = f.Pow(ctx, 2)
		}
		if err != nil || v != 6.25 {
			t.Fatalf("float: %v, %v", v, err)
		}
		s.Set(ctx, "héllo")
		u, err := s.ToUpper(ctx)
		if err == nil {
			u, err = s.Slice(ctx, -3, -1)
		}
		if err != nil || u != "LL" {
			t.Fatalf("string: %q, %v", u, err)
		}
		if n, err := s.SetSlice(ctx, -1, 100, "!"); n != 6 || err != nil {
			t.Fatalf("SetSlice: %d, %v", n, err)
		}
		f.Delete(ctx)
		s.Delete(ctx)
	}
}
