// Package lua holds hotredis's Lua scripts, one per .lua file, and loads
// them. Each file starts with a header of comment lines that names its
// KEYS and ARGV, its reply, and why it must be a script. Two header lines
// are read by Load:
//
//	-- libs: clock_lib line_lib lock_lib
//	-- flags: readonly direct
//
// "libs" lists, in order, the library files (name_lib.lua) whose text goes
// in front of the script: Redis runs every script on its own, so shared
// functions travel with each script that uses them. Only the definitions
// (a library's top-level "local ...") the script uses go, directly or
// through others: a run defines every function in its script's text. A
// script whose common case needs none of them may hold the line
//
//	-- libs here
//
// after that case: the libraries go there instead, so that a run that
// returns before it does not define their functions (each run of a script
// runs its whole text). Libraries the common case needs are listed before
// a "|" and stay in front:
//
//	-- libs: clock_lib fence_lib lock_take_lib | line_lib lock_lib
//
// "flags" marks a script
// readonly (it writes nothing, so it is sent with EVALSHA_RO and may run
// on a replica when the client reads from replicas), primary (read-only,
// but the engine acts on what it reads: never on a replica) or guarded
// (it may empty one of its keys and then name it again: Cmd adds
// keys.Absent of its first key as its last key, so that Redis never runs
// it while its Cluster slot migrates, which would stop it halfway; see
// keys.Absent).
package lua

import (
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
)

//go:embed *.lua
var files embed.FS

// Script is one script with its libraries in front of it.
type Script struct {
	Name     string
	Src      string // the text sent with EVAL: the libraries, then the script
	SHA      string // SHA-1 of Src, sent with EVALSHA
	Libs     []string
	ReadOnly bool // writes nothing: EVALSHA_RO / EVAL_RO
	Primary  bool // read-only, but what it reads must be fresh: never sent to a replica
	Guarded  bool // Cmd adds keys.Absent(ks[0]) as the last key
	// byHash[n] is the Name of the EVALSHA command with n keys, made once
	// so that Cmd does not allocate one per call.
	byHash [cachedKeys][]string
}

// libsHere is the line of a script where its libraries go, when not in
// front of it.
const libsHere = "-- libs here"

// cachedKeys bounds the key counts whose EVALSHA Name a Script keeps.
const cachedKeys = 32

var (
	mu     sync.Mutex
	loaded = map[string]*Script{} // by name
	names  = map[string]string{}  // SHA and source → name
)

// Load returns the script in name.lua. A missing file or library is a bug
// in hotredis, caught at init by every test run, so Load panics.
func Load(name string) *Script {
	mu.Lock()
	defer mu.Unlock()
	if s := loaded[name]; s != nil {
		return s
	}
	s, err := parse(name)
	if err != nil {
		panic("hotredis: " + err.Error())
	}
	loaded[name] = s
	names[s.SHA] = name
	names[s.Src] = name
	return s
}

func parse(name string) (*Script, error) {
	body, err := files.ReadFile(name + ".lua")
	if err != nil {
		return nil, fmt.Errorf("missing embedded script %s: %w", name, err)
	}
	s := &Script{Name: name}
	nfront := 0 // how many of s.Libs go in front when the rest go at libsHere
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "--") {
			break // the header ends at the first line of code
		}
		if v, ok := strings.CutPrefix(line, "-- libs:"); ok {
			front, rest, split := strings.Cut(v, "|")
			s.Libs = append(strings.Fields(front), strings.Fields(rest)...)
			if split {
				nfront = len(strings.Fields(front))
			}
		}
		if v, ok := strings.CutPrefix(line, "-- flags:"); ok {
			for _, f := range strings.Fields(v) {
				switch f {
				case "readonly":
					s.ReadOnly = true
				case "primary":
					s.Primary = true
				case "guarded":
					s.Guarded = true
				default:
					return nil, fmt.Errorf("script %s: unknown flag %q", name, f)
				}
			}
		}
	}
	var pieces [][]piece // each library's
	for _, lib := range s.Libs {
		b, err := files.ReadFile(lib + ".lua")
		if err != nil {
			return nil, fmt.Errorf("script %s: missing library %s: %w", name, lib, err)
		}
		pieces = append(pieces, splitLib(string(b)))
	}
	used := usedPieces(string(body), pieces)
	var front, libs strings.Builder
	for i, ps := range pieces {
		to := &libs
		if i < nfront {
			to = &front
		}
		for j, p := range ps {
			if used[i][j] {
				to.WriteString(p.text)
			}
		}
	}
	before, after, here := strings.Cut(string(body), "\n"+libsHere+"\n")
	switch {
	case !here && nfront > 0:
		return nil, fmt.Errorf("script %s: libraries after a | need a %q line", name, libsHere)
	case !here:
		before, after = "", string(body)
	default:
		before += "\n"
	}
	s.Src = front.String() + before + libs.String() + after
	sum := sha1.Sum([]byte(s.Src))
	s.SHA = hex.EncodeToString(sum[:])
	for n := range s.byHash {
		s.byHash[n] = []string{s.verb("EVALSHA"), s.SHA, strconv.Itoa(n)}
	}
	return s, nil
}

