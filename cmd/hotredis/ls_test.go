package main

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/inspect"
)

func TestLs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := client(t)
	p := unique("app") + ":"
	held := hotredis.NewLock(p+"lock", hotredis.WithClient(c))
	if err := held.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = held.Release(context.Background()) })
	free := hotredis.NewLock(p+"free", hotredis.WithClient(c))
	if err := free.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := free.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := hotredis.NewQueue[string](p+"q", hotredis.WithClient(c)).Put(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := hotredis.NewSetQueue[string]("{"+p+"sq}", hotredis.WithClient(c)).Put(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if err := hotredis.NewMap[string, string](p+"m", hotredis.WithClient(c)).Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if err := hotredis.NewInt(p+"n", hotredis.WithClient(c)).Store(ctx, 42); err != nil {
		t.Fatal(err)
	}
	if err := hotredis.NewInt(unique("other"), hotredis.WithClient(c)).Store(ctx, 1); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := cli(t, "ls", "--json", p+"*")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	kinds := map[string]inspect.Kind{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e inspect.Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		kinds[e.Key] = e.Kind
	}
	want := map[string]inspect.Kind{
		p + "lock": inspect.KindLock, p + "free": inspect.KindLine, p + "q": inspect.KindQueue,
		p + "m": inspect.KindHash, p + "n": inspect.KindString,
		"{" + p + "sq}": inspect.KindSetQueue, // found by its auxiliary keys, "{<p>sq}:..."
	}
	for k, kind := range want {
		if kinds[k] != kind {
			t.Errorf("%s: kind %q, want %q", k, kinds[k], kind)
		}
	}
	if len(kinds) != len(want) {
		t.Errorf("listed %v, want %v", kinds, want)
	}

	// A tagged key, its companion "-set" and its auxiliary keys make one
	// set queue.
	out, _, _ = cli(t, "ls", "{"+p+"sq}*")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(lines[0], `"{`+p+`sq}"  setqueue`) {
		t.Errorf("ls {%ssq}*:\n%s", p, out)
	}

	out, _, _ = cli(t, "ls", p+"*")
	mustContain(t, out, `"`+p+`lock"`, "lock", "Lock or RLock", `"`+p+`q"`, "queue", `"`+p+`free"`, "lock-or-semaphore")
	t.Logf("\n%s", out)
}

func TestWatchRedrawsUntilInterrupted(t *testing.T) {
	t.Parallel()
	key := unique("watched")
	if err := hotredis.NewInt(key, hotredis.WithClient(client(t))).Store(t.Context(), 7); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond) // (ample for two frames 100 ms apart, a dial included, on a loaded machine)
	defer cancel()
	out, errOut, code := cliCtx(ctx, "watch", "--interval", "100ms", key)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, "\x1b[H\x1b[2J"); n < 2 {
		t.Errorf("%d frames, want several:\n%q", n, out)
	}
	mustContain(t, out, `string (Int or String) "`+key+`": 1 byte`)
}

func TestBadUsageExitsWith2(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--nope", "ls"}, "flag provided but not defined: -nope"},
		{[]string{}, "no command"},
		{[]string{"frob"}, `unknown command "frob"`},
		{[]string{"inspect"}, "inspect needs at least one KEY"},
		{[]string{"watch", "--interval", "0s", "k"}, "--interval must be positive"},
		{[]string{"watch", "--interval", "soon", "k"}, `invalid value "soon" for flag -interval`},
		{[]string{"ls", "a", "b"}, "ls takes one PATTERN"},
		{[]string{"--url", "http://x", "ls"}, "bad --url"},
		{[]string{"--sentinel-user", "u", "ls"}, "need --master"},
	} {
		var o, e strings.Builder
		code := run(t.Context(), tc.args, &o, &e)
		if code != 2 || !strings.Contains(e.String(), tc.says) || o.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want 2 and %q", tc.args, code, e.String(), o.String(), tc.says)
		}
	}
	var o, e strings.Builder
	if code := run(t.Context(), []string{"-h"}, &o, &e); code != 0 || !strings.Contains(o.String(), "usage: hotredis") {
		t.Errorf("-h: exit %d, stdout %q", code, o.String())
	}
}

func TestUnreachableServerExitsWith1(t *testing.T) {
	t.Parallel()
	var o, e strings.Builder
	code := run(t.Context(), []string{"--url", "redis://127.0.0.1:1", "ls"}, &o, &e)
	if code != 1 || !strings.Contains(e.String(), "connect to 127.0.0.1:1") {
		t.Errorf("exit %d, stderr %q", code, e.String())
	}
}

func TestREDIS_URL(t *testing.T) {
	t.Setenv("REDIS_URL", srv.URL())
	var o, e strings.Builder
	if code := run(t.Context(), []string{"ls", unique("none-such") + "*"}, &o, &e); code != 0 {
		t.Errorf("exit %d: %s", code, e.String())
	}
}

func TestCluster(t *testing.T) {
	t.Parallel()
	cl := hotredistest.NewCluster(t)
	ctx := t.Context()
	c := cl.Client(t)
	p := unique("cl") + ":"
	var want []string
	for i := range 12 { // keys in slots of every master
		k := p + strconv.Itoa(i)
		if err := hotredis.NewLock(k, hotredis.WithClient(c), hotredis.WithLabel("node-test")).Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		want = append(want, k)
	}
	// One seed address is enough: the command finds out it is a Cluster.
	args := func(a ...string) []string { return append([]string{"--url", "redis://" + cl.Addrs()[0]}, a...) }
	var o, e strings.Builder
	if code := run(ctx, args("ls", "--json", p+"*"), &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(o.String()), "\n") {
		var en inspect.Entry
		if err := json.Unmarshal([]byte(line), &en); err != nil || en.Kind != inspect.KindLock {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, en.Key)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("ls found %q, want %q", got, want)
	}
	o.Reset()
	if code := run(ctx, args("--addrs", strings.Join(cl.Addrs(), ","), "inspect", want[0], want[5]), &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	if n := strings.Count(o.String(), `label "node-test": lease `); n != 2 {
		t.Errorf("inspect:\n%s", o.String())
	}
}
