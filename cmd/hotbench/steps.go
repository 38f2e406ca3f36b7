package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/lua"
)

func init() { benches["steps"] = benchSteps }

// stepsN is the size of the collections benchSteps works on.
const stepsN = 1_000_000

// benchSteps measures, for each long Set and Counter operation on
// collections of stepsN members, the longest single step the server ran
// (the slowest SLOWLOG entry, which is how long Redis could serve no one
// else) and the median and 99th percentile of its steps, besides the
// operation's wall time:
//
//	go run -C cmd/hotbench . steps
//	HOTBENCH_ONLY=Counter.Total go run -C cmd/hotbench . steps
//
// It changes the server's slowlog settings and resets its statistics, so
// use a server of its own (leave REDIS_URL unset). A machine busy with
// other work stretches every step: compare figures from one run.
func benchSteps(url string) error {
	ctx := context.Background()
	only := os.Getenv("HOTBENCH_ONLY") // run only the operations whose name holds this
	hc, rdb, _, closeAll, err := connect(url)
	if err != nil {
		return err
	}
	defer closeAll()
	// Only commands over 100 µs are logged: logging every command called
	// by a script would slow the scripts down and flood the log.
	for _, kv := range [][2]string{{"slowlog-log-slower-than", "100"}, {"slowlog-max-len", "100000"}} {
		if err := rdb.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			return err
		}
	}

	members := make([]int, stepsN)  // 0 .. n-1
	values := make([]int, stepsN)   // n/2 .. 3n/2-1: half of them are members
	counts := make(map[int]int64)   // the counter: some counts are not positive
	others := make(map[int]int64)   // the other counts, over values' range
	elements := make([]int, stepsN) // elements for UpdateElements
	small := []int{1, 2, 3, 5_000_000}
	smallCounts := map[int]int64{1: 5, 2: -5, 5_000_000: 3}
	for i := range stepsN {
		members[i] = i
		values[i] = stepsN/2 + i
		counts[i] = int64(i%1000 - 100)
		others[stepsN/2+i] = int64(i*7%1000 - 100)
		elements[i] = i % (stepsN / 2)
	}
	s := hotredis.NewSet[int]("{steps}:s", hotredis.WithClient(hc))
	c := hotredis.NewCounter[int]("{steps}:c", hotredis.WithClient(hc))
	o := hotredis.NewCounter[int]("{steps}:o", hotredis.WithClient(hc))
	defer s.Delete(ctx)
	defer c.Delete(ctx)
	defer o.Delete(ctx)
	t := hotredis.NewSet[int]("{steps}:t", hotredis.WithClient(hc))
	defer t.Delete(ctx)
	setUp := func() error { return s.Replace(ctx, members...) }
	setsUp := func() error {
		if err := s.Replace(ctx, members...); err != nil {
			return err
		}
		return t.Replace(ctx, values...)
	}
	counterUp := func() error { return c.Replace(ctx, counts) }
	bothUp := func() error {
		if err := c.Replace(ctx, counts); err != nil {
			return err
		}
		return o.Replace(ctx, others)
	}
	ops := []struct {
		name  string
		setUp func() error
		run   func() error
	}{
		{"Set.UnionUpdateValues 1M", setUp, func() error { return s.UnionUpdateValues(ctx, values...) }},
		{"Set.IntersectionUpdateValues 1M", setUp, func() error { return s.IntersectionUpdateValues(ctx, values...) }},
		{"Set.DifferenceUpdateValues 1M", setUp, func() error { return s.DifferenceUpdateValues(ctx, values...) }},
		{"Set.SymmetricDifferenceUpdateValues 1M", setUp, func() error { return s.SymmetricDifferenceUpdateValues(ctx, values...) }},
		{"Set.UnionUpdate 1M|1M (other Set)", setsUp, func() error { return s.UnionUpdate(ctx, t) }},
		{"Set.IntersectionUpdate 1M&1M (other Set)", setsUp, func() error { return s.IntersectionUpdate(ctx, t) }},
		{"Set.DifferenceUpdate 1M-1M (other Set)", setsUp, func() error { return s.DifferenceUpdate(ctx, t) }},
		{"Set.SymmetricDifferenceUpdate 1M^1M (other Set)", setsUp, func() error { return s.SymmetricDifferenceUpdate(ctx, t) }},
		{"Set.IntersectionUpdateValues 4 (1M set)", setUp, func() error { return s.IntersectionUpdateValues(ctx, small...) }},
		{"Set.SymmetricDifferenceUpdateValues 4 (1M set)", setUp, func() error { return s.SymmetricDifferenceUpdateValues(ctx, small...) }},
		{"Counter.Update 1M", counterUp, func() error { return c.Update(ctx, others) }},
		{"Counter.Subtract 1M", counterUp, func() error { return c.Subtract(ctx, others) }},
		{"Counter.UpdateElements 1M (500k distinct)", counterUp, func() error { return c.UpdateElements(ctx, elements...) }},
		{"Counter.IntersectionUpdateCounts 1M", counterUp, func() error { return c.IntersectionUpdateCounts(ctx, others) }},
		{"Counter.UnionUpdateCounts 1M", counterUp, func() error { return c.UnionUpdateCounts(ctx, others) }},
		{"Counter.IntersectionUpdate 1M&1M", bothUp, func() error { return c.IntersectionUpdate(ctx, o) }},
		{"Counter.UnionUpdate 1M|1M", bothUp, func() error { return c.UnionUpdate(ctx, o) }},
		{"Counter.Update 3 (1M counter)", counterUp, func() error { return c.Update(ctx, smallCounts) }},
		{"Counter.UnionUpdateCounts 3 (1M counter)", counterUp, func() error { return c.UnionUpdateCounts(ctx, smallCounts) }},
		{"Counter.IntersectionUpdateCounts 3 (1M counter)", counterUp, func() error { return c.IntersectionUpdateCounts(ctx, smallCounts) }},
		{"Counter.MostCommon(10) 1M", counterUp, func() error { _, err := c.MostCommon(ctx, 10); return err }},
		{"Counter.Total 1M", counterUp, func() error { _, err := c.Total(ctx); return err }},
	}
	fmt.Printf("%-48s %9s %7s %9s %9s %10s  %s\n", "operation", "wall", "scripts", "p50 step", "p99 step", "worst step", "worst command")
	for _, op := range ops {
		if only != "" && !strings.Contains(op.name, only) {
			continue
		}
		if err := op.setUp(); err != nil {
			return fmt.Errorf("%s: set up: %w", op.name, err)
		}
		if err := rdb.SlowLogReset(ctx).Err(); err != nil {
			return err
		}
		if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
			return err
		}
		start := time.Now()
		runErr := op.run()
		wall := time.Since(start)
		log, err := rdb.SlowLogGet(ctx, -1).Result()
		for err != nil && strings.HasPrefix(err.Error(), "BUSY") {
			// The client gave up on a script that still runs.
			time.Sleep(100 * time.Millisecond)
			log, err = rdb.SlowLogGet(ctx, -1).Result()
		}
		if err != nil {
			return err
		}
		var worst redis.SlowLog
		var ds []time.Duration
		for _, e := range log {
			// Commands called by scripts (client "?:0") are parts of a step.
			if e.ClientAddr == "?:0" || len(e.Args) > 0 && strings.EqualFold(e.Args[0], "slowlog") {
				continue
			}
			ds = append(ds, e.Duration)
			if e.Duration > worst.Duration {
				worst = e
			}
		}
		slices.Sort(ds)
		// The median and 99th percentile of the steps over 100 µs (those
		// the log holds): a step stretched by a busy machine shows in the
		// worst one, not in these.
		pct := func(p int) time.Duration {
			if len(ds) == 0 {
				return 0
			}
			return ds[(len(ds)-1)*p/100]
		}
		steps, err := topLevelCalls(ctx, rdb)
		if err != nil {
			return err
		}
		what := ""
		if len(worst.Args) > 0 {
			what = worst.Args[0]
			if len(worst.Args) > 1 && strings.HasPrefix(strings.ToUpper(what), "EVAL") {
				what += " " + scriptName(worst.Args[1])
			}
		}
		if runErr != nil {
			what += " (failed: " + runErr.Error() + ")"
		}
		fmt.Printf("%-48s %9v %7d %9v %9v %10v  %s\n", op.name, wall.Round(time.Millisecond), steps,
			pct(50).Round(10*time.Microsecond), pct(99).Round(10*time.Microsecond),
			worst.Duration.Round(10*time.Microsecond), what)
	}
	return nil
}

// topLevelCalls counts the scripts and transactions run since the
// statistics were reset: the steps of an operation.
func topLevelCalls(ctx context.Context, rdb *redis.Client) (int, error) {
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		for _, c := range []string{"eval", "evalsha", "exec"} {
			if rest, ok := strings.CutPrefix(line, "cmdstat_"+c+":calls="); ok {
				calls, _, _ := strings.Cut(rest, ",")
				k, _ := strconv.Atoi(calls)
				n += k
			}
		}
	}
	return n, nil
}

// scriptName names a script given by hash or source: hotredis's own by
// their file name (lua.NameOf knows every script the library has loaded,
// libraries included, wherever hotbench runs from), others by their
// header line.
func scriptName(s string) string {
	if n := lua.NameOf(s); n != "" {
		return n
	}
	if i := strings.IndexByte(s, ':'); strings.HasPrefix(s, "-- ") && i > 0 {
		return s[3:i]
	}
	if len(s) > 8 {
		return s[:8]
	}
	return s
}
