package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/lua"
)

func init() {
	benches["steps"] = benchSteps
	benches["stalls"] = benchSteps
}

// benchSteps measures whether any long operation monopolizes Redis: for
// each long List, Set and Counter operation on big collections, and for
// the fastest native way to do the same job where Redis has one, run on
// the same data, it prints the wall time, the longest wait of a separate
// client PINGing every millisecond meanwhile, and the longest single step
// the server ran (the slowest SLOWLOG entry); then the whole reads of a
// list, a set and a hash of 10,000 entries of 8 KiB and of a string of
// 64 MiB (steps_bytes.go):
//
//	go run -C cmd/hotbench . steps
//	HOTBENCH_ONLY=List.Sort HOTBENCH_LIST_SIZES=1000000 go run -C cmd/hotbench . steps
//	HOTBENCH_LIST_SIZES=20000 HOTBENCH_SET_SIZE=20000 go run -C cmd/hotbench . steps
//
// HOTBENCH_LIST_SIZES (default "1000000,10000000") are the lengths of the
// lists, HOTBENCH_SET_SIZE (default 1000000) the size of the sets and
// counters, and HOTBENCH_ONLY runs only the rows whose "operation size"
// matches it as a regular expression ("Counter.Total|Counter.MostCommon"). The first row is the idle server over -d: the machine's noise
// floor. A table in markdown, for BENCHMARKS.md, follows the aligned one.
// HOTBENCH_FLUSH_SCRIPTS (any value) sends SCRIPT FLUSH before each row,
// so that each starts on a fresh Lua VM: a diagnostic for the slow first
// steps of Counter rows (see BENCHMARKS.md).
//
// It changes the server's slowlog settings and resets its statistics, so
// use a server of its own (leave REDIS_URL unset). A machine busy with
// other work stretches every step: compare figures from one run.
func benchSteps(url string) error {
	cfg, err := stepsConfigFromEnv()
	if err != nil {
		return err
	}
	b, err := newStepsBench(url)
	if err != nil {
		return err
	}
	defer b.close()
	// Only commands over 100 µs are logged: logging every command called
	// by a script would slow the scripts down and flood the log.
	for _, kv := range [][2]string{{"slowlog-log-slower-than", "100"}, {"slowlog-max-len", "100000"}} {
		if err := b.admin.ConfigSet(b.ctx, kv[0], kv[1]).Err(); err != nil {
			return err
		}
	}
	if err := b.loadScripts(); err != nil {
		return err
	}
	version, err := b.redisVersion()
	if err != nil {
		return err
	}
	report := stallReport{started: time.Now(), loadStart: loadAvg(), redis: version}
	fmt.Printf("Redis %s, load average %s; a client PINGs every 1 ms during each run\n\n", version, report.loadStart)
	printHeader()

	idle := stepOp{name: "idle server (noise floor)", size: "-",
		hot: func(context.Context) error { time.Sleep(*duration); return nil }}
	if err := b.runRow(&report, idle); err != nil {
		return err
	}
	busy := stepOp{name: "busy server: 1,000 steps of 3 ms (floor)", size: "-",
		hot: func(ctx context.Context) error {
			for range 1000 {
				if err := spin.Run(ctx, b.admin, nil, 3000).Err(); err != nil {
					return err
				}
			}
			return nil
		}}
	if err := b.runRow(&report, busy); err != nil {
		return err
	}
	for _, n := range cfg.listSizes {
		if err := b.listRows(&report, cfg, n); err != nil {
			return err
		}
	}
	if err := b.setRows(&report, cfg); err != nil {
		return err
	}
	if err := b.wideRows(&report, cfg); err != nil {
		return err
	}
	report.loadEnd = loadAvg()
	fmt.Printf("\nload average %s at the start, %s at the end\n\n", report.loadStart, report.loadEnd)
	report.printMarkdown()
	return nil
}

//go:embed spin.lua
var spinSource string

// spin keeps the server busy for a number of microseconds (spin.lua).
var spin = redis.NewScript(spinSource)

// stepsConfig is what the environment chose: sizes and a row filter.
type stepsConfig struct {
	listSizes []int
	setSize   int
	only      string
}

func stepsConfigFromEnv() (stepsConfig, error) {
	cfg := stepsConfig{only: os.Getenv("HOTBENCH_ONLY")}
	sizes := os.Getenv("HOTBENCH_LIST_SIZES")
	if sizes == "" {
		sizes = "1000000,10000000"
	}
	for s := range strings.SplitSeq(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			return cfg, fmt.Errorf("HOTBENCH_LIST_SIZES: %q is not a list length of at least 2", s)
		}
		cfg.listSizes = append(cfg.listSizes, n)
	}
	cfg.setSize = 1_000_000
	if s := os.Getenv("HOTBENCH_SET_SIZE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			return cfg, fmt.Errorf("HOTBENCH_SET_SIZE: %q is not a size of at least 2", s)
		}
		cfg.setSize = n
	}
	return cfg, nil
}

