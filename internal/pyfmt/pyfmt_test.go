package pyfmt

import (
	"math"
	"testing"
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

func TestParseFloatAcceptsPythonForms(t *testing.T) {
	ok := map[string]float64{
		"3.0": 3, " 2.5\n": 2.5, "1e-07": 1e-7, "1E+16": 1e16, "inf": math.Inf(1),
		"-Infinity": math.Inf(-1), "+1.5": 1.5, "1_000.5": 1000.5, ".5": 0.5, "5.": 5,
		"0.0000001": 1e-7, "1e400": math.Inf(1),
	}
	for s, want := range ok {
		got, err := ParseFloat(s, 64)
		if err != nil || got != want {
			t.Errorf("ParseFloat(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if f, err := ParseFloat("nan", 64); err != nil || !math.IsNaN(f) {
		t.Errorf("ParseFloat(nan) = %v, %v", f, err)
	}
	for _, s := range []string{"", "abc", "1__0", "_1", "1_", "0x1p-2", "--1", "1.0.0"} {
		if _, err := ParseFloat(s, 64); err == nil {
			t.Errorf("ParseFloat(%q) succeeded", s)
		}
	}
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
