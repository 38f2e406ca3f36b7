package lua_test

// The arrival time of a waiter, wait id .. '#t' in the registrations
// (line_lib): noted when the wait joins the line, kept while it renews,
// gone with the wait however it leaves; '#seq' and the grants ignore it.

func init() {
	cases = append(cases, []scriptCase{
		{
			script: "lock_acquire", name: "a wait that joins the line notes when it arrived",
			setup: [][]any{heldBy("o2", "w2")},
			keys:  lk,
			args:  lockArgs("o1", "10000", "0", "w1", "1"),
			want:  cmd(0, -1, 1, "0-0", nowMs, newTicket),
			after: []probe{
				{cmd("HGET", "{t}:waiting", "w1#t"), nowMs},
				{cmd("HGET", "{t}:waiting", "#seq"), newTicket},
				{cmd("HLEN", "{t}:waiting"), 3},
			},
		},
		{
			script: "lock_acquire", name: "a wait that renews keeps its arrival time",
			setup: [][]any{
				heldBy("o2", "w2"),
				{"ZADD", "{t}:waiters", 3, "w1"},
				{"HSET", "{t}:waiting", "#seq", 5, "w1", "1 10000 o1", "w1#t", "1234"},
			},
			keys: lk,
			args: lockArgs("o1", "10000", "0", "w1", "1"),
			want: cmd(0, -1, 3, "0-0", nowMs, 3),
			after: []probe{
				{cmd("HGET", "{t}:waiting", "w1#t"), "1234"},
				{cmd("HGET", "{t}:waiting", "w1"), like(`^\d{13} 10000 o1$`)},
			},
		},
		{
			script: "lock_release", name: "a grant drops the waiter's arrival time with its registration",
			setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
			keys:  lk,
			args:  lockArgs("o1"),
			want:  0,
			after: []probe{
				{cmd("HGET", "{t}", "owner"), "o2"},
				{cmd("HEXISTS", "{t}:waiting", "w2#t"), 0},
				{cmd("HKEYS", "{t}:waiting"), strs("#seq")},
			},
		},
		{
			script: "lock_acquire", name: "a dead waiter dropped from the line leaves no arrival time",
			setup: [][]any{
				{"ZADD", "{t}:waiters", 1, "w2", 2, "w3"},
				{"HSET", "{t}:waiting", "#seq", 2, "w2", "1 10000 o2", "w2#t", "1", "w3#t", "1"},
			},
			keys: lk,
			args: lockArgs("o1", "10000", "0", "w1", "0"),
			want: cmd(1, token, 1),
			after: []probe{
				{cmd("HGET", "{t}", "owner"), "o1"},
				{cmd("HKEYS", "{t}:waiting"), strs("#seq")},
			},
		},
		{
			script: "lock_cancel", name: "a waiter that gives up takes its arrival time along",
			setup: [][]any{lockAcquire("o1", "w1", "0"), lockAcquire("o2", "w2", "1")},
			keys:  lk,
			args:  lockArgs("o2", "w2"),
			want:  0,
			after: []probe{{cmd("HKEYS", "{t}:waiting"), strs("#seq")}},
		},
		{
			script: "sem_acquire", name: "a semaphore wait notes when it arrived",
			setup: [][]any{semAcquire("h2", "3", "w2", "0")},
			keys:  lk,
			args:  semArgs("h1", "1", "10000", "w1", "1"),
			want:  cmd(0, between(9000, 10000), 1, "0-0", nowMs, newTicket),
			after: []probe{
				{cmd("HGET", "{t}:waiting", "w1#t"), nowMs},
				{cmd("HGET", "{t}:waiting", "w1"), like(`^\d{13} 10000 h1 1$`)},
			},
		},
		{
			script: "sem_release", name: "a semaphore grant drops the waiter's arrival time",
			setup: [][]any{semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "2", "w3", "1")},
			keys:  lk,
			args:  semArgs("h2", "3", "0"),
			want:  0,
			after: []probe{
				{cmd("HGET", "{t}:state", "h3"), "2"},
				{cmd("HKEYS", "{t}:waiting"), strs("#seq")},
			},
		},
		{
			script: "sem_acquire", name: "a semaphore waiter whose registration ran out leaves no arrival time",
			setup: [][]any{
				{"ZADD", "{t}:waiters", 1, "w2"},
				{"HSET", "{t}:waiting", "#seq", 1, "w2", "1 10000 h2 1", "w2#t", "1"},
			},
			keys: lk,
			args: semArgs("h1", "1", "10000", "w1", "0"),
			want: newHolding,
			after: []probe{
				{cmd("HKEYS", "{t}:waiting"), strs("#seq")},
				{cmd("EXISTS", "{t}:waiters"), 0},
			},
		},
		{
			script: "sem_cancel", name: "a semaphore waiter that gives up takes its arrival time along",
			setup: [][]any{semAcquire("h2", "3", "w2", "0"), semAcquire("h3", "1", "w3", "1")},
			keys:  lk,
			args:  semArgs("w3"),
			want:  0,
			after: []probe{{cmd("HKEYS", "{t}:waiting"), strs("#seq")}},
		},
	}...)
}
