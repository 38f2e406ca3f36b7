package hotredis_test

// A review's tests of the default codec through real keys. Found by
// review, fixed since: long float texts read wrong (pyfmt); float32 0.0001
// stored as "1e-04"; "-0" refused for unsigned types; types whose
// marshalers are on the pointer (big.Int) stored as "{}"; a value the
// codec cannot encode was not ErrInvalidArgument.

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

type codecReviewCelsius float32

// TestCodecReviewCodecStoredBytes: what Append stores, byte for byte, is what
// Python writes (repr(float), str(int), str(bool)). Expected strings are
// CPython 3.11 output.
func TestCodecReviewCodecStoredBytes(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	check := func(k string, want []string) {
		t.Helper()
		got, err := rdb.LRange(ctx, k, 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s stored %q, want %q", k, got, want)
		}
	}
	f := hotredis.NewList[float64](key(t, "f64"))
	must[int](t)(f.Append(ctx, 3, 0.1, 1e-7, 1e16, math.Copysign(0, -1), math.Inf(1), math.NaN(), 5e-324, 0.0001, 123456789012345678))
	check(f.Key(), []string{"3.0", "0.1", "1e-07", "1e+16", "-0.0", "inf", "nan", "5e-324", "0.0001", "1.2345678901234568e+17"})
	i8 := hotredis.NewList[int8](key(t, "i8"))
	must[int](t)(i8.Append(ctx, math.MinInt8, math.MaxInt8, 0))
	check(i8.Key(), []string{"-128", "127", "0"})
	u64 := hotredis.NewList[uint64](key(t, "u64"))
	must[int](t)(u64.Append(ctx, math.MaxUint64, 0))
	check(u64.Key(), []string{"18446744073709551615", "0"})
	b := hotredis.NewList[bool](key(t, "b"))
	must[int](t)(b.Append(ctx, true, false))
	check(b.Key(), []string{"True", "False"})
}

// TestCodecReviewFloat32StoresPositionalTenThousandth: 0.0001 is positional in
// repr ("0.0001"); a float32 0.0001 (whose shortest digits are "0.0001")
// must be stored so too, as float64 0.0001 is.
func TestCodecReviewFloat32StoresPositionalTenThousandth(t *testing.T) {
	for _, c := range []struct {
		v    float32
		want string
	}{{0.0001, "0.0001"}, {-0.0001, "-0.0001"}, {0.00011, "0.00011"}, {1e-5, "1e-05"}} {
		got, err := hotredis.DefaultCodec[float32]().Encode(c.v)
		if err != nil || got != c.want {
			t.Errorf("DefaultCodec[float32].Encode(%v) = %q, %v; want %q (Python repr(0.0001) is '0.0001')", c.v, got, err, c.want)
		}
		got, err = hotredis.DefaultCodec[codecReviewCelsius]().Encode(codecReviewCelsius(c.v))
		if err != nil || got != c.want {
			t.Errorf("DefaultCodec[codecReviewCelsius].Encode(%v) = %q, %v; want %q", c.v, got, err, c.want)
		}
	}
}

// TestCodecReviewUintReadsMinusZero: Python's int("-0") is 0, which every
// unsigned type holds.
func TestCodecReviewUintReadsMinusZero(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	l := hotredis.NewList[uint](key(t))
	noErr(t, rdb.RPush(ctx, l.Key(), "-0", " -0 ", "-0_0").Err())
	got, err := l.Values(ctx)
	if err != nil || len(got) != 3 {
		t.Errorf("List[uint].Values of \"-0\" = %v, %v; want [0 0 0] (Python int('-0') == 0)", got, err)
	}
}

