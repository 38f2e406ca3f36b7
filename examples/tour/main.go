// Command tour shows what hotredis is for, with two real OS processes
// sharing objects through Redis: a List (HOT Redis's "computer A /
// computer B" tour), a Queue hand-off, a Lock passed between the
// processes in arrival order with rising fencing tokens, a Counter, and
// the `hotredis inspect` view of a held lock and a busy queue.
//
//	go run ./examples/tour
//
// It uses REDIS_URL, or a server on 127.0.0.1:6379, or, when neither
// answers, a redis-server it starts itself on a free port (and stops at the
// end). Computer B is this program again, started with TOUR_ROLE=B; the
// two processes pace each other with Events.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/inspect"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// objects are the tour's objects, under a prefix of the run's own.
type objects struct {
	prefix  string
	list    *hotredis.List[string]
	jobs    *hotredis.Queue[string]
	lock    *hotredis.Lock
	words   *hotredis.Counter[string]
	signals map[string]*hotredis.Event
}

func open(prefix string) *objects {
	o := &objects{
		prefix: prefix,
		list:   hotredis.NewList[string](prefix + ":foo"),
		jobs:   hotredis.NewQueue[string](prefix + ":jobs"),
		lock:   hotredis.NewLock(prefix+":lock", hotredis.WithLabel("tour-"+role())),
		words:  hotredis.NewCounter[string](prefix + ":words"),
	}
	o.signals = map[string]*hotredis.Event{}
	for _, s := range []string{"b-listed", "a-listed", "b-waits", "b-got", "b-reserved", "b-queued", "b-locked", "b-counted"} {
		o.signals[s] = hotredis.NewEvent(prefix + ":signal:" + s)
	}
	return o
}

func (o *objects) delete(ctx context.Context) {
	for _, obj := range []interface{ Delete(context.Context) error }{o.list, o.jobs, o.lock, o.words} {
		_ = obj.Delete(ctx)
	}
	for _, e := range o.signals {
		_ = e.Delete(ctx)
	}
}

// signal says that step happened; await waits for the other process's.
// (Events: a Set wakes every Wait, in any process.)
func (o *objects) signal(ctx context.Context, step string) error { return o.signals[step].Set(ctx) }
func (o *objects) await(ctx context.Context, step string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := o.signals[step].Wait(ctx); err != nil {
		return fmt.Errorf("computer %s waiting for %s: %w", role(), step, err)
	}
	return nil
}

func role() string {
	if os.Getenv("TOUR_ROLE") == "B" {
		return "B"
	}
	return "A"
}

func say(format string, args ...any) {
	fmt.Printf("computer %s> "+format+"\n", append([]any{role()}, args...)...)
}

