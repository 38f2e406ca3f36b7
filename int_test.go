package hotredis_test

import (
	"context"
	"errors"
	"math"
	"math/big"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

// intOps are the Int operations checked against Go's own arithmetic.
var intOps = []string{"add", "sub", "mul", "div", "mod", "pow", "and", "or", "xor", "andnot", "shl", "shr", "swap"}

// goInt computes x op y exactly (math/big), as an Int must: the int64
// result, or ErrOverflow / ErrDivideByZero. For pow, shl and shr the
// count is uint(y).
func goInt(x int64, op string, y int64) (int64, error) {
	bx, by, r := big.NewInt(x), big.NewInt(y), new(big.Int)
	switch op {
	case "add":
		r.Add(bx, by)
	case "sub":
		r.Sub(bx, by)
	case "mul":
		r.Mul(bx, by)
	case "div", "mod":
		if y == 0 {
			return 0, hotredis.ErrDivideByZero
		}
		if op == "div" {
			r.Quo(bx, by) // truncated, as Go
		} else {
			r.Rem(bx, by)
		}
	case "pow":
		n := uint64(y)
		switch {
		case x == 0 && n > 0:
			return 0, nil
		case x == 1 || n == 0:
			return 1, nil
		case x == -1:
			return 1 - 2*int64(n%2), nil
		case n >= 64:
			return 0, hotredis.ErrOverflow
		}
		r.Exp(bx, new(big.Int).SetUint64(n), nil)
	case "and":
		return x & y, nil
	case "or":
		return x | y, nil
	case "xor":
		return x ^ y, nil
	case "andnot":
		return x &^ y, nil
	case "shl":
		n := uint64(y)
		if x == 0 {
			return 0, nil
		}
		if n >= 64 {
			return 0, hotredis.ErrOverflow
		}
		r.Lsh(bx, uint(n))
	case "shr":
		return x >> uint64(y), nil
	case "swap":
		return y, nil
	default:
		panic(op)
	}
	if !r.IsInt64() {
		return 0, hotredis.ErrOverflow
	}
	return r.Int64(), nil
}

// scalarT is what checks need of a *testing.T or *rapid.T.
type scalarT interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

func callInt(c context.Context, i *hotredis.Int, op string, y int64) (int64, error) {
	switch op {
	case "add":
		return i.Add(c, y)
	case "sub":
		return i.Sub(c, y)
	case "mul":
		return i.Mul(c, y)
	case "div":
		return i.Div(c, y)
	case "mod":
		return i.Mod(c, y)
	case "pow":
		return i.Pow(c, uint(y))
	case "and":
		return i.And(c, y)
	case "or":
		return i.Or(c, y)
	case "xor":
		return i.Xor(c, y)
	case "andnot":
		return i.AndNot(c, y)
	case "shl":
		return i.Shl(c, uint(y))
	case "shr":
		return i.Shr(c, uint(y))
	case "swap":
		if _, err := i.Swap(c, y); err != nil {
			return 0, err
		}
		return i.Load(c)
	}
	panic(op)
}

var intEdges = []int64{0, 1, -1, 2, -2, 3, -7, 7, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1,
	1 << 53, 1<<53 + 1, -(1<<53 + 1), 1 << 62, -1 << 62, math.MaxInt32, math.MinInt32, 1<<32 + 1, 3037000499, 3037000500}

func genInt64(t *rapid.T, label string) int64 {
	return rapid.OneOf(rapid.Int64(), rapid.SampledFrom(intEdges), rapid.Int64Range(-300, 300),
		rapid.Int64Range(-1<<54, 1<<54), rapid.Int64Range(-1<<27, 1<<27)).Draw(t, label)
}

// checkIntOp runs op on an Int holding x and compares result, error and
// stored value with Go's.
func checkIntOp(t scalarT, i *hotredis.Int, x int64, op string, y int64) {
	t.Helper()
	if err := i.Store(ctx, x); err != nil {
		t.Fatal(err)
	}
	want, wantErr := goInt(x, op, y)
	got, err := callInt(ctx, i, op, y)
	stored, lerr := i.Load(ctx)
	if lerr != nil {
		t.Fatal(lerr)
	}
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("%d %s %d: got (%d, %v), want %v", x, op, y, got, err, wantErr)
		}
		if stored != x {
			t.Fatalf("%d %s %d failed but changed the value to %d", x, op, y, stored)
		}
		return
	}
	if err != nil || got != want || stored != want {
		t.Fatalf("%d %s %d: got (%d, %v), stored %d; want %d", x, op, y, got, err, stored, want)
	}
}

