package hotredis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

var (
	scriptFloatArith = lua.Load("float_arith")
	scriptFloatUndo  = lua.Load("float_undo")
)

// Float is a float64 stored as text at its key: HOT Redis's Float, written
// in Python's repr ("3.0", "0.1", "1e-07") and read in any form Python's
// float() accepts; a missing key holds 0.0. Results are exactly Go's
// float64 arithmetic (a script; WithIncrByFloat trades that for
// INCRBYFLOAT's speed). A Float never stores NaN or ±Inf: such an operand
// or result is ErrNotFinite, division by zero ErrDivideByZero, and nothing
// changes. Writes keep the key's expiry.
//
// A Float is safe for concurrent use, and its Add, Sub, Mul and Div calls
// that overlap go to the server combined, many in one script call (each
// caller still gets the value after its own step, and the context's end or
// a lost reply means for it what it means for a call alone): share one
// handle among the goroutines that change a key often.
type Float struct {
	object
	incrByFloat bool
	steps       combiner[float64] // Add, Sub, Mul and Div outside transactions
}

// NewFloat returns a handle on the float at key. It does no I/O; an empty
// key makes a new unique one (see Key).
func NewFloat(key string, opts ...Option) *Float {
	o := collect(opts)
	return &Float{object: newObject("float", key, o), incrByFloat: o.incrByFloat,
		steps: combiner[float64]{script: scriptFloatArith, parse: parseFloat, format: pyfmt.Float, apply: floatStep}}
}

// WithIncrByFloat makes a Float's Add and Sub send Redis's own
// INCRBYFLOAT, as HOT Redis does, instead of the script that reproduces
// Go's arithmetic: the fastest change Redis has (one native command, about
// a quarter of the script's server time), paid for in exactness. Redis
// adds in long double and stores the sum rounded to 17 decimal places, in
// its own positional text ("0.3", "3", "0.0000001"), so:
//
//   - results may differ from Go's float64 sum in the last bits: 0.1+0.2
//     gives 0.3, not 0.30000000000000004;
//   - magnitudes below 1e-17 are lost: adding 1e-20 to 0 gives 0, and a
//     value of 1e-20 reads back as 0 after any Add;
//   - a sum beyond float64's range is ErrNotFinite, as without the
//     option, but Redis, whose long double holds it, has stored it: Add
//     then takes it back (a script subtracts it while the value is still
//     beyond the range), which restores the value up to long double
//     rounding. Two overflowing Adds racing at the edge of the range may
//     leave one of them applied though both reported ErrNotFinite.
//
// On a stored text Python reads and Redis does not ("1_000.5", " 2.5"),
// Add and Sub run the script instead; text Redis reads and Python does
// not (hexadecimal, "0x10") is added to as Redis reads it (the exact
// path refuses it with a DecodeError). Inside a transaction Add and Sub
// are the script. Every other method, and the error model, are unchanged; Mul, Div, Swap and CompareAndSwap stay exact. Use
// it for counters of money-free quantities, such as sums of measurements,
// where the last bit does not matter and every microsecond of server time
// does.
func WithIncrByFloat() Option { return func(o *options) { o.incrByFloat = true } }

// Load returns the value, 0 if the key is missing. A stored "inf" or
// "nan", signed or not and in any case ("-nan", "+Infinity"; only another
// program writes them), is returned as such.
func (f *Float) Load(ctx context.Context) (float64, error) {
	s, ok, err := scalarString(f.readScalar(ctx, cmd("GET", f.keys[:1])))
	if err != nil || !ok {
		return 0, err
	}
	return f.parse(s)
}

func (f *Float) parse(s string) (float64, error) { return parseFloat(f.key, s) }

// parseFloat reads the float at key from its text s.
func parseFloat(key, s string) (float64, error) {
	x, err := pyfmt.ParseFloat(s, 64)
	if err != nil {
		return 0, decodeError(key, s, "float64", err)
	}
	return x, nil
}

func (f *Float) finite(op string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("hotredis: float %q: %s(%v): %w", f.key, op, x, ErrNotFinite)
	}
	return nil
}

