package hotredis_test

import (
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"testing/quick"

	"github.com/hotredis/hotredis"
)

type celsius float64
type userID string

type point struct{ X, Y int }

// upper is a custom codec: stores upper case, refuses lower case.
type upper struct{}

func (upper) Encode(s string) (string, error) { return strings.ToUpper(s), nil }
func (upper) Decode(s string) (string, error) {
	if strings.ToUpper(s) != s {
		return "", errors.New("not upper case")
	}
	return s, nil
}

func roundTrip[T comparable](t *testing.T, v T, stored string) {
	t.Helper()
	c := hotredis.DefaultCodec[T]()
	s, err := c.Encode(v)
	if err != nil || s != stored {
		t.Errorf("Encode(%v) = %q, %v; want %q", v, s, err, stored)
	}
	back, err := c.Decode(s)
	if err != nil || back != v {
		t.Errorf("Decode(%q) = %v, %v; want %v", s, back, err, v)
	}
}

func TestDefaultCodecText(t *testing.T) {
	roundTrip(t, "héllo", "héllo")
	roundTrip(t, "", "")
	roundTrip(t, int64(math.MinInt64), "-9223372036854775808")
	roundTrip(t, uint64(math.MaxUint64), "18446744073709551615")
	roundTrip(t, int8(-5), "-5")
	roundTrip(t, 2.5, "2.5")
	roundTrip(t, float32(0.1), "0.1")
	roundTrip(t, 1e100, "1e+100")
	roundTrip(t, true, "True")
	roundTrip(t, celsius(21), "21.0")
	roundTrip(t, userID("u1"), "u1")
	roundTrip(t, point{1, 2}, `{"X":1,"Y":2}`)
	roundTrip(t, netip.MustParseAddr("10.0.0.1"), "10.0.0.1") // TextMarshaler
	b, _ := hotredis.DefaultCodec[[]byte]().Encode([]byte{0, 255, 'a'})
	if b != "\x00\xffa" {
		t.Errorf("[]byte stored as %q", b)
	}
}