func TestIntMatchesGo(t *testing.T) {
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	rapid.Check(t, func(t *rapid.T) {
		op := rapid.SampledFrom(intOps).Draw(t, "op")
		x := genInt64(t, "x")
		var y int64
		switch op {
		case "pow", "shl", "shr":
			y = rapid.OneOf(rapid.Int64Range(0, 70), rapid.Int64()).Draw(t, "n")
			if op == "pow" && rapid.Bool().Draw(t, "small") {
				x = rapid.Int64Range(-20, 20).Draw(t, "x")
			}
		default:
			y = genInt64(t, "y")
		}
		checkIntOp(t, i, x, op, y)
	})
}

func TestIntEdgeTable(t *testing.T) {
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	for _, op := range intOps {
		for _, x := range intEdges {
			for _, y := range intEdges {
				if op == "pow" || op == "shl" || op == "shr" {
					y = min(max(y, 0), 70)
				}
				checkIntOp(t, i, x, op, y)
			}
		}
	}
}

// FuzzIntArith checks the exact-integer script against Go on any input.
// Its seed corpus runs with go test; go test -fuzz=FuzzIntArith explores.
func FuzzIntArith(f *testing.F) {
	for k := range intOps {
		for _, x := range intEdges[:12] {
			f.Add(x, uint8(k), intEdges[(k+int(x&7))%len(intEdges)])
		}
	}
	i := hotredis.NewInt("test:FuzzIntArith")
	f.Fuzz(func(t *testing.T, x int64, k uint8, y int64) {
		op := intOps[int(k)%len(intOps)]
		if op == "pow" && y > 1000 && (x > 1 || x < -1) {
			y = y%70 + 64 // keep overflowing cases cheap but covered
		}
		checkIntOp(t, i, x, op, y)
	})
}

func TestIntMissingIsZero(t *testing.T) {
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	if v, err := i.Load(ctx); v != 0 || err != nil {
		t.Fatalf("Load = %d, %v", v, err)
	}
	if v, err := i.Mul(ctx, 5); v != 0 || err != nil {
		t.Fatalf("Mul = %d, %v", v, err)
	}
	i.Delete(ctx)
	if ok, err := i.CompareAndSwap(ctx, 0, 9); !ok || err != nil {
		t.Fatalf("CompareAndSwap(0, 9) on missing = %v, %v", ok, err)
	}
	if ok, err := i.CompareAndSwap(ctx, 0, 10); ok || err != nil {
		t.Fatalf("CompareAndSwap(0, 10) on 9 = %v, %v", ok, err)
	}
	if v, err := i.Pow(ctx, 2); v != 81 || err != nil {
		t.Fatalf("Pow = %d, %v", v, err)
	}
}

