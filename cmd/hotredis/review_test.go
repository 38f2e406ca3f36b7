package main

// A review's tests of the inspect command on odd data. Found by review,
// fixed since: a lease of 2^57 ms overflowed the stack (a Duration of
// MinInt64, whose negation is itself); ids were written with their escape
// sequences raw. Its sweep found hashes written by a Map taken for a
// lock, a WaitGroup or a barrier, and a Map at "{x}:state" taken for a
// semaphore's state (ls listed a semaphore that did not exist and hid
// the Map): recognition now asks for what those layouts always hold.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/inspect"
)

// In a child process (HOTREDIS_REVIEW_CLI_ARGS set), run the command and exit: to see
// whether it crashes.
func init() {
	if args := os.Getenv("HOTREDIS_REVIEW_CLI_ARGS"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
}

// TestReviewInspectHugeLeaseInRegistration: a waiter registration whose
// lease field is 2^57 ms (odd data, as a foreign or corrupted writer may
// leave) must not crash inspect.
func TestReviewInspectHugeLeaseInRegistration(t *testing.T) {
	ctx := t.Context()
	rdb := srv.GoRedis()
	defer rdb.Close()
	k := unique("reviewhuge")
	if err := rdb.HSet(ctx, k, "owner", "0123456789abcdef01234567", "count", "1", "fence", "5", "wid", "w").Err(); err != nil {
		t.Fatal(err)
	}
	rdb.ZAdd(ctx, "{"+k+"}:waiters", redis.Z{Score: 1, Member: "w1"})
	rdb.HSet(ctx, "{"+k+"}:waiting", "w1", "9999999999999 144115188075855872 o2")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTREDIS_REVIEW_CLI_ARGS="+strings.Join([]string{"--url", srv.URL(), "inspect", k}, "\x1f"))
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("inspect did not finish within 60s")
	}
	s := string(out)
	if len(s) > 600 && os.Getenv("ZZ_FULL") == "" {
		s = s[:600] + "…"
	}
	if err != nil {
		t.Errorf("hotredis inspect on a lock whose waiter asks a 2^57 ms lease: %v\n%s", err, s)
	} else {
		t.Logf("%s", s)
	}
}

// TestReviewInspectEscapesHolderIDs: inspect's text output quotes what
// a key holds when it does not print ("so that what a key holds cannot
// send a terminal escape sequences", text.go), as it does for hosts,
// labels and runners. A holder id, a waiter id, a reservation id and a
// WaitGroup member id are written raw.
func TestReviewInspectEscapesHolderIDs(t *testing.T) {
	ctx := t.Context()
	rdb := srv.GoRedis()
	defer rdb.Close()
	const esc = "\x1b[2J\x1b[H" // clear the screen
	lk := unique("reviewesclock")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.HSet(ctx, lk, "owner", esc+"evil", "count", "1", "fence", "5", "wid", "w").Err())
	must(rdb.ZAdd(ctx, "{"+lk+"}:waiters", redis.Z{Score: 1, Member: "w1"}).Err())
	must(rdb.HSet(ctx, "{"+lk+"}:waiting", "w1", "9999999999999 30000 "+esc+"w").Err())
	qk := unique("reviewescq")
	must(rdb.RPush(ctx, qk, "a").Err())
	must(rdb.Set(ctx, "{"+qk+"}:unfinished", "2", 0).Err())
	must(rdb.ZAdd(ctx, "{"+qk+"}:reserved", redis.Z{Score: 9999999999999, Member: esc + "r"}).Err())
	must(rdb.RPush(ctx, "{"+qk+"}:reserved:"+esc+"r", "b").Err())
	wk := unique("reviewescwg")
	must(rdb.HSet(ctx, wk, "count", "1", "lost", "0").Err())
	must(rdb.ZAdd(ctx, "{"+wk+"}:members", redis.Z{Score: 9999999999999, Member: esc + "m"}).Err())
	for _, k := range []string{lk, qk, wk} {
		out, errOut, code := cli(t, "inspect", k)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("inspect %s writes a raw ESC byte to the terminal:\n%q", k, out)
		}
	}
}

// reviewCase is an object a hotredis type wrote, and what inspect must say.
type reviewCase struct {
	name string
	key  string
	kind inspect.Kind
	typ  string // one of the types listed
}