// Store sets the value to x, keeping the key's expiry; a NaN or infinite
// x is ErrNotFinite. A key of another type is ErrWrongType, and left as
// it is.
func (f *Float) Store(ctx context.Context, x float64) error {
	if err := f.finite("Store", x); err != nil {
		return err
	}
	_, err := f.script(ctx, scriptStringSet, f.keys[:1], pyfmt.Float(x))
	return err
}

// Add adds x and returns the new value.
func (f *Float) Add(ctx context.Context, x float64) (float64, error) {
	if f.incrByFloat {
		return f.incrBy(ctx, "Add", x, x)
	}
	return f.arith(ctx, "Add", "add", x)
}

// Sub subtracts x and returns the new value.
func (f *Float) Sub(ctx context.Context, x float64) (float64, error) {
	if f.incrByFloat {
		return f.incrBy(ctx, "Sub", x, -x)
	}
	return f.arith(ctx, "Sub", "sub", x)
}

// Mul multiplies the value by x and returns the result.
func (f *Float) Mul(ctx context.Context, x float64) (float64, error) {
	return f.arith(ctx, "Mul", "mul", x)
}

// Div divides the value by x and returns the result. Dividing by zero is
// ErrDivideByZero, where Go would give an infinity or NaN.
func (f *Float) Div(ctx context.Context, x float64) (float64, error) {
	return f.arith(ctx, "Div", "div", x)
}

// Swap sets the value to x and returns the old value.
func (f *Float) Swap(ctx context.Context, x float64) (old float64, err error) {
	if err := f.finite("Swap", x); err != nil {
		return 0, err
	}
	s, ok, err := asString(f.script(ctx, scriptFloatArith, f.keys[:1], "swap", pyfmt.Float(x)))
	if err != nil || !ok {
		return 0, failDecode(ctx, &f.object, "float64", err)
	}
	return f.parse(s)
}

// CompareAndSwap sets the value to new if it equals old (compared as
// numbers with ==, so 0.0 matches -0.0 and NaN matches nothing), and
// reports whether it did. A missing key counts as 0.
func (f *Float) CompareAndSwap(ctx context.Context, old, new float64) (swapped bool, err error) {
	if err := f.finite("CompareAndSwap", new); err != nil {
		return false, err
	}
	n, err := asInt(f.script(ctx, scriptFloatArith, f.keys[:1], "cas", pyfmt.Float(old), pyfmt.Float(new)))
	return n == 1, failDecode(ctx, &f.object, "float64", err)
}

// Pow raises the value to the power y, exactly as math.Pow does, and
// returns the result. math.Pow's result cannot be reproduced by Lua's pow
// in every last bit, so Pow computes in Go and commits with a
// compare-and-set that retries if another client changed the value in
// between: two round trips when uncontended. It therefore fails with
// ErrInTransaction inside a Transaction (it works inside Optimistic).
func (f *Float) Pow(ctx context.Context, y float64) (float64, error) {
	if err := f.finite("Pow", y); err != nil {
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		raw, ok, err := scalarString(f.readPrimaryScalar(ctx, cmd("GET", f.keys[:1]))) // (not a replica's)
		if err != nil {
			return 0, err
		}
		x := 0.0
		if ok {
			if x, err = f.parse(raw); err != nil {
				return 0, err
			}
		}
		if err := f.finite("Pow", x); err != nil {
			return 0, fmt.Errorf("hotredis: float %q: Pow: the stored value %q: %w", f.key, raw, ErrNotFinite)
		}
		r := math.Pow(x, y)
		switch {
		case x == 0 && y < 0:
			return 0, fmt.Errorf("hotredis: float %q: Pow(%v) of 0: %w", f.key, y, ErrDivideByZero)
		case math.IsNaN(r) || math.IsInf(r, 0):
			return 0, fmt.Errorf("hotredis: float %q: %v ** %v = %v: %w", f.key, x, y, r, ErrNotFinite)
		}
		v, err := f.script(ctx, scriptStringCAS, f.keys[:1], raw, pyfmt.Float(r))
		n, err := asInt(v, err)
		if err != nil {
			return 0, err
		}
		if n == 1 || isQueued(v) { // in Optimistic, EXEC checks
			return r, nil
		}
		if attempt >= 2 {
			if !sleepCtx(ctx, time.Duration(rand.N(min(attempt, 20))+1)*50*time.Microsecond) {
				return 0, ctx.Err()
			}
		}
	}
}

