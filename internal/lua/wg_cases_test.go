package lua_test

import "time"

// wgk are the KEYS of every WaitGroup script (see wg_lib): the group, its
// members and its wake stream.
var wgk = []string{"{t}", "{t}:members", "{t}:wake"}

func init() {
	cases = append(cases, []scriptCase{

		// wg_*: KEYS wgk (the group, its members, its wake stream)
		{
			script: "wg_add", name: "a first Add makes the group",
			keys: wgk,
			args: cmd("3"),
			want: 3,
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "3", "lost", "0")},
				{cmd("EXISTS", "{t}:wake"), 0},
			},
		},
		{
			script: "wg_add", name: "reaching zero wakes the waiters and leaves only the wake stream",
			setup: [][]any{{"HSET", "{t}", "count", 2, "lost", 0}},
			keys:  wgk,
			args:  cmd("-2"),
			want:  0,
			after: []probe{
				{cmd("EXISTS", "{t}", "{t}:members"), 0},
				{cmd("XLEN", "{t}:wake"), 1},
				{cmd("PTTL", "{t}:wake"), between(59000, 60000)},
			},
		},
		{
			script: "wg_add", name: "a negative counter is refused and nothing changes",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}},
			keys:  wgk,
			args:  cmd("-2"),
			want:  errReply("NEGATIVE negative WaitGroup counter"),
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "0")},
				{cmd("EXISTS", "{t}:wake"), 0},
			},
		},
		{
			script: "wg_add", name: "a Done cannot take the count of a running member",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, {"ZADD", "{t}:members", later, "m1"}},
			keys:  wgk,
			args:  cmd("-1"),
			want:  errReply("NEGATIVE negative WaitGroup counter: 1 of the count 1"),
			after: []probe{{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "0")}},
		},
		{
			script: "wg_add", name: "a dead member is counted done and lost, and the loss is kept at zero",
			setup: [][]any{{"HSET", "{t}", "count", 2, "lost", 0}, {"ZADD", "{t}:members", 1, "m1"}},
			keys:  wgk,
			args:  cmd("-1"),
			want:  0,
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "0", "lost", "1")},
				{cmd("EXISTS", "{t}:members"), 0},
				{cmd("XLEN", "{t}:wake"), 1},
			},
		},
		{
			script: "wg_add", name: "an Add at zero begins a new round without the old losses",
			setup: [][]any{{"HSET", "{t}", "count", 0, "lost", 2}},
			keys:  wgk,
			args:  cmd("1"),
			want:  1,
			after: []probe{{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "0")}},
		},
		{
			script: "wg_add", name: "the count stays below 2^52",
			setup: [][]any{{"HSET", "{t}", "count", "4503599627370495", "lost", 0}},
			keys:  wgk,
			args:  cmd("1"),
			want:  errReply("TOOBIG"),
			after: []probe{{cmd("HGET", "{t}", "count"), "4503599627370495"}},
		},
		{
			script: "wg_add", name: "0 changes nothing",
			keys:  wgk,
			args:  cmd("0"),
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}", "{t}:wake"), 0}},
		},
		{
			script: "wg_add", name: "a key of another type is WRONGTYPE",
			setup: [][]any{{"RPUSH", "{t}", "x"}},
			keys:  wgk,
			args:  cmd("1"),
			want:  errReply("WRONGTYPE"),
		},
		{
			script: "wg_state", name: "an absent group is at zero",
			keys: wgk,
			want: cmd(0, 0, "0-0", -1),
		},
		{
			script: "wg_state", name: "the count, the stream's last entry and the time left of the first lease",
			setup: [][]any{
				{"HSET", "{t}", "count", 3, "lost", 0},
				{"ZADD", "{t}:members", later, "m1"},
				{"XADD", "{t}:wake", "5-1", "lost", "0"},
			},
			keys: wgk,
			want: cmd(3, 0, "5-1", between(3540000, 3600000)),
		},
		{
			script: "wg_state", name: "a dead member brings the count to zero and wakes the waiters",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, {"ZADD", "{t}:members", 1, "m1"}},
			keys:  wgk,
			want:  cmd(0, 1, like(`^[0-9]+-[0-9]+$`), -1),
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "0", "lost", "1")},
				{cmd("XLEN", "{t}:wake"), 1},
			},
		},
		{
			script: "wg_go", name: "a member is leased and counted",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  2,
			after: []probe{
				{cmd("ZSCORE", "{t}:members", "m1"), msFromNow(19*time.Second, 20*time.Second)},
				{cmd("HGETALL", "{t}"), fields("count", "2", "lost", "0")},
			},
		},
		{
			script: "wg_go", name: "a second run of a member's start counts it once",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, eval("wg_go", wgk, "m1", "20000")},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  2,
			after: []probe{
				{cmd("ZCARD", "{t}:members"), 1},
				{cmd("HGETALL", "{t}"), fields("count", "2", "lost", "0")},
			},
		},
		{
			script: "wg_go", name: "a group whose count or lost is not a count is DECODE, and no member is written",
			setup: [][]any{{"HSET", "{t}", "count", "abc", "lost", 0}},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  errReply("DECODE the WaitGroup {t} holds count abc and lost 0"),
			after: []probe{{cmd("EXISTS", "{t}:members"), 0}, {cmd("HGETALL", "{t}"), fields("count", "abc", "lost", "0")}},
		},
		{
			script: "wg_add", name: "a negative count is DECODE",
			setup: [][]any{{"HSET", "{t}", "count", -3, "lost", 0}},
			keys:  wgk,
			args:  cmd("1"),
			want:  errReply("DECODE"),
			after: []probe{{cmd("HGET", "{t}", "count"), "-3"}},
		},
		{
			script: "wg_state", name: "a lost that is not a count is DECODE",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", "1e3"}},
			keys:  wgk,
			want:  errReply("DECODE"),
		},
		{
			script: "wg_go", name: "a member at zero begins a new round",
			setup: [][]any{{"HSET", "{t}", "count", 0, "lost", 1}},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  1,
			after: []probe{{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "0")}},
		},
		{
			script: "wg_renew", name: "a live member is renewed",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, {"ZADD", "{t}:members", later, "m1"}},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  1,
			after: []probe{{cmd("ZSCORE", "{t}:members", "m1"), msFromNow(19*time.Second, 20*time.Second)}},
		},
		{
			script: "wg_renew", name: "a lease that ran out is not revived: the member is counted done and lost",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, {"ZADD", "{t}:members", 1, "m1"}},
			keys:  wgk,
			args:  cmd("m1", "20000"),
			want:  0,
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "0", "lost", "1")},
				{cmd("EXISTS", "{t}:members"), 0},
				{cmd("XLEN", "{t}:wake"), 1},
			},
		},
		{
			script: "wg_renew", name: "an unknown member gives 0",
			keys: wgk,
			args: cmd("m1", "20000"),
			want: 0,
		},
		{
			script: "wg_finish", name: "the last member done wakes the waiters and leaves no group",
			setup: [][]any{{"HSET", "{t}", "count", 1, "lost", 0}, {"ZADD", "{t}:members", later, "m1"}},
			keys:  wgk,
			args:  cmd("m1"),
			want:  1,
			after: []probe{
				{cmd("EXISTS", "{t}", "{t}:members"), 0},
				{cmd("XLEN", "{t}:wake"), 1},
			},
		},
		{
			script: "wg_finish", name: "a member counted lost already is not counted again",
			setup: [][]any{{"HSET", "{t}", "count", 2, "lost", 1}},
			keys:  wgk,
			args:  cmd("m1"),
			want:  0,
			after: []probe{{cmd("HGETALL", "{t}"), fields("count", "2", "lost", "1")}},
		},
		{
			script: "wg_finish", name: "a member whose lease ran out is counted lost, once",
			setup: [][]any{{"HSET", "{t}", "count", 2, "lost", 0}, {"ZADD", "{t}:members", 1, "m1"}},
			keys:  wgk,
			args:  cmd("m1"),
			want:  0,
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "1")},
				{cmd("EXISTS", "{t}:wake"), 0},
			},
		},
	}...)
}
