package hotredis

import (
	"context"
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// script is one of the embedded Lua scripts. It runs with EVALSHA and
// falls back to EVAL (which also caches it) when the server answers
// NOSCRIPT: after a restart, a SCRIPT FLUSH, or on a Cluster shard that
// has not seen it yet.
type script struct {
	name   string
	src    string
	sha    string
	direct bool // sent as backend.Cmd.Direct (see handsOff)
}

// handsOff marks s as a release that wakes waiters blocked on the server:
// its call is a hand-off's critical path, so it is sent Direct.
func (s *script) handsOff() *script {
	s.direct = true
	return s
}

// scriptNames maps a script's hash and source to its name, for messages.
var scriptNames = map[string]string{}

// loadScript reads lua/name.lua. A missing file is a bug in this package,
// caught by every test run at init.
func loadScript(name string) *script { return loadScriptWith(name) }

// loadScriptWith loads lua/name.lua with the libs (lua/<lib>.lua, in
// order) in front of it: the functions that several scripts share (Redis
// runs each script on its own, so each carries the shared text).
func loadScriptWith(name string, libs ...string) *script {
	var text []byte
	for _, f := range append(libs[:len(libs):len(libs)], name) {
		b, err := luaFiles.ReadFile("lua/" + f + ".lua")
		if err != nil {
			panic(fmt.Sprintf("hotredis: missing embedded script %s: %v", f, err))
		}
		if len(text) > 0 {
			text = append(text, '\n')
		}
		text = append(text, b...)
	}
	sum := sha1.Sum(text)
	s := &script{name: name, src: string(text), sha: hex.EncodeToString(sum[:])}
	scriptNames[s.sha] = name
	scriptNames[s.src] = name
	return s
}

func (s *script) cmd(byHash bool, ks []string, args []string) backend.Cmd {
	name := []string{"EVAL", s.src, strconv.Itoa(len(ks))}
	if byHash {
		name = []string{"EVALSHA", s.sha, strconv.Itoa(len(ks))}
	}
	return backend.Cmd{Name: name, Keys: ks, Args: args, Direct: s.direct}
}

func (s *script) run(ctx context.Context, b backend.Backend, ks, args []string) (any, error) {
	v, err := b.Do(ctx, s.cmd(true, ks, args))
	if backend.IsServerError(err, "NOSCRIPT") {
		v, err = b.Do(ctx, s.cmd(false, ks, args))
	}
	return v, err
}
