package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// anyQueue lets one test run against all four queue types.
type anyQueue interface {
	Key() string
	Put(ctx context.Context, v string) (bool, error)
	TryPut(ctx context.Context, v string) (bool, error)
	PutMany(ctx context.Context, vs ...string) (int, error)
	Get(ctx context.Context) (string, error)
	TryGet(ctx context.Context) (string, error)
	GetMany(ctx context.Context, n int) ([]string, error)
	Len(ctx context.Context) (int, error)
	Empty(ctx context.Context) (bool, error)
	Full(ctx context.Context) (bool, error)
	TaskDone(ctx context.Context) error
	Join(ctx context.Context) error
	Unfinished(ctx context.Context) (int, error)
	Reserve(ctx context.Context, visibility time.Duration) (string, hotredis.Receipt, error)
	TryReserve(ctx context.Context, visibility time.Duration) (string, hotredis.Receipt, error)
	Ack(ctx context.Context, r hotredis.Receipt) error
	Delete(ctx context.Context) error
	Expire(ctx context.Context, ttl time.Duration) (bool, error)
	Persist(ctx context.Context) (bool, error)
}

// plainQueue is Queue or LifoQueue, whose puts return only an error.
type plainQueue interface {
	Key() string
	Put(ctx context.Context, v string) error
	TryPut(ctx context.Context, v string) error
	PutMany(ctx context.Context, vs ...string) error
	Get(ctx context.Context) (string, error)
	TryGet(ctx context.Context) (string, error)
	GetMany(ctx context.Context, n int) ([]string, error)
	Len(ctx context.Context) (int, error)
	Empty(ctx context.Context) (bool, error)
	Full(ctx context.Context) (bool, error)
	TaskDone(ctx context.Context) error
	Join(ctx context.Context) error
	Unfinished(ctx context.Context) (int, error)
	Reserve(ctx context.Context, visibility time.Duration) (string, hotredis.Receipt, error)
	TryReserve(ctx context.Context, visibility time.Duration) (string, hotredis.Receipt, error)
	Ack(ctx context.Context, r hotredis.Receipt) error
	Delete(ctx context.Context) error
	Expire(ctx context.Context, ttl time.Duration) (bool, error)
	Persist(ctx context.Context) (bool, error)
}

type plainAdapter struct{ plainQueue }

func (a plainAdapter) Put(ctx context.Context, v string) (bool, error) {
	return true, a.plainQueue.Put(ctx, v)
}
func (a plainAdapter) TryPut(ctx context.Context, v string) (bool, error) {
	return true, a.plainQueue.TryPut(ctx, v)
}
func (a plainAdapter) PutMany(ctx context.Context, vs ...string) (int, error) {
	return len(vs), a.plainQueue.PutMany(ctx, vs...)
}

type queueKind struct {
	name      string
	lifo, set bool
	make      func(key string, opts ...hotredis.Option) anyQueue
}

var queueKinds = []queueKind{
	{"Queue", false, false, func(k string, o ...hotredis.Option) anyQueue {
		return plainAdapter{hotredis.NewQueue[string](k, o...)}
	}},
	{"LifoQueue", true, false, func(k string, o ...hotredis.Option) anyQueue {
		return plainAdapter{hotredis.NewLifoQueue[string](k, o...)}
	}},
	{"SetQueue", false, true, func(k string, o ...hotredis.Option) anyQueue { return hotredis.NewSetQueue[string](k, o...) }},
	{"LifoSetQueue", true, true, func(k string, o ...hotredis.Option) anyQueue { return hotredis.NewLifoSetQueue[string](k, o...) }},
}

func forEachQueue(t *testing.T, f func(t *testing.T, k queueKind)) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) { f(t, k) })
	}
}

// TestQueueOrder checks FIFO and LIFO order on every path: blocking and
// non-blocking gets, single and batch, bounded and unbounded.
func TestQueueOrder(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		for _, max := range []int{0, 10} {
			q := k.make(key(t, fmt.Sprint(max)), hotredis.WithMaxSize(max))
			q.Delete(ctx)
			for _, v := range []string{"a", "b", "c"} {
				must[bool](t)(q.Put(ctx, v))
			}
			must[int](t)(q.PutMany(ctx, "d", "e"))
			must[bool](t)(q.TryPut(ctx, "f"))
			var got []string
			got = append(got, must[string](t)(q.Get(ctx)))
			got = append(got, must[string](t)(q.TryGet(ctx)))
			got = append(got, must[[]string](t)(q.GetMany(ctx, 3))...)
			got = append(got, must[string](t)(q.Get(ctx)))
			want := []string{"a", "b", "c", "d", "e", "f"}
			if k.lifo {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("max %d: got %q, want %q", max, got, want)
			}
			if _, err := q.TryGet(ctx); !errors.Is(err, hotredis.ErrEmpty) {
				t.Errorf("TryGet on empty: %v, want ErrEmpty", err)
			}
		}
	})
}

// TestQueueOrderWhenWaiting checks order on the waiting paths: a GetMany
// and a Reserve blocked on an empty queue and woken by a PutMany.
func TestQueueOrderWhenWaiting(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		want := []string{"a", "b", "c"}
		if k.lifo {
			want = []string{"c", "b", "a"}
		}
		got := make(chan []string, 1)
		go func() {
			vs, err := q.GetMany(ctx, 3)
			if err != nil {
				t.Error(err)
			}
			got <- vs
		}()
		time.Sleep(30 * time.Millisecond) // let the get wait
		must[int](t)(q.PutMany(ctx, "a", "b", "c"))
		if vs := <-got; !slices.Equal(vs, want) {
			t.Errorf("blocked GetMany got %q, want %q", vs, want)
		}
		reserved := make(chan string, 1)
		go func() {
			v, r, err := q.Reserve(ctx, time.Minute)
			if err == nil {
				err = q.Ack(ctx, r)
			}
			if err != nil {
				t.Error(err)
			}
			reserved <- v
		}()
		time.Sleep(30 * time.Millisecond)
		must[int](t)(q.PutMany(ctx, "a", "b", "c"))
		if v := <-reserved; v != want[0] {
			t.Errorf("blocked Reserve got %q, want %q", v, want[0])
		}
		if vs := must[[]string](t)(q.GetMany(ctx, 5)); !slices.Equal(vs, want[1:]) {
			t.Errorf("after the Reserve: %q, want %q", vs, want[1:])
		}
	})
}

// TestQueueParkedItemRecovered simulates a taker that died between its
// blocking move and the step that finishes it: the item sits in the
// take's parking list under a registration. When the registration has
// expired, the next Reserve or Get puts the item back, and a set queue's
// set stays exact throughout.
func TestQueueParkedItemRecovered(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		for _, via := range []string{"Reserve", "Get"} {
			q := k.make(key(t, via))
			q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "x"))
			park := q.Key() + ":parked:dead"
			rdb.LMove(ctx, q.Key(), park, "LEFT", "LEFT")
			rdb.ZAdd(ctx, q.Key()+":reserved", redis.Z{Score: 0, Member: "dead"}) // expired
			if k.set {
				// A parked item is still queued as far as the set goes: a
				// repeat is ignored.
				if added := must[bool](t)(q.Put(ctx, "x")); added {
					t.Fatal("a parked item's repeat was added")
				}
			}
			var v string
			var err error
			switch via {
			case "Reserve":
				var r hotredis.Receipt
				if v, r, err = q.Reserve(ctx, time.Minute); err == nil {
					err = q.Ack(ctx, r)
				}
			case "Get":
				v, err = q.Get(ctx)
			}
			if v != "x" || err != nil {
				t.Fatalf("%s: %q %v, want the parked x", via, v, err)
			}
			if n := rdb.Exists(ctx, park, q.Key()).Val(); n != 0 {
				t.Errorf("%s: parking or queue left", via)
			}
			if n := rdb.SCard(ctx, q.Key()+"-set").Val(); n != 0 {
				t.Errorf("%s: %d set members left", via, n)
			}
			// A Get's own registration goes with its acknowledgement, which
			// follows within ackDelay.
			deadline := time.Now().Add(5 * time.Second)
			for rdb.ZCard(ctx, q.Key()+":reserved").Val() != 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if n := rdb.ZCard(ctx, q.Key()+":reserved").Val(); n != 0 {
				t.Errorf("%s: %d registrations left", via, n)
			}
		}
	})
}

// TestQueueLayout checks the bytes HOT Redis would read: a list at key,
// next item first for LIFO, tail-appended for FIFO, and key-set for set
// queues.
func TestQueueLayout(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "x", "y"))
		must[bool](t)(q.Put(ctx, "z"))
		got := rdb.LRange(ctx, q.Key(), 0, -1).Val()
		want := []string{"x", "y", "z"}
		if k.lifo {
			want = []string{"z", "y", "x"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("list %q, want %q", got, want)
		}
		members := rdb.SMembers(ctx, q.Key()+"-set").Val()
		slices.Sort(members)
		if k.set && !slices.Equal(members, []string{"x", "y", "z"}) {
			t.Errorf("set %q", members)
		}
		if !k.set && len(members) > 0 {
			t.Errorf("plain queue wrote a set: %q", members)
		}
		// A Python program's items are read back, next item first.
		rdb.Del(ctx, q.Key(), q.Key()+"-set")
		rdb.RPush(ctx, q.Key(), "1", "2")
		if v := must[string](t)(q.Get(ctx)); v != "1" {
			t.Errorf("Get %q, want the head", v)
		}
	})
	q := hotredis.NewQueue[float64](key(t, "float"))
	q.Delete(ctx)
	q.PutMany(ctx, 3, 0.1, 1e16)
	if got := rdb.LRange(ctx, q.Key(), 0, -1).Val(); !slices.Equal(got, []string{"3.0", "0.1", "1e+16"}) {
		t.Errorf("floats stored as %q", got)
	}
}

