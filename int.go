package hotredis

import (
	"context"
	"errors"
	"math"
	"math/bits"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

var scriptIntArith = lua.Load("int_arith")

// Int is an int64 stored as decimal text at its key: HOT Redis's Int, Go's
// atomic.Int64 with arithmetic and bit operators, sharing the key with
// INCR and with Python. A missing key holds 0. Arithmetic is exact over
// the whole int64 range and follows Go (Div truncates, Mod has the sign of
// the dividend, Shr is arithmetic); where Go would wrap around it returns
// ErrOverflow and changes nothing, and division by zero is
// ErrDivideByZero. Writes keep the key's expiry.
//
// An Int is safe for concurrent use, and its Mul, Div, Mod, Pow, And, Or,
// Xor, AndNot, Shl and Shr calls that overlap go to the server combined,
// many in one script call (each caller still gets the value after its own
// step; see Float). Add and Sub are Redis's INCRBY and DECRBY.
type Int struct {
	object
	steps combiner[int64] // arithmetic by int_arith outside transactions
}

// NewInt returns a handle on the integer at key. It does no I/O; an empty
// key makes a new unique one (see Key).
func NewInt(key string, opts ...Option) *Int {
	return &Int{object: newObject("int", key, collect(opts)),
		steps: combiner[int64]{script: scriptIntArith, parse: parseDecimal, format: formatDecimal, apply: intStep}}
}

// Load returns the value, 0 if the key is missing.
func (i *Int) Load(ctx context.Context) (int64, error) {
	s, ok, err := scalarString(i.readScalar(ctx, cmd("GET", i.keys[:1])))
	if err != nil || !ok {
		return 0, err
	}
	return i.parse(s)
}

// parse reads the text INCR accepts, canonical decimal within int64, and
// any other text whose exact value is an integer within int64 ("5.0",
// "3e+17", "+1", "-0.0"), as int_arith does.
func (i *Int) parse(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s {
		n, err = pyfmt.ParseIntegralFloat(s)
	}
	if err != nil {
		return 0, decodeError(i.key, s, "int64", err)
	}
	return n, nil
}

// Store sets the value to n, keeping the key's expiry. A key of another
// type is ErrWrongType, and left as it is.
func (i *Int) Store(ctx context.Context, n int64) error {
	_, err := i.script(ctx, scriptStringSet, i.keys[:1], strconv.FormatInt(n, 10))
	return err
}

// Add adds n (INCRBY) and returns the new value.
func (i *Int) Add(ctx context.Context, n int64) (int64, error) {
	return i.incr(ctx, "INCRBY", "add", n)
}

// Sub subtracts n (DECRBY) and returns the new value.
func (i *Int) Sub(ctx context.Context, n int64) (int64, error) {
	if n == math.MinInt64 { // DECRBY cannot negate it; x - MinInt64 may still fit
		return i.arith(ctx, "sub", strconv.FormatInt(n, 10))
	}
	return i.incr(ctx, "DECRBY", "sub", n)
}

// incr sends verb (INCRBY or DECRBY). Where Redis refuses the stored text
// as not an integer, which may be one an Int reads ("5.0"), the script
// does op instead: it computes the same or reports the DecodeError. In a
// transaction, where the refusal would only come at the commit, the
// script goes first.
func (i *Int) incr(ctx context.Context, verb, op string, n int64) (int64, error) {
	if i.queuing(ctx) {
		return i.arith(ctx, op, strconv.FormatInt(n, 10))
	}
	r, err := scalarInt(i.writeScalar(ctx, cmd(verb, i.keys[:1], strconv.FormatInt(n, 10))))
	if errors.Is(err, ErrDecode) {
		return i.arith(ctx, op, strconv.FormatInt(n, 10))
	}
	return r, i.fail(ctx, err)
}

// Swap sets the value to n and returns the old value.
func (i *Int) Swap(ctx context.Context, n int64) (old int64, err error) {
	return i.arith(ctx, "swap", strconv.FormatInt(n, 10))
}

// CompareAndSwap sets the value to new if it is old, and reports whether
// it did. A missing key counts as 0.
func (i *Int) CompareAndSwap(ctx context.Context, old, new int64) (swapped bool, err error) {
	v, err := asInt(i.script(ctx, scriptIntArith, i.keys[:1], "cas", strconv.FormatInt(old, 10), strconv.FormatInt(new, 10)))
	return v == 1, i.fail(ctx, err)
}

// Mul multiplies the value by n and returns the result.
func (i *Int) Mul(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "mul", strconv.FormatInt(n, 10))
}

// Div divides the value by n, truncating toward zero as Go does, and
// returns the result. MinInt64 / -1 is ErrOverflow.
func (i *Int) Div(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "div", strconv.FormatInt(n, 10))
}

// Mod replaces the value with the remainder of its division by n, which
// has the sign of the value as Go's % has (-7 % 2 == -1; Python's would be
// 1), and returns it.
func (i *Int) Mod(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "mod", strconv.FormatInt(n, 10))
}

// Pow raises the value to the power n and returns the result. x**0 is 1
// for every x, 0 included.
func (i *Int) Pow(ctx context.Context, n uint) (int64, error) {
	if n >= 64 { // overflows unless |x| <= 1, where only the parity counts
		n = 64 + n%2
	}
	return i.arith(ctx, "pow", strconv.FormatUint(uint64(n), 10))
}

// And sets the value to value & n and returns it.
func (i *Int) And(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "and", strconv.FormatInt(n, 10))
}

// Or sets the value to value | n and returns it.
func (i *Int) Or(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "or", strconv.FormatInt(n, 10))
}

