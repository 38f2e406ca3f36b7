package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

func init() {
	roles["queue-producer"] = queueProducerRole
	roles["queue-consumer"] = queueConsumerRole
	roles["queue-reserver"] = queueReserverRole
}

// TestQueueReserveAck checks the visibility timeout on every kind of
// queue: an item not acked in time comes back first, its old receipt no
// longer acks, and an acked item is gone for good.
func TestQueueReserveAck(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, k queueKind) {
		q := k.make(key(t))
		q.Delete(ctx)
		if _, _, err := q.TryReserve(ctx, time.Second); !errors.Is(err, hotredis.ErrEmpty) {
			t.Fatalf("TryReserve on empty: %v", err)
		}
		if _, _, err := q.TryReserve(ctx, 0); err == nil {
			t.Fatal("TryReserve with no visibility timeout: no error")
		}
		first := "a"
		if k.lifo {
			first = "b"
		}
		must[int](t)(q.PutMany(ctx, "a", "b"))
		v, r1, err := q.Reserve(ctx, 100*time.Millisecond)
		if v != first || err != nil {
			t.Fatal(v, err)
		}
		if n := must[int](t)(q.Len(ctx)); n != 1 {
			t.Fatalf("len %d while %s is reserved", n, first)
		}
		must[bool](t)(q.Put(ctx, "c"))
		time.Sleep(150 * time.Millisecond)
		// The expired reservation is put back at the head by the next
		// Reserve, and comes first.
		v, r2, err := q.Reserve(ctx, time.Minute)
		if v != first || err != nil {
			t.Fatalf("after expiry got %q %v, want %s again", v, err, first)
		}
		if err := q.Ack(ctx, r1); !errors.Is(err, hotredis.ErrNotHeld) {
			t.Fatalf("Ack of an expired reservation: %v", err)
		}
		if err := q.Ack(ctx, r2); err != nil {
			t.Fatal(err)
		}
		if err := q.Ack(ctx, r2); !errors.Is(err, hotredis.ErrNotHeld) {
			t.Fatalf("second Ack: %v", err)
		}
		for range 2 {
			_, r, err := q.Reserve(ctx, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Ack(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		// A blocked Reserve is woken by a put.
		go func() {
			time.Sleep(30 * time.Millisecond)
			q.Put(ctx, "d")
		}()
		v, r4, err := q.Reserve(ctx, time.Minute)
		if v != "d" || err != nil {
			t.Fatal(v, err)
		}
		if err := q.Ack(ctx, r4); err != nil {
			t.Fatal(err)
		}
		tctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		defer cancel()
		if _, _, err := q.Reserve(tctx, time.Second); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Reserve on empty with deadline: %v", err)
		}
		// Nothing is left behind (once the abandoned wait has ended on the
		// server): no item, set member, parking, reservation or
		// registration.
		var left []string
		for range 250 {
			left = slices.DeleteFunc(rdb.Keys(ctx, "*"+q.Key()+"*").Val(), func(k string) bool {
				return strings.HasSuffix(k, ":unfinished")
			})
			if len(left) == 0 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if len(left) > 0 {
			t.Errorf("keys left behind: %q", left)
		}
	})
}

// TestSetQueueReserve checks what a reservation means for a set queue's
// uniqueness: a reserved item is no longer queued, so an equal item can be
// put; if the reservation then expires, the queued item stands for both.
func TestSetQueueReserve(t *testing.T) {
	for _, k := range queueKinds[2:] {
		t.Run(k.name, func(t *testing.T) {
			q := k.make(key(t))
			sq := q.(interface {
				Contains(context.Context, string) (bool, error)
			})
			q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "x"))
			v, r1, err := q.Reserve(ctx, 100*time.Millisecond)
			if v != "x" || err != nil {
				t.Fatal(v, err)
			}
			if in := must[bool](t)(sq.Contains(ctx, "x")); in {
				t.Error("a reserved item is still a member of the set")
			}
			if added := must[bool](t)(q.Put(ctx, "x")); !added {
				t.Fatal("an item equal to a reserved one was not added")
			}
			if n := must[int](t)(q.Unfinished(ctx)); n != 2 {
				t.Fatalf("unfinished %d, want 2", n)
			}
			time.Sleep(150 * time.Millisecond)
			// The expired reservation's x is dropped, the queued x standing
			// for it; its task counts as done.
			v, r2, err := q.Reserve(ctx, time.Minute)
			if v != "x" || err != nil {
				t.Fatal(v, err)
			}
			if err := q.Ack(ctx, r1); !errors.Is(err, hotredis.ErrNotHeld) {
				t.Errorf("Ack of a dropped reservation: %v", err)
			}
			if n := must[int](t)(q.Len(ctx)); n != 0 {
				t.Errorf("len %d, want 0: the expired x came back beside the queued one", n)
			}
			if n := must[int](t)(q.Unfinished(ctx)); n != 1 {
				t.Errorf("unfinished %d, want 1", n)
			}
			if err := q.Ack(ctx, r2); err != nil {
				t.Fatal(err)
			}
			if err := q.TaskDone(ctx); err != nil {
				t.Fatal(err)
			}
			jctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			if err := q.Join(jctx); err != nil {
				t.Errorf("Join after the last task: %v", err)
			}
			// An expired reservation with no equal item queued comes back
			// to the list and the set, first.
			must[int](t)(q.PutMany(ctx, "y", "z"))
			y, r3, err := q.Reserve(ctx, 100*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
			if v, r4, err := q.Reserve(ctx, time.Minute); v != y || err != nil {
				t.Errorf("after expiry got %q %v, want %q", v, err, y)
			} else {
				q.Ack(ctx, r4)
			}
			if err := q.Ack(ctx, r3); !errors.Is(err, hotredis.ErrNotHeld) {
				t.Errorf("Ack of a recovered reservation: %v", err)
			}
			if in := must[bool](t)(sq.Contains(ctx, y)); in {
				t.Errorf("%q reserved again but still a member", y)
			}
			// A blocked Reserve takes the item out of the set too.
			must[string](t)(q.Get(ctx))
			go func() {
				time.Sleep(30 * time.Millisecond)
				q.Put(ctx, "w")
			}()
			v, r5, err := q.Reserve(ctx, time.Minute)
			if v != "w" || err != nil {
				t.Fatal(v, err)
			}
			if in := must[bool](t)(sq.Contains(ctx, "w")); in {
				t.Error("an item reserved by a blocked Reserve is still a member")
			}
			if err := q.Ack(ctx, r5); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// acked is the error of an Ack, with context.Background(), after a
// Reserve that succeeded: it must not fail, and a failure must not pass
// for a cancelled wait.
func acked(err error) error {
	if err != nil {
		return fmt.Errorf("Ack after a Reserve: %w", errors.Join(errAck, err))
	}
	return nil
}

var errAck = errors.New("not a cancelled wait")

// TestQueueCancelledWaitsLoseNothing cancels thousands of blocked gets
// while producers run, then counts every item: each one was either
// received once or is still in the queue.
func TestQueueCancelledWaitsLoseNothing(t *testing.T) {
	cases := []struct {
		name string
		set  bool
		many bool
		res  bool
	}{
		{name: "Get"},
		{name: "GetMany", many: true},
		{name: "SetQueueGet", set: true},
		{name: "Reserve", res: true},
		{name: "SetQueueReserve", set: true, res: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Getters wait over and over while producers run, each wait
			// ended by its deadline or, half the time, cancelled first
			// (the server is not told: what the command takes then must be
			// given back). The deadline bounds each abandoned command's
			// life on the server. Producers hold back their last item until
			// a thousand waits were cancelled.
			const getters, producers, each, minCancels = 32, 4, 500, 1000
			c, err := srv.NewClient()
			if err != nil {
				t.Fatal(err)
			}
			k := key(t)
			q := hotredis.NewQueue[string](k, hotredis.WithClient(c))
			sq := hotredis.NewSetQueue[string](k, hotredis.WithClient(c))
			q.Delete(ctx)
			get := func(ctx context.Context) ([]string, error) {
				switch {
				case tc.set && tc.res:
					v, r, err := sq.Reserve(ctx, time.Minute)
					if err == nil {
						err = acked(sq.Ack(context.Background(), r))
					}
					return []string{v}, err
				case tc.set:
					v, err := sq.Get(ctx)
					return []string{v}, err
				case tc.many:
					return q.GetMany(ctx, 3)
				case tc.res:
					v, r, err := q.Reserve(ctx, time.Minute)
					if err == nil {
						err = acked(q.Ack(context.Background(), r))
					}
					return []string{v}, err
				}
				v, err := q.Get(ctx)
				return []string{v}, err
			}
			var (
				mu       sync.Mutex
				received = map[string]int{}
				wg       sync.WaitGroup
				cancels  atomic.Int64
				stop     atomic.Bool
			)
			for range getters {
				wg.Go(func() {
					for !stop.Load() {
						d := time.Duration(2+rand.IntN(20)) * time.Millisecond
						gctx, cancel := context.WithTimeout(ctx, 2*d)
						if rand.IntN(2) == 0 {
							time.AfterFunc(d, cancel)
						}
						vs, err := get(gctx)
						cancel()
						if err != nil {
							if errors.Is(err, errAck) || !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
								t.Error(err)
								return
							}
							cancels.Add(1)
							continue
						}
						mu.Lock()
						for _, v := range vs {
							received[v]++
						}
						mu.Unlock()
					}
				})
			}
			var pw sync.WaitGroup
			for p := range producers {
				pw.Go(func() {
					for i := range each {
						v := fmt.Sprintf("%d-%d", p, i)
						for i == each-1 && cancels.Load() < minCancels {
							time.Sleep(5 * time.Millisecond)
						}
						var err error
						if tc.set {
							_, err = sq.Put(ctx, v)
						} else {
							err = q.Put(ctx, v)
						}
						if err != nil {
							t.Error(err)
							return
						}
						if i%10 == 0 {
							time.Sleep(time.Millisecond)
						}
					}
				})
			}
			pw.Wait()
			during := cancels.Load()
			stop.Store(true)
			wg.Wait()
			// Close waits for every abandoned command and its give-back.
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			got := len(received)
			// The queue lives on srv, whatever the suite's topology.
			left := hotredis.NewSetQueue[string](k, hotredis.WithClient(srv.Client(t)))
			for {
				if empty := must[bool](t)(left.Empty(ctx)); empty {
					break
				}
				vs, err := left.GetMany(ctx, 1000)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vs {
					received[v]++
				}
			}
			for v, n := range received {
				if n != 1 {
					t.Errorf("%q received %d times", v, n)
				}
			}
			if len(received) != producers*each {
				t.Errorf("%d distinct items, want %d: lost %d (%s)",
					len(received), producers*each, producers*each-len(received), failedOver())
			}
			rdb := srv.GoRedis()
			defer rdb.Close()
			if tc.set {
				if n := rdb.SCard(ctx, k+"-set").Val(); n != 0 {
					t.Errorf("%d ghost members left in the set", n)
				}
			}
			// A wait cancelled while its BLMOVE blocked leaves a marker (a
			// string) at its parking key until its registration's
			// deadline, at most maxBlock+registerMargin (3 s) after the
			// wait began (see queue_recover's mode 2): those go by
			// themselves; a parking list would not.
			var ks []string
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
				if ks = keysMatching(t, rdb, "*"+k+"*:parked:*"); len(ks) == 0 || time.Now().After(deadline) {
					break
				}
			}
			if len(ks) > 0 {
				t.Errorf("parking keys left behind: %q", ks)
			}
			if tc.res {
				// A wait abandoned mid-way whose outcome was unknown keeps its
				// registration (nothing parked or taken) until its deadline,
				// registerMargin after the wait began; a take after that
				// recovers it.
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
					if rdb.ZCard(ctx, k+":reserved").Val() == 0 {
						break
					}
					time.Sleep(100 * time.Millisecond)
					if _, err := left.TryGet(ctx); err != nil && !errors.Is(err, hotredis.ErrEmpty) {
						t.Fatal(err)
					}
				}
				if n := rdb.ZCard(ctx, k+":reserved").Val(); n != 0 {
					t.Errorf("%d reservations left", n)
					now := time.Now().UnixMilli()
					for _, z := range rdb.ZRangeWithScores(ctx, k+":reserved", 0, -1).Val() {
						id := z.Member.(string)
						t.Logf("reservation %s: deadline in %d ms; its list %v, its parking %s",
							id, int64(z.Score)-now, rdb.LRange(ctx, k+":reserved:"+id, 0, -1).Val(),
							rdb.Type(ctx, k+":parked:"+id).Val())
					}
				}
			}
			if during < minCancels {
				t.Errorf("only %d waits cancelled while producers ran, want %d or more", during, minCancels)
			}
			t.Logf("%d waits cancelled while producers ran; %d items received by the waits, %d left in the queue", during, got, len(received)-got)
		})
	}
}

