package hotredis_test

import (
	"context"
	"fmt"

	"github.com/hotredis/hotredis"
)

// Maps behave like Go maps and Python dicts, shared through Redis.
func ExampleMap() {
	ctx := context.Background()
	ages := hotredis.NewMap[string, int]("example:ages")
	defer ages.Delete(ctx)

	_ = ages.SetMany(ctx, map[string]int{"ada": 36, "alan": 41})
	age, ok, _ := ages.Get(ctx, "ada")
	_, missing, _ := ages.Get(ctx, "grace")
	first, _ := ages.SetDefault(ctx, "grace", 85) // stored: grace was missing
	again, _ := ages.SetDefault(ctx, "grace", 0)  // already there
	n, _ := ages.Incr(ctx, "alan", 1)
	fmt.Println(age, ok, missing, first, again, n)
	// Output: 36 true false 85 85 42
}

// All iterates over a map of any size a chunk at a time.
func ExampleMap_All() {
	ctx := context.Background()
	m := hotredis.NewMap[string, int]("example:map:all")
	defer m.Delete(ctx)

	_ = m.Replace(ctx, map[string]int{"a": 1, "b": 2, "c": 3})
	sum := 0
	for p, err := range m.All(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		sum += p.Value
	}
	fmt.Println(sum)
	// Output: 6
}

// A DefaultMap stores its factory's value on the first Get of a key, like
// Python's defaultdict.
func ExampleDefaultMap() {
	ctx := context.Background()
	groups := hotredis.NewDefaultMap[string, []string]("example:groups", func() []string { return []string{} })
	defer groups.Delete(ctx)

	g, _ := groups.Get(ctx, "admins") // missing: stores []
	_ = groups.Set(ctx, "admins", append(g, "ada"))
	g, _ = groups.Get(ctx, "admins")
	n, _ := groups.Len(ctx)
	fmt.Println(g, n)
	// Output: [ada] 1
}
