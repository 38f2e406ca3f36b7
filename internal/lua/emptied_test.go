package lua_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// tracer goes in front of a script whose redis.call and redis.pcall were
// renamed __call and __pcall: each call that names one of the script's
// KEYS (an argument equal to it) first checks that the key exists if it
// existed earlier in the run, and else records the call in the list
// "hazards" (a key outside KEYS: this runs on a single server only).
const tracer = `
local __declared, __seen = {}, {}
for _, k in ipairs(KEYS) do __declared[k] = true end
local function __named(args)
  local ks = {}
  for i = 2, #args do
    if type(args[i]) == 'string' and __declared[args[i]] then ks[#ks + 1] = args[i] end
  end
  return ks
end
local function __look(ks, verb)
  for _, k in ipairs(ks) do
    if redis.call('EXISTS', k) == 1 then
      __seen[k] = true
    elseif verb and __seen[k] then
      redis.call('RPUSH', 'hazards', verb .. ' ' .. k)
    end
  end
end
local function __traced(call, ...)
  local ks = __named({...})
  __look(ks, (...))
  local r = call(...)
  __look(ks)
  return r
end
local function __call(...) return __traced(redis.call, ...) end
local function __pcall(...) return __traced(redis.pcall, ...) end
`

// emptiesSafely are the scripts that name a key they may have emptied, and
// why Redis never runs them halfway during a migration all the same.
var emptiesSafely = map[string]string{
	"queue_take": "its acknowledgements may empty the registrations, which it names " +
		"again only when this take's list (KEYS[3]) is empty; it runs mid-migration " +
		"only if every key it declares exists, that list among them, and then it " +
		"returns the list's items before naming the registrations again",
}

// While a Cluster slot migrates, Redis runs a script only when every key
// it declares is on the node, and stops it halfway (keeping its writes)
// at a command that names a key no longer there: so a script must never
// name a key after emptying it, which deletes it, unless it declares
// keys.Absent's (which never exists, so Redis refuses the script whole
// while the slot migrates). Every case's script is run here traced
// (tracer), on a single server: none may name a key it saw exist, and
// that is gone. (TestScriptsMidMigration runs them on a real migrating
// slot, from the cases' states only.)
func TestScriptsNeverNameAKeyTheyEmptied(t *testing.T) {
	ctx := context.Background()
	runs++
	traced := map[string]string{}
	for _, c := range cases {
		if guarded(lua.Load(c.script), c.keys) || emptiesSafely[c.script] != "" {
			continue
		}
		src, ok := traced[c.script]
		if !ok {
			src = lua.Load(c.script).Src
			src = strings.ReplaceAll(src, "redis.call(", "__call(")
			src = strings.ReplaceAll(src, "redis.pcall(", "__pcall(")
			src = tracer + src
			traced[c.script] = src
		}
		tag := fmt.Sprintf("{%s/%s #%d}", c.script, c.name, runs)
		for _, cm := range c.setup {
			_ = rdb.Do(ctx, retag(cm, tag)...).Err()
		}
		if err := rdb.Del(ctx, "hazards").Err(); err != nil {
			t.Fatal(err)
		}
		got := reply(rdb.Eval(ctx, src, retag(keysFor(lua.Load(c.script), c.keys), tag), retag(c.args, tag)...))
		if err, _ := got.(error); err != nil && strings.Contains(err.Error(), "__") {
			t.Errorf("%s/%s: the traced script failed: %v", c.script, c.name, err)
		}
		hz, err := rdb.LRange(ctx, "hazards", 0, -1).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hz {
			t.Errorf("%s/%s: names a key it emptied: %s", c.script, c.name, h)
		}
	}
}

// guarded reports whether s, run with ks, declares keys.Absent's last.
func guarded(s *lua.Script, ks []string) bool {
	ks = keysFor(s, ks)
	return len(ks) > 1 && ks[len(ks)-1] == keys.Absent(ks[0])
}