// TestReviewInspectSweep writes objects of every type with the library
// and inspects each: the kind, and the type that wrote it among those
// listed.
func TestReviewInspectSweep(t *testing.T) {
	ctx := t.Context()
	c := client(t)
	on := hotredis.WithClient(c)
	var cases []reviewCase
	add := func(name string, kind inspect.Kind, typ string, k string) {
		cases = append(cases, reviewCase{name, k, kind, typ})
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	u := func(s string) string { return unique("review-" + s) }

	k := u("list")
	_, err := hotredis.NewList[string](k, on).Append(ctx, "a", "b")
	must(err)
	add("List", inspect.KindList, "List", k)

	k = u("set")
	_, err = hotredis.NewSet[string](k, on).Add(ctx, "a")
	must(err)
	add("Set", inspect.KindSet, "Set", k)

	k = u("map")
	must(hotredis.NewMap[string, string](k, on).Set(ctx, "a", "x"))
	add("Map", inspect.KindHash, "Map", k)

	k = u("mapcount")
	must(hotredis.NewMap[string, int](k, on).SetMany(ctx, map[string]int{"count": 3, "lost": 0}))
	add("Map{count,lost}", inspect.KindWaitGroup, "Map", k) // (a WaitGroup's layout: both listed)

	k = u("mapowner")
	must(hotredis.NewMap[string, string](k, on).SetMany(ctx, map[string]string{"owner": "alice", "fence": "7"}))
	add("Map{owner,fence}", inspect.KindHash, "Map", k)

	k = u("countergen")
	must(hotredis.NewCounter[string](k, on).Update(ctx, map[string]int64{"gen": 2, "n": 1, "w": 4, "i": 9}))
	add("Counter{gen,n,w,i}", inspect.KindHash, "Counter", k)

	k = u("counter")
	_, err = hotredis.NewCounter[string](k, on).Add(ctx, "a", 2)
	must(err)
	add("Counter", inspect.KindHash, "Counter", k)

	k = u("str")
	must(hotredis.NewString(k, on).Set(ctx, "hello"))
	add("String", inspect.KindString, "String", k)

	k = u("int")
	must(hotredis.NewInt(k, on).Store(ctx, 42))
	add("Int", inspect.KindString, "Int", k)

	k = u("float")
	must(hotredis.NewFloat(k, on).Store(ctx, 1.5))
	add("Float", inspect.KindString, "Float", k)

	k = u("floatwhole")
	must(hotredis.NewFloat(k, on).Store(ctx, 3))
	add("Float(3)", inspect.KindString, "Float", k)

	k = u("oncedone")
	must(hotredis.NewOnce(k, on).Do(ctx, func(context.Context) error { return nil }))
	add("Once done", inspect.KindOnce, "Once", k)

	k = u("oncefailed")
	_ = hotredis.NewOnce(k, on).Do(ctx, func(context.Context) error { return errors.New("boom") })
	add("Once failed", inspect.KindOnce, "Once", k)

	k = u("eventset")
	must(hotredis.NewEvent(k, on).Set(ctx))
	add("Event set", inspect.KindEvent, "Event", k)

	k = u("eventcleared")
	must(hotredis.NewEvent(k, on).Set(ctx))
	must(hotredis.NewEvent(k, on).Clear(ctx))
	add("Event cleared", inspect.KindEvent, "Event", k)

	k = u("wg")
	must(hotredis.NewWaitGroup(k, on).Add(ctx, 2))
	add("WaitGroup", inspect.KindWaitGroup, "WaitGroup", k)

	k = u("wgdone")
	must(hotredis.NewWaitGroup(k, on).Add(ctx, 1))
	must(hotredis.NewWaitGroup(k, on).Done(ctx))
	add("WaitGroup back to 0", inspect.KindWaitGroup, "WaitGroup", k)

	k = u("wggo")
	wgEnd := make(chan struct{})
	t.Cleanup(func() { close(wgEnd) })
	wgStarted := make(chan struct{})
	go hotredis.NewWaitGroup(k, on).Go(context.Background(), func(context.Context) error { close(wgStarted); <-wgEnd; return nil })
	<-wgStarted
	add("WaitGroup with a member", inspect.KindWaitGroup, "WaitGroup", k)

	k = u("barrierdone")
	{
		b1, b2 := hotredis.NewBarrier(k, 2, on), hotredis.NewBarrier(k, 2, on)
		done := make(chan error, 1)
		go func() { _, err := b1.Wait(ctx); done <- err }()
		_, err := b2.Wait(ctx)
		must(err)
		must(<-done)
	}
	add("Barrier after a round", inspect.KindBarrier, "Barrier", k)

	k = u("barrierbroken")
	must(hotredis.NewBarrier(k, 2, on).Abort(ctx))
	add("Barrier aborted", inspect.KindBarrier, "Barrier", k)

	k = u("limiter")
	_, err = hotredis.NewLimiter(k, 1, 5, on).AllowN(ctx, 3)
	must(err)
	add("Limiter", inspect.KindLimiter, "Limiter", k)

	k = u("limiterslow")
	_, err = hotredis.NewLimiter(k, 0.001, 1, on).Allow(ctx)
	must(err)
	add("Limiter, slow rate", inspect.KindLimiter, "Limiter", k)

	k = u("lock")
	must(hotredis.NewLock(k, on).Acquire(ctx))
	add("Lock held", inspect.KindLock, "Lock", k)

	k = u("sem")
	must(hotredis.NewSemaphore(k, 3, on).AcquireN(ctx, 2))
	add("Semaphore held", inspect.KindSemaphore, "Semaphore", k)

	k = u("bsem")
	must(hotredis.NewBoundedSemaphore(k, 3, on).Acquire(ctx))
	add("BoundedSemaphore held", inspect.KindSemaphore, "BoundedSemaphore", k)

	k = u("rww")
	must(hotredis.NewRWLock(k, on).Acquire(ctx))
	add("RWLock held by a writer", inspect.KindRWLock, "RWLock", k)

	k = u("queue")
	must(hotredis.NewQueue[string](k, on).PutMany(ctx, "a", "b"))
	add("Queue", inspect.KindQueue, "Queue", k)

	k = u("lifo")
	must(hotredis.NewLifoQueue[string](k, on).PutMany(ctx, "a", "b"))
	add("LifoQueue", inspect.KindQueue, "LifoQueue", k)

	k = u("queuedone")
	{
		q := hotredis.NewQueue[string](k, on)
		must(q.Put(ctx, "a"))
		_, err := q.Get(ctx)
		must(err)
		must(q.TaskDone(ctx))
		must(q.Put(ctx, "b"))
	}
	add("Queue after a done task", inspect.KindQueue, "Queue", k)

	k = u("setqueue")
	_, err = hotredis.NewSetQueue[string](k, on).PutMany(ctx, "a", "b")
	must(err)
	add("SetQueue", inspect.KindSetQueue, "SetQueue", k)

	k = u("lifosetqueue")
	_, err = hotredis.NewLifoSetQueue[string](k, on).PutMany(ctx, "a", "b")
	must(err)
	add("LifoSetQueue", inspect.KindSetQueue, "LifoSetQueue", k)

	k = u("istr")
	must(hotredis.NewString(k, on).Set(ctx, "frozen"))
	add("ImmutableString", inspect.KindString, "ImmutableString", k)

	k = "{" + u("tag") + "}:state"
	must(hotredis.NewMap[string, string](k, on).Set(ctx, "phase", "ready"))
	add("Map at {tag}:state", inspect.KindHash, "Map", k)

	k = "{" + u("tag") + "}:unfinished"
	must(hotredis.NewInt(k, on).Store(ctx, 5))
	add("Int at {tag}:unfinished", inspect.KindAux, "", k) // (a queue's count by its name: noted)

	for _, tc := range cases {
		o := inspectJSON(t, tc.key)
		ok := o.Kind == tc.kind && (tc.typ == "" || slices.Contains(o.Types, tc.typ))
		out, _, _ := cli(t, "inspect", tc.key)
		first, _, _ := strings.Cut(out, "\n")
		if !ok {
			t.Errorf("%s: inspect says kind %s types %v, want kind %s listing %s: %s", tc.name, o.Kind, o.Types, tc.kind, tc.typ, first)
		} else {
			t.Logf("%s: %s", tc.name, first)
		}
	}
	_ = time.Second
}

// TestReviewLsMapAtTaggedStateKey: ls of a Map stored at "{tag}:state"
// (a hash-tagged key, as the README advises for keys used together) lists
// that Map, and no object that does not exist.
func TestReviewLsMapAtTaggedStateKey(t *testing.T) {
	ctx := t.Context()
	tag := unique("reviewcart")
	k := "{" + tag + "}:state"
	if err := hotredis.NewMap[string, string](k, hotredis.WithClient(client(t))).Set(ctx, "phase", "checkout"); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, "ls", "*"+tag+"*")
	t.Logf("ls:\n%s%s", out, errOut)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, strconv.Quote(k)) {
		t.Errorf("ls does not list the Map %q", k)
	}
	if strings.Contains(out, "semaphore") {
		t.Errorf("ls lists a semaphore, but only a Map was written")
	}
}
