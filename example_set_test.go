package hotredis_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/hotredis/hotredis"
)

// Sets behave like Python sets, shared through Redis. Algebra between Sets
// runs on the server.
func ExampleSet() {
	ctx := context.Background()
	a := hotredis.NewSet[string]("{example}:a")
	b := hotredis.NewSet[string]("{example}:b")
	defer a.Delete(ctx)
	defer b.Delete(ctx)

	_ = a.Replace(ctx, "go", "python", "rust")
	_ = b.Replace(ctx, "python", "c")
	both, _ := a.Intersection(ctx, b)
	sub, _ := b.IsSubset(ctx, a)
	_ = a.SymmetricDifferenceUpdate(ctx, b) // a ^= b
	members, _ := a.Members(ctx)
	slices.Sort(members)
	fmt.Println(both, sub, members)
	// Output: [python] false [c go rust]
}

// Methods with a Values suffix take plain Go values, still in one atomic
// step on the server.
func ExampleSet_IntersectionUpdateValues() {
	ctx := context.Background()
	s := hotredis.NewSet[int]("example:set:values")
	defer s.Delete(ctx)

	_, _ = s.Add(ctx, 1, 2, 3, 4)
	_ = s.IntersectionUpdateValues(ctx, 2, 4, 6) // s &= {2, 4, 6}
	sup, _ := s.IsSupersetValues(ctx, 2)
	n, _ := s.Len(ctx)
	fmt.Println(n, sup)
	// Output: 2 true
}