func TestSetQueueUnique(t *testing.T) {
	for _, k := range queueKinds[2:] {
		t.Run(k.name, func(t *testing.T) {
			q := k.make(key(t), hotredis.WithMaxSize(2))
			q.Delete(ctx)
			if added := must[bool](t)(q.Put(ctx, "a")); !added {
				t.Error("first put not added")
			}
			if added := must[bool](t)(q.Put(ctx, "a")); added {
				t.Error("repeat added")
			}
			if n := must[int](t)(q.PutMany(ctx, "a", "b", "b")); n != 1 {
				t.Errorf("PutMany added %d, want 1", n)
			}
			// Full, but a repeat is ignored rather than waiting (for
			// room that never comes: the deadline would end it).
			tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			if added, err := q.Put(tctx, "b"); added || err != nil {
				t.Errorf("repeat on a full queue: %v %v", added, err)
			}
			if _, err := q.TryPut(ctx, "c"); !errors.Is(err, hotredis.ErrFull) {
				t.Errorf("TryPut on full: %v", err)
			}
			// The failed put left no ghost: once there is room, c is added.
			must[string](t)(q.Get(ctx))
			if added := must[bool](t)(q.Put(ctx, "c")); !added {
				t.Error("c was not added after a full put failed")
			}
			if n := must[int](t)(q.Unfinished(ctx)); n != 3 {
				t.Errorf("unfinished %d, want 3 (repeats are not tasks)", n)
			}
		})
	}
}

// TestQueueModel runs random operations against a model of Python's
// queue classes, extended with Reserve and Ack: a reserved item leaves the
// queue (and a set queue's set) until its reservation expires; then it
// goes back to the head, except that a set queue drops it when an equal
// item is queued, counting its task as done.
func TestQueueModel(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				max := rapid.IntRange(0, 5).Draw(rt, "max")
				q := k.make(key(t), hotredis.WithMaxSize(max))
				q.Delete(ctx)
				defer q.Delete(ctx)
				var model []string // next item first
				unfinished := 0
				held := map[hotredis.Receipt]string{} // reservations not expired
				var expired []hotredis.Receipt        // reservations recovered
				item := rapid.SampledFrom([]string{"a", "b", "c", "", "é", "1"})
				queued := func(v string) bool { return slices.Contains(model, v) }
				push := func(vs ...string) {
					for _, v := range vs {
						if k.lifo {
							model = append([]string{v}, model...)
						} else {
							model = append(model, v)
						}
					}
					unfinished += len(vs)
				}
				fresh := func(vs []string) []string {
					var out []string
					for _, v := range vs {
						if !k.set || (!queued(v) && !slices.Contains(out, v)) {
							out = append(out, v)
						}
					}
					return out
				}
				receipts := func() []hotredis.Receipt {
					rs := slices.Collect(maps.Keys(held))
					slices.Sort(rs)
					return rs
				}
				tryReserve := func(rt *rapid.T) {
					v, r, err := q.TryReserve(ctx, time.Hour)
					if len(model) == 0 {
						if !errors.Is(err, hotredis.ErrEmpty) {
							rt.Fatalf("TryReserve empty: %q %v", v, err)
						}
						return
					}
					if err != nil || v != model[0] {
						rt.Fatalf("TryReserve %q %v, want %q", v, err, model[0])
					}
					model = model[1:]
					held[r] = v
				}
				rt.Repeat(map[string]func(*rapid.T){
					"TryPut": func(rt *rapid.T) {
						v := item.Draw(rt, "v")
						added, err := q.TryPut(ctx, v)
						switch {
						case k.set && queued(v):
							if added || err != nil {
								rt.Fatalf("repeat %q: %v %v", v, added, err)
							}
						case max > 0 && len(model) >= max:
							if !errors.Is(err, hotredis.ErrFull) {
								rt.Fatalf("full: %v", err)
							}
						default:
							if err != nil || !added {
								rt.Fatalf("TryPut: %v %v", added, err)
							}
							push(v)
						}
					},
					"PutMany": func(rt *rapid.T) {
						vs := rapid.SliceOfN(item, 0, 4).Draw(rt, "vs")
						new := fresh(vs)
						full := max > 0 && len(model)+len(new) > max
						tctx, cancel := context.WithCancel(ctx)
						if full { // it waits for room: give up soon
							tctx, cancel = context.WithTimeout(ctx, 5*time.Millisecond)
						}
						defer cancel()
						n, err := q.PutMany(tctx, vs...)
						if full {
							if err == nil {
								rt.Fatalf("PutMany %q over max %d with %d queued: no error", vs, max, len(model))
							}
							return
						}
						if err != nil || (k.set && n != len(new)) {
							rt.Fatalf("PutMany %q: %d %v", vs, n, err)
						}
						push(new...)
					},
					"TryGet": func(rt *rapid.T) {
						v, err := q.TryGet(ctx)
						if len(model) == 0 {
							if !errors.Is(err, hotredis.ErrEmpty) {
								rt.Fatalf("TryGet empty: %q %v", v, err)
							}
							return
						}
						if err != nil || v != model[0] {
							rt.Fatalf("TryGet %q %v, want %q", v, err, model[0])
						}
						model = model[1:]
					},
					"Get": func(rt *rapid.T) {
						if len(model) == 0 {
							return // would block
						}
						v, err := q.Get(ctx)
						if err != nil || v != model[0] {
							rt.Fatalf("Get %q %v, want %q", v, err, model[0])
						}
						model = model[1:]
					},
					"GetMany": func(rt *rapid.T) {
						if len(model) == 0 {
							return // would block
						}
						n := rapid.IntRange(1, 4).Draw(rt, "n")
						vs, err := q.GetMany(ctx, n)
						want := model[:min(n, len(model))]
						if err != nil || !slices.Equal(vs, want) {
							rt.Fatalf("GetMany(%d) %q %v, want %q", n, vs, err, want)
						}
						model = model[len(want):]
					},
					"TryReserve": tryReserve,
					"Ack": func(rt *rapid.T) {
						if len(held) == 0 && len(expired) == 0 {
							return
						}
						if len(expired) > 0 && (len(held) == 0 || rapid.Bool().Draw(rt, "expired")) {
							r := rapid.SampledFrom(expired).Draw(rt, "r")
							if err := q.Ack(ctx, r); !errors.Is(err, hotredis.ErrNotHeld) {
								rt.Fatalf("Ack of a recovered reservation: %v", err)
							}
							return
						}
						r := rapid.SampledFrom(receipts()).Draw(rt, "r")
						if err := q.Ack(ctx, r); err != nil {
							rt.Fatalf("Ack: %v", err)
						}
						delete(held, r)
					},
					"ExpireThenReserve": func(rt *rapid.T) {
						if len(held) == 0 {
							return
						}
						// The visibility timeout passes (the deadline is
						// moved to the past); the next reserve recovers it.
						r := rapid.SampledFrom(receipts()).Draw(rt, "r")
						if err := rdb.ZAdd(ctx, q.Key()+":reserved", redis.Z{Score: 0, Member: string(r)}).Err(); err != nil {
							rt.Fatal(err)
						}
						v := held[r]
						delete(held, r)
						expired = append(expired, r)
						switch {
						case k.set && queued(v):
							if unfinished > 0 {
								unfinished--
							}
						default:
							model = append([]string{v}, model...)
						}
						tryReserve(rt)
					},
					"TaskDone": func(rt *rapid.T) {
						err := q.TaskDone(ctx)
						if unfinished == 0 {
							if !errors.Is(err, hotredis.ErrTooManyTaskDone) {
								rt.Fatalf("TaskDone with none unfinished: %v", err)
							}
							return
						}
						if err != nil {
							rt.Fatal(err)
						}
						unfinished--
					},
					"": func(rt *rapid.T) {
						if n := must[int](rt)(q.Len(ctx)); n != len(model) {
							rt.Fatalf("Len %d, model %d", n, len(model))
						}
						if e := must[bool](rt)(q.Empty(ctx)); e != (len(model) == 0) {
							rt.Fatalf("Empty %v", e)
						}
						if f := must[bool](rt)(q.Full(ctx)); f != (max > 0 && len(model) >= max) {
							rt.Fatalf("Full %v", f)
						}
						if n := must[int](rt)(q.Unfinished(ctx)); n != unfinished {
							rt.Fatalf("Unfinished %d, model %d", n, unfinished)
						}
						if k.set {
							// The set holds exactly the queued items: not
							// the reserved ones.
							members := rdb.SMembers(ctx, q.Key()+"-set").Val()
							want := slices.Clone(model)
							slices.Sort(members)
							slices.Sort(want)
							if !slices.Equal(members, want) {
								rt.Fatalf("set %q, queued %q", members, want)
							}
						}
					},
				})
			})
		})
	}
}

// TestQueueBoundedPutWaits checks that a put on a full queue waits, is
// woken by a get without polling, whichever way the get takes its item
// and even through a handle without the bound (the bound belongs to the
// handle), and gives up when its context ends.
func TestQueueBoundedPutWaits(t *testing.T) {
	gets := map[string]func(q anyQueue) error{
		"Get":        func(q anyQueue) error { _, err := q.Get(ctx); return err },
		"TryGet":     func(q anyQueue) error { _, err := q.TryGet(ctx); return err },
		"GetMany":    func(q anyQueue) error { _, err := q.GetMany(ctx, 1); return err },
		"TryReserve": func(q anyQueue) error { _, _, err := q.TryReserve(ctx, time.Minute); return err },
		"Reserve":    func(q anyQueue) error { _, _, err := q.Reserve(ctx, time.Minute); return err },
	}
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t), hotredis.WithMaxSize(2))
		unbounded := k.make(key(t))
		q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "a", "b"))
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, err := q.Put(tctx, "c"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Put on full queue: %v, want DeadlineExceeded", err)
		}
		if n := must[int](t)(q.Len(ctx)); n != 2 {
			t.Fatalf("a timed-out put changed the queue: len %d", n)
		}
		names := slices.Sorted(maps.Keys(gets))
		for i, name := range names {
			for _, via := range []anyQueue{q, unbounded} {
				done := make(chan time.Time, 1)
				go func() {
					if _, err := q.Put(ctx, fmt.Sprintf("%s-%d-%p", name, i, via)); err != nil {
						t.Error(err)
					}
					done <- time.Now()
				}()
				time.Sleep(50 * time.Millisecond) // let the put block
				select {
				case <-done:
					t.Fatal("put did not wait")
				default:
				}
				start := time.Now()
				if err := gets[name](via); err != nil {
					t.Fatal(err)
				}
				// A get that polled nothing wakes the put at once; the
				// put's own periodic check would take a second.
				if woke := (<-done).Sub(start); woke > 800*time.Millisecond {
					t.Errorf("%s: blocked put woke %v after the get: polling?", name, woke)
				}
				if n := must[int](t)(q.Len(ctx)); n != 2 {
					t.Errorf("len %d, want 2", n)
				}
			}
		}
		// A batch larger than the bound can never fit.
		if _, err := q.PutMany(ctx, "x", "y", "z"); !errors.Is(err, hotredis.ErrFull) {
			t.Errorf("PutMany over the bound: %v", err)
		}
	})
}

