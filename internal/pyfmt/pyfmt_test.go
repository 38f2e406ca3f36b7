package pyfmt

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

var tenth = 0.1 // a variable, so 0.1+0.2 is float64 arithmetic, not exact constants

// Expected strings are what CPython 3 prints for repr(x).
func TestFloatMatchesPythonRepr(t *testing.T) {
	cases := []struct {
		x    float64
		want string
	}{
		{3, "3.0"}, {12345678, "12345678.0"}, {0.1, "0.1"}, {-2.5, "-2.5"},
		{1e-7, "1e-07"}, {1e16, "1e+16"}, {1.5e300, "1.5e+300"},
		{9999999999999998, "9999999999999998.0"}, {0.0001, "0.0001"},
		{0.00001, "1e-05"}, {0, "0.0"}, {math.Copysign(0, -1), "-0.0"},
		{math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.NaN(), "nan"},
		{tenth + 0.2, "0.30000000000000004"}, {1e22, "1e+22"}, {123.456, "123.456"},
		{5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"},
	}
	for _, c := range cases {
		if got := Float(c.x); got != c.want {
			t.Errorf("Float(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

// pythonFloats are texts with what CPython 3.11 makes of them: repr(float(text))
// ("-nan" for a NaN with its sign bit set; "" if float() refuses the text)
// and, if the text's exact decimal value is an integer within int64, that
// integer (computed with Python's decimal module).
var pythonFloats = []struct{ text, repr, integral string }{
	{"3.0", "3.0", "3"},
	{"0.1", "0.1", ""},
	{"-2.5", "-2.5", ""},
	{"1e-07", "1e-07", ""},
	{"1e+16", "1e+16", "10000000000000000"},
	{"1.5e+300", "1.5e+300", ""},
	{"inf", "inf", ""},
	{"-inf", "-inf", ""},
	{"nan", "nan", ""},
	{"-nan", "-nan", ""},
	{"+nan", "nan", ""},
	{"-NaN", "-nan", ""},
	{"+NAN", "nan", ""},
	{"nAn", "nan", ""},
	{"+inf", "inf", ""},
	{"-Infinity", "-inf", ""},
	{"INFINITY", "inf", ""},
	{"iNf", "inf", ""},
	{" -nan ", "-nan", ""},
	{"\x09+inf\x0a", "inf", ""},
	{"3", "3.0", "3"},
	{"+1", "1.0", "1"},
	{"-0", "-0.0", "0"},
	{"007", "7.0", "7"},
	{" 1", "1.0", "1"},
	{"1 ", "1.0", "1"},
	{"\x0b1\x0c", "1.0", "1"},
	{"-0.0", "-0.0", "0"},
	{".5", "0.5", ""},
	{"5.", "5.0", "5"},
	{"-.5", "-0.5", ""},
	{"+5.", "5.0", "5"},
	{"1.e5", "100000.0", "100000"},
	{"1E5", "100000.0", "100000"},
	{"1e+5", "100000.0", "100000"},
	{"1e-5", "1e-05", ""},
	{"1e05", "100000.0", "100000"},
	{"1_0", "10.0", "10"},
	{"1_0.5", "10.5", ""},
	{"1.0_5", "1.05", ""},
	{"1e1_0", "10000000000.0", "10000000000"},
	{"1_000.000_1", "1000.0001", ""},
	{"0_0.1", "0.1", ""},
	{"0.0000001", "1e-07", ""},
	{"1e400", "inf", ""},
	{"-1e400", "-inf", ""},
	{"1e-400", "0.0", ""},
	{"1e99999999999999999999", "inf", ""},
	{"0e99999999999999999999", "0.0", "0"}, // exponent beyond Decimal
	{"9007199254740993", "9007199254740992.0", "9007199254740993"},
	{"9007199254740993.0", "9007199254740992.0", "9007199254740993"},
	{"123456789012345678901234567890", "1.2345678901234568e+29", ""},
	{"\u00a01.5\u3000", "1.5", ""},
	{"\u20281", "1.0", "1"},
	{"\uff11\uff12", "12.0", "12"},
	{"\u0661\u0662.\u0665", "12.5", ""},
	{"\u0661_\u0662", "12.0", "12"},
	{"\U0001d7ce\U0001d7d9", "1.0", "1"},
	{"5.0", "5.0", "5"},
	{"-2.0", "-2.0", "-2"},
	{"3e+17", "3e+17", "300000000000000000"},
	{"1.5e+18", "1.5e+18", "1500000000000000000"},
	{"1.2345678901235e+17", "1.2345678901235e+17", "123456789012350000"},
	{"9.007199254740993e+15", "9007199254740992.0", "9007199254740993"},
	{"2.5", "2.5", ""},
	{"1e19", "1e+19", ""},
	{"1e+19", "1e+19", ""},
	{"-1e19", "-1e+19", ""},
	{"9.223372036854775807e18", "9.223372036854776e+18", "9223372036854775807"},
	{"9.223372036854775808e18", "9.223372036854776e+18", ""},
	{"-9.223372036854775808e18", "-9.223372036854776e+18", "-9223372036854775808"},
	{"-9223372036854775808.0", "-9.223372036854776e+18", "-9223372036854775808"},
	{"-9223372036854775809.0", "-9.223372036854776e+18", ""},
	{"9223372036854775807.000", "9.223372036854776e+18", "9223372036854775807"},
	{"92233720368547758070e-1", "9.223372036854776e+18", "9223372036854775807"},
	{"12345678901234567890e-1", "1.2345678901234568e+18", "1234567890123456789"},
	{"1e-0", "1.0", "1"},
	{"100e-2", "1.0", "1"},
	{"10.50e1", "105.0", "105"},
	{"0.000", "0.0", "0"},
	{"1000e-3", "1.0", "1"},
	{"123e-5", "0.00123", ""},
	{"5.000000000000000000001", "5.0", ""},
	{"0.5e1", "5.0", "5"},
	{"00000000000000000000000000001.0", "1.0", "1"},
	{"1e18", "1e+18", "1000000000000000000"},
	{"1e+018", "1e+18", "1000000000000000000"},
	{"-0e5", "-0.0", "0"},
	{"", "", ""},
	{" ", "", ""},
	{"abc", "", ""},
	{"1__0", "", ""},
	{"_1", "", ""},
	{"1_", "", ""},
	{"1_.5", "", ""},
	{"1._5", "", ""},
	{"1_e5", "", ""},
	{"1e_5", "", ""},
	{"1e5_", "", ""},
	{"+_1", "", ""},
	{"0x10", "", ""},
	{"0X1p3", "", ""},
	{"-0x1p-2", "", ""},
	{"0b1", "", ""},
	{"0o7", "", ""},
	{"00x1", "", ""},
	{"1p5", "", ""},
	{".", "", ""},
	{"-.", "", ""},
	{".e5", "", ""},
	{"e5", "", ""},
	{"1e", "", ""},
	{"1e+", "", ""},
	{"1e-", "", ""},
	{"--1", "", ""},
	{"-+1", "", ""},
	{"+-nan", "", ""},
	{"--nan", "", ""},
	{"- nan", "", ""},
	{"+ 1", "", ""},
	{"1.0.0", "", ""},
	{"1.5.5", "", ""},
	{"1e5e5", "", ""},
	{"1e5.0", "", ""},
	{"infinit", "", ""},
	{"infinityy", "", ""},
	{"in_f", "", ""},
	{"inf_", "", ""},
	{"nan(1)", "", ""},
	{"nan()", "", ""},
	{"nana", "", ""},
	{"1\x00", "", ""},
	{"\x001", "", ""},
	{"1 2", "", ""},
	{"\x1c1", "", ""},
	{"\u180e1", "", ""},
	{"1\ufffd", "", ""},
	{"\u00bd", "", ""},
	{"\u00b2", "", ""},
}

func TestParseFloatMatchesPython(t *testing.T) {
	for _, c := range pythonFloats {
		f, err := ParseFloat(c.text, 64)
		got := Float(f)
		if math.IsNaN(f) && math.Signbit(f) {
			got = "-nan"
		}
		switch {
		case c.repr == "" && err == nil:
			t.Errorf("ParseFloat(%q) = %v, want an error", c.text, f)
		case c.repr != "" && (err != nil || got != c.repr):
			t.Errorf("ParseFloat(%q) = %s, %v; want %s", c.text, got, err, c.repr)
		}
	}
}

func TestParseIntegralFloatMatchesPython(t *testing.T) {
	for _, c := range pythonFloats {
		n, err := ParseIntegralFloat(c.text)
		switch {
		case c.integral == "" && err == nil:
			t.Errorf("ParseIntegralFloat(%q) = %d, want an error", c.text, n)
		case c.integral != "" && (err != nil || strconv.FormatInt(n, 10) != c.integral):
			t.Errorf("ParseIntegralFloat(%q) = %d, %v; want %s", c.text, n, err, c.integral)
		}
	}
	if _, err := ParseIntegralFloat("1e19"); !errors.Is(err, strconv.ErrRange) {
		t.Errorf("ParseIntegralFloat(1e19): %v, want ErrRange", err)
	}
}

// Python reads every Unicode decimal digit in a str as its value. Unicode
// puts them in runs of ten, zero first, which decimalDigit relies on.
func TestParseFloatReadsUnicodeDigits(t *testing.T) {
	var runs []unicode.Range32
	for _, r := range unicode.Nd.R16 {
		runs = append(runs, unicode.Range32{Lo: uint32(r.Lo), Hi: uint32(r.Hi), Stride: uint32(r.Stride)})
	}
	runs = append(runs, unicode.Nd.R32...)
	for _, r := range runs {
		if r.Stride != 1 || (r.Hi-r.Lo+1)%10 != 0 {
			t.Fatalf("unicode.Nd has %+v, not runs of ten", r)
		}
		for zero := rune(r.Lo); zero <= rune(r.Hi); zero += 10 {
			for d := rune(0); d < 10; d++ {
				if f, err := ParseFloat(string(zero+d)+".5", 64); f != float64(d)+0.5 || err != nil {
					t.Errorf("ParseFloat(%U.5) = %v, %v; want %d.5", zero+d, f, err, d)
				}
			}
		}
	}
}

// pyFloatSyntax is Python's float() syntax for ASCII text, written out
// independently of scan: the model FuzzParseFloat checks it against.
var pyFloatSyntax = regexp.MustCompile(`^[ \t\n\v\f\r]*([+-]?)(?:((?i:inf|infinity|nan))|` +
	`(\d(?:_?\d)*)?(?:\.(\d(?:_?\d)*)?)?(?:[eE]([+-]?\d(?:_?\d)*))?)[ \t\n\v\f\r]*$`)

// FuzzParseFloat checks ParseFloat and ParseIntegralFloat on ASCII text
// against a model: pyFloatSyntax, strconv.ParseFloat for the value and
// big.Rat for the exact decimal value.
func FuzzParseFloat(f *testing.F) {
	for _, c := range pythonFloats {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return // the model covers ASCII only
			}
		}
		x, err := ParseFloat(s, 64)
		n, ierr := ParseIntegralFloat(s)
		m := pyFloatSyntax.FindStringSubmatch(s)
		if m == nil || (m[2] == "" && m[3] == "" && m[4] == "") {
			if err == nil || ierr == nil {
				t.Fatalf("%q: Python refuses it, ParseFloat = %v, %v, ParseIntegralFloat = %d, %v", s, x, err, n, ierr)
			}
			return
		}
		sign, special, whole, frac, exp := m[1], strings.ToLower(m[2]), m[3], m[4], m[5]
		clean := strings.ReplaceAll(sign+"0"+whole+"."+frac+"0", "_", "") // "5." → "05.0"
		if exp != "" {
			clean += "e" + strings.ReplaceAll(exp, "_", "")
		}
		if special != "" {
			clean = sign + special[:3]
		}
		want, _ := strconv.ParseFloat(clean, 64) // Go reads "nan" but not "-nan"
		if special == "nan" {
			want = math.NaN()
			if sign == "-" {
				want = -want
			}
		}
		if err != nil || math.Float64bits(x) != math.Float64bits(want) && !(math.IsNaN(x) && math.IsNaN(want) && math.Signbit(x) == math.Signbit(want)) {
			t.Fatalf("ParseFloat(%q) = %v, %v; want %v (from %q)", s, x, err, want, clean)
		}
		if special != "" || len(exp) > 6 {
			return // big.Rat would expand a huge exponent
		}
		r, ok := new(big.Rat).SetString(clean)
		if !ok {
			t.Fatalf("big.Rat cannot read %q", clean)
		}
		if r.IsInt() && r.Num().IsInt64() {
			if ierr != nil || n != r.Num().Int64() {
				t.Fatalf("ParseIntegralFloat(%q) = %d, %v; want %s", s, n, ierr, r.Num())
			}
		} else if ierr == nil {
			t.Fatalf("ParseIntegralFloat(%q) = %d; want an error (the value is %s)", s, n, r.RatString())
		}
	})
}

func TestFloatRoundTrips(t *testing.T) {
	for _, x := range []float64{0.1, 1.0 / 3, 1e-300, 123456789.123, -7e15, 2e16} {
		got, err := ParseFloat(Float(x), 64)
		if err != nil || got != x {
			t.Errorf("round trip of %v gave %v, %v", x, got, err)
		}
	}
}

func TestParseIntAndBool(t *testing.T) {
	if v, err := ParseInt(" -42 ", 64); err != nil || v != -42 {
		t.Errorf("ParseInt = %v, %v", v, err)
	}
	if v, err := ParseInt("1_000", 64); err != nil || v != 1000 {
		t.Errorf("ParseInt underscore = %v, %v", v, err)
	}
	if _, err := ParseInt("1.5", 64); err == nil {
		t.Error("ParseInt(1.5) succeeded")
	}
	for s, want := range map[string]bool{"True": true, "False": false, "true": true, "false": false} {
		if got, err := ParseBool(s); err != nil || got != want {
			t.Errorf("ParseBool(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseBool("yes"); err == nil {
		t.Error("ParseBool(yes) succeeded")
	}
}

// TestParseIntReadsWhatPythonIntReads: Unicode decimal digits and spaces,
// as int() reads them (int("٣٧") is 37; found by review), and nothing
// else that is not ASCII.
func TestParseIntReadsWhatPythonIntReads(t *testing.T) {
	for _, c := range []struct {
		text string
		want int64
		ok   bool
	}{
		{"٣٧", 37, true}, {"\u00a0-١_٢\u2003", -12, true}, {"１２", 12, true}, {"+৯", 9, true},
		{"٣x", 0, false}, {"٣.٠", 0, false}, {"Ⅻ", 0, false}, {"\xff1", 0, false}, {"_١", 0, false},
	} {
		n, err := ParseInt(c.text, 64)
		if (err == nil) != c.ok || n != c.want {
			t.Errorf("ParseInt(%q) = %d, %v; want %d (ok %v)", c.text, n, err, c.want, c.ok)
		}
		if c.ok && c.want >= 0 {
			if u, err := ParseUint(c.text, 64); err != nil || int64(u) != c.want {
				t.Errorf("ParseUint(%q) = %d, %v; want %d", c.text, u, err, c.want)
			}
		}
	}
}
