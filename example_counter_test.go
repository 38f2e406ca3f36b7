package hotredis_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotredis/hotredis"
)

// Counters behave like Python's collections.Counter, shared through Redis.
func ExampleCounter() {
	ctx := context.Background()
	words := hotredis.NewCounter[string]("example:words")
	defer words.Delete(ctx)

	_ = words.UpdateElements(ctx, strings.Fields("the cat and the hat and the bat")...)
	the, _ := words.Get(ctx, "the")
	dog, _ := words.Get(ctx, "dog")
	top, _ := words.MostCommon(ctx, 2) // chosen on the server
	total, _ := words.Total(ctx)
	fmt.Println(the, dog, top, total)
	// Output: 3 0 [{the 3} {and 2}] 8
}

// IntersectionUpdate and UnionUpdate follow Python's &= and |=: the
// smaller or larger count of each element, keeping only positive counts.
func ExampleCounter_UnionUpdate() {
	ctx := context.Background()
	a := hotredis.NewCounter[string]("{example:ctr}:a")
	b := hotredis.NewCounter[string]("{example:ctr}:b")
	defer a.Delete(ctx)
	defer b.Delete(ctx)

	_ = a.Replace(ctx, map[string]int64{"x": 3, "y": 1, "z": -2})
	_ = b.Replace(ctx, map[string]int64{"x": 1, "w": 4})
	_ = a.UnionUpdate(ctx, b) // a |= b
	items, _ := a.Items(ctx)
	fmt.Println(items)
	// Output: map[w:4 x:3 y:1]
}