// TestQueueManyBlockedPuts checks that several producers blocked on a
// small bounded queue each get through as consumers drain it, with nothing
// lost and the bound never exceeded.
func TestQueueManyBlockedPuts(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		const producers, each, max = 8, 50, 3
		q := k.make(key(t), hotredis.WithMaxSize(max))
		q.Delete(ctx)
		var wg sync.WaitGroup
		for p := range producers {
			wg.Go(func() {
				for i := range each {
					if _, err := q.Put(ctx, fmt.Sprintf("%d-%d", p, i)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		seen := map[string]bool{}
		for range producers * each {
			v, err := q.Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if seen[v] {
				t.Fatalf("duplicate %q", v)
			}
			seen[v] = true
			if n := must[int](t)(q.Len(ctx)); n > max {
				t.Fatalf("len %d over max %d", n, max)
			}
		}
		wg.Wait()
	})
}

func TestQueueTaskDoneJoin(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		if err := q.Join(ctx); err != nil {
			t.Fatalf("Join on a fresh queue: %v", err)
		}
		if err := q.TaskDone(ctx); !errors.Is(err, hotredis.ErrTooManyTaskDone) {
			t.Fatalf("TaskDone with no tasks: %v", err)
		}
		must[int](t)(q.PutMany(ctx, "a", "b", "c"))
		joined := make(chan error, 3)
		for range 3 {
			go func() { joined <- q.Join(ctx) }()
		}
		for i := range 3 {
			time.Sleep(20 * time.Millisecond)
			select {
			case err := <-joined:
				t.Fatalf("Join returned with %d tasks unfinished: %v", 3-i, err)
			default:
			}
			must[string](t)(q.Get(ctx))
			if err := q.TaskDone(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			select {
			case err := <-joined:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("Join not woken by the last TaskDone")
			}
		}
		if err := q.TaskDone(ctx); !errors.Is(err, hotredis.ErrTooManyTaskDone) {
			t.Fatalf("extra TaskDone: %v", err)
		}
		// A new put makes Join wait again.
		must[bool](t)(q.Put(ctx, "d"))
		tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := q.Join(tctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Join with a task unfinished: %v", err)
		}
	})
}

// TestQueueTakeFromAWrongTypeKeyGivesItNoExpiry: a take gives the queue's
// list the count's expiry while it has none (queue_lib's queueExpiry); a
// key of another type at the list's name, while the count expires, must
// get a refusal and keep no expiry. Before, the take set the count's
// expiry on it and only then failed (a script's earlier writes stay).
func TestQueueTakeFromAWrongTypeKeyGivesItNoExpiry(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		defer q.Delete(ctx)
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		for name, op := range map[string]func() error{
			"Get":        func() error { _, err := q.Get(tctx); return err },
			"TryGet":     func() error { _, err := q.TryGet(ctx); return err },
			"GetMany":    func() error { _, err := q.GetMany(tctx, 3); return err },
			"TryReserve": func() error { _, _, err := q.TryReserve(ctx, time.Second); return err },
		} {
			noErr(t, rdb.Set(ctx, q.Key(), "a string", 0).Err())
			noErr(t, rdb.Set(ctx, q.Key()+":unfinished", 1, time.Minute).Err())
			if err := op(); !errors.Is(err, hotredis.ErrWrongType) {
				t.Errorf("%s on a string key: %v, want ErrWrongType", name, err)
			}
			if d := rdb.PTTL(ctx, q.Key()).Val(); d != -1 {
				t.Errorf("%s: the string key's PTTL %v, want none (-1)", name, d)
			}
		}
	})
}

// TestQueuePutOntoACountOfAnotherTypePushesNothing: a task count key
// (library-owned) holding another type, or no integer, refuses every put
// with a typed error before any item is pushed, and stays as it was.
func TestQueuePutOntoACountOfAnotherTypePushesNothing(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		for _, max := range []int{0, 5} {
			q := k.make(key(t), hotredis.WithMaxSize(max))
			q.Delete(ctx)
			defer q.Delete(ctx)
			count := q.Key() + ":unfinished"
			for name, put := range map[string]func() error{
				"Put":     func() error { _, err := q.Put(ctx, "a"); return err },
				"TryPut":  func() error { _, err := q.TryPut(ctx, "a"); return err },
				"PutMany": func() error { _, err := q.PutMany(ctx, "a", "b", "c"); return err },
			} {
				noErr(t, rdb.Del(ctx, count).Err())
				noErr(t, rdb.HSet(ctx, count, "f", "v").Err())
				if err := put(); !errors.Is(err, hotredis.ErrWrongType) {
					t.Errorf("max %d: %s onto a hash count: %v, want ErrWrongType", max, name, err)
				}
				noErr(t, rdb.Del(ctx, count).Err())
				noErr(t, rdb.Set(ctx, count, "many", 0).Err())
				if err := put(); !errors.Is(err, hotredis.ErrDecode) {
					t.Errorf("max %d: %s onto a count that is no integer: %v, want ErrDecode", max, name, err)
				}
				if n := rdb.Exists(ctx, q.Key()).Val(); n != 0 {
					t.Fatalf("max %d: %s pushed items the count does not count (LLEN %d)", max, name, rdb.LLen(ctx, q.Key()).Val())
				}
				if v := rdb.Get(ctx, count).Val(); v != "many" {
					t.Errorf("max %d: %s left the count %q, want it as it was", max, name, v)
				}
			}
		}
	})
}

// TestQueuePutOntoAListOfAnotherTypeLeavesTheCount: a put onto a list key of
// another type fails with ErrWrongType and leaves the count as it was (its
// value, its existence, its expiry), the set of a set queue untouched,
// nothing pushed: for every kind, bounded or not, every put, and a
// PutMany of more items than one chunk.
func TestQueuePutOntoAListOfAnotherTypeLeavesTheCount(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		many := make([]string, 2_500)
		for i := range many {
			many[i] = "m" + strconv.Itoa(i)
		}
		for _, max := range []int{0, 5000} {
			q := k.make(key(t, strconv.Itoa(max)), hotredis.WithMaxSize(max))
			q.Delete(ctx)
			t.Cleanup(func() { q.Delete(ctx); rdb.Del(ctx, q.Key()) })
			count, set := q.Key()+":unfinished", q.Key()+"-set"
			puts := map[string]func() error{
				"Put":     func() error { _, err := q.Put(ctx, "a"); return err },
				"TryPut":  func() error { _, err := q.TryPut(ctx, "a"); return err },
				"PutMany": func() error { _, err := q.PutMany(ctx, many...); return err },
			}
			for name, put := range puts {
				for _, start := range []string{"", "7", "0"} {
					for _, ttl := range []time.Duration{0, time.Hour} {
						noErr(t, rdb.Del(ctx, q.Key(), count, set).Err())
						noErr(t, rdb.Set(ctx, q.Key(), "s", 0).Err())
						if start != "" {
							noErr(t, rdb.Set(ctx, count, start, ttl).Err())
						}
						if k.set {
							noErr(t, rdb.SAdd(ctx, set, "zz").Err())
						}
						what := fmt.Sprintf("max %d, %s, count %q ttl %v", max, name, start, ttl)
						if err := put(); !errors.Is(err, hotredis.ErrWrongType) {
							t.Errorf("%s: %v, want ErrWrongType", what, err)
						}
						if v := rdb.Get(ctx, q.Key()).Val(); v != "s" {
							t.Errorf("%s: the list key holds %q", what, v)
						}
						v, err := rdb.Get(ctx, count).Result()
						switch {
						case start == "" && err != redis.Nil:
							t.Errorf("%s: a count %q, %v made by a failed put", what, v, err)
						case start != "" && v != start:
							t.Errorf("%s: count %q (err %v), want %q as it was", what, v, err, start)
						}
						if start != "" && ttl > 0 {
							if d := rdb.PTTL(ctx, count).Val(); d <= 0 || d > ttl {
								t.Errorf("%s: count PTTL %v, want its expiry as it was", what, d)
							}
						}
						if start != "" && ttl == 0 && err == nil {
							if d := rdb.PTTL(ctx, count).Val(); d != -1 {
								t.Errorf("%s: count PTTL %v, want none", what, d)
							}
						}
						if k.set {
							if ms := rdb.SMembers(ctx, set).Val(); !slices.Equal(ms, []string{"zz"}) {
								t.Errorf("%s: the set holds %v, want [zz]", what, ms)
							}
						}
					}
				}
			}
		}
	})
}

