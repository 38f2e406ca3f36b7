package lua_test

import (
	"errors"
	"fmt"
)

// Cases of the Once and Event scripts (once_*.lua, event_*.lua), appended
// to TestScripts' cases.

// onceKeys and eventKeys are the KEYS of a Once's scripts (done flag,
// runner, wake stream) and of an Event's (flag, wake stream).
var (
	onceKeys  = []string{"{t}", "{t}:runner", "{t}:wake"}
	eventKeys = []string{"{t}", "{t}:wake"}
)

// wakeEntry is a wake stream whose last entry has these field, value
// pairs.
func wakeEntry(kv ...string) check {
	want := fields(kv...)
	return func(r any) error {
		es, ok := r.([]any)
		if !ok || len(es) == 0 {
			return errors.New("want entries")
		}
		e, _ := es[len(es)-1].([]any)
		if len(e) != 2 {
			return errors.New("want an entry")
		}
		if err := want(e[1]); err != nil {
			return fmt.Errorf("last entry: %w", err)
		}
		return nil
	}
}

func init() {
	cases = append(cases,
		// once_begin: KEYS done, runner, wake; ARGV runner id, lease ms
		scriptCase{
			script: "once_begin", name: "the first caller becomes the runner",
			keys: onceKeys, args: cmd("r1", "10000"),
			want: []any{0},
			after: []probe{
				{cmd("GET", "{t}:runner"), "r1"},
				{cmd("PTTL", "{t}:runner"), between(9000, 10000)},
				{cmd("EXISTS", "{t}", "{t}:wake"), 0},
			},
		},
		scriptCase{
			script: "once_begin", name: "a second run of the runner's own begin (sent twice) finds it the runner, not a runner to wait for",
			setup: [][]any{{"SET", "{t}:runner", "r1", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want: []any{0},
			after: []probe{
				{cmd("GET", "{t}:runner"), "r1"},
				{cmd("PTTL", "{t}:runner"), between(9000, 10000)},
			},
		},
		scriptCase{
			script: "once_begin", name: "a caller finds it done",
			setup: [][]any{{"SET", "{t}", "1"}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want:  []any{1},
			after: []probe{{cmd("EXISTS", "{t}:runner"), 0}},
		},
		scriptCase{
			script: "once_begin", name: "a caller waits for the runner, with the stream's end and the lease left",
			setup: [][]any{{"SET", "{t}:runner", "r0", "PX", 5000}, {"XADD", "{t}:wake", "7-1", "ok", "0"}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want:  []any{2, "7-1", between(4000, 5000)},
			after: []probe{{cmd("GET", "{t}:runner"), "r0"}},
		},
		scriptCase{
			script: "once_begin", name: "a waiter looking again learns of a run that failed since its wait began, before anything is taken",
			setup: [][]any{{"XADD", "{t}:wake", "7-1", "r", "r0", "ok", "-", "m", ""}, {"XADD", "{t}:wake", "8-1", "r", "r0", "ok", "0", "m", "boom"}},
			keys:  onceKeys, args: cmd("r1", "10000", "7-0"),
			want:  []any{3, "r0", "boom"},
			after: []probe{{cmd("EXISTS", "{t}:runner"), 0}},
		},
		scriptCase{
			script: "once_begin", name: "a waiter looking again is not told of a failure before its wait, nor of a give-up",
			setup: [][]any{{"XADD", "{t}:wake", "7-1", "r", "r0", "ok", "0", "m", "old"}, {"XADD", "{t}:wake", "8-1", "r", "r0", "ok", "-", "m", ""}},
			keys:  onceKeys, args: cmd("r1", "10000", "7-1"),
			want:  []any{0},
			after: []probe{{cmd("GET", "{t}:runner"), "r1"}},
		},
		scriptCase{
			script: "once_begin", name: "a waiter on an empty stream waits after 0-0",
			setup: [][]any{{"SET", "{t}:runner", "r0", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want: []any{2, "0-0", between(4000, 5000)},
		},
		scriptCase{
			script: "once_begin", name: "a wake key of another type fails before anything is taken",
			setup: [][]any{{"RPUSH", "{t}:wake", "x"}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want:  errReply("WRONGTYPE"),
			after: []probe{{cmd("EXISTS", "{t}:runner"), 0}},
		},
		scriptCase{
			script: "once_begin", name: "a done flag of another type fails",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  onceKeys, args: cmd("r1", "10000"),
			want: errReply("WRONGTYPE"),
		},

		// once_finish: KEYS as once_begin; ARGV runner id, outcome, message
		scriptCase{
			script: "once_finish", name: "a success marks it done, frees the runner and wakes the waiters",
			setup: [][]any{{"SET", "{t}:runner", "r1", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "1", ""),
			want: 1,
			after: []probe{
				{cmd("GET", "{t}"), "1"},
				{cmd("PTTL", "{t}"), -1},
				{cmd("EXISTS", "{t}:runner"), 0},
				{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("r", "r1", "ok", "1", "m", "")},
				{cmd("PTTL", "{t}:wake"), between(50000, 60000)},
			},
		},
		scriptCase{
			script: "once_finish", name: "a failure frees the runner and tells the waiters, not done",
			setup: [][]any{{"SET", "{t}:runner", "r1", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "0", "boom"),
			want: 1,
			after: []probe{
				{cmd("EXISTS", "{t}", "{t}:runner"), 0},
				{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("r", "r1", "ok", "0", "m", "boom")},
			},
		},
		scriptCase{
			script: "once_finish", name: "a give-up frees the runner and wakes the waiters to try again",
			setup: [][]any{{"SET", "{t}:runner", "r1", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "-", ""),
			want: 1,
			after: []probe{
				{cmd("EXISTS", "{t}", "{t}:runner"), 0},
				{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("r", "r1", "ok", "-", "m", "")},
			},
		},
		scriptCase{
			script: "once_finish", name: "a success after the lease was lost still marks it done, the new runner left alone",
			setup: [][]any{{"SET", "{t}:runner", "r2", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "1", ""),
			want: 0,
			after: []probe{
				{cmd("GET", "{t}"), "1"},
				{cmd("GET", "{t}:runner"), "r2"},
				{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("r", "r1", "ok", "1", "m", "")},
			},
		},
		scriptCase{
			script: "once_finish", name: "a failure after the lease was lost changes nothing and tells nobody",
			setup: [][]any{{"SET", "{t}:runner", "r2", "PX", 5000}},
			keys:  onceKeys, args: cmd("r1", "0", "boom"),
			want: 0,
			after: []probe{
				{cmd("GET", "{t}:runner"), "r2"},
				{cmd("EXISTS", "{t}", "{t}:wake"), 0},
			},
		},
		scriptCase{
			script: "once_finish", name: "a give-up of a place never taken changes nothing",
			keys: onceKeys, args: cmd("r1", "-", ""),
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}", "{t}:runner", "{t}:wake"), 0}},
		},

		// once_renew: KEYS runner; ARGV runner id, lease ms
		scriptCase{
			script: "once_renew", name: "the runner's lease is renewed",
			setup: [][]any{{"SET", "{t}:runner", "r1", "PX", 100}},
			keys:  []string{"{t}:runner"}, args: cmd("r1", "20000"),
			want:  1,
			after: []probe{{cmd("PTTL", "{t}:runner"), between(15000, 20000)}},
		},
		scriptCase{
			script: "once_renew", name: "another runner's lease is left alone",
			setup: [][]any{{"SET", "{t}:runner", "r2", "PX", 10000}},
			keys:  []string{"{t}:runner"}, args: cmd("r1", "20000"),
			want:  0,
			after: []probe{{cmd("PTTL", "{t}:runner"), between(1, 10000)}},
		},
		scriptCase{
			script: "once_renew", name: "a lost lease is not renewed",
			keys: []string{"{t}:runner"}, args: cmd("r1", "20000"),
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}:runner"), 0}},
		},

		// once_reset: KEYS done flag
		scriptCase{
			script: "once_reset", name: "a done Once is done no more, its runner left alone",
			setup: [][]any{{"SET", "{t}", "1"}, {"SET", "{t}:runner", "r1", "PX", 5000}},
			keys:  []string{"{t}"},
			want:  1,
			after: []probe{{cmd("EXISTS", "{t}"), 0}, {cmd("GET", "{t}:runner"), "r1"}},
		},
		scriptCase{
			script: "once_reset", name: "a Once not done stays so",
			keys: []string{"{t}"},
			want: 0,
		},
		scriptCase{
			script: "once_reset", name: "a key of another type fails and stays",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  []string{"{t}"},
			want:  errReply("WRONGTYPE"),
			after: []probe{{cmd("LLEN", "{t}"), 1}},
		},

		// event_state: KEYS flag, wake stream
		scriptCase{
			script: "event_state", name: "a clear event with no stream",
			keys: eventKeys,
			want: []any{0, "0-0"},
		},
		scriptCase{
			script: "event_state", name: "a set event and the stream's last entry",
			setup: [][]any{{"SET", "{t}", "1"}, {"XADD", "{t}:wake", "5-1", "set", "1"}, {"XADD", "{t}:wake", "6-1", "set", "1"}},
			keys:  eventKeys,
			want:  []any{1, "6-1"},
		},
		scriptCase{
			script: "event_state", name: "a flag of another type fails",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  eventKeys,
			want:  errReply("WRONGTYPE"),
		},

		// event_set: KEYS flag, wake stream
		scriptCase{
			script: "event_set", name: "sets the flag and wakes the waiters",
			keys: eventKeys,
			want: 1,
			after: []probe{
				{cmd("GET", "{t}"), "1"},
				{cmd("PTTL", "{t}"), -1},
				{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("set", "1")},
				{cmd("PTTL", "{t}:wake"), between(50000, 60000)},
			},
		},
		scriptCase{
			script: "event_set", name: "a set event is left as it is, nothing announced",
			setup: [][]any{{"SET", "{t}", "1"}},
			keys:  eventKeys,
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}:wake"), 0}},
		},
		scriptCase{
			script: "event_set", name: "a flag of another type fails and stays",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  eventKeys,
			want:  errReply("WRONGTYPE"),
			after: []probe{{cmd("LLEN", "{t}"), 1}, {cmd("EXISTS", "{t}:wake"), 0}},
		},
		scriptCase{
			script: "event_set", name: "a wake stream of another type fails, and the flag stays clear",
			setup: [][]any{{"RPUSH", "{t}:wake", "x"}},
			keys:  eventKeys,
			want:  errReply("WRONGTYPE"),
			after: []probe{{cmd("EXISTS", "{t}"), 0}, {cmd("LLEN", "{t}:wake"), 1}},
		},

		// event_clear: KEYS flag
		scriptCase{
			script: "event_clear", name: "clears a set event, the stream left alone",
			setup: [][]any{{"SET", "{t}", "1"}, {"XADD", "{t}:wake", "5-1", "set", "1"}},
			keys:  []string{"{t}"},
			want:  1,
			after: []probe{{cmd("EXISTS", "{t}"), 0}, {cmd("XLEN", "{t}:wake"), 1}},
		},
		scriptCase{
			script: "event_clear", name: "a clear event stays clear",
			keys: []string{"{t}"},
			want: 0,
		},
		scriptCase{
			script: "event_clear", name: "a key of another type fails and stays",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  []string{"{t}"},
			want:  errReply("WRONGTYPE"),
			after: []probe{{cmd("LLEN", "{t}"), 1}},
		},
	)
}
