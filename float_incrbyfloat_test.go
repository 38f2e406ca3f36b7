package hotredis_test

import (
	"context"
	"errors"
	"math"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

// incrByFloat is Redis's INCRBYFLOAT on x86-64, where a long double has a
// 64-bit mantissa: both texts read as long doubles (correctly rounded),
// added in that precision, printed with "%.17Lf" and stripped of trailing
// zeros (and "-0" made "0"). It is the model WithIncrByFloat is checked
// against, bit for bit.
func incrByFloat(old, incr string) string {
	ld := func(s string) *big.Float {
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			panic(s)
		}
		return new(big.Float).SetPrec(64).SetMode(big.ToNearestEven).SetRat(r)
	}
	sum := new(big.Float).SetPrec(64).SetMode(big.ToNearestEven)
	sum.Add(ld(old), ld(incr))
	s := sum.Text('f', 17)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

func TestFloatIncrByFloatModel(t *testing.T) {
	// Examples in WithIncrByFloat's documentation, and Redis's own.
	for _, c := range [][3]string{
		{"0.1", "0.2", "0.3"},
		{"0", "1e-20", "0"},
		{"10.5", "0.1", "10.6"},
		{"5.0e3", "2.0e2", "5200"},
		{"3.0", "-3.0", "0"},
		{"1e-07", "0", "0.0000001"},
	} {
		if got := incrByFloat(c[0], c[1]); got != c[2] {
			t.Errorf("model: %s + %s = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

func TestFloatIncrByFloat(t *testing.T) {
	k := key(t)
	f := hotredis.NewFloat(k, hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	raw := func() string { return rdb.Get(ctx, k).Val() }

	// Documented differences from Go's arithmetic, and what stays equal.
	for _, c := range []struct {
		x, y     float64
		sub      bool
		want     float64
		wantText string
	}{
		{x: 0.1, y: 0.2, want: 0.3, wantText: "0.3"}, // Go: 0.30000000000000004
		{x: 0, y: 1e-20, want: 0, wantText: "0"},     // below 17 decimals
		{x: 1e-20, y: 0, want: 0, wantText: "0"},
		{x: 2.5, y: 0.5, want: 3, wantText: "3"},
		{x: 1, y: 1e-7, sub: true, want: 0.9999999, wantText: "0.9999999"},
		{x: -1.5, y: 1.5, want: 0, wantText: "0"},
		{x: 1e17, y: 1, want: 1e17, wantText: "100000000000000001"}, // exact in long double
	} {
		if err := f.Store(ctx, c.x); err != nil {
			t.Fatal(err)
		}
		var got float64
		var err error
		if c.sub {
			got, err = f.Sub(ctx, c.y)
		} else {
			got, err = f.Add(ctx, c.y)
		}
		if err != nil || got != c.want || raw() != c.wantText {
			t.Errorf("%v ± %v: got (%v, %v) stored %q, want %v stored %q", c.x, c.y, got, err, raw(), c.want, c.wantText)
		}
		if v, err := f.Load(ctx); err != nil || v != got {
			t.Errorf("Load after %v ± %v: (%v, %v), want %v", c.x, c.y, v, err, got)
		}
	}
	// A missing key counts as 0.
	f.Delete(ctx)
	if v, err := f.Add(ctx, 4.25); err != nil || v != 4.25 || raw() != "4.25" {
		t.Errorf("Add on a missing key: (%v, %v) stored %q", v, err, raw())
	}

	// Against the model: any value a Float stores, any increment.
	exact := runtime.GOARCH == "amd64" // long double's width is the server's
	rapid.Check(t, func(rt *rapid.T) {
		clamp := func(x float64) float64 { // stay in float64's range after a sum
			if math.Abs(x) > 1e300 {
				return math.Copysign(1e300, x)
			}
			return x
		}
		x, y := clamp(genFloat(rt, "x")), clamp(genFloat(rt, "y"))
		if err := f.Store(ctx, x); err != nil {
			rt.Fatal(err)
		}
		got, err := f.Add(ctx, y)
		if err != nil {
			rt.Fatalf("%v + %v: %v", x, y, err)
		}
		text := raw()
		if back, err := pyfmt.ParseFloat(text, 64); err != nil || back != got {
			rt.Fatalf("%v + %v returned %v, stored %q", x, y, got, text)
		}
		if exact {
			if want := incrByFloat(pyfmt.Float(x), pyfmt.Float(y)); text != want {
				rt.Fatalf("%v + %v stored %q, want %q", x, y, text, want)
			}
		}
		// Never further from Go's sum than the inputs' and the result's
		// roundings (Redis reads the decimal texts as long doubles, closer
		// to the decimals than float64s are) and 17 decimals allow.
		if d := math.Abs(got - (x + y)); d > 1e-17+(math.Abs(x)+math.Abs(y)+math.Abs(x+y))*0x1p-52 {
			rt.Fatalf("%v + %v = %v, Go says %v", x, y, got, x+y)
		}
	})
}

func TestFloatIncrByFloatBadInput(t *testing.T) {
	k := key(t)
	f := hotredis.NewFloat(k, hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	for _, y := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		f.Store(ctx, 1)
		if _, err := f.Add(ctx, y); !errors.Is(err, hotredis.ErrNotFinite) {
			t.Errorf("Add(%v): %v", y, err)
		}
		if _, err := f.Sub(ctx, y); !errors.Is(err, hotredis.ErrNotFinite) {
			t.Errorf("Sub(%v): %v", y, err)
		}
		if v, _ := f.Load(ctx); v != 1 {
			t.Fatalf("value changed to %v", v)
		}
	}
	for stored, want := range map[string]error{
		"inf": hotredis.ErrNotFinite, "-inf": hotredis.ErrNotFinite, "nan": hotredis.ErrNotFinite,
		"-nan": hotredis.ErrNotFinite, "+NaN": hotredis.ErrNotFinite, "-Infinity": hotredis.ErrNotFinite,
		"abc": hotredis.ErrDecode, "1.5x": hotredis.ErrDecode, "nan(1)": hotredis.ErrDecode, "1_": hotredis.ErrDecode,
	} {
		rdb.Set(ctx, k, stored, 0)
		if _, err := f.Add(ctx, 1); !errors.Is(err, want) {
			t.Errorf("Add on %q: %v, want %v", stored, err, want)
		}
		if got := rdb.Get(ctx, k).Val(); got != stored {
			t.Errorf("Add on %q stored %q", stored, got)
		}
	}
	// Text Python reads and INCRBYFLOAT does not: the script adds to it.
	for stored, want := range map[string]float64{"1_000.5": 1001.5, " 2.5": 3.5, "\u00a02.5\u3000": 3.5, "\u0661\u0662.\u0665": 13.5} {
		rdb.Set(ctx, k, stored, 0)
		if v, err := f.Add(ctx, 1); v != want || err != nil || rdb.Get(ctx, k).Val() != pyfmt.Float(want) {
			t.Errorf("Add(1) on %q: %v, %v, stored %q; want %v", stored, v, err, rdb.Get(ctx, k).Val(), want)
		}
		rdb.Set(ctx, k, stored, 0)
		if v, err := f.Sub(ctx, 1); v != want-2 || err != nil {
			t.Errorf("Sub(1) on %q: %v, %v; want %v", stored, v, err, want-2)
		}
	}
	var de *hotredis.DecodeError
	rdb.Set(ctx, k, "abc", 0)
	if _, err := f.Add(ctx, 1); !errors.As(err, &de) || de.Value != "abc" {
		t.Errorf("Add on abc: %v, want a *DecodeError with the stored text", err)
	}
	rdb.Del(ctx, k)
	rdb.RPush(ctx, k, "x")
	if _, err := f.Add(ctx, 1); !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("Add on a list: %v", err)
	}
	rdb.Del(ctx, k)
	// A sum past float64's range fits a long double: the server stores it,
	// Add reports it as not finite and takes it back.
	for _, x := range []float64{math.MaxFloat64, -math.MaxFloat64} {
		f.Store(ctx, x)
		if v, err := f.Add(ctx, x); !errors.Is(err, hotredis.ErrNotFinite) {
			t.Errorf("%v + %v: (%v, %v), want ErrNotFinite", x, x, v, err)
		}
		if v, err := f.Load(ctx); err != nil || v != x {
			t.Errorf("Load after an overflow: (%v, %v), want %v", v, err, x)
		}
	}
}

func TestFloatIncrByFloatConcurrent(t *testing.T) {
	k := key(t)
	f := hotredis.NewFloat(k, hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	f.Store(ctx, 0.5)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			other := hotredis.NewFloat(k, hotredis.WithIncrByFloat())
			for range 100 {
				if _, err := other.Add(ctx, 0.25); err != nil {
					t.Error(err)
					return
				}
				if _, err := other.Sub(ctx, -0.75); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if v, err := f.Load(ctx); err != nil || v != 800.5 {
		t.Fatalf("after 8×100 (+0.25, -(-0.75)): (%v, %v), want 800.5", v, err)
	}
}

func TestFloatIncrByFloatKeepsExpiry(t *testing.T) {
	k := key(t)
	f := hotredis.NewFloat(k, hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	f.Store(ctx, 1)
	rdb.Expire(ctx, k, 100e9)
	if _, err := f.Add(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 {
		t.Errorf("Add dropped the expiry: PTTL %v", ttl)
	}
}

// TestFloatIncrByFloatInATransaction: inside a transaction Add is the
// script, so a sum past float64's range fails the commit and changes
// nothing (INCRBYFLOAT would store it, and no take-back runs at a
// commit), and text Python reads and Redis does not is added to.
func TestFloatIncrByFloatInATransaction(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	f := hotredis.NewFloat(key(t), hotredis.WithIncrByFloat())
	defer f.Delete(ctx)
	noErr(t, f.Store(ctx, math.MaxFloat64))
	before := rdb.Get(ctx, f.Key()).Val()
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := f.Add(ctx, math.MaxFloat64)
		return err
	})
	if !errors.Is(err, hotredis.ErrNotFinite) || rdb.Get(ctx, f.Key()).Val() != before {
		t.Errorf("Add past float64's range in a transaction = %v, stored %.20q; want ErrNotFinite, %q kept", err, rdb.Get(ctx, f.Key()).Val(), before)
	}
	noErr(t, rdb.Set(ctx, f.Key(), "1_000.5", 0).Err())
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := f.Add(ctx, 1)
		return err
	}))
	if v := must[float64](t)(f.Load(ctx)); v != 1001.5 {
		t.Errorf("Add(1) to \"1_000.5\" in a transaction: %v, want 1001.5", v)
	}
}
