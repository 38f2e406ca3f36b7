package lua_test

import "errors"

// granted is {1, µs to wait (within [lo, hi]), server time in µs}.
func granted(lo, hi int64) check {
	return func(r any) error {
		a, ok := r.([]any)
		if !ok || len(a) != 4 || a[0] != int64(1) || between(lo, hi)(a[1]) != nil || token(a[2]) != nil || like(`^\d+\.\d{3}$`)(a[3]) != nil {
			return errors.New("want {1, wait in range, server time in µs, the arrival time after}")
		}
		return nil
	}
}

// refused is {0, µs it would have to wait, at least min}.
func refused(min int64) check {
	return func(r any) error {
		a, ok := r.([]any)
		if !ok || len(a) != 2 || a[0] != int64(0) || between(min, 1<<62)(a[1]) != nil {
			return errors.New("want {0, a wait of at least min}")
		}
		return nil
	}
}

// far is a bucket's arrival time in the year 2223 (µs, exact in Lua).
const far = "8000000000000000.000"

func init() {
	cases = append(cases,
		// limiter_reserve: KEYS bucket; ARGV µs per token, burst in µs, n, patience µs
		scriptCase{
			script: "limiter_reserve", name: "a full bucket admits at once and keeps the arrival time",
			keys: []string{"{t}:lim"},
			args: cmd("1000000", "3000000", "1", "0"),
			want: granted(0, 0),
			after: []probe{
				{cmd("GET", "{t}:lim"), like(`^\d{16}\.\d{3}$`)},
				{cmd("PTTL", "{t}:lim"), between(900, 1001)},
			},
		},
		scriptCase{
			script: "limiter_reserve", name: "an empty bucket refuses Allow and changes nothing",
			setup: [][]any{cmd("SET", "{t}:lim", far)},
			keys:  []string{"{t}:lim"},
			args:  cmd("1000", "3000", "1", "0"),
			want:  refused(1e9),
			after: []probe{{cmd("GET", "{t}:lim"), far}},
		},
		scriptCase{
			script: "limiter_reserve", name: "a wait within the patience is a reservation that moves the arrival time on",
			setup: [][]any{cmd("SET", "{t}:lim", far)},
			keys:  []string{"{t}:lim"},
			args:  cmd("1000", "3000", "2", "100000000000000000"),
			want:  granted(1e9, 1<<62),
			after: []probe{{cmd("GET", "{t}:lim"), "8000000000002000.000"}},
		},
		scriptCase{
			script: "limiter_reserve", name: "n over the burst waits n minus burst tokens",
			keys: []string{"{t}:lim"},
			args: cmd("1000", "3000", "5", "10000000"),
			want: granted(1990, 2000),
		},
		scriptCase{
			script: "limiter_reserve", name: "a reservation is recorded until it is due, for a cancel without its reply",
			setup: [][]any{cmd("SET", "{t}:lim", far)},
			keys:  []string{"{t}:lim", "{t}:lim:res"},
			args:  cmd("1000", "3000", "2", "100000000000000000"),
			want:  granted(1e9, 1<<62),
			after: []probe{
				{cmd("GET", "{t}:lim:res"), like(`^\d{16} 2$`)},
				{cmd("PTTL", "{t}:lim:res"), between(1e9, 1<<62)},
			},
		},
		scriptCase{
			script: "limiter_reserve", name: "tokens taken at once are not recorded",
			keys:  []string{"{t}:lim", "{t}:lim:res"},
			args:  cmd("1000", "3000", "2", "100000000000000000"),
			want:  granted(0, 0),
			after: []probe{{cmd("EXISTS", "{t}:lim:res"), int64(0)}},
		},
		// limiter_cancel: KEYS bucket, record; ARGV µs per token, burst (µs)
		scriptCase{
			script: "limiter_cancel", name: "a reservation not yet due gives its tokens back, once",
			setup: [][]any{cmd("SET", "{t}:lim", far), cmd("SET", "{t}:res", "7999999999999000 2")}, // (the latest: due + burst is the bucket's time)
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(1),
			after: []probe{
				{cmd("GET", "{t}:lim"), "7999999999998000.000"},
				{cmd("EXISTS", "{t}:res"), int64(0)},
				{eval("limiter_cancel", []string{"{t}:lim", "{t}:res"}, "1000", "1000"), int64(0)},
				{cmd("GET", "{t}:lim"), "7999999999998000.000"},
			},
		},
		scriptCase{
			script: "limiter_cancel", name: "a reservation with a later one behind it gives back only the tokens that one does not count on",
			setup: [][]any{cmd("SET", "{t}:lim", far), cmd("SET", "{t}:res", "7999999999998000 2")}, // (1 token reserved since)
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(1),
			after: []probe{{cmd("GET", "{t}:lim"), "7999999999999000.000"}},
		},
		scriptCase{
			script: "limiter_cancel", name: "a reservation with as many tokens reserved behind it gives nothing back",
			setup: [][]any{cmd("SET", "{t}:lim", far), cmd("SET", "{t}:res", "7999999999997000 2")}, // (2 tokens reserved since)
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(1),
			after: []probe{{cmd("GET", "{t}:lim"), far}},
		},
		scriptCase{
			script: "limiter_cancel", name: "a reservation due already was used and stays",
			setup: [][]any{cmd("SET", "{t}:lim", far), cmd("SET", "{t}:res", "1 2")},
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(0),
			after: []probe{{cmd("GET", "{t}:lim"), far}},
		},
		scriptCase{
			script: "limiter_cancel", name: "a reservation not recorded (never made, or given back) gives nothing",
			setup: [][]any{cmd("SET", "{t}:lim", far)},
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(0),
			after: []probe{{cmd("GET", "{t}:lim"), far}},
		},
		scriptCase{
			script: "limiter_cancel", name: "tokens taken at once, whose reply came too late, go back whatever the time, once",
			setup: [][]any{cmd("SET", "{t}:lim", "8000000000003000.000")}, // (taken at once: after 8000000000002000; 1 token taken since)
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "3000", "now", "2", "8000000000002000.000"),
			want:  int64(1),
			after: []probe{
				{cmd("GET", "{t}:lim"), "8000000000002000.000"},
				{eval("limiter_cancel", []string{"{t}:lim", "{t}:res"}, "1000", "3000", "now", "2", "8000000000002000.000"), int64(0)},
				{cmd("GET", "{t}:lim"), "8000000000002000.000"},
			},
		},
		scriptCase{
			script: "limiter_cancel", name: "giving back past now leaves a full bucket: no key",
			setup: [][]any{cmd("SET", "{t}:lim", "1000.000"), cmd("SET", "{t}:res", "8000000000000000 2")},
			keys:  []string{"{t}:lim", "{t}:res"},
			args:  cmd("1000", "1000"),
			want:  int64(1),
			after: []probe{{cmd("EXISTS", "{t}:lim"), int64(0)}},
		},
	)
}
