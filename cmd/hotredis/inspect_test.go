package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/inspect"
)

func TestInspectLockHeldByAnotherProcess(t *testing.T) {
	t.Parallel()
	key := unique("jobs")
	c := client(t)
	pid := holdInChild(t, key)
	// Two waiters in this process, the second after the first is in line.
	for i, label := range []string{"waiter-1", "waiter-2"} {
		l := hotredis.NewLock(key, hotredis.WithClient(c), hotredis.WithLabel(label))
		background(t, func(ctx context.Context) { _ = l.Acquire(ctx) })
		until(t, key, func(o inspect.Object) bool { return o.Line != nil && len(o.Line.Waiters) == i+1 })
	}

	o := inspectJSON(t, key)
	if o.Kind != inspect.KindLock || o.Line == nil || !o.Line.Held || len(o.Line.Holders) != 1 {
		t.Fatalf("want a held lock, got %+v", o)
	}
	h := o.Line.Holders[0]
	host, _ := os.Hostname()
	if h.PID != pid || h.Label != "worker" || h.Host == "" || !strings.HasPrefix(host, h.Host) {
		t.Errorf("holder %+v, want pid %d label worker on %s", h.Who, pid, host)
	}
	if h.LeaseLeft == nil || h.LeaseLeft.D() <= 20*time.Second || h.LeaseLeft.D() > 30*time.Second {
		t.Errorf("lease left %v, want about 30s", h.LeaseLeft)
	}
	if h.Token <= 0 || h.HeldFor == nil || h.HeldFor.D() > 10*time.Second {
		t.Errorf("token %d, held for %v", h.Token, h.HeldFor)
	}
	if len(o.Line.Waiters) != 2 {
		t.Fatalf("waiters %+v", o.Line.Waiters)
	}
	for i, w := range o.Line.Waiters {
		if w.Position != i+1 || w.Label != "waiter-"+strconv.Itoa(i+1) || w.PID != os.Getpid() {
			t.Errorf("waiter %d: %+v", i, w)
		}
		if w.Waited == nil || w.Waited.D() > 10*time.Second || w.Gone || w.RegistrationLeft <= 0 {
			t.Errorf("waiter %d: waited %v, gone %v, registration left %v", i, w.Waited, w.Gone, w.RegistrationLeft)
		}
	}
	if o.Line.Waiters[0].Waited.D() < o.Line.Waiters[1].Waited.D() {
		t.Errorf("the first waiter waited less than the second: %v < %v", o.Line.Waiters[0].Waited, o.Line.Waiters[1].Waited)
	}

	out, _, code := cli(t, "inspect", key)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	mustContain(t, out, "lock ("+"Lock or RLock"+") \""+key+"\": held",
		"pid "+strconv.Itoa(pid)+` label "worker"`, "left, token ", "held ",
		"waiting  2", "#1", `label "waiter-1": waiting `, `label "waiter-2"`, "fencing counter")
	t.Logf("\n%s", out)
}