// Xor sets the value to value ^ n and returns it.
func (i *Int) Xor(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "xor", strconv.FormatInt(n, 10))
}

// AndNot sets the value to value &^ n (bit clear) and returns it.
func (i *Int) AndNot(ctx context.Context, n int64) (int64, error) {
	return i.arith(ctx, "andnot", strconv.FormatInt(n, 10))
}

// Shl shifts the value left by n bits and returns the result. Unlike Go's
// <<, bits shifted out are an error: ErrOverflow unless the result equals
// value * 2**n.
func (i *Int) Shl(ctx context.Context, n uint) (int64, error) {
	return i.arith(ctx, "shl", strconv.FormatUint(uint64(min(n, 64)), 10))
}

// Shr shifts the value right by n bits, copying the sign bit as Go's >>
// does on an int64 (so -1 >> n is -1, and -7 >> 1 is -4), and returns the
// result.
func (i *Int) Shr(ctx context.Context, n uint) (int64, error) {
	return i.arith(ctx, "shr", strconv.FormatUint(uint64(min(n, 64)), 10))
}

func (i *Int) arith(ctx context.Context, op string, arg string) (int64, error) {
	if op != "swap" && !i.queuing(ctx) {
		n, err := i.steps.do(ctx, &i.object, op, arg)
		return n, i.fail(ctx, err)
	}
	s, ok, err := scalarString(i.scriptFew(ctx, scriptIntArith, i.keys[:1], op, arg))
	if err != nil {
		return 0, i.fail(ctx, err)
	}
	if !ok { // queued in a transaction
		return 0, nil
	}
	return parseDecimal(i.key, s)
}

// parseDecimal reads int_arith's decimal text of the integer at key.
func parseDecimal(key, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, decodeError(key, s, "int64", err)
	}
	return n, nil
}

func formatDecimal(n int64) string { return strconv.FormatInt(n, 10) }

// intMag is |x| (MinInt64's too).
func intMag(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// intFits reports whether a sign and a magnitude make an int64.
func intFits(neg bool, m uint64) bool { return m <= math.MaxInt64 || neg && m == 1<<63 }

// intSigned is the int64 of a sign and a magnitude that fits.
func intSigned(neg bool, m uint64) int64 {
	if neg {
		return int64(-m)
	}
	return int64(m)
}

// intProduct is the signed product of two magnitudes, and whether it fits.
func intProduct(neg bool, x, y uint64) (int64, bool) {
	hi, lo := bits.Mul64(x, y)
	return intSigned(neg, lo), hi == 0 && intFits(neg, lo)
}

// intStep is a op arg as int_arith computes it, or the error it replies:
// Go's int64 arithmetic, but for what would wrap around (OVERFLOW) and
// division by zero (DIVZERO).
func intStep(o *object, a int64, op, arg string) (int64, error) {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "ERR operand is not an int64"})
	}
	r, ok := int64(0), true
	switch op {
	case "add":
		r = a + n
		ok = (n >= 0) == (r >= a)
	case "sub":
		r = a - n
		ok = (n >= 0) == (r <= a)
	case "mul":
		r, ok = intProduct((a < 0) != (n < 0), intMag(a), intMag(n))
	case "div", "mod":
		switch {
		case n == 0:
			return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "DIVZERO integer division by zero"})
		case op == "mod":
			r = a % n // (MinInt64 % -1 is 0 in Go)
		case a == math.MinInt64 && n == -1:
			ok = false
		default:
			r = a / n
		}
	case "pow": // n is 0..65
		switch {
		case n == 0:
			r = 1
		case a == 0 || a == 1 || a == -1:
			r = a
			if a == -1 && n%2 == 0 {
				r = 1
			}
		case n >= 64:
			ok = false
		default:
			m, base := uint64(1), intMag(a)
			for range n {
				hi, lo := bits.Mul64(m, base)
				if hi != 0 {
					ok = false
					break
				}
				m = lo
			}
			neg := a < 0 && n%2 == 1
			ok = ok && intFits(neg, m)
			r = intSigned(neg, m)
		}
	case "and":
		r = a & n
	case "or":
		r = a | n
	case "xor":
		r = a ^ n
	case "andnot":
		r = a &^ n
	case "shl": // n is 0..64
		switch {
		case a == 0:
			r = 0
		case n >= 64:
			ok = false
		default:
			r, ok = intProduct(a < 0, intMag(a), 1<<n)
		}
	case "shr":
		r = a >> min(n, 63)
	default:
		return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "ERR unknown op " + op})
	}
	if !ok {
		return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "OVERFLOW " + formatDecimal(a) + " " + op + " " + arg + " overflows int64"})
	}
	return r, nil
}

// fail replaces the server's complaint that the stored text is not an
// integer with a *DecodeError carrying that text.
func (i *Int) fail(ctx context.Context, err error) error {
	return failDecode(ctx, &i.object, "int64", err)
}

// failDecode turns an ErrDecode reported by the server for the object's
// main key into a *DecodeError with the stored text, read back.
func failDecode(ctx context.Context, o *object, typ string, err error) error {
	if err == nil {
		return nil // (the errors.As below would cost an allocation)
	}
	var de *DecodeError
	if !errors.Is(err, ErrDecode) || errors.As(err, &de) {
		return err
	}
	s, ok, rerr := scalarString(o.readScalar(ctx, cmd("GET", o.keys[:1])))
	if rerr != nil || !ok {
		return err
	}
	return decodeError(o.key, s, typ, strconv.ErrSyntax)
}
