// Damaged and hostile data under keys the inspector recognizes (found by
// a review, 2026-12-07): no panic, no hang, no raw control byte on the
// terminal, and no wrong fact read from a number that is not one.
package inspect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/inspect"
)

// damagedRun runs the commands of a case, renaming "K" in each argument.
func damagedRun(t *testing.T, name string, cmds [][]any) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cmds {
		args := make([]any, len(c))
		for i, a := range c {
			if s, ok := a.(string); ok {
				a = strings.ReplaceAll(s, "K", name)
			}
			args[i] = a
		}
		if err := rdb.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
}

// damagedInspect inspects key, renders it both ways, and fails on a panic,
// a hang or raw control bytes in the text.
func damagedInspect(t *testing.T, key string) (*inspect.Object, string) {
	t.Helper()
	type res struct {
		o    *inspect.Object
		txt  string
		err  error
		pnc  any
		stck string
	}
	ch := make(chan res, 1)
	go func() {
		var r res
		defer func() {
			if p := recover(); p != nil {
				r.pnc, r.stck = p, string(debug.Stack())
			}
			ch <- r
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		in := &inspect.Inspector{Client: rdb}
		r.o, r.err = in.Inspect(ctx, key)
		if r.err != nil {
			return
		}
		var b bytes.Buffer
		if err := inspect.WriteText(&b, r.o); err != nil {
			r.err = err
			return
		}
		r.txt = b.String()
		if _, err := json.Marshal(r.o); err != nil {
			r.err = err
		}
	}()
	select {
	case r := <-ch:
		if r.pnc != nil {
			t.Fatalf("inspect %q panicked: %v\n%s", key, r.pnc, r.stck)
		}
		if r.err != nil {
			t.Fatalf("inspect %q: %v", key, r.err)
		}
		return r.o, r.txt
	case <-time.After(15 * time.Second):
		t.Fatalf("inspect %q hung", key)
	}
	return nil, ""
}

// rawControl reports a byte of s that a terminal may read as a control:
// C0 (but \n), DEL, or a lone C1 byte 0x80-0x9f outside valid UTF-8.
func rawControl(s string) (byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' || c == 0x7f {
			return c, true
		}
	}
	// lone bytes 0x80..0x9f that are not part of a valid UTF-8 sequence
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if s[i] >= 0x80 {
			var sz int
			r, sz = decodeByte(s[i:])
			n = sz
			if r == -1 && s[i] >= 0x80 && s[i] <= 0x9f {
				return s[i], true
			}
		}
		i += n
	}
	return 0, false
}

func decodeByte(s string) (rune, int) {
	for _, r := range s {
		if r == '\uFFFD' && !strings.HasPrefix(s, "\uFFFD") {
			return -1, 1
		}
		return r, len(string(r))
	}
	return -1, 1
}