// A piece is one top-level definition of a library, with the comment
// lines above it: "local function f(...) ... end", or "local a, b = ...".
type piece struct {
	names []string // what it defines
	text  string
}

// splitLib cuts a library's text into its pieces: each begins at a line
// "local ..." at column 0 (its comment lines before it), as every library
// is written. Text before the first holds only the file's comments.
func splitLib(src string) []piece {
	var out []piece
	var cur strings.Builder
	var names []string
	comments := ""
	for _, line := range strings.SplitAfter(src, "\n") {
		switch {
		case strings.HasPrefix(line, "local "):
			if names != nil {
				out = append(out, piece{names, cur.String()})
			}
			cur.Reset()
			cur.WriteString(comments)
			comments = ""
			names = definedBy(line)
			cur.WriteString(line)
		case strings.HasPrefix(line, "--") || strings.TrimSpace(line) == "":
			comments += line // (kept with the piece that follows)
		default:
			cur.WriteString(comments)
			comments = ""
			cur.WriteString(line)
		}
	}
	if names != nil {
		out = append(out, piece{names, cur.String()})
	}
	return out
}

// definedBy returns the names a line "local function f(" or "local a, b
// = ..." defines.
func definedBy(line string) []string {
	decl := strings.TrimPrefix(line, "local ")
	if f, ok := strings.CutPrefix(decl, "function "); ok {
		name, _, _ := strings.Cut(f, "(")
		return []string{strings.TrimSpace(name)}
	}
	decl, _, _ = strings.Cut(decl, "=")
	var out []string
	for _, n := range strings.Split(decl, ",") {
		out = append(out, strings.TrimSpace(n))
	}
	return out
}

// usedPieces marks the pieces of the libraries that body uses, directly or
// through other pieces it uses: the others are left out, as each run of a
// script defines every function in its text (~0.15 µs each on Redis 7.0).
// A name counts as used wherever it appears as a word in code (a false
// match only keeps a piece).
func usedPieces(body string, libs [][]piece) [][]bool {
	used := make([][]bool, len(libs))
	for i := range libs {
		used[i] = make([]bool, len(libs[i]))
	}
	code := []string{codeOf(body)}
	for len(code) > 0 {
		text := code[len(code)-1]
		code = code[:len(code)-1]
		for i, ps := range libs {
			for j, p := range ps {
				if !used[i][j] && mentions(text, p.names) {
					used[i][j] = true
					code = append(code, codeOf(p.text))
				}
			}
		}
	}
	return used
}

// codeOf is src without its comments (from "--" to the end of a line).
func codeOf(src string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i] + "\n"
		}
		b.WriteString(line)
	}
	return b.String()
}

// mentions reports whether one of names appears in code as a whole word.
func mentions(code string, names []string) bool {
	for _, n := range names {
		for i := 0; ; {
			k := strings.Index(code[i:], n)
			if k < 0 {
				break
			}
			at, end := i+k, i+k+len(n)
			if (at == 0 || !isWord(code[at-1])) && (end == len(code) || !isWord(code[end])) {
				return true
			}
			i = end
		}
	}
	return false
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// verb is EVAL or EVALSHA as s needs it: the _RO form for a read-only
// script.
func (s *Script) verb(v string) string {
	if s.ReadOnly {
		return v + "_RO"
	}
	return v
}

// NameOf returns the name of the script whose SHA or source is text, or "".
func NameOf(text string) string {
	mu.Lock()
	defer mu.Unlock()
	return names[text]
}

// All returns the names of every script file that is not a library.
func All() []string {
	es, _ := fs.Glob(files, "*.lua")
	var out []string
	for _, e := range es {
		n := strings.TrimSuffix(e, ".lua")
		if !strings.HasSuffix(n, "_lib") {
			out = append(out, n)
		}
	}
	return out
}

// Cmd returns the command that runs s with KEYS ks and ARGV args: EVALSHA
// when byHash, else EVAL with the whole text (which also caches it on the
// server); the _RO forms for a read-only script. A guarded script gets
// keys.Absent(ks[0]) after ks.
func (s *Script) Cmd(byHash bool, ks, args []string) backend.Cmd {
	if s.Guarded && len(ks) > 0 {
		ks = append(ks[:len(ks):len(ks)], keys.Absent(ks[0]))
	}
	var name []string
	switch {
	case byHash && len(ks) < cachedKeys:
		name = s.byHash[len(ks)]
	case byHash:
		name = []string{s.verb("EVALSHA"), s.SHA, strconv.Itoa(len(ks))}
	default:
		name = s.EvalName(len(ks))
	}
	return backend.Cmd{
		Name:     name,
		Keys:     ks,
		Args:     args,
		ReadOnly: s.ReadOnly,
		Replica:  s.ReadOnly && !s.Primary,
	}
}

// EvalName is the Name of the EVAL (EVAL_RO) of s's whole text with n
// keys: what a command Cmd made with EVALSHA takes to go in full, its
// keys and args as they are (a guarded script's keys.Absent's among them).
func (s *Script) EvalName(n int) []string {
	return []string{s.verb("EVAL"), s.Src, strconv.Itoa(n)}
}
