package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// anyObject is what every hotredis type has: the methods of every object
// (SPEC: Key, Delete, Exists, Expire, TTL) and what a transaction watches.
type anyObject interface {
	hotredis.Object
	Delete(context.Context) error
	Exists(context.Context) (bool, error)
	Expire(context.Context, time.Duration) (bool, error)
	Persist(context.Context) (bool, error)
	TTL(context.Context) (time.Duration, error)
}

// kindObject is an object and the name of its type.
type kindObject struct {
	kind string
	obj  anyObject
}

// everyType returns one object of every type, each at keyOf(its type's
// name).
func everyType(keyOf func(kind string) string, opts ...hotredis.Option) []kindObject {
	return []kindObject{
		{"List", hotredis.NewList[string](keyOf("List"), opts...)},
		{"Set", hotredis.NewSet[string](keyOf("Set"), opts...)},
		{"Map", hotredis.NewMap[string, string](keyOf("Map"), opts...)},
		{"DefaultMap", hotredis.NewDefaultMap[string, int](keyOf("DefaultMap"), nil, opts...)},
		{"Counter", hotredis.NewCounter[string](keyOf("Counter"), opts...)},
		{"String", hotredis.NewString(keyOf("String"), opts...)},
		{"ImmutableString", hotredis.NewImmutableString(keyOf("ImmutableString"), opts...)},
		{"Int", hotredis.NewInt(keyOf("Int"), opts...)},
		{"Float", hotredis.NewFloat(keyOf("Float"), opts...)},
		{"Queue", hotredis.NewQueue[string](keyOf("Queue"), opts...)},
		{"LifoQueue", hotredis.NewLifoQueue[string](keyOf("LifoQueue"), opts...)},
		{"SetQueue", hotredis.NewSetQueue[string](keyOf("SetQueue"), opts...)},
		{"LifoSetQueue", hotredis.NewLifoSetQueue[string](keyOf("LifoSetQueue"), opts...)},
		{"Lock", hotredis.NewLock(keyOf("Lock"), opts...)},
		{"RLock", hotredis.NewRLock(keyOf("RLock"), opts...)},
		{"Semaphore", hotredis.NewSemaphore(keyOf("Semaphore"), 2, opts...)},
		{"BoundedSemaphore", hotredis.NewBoundedSemaphore(keyOf("BoundedSemaphore"), 2, opts...)},
	}
}

// call is one call of a table, by the text a user would write.
type call struct {
	name string
	do   func(context.Context) error
}

// outcome is what a call did.
type outcome struct {
	err      error
	panicked any
	took     time.Duration
}

// run makes c with a context that ends after timeout, turning a panic
// into an outcome.
func (c call) run(timeout time.Duration) (o outcome) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		o.took = time.Since(start)
		if r := recover(); r != nil {
			o.panicked = r
		}
	}()
	o.err = c.do(ctx)
	return o
}

// runAll makes every call at once and returns their outcomes, in order.
func runAll(calls []call, timeout time.Duration) []outcome {
	out := make([]outcome, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { out[i] = c.run(timeout) })
	}
	wg.Wait()
	return out
}

// err1 and err2 keep only the error of a call's results.
func err1[A any](_ A, err error) error         { return err }
func err2[A, B any](_ A, _ B, err error) error { return err }