// TestQueueErrors checks that a key holding another type is ErrWrongType
// on every path, with the task count untouched by the failed put, and that
// an item that cannot be decoded is a *DecodeError that does not lose the
// items around it.
func TestQueueErrors(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		for _, max := range []int{0, 5} {
			q := k.make(key(t), hotredis.WithMaxSize(max))
			q.Delete(ctx)
			rdb.Set(ctx, q.Key(), "a string", 0)
			tctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			ops := map[string]func() error{
				"Put":        func() error { _, err := q.Put(ctx, "x"); return err },
				"PutMany":    func() error { _, err := q.PutMany(ctx, "x", "y"); return err },
				"Get":        func() error { _, err := q.Get(tctx); return err },
				"TryGet":     func() error { _, err := q.TryGet(ctx); return err },
				"GetMany":    func() error { _, err := q.GetMany(tctx, 3); return err },
				"Reserve":    func() error { _, _, err := q.Reserve(tctx, time.Second); return err },
				"TryReserve": func() error { _, _, err := q.TryReserve(ctx, time.Second); return err },
				"Len":        func() error { _, err := q.Len(ctx); return err },
			}
			for name, op := range ops {
				if err := op(); !errors.Is(err, hotredis.ErrWrongType) || !strings.Contains(err.Error(), q.Key()) {
					t.Errorf("max %d: %s on a string key: %v", max, name, err)
				}
			}
			if n := must[int](t)(q.Unfinished(ctx)); n != 0 {
				t.Errorf("max %d: failed puts left %d unfinished tasks", max, n)
			}
			q.Delete(ctx)
		}
		if k.set {
			q := k.make(key(t, "set"))
			q.Delete(ctx)
			rdb.Set(ctx, q.Key()+"-set", "a string", 0)
			if _, err := q.Put(ctx, "x"); !errors.Is(err, hotredis.ErrWrongType) {
				t.Errorf("Put with a string at key-set: %v", err)
			}
			rdb.Del(ctx, q.Key()+"-set")
		}
	})
	q := hotredis.NewQueue[int](key(t, "decode"))
	q.Delete(ctx)
	rdb.RPush(ctx, q.Key(), "7", "junk", "8")
	if v, err := q.Get(ctx); v != 7 || err != nil {
		t.Errorf("Get %v %v", v, err)
	}
	_, err := q.Get(ctx)
	var de *hotredis.DecodeError
	if !errors.As(err, &de) || de.Value != "junk" || de.Key != q.Key() {
		t.Errorf("Get of junk: %v", err)
	}
	if v, err := q.Get(ctx); v != 8 || err != nil {
		t.Errorf("Get after junk: %v %v", v, err)
	}
	rdb.RPush(ctx, q.Key(), "1", "junk", "2")
	vs, err := q.GetMany(ctx, 5)
	if !errors.Is(err, hotredis.ErrDecode) || !slices.Equal(vs, []int{1, 2}) {
		t.Errorf("GetMany with junk: %v %v", vs, err)
	}
	// A reserved item that cannot be decoded comes with its receipt, so
	// that it can be acked (dropped) rather than delivered again forever.
	rdb.RPush(ctx, q.Key(), "junk")
	_, r, err := q.Reserve(ctx, time.Minute)
	if !errors.Is(err, hotredis.ErrDecode) || r == "" {
		t.Errorf("Reserve of junk: %q %v", r, err)
	} else if err := q.Ack(ctx, r); err != nil {
		t.Errorf("Ack of junk: %v", err)
	}
	// A set queue's waiting get decodes too.
	sq := hotredis.NewLifoSetQueue[int](key(t, "decode-set"))
	sq.Delete(ctx)
	got := make(chan error, 1)
	go func() { _, err := sq.Get(ctx); got <- err }()
	time.Sleep(30 * time.Millisecond)
	rdb.Eval(ctx, "redis.call('LPUSH', KEYS[1], 'junk'); redis.call('SADD', KEYS[2], 'junk')", []string{sq.Key(), sq.Key() + "-set"})
	if err := <-got; !errors.As(err, &de) || de.Value != "junk" {
		t.Errorf("set queue Get of junk: %v", err)
	}
	if n := rdb.SCard(ctx, sq.Key()+"-set").Val(); n != 0 {
		t.Errorf("the junk item stayed in the set")
	}
}

func TestQueueTransaction(t *testing.T) {
	q := hotredis.NewQueue[string](key(t), hotredis.WithMaxSize(2))
	l := hotredis.NewList[string](key(t, "log"))
	q.Delete(ctx)
	l.Delete(ctx)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		if err := q.Put(ctx, "a"); err != nil {
			return err
		}
		if _, err := l.Append(ctx, "put a"); err != nil {
			return err
		}
		if _, err := q.Get(ctx); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("blocking Get in a transaction: %v", err)
		}
		return q.PutMany(ctx, "b")
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := must[int](t)(q.Len(ctx)); n != 2 {
		t.Fatalf("len %d", n)
	}
	err = hotredis.Transaction(ctx, func(ctx context.Context) error { return q.Put(ctx, "c") })
	if !errors.Is(err, hotredis.ErrFull) {
		t.Errorf("Put on a full queue in a transaction: %v", err)
	}
	// Unbounded queues and set queues too; waiting is refused.
	u := hotredis.NewLifoQueue[string](key(t, "lifo"))
	sq := hotredis.NewSetQueue[string](key(t, "set"))
	u.Delete(ctx)
	sq.Delete(ctx)
	err = hotredis.Transaction(ctx, func(ctx context.Context) error {
		if err := u.PutMany(ctx, "x", "y"); err != nil {
			return err
		}
		if _, err := sq.Put(ctx, "z"); err != nil {
			return err
		}
		if _, _, err := sq.Reserve(ctx, time.Minute); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("Reserve in a transaction: %v", err)
		}
		if _, _, err := u.TryReserve(ctx, time.Minute); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("TryReserve in a transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if vs := must[[]string](t)(u.GetMany(ctx, 5)); !slices.Equal(vs, []string{"y", "x"}) {
		t.Errorf("LifoQueue after the transaction: %q", vs)
	}
	if n := must[int](t)(u.Unfinished(ctx)); n != 2 {
		t.Errorf("unfinished %d after the transaction, want 2", n)
	}
	if in := must[bool](t)(sq.Contains(ctx, "z")); !in {
		t.Error("set queue put in the transaction is missing")
	}
}

