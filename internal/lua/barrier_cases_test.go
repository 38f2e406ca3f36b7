package lua_test

import (
	"errors"
	"fmt"
	"time"
)

// The cases of the Barrier's scripts (barrier_lib): KEYS the barrier's
// hash, its waiters' set and its wake stream.
var bk = []string{"{t}", "{t}:waiting", "{t}:wake"}

// waitReply is barrier_arrive's reply to a caller that must wait: index i
// in a round numbered from the clock, the stream's last entry last, and
// the first lease's end from 9s to 10s away.
func waitReply(i int64, last string) check {
	return func(r any) error {
		a, ok := r.([]any)
		if !ok || len(a) != 5 || a[0] != int64(0) || a[1] != i || token(a[2]) != nil || a[3] != last || between(9000, 10000)(a[4]) != nil {
			return fmt.Errorf("want {0, %d, round, %q, ms to the first lease's end}", i, last)
		}
		return nil
	}
}

func init() {
	cases = append(cases, barrierCases...)
}

var barrierCases = []scriptCase{
	// barrier_arrive: ARGV wait id, lease ms, parties
	{
		script: "barrier_arrive", name: "the first arrival waits, leased, in a round numbered from the clock",
		keys: bk,
		args: cmd("w1", "10000", "3"),
		want: waitReply(0, "0-0"),
		after: []probe{
			{cmd("HGET", "{t}", "n"), "1"},
			{cmd("HGET", "{t}", "gen"), token},
			{cmd("HGET", "{t}", "from"), token}, // (the barrier made anew starts there: see barrier_check)
			{cmd("ZSCORE", "{t}:waiting", "w1"), msFromNow(9*time.Second, 10*time.Second)},
			{cmd("PTTL", "{t}"), between(3540000, 3600000)},
			{cmd("PTTL", "{t}:waiting"), between(69000, 70000)},
		},
	},
	{
		script: "barrier_arrive", name: "a later arrival gets the next index",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 1}, {"ZADD", "{t}:waiting", later, "w1"}, {"XADD", "{t}:wake", "5-1", "g", 99, "r", "done"}},
		keys:  bk,
		args:  cmd("w2", "10000", "3"),
		want: check(func(r any) error {
			a, ok := r.([]any)
			if !ok || len(a) != 5 || a[0] != int64(0) || a[1] != int64(1) || a[2] != int64(100) || a[3] != "5-1" {
				return errors.New("want {0, 1, 100, 5-1, ms}")
			}
			return nil
		}),
		after: []probe{{cmd("HGET", "{t}", "n"), "2"}, {cmd("ZCARD", "{t}:waiting"), 2}},
	},
	{
		script: "barrier_arrive", name: "the last arrival completes the round and wakes the waiters",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}, {"ZADD", "{t}:waiting", later, "w1", later, "w2"}},
		keys:  bk,
		args:  cmd("w3", "10000", "3"),
		want:  cmd(1, 2),
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "101", "n", "0", "done", "100", "w", "w3", "i", "2")},
			{cmd("EXISTS", "{t}:waiting"), 0},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "done")},
			{cmd("PTTL", "{t}:wake"), between(59000, 60000)},
		},
	},
	{
		script: "barrier_arrive", name: "a waiting arrival's second run (sent twice) gets the first's reply, counted once",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2, "w", "w2", "i", 1}, {"ZADD", "{t}:waiting", later, "w1", 1e15, "w2"}, {"XADD", "{t}:wake", "5-1", "g", "99", "r", "done"}},
		keys:  bk,
		args:  cmd("w2", "10000", "3"),
		want: check(func(r any) error {
			a, ok := r.([]any)
			if !ok || len(a) != 5 || a[0] != int64(0) || a[1] != int64(1) || a[2] != int64(100) || a[3] != "5-1" {
				return fmt.Errorf("want {0, 1, 100, \"5-1\", ms}")
			}
			return nil
		}),
		after: []probe{
			{cmd("HMGET", "{t}", "n", "gen"), strs("2", "100")},
			{cmd("ZSCORE", "{t}:waiting", "w2"), msFromNow(9*time.Second, 10*time.Second)},
		},
	},
	{
		script: "barrier_arrive", name: "a completing arrival's second run (sent twice) says it completed, counting nothing in the next round",
		setup: [][]any{{"HSET", "{t}", "gen", 101, "n", 0, "done", 100, "w", "w3", "i", 2}},
		keys:  bk,
		args:  cmd("w3", "10000", "3"),
		want:  cmd(1, 2),
		after: []probe{{cmd("HMGET", "{t}", "n", "gen"), strs("0", "101")}},
	},
	{
		script: "barrier_arrive", name: "a waiting arrival's second run after another arrival breaks the round",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2, "w", "w2", "i", 1}, {"ZADD", "{t}:waiting", later, "w1", later, "w2"}},
		keys:  bk,
		args:  cmd("w1", "10000", "3"),
		want:  cmd(-1),
		after: []probe{
			{cmd("HGET", "{t}", "broken"), "1"},
			{cmd("EXISTS", "{t}:waiting"), 0},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_arrive", name: "a waiting arrival's second run after its round broke is told so",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0, "broken", 1, "w", "w2", "i", 1}},
		keys:  bk,
		args:  cmd("w2", "10000", "3"),
		want:  cmd(-1),
	},
	{
		script: "barrier_arrive", name: "with one party every arrival completes a round at once, waking nobody",
		keys: bk,
		args: cmd("w1", "10000", "1"),
		want: cmd(1, 0),
		after: []probe{
			{cmd("HGET", "{t}", "done"), token},
			{cmd("EXISTS", "{t}:wake", "{t}:waiting"), 0},
		},
	},
	{
		script: "barrier_arrive", name: "a waiter whose lease ran out breaks the round",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}, {"ZADD", "{t}:waiting", 1, "w1", later, "w2"}, {"PEXPIRE", "{t}", 100000}},
		keys:  bk,
		args:  cmd("w3", "10000", "4"),
		want:  cmd(-1),
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "100", "n", "0", "broken", "1", "lost", "100")},
			{cmd("PTTL", "{t}"), -1},
			{cmd("EXISTS", "{t}:waiting"), 0},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_arrive", name: "waiters whose set expired break the round",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}},
		keys:  bk,
		args:  cmd("w3", "10000", "4"),
		want:  cmd(-1),
		after: []probe{{cmd("HGET", "{t}", "broken"), "1"}},
	},
	{
		script: "barrier_arrive", name: "a broken barrier refuses at once",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0, "broken", 1}},
		keys:  bk,
		args:  cmd("w1", "10000", "3"),
		want:  cmd(-1),
		after: []probe{{cmd("HGET", "{t}", "n"), "0"}, {cmd("EXISTS", "{t}:waiting"), 0}},
	},
	{
		script: "barrier_arrive", name: "waiters left of a barrier that is gone are dropped",
		setup: [][]any{{"ZADD", "{t}:waiting", later, "w0"}},
		keys:  bk,
		args:  cmd("w1", "10000", "3"),
		want:  waitReply(0, "0-0"),
		after: []probe{{cmd("ZRANGE", "{t}:waiting", 0, -1), strs("w1")}},
	},
	{
		script: "barrier_arrive", name: "another type at the key is WRONGTYPE",
		setup: [][]any{{"SET", "{t}", "x"}},
		keys:  bk,
		args:  cmd("w1", "10000", "3"),
		want:  errReply("WRONGTYPE"),
	},

	// barrier_check: ARGV wait id, round, lease ms
	{
		script: "barrier_check", name: "a waiter still in its round renews its lease",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}, {"ZADD", "{t}:waiting", 1e15, "w1", later, "w2"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(0, between(9000, 10000)),
		after: []probe{
			{cmd("ZSCORE", "{t}:waiting", "w1"), msFromNow(9*time.Second, 10*time.Second)},
			{cmd("PTTL", "{t}"), between(3540000, 3600000)},
		},
	},
	{
		script: "barrier_check", name: "a waiter whose lease ran out breaks the round",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}, {"ZADD", "{t}:waiting", later, "w1", 1, "w2"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
		after: []probe{
			{cmd("HGET", "{t}", "broken"), "1"},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_check", name: "a waiter dropped unnoticed breaks the round",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 1}, {"ZADD", "{t}:waiting", later, "w2"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
		after: []probe{{cmd("HGET", "{t}", "broken"), "1"}},
	},
	{
		script: "barrier_check", name: "a round that completed",
		setup: [][]any{{"HSET", "{t}", "gen", 103, "n", 0, "done", 102, "lost", "99 101"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(1),
	},
	{
		script: "barrier_check", name: "a round that broke, though a later one completed",
		setup: [][]any{{"HSET", "{t}", "gen", 103, "n", 0, "done", 102, "lost", "99 100"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
	},
	{
		script: "barrier_check", name: "a round too old to tell counts as broken",
		setup: [][]any{{"HSET", "{t}", "gen", 200, "done", 199, "lost",
			"101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128 129 130 131 132"}},
		keys: bk,
		args: cmd("w1", "100", "10000"),
		want: cmd(-1),
	},
	{
		script: "barrier_check", name: "the current round broken",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0, "broken", 1, "lost", "100"}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
	},
	{
		script: "barrier_check", name: "a round of a barrier deleted since, made anew and past its round, did not complete",
		setup: [][]any{{"HSET", "{t}", "gen", 503, "n", 0, "done", 502, "from", 500}},
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
	},
	{
		script: "barrier_check", name: "a round since the barrier was made that completed",
		setup: [][]any{{"HSET", "{t}", "gen", 503, "n", 0, "done", 502, "from", 500}},
		keys:  bk,
		args:  cmd("w1", "501", "10000"),
		want:  cmd(1),
	},
	{
		script: "barrier_check", name: "a barrier that is gone",
		keys:  bk,
		args:  cmd("w1", "100", "10000"),
		want:  cmd(-1),
		after: []probe{{cmd("EXISTS", "{t}"), 0}},
	},

	// barrier_leave: ARGV wait id, round or ''
	{
		script: "barrier_leave", name: "a waiter in its round breaks it",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2}, {"ZADD", "{t}:waiting", later, "w1", later, "w2"}},
		keys:  bk,
		args:  cmd("w1", "100"),
		want:  1,
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "100", "n", "0", "broken", "1", "lost", "100")},
			{cmd("EXISTS", "{t}:waiting"), 0},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_leave", name: "a waiter whose round is unknown breaks the round it is in",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 1}, {"ZADD", "{t}:waiting", later, "w1"}},
		keys:  bk,
		args:  cmd("w1", ""),
		want:  1,
		after: []probe{{cmd("HGET", "{t}", "broken"), "1"}},
	},
	{
		script: "barrier_leave", name: "a waiter whose round completed changes nothing",
		setup: [][]any{{"HSET", "{t}", "gen", 101, "n", 1, "done", 100}, {"ZADD", "{t}:waiting", later, "w2"}},
		keys:  bk,
		args:  cmd("w1", "100"),
		want:  0,
		after: []probe{{cmd("HGETALL", "{t}"), fields("gen", "101", "n", "1", "done", "100")}},
	},

	// barrier_abort
	{
		script: "barrier_abort", name: "breaks the round and wakes its waiters",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 1}, {"ZADD", "{t}:waiting", later, "w1"}, {"PEXPIRE", "{t}", 100000}},
		keys:  bk,
		want:  1,
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "100", "n", "0", "broken", "1", "lost", "100")},
			{cmd("PTTL", "{t}"), -1},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_abort", name: "an empty round breaks without waking anyone",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0}},
		keys:  bk,
		want:  1,
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "100", "n", "0", "broken", "1")},
			{cmd("EXISTS", "{t}:wake"), 0},
		},
	},
	{
		script: "barrier_abort", name: "a broken barrier stays as it is",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0, "broken", 1, "lost", "100"}},
		keys:  bk,
		want:  0,
		after: []probe{{cmd("HGETALL", "{t}"), fields("gen", "100", "n", "0", "broken", "1", "lost", "100")}},
	},

	// barrier_reset
	{
		script: "barrier_reset", name: "a barrier that does not exist stays so",
		setup: [][]any{{"ZADD", "{t}:waiting", later, "w1"}},
		keys:  bk,
		want:  0,
		after: []probe{{cmd("EXISTS", "{t}", "{t}:waiting"), 0}},
	},
	{
		script: "barrier_reset", name: "the waiters of the round are broken and the next round begins",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 2, "done", 99}, {"ZADD", "{t}:waiting", later, "w1", later, "w2"}},
		keys:  bk,
		want:  2,
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "101", "n", "0", "done", "99", "lost", "100")},
			{cmd("PTTL", "{t}"), between(3540000, 3600000)},
			{cmd("EXISTS", "{t}:waiting"), 0},
			{cmd("XRANGE", "{t}:wake", "-", "+"), wakeEntry("g", "100", "r", "broken")},
		},
	},
	{
		script: "barrier_reset", name: "a broken barrier is mended",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 0, "broken", 1, "lost", "100"}},
		keys:  bk,
		want:  0,
		after: []probe{
			{cmd("HGETALL", "{t}"), fields("gen", "101", "n", "0", "lost", "100")},
			{cmd("PTTL", "{t}"), between(3540000, 3600000)},
		},
	},

	// barrier_waiting
	{
		script: "barrier_waiting", name: "counts the waiters whose lease runs",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "n", 3}, {"ZADD", "{t}:waiting", later, "w1", later, "w2", 1, "w3"}},
		keys:  bk,
		want:  2,
	},
	{
		script: "barrier_waiting", name: "a broken barrier has no waiters",
		setup: [][]any{{"HSET", "{t}", "gen", 100, "broken", 1}, {"ZADD", "{t}:waiting", later, "w1"}},
		keys:  bk,
		want:  0,
	},
	{
		script: "barrier_waiting", name: "a barrier that does not exist has no waiters",
		keys: bk,
		want: 0,
	},
}
