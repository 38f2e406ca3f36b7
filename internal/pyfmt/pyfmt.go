// Package pyfmt writes and reads numbers and booleans exactly as Python's
// str()/repr() and float()/int() do, which is how HOT Redis stores them.
package pyfmt

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Float formats x as Python's repr(float): the shortest digits that round
// trip, positional when 1e-4 <= |x| < 1e16 (always with a fraction, "3.0"),
// otherwise exponent form with a sign and two or more digits ("1e-07",
// "1e+16"); "inf", "-inf", "nan".
func Float(x float64) string { return formatFloat(x, 64) }

// Float32 is Float with float32's shortest round-trip digits.
func Float32(x float32) string { return formatFloat(float64(x), 32) }

func formatFloat(x float64, bits int) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	if a := math.Abs(x); a == 0 || (a >= 1e-4 && a < 1e16) || bits == 32 && reprFixed32(x) {
		s := strconv.FormatFloat(x, 'f', -1, bits)
		if !strings.ContainsRune(s, '.') {
			s += ".0"
		}
		return s
	}
	// Go's 'e' form already writes a sign and at least two exponent digits.
	return strconv.FormatFloat(x, 'e', -1, bits)
}

// reprFixed32 reports whether the shortest float32 digits of x have a
// decimal exponent in [-4, 16), as repr decides: float32(0.0001) is just
// under 1e-4 as a float64, and its digits are 1e-04 all the same. (For a
// float64, comparing its value with 1e-4 and 1e16 decides alike.)
func reprFixed32(x float64) bool {
	s := strconv.FormatFloat(x, 'e', -1, 32)
	e, err := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	return err == nil && e >= -4 && e < 16
}

var (
	errSyntax     = errors.New("invalid syntax")
	errNotInteger = errors.New("not an integer")
)

// ParseFloat reads every text Python's float() accepts, as float() reads
// it: surrounding whitespace; a sign; digits with single underscores
// between them, with a point (".5", "5.") and an exponent or not; "inf",
// "infinity" and "nan" in any case, signed too ("-nan" is a NaN with its
// sign bit set, as in Python); Unicode decimal digits and whitespace as
// float() reads them in a str. Hex ("0x10"), "nan(1)", "1_", "_1", "1__0"
// and "" are errors. A value beyond the range of bits rounds to ±Inf, as
// in Python.
func ParseFloat(s string, bits int) (float64, error) {
	n, ok := scan(s)
	if !ok {
		return 0, errSyntax
	}
	var f float64
	switch n.special {
	case "nan":
		f = math.NaN()
	case "inf":
		f = math.Inf(1)
	default:
		// The usual text within strconv's reach is built here, where it
		// stays on the stack (text's would escape: an allocation a call).
		var text string
		switch {
		case !n.withinReach():
			text = n.text()
		case n.exp == "":
			text = n.whole + "." + n.frac
		default:
			text = n.whole + "." + n.frac + "e" + n.exp // (one concatenation: one buffer)
		}
		var err error
		if f, err = strconv.ParseFloat(text, bits); err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, errSyntax // scan let through a text strconv refuses: a bug
		}
	}
	if n.neg {
		f = -f
	}
	return f, nil
}

// keptDigits is how many significant digits text keeps: more than the
// 767 that a halfway point between two float64s may need, and fewer than
// the 800 strconv.ParseFloat reads (it loses the point's place in a longer
// whole part).
const keptDigits = 780

