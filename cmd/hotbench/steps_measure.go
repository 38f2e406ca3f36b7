package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/lua"
)

// stall is what one run of an operation cost the server's other clients.
type stall struct {
	wall  time.Duration // the operation's wall time
	ping  time.Duration // the longest PING round trip meanwhile
	gap   time.Duration // the longest interval between two PING replies
	step  time.Duration // the longest step the server ran (0: none over 100 µs)
	steps int           // the scripts and transactions run
	over  int           // the steps that took longer than stepBound
	what  string        // the longest step's command
	err   error         // the operation's own error
}

// measure runs prepare, waits for the server and this process to be
// quiet, then runs run while the pinger watches, and reads what the
// server logged. Its error is the bench's; run's own is in stall.err.
func (b *stepsBench) measure(prepare, run func(context.Context) error) (stall, error) {
	ctx := b.ctx
	if prepare != nil {
		if err := prepare(ctx); err != nil {
			return stall{}, fmt.Errorf("prepare: %w", err)
		}
	}
	if err := b.settle(); err != nil {
		return stall{}, err
	}
	if err := b.admin.SlowLogReset(ctx).Err(); err != nil {
		return stall{}, err
	}
	if err := b.admin.ConfigResetStat(ctx).Err(); err != nil {
		return stall{}, err
	}
	stop, err := b.ping.watch(ctx)
	if err != nil {
		return stall{}, err
	}
	start := time.Now()
	s := stall{err: run(ctx)}
	s.wall = time.Since(start)
	if s.ping, s.gap, err = stop(); err != nil {
		return stall{}, fmt.Errorf("pinger: %w", err)
	}
	if err := b.longestStep(&s); err != nil {
		return stall{}, err
	}
	return s, nil
}