func (f *Float) arith(ctx context.Context, name, op string, x float64) (float64, error) {
	if err := f.finite(name, x); err != nil {
		return 0, err
	}
	if !f.queuing(ctx) {
		r, err := f.steps.do(ctx, &f.object, op, pyfmt.Float(x))
		return r, failDecode(ctx, &f.object, "float64", err)
	}
	_, err := f.scriptFew(ctx, scriptFloatArith, f.keys[:1], op, pyfmt.Float(x))
	return 0, err // queued
}

// floatStep is a op arg (add sub mul div) as float_arith computes it,
// or the error it replies.
func floatStep(o *object, a float64, op, arg string) (float64, error) {
	x, _ := strconv.ParseFloat(arg, 64) // (written by pyfmt.Float)
	// (Each result converted, so that no compiler fuses a product with
	// the next step's sum, as the spec allows: Lua rounds each.)
	var r float64
	switch op {
	case "add":
		r = float64(a + x)
	case "sub":
		r = float64(a - x)
	case "mul":
		r = float64(a * x)
	case "div":
		if x == 0 {
			return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "DIVZERO float division by zero"})
		}
		r = float64(a / x)
	default:
		return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "ERR unknown op " + op})
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, wrapErr(o.kind, o.key, &backend.ServerError{Msg: "NOTFINITE " + pyfmt.Float(a) + " " + op + " " + arg + " is not finite"})
	}
	return r, nil
}

// takeBack runs float_undo after an INCRBYFLOAT (or, given field, an
// HINCRBYFLOAT) of by whose sum went past float64's range, which failed
// the call with err: it adds -by while the value is still past that
// range. err, and the undo's own failure if it failed.
func (o *object) takeBack(ctx context.Context, err error, by float64, field ...string) error {
	args := append([]string{strconv.FormatFloat(-by, 'g', -1, 64)}, field...)
	if _, uerr := o.script(context.WithoutCancel(ctx), scriptFloatUndo, o.keys[:1], args...); uerr != nil {
		return fmt.Errorf("%w; taking it back failed, so the value may stay beyond float64's range: %w", err, uerr)
	}
	return err
}

// incrBy is Add and Sub WithIncrByFloat: INCRBYFLOAT of by, for the call
// name(arg).
func (f *Float) incrBy(ctx context.Context, name string, arg, by float64) (float64, error) {
	if err := f.finite(name, arg); err != nil {
		return 0, err
	}
	if f.queuing(ctx) {
		// In a transaction a sum past float64's range could not be taken
		// back, nor text Redis refuses be read by the script instead: the
		// script refuses both at the commit, changing nothing.
		return f.arith(ctx, name, strings.ToLower(name), arg)
	}
	s, ok, err := scalarString(f.writeScalar(ctx, cmd("INCRBYFLOAT", f.keys[:1], strconv.FormatFloat(by, 'g', -1, 64))))
	if errors.Is(err, ErrDecode) {
		// Redis refuses "nan" as it refuses other text; say which it was,
		// as the script does, from one read of the text. Other text Python
		// reads and Redis does not ("1_000.5", " 2.5") the script reads.
		if raw, ok, rerr := scalarString(f.readScalar(ctx, cmd("GET", f.keys[:1]))); rerr == nil && ok {
			v, perr := pyfmt.ParseFloat(raw, 64)
			switch {
			case perr != nil:
				return 0, decodeError(f.key, raw, "float64", perr)
			case math.IsNaN(v) || math.IsInf(v, 0):
				return 0, fmt.Errorf("hotredis: float %q: %s: the stored value %q: %w", f.key, name, raw, ErrNotFinite)
			}
			return f.arith(ctx, name, strings.ToLower(name), arg)
		}
	}
	if err != nil {
		return 0, err
	}
	if !ok { // queued in a transaction
		return 0, nil
	}
	v, err := f.parse(s)
	if err == nil && math.IsInf(v, 0) {
		// Past float64's range, within long double's: take it back.
		err = fmt.Errorf("hotredis: float %q: %s(%v): the sum %s...: %w", f.key, name, arg, s[:min(len(s), 12)], ErrNotFinite)
		return 0, f.takeBack(ctx, err, by)
	}
	return v, err
}