// The stored text is plain decimal, so INCR and HOT Redis share the key.
func TestIntStorageIsDecimal(t *testing.T) {
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	if err := i.Store(ctx, 1<<53+1); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Mul(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if s := rdb.Get(ctx, i.Key()).Val(); s != "27021597764222979" {
		t.Fatalf("stored %q", s)
	}
	if n := rdb.IncrBy(ctx, i.Key(), -3).Val(); n != 27021597764222976 {
		t.Fatalf("INCRBY gave %d", n)
	}
	if v, err := i.Shr(ctx, 1); v != 13510798882111488 || err != nil {
		t.Fatalf("Shr = %d, %v", v, err)
	}
}

func TestIntBadInput(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)

	ops := func(i *hotredis.Int) map[string]func() error {
		e := func(_ int64, err error) error { return err }
		return map[string]func() error{
			"Load":   func() error { return e(i.Load(ctx)) },
			"Add":    func() error { return e(i.Add(ctx, 1)) },
			"Sub":    func() error { return e(i.Sub(ctx, 1)) },
			"SubMin": func() error { return e(i.Sub(ctx, math.MinInt64)) },
			"Mul":    func() error { return e(i.Mul(ctx, 2)) },
			"Div":    func() error { return e(i.Div(ctx, 2)) },
			"Pow":    func() error { return e(i.Pow(ctx, 2)) },
			"Xor":    func() error { return e(i.Xor(ctx, 2)) },
			"Shr":    func() error { return e(i.Shr(ctx, 2)) },
			"Swap":   func() error { return e(i.Swap(ctx, 2)) },
			"CAS": func() error {
				_, err := i.CompareAndSwap(ctx, 0, 1)
				return err
			},
		}
	}
	// Text Python's float() refuses, or whose value is not an integer
	// within int64. (Integral float text, "5.0", is read: see
	// TestIntReadsIntegralFloatText.)
	for _, junk := range []string{"abc", "", "1.5", "2.5", "-0.5", "1e-1", "5.000000000000000000001", "1e19", "-1e19", "9.3e18",
		"9223372036854775808", "-9223372036854775809", "9223372036854775808.0", "nan", "-nan", "+NaN", "inf", "-Infinity",
		"0x10", "1_", "_1", "1__0", "5.0.0", "1e", "nan(1)", "1\x00", "\u00bd"} {
		rdb.Set(ctx, i.Key(), junk, 0)
		for name, f := range ops(i) {
			err := f()
			var de *hotredis.DecodeError
			if !errors.Is(err, hotredis.ErrDecode) || !errors.As(err, &de) || de.Value != junk {
				t.Errorf("%s on %q: %v", name, junk, err)
			}
			if s := rdb.Get(ctx, i.Key()).Val(); s != junk {
				t.Fatalf("%s on %q changed it to %q", name, junk, s)
			}
		}
	}

	rdb.Del(ctx, i.Key())
	rdb.RPush(ctx, i.Key(), "x")
	for name, f := range ops(i) {
		if err := f(); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a list: %v", name, err)
		}
	}
	rdb.Del(ctx, i.Key())

	i.Store(ctx, math.MaxInt64)
	for _, f := range []func() (int64, error){
		func() (int64, error) { return i.Add(ctx, 1) },
		func() (int64, error) { return i.Mul(ctx, -2) },
		func() (int64, error) { return i.Shl(ctx, 1) },
		func() (int64, error) { return i.Pow(ctx, 1<<40) },
	} {
		if _, err := f(); !errors.Is(err, hotredis.ErrOverflow) {
			t.Errorf("overflow: %v", err)
		}
	}
	i.Store(ctx, math.MinInt64)
	if _, err := i.Div(ctx, -1); !errors.Is(err, hotredis.ErrOverflow) {
		t.Errorf("MinInt64 / -1: %v", err)
	}
	if _, err := i.Sub(ctx, 1); !errors.Is(err, hotredis.ErrOverflow) {
		t.Errorf("MinInt64 - 1: %v", err)
	}
	for _, f := range []func() (int64, error){
		func() (int64, error) { return i.Div(ctx, 0) },
		func() (int64, error) { return i.Mod(ctx, 0) },
	} {
		if _, err := f(); !errors.Is(err, hotredis.ErrDivideByZero) {
			t.Errorf("divide by zero: %v", err)
		}
	}
	if v, _ := i.Load(ctx); v != math.MinInt64 {
		t.Fatalf("value changed to %d", v)
	}
}