func TestInspectQueueWithReservations(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	key := unique("tasks")
	c := client(t)
	q := hotredis.NewQueue[string](key, hotredis.WithClient(c))
	if err := q.PutMany(ctx, "a", "b", "c", "d"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := q.Reserve(ctx, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	check := func(o inspect.Object) *inspect.Queue {
		t.Helper()
		u := o.Queue
		if o.Kind != inspect.KindQueue || u == nil || u.Len != 2 || u.Unfinished != 4 || u.ReservationCount != 2 || len(u.Reservations) != 2 {
			t.Fatalf("want a queue of 2 items with 2 reservations, got %+v %+v", o, u)
		}
		if strings.Join(u.Head, ",") != "c,d" {
			t.Errorf("head %q", u.Head)
		}
		for _, r := range u.Reservations {
			if v := r.VisibilityLeft.D(); v <= 20*time.Second || v > 30*time.Second {
				t.Errorf("visibility left %v, want about 30s", v)
			}
		}
		if u.OldestAge == nil {
			t.Fatalf("oldest age unknown")
		}
		return u
	}
	check(inspectJSON(t, key))
	// Inspecting does not touch the reservations: their age grows.
	time.Sleep(1100 * time.Millisecond)
	if u := check(inspectJSON(t, key)); u.OldestAge.D() < time.Second {
		t.Errorf("oldest age %v after a second", u.OldestAge.D())
	}
	out, _, _ := cli(t, "inspect", key)
	mustContain(t, out, `queue (Queue or LifoQueue) "`+key+`": 2 items, 4 unfinished`, `head      "c", "d"`,
		"reserved  2: oldest ", "visibility 2", "0 consumers blocked")
	t.Logf("\n%s", out)

	// A consumer blocked on an empty queue.
	empty := unique("idle")
	q2 := hotredis.NewQueue[string](empty, hotredis.WithClient(c))
	background(t, func(ctx context.Context) { _, _ = q2.Get(ctx) })
	o := until(t, empty, func(o inspect.Object) bool { return o.Queue != nil && o.Queue.WaitingTakers == 1 })
	if o.Queue.Len != 0 || o.Queue.ReservationCount != 0 {
		t.Errorf("%+v", o.Queue)
	}
}

func TestInspectSemaphoreAndRWLock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := client(t)

	pool := unique("pool")
	sem := func(label string) *hotredis.Semaphore {
		return hotredis.NewSemaphore(pool, 3, hotredis.WithClient(c), hotredis.WithLabel(label))
	}
	if err := sem("a").AcquireN(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := sem("b").Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	waiter := sem("c")
	background(t, func(ctx context.Context) { _ = waiter.AcquireN(ctx, 2) })
	o := until(t, pool, func(o inspect.Object) bool { return o.Line != nil && len(o.Line.Waiters) == 1 })
	if o.Kind != inspect.KindSemaphore || o.Line.PermitsHeld != 3 || len(o.Line.Holders) != 2 {
		t.Fatalf("%+v %+v", o, o.Line)
	}
	permits := map[string]int64{}
	for _, h := range o.Line.Holders {
		permits[h.Label] = h.Permits
		if h.HeldFor == nil || h.LeaseLeft == nil || h.Token <= 0 {
			t.Errorf("holder %+v", h)
		}
	}
	if permits["a"] != 2 || permits["b"] != 1 {
		t.Errorf("permits by label %v", permits)
	}
	if w := o.Line.Waiters[0]; w.Label != "c" || w.Permits != 2 || w.Waited == nil {
		t.Errorf("waiter %+v", w)
	}
	out, _, _ := cli(t, "inspect", pool)
	mustContain(t, out, `semaphore (Semaphore or BoundedSemaphore) "`+pool+`": held, 3 permits held`,
		`label "a": 2 permits`, `label "c" for 2 permits: waiting `)
	t.Logf("\n%s", out)

	// Readers hold an RWLock; a writer waits for them.
	rw := unique("rw")
	for _, label := range []string{"reader-1", "reader-2"} {
		if err := hotredis.NewRWLock(rw, hotredis.WithClient(c), hotredis.WithLabel(label)).AcquireRead(ctx); err != nil {
			t.Fatal(err)
		}
	}
	w := hotredis.NewRWLock(rw, hotredis.WithClient(c), hotredis.WithLabel("writer"))
	background(t, func(ctx context.Context) { _ = w.Acquire(ctx) })
	o = until(t, rw, func(o inspect.Object) bool { return o.Line != nil && len(o.Line.Waiters) == 1 })
	if o.Kind != inspect.KindRWLock || len(o.Line.Holders) != 2 {
		t.Fatalf("%+v %+v", o, o.Line)
	}
	for _, h := range o.Line.Holders {
		if h.Role != "reader" || !strings.HasPrefix(h.Label, "reader-") {
			t.Errorf("holder %+v", h)
		}
	}
	if w := o.Line.Waiters[0]; w.Role != "writer" || w.Label != "writer" {
		t.Errorf("waiter %+v", w)
	}
	out, _, _ = cli(t, "inspect", rw)
	mustContain(t, out, `rwlock (RWLock) "`+rw+`": held by 2 readers`, `reader   `, `label "writer" (writer): waiting `)
	t.Logf("\n%s", out)
}

func TestInspectWaitGroupAndOthers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	c := client(t)
	rdb := srv.GoRedis()
	t.Cleanup(func() { rdb.Close() })

	wg := unique("wg")
	if err := hotredis.NewWaitGroup(wg, hotredis.WithClient(c)).Add(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if o := inspectJSON(t, wg); o.Kind != inspect.KindWaitGroup || o.WaitGroup == nil || o.WaitGroup.Count != 3 {
		t.Errorf("%+v", o)
	}

	free := unique("free")
	l := hotredis.NewLock(free, hotredis.WithClient(c))
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	out, _, _ := cli(t, "inspect", free)
	mustContain(t, out, `": free`, "free (fencing counter only)")

	m := unique("m")
	if err := hotredis.NewMap[string, int](m, hotredis.WithClient(c)).Set(ctx, "x", 7); err != nil {
		t.Fatal(err)
	}
	out, _, _ = cli(t, "inspect", m)
	mustContain(t, out, `hash (Map, DefaultMap or Counter) "`+m+`": 1 field`, `sample   "x": "7"`, "ttl none", "memory ")

	rl := unique("rlock")
	r := hotredis.NewRLock(rl, hotredis.WithClient(c))
	for range 2 {
		if err := r.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	out, _, _ = cli(t, "inspect", rl)
	mustContain(t, out, `lock (RLock) "`+rl+`": held`, ": 2 holds, lease ")

	once := unique("once")
	if err := hotredis.NewOnce(once, hotredis.WithClient(c)).Do(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	out, _, _ = cli(t, "inspect", once)
	mustContain(t, out, `once (Once) "`+once+`": done`, "latest run: ok")

	lim := unique("lim")
	if _, err := hotredis.NewLimiter(lim, 1, 5, hotredis.WithClient(c)).AllowN(ctx, 3); err != nil {
		t.Fatal(err)
	}
	out, _, _ = cli(t, "inspect", lim)
	mustContain(t, out, `limiter (Limiter) "`+lim+`": bucket full again in `)

	bar := unique("bar")
	b := hotredis.NewBarrier(bar, 2, hotredis.WithClient(c))
	background(t, func(ctx context.Context) { _, _ = b.Wait(ctx) })
	o := until(t, bar, func(o inspect.Object) bool { return o.Barrier != nil && o.Barrier.Arrived == 1 })
	if o.Kind != inspect.KindBarrier || len(o.Barrier.Waiters) != 1 || o.Barrier.Broken {
		t.Errorf("%+v", o.Barrier)
	}

	ev := unique("ev")
	if err := hotredis.NewEvent(ev, hotredis.WithClient(c)).Set(ctx); err != nil {
		t.Fatal(err)
	}
	out, _, _ = cli(t, "inspect", ev)
	mustContain(t, out, `event (Event) "`+ev+`": set`)

	st := unique("st")
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: st, Values: []string{"f", "v"}}).Err(); err != nil {
		t.Fatal(err)
	}
	out, _, _ = cli(t, "inspect", st)
	mustContain(t, out, `"`+st+`": a Redis stream not made by hotredis`)

	// Missing keys say so, and an auxiliary key says whose it is.
	nope := unique("nope")
	out, errOut, code := cli(t, "inspect", nope, "{"+free+"}:fence")
	if code != 0 || errOut != "" {
		t.Errorf("exit %d: %s", code, errOut)
	}
	mustContain(t, out, strconv.Quote(nope)+": no such key",
		`an auxiliary key of "`+free+`": the fencing counter of a lock or semaphore`)
	out, _, _ = cli(t, "inspect", "--json", nope)
	o = inspect.Object{}
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Kind != inspect.KindNone || o.Key != nope {
		t.Errorf("%v: %s", err, out)
	}
}

// A user with only the commands the library needs (hotredistest.ACLRules)
// can inspect, memory included (MEMORY USAGE is one of them), without the
// ages that need OBJECT; ls needs SCAN, and says so.
func TestLeastPrivilegeUser(t *testing.T) {
	t.Parallel()
	acl := hotredistest.NewACLServer(t)
	ctx := t.Context()
	key := unique("acl")
	q := hotredis.NewQueue[string](key, hotredis.WithClient(acl.Client(t)))
	if err := q.Put(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Reserve(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	var o, e strings.Builder
	if code := run(ctx, []string{"--url", acl.URL(), "inspect", key}, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	mustContain(t, o.String(), `queue (Queue or LifoQueue) "`+key+`": 0 items, 1 unfinished`, "reserved  1: oldest age unknown", "  memory ", " B, 2 keys")
	o.Reset()
	e.Reset()
	if code := run(ctx, []string{"--url", acl.URL(), "ls"}, &o, &e); code != 1 || !strings.Contains(e.String(), "NOPERM") {
		t.Errorf("ls: exit %d: %s", code, e.String())
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	tlsSrv := hotredistest.NewTLSServer(t)
	addr := strings.TrimPrefix(tlsSrv.URL(), "rediss://")
	for _, args := range [][]string{
		{"--url", tlsSrv.URL(), "--ca", tlsSrv.CAFile()},
		{"--url", "redis://" + addr, "--tls", "--tls-insecure"},
	} {
		var o, e strings.Builder
		if code := run(t.Context(), append(args, "inspect", "k"), &o, &e); code != 0 || !strings.Contains(o.String(), "no such key") {
			t.Errorf("%q: exit %d: %s%s", args, code, o.String(), e.String())
		}
	}
	var o, e strings.Builder
	if code := run(t.Context(), []string{"--url", tlsSrv.URL(), "inspect", "k"}, &o, &e); code != 1 {
		t.Errorf("without the CA: exit %d: %s%s", code, o.String(), e.String())
	}
}

func TestSentinel(t *testing.T) {
	t.Parallel()
	s := hotredistest.NewSentinel(t)
	ctx := t.Context()
	key := unique("sl")
	l := hotredis.NewLock(key, hotredis.WithClient(s.Client(t)), hotredis.WithLabel("via-sentinel"))
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	var o, e strings.Builder
	args := []string{"--addrs", strings.Join(s.SentinelAddrs(), ","), "--master", s.MasterName, "inspect", key}
	if code := run(ctx, args, &o, &e); code != 0 {
		t.Fatalf("exit %d: %s", code, e.String())
	}
	mustContain(t, o.String(), `label "via-sentinel": lease `)
}