// wanted reports whether the filter HOTBENCH_ONLY keeps op.
func (c stepsConfig) wanted(op stepOp) bool {
	if c.only == "" {
		return true
	}
	if re, err := regexp.Compile(c.only); err == nil {
		return re.MatchString(op.name + " " + op.size)
	}
	return strings.Contains(op.name+" "+op.size, c.only)
}

// filter returns the ops the filter keeps.
func (c stepsConfig) filter(ops []stepOp) []stepOp {
	var kept []stepOp
	for _, op := range ops {
		if c.wanted(op) {
			kept = append(kept, op)
		}
	}
	return kept
}

// stepOp is one row: a hotredis operation and, where Redis has one, the
// fastest native way to do the same job. prepare puts the data in place
// before each side runs (nil: nothing to do).
type stepOp struct {
	name, size string
	prepare    func(context.Context) error
	hot        func(context.Context) error
	native     string // the native command(s); "" when there is none
	raw        func(context.Context) error
}

// stepsBench is what the rows share: the clients and the pinger.
type stepsBench struct {
	ctx   context.Context
	hc    *hotredis.Client
	admin *redis.Client // the bench's own bookkeeping: SLOWLOG, INFO, COPY
	raw   *redis.Client // the native side
	ping  *pinger
}

func newStepsBench(url string) (*stepsBench, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	hc, err := hotredis.NewClientURL(url)
	if err != nil {
		return nil, err
	}
	return &stepsBench{ctx: context.Background(), hc: hc,
		admin: untimedClient(*opt, 0), raw: untimedClient(*opt, 0), ping: &pinger{rdb: untimedClient(*opt, 1)}}, nil
}

func (b *stepsBench) close() {
	b.ping.rdb.Close()
	b.raw.Close()
	b.admin.Close()
	b.hc.Close()
}

// untimedClient is a go-redis client with opt that waits for a reply as
// long as it takes (a native command may hold the server for many
// seconds), with a pool of poolSize connections (0: the default).
func untimedClient(opt redis.Options, poolSize int) *redis.Client {
	opt.ReadTimeout, opt.WriteTimeout = -1, -1
	if poolSize > 0 {
		opt.PoolSize = poolSize
	}
	return redis.NewClient(&opt)
}

// runRow measures op's hotredis side, then its native side, and prints
// and records the row.
func (b *stepsBench) runRow(report *stallReport, op stepOp) error {
	row := stallRow{op: op}
	var err error
	if row.hot, err = b.measure(op.prepare, op.hot); err != nil {
		return fmt.Errorf("%s %s: %w", op.name, op.size, err)
	}
	if op.raw != nil {
		if row.raw, err = b.measure(op.prepare, op.raw); err != nil {
			return fmt.Errorf("%s %s (native): %w", op.name, op.size, err)
		}
	}
	printRow(row)
	report.rows = append(report.rows, row)
	return nil
}

// copyKeys resets keys from saved copies: UNLINK key, then COPY orig key, for each
// pair {key, orig}, server-side.
func (b *stepsBench) copyKeys(pairs ...[2]string) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, p := range pairs {
			// UNLINK, then COPY: COPY ... REPLACE frees the old value
			// inline, in the same command that allocates the new one,
			// and after it the first steps over the copy often ran 3-8x
			// slower (13-15 ms instead of 1.5-2 ms for 1,000 members;
			// not after UNLINK or DEL, then COPY): an artefact of this
			// restore, not of the operation measured.
			if err := b.admin.Unlink(ctx, p[0]).Err(); err != nil {
				return err
			}
			if err := b.admin.Do(ctx, "COPY", p[1], p[0]).Err(); err != nil {
				return err
			}
		}
		return nil
	}
}

// loadScripts puts every hotredis script in the server's cache, so that
// no row pays for (or shows as its slowest step) a script's first EVAL.
func (b *stepsBench) loadScripts() error {
	for _, name := range lua.All() {
		if err := b.admin.ScriptLoad(b.ctx, lua.Load(name).Src).Err(); err != nil {
			return fmt.Errorf("SCRIPT LOAD %s: %w", name, err)
		}
	}
	return nil
}

func (b *stepsBench) redisVersion() (string, error) {
	info, err := b.admin.Info(b.ctx, "server").Result()
	if err != nil {
		return "", err
	}
	return infoField(info, "redis_version"), nil
}

// infoField returns the value of field in an INFO reply ("" if absent).
func infoField(info, field string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAvg returns the machine's 1, 5 and 15 minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// humanN writes a size as 20k, 1M, 10M, 1.5M, or in full.
func humanN(n int) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + "M"
	case n >= 1_000 && n%100 == 0:
		return strconv.FormatFloat(float64(n)/1e3, 'f', -1, 64) + "k"
	}
	return strconv.Itoa(n)
}

// args makes command arguments of vs.
func args(vs []int) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// rawChunk is how many values one native variadic command takes, as
// hotredis's own chunked commands do.
const rawChunk = 10_000

// chunks calls f with vs as command arguments, rawChunk at a time.
func chunks(vs []int, f func(args []any)) {
	for len(vs) > 0 {
		k := min(len(vs), rawChunk)
		f(args(vs[:k]))
		vs = vs[k:]
	}
}