func run() error {
	if role() == "B" {
		return computerB(context.Background(), open(os.Getenv("TOUR_PREFIX")))
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

// computerA is the first process: it starts computer B and leads.
func computerA(url string) error {
	ctx := context.Background()
	o := open(fmt.Sprintf("hotredis:tour:%d", os.Getpid()))
	defer o.delete(ctx)

	fmt.Println("== A List, shared by two processes")
	if err := o.list.Replace(ctx, "a", "b", "c"); err != nil {
		return err
	}
	say(`list := hotredis.NewList[string](%q); list.Replace(ctx, "a", "b", "c")`, o.list.Key())
	b := exec.Command(os.Args[0])
	b.Env = append(os.Environ(), "TOUR_ROLE=B", "REDIS_URL="+url, "TOUR_PREFIX="+o.prefix)
	b.Stdout, b.Stderr = os.Stdout, os.Stderr
	if err := b.Start(); err != nil {
		return err
	}
	bDone := make(chan error, 1)
	go func() { bDone <- b.Wait() }()
	if err := o.await(ctx, "b-listed"); err != nil {
		return err
	}
	vs, err := o.list.Values(ctx)
	if err != nil {
		return err
	}
	say("list.Values(ctx)                  -> %q   (B's append is here)", vs)
	if err := o.list.Reverse(ctx); err != nil {
		return err
	}
	vs, _ = o.list.Values(ctx)
	say("list.Reverse(ctx); list.Values(ctx) -> %q   (in place, atomically, in Redis)", vs)
	if err := o.signal(ctx, "a-listed"); err != nil {
		return err
	}

	fmt.Println("\n== A Queue: a Put here wakes a Get blocked in the other process")
	if err := o.await(ctx, "b-waits"); err != nil {
		return err
	}
	warmUp(ctx, o.prefix)              // load the queue's scripts, as a running program has
	time.Sleep(100 * time.Millisecond) // B is blocked in Get by now
	stamp := strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := o.jobs.Put(ctx, "job-1@"+stamp); err != nil {
		return err
	}
	say(`jobs.Put(ctx, "job-1")`)
	if err := o.await(ctx, "b-got"); err != nil {
		return err
	}

	fmt.Println("\n== A Lock handed between the processes, first come first served")
	for i := 2; i <= 4; i++ {
		if err := o.jobs.Put(ctx, fmt.Sprintf("job-%d", i)); err != nil {
			return err
		}
	}
	if err := o.lock.Acquire(ctx); err != nil {
		return err
	}
	t1 := o.lock.Token()
	say("lock.Acquire(ctx)  -> held, fencing token %d", t1)
	if err := o.signal(ctx, "b-queued"); err != nil { // B reserves a job, then asks for the lock
		return err
	}
	if err := o.await(ctx, "b-reserved"); err != nil {
		return err
	}
	rdb, err := rawClient(url)
	if err != nil {
		return err
	}
	defer rdb.Close()
	in := &inspect.Inspector{Client: rdb}
	if err := waitForWaiter(ctx, in, o.lock.Key()); err != nil {
		return err
	}
	say("while B waits for the lock and holds a reservation, `hotredis inspect` shows:")
	for _, k := range []string{o.lock.Key(), o.jobs.Key()} {
		obj, err := in.Inspect(ctx, k)
		if err != nil {
			return err
		}
		var b strings.Builder
		if err := inspect.WriteText(&b, obj); err != nil {
			return err
		}
		fmt.Println(indent(b.String()))
	}
	if err := o.lock.Release(ctx); err != nil {
		return err
	}
	say("lock.Release(ctx)  -> handed to B, the first in line")
	if err := o.await(ctx, "b-locked"); err != nil {
		return err
	}
	if err := o.lock.Acquire(ctx); err != nil {
		return err
	}
	say("lock.Acquire(ctx)  -> held again after B, token %d: every holder's token is greater than the last", o.lock.Token())
	_ = o.lock.Release(ctx)

	fmt.Println("\n== A Counter (Python's collections.Counter)")
	if err := o.words.Update(ctx, map[string]int64{"redis": 3, "go": 2}); err != nil {
		return err
	}
	say(`words.Update(ctx, {"redis": 3, "go": 2})`)
	if err := o.await(ctx, "b-counted"); err != nil {
		return err
	}
	top, err := o.words.MostCommon(ctx, 2)
	if err != nil {
		return err
	}
	say("words.MostCommon(ctx, 2) -> %v", top)
	return <-bDone
}

// computerB is the second process: the same keys, another process.
func computerB(ctx context.Context, o *objects) error {
	vs, err := o.list.Values(ctx)
	if err != nil {
		return err
	}
	say("(pid %d) list.Values(ctx)        -> %q", os.Getpid(), vs)
	n, err := o.list.Append(ctx, "d", "e", "f")
	if err != nil {
		return err
	}
	say(`list.Append(ctx, "d", "e", "f") -> length %d`, n)
	if err := o.signal(ctx, "b-listed"); err != nil {
		return err
	}
	if err := o.await(ctx, "a-listed"); err != nil {
		return err
	}

	say("jobs.Get(ctx) ... (blocks: the queue is empty)")
	if err := o.signal(ctx, "b-waits"); err != nil {
		return err
	}
	job, err := o.jobs.Get(ctx)
	got := time.Now()
	if err != nil {
		return err
	}
	if err := o.jobs.TaskDone(ctx); err != nil {
		return err
	}
	name, stamp, _ := strings.Cut(job, "@")
	if ns, err := strconv.ParseInt(stamp, 10, 64); err == nil {
		say("jobs.Get(ctx) -> %q, woken %v after A called Put", name, got.Sub(time.Unix(0, ns)).Round(time.Microsecond))
	}
	if err := o.signal(ctx, "b-got"); err != nil {
		return err
	}

	if err := o.await(ctx, "b-queued"); err != nil {
		return err
	}
	v, receipt, err := o.jobs.Reserve(ctx, 30*time.Second)
	if err != nil {
		return err
	}
	say("jobs.Reserve(ctx, 30*time.Second) -> %q (not acknowledged yet)", v)
	say("lock.Acquire(ctx) ... (A holds it: B waits in line)")
	if err := o.signal(ctx, "b-reserved"); err != nil {
		return err
	}
	if err := o.lock.Acquire(ctx); err != nil {
		return err
	}
	say("lock.Acquire(ctx) -> held, token %d", o.lock.Token())
	if err := o.jobs.Ack(ctx, receipt); err != nil {
		return err
	}
	if err := o.lock.Release(ctx); err != nil {
		return err
	}
	if err := o.signal(ctx, "b-locked"); err != nil {
		return err
	}

	if err := o.words.Update(ctx, map[string]int64{"redis": 1, "python": 1}); err != nil {
		return err
	}
	say(`words.Update(ctx, {"redis": 1, "python": 1})`)
	return o.signal(ctx, "b-counted")
}

// warmUp puts and gets an item on a scratch queue, and waits on it
// briefly, so that the server has the scripts of both.
func warmUp(ctx context.Context, prefix string) {
	q := hotredis.NewQueue[string](prefix + ":warm-up")
	defer q.Delete(ctx)
	_ = q.Put(ctx, "x")
	_, _ = q.Get(ctx)
	wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, _ = q.Get(wctx) // a Get that waits: its scripts too
}

// waitForWaiter waits until someone waits in the lock's line.
func waitForWaiter(ctx context.Context, in *inspect.Inspector, key string) error {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		obj, err := in.Inspect(ctx, key)
		if err != nil {
			return err
		}
		if obj.Line != nil && len(obj.Line.Waiters) > 0 {
			return nil
		}
	}
	return fmt.Errorf("computer B never stood in line for %s", key)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

func rawClient(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opt), nil
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