// settle waits until the server has freed, in the background, what an
// UNLINK left it, and collects this process's garbage, so that neither
// competes with the next run for the machine's two cores.
func (b *stepsBench) settle() error {
	runtime.GC()
	for range 1000 {
		info, err := b.admin.Info(b.ctx, "memory").Result()
		if err != nil {
			return err
		}
		if n := infoField(info, "lazyfree_pending_objects"); n == "0" || n == "" {
			if os.Getenv("HOTBENCH_SHOW_SLOW") != "" {
				fmt.Printf("    before the run: used_memory_lua %s, used_memory %s\n", infoField(info, "used_memory_lua"), infoField(info, "used_memory"))
			}
			// Hand the freed memory back to the system now, rather than
			// in the allocator's background thread during the run.
			if os.Getenv("HOTBENCH_FLUSH_SCRIPTS") != "" {
				// A fresh Lua VM for each row (a diagnostic: see steps.go).
				if err := b.admin.Do(b.ctx, "SCRIPT", "FLUSH").Err(); err != nil {
					return err
				}
			}
			return b.admin.Do(b.ctx, "MEMORY", "PURGE").Err()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil // the run goes ahead; its figures may show it
}

// showSlower is the step time beyond which HOTBENCH_SHOW_SLOW prints
// each step: the variable's value as a duration ("5ms"), stepBound
// for any other value, never when unset.
func showSlower() time.Duration {
	v := os.Getenv("HOTBENCH_SHOW_SLOW")
	if v == "" {
		return time.Duration(1<<63 - 1)
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d
	}
	return stepBound
}

// stepBound is the longest a step should keep the server (issue 16):
// the bench counts the steps beyond it, to tell a rare outlier (the
// machine's noise) from steps that are too long.
const stepBound = 20 * time.Millisecond

// longestStep fills in s's slowest step, from SLOWLOG, and its count of
// steps, from the command statistics.
func (b *stepsBench) longestStep(s *stall) error {
	log, err := b.admin.SlowLogGet(b.ctx, -1).Result()
	for err != nil && strings.HasPrefix(err.Error(), "BUSY") {
		// The client gave up on a script that still runs.
		time.Sleep(100 * time.Millisecond)
		log, err = b.admin.SlowLogGet(b.ctx, -1).Result()
	}
	if err != nil {
		return err
	}
	var first int64 = -1
	for _, e := range slices.Backward(log) { // oldest first
		// Commands called by scripts (client "?:0") are parts of a step.
		if e.ClientAddr == "?:0" || len(e.Args) == 0 || bookkeeping(e.Args[0]) {
			continue
		}
		if first < 0 {
			first = e.ID
		}
		if e.Duration > stepBound {
			s.over++
		}
		if e.Duration > showSlower() {
			{
				fmt.Printf("    slow step: %s, logged entry %d of the run, at %s: %s\n",
					dur(e.Duration), e.ID-first, e.Time.Format("15:04:05.000"), strings.Join(e.Args, " "))
			}
		}
		if e.Duration > s.step {
			s.step, s.what = e.Duration, commandName(e.Args)
		}
	}
	stats, err := b.admin.Info(b.ctx, "commandstats").Result()
	if err != nil {
		return err
	}
	s.steps = topLevelCalls(stats)
	// SLOWLOG skips EXEC and logs the commands of a transaction one by
	// one; but the server ran them as one step. When there was one
	// transaction, its duration is in the command statistics.
	if calls, usec := commandStat(stats, "exec"); calls == 1 {
		if d := time.Duration(usec) * time.Microsecond; d > s.step {
			s.step, s.what = d, "EXEC"
		}
	}
	return nil
}

// bookkeeping reports whether a logged command is the bench's own.
func bookkeeping(name string) bool {
	switch strings.ToLower(name) {
	case "slowlog", "config", "info", "ping":
		return true
	}
	return false
}

// commandName is a logged command's name, and its script's for a script.
func commandName(args []string) string {
	what := args[0]
	if len(args) > 1 && strings.HasPrefix(strings.ToUpper(what), "EVAL") {
		what += " " + scriptName(args[1])
	}
	return what
}

// topLevelCalls counts the scripts and transactions run since the
// statistics were reset: the steps of an operation.
func topLevelCalls(stats string) int {
	n := 0
	for _, c := range []string{"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "exec"} {
		calls, _ := commandStat(stats, c)
		n += int(calls)
	}
	return n
}

// commandStat returns a command's calls and total µs from an INFO
// commandstats reply.
func commandStat(stats, command string) (calls, usec int64) {
	v := infoField(stats, "cmdstat_"+command)
	for kv := range strings.SplitSeq(v, ",") {
		k, x, _ := strings.Cut(kv, "=")
		switch k {
		case "calls":
			calls, _ = strconv.ParseInt(x, 10, 64)
		case "usec":
			usec, _ = strconv.ParseInt(x, 10, 64)
		}
	}
	return calls, usec
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

// pinger is a client of its own that PINGs the server every millisecond
// while an operation runs: the longest wait it sees is what the operation
// cost every other client of the server.
type pinger struct{ rdb *redis.Client }

// watch PINGs, a millisecond apart, until the returned stop is called;
// stop returns the longest round trip (a PING's send to its reply) and the
// longest interval between two replies. The PING in flight when stop is
// called is waited for, so a stall that ends with the operation counts.
func (p *pinger) watch(ctx context.Context) (stop func() (rtt, gap time.Duration, err error), err error) {
	if err := p.rdb.Ping(ctx).Err(); err != nil { // connected before the run
		return nil, err
	}
	quit, done := make(chan struct{}), make(chan struct{})
	var rtt, gap time.Duration
	var perr error
	go func() {
		defer close(done)
		last := time.Now()
		for {
			sent := time.Now()
			if perr = p.rdb.Ping(ctx).Err(); perr != nil {
				return
			}
			now := time.Now()
			rtt, gap = max(rtt, now.Sub(sent)), max(gap, now.Sub(last))
			last = now
			select {
			case <-quit:
				return
			default:
			}
			time.Sleep(time.Millisecond)
		}
	}()
	return func() (time.Duration, time.Duration, error) {
		close(quit)
		<-done
		return rtt, gap, perr
	}, nil
}
