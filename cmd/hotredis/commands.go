package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/inspect"
)

// app runs the commands on one connection.
type app struct {
	rdb redis.UniversalClient
	cfg config
	out io.Writer
}

func (a *app) inspector() *inspect.Inspector {
	return &inspect.Inspector{Client: a.rdb, Limit: a.cfg.limit}
}

// inspect writes what lives at each key.
func (a *app) inspect(ctx context.Context, keys []string) error {
	var b bytes.Buffer
	err := a.frame(ctx, &b, keys)
	if _, werr := a.out.Write(b.Bytes()); err == nil {
		err = werr
	}
	return err
}

// frame writes the view of keys into b: blank-line-separated text, or a
// JSON object a line.
func (a *app) frame(ctx context.Context, b *bytes.Buffer, keys []string) error {
	in := a.inspector()
	enc := json.NewEncoder(b)
	for i, k := range keys {
		o, err := in.Inspect(ctx, k)
		if err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
		if a.cfg.json {
			if err := enc.Encode(o); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			b.WriteString("\n")
		}
		if err := inspect.WriteText(b, o); err != nil {
			return err
		}
	}
	return nil
}

// ls writes the objects whose key matches pattern.
func (a *app) ls(ctx context.Context, pattern string) error {
	es, err := a.inspector().List(ctx, pattern)
	if err != nil {
		return err
	}
	if !a.cfg.json {
		return inspect.WriteList(a.out, es)
	}
	enc := json.NewEncoder(a.out)
	for _, e := range es {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// watch redraws the view of keys every interval until ctx ends (SIGINT):
// on a terminal-like screen, cleared each time, like top; with --json, a
// JSON object per key per refresh. A failed refresh is shown, and the
// next one tries again.
func (a *app) watch(ctx context.Context, keys []string) error {
	tick := time.NewTicker(a.cfg.interval)
	defer tick.Stop()
	for {
		var b bytes.Buffer
		if !a.cfg.json {
			b.WriteString("\x1b[H\x1b[2J") // home, clear the screen
			fmt.Fprintf(&b, "hotredis watch, every %v: %s (Ctrl-C to stop)\n\n", a.cfg.interval, time.Now().Format("15:04:05"))
		}
		err := a.frame(ctx, &b, keys)
		if ctx.Err() != nil {
			return nil // interrupted
		}
		if err != nil {
			if a.cfg.json {
				return err
			}
			fmt.Fprintf(&b, "\nerror: %v (retrying)\n", err)
		}
		if _, err := a.out.Write(b.Bytes()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
