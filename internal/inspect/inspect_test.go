package inspect_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/inspect"
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

// Layouts written with raw commands, as other programs (HOT Redis in
// Python, an older hotredis, a crash half-way) leave them: each key "k"
// of a case is renamed per case ("{k}" keeps its braces around the new
// name).
func TestRecognize(t *testing.T) {
	later := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	before := fmt.Sprint(time.Now().Add(-3 * time.Second).UnixMilli())
	for _, tc := range []struct {
		name  string
		setup [][]any
		key   string
		kind  inspect.Kind
		types []string
		note  string // in a note, or in the text
	}{
		{"a HOT Redis Lock: a list of 1s", [][]any{{"RPUSH", "k", "1"}}, "k",
			inspect.KindList, []string{"List", "Queue", "LifoQueue"}, "HOT Redis (Python) Lock or Semaphore"},
		{"a HOT Redis SetQueue", [][]any{{"RPUSH", "k", "a"}, {"SADD", "k-set", "a"}}, "k",
			inspect.KindSetQueue, []string{"SetQueue", "LifoSetQueue"}, "1 in its set"},
		{"a set queue's set", [][]any{{"RPUSH", "k", "a"}, {"SADD", "k-set", "a"}}, "k-set",
			inspect.KindAux, nil, "the set of a set queue's queued items"},
		{"an Int", [][]any{{"SET", "k", "-42"}}, "k", inspect.KindString, []string{"Int", "String"}, ""},
		{"a Float", [][]any{{"SET", "k", "1e-07"}}, "k", inspect.KindString, []string{"Float", "String"}, ""},
		{"a String", [][]any{{"SET", "k", "hello"}}, "k", inspect.KindString, []string{"String", "ImmutableString"}, `"hello"`},
		{`"1": a done Once, a set Event or an Int`, [][]any{{"SET", "k", "1"}}, "k",
			inspect.KindString, []string{"Int", "String"}, "done Once and a set Event"},
		{"a Counter", [][]any{{"HSET", "k", "a", "1", "b", "-2"}}, "k",
			inspect.KindHash, []string{"Map", "DefaultMap", "Counter"}, "2 fields"},
		{"a Map", [][]any{{"HSET", "k", "a", "x"}}, "k", inspect.KindHash, []string{"Map", "DefaultMap"}, ""},
		{"a hash that only looks like a lock", [][]any{{"HSET", "k", "owner", "x", "fence", "1", "extra", "1", "more", "1", "x", "y"}}, "k",
			inspect.KindHash, []string{"Map", "DefaultMap"}, ""},
		{"a sorted set", [][]any{{"ZADD", "k", "1", "m"}}, "k", inspect.KindForeign, nil, "a Redis zset not made by hotredis"},
		{"a free lock: the fencing counter only", [][]any{{"SET", "{k}:fence", "12"}}, "k",
			inspect.KindLine, nil, "free (fencing counter only)"},
		{"a lock whose holder's lease ran out, with a waiter", [][]any{
			{"ZADD", "{k}:waiters", "1", "w1"},
			{"HSET", "{k}:waiting", "#seq", "1", "w1", later + " 30000 ab12|web-2|77|api", "w1#t", before},
		}, "k", inspect.KindLock, []string{"Lock", "RLock"}, `#1   ab12 on web-2 pid 77 label "api": waiting 3.`},
		{"a lock of an older hotredis: ids without a host", [][]any{{"HSET", "k", "owner", "0123456789abcdef01234567", "count", "1", "fence", "5", "wid", "w"}}, "k",
			inspect.KindLock, []string{"Lock", "RLock"}, "holder   0123456789ab…: lease without expiry, token 5, held for how long unknown (the token is not a time)"},
		{"a lock a release handed over: when, in g", [][]any{{"HSET", "k", "owner", "0123456789abcdef01234567", "count", "1", "fence", "5", "wid", "w", "g", "1796536028093"}}, "k",
			inspect.KindLock, []string{"Lock", "RLock"}, "holder   0123456789ab…"},
		{"a lock someone waited for while it was held: the mark q", [][]any{{"HSET", "k", "owner", "0123456789abcdef01234567", "count", "1", "fence", "5", "wid", "w", "q", "1"}}, "k",
			inspect.KindLock, []string{"Lock", "RLock"}, "holder   0123456789ab…"},
		{"a waiter of an older hotredis: no arrival time", [][]any{
			{"HSET", "k", "owner", "o", "count", "1", "fence", "5", "wid", "w"},
			{"ZADD", "{k}:waiters", "1", "w1"}, {"HSET", "{k}:waiting", "w1", later + " 30000 o2"},
		}, "k", inspect.KindLock, []string{"Lock", "RLock"}, "#1   o2: asks a 30.0s lease"},
		{"a dead waiter", [][]any{
			{"HSET", "k", "owner", "o", "count", "1", "fence", "5", "wid", "w"},
			{"ZADD", "{k}:waiters", "1", "w1"}, {"HSET", "{k}:waiting", "w1", "1 30000 o2"},
		}, "k", inspect.KindLock, nil, "gone (its registration ran out"},
		{"a semaphore with permits added by over-release", [][]any{{"HSET", "{k}:state", "#extra", "2"}}, "k",
			inspect.KindSemaphore, []string{"Semaphore", "BoundedSemaphore"}, "free, 2 added by over-release"},
		{"an RWLock held by a writer", [][]any{
			{"ZADD", "k", later, "ab|h|1|"}, {"HSET", "{k}:state", "ab|h|1|", "1125899906842624", "ab|h|1|@", "7", "#used", "1125899906842624"},
		}, "k", inspect.KindRWLock, []string{"RWLock"}, "held by a writer"},
		{"a running Once", [][]any{{"SET", "{k}:runner", "r1", "PX", "60000"}}, "k",
			inspect.KindOnce, []string{"Once"}, "runner r1, lease "},
		{"a barrier", [][]any{{"HSET", "k", "gen", "100", "n", "1"}, {"ZADD", "{k}:waiting", later, "w1"}}, "k",
			inspect.KindBarrier, []string{"Barrier"}, "round 100, 1 arrived, intact"},
		{"an auxiliary key", [][]any{{"ZADD", "{k}:reserved", "1", "t1"}}, "{k}:reserved",
			inspect.KindAux, nil, "a queue's registered takes"},
		{"a limiter's reservation", [][]any{{"SET", "{k}:res:ab12", "8000000000000000 2", "PX", "60000"}}, "{k}:res:ab12",
			inspect.KindAux, nil, "a limiter's reservation"},
		{"an empty queue with a blocked consumer", [][]any{{"ZADD", "{k}:reserved", later, "t1"}}, "k",
			inspect.KindQueue, []string{"Queue", "LifoQueue"}, "1 consumer blocked"},
		{"a queue with an overdue take", [][]any{{"ZADD", "{k}:reserved", "1", "t1"}, {"RPUSH", "{k}:reserved:t1", "x"}}, "k",
			inspect.KindQueue, nil, "overdue by"},
		{"nothing", nil, "k", inspect.KindNone, nil, `: no such key`},
		{"a semaphore whose state key is not a hash", [][]any{{"ZADD", "k", "1", "x"}, {"SET", "{k}:fence", "5"}, {"SET", "{k}:state", "oops"}},
			"k", inspect.KindSemaphore, []string{"Semaphore", "BoundedSemaphore"}, "fencing counter 5"},
		{"a runner's name that is a terminal escape", [][]any{{"SET", "{k}:runner", "\x1b[2Jgone"}, {"PEXPIRE", "{k}:runner", "60000"}},
			"k", inspect.KindOnce, []string{"Once"}, `runner "\x1b[2Jgone"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("t%d", time.Now().UnixNano())
			rename := func(s string) string {
				if s == "k" || strings.HasPrefix(s, "k-") {
					return name + s[1:]
				}
				return strings.Replace(s, "{k}", "{"+name+"}", 1)
			}
			for _, c := range tc.setup {
				args := slices.Clone(c)
				args[1] = rename(args[1].(string))
				if err := rdb.Do(ctx, args...).Err(); err != nil {
					t.Fatal(c, err)
				}
			}
			key := rename(tc.key)
			o, err := (&inspect.Inspector{Client: rdb}).Inspect(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			var text strings.Builder
			if err := inspect.WriteText(&text, o); err != nil {
				t.Fatal(err)
			}
			if o.Kind != tc.kind || tc.types != nil && !slices.Equal(o.Types, tc.types) {
				t.Errorf("kind %s %v, want %s %v", o.Kind, o.Types, tc.kind, tc.types)
			}
			if !strings.Contains(text.String(), tc.note) {
				t.Errorf("text lacks %q", tc.note)
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("\n%s", text.String())
			}
		})
	}
}

func TestListShowsLeftovers(t *testing.T) {
	ctx := t.Context()
	p := fmt.Sprintf("ls%d", time.Now().UnixNano())
	for _, c := range [][]any{
		{"SET", "{" + p + "gone}:tmp:x1", "1"}, // a rewrite's scratch key, its object gone
		{"RPUSH", p + "list", "a"},
		{"SET", "{" + p + "list}:tmp", "1"}, // a rewrite's scratch key beside its list
	} {
		if err := rdb.Do(ctx, c...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	es, err := (&inspect.Inspector{Client: rdb}).List(ctx, p+"*")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Key+" "+string(e.Kind))
	}
	want := []string{p + "list list", "{" + p + "gone}:tmp:x1 aux"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseAux(t *testing.T) {
	for _, tc := range []struct{ key, base, suffix string }{
		{"{jobs}:state", "jobs", "state"},
		{"{jobs}:grants:15", "jobs", "grants:15"},
		{"{jobs}:reserved:ab12", "jobs", "reserved:ab12"},
		{"{jobs}:a:fence", "{jobs}:a", "fence"},
		{"app:{x}:wake", "app:{x}", "wake"},
		{"{a:b}:runner", "a:b", "runner"},
		{"{jobs}:nothing", "", ""},
		{"jobs:state", "", ""},      // untagged: Aux("jobs", "state") is "{jobs}:state"
		{"{}:state", "{}", "state"}, // "{}" has no tag: Aux("{}", "state") is "{}:state"
	} {
		base, suffix, ok := inspect.ParseAux(tc.key)
		if base != tc.base || suffix != tc.suffix || ok != (tc.base != "") {
			t.Errorf("ParseAux(%q) = %q, %q, %v; want %q, %q", tc.key, base, suffix, ok, tc.base, tc.suffix)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true}, {"*", "a/b:c", true}, {"jobs*", "jobs:1", true}, {"jobs*", "{jobs}", false},
		{"j?bs", "jobs", true}, {"j?bs", "jbs", false}, {"j[ao]bs", "jobs", true}, {"j[^o]bs", "jobs", false},
		{"j[a-p]bs", "jobs", true}, {`j\*bs`, "j*bs", true}, {`j\*bs`, "jobs", false}, {"*:*:x", "a:b:x", true},
		{"{jobs}*", "{jobs}:fence", true}, {"a", "ab", false},
	} {
		if got := inspect.Match(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Match(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

func TestParseWho(t *testing.T) {
	w := inspect.ParseWho("0123456789abcdef01234567|web-1|4242|worker")
	if w.Host != "web-1" || w.PID != 4242 || w.Label != "worker" || w.Short() != "0123456789ab…" {
		t.Errorf("%+v", w)
	}
	if w := inspect.ParseWho("plain-id"); w.Host != "" || w.ID != "plain-id" {
		t.Errorf("%+v", w)
	}
}
