package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

func init() { benches["transports"] = benchTransports }

// transport is one client configuration; prepare returns the call that
// sends one command (its arguments) with it.
type transport struct {
	name    string
	prepare func(args ...string) func(context.Context) error
	close   func()
}

// benchTransports measures what rueidis's own options do (issue 17:
// measure them before building anything), beside go-redis with its
// defaults: the same commands from one goroutine and from 64, every
// configuration once per round in a rotating order, so that the machine's
// drift hits all alike. It prints the medians of µs per command and of the
// per-round ratios to go-redis:
//
//	go run -C cmd/hotbench . -d 20s transports
func benchTransports(url string) error {
	ctx := context.Background()
	ts, err := transports(url)
	if err != nil {
		return err
	}
	defer func() {
		for _, t := range ts {
			t.close()
		}
	}()
	key := fmt.Sprintf("{hotbench:%d}:transports", time.Now().UnixNano())
	commands := []string{"INCR", "LLEN"}
	fmt.Printf("load average %s; each cell: median of %d rounds over %v, µs per command (ratio to go-redis in the same round)\n\n",
		loadAvg(), rounds, *duration)
	head := "| command | goroutines |"
	sep := "|---|---:|"
	for _, t := range ts {
		head += " " + t.name + " |"
		sep += "---:|"
	}
	fmt.Println(head)
	fmt.Println(sep)
	// rueidis sends a call from the caller's goroutine until calls first
	// overlap; from then on every call goes through its pipeline's writer
	// and reader goroutines, also when calls come one at a time again. So
	// the serial rows come before and after a concurrent one.
	for _, row := range []struct {
		command    string
		goroutines int
		when       string
	}{
		{commands[0], 1, "1, fresh clients"},
		{commands[0], parallelism, strconv.Itoa(parallelism)},
		{commands[0], 1, "1, after the " + strconv.Itoa(parallelism)},
		{commands[1], 1, "1, after the " + strconv.Itoa(parallelism)},
		{commands[1], parallelism, strconv.Itoa(parallelism)},
	} {
		cells, err := rotate(ctx, ts, key, row.command, row.goroutines)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %s |%s\n", row.command, row.when, cells)
	}
	fmt.Printf("\nload average %s at the end\n", loadAvg())
	for _, c := range commands {
		if err := ts[0].prepare("DEL", key+":"+c)(ctx); err != nil {
			return err
		}
	}
	return nil
}

// rotate runs command on key through every transport, rounds times,
// each round in an order rotated by one, and returns the table cells.
func rotate(ctx context.Context, ts []transport, key, command string, goroutines int) (string, error) {
	calls := make([]func(context.Context) error, len(ts))
	for i, t := range ts {
		calls[i] = t.prepare(command, key+":"+command)
	}
	per, err := rotated(ctx, calls, goroutines)
	if err != nil {
		return "", err
	}
	ratio := make([][]float64, len(ts))
	for i := range ts {
		for r := range per[i] {
			ratio[i] = append(ratio[i], per[i][r]/per[0][r])
		}
	}
	var b strings.Builder
	for i := range ts {
		fmt.Fprintf(&b, " %.1f (%.2f) |", median(per[i])/1e3, median(ratio[i]))
	}
	return b.String(), nil
}

// transports are go-redis with its defaults (first: the yardstick) and
// rueidis with its defaults and with each pipelining option.
func transports(url string) ([]transport, error) {
	gopt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	rdb := redis.NewClient(gopt)
	ts := []transport{{
		name: "go-redis",
		prepare: func(args ...string) func(context.Context) error {
			as := make([]any, len(args))
			for i, a := range args {
				as[i] = a
			}
			return func(ctx context.Context) error { return rdb.Do(ctx, as...).Err() }
		},
		close: func() { rdb.Close() },
	}}
	for _, v := range []struct {
		name string
		set  func(*rueidis.ClientOption)
	}{
		{"rueidis", func(*rueidis.ClientOption) {}},
		{"rueidis DisableAutoPipelining", func(o *rueidis.ClientOption) { o.DisableAutoPipelining = true }},
		{"rueidis AlwaysPipelining", func(o *rueidis.ClientOption) { o.AlwaysPipelining = true }},
		{"rueidis PipelineMultiplex 2", func(o *rueidis.ClientOption) { o.PipelineMultiplex = 2 }},
	} {
		opt, err := rueidis.ParseURL(url)
		if err != nil {
			return nil, err
		}
		opt.DisableCache = true
		v.set(&opt)
		rc, err := rueidis.NewClient(opt)
		if err != nil {
			return nil, err
		}
		ts = append(ts, transport{
			name: v.name,
			prepare: func(args ...string) func(context.Context) error {
				cmd := rc.B().Arbitrary(args[0]).Keys(args[1:]...).Build().Pin() // reused by every call
				return func(ctx context.Context) error { return rc.Do(ctx, cmd).Error() }
			},
			close: rc.Close,
		})
	}
	return ts, nil
}