// HOT Redis's Int stores float text after arithmetic with a float: "5.0",
// or "3e+17" (Lua's %.14g). An Int reads every text Python's float() reads
// whose exact value is an integer within int64, and each method works on
// it as on the decimal text and stores its result in decimal.
func TestIntReadsIntegralFloatText(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	texts := []struct {
		text string
		want int64
	}{
		{"5.0", 5}, {"-2.0", -2}, {"3e+17", 3e17}, {"1.5e+18", 15e17}, {"1.2345678901235e+17", 123456789012350000},
		{"9.007199254740993e+15", 1<<53 + 1}, {"9007199254740993.0", 1<<53 + 1}, {"-0.0", 0}, {"0.0", 0},
		{"-0", 0}, {"+1", 1}, {"007", 7}, {" 12\n", 12}, {"1_000", 1000}, {"1E3", 1000}, {"2500e-2", 25}, {"5.", 5},
		{"9.223372036854775807e18", math.MaxInt64}, {"-9223372036854775808.0", math.MinInt64}, {"\uff15.0", 5},
	}
	ops := []struct {
		op string
		y  int64
	}{{"add", 3}, {"sub", 3}, {"mul", 2}, {"div", 2}, {"mod", 3}, {"pow", 2}, {"and", 6}, {"xor", 1}, {"shl", 1}, {"shr", 1}}
	for _, c := range texts {
		rdb.Set(ctx, i.Key(), c.text, 0)
		if v, err := i.Load(ctx); v != c.want || err != nil {
			t.Errorf("Load of %q = %d, %v; want %d", c.text, v, err, c.want)
		}
		for _, o := range ops {
			rdb.Set(ctx, i.Key(), c.text, 0)
			want, wantErr := goInt(c.want, o.op, o.y)
			got, err := callInt(ctx, i, o.op, o.y)
			stored := rdb.Get(ctx, i.Key()).Val()
			switch {
			case wantErr != nil && (!errors.Is(err, wantErr) || stored != c.text):
				t.Errorf("%s(%d) on %q: %d, %v, stored %q; want %v and the text kept", o.op, o.y, c.text, got, err, stored, wantErr)
			case wantErr == nil && (err != nil || got != want || stored != strconv.FormatInt(want, 10)):
				t.Errorf("%s(%d) on %q: %d, %v, stored %q; want %d", o.op, o.y, c.text, got, err, stored, want)
			}
		}
		rdb.Set(ctx, i.Key(), c.text, 0)
		if old, err := i.Swap(ctx, 9); old != c.want || err != nil || rdb.Get(ctx, i.Key()).Val() != "9" {
			t.Errorf("Swap(9) on %q: %d, %v, stored %q", c.text, old, err, rdb.Get(ctx, i.Key()).Val())
		}
		rdb.Set(ctx, i.Key(), c.text, 0)
		if ok, err := i.CompareAndSwap(ctx, c.want^1, 9); ok || err != nil || rdb.Get(ctx, i.Key()).Val() != c.text {
			t.Errorf("CompareAndSwap(%d, 9) on %q: %v, %v, stored %q", c.want^1, c.text, ok, err, rdb.Get(ctx, i.Key()).Val())
		}
		if ok, err := i.CompareAndSwap(ctx, c.want, 9); !ok || err != nil || rdb.Get(ctx, i.Key()).Val() != "9" {
			t.Errorf("CompareAndSwap(%d, 9) on %q: %v, %v, stored %q", c.want, c.text, ok, err, rdb.Get(ctx, i.Key()).Val())
		}
	}
}