func TestDamagedCorruptedLayouts(t *testing.T) {
	later := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	huge := "99999999999999999999999999"
	cases := []struct {
		name string
		cmds [][]any
		key  string
	}{
		{"lock fields huge", [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "1", "count", "1", "wid", "w"}, {"HSET", "K", "count", "9223372036854775807", "fence", "-9223372036854775808"}}, "K"},
		{"lock hash no fence type", [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "1", "count", "1", "wid", "w"}, {"HSET", "{K}:fence", "x", "y"}}, "K"},
		{"lock waiters wrong type", [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "1", "count", "1", "wid", "w"}, {"SET", "{K}:waiters", "x"}, {"SET", "{K}:fence", "1"}}, "K"},
		{"waiting zset but waiters string", [][]any{{"ZADD", "{K}:waiters", "1", "w1"}, {"ZADD", "{K}:waiting", "1", "w1"}, {"SET", "{K}:fence", "1"}}, "K"},
		{"waiting hash with garbage regs", [][]any{{"ZADD", "{K}:waiters", "1", "w1", "2", "w2", "3", "w3", "4", "w4"},
			{"HSET", "{K}:waiting", "w1", "NaN inf x|y|z|w", "w1#t", "NaN", "w2", huge + " " + huge + " a|b|notint|c " + huge, "w2#t", huge,
				"w3", "-9223372036854775808 -9223372036854775808 \x1b[31m|h\x9b|1|l", "w4", "   "}}, "K"},
		{"semaphore holders inf", [][]any{{"ZADD", "K", "+inf", "ab12|h|1|l", "-inf", "cd34|h|2|l"}, {"HSET", "{K}:state", "ab12|h|1|l", huge, "ab12|h|1|l@", "NaN", "#used", "-5", "#extra", "x"}}, "K"},
		{"semaphore state wrong type", [][]any{{"ZADD", "K", later, "ab12|h|1|l"}, {"SET", "{K}:state", "1"}, {"SET", "{K}:granted", "x"}}, "K"},
		{"semaphore none key state only", [][]any{{"HSET", "{K}:state", "#used", "3"}, {"SET", "K", "x"}, {"DEL", "K"}}, "K"},
		{"granted garbage", [][]any{{"ZADD", "K", later, "ab12|h|1|l"}, {"HSET", "{K}:granted", "w", "", "w2", "1", "w3", "1 ab12|h|1|l"}, {"HSET", "{K}:state", "#used", "1"}}, "K"},
		{"rwlock permits huge", [][]any{{"ZADD", "K", later, "ab12|h|1|l"}, {"HSET", "{K}:state", "ab12|h|1|l", "1125899906842624"}, {"ZADD", "{K}:waiters", "1", "w"}, {"HSET", "{K}:waiting", "w", later + " 1 o|h|1|l 99999999999999999999"}}, "K"},
		{"queue corrupted", [][]any{{"RPUSH", "K", "a"}, {"SET", "{K}:unfinished", huge}, {"ZADD", "{K}:reserved", "-inf", "r1", "+inf", "r2", "1", "a b\nc"}, {"RPUSH", "{K}:reserved:r2", "x"}, {"SET", "{K}:putwait", "x"}}, "K"},
		{"queue none, reserved wrong", [][]any{{"SET", "{K}:unfinished", "x"}, {"SET", "{K}:reserved", "x"}}, "K"},
		{"waitgroup", [][]any{{"HSET", "K", "count", "1", "lost", "2"}, {"ZADD", "{K}:members", "-inf", "m", "+inf", "n"}}, "K"},
		{"waitgroup members wrong", [][]any{{"HSET", "K", "count", "1", "lost", "2"}, {"XADD", "{K}:wake", "*", "lost", "1"}, {"SET", "{K}:members", "x"}}, "K"},
		{"barrier", [][]any{{"HSET", "K", "gen", "1700000000000", "n", huge, "lost", "a b 3 " + huge, "done", "x"}, {"ZADD", "{K}:waiting", "-inf", "m"}}, "K"},
		{"barrier waiting wrong", [][]any{{"HSET", "K", "gen", "1"}, {"SET", "{K}:waiting", "x"}, {"XADD", "{K}:wake", "*", "g", "1"}}, "K"},
		{"once odd", [][]any{{"SET", "K", "1"}, {"HSET", "{K}:runner", "a", "b"}, {"XADD", "{K}:wake", "*", "ok", "0", "m", "\x1b[2J\x9bboom"}}, "K"},
		{"once runner escape", [][]any{{"SET", "{K}:runner", "\x9b31m"}}, "K"},
		{"event stream only", [][]any{{"XADD", "{K}:wake", "*", "set", "1"}}, "K"},
		{"wake stream empty", [][]any{{"XADD", "{K}:wake", "*", "a", "1"}, {"XTRIM", "{K}:wake", "MAXLEN", "0"}}, "K"},
		{"limiter-like", [][]any{{"SET", "K", "9999999999999999.999", "PX", "100000"}}, "K"},
		{"foreign stream", [][]any{{"XADD", "K", "*", "a", "\x1b"}}, "K"},
		{"hash empty-ish", [][]any{{"HSET", "K", "owner", "", "fence", "", "count", "", "wid", ""}}, "K"},
		{"aux key state", [][]any{{"HSET", "{K}:state", "#used", "1"}}, "{K}:state"},
		{"aux key reserved: family", [][]any{{"RPUSH", "{K}:reserved:", "x"}}, "{K}:reserved:"},
		{"key w/ newline", [][]any{{"SET", "{K}\n:fence", "1"}}, "K\n"},
		{"key invalid utf8 holder", [][]any{{"ZADD", "K\xff", later, "\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b\x9b|h\x9b|1|l"}, {"HSET", "{K\xff}:state", "#used", "1"}}, "K\xff"},
	}
	for i, tc := range cases {
		name := fmt.Sprintf("dmgr%d-%d", i, time.Now().UnixNano())
		damagedRun(t, name, tc.cmds)
		key := strings.ReplaceAll(tc.key, "K", name)
		t.Run(tc.name, func(t *testing.T) {
			o, txt := damagedInspect(t, key)
			if c, bad := rawControl(txt); bad {
				t.Errorf("raw control byte %#x in text:\n%q", c, txt)
			}
			b, _ := json.Marshal(o)
			t.Logf("kind %s\n%s\n%s", o.Kind, txt, b)
		})
	}
}

