package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/hotredis/hotredis"
)

// An Int is an atomic int64 shared through Redis, exact over its whole
// range, with Go's arithmetic and bit operators.
func ExampleInt() {
	ctx := context.Background()
	n := hotredis.NewInt("example:int")
	defer n.Delete(ctx)

	v, _ := n.Add(ctx, 1<<53) // a missing key is 0
	v, _ = n.Add(ctx, 1)      // 9007199254740993: Lua doubles would say ...992
	fmt.Println(v)
	v, _ = n.Mul(ctx, -3)
	fmt.Println(v)
	q, _ := n.Div(ctx, 2) // truncated toward zero, as Go
	fmt.Println(q, q == v/2)
	r, _ := n.Shr(ctx, 50) // arithmetic shift: rounds toward -Inf
	fmt.Println(r)
	// Output:
	// 9007199254740993
	// -27021597764222979
	// -13510798882111489 true
	// -13
}

// Where Go would silently wrap around, an Int reports ErrOverflow and
// keeps its value.
func ExampleInt_Mul() {
	ctx := context.Background()
	n := hotredis.NewInt("example:int:overflow")
	defer n.Delete(ctx)

	_ = n.Store(ctx, math.MaxInt64/2+1)
	_, err := n.Mul(ctx, 2)
	v, _ := n.Load(ctx)
	fmt.Println(errors.Is(err, hotredis.ErrOverflow), v)
	_, err = n.Div(ctx, 0)
	fmt.Println(errors.Is(err, hotredis.ErrDivideByZero))
	// Output:
	// true 4611686018427387904
	// true
}

// CompareAndSwap builds any read-modify-write step, as with atomic.Int64.
func ExampleInt_CompareAndSwap() {
	ctx := context.Background()
	n := hotredis.NewInt("example:int:cas")
	defer n.Delete(ctx)

	_ = n.Store(ctx, 10)
	for {
		old, _ := n.Load(ctx)
		if ok, err := n.CompareAndSwap(ctx, old, old*old-1); ok || err != nil {
			break
		}
	}
	v, _ := n.Load(ctx)
	fmt.Println(v)
	// Output: 99
}
