// Package pyfmt writes and reads numbers and booleans exactly as Python's
// str()/repr() and float()/int() do, which is how HOT Redis stores them.
package pyfmt

import (
	"errors"
	"math"
	"strconv"
	"strings"
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
	if a := math.Abs(x); a == 0 || (a >= 1e-4 && a < 1e16) {
		s := strconv.FormatFloat(x, 'f', -1, bits)
		if !strings.ContainsRune(s, '.') {
			s += ".0"
		}
		return s
	}
	// Go's 'e' form already writes a sign and at least two exponent digits.
	return strconv.FormatFloat(x, 'e', -1, bits)
}

var errSyntax = errors.New("invalid syntax")

// ParseFloat reads every form Python's float() accepts: surrounding
// whitespace, a sign, digits with single underscores between them, "inf",
// "infinity" and "nan" in any case, and what Redis's INCRBYFLOAT writes.
func ParseFloat(s string, bits int) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errSyntax
	}
	if strings.ContainsRune(t, '_') {
		var ok bool
		if t, ok = dropUnderscores(t); !ok {
			return 0, errSyntax
		}
	}
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 {
		return 0, errSyntax
	}
	// Go also reads hex floats ("0x1p-2"); Python's float() does not.
	if len(body) > 1 && body[0] == '0' && (body[1]|0x20 == 'x' || body[1]|0x20 == 'b' || body[1]|0x20 == 'o') {
		return 0, errSyntax
	}
	f, err := strconv.ParseFloat(t, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil // Python rounds to ±inf or 0 as well
		}
		return 0, errSyntax
	}
	return f, nil
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
// whitespace, an optional sign, underscores between digits.
func ParseInt(s string, bits int) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.ContainsRune(t, '_') {
		var ok bool
		if t, ok = dropUnderscores(t); !ok {
			return 0, errSyntax
		}
	}
	return strconv.ParseInt(t, 10, bits)
}

// ParseUint is ParseInt for unsigned integers.
func ParseUint(s string, bits int) (uint64, error) {
	t := strings.TrimSpace(s)
	if strings.ContainsRune(t, '_') {
		var ok bool
		if t, ok = dropUnderscores(t); !ok {
			return 0, errSyntax
		}
	}
	t = strings.TrimPrefix(t, "+")
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