func TestDefaultCodecRejectsBadText(t *testing.T) {
	bad := map[string]func() error{
		"int from text":      func() error { _, err := hotredis.DefaultCodec[int]().Decode("1.5"); return err },
		"int8 overflow":      func() error { _, err := hotredis.DefaultCodec[int8]().Decode("300"); return err },
		"uint from negative": func() error { _, err := hotredis.DefaultCodec[uint]().Decode("-1"); return err },
		"float from text":    func() error { _, err := hotredis.DefaultCodec[float64]().Decode("abc"); return err },
		"bool from yes":      func() error { _, err := hotredis.DefaultCodec[bool]().Decode("yes"); return err },
		"json":               func() error { _, err := hotredis.DefaultCodec[point]().Decode("{"); return err },
		"text":               func() error { _, err := hotredis.DefaultCodec[netip.Addr]().Decode("nope"); return err },
	}
	for name, f := range bad {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Floats are read in every form Python's float() reads, as HOT Redis
// stores them (repr, "-nan" after float("inf") * 0) or as people type them.
func TestDefaultCodecReadsPythonFloats(t *testing.T) {
	c := hotredis.DefaultCodec[float64]()
	for text, want := range map[string]float64{
		"3.0": 3, "1e-07": 1e-7, "3e+17": 3e17, "inf": math.Inf(1), "-inf": math.Inf(-1), "+Infinity": math.Inf(1),
		" 2.5 ": 2.5, "1_000.5": 1000.5, ".5": 0.5, "5.": 5, "1e400": math.Inf(1),
	} {
		if got, err := c.Decode(text); got != want || err != nil {
			t.Errorf("Decode(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	for _, text := range []string{"nan", "-nan", "+nan", "-NaN", "NAN"} {
		if got, err := c.Decode(text); !math.IsNaN(got) || err != nil {
			t.Errorf("Decode(%q) = %v, %v; want NaN", text, got, err)
		}
	}
	for _, text := range []string{"", "0x10", "1_", "--nan", "nan(1)", "infinit"} {
		if got, err := c.Decode(text); err == nil {
			t.Errorf("Decode(%q) = %v, want an error", text, got)
		}
	}
	if got, err := hotredis.DefaultCodec[float32]().Decode("-nan"); !math.IsNaN(float64(got)) || err != nil {
		t.Errorf("float32 Decode(-nan) = %v, %v", got, err)
	}
}

// Lists and maps of floats read what a Python program stores, "-nan" too.
func TestFloatCollectionsReadPythonText(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	texts := []string{"-nan", "+nan", "nan", "-inf", "5.0", "3e+17", "1_0.5", " 0.1"}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	want := []float64{math.NaN(), math.NaN(), math.NaN(), math.Inf(-1), 5, 3e17, 10.5, 0.1}

	l := hotredis.NewList[float64](key(t, "list"))
	defer l.Delete(ctx)
	rdb.RPush(ctx, l.Key(), texts)
	got, err := l.Values(ctx)
	if err != nil || len(got) != len(want) {
		t.Fatalf("List Values = %v, %v", got, err)
	}
	for k := range want {
		if !same(got[k], want[k]) {
			t.Errorf("List Values[%d] of %q = %v, want %v", k, texts[k], got[k], want[k])
		}
	}

	m := hotredis.NewMap[string, float64](key(t, "map"))
	defer m.Delete(ctx)
	for k, text := range texts {
		rdb.HSet(ctx, m.Key(), text, text)
		if v, ok, err := m.Get(ctx, text); !ok || err != nil || !same(v, want[k]) {
			t.Errorf("Map Get of %q = %v, %v, %v; want %v", text, v, ok, err, want[k])
		}
	}
	rdb.HSet(ctx, m.Key(), "bad", "nan(1)")
	var de *hotredis.DecodeError
	if _, _, err := m.Get(ctx, "bad"); !errors.As(err, &de) || de.Value != "nan(1)" {
		t.Errorf("Map Get of nan(1): %v, want a DecodeError", err)
	}
}

func TestDefaultCodecRoundTripsAnyValue(t *testing.T) {
	ints := func(x int64) bool {
		c := hotredis.DefaultCodec[int64]()
		s, _ := c.Encode(x)
		y, err := c.Decode(s)
		return err == nil && x == y
	}
	floats := func(x float64) bool {
		c := hotredis.DefaultCodec[float64]()
		s, _ := c.Encode(x)
		y, err := c.Decode(s)
		return err == nil && (x == y || math.IsNaN(x) && math.IsNaN(y))
	}
	strs := func(x string) bool {
		c := hotredis.DefaultCodec[string]()
		s, _ := c.Encode(x)
		y, err := c.Decode(s)
		return err == nil && x == y
	}
	for _, f := range []any{ints, floats, strs} {
		if err := quick.Check(f, &quick.Config{MaxCount: 2000}); err != nil {
			t.Error(err)
		}
	}
}

func TestCustomCodec(t *testing.T) {
	l := hotredis.NewList[string](key(t), hotredis.WithCodec[string](upper{}))
	if _, err := l.Append(ctx, "abc"); err != nil {
		t.Fatal(err)
	}
	rdb := rawClient()
	defer rdb.Close()
	if got, _ := rdb.LIndex(ctx, l.Key(), 0).Result(); got != "ABC" {
		t.Errorf("stored %q", got)
	}
	rdb.RPush(ctx, l.Key(), "lower")
	if _, err := l.Get(ctx, 1); !errors.Is(err, hotredis.ErrDecode) {
		t.Errorf("custom codec refusal: %v", err)
	}
}

// panicky's codec panics: the panic becomes an error, never a crash.
type panicky struct{}

func (panicky) Encode(int) (string, error) { panic("encode") }
func (panicky) Decode(string) (int, error) { panic("decode") }

func TestPanickingCodecIsAnError(t *testing.T) {
	l := hotredis.NewList[int](key(t), hotredis.WithCodec[int](panicky{}))
	if _, err := l.Append(ctx, 1); err == nil {
		t.Error("a panicking Encode gave no error")
	}
	rdb := rawClient()
	defer rdb.Close()
	rdb.RPush(ctx, l.Key(), "1")
	if _, err := l.Get(ctx, 0); !errors.Is(err, hotredis.ErrDecode) {
		t.Errorf("a panicking Decode: %v", err)
	}
}

// TestUndecodableTakenItemKeepsItsValue: an item that cannot be decoded
// "is removed and reported as a *DecodeError with its raw value"
// (Queue.Get's doc), the whole value (it was cut to 64 bytes, and a
// longer item was gone for good; List.Pop likewise; found by review).
func TestUndecodableTakenItemKeepsItsValue(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	item := `{"job": "resize", "image": "s3://bucket/photos/2024/07/img_0001.jpg", "w": 800}`
	q := hotredis.NewQueue[int](key(t, "q"))
	defer q.Delete(ctx)
	noErr(t, rdb.RPush(ctx, q.Key(), item).Err())
	_, err := q.Get(ctx)
	var de *hotredis.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("Get: %v", err)
	}
	if n := rdb.LLen(ctx, q.Key()).Val(); n != 0 {
		t.Fatalf("item still queued (%d)", n)
	}
	if de.Value != item {
		t.Errorf("Queue.Get removed a %d-byte item and reported %q: its bytes are lost", len(item), de.Value)
	}
	l := hotredis.NewList[int](key(t, "l"))
	defer l.Delete(ctx)
	noErr(t, rdb.RPush(ctx, l.Key(), item).Err())
	_, err = l.Pop(ctx)
	if !errors.As(err, &de) {
		t.Fatalf("Pop: %v", err)
	}
	if n := rdb.LLen(ctx, l.Key()).Val(); n == 0 && de.Value != item {
		t.Errorf("List.Pop removed a %d-byte element and reported %q: its bytes are lost", len(item), de.Value)
	}
}

// TestIntCodecReadsWhatPythonIntReads: int() reads Unicode decimal digits
// (int("٣٧") == 37), and so does the integer codec, as the float64 one
// did already (found by review).
func TestIntCodecReadsWhatPythonIntReads(t *testing.T) {
	for text, want := range map[string]int64{"٣٧": 37, " ٣ ": 3, "-١_٠": -10, "４２": 42} {
		if got, err := hotredis.DefaultCodec[int64]().Decode(text); got != want || err != nil {
			t.Errorf("Decode(%q) = %d, %v; Python's int() gives %d", text, got, err, want)
		}
		if f, err := hotredis.DefaultCodec[float64]().Decode(text); f != float64(want) || err != nil {
			t.Errorf("float64 Decode(%q) = %v, %v", text, f, err)
		}
	}
}