// TestQueueConcurrentGoroutines moves items between 8 producers and 8
// consumers of one bounded queue through every kind of put and get.
func TestQueueConcurrentGoroutines(t *testing.T) {
	const producers, consumers, each = 8, 8, 1000
	q := hotredis.NewQueue[int](key(t), hotredis.WithMaxSize(64))
	q.Delete(ctx)
	var pw, cw sync.WaitGroup
	for p := range producers {
		pw.Go(func() {
			for i := 0; i < each; {
				v := p*each + i
				var err error
				switch i % 3 {
				case 0:
					err, i = q.Put(ctx, v), i+1
				case 1:
					if err = q.TryPut(ctx, v); errors.Is(err, hotredis.ErrFull) {
						err = nil
						continue
					}
					i++
				default:
					n := min(5, each-i)
					batch := make([]int, n)
					for j := range batch {
						batch[j] = v + j
					}
					err, i = q.PutMany(ctx, batch...), i+n
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var mu sync.Mutex
	got := make([]int, producers*each)
	var total atomic.Int64
	for range consumers {
		cw.Go(func() {
			for total.Load() < producers*each {
				gctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				vs, err := q.GetMany(gctx, 1+rand.IntN(4))
				cancel()
				if errors.Is(err, context.DeadlineExceeded) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, v := range vs {
					got[v]++
				}
				mu.Unlock()
				total.Add(int64(len(vs)))
			}
		})
	}
	pw.Wait()
	cw.Wait()
	for v, n := range got {
		if n != 1 {
			t.Fatalf("item %d received %d times", v, n)
		}
	}
}

// TestQueueProcesses moves 40,000 items through a bounded queue (500)
// between two producer and two consumer processes of 8 goroutines each:
// each item is received exactly once.
func TestQueueProcesses(t *testing.T) {
	const perProducer, goroutines = 20_000, 8
	k := key(t)
	q := hotredis.NewQueue[string](k)
	results := hotredis.NewList[string](k + ":results")
	q.Delete(ctx)
	results.Delete(ctx)
	env := []string{"QUEUE_KEY=" + k, "QUEUE_COUNT=" + strconv.Itoa(perProducer), "QUEUE_GOROUTINES=" + strconv.Itoa(goroutines)}
	p1 := startRole(t, "queue-producer", append(env, "QUEUE_PREFIX=a")...)
	p2 := startRole(t, "queue-producer", append(env, "QUEUE_PREFIX=b")...)
	c1 := startRole(t, "queue-consumer", env...)
	c2 := startRole(t, "queue-consumer", env...)
	for _, p := range []interface{ Wait() error }{p1, p2} {
		if err := p.Wait(); err != nil {
			t.Fatalf("producer: %v", err)
		}
	}
	// One stop marker per consumer goroutine, behind every item.
	stops := make([]string, 2*goroutines)
	for i := range stops {
		stops[i] = "stop"
	}
	if err := q.PutMany(ctx, stops...); err != nil {
		t.Fatal(err)
	}
	for _, c := range []interface{ Wait() error }{c1, c2} {
		if err := c.Wait(); err != nil {
			t.Fatalf("consumer: %v", err)
		}
	}
	seen := make(map[string]bool, 2*perProducer)
	for v, err := range results.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatalf("%q received twice", v)
		}
		seen[v] = true
	}
	if len(seen) != 2*perProducer {
		t.Fatalf("received %d items, want %d", len(seen), 2*perProducer)
	}
	if n := must[int](t)(q.Len(ctx)); n != 0 {
		t.Errorf("%d items left", n)
	}
}

func roleEnvInt(name string) int {
	n, _ := strconv.Atoi(os.Getenv(name))
	return n
}

// queueProducerRole puts QUEUE_COUNT items named QUEUE_PREFIX-i into a
// queue bounded to 500, from QUEUE_GOROUTINES goroutines, half with Put and
// half with PutMany.
func queueProducerRole() error {
	c, err := roleClient()
	if err != nil {
		return err
	}
	defer c.Close()
	q := hotredis.NewQueue[string](os.Getenv("QUEUE_KEY"), hotredis.WithMaxSize(500))
	count, g, prefix := roleEnvInt("QUEUE_COUNT"), roleEnvInt("QUEUE_GOROUTINES"), os.Getenv("QUEUE_PREFIX")
	errs := make(chan error, g)
	for w := range g {
		go func() {
			var batch []string
			for i := w; i < count; i += g {
				v := fmt.Sprintf("%s-%d", prefix, i)
				if w%2 == 0 {
					if err := q.Put(ctx, v); err != nil {
						errs <- err
						return
					}
					continue
				}
				if batch = append(batch, v); len(batch) == 50 {
					if err := q.PutMany(ctx, batch...); err != nil {
						errs <- err
						return
					}
					batch = batch[:0]
				}
			}
			errs <- q.PutMany(ctx, batch...)
		}()
	}
	for range g {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// queueConsumerRole gets items with QUEUE_GOROUTINES goroutines until
// each has received a "stop", and appends what it got to QUEUE_KEY:results.
func queueConsumerRole() error {
	c, err := roleClient()
	if err != nil {
		return err
	}
	defer c.Close()
	k := os.Getenv("QUEUE_KEY")
	q := hotredis.NewQueue[string](k)
	results := hotredis.NewList[string](k + ":results")
	g := roleEnvInt("QUEUE_GOROUTINES")
	errs := make(chan error, g)
	for range g {
		go func() {
			var got []string
			for {
				v, err := q.Get(ctx)
				if err != nil {
					errs <- err
					return
				}
				if v == "stop" {
					break
				}
				got = append(got, v)
			}
			_, err := results.Append(ctx, got...)
			errs <- err
		}()
	}
	for range g {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// TestQueueReserveKilledConsumer has consumer processes Reserve, record
// and Ack items while one of them is killed with SIGKILL mid-stream:
// every item is still recorded at least once, thanks to the visibility
// timeout, on a plain queue and on set queues (whose set ends empty: no
// ghost member).
func TestQueueReserveKilledConsumer(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, kind := range []string{"Queue", "SetQueue", "LifoSetQueue"} {
		t.Run(kind, func(t *testing.T) {
			const items = 10_000
			k := key(t)
			q := reservable(kind, k)
			results := hotredis.NewList[string](k + ":results")
			q.Delete(ctx)
			results.Delete(ctx)
			all := make([]string, items)
			for i := range all {
				all[i] = strconv.Itoa(i)
			}
			if _, err := q.PutMany(ctx, all...); err != nil {
				t.Fatal(err)
			}
			env := []string{"QUEUE_KEY=" + k, "QUEUE_KIND=" + kind, "QUEUE_GOROUTINES=8"}
			victim := startRole(t, "queue-reserver", env...)
			startRole(t, "queue-reserver", env...)
			deadline := time.Now().Add(40 * time.Second)
			for must[int](t)(results.Len(ctx)) < items/5 {
				if time.Now().After(deadline) {
					t.Fatal("consumers too slow")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := victim.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			victim.Wait()
			startRole(t, "queue-reserver", env...)
			var distinct, total int
			for {
				if time.Now().After(deadline) {
					t.Fatalf("only %d of %d items delivered", distinct, items)
				}
				time.Sleep(200 * time.Millisecond)
				vs, err := results.Values(ctx)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, v := range vs {
					seen[v] = true
				}
				distinct, total = len(seen), len(vs)
				if distinct == items {
					break
				}
			}
			t.Logf("%d items delivered %d times in all (redelivered after the kill: %d)", items, total, total-items)
			if n := rdb.LLen(ctx, k).Val(); n != 0 {
				t.Errorf("%d items left in the queue", n)
			}
			if n := rdb.SCard(ctx, k+"-set").Val(); n != 0 {
				t.Errorf("%d members left in the set", n)
			}
		})
	}
}

// reservableQueue is what queueReserverRole needs of a queue.
type reservableQueue interface {
	PutMany(ctx context.Context, vs ...string) (int, error)
	Reserve(ctx context.Context, visibility time.Duration) (string, hotredis.Receipt, error)
	Ack(ctx context.Context, r hotredis.Receipt) error
	Delete(ctx context.Context) error
}

// reservable returns the queue of the kind named ("Queue", "SetQueue",
// "LifoSetQueue") at k.
func reservable(kind, k string) reservableQueue {
	for _, qk := range queueKinds {
		if qk.name == kind {
			return qk.make(k)
		}
	}
	panic("unknown queue kind " + kind)
}

// queueReserverRole reserves items from the QUEUE_KIND queue at QUEUE_KEY,
// records each in QUEUE_KEY:results and acks it, with QUEUE_GOROUTINES
// goroutines, until killed.
func queueReserverRole() error {
	c, err := roleClient()
	if err != nil {
		return err
	}
	defer c.Close()
	k := os.Getenv("QUEUE_KEY")
	q := reservable(os.Getenv("QUEUE_KIND"), k)
	results := hotredis.NewList[string](k + ":results")
	g := roleEnvInt("QUEUE_GOROUTINES")
	errs := make(chan error, g)
	for range g {
		go func() {
			for {
				v, r, err := q.Reserve(ctx, time.Second)
				if err == nil {
					_, err = results.Append(ctx, v)
				}
				if err == nil {
					err = q.Ack(ctx, r)
				}
				if err != nil && !errors.Is(err, hotredis.ErrNotHeld) {
					errs <- err
					return
				}
			}
		}()
	}
	return <-errs
}
