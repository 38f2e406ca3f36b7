package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/hotredis/hotredis"
)

// A Float does Go's float64 arithmetic atomically on the server, and
// stores Python's repr of the result.
func ExampleFloat() {
	ctx := context.Background()
	f := hotredis.NewFloat("example:float")
	defer f.Delete(ctx)

	v, _ := f.Add(ctx, 0.1)
	v, _ = f.Add(ctx, 0.2)
	fmt.Println(v) // as in Go; INCRBYFLOAT would give 0.3
	v, _ = f.Mul(ctx, 10)
	fmt.Println(v)
	v, _ = f.Pow(ctx, 2)
	fmt.Println(v)
	// Output:
	// 0.30000000000000004
	// 3.0000000000000004
	// 9.000000000000004
}

// NaN and infinities are refused, never stored.
func ExampleFloat_Div() {
	ctx := context.Background()
	f := hotredis.NewFloat("example:float:div")
	defer f.Delete(ctx)

	_ = f.Store(ctx, 1)
	_, err := f.Div(ctx, 0)
	fmt.Println(errors.Is(err, hotredis.ErrDivideByZero))
	_, err = f.Mul(ctx, math.Inf(1))
	fmt.Println(errors.Is(err, hotredis.ErrNotFinite))
	v, _ := f.Load(ctx)
	fmt.Println(v)
	// Output:
	// true
	// true
	// 1
}

// WithIncrByFloat adds with Redis's INCRBYFLOAT, as HOT Redis does: the
// cheapest change Redis has, computed in long double and rounded to 17
// decimal places, so the last bits can differ from Go's.
func ExampleWithIncrByFloat() {
	ctx := context.Background()
	f := hotredis.NewFloat("example:float:incr", hotredis.WithIncrByFloat())
	defer f.Delete(ctx)

	v, _ := f.Add(ctx, 0.1)
	v, _ = f.Add(ctx, 0.2)
	fmt.Println(v) // Go would say 0.30000000000000004
	v, _ = f.Sub(ctx, 0.05)
	fmt.Println(v)
	v, _ = f.Mul(ctx, 10) // Mul, Div, Pow, Swap stay exact
	fmt.Println(v)
	// Output:
	// 0.3
	// 0.25
	// 2.5
}
