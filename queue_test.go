package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
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
	Delete(ctx context.Context) error
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
	Delete(ctx context.Context) error
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

func must[V any](t interface {
	Helper()
	Fatal(...any)
}) func(V, error) V {
	return func(v V, err error) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
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
			// Full, but a repeat is ignored at once rather than waiting.
			tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
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
// queue classes.
func TestQueueModel(t *testing.T) {
	for _, k := range queueKinds {
		t.Run(k.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				max := rapid.IntRange(0, 5).Draw(rt, "max")
				q := k.make(key(t), hotredis.WithMaxSize(max))
				q.Delete(ctx)
				defer q.Delete(ctx)
				var model []string // next item first
				unfinished := 0
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
						tctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
						defer cancel()
						n, err := q.PutMany(tctx, vs...)
						if max > 0 && len(model)+len(new) > max {
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
					},
				})
				if k.set {
					rdb := rawClient()
					defer rdb.Close()
					members := rdb.SMembers(ctx, q.Key()+"-set").Val()
					want := slices.Clone(model)
					slices.Sort(members)
					slices.Sort(want)
					if !slices.Equal(members, want) {
						rt.Fatalf("set %q, queued %q", members, want)
					}
				}
			})
		})
	}
}

// TestQueueBoundedPutWaits checks that a put on a full queue waits, is
// woken by a get without polling, and gives up when its context ends.
func TestQueueBoundedPutWaits(t *testing.T) {
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t), hotredis.WithMaxSize(2))
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
		done := make(chan time.Time, 1)
		go func() {
			if _, err := q.Put(ctx, "c"); err != nil {
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
		must[string](t)(q.Get(ctx))
		woke := (<-done).Sub(start)
		if woke > 200*time.Millisecond {
			t.Errorf("blocked put woke %v after the get: polling?", woke)
		}
		if n := must[int](t)(q.Len(ctx)); n != 2 {
			t.Errorf("len %d, want 2", n)
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

func TestQueueErrors(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		rdb.Set(ctx, q.Key(), "a string", 0)
		if _, err := q.Put(ctx, "x"); !errors.Is(err, hotredis.ErrWrongType) || !strings.Contains(err.Error(), q.Key()) {
			t.Errorf("Put on a string key: %v", err)
		}
		if _, err := q.TryGet(ctx); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("TryGet on a string key: %v", err)
		}
		if _, err := q.Len(ctx); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("Len on a string key: %v", err)
		}
		q.Delete(ctx)
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
}

func TestSetQueueCluster(t *testing.T) {
	c := sharedCluster(t).Client(t)
	q := hotredis.NewSetQueue[string]("jobs", hotredis.WithClient(c))
	_, err := q.Put(ctx, "x")
	if !errors.Is(err, hotredis.ErrCrossSlot) || !strings.Contains(err.Error(), `"{jobs}"`) {
		t.Fatalf("untagged set queue on a cluster: %v", err)
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
	// Plain queues work untagged, Reserve included.
	pq := hotredis.NewQueue[string]("plainjobs", hotredis.WithClient(c))
	pq.Delete(ctx)
	pq.Put(ctx, "y")
	v, r, err := pq.Reserve(ctx, time.Second)
	if v != "y" || err != nil {
		t.Fatal(v, err)
	}
	if err := pq.Ack(ctx, r); err != nil {
		t.Fatal(err)
	}
}
