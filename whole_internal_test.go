package hotredis

import (
	"slices"
	"testing"
)

// A scan may return an entry twice (whole.go): once keeps the first of
// each, pairs together, in order.
func TestOnceDropsRepeatedEntries(t *testing.T) {
	pairs := []string{"a", "1", "b", "2", "a", "1", "c", "3", "b", "2"}
	if got, want := once(pairs, 2), []string{"a", "1", "b", "2", "c", "3"}; !slices.Equal(got, want) {
		t.Fatalf("once(pairs) = %v, want %v", got, want)
	}
	members := []any{"x", "y", "x", "x", "z"}
	if got, want := once(members, 1), []any{"x", "y", "z"}; !slices.Equal(got, want) {
		t.Fatalf("once(members) = %v, want %v", got, want)
	}
	if got := once[string](nil, 2); len(got) != 0 {
		t.Fatalf("once(nil) = %v", got)
	}
}