// text returns n (digits, no special) as strconv.ParseFloat reads it to
// the same value, rounded as the whole text would be: "0.DIGITSeX" with
// at most keptDigits digits (a longer tail, which always holds a nonzero
// digit once trailing zeros are gone, becomes one "1": no halfway point
// lies between the two, so both round alike) and an exponent within
// strconv's reach (it reads at most 10000): "0" below 1e-400, "1e400"
// above 1e400 (±Inf by ErrRange).
func (n number) text() string {
	d := strings.TrimLeft(n.whole+n.frac, "0")
	t := strings.TrimRight(d, "0")
	if t == "" {
		return "0"
	}
	var e int64
	if n.exp != "" {
		e, _ = strconv.ParseInt(n.exp, 10, 64) // saturates on overflow
		e = max(-1<<40, min(e, 1<<40))
	}
	// The value is 0.t × 10^mag.
	mag := e - int64(len(n.frac)) + int64(len(d))
	switch {
	case mag > 400:
		return "1e400"
	case mag < -400:
		return "0"
	}
	if len(t) > keptDigits {
		t = t[:keptDigits] + "1"
	}
	return "0." + t + "e" + strconv.FormatInt(mag, 10)
}

// withinReach reports whether strconv.ParseFloat reads n as it is (the
// usual case): at most keptDigits digits, an exponent of at most 4.
func (n number) withinReach() bool {
	return len(n.whole)+len(n.frac) <= keptDigits && len(strings.TrimLeft(n.exp, "+-")) <= 4
}

// ParseIntegralFloat reads a text ParseFloat accepts whose exact decimal
// value is an integer within int64, such as "5.0", "-2.0", "3e+17",
// "1_000" or "-0.0" (which is 0). The value comes from the decimal digits,
// never through a float64, so "9007199254740993.0" is 9007199254740993.
// A fraction ("2.5", "9007199254740993.5"), "nan" and "inf" are errors, and
// so is a value outside int64 ("1e19"), with strconv.ErrRange.
func ParseIntegralFloat(s string) (int64, error) {
	n, ok := scan(s)
	if !ok || n.special != "" {
		return 0, errSyntax
	}
	digits := strings.TrimLeft(n.whole+n.frac, "0")
	if digits == "" {
		return 0, nil
	}
	// The value is digits * 10^shift. An exponent beyond ±(len(s)+20)
	// decides the answer as well as the exact one would: the value is
	// then above 10^20 or below 10^-20, and digits has a nonzero digit.
	var e int64
	if n.exp != "" {
		e, _ = strconv.ParseInt(n.exp, 10, 64) // saturates on overflow
		limit := int64(len(s)) + 20
		e = max(-limit, min(e, limit))
	}
	shift := e - int64(len(n.frac))
	switch {
	case shift > 0 && int64(len(digits))+shift > 19:
		return 0, strconv.ErrRange
	case shift > 0:
		digits += strings.Repeat("0", int(shift))
	case shift < 0:
		cut := int64(len(digits)) + shift
		if cut <= 0 || strings.Trim(digits[cut:], "0") != "" {
			return 0, errNotInteger
		}
		digits = digits[:cut]
	}
	if n.neg {
		digits = "-" + digits
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, strconv.ErrRange // digits are digits: only the range can fail
	}
	return v, nil
}

// number is a text Python's float() accepts, taken apart: a sign, then
// "inf" or "nan", or a decimal number in ASCII digits without underscores.
type number struct {
	neg     bool
	special string // "inf" or "nan", or "" for a decimal number
	whole   string // the digits before the point, "" in ".5"
	frac    string // the digits after it, "" in "5." and "5"
	exp     string // the exponent with its sign if it has one, "" if none
}

// asciiSpace is what float() trims around a number: Python's ASCII
// whitespace (Unicode whitespace has become a space by then).
const asciiSpace = " \t\n\v\f\r"