// TestInvalidArgumentsAreRefusedBeforeAnyIO checks that invalid arguments
// (out of range, nil) are ErrInvalidArgument, never a panic, and are
// refused before anything is sent: the objects' server is paused, so a
// call that sent anything would wait for its context's deadline.
func TestInvalidArgumentsAreRefusedBeforeAnyIO(t *testing.T) {
	s := hotredistest.NewServer(t)
	c := s.Client(t)
	if err := c.Ping(ctx); err != nil { // warm up: connected
		t.Fatal(err)
	}
	on := hotredis.WithClient(c)
	list := hotredis.NewList[string](key(t, "list"), on)
	set := hotredis.NewSet[string](key(t, "set"), on)
	other := hotredis.NewSet[string](key(t, "other"), on)
	counter := hotredis.NewCounter[string](key(t, "counter"), on)
	str := hotredis.NewString(key(t, "string"), on)
	sem := hotredis.NewSemaphore(key(t, "sem"), 2, on)
	bsem := hotredis.NewBoundedSemaphore(key(t, "bsem"), 2, on)
	queue := hotredis.NewQueue[string](key(t, "queue"), on)
	var noSet *hotredis.Set[string]
	var noCounter *hotredis.Counter[string]
	var fnRan atomic.Bool // by a transaction's function that must not run
	fn := func(context.Context) error { fnRan.Store(true); return nil }

	calls := []call{
		// Set algebra with a nil Set, in every method that takes Sets.
		{"Set.Union(ctx, nil)", func(ctx context.Context) error { return err1(set.Union(ctx, nil)) }},
		{"Set.Union(ctx, other, nil)", func(ctx context.Context) error { return err1(set.Union(ctx, other, nil)) }},
		{"Set.Intersection(ctx, nil)", func(ctx context.Context) error { return err1(set.Intersection(ctx, noSet)) }},
		{"Set.Difference(ctx, nil)", func(ctx context.Context) error { return err1(set.Difference(ctx, noSet)) }},
		{"Set.SymmetricDifference(ctx, nil)", func(ctx context.Context) error { return err1(set.SymmetricDifference(ctx, noSet)) }},
		{"Set.UnionUpdate(ctx, nil)", func(ctx context.Context) error { return set.UnionUpdate(ctx, noSet) }},
		{"Set.IntersectionUpdate(ctx, nil)", func(ctx context.Context) error { return set.IntersectionUpdate(ctx, nil) }},
		{"Set.IntersectionUpdate(ctx, other, nil)", func(ctx context.Context) error { return set.IntersectionUpdate(ctx, other, nil) }},
		{"Set.DifferenceUpdate(ctx, nil)", func(ctx context.Context) error { return set.DifferenceUpdate(ctx, noSet) }},
		{"Set.SymmetricDifferenceUpdate(ctx, nil)", func(ctx context.Context) error { return set.SymmetricDifferenceUpdate(ctx, noSet) }},
		{"Set.IsSubset(ctx, nil)", func(ctx context.Context) error { return err1(set.IsSubset(ctx, nil)) }},
		{"Set.IsSuperset(ctx, nil)", func(ctx context.Context) error { return err1(set.IsSuperset(ctx, nil)) }},
		{"Set.IsDisjoint(ctx, nil)", func(ctx context.Context) error { return err1(set.IsDisjoint(ctx, nil)) }},
		{"Set.Equal(ctx, nil)", func(ctx context.Context) error { return err1(set.Equal(ctx, nil)) }},
		// Counter algebra with a nil Counter.
		{"Counter.IntersectionUpdate(ctx, nil)", func(ctx context.Context) error { return counter.IntersectionUpdate(ctx, noCounter) }},
		{"Counter.UnionUpdate(ctx, nil)", func(ctx context.Context) error { return counter.UnionUpdate(ctx, nil) }},
		// Nil functions.
		{"String.Update(ctx, nil)", func(ctx context.Context) error { return err1(str.Update(ctx, nil)) }},
		{"Client.Transaction(ctx, nil)", func(ctx context.Context) error { return c.Transaction(ctx, nil) }},
		{"Client.Optimistic(ctx, nil, list)", func(ctx context.Context) error { return c.Optimistic(ctx, nil, list) }},
		// Results beyond what Redis can hold.
		// (List.Repeat(1<<40) needs the list's length: an empty list repeats
		// to empty, as in Python; TestListEdgesOfTypeAndSize.)
		{"String.SetRange(ctx, 600<<20, \"x\")", func(ctx context.Context) error { return err1(str.SetRange(ctx, 600<<20, "x")) }},
		// Negative counts.
		{"Semaphore.AcquireN(ctx, -1)", func(ctx context.Context) error { return sem.AcquireN(ctx, -1) }},
		{"Semaphore.TryAcquireN(ctx, -1)", func(ctx context.Context) error { return err1(sem.TryAcquireN(ctx, -1)) }},
		{"Semaphore.ReleaseN(ctx, -1)", func(ctx context.Context) error { return sem.ReleaseN(ctx, -1) }},
		{"BoundedSemaphore.AcquireN(ctx, -1)", func(ctx context.Context) error { return bsem.AcquireN(ctx, -1) }},
		{"BoundedSemaphore.TryAcquireN(ctx, -1)", func(ctx context.Context) error { return err1(bsem.TryAcquireN(ctx, -1)) }},
		{"BoundedSemaphore.ReleaseN(ctx, -1)", func(ctx context.Context) error { return bsem.ReleaseN(ctx, -1) }},
		// Visibility timeouts under 1ms.
		{"Queue.Reserve(ctx, 0)", func(ctx context.Context) error { return err2(queue.Reserve(ctx, 0)) }},
		{"Queue.TryReserve(ctx, -time.Second)", func(ctx context.Context) error { return err2(queue.TryReserve(ctx, -time.Second)) }},
		// Nil objects to watch.
		{"Client.Optimistic(ctx, fn, nil)", func(ctx context.Context) error { return c.Optimistic(ctx, fn, nil) }},
		{"Client.Optimistic(ctx, fn, list, nil)", func(ctx context.Context) error { return c.Optimistic(ctx, fn, list, nil) }},
		{"Client.Optimistic(ctx, fn, (*hotredis.List[string])(nil))", func(ctx context.Context) error {
			return c.Optimistic(ctx, fn, (*hotredis.List[string])(nil))
		}},
		{"hotredis.Optimistic(ctx, fn, nil)", func(ctx context.Context) error { return hotredis.Optimistic(ctx, fn, nil) }},
	}
	// A semaphore of a size out of range: every method.
	for _, size := range []int64{-1, 1 << 52} {
		sem := hotredis.NewSemaphore(key(t, "badsem"), size, on)
		bsem := hotredis.NewBoundedSemaphore(key(t, "badbsem"), size, on)
		for _, x := range []struct {
			name string
			s    semaphore
		}{{"NewSemaphore", sem}, {"NewBoundedSemaphore", bsem}} {
			calls = append(calls, semaphoreCalls(fmt.Sprintf("%s(k, %d)", x.name, size), x.s)...)
		}
	}
	// Expiries under 1ms, on every type.
	for _, o := range everyType(func(kind string) string { return key(t, kind) }, on) {
		for _, ttl := range []time.Duration{0, 500 * time.Microsecond, -time.Second} {
			calls = append(calls, call{fmt.Sprintf("%s.Expire(ctx, %v)", o.kind, ttl), func(ctx context.Context) error {
				return err1(o.obj.Expire(ctx, ttl))
			}})
		}
	}

	rdb := s.GoRedis()
	defer rdb.Close()
	if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	paused := true
	resume := func() {
		if paused {
			paused = false
			if err := s.Resume(); err != nil {
				t.Error(err)
			}
		}
	}
	defer resume()
	outcomes := runAll(calls, 2*time.Second)
	resume()

	for i, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			o := outcomes[i]
			switch {
			case o.panicked != nil:
				t.Errorf("%s panicked: %v", c.name, o.panicked)
			case !errors.Is(o.err, hotredis.ErrInvalidArgument):
				t.Errorf("%s = %v, want ErrInvalidArgument", c.name, o.err)
			}
			// (A call that waited for the paused server takes the
			// whole 2 s: a second tells it from ~150 goroutines started
			// at once on a loaded machine.)
			if o.took > time.Second {
				t.Errorf("%s returned after %v: it waited for the (paused) server", c.name, o.took.Round(time.Millisecond))
			}
		})
	}
	if fnRan.Load() {
		t.Error("a transaction's function ran although the objects to watch were invalid")
	}
	// Nothing reached the server meanwhile (what is sent to a paused
	// server is answered when it resumes).
	time.Sleep(100 * time.Millisecond)
	if sent := commandsServed(t, rdb.Info(ctx, "commandstats").Val()); len(sent) > 0 {
		t.Errorf("invalid calls sent commands to the server: %v", sent)
	}
}