// TestSetQueueCluster checks set queues on a Redis Cluster: an untagged
// key fails early with ErrCrossSlot and advice on every operation that
// changes the queue (key and key-set would be in different slots; reads
// of one of them, Len or Contains, work), and with a tag every path
// works, including the pipelines of waiting gets and reserves.
func TestSetQueueCluster(t *testing.T) {
	c := sharedCluster(t).Client(t)
	for _, k := range queueKinds {
		if !k.set {
			continue
		}
		q := k.make("jobs", hotredis.WithClient(c))
		tctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		ops := map[string]func() error{
			"Put":        func() error { _, err := q.Put(ctx, "x"); return err },
			"TryPut":     func() error { _, err := q.TryPut(ctx, "x"); return err },
			"PutMany":    func() error { _, err := q.PutMany(ctx, "x", "y"); return err },
			"Get":        func() error { _, err := q.Get(tctx); return err },
			"TryGet":     func() error { _, err := q.TryGet(ctx); return err },
			"GetMany":    func() error { _, err := q.GetMany(tctx, 2); return err },
			"Reserve":    func() error { _, _, err := q.Reserve(tctx, time.Second); return err },
			"TryReserve": func() error { _, _, err := q.TryReserve(ctx, time.Second); return err },
		}
		for name, op := range ops {
			if err := op(); !errors.Is(err, hotredis.ErrCrossSlot) || !strings.Contains(err.Error(), `"{jobs}"`) {
				t.Errorf("%s: untagged %s on a cluster: %v", k.name, name, err)
			}
		}
	}
	for _, k := range []string{"{jobs}", ""} {
		q := hotredis.NewSetQueue[string](k, hotredis.WithClient(c), hotredis.WithMaxSize(1))
		q.Delete(ctx)
		if _, err := q.Put(ctx, "x"); err != nil {
			t.Fatal(err)
		}
		if v, err := q.Get(ctx); v != "x" || err != nil {
			t.Fatal(v, err)
		}
		if err := q.TaskDone(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.Join(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// The waiting paths, woken by a put: a set queue's Get and Reserve,
	// and a plain queue's (untagged: its own keys are tagged) Get and
	// Reserve.
	sq := hotredis.NewLifoSetQueue[string]("{jobs}", hotredis.WithClient(c))
	pq := hotredis.NewQueue[string]("plainjobs", hotredis.WithClient(c))
	sq.Delete(ctx)
	pq.Delete(ctx)
	later := func(put func()) {
		go func() {
			time.Sleep(30 * time.Millisecond)
			put()
		}()
	}
	later(func() { sq.Put(ctx, "a") })
	if v, err := sq.Get(ctx); v != "a" || err != nil {
		t.Errorf("set queue Get: %q %v", v, err)
	}
	later(func() { sq.Put(ctx, "b") })
	if v, r, err := sq.Reserve(ctx, time.Minute); v != "b" || err != nil {
		t.Errorf("set queue Reserve: %q %v", v, err)
	} else if err := sq.Ack(ctx, r); err != nil {
		t.Error(err)
	}
	later(func() { pq.Put(ctx, "c") })
	if v, err := pq.Get(ctx); v != "c" || err != nil {
		t.Errorf("queue Get: %q %v", v, err)
	}
	later(func() { pq.Put(ctx, "d") })
	if v, r, err := pq.Reserve(ctx, time.Minute); v != "d" || err != nil {
		t.Errorf("queue Reserve: %q %v", v, err)
	} else if err := pq.Ack(ctx, r); err != nil {
		t.Error(err)
	}
}

// queueWithReserve is what Queue and SetQueue have in common.
type queueWithReserve interface {
	Get(context.Context) (string, error)
	Reserve(context.Context, time.Duration) (string, hotredis.Receipt, error)
	Ack(context.Context, hotredis.Receipt) error
	Delete(context.Context) error
}

// Delete removes every key of a queue: outstanding reservations' lists
// and parked takes too, in batches when there are many.
func TestQueueDeleteRemovesReservations(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, set := range []bool{false, true} {
		for _, n := range []int{0, 3, 1200} {
			k := key(t, strconv.FormatBool(set), strconv.Itoa(n))
			var q queueWithReserve
			put := func(v string) error { return q.(*hotredis.Queue[string]).Put(ctx, v) }
			if set {
				sq := hotredis.NewSetQueue[string](k)
				q, put = sq, func(v string) error { _, err := sq.Put(ctx, v); return err }
			} else {
				q = hotredis.NewQueue[string](k)
			}
			reserve := func(c context.Context) (hotredis.Receipt, error) {
				_, r, err := q.Reserve(c, time.Minute)
				return r, err
			}
			ack := func(r hotredis.Receipt) error { return q.Ack(ctx, r) }
			del := func() error { return q.Delete(ctx) }
			get := func(c context.Context) error { _, err := q.Get(c); return err }
			for i := range n + 2 {
				if err := put(strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			var rs []hotredis.Receipt
			for range n {
				r, err := reserve(ctx)
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			if n > 0 {
				if err := ack(rs[0]); err != nil {
					t.Fatal(err)
				}
				rs = rs[1:]
			}
			if got := len(keysMatching(t, rdb, "*"+k+"*")); got < 2 {
				t.Fatalf("%d keys before Delete", got)
			}
			if err := del(); err != nil {
				t.Fatal(err)
			}
			if left := keysMatching(t, rdb, "*"+k+"*"); len(left) > 0 {
				t.Errorf("set=%v, %d reserved: %d keys left after Delete, such as %q", set, n, len(left), left[0])
			}
			for _, r := range rs[:min(len(rs), 3)] {
				if err := ack(r); !errors.Is(err, hotredis.ErrNotHeld) {
					t.Errorf("Ack after Delete: %v, want ErrNotHeld", err)
				}
			}
			// The deleted queue works as a new, empty one.
			if err := put("x"); err != nil {
				t.Fatal(err)
			}
			if err := get(ctx); err != nil {
				t.Fatal(err)
			}
			c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			if err := get(c); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Get on the emptied queue: %v", err)
			}
			cancel()
			del()
		}
	}
}

// Expired reservations come back in the order their items were taken, so
// a redelivery keeps a FIFO queue FIFO and a LIFO queue LIFO.
func TestQueueRecoveredReservationsKeepOrder(t *testing.T) {
	type reserver interface {
		PutMany(context.Context, ...string) error
		TryReserve(context.Context, time.Duration) (string, hotredis.Receipt, error)
		TryGet(context.Context) (string, error)
		Delete(context.Context) error
		Key() string
	}
	fifo := hotredis.NewQueue[string](key(t, "fifo"))
	lifo := hotredis.NewLifoQueue[string](key(t, "lifo"))
	for _, tc := range []struct {
		name     string
		q        reserver
		reserved []string // in the order TryReserve takes them
		then     []string // after the reservations expire: the whole queue, in get order
	}{
		{"Queue", fifo, []string{"a", "b"}, []string{"a", "b", "c"}},
		{"LifoQueue", lifo, []string{"c", "b"}, []string{"c", "b", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			defer q.Delete(ctx)
			if err := q.PutMany(ctx, "a", "b", "c"); err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.reserved {
				v, _, err := q.TryReserve(ctx, time.Minute)
				if err != nil || v != want {
					t.Fatalf("TryReserve = %q, %v; want %q", v, err, want)
				}
				time.Sleep(5 * time.Millisecond) // distinct deadlines
			}
			expireTakes(t, q.Key())
			var got []string
			v, _, err := q.TryReserve(ctx, time.Minute) // recovers both, then takes the head
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, v)
			for {
				v, err := q.TryGet(ctx)
				if errors.Is(err, hotredis.ErrEmpty) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			if !slices.Equal(got, tc.then) {
				t.Errorf("after the reservations expired the queue gave %q, want %q", got, tc.then)
			}
		})
	}
}

// TestQueueExpiredReservationGoesBackWhileAnotherQueueIsBusy: a Get looks
// for the queue's expired takes (queue_take, every take). On a client
// that another, busy, queue shares, this queue's reservation whose
// visibility ran out comes back within a few of its Gets, though the other
// queue's takes on the same client outnumber them a hundred to one; also
// when each Get has a handle of its own, as a request handler's. (From
// when a client looked only now and then.)
func TestQueueExpiredReservationGoesBackWhileAnotherQueueIsBusy(t *testing.T) {
	t.Parallel()
	for _, perGet := range []bool{false, true} {
		t.Run(fmt.Sprintf("handle per Get %v", perGet), func(t *testing.T) {
			t.Parallel()
			on := hotredis.WithClient(hotredistest.NewServer(t).Client(t))
			q := hotredis.NewQueue[string](key(t, "q"), on)
			busy := hotredis.NewQueue[string](key(t, "busy"), on)
			items := make([]string, 200)
			for i := range items {
				items[i] = strconv.Itoa(i)
			}
			noErr(t, q.PutMany(ctx, items...))
			if v := must[string](t)(q.TryGet(ctx)); v != "0" {
				t.Fatalf("TryGet = %q, want \"0\"", v)
			}
			v, _, err := q.TryReserve(ctx, 200*time.Millisecond)
			if err != nil || v != "1" {
				t.Fatalf("TryReserve = %q, %v; want \"1\"", v, err)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if err := busy.Put(ctx, "x"); err != nil {
							t.Error(err)
							return
						}
						if _, err := busy.Get(ctx); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			defer func() { close(stop); wg.Wait() }()
			time.Sleep(300 * time.Millisecond) // (the reservation's visibility ran out)
			// (60 Gets: room for a loaded machine, had the looks a period
			// again.)
			var got []string
			for range 60 {
				if perGet {
					q = hotredis.NewQueue[string](key(t, "q"), on)
				}
				v, err := q.TryGet(ctx)
				noErr(t, err)
				got = append(got, v)
				if v == "1" {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Errorf("the expired reservation did not come back in %d Gets (%q ...)", len(got), got[:5])
		})
	}
}

// TestQueueExpiredReservationGoesToAWaitingGet: a Get that waits on an
// empty queue gets an item whose reservation ran out meanwhile (the claim
// after each wait round looks for expired takes; README: "a Get that
// waits looks again each second"), for every queue kind.
func TestQueueExpiredReservationGoesToAWaitingGet(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		defer q.Delete(ctx)
		if _, err := q.PutMany(ctx, "r"); err != nil {
			t.Fatal(err)
		}
		if v, _, err := q.TryReserve(ctx, 300*time.Millisecond); err != nil || v != "r" {
			t.Fatalf("TryReserve = %q, %v; want \"r\"", v, err)
		}
		// (Generous: the wait round is a second; a loaded machine.)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := q.Get(wctx)
		if err != nil || v != "r" {
			t.Fatalf("waiting Get = %q, %v; want the expired reservation's \"r\"", v, err)
		}
		if n := must[int](t)(q.Len(ctx)); n != 0 {
			t.Errorf("Len = %d after the Get, want 0 (the item delivered once)", n)
		}
	})
}

// TestQueueRecoveredByGetKeepOrder: a plain queue's Get puts expired takes
// back before it takes, and they come back first, in the order they were
// taken, as TryReserve's recovery puts them
// (TestQueueRecoveredReservationsKeepOrder).
func TestQueueRecoveredByGetKeepOrder(t *testing.T) {
	fifo := hotredis.NewQueue[string](key(t, "fifo"))
	lifo := hotredis.NewLifoQueue[string](key(t, "lifo"))
	for _, tc := range []struct {
		name string
		q    interface {
			PutMany(context.Context, ...string) error
			TryReserve(context.Context, time.Duration) (string, hotredis.Receipt, error)
			TryGet(context.Context) (string, error)
			Delete(context.Context) error
			Key() string
		}
		reserved []string // in the order TryReserve takes them
		then     []string // after the reservations expire: what TryGet gives
	}{
		{"Queue", fifo, []string{"a", "b", "c"}, []string{"a", "b", "c", "d"}},
		{"LifoQueue", lifo, []string{"d", "c", "b"}, []string{"d", "c", "b", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			defer q.Delete(ctx)
			noErr(t, q.PutMany(ctx, "a", "b", "c", "d"))
			for _, want := range tc.reserved {
				if v, _, err := q.TryReserve(ctx, time.Minute); err != nil || v != want {
					t.Fatalf("TryReserve = %q, %v; want %q", v, err, want)
				}
				time.Sleep(5 * time.Millisecond) // distinct deadlines
			}
			expireTakes(t, q.Key())
			var got []string
			for range tc.then {
				v, err := q.TryGet(ctx)
				noErr(t, err)
				got = append(got, v)
			}
			if !slices.Equal(got, tc.then) {
				t.Errorf("after the reservations expired TryGet gave %q, want %q", got, tc.then)
			}
		})
	}
}

// A set queue's TryGet on an empty queue recovers expired reservations
// first, so a consumer that never blocks nor reserves still gets their
// items (and equal puts are not ignored meanwhile).
func TestSetQueueTryGetRecoversExpired(t *testing.T) {
	q := hotredis.NewSetQueue[string](key(t))
	defer q.Delete(ctx)
	if _, err := q.Put(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	if v, _, err := q.TryReserve(ctx, time.Minute); err != nil || v != "x" {
		t.Fatalf("TryReserve = %q, %v", v, err)
	}
	if _, err := q.TryGet(ctx); !errors.Is(err, hotredis.ErrEmpty) {
		t.Fatalf("TryGet while reserved: %v, want ErrEmpty", err)
	}
	expireTakes(t, q.Key())
	if v, err := q.TryGet(ctx); err != nil || v != "x" {
		t.Fatalf("TryGet after the reservation expired = %q, %v; want \"x\"", v, err)
	}
	if ok, err := q.Contains(ctx, "x"); err != nil || ok {
		t.Errorf("Contains(x) after TryGet took it = %v, %v", ok, err)
	}
}

// TestQueueLostWaitParksNothingLater: a Get gave up on its wait (reply
// lost or cancelled) and recovered its take, but the wait's BLMOVE is
// still blocked on the server (the close of its connection not seen yet)
// when an item arrives. The item must stay in the queue, at its head,
// not land in the abandoned parking list.
func TestQueueLostWaitParksNothingLater(t *testing.T) {
	q := hotredis.NewQueue[string](key(t))
	defer q.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	id := "lostwait"
	takes, parked := hotredis.TakeKeys(q, id)
	// The take's registration, as the wait made it (deadline in 3 s).
	deadline := must[time.Time](t)(rdb.Time(ctx).Result()).Add(3 * time.Second)
	noErr(t, rdb.ZAdd(ctx, takes, redis.Z{Score: float64(deadline.UnixMilli()), Member: id}).Err())
	// The abandoned wait, still blocked on the server.
	blocked := make(chan error, 1)
	go func() { blocked <- rdb.BLMove(ctx, q.Key(), parked, "LEFT", "LEFT", 2*time.Second).Err() }()
	time.Sleep(100 * time.Millisecond)
	noErr(t, hotredis.GiveUpWait(ctx, q, id))
	noErr(t, q.Put(ctx, "first"))
	noErr(t, q.Put(ctx, "second"))
	if err := <-blocked; err == nil {
		t.Fatal("the abandoned wait parked an item")
	}
	if got := must[[]string](t)(rdb.LRange(ctx, q.Key(), 0, -1).Result()); !slices.Equal(got, []string{"first", "second"}) {
		t.Fatalf("queue holds %q, want both items in order", got)
	}
	if v := must[string](t)(q.Get(ctx)); v != "first" {
		t.Fatalf("Get = %q, want first", v)
	}
}

// expireTakes makes every take (reservation, Get) of the queue at k
// overdue, in the order of their deadlines: tests that slept until short
// takes expired depended on the machine's speed (a slow round trip let a
// take expire before the test expected it to).
func expireTakes(t *testing.T, k string) {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	ids, err := rdb.ZRange(ctx, k+":reserved", 0, -1).Result()
	noErr(t, err)
	if len(ids) == 0 {
		t.Fatal("no take to expire")
	}
	for i, id := range ids {
		noErr(t, rdb.ZAddXX(ctx, k+":reserved", redis.Z{Score: float64(i + 1), Member: id}).Err())
	}
}

// TestQueueAckInTransaction: an Ack inside a Transaction (or Optimistic)
// is queued and returns nil, as Put and TaskDone do: acking a reservation
// with the write of its result is the natural use of a transaction with
// a queue (it returned ErrNotHeld, the queued reply read as "gone"; found
// by review). An ack of a reservation gone by the commit fails the commit
// with ErrNotHeld.
func TestQueueAckInTransaction(t *testing.T) {
	q := hotredis.NewQueue[string](key(t))
	defer q.Delete(ctx)
	log := hotredis.NewList[string](key(t, "log"))
	defer log.Delete(ctx)
	noErr(t, q.Put(ctx, "job"))
	v, r, err := q.Reserve(ctx, time.Minute)
	noErr(t, err)
	var ackErr error
	err = hotredis.Transaction(ctx, func(ctx context.Context) error {
		if _, err := log.Append(ctx, "done "+v); err != nil {
			return err
		}
		ackErr = q.Ack(ctx, r)
		return nil
	})
	noErr(t, err)
	if ackErr != nil {
		t.Errorf("Ack of a held reservation inside a Transaction = %v, want nil (it was queued and committed)", ackErr)
	}
	// It was in fact queued and ran at the commit: a second Ack finds it gone.
	if err := q.Ack(ctx, r); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Errorf("Ack after the transaction's ack = %v, want ErrNotHeld (the queued ack ran)", err)
	}
	// And Optimistic queues writes too.
	noErr(t, q.Put(ctx, "job2"))
	_, r2, err := q.Reserve(ctx, time.Minute)
	noErr(t, err)
	ackErr = nil
	noErr(t, hotredis.Optimistic(ctx, func(ctx context.Context) error {
		ackErr = q.Ack(ctx, r2)
		return nil
	}))
	if ackErr != nil {
		t.Errorf("Ack of a held reservation inside Optimistic = %v, want nil", ackErr)
	}
	err = hotredis.Transaction(ctx, func(ctx context.Context) error {
		if _, err := log.Append(ctx, "again"); err != nil {
			return err
		}
		return q.Ack(ctx, r2)
	})
	if !errors.Is(err, hotredis.ErrNotHeld) {
		t.Errorf("a transaction acking a reservation acked already = %v, want ErrNotHeld", err)
	}
}

// TestQueueCancelledEmptyGetLeavesNoRegistration: a Get on an empty
// plain queue whose context ends while its first (native) take is in
// flight: that take found nothing but registered itself, and the late
// reply's undo acknowledges the registration, as a Get that returns does
// (it stayed, with no expiry, until a later take on the queue, if any;
// found by review).
func TestQueueCancelledEmptyGetLeavesNoRegistration(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	for _, backend := range []string{"rueidis", "go-redis"} {
		t.Run(backend, func(t *testing.T) {
			c := faultyClient(t, backend, p.Addr())
			q := hotredis.NewQueue[string](key(t), hotredis.WithClient(c))
			rdb := srv.GoRedis()
			defer rdb.Close()
			// Prime the client's clock and connections.
			if _, err := q.TryGet(ctx); !errors.Is(err, hotredis.ErrEmpty) {
				t.Fatalf("TryGet = %v, want ErrEmpty", err)
			}
			time.Sleep(200 * time.Millisecond)
			if n := must[int64](t)(rdb.Exists(ctx, q.Key()+":reserved").Result()); n != 0 {
				t.Fatalf("a registration is left before the test's Get")
			}
			p.Stall(hotredistest.ToServer)
			cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			_, err := q.Get(cctx)
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Get = %v, want DeadlineExceeded", err)
			}
			p.Resume(hotredistest.ToServer)
			// The stalled take runs now (registering itself), then its undo
			// acknowledges it.
			time.Sleep(500 * time.Millisecond)
			waited(func() bool { return rdb.Exists(ctx, q.Key()+":reserved").Val() == 0 })
			ids := must[[]string](t)(rdb.ZRange(ctx, q.Key()+":reserved", 0, -1).Result())
			ttl := must[time.Duration](t)(rdb.PTTL(ctx, q.Key()+":reserved").Result())
			keys := must[[]string](t)(rdb.Keys(ctx, "*"+strings.Trim(q.Key(), "{}")+"*").Result())
			if len(ids) > 0 {
				t.Errorf("5 s after a cancelled Get on an empty queue, %s holds registrations %q (PTTL %v); keys %q",
					q.Key()+":reserved", ids, ttl, keys)
			}
		})
	}
}

// TestQueueExpireTakesItsReservations: Expire makes the whole queue
// expire, the list of an outstanding reservation ({key}:reserved:<id>,
// not among its keys) too, as Delete removes it (it stayed for good,
// nothing left to find it; found by review), also that of a reservation
// made after Expire (a GetMany's too, its item never acknowledged as its
// taker died), which takes the queue's expiry.
func TestQueueExpireTakesItsReservations(t *testing.T) {
	t.Parallel()
	for _, kind := range queueKinds {
		t.Run(kind.name, func(t *testing.T) {
			q := kind.make(key(t))
			defer q.Delete(ctx)
			rdb := rawClient()
			defer rdb.Close()
			if _, err := q.PutMany(ctx, "a", "b", "c"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := q.Reserve(ctx, time.Minute); err != nil {
				t.Fatal(err)
			}
			var exp interface {
				Expire(context.Context, time.Duration) (bool, error)
			}
			switch kind.name {
			case "Queue":
				exp = hotredis.NewQueue[string](q.Key())
			case "LifoQueue":
				exp = hotredis.NewLifoQueue[string](q.Key())
			case "SetQueue":
				exp = hotredis.NewSetQueue[string](q.Key())
			default:
				exp = hotredis.NewLifoSetQueue[string](q.Key())
			}
			if _, err := exp.Expire(ctx, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if _, _, err := q.Reserve(ctx, time.Minute); err != nil {
				t.Fatal(err)
			}
			if _, _, err := q.Reserve(ctx, time.Minute); err != nil { // (the last item: the list goes)
				t.Fatal(err)
			}
			time.Sleep(600 * time.Millisecond)
			left := keysMatching(t, rdb, "*"+q.Key()+"*")
			if len(left) > 0 {
				var desc []string
				for k, ttl := range ttlsOf(t, rdb, left) {
					desc = append(desc, k+" (PTTL "+ttl.String()+")")
				}
				t.Errorf("after the queue expired, keys remain: %v", desc)
			}
		})
	}
}

// TestQueueExpireCoversWhatIsPutWhileTasksAreUnfinished: while tasks are
// unfinished a queue expires as a whole. An Expire of a queue whose list
// is empty gives its expiry to the count of unfinished tasks; a Put then
// makes the list anew, and the list (a set queue's set too) takes the
// count's expiry. Before, it had none, as a plain Redis list would not:
// once the count ran out the queue held items nothing counted, a Join
// returned with them queued and their TaskDone failed (found by review).
// (Every put is queue_put now; unbounded plain queues once put natively
// and gave the list the expiry a round trip later.)
func TestQueueExpireCoversWhatIsPutWhileTasksAreUnfinished(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for _, max := range []int{0, 10} {
			for _, end := range []string{"Persist", "expiry"} {
				t.Run(fmt.Sprint("max", max, end), func(t *testing.T) {
					k := key(t)
					q := kind.make(k, hotredis.WithMaxSize(max))
					defer q.Delete(ctx)
					must[bool](t)(q.Put(ctx, "a"))
					if v := must[string](t)(q.Get(ctx)); v != "a" { // (no TaskDone: the list goes, the count stays)
						t.Fatalf("Get = %q", v)
					}
					other := kind.make(k, hotredis.WithMaxSize(max))
					ttl := 400 * time.Millisecond
					if end == "Persist" {
						ttl = time.Hour
					}
					if _, err := other.Expire(ctx, ttl); err != nil {
						t.Fatal(err)
					}
					must[bool](t)(q.Put(ctx, "b")) // the list anew
					made := []string{k}
					if kind.set {
						made = append(made, k+"-set")
					}
					count := k + ":unfinished"
					expireWithin(t, rdb, ttl, "after the Put", append(made, count)...)
					if end == "Persist" {
						if ok, err := other.Persist(ctx); err != nil || !ok {
							t.Fatalf("Persist = %v, %v", ok, err)
						}
						for k, d := range ttlsOf(t, rdb, append(made, count)) {
							if d != -1 {
								t.Errorf("after Persist, %s's PTTL = %v, want none (-1)", k, d)
							}
						}
						if n := must[int](t)(q.Unfinished(ctx)); n != 2 {
							t.Errorf("Unfinished = %d, want 2", n)
						}
						if n := must[int](t)(q.Len(ctx)); n != 1 {
							t.Errorf("Len = %d, want 1", n)
						}
						return
					}
					waitGone(t, count)
					if left := keysMatching(t, rdb, "*"+k+"*"); len(left) > 0 {
						t.Errorf("after the count ran out, keys remain: %v", ttlsOf(t, rdb, left))
					}
					if n := must[int](t)(q.Len(ctx)); n != 0 {
						t.Errorf("Len = %d after the queue expired, want 0", n)
					}
					jctx, cancel := context.WithTimeout(ctx, 5*time.Second)
					defer cancel()
					if err := q.Join(jctx); err != nil {
						t.Errorf("Join of the expired queue = %v, want nil", err)
					}
				})
			}
		}
	})
}

// TestQueueWaitingTakeOfAnExpiringQueueTakesItsExpiry: a waiting take
// whose wait takes the only item of a list made anew while tasks are
// unfinished takes the count's expiry, the queue's (its list is gone by
// then). Before, it kept none, and the registrations lost theirs: after
// the queue expired, the take stayed behind.
func TestQueueWaitingTakeOfAnExpiringQueueTakesItsExpiry(t *testing.T) {
	warmClaim(t)
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[bool](t)(q.Put(ctx, "a"))
		if v := must[string](t)(q.Get(ctx)); v != "a" { // (no TaskDone)
			t.Fatalf("Get = %q", v)
		}
		if _, err := q.Expire(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		got := reserveWaiting(t, kind.make(k).Reserve, time.Minute) // waits: the queue is empty
		must[bool](t)(q.Put(ctx, "b"))
		r := <-got
		if r.err != nil || r.v != "b" {
			t.Fatalf("Reserve = %q, %v", r.v, r.err)
		}
		expireWithin(t, rdb, time.Hour, "after the waiting Reserve", k+":reserved", k+":reserved:"+string(r.rc))
	})
}

// TestQueueRecoveryIntoAnEmptyQueueKeepsItsExpiry: an item a take
// recovers goes back into a list made anew, which takes the count's expiry
// (the queue's), so the take that follows keeps it too.
// Before, the list had none, and that take dropped the registrations'
// expiry: the count expired with the queue and left the take behind.
func TestQueueRecoveryIntoAnEmptyQueueKeepsItsExpiry(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[bool](t)(q.Put(ctx, "a"))
		if _, _, err := q.Reserve(ctx, 200*time.Millisecond); err != nil { // (the list goes)
			t.Fatal(err)
		}
		if _, err := q.Expire(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // (past the reservation's visibility)
		// A take by another handle recovers a, then takes it.
		v, rc, err := kind.make(k).TryReserve(ctx, time.Minute)
		if err != nil || v != "a" {
			t.Fatalf("TryReserve = %q, %v", v, err)
		}
		expireWithin(t, rdb, time.Hour, "after the recovery", k+":reserved", k+":reserved:"+string(rc), k+":unfinished")
	})
}

// expireWithin checks that each of keys has an expiry of at most max (the
// queue's, which it should share), when: the step just taken.
func expireWithin(t *testing.T, rdb redis.UniversalClient, max time.Duration, when string, keys ...string) {
	t.Helper()
	for k, d := range ttlsOf(t, rdb, keys) {
		if d <= 0 || d > max {
			t.Errorf("%s, %s's PTTL = %v, want the queue's expiry (%v at most)", when, k, d, max)
		}
	}
}

// TestQueuePutManyIsBounded: a PutMany of more than 10,000 items is
// refused before anything is sent (one step must stay short: a set
// queue's put of 300,000 held the server for about a second, found by
// review), and one of 10,000 adds what Python's queue would: a set queue
// skips the items queued already and repeats within the call (checked
// against a model, through SMISMEMBER's chunks).
func TestQueuePutManyIsBounded(t *testing.T) {
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for _, max := range []int{0, 20_000} {
			q := kind.make(key(t, fmt.Sprint(max)), hotredis.WithMaxSize(max))
			rdb := rawClient()
			defer rdb.Close()
			big := make([]string, 10_001)
			for i := range big {
				big[i] = fmt.Sprint("x", i)
			}
			if _, err := q.PutMany(ctx, big...); !errors.Is(err, hotredis.ErrInvalidArgument) {
				t.Fatalf("max %d: PutMany of 10,001 items = %v, want ErrInvalidArgument", max, err)
			}
			if n := rdb.Exists(ctx, q.Key(), q.Key()+"-set").Val(); n != 0 {
				t.Fatalf("max %d: a refused PutMany left %d keys", max, n)
			}
			// Queued already: every third of the first 3,000.
			var first []string
			for i := 0; i < 3000; i += 3 {
				first = append(first, big[i])
			}
			must[int](t)(q.PutMany(ctx, first...))
			items := append(append([]string(nil), big[:9_000]...), big[:1_000]...) // repeats within the call
			n := must[int](t)(q.PutMany(ctx, items...))
			want := len(items)
			if kind.set {
				want = 9_000 - len(first)
			}
			if n != want {
				t.Errorf("max %d: PutMany added %d, want %d", max, n, want)
			}
			total := len(first) + want
			if got := must[int](t)(q.Len(ctx)); got != total {
				t.Errorf("max %d: Len = %d, want %d", max, got, total)
			}
			if kind.set {
				if got := rdb.SCard(ctx, q.Key()+"-set").Val(); got != int64(total) {
					t.Errorf("max %d: the set holds %d, want %d", max, got, total)
				}
			}
		}
	})
}

// TestQueueWakeUpPassesOverAPutThatDoesNotFit: a bounded queue of 3 is
// full; a PutMany of 3 items waits, then a Put of one. A Get frees one
// slot, and its wake-up goes to the PutMany, the first waiting, whose
// items still do not fit: the Put's item does, and the Put is woken for
// it at once, not left to its periodic check a second later (its
// deadline, 900 ms, comes first: it waits on the server that long).
func TestQueueWakeUpPassesOverAPutThatDoesNotFit(t *testing.T) {
	t.Parallel() // (own keys; waits mostly)
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		rdb := rawClient()
		defer rdb.Close()
		q := kind.make(k, hotredis.WithMaxSize(3))
		noErr(t, q.Delete(ctx))
		must[int](t)(q.PutMany(ctx, "p1", "p2", "p3"))
		bigCtx, cancelBig := context.WithCancel(ctx)
		defer cancelBig()
		big := make(chan error, 1)
		go func() { _, err := q.PutMany(bigCtx, "a1", "a2", "a3"); big <- err }()
		waitPutsWaiting(t, rdb, k, 1)
		oneCtx, cancelOne := context.WithTimeout(ctx, 900*time.Millisecond)
		defer cancelOne()
		one := make(chan error, 1)
		go func() { _, err := q.Put(oneCtx, "b"); one <- err }()
		waitPutsWaiting(t, rdb, k, 2)
		must[string](t)(q.Get(ctx))
		if err := <-one; err != nil {
			t.Fatalf("the Put that fits = %v after a Get made room for it", err)
		}
		if got := rdb.LRange(ctx, k, 0, -1).Val(); len(got) != 3 || !slices.Contains(got, "b") {
			t.Errorf("queue %q, want the Put's item and two of the first", got)
		}
		cancelBig()
		if err := <-big; !errors.Is(err, context.Canceled) {
			t.Errorf("the PutMany that never fit = %v, want context.Canceled", err)
		}
	})
}

