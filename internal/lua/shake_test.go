package lua

import (
	"slices"
	"strings"
	"testing"
)

// TestLibrariesKeepWhatScriptsUse: a script's text holds the library
// pieces it uses, directly or through other pieces, in the library's
// order with their comments, and no other: each run of a script defines
// every function in its text.
func TestLibrariesKeepWhatScriptsUse(t *testing.T) {
	lib := `-- a library's own comment

-- f is used by g.
local function f(x)
  return x
end

-- g is used by the script.
local function g(x)
  return f(x) -- (f again)
end

local A, B = 1, 2

-- h is named only in comments and inside another word.
local function h()
  return B
end
`
	pieces := splitLib(lib)
	var names []string
	for _, p := range pieces {
		names = append(names, strings.Join(p.names, ","))
	}
	if got := strings.Join(names, " "); got != "f g A,B h" {
		t.Fatalf("pieces %q, want f g A,B h", got)
	}
	body := "-- h: not this one\nlocal hh = 1\nreturn g(A)\n"
	used := usedPieces(body, [][]piece{pieces})[0]
	if want := []bool{true, true, true, false}; !slices.Equal(used, want) {
		t.Fatalf("used %v, want %v", used, want)
	}
	if !strings.Contains(pieces[0].text, "-- f is used by g.") || !strings.HasSuffix(pieces[0].text, "end\n") {
		t.Errorf("f's piece %q: want its comment and its end", pieces[0].text)
	}
}
