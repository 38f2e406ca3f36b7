// Command tour replays HOT Redis's "computer A / computer B" tour with two
// real OS processes sharing one List through Redis.
//
//	go run ./examples/tour
//
// It uses REDIS_URL, or a server on 127.0.0.1:6379, or, when neither
// answers, a redis-server it starts itself on a free port (and stops at the
// end).
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

const key = "hotredis:tour:foo"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run() error {
	if os.Getenv("TOUR_ROLE") == "B" {
		return computerB()
	}
	url, stop, err := findRedis()
	if err != nil {
		return err
	}
	defer stop()
	if err := hotredis.Configure(hotredis.Options{URL: url}); err != nil {
		return err
	}
	return computerA(url)
}

// computerA is the first process: it creates the list, lets computer B (a
// second process) extend it, then works on what B wrote.
func computerA(url string) error {
	ctx := context.Background()
	say := func(format string, args ...any) { fmt.Printf("computer A> "+format+"\n", args...) }

	list := hotredis.NewList[string](key)
	defer list.Delete(ctx)
	if err := list.Replace(ctx, "a", "b", "c"); err != nil {
		return err
	}
	say(`list := hotredis.NewList[string](%q); list.Replace(ctx, "a", "b", "c")`, key)

	b := exec.Command(os.Args[0])
	b.Env = append(os.Environ(), "TOUR_ROLE=B", "REDIS_URL="+url)
	b.Stdout, b.Stderr = os.Stdout, os.Stderr
	if err := b.Run(); err != nil {
		return fmt.Errorf("computer B (pid %v): %w", b.Process, err)
	}

	vs, err := list.Values(ctx)
	if err != nil {
		return err
	}
	say("list.Values(ctx)            -> %q   (LRANGE: B's append is here)", vs)
	has, err := list.Contains(ctx, "c")
	if err != nil {
		return err
	}
	say(`list.Contains(ctx, "c")     -> %v   (LPOS, on the server)`, has)
	if err := list.Reverse(ctx); err != nil {
		return err
	}
	vs, _ = list.Values(ctx)
	say("list.Reverse(ctx); Values   -> %q   (in place, atomically, in Redis)", vs)
	if err := list.Insert(ctx, 1, "x"); err != nil {
		return err
	}
	last, _ := list.Pop(ctx)
	vs, _ = list.Values(ctx)
	say(`list.Insert(ctx, 1, "x"); list.Pop(ctx) -> %q; now %q`, last, vs)
	return nil
}

// computerB is the second process: it opens the same key and appends.
func computerB() error {
	ctx := context.Background()
	say := func(format string, args ...any) {
		fmt.Printf("computer B> (pid %d) "+format+"\n", append([]any{os.Getpid()}, args...)...)
	}
	list := hotredis.NewList[string](key) // the default client reads REDIS_URL
	vs, err := list.Values(ctx)
	if err != nil {
		return err
	}
	say("list.Values(ctx)            -> %q", vs)
	n, err := list.Append(ctx, "d", "e", "f")
	if err != nil {
		return err
	}
	say(`list.Append(ctx, "d", "e", "f") -> length %d   (RPUSH)`, n)
	return nil
}

// findRedis returns a reachable server's URL, starting one if needed.
func findRedis() (url string, stop func(), err error) {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u, func() {}, nil
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", 300*time.Millisecond); err == nil {
		c.Close()
		return "redis://127.0.0.1:6379", func() {}, nil
	}
	s, err := hotredistest.Start()
	if err != nil {
		return "", nil, err
	}
	fmt.Printf("(no Redis at REDIS_URL or 127.0.0.1:6379: started redis-server on %s for this tour)\n", s.Addr)
	return s.URL(), s.Close, nil
}