// TestQueueWakeUpReachesAPutOnItsWayToWait: a Put that found the queue
// full is registered, then sends its wait. A Get's wake-up that goes round
// the puts blocked meanwhile (a PutMany that does not fit passes it on,
// and drops it when it comes back) is gone when the Put blocks: the Put
// checks for room in its wait's round trip, and is not left to its own
// re-check a second later (its deadline, 900 ms, comes first).
func TestQueueWakeUpReachesAPutOnItsWayToWait(t *testing.T) {
	t.Parallel() // (own server)
	oneCtx, cancelOne := context.WithTimeout(ctx, 900*time.Millisecond)
	defer cancelOne()
	w := putOnItsWay(t, oneCtx)
	if n := w.rdb.LLen(ctx, w.k+":notfull").Val(); n != 0 {
		t.Fatalf("%d wake-ups left before the Put waits, want none", n)
	}
	w.p.Resume(hotredistest.ToServer)
	if err := <-w.put; err != nil {
		t.Fatalf("the Put that fits = %v after a Get made room for it", err)
	}
	if got := w.rdb.LRange(ctx, w.k, 0, -1).Val(); !slices.Equal(got, []string{"p2", "p3", "b"}) {
		t.Errorf("queue %q, want [p2 p3 b]", got)
	}
}