// A lease whose score is -inf (or any past) is expired.
func TestDamagedNegInfLeaseExpired(t *testing.T) {
	k := fmt.Sprintf("dmgneg%d", time.Now().UnixNano())
	damagedRun(t, k, [][]any{{"ZADD", "K", "-inf", "ab12|h|1|l"}, {"HSET", "{K}:state", "ab12|h|1|l", "1"}})
	o, txt := damagedInspect(t, k)
	if o.Line == nil || len(o.Line.Holders) != 1 {
		t.Fatalf("no holder: %s", txt)
	}
	if h := o.Line.Holders[0]; !h.Expired || o.Line.Held {
		t.Errorf("a holder whose lease expiry is -inf: expired %v, held %v, lease left %v\n%s", h.Expired, o.Line.Held, h.LeaseLeft.D(), txt)
	}
}

// A pattern with many stars against a name that does not match: Match
// must answer promptly (Redis's own matcher is polynomial here).
func TestDamagedMatchPathological(t *testing.T) {
	pat := strings.Repeat("*a", 20) + "*b"
	s := strings.Repeat("a", 40)
	done := make(chan bool, 1)
	go func() { done <- inspect.Match(pat, s) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Match(%q, %q) still running after 5s", pat, s)
	}
}

// ls with that pattern against keys that reach the Go matcher.
func TestDamagedListPathological(t *testing.T) {
	base := strings.Repeat("a", 40)
	damagedRun(t, base, [][]any{{"SET", "{K}:fence", "1"}})
	pat := strings.Repeat("*a", 20) + "*}*"
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := (&inspect.Inspector{Client: rdb}).List(ctx, pat)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("List(%q) still running after 10s (one key)", pat)
	}
}