// Concurrent goroutines lose no update, whatever the operation.
func TestIntConcurrent(t *testing.T) {
	const workers, each = 8, 50
	run := func(f func(w, k int) error) {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for k := range each {
					if err := f(w, k); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)

	i.Store(ctx, 1<<60)
	run(func(w, k int) error {
		var err error
		if k%2 == 0 {
			_, err = i.Add(ctx, 3)
		} else {
			_, err = i.Sub(ctx, 1)
		}
		return err
	})
	if v, _ := i.Load(ctx); v != 1<<60+workers*each {
		t.Fatalf("adds: %d", v)
	}

	i.Store(ctx, 3)
	run(func(w, k int) error {
		if k >= 4 {
			return nil
		}
		_, err := i.Mul(ctx, -3) // 8*4 = 32 factors: 3 * 3**32 fits
		return err
	})
	if v, _ := i.Load(ctx); v != 3*pow3(32) {
		t.Fatalf("muls: %d", v)
	}

	i.Store(ctx, 0)
	run(func(w, k int) error {
		_, err := i.Xor(ctx, 1<<(w*7+k%7)) // each bit flipped an even number of times...
		return err
	})
	var want int64
	for w := range workers {
		for k := range each {
			want ^= 1 << (w*7 + k%7)
		}
	}
	if v, _ := i.Load(ctx); v != want {
		t.Fatalf("xors: %d, want %d", v, want)
	}

	i.Store(ctx, 0)
	run(func(w, k int) error {
		for {
			old, err := i.Load(ctx)
			if err != nil {
				return err
			}
			if ok, err := i.CompareAndSwap(ctx, old, old+1); ok || err != nil {
				return err
			}
		}
	})
	if v, _ := i.Load(ctx); v != workers*each {
		t.Fatalf("CAS loop: %d", v)
	}
}

func pow3(n int) int64 {
	r := int64(1)
	for range n {
		r *= 3
	}
	return r
}

func TestIntTransaction(t *testing.T) {
	a, b := hotredis.NewInt(key(t, "{x}a")), hotredis.NewInt(key(t, "{x}b"))
	defer a.Delete(ctx)
	defer b.Delete(ctx)
	a.Store(ctx, 6)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		if _, err := a.Load(ctx); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("Load in a transaction: %v", err)
		}
		a.Mul(ctx, 7)
		a.Add(ctx, 1)
		b.Store(ctx, -1)
		_, err := b.Shl(ctx, 62)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Load(ctx); v != 43 {
		t.Fatalf("a = %d", v)
	}
	if v, _ := b.Load(ctx); v != -1<<62 {
		t.Fatalf("b = %d", v)
	}

	// Add and Sub read HOT Redis's integral float text there too.
	c := hotredis.NewInt(key(t, "{x}c"))
	defer c.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	rdb.Set(ctx, c.Key(), "5.0", 0)
	err = hotredis.Transaction(ctx, func(ctx context.Context) error {
		c.Add(ctx, 1)
		_, err := c.Sub(ctx, 3)
		return err
	})
	if s := rdb.Get(ctx, c.Key()).Val(); err != nil || s != "3" {
		t.Fatalf("5.0 + 1 - 3 in a transaction: stored %q, %v", s, err)
	}

	// A failing script inside EXEC reports its sentinel.
	err = hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := a.Div(ctx, 0)
		return err
	})
	if !errors.Is(err, hotredis.ErrDivideByZero) {
		t.Fatalf("Div(0) in a transaction: %v", err)
	}

	// Optimistic: read, compute in Go, write; retried on conflict.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				err := hotredis.Optimistic(ctx, func(ctx context.Context) error {
					v, err := a.Load(ctx)
					if err != nil {
						return err
					}
					return b.Store(ctx, v)
				}, a, b)
				if err == nil {
					_, err = a.Add(ctx, 1)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if v, _ := a.Load(ctx); v != 83 {
		t.Fatalf("a = %d", v)
	}
}

func TestIntCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster")
	}
	c := sharedCluster(t).Client(t)
	for k := range 5 {
		i := hotredis.NewInt(key(t, strconv.Itoa(k)), hotredis.WithClient(c))
		i.Store(ctx, math.MaxInt64/3)
		if v, err := i.Mul(ctx, 3); v != math.MaxInt64-1 || err != nil {
			t.Fatalf("Mul = %d, %v", v, err)
		}
		if v, err := i.Add(ctx, 1); v != math.MaxInt64 || err != nil {
			t.Fatalf("Add = %d, %v", v, err)
		}
		i.Delete(ctx)
	}
}

func TestIntKeepsExpiry(t *testing.T) {
	i := hotredis.NewInt(key(t))
	defer i.Delete(ctx)
	i.Store(ctx, 5)
	if _, err := i.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"Mul":   func() error { _, err := i.Mul(ctx, 2); return err },
		"Swap":  func() error { _, err := i.Swap(ctx, 3); return err },
		"Store": func() error { return i.Store(ctx, 4) },
		"Add":   func() error { _, err := i.Add(ctx, 4); return err },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
		if ttl, _ := i.TTL(ctx); ttl <= 0 {
			t.Fatalf("expiry lost by %s: %v", name, ttl)
		}
	}
}