// TestQueueWakeUpOfACancelledPutOnItsWayIsPassedOn: as
// TestQueueWakeUpReachesAPutOnItsWayToWait, but the Put is cancelled while
// its wait (the check, then BLPOP) is held. The wait still runs: its check
// announces the space, the PutMany that cannot use it passes it on, the
// cancelled Put's BLPOP takes it and its undo passes it on again, and the
// PutMany drops it. Nothing of the cancelled Put goes in, the slot stays
// free for the next Put, and the server goes quiet.
func TestQueueWakeUpOfACancelledPutOnItsWayIsPassedOn(t *testing.T) {
	t.Parallel() // (own server)
	putCtx, cancelPut := context.WithCancel(ctx)
	defer cancelPut()
	w := putOnItsWay(t, putCtx)
	rdb, k := w.rdb, w.k
	cancelPut()
	if err := <-w.put; !errors.Is(err, context.Canceled) {
		t.Fatalf("the cancelled Put = %v, want context.Canceled", err)
	}
	w.p.Resume(hotredistest.ToServer)
	// The held wait runs, its BLPOP gets the wake-up, the undo passes it
	// on: settled when only the PutMany is blocked and no wake-up is left.
	waitFor(t, func() bool {
		return w.blocked() == 1 && rdb.Exists(ctx, k+":notfull").Val() == 0 && callsOn(t, rdb, "blpop") >= 4
	})
	time.Sleep(100 * time.Millisecond)
	before := callsOn(t, rdb, "evalsha")
	time.Sleep(300 * time.Millisecond)
	if n := callsOn(t, rdb, "evalsha") - before; n > 4 {
		t.Errorf("%d scripts ran in 300 ms with nothing to do", n)
	}
	if err := w.q.TryPut(ctx, "c"); err != nil {
		t.Fatalf("TryPut = %v: the slot the cancelled Put gave up is gone", err)
	}
	if got := rdb.LRange(ctx, k, 0, -1).Val(); !slices.Equal(got, []string{"p2", "p3", "c"}) {
		t.Errorf("queue %q, want [p2 p3 c]", got)
	}
}

// putWaiting is a Put of "b" held on its way to wait (see putOnItsWay).
type putWaiting struct {
	rdb     *redis.Client
	k       string
	q       *hotredis.Queue[string] // the queue (max 3, full), on a client of its own
	p       *hotredistest.Proxy     // the Put's client's, stalled ToServer
	blocked func() int64            // clients blocked on the server
	put     <-chan error            // the Put's result
}

