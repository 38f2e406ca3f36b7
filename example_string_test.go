package hotredis_test

import (
	"context"
	"fmt"

	"github.com/hotredis/hotredis"
)

// A String is mutated in place, atomically, with Python's slices and Go's
// strings functions.
func ExampleString() {
	ctx := context.Background()
	s := hotredis.NewString("example:string")
	defer s.Delete(ctx)

	_ = s.Set(ctx, "abcdef")
	_, _ = s.SetSlice(ctx, 0, 5, "X") // s[0:5] = "X"
	v, _ := s.Get(ctx)
	fmt.Println(v)

	_ = s.Set(ctx, "  straße ")
	_, _ = s.Append(ctx, "über ")
	v, _ = s.TrimSpace(ctx)
	v, _ = s.ToUpper(ctx) // exactly strings.ToUpper: ß has no one-letter capital
	fmt.Println(v)
	tail, _ := s.Slice(ctx, -5, 100)
	i, _ := s.Index(ctx, "ÜBER")
	fmt.Println(tail, i)
	// Output:
	// Xf
	// STRAßE ÜBER
	// ÜBER 8
}

// Update applies any Go function atomically: concurrent updates retry
// rather than overwrite each other.
func ExampleString_Update() {
	ctx := context.Background()
	s := hotredis.NewString("example:string:update")
	defer s.Delete(ctx)

	_ = s.Set(ctx, "a,b,c")
	v, _ := s.Update(ctx, func(old string) string { return "[" + old + "]" })
	fmt.Println(v)
	// Output: [a,b,c]
}

// ImmutableString "mutators" return a new string under a new key.
func ExampleImmutableString() {
	ctx := context.Background()
	_ = hotredis.NewString("example:imm").Set(ctx, "ab")
	s := hotredis.NewImmutableString("example:imm")
	defer s.Delete(ctx)

	t, _ := s.Concat(ctx, "cd")
	defer t.Delete(ctx)
	u, _ := t.Repeat(ctx, 2)
	defer u.Delete(ctx)
	a, _ := s.Get(ctx)
	b, _ := t.Get(ctx)
	c, _ := u.Get(ctx)
	fmt.Println(a, b, c)
	// Output: ab abcd abcdabcd
}
