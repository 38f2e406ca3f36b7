package lua_test

// Every script on its own, on a real server: each case of TestScripts
// names a script, sets up keys with raw commands, runs the script with
// EVAL (EVAL_RO for a read-only one, which Redis refuses to let write:
// so the cases of a read-only script prove it writes nothing) and
// compares the reply and, optionally, the keys afterwards. Every key of a
// case has the hash tag {t}, which the test replaces with one of the
// case's own (and the run's, for go test -count), so that cases share no
// keys.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
	"github.com/redis/go-redis/v9"
)

var rdb *redis.Client

func TestMain(m *testing.M) {
	srv, err := hotredistest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rdb = srv.GoRedis()
	code := m.Run()
	rdb.Close()
	srv.Close()
	os.Exit(code)
}

// scriptCase is one run of a script.
type scriptCase struct {
	script string
	name   string   // what happens, as a sentence
	setup  [][]any  // commands run first
	keys   []string // KEYS
	args   []any    // ARGV
	want   any      // the reply: a value, an errReply or a check
	after  []probe  // the keys afterwards
	bug    string   // a known script bug: the case is run and logged, not asserted
}

// probe is a command run after the script and its expected reply.
type probe struct {
	cmd  []any
	want any // a value, an errReply or a check
}

// errReply is an error reply whose message begins with it.
type errReply string

// check judges a reply that no fixed value describes (server time, stream
// ids, members in no order).
type check func(reply any) error

func cmd(args ...any) []any { return args }

func init() {
	cases = append(cases, stepsBounds("float_arith", "0.0", "64.0")...)
	cases = append(cases, stepsBounds("int_arith", "0", "64")...)
}

// stepsBounds are the cases of a script's steps (float_arith, int_arith):
// none, a step without its operand and 65 are refused, with nothing
// written; 64 "add 1" steps on a missing value go from zero to sixtyFour.
func stepsBounds(script, zero, sixtyFour string) []scriptCase {
	k := []string{"{t}:v"}
	nothing := []probe{{cmd("EXISTS", "{t}:v"), int64(0)}}
	refused := errReply("ERR steps takes 1 to 64")
	return []scriptCase{
		{script: script, name: "steps: none are refused, nothing written", keys: k, args: cmd("steps"), want: refused, after: nothing},
		{script: script, name: "steps: a step without its operand is refused", keys: k, args: cmd("steps", "add", "1", "add"), want: refused, after: nothing},
		{script: script, name: "steps: 65 are refused, nothing written", keys: k, args: manySteps(65), want: refused, after: nothing},
		{script: script, name: "steps: 64 are taken", keys: k, args: manySteps(64), want: []any{zero, sixtyFour}},
	}
}

// manySteps is the ARGV of n steps "add 1".
func manySteps(n int) []any {
	args := []any{"steps"}
	for range n {
		args = append(args, "add", "1")
	}
	return args
}

func strs(ss ...string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// eval is a command that runs script name, for setups and probes.
func eval(name string, ks []string, args ...any) []any {
	s := lua.Load(name)
	verb := "EVAL"
	if s.ReadOnly {
		verb = "EVAL_RO"
	}
	ks = keysFor(s, ks)
	return append(append(cmd(verb, s.Src, len(ks)), strs(ks...)...), args...)
}

// keysFor is a case's KEYS as s.Cmd sends them: a guarded script's end
// with keys.Absent's.
func keysFor(s *lua.Script, ks []string) []string {
	if s.Guarded && len(ks) > 0 {
		return append(ks[:len(ks):len(ks)], keys.Absent(ks[0]))
	}
	return ks
}

// lk are the KEYS of every lock and semaphore script (see line_lib): the
// holding, state, fence, line, registrations, unconfirmed grants, 16
// grant streams and the key that never exists.
var lk = func(key string) []string {
	ks := []string{key, key + ":state", key + ":fence", key + ":waiters", key + ":waiting", key + ":granted"}
	for i := range 16 {
		ks = append(ks, key+":grants:"+strconv.Itoa(i))
	}
	return append(ks, keys.Absent(key))
}("{t}")

// lockArgs and semArgs are the ARGV of a lock or semaphore script: the
// common four (registrations last 1.5s, a grant's lease is at least 50ms,
// the fencing counter lives an hour; capacity 1, or 3 for the semaphore),
// then more.
func lockArgs(more ...any) []any { return append(cmd("1500", "50", "3600000", "1"), more...) }
func semArgs(more ...any) []any  { return append(cmd("1500", "50", "3600000", "3"), more...) }

// lockAcquire is a setup: owner takes the lock as attempt wid, or waits in
// line for it (wait "1"), with a 10s lease.
func lockAcquire(owner, wid, wait string) []any {
	return eval("lock_acquire", lk, lockArgs(owner, "10000", "0", wid, wait)...)
}

// semAcquire is a setup: handle id takes n permits as attempt wid, or
// waits in line for them (wait "1"), with a 10s lease.
func semAcquire(id, n, wid, wait string) []any {
	return eval("sem_acquire", lk, semArgs(id, n, "10000", wid, wait)...)
}

// many is a setup: cmd on key with n members m1..mn (width 2: each with
// the value 1).
func many(cmd, key string, n, width int) []any {
	out := []any{cmd, key}
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprint("m", i))
		if width == 2 {
			out = append(out, 1)
		}
	}
	return out
}

// reentries is a setup: the lock is held by owner (see heldBy), which
// re-enters it n times, as attempts w1..wn.
func reentries(owner string, n int) [][]any {
	out := [][]any{heldBy(owner, "w0")}
	for i := 1; i <= n; i++ {
		out = append(out, eval("lock_acquire", lk, lockArgs(owner, "10000", "1", fmt.Sprint("w", i), "0")...))
	}
	return out
}

// manyTakes is a setup: handle id takes 1 permit n times, as attempts
// w1..wn, of a semaphore of 20 permits.
func manyTakes(id string, n int) [][]any {
	var out [][]any
	for i := 1; i <= n; i++ {
		out = append(out, eval("sem_acquire", lk, append(cmd("1500", "50", "3600000", "20"), id, "1", "10000", fmt.Sprint("w", i), "0")...))
	}
	return out
}

// heldBy is a setup: the lock is held by owner, as attempt wid, with
// fencing token 5 (and no expiry).
func heldBy(owner, wid string) []any {
	return cmd("HSET", "{t}", "owner", owner, "count", 1, "fence", 5, "wid", wid)
}

// The KEYS of the queue scripts; the ...Set ones are a set queue's.
var (
	putKeys    = []string{"{t}:list", "{t}:unfinished", "{t}:joined", "{t}:putwait", "{t}:notfull"}
	putKeysSet = append(slices.Clone(putKeys), "{t}:set")

	takeKeys    = []string{"{t}:list", "{t}:takes", "{t}:taken:t1", "{t}:putwait", "{t}:notfull", "{t}:unfinished"}
	takeKeysSet = append(slices.Clone(takeKeys), "{t}:set")

	claimKeys    = []string{"{t}:parked:t1", "{t}:taken:t1", "{t}:takes", "{t}:list", "{t}:putwait", "{t}:notfull", "{t}:unfinished"}
	claimKeysSet = append(slices.Clone(claimKeys), "{t}:set")

	recoverKeys    = []string{"{t}:list", "{t}:takes", "{t}:parked:t1", "{t}:taken:t1", "{t}:unfinished"}
	recoverKeysSet = append(slices.Clone(recoverKeys), "{t}:set", "{t}:joined")
)

var (
	// later is an expiry (ms of server time, as text) an hour after the
	// tests start: a registration or lease that runs.
	later   = strconv.FormatInt(laterMS, 10)
	laterMS = time.Now().Add(time.Hour).UnixMilli()
	// at is an expiry time a day from now (ms since the epoch).
	at = time.Now().Add(24 * time.Hour).UnixMilli()
)