// putOnItsWay sets up a full queue of 3 with a PutMany of 3 blocked on it,
// starts a Put of "b" (ctx) on another client, through a proxy that holds
// the Put's wait (its check and BLPOP) once the Put is registered, then
// frees a slot with a Get, and returns once the PutMany has taken the
// wake-up, passed it on, taken it back and dropped it (it is blocked
// again).
func putOnItsWay(t *testing.T, ctx context.Context) putWaiting {
	t.Helper()
	srv, rdb, k, q, _, _ := bigPutsWaiting(t, 1)
	w := putWaiting{rdb: rdb, k: k, q: q}
	w.blocked = func() int64 { n, _ := srv.BlockedClients(context.Background()); return int64(n) }
	waitCount(t, "clients blocked", w.blocked, 1)
	w.p = hotredistest.NewProxy(t, srv.Addr)
	via := hotredis.NewQueue[string](k, hotredis.WithMaxSize(3), hotredis.WithClient(faultyClient(t, "", w.p.Addr())))
	w.p.StallOn(hotredistest.ToServer, "BLPOP") // (the Put's wait)
	put := make(chan error, 1)
	go func() { put <- via.Put(ctx, "b") }()
	w.put = put
	waitFor(t, func() bool { return !w.p.Armed() })
	waitPutsWaiting(t, rdb, k, 2)
	must[string](t)(q.Get(context.Background()))
	waitCount(t, "clients blocked", w.blocked, 1)
	return w
}

// TestQueueWakeUpIsNotPassedAroundForever: two PutManys of 3 wait on a
// full queue of 3, and a Get frees one slot, which fits neither. Each
// passes the wake-up on when it cannot use it, but only once round the
// puts waiting: the server then stays quiet (a wake-up passed back and
// forth would run their scripts without end).
func TestQueueWakeUpIsNotPassedAroundForever(t *testing.T) {
	t.Parallel() // (own server)
	_, rdb, _, q, done, cancel := bigPutsWaiting(t, 2)
	must[string](t)(q.Get(ctx))
	time.Sleep(100 * time.Millisecond) // the wake-up's round
	calls := func() int64 { return callsOn(t, rdb, "evalsha") }
	before := calls()
	time.Sleep(300 * time.Millisecond)
	// (Each waiting put checks again once a second: at most two scripts
	// each, its try and the check before its wait, and a straggler of the
	// wake-up's round.)
	if n := calls() - before; n > 6 {
		t.Errorf("%d scripts ran in 300 ms with nothing to do: the wake-up goes round and round", n)
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("a PutMany that never fit = %v, want context.Canceled", err)
		}
	}
}

// TestQueueWakeUpReachesAPutOnceWhateverItsRenewals: one PutMany of 3 waits on a
// full queue of 3, and renews its registration every second, each time
// one more element of {key}:putwait. A Get frees one slot, which the
// PutMany cannot use: the wake-up it takes reaches it again at most once,
// however many registrations it made. (A first design counted the
// wake-up's reach by registrations: 8 scripts for one Get after 7 s.)
func TestQueueWakeUpReachesAPutOnceWhateverItsRenewals(t *testing.T) {
	t.Parallel() // (own server; waits mostly)
	srv := hotredistest.NewServer(t)
	rdb := srv.GoRedis()
	defer rdb.Close()
	k := key(t)
	q := hotredis.NewQueue[string](k, hotredis.WithMaxSize(3), hotredis.WithClient(srv.Client(t)))
	noErr(t, q.PutMany(ctx, "p1", "p2", "p3"))
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- q.PutMany(wctx, "a", "b", "c") }()
	waitPutsWaiting(t, rdb, k, 8) // (one put, renewed 7 times)
	t.Logf("putwait before the Get: %v", rdb.LRange(ctx, k+":putwait", 0, -1).Val())
	scripts, blpops := callsOn(t, rdb, "evalsha"), callsOn(t, rdb, "blpop")
	must[string](t)(q.Get(ctx))
	time.Sleep(300 * time.Millisecond)
	ns, nb := callsOn(t, rdb, "evalsha")-scripts, callsOn(t, rdb, "blpop")-blpops
	// One put waits: the wake-up reaches it once (its try, and the check
	// before its wait: two scripts; one BLPOP that returns and one that
	// waits again), and comes back to it once, passed on (two more); its
	// periodic check may add a round (two more, and a BLPOP).
	if ns > 6 || nb > 3 {
		t.Errorf("one Get freeing a slot for the only waiting put (which cannot use it): %d scripts, %d BLPOPs in 300 ms; the put woke itself again and again", ns, nb)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the PutMany that never fit = %v, want context.Canceled", err)
	}
}

// TestSetQueueWakeUpOfAPutOfQueuedItemsIsPassedOn: a set queue of 2 is full. Two
// Puts of the same item "x" wait, then a Put of "y". A GetMany frees both
// slots and wakes two puts: the first Put of "x" fits; the second finds "x"
// queued and returns at once having added nothing: it passes its wake-up
// on, so the Put of "y" is woken for the free slot, not left to its
// periodic check a second later (past its 900 ms deadline).
func TestSetQueueWakeUpOfAPutOfQueuedItemsIsPassedOn(t *testing.T) {
	t.Parallel() // (own keys; waits mostly)
	for _, kind := range queueKinds {
		if !kind.set {
			continue
		}
		t.Run(kind.name, func(t *testing.T) {
			k := key(t)
			rdb := rawClient()
			defer rdb.Close()
			q := kind.make(k, hotredis.WithMaxSize(2))
			noErr(t, q.Delete(ctx))
			must[int](t)(q.PutMany(ctx, "p1", "p2"))
			x := make(chan error, 2)
			for i := range 2 {
				go func() { _, err := q.Put(ctx, "x"); x <- err }()
				waitPutsWaiting(t, rdb, k, int64(i+1))
			}
			yCtx, cancelY := context.WithTimeout(ctx, 900*time.Millisecond)
			defer cancelY()
			y := make(chan error, 1)
			go func() { _, err := q.Put(yCtx, "y"); y <- err }()
			waitPutsWaiting(t, rdb, k, 3)
			if got := must[[]string](t)(q.GetMany(ctx, 2)); len(got) != 2 {
				t.Fatalf("GetMany(2) = %q", got)
			}
			for range 2 {
				if err := <-x; err != nil {
					t.Fatalf("a Put of x = %v", err)
				}
			}
			if err := <-y; err != nil {
				t.Errorf("the Put of y = %v with a slot free since the GetMany (queue %q)", err, rdb.LRange(ctx, k, 0, -1).Val())
			}
		})
	}
}

// TestQueueWakeUpIsNotPassedAgainAfterACutWait: two PutManys of 3 wait on
// a full queue of 3 (own server). A Get frees one slot, which fits
// neither: its wake-up goes from one to the other and back, and is
// dropped. Both wait again. Their BLPOP connections are then cut (CLIENT
// KILL): each rides the cut out and puts again, and neither may pass on a
// wake-up it passed on already: one made from nothing, no space having
// been freed. (cmdstat_lpop counts the passes: no other call here
// LPOPs.)
func TestQueueWakeUpIsNotPassedAgainAfterACutWait(t *testing.T) {
	t.Parallel() // (own server)
	srv, rdb, _, q, done, cancel := bigPutsWaiting(t, 2)
	waitBlocked := func(n int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for must[int](t)(srv.BlockedClients(ctx)) != n {
			if time.Now().After(deadline) {
				t.Fatalf("%d clients blocked, want %d", must[int](t)(srv.BlockedClients(ctx)), n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	waitBlocked(2)
	must[string](t)(q.Get(ctx))
	deadline := time.Now().Add(5 * time.Second)
	for callsOn(t, rdb, "lpop") < 1 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the wake-up's round
	waitBlocked(2)
	passes := callsOn(t, rdb, "lpop")
	if passes < 1 || passes > 2 {
		t.Fatalf("%d passes after the Get, want 1 or 2 (once round the two puts)", passes)
	}
	list := rdb.ClientList(ctx).Val()
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		// (Blocked now: a pooled connection whose last command was a
		// BLPOP, woken earlier, lists cmd=blpop too, with flags=N.)
		if !strings.Contains(line, " cmd=blpop") || !strings.Contains(line, " flags=b ") {
			continue
		}
		for _, field := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(field, "id="); ok {
				noErr(t, rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err())
				killed++
			}
		}
	}
	if killed != 2 {
		t.Fatalf("killed %d blocked connections, want 2:\n%s", killed, list)
	}
	time.Sleep(300 * time.Millisecond) // (well inside the puts' 1 s rounds)
	if n := callsOn(t, rdb, "lpop") - passes; n > 0 {
		t.Errorf("%d more wake-ups passed on after the waits' connections were cut, with no space freed: the hops of a wake-up already passed on were passed again", n)
	}
	cancel()
	for range 2 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("a PutMany that never fit = %v, want context.Canceled", err)
		}
	}
}

// bigPutsWaiting starts a full Queue of 3 at k on a server of its own,
// with n PutManys of 3 waiting for room, and returns the server, a client
// of it, the queue, where each PutMany's error comes, and the function
// that ends them.
func bigPutsWaiting(t *testing.T, n int) (srv *hotredistest.Server, rdb *redis.Client, k string, q *hotredis.Queue[string], done chan error, cancel func()) {
	t.Helper()
	srv = hotredistest.NewServer(t)
	rdb = srv.GoRedis()
	t.Cleanup(func() { rdb.Close() })
	k = key(t)
	q = hotredis.NewQueue[string](k, hotredis.WithMaxSize(3), hotredis.WithClient(srv.Client(t)))
	noErr(t, q.PutMany(ctx, "p1", "p2", "p3"))
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	done = make(chan error, n)
	for i := range n {
		go func() { done <- q.PutMany(wctx, strconv.Itoa(i), "x", "y") }()
		waitPutsWaiting(t, rdb, k, int64(i+1))
	}
	return srv, rdb, k, q, done, cancel
}

// waitPutsWaiting waits until n puts are registered as waiting for space
// on the bounded queue at key k.
func waitPutsWaiting(t *testing.T, rdb redis.UniversalClient, k string, n int64) {
	t.Helper()
	waitCount(t, "puts waiting", func() int64 { return rdb.LLen(ctx, k+":putwait").Val() }, n)
}
