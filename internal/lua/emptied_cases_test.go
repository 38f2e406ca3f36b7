package lua_test

import "time"

// Cases that reach a path where a script empties (so deletes) one of its
// KEYS and names it again later in the same run: the hazard that
// TestScriptsNeverNameAKeyTheyEmptied looks for (see emptied_test.go).
// Every declared key exists before the run, as it must for a script to run
// on a slot's owner while the slot migrates.
func init() {
	cases = append(cases, []scriptCase{
		// barrier_check: reap's ZREM of the dead waiters empties the waiters'
		// set, which breakRound then names (DEL).
		{
			script: "barrier_check", name: "every waiter's lease ran out: the round breaks and the waiters' set is gone",
			setup: [][]any{
				{"HSET", "{t}", "gen", 100, "n", 2},
				{"ZADD", "{t}:waiting", 1, "w1", 2, "w2"},
				{"XADD", "{t}:wake", "5-1", "g", 99, "r", "done"},
			},
			keys: bk,
			args: cmd("w1", "100", "10000"),
			want: cmd(-1),
			after: []probe{
				{cmd("HGET", "{t}", "broken"), "1"},
				{cmd("HGET", "{t}", "lost"), "100"},
				{cmd("EXISTS", "{t}:waiting"), 0},
				{cmd("XLEN", "{t}:wake"), 2},
			},
		},

		// counter_combine: the HDEL of the fields an "and" drops empties the
		// counter, and HLEN then names it for the reply.
		{
			script: "counter_combine", name: "and that drops every field empties the counter",
			setup: [][]any{{"HSET", "{t}:c", "a", 1, "b", 2}},
			keys:  []string{"{t}:c"},
			args:  cmd("and", "100", "0", "c", "5"),
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}:c"), 0}},
		},
		{
			script: "counter_combine", name: "and against another counter that shares no field empties the counter",
			setup: [][]any{{"HSET", "{t}:c", "a", 1}, {"HSET", "{t}:o", "b", 4}},
			keys:  []string{"{t}:c", "{t}:o"},
			args:  cmd("and", "100", "0"),
			want:  0,
			after: []probe{{cmd("EXISTS", "{t}:c"), 0}, {cmd("HGETALL", "{t}:o"), fields("b", "4")}},
		},

		// set_step: xor's SREM of every member of the scratch set empties it,
		// and PEXPIRE and SCARD then name it.
		{
			script: "set_step", name: "xor removing every member of the scratch set empties it",
			setup: [][]any{{"SADD", "{t}:s", "a", "b"}, {"SADD", "{t}:tmp", "a", "b"}},
			keys:  []string{"{t}:s", "{t}:tmp"},
			args:  cmd("2", "60000", "xor", "a", "b"),
			want:  cmd("0", 0),
			after: []probe{{cmd("EXISTS", "{t}:tmp"), 0}},
		},

		// wg_go: open's ZREM of the dead members empties the members' set,
		// which ZSCORE, ZADD (leaseMember) and PEXPIRETIME (together) then name.
		{
			script: "wg_go", name: "a start after the only member's lease ran out counts it lost, then begins a new round",
			setup: [][]any{
				{"HSET", "{t}", "count", 1, "lost", 0},
				{"ZADD", "{t}:members", 1, "m1"},
				{"XADD", "{t}:wake", "5-1", "lost", 0},
			},
			keys: wgk,
			args: cmd("m2", "20000"),
			want: 1,
			after: []probe{
				{cmd("HGETALL", "{t}"), fields("count", "1", "lost", "0")},
				{cmd("ZRANGE", "{t}:members", 0, -1), strs("m2")},
				{cmd("ZSCORE", "{t}:members", "m2"), msFromNow(19*time.Second, 20*time.Second)},
				{cmd("XLEN", "{t}:wake"), 2},
			},
		},
	}...)
}