// semaphore is what Semaphore and BoundedSemaphore have.
type semaphore interface {
	anyObject
	Acquire(context.Context) error
	AcquireN(context.Context, int64) error
	TryAcquire(context.Context) (bool, error)
	TryAcquireN(context.Context, int64) (bool, error)
	Release(context.Context) error
	ReleaseN(context.Context, int64) error
	Available(context.Context) (int64, error)
}

// semaphoreCalls calls every method of s, made as name says.
func semaphoreCalls(name string, s semaphore) []call {
	return []call{
		{name + ".Acquire", s.Acquire},
		{name + ".AcquireN", func(ctx context.Context) error { return s.AcquireN(ctx, 1) }},
		{name + ".TryAcquire", func(ctx context.Context) error { return err1(s.TryAcquire(ctx)) }},
		{name + ".TryAcquireN", func(ctx context.Context) error { return err1(s.TryAcquireN(ctx, 1)) }},
		{name + ".Release", s.Release},
		{name + ".ReleaseN", func(ctx context.Context) error { return s.ReleaseN(ctx, 1) }},
		{name + ".Available", func(ctx context.Context) error { return err1(s.Available(ctx)) }},
		{name + ".Delete", s.Delete},
		{name + ".Exists", func(ctx context.Context) error { return err1(s.Exists(ctx)) }},
		{name + ".Expire", func(ctx context.Context) error { return err1(s.Expire(ctx, time.Second)) }},
		{name + ".Persist", func(ctx context.Context) error { return err1(s.Persist(ctx)) }},
		{name + ".TTL", func(ctx context.Context) error { return err1(s.TTL(ctx)) }},
	}
}