// scan takes s apart as Python's float() reads a str: Unicode whitespace
// becomes a space and each Unicode decimal digit its ASCII digit; the
// whitespace around the number is trimmed; then comes an optional sign and
// either "inf", "infinity" or "nan" in any case, or digits with an
// optional point and exponent, single underscores allowed between two
// digits. ok is false for any other text.
func scan(s string) (n number, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			if s, ok = toASCII(s); !ok {
				return n, false
			}
			break
		}
	}
	s = strings.Trim(s, asciiSpace)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		n.neg, s = s[0] == '-', s[1:]
	}
	switch {
	case strings.EqualFold(s, "inf") || strings.EqualFold(s, "infinity"):
		n.special = "inf"
		return n, true
	case strings.EqualFold(s, "nan"):
		n.special = "nan"
		return n, true
	}
	mant, exp, hasExp := s, "", false
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp, hasExp = s[:i], s[i+1:], true
	}
	if hasExp {
		sign := ""
		if exp != "" && (exp[0] == '+' || exp[0] == '-') {
			sign, exp = exp[:1], exp[1:]
		}
		if exp, ok = digits(exp); !ok || exp == "" {
			return n, false
		}
		n.exp = sign + exp
	}
	whole, frac, _ := strings.Cut(mant, ".")
	if n.whole, ok = digits(whole); !ok {
		return n, false
	}
	if n.frac, ok = digits(frac); !ok {
		return n, false
	}
	return n, n.whole != "" || n.frac != ""
}

// digits returns s without its underscores if s is ASCII digits with
// single underscores between two of them ("" included).
func digits(s string) (string, bool) {
	under := false
	for i := 0; i < len(s); i++ {
		switch {
		case isDigit(s[i]):
		case s[i] == '_' && i > 0 && i < len(s)-1 && isDigit(s[i-1]) && isDigit(s[i+1]):
			under = true
		default:
			return "", false
		}
	}
	if under {
		s = strings.ReplaceAll(s, "_", "")
	}
	return s, true
}

// toASCII maps s as Python's float() maps a str before reading it: each
// whitespace character to a space and each decimal digit (Unicode
// category Nd) to its ASCII digit. ok is false if s holds any other
// non-ASCII character or is not UTF-8.
func toASCII(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			d, ok := decimalDigit(r)
			if !ok {
				return "", false // utf8.RuneError, for text that is not UTF-8, too
			}
			b.WriteByte('0' + d)
		}
	}
	return b.String(), true
}

// decimalDigit returns the value of r if it is a decimal digit. Unicode
// puts decimal digits in runs of ten, zero first, so the value is r's
// distance from the start of its run of unicode.Nd, modulo 10.
func decimalDigit(r rune) (byte, bool) {
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return byte((r - rune(rg.Lo)) % 10), true
		}
	}
	return 0, false
}

// dropUnderscores removes underscores that sit between two digits, as
// Python's numeric literals allow, and rejects any other underscore.
func dropUnderscores(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			if i == 0 || i == len(s)-1 || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				return "", false
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// ParseInt reads a decimal integer as Python's int() does: surrounding
// whitespace (Unicode's too), an optional sign, underscores between
// digits, and any Unicode decimal digits.
func ParseInt(s string, bits int) (int64, error) {
	t, err := intText(s)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(t, 10, bits)
}

// intText is s as an ASCII integer's text, as ParseInt reads it.
func intText(s string) (string, error) {
	if !isASCII(s) {
		var ok bool
		if s, ok = toASCII(s); !ok {
			return "", errSyntax
		}
	}
	t := strings.TrimSpace(s)
	if strings.ContainsRune(t, '_') {
		var ok bool
		if t, ok = dropUnderscores(t); !ok {
			return "", errSyntax
		}
	}
	return t, nil
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ParseUint is ParseInt for unsigned integers.
func ParseUint(s string, bits int) (uint64, error) {
	t, err := intText(s)
	if err != nil {
		return 0, err
	}
	t = strings.TrimPrefix(t, "+")
	if z, ok := strings.CutPrefix(t, "-"); ok && z != "" && strings.Trim(z, "0") == "" {
		return 0, nil // "-0", which int() reads as 0
	}
	return strconv.ParseUint(t, 10, bits)
}

// Bool formats b as Python's str(bool): "True" or "False".
func Bool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// ParseBool reads "True"/"False" (Python) and "true"/"false", "1"/"0".
func ParseBool(s string) (bool, error) {
	switch s {
	case "True", "true", "1":
		return true, nil
	case "False", "false", "0":
		return false, nil
	}
	return false, errSyntax
}
