package hotredis_test

import (
	"context"
	"fmt"

	"github.com/hotredis/hotredis"
)

// Lists behave like Python lists, shared through Redis.
func ExampleList() {
	ctx := context.Background()
	l := hotredis.NewList[string]("example:list")
	defer l.Delete(ctx)

	_ = l.Replace(ctx, "a", "b", "c")
	_ = l.Insert(ctx, 1, "x")      // a x b c
	last, _ := l.Pop(ctx)          // c
	_ = l.SetSlice(ctx, 0, 1, "z") // z x b
	_ = l.Sort(ctx, false)         // b x z
	vs, _ := l.Values(ctx)
	i, _ := l.Index(ctx, "z")
	fmt.Println(last, vs, i)
	// Output: c [b x z] 2
}

// Negative indexes count from the end, and Slice clamps like Python.
func ExampleList_Slice() {
	ctx := context.Background()
	l := hotredis.NewList[int]("example:slice")
	defer l.Delete(ctx)

	_ = l.Replace(ctx, 0, 1, 2, 3, 4)
	a, _ := l.Slice(ctx, 1, -1)
	b, _ := l.Slice(ctx, -2, 100)
	last, _ := l.Get(ctx, -1)
	fmt.Println(a, b, last)
	// Output: [1 2 3] [3 4] 4
}

// All reads a list of any length a chunk at a time.
func ExampleList_All() {
	ctx := context.Background()
	l := hotredis.NewList[int]("example:all")
	defer l.Delete(ctx)

	_ = l.Replace(ctx, 1, 2, 3)
	sum := 0
	for v, err := range l.All(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		sum += v
	}
	fmt.Println(sum)
	// Output: 6
}

// A Transaction applies its writes all at once, or not at all.
func ExampleTransaction() {
	ctx := context.Background()
	todo := hotredis.NewList[string]("{example}:todo")
	done := hotredis.NewList[string]("{example}:done")
	defer todo.Delete(ctx)
	defer done.Delete(ctx)
	_ = todo.Replace(ctx, "write", "test")

	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		if _, err := todo.Remove(ctx, "write"); err != nil {
			return err
		}
		_, err := done.Append(ctx, "write")
		return err
	})
	a, _ := todo.Values(ctx)
	b, _ := done.Values(ctx)
	fmt.Println(err, a, b)
	// Output: <nil> [test] [write]
}

// Optimistic reads live and retries when what it read changed.
func ExampleOptimistic() {
	ctx := context.Background()
	l := hotredis.NewList[int]("example:optimistic")
	defer l.Delete(ctx)
	_ = l.Replace(ctx, 10)

	err := hotredis.Optimistic(ctx, func(ctx context.Context) error {
		v, err := l.Get(ctx, 0)
		if err != nil {
			return err
		}
		return l.Set(ctx, 0, v*2)
	}, l)
	v, _ := l.Get(ctx, 0)
	fmt.Println(err, v)
	// Output: <nil> 20
}