// TestCodecReviewFloatReadsLongMantissa: float("1" + 800 zeros + "e-800") is
// 1.0 in Python; Float.Load and List[float64] must read it so.
func TestCodecReviewFloatReadsLongMantissa(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	text := "1" + strings.Repeat("0", 800) + "e-800"
	f := hotredis.NewFloat(key(t, "f"))
	noErr(t, rdb.Set(ctx, f.Key(), text, 0).Err())
	if got, err := f.Load(ctx); got != 1 || err != nil {
		t.Errorf("Float.Load of %q... (%d bytes) = %v, %v; want 1 (Python float() gives 1.0)", text[:20], len(text), got, err)
	}
	l := hotredis.NewList[float64](key(t, "l"))
	noErr(t, rdb.RPush(ctx, l.Key(), text, "25"+strings.Repeat("0", 900)+".0e-900").Err())
	if got, err := l.Values(ctx); err != nil || len(got) != 2 || got[0] != 1 || got[1] != 25 {
		t.Errorf("List[float64].Values = %v, %v; want [1 25]", got, err)
	}
}

// TestCodecReviewDecodeErrorsAreTyped: every undecodable stored value is an
// ErrDecode carrying key and raw value, never a panic or a zero.
func TestCodecReviewDecodeErrorsAreTyped(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	type js struct{ A int }
	try := func(name string, bad []string, read func(k string) error) {
		t.Helper()
		for _, s := range bad {
			k := key(t, name, s)
			rdb.Del(ctx, k)
			noErr(t, rdb.RPush(ctx, k, s).Err())
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s %q: panic %v", name, s, p)
					}
				}()
				err := read(k)
				var de *hotredis.DecodeError
				if !errors.Is(err, hotredis.ErrDecode) || !errors.As(err, &de) || de.Value != s || de.Key != k {
					t.Errorf("%s %q: err %v, want a DecodeError naming the key and value", name, s, err)
				}
			}()
		}
	}
	try("int8", []string{"128", "-129", "1.0", "", "٣x", "0x1", "1e2", "\xff"}, func(k string) error {
		_, err := hotredis.NewList[int8](k).Values(ctx)
		return err
	})
	try("uint8", []string{"-1", "256", "+-1", "++1"}, func(k string) error {
		_, err := hotredis.NewList[uint8](k).Values(ctx)
		return err
	})
	try("uint64", []string{"18446744073709551616", "-1"}, func(k string) error {
		_, err := hotredis.NewList[uint64](k).Values(ctx)
		return err
	})
	try("int", []string{"9223372036854775808", " ", "1__0"}, func(k string) error {
		_, err := hotredis.NewList[int](k).Values(ctx)
		return err
	})
	try("float32", []string{"abc", "0x1p3", "", "nan(1)", "1e", "\xff1"}, func(k string) error {
		_, err := hotredis.NewList[float32](k).Values(ctx)
		return err
	})
	try("float64", []string{"abc", "1_", "_1", "in", "\x00"}, func(k string) error {
		_, err := hotredis.NewList[float64](k).Values(ctx)
		return err
	})
	try("bool", []string{"yes", "", "TRUE", " True"}, func(k string) error {
		_, err := hotredis.NewList[bool](k).Values(ctx)
		return err
	})
	try("time", []string{"garbage", ""}, func(k string) error {
		_, err := hotredis.NewList[time.Time](k).Values(ctx)
		return err
	})
	try("json", []string{"{", "", "nan"}, func(k string) error {
		_, err := hotredis.NewList[js](k).Values(ctx)
		return err
	})
	try("queue", []string{"x"}, func(k string) error {
		_, err := hotredis.NewQueue[int](k).TryGet(ctx)
		return err
	})
}

// TestCodecReviewUnencodableIsInvalidArgument: a value the codec cannot
// encode is refused before anything is sent; it should say so with
// ErrInvalidArgument (README: "Invalid arguments are ErrInvalidArgument,
// detected before any I/O").
func TestCodecReviewUnencodableIsInvalidArgument(t *testing.T) {
	type js struct{ F float64 }
	l := hotredis.NewList[js](key(t))
	_, err := l.Append(ctx, js{math.NaN()})
	if err == nil {
		t.Fatal("Append of an unencodable value succeeded")
	}
	if n := must[int](t)(l.Len(ctx)); n != 0 {
		t.Errorf("list has %d items", n)
	}
	if !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Append(js{NaN}) = %v; wraps no sentinel (want ErrInvalidArgument)", err)
	}
}

