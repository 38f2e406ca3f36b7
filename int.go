package hotredis

import (
	"context"
	"errors"
	"math"
	"strconv"

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
type Int struct {
	object
}

// NewInt returns a handle on the integer at key. It does no I/O; an empty
// key makes a new unique one (see Key).
func NewInt(key string, opts ...Option) *Int {
	return &Int{object: newObject("int", key, collect(opts))}
}

// Load returns the value, 0 if the key is missing.
func (i *Int) Load(ctx context.Context) (int64, error) {
	s, ok, err := asString(i.read(ctx, cmd("GET", i.keys[:1])))
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

// Store sets the value to n.
func (i *Int) Store(ctx context.Context, n int64) error {
	_, err := i.write(ctx, cmd("SET", i.keys[:1], strconv.FormatInt(n, 10), "KEEPTTL"))
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
	r, err := asInt(i.write(ctx, cmd(verb, i.keys[:1], strconv.FormatInt(n, 10))))
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
	s, ok, err := asString(i.scriptFew(ctx, scriptIntArith, i.keys[:1], op, arg))
	if err != nil {
		return 0, i.fail(ctx, err)
	}
	if !ok { // queued in a transaction
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, wrapErr(i.kind, i.key, err)
	}
	return n, nil
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
	s, ok, rerr := asString(o.read(ctx, cmd("GET", o.keys[:1])))
	if rerr != nil || !ok {
		return err
	}
	return decodeError(o.key, s, typ, strconv.ErrSyntax)
}