var cases = []scriptCase{
	// counter_combine: KEYS counter[, other]; ARGV op, chunk, limit, pairs...
	{
		script: "counter_combine", name: "and keeps the smaller count and drops what is not positive",
		setup: [][]any{{"HSET", "{t}:c", "a", 3, "b", 1}},
		keys:  []string{"{t}:c"},
		args:  cmd("and", "100", "0", "a", "2", "c", "5"),
		want:  1,
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "2")}},
	},
	{
		script: "counter_combine", name: "or keeps the larger count and adds the positive new ones",
		setup: [][]any{{"HSET", "{t}:c", "a", 3, "b", 1}},
		keys:  []string{"{t}:c"},
		args:  cmd("or", "100", "0", "a", "5", "b", "0", "c", "2", "d", "-1"),
		want:  3,
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "5", "b", "1", "c", "2")}},
	},
	{
		script: "counter_combine", name: "or against another counter",
		setup: [][]any{{"HSET", "{t}:c", "a", 1}, {"HSET", "{t}:o", "a", 4, "b", 2, "z", 0}},
		keys:  []string{"{t}:c", "{t}:o"},
		args:  cmd("or", "1", "0"),
		want:  2,
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "4", "b", "2")}},
	},
	{
		script: "counter_combine", name: "and against another counter drops the fields it lacks",
		setup: [][]any{{"HSET", "{t}:c", "a", 3, "b", 2, "x", 1}, {"HSET", "{t}:o", "a", 1, "b", 4}},
		keys:  []string{"{t}:c", "{t}:o"},
		args:  cmd("and", "100", "0"),
		want:  2,
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "1", "b", "2")}},
	},
	{
		script: "counter_combine", name: "or drops a negative count",
		setup: [][]any{{"HSET", "{t}:c", "a", -2, "b", 1}},
		keys:  []string{"{t}:c"},
		args:  cmd("or", "100", "0"),
		want:  1,
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("b", "1")}},
	},
	{
		script: "counter_combine", name: "int64 counts compare exactly",
		setup: [][]any{{"HSET", "{t}:c", "a", "9223372036854775807"}},
		keys:  []string{"{t}:c"},
		args:  cmd("and", "100", "0", "a", "9223372036854775806"),
		want:  1,
		after: []probe{{cmd("HGET", "{t}:c", "a"), "9223372036854775806"}},
	},
	{
		script: "counter_combine", name: "BIG when there are more fields than the limit, changing nothing",
		setup: [][]any{{"HSET", "{t}:c", "a", 1, "b", 1}},
		keys:  []string{"{t}:c"},
		args:  cmd("and", "100", "2", "c", "1"),
		want:  errReply("BIG 3 fields to visit, over 2"),
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "1", "b", "1")}},
	},
	{
		script: "counter_combine", name: "BIG counts the other counter's fields for or",
		setup: [][]any{{"HSET", "{t}:c", "a", 1}, {"HSET", "{t}:o", "b", 1, "c", 1}},
		keys:  []string{"{t}:c", "{t}:o"},
		args:  cmd("or", "100", "2"),
		want:  errReply("BIG 3 fields to visit, over 2"),
	},
	{
		script: "counter_combine", name: "NOTINT when a count is not an integer, changing nothing",
		setup: [][]any{{"HSET", "{t}:c", "a", 1, "b", "1.5"}},
		keys:  []string{"{t}:c"},
		args:  cmd("or", "100", "0", "a", "5"),
		want:  errReply("NOTINT field b of {t}:c holds 1.5"),
		after: []probe{{cmd("HGETALL", "{t}:c"), fields("a", "1", "b", "1.5")}},
	},
	{
		script: "counter_combine", name: "WRONGTYPE when the other counter is not a hash",
		setup: [][]any{{"HSET", "{t}:c", "a", 1}, {"SET", "{t}:o", "x"}},
		keys:  []string{"{t}:c", "{t}:o"},
		args:  cmd("or", "100", "0"),
		want:  errReply("WRONGTYPE"),
	},

	// counter_most_common: KEYS hash; ARGV n, cursor, budget, chunk
	{
		script: "counter_most_common", name: "the n highest counts of the whole hash",
		setup: [][]any{{"HSET", "{t}:h", "a", 5, "b", 3, "c", 9, "d", 1}},
		keys:  []string{"{t}:h"},
		args:  cmd("2", "start", "0", "10"),
		want:  best("0", "c", "9", "a", "5"),
	},
	{
		script: "counter_most_common", name: "the best 3 of 10 fields offered in no order",
		setup: [][]any{{"HSET", "{t}:h", "f4", 4, "f9", 9, "f1", 1, "f7", 7, "f10", 10, "f2", 2, "f8", 8, "f3", 3, "f6", 6, "f5", 5}},
		keys:  []string{"{t}:h"},
		args:  cmd("3", "start", "0", "10"),
		want:  best("0", "f10", "10", "f9", "9", "f8", "8"),
	},
	{
		script: "counter_most_common", name: "a tie goes to the smaller field",
		setup: [][]any{{"HSET", "{t}:h", "b", 1, "a", 1, "c", 1}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "start", "0", "10"),
		want:  strs("0", "a", "1"),
	},
	{
		script: "counter_most_common", name: "int64 counts compare exactly",
		setup: [][]any{{"HSET", "{t}:h", "a", "9223372036854775806", "b", "9223372036854775807", "c", 5}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "start", "0", "10"),
		want:  strs("0", "b", "9223372036854775807"),
	},
	{
		script: "counter_most_common", name: "negative counts rank below zero",
		setup: [][]any{{"HSET", "{t}:h", "a", -1, "b", 0, "c", "-9223372036854775808"}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "start", "0", "10"),
		want:  strs("0", "b", "0"),
	},
	{
		script: "counter_most_common", name: "start on a hash larger than the budget examines nothing",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", 3}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "start", "2", "10"),
		want:  strs("more"),
	},
	{
		script: "counter_most_common", name: "a cursor scans a stretch of the hash",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", 3}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "0", "2", "10"),
		want:  strs("0", "c", "3"),
	},
	{
		script: "counter_most_common", name: "an empty hash has none",
		keys: []string{"{t}:h"},
		args: cmd("3", "start", "0", "10"),
		want: strs("0"),
	},
	{
		script: "counter_most_common", name: "NOTINT when a count is not an integer",
		setup: [][]any{{"HSET", "{t}:h", "a", "x"}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "start", "0", "10"),
		want:  errReply("NOTINT field a of {t}:h holds x"),
	},

	// hash_step: KEYS src, scratch[, look-up]; ARGV size, ttl, step, ...
	{
		script: "hash_step", name: "STALE when the scratch hash lost fields",
		keys: []string{"{t}:h", "{t}:tmp"},
		args: cmd("2", "60000", "scan-copy", "0", "100", "2097152"),
		want: errReply("STALE {t}:tmp holds 0 fields, not 2"),
	},
	{
		script: "hash_step", name: "a step over more fields than unpack takes at once",
		setup: [][]any{many("HSET", "{t}:h", 5000, 2)},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-copy", "0", "6000", "2097152"),
		want:  cmd("0", 5000, 28893, 10000),
	},
	{
		script: "hash_step", name: "a scanning step stops at the bytes, whatever its count",
		setup: [][]any{bigMembers("HSET", "{t}:h", 300, 10000)},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-copy", "0", "100", "50000"),
		want:  scannedWithin(2, 3, 8), // (a field and its value: 20,000 bytes)
	},
	{
		script: "hash_step", name: "scan-copy copies every field as it is",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", "x"}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-copy", "0", "100", "2097152"),
		want:  cmd("0", 2, 4, 4),
		after: []probe{
			{cmd("HGETALL", "{t}:tmp"), fields("a", "1", "b", "x")},
			{cmd("PTTL", "{t}:tmp"), between(1, 60000)},
		},
	},
	{
		script: "hash_step", name: "scan-check refuses a count that is not an integer",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", "x"}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-check", "0", "100", "2097152"),
		want:  errReply("NOTINT field b of {t}:h holds x"),
	},
	{
		script: "hash_step", name: "scan-check writes nothing",
		setup: [][]any{{"HSET", "{t}:h", "a", 1}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-check", "0", "100", "2097152"),
		want:  cmd("0", 0, 2, 2),
		after: []probe{{cmd("EXISTS", "{t}:tmp"), 0}},
	},
	{
		script: "hash_step", name: "scan-pos copies the positive counts",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 0, "c", -1}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "scan-pos", "0", "100", "2097152"),
		want:  cmd("0", 1, 7, 6),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "1")}},
	},
	{
		script: "hash_step", name: "scan-min keeps the smaller count where it is positive",
		setup: [][]any{{"HSET", "{t}:h", "a", 3, "b", 5}, {"HSET", "{t}:o", "a", 4}},
		keys:  []string{"{t}:h", "{t}:tmp", "{t}:o"},
		args:  cmd("0", "60000", "scan-min", "0", "100", "2097152"),
		want:  cmd("0", 1, 4, 4),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "3")}},
	},
	{
		script: "hash_step", name: "scan-max keeps the larger count where it is positive",
		setup: [][]any{{"HSET", "{t}:h", "a", 3, "b", -1}, {"HSET", "{t}:o", "a", 4, "b", -5}},
		keys:  []string{"{t}:h", "{t}:tmp", "{t}:o"},
		args:  cmd("0", "60000", "scan-max", "0", "100", "2097152"),
		want:  cmd("0", 1, 5, 4),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "4")}},
	},
	{
		script: "hash_step", name: "scan-rest copies the positive counts the other hash lacks",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", -1}, {"HSET", "{t}:o", "a", 9}},
		keys:  []string{"{t}:h", "{t}:tmp", "{t}:o"},
		args:  cmd("0", "60000", "scan-rest", "0", "100", "2097152"),
		want:  cmd("0", 1, 7, 6),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("b", "2")}},
	},
	{
		script: "hash_step", name: "incr adds each count to the scratch hash",
		setup: [][]any{{"HSET", "{t}:tmp", "a", 5}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("1", "60000", "incr", "a", "2", "b", "-3"),
		want:  cmd("0", 2),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "7", "b", "-3")}},
	},
	{
		script: "hash_step", name: "incr adds int64 counts exactly",
		setup: [][]any{{"HSET", "{t}:tmp", "a", "9223372036854775806"}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("1", "60000", "incr", "a", "1"),
		want:  cmd("0", 1),
		after: []probe{{cmd("HGET", "{t}:tmp", "a"), "9223372036854775807"}},
	},
	{
		script: "hash_step", name: "incr past int64 is an overflow error",
		setup: [][]any{{"HSET", "{t}:tmp", "a", "9223372036854775807"}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("1", "60000", "incr", "a", "1"),
		want:  errReply("ERR increment or decrement would overflow (field a)"),
	},
	{
		script: "hash_step", name: "min takes the smaller of each given count and the hash's, where positive",
		setup: [][]any{{"HSET", "{t}:h", "a", 3}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "min", "a", "5", "b", "2"),
		want:  cmd("0", 1),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "3")}},
	},
	{
		script: "hash_step", name: "max takes the larger of each given count and the hash's",
		setup: [][]any{{"HSET", "{t}:h", "a", 3}},
		keys:  []string{"{t}:h", "{t}:tmp"},
		args:  cmd("0", "60000", "max", "a", "5", "b", "2"),
		want:  cmd("0", 2),
		after: []probe{{cmd("HGETALL", "{t}:tmp"), fields("a", "5", "b", "2")}},
	},
	{
		script: "hash_step", name: "an unknown step is an error",
		keys: []string{"{t}:h", "{t}:tmp"},
		args: cmd("0", "60000", "foo"),
		want: errReply("ERR hash_step: unknown step foo"),
	},

	// size_of: KEYS value; ARGV counting command
	{
		script: "size_of", name: "a hash's fields and its memory",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", 3}},
		keys:  []string{"{t}:h"},
		args:  cmd("HLEN"),
		want:  like(`^3 [1-9]\d*$`),
	},
	{
		script: "size_of", name: "a set's members and its memory",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s"},
		args:  cmd("SCARD"),
		want:  like(`^2 [1-9]\d*$`),
	},
	{
		script: "size_of", name: "a list's items and its memory",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("LLEN"),
		want:  like(`^4 [1-9]\d*$`),
	},
	{
		script: "size_of", name: "no value: 0 entries and no memory",
		keys: []string{"{t}:h"},
		args: cmd("HLEN"),
		want: "0",
	},
	{
		script: "size_of", name: "a value of another type: the counting command's WRONGTYPE, nothing changed",
		setup: [][]any{{"SET", "{t}:h", "x"}},
		keys:  []string{"{t}:h"},
		args:  cmd("HLEN"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("GET", "{t}:h"), "x"}, {cmd("PTTL", "{t}:h"), -1}},
	},
	{
		script: "size_of", name: "only the three counting commands run",
		setup: [][]any{{"SET", "{t}:h", "x"}},
		keys:  []string{"{t}:h"},
		args:  cmd("DEL"),
		want:  errReply("ERR size_of counts by SCARD, HLEN or LLEN, not DEL"),
		after: []probe{{cmd("GET", "{t}:h"), "x"}},
	},

	// counter_total: KEYS hash; ARGV cursor, budget, chunk
	{
		script: "counter_total", name: "the whole hash sums in one part",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", -5}},
		keys:  []string{"{t}:h"},
		args:  cmd("start", "0", "10"),
		want:  strs("0", "-2"),
	},
	{
		script: "counter_total", name: "a count too long for a double is a part of its own",
		setup: [][]any{{"HSET", "{t}:h", "a", "9223372036854775807", "b", 1}},
		keys:  []string{"{t}:h"},
		args:  cmd("start", "0", "10"),
		want:  strs("0", "9223372036854775807", "1"),
	},
	{
		script: "counter_total", name: "a sum is handed out as a part once it passes 2^52",
		setup: [][]any{{"HSET", "{t}:h", "a", "999999999999999", "b", "999999999999999", "c", "999999999999999", "d", "999999999999999", "e", "999999999999999"}},
		keys:  []string{"{t}:h"},
		args:  cmd("start", "0", "10"),
		want:  strs("0", "4999999999999995", "0"),
	},
	{
		script: "counter_total", name: "start on a hash larger than the budget examines nothing",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", 3}},
		keys:  []string{"{t}:h"},
		args:  cmd("start", "2", "10"),
		want:  strs("more"),
	},
	{
		script: "counter_total", name: "a cursor scans a stretch of the hash",
		setup: [][]any{{"HSET", "{t}:h", "a", 1, "b", 2, "c", 3}},
		keys:  []string{"{t}:h"},
		args:  cmd("0", "2", "10"),
		want:  strs("0", "6"),
	},
	{
		script: "counter_total", name: "an empty hash sums to 0",
		keys: []string{"{t}:h"},
		args: cmd("start", "0", "10"),
		want: strs("0", "0"),
	},
	{
		script: "counter_total", name: "NOTINT when a count is not an integer",
		setup: [][]any{{"HSET", "{t}:h", "a", "1.5"}},
		keys:  []string{"{t}:h"},
		args:  cmd("start", "0", "10"),
		want:  errReply("NOTINT a field of {t}:h holds 1.5"),
	},

	// counter_update: KEYS hash; ARGV chunk, pairs...
	{
		script: "counter_update", name: "adds each delta",
		setup: [][]any{{"HSET", "{t}:h", "a", 1}},
		keys:  []string{"{t}:h"},
		args:  cmd("100", "a", "2", "b", "-3"),
		want:  2,
		after: []probe{{cmd("HGETALL", "{t}:h"), fields("a", "3", "b", "-3")}},
	},
	{
		script: "counter_update", name: "a field that is not an integer undoes the fields added before it",
		setup: [][]any{{"HSET", "{t}:h", "a", "x", "c", 5}},
		keys:  []string{"{t}:h"},
		args:  cmd("100", "b", "1", "c", "1", "a", "1"),
		want:  errReply("ERR hash value is not an integer (field a)"),
		after: []probe{{cmd("HGETALL", "{t}:h"), fields("a", "x", "c", "5")}},
	},
	{
		script: "counter_update", name: "an overflow undoes the fields added before it",
		setup: [][]any{{"HSET", "{t}:h", "a", "9223372036854775807", "b", 7}},
		keys:  []string{"{t}:h"},
		args:  cmd("100", "b", "5", "a", "1"),
		want:  errReply("ERR increment or decrement would overflow (field a)"),
		after: []probe{{cmd("HGETALL", "{t}:h"), fields("a", "9223372036854775807", "b", "7")}},
	},
	{
		script: "counter_update", name: "old values are read a chunk at a time and restored",
		setup: [][]any{{"HSET", "{t}:h", "a", 10}},
		keys:  []string{"{t}:h"},
		args:  cmd("1", "a", "1", "b", "1", "c", "x"),
		want:  errReply("ERR value is not an integer or out of range (field c)"),
		after: []probe{{cmd("HGETALL", "{t}:h"), fields("a", "10")}},
	},
	{
		script: "counter_update", name: "WRONGTYPE on a key that is not a hash",
		setup: [][]any{{"SET", "{t}:h", "x"}},
		keys:  []string{"{t}:h"},
		args:  cmd("100", "a", "1"),
		want:  errReply("WRONGTYPE"),
	},

	// float_arith: KEYS float; ARGV op, operand[, new]
	{
		script: "float_arith", name: "add rounds as float64 does, not as long double",
		setup: [][]any{{"SET", "{t}:f", "0.1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("add", "0.2"),
		want:  "0.30000000000000004",
		after: []probe{{cmd("GET", "{t}:f"), "0.30000000000000004"}},
	},
	{
		script: "float_arith", name: "a missing float counts as 0.0",
		keys: []string{"{t}:f"},
		args: cmd("add", "1.5"),
		want: "1.5",
	},
	{
		script: "float_arith", name: "an integral result is written with .0, keeping the expiry",
		setup: [][]any{{"SET", "{t}:f", "3", "PX", 100000}},
		keys:  []string{"{t}:f"},
		args:  cmd("mul", "2"),
		want:  "6.0",
		after: []probe{{cmd("PTTL", "{t}:f"), between(1, 100000)}},
	},
	{
		script: "float_arith", name: "sub",
		setup: [][]any{{"SET", "{t}:f", "1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("sub", "0.9"),
		want:  "0.09999999999999998",
	},
	{
		script: "float_arith", name: "a negative zero keeps its sign",
		setup: [][]any{{"SET", "{t}:f", "0"}},
		keys:  []string{"{t}:f"},
		args:  cmd("mul", "-1"),
		want:  "-0.0",
	},
	{
		script: "float_arith", name: "1e15 is written out in full",
		keys: []string{"{t}:f"},
		args: cmd("add", "1e15"),
		want: "1000000000000000.0",
	},
	{
		script: "float_arith", name: "1e16 and over take an exponent",
		setup: [][]any{{"SET", "{t}:f", "1e15"}},
		keys:  []string{"{t}:f"},
		args:  cmd("mul", "10"),
		want:  "1e+16",
	},
	{
		script: "float_arith", name: "under 1e-4 takes an exponent",
		setup: [][]any{{"SET", "{t}:f", "1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("div", "100000"),
		want:  "1e-05",
	},
	{
		script: "float_arith", name: "1e-4 is written out",
		setup: [][]any{{"SET", "{t}:f", "1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("div", "10000"),
		want:  "0.0001",
	},
	{
		script: "float_arith", name: "a result that needs 16 digits",
		setup: [][]any{{"SET", "{t}:f", "1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("div", "3"),
		want:  "0.3333333333333333",
	},
	{
		script: "float_arith", name: "the smallest subnormal",
		keys: []string{"{t}:f"},
		args: cmd("add", "5e-324"),
		want: "5e-324",
	},
	{
		script: "float_arith", name: "DIVZERO, storing nothing",
		setup: [][]any{{"SET", "{t}:f", "1"}},
		keys:  []string{"{t}:f"},
		args:  cmd("div", "0"),
		want:  errReply("DIVZERO"),
		after: []probe{{cmd("GET", "{t}:f"), "1"}},
	},
	{
		script: "float_arith", name: "DECODE when the stored text is not a float",
		setup: [][]any{{"SET", "{t}:f", "abc"}},
		keys:  []string{"{t}:f"},
		args:  cmd("add", "1"),
		want:  errReply("DECODE"),
	},
	{
		script: "float_arith", name: "DECODE for hex, which Python's float() does not read",
		setup: [][]any{{"SET", "{t}:f", "0x10"}},
		keys:  []string{"{t}:f"},
		args:  cmd("add", "1"),
		want:  errReply("DECODE"),
	},
	{
		script: "float_arith", name: "NOTFINITE when the stored value is infinite",
		setup: [][]any{{"SET", "{t}:f", "inf"}},
		keys:  []string{"{t}:f"},
		args:  cmd("add", "1"),
		want:  errReply("NOTFINITE the stored value inf is not finite"),
	},
	{
		script: "float_arith", name: "NOTFINITE when the result overflows, storing nothing",
		setup: [][]any{{"SET", "{t}:f", "1e308"}},
		keys:  []string{"{t}:f"},
		args:  cmd("mul", "10"),
		want:  errReply("NOTFINITE 1e+308 mul 10 is not finite"),
		after: []probe{{cmd("GET", "{t}:f"), "1e308"}},
	},
	{
		script: "float_arith", name: "swap returns the old text as stored",
		setup: [][]any{{"SET", "{t}:f", "1.50"}},
		keys:  []string{"{t}:f"},
		args:  cmd("swap", "2.5"),
		want:  "1.50",
		after: []probe{{cmd("GET", "{t}:f"), "2.5"}},
	},
	{
		script: "float_arith", name: "swap of a missing float returns 0.0",
		keys: []string{"{t}:f"},
		args: cmd("swap", "2.5"),
		want: "0.0",
	},
	{
		script: "float_arith", name: "cas compares values, not texts",
		setup: [][]any{{"SET", "{t}:f", "1.0"}},
		keys:  []string{"{t}:f"},
		args:  cmd("cas", "1", "2.5"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:f"), "2.5"}},
	},
	{
		script: "float_arith", name: "cas of another value changes nothing",
		setup: [][]any{{"SET", "{t}:f", "1.5"}},
		keys:  []string{"{t}:f"},
		args:  cmd("cas", "1", "2.5"),
		want:  0,
		after: []probe{{cmd("GET", "{t}:f"), "1.5"}},
	},
	{
		script: "float_arith", name: "an unknown op is an error",
		keys: []string{"{t}:f"},
		args: cmd("pow", "2"),
		want: errReply("ERR unknown op pow"),
	},
	{
		script: "float_arith", name: "steps: each step goes on from the one before; the reply is the value before and after; one SET keeps the expiry",
		setup: [][]any{{"SET", "{t}:f", "0.1", "PX", 100000}},
		keys:  []string{"{t}:f"},
		args:  cmd("steps", "add", "0.2", "mul", "10", "sub", "1e15", "div", "4"),
		want:  []any{"0.1", "-249999999999999.25"},
		after: []probe{{cmd("GET", "{t}:f"), "-249999999999999.25"}, {cmd("PTTL", "{t}:f"), between(1, 100000)}},
	},
	{
		script: "float_arith", name: "steps: a failing step changes nothing, the next goes on from the value before it",
		setup: [][]any{{"SET", "{t}:f", "1e308"}},
		keys:  []string{"{t}:f"},
		args:  cmd("steps", "mul", "10", "div", "0", "sub", "1e308", "pow", "2", "add", "0.5"),
		want:  []any{"1e+308", "0.5"},
		after: []probe{{cmd("GET", "{t}:f"), "0.5"}},
	},
	{
		script: "float_arith", name: "steps: when every step fails nothing is written",
		keys:  []string{"{t}:f"},
		args:  cmd("steps", "div", "0"),
		want:  []any{"0.0", "0.0"},
		after: []probe{{cmd("EXISTS", "{t}:f"), int64(0)}},
	},
	{
		script: "float_arith", name: "steps: a stored text that is not a float fails them all, as one error",
		setup: [][]any{{"SET", "{t}:f", "abc"}},
		keys:  []string{"{t}:f"},
		args:  cmd("steps", "add", "1", "add", "2"),
		want:  errReply("DECODE"),
		after: []probe{{cmd("GET", "{t}:f"), "abc"}},
	},
	{
		script: "float_arith", name: "steps: a stored infinity fails them all",
		setup: [][]any{{"SET", "{t}:f", "-inf"}},
		keys:  []string{"{t}:f"},
		args:  cmd("steps", "add", "1"),
		want:  errReply("NOTFINITE the stored value -inf"),
	},

	// float_undo: KEYS float; ARGV the opposite increment
	{
		script: "float_undo", name: "takes back an increment that went beyond float64",
		setup: [][]any{{"SET", "{t}:f", "3e308"}},
		keys:  []string{"{t}:f"},
		args:  cmd("-2e308"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:f"), near(1e308)}},
	},
	{
		script: "float_undo", name: "takes back a negative one",
		setup: [][]any{{"SET", "{t}:f", "-3e308"}},
		keys:  []string{"{t}:f"},
		args:  cmd("2e308"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:f"), near(-1e308)}},
	},
	{
		script: "float_undo", name: "leaves a value in range alone",
		setup: [][]any{{"SET", "{t}:f", "1.5"}},
		keys:  []string{"{t}:f"},
		args:  cmd("-2e308"),
		want:  0,
		after: []probe{{cmd("GET", "{t}:f"), "1.5"}},
	},
	{
		script: "float_undo", name: "leaves a missing value alone",
		keys:  []string{"{t}:f"},
		args:  cmd("-2e308"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:f"), 0}},
	},
	{
		script: "float_undo", name: "takes back a hash field's increment",
		setup: [][]any{{"HSET", "{t}:h", "a", "3e308", "b", "1"}},
		keys:  []string{"{t}:h"},
		args:  cmd("-2e308", "a"),
		want:  1,
		after: []probe{{cmd("HGET", "{t}:h", "a"), near(1e308)}, {cmd("HGET", "{t}:h", "b"), "1"}},
	},
	{
		script: "float_undo", name: "leaves a hash field in range alone",
		setup: [][]any{{"HSET", "{t}:h", "a", "2.5"}},
		keys:  []string{"{t}:h"},
		args:  cmd("-2e308", "a"),
		want:  0,
		after: []probe{{cmd("HGET", "{t}:h", "a"), "2.5"}},
	},
	{
		script: "float_undo", name: "leaves a missing field alone",
		setup: [][]any{{"HSET", "{t}:h", "b", "1"}},
		keys:  []string{"{t}:h"},
		args:  cmd("-2e308", "a"),
		want:  0,
		after: []probe{{cmd("HEXISTS", "{t}:h", "a"), 0}},
	},

	// int_arith: KEYS integer; ARGV op, operand[, new]
	{
		script: "int_arith", name: "add to a missing value counts it as 0",
		keys:  []string{"{t}:i"},
		args:  cmd("add", "5"),
		want:  "5",
		after: []probe{{cmd("GET", "{t}:i"), "5"}},
	},
	{
		script: "int_arith", name: "add beyond 2^53 is exact, keeping the expiry",
		setup: [][]any{{"SET", "{t}:i", "9007199254740993", "PX", 100000}},
		keys:  []string{"{t}:i"},
		args:  cmd("add", "1"),
		want:  "9007199254740994",
		after: []probe{{cmd("PTTL", "{t}:i"), between(1, 100000)}},
	},
	{
		script: "int_arith", name: "OVERFLOW past MaxInt64, storing nothing",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("add", "1"),
		want:  errReply("OVERFLOW 9223372036854775807 add 1 overflows int64"),
		after: []probe{{cmd("GET", "{t}:i"), "9223372036854775807"}},
	},
	{
		script: "int_arith", name: "sub reaches MinInt64",
		setup: [][]any{{"SET", "{t}:i", "-9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("sub", "1"),
		want:  "-9223372036854775808",
	},
	{
		script: "int_arith", name: "sub of MinInt64 from 0 overflows",
		keys: []string{"{t}:i"},
		args: cmd("sub", "-9223372036854775808"),
		want: errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "mul beyond 2^53 is exact",
		setup: [][]any{{"SET", "{t}:i", "3037000499"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mul", "3037000499"),
		want:  "9223372030926249001",
	},
	{
		script: "int_arith", name: "mul past MaxInt64 overflows",
		setup: [][]any{{"SET", "{t}:i", "3037000500"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mul", "3037000500"),
		want:  errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "div truncates toward zero",
		setup: [][]any{{"SET", "{t}:i", "-7"}},
		keys:  []string{"{t}:i"},
		args:  cmd("div", "2"),
		want:  "-3",
	},
	{
		script: "int_arith", name: "div of int64s beyond 2^53",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("div", "-10"),
		want:  "-922337203685477580",
	},
	{
		script: "int_arith", name: "MinInt64 div -1 overflows",
		setup: [][]any{{"SET", "{t}:i", "-9223372036854775808"}},
		keys:  []string{"{t}:i"},
		args:  cmd("div", "-1"),
		want:  errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "mod has the dividend's sign",
		setup: [][]any{{"SET", "{t}:i", "-7"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mod", "2"),
		want:  "-1",
	},
	{
		script: "int_arith", name: "mod of a negative multiple is 0, not -0",
		setup: [][]any{{"SET", "{t}:i", "-4"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mod", "2"),
		want:  "0",
	},
	{
		script: "int_arith", name: "mod of MinInt64",
		setup: [][]any{{"SET", "{t}:i", "-9223372036854775808"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mod", "10"),
		want:  "-8",
	},
	{
		script: "int_arith", name: "DIVZERO, storing nothing",
		setup: [][]any{{"SET", "{t}:i", "7"}},
		keys:  []string{"{t}:i"},
		args:  cmd("mod", "0"),
		want:  errReply("DIVZERO"),
		after: []probe{{cmd("GET", "{t}:i"), "7"}},
	},
	{
		script: "int_arith", name: "DIVZERO for a large dividend",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("div", "0"),
		want:  errReply("DIVZERO"),
	},
	{
		script: "int_arith", name: "pow beyond 2^53 is exact",
		setup: [][]any{{"SET", "{t}:i", "3"}},
		keys:  []string{"{t}:i"},
		args:  cmd("pow", "39"),
		want:  "4052555153018976267",
	},
	{
		script: "int_arith", name: "pow reaches MinInt64",
		setup: [][]any{{"SET", "{t}:i", "-2"}},
		keys:  []string{"{t}:i"},
		args:  cmd("pow", "63"),
		want:  "-9223372036854775808",
	},
	{
		script: "int_arith", name: "pow past MaxInt64 overflows",
		setup: [][]any{{"SET", "{t}:i", "2"}},
		keys:  []string{"{t}:i"},
		args:  cmd("pow", "63"),
		want:  errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "pow 64 overflows",
		setup: [][]any{{"SET", "{t}:i", "2"}},
		keys:  []string{"{t}:i"},
		args:  cmd("pow", "64"),
		want:  errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "pow 65 of -1 is -1",
		setup: [][]any{{"SET", "{t}:i", "-1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("pow", "65"),
		want:  "-1",
	},
	{
		script: "int_arith", name: "0 pow 0 is 1",
		keys: []string{"{t}:i"},
		args: cmd("pow", "0"),
		want: "1",
	},
	{
		script: "int_arith", name: "shl beyond 2^53 is exact",
		setup: [][]any{{"SET", "{t}:i", "1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shl", "62"),
		want:  "4611686018427387904",
	},
	{
		script: "int_arith", name: "shl of -1 by 63 is MinInt64",
		setup: [][]any{{"SET", "{t}:i", "-1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shl", "63"),
		want:  "-9223372036854775808",
	},
	{
		script: "int_arith", name: "shl that shifts out bits overflows",
		setup: [][]any{{"SET", "{t}:i", "3"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shl", "62"),
		want:  errReply("OVERFLOW"),
	},
	{
		script: "int_arith", name: "shl of 0 by 64 is 0",
		setup: [][]any{{"SET", "{t}:i", "0"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shl", "64"),
		want:  "0",
	},
	{
		script: "int_arith", name: "shr rounds down",
		setup: [][]any{{"SET", "{t}:i", "-7"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shr", "1"),
		want:  "-4",
	},
	{
		script: "int_arith", name: "shr of MinInt64 by 63 is -1",
		setup: [][]any{{"SET", "{t}:i", "-9223372036854775808"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shr", "63"),
		want:  "-1",
	},
	{
		script: "int_arith", name: "shr of MaxInt64",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shr", "1"),
		want:  "4611686018427387903",
	},
	{
		script: "int_arith", name: "shr of -1 by 64 is -1",
		setup: [][]any{{"SET", "{t}:i", "-1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("shr", "64"),
		want:  "-1",
	},
	{
		script: "int_arith", name: "and",
		setup: [][]any{{"SET", "{t}:i", "12"}},
		keys:  []string{"{t}:i"},
		args:  cmd("and", "10"),
		want:  "8",
	},
	{
		script: "int_arith", name: "or",
		setup: [][]any{{"SET", "{t}:i", "12"}},
		keys:  []string{"{t}:i"},
		args:  cmd("or", "3"),
		want:  "15",
	},
	{
		script: "int_arith", name: "xor",
		setup: [][]any{{"SET", "{t}:i", "12"}},
		keys:  []string{"{t}:i"},
		args:  cmd("xor", "10"),
		want:  "6",
	},
	{
		script: "int_arith", name: "andnot",
		setup: [][]any{{"SET", "{t}:i", "12"}},
		keys:  []string{"{t}:i"},
		args:  cmd("andnot", "4"),
		want:  "8",
	},
	{
		script: "int_arith", name: "and of negatives works on two's complement",
		setup: [][]any{{"SET", "{t}:i", "-1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("and", "255"),
		want:  "255",
	},
	{
		script: "int_arith", name: "xor of MaxInt64 and -1 is MinInt64",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775807"}},
		keys:  []string{"{t}:i"},
		args:  cmd("xor", "-1"),
		want:  "-9223372036854775808",
	},
	{
		script: "int_arith", name: "andnot of negatives",
		setup: [][]any{{"SET", "{t}:i", "-1"}},
		keys:  []string{"{t}:i"},
		args:  cmd("andnot", "1"),
		want:  "-2",
	},
	{
		script: "int_arith", name: "DECODE when the stored text is not an integer",
		setup: [][]any{{"SET", "{t}:i", "1.5"}},
		keys:  []string{"{t}:i"},
		args:  cmd("add", "1"),
		want:  errReply("DECODE"),
		after: []probe{{cmd("GET", "{t}:i"), "1.5"}},
	},
	{
		script: "int_arith", name: "a leading zero reads as Python's float() reads it",
		setup: [][]any{{"SET", "{t}:i", "01"}},
		keys:  []string{"{t}:i"},
		args:  cmd("add", "1"),
		want:  "2",
		after: []probe{{cmd("GET", "{t}:i"), "2"}},
	},
	{
		script: "int_arith", name: "-0 reads as 0",
		setup: [][]any{{"SET", "{t}:i", "-0"}},
		keys:  []string{"{t}:i"},
		args:  cmd("add", "1"),
		want:  "1",
	},
	{
		script: "int_arith", name: "DECODE past MaxInt64",
		setup: [][]any{{"SET", "{t}:i", "9223372036854775808"}},
		keys:  []string{"{t}:i"},
		args:  cmd("sub", "1"),
		want:  errReply("DECODE"),
	},
	{
		script: "int_arith", name: "an operand that is not an int64 is an error",
		keys: []string{"{t}:i"},
		args: cmd("add", "x"),
		want: errReply("ERR operand is not an int64"),
	},
	{
		script: "int_arith", name: "swap returns the old value",
		setup: [][]any{{"SET", "{t}:i", "5"}},
		keys:  []string{"{t}:i"},
		args:  cmd("swap", "7"),
		want:  "5",
		after: []probe{{cmd("GET", "{t}:i"), "7"}},
	},
	{
		script: "int_arith", name: "swap of a missing value returns 0",
		keys: []string{"{t}:i"},
		args: cmd("swap", "7"),
		want: "0",
	},
	{
		script: "int_arith", name: "swap of a value that is not an integer is DECODE",
		setup: [][]any{{"SET", "{t}:i", "abc"}},
		keys:  []string{"{t}:i"},
		args:  cmd("swap", "7"),
		want:  errReply("DECODE"),
	},
	{
		script: "int_arith", name: "cas sets the new value when the old one matches",
		setup: [][]any{{"SET", "{t}:i", "5"}},
		keys:  []string{"{t}:i"},
		args:  cmd("cas", "5", "9"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:i"), "9"}},
	},
	{
		script: "int_arith", name: "cas of another value changes nothing",
		setup: [][]any{{"SET", "{t}:i", "5"}},
		keys:  []string{"{t}:i"},
		args:  cmd("cas", "4", "9"),
		want:  0,
		after: []probe{{cmd("GET", "{t}:i"), "5"}},
	},
	{
		script: "int_arith", name: "cas of a missing value compares with 0",
		keys:  []string{"{t}:i"},
		args:  cmd("cas", "0", "3"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:i"), "3"}},
	},
	{
		script: "int_arith", name: "steps: each goes on from the one before, beyond 2^53; the reply is the value before and after",
		setup: [][]any{{"SET", "{t}:i", "5.0", "PX", 100000}},
		keys:  []string{"{t}:i"},
		args:  cmd("steps", "mul", "1000000000000000000", "sub", "1", "xor", "1234567890123", "shr", "3", "mul", "-1", "pow", "1", "mod", "1000000007"),
		want:  []any{"5", "-648179494"},
		after: []probe{{cmd("GET", "{t}:i"), "-648179494"}, {cmd("PTTL", "{t}:i"), between(1, 100000)}},
	},
	{
		script: "int_arith", name: "steps: a failing step changes nothing; a zero never keeps a sign",
		setup: [][]any{{"SET", "{t}:i", "-3"}},
		keys:  []string{"{t}:i"},
		args:  cmd("steps", "pow", "64", "div", "0", "mul", "0", "shr", "1", "sub", "-9223372036854775808", "add", "-1", "sub", "-9223372036854775808"),
		want:  []any{"-3", "9223372036854775807"},
		after: []probe{{cmd("GET", "{t}:i"), "9223372036854775807"}},
	},
	{
		script: "int_arith", name: "steps: when every step fails nothing is written",
		keys:  []string{"{t}:i"},
		args:  cmd("steps", "div", "0"),
		want:  []any{"0", "0"},
		after: []probe{{cmd("EXISTS", "{t}:i"), int64(0)}},
	},
	{
		script: "int_arith", name: "steps: a stored text that is not an integer fails them all",
		setup: [][]any{{"SET", "{t}:i", "2.5"}},
		keys:  []string{"{t}:i"},
		args:  cmd("steps", "add", "1"),
		want:  errReply("DECODE"),
	},

	// list_insert: KEYS list; ARGV index, value, marker[, walk bound]
	{
		script: "list_insert", name: "BIG, changing nothing, for an index further from the head than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "x", "\x00m", "2"),
		want:  errReply("BIG 3 elements to walk"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c", "d")}},
	},
	{
		script: "list_insert", name: "inserts at the bound, and past the end whatever the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("2", "x", "\x00m", "2"),
		want:  5,
		after: []probe{
			{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "x", "c", "d")},
			{eval("list_insert", []string{"{t}:l"}, "9", "y", "\x00m", "2"), 6},
		},
	},
	{
		script: "list_insert", name: "inserts before the index",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "x", "\x00m"),
		want:  4,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "x", "b", "c")}},
	},
	{
		script: "list_insert", name: "a negative index counts from the end",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-1", "x", "\x00m"),
		want:  4,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "x", "c")}},
	},
	{
		script: "list_insert", name: "index 0 inserts at the head",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "x", "\x00m"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("x", "a", "b")}},
	},
	{
		script: "list_insert", name: "an index past the end appends",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("10", "x", "\x00m"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "x")}},
	},
	{
		script: "list_insert", name: "an index before the start inserts at the head",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-10", "x", "\x00m"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("x", "a", "b")}},
	},
	{
		script: "list_insert", name: "inserting into a missing list creates it",
		keys:  []string{"{t}:l"},
		args:  cmd("3", "x", "\x00m"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("x")}},
	},

	// list_pop_at: KEYS list; ARGV index, marker[, walk bound]
	{
		script: "list_pop_at", name: "BIG, changing nothing, for an index further than the bound from either end",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e", "f"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-4", "\x00m", "1"),
		want:  errReply("BIG 2 elements to walk"),
		after: []probe{{cmd("LLEN", "{t}:l"), 6}},
	},
	{
		script: "list_pop_at", name: "pops within the bound from the nearer end",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e", "f"}},
		keys:  []string{"{t}:l"},
		args:  cmd("4", "\x00m", "1"),
		want:  "e",
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c", "d", "f")}},
	},
	// list_remove: KEYS list; ARGV value, walk bound
	{
		script: "list_remove", name: "removes the first equal element within half the bound of a longer list",
		setup: [][]any{{"RPUSH", "{t}:l", "x", "a", "b", "a", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("a", "4"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("x", "b", "a", "c")}},
	},
	{
		script: "list_remove", name: "BIG, changing nothing, when no match lies within half the bound of a longer list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("c", "4"),
		want:  errReply("BIG no match within 2 elements"),
		after: []probe{{cmd("LLEN", "{t}:l"), 5}},
	},
	{
		script: "list_remove", name: "a list within the bound: LREM alone, anywhere in it",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("d", "4"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c")}},
	},
	{
		script: "list_remove", name: "0 when no element equals the value in a list within the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("z", "2"),
		want:  0,
	},
	{
		script: "list_remove", name: "without a bound, LREM alone",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("c", "0"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b")}},
	},
	{
		script: "list_remove", name: "a key of another type is refused",
		setup: [][]any{{"SET", "{t}:l", "x"}},
		keys:  []string{"{t}:l"},
		args:  cmd("c", "2"),
		want:  errReply("WRONGTYPE"),
	},
	{
		script: "list_pop_at", name: "removes and returns the element at the index",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "\x00m"),
		want:  "b",
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "c", "d")}},
	},
	{
		script: "list_pop_at", name: "an index in the back half",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}},
		keys:  []string{"{t}:l"},
		args:  cmd("2", "\x00m"),
		want:  "c",
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "d")}},
	},
	{
		script: "list_pop_at", name: "the head",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "\x00m"),
		want:  "a",
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("b")}},
	},
	{
		script: "list_pop_at", name: "-1 is the tail",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-1", "\x00m"),
		want:  "b",
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a")}},
	},
	{
		script: "list_pop_at", name: "RANGE past the end",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("2", "\x00m"),
		want:  errReply("RANGE"),
		after: []probe{{cmd("LLEN", "{t}:l"), 2}},
	},
	{
		script: "list_pop_at", name: "RANGE before the start",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-3", "\x00m"),
		want:  errReply("RANGE"),
	},
	{
		script: "list_pop_at", name: "RANGE on an empty list",
		keys: []string{"{t}:l"},
		args: cmd("0", "\x00m"),
		want: errReply("RANGE"),
	},

	// list_repeat: KEYS list; ARGV n, chunk, bound, max length, bytes
	{
		script: "list_repeat", name: "repeats the elements n times, a chunk at a time",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "2", "6", "4294967295", "0"),
		want:  9,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c", "a", "b", "c", "a", "b", "c")}},
	},
	{
		script: "list_repeat", name: "an empty list repeats at once, however many times (no loop over them)",
		keys:  []string{"{t}:l"},
		args:  cmd("1000000000000", "2", "6", "4294967295", "0"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:l"), 0}},
	},
	{
		script: "list_repeat", name: "once leaves the list as it is",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "100", "0", "4294967295", "0"),
		want:  2,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b")}},
	},
	{
		script: "list_repeat", name: "zero times empties the list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "100", "0", "4294967295", "0"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:l"), 0}},
	},
	{
		script: "list_repeat", name: "an empty list stays empty",
		keys: []string{"{t}:l"},
		args: cmd("3", "100", "0", "4294967295", "0"),
		want: 0,
	},
	{
		script: "list_repeat", name: "BIG, changing nothing, when it would write more than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "2", "5", "4294967295", "0"),
		want:  errReply("BIG 6 elements to write"),
		after: []probe{{cmd("LLEN", "{t}:l"), 3}},
	},
	{
		script: "list_repeat", name: "BIG, changing nothing, when it would write more bytes than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "aa", "bb", "cc"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "2", "0", "4294967295", "11"),
		want:  errReply("BIG over 11 bytes"),
		after: []probe{{cmd("LLEN", "{t}:l"), 3}},
	},
	{
		script: "list_repeat", name: "writes as many bytes as the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "aa", "bb", "cc"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "2", "0", "4294967295", "12"),
		want:  9,
	},
	{
		script: "list_repeat", name: "TOOBIG, changing nothing, past the longest list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "2", "0", "8", "0"),
		want:  errReply("TOOBIG"),
		after: []probe{{cmd("LLEN", "{t}:l"), 3}},
	},
	{
		script: "list_repeat", name: "a key of another type is refused, also zero times",
		setup: [][]any{{"HSET", "{t}:l", "f", "v"}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "2", "0", "4294967295", "0"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("TYPE", "{t}:l"), "hash"}},
	},

	// list_reverse: KEYS list, scratch; ARGV chunk, bound, bytes
	{
		script: "list_reverse", name: "reverses a chunk at a time, keeping the expiry",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}, {"PEXPIRE", "{t}:l", 100000}},
		keys:  []string{"{t}:l", "{t}:tmp"},
		args:  cmd("2", "5", "0"),
		want:  5,
		after: []probe{
			{cmd("LRANGE", "{t}:l", 0, -1), strs("e", "d", "c", "b", "a")},
			{cmd("PTTL", "{t}:l"), between(1, 100000)},
			{cmd("EXISTS", "{t}:tmp"), 0},
		},
	},
	{
		script: "list_reverse", name: "a list of one is left alone",
		setup: [][]any{{"RPUSH", "{t}:l", "a"}},
		keys:  []string{"{t}:l", "{t}:tmp"},
		args:  cmd("2", "0", "0"),
		want:  1,
	},
	{
		script: "list_reverse", name: "BIG, changing nothing, for a list longer than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l", "{t}:tmp"},
		args:  cmd("2", "2", "0"),
		want:  errReply("BIG 3 elements"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c")}},
	},
	{
		script: "list_reverse", name: "BIG, changing nothing, for a list of more bytes than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "bbbbbb", "c"}},
		keys:  []string{"{t}:l", "{t}:tmp"},
		args:  cmd("2", "0", "7"),
		want:  errReply("BIG over 7 bytes"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "bbbbbb", "c")}},
	},
	{
		script: "list_reverse", name: "reverses a list of as many bytes as the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "bbbbbb", "c"}},
		keys:  []string{"{t}:l", "{t}:tmp"},
		args:  cmd("2", "0", "8"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("c", "bbbbbb", "a")}},
	},

	// list_step: KEYS list, scratch; ARGV size, ttl, step, args
	{
		script: "list_step", name: "copy appends a range of the list to the scratch list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}, {"RPUSH", "{t}:s", "x"}},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("1", "60000", "copy", "1", "2", "100"),
		want:  []any{int64(3), int64(3)},
		after: []probe{
			{cmd("LRANGE", "{t}:s", 0, -1), strs("x", "b", "c")},
			{cmd("PTTL", "{t}:s"), between(1, 60000)},
		},
	},
	{
		script: "list_step", name: "rcopy puts a range at the head of the scratch list, reversed",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d"}, {"RPUSH", "{t}:s", "x"}},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("1", "60000", "rcopy", "0", "2", "100"),
		want:  []any{int64(3), int64(4)},
		after: []probe{{cmd("LRANGE", "{t}:s", 0, -1), strs("c", "b", "a", "x")}},
	},
	{
		script: "list_step", name: "copy ends a step past the list's end",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("0", "60000", "copy", "1", "5", "100"),
		want:  []any{int64(6), int64(1)},
		after: []probe{{cmd("LRANGE", "{t}:s", 0, -1), strs("b")}},
	},
	{
		// (m1..m9: 2 bytes each, m10..m99: 3, m100..: 4; pieces of 16 at
		// first, then twice the last at most, and 400 / 4 / the widest
		// element seen: 16, 32, 33, 33, 25 (m139), 141 + 264 bytes.)
		script: "list_step", name: "copy stops after the piece that reaches the bytes",
		setup: [][]any{many("RPUSH", "{t}:l", 250, 1)},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("0", "60000", "copy", "0", "249", "400"),
		want:  []any{int64(139), int64(139)},
	},
	{
		// (One byte, then 1,000-byte elements: the first piece is 16, not
		// 4000 / 4 / 1 = 1,000 elements, and it makes the bytes.)
		script: "list_step", name: "copy sizes its pieces by the widest element seen, not the first alone",
		setup: [][]any{{"RPUSH", "{t}:l", "a"}, {"EVAL", "for i = 1, 50 do redis.call('RPUSH', KEYS[1], string.rep('x', 1000)) end", 1, "{t}:l"}},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("0", "60000", "copy", "0", "50", "4000"),
		want:  []any{int64(16), int64(16)},
	},
	{
		script: "list_step", name: "rcopy of elements longer than the bound copies one a step",
		setup: [][]any{many("RPUSH", "{t}:l", 250, 1)},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("0", "60000", "rcopy", "10", "249", "1"),
		want:  []any{int64(11), int64(1)},
	},
	{
		script: "list_step", name: "copy without a bound copies the whole stretch",
		setup: [][]any{many("RPUSH", "{t}:l", 2500, 1)},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("0", "60000", "copy", "0", "2499", "0"),
		want:  []any{int64(2500), int64(2500)},
	},
	{
		script: "list_step", name: "STALE when the scratch list is not the length the last step left",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}, {"RPUSH", "{t}:s", "x"}},
		keys:  []string{"{t}:l", "{t}:s"},
		args:  cmd("2", "60000", "copy", "0", "1"),
		want:  errReply("STALE"),
		after: []probe{{cmd("LLEN", "{t}:s"), 1}},
	},
	{
		script: "list_step", name: "an unknown step is an error",
		keys: []string{"{t}:l", "{t}:s"},
		args: cmd("0", "60000", "shuffle"),
		want: errReply("ERR unknown list step"),
	},

	// list_set_slice: KEYS list; ARGV start, stop, chunk, bound, bytes, values...
	{
		script: "list_set_slice", name: "replaces a slice near the head",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "3", "2", "0", "0", "x", "y", "z"),
		want:  6,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "x", "y", "z", "d", "e")}},
	},
	{
		script: "list_set_slice", name: "replaces a slice near the tail",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "4", "2", "0", "0", "x", "y", "z"),
		want:  7,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c", "x", "y", "z", "e")}},
	},
	{
		script: "list_set_slice", name: "negative and out-of-range bounds clamp",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("-2", "100", "10", "0", "0", "x"),
		want:  2,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "x")}},
	},
	{
		script: "list_set_slice", name: "a stop before the start inserts",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("2", "1", "10", "0", "0", "x"),
		want:  4,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "x", "c")}},
	},
	{
		script: "list_set_slice", name: "deleting every element removes the list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "3", "10", "0", "0"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:l"), 0}},
	},
	{
		script: "list_set_slice", name: "replacing the whole list keeps its expiry",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}, {"PEXPIRE", "{t}:l", 100000}},
		keys:  []string{"{t}:l"},
		args:  cmd("0", "2", "10", "0", "0", "x", "y", "z"),
		want:  3,
		after: []probe{
			{cmd("LRANGE", "{t}:l", 0, -1), strs("x", "y", "z")},
			{cmd("PTTL", "{t}:l"), between(1, 100000)},
		},
	},
	{
		script: "list_set_slice", name: "values into a missing list",
		keys:  []string{"{t}:l"},
		args:  cmd("0", "0", "10", "0", "0", "x", "y"),
		want:  2,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("x", "y")}},
	},
	{
		script: "list_set_slice", name: "BIG, changing nothing, when the work is over the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "4", "10", "4", "0", "x", "y"),
		want:  errReply("BIG 6 elements to move"),
		after: []probe{{cmd("LLEN", "{t}:l"), 5}},
	},
	{
		script: "list_set_slice", name: "BIG, changing nothing, when the shorter side and the values are over the bytes",
		setup: [][]any{{"RPUSH", "{t}:l", "aaaa", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("1", "2", "10", "0", "6", "xyz"), // (the head: 4 bytes, the values 3)
		want:  errReply("BIG over 6 bytes"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("aaaa", "b", "c", "d", "e")}},
	},
	{
		script: "list_set_slice", name: "moves as many bytes as the bound, by the tail",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "dd", "ee"}},
		keys:  []string{"{t}:l"},
		args:  cmd("3", "3", "10", "0", "6", "xy"), // (the tail: 4 bytes, the values 2)
		want:  6,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("a", "b", "c", "xy", "dd", "ee")}},
	},

	// list_scan: KEYS list; ARGV step, args
	{
		script: "list_scan", name: "count within the first stretch, with the length",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "a", "c", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("count", "a", "0", "3"),
		want:  []any{int64(2), int64(5), int64(4)},
	},
	{
		script: "list_scan", name: "count within a later stretch",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "bb", "a", "ccc", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("count", "a", "1", "4"),
		want:  []any{int64(2), int64(5), int64(7)},
	},
	{
		script: "list_scan", name: "head: LPOS over the first m elements",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "a", "c", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("head", "a", "4", "10", "0"),
		want:  []any{int64(2), int64(4), int64(0), int64(5)},
	},
	{
		script: "list_scan", name: "head: c matches end the stretch after the last of them",
		setup: [][]any{{"RPUSH", "{t}:l", "b", "a", "a", "a", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("head", "a", "5", "2", "0"),
		want:  []any{int64(2), int64(3), int64(1), int64(5)},
	},
	{
		script: "list_scan", name: "head: whole searches nothing in a longer list",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("head", "a", "2", "10", "1"),
		want:  []any{int64(0), int64(0), int64(-1), int64(3)},
	},
	{
		script: "list_scan", name: "head: no match",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("head", "z", "10", "10", "1"),
		want:  []any{int64(0), int64(2), int64(-1), int64(2)},
	},
	{
		script: "list_scan", name: "tail: LPOS over the last m elements, lowest match",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "a", "c", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("tail", "a", "3", "10"),
		want:  []any{int64(2), int64(2), int64(2), int64(5)},
	},
	{
		script: "list_scan", name: "tail: c matches start the stretch at the last of them",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "a", "a", "b", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("tail", "a", "5", "2"),
		want:  []any{int64(2), int64(2), int64(2), int64(5)},
	},
	{
		script: "list_scan", name: "tail over nothing",
		setup: [][]any{{"RPUSH", "{t}:l", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("tail", "a", "0", "10"),
		want:  []any{int64(0), int64(1), int64(-1), int64(1)},
	},
	{
		script: "list_scan", name: "index within the first stretch, or -1",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "bb", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("index", "c", "0", "1"),
		want:  []any{int64(-1), int64(3), int64(3)},
	},
	{
		script: "list_scan", name: "index within a later stretch",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("index", "b", "2", "3"),
		want:  []any{int64(3), int64(4), int64(0)},
	},
	{
		script: "list_scan", name: "slice resolves Python bounds and reads up to max elements",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b", "c", "d", "e"}},
		keys:  []string{"{t}:l"},
		args:  cmd("slice", "-4", "100", "2"),
		want:  []any{int64(1), int64(5), int64(5), "b", "c"},
	},
	{
		script: "list_scan", name: "an empty slice",
		setup: [][]any{{"RPUSH", "{t}:l", "a", "b"}},
		keys:  []string{"{t}:l"},
		args:  cmd("slice", "1", "-5", "10"),
		want:  []any{int64(1), int64(1), int64(2)},
	},

	// list_sort: KEYS list; ARGV "ALPHA" or "", "DESC" or "", bound, bytes
	{
		script: "list_sort", name: "sorts numerically, keeping the expiry",
		setup: [][]any{{"RPUSH", "{t}:l", "10", "9", "-1.5"}, {"PEXPIRE", "{t}:l", 100000}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "0", "0"),
		want:  3,
		after: []probe{
			{cmd("LRANGE", "{t}:l", 0, -1), strs("-1.5", "9", "10")},
			{cmd("PTTL", "{t}:l"), between(1, 100000)},
		},
	},
	{
		script: "list_sort", name: "sorts by bytes, descending",
		setup: [][]any{{"RPUSH", "{t}:l", "b", "a", "c"}},
		keys:  []string{"{t}:l"},
		args:  cmd("ALPHA", "DESC", "0", "0"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("c", "b", "a")}},
	},
	{
		script: "list_sort", name: "a numeric sort of words is an error",
		setup: [][]any{{"RPUSH", "{t}:l", "b", "a"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "0", "0"),
		want:  errReply("ERR One or more scores can't be converted into double"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("b", "a")}},
	},
	{
		script: "list_sort", name: "a set is refused, not stored over as a list, also without a bound",
		setup: [][]any{{"SADD", "{t}:l", "3", "1", "2"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "0", "0"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("TYPE", "{t}:l"), "set"}},
	},
	{
		script: "list_sort", name: "an empty list",
		keys: []string{"{t}:l"},
		args: cmd("", "", "0", "0"),
		want: 0,
	},
	{
		script: "list_sort", name: "BIG, changing nothing, for a list longer than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "3", "1", "2"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "2", "0"),
		want:  errReply("BIG"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("3", "1", "2")}},
	},
	{
		script: "list_sort", name: "BIG, changing nothing, for a list of more bytes than the bound",
		setup: [][]any{{"RPUSH", "{t}:l", "30", "1", "2"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "0", "3"),
		want:  errReply("BIG the list holds over 3 bytes"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("30", "1", "2")}},
	},
	{
		script: "list_sort", name: "BIG, changing nothing, for a numeric sort of an integer past 2^53 (SORT's doubles tie it)",
		setup: [][]any{{"RPUSH", "{t}:l", "10000000000000000", "9999999999999999", "1"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "100", "0"),
		want:  errReply("BIG an integer past 2^53"),
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("10000000000000000", "9999999999999999", "1")}},
	},
	{
		script: "list_sort", name: "without a bound (a transaction) such a list is SORT's order",
		setup: [][]any{{"RPUSH", "{t}:l", "-9007199254740992", "-9007199254740993"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "0", "0"),
		want:  2,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("-9007199254740992", "-9007199254740993")}},
	},
	{
		script: "list_sort", name: "a long float's text is not an integer's",
		setup: [][]any{{"RPUSH", "{t}:l", "1.0000000000000002", "-12345678901234.5", "1"}},
		keys:  []string{"{t}:l"},
		args:  cmd("", "", "100", "0"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:l", 0, -1), strs("-12345678901234.5", "1", "1.0000000000000002")}},
	},

	// lock_acquire: KEYS lk; ARGV common, owner, lease, reentrant, attempt, wait
	{
		script: "lock_acquire", name: "a free lock is taken with a token from the server's clock",
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "0"),
		want: cmd(1, token, 1),
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "count", "wid"), strs("o1", "1", "w1")},
			{cmd("PTTL", "{t}"), between(1, 10000)},
			{cmd("GET", "{t}:fence"), token},
			{cmd("PTTL", "{t}:fence"), between(3540000, 3600000)},
		},
	},
	{
		script: "lock_acquire", name: "a hash without an owner (a Map's) is WRONGTYPE, and left as it is",
		setup: [][]any{{"HSET", "{t}", "a", "1"}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("HGETALL", "{t}"), fields("a", "1")}, {cmd("PTTL", "{t}"), int64(-1)}},
	},
	{
		script: "lock_acquire_quick", name: "a hash without an owner goes to lock_acquire, changing nothing",
		setup: [][]any{{"HSET", "{t}", "a", "1"}},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(-1),
		after: []probe{{cmd("HGETALL", "{t}"), fields("a", "1")}},
	},
	{
		script: "lock_acquire", name: "a token follows the fencing counter when it is ahead of the clock",
		setup: [][]any{{"SET", "{t}:fence", "9000000000000000"}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(1, 9000000000000001, 1),
		after: []probe{{cmd("HGET", "{t}", "fence"), "9000000000000001"}},
	},
	{
		script: "lock_acquire", name: "an attempt on a lock held by another gets the time it has left",
		setup: [][]any{heldBy("o2", "w2"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(0, between(1, 10000)),
		after: []probe{
			{cmd("HGET", "{t}", "owner"), "o2"},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "lock_acquire", name: "an attempt on a lock held without expiry gets -1",
		setup: [][]any{heldBy("o2", "w2")},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(0, -1),
		after: []probe{{cmd("HEXISTS", "{t}", "q"), 0}}, // (it does not wait)
	},
	{
		script: "lock_acquire", name: "a wait for a lock held by another joins the line",
		setup: [][]any{heldBy("o2", "w2"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "1"),
		want:  cmd(0, between(1, 10000), 1, "0-0", nowMs, newTicket),
		after: []probe{
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w1")},
			{cmd("HGET", "{t}:waiting", "w1"), like(`^\d{13} 10000 o1$`)},
			{cmd("HGET", "{t}:waiting", "#seq"), newTicket},
			{cmd("PTTL", "{t}:waiters"), between(1, 1500)},
			{cmd("PTTL", "{t}:waiting"), between(1, 1500)},
			{cmd("HGET", "{t}", "q"), "1"}, // (lock_release_quick leaves the release to lock_release)
			{cmd("PTTL", "{t}"), between(1, 10000)},
		},
	},
	{
		script: "lock_acquire", name: "a wait for a held lock already marked leaves the mark as it is",
		setup: [][]any{heldBy("o2", "w2"), {"HSET", "{t}", "q", "x"}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "1"),
		want:  cmd(0, -1, 1, "0-0", nowMs, newTicket),
		after: []probe{{cmd("HGET", "{t}", "q"), "x"}},
	},
	{
		script: "lock_acquire", name: "a wait reads the stream of its ticket mod 16 from its last entry",
		setup: [][]any{heldBy("o2", "w2"), {"HSET", "{t}:waiting", "#seq", 16}, {"XADD", "{t}:grants:1", "1-1", "w", "old"}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "1"),
		want:  cmd(0, -1, 1, "1-1", nowMs, 17),
		after: []probe{{cmd("ZSCORE", "{t}:waiters", "w1"), float64(17)}},
	},
	{
		script: "lock_acquire", name: "a wait already in line keeps its ticket and renews its registration",
		setup: [][]any{
			heldBy("o2", "w2"),
			{"ZADD", "{t}:waiters", 3, "w1"},
			{"HSET", "{t}:waiting", "#seq", 5, "w1", "1 10000 o1"},
		},
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "1"),
		want: cmd(0, -1, 3, "0-0", nowMs, 3),
		after: []probe{
			{cmd("ZSCORE", "{t}:waiters", "w1"), float64(3)},
			{cmd("HGET", "{t}:waiting", "w1"), like(`^\d{13} 10000 o1$`)},
			{cmd("HGET", "{t}:waiting", "#seq"), "5"},
		},
	},
	{
		script: "lock_acquire", name: "an RLock's owner re-enters, renewing the lease and leaving the line",
		setup: [][]any{
			heldBy("o1", "w0"), {"PEXPIRE", "{t}", 100},
			{"ZADD", "{t}:waiters", 1, "w1"}, {"HSET", "{t}:waiting", "#seq", 1, "w1", later + " 10000 o1"},
		},
		keys: lk,
		args: lockArgs("o1", "10000", "1", "w1", "1"),
		want: cmd(1, 5, 2),
		after: []probe{
			{cmd("HGET", "{t}", "count"), "2"},
			{cmd("PTTL", "{t}"), between(5000, 10000)},
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w1"), 0},
		},
	},
	{
		script: "lock_acquire", name: "a second run of an RLock's re-entry counts once",
		setup: [][]any{heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...)},
		keys:  lk,
		args:  lockArgs("o1", "10000", "1", "w1", "0"),
		want:  cmd(1, 5, 2),
		after: []probe{{cmd("HMGET", "{t}", "count", "r"), strs("2", "w1")}},
	},
	{
		script: "lock_acquire", name: "a second run of an RLock's re-entry counts once after the handle re-entered again",
		setup: [][]any{
			heldBy("o1", "w0"),
			eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w2", "0")...),
		},
		keys:  lk,
		args:  lockArgs("o1", "10000", "1", "w1", "0"),
		want:  cmd(1, 5, 3),
		after: []probe{{cmd("HMGET", "{t}", "count", "r"), strs("3", "w2,w1")}},
	},
	{
		script: "lock_acquire", name: "an RLock keeps its latest 8 re-entries",
		setup: reentries("o1", 9),
		keys:  lk,
		args:  lockArgs("o1", "10000", "1", "w1", "0"), // (w1 is forgotten: it counts again)
		want:  cmd(1, 5, 11),
		after: []probe{{cmd("HMGET", "{t}", "count", "r"), strs("11", "w1,w9,w8,w7,w6,w5,w4,w3")}},
	},
	{
		script: "lock_acquire", name: "a Lock's owner does not re-enter",
		setup: [][]any{heldBy("o1", "w0")},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(0, -1),
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}},
	},
	{
		script: "lock_acquire", name: "a grant the waiter missed is confirmed with the full lease",
		setup: [][]any{heldBy("o1", "w1"), {"PEXPIRE", "{t}", 100}},
		keys:  lk,
		args:  lockArgs("o1", "10000", "0", "w1", "1"),
		want:  cmd(1, 5, 1),
		after: []probe{{cmd("PTTL", "{t}"), between(5000, 10000)}},
	},
	{
		script: "lock_acquire", name: "a free lock goes to the live waiter ahead, announced on its stream, not to the attempt",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 1, "w2"},
			{"HSET", "{t}:waiting", "#seq", 1, "w2", later + " 10000 o2"},
		},
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "0"),
		want: cmd(0, between(9000, 10000)),
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "wid"), strs("o2", "w2")},
			{cmd("XRANGE", "{t}:grants:1", "-", "+"), grantEntry("w2", false)},
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w2"), 0},
		},
	},
	{
		script: "lock_acquire", name: "a wait coming back with its ticket, dropped from the line while away, takes the free lock before the newcomer behind it",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 2, "w2"},
			{"HSET", "{t}:waiting", "#seq", 2, "w2", later + " 10000 o2"},
		},
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "1", "1"),
		want: cmd(1, token, 1),
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "wid"), strs("o1", "w1")},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w2")},
		},
	},
	{
		script: "sem_acquire", name: "a wait coming back with its ticket, dropped from the line while away, takes the free permits before the newcomer behind it",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 2, "w2"},
			{"HSET", "{t}:waiting", "#seq", 2, "w2", later + " 10000 h2 3"},
		},
		keys: lk,
		args: semArgs("h1", "3", "10000", "w1", "1", "1"),
		want: cmd(1, token, token),
		after: []probe{
			{cmd("HGET", "{t}:state", "h1"), "3"},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w2")},
		},
	},
	{
		script: "lock_acquire", name: "the waiter first in line takes the free lock itself, unannounced",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 1, "w1"},
			{"HSET", "{t}:waiting", "#seq", 1, "w1", later + " 10000 o1"},
		},
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "1"),
		want: cmd(1, token, 1),
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "wid"), strs("o1", "w1")},
			{cmd("EXISTS", "{t}:grants:1"), 0},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "lock_acquire", name: "dead waiters are dropped and the free lock taken",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 1, "w2", 2, "w3"},
			{"HSET", "{t}:waiting", "#seq", 2, "w2", "1 10000 o2"}, // expired; w3 has no registration
		},
		keys: lk,
		args: lockArgs("o1", "10000", "0", "w1", "0"),
		want: cmd(1, token, 1),
		after: []probe{
			{cmd("HGET", "{t}", "owner"), "o1"},
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w2"), 0},
		},
	},

	// lock_cancel: KEYS lk; ARGV common, owner, attempt
	{
		script: "lock_cancel", name: "a waiter that gives up leaves the line",
		setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
		keys:  lk,
		args:  lockArgs("o2", "w2"),
		want:  0,
		after: []probe{
			{cmd("HGET", "{t}", "owner"), "o1"},
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w2"), 0},
		},
	},
	{
		script: "lock_cancel", name: "an attempt the lock went to gives it back",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk,
		args:  lockArgs("o1", "w1"),
		want:  1,
		after: []probe{{cmd("EXISTS", "{t}"), 0}},
	},
	{
		script: "lock_cancel", name: "an attempt the lock went to hands it to the next waiter",
		setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
		keys:  lk,
		args:  lockArgs("o1", "w1"),
		want:  1,
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "wid"), strs("o2", "w2")},
			{cmd("XRANGE", "{t}:grants:1", "-", "+"), grantEntry("w2", false)},
		},
	},
	{
		script: "lock_cancel", name: "the owner cancelling another attempt keeps the lock",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk,
		args:  lockArgs("o1", "w9"),
		want:  0,
		after: []probe{{cmd("HGET", "{t}", "owner"), "o1"}},
	},

	{
		script: "lock_cancel", name: "an RLock re-entry whose reply was lost is undone",
		setup: [][]any{heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...)},
		keys:  lk,
		args:  lockArgs("o1", "w1", "1"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}", "owner", "count", "r"), cmd("o1", "1", nil)}},
	},
	{
		script: "lock_cancel", name: "an RLock re-entry whose reply was lost is undone after the handle re-entered again",
		setup: [][]any{
			heldBy("o1", "w0"),
			eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w2", "0")...),
		},
		keys:  lk,
		args:  lockArgs("o1", "w1", "1"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}", "owner", "count", "r"), strs("o1", "2", "w2")}},
	},
	{
		script: "lock_cancel", name: "a second cancel of a lost re-entry keeps the hold before it",
		setup: [][]any{
			heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_cancel", lk, lockArgs("o1", "w1", "1")...),
		},
		keys:  lk,
		args:  lockArgs("o1", "w1", "1"),
		want:  0,
		after: []probe{{cmd("HMGET", "{t}", "owner", "count"), strs("o1", "1")}},
	},
	{
		script: "lock_cancel", name: "the holding's own attempt is given back once while the handle's re-entries keep the lock",
		setup: [][]any{
			heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_cancel", lk, lockArgs("o1", "w0")...),
		},
		keys: lk,
		args: lockArgs("o1", "w0"),
		want: 0,
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "count", "wid", "r"), cmd("o1", "1", nil, "w1")},
		},
	},
	{
		script: "lock_cancel", name: "a lost attempt that was the holding's own is given back once, whatever flag the second cancel has",
		setup: [][]any{
			heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_cancel", lk, lockArgs("o1", "w0", "1")...),
			eval("lock_cancel", lk, lockArgs("o1", "w0")...),
		},
		keys:  lk,
		args:  lockArgs("o1", "w0", "1"),
		want:  0,
		after: []probe{{cmd("HMGET", "{t}", "owner", "count"), strs("o1", "1")}},
	},
	{
		script: "lock_acquire", name: "a cancelled attempt sent again is not confirmed",
		setup: [][]any{
			heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...),
			eval("lock_cancel", lk, lockArgs("o1", "w0", "1")...),
		},
		keys:  lk,
		args:  lockArgs("o1", "10000", "1", "w0", "0"),
		want:  cmd(1, 5, 2), // (a re-entry of its own: the handle still holds)
		after: []probe{{cmd("HMGET", "{t}", "count", "r"), strs("2", "w0,w1")}},
	},
	{
		script: "lock_cancel", name: "a wait known to have taken nothing leaves a re-entry",
		setup: [][]any{heldBy("o1", "w0"), eval("lock_acquire", lk, lockArgs("o1", "10000", "1", "w1", "0")...)},
		keys:  lk,
		args:  lockArgs("o1", "w1"),
		want:  0,
		after: []probe{{cmd("HGET", "{t}", "count"), "2"}},
	},

	// lock_lease: KEYS lk; ARGV common, owner
	{
		script: "lock_lease", name: "the owner's lease left",
		setup: [][]any{heldBy("o1", "w1"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  between(1, 10000),
	},
	{
		script: "lock_lease", name: "-1 for a lock without expiry",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  -1,
	},
	{
		script: "lock_lease", name: "-3 when another holds the lock",
		setup: [][]any{heldBy("o2", "w2"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  -3,
	},
	{
		script: "lock_lease", name: "-3 when nobody holds the lock",
		keys: lk,
		args: lockArgs("o1"),
		want: -3,
	},

	// lock_acquire_quick: KEYS lk[:4]; ARGV as lock_acquire's
	{
		script: "lock_acquire_quick", name: "a free lock nobody waits for is taken with a token from the server's clock",
		keys: lk[:4],
		args: lockArgs("o1", "10000", "0", "w1", "1"),
		want: cmd(1, token, 1),
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "count", "wid"), strs("o1", "1", "w1")},
			{cmd("PTTL", "{t}"), between(1, 10000)},
			{cmd("GET", "{t}:fence"), token},
		},
	},
	{
		script: "lock_acquire_quick", name: "a token follows the fencing counter when it is ahead of the clock",
		setup: [][]any{{"SET", "{t}:fence", "9000000000000000"}},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(1, 9000000000000001, 1),
	},
	{
		script: "lock_acquire_quick", name: "an attempt on a lock held by another gets the time it has left",
		setup: [][]any{heldBy("o2", "w2"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(0, between(1, 10000)),
		after: []probe{{cmd("HGET", "{t}", "owner"), "o2"}},
	},
	{
		script: "lock_acquire_quick", name: "an attempt on a lock held without expiry gets -1",
		setup: [][]any{heldBy("o2", "w2"), lockAcquire("o3", "w3", "1")},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(0, -1),
	},
	{
		script: "lock_acquire_quick", name: "a Lock's owner does not re-enter",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w2", "0"),
		want:  cmd(0, -1),
	},
	{
		script: "lock_acquire_quick", name: "-1 for a wait on a held lock, which does not join the line",
		setup: [][]any{heldBy("o2", "w2")},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "1"),
		want:  cmd(-1),
		after: []probe{{cmd("EXISTS", "{t}:waiters"), 0}},
	},
	{
		script: "lock_acquire_quick", name: "-1 for an RLock's owner, who re-enters only by lock_acquire",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "1", "w2", "0"),
		want:  cmd(-1),
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}},
	},
	{
		script: "lock_acquire_quick", name: "-1 for the attempt a grant went to",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(-1),
	},
	{
		script: "lock_acquire_quick", name: "-1 for a free lock with someone in line, which stays free",
		setup: [][]any{heldBy("o2", "w2"), lockAcquire("o3", "w3", "1"), {"DEL", "{t}"}},
		keys:  lk[:4],
		args:  lockArgs("o1", "10000", "0", "w1", "0"),
		want:  cmd(-1),
		after: []probe{
			{cmd("EXISTS", "{t}"), 0},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w3")},
		},
	},

	// lock_release_quick: KEYS lk[:4]; ARGV as lock_release's
	{
		script: "lock_release_quick", name: "the owner's only hold is freed",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk[:4],
		args:  lockArgs("o1"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}"), 0}},
	},
	{
		script: "lock_release_quick", name: "-1 for another handle, which changes nothing",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk[:4],
		args:  lockArgs("o2"),
		want:  -1,
		after: []probe{{cmd("HGET", "{t}", "owner"), "o1"}},
	},
	{
		script: "lock_release_quick", name: "-1 for a free lock",
		keys: lk[:4],
		args: lockArgs("o1"),
		want: -1,
	},
	{
		script: "lock_release_quick", name: "-1 for an RLock's inner hold, which stays",
		setup: [][]any{heldBy("o1", "w1"), {"HSET", "{t}", "count", 2}},
		keys:  lk[:4],
		args:  lockArgs("o1"),
		want:  -1,
		after: []probe{{cmd("HGET", "{t}", "count"), "2"}},
	},
	{
		script: "lock_release_quick", name: "-1 for a holding someone waited for (its mark q), though the line is gone",
		setup: [][]any{lockAcquire("o1", "w1", "0"), {"HSET", "{t}", "q", 1}},
		keys:  lk[:4],
		args:  lockArgs("o1"),
		want:  -1,
		after: []probe{{cmd("HGET", "{t}", "owner"), "o1"}},
	},
	{
		script: "lock_release_quick", name: "-1 with someone in line: no hand-off, the lock stays held",
		setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
		keys:  lk[:4],
		args:  lockArgs("o1"),
		want:  -1,
		after: []probe{
			{cmd("HGET", "{t}", "owner"), "o1"},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w2")},
		},
	},

	// lock_release: KEYS lk; ARGV common, owner
	{
		script: "lock_release", name: "the owner's release frees the lock",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}"), 0}},
	},
	{
		script: "lock_release", name: "NOTHELD for another handle, which changes nothing",
		setup: [][]any{lockAcquire("o1", "w1", "0")},
		keys:  lk,
		args:  lockArgs("o2"),
		want:  errReply("NOTHELD"),
		after: []probe{{cmd("HGET", "{t}", "owner"), "o1"}},
	},
	{
		script: "lock_release", name: "NOTHELD for a free lock",
		keys: lk,
		args: lockArgs("o1"),
		want: errReply("NOTHELD"),
	},
	{
		script: "lock_release", name: "an RLock's release undoes one hold",
		setup: [][]any{heldBy("o1", "w1"), {"HSET", "{t}", "count", 2}},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  1,
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}},
	},
	{
		script: "lock_release", name: "a release hands the lock to the first waiter, announced on its stream",
		setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
		keys:  lk,
		args:  lockArgs("o1"),
		want:  0,
		after: []probe{
			{cmd("HMGET", "{t}", "owner", "count", "wid"), strs("o2", "1", "w2")},
			{cmd("PTTL", "{t}"), between(1, 10000)},
			{cmd("XRANGE", "{t}:grants:1", "-", "+"), grantEntry("w2", false)},
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w2"), 0},
		},
	},

	// lock_renew: KEYS lk; ARGV common, owner, lease
	{
		script: "lock_renew", name: "the owner's lease is renewed",
		setup: [][]any{heldBy("o1", "w1"), {"PEXPIRE", "{t}", 100}},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}"), between(15000, 20000)}},
	},
	{
		script: "lock_renew", name: "another handle's renewal changes nothing",
		setup: [][]any{heldBy("o2", "w2"), {"PEXPIRE", "{t}", 10000}},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000"),
		want:  0,
		after: []probe{{cmd("PTTL", "{t}"), between(1, 10000)}},
	},
	{
		script: "lock_renew", name: "holds counted beyond the handle's are reported, not dropped",
		setup: [][]any{heldBy("o1", "w1"), {"HSET", "{t}", "count", 3}, {"PEXPIRE", "{t}", 100}},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000", "2", "0"),
		want:  2,
		after: []probe{{cmd("HGET", "{t}", "count"), "3"}, {cmd("PTTL", "{t}"), between(15000, 20000)}},
	},
	{
		script: "lock_renew", name: "holds counted beyond the handle's go when asked",
		setup: [][]any{heldBy("o1", "w1"), {"HSET", "{t}", "count", 3, "r", "wB,wC"}},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000", "2", "1"),
		want:  1,
		after: []probe{
			{cmd("HGET", "{t}", "count"), "2"},
			{cmd("HEXISTS", "{t}", "r"), 0},
			{cmd("PTTL", "{t}"), between(15000, 20000)},
		},
	},
	{
		script: "lock_renew", name: "fewer holds than the handle's are reported",
		setup: [][]any{heldBy("o1", "w1"), {"PEXPIRE", "{t}", 100}},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000", "2", "0"),
		want:  3,
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}, {cmd("PTTL", "{t}"), between(15000, 20000)}},
	},
	{
		script: "lock_renew", name: "fewer holds than the handle's: when asked, the holding is lost to the handle",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000", "2", "1"),
		want:  0,
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}},
	},
	{
		script: "lock_renew", name: "a handle's count that matches is renewed",
		setup: [][]any{heldBy("o1", "w1")},
		keys:  lk[:1],
		args:  lockArgs("o1", "20000", "1", "1"),
		want:  1,
		after: []probe{{cmd("HGET", "{t}", "count"), "1"}},
	},
	{
		script: "lock_renew", name: "a lost lease is not renewed",
		keys:  lk[:1],
		args:  lockArgs("o1", "20000"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}"), 0}},
	},

	// map_pop: KEYS hash; ARGV field
	{
		script: "map_pop", name: "removes the field and returns its value",
		setup: [][]any{{"HSET", "{t}:h", "a", "1", "b", "2"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a"),
		want:  cmd("1", -1),
		after: []probe{{cmd("HGETALL", "{t}:h"), fields("b", "2")}},
	},
	{
		script: "map_pop", name: "the value comes with the hash's expiry before the pop",
		setup: [][]any{{"HSET", "{t}:h", "a", "1"}, {"PEXPIRE", "{t}:h", 50000}},
		keys:  []string{"{t}:h"},
		args:  cmd("a"),
		want:  cmd("1", between(40000, 50000)),
	},
	{
		script: "map_pop", name: "an empty array for a missing field",
		setup: [][]any{{"HSET", "{t}:h", "b", "2"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a"),
		want:  cmd(),
	},

	// map_pop_item: KEYS hash
	{
		script: "map_pop_item", name: "removes a field and returns it with its value",
		setup: [][]any{{"HSET", "{t}:h", "a", "1"}},
		keys:  []string{"{t}:h"},
		want:  cmd("a", "1", -1),
		after: []probe{{cmd("EXISTS", "{t}:h"), 0}},
	},
	{
		script: "map_pop_item", name: "an empty hash gives an empty array",
		keys: []string{"{t}:h"},
		want: cmd(),
	},

	// map_incr_float: KEYS hash; ARGV field, increment
	{
		script: "map_incr_float", name: "adds as HINCRBYFLOAT does",
		setup: [][]any{{"HSET", "{t}:h", "a", "1.5"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a", "2"),
		want:  "3.5",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "3.5"}},
	},
	{
		script: "map_incr_float", name: "NOTFINITE past float64's range, the old value kept",
		setup: [][]any{{"HSET", "{t}:h", "a", "1.7976931348623157e308"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a", "1.7976931348623157e308"),
		want:  errReply("NOTFINITE"),
		after: []probe{{cmd("HGET", "{t}:h", "a"), "1.7976931348623157e308"}},
	},
	{
		script: "map_incr_float", name: "a value that is not a number is refused, changing nothing",
		setup: [][]any{{"HSET", "{t}:h", "a", "x"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a", "1"),
		want:  errReply("ERR"),
		after: []probe{{cmd("HGET", "{t}:h", "a"), "x"}},
	},

	// map_incr_default: KEYS hash; ARGV int|float, field, increment, [default]
	{
		script: "map_incr_default", name: "an existing field is incremented, no default needed",
		setup: [][]any{{"HSET", "{t}:h", "a", "5"}},
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "2"),
		want:  "7",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "7"}},
	},
	{
		script: "map_incr_default", name: "a missing field with no default replies nil, changing nothing",
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "2"),
		want:  nil,
		after: []probe{{cmd("EXISTS", "{t}:h"), 0}},
	},
	{
		script: "map_incr_default", name: "a missing field starts from the default",
		setup: [][]any{{"HSET", "{t}:h", "b", "1"}},
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "2", "10"),
		want:  "12",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "12"}},
	},
	{
		script: "map_incr_default", name: "a field that exists ignores the default",
		setup: [][]any{{"HSET", "{t}:h", "a", "1"}},
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "2", "10"),
		want:  "3",
	},
	{
		script: "map_incr_default", name: "a default that is not an integer is refused, nothing stored",
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "2", "x"),
		want:  errReply("ERR"),
		after: []probe{{cmd("EXISTS", "{t}:h"), 0}},
	},
	{
		script: "map_incr_default", name: "a result past 2^53 replies exactly, as text",
		setup: [][]any{{"HSET", "{t}:h", "a", "9223372036854775806"}},
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "1"),
		want:  "9223372036854775807",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "9223372036854775807"}},
	},
	{
		script: "map_incr_default", name: "a default past 2^53 replies exactly, as text",
		keys: []string{"{t}:h"},
		args: cmd("int", "a", "-1152921504606846977", "100"),
		want: "-1152921504606846877",
	},
	{
		script: "map_incr_default", name: "an overflow is refused, the value kept",
		setup: [][]any{{"HSET", "{t}:h", "a", "9223372036854775807"}},
		keys:  []string{"{t}:h"},
		args:  cmd("int", "a", "1", "0"),
		want:  errReply("ERR"),
		after: []probe{{cmd("HGET", "{t}:h", "a"), "9223372036854775807"}},
	},
	{
		script: "map_incr_default", name: "a float starts from the default",
		keys:  []string{"{t}:h"},
		args:  cmd("float", "a", "1", "0.5"),
		want:  "1.5",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "1.5"}},
	},
	{
		script: "map_incr_default", name: "NOTFINITE past float64's range: a default stored for it goes again",
		keys:  []string{"{t}:h"},
		args:  cmd("float", "a", "1.7976931348623157e308", "1.7976931348623157e308"),
		want:  errReply("NOTFINITE"),
		after: []probe{{cmd("EXISTS", "{t}:h"), 0}},
	},
	{
		script: "map_incr_default", name: "NOTFINITE past float64's range, the old value kept",
		setup: [][]any{{"HSET", "{t}:h", "a", "1.7976931348623157e308"}},
		keys:  []string{"{t}:h"},
		args:  cmd("float", "a", "1.7976931348623157e308"),
		want:  errReply("NOTFINITE"),
		after: []probe{{cmd("HGET", "{t}:h", "a"), "1.7976931348623157e308"}},
	},

	// map_set_default: KEYS hash; ARGV field, value
	{
		script: "map_set_default", name: "a missing field is set to the default",
		keys:  []string{"{t}:h"},
		args:  cmd("a", "1"),
		want:  "1",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "1"}},
	},
	{
		script: "map_set_default", name: "a field that is set keeps its value",
		setup: [][]any{{"HSET", "{t}:h", "a", "0"}},
		keys:  []string{"{t}:h"},
		args:  cmd("a", "1"),
		want:  "0",
		after: []probe{{cmd("HGET", "{t}:h", "a"), "0"}},
	},

	// queue_ack: KEYS registrations, the take's list; ARGV id
	{
		script: "queue_ack", name: "acknowledges a registered take: its list and registration go",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}, {"RPUSH", "{t}:taken:t1", "a"}},
		keys:  []string{"{t}:takes", "{t}:taken:t1"},
		args:  cmd("t1"),
		want:  1,
		after: []probe{
			{cmd("EXISTS", "{t}:taken:t1"), 0},
			{cmd("ZSCORE", "{t}:takes", "t1"), nil},
		},
	},
	{
		script: "queue_ack", name: "a take that was recovered already is NOTHELD",
		keys: []string{"{t}:takes", "{t}:taken:t1"},
		args: cmd("t1"),
		want: errReply("NOTHELD reservation t1 is gone"),
	},
	{
		script: "queue_ack", name: "a registration whose items went back is NOTHELD and stays",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}},
		keys:  []string{"{t}:takes", "{t}:taken:t1"},
		args:  cmd("t1"),
		want:  errReply("NOTHELD"),
		after: []probe{{cmd("ZCARD", "{t}:takes"), 1}},
	},

	// queue_claim: KEYS parking, take's list, registrations, queue, waiting puts, space[, set]; ARGV id, ms, n, chunk
	{
		script: "queue_claim", name: "the parked item and more from the head go to the take's list under its deadline",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a", "b"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("p", "a"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("p", "a")},
			{cmd("EXISTS", "{t}:parked:t1"), 0},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("b")},
			{cmd("ZSCORE", "{t}:takes", "t1"), msFromNow(25*time.Second, 30*time.Second)},
		},
	},
	{
		script: "queue_claim", name: "a claim in an expiring queue expires with it",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a"}, {"PEXPIRE", "{t}:list", 50000}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:takes"), between(40000, 50000)},
		},
	},
	{
		script: "queue_claim", name: "a claim whose wait emptied the list (one a put made anew) has no expiry, and the registrations lose theirs",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"ZADD", "{t}:takes", later, "t1"}, {"PEXPIRE", "{t}:takes", 50000}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), -1},
			{cmd("PTTL", "{t}:takes"), -1},
		},
	},
	{
		script: "queue_claim", name: "a claim whose wait emptied a list made anew while tasks are unfinished takes the count's expiry",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"ZADD", "{t}:takes", later, "t1"}, {"SET", "{t}:unfinished", 2, "PX", 50000}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:takes"), between(40000, 50000)},
		},
	},
	{
		script: "queue_claim", name: "a claim whose wait left items in a list without expiry while the count expires takes the count's, and so does the list",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", later, "t1"}, {"SET", "{t}:unfinished", 2, "PX", 50000}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("PTTL", "{t}:list"), between(40000, 50000)},
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:takes"), between(40000, 50000)},
		},
	},
	{
		script: "queue_claim", name: "a claim in a queue without expiry has none, and the registrations lose theirs",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", later, "t1"}, {"PEXPIRE", "{t}:takes", 50000}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), -1},
			{cmd("PTTL", "{t}:takes"), -1},
		},
	},

	// queue_take_lists: KEYS registrations, then take and parking lists
	{
		script: "queue_take_lists", name: "the lists get the registrations' expiry",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}, {"PEXPIRE", "{t}:takes", 50000}, {"RPUSH", "{t}:taken:t1", "a"}, {"RPUSH", "{t}:parked:t1", "p"}},
		keys:  []string{"{t}:takes", "{t}:taken:t1", "{t}:parked:t1", "{t}:taken:t2"},
		want:  1,
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:parked:t1"), between(40000, 50000)},
			{cmd("EXISTS", "{t}:taken:t2"), 0},
		},
	},
	{
		script: "queue_take_lists", name: "registrations without expiry take the lists' away",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}, {"RPUSH", "{t}:taken:t1", "a"}, {"PEXPIRE", "{t}:taken:t1", 50000}},
		keys:  []string{"{t}:takes", "{t}:taken:t1", "{t}:parked:t1"},
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:taken:t1"), -1}},
	},
	{
		script: "queue_take_lists", name: "a give-back's marker keeps its own expiry",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}, {"SET", "{t}:parked:t1", "gone", "PX", 5000}},
		keys:  []string{"{t}:takes", "{t}:taken:t1", "{t}:parked:t1"},
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:parked:t1"), between(1, 5000)}},
	},
	{
		script: "queue_take_lists", name: "no registrations left: nothing changes",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"PEXPIRE", "{t}:taken:t1", 50000}},
		keys:  []string{"{t}:takes", "{t}:taken:t1", "{t}:parked:t1"},
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)}},
	},

	{
		script: "queue_claim", name: "nothing parked gives an empty reply and ends the registration",
		setup: [][]any{{"ZADD", "{t}:takes", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  cmd("0"),
		after: []probe{{cmd("ZSCORE", "{t}:takes", "t1"), nil}},
	},
	{
		script: "queue_claim", name: "expired registrations put the parked item back at the head, for the caller to recover first",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", 1, "old", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  cmd("0", "old"),
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p", "a")},
			{cmd("ZRANGE", "{t}:takes", 0, -1), strs("old")},
			{cmd("EXISTS", "{t}:taken:t1"), 0},
		},
	},
	{
		script: "queue_claim", name: "the take's own expired registration is not among the ids",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"ZADD", "{t}:takes", 1, "old", 2, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  cmd("0", "old"),
		after: []probe{{cmd("LRANGE", "{t}:list", 0, -1), strs("p")}},
	},
	{
		script: "queue_claim", name: "the take's own expired registration alone puts the parked item back and gives an empty reply",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  cmd("0"),
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p")},
			{cmd("EXISTS", "{t}:takes", "{t}:parked:t1", "{t}:taken:t1"), 0},
		},
	},
	{
		script: "queue_claim", name: "two parked items (a wait that ran twice) are claimed earliest first, those beyond n going back to the head",
		setup: [][]any{{"LPUSH", "{t}:parked:t1", "p1", "p2"}, {"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p1"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("p1")},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p2", "a")},
			{cmd("EXISTS", "{t}:parked:t1"), 0},
		},
	},
	{
		script: "queue_claim", name: "a second run gives what the first claimed, puts back what it parked, and renews the deadline",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a", "b"}, {"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "c"}, {"ZADD", "{t}:takes", 1, "old", later, "t1"}},
		keys:  claimKeys,
		args:  cmd("t1", "60000", "2", "100"),
		want:  took("a", "b"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a", "b")},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p", "c")},
			{cmd("EXISTS", "{t}:parked:t1"), 0},
			{cmd("ZSCORE", "{t}:takes", "t1"), msFromNow(55*time.Second, 60*time.Second)},
		},
	},
	{
		script: "queue_claim", name: "a set queue's claimed items leave the set",
		setup: [][]any{{"SADD", "{t}:set", "p", "a", "b"}, {"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:list", "a", "b"}},
		keys:  claimKeysSet,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("p", "a"),
		after: []probe{{cmd("SMEMBERS", "{t}:set"), members("b")}},
	},
	{
		script: "queue_claim", name: "claiming wakes a put waiting for space",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"RPUSH", "{t}:putwait", "1", "1"}},
		keys:  claimKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("p"),
		after: []probe{
			{cmd("LLEN", "{t}:putwait"), 1},
			{cmd("LLEN", "{t}:notfull"), 1},
			{cmd("PTTL", "{t}:notfull"), between(1, 10000)},
		},
	},

	// queue_delete: KEYS registrations, the lists of each id, the rest; ARGV ids
	{
		script: "queue_delete", name: "without registrations every key goes",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"SET", "{t}:unfinished", 1}},
		keys:  []string{"{t}:takes", "{t}:list", "{t}:unfinished"},
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:list", "{t}:unfinished"), 0}},
	},
	{
		script: "queue_delete", name: "a batch that ends the registrations deletes the queue",
		setup: [][]any{
			{"ZADD", "{t}:takes", 1, "r1", 2, "r2"},
			{"RPUSH", "{t}:taken:r1", "a"}, {"RPUSH", "{t}:parked:r2", "b"}, {"RPUSH", "{t}:list", "x"},
		},
		keys:  []string{"{t}:takes", "{t}:taken:r1", "{t}:parked:r1", "{t}:taken:r2", "{t}:parked:r2", "{t}:list"},
		args:  cmd("r1", "r2"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:takes", "{t}:taken:r1", "{t}:parked:r2", "{t}:list"), 0}},
	},
	{
		script: "queue_delete", name: "registrations left give 1 and keep the queue",
		setup: [][]any{{"ZADD", "{t}:takes", 1, "r1", 2, "r2"}, {"RPUSH", "{t}:taken:r1", "a"}, {"RPUSH", "{t}:list", "x"}},
		keys:  []string{"{t}:takes", "{t}:taken:r1", "{t}:parked:r1", "{t}:list"},
		args:  cmd("r1"),
		want:  1,
		after: []probe{
			{cmd("ZRANGE", "{t}:takes", 0, -1), strs("r2")},
			{cmd("EXISTS", "{t}:taken:r1"), 0},
			{cmd("EXISTS", "{t}:list"), 1},
		},
	},

	// queue_join: KEYS unfinished, join notification
	{
		script: "queue_join", name: "unfinished tasks drop a stale join token",
		setup: [][]any{{"SET", "{t}:unfinished", 3}, {"RPUSH", "{t}:joined", "1"}},
		keys:  []string{"{t}:unfinished", "{t}:joined"},
		want:  3,
		after: []probe{{cmd("EXISTS", "{t}:joined"), 0}},
	},
	{
		script: "queue_join", name: "with no task unfinished the token stays",
		setup: [][]any{{"RPUSH", "{t}:joined", "1"}},
		keys:  []string{"{t}:unfinished", "{t}:joined"},
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:joined"), 1}},
	},

	// queue_put: KEYS list, unfinished, join, waiting puts, space[, set]; ARGV max, side, wait ms, chunk, wake-up taken, put id, items...
	{
		script: "queue_put", name: "FIFO appends in order and counts the tasks",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "2", "", "", "a", "b", "c"),
		want:  3,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("x", "a", "b", "c")},
			{cmd("GET", "{t}:unfinished"), "3"},
		},
	},
	{
		script: "queue_put", name: "LIFO pushes at the head",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}},
		keys:  putKeys,
		args:  cmd("0", "L", "0", "2", "", "", "a", "b", "c"),
		want:  3,
		after: []probe{{cmd("LRANGE", "{t}:list", 0, -1), strs("c", "b", "a", "x")}},
	},
	{
		script: "queue_put", name: "the first unfinished task drops a stale join token",
		setup: [][]any{{"RPUSH", "{t}:joined", "1"}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  1,
		after: []probe{{cmd("EXISTS", "{t}:joined"), 0}},
	},
	{
		script: "queue_put", name: "a join token stays while tasks were unfinished",
		setup: [][]any{{"SET", "{t}:unfinished", 2}, {"RPUSH", "{t}:joined", "1"}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  1,
		after: []probe{
			{cmd("EXISTS", "{t}:joined"), 1},
			{cmd("GET", "{t}:unfinished"), "3"},
		},
	},
	{
		script: "queue_put", name: "a bounded queue takes items that fit",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}},
		keys:  putKeys,
		args:  cmd("3", "R", "0", "100", "", "", "a", "b"),
		want:  2,
	},
	{
		script: "queue_put", name: "FULL when the items do not fit and the put does not wait",
		setup: [][]any{{"RPUSH", "{t}:list", "x", "y"}},
		keys:  putKeys,
		args:  cmd("3", "R", "0", "100", "", "", "a", "b"),
		want:  errReply("FULL queue is full"),
		after: []probe{
			{cmd("LLEN", "{t}:list"), 2},
			{cmd("EXISTS", "{t}:unfinished", "{t}:putwait"), 0},
		},
	},
	{
		script: "queue_put", name: "FULL when the items could never fit",
		keys: putKeys,
		args: cmd("2", "R", "5000", "100", "", "", "a", "b", "c"),
		want: errReply("FULL 3 items can never fit in a queue of max size 2"),
	},
	{
		script: "queue_put", name: "a full queue registers a waiting put and takes back the wake-ups not taken",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:notfull", "1"}},
		keys:  putKeys,
		args:  cmd("1", "R", "5000", "100", "", "", "a"),
		want:  -1,
		after: []probe{
			{cmd("LLEN", "{t}:putwait"), 2},
			{cmd("PTTL", "{t}:putwait"), between(1, 5000)},
			{cmd("EXISTS", "{t}:notfull"), 0},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("x")},
		},
	},
	{
		script: "queue_put", name: "a woken put that does not fit the space passes its wake-up on, naming itself",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:putwait", "1", "1"}},
		keys:  putKeys,
		args:  cmd("3", "R", "5000", "100", "1 p1", "p2", "a", "b", "c"),
		want:  -1,
		after: []probe{
			{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1 p1 p2")},
			{cmd("PTTL", "{t}:notfull"), between(1, 10000)},
			{cmd("LLEN", "{t}:putwait"), 2},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("x")},
		},
	},
	{
		script: "queue_put", name: "a wake-up that went round every put waiting is dropped, and others stay while there is space",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:notfull", "1"}},
		keys:  putKeys,
		args:  cmd("3", "R", "5000", "100", "1 p1 p2", "p1", "a", "b", "c"),
		want:  -1,
		after: []probe{
			{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1")},
			{cmd("LLEN", "{t}:putwait"), 1},
		},
	},
	{
		script: "queue_put", name: "a woken put that finds no space passes nothing on and takes the wake-ups back as fresh ones",
		setup: [][]any{{"RPUSH", "{t}:list", "x", "y"}, {"RPUSH", "{t}:notfull", "1 p3", "1"}},
		keys:  putKeys,
		args:  cmd("2", "R", "5000", "100", "1", "p1", "a"),
		want:  -1,
		after: []probe{
			{cmd("EXISTS", "{t}:notfull"), 0},
			{cmd("LRANGE", "{t}:putwait", 0, -1), strs("1", "1", "1")},
		},
	},
	{
		script: "queue_put", name: "a woken set-queue put whose items are all queued keeps its wake-up when the queue is full again",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"SADD", "{t}:set", "a", "b"}, {"SET", "{t}:unfinished", 2}},
		keys:  putKeysSet,
		args:  cmd("2", "R", "5000", "100", "1", "p1", "a"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:notfull"), 0}},
	},
	{
		script: "queue_put", name: "a woken set-queue put whose items are all queued passes its wake-up on",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"SADD", "{t}:set", "a"}, {"SET", "{t}:unfinished", 1}},
		keys:  putKeysSet,
		args:  cmd("2", "R", "5000", "100", "1", "p1", "a"),
		want:  0,
		after: []probe{{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1 p1")}},
	},
	{
		script: "queue_put", name: "a waiting put's check announces the space its items fit, and adds nothing",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:putwait", "1"}},
		keys:  putKeys,
		args:  cmd("3", "R", "C", "100", "", "", "a", "b"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1")},
			{cmd("PTTL", "{t}:notfull"), between(1, 10000)},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("x")},
			{cmd("LLEN", "{t}:putwait"), 1},
			{cmd("EXISTS", "{t}:unfinished"), 0},
		},
	},
	{
		script: "queue_put", name: "a waiting put's check announces nothing when its items do not fit",
		setup: [][]any{{"RPUSH", "{t}:list", "x", "y"}},
		keys:  putKeys,
		args:  cmd("3", "R", "C", "100", "", "", "a", "b"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:notfull"), 0}, {cmd("LLEN", "{t}:list"), 2}},
	},
	{
		script: "queue_put", name: "a waiting put's check announces nothing more while a wake-up is there",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:notfull", "1 p1"}},
		keys:  putKeys,
		args:  cmd("3", "R", "C", "100", "", "", "a"),
		want:  0,
		after: []probe{{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1 p1")}},
	},
	{
		script: "queue_put", name: "a waiting set-queue put's check counts only new items",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"SADD", "{t}:set", "a", "b"}},
		keys:  putKeysSet,
		args:  cmd("3", "R", "C", "100", "", "", "a", "b", "c"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:notfull", 0, -1), strs("1")}, {cmd("SCARD", "{t}:set"), 2}},
	},
	{
		script: "queue_put", name: "the waiting puts are at most a chunk",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:putwait", "1", "1"}},
		keys:  putKeys,
		args:  cmd("1", "R", "5000", "2", "", "", "a"),
		want:  -1,
		after: []probe{{cmd("LLEN", "{t}:putwait"), 2}},
	},
	{
		script: "queue_put", name: "a set queue skips queued items and repeats",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"SADD", "{t}:set", "a"}, {"SET", "{t}:unfinished", 1}},
		keys:  putKeysSet,
		args:  cmd("0", "R", "0", "100", "", "", "a", "b", "b", "c"),
		want:  2,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a", "b", "c")},
			{cmd("SMEMBERS", "{t}:set"), members("a", "b", "c")},
			{cmd("GET", "{t}:unfinished"), "3"},
		},
	},
	{
		script: "queue_put", name: "a set queue given only queued items adds nothing",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"SADD", "{t}:set", "a"}},
		keys:  putKeysSet,
		args:  cmd("1", "R", "0", "100", "", "", "a", "a"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:unfinished"), 0}},
	},
	{
		script: "queue_put", name: "a set queue counts only new items against the bound",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"SADD", "{t}:set", "a"}},
		keys:  putKeysSet,
		args:  cmd("2", "R", "0", "100", "", "", "a", "b"),
		want:  1,
	},
	{
		script: "queue_put", name: "a list made anew while the count expires takes its expiry, a set queue's set too",
		setup: [][]any{{"SET", "{t}:unfinished", 1, "PX", 50000}},
		keys:  putKeysSet,
		args:  cmd("0", "R", "0", "2", "", "", "a", "b", "c"),
		want:  3,
		after: []probe{
			{cmd("PTTL", "{t}:list"), between(40000, 50000)},
			{cmd("PTTL", "{t}:set"), between(40000, 50000)},
			{cmd("PTTL", "{t}:unfinished"), between(40000, 50000)},
			{cmd("GET", "{t}:unfinished"), "4"},
		},
	},
	{
		script: "queue_put", name: "a count made anew onto an expiring list takes its expiry",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"PEXPIRE", "{t}:list", 50000}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:unfinished"), between(40000, 50000)}, {cmd("GET", "{t}:unfinished"), "1"}},
	},
	{
		script: "queue_put", name: "a list that was there keeps its own expiry, or none",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"SET", "{t}:unfinished", 1, "PX", 50000}},
		keys:  putKeys,
		args:  cmd("0", "L", "0", "100", "", "", "a"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:list"), -1}},
	},
	{
		script: "queue_put", name: "a list made anew without unfinished tasks has no expiry",
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:list"), -1}, {cmd("PTTL", "{t}:unfinished"), -1}},
	},

	{
		script: "queue_put", name: "a count of another type refuses the put, nothing pushed",
		setup: [][]any{{"HSET", "{t}:unfinished", "f", "v"}},
		keys:  putKeysSet,
		args:  cmd("0", "R", "0", "2", "", "", "a", "b", "c"),
		want:  errReply("WRONGTYPE"),
		after: []probe{
			{cmd("EXISTS", "{t}:list", "{t}:set"), 0},
			{cmd("HGET", "{t}:unfinished", "f"), "v"},
		},
	},
	{
		script: "queue_put", name: "a count that is no integer refuses the put, nothing pushed",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"SET", "{t}:unfinished", "many"}},
		keys:  putKeys,
		args:  cmd("0", "L", "0", "100", "", "", "a"),
		want:  errReply("ERR value is not an integer"),
		after: []probe{{cmd("LRANGE", "{t}:list", 0, -1), strs("x")}, {cmd("GET", "{t}:unfinished"), "many"}},
	},
	{
		script: "queue_put", name: "a list of another type refuses the put, the count as it was",
		setup: [][]any{{"SET", "{t}:list", "s"}, {"SET", "{t}:unfinished", 4, "PX", 50000}},
		keys:  putKeysSet,
		args:  cmd("0", "R", "0", "2", "", "", "a", "b", "c"),
		want:  errReply("WRONGTYPE"),
		after: []probe{
			{cmd("GET", "{t}:list"), "s"},
			{cmd("GET", "{t}:unfinished"), "4"},
			{cmd("PTTL", "{t}:unfinished"), between(40000, 50000)},
			{cmd("EXISTS", "{t}:set"), 0},
		},
	},
	{
		script: "queue_put", name: "a count that is no integer leaves a list's earlier items, in chunks and FIFO",
		setup: [][]any{{"RPUSH", "{t}:list", "x", "y"}, {"SADD", "{t}:set", "x", "y"}, {"HSET", "{t}:unfinished", "f", "v"}},
		keys:  putKeysSet,
		args:  cmd("0", "R", "0", "2", "", "", "a", "b", "c", "x"),
		want:  errReply("WRONGTYPE"),
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("x", "y")},
			{cmd("SCARD", "{t}:set"), 2},
			{cmd("SMISMEMBER", "{t}:set", "x", "y"), cmd(1, 1)},
		},
	},
	{
		script: "queue_put", name: "a count at 0 stays at 0, with its expiry, when the list refuses the put",
		setup: [][]any{{"SET", "{t}:list", "s"}, {"SET", "{t}:unfinished", "0", "PX", 50000}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("GET", "{t}:unfinished"), "0"}, {cmd("PTTL", "{t}:unfinished"), between(40000, 50000)}},
	},
	{
		script: "queue_put", name: "a list of another type refuses the put, no count made",
		setup: [][]any{{"SET", "{t}:list", "s"}},
		keys:  putKeys,
		args:  cmd("0", "R", "0", "100", "", "", "a"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("GET", "{t}:list"), "s"}, {cmd("EXISTS", "{t}:unfinished"), 0}},
	},
	{
		script: "queue_put", name: "no items adds nothing",
		keys: putKeys,
		args: cmd("0", "R", "0", "100", "", ""),
		want: 0,
	},

	// queue_recover: KEYS list, registrations, parking, take's list[, set, unfinished, join]; ARGV id, mode
	{
		script: "queue_recover", name: "mode 0 puts a due take back at the head, in order, and ends its registration",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:taken:t1", "a", "b"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  2,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a", "b", "x")},
			{cmd("EXISTS", "{t}:taken:t1"), 0},
			{cmd("ZSCORE", "{t}:takes", "t1"), nil},
		},
	},
	{
		script: "queue_recover", name: "items put back into a list made anew take the count's expiry, a set queue's set too",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"PEXPIRE", "{t}:taken:t1", 90000}, {"ZADD", "{t}:takes", 1, "t1"}, {"SET", "{t}:unfinished", 1, "PX", 50000}},
		keys:  recoverKeysSet,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
			{cmd("PTTL", "{t}:list"), between(40000, 50000)},
			{cmd("PTTL", "{t}:set"), between(40000, 50000)},
		},
	},
	{
		script: "queue_recover", name: "a take's own expiry does not pass to a list made anew when the count has none (a Persist in a Transaction, or every task done since)",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"PEXPIRE", "{t}:parked:t1", 50000}, {"RPUSH", "{t}:taken:t1", "a"}, {"PEXPIRE", "{t}:taken:t1", 50000}, {"ZADD", "{t}:takes", later, "t1"}, {"SET", "{t}:unfinished", 2}},
		keys:  recoverKeys,
		args:  cmd("t1", "1"),
		want:  2,
		after: []probe{{cmd("PTTL", "{t}:list"), -1}, {cmd("LLEN", "{t}:list"), 2}},
	},
	{
		script: "queue_recover", name: "items put back into a list that was there with an expiry of its own leave it as it is",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"PEXPIRE", "{t}:list", 70000}, {"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", 1, "t1"}, {"SET", "{t}:unfinished", 2, "PX", 50000}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:list"), between(60000, 70000)}},
	},
	{
		script: "queue_recover", name: "items put back into a list that was there without an expiry, while the count has one, mend it: the list takes the count's, a set queue's set too (as from a take: queueExpiry)",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"SADD", "{t}:set", "x"}, {"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", 1, "t1"}, {"SET", "{t}:unfinished", 2, "PX", 50000}},
		keys:  recoverKeysSet,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:list"), between(40000, 50000)}, {cmd("PTTL", "{t}:set"), between(40000, 50000)}},
	},
	{
		script: "queue_recover", name: "items put back into a list that was there leave it without an expiry while the count has none",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", 1, "t1"}, {"SET", "{t}:unfinished", 2}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{{cmd("PTTL", "{t}:list"), -1}},
	},
	{
		script: "queue_recover", name: "two parked items (a wait that ran twice) go back in the order they were parked",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"LPUSH", "{t}:parked:t1", "p1", "p2"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "1"),
		want:  2,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p1", "p2", "x")},
			{cmd("EXISTS", "{t}:parked:t1"), 0},
		},
	},
	{
		script: "queue_recover", name: "mode 0 leaves a take that is not due",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  0,
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a")},
			{cmd("ZCARD", "{t}:takes"), 1},
		},
	},
	{
		script: "queue_recover", name: "mode 1 puts a take back now and ends its registration",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "1"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
			{cmd("ZSCORE", "{t}:takes", "t1"), nil},
		},
	},
	{
		script: "queue_recover", name: "mode 2 puts a take back now but keeps its registration until its deadline",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", later, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "2"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
			{cmd("ZCARD", "{t}:takes"), 1},
			// A blocked move into the parking list fails until then.
			{cmd("TYPE", "{t}:parked:t1"), "string"},
			{cmd("PEXPIRETIME", "{t}:parked:t1"), laterMS},
		},
	},
	{
		script: "queue_recover", name: "a parking list barred by mode 2 does not stop the recovery at the deadline",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"SET", "{t}:parked:t1", "gone"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
			{cmd("ZCARD", "{t}:takes"), 0},
		},
	},
	{
		script: "queue_recover", name: "mode 2 ends the registration of a due take",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "2"),
		want:  1,
		after: []probe{{cmd("ZCARD", "{t}:takes"), 0}},
	},
	{
		script: "queue_recover", name: "a parked item goes back too",
		setup: [][]any{{"RPUSH", "{t}:list", "x"}, {"RPUSH", "{t}:parked:t1", "p"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  recoverKeys,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{{cmd("LRANGE", "{t}:list", 0, -1), strs("p", "x")}},
	},
	{
		script: "queue_recover", name: "a take without registration gives 0",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a"}},
		keys:  recoverKeys,
		args:  cmd("t1", "1"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:list"), 0}},
	},
	{
		script: "queue_recover", name: "a set queue drops a taken item queued again since, and counts its task done",
		setup: [][]any{
			{"RPUSH", "{t}:taken:t1", "a", "b"}, {"ZADD", "{t}:takes", 1, "t1"},
			{"RPUSH", "{t}:list", "b"}, {"SADD", "{t}:set", "b"}, {"SET", "{t}:unfinished", 3},
		},
		keys: recoverKeysSet,
		args: cmd("t1", "0"),
		want: 1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a", "b")},
			{cmd("SMEMBERS", "{t}:set"), members("a", "b")},
			{cmd("GET", "{t}:unfinished"), "2"},
		},
	},
	{
		script: "queue_recover", name: "a set queue's dropped item that was the last task wakes every join",
		setup: [][]any{
			{"RPUSH", "{t}:taken:t1", "b"}, {"ZADD", "{t}:takes", 1, "t1"},
			{"RPUSH", "{t}:list", "b"}, {"SADD", "{t}:set", "b"}, {"SET", "{t}:unfinished", 1},
		},
		keys: recoverKeysSet,
		args: cmd("t1", "0"),
		want: 0,
		after: []probe{
			{cmd("EXISTS", "{t}:unfinished"), 0},
			{cmd("LRANGE", "{t}:joined", 0, -1), strs("1")},
			{cmd("PTTL", "{t}:joined"), between(1, 10000)},
		},
	},
	{
		script: "queue_recover", name: "a set queue's parked item goes back as it is, still a member",
		setup: [][]any{{"RPUSH", "{t}:parked:t1", "p"}, {"SADD", "{t}:set", "p"}, {"ZADD", "{t}:takes", 1, "t1"}},
		keys:  recoverKeysSet,
		args:  cmd("t1", "0"),
		want:  1,
		after: []probe{
			{cmd("LRANGE", "{t}:list", 0, -1), strs("p")},
			{cmd("SMEMBERS", "{t}:set"), members("p")},
		},
	},

	// queue_register: KEYS registrations; ARGV id, ms
	{
		script: "queue_register", name: "registers the take's deadline on the server's clock",
		keys:  []string{"{t}:takes"},
		args:  cmd("t1", "30000"),
		want:  1,
		after: []probe{{cmd("ZSCORE", "{t}:takes", "t1"), msFromNow(25*time.Second, 30*time.Second)}},
	},
	{
		script: "queue_register", name: "registering again moves the deadline",
		setup: [][]any{{"ZADD", "{t}:takes", 1, "t1"}},
		keys:  []string{"{t}:takes"},
		args:  cmd("t1", "30000"),
		want:  1,
		after: []probe{{cmd("ZSCORE", "{t}:takes", "t1"), msFromNow(25*time.Second, 30*time.Second)}},
	},

	// queue_take: KEYS list, registrations, take's list, waiting puts, space, unfinished[, set], acknowledged takes' lists; ARGV id, ms, n, chunk[, acknowledgements, their ids]
	{
		script: "queue_take", name: "a key of another type at the list's name is refused and gets no expiry from the count",
		setup: [][]any{{"SET", "{t}:list", "x"}, {"SET", "{t}:unfinished", 3, "PX", 50000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("PTTL", "{t}:list"), int64(-1)}, {cmd("GET", "{t}:list"), "x"}},
	},
	{
		script: "queue_take", name: "acknowledgements riding along go first: an acknowledged take whose deadline passed is not expired",
		setup: [][]any{
			{"RPUSH", "{t}:list", "a"}, {"RPUSH", "{t}:taken:t0", "x"}, {"RPUSH", "{t}:taken:t2", "y"},
			{"ZADD", "{t}:takes", 1, "t0", later, "t2"},
		},
		keys: append(slices.Clone(takeKeys), "{t}:taken:t0", "{t}:taken:t2"),
		args: cmd("t1", "30000", "1", "100", "2", "t0", "t2"),
		want: took("a"),
		after: []probe{
			{cmd("EXISTS", "{t}:taken:t0", "{t}:taken:t2"), int64(0)},
			{cmd("ZRANGE", "{t}:takes", 0, -1), strs("t1")},
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a")},
		},
	},
	{
		// (Every key exists, so Redis runs it even while the slot migrates:
		// the registrations its acknowledgement empties are not named again.
		// See emptiesSafely.)
		script: "queue_take", name: "a second run that acknowledges the last registration gives its items and names nothing it emptied",
		setup: [][]any{
			{"RPUSH", "{t}:list", "a"}, {"RPUSH", "{t}:taken:t1", "b"}, {"RPUSH", "{t}:taken:t0", "x"},
			{"ZADD", "{t}:takes", later, "t0"}, {"RPUSH", "{t}:putwait", "p"}, {"RPUSH", "{t}:notfull", "s"},
			{"SET", "{t}:unfinished", 3},
		},
		keys: append(slices.Clone(takeKeys), "{t}:taken:t0"),
		args: cmd("t1", "30000", "1", "100", "1", "t0"),
		want: took("b"),
		after: []probe{
			{cmd("EXISTS", "{t}:taken:t0", "{t}:takes"), int64(0)},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
		},
	},
	{
		script: "queue_take", name: "acknowledgements go in chunks, and an expired take not acknowledged is still reported",
		setup: [][]any{
			{"RPUSH", "{t}:list", "a"}, {"RPUSH", "{t}:taken:a1", "x"}, {"RPUSH", "{t}:taken:a2", "x"}, {"RPUSH", "{t}:taken:a3", "x"},
			{"ZADD", "{t}:takes", later, "a1", later, "a2", later, "a3", 1, "old"},
		},
		keys: append(slices.Clone(takeKeys), "{t}:taken:a1", "{t}:taken:a2", "{t}:taken:a3"),
		args: cmd("t1", "30000", "1", "2", "3", "a1", "a2", "a3"),
		want: []any{"0", "old"},
		after: []probe{
			{cmd("EXISTS", "{t}:taken:a1", "{t}:taken:a2", "{t}:taken:a3"), int64(0)},
			{cmd("ZRANGE", "{t}:takes", 0, -1), strs("old")},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("a")},
		},
	},
	{
		script: "queue_take", name: "a set queue's take with an acknowledgement finds its set before the acknowledged lists",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"SADD", "{t}:set", "a", "b"}, {"RPUSH", "{t}:taken:t0", "x"}, {"ZADD", "{t}:takes", later, "t0"}},
		keys:  append(slices.Clone(takeKeysSet), "{t}:taken:t0"),
		args:  cmd("t1", "30000", "1", "100", "1", "t0"),
		want:  took("a"),
		after: []probe{
			{cmd("SMEMBERS", "{t}:set"), strs("b")},
			{cmd("EXISTS", "{t}:taken:t0"), int64(0)},
			{cmd("ZRANGE", "{t}:takes", 0, -1), strs("t1")},
		},
	},
	{
		script: "queue_take", name: "takes n from the head into the take's list and registers its deadline",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b", "c"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("a", "b"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a", "b")},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("c")},
			{cmd("ZSCORE", "{t}:takes", "t1"), msFromNow(25*time.Second, 30*time.Second)},
		},
	},
	{
		script: "queue_take", name: "a list without expiry while the count expires (made by a program in HOT Redis's layout) takes the count's, and so does the take",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"SET", "{t}:unfinished", 3, "PX", 50000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{
			{cmd("PTTL", "{t}:list"), between(40000, 50000)},
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:takes"), between(40000, 50000)},
		},
	},
	{
		script: "queue_take", name: "a set queue's list and set without expiry while the count expires (HOT Redis's layout made them) take the count's",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"SADD", "{t}:set", "a", "b"}, {"SET", "{t}:unfinished", 3, "PX", 50000}},
		keys:  takeKeysSet,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{
			{cmd("PTTL", "{t}:list"), between(40000, 50000)},
			{cmd("PTTL", "{t}:set"), between(40000, 50000)},
			{cmd("SMEMBERS", "{t}:set"), strs("b")},
		},
	},
	{
		script: "queue_take", name: "a take from an expiring queue expires with it, also when it empties the list",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"PEXPIRE", "{t}:list", 50000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), between(40000, 50000)},
			{cmd("PTTL", "{t}:takes"), between(40000, 50000)}, // (the registrations had none)
		},
	},
	{
		script: "queue_take", name: "a take from an expiring queue makes a shorter expiry of the registrations the list's",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"PEXPIRE", "{t}:list", 50000}, {"ZADD", "{t}:takes", later, "t0"}, {"PEXPIRE", "{t}:takes", 5000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{{cmd("PTTL", "{t}:takes"), between(40000, 50000)}},
	},
	{
		script: "queue_take", name: "a take from an expiring queue leaves a longer expiry of the registrations alone",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"PEXPIRE", "{t}:list", 50000}, {"ZADD", "{t}:takes", later, "t0"}, {"PEXPIRE", "{t}:takes", 90000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{{cmd("PTTL", "{t}:takes"), between(80000, 90000)}},
	},
	{
		script: "queue_take", name: "a take from a list without expiry has none, and the registrations lose theirs",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", later, "t0"}, {"PEXPIRE", "{t}:takes", 50000}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), -1},
			{cmd("PTTL", "{t}:takes"), -1}, // (else t1's list would outlive its registration)
		},
	},
	{
		script: "queue_take", name: "a take from a queue without expiry has none",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{
			{cmd("PTTL", "{t}:taken:t1"), -1},
			{cmd("PTTL", "{t}:takes"), -1},
		},
	},
	{
		script: "queue_take", name: "a second run gives what the first took and takes nothing more",
		setup: [][]any{{"RPUSH", "{t}:taken:t1", "a", "b"}, {"RPUSH", "{t}:list", "c", "d"}, {"ZADD", "{t}:takes", 1, "old", later, "t1"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("a", "b"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a", "b")},
			{cmd("LRANGE", "{t}:list", 0, -1), strs("c", "d")},
			{cmd("ZSCORE", "{t}:takes", "t1"), float64(laterMS)},
		},
	},
	{
		script: "queue_take", name: "takes one item",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  took("a"),
		after: []probe{{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a")}},
	},
	{
		script: "queue_take", name: "takes what there is when fewer than n, a chunk at a time",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b", "c"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "5", "2"),
		want:  took("a", "b", "c"),
		after: []probe{
			{cmd("LRANGE", "{t}:taken:t1", 0, -1), strs("a", "b", "c")},
			{cmd("EXISTS", "{t}:list"), 0},
		},
	},
	{
		script: "queue_take", name: "an empty queue gives an empty reply and registers nothing",
		keys:  takeKeys,
		args:  cmd("t1", "30000", "2", "100"),
		want:  cmd("0"),
		after: []probe{{cmd("EXISTS", "{t}:takes"), 0}},
	},
	{
		script: "queue_take", name: "expired registrations come back, latest deadline first, and nothing is taken",
		setup: [][]any{{"RPUSH", "{t}:list", "a"}, {"ZADD", "{t}:takes", 1, "x", 2, "y", later, "z"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "1", "100"),
		want:  cmd("0", "y", "x"),
		after: []probe{
			{cmd("LLEN", "{t}:list"), 1},
			{cmd("EXISTS", "{t}:taken:t1"), 0},
			{cmd("ZCARD", "{t}:takes"), 3},
		},
	},
	{
		script: "queue_take", name: "a set queue's taken items leave the set",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b", "c"}, {"SADD", "{t}:set", "a", "b", "c"}},
		keys:  takeKeysSet,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("a", "b"),
		after: []probe{{cmd("SMEMBERS", "{t}:set"), members("c")}},
	},
	{
		script: "queue_take", name: "taking wakes as many waiting puts as items taken",
		setup: [][]any{{"RPUSH", "{t}:list", "a", "b"}, {"RPUSH", "{t}:putwait", "1", "1", "1"}},
		keys:  takeKeys,
		args:  cmd("t1", "30000", "2", "100"),
		want:  took("a", "b"),
		after: []probe{
			{cmd("LLEN", "{t}:putwait"), 1},
			{cmd("LLEN", "{t}:notfull"), 2},
			{cmd("PTTL", "{t}:notfull"), between(1, 10000)},
		},
	},

	// queue_task_done: KEYS unfinished, join notification
	{
		script: "queue_task_done", name: "one task is done",
		setup: [][]any{{"SET", "{t}:unfinished", 2}},
		keys:  []string{"{t}:unfinished", "{t}:joined"},
		want:  1,
		after: []probe{{cmd("GET", "{t}:unfinished"), "1"}},
	},
	{
		script: "queue_task_done", name: "the last task wakes every join with a fresh token",
		setup: [][]any{{"SET", "{t}:unfinished", 1}, {"RPUSH", "{t}:joined", "old"}},
		keys:  []string{"{t}:unfinished", "{t}:joined"},
		want:  0,
		after: []probe{
			{cmd("EXISTS", "{t}:unfinished"), 0},
			{cmd("LRANGE", "{t}:joined", 0, -1), strs("1")},
			{cmd("PTTL", "{t}:joined"), between(1, 10000)},
		},
	},
	{
		script: "queue_task_done", name: "TASKDONE when no task is unfinished",
		keys: []string{"{t}:unfinished", "{t}:joined"},
		want: errReply("TASKDONE"),
	},

	// rebuild_commit: KEYS key, scratch; ARGV kind, size, expiry time
	{
		script: "rebuild_commit", name: "a rebuilt set replaces the key, without expiry",
		setup: [][]any{{"SADD", "{t}:k", "old"}, {"PEXPIRE", "{t}:k", 100000}, {"SADD", "{t}:tmp", "a", "b"}, {"PEXPIRE", "{t}:tmp", 60000}},
		keys:  []string{"{t}:k", "{t}:tmp"},
		args:  cmd("set", "2", "-1"),
		want:  2,
		after: []probe{
			{cmd("SMEMBERS", "{t}:k"), members("a", "b")},
			{cmd("PTTL", "{t}:k"), -1},
			{cmd("EXISTS", "{t}:tmp"), 0},
		},
	},
	{
		script: "rebuild_commit", name: "the key keeps the expiry it had when the rebuild began",
		setup: [][]any{{"SADD", "{t}:k", "old"}, {"SADD", "{t}:tmp", "a"}, {"PEXPIRE", "{t}:tmp", 60000}},
		keys:  []string{"{t}:k", "{t}:tmp"},
		args:  cmd("set", "1", at),
		want:  1,
		after: []probe{{cmd("PEXPIRETIME", "{t}:k"), at}},
	},
	{
		script: "rebuild_commit", name: "a rebuilt hash replaces the key",
		setup: [][]any{{"HSET", "{t}:k", "old", "1"}, {"HSET", "{t}:tmp", "f", "v"}},
		keys:  []string{"{t}:k", "{t}:tmp"},
		args:  cmd("hash", "1", "-1"),
		want:  1,
		after: []probe{{cmd("HGETALL", "{t}:k"), fields("f", "v")}},
	},
	{
		script: "rebuild_commit", name: "STALE when the scratch key lost entries, changing nothing",
		setup: [][]any{{"SADD", "{t}:k", "old"}, {"SADD", "{t}:tmp", "a"}},
		keys:  []string{"{t}:k", "{t}:tmp"},
		args:  cmd("set", "2", "-1"),
		want:  errReply("STALE {t}:tmp holds 1 entries, not 2"),
		after: []probe{{cmd("SMEMBERS", "{t}:k"), members("old")}},
	},
	{
		script: "rebuild_commit", name: "an empty new value leaves the key absent",
		setup: [][]any{{"SADD", "{t}:k", "old"}},
		keys:  []string{"{t}:k", "{t}:tmp"},
		args:  cmd("set", "0", "-1"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:k"), 0}},
	},

	// sem_acquire: KEYS lk; ARGV common (size 3), id, n, lease, attempt, wait
	{
		script: "sem_acquire", name: "free permits are taken, the token starting the holding's epoch",
		keys: lk,
		args: semArgs("h1", "2", "10000", "w1", "0"),
		want: newHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")},
			{cmd("HGET", "{t}:state", "h1@"), token},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(9*time.Second, 10*time.Second)},
			{cmd("PTTL", "{t}"), between(9000, 10000)},
			{cmd("PTTL", "{t}:state"), between(9000, 10000)},
		},
	},
	{
		script: "sem_acquire", name: "a second take by a handle keeps its holding's epoch",
		setup: [][]any{semAcquire("h1", "1", "w0", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  sameHolding,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")}},
	},
	{
		script: "sem_acquire", name: "an attempt when too few are free gets the time to the earliest lease end",
		setup: [][]any{semAcquire("h2", "3", "w2", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(0, between(9000, 10000)),
		after: []probe{
			{cmd("HEXISTS", "{t}:state", "h1"), 0},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "sem_acquire", name: "a wait when too few are free joins the line",
		setup: [][]any{semAcquire("h2", "3", "w2", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "1"),
		want:  cmd(0, between(9000, 10000), 1, "0-0", nowMs, newTicket),
		after: []probe{
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w1")},
			{cmd("HGET", "{t}:waiting", "w1"), like(`^\d{13} 10000 h1 1$`)},
		},
	},
	{
		script: "sem_acquire", name: "more than the whole semaphore is not taken, with no holder: -1",
		keys: lk,
		args: semArgs("h1", "4", "10000", "w1", "0"),
		want: cmd(0, -1),
	},
	{
		script: "sem_acquire", name: "leases that ran out are dropped first",
		setup: [][]any{{"ZADD", "{t}", 1, "hX"}, {"HSET", "{t}:state", "hX", 3, "hX@", 7, "#used", 3}, {"HSET", "{t}:granted", "wX", "3 hX 7"}},
		keys:  lk,
		args:  semArgs("h1", "2", "10000", "w1", "0"),
		want:  newHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "hX", "hX@", "#used"), cmd(nil, nil, "2")},
			{cmd("ZRANGE", "{t}", 0, -1), strs("h1")},
			{cmd("EXISTS", "{t}:granted"), 0},
		},
	},
	{
		script: "sem_acquire", name: "a take leaves over-released permits without expiry",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 2}},
		keys:  lk,
		args:  semArgs("h1", "4", "10000", "w1", "0"),
		want:  newHolding,
		after: []probe{
			{cmd("PTTL", "{t}:state"), -1},
			{cmd("PTTL", "{t}"), between(9000, 10000)},
		},
	},
	{
		script: "sem_acquire", name: "a grant the wait missed is confirmed with the full lease",
		setup: [][]any{
			{"HSET", "{t}:granted", "w1", "2 h1 777"},
			{"ZADD", "{t}", later, "h1"},
			{"HSET", "{t}:state", "h1", 2, "h1@", 555, "#used", 2},
		},
		keys: lk,
		args: semArgs("h1", "2", "10000", "w1", "1"),
		want: cmd(1, 777, 555),
		after: []probe{
			{cmd("HEXISTS", "{t}:granted", "w1"), 0},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(9*time.Second, 10*time.Second)},
			{cmd("HGET", "{t}:state", "h1"), "2"},
		},
	},
	{
		script: "sem_acquire", name: "a newcomer does not pass a waiter that could be served",
		setup: [][]any{semAcquire("h2", "2", "w2", "0"), semAcquire("h3", "2", "w3", "1")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(0, between(9000, 10000)),
		after: []probe{{cmd("HEXISTS", "{t}:state", "h1"), 0}},
	},
	{
		script: "sem_acquire", name: "a waiter for more than the whole semaphore does not block the others",
		setup: [][]any{semAcquire("h3", "4", "w3", "1")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  newHolding,
		after: []probe{{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w3")}},
	},
	{
		script: "sem_acquire", name: "the waiter first in line is served itself, unannounced",
		setup: [][]any{
			{"ZADD", "{t}:waiters", 1, "w1"},
			{"HSET", "{t}:waiting", "#seq", 1, "w1", later + " 10000 h1 2"},
		},
		keys: lk,
		args: semArgs("h1", "2", "10000", "w1", "1"),
		want: newHolding,
		after: []probe{
			{cmd("HGET", "{t}:state", "h1"), "2"},
			{cmd("EXISTS", "{t}:waiters", "{t}:granted", "{t}:grants:1"), 0},
		},
	},

	{
		script: "sem_acquire", name: "a second run of an attempt that took takes nothing more",
		setup: [][]any{semAcquire("h1", "1", "w0", "0"), semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "2", "10000", "w1", "0"),
		want:  sameHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("3", "3")},
			{cmd("HGET", "{t}:state", "h1#a"), like(`^w1 2 \d+,w0 1 \d+$`)},
		},
	},
	{
		script: "sem_acquire", name: "a second run of a take finds its note after the handle took again",
		setup: [][]any{semAcquire("h1", "1", "w0", "0"), semAcquire("h1", "1", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w0", "0"),
		want:  newHolding, // (the holding began with w0's take)
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")},
			{cmd("HGET", "{t}:state", "h1#a"), like(`^w1 1 \d+,w0 1 \d+$`)},
		},
	},
	{
		script: "sem_acquire", name: "a handle keeps the notes of its latest 8 takes",
		setup: manyTakes("h1", 9),
		keys:  lk,
		args:  append(cmd("1500", "50", "3600000", "20"), "h1", "1", "10000", "w1", "0"), // (w1's note is gone: taken anew)
		want:  sameHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("10", "10")},
			{cmd("HGET", "{t}:state", "h1#a"), like(`^w1 1 \d+,w9 1 \d+,w8 1 \d+,w7 1 \d+,w6 1 \d+,w5 1 \d+,w4 1 \d+,w3 1 \d+$`)},
		},
	},
	{
		script: "sem_acquire", name: "a second run of an attempt that took, with too few left, does not wait",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "2", "10000", "w1", "1"),
		want:  newHolding, // (the holding began with that attempt)
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},

	{
		script: "sem_acquire", name: "a noted take whose holding is gone (the holders expired, the state kept) is taken anew",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 1, "h1", 1, "h1@", 5, "h1#a", "w1 1 5", "#used", 1}},
		keys:  lk,
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  newHolding, // (the stale count, epoch and note went: the state outlived its holders)
		after: []probe{
			{cmd("ZRANGE", "{t}", 0, -1), strs("h1")},
			{cmd("HMGET", "{t}:state", "h1", "#used", "#extra"), strs("1", "1", "1")},
		},
	},

	// sem_cancel: KEYS lk; ARGV common, attempt, handle, "1" if the reply was lost
	{
		script: "sem_cancel", name: "a waiter that gives up leaves the line",
		setup: [][]any{semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "1", "w3", "1")},
		keys:  lk,
		args:  semArgs("w3", "h3"),
		want:  0,
		after: []probe{
			{cmd("EXISTS", "{t}:waiters"), 0},
			{cmd("HEXISTS", "{t}:waiting", "w3"), 0},
		},
	},
	{
		script: "sem_cancel", name: "a grant that arrived meanwhile is given back and passes on",
		setup: [][]any{
			semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "2", "w3", "1"), semAcquire("h4", "2", "w4", "1"),
			eval("sem_release", lk, semArgs("h2", "2", "0")...), // serves w3
		},
		keys: lk,
		args: semArgs("w3", "h3"),
		want: 2,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h3", "h4", "#used"), cmd(nil, "2", "3")},
			{cmd("HKEYS", "{t}:granted"), strs("w4")},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "sem_cancel", name: "an unknown wait gives 0",
		keys: lk,
		args: semArgs("w1", "h1"),
		want: 0,
	},
	{
		script: "sem_cancel", name: "an attempt whose reply was lost gives back what it took, and only that",
		setup: [][]any{semAcquire("h1", "1", "w0", "0"), semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("w1", "h1", "1"),
		want:  2,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")},
			{cmd("HGET", "{t}:state", "h1#a"), like(`^w0 1 \d+$`)}, // (only w1's note goes)
			{cmd("ZRANGE", "{t}", 0, -1), strs("h1")},
		},
	},
	{
		script: "sem_cancel", name: "a second cancel of a lost attempt gives nothing back",
		setup: [][]any{
			semAcquire("h1", "1", "w0", "0"), semAcquire("h1", "2", "w1", "0"),
			eval("sem_cancel", lk, semArgs("w1", "h1", "1")...),
		},
		keys:  lk,
		args:  semArgs("w1", "h1", "1"),
		want:  0,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_cancel", name: "a lost attempt's whole take goes, with the holding",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("w1", "h1", "1"),
		want:  2,
		after: []probe{{cmd("EXISTS", "{t}", "{t}:state"), 0}},
	},
	{
		script: "sem_cancel", name: "a wait known to have taken nothing gives back no take",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("w1", "h1"),
		want:  0,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")}},
	},
	{
		script: "sem_cancel", name: "a lost attempt that did not take leaves the line, and an earlier take stays",
		setup: [][]any{semAcquire("h1", "1", "w0", "0"), semAcquire("h2", "2", "w2", "0"), semAcquire("h1", "1", "w1", "1")},
		keys:  lk,
		args:  semArgs("w1", "h1", "1"),
		want:  0,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "3")},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},

	// sem_acquire_quick: KEYS lk[:4]; ARGV as sem_acquire's
	{
		script: "sem_acquire_quick", name: "the counts of holders whose key expired (the state kept by #extra) are dropped, and the permits taken",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 1, "h9", 4, "h9@", 3, "h9#a", "w9 4 3", "#used", 4}},
		keys:  lk[:4],
		args:  semArgs("h1", "4", "10000", "w1", "0"),
		want:  newHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h9", "h9@", "h9#a", "h1", "#used", "#extra"), cmd(nil, nil, nil, "4", "4", "1")},
		},
	},
	{
		script: "sem_acquire_quick", name: "free permits are taken, the token starting the holding's epoch",
		keys: lk[:4],
		args: semArgs("h1", "2", "10000", "w1", "1"),
		want: newHolding,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")},
			{cmd("HGET", "{t}:state", "h1@"), token},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(9*time.Second, 10*time.Second)},
			{cmd("PTTL", "{t}:state"), between(9000, 10000)},
		},
	},
	{
		script: "sem_acquire_quick", name: "on an unused semaphore the take is noted, for a second run",
		keys: lk[:4],
		args: semArgs("h1", "3", "10000", "w1", "0"),
		want: newHolding,
		after: []probe{
			{cmd("HGET", "{t}:state", "h1#a"), like(`^w1 3 \d+$`)},
			{cmd("PTTL", "{t}"), between(9000, 10000)},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "sem_acquire_quick", name: "on an unused semaphore more than its size is not taken",
		keys:  lk[:4],
		args:  semArgs("h1", "4", "10000", "w1", "0"),
		want:  cmd(0, -1),
		after: []probe{{cmd("EXISTS", "{t}", "{t}:state"), 0}},
	},
	{
		script: "sem_acquire_quick", name: "on an unused semaphore a wait for more than its size is left to sem_acquire",
		keys:  lk[:4],
		args:  semArgs("h1", "4", "10000", "w1", "1"),
		want:  cmd(-1),
		after: []probe{{cmd("EXISTS", "{t}", "{t}:state", "{t}:waiters"), 0}},
	},
	{
		script: "sem_acquire_quick", name: "a second run of an attempt that took is left to sem_acquire",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(-1),
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_acquire_quick", name: "a second take by a handle keeps its holding's epoch",
		setup: [][]any{semAcquire("h1", "1", "w0", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  sameHolding,
	},
	{
		script: "sem_acquire_quick", name: "an attempt when too few are free gets the time to the earliest lease end",
		setup: [][]any{semAcquire("h2", "3", "w2", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(0, between(9000, 10000)),
		after: []probe{{cmd("HEXISTS", "{t}:state", "h1"), 0}},
	},
	{
		script: "sem_acquire_quick", name: "-1 for a wait when too few are free, which does not join the line",
		setup: [][]any{semAcquire("h2", "3", "w2", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "1"),
		want:  cmd(-1),
		after: []probe{{cmd("EXISTS", "{t}:waiters"), 0}},
	},
	{
		script: "sem_acquire_quick", name: "-1 with someone in line, though permits are free",
		setup: [][]any{semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "3", "w3", "1"), {"HINCRBY", "{t}:state", "#extra", 1}},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(-1),
		after: []probe{{cmd("HEXISTS", "{t}:state", "h1"), 0}},
	},
	{
		script: "sem_acquire_quick", name: "-1 when a lease ran out, which stays for sem_acquire to drop",
		setup: [][]any{{"ZADD", "{t}", 1, "hX"}, {"HSET", "{t}:state", "hX", 1, "hX@", 7, "#used", 1}},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "10000", "w1", "0"),
		want:  cmd(-1),
		after: []probe{{cmd("HMGET", "{t}:state", "hX", "#used"), strs("1", "1")}},
	},

	// sem_release_quick: KEYS lk[:4]; ARGV as sem_release's
	{
		script: "sem_release_quick", name: "returning every permit ends the holding",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "2", "0"),
		want:  0,
		after: []probe{
			{cmd("HGETALL", "{t}:state"), fields()},
			{cmd("EXISTS", "{t}"), 0},
		},
	},
	{
		script: "sem_release_quick", name: "returning some permits keeps the rest",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "0"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_release_quick", name: "-1 when the handle holds fewer, changing nothing",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "2", "0"),
		want:  -1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_release_quick", name: "-1 once the lease ran out, changing nothing",
		setup: [][]any{{"ZADD", "{t}", 1, "h1"}, {"HSET", "{t}:state", "h1", 2, "#used", 2}},
		keys:  lk[:4],
		args:  semArgs("h1", "2", "0"),
		want:  -1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")}},
	},
	{
		script: "sem_release_quick", name: "-1 for an over-release",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk[:4],
		args:  semArgs("h1", "1", "2"),
		want:  -1,
		after: []probe{{cmd("HGET", "{t}:state", "#extra"), nil}},
	},
	{
		script: "sem_release_quick", name: "-1 with someone in line: no hand-off, the permits stay held",
		setup: [][]any{semAcquire("h1", "3", "w1", "0"), semAcquire("h2", "1", "w2", "1")},
		keys:  lk[:4],
		args:  semArgs("h1", "3", "0"),
		want:  -1,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("3", "3")},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w2")},
		},
	},

	// sem_release: KEYS lk; ARGV common, id, permits, over
	{
		script: "sem_release", name: "returning every permit ends the holding",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "2", "0"),
		want:  0,
		after: []probe{
			{cmd("HGETALL", "{t}:state"), fields()},
			{cmd("EXISTS", "{t}"), 0},
		},
	},
	{
		script: "sem_release", name: "returning some permits keeps the rest",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "0"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_release", name: "NOTHELD when the handle holds fewer, changing nothing",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "2", "0"),
		want:  errReply("NOTHELD"),
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")}},
	},
	{
		script: "sem_release", name: "NOTHELD once the lease ran out",
		setup: [][]any{{"ZADD", "{t}", 1, "h1"}, {"HSET", "{t}:state", "h1", 2, "#used", 2}},
		keys:  lk,
		args:  semArgs("h1", "2", "0"),
		want:  errReply("NOTHELD"),
	},
	{
		script: "sem_release", name: "over-release grows the capacity for good",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), semAcquire("h2", "1", "w2", "0")},
		keys:  lk,
		args:  semArgs("h1", "1", "2"),
		want:  0,
		after: []probe{
			{cmd("HGET", "{t}:state", "#extra"), "2"},
			{cmd("PTTL", "{t}:state"), -1},
			{eval("sem_value", lk, semArgs()...), 4},
		},
	},
	{
		script: "sem_release", name: "OVERFLOW when the over-release would take the capacity to 2^52, changing nothing",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), {"HSET", "{t}:state", "#extra", "4503599627370490"}},
		keys:  lk,
		args:  semArgs("h1", "1", "3"), // 3 + 4503599627370490 + 3 = 2^52
		want:  errReply("OVERFLOW"),
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used", "#extra"), strs("1", "1", "4503599627370490")}},
	},
	{
		script: "sem_release", name: "an over-release up to just below 2^52 is exact",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), {"HSET", "{t}:state", "#extra", "4503599627370490"}},
		keys:  lk,
		args:  semArgs("h1", "1", "2"),
		want:  0,
		after: []probe{
			{cmd("HGET", "{t}:state", "#extra"), "4503599627370492"},
			{eval("sem_value", lk, semArgs()...), 4503599627370495},
		},
	},
	{
		script: "sem_release", name: "a release hands the permits to the first waiter, announced on its stream",
		setup: [][]any{semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "2", "w3", "1")},
		keys:  lk,
		args:  semArgs("h2", "3", "0"),
		want:  0,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h2", "h3", "#used"), cmd(nil, "2", "2")},
			{cmd("HGET", "{t}:granted", "w3"), like(`^2 h3 \d{16} \d{13}$`)},
			{cmd("PTTL", "{t}:granted"), between(11000, 11500)},
			{cmd("XRANGE", "{t}:grants:1", "-", "+"), grantEntry("w3", true)},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "sem_release", name: "a grant to a waiter of a shorter lease keeps the other grants' records as long",
		setup: [][]any{
			semAcquire("h2", "3", "w2", "0"),
			eval("sem_acquire", lk, semArgs("h3", "2", "100", "w3", "1")...),
			{"HSET", "{t}:granted", "wA", "1 h9 5 1"},
			{"PEXPIRE", "{t}:granted", 20000},
		},
		keys: lk,
		args: semArgs("h2", "3", "0"),
		want: 0,
		after: []probe{
			{cmd("HGET", "{t}:granted", "w3"), like(`^2 h3 \d{16} \d{13}$`)},
			{cmd("PTTL", "{t}:granted"), between(19000, 20000)},
		},
	},
	{
		script: "sem_release", name: "a grant to a waiter of a longer lease makes the grants' records last as long",
		setup: [][]any{
			semAcquire("h2", "3", "w2", "0"),
			semAcquire("h3", "2", "w3", "1"),
			{"HSET", "{t}:granted", "wA", "1 h9 5 1"},
			{"PEXPIRE", "{t}:granted", 1000},
		},
		keys: lk,
		args: semArgs("h2", "3", "0"),
		want: 0,
		after: []probe{
			{cmd("HGET", "{t}:granted", "w3"), like(`^2 h3 \d{16} \d{13}$`)},
			{cmd("PTTL", "{t}:granted"), between(11000, 11500)},
		},
	},
	{
		script: "sem_release", name: "a release serves waiters in order and stops at one that does not fit",
		setup: [][]any{
			semAcquire("h2", "3", "w2", "0"),
			semAcquire("h3", "1", "w3", "1"), semAcquire("h4", "3", "w4", "1"), semAcquire("h5", "1", "w5", "1"),
		},
		keys: lk,
		args: semArgs("h2", "2", "0"),
		want: 1,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h3", "h4", "h5"), cmd("1", nil, nil)},
			{cmd("ZRANGE", "{t}:waiters", 0, -1), strs("w4", "w5")},
		},
	},

	// sem_renew: KEYS lk; ARGV common, id, lease, wait ids...
	{
		script: "sem_renew", name: "a live lease is renewed",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "20000"),
		want:  1,
		after: []probe{
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)},
			{cmd("PTTL", "{t}"), between(19000, 20000)},
		},
	},
	{
		script: "sem_renew", name: "a lost lease is not revived: its permits and grants go",
		setup: [][]any{
			{"ZADD", "{t}", 1, "h1"},
			{"HSET", "{t}:state", "h1", 2, "h1@", 5, "#used", 2},
			{"HSET", "{t}:granted", "wX", "2 h1 9"},
		},
		keys: lk,
		args: semArgs("h1", "20000"),
		want: 0,
		after: []probe{
			{cmd("HGETALL", "{t}:state"), fields()},
			{cmd("EXISTS", "{t}", "{t}:granted"), 0},
		},
	},
	{
		script: "sem_renew", name: "a handle that holds nothing gives 0",
		keys: lk,
		args: semArgs("h1", "20000"),
		want: 0,
	},
	{
		script: "sem_renew", name: "grants the handle has read are confirmed",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), {"HSET", "{t}:granted", "wA", "1 h1 5", "wB", "1 h1 6"}},
		keys:  lk,
		args:  semArgs("h1", "20000", "-1", "0", "wA"),
		want:  1,
		after: []probe{{cmd("HKEYS", "{t}:granted"), strs("wB")}},
	},
	{
		script: "sem_renew", name: "permits counted beyond the handle's are reported, not dropped",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "20000", "1", "0"),
		want:  2,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)},
		},
	},
	{
		script: "sem_renew", name: "permits counted beyond the handle's go to the line when asked",
		setup: [][]any{
			semAcquire("h1", "3", "w1", "0"),
			semAcquire("h2", "1", "w2", "1"),
		},
		keys: lk,
		args: semArgs("h1", "20000", "1", "1"),
		want: 1,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "h2", "#used"), strs("1", "1", "2")},
			{cmd("HEXISTS", "{t}:state", "h1#a"), 0},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)},
			{cmd("HGET", "{t}:granted", "w2"), like(`^1 h2 \d+ \d+$`)},
			{cmd("EXISTS", "{t}:waiters"), 0},
		},
	},
	{
		script: "sem_renew", name: "grants to the handle's waits count as its permits",
		setup: [][]any{
			semAcquire("h1", "1", "w1", "0"),
			{"HINCRBY", "{t}:state", "h1", 2},
			{"HINCRBY", "{t}:state", "#used", 2},
			{"HSET", "{t}:granted", "wA", "2 h1 9 1", "wB", "1 h2 10 1"},
		},
		keys:  lk,
		args:  semArgs("h1", "20000", "1", "1"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("3", "3")}},
	},
	{
		script: "sem_renew", name: "fewer permits counted than the handle's are reported",
		setup: [][]any{semAcquire("h1", "1", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "20000", "2", "0"),
		want:  3,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "#used"), strs("1", "1")},
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)},
		},
	},
	{
		script: "sem_renew", name: "fewer permits counted than the handle's: when asked, the holding ends and the rest goes to the line",
		setup: [][]any{
			semAcquire("h1", "1", "w1", "0"),
			semAcquire("h2", "3", "w2", "1"),
			{"HSET", "{t}:granted", "wA", "1 h1 9 1"},
		},
		keys: lk,
		args: semArgs("h1", "20000", "2", "1"),
		want: 0,
		after: []probe{
			{cmd("HMGET", "{t}:state", "h1", "h1#a", "h2", "#used"), cmd(nil, nil, "3", "3")},
			{cmd("ZSCORE", "{t}", "h1"), nil},
			{cmd("HEXISTS", "{t}:granted", "wA"), 0},
		},
	},
	{
		script: "sem_renew", name: "a handle's count that matches is renewed",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs("h1", "20000", "2", "1"),
		want:  1,
		after: []probe{{cmd("HMGET", "{t}:state", "h1", "#used"), strs("2", "2")}},
	},

	// sem_renew_quick: KEYS lk[:2]; ARGV as sem_renew's
	{
		script: "sem_renew_quick", name: "a live lease is renewed",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "2", "0"),
		want:  1,
		after: []probe{
			{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)},
			{cmd("PTTL", "{t}"), between(19000, 20000)},
			{cmd("PTTL", "{t}:state"), between(19000, 20000)},
		},
	},
	{
		script: "sem_renew_quick", name: "a lost lease is left to sem_renew",
		setup: [][]any{{"ZADD", "{t}", 1, "h1"}, {"HSET", "{t}:state", "h1", 2, "h1@", 5, "#used", 2}},
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "2", "0"),
		want:  -1,
		after: []probe{{cmd("ZSCORE", "{t}", "h1"), near(1)}, {cmd("HGET", "{t}:state", "h1"), "2"}},
	},
	{
		script: "sem_renew_quick", name: "a handle that holds nothing is left to sem_renew",
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "1", "0"),
		want:  -1,
		after: []probe{{cmd("EXISTS", "{t}", "{t}:state"), 0}},
	},
	{
		script: "sem_renew_quick", name: "grants to confirm are left to sem_renew",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), {"PEXPIRE", "{t}", 5000}},
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "1", "0", "wA"),
		want:  -1,
		after: []probe{{cmd("PTTL", "{t}"), between(1, 5000)}},
	},
	{
		script: "sem_renew_quick", name: "permits beyond the handle's count are left to sem_renew",
		setup: [][]any{semAcquire("h1", "2", "w1", "0"), {"PEXPIRE", "{t}", 5000}},
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "1", "0"),
		want:  -1,
		after: []probe{{cmd("PTTL", "{t}"), between(1, 5000)}, {cmd("HGET", "{t}:state", "h1"), "2"}},
	},
	{
		script: "sem_renew_quick", name: "permits fewer than the handle's count are left to sem_renew",
		setup: [][]any{semAcquire("h1", "1", "w1", "0"), {"PEXPIRE", "{t}", 5000}},
		keys:  lk[:2],
		args:  semArgs("h1", "20000", "2", "0"),
		want:  -1,
		after: []probe{{cmd("PTTL", "{t}"), between(1, 5000)}},
	},
	{
		script: "sem_renew_quick", name: "a handle's count unknown: renewed",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk[:2],
		args:  semArgs("h1", "20000"),
		want:  1,
		after: []probe{{cmd("ZSCORE", "{t}", "h1"), msFromNow(19*time.Second, 20*time.Second)}},
	},

	// sem_value: KEYS lk; ARGV common
	{
		script: "sem_value", name: "an unused semaphore has its size free",
		keys: lk,
		args: semArgs(),
		want: 3,
	},
	{
		script: "sem_value", name: "counts left by holders whose key expired are free",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 1, "h9", 4, "h9@", 3, "h9#a", "w9 4 3", "#used", 4}},
		keys:  lk,
		args:  semArgs(),
		want:  4,
	},
	{
		script: "sem_release", name: "a handle counted only by a state that outlived its holders holds nothing",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 1, "h9", 4, "h9@", 3, "h9#a", "w9 4 3", "#used", 4}},
		keys:  lk,
		args:  semArgs("h9", "1", "0"),
		want:  errReply("NOTHELD"),
		after: []probe{{cmd("HMGET", "{t}:state", "h9", "#used", "#extra"), cmd(nil, nil, "1")}},
	},
	{
		script: "sem_value", name: "held permits are not free",
		setup: [][]any{semAcquire("h1", "2", "w1", "0")},
		keys:  lk,
		args:  semArgs(),
		want:  1,
	},
	{
		script: "sem_value", name: "permits on a lease that ran out count as free",
		setup: [][]any{{"ZADD", "{t}", 1, "h1"}, {"HSET", "{t}:state", "h1", 2, "#used", 2}},
		keys:  lk,
		args:  semArgs(),
		want:  3,
	},
	{
		script: "sem_value", name: "over-released permits add to the size",
		setup: [][]any{{"HSET", "{t}:state", "#extra", 2}},
		keys:  lk,
		args:  semArgs(),
		want:  5,
	},

	// set_step: KEYS set, scratch[, look-ups]; ARGV size, ttl, step, ...
	{
		script: "set_step", name: "STALE when the scratch set lost members",
		keys: []string{"{t}:s", "{t}:tmp"},
		args: cmd("1", "60000", "inter", "a"),
		want: errReply("STALE {t}:tmp holds 0 members, not 1"),
	},
	{
		script: "set_step", name: "a step over more members than unpack takes at once",
		setup: [][]any{many("SADD", "{t}", 10000, 1), many("SADD", "{t}:o", 10000, 1)},
		keys:  []string{"{t}", "{t}:tmp", "{t}:o"},
		args:  cmd("0", "60000", "pick", "0", "12000", "2097152", "all"),
		want:  cmd("0", 10000, 48894, 10000),
	},
	{
		// 300 members of 10,000 bytes in a hashtable set: a step of up to 100
		// stops once 50,000 bytes are copied (5 members, a few more as an
		// SSCAN rounds up to a bucket).
		script: "set_step", name: "copy stops at the bytes, whatever its count",
		setup: [][]any{bigMembers("SADD", "{t}:s", 300, 10000)},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("0", "60000", "copy", "0", "100", "50000"),
		want:  scannedWithin(1, 5, 12),
	},
	{
		script: "set_step", name: "copy copies the members, renewing the scratch set's expiry",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("0", "60000", "copy", "0", "100", "2097152"),
		want:  cmd("0", 2, 2, 2),
		after: []probe{
			{cmd("SMEMBERS", "{t}:tmp"), members("a", "b")},
			{cmd("PTTL", "{t}:tmp"), between(1, 60000)},
		},
	},
	{
		script: "set_step", name: "pick all keeps the members in every look-up set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"SADD", "{t}:o1", "a", "b"}, {"SADD", "{t}:o2", "a"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o1", "{t}:o2"},
		args:  cmd("0", "60000", "pick", "0", "100", "2097152", "all"),
		want:  cmd("0", 1, 3, 3),
		after: []probe{{cmd("SMEMBERS", "{t}:tmp"), members("a")}},
	},
	{
		script: "set_step", name: "pick none keeps the members in no look-up set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"SADD", "{t}:o1", "a"}, {"SADD", "{t}:o2", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o1", "{t}:o2"},
		args:  cmd("0", "60000", "pick", "0", "100", "2097152", "none"),
		want:  cmd("0", 1, 3, 3),
		after: []probe{{cmd("SMEMBERS", "{t}:tmp"), members("c")}},
	},
	{
		script: "set_step", name: "pick odd keeps the members in an odd number of look-up sets",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"SADD", "{t}:o1", "a", "b"}, {"SADD", "{t}:o2", "a"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o1", "{t}:o2"},
		args:  cmd("0", "60000", "pick", "0", "100", "2097152", "odd"),
		want:  cmd("0", 1, 3, 3),
		after: []probe{{cmd("SMEMBERS", "{t}:tmp"), members("b")}},
	},
	{
		script: "set_step", name: "pick odd counts a set named twice twice",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}, {"SADD", "{t}:o1", "a"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o1", "{t}:o1"},
		args:  cmd("0", "60000", "pick", "0", "100", "2097152", "odd"),
		want:  cmd("0", 0, 2, 2),
	},
	{
		script: "set_step", name: "inter adds the values that are members of the set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("0", "60000", "inter", "a", "c"),
		want:  cmd("0", 1),
		after: []probe{{cmd("SMEMBERS", "{t}:tmp"), members("a")}},
	},
	{
		script: "set_step", name: "xor removes the values that are members and adds the others",
		setup: [][]any{{"SADD", "{t}:s", "a"}, {"SADD", "{t}:tmp", "a", "z"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("2", "60000", "xor", "a", "b"),
		want:  cmd("0", 2),
		after: []probe{{cmd("SMEMBERS", "{t}:tmp"), members("b", "z")}},
	},
	{
		script: "set_step", name: "a step without values does nothing",
		setup: [][]any{{"SADD", "{t}:tmp", "x"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("1", "60000", "xor"),
		want:  cmd("0", 1),
	},
	{
		script: "set_step", name: "an unknown step is an error",
		keys: []string{"{t}:s", "{t}:tmp"},
		args: cmd("0", "60000", "foo", "a"),
		want: errReply("ERR set_step: unknown step foo"),
	},

	// set_store: KEYS set, scratch, others...; ARGV op, chunk, limit[, bytes]
	{
		script: "set_store", name: "union adds the other sets' members, a chunk at a time",
		setup: [][]any{{"SADD", "{t}:s", "a"}, {"SADD", "{t}:o", "b", "c"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("union", "1", "0"),
		want:  3,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("a", "b", "c")}},
	},
	{
		script: "set_store", name: "inter replaces the set, keeping its expiry",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"PEXPIRE", "{t}:s", 100000}, {"SADD", "{t}:o", "b", "c", "d"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("inter", "100", "0"),
		want:  2,
		after: []probe{
			{cmd("SMEMBERS", "{t}:s"), members("b", "c")},
			{cmd("PTTL", "{t}:s"), between(1, 100000)},
			{cmd("EXISTS", "{t}:tmp"), 0},
		},
	},
	{
		script: "set_store", name: "inter with nothing in common empties the set",
		setup: [][]any{{"SADD", "{t}:s", "a"}, {"SADD", "{t}:o", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("inter", "100", "0"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:s", "{t}:tmp"), 0}},
	},
	{
		script: "set_store", name: "diff removes the other sets' members",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}, {"SADD", "{t}:o", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("diff", "100", "0"),
		want:  1,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("a")}},
	},
	{
		script: "set_store", name: "diff with itself empties the set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:s"},
		args:  cmd("diff", "100", "0"),
		want:  0,
	},
	{
		script: "set_store", name: "xor toggles the other sets' members",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}, {"SADD", "{t}:o", "b", "c"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("xor", "1", "0"),
		want:  2,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("a", "c")}},
	},
	{
		script: "set_store", name: "xor with the set itself among the others toggles by its members before the change",
		setup: [][]any{{"SADD", "{t}:s", "1", "2"}, {"SADD", "{t}:o", "2", "3"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o", "{t}:s"},
		args:  cmd("xor", "1", "0"),
		want:  2,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("2", "3")}},
	},
	{
		script: "set_store", name: "BIG when the other sets hold more members than the limit, changing nothing",
		setup: [][]any{{"SADD", "{t}:s", "a"}, {"SADD", "{t}:o", "b", "c"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("union", "100", "1"),
		want:  errReply("BIG 2 members to visit, over 1"),
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("a")}},
	},
	{
		script: "set_store", name: "BIG for inter counts the smallest set once per set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"SADD", "{t}:o", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("inter", "100", "3"),
		want:  errReply("BIG 4 members to visit, over 3"),
	},
	{
		script: "set_store", name: "BIG when the other sets hold more bytes than the bound, changing nothing",
		setup: [][]any{{"SADD", "{t}:s", "aaaaaaaa"}, {"SADD", "{t}:o", "bb", "cc"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("union", "100", "0", "3"),
		want:  errReply("BIG over 3 bytes to copy"),
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("aaaaaaaa")}},
	},
	{
		script: "set_store", name: "copies as many bytes as the bound",
		setup: [][]any{{"SADD", "{t}:s", "aaaaaaaa"}, {"SADD", "{t}:o", "bb", "cc"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("union", "100", "0", "4"),
		want:  3,
	},
	{
		script: "set_store", name: "BIG for inter by the smallest set's bytes",
		setup: [][]any{{"SADD", "{t}:s", "aaaaaaaa", "b"}, {"SADD", "{t}:o", "aaaaaaaa"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("inter", "100", "0", "7"),
		want:  errReply("BIG over 7 bytes to copy"),
		after: []probe{{cmd("SCARD", "{t}:s"), 2}},
	},
	{
		script: "set_store", name: "WRONGTYPE when another key is not a set, changing nothing",
		setup: [][]any{{"SADD", "{t}:s", "a"}, {"SADD", "{t}:o1", "b"}, {"SET", "{t}:o2", "x"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o1", "{t}:o2"},
		args:  cmd("union", "100", "0"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("a")}},
	},
	{
		script: "set_store", name: "an unknown op is an error",
		setup: [][]any{{"SADD", "{t}:o", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp", "{t}:o"},
		args:  cmd("foo", "100", "0"),
		want:  errReply("ERR set_store: unknown op foo"),
	},

	// set_values: KEYS set; ARGV op, chunk, bound, bytes, values...
	{
		script: "set_values", name: "compare counts the set, the values and the values that are members",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("compare", "1", "0", "0", "a", "x"),
		want:  cmd(3, 2, 1),
	},
	{
		script: "set_values", name: "inter gives the values that are members, in their order",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("inter", "2", "0", "0", "c", "x", "a"),
		want:  strs("c", "a"),
	},
	{
		script: "set_values", name: "union",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s"},
		args:  cmd("union", "100", "0", "0", "b", "x"),
		want:  members("a", "b", "x"),
	},
	{
		script: "set_values", name: "diff",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("diff", "100", "0", "0", "a", "x"),
		want:  members("b", "c"),
	},
	{
		script: "set_values", name: "xor",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("xor", "100", "0", "0", "a", "x"),
		want:  members("b", "c", "x"),
	},
	{
		script: "set_values", name: "a missing set without values",
		keys: []string{"{t}:s"},
		args: cmd("compare", "100", "0", "0"),
		want: cmd(0, 0, 0),
	},
	{
		script: "set_values", name: "WRONGTYPE without values",
		setup: [][]any{{"SET", "{t}:s", "x"}},
		keys:  []string{"{t}:s"},
		args:  cmd("union", "100", "0", "0"),
		want:  errReply("WRONGTYPE"),
	},

	{
		script: "set_values", name: "WRONGTYPE with a bound",
		setup: [][]any{{"SET", "{t}:s", "x"}},
		keys:  []string{"{t}:s"},
		args:  cmd("diff", "100", "10", "0", "a"),
		want:  errReply("WRONGTYPE"),
	},
	{
		script: "set_values", name: "union over its bound (members and values) is BIG",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s"},
		args:  cmd("union", "100", "3", "0", "b", "x"),
		want:  errReply("BIG 4 members and values to visit, over 3"),
	},
	{
		script: "set_values", name: "inter within its bound counts only the values",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("inter", "100", "2", "0", "c", "x"),
		want:  strs("c"),
	},
	{
		script: "set_values", name: "compare over its bound is BIG",
		setup: [][]any{{"SADD", "{t}:s", "a"}},
		keys:  []string{"{t}:s"},
		args:  cmd("compare", "100", "1", "0", "a", "x"),
		want:  errReply("BIG 2 members and values to visit, over 1"),
	},
	{
		script: "set_values", name: "a union of more bytes than its bound is BIG",
		setup: [][]any{{"SADD", "{t}:s", "aa", "bb"}},
		keys:  []string{"{t}:s"},
		args:  cmd("union", "100", "0", "6", "xyz"), // (4 bytes of members, 3 of values)
		want:  errReply("BIG over 6 bytes"),
	},
	{
		script: "set_values", name: "a union of as many bytes as its bound",
		setup: [][]any{{"SADD", "{t}:s", "aa", "bb"}},
		keys:  []string{"{t}:s"},
		args:  cmd("union", "100", "0", "7", "xyz"),
		want:  members("aa", "bb", "xyz"),
	},
	{
		script: "set_values", name: "an intersection is not bounded by the set's bytes",
		setup: [][]any{{"SADD", "{t}:s", "aa", "bb"}},
		keys:  []string{"{t}:s"},
		args:  cmd("inter", "100", "0", "1", "aa"),
		want:  strs("aa"),
	},

	// set_values_update: KEYS set, scratch; ARGV op, chunk, values...
	{
		script: "set_values_update", name: "union adds the values, a chunk at a time",
		setup: [][]any{{"SADD", "{t}:s", "a"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("union", "1", "a", "b", "c"),
		want:  3,
	},
	{
		script: "set_values_update", name: "diff removes the values",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("diff", "1", "a", "x"),
		want:  1,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("b")}},
	},
	{
		script: "set_values_update", name: "xor toggles the values",
		setup: [][]any{{"SADD", "{t}:s", "a", "b"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("xor", "1", "a", "x"),
		want:  2,
		after: []probe{{cmd("SMEMBERS", "{t}:s"), members("b", "x")}},
	},
	{
		script: "set_values_update", name: "inter keeps the members among the values and the expiry, and drops the scratch set",
		setup: [][]any{{"SADD", "{t}:s", "a", "b", "c"}, {"PEXPIRE", "{t}:s", 100000}, {"SADD", "{t}:tmp", "junk"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("inter", "1", "a", "c", "x"),
		want:  2,
		after: []probe{
			{cmd("SMEMBERS", "{t}:s"), members("a", "c")},
			{cmd("PTTL", "{t}:s"), between(1, 100000)},
			{cmd("EXISTS", "{t}:tmp"), 0},
		},
	},
	{
		script: "set_values_update", name: "inter with no member among the values empties the set",
		setup: [][]any{{"SADD", "{t}:s", "a"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("inter", "100", "x"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:s"), 0}},
	},
	{
		script: "set_values_update", name: "WRONGTYPE on a key that is not a set",
		setup: [][]any{{"SET", "{t}:s", "x"}},
		keys:  []string{"{t}:s", "{t}:tmp"},
		args:  cmd("union", "100", "a"),
		want:  errReply("WRONGTYPE"),
	},
	{
		script: "set_values_update", name: "an unknown op is an error",
		keys: []string{"{t}:s", "{t}:tmp"},
		args: cmd("foo", "100", "a"),
		want: errReply("ERR set_values_update: unknown op foo"),
	},

	// set_pick: KEYS scanned set, look-ups...; ARGV cursor, count, rule, mode
	{
		script: "set_pick", name: "all: the members found in every other set",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}, {"SADD", "{t}:c", "3", "2", "9"}},
		keys:  []string{"{t}:a", "{t}:b", "{t}:c"},
		args:  cmd("0", "100", "all", "members"),
		want:  picked("0", 3, "2", "3"),
	},
	{
		script: "set_pick", name: "none: the members found in no other set",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "4"}},
		keys:  []string{"{t}:a", "{t}:b", "{t}:missing"},
		args:  cmd("0", "100", "none", "members"),
		want:  picked("0", 3, "1", "3"),
	},
	{
		script: "set_pick", name: "count: only how many",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("0", "100", "all", "count"),
		want:  cmd("0", 3, 2),
	},
	{
		script: "set_pick", name: "a missing set scans nothing",
		keys: []string{"{t}:a", "{t}:b"},
		args: cmd("0", "100", "all", "count"),
		want: cmd("0", 0, 0),
	},

	// set_read: KEYS sets...; ARGV op, limit[, bytes]
	{
		script: "set_read", name: "compare: the sizes and the intersection's",
		setup: [][]any{{"SADD", "{t}:a", 1, 2, 3}, {"SADD", "{t}:b", 2, 3, 4, 5}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("compare", "0"),
		want:  cmd(3, 4, 2),
	},
	{
		script: "set_read", name: "compare: missing sets are empty",
		keys: []string{"{t}:a", "{t}:b"},
		args: cmd("compare", "10"),
		want: cmd(0, 0, 0),
	},
	{
		script: "set_read", name: "union, intersection and difference are Redis's",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("union", "6"),
		want:  members("1", "2", "3", "4"),
	},
	{
		script: "set_read", name: "inter",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("inter", "6"),
		want:  members("2", "3"),
	},
	{
		script: "set_read", name: "diff",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("diff", "6"),
		want:  members("1"),
	},
	{
		script: "set_read", name: "BIG, reading nothing, when the sets hold more than the limit",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("union", "5"),
		want:  errReply("BIG 6 members to visit, over 5"),
	},
	{
		script: "set_read", name: "BIG, reading nothing, when the sets hold more bytes than the bound",
		setup: [][]any{{"SADD", "{t}:a", "11", "22"}, {"SADD", "{t}:b", "333"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("diff", "0", "6"),
		want:  errReply("BIG over 6 bytes"),
	},
	{
		script: "set_read", name: "reads as many bytes as the bound",
		setup: [][]any{{"SADD", "{t}:a", "11", "22"}, {"SADD", "{t}:b", "333"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("union", "0", "7"),
		want:  members("11", "22", "333"),
	},
	{
		script: "set_read", name: "an intersection's bytes are the smallest set's",
		setup: [][]any{{"SADD", "{t}:a", "11", "22"}, {"SADD", "{t}:b", "22"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("inter", "0", "2"),
		want:  strs("22"),
	},
	{
		script: "set_read", name: "compare is not bounded by bytes",
		setup: [][]any{{"SADD", "{t}:a", "11", "22"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("compare", "0", "1"),
		want:  cmd(2, 0, 0),
	},
	{
		script: "set_read", name: "an intersection counts the smallest set once per set",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3", "4", "5", "6"}, {"SADD", "{t}:b", "2"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("inter", "2"),
		want:  members("2"),
	},
	{
		script: "set_read", name: "xor: one set is its members",
		setup: [][]any{{"SADD", "{t}:a", "1", "2"}},
		keys:  []string{"{t}:a"},
		args:  cmd("xor", "0"),
		want:  members("1", "2"),
	},
	{
		script: "set_read", name: "xor: two sets",
		setup: [][]any{{"SADD", "{t}:a", "1", "2"}, {"SADD", "{t}:b", "2", "3"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("xor", "0"),
		want:  members("1", "3"),
	},
	{
		script: "set_read", name: "xor: three sets keep the members of an odd number of them",
		setup: [][]any{{"SADD", "{t}:a", "1", "2", "3"}, {"SADD", "{t}:b", "2", "3"}, {"SADD", "{t}:c", "3", "4"}},
		keys:  []string{"{t}:a", "{t}:b", "{t}:c"},
		args:  cmd("xor", "0"),
		want:  members("1", "3", "4"),
	},
	{
		script: "set_read", name: "xor: a set named twice cancels out",
		setup: [][]any{{"SADD", "{t}:a", "1", "2"}, {"SADD", "{t}:b", "2", "3"}},
		keys:  []string{"{t}:a", "{t}:b", "{t}:a"},
		args:  cmd("xor", "0"),
		want:  members("2", "3"),
	},
	{
		script: "set_read", name: "WRONGTYPE when a key is not a set",
		setup: [][]any{{"SADD", "{t}:a", "1"}, {"SET", "{t}:b", "x"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("union", "0"),
		want:  errReply("WRONGTYPE"),
	},
	{
		script: "set_read", name: "an unknown operation is an error",
		keys: []string{"{t}:a"},
		args: cmd("foo", "0"),
		want: errReply("ERR set_read: unknown operation foo"),
	},

	// string_cas: KEYS string; ARGV old, new
	{
		script: "string_cas", name: "sets the new value when the old one matches, keeping the expiry",
		setup: [][]any{{"SET", "{t}:s", "a", "PX", 100000}},
		keys:  []string{"{t}:s"},
		args:  cmd("a", "b"),
		want:  1,
		after: []probe{
			{cmd("GET", "{t}:s"), "b"},
			{cmd("PTTL", "{t}:s"), between(1, 100000)},
		},
	},
	{
		script: "string_cas", name: "a string that changed is left alone",
		setup: [][]any{{"SET", "{t}:s", "c"}},
		keys:  []string{"{t}:s"},
		args:  cmd("a", "b"),
		want:  0,
		after: []probe{{cmd("GET", "{t}:s"), "c"}},
	},
	{
		script: "string_cas", name: "a missing string reads as empty",
		keys:  []string{"{t}:s"},
		args:  cmd("", "b"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:s"), "b"}},
	},
	{
		script: "string_cas", name: "an empty new value deletes the string",
		setup: [][]any{{"SET", "{t}:s", "a"}},
		keys:  []string{"{t}:s"},
		args:  cmd("a", ""),
		want:  1,
		after: []probe{{cmd("EXISTS", "{t}:s"), 0}},
	},

	// string_set: KEYS string; ARGV new value
	{
		script: "string_set", name: "sets the value, keeping the expiry",
		setup: [][]any{{"SET", "{t}:s", "a", "PX", 100000}},
		keys:  []string{"{t}:s"},
		args:  cmd("b"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:s"), "b"}, {cmd("PTTL", "{t}:s"), between(1, 100000)}},
	},
	{
		script: "string_set", name: "a missing key is made, with no expiry",
		keys:  []string{"{t}:s"},
		args:  cmd("b"),
		want:  1,
		after: []probe{{cmd("GET", "{t}:s"), "b"}, {cmd("PTTL", "{t}:s"), -1}},
	},
	{
		script: "string_set", name: "an empty value deletes the string",
		setup: [][]any{{"SET", "{t}:s", "a", "PX", 100000}},
		keys:  []string{"{t}:s"},
		args:  cmd(""),
		want:  1,
		after: []probe{{cmd("EXISTS", "{t}:s"), 0}},
	},
	{
		script: "string_set", name: "a key of another type is refused, with its expiry",
		setup: [][]any{{"RPUSH", "{t}:s", "x"}, {"PEXPIRE", "{t}:s", 100000}},
		keys:  []string{"{t}:s"},
		args:  cmd("b"),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("LRANGE", "{t}:s", 0, -1), []any{"x"}}, {cmd("PTTL", "{t}:s"), between(1, 100000)}},
	},
	{
		script: "string_set", name: "an empty value does not delete a key of another type",
		setup: [][]any{{"HSET", "{t}:s", "a", "1"}},
		keys:  []string{"{t}:s"},
		args:  cmd(""),
		want:  errReply("WRONGTYPE"),
		after: []probe{{cmd("HGET", "{t}:s", "a"), "1"}},
	},

	// string_concat: KEYS source, destination; ARGV suffix, one-script bound, max length
	{
		script: "string_concat", name: "stores the string and the suffix at the destination",
		setup: [][]any{{"SET", "{t}:a", "ab"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("cd", "100", "1000"),
		want:  4,
		after: []probe{
			{cmd("GET", "{t}:b"), "abcd"},
			{cmd("GET", "{t}:a"), "ab"},
		},
	},
	{
		script: "string_concat", name: "an empty result deletes the destination",
		setup: [][]any{{"SET", "{t}:b", "old"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("", "100", "1000"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:b"), 0}},
	},

	{
		script: "string_concat", name: "BIG beyond the one-script bound, max length, changing nothing",
		setup: [][]any{{"SET", "{t}:a", "abc"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("de", "4", "1000"),
		want:  errReply("BIG"),
		after: []probe{{cmd("EXISTS", "{t}:b"), 0}},
	},
	{
		script: "string_concat", name: "TOOBIG beyond the largest length, whatever the bound",
		setup: [][]any{{"SET", "{t}:a", "abc"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("de", "1000", "4"),
		want:  errReply("TOOBIG"),
		after: []probe{{cmd("EXISTS", "{t}:b"), 0}},
	},

	// string_index: KEYS string; ARGV substring, the longest string searched
	{
		script: "string_index", name: "the offset of the first occurrence",
		setup: [][]any{{"SET", "{t}:s", "hello"}},
		keys:  []string{"{t}:s"},
		args:  cmd("l", "100"),
		want:  2,
	},
	{
		script: "string_index", name: "-1 when it does not occur",
		setup: [][]any{{"SET", "{t}:s", "hello"}},
		keys:  []string{"{t}:s"},
		args:  cmd("z", "100"),
		want:  -1,
	},
	{
		script: "string_index", name: "the substring is plain text, not a pattern",
		setup: [][]any{{"SET", "{t}:s", "a.b%"}},
		keys:  []string{"{t}:s"},
		args:  cmd("%", "100"),
		want:  3,
	},
	{
		script: "string_index", name: "BIG for a string longer than the bound, which the caller searches in steps",
		setup: [][]any{{"SET", "{t}:s", "hello"}},
		keys:  []string{"{t}:s"},
		args:  cmd("l", "4"),
		want:  errReply("BIG"),
	},
	{
		script: "string_index", name: "-1 at once for a substring longer than the string, whatever the bound",
		setup: [][]any{{"SET", "{t}:s", "hello"}},
		keys:  []string{"{t}:s"},
		args:  cmd("hello!", "4"),
		want:  -1,
	},
	{
		script: "string_index", name: "the empty substring is at 0 of a missing string",
		keys: []string{"{t}:s"},
		args: cmd("", "100"),
		want: 0,
	},

	// string_repeat: KEYS source, destination; ARGV n, max length, one-script bound
	{
		script: "string_repeat", name: "repeats in place, keeping the expiry",
		setup: [][]any{{"SET", "{t}:s", "ab", "PX", 100000}},
		keys:  []string{"{t}:s", "{t}:s"},
		args:  cmd("3", "100", "100"),
		want:  6,
		after: []probe{
			{cmd("GET", "{t}:s"), "ababab"},
			{cmd("PTTL", "{t}:s"), between(1, 100000)},
		},
	},
	{
		script: "string_repeat", name: "repeats into another key",
		setup: [][]any{{"SET", "{t}:a", "ab"}},
		keys:  []string{"{t}:a", "{t}:b"},
		args:  cmd("2", "100", "100"),
		want:  4,
		after: []probe{{cmd("GET", "{t}:b"), "abab"}},
	},
	{
		script: "string_repeat", name: "zero times deletes the destination",
		setup: [][]any{{"SET", "{t}:s", "ab"}},
		keys:  []string{"{t}:s", "{t}:s"},
		args:  cmd("0", "100", "100"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:s"), 0}},
	},
	{
		script: "string_repeat", name: "a missing string stays empty",
		keys: []string{"{t}:a", "{t}:b"},
		args: cmd("3", "100", "100"),
		want: 0,
	},
	{
		script: "string_repeat", name: "an error beyond the largest length, changing nothing",
		setup: [][]any{{"SET", "{t}:s", "ab"}},
		keys:  []string{"{t}:s", "{t}:s"},
		args:  cmd("3", "5", "100"),
		want:  errReply("TOOBIG"),
		after: []probe{{cmd("GET", "{t}:s"), "ab"}},
	},

	{
		script: "string_repeat", name: "BIG beyond the one-script bound, changing nothing",
		setup: [][]any{{"SET", "{t}:s", "ab"}},
		keys:  []string{"{t}:s", "{t}:s"},
		args:  cmd("3", "100", "5"),
		want:  errReply("BIG"),
		after: []probe{{cmd("GET", "{t}:s"), "ab"}},
	},
	{
		script: "string_repeat", name: "once in place is the string as it is",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s", "{t}:s"},
		args:  cmd("1", "100", "5"),
		want:  6,
		after: []probe{{cmd("GET", "{t}:s"), "abcdef"}},
	},

	// string_set_slice: KEYS string; ARGV start, stop, value, one-script bound, max length
	{
		script: "string_set_slice", name: "a shorter value shrinks the string, keeping the expiry",
		setup: [][]any{{"SET", "{t}:s", "abcdef", "PX", 100000}},
		keys:  []string{"{t}:s"},
		args:  cmd("0", "5", "X", "100", "1000"),
		want:  2,
		after: []probe{
			{cmd("GET", "{t}:s"), "Xf"},
			{cmd("PTTL", "{t}:s"), between(1, 100000)},
		},
	},
	{
		script: "string_set_slice", name: "a value of the slice's length overwrites in place",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("1", "3", "XY", "100", "1000"),
		want:  6,
		after: []probe{{cmd("GET", "{t}:s"), "aXYdef"}},
	},
	{
		script: "string_set_slice", name: "a stop before the start inserts",
		setup: [][]any{{"SET", "{t}:s", "abc"}},
		keys:  []string{"{t}:s"},
		args:  cmd("2", "1", "X", "100", "1000"),
		want:  4,
		after: []probe{{cmd("GET", "{t}:s"), "abXc"}},
	},
	{
		script: "string_set_slice", name: "negative and out-of-range bounds clamp",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("-2", "100", "Z", "100", "1000"),
		want:  5,
		after: []probe{{cmd("GET", "{t}:s"), "abcdZ"}},
	},
	{
		script: "string_set_slice", name: "an empty result deletes the string",
		setup: [][]any{{"SET", "{t}:s", "ab"}},
		keys:  []string{"{t}:s"},
		args:  cmd("0", "2", "", "100", "1000"),
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}:s"), 0}},
	},
	{
		script: "string_set_slice", name: "a missing string reads as empty",
		keys:  []string{"{t}:s"},
		args:  cmd("5", "9", "hi", "100", "1000"),
		want:  2,
		after: []probe{{cmd("GET", "{t}:s"), "hi"}},
	},
	{
		script: "string_set_slice", name: "BIG when a rewrite is beyond the one-script bound, max length, changing nothing",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("1", "2", "XYZ", "7", "1000"),
		want:  errReply("BIG"),
		after: []probe{{cmd("GET", "{t}:s"), "abcdef"}},
	},
	{
		script: "string_set_slice", name: "an overwrite in place is not bounded",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("1", "4", "XYZ", "2", "1000"),
		want:  6,
		after: []probe{{cmd("GET", "{t}:s"), "aXYZef"}},
	},
	{
		script: "string_set_slice", name: "TOOBIG beyond the largest length, whatever the bound",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("1", "2", "XYZ", "1000", "7"),
		want:  errReply("TOOBIG"),
		after: []probe{{cmd("GET", "{t}:s"), "abcdef"}},
	},

	// string_step: KEYS source, scratch; ARGV size, ttl, step, args
	{
		script: "string_step", name: "alloc gives the scratch string its length in zeros",
		keys: []string{"{t}:s", "{t}:x"},
		args: cmd("0", "60000", "alloc", "4"),
		want: []any{"0", int64(4)},
		after: []probe{
			{cmd("GET", "{t}:x"), "\x00\x00\x00\x00"},
			{cmd("PTTL", "{t}:x"), between(1, 60000)},
		},
	},
	{
		script: "string_step", name: "copy writes the source's bytes in place",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}, {"SET", "{t}:x", "......"}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("6", "60000", "copy", "1", "2", "3"),
		want:  []any{"0", int64(6)},
		after: []probe{{cmd("GET", "{t}:x"), ".cde.."}},
	},
	{
		script: "string_step", name: "self copies the scratch string's own bytes",
		setup: [][]any{{"SET", "{t}:x", "ab...."}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("6", "60000", "self", "2", "0", "2"),
		want:  []any{"0", int64(6)},
		after: []probe{{cmd("GET", "{t}:x"), "abab.."}},
	},
	{
		script: "string_step", name: "put writes the value given",
		setup: [][]any{{"SET", "{t}:x", "......"}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("6", "60000", "put", "4", "YZ"),
		want:  []any{"0", int64(6)},
		after: []probe{{cmd("GET", "{t}:x"), "....YZ"}},
	},
	{
		script: "string_step", name: "STALE when the scratch string is not the length the last step left",
		setup: [][]any{{"SET", "{t}:x", "abc"}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("6", "60000", "put", "0", "Z"),
		want:  errReply("STALE"),
		after: []probe{{cmd("GET", "{t}:x"), "abc"}},
	},
	{
		script: "string_step", name: "no write past the scratch string's end",
		setup: [][]any{{"SET", "{t}:x", "abc"}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("3", "60000", "put", "2", "YZ"),
		want:  errReply("ERR string step put past"),
		after: []probe{{cmd("GET", "{t}:x"), "abc"}},
	},
	{
		script: "string_step", name: "a copy of bytes the source lacks is an error",
		setup: [][]any{{"SET", "{t}:s", "ab"}, {"SET", "{t}:x", "......"}},
		keys:  []string{"{t}:s", "{t}:x"},
		args:  cmd("6", "60000", "copy", "0", "1", "3"),
		want:  errReply("ERR string step copy read 1 bytes"),
		after: []probe{{cmd("GET", "{t}:x"), "......"}},
	},
	{
		script: "string_step", name: "an unknown step is an error",
		keys: []string{"{t}:s", "{t}:x"},
		args: cmd("0", "60000", "shuffle"),
		want: errReply("ERR unknown string step"),
	},

	// string_slice: KEYS string; ARGV start, stop
	{
		script: "string_slice", name: "BIG for a slice longer than the bound, which the caller reads natively",
		setup: [][]any{{"SET", "{t}:s", "hello"}},
		keys:  []string{"{t}:s"},
		args:  cmd("-5", "100", "4"),
		want:  errReply("BIG"),
	},
	{
		script: "string_slice", name: "the bytes from start to stop",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("1", "3"),
		want:  "bc",
	},
	{
		script: "string_slice", name: "negative and out-of-range bounds clamp",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("-2", "100"),
		want:  "ef",
	},
	{
		script: "string_slice", name: "a negative stop before the start is empty, unlike GETRANGE",
		setup: [][]any{{"SET", "{t}:s", "abcdef"}},
		keys:  []string{"{t}:s"},
		args:  cmd("0", "-100"),
		want:  "",
	},
	{
		script: "string_slice", name: "a missing string is empty",
		keys: []string{"{t}:s"},
		args: cmd("0", "5"),
		want: "",
	},
}

// runs counts the runs of TestScripts (go test -count), each with keys of
// its own.
var runs int

func TestScripts(t *testing.T) {
	ctx := context.Background()
	runs++
	for _, c := range cases {
		t.Run(c.script+"/"+c.name, func(t *testing.T) {
			if strings.ContainsAny(c.name, "{}") {
				t.Fatal("a case name makes a hash tag: no braces")
			}
			tag := fmt.Sprintf("{%s/%s #%d}", c.script, c.name, runs)
			s := lua.Load(c.script)
			for _, cm := range c.setup {
				if err := rdb.Do(ctx, retag(cm, tag)...).Err(); err != nil && !errors.Is(err, redis.Nil) {
					t.Fatalf("setup %s: %v", describe(cm), err)
				}
			}
			run := rdb.Eval
			if s.ReadOnly {
				run = rdb.EvalRO
			}
			got := reply(run(ctx, s.Src, retag(keysFor(s, c.keys), tag), retag(c.args, tag)...))
			fails := []string{}
			if err := compare(got, retag(c.want, tag)); err != nil {
				fails = append(fails, fmt.Sprintf("reply: %v", err))
			}
			for _, p := range c.after {
				if err := compare(reply(rdb.Do(ctx, retag(p.cmd, tag)...)), retag(p.want, tag)); err != nil {
					fails = append(fails, fmt.Sprintf("after, %s: %v", describe(p.cmd), err))
				}
			}
			switch {
			case c.bug != "" && len(fails) > 0:
				t.Logf("known bug, not asserted: %s\n%s", c.bug, strings.Join(fails, "\n"))
			case c.bug != "":
				t.Logf("known bug %q: the case passes now; fixed?", c.bug)
			default:
				for _, f := range fails {
					t.Error(f)
				}
			}
		})
	}
}

// TestEveryScriptHasACase makes a new script land with its cases.
func TestEveryScriptHasACase(t *testing.T) {
	n := map[string]int{}
	for _, c := range cases {
		n[c.script]++
	}
	var missing []string
	for _, name := range lua.All() {
		if n[name] == 0 {
			missing = append(missing, name)
		}
		delete(n, name)
	}
	if len(missing) > 0 {
		t.Errorf("scripts without a case in TestScripts: %s", strings.Join(missing, ", "))
	}
	for name := range n {
		t.Errorf("cases of %s, which lua.All does not list", name)
	}
}

// TestEveryScriptLoads loads every script: its libraries exist, the
// server compiles it under the SHA Load computed, its header names its
// KEYS and its reply, and Cmd sends it read-only exactly when it is.
// TestNoFunctionIsDefinedTwice: a script's libraries and its own text are
// one chunk, so a second top-level "local function f" silently replaces the
// first for every line after it, in another library's functions too.
func TestNoFunctionIsDefinedTwice(t *testing.T) {
	def := regexp.MustCompile(`(?m)^local function (\w+)`)
	for _, name := range lua.All() {
		seen := map[string]bool{}
		for _, m := range def.FindAllStringSubmatch(lua.Load(name).Src, -1) {
			if seen[m[1]] {
				t.Errorf("%s: function %s defined twice (its libraries: %v)", name, m[1], lua.Load(name).Libs)
			}
			seen[m[1]] = true
		}
	}
}

func TestEveryScriptLoads(t *testing.T) {
	ctx := context.Background()
	for _, name := range lua.All() {
		t.Run(name, func(t *testing.T) {
			var s *lua.Script
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Load panics: %v", r)
					}
				}()
				s = lua.Load(name)
			}()
			if sha, err := rdb.ScriptLoad(ctx, s.Src).Result(); err != nil || sha != s.SHA {
				t.Errorf("SCRIPT LOAD = %q, %v; want SHA %s", sha, err, s.SHA)
			}
			body, err := os.ReadFile(name + ".lua")
			if err != nil {
				t.Fatal(err)
			}
			var header strings.Builder
			for line := range strings.Lines(string(body)) {
				if !strings.HasPrefix(line, "--") {
					break
				}
				header.WriteString(line)
			}
			for _, w := range []string{"KEYS", "Reply"} {
				if !strings.Contains(header.String(), w) {
					t.Errorf("the header does not mention %s:\n%s", w, header.String())
				}
			}
			verb := s.Cmd(true, nil, nil).Name[0]
			if strings.HasSuffix(verb, "_RO") != s.ReadOnly {
				t.Errorf("Cmd sends %s, ReadOnly %v", verb, s.ReadOnly)
			}
		})
	}
}

// describe shows a command, naming the script of an EVAL.
func describe(c []any) string {
	if v, _ := c[0].(string); strings.HasPrefix(v, "EVAL") {
		src, _ := c[1].(string)
		return fmt.Sprint(append(cmd(v, lua.NameOf(src)), c[2:]...))
	}
	return fmt.Sprint(c)
}

// reply is what a command answered: its value, nil for a nil reply, or
// its error.
func reply(c *redis.Cmd) any {
	v, err := c.Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return err
	}
	return v
}

// compare reports how got differs from want: a value (an int stands for
// an int64), an errReply, a check, or an array of them.
func compare(got, want any) error {
	switch w := want.(type) {
	case check:
		if err := w(got); err != nil {
			return fmt.Errorf("got %#v: %w", got, err)
		}
		return nil
	case errReply:
		if e, ok := got.(error); !ok || !strings.HasPrefix(e.Error(), string(w)) {
			return fmt.Errorf("got %#v, want an error %q...", got, string(w))
		}
		return nil
	case int:
		want = int64(w)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("got %#v, want %d elements", got, len(w))
		}
		for i := range w {
			if err := compare(g[i], w[i]); err != nil {
				return fmt.Errorf("[%d] %w", i, err)
			}
		}
		return nil
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("got %#v, want %#v", got, want)
	}
	return nil
}

// retag gives the keys of v (strings, in arrays) the hash tag tag instead
// of {t}.
func retag[T any](v T, tag string) T {
	var out any
	switch x := any(v).(type) {
	case string:
		out = strings.ReplaceAll(x, "{t}", tag)
	case errReply:
		out = errReply(strings.ReplaceAll(string(x), "{t}", tag))
	case []string:
		ss := make([]string, len(x))
		for i, s := range x {
			ss[i] = retag(s, tag)
		}
		out = ss
	case []any:
		vs := make([]any, len(x))
		for i, e := range x {
			vs[i] = retag(e, tag)
		}
		out = vs
	default:
		return v
	}
	return out.(T)
}

// Checks.

func between(lo, hi int64) check {
	return func(r any) error {
		if n, ok := r.(int64); !ok || n < lo || n > hi {
			return fmt.Errorf("want an integer in [%d, %d]", lo, hi)
		}
		return nil
	}
}

// number reads an integer or float reply, or decimal text.
func number(r any) (float64, bool) {
	switch x := r.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// token is a fencing token drawn from the server's clock in µs.
var token check = func(r any) error {
	if f, ok := number(r); !ok || f < 1e15 || f > 1e17 {
		return errors.New("want a fencing token (µs of server time)")
	}
	return nil
}

// nowMs is the server's time in ms.
var nowMs check = msFromNow(-5*time.Second, 5*time.Second)

// msFromNow is a time in ms of server time, d from now with lo <= d <= hi
// (and some slack).
func msFromNow(lo, hi time.Duration) check {
	return func(r any) error {
		f, ok := number(r)
		d := time.Duration(f-float64(time.Now().UnixMilli())) * time.Millisecond
		if !ok || d < lo-time.Second || d > hi+time.Second {
			return fmt.Errorf("want a time in ms from %v to %v from now", lo, hi)
		}
		return nil
	}
}

// newHolding is {1, token, epoch} for a holding that begins now: its epoch
// is its token.
var newHolding check = func(r any) error {
	a, ok := r.([]any)
	if !ok || len(a) != 3 || a[0] != int64(1) || token(a[1]) != nil || a[1] != a[2] {
		return errors.New("want {1, token, the same token}")
	}
	return nil
}

// sameHolding is {1, token, epoch} for a holding that began earlier.
var sameHolding check = func(r any) error {
	a, ok := r.([]any)
	if !ok || len(a) != 3 || a[0] != int64(1) || token(a[1]) != nil || token(a[2]) != nil || a[1].(int64) <= a[2].(int64) {
		return errors.New("want {1, token, an earlier token}")
	}
	return nil
}

func like(re string) check {
	return func(r any) error {
		if s, ok := r.(string); !ok || !regexp.MustCompile(re).MatchString(s) {
			return fmt.Errorf("want text matching %s", re)
		}
		return nil
	}
}

func near(x float64) check {
	return func(r any) error {
		if f, ok := number(r); !ok || f/x < 1-1e-9 || f/x > 1+1e-9 {
			return fmt.Errorf("want about %g", x)
		}
		return nil
	}
}

// members is an array of these strings, in any order.
func members(ss ...string) check {
	want := slices.Sorted(slices.Values(ss))
	return func(r any) error {
		a, ok := r.([]any)
		got := make([]string, len(a))
		for i, x := range a {
			got[i], _ = x.(string)
		}
		slices.Sort(got)
		if !ok || !slices.Equal(got, want) {
			return fmt.Errorf("want members %q", want)
		}
		return nil
	}
}

// picked is set_pick's reply: {cursor, scanned, then these members in any
// order}.
func picked(cursor string, scanned int64, ss ...string) check {
	rest := members(ss...)
	return func(r any) error {
		a, ok := r.([]any)
		if !ok || len(a) < 2 || a[0] != cursor || a[1] != scanned {
			return fmt.Errorf("want {%q, %d, ...}", cursor, scanned)
		}
		return rest(a[2:])
	}
}

// fields is a hash of these field, value pairs (HGETALL).
func fields(kv ...string) check {
	want := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		want[kv[i]] = kv[i+1]
	}
	return func(r any) error {
		got := map[string]string{}
		switch x := r.(type) {
		case map[any]any:
			for k, v := range x {
				got[fmt.Sprint(k)] = fmt.Sprint(v)
			}
		case []any:
			for i := 0; i+1 < len(x); i += 2 {
				got[fmt.Sprint(x[i])] = fmt.Sprint(x[i+1])
			}
		default:
			return errors.New("want a hash")
		}
		if !maps.Equal(got, want) {
			return fmt.Errorf("want fields %v", want)
		}
		return nil
	}
}

// best is counter_most_common's reply: the cursor, then these field,
// count pairs in any order.
func best(cursor string, kv ...string) check {
	pairs := fields(kv...)
	return func(r any) error {
		a, ok := r.([]any)
		if !ok || len(a) == 0 || a[0] != cursor {
			return fmt.Errorf("want cursor %q first", cursor)
		}
		return pairs(a[1:])
	}
}

// took is a take's reply: 1, then the items.
func took(items ...string) []any { return append(cmd("1"), strs(items...)...) }

// grantEntry is a grant stream holding one entry, a grant to wait id w:
// its token, the end of its lease and, for a semaphore, the epoch.
func grantEntry(w string, sem bool) check {
	return func(r any) error {
		es, ok := r.([]any)
		if !ok || len(es) != 1 {
			return errors.New("want one entry")
		}
		e, _ := es[0].([]any)
		if len(e) != 2 {
			return errors.New("want an entry")
		}
		f := map[string]any{}
		kv, _ := e[1].([]any)
		for i := 0; i+1 < len(kv); i += 2 {
			f[fmt.Sprint(kv[i])] = kv[i+1]
		}
		want := 3
		if sem {
			want = 4
			if token(f["e"]) != nil {
				return errors.New("want an epoch e")
			}
		}
		switch {
		case len(f) != want || f["w"] != w:
			return fmt.Errorf("want a grant to %s", w)
		case token(f["t"]) != nil:
			return errors.New("want a token t")
		case msFromNow(0, 10*time.Second)(f["x"]) != nil:
			return errors.New("want the lease's end x")
		}
		return nil
	}
}

// TestLibsGoWhereTheScriptSays checks where a script's libraries go: in
// front of it, or at its "-- libs here" line (which goes), after the
// common case that needs none of them.
func TestLibsGoWhereTheScriptSays(t *testing.T) {
	for name, common := range map[string]string{
		"float_arith": "local fastRaw",
		"int_arith":   "local fastRaw",
	} {
		s := lua.Load(name)
		at, lib := strings.Index(s.Src, common), strings.Index(s.Src, "-- "+s.Libs[0]+":")
		if at < 0 || lib < 0 || at > lib {
			t.Errorf("%s: the common case at %d, the first library (%s) at %d: want it before", name, at, s.Libs[0], lib)
		}
		if strings.Contains(s.Src, "\n-- libs here\n") {
			t.Errorf("%s: the marker line is left in", name)
		}
	}
	s := lua.Load("sem_acquire")
	if !strings.HasPrefix(s.Src, "-- "+s.Libs[0]+":") {
		t.Errorf("sem_acquire (no marker) starts %q, not with its first library", s.Src[:40])
	}
	// Libraries before a "|" stay in front, the others go at the marker.
	for _, c := range []struct {
		name, common string
		libs         []string
		front        int
	}{
		{"lock_acquire", "if redis.call('EXISTS', KEYS[1], KEYS[4]) == 0 then",
			[]string{"clock_lib", "fence_lib", "lock_take_lib", "line_lib", "lock_lib"}, 3},
	} {
		s = lua.Load(c.name)
		common := strings.Index(s.Src, c.common)
		for i, lib := range c.libs {
			at := strings.Index(s.Src, "\n-- "+lib+":")
			if i == 0 && strings.HasPrefix(s.Src, "-- "+lib+":") {
				at = 0
			}
			if front := i < c.front; at < 0 || common < 0 || (at < common) != front {
				t.Errorf("%s: %s at %d, the common case at %d: want it in front: %v", c.name, lib, at, common, front)
			}
		}
		if strings.Contains(s.Src, "\n-- libs here\n") {
			t.Errorf("%s: the marker line is left in", c.name)
		}
	}
}

// newTicket is the arrival ticket of a line's first waiter: the server's
// time in µs, rounded down to a multiple of the 16 grant streams, plus 1
// (as an integer, or as text: the line's '#seq').
var newTicket check = func(r any) error {
	n, ok := r.(int64)
	if s, isText := r.(string); isText {
		var err error
		n, err = strconv.ParseInt(s, 10, 64)
		ok = err == nil
	}
	now := time.Now().UnixMicro()
	if !ok || n%16 != 1 || n < now-10_000_000 || n > now+10_000_000 {
		return fmt.Errorf("want a new line's first ticket, ~%d", now)
	}
	return nil
}

// bigMembers is a command (SADD or HSET) adding n members (or fields, each
// with itself as its value) of size bytes each to key.
func bigMembers(verb, key string, n, size int) []any {
	c := []any{verb, key}
	for i := range n {
		m := fmt.Sprintf("%06d", i) + strings.Repeat("x", size-6)
		c = append(c, m)
		if verb == "HSET" {
			c = append(c, m)
		}
	}
	return c
}

// scannedWithin checks a scanning step's reply {cursor, size, bytes,
// strings}: a cursor that goes on, and lo to hi entries scanned (of per
// strings each).
func scannedWithin(per, lo, hi int64) check {
	return func(reply any) error {
		r, ok := reply.([]any)
		if !ok || len(r) != 4 || r[0] == "0" {
			return fmt.Errorf("reply %v: want {cursor that goes on, size, bytes, strings}", reply)
		}
		if n, _ := r[3].(int64); n/per < lo || n/per > hi {
			return fmt.Errorf("scanned %d entries: want %d to %d", n/per, lo, hi)
		}
		return nil
	}
}
