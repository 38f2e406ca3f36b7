package backend_test

import (
	"slices"
	"testing"

	"github.com/hotredis/hotredis/internal/backend"
)

// TestShortCommands: a command made by Short carries its args whatever
// their number (two or fewer held in the Cmd itself, more in Args), the
// caller's list is copied (changing it later changes nothing), WithArgs
// replaces every arg, and making a command of up to two args allocates
// nothing.
func TestShortCommands(t *testing.T) {
	name, keys := []string{"HSET"}, []string{"k"}
	for n := range 5 {
		args := make([]string, n)
		for i := range args {
			args[i] = string(rune('a' + i))
		}
		c := backend.Short(name, keys, args...)
		want := slices.Clone(args)
		for i := range args {
			args[i] = "changed"
		}
		if got := c.AllArgs(); !slices.Equal(got, want) {
			t.Errorf("%d args: AllArgs = %q, want %q", n, got, want)
		}
		if got, line := c.Argv(), append([]string{"HSET", "k"}, want...); !slices.Equal(got, line) {
			t.Errorf("%d args: Argv = %q, want %q", n, got, line)
		}
		for m := range 4 {
			more := []string{"x", "y", "z"}[:m]
			w := c.WithArgs(more...)
			if got := w.AllArgs(); !slices.Equal(got, more) {
				t.Errorf("%d args, WithArgs(%q): AllArgs = %q", n, more, got)
			}
		}
	}
	long := backend.Cmd{Args: []string{"a", "b", "c"}}
	if got := long.AllArgs(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("a Cmd made with Args: AllArgs = %q", got)
	}
	var sink backend.Cmd
	f, v := "field", "value"
	if n := testing.AllocsPerRun(100, func() { sink = backend.Short(name, keys, f, v) }); n != 0 {
		t.Errorf("Short with two args: %v allocations, want 0", n)
	}
	_ = sink
}