// A few thousand keys, including odd names and corrupted aux keys.
func TestDamagedListMany(t *testing.T) {
	ctx := context.Background()
	pre := fmt.Sprintf("dmgmany%d:", time.Now().UnixNano())
	p := rdb.Pipeline()
	for i := 0; i < 4000; i++ {
		k := fmt.Sprintf("%s%d", pre, i)
		switch i % 8 {
		case 0:
			p.Set(ctx, "{"+k+"}:fence", "x", 0)
		case 1:
			p.HSet(ctx, "{"+k+"}:state", "#used", "1")
		case 2:
			p.Set(ctx, "{"+k+"}:waiters", "x", 0)
		case 3:
			p.RPush(ctx, k, "1")
			p.SAdd(ctx, k+"-set", "1")
		case 4:
			p.Set(ctx, k+" {x}\n\xff", "v", 0)
		case 5:
			p.XAdd(ctx, &redis.XAddArgs{Stream: "{" + k + "}:wake", Values: []string{"lost", "1"}})
		case 6:
			p.Set(ctx, "{"+k+"}:reserved:", "x", 50*time.Millisecond)
		case 7:
			p.ZAdd(ctx, k, redis.Z{Score: 1, Member: "x|y|1|z"})
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	es, err := (&inspect.Inspector{Client: rdb}).List(ctx, pre+"*")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := inspect.WriteList(&b, es); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d entries in %v", len(es), time.Since(start))
	if c, bad := rawControl(b.String()); bad {
		t.Errorf("raw control byte %#x in ls output", c)
	}
}

// A semaphore holder whose permits field is a number beyond int64 is not
// an RWLock writer: the value cannot be read, and the kind must not flip.
func TestDamagedHugePermitsFlipKind(t *testing.T) {
	later := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	k := fmt.Sprintf("dmgperm%d", time.Now().UnixNano())
	damagedRun(t, k, [][]any{{"ZADD", "K", later, "ab12|h|1|l", later, "cd34|h|2|l"},
		{"HSET", "{K}:state", "ab12|h|1|l", "99999999999999999999999", "cd34|h|2|l", "1"}})
	o, txt := damagedInspect(t, k)
	if o.Kind == inspect.KindRWLock {
		t.Errorf("an unreadable permits field (99999999999999999999999) made this an RWLock with a writer:\n%s", txt)
	}
	for _, h := range o.Line.Holders {
		if h.Permits == 9223372036854775807 {
			t.Errorf("unreadable permits shown as %d", h.Permits)
		}
	}
}

// A queue reservation whose deadline is -inf is overdue, not a blocked
// consumer.
func TestDamagedQueueNegInfDeadline(t *testing.T) {
	k := fmt.Sprintf("dmgq%d", time.Now().UnixNano())
	damagedRun(t, k, [][]any{{"RPUSH", "K", "a"}, {"SET", "{K}:unfinished", "1"}, {"ZADD", "{K}:reserved", "-inf", "r1"}})
	o, txt := damagedInspect(t, k)
	if o.Queue.WaitingTakers != 0 || o.Queue.ExpiredTakes != 1 {
		t.Errorf("a take with deadline -inf: waiting takers %d, expired %d; want 0, 1\n%s", o.Queue.WaitingTakers, o.Queue.ExpiredTakes, txt)
	}
}

// A waiter whose registration expiry is far in the past must not show
// a (huge) positive registration time left.
func TestDamagedWaiterMinInt64Expiry(t *testing.T) {
	k := fmt.Sprintf("dmgw%d", time.Now().UnixNano())
	damagedRun(t, k, [][]any{{"ZADD", "{K}:waiters", "1", "w1"}, {"HSET", "{K}:waiting", "w1", "-9223372036854775808 1000 o|h|1|l"}})
	o, txt := damagedInspect(t, k)
	w := o.Line.Waiters[0]
	if w.Gone && w.RegistrationLeft.D() > 0 {
		t.Errorf("gone waiter with registration_left %v\n%s", w.RegistrationLeft.D(), txt)
	}
}

// A stored number that is none reads as 0, and a note says which it was:
// the 0 is not a fact about the object.
func TestDamagedNumbersAreNoted(t *testing.T) {
	later := fmt.Sprint(time.Now().Add(time.Minute).UnixMilli())
	cases := []struct {
		name string
		cmds [][]any
		want []string // in the note
	}{
		{"lock", [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "1", "count", "1", "wid", "w"}, {"SET", "{K}:fence", "\x1b[2J"}},
			[]string{`the fencing counter "\x1b[2J"`}},
		{"registration", [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "1", "count", "1", "wid", "w"}, {"SET", "{K}:fence", "1"},
			{"ZADD", "{K}:waiters", "1", "w1"}, {"HSET", "{K}:waiting", "w1", "soon 30000 o|h|1|l", "w1#t", "then"}},
			[]string{`a registration's expiry "soon"`, `a waiter's arrival "then"`}},
		{"semaphore", [][]any{{"ZADD", "K", later, "ab12|h|1|l"}, {"HSET", "{K}:state", "ab12|h|1|l", "many", "#used", "1.5"}},
			[]string{`a holder's permits "many"`, `the permits held "1.5"`}},
		{"queue", [][]any{{"RPUSH", "K", "a"}, {"SET", "{K}:unfinished", "lots"}}, []string{`the unfinished tasks "lots"`}},
		{"barrier", [][]any{{"HSET", "K", "gen", "1", "n", "some", "done", "d"}, {"ZADD", "{K}:waiting", later, "m"}}, []string{`the arrivals "some"`, `the last round done "d"`}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("dmgnum%d-%d", i, time.Now().UnixNano())
			damagedRun(t, name, tc.cmds)
			o, txt := damagedInspect(t, name)
			var note string
			for _, n := range o.Notes {
				if strings.HasPrefix(n, "not numbers, shown as 0: ") {
					note = n
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(note, w) {
					t.Errorf("no %s in the notes %q\n%s", w, o.Notes, txt)
				}
			}
		})
	}
	// A sound lock: no such note.
	name := fmt.Sprintf("dmgnumok-%d", time.Now().UnixNano())
	damagedRun(t, name, [][]any{{"HSET", "K", "owner", "ab12|h|1|l", "fence", "3", "count", "1", "wid", "w"}, {"SET", "{K}:fence", "3"}})
	if o, txt := damagedInspect(t, name); strings.Contains(strings.Join(o.Notes, "\n"), "not numbers") {
		t.Errorf("a sound lock noted as damaged:\n%s", txt)
	}
}