// commandsServed lists the commands in an INFO commandstats reply,
// except those of connections and of the test itself.
func commandsServed(t *testing.T, info string) []string {
	t.Helper()
	var out []string
	for line := range strings.Lines(info) {
		name, stats, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		name = strings.TrimPrefix(name, "cmdstat_")
		if slices.Contains([]string{"ping", "info", "config|resetstat", "hello", "client|setinfo", "client|setname", "client|tracking", "auth", "select"}, name) {
			continue
		}
		calls, _, _ := strings.Cut(stats, ",")
		out = append(out, name+" ("+calls+")")
	}
	return out
}

// TestReplaceReplacesAKeyOfAnotherType: Replace deletes what was there
// first (SPEC), whatever type it was: the third exception to ErrWrongType
// (README), beside Delete and Clear.
func TestReplaceReplacesAKeyOfAnotherType(t *testing.T) {
	raw := rawClient()
	defer raw.Close()
	k := key(t)
	for name, c := range map[string]struct {
		replace func() error
		typ     string
	}{
		"List.Replace":    {func() error { return hotredis.NewList[string](k).Replace(ctx, "a", "b") }, "list"},
		"Set.Replace":     {func() error { return hotredis.NewSet[string](k).Replace(ctx, "a", "b") }, "set"},
		"Map.Replace":     {func() error { return hotredis.NewMap[string, string](k).Replace(ctx, map[string]string{"a": "b"}) }, "hash"},
		"Counter.Replace": {func() error { return hotredis.NewCounter[string](k).Replace(ctx, map[string]int64{"a": 1}) }, "hash"},
	} {
		noErr(t, raw.ZAdd(ctx, k, redis.Z{Score: 1, Member: "z"}).Err())
		if err := c.replace(); err != nil {
			t.Errorf("%s of a sorted set's key: %v", name, err)
		}
		if typ := raw.Type(ctx, k).Val(); typ != c.typ {
			t.Errorf("%s of a sorted set's key left a %s, want a %s", name, typ, c.typ)
		}
		noErr(t, raw.Del(ctx, k).Err())
	}
}

// TestDeleteAndClearRemoveAKeyOfAnotherType: Delete and Clear are the
// exception to ErrWrongType (README): they remove the key whatever it
// holds, as DEL and HOT Redis's clear do.
func TestDeleteAndClearRemoveAKeyOfAnotherType(t *testing.T) {
	raw := rawClient()
	defer raw.Close()
	k := key(t)
	for name, clear := range map[string]func() error{
		"List.Clear":    func() error { return hotredis.NewList[string](k).Clear(ctx) },
		"Set.Clear":     func() error { return hotredis.NewSet[string](k).Clear(ctx) },
		"Map.Clear":     func() error { return hotredis.NewMap[string, string](k).Clear(ctx) },
		"Counter.Clear": func() error { return hotredis.NewCounter[string](k).Clear(ctx) },
		"Int.Delete":    func() error { return hotredis.NewInt(k).Delete(ctx) },
	} {
		noErr(t, raw.ZAdd(ctx, k, redis.Z{Score: 1, Member: "z"}).Err())
		if err := clear(); err != nil {
			t.Errorf("%s of a sorted set's key: %v", name, err)
		}
		if n := must[int64](t)(raw.Exists(ctx, k).Result()); n != 0 {
			t.Errorf("%s left the sorted set", name)
		}
	}
}
