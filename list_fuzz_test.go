package hotredis_test

import (
	"slices"
	"testing"

	"github.com/hotredis/hotredis"
)

// FuzzListSlices checks Slice and SetSlice against Python's rules for any
// bounds, including ones far outside the list. Its seeds run with go test;
// go test -fuzz FuzzListSlices -run '^$' explores further.
func FuzzListSlices(f *testing.F) {
	for _, s := range [][4]int{{0, 0, 3, 1}, {-1, 5, 2, 0}, {-100, 100, 5, 2}, {3, 1, 4, 3}, {1 << 40, -(1 << 40), 2, 1}, {-2, -1, 6, 0}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	l := hotredis.NewList[string]("{fuzz}:slices")
	f.Fuzz(func(t *testing.T, start, stop, n, k int) {
		n, k = mod(n, 20), mod(k, 5)
		var m pyList
		for i := range n {
			m = append(m, string(rune('a'+i)))
		}
		if err := l.Replace(ctx, m...); err != nil {
			t.Fatal(err)
		}
		got, err := l.Slice(ctx, start, stop)
		if err != nil {
			t.Fatal(err)
		}
		if want := m.slice(start, stop); !slices.Equal(got, want) && (len(got) != 0 || len(want) != 0) {
			t.Fatalf("Slice(%d, %d) of %d = %q, want %q", start, stop, n, got, want)
		}
		vs := make([]string, k)
		for i := range vs {
			vs[i] = "new"
		}
		if err := l.SetSlice(ctx, start, stop, vs...); err != nil {
			t.Fatal(err)
		}
		all, err := l.Values(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := m.setSlice(start, stop, vs); !slices.Equal(all, want) && (len(all) != 0 || len(want) != 0) {
			t.Fatalf("SetSlice(%d, %d, %d values) of %d = %q, want %q", start, stop, k, n, all, want)
		}
	})
}

// mod is x modulo m in [0, m), for any x.
func mod(x, m int) int { return (x%m + m) % m }