// TestCodecReviewReadsPythonForms: every form float()/int() accept, through
// the collections.
func TestCodecReviewReadsPythonForms(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	l := hotredis.NewList[float64](key(t, "f"))
	noErr(t, rdb.RPush(ctx, l.Key(), "1_000.5", " 2.5\n", "+inf", "-Infinity", "١.٥", "\u00a03\u3000", "1e-400", "-0.0", "1E1_0").Err())
	got, err := l.Values(ctx)
	want := []float64{1000.5, 2.5, math.Inf(1), math.Inf(-1), 1.5, 3, 0, math.Copysign(0, -1), 1e10}
	if err != nil || len(got) != len(want) {
		t.Fatalf("Values = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] || math.Signbit(got[i]) != math.Signbit(want[i]) {
			t.Errorf("item %d = %v, want %v", i, got[i], want[i])
		}
	}
	il := hotredis.NewList[int16](key(t, "i"))
	noErr(t, rdb.RPush(ctx, il.Key(), "1_000", " -7 ", "+0", "٣٧", "-32768", "00012").Err())
	ig, err := il.Values(ctx)
	if err != nil || len(ig) != 6 || ig[0] != 1000 || ig[1] != -7 || ig[2] != 0 || ig[3] != 37 || ig[4] != -32768 || ig[5] != 12 {
		t.Errorf("List[int16] Values = %v, %v", ig, err)
	}
	m := hotredis.NewMap[int, float32](key(t, "m"))
	noErr(t, rdb.HSet(ctx, m.Key(), " 5 ", "0.1", "-3", "-nan").Err())
	items, err := m.Items(ctx)
	if err != nil || len(items) != 2 || items[5] != 0.1 || !math.IsNaN(float64(items[-3])) {
		t.Errorf("Map[int,float32].Items = %v, %v", items, err)
	}
}

// codecReviewPtrMarshaler has its marshalers on the pointer, as math/big.Int has.
type codecReviewPtrMarshaler struct{ n int }

func (p *codecReviewPtrMarshaler) MarshalText() ([]byte, error) {
	return []byte(strconv.Itoa(p.n)), nil
}
func (p *codecReviewPtrMarshaler) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	p.n = n
	return err
}

// TestCodecReviewPointerReceiverMarshalersRoundTrip: a value whose
// MarshalText/MarshalJSON sit on *T (big.Int, big.Float, big.Rat) must not
// be stored as "{}" and read back as zero.
func TestCodecReviewPointerReceiverMarshalersRoundTrip(t *testing.T) {
	ci := hotredis.DefaultCodec[big.Int]()
	s, err := ci.Encode(*big.NewInt(12345))
	back, derr := ci.Decode(s)
	if err != nil || derr != nil || back.Int64() != 12345 {
		t.Errorf("DefaultCodec[big.Int]: Encode(12345) = %q, %v; Decode = %v, %v", s, err, back.String(), derr)
	}
	cp := hotredis.DefaultCodec[codecReviewPtrMarshaler]()
	s, err = cp.Encode(codecReviewPtrMarshaler{7})
	pb, derr := cp.Decode(s)
	if err != nil || derr != nil || pb.n != 7 {
		t.Errorf("DefaultCodec[codecReviewPtrMarshaler]: Encode(7) = %q, %v; Decode = %+v, %v", s, err, pb, derr)
	}
	l := hotredis.NewList[big.Int](key(t))
	must[int](t)(l.Append(ctx, *big.NewInt(42)))
	vs, err := l.Values(ctx)
	if err != nil || len(vs) != 1 || vs[0].Int64() != 42 {
		raw, _ := rawClient().LRange(ctx, l.Key(), 0, -1).Result()
		t.Errorf("List[big.Int] Append(42) then Values = %v, %v; stored %q", vs, err, raw)
	}
}
