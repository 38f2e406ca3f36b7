package hotredis_test

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// TestCallsAfterCloseAreErrClosed checks, on both backends, that every
// method that takes a context returns ErrClosed once its object's client
// is closed: the blocking ones, those that check their arguments first,
// those given nothing to do (a review found those of Set, Map and the
// queues returning nil), and those of a handle that held a lock or
// permits when Close came.
func TestCallsAfterCloseAreErrClosed(t *testing.T) {
	backends := map[string]func(t *testing.T) *hotredis.Client{
		"rueidis": func(t *testing.T) *hotredis.Client {
			newClient := srv.NewClient
			if onCluster() {
				newClient = sharedCluster(t).NewClient
			}
			c, err := newClient()
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		"goredis": func(t *testing.T) *hotredis.Client {
			rdb := rawClient()
			t.Cleanup(func() { rdb.Close() })
			return hotredis.WrapGoRedis(rdb)
		},
	}
	for name, newClient := range backends {
		t.Run(name, func(t *testing.T) {
			c := newClient(t)
			calls := callsOfEveryMethod(t, c)
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			outcomes := runAll(calls, 2*time.Second)
			for i, call := range calls {
				o := outcomes[i]
				switch {
				case o.panicked != nil:
					t.Errorf("%s after Close panicked: %v", call.name, o.panicked)
				case !errors.Is(o.err, hotredis.ErrClosed):
					t.Errorf("%s after Close = %v, want ErrClosed", call.name, o.err)
				}
			}
		})
	}
}

// seqErr returns the first error seq yields.
func seqErr[V any](seq iter.Seq2[V, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// callsOfEveryMethod returns a call of every method that takes a context,
// of objects of every type bound to c, with arguments that need the
// server. Some handles take a lock or permits first, on c, so that their
// Release, Lease and Extend have something to work on.
func callsOfEveryMethod(t *testing.T, c *hotredis.Client) []call {
	t.Helper()
	on := hotredis.WithClient(c)
	k := func(name string) string { return key(t, name) }
	var calls []call
	add := func(cs ...call) { calls = append(calls, cs...) }

	list := hotredis.NewList[string](k("list"), on)
	add(
		call{"List.Len", func(ctx context.Context) error { return err1(list.Len(ctx)) }},
		call{"List.Get", func(ctx context.Context) error { return err1(list.Get(ctx, 0)) }},
		call{"List.Set", func(ctx context.Context) error { return list.Set(ctx, 0, "a") }},
		call{"List.Slice", func(ctx context.Context) error { return err1(list.Slice(ctx, 0, 2)) }},
		call{"List.Values", func(ctx context.Context) error { return err1(list.Values(ctx)) }},
		call{"List.All", func(ctx context.Context) error { return seqErr(list.All(ctx)) }},
		call{"List.Append", func(ctx context.Context) error { return err1(list.Append(ctx, "a")) }},
		call{"List.Insert", func(ctx context.Context) error { return list.Insert(ctx, 0, "a") }},
		call{"List.Pop", func(ctx context.Context) error { return err1(list.Pop(ctx)) }},
		call{"List.PopAt", func(ctx context.Context) error { return err1(list.PopAt(ctx, 0)) }},
		call{"List.Remove", func(ctx context.Context) error { return err1(list.Remove(ctx, "a")) }},
		call{"List.Index", func(ctx context.Context) error { return err1(list.Index(ctx, "a")) }},
		call{"List.Count", func(ctx context.Context) error { return err1(list.Count(ctx, "a")) }},
		call{"List.Contains", func(ctx context.Context) error { return err1(list.Contains(ctx, "a")) }},
		call{"List.Reverse", list.Reverse},
		call{"List.Sort", func(ctx context.Context) error { return list.Sort(ctx, false) }},
		call{"List.Repeat", func(ctx context.Context) error { return err1(list.Repeat(ctx, 2)) }},
		call{"List.SetSlice", func(ctx context.Context) error { return list.SetSlice(ctx, 0, 1, "a") }},
		call{"List.Clear", list.Clear},
		call{"List.Replace", func(ctx context.Context) error { return list.Replace(ctx, "a") }},
	)

	set := hotredis.NewSet[string](k("set"), on)
	other := hotredis.NewSet[string](k("other"), on)
	add(
		call{"Set.Add", func(ctx context.Context) error { return err1(set.Add(ctx, "a")) }},
		call{"Set.Remove", func(ctx context.Context) error { return err1(set.Remove(ctx, "a")) }},
		call{"Set.Add of nothing", func(ctx context.Context) error { return err1(set.Add(ctx)) }},
		call{"Set.Remove of nothing", func(ctx context.Context) error { return err1(set.Remove(ctx)) }},
		call{"Set.Contains", func(ctx context.Context) error { return err1(set.Contains(ctx, "a")) }},
		call{"Set.Len", func(ctx context.Context) error { return err1(set.Len(ctx)) }},
		call{"Set.Members", func(ctx context.Context) error { return err1(set.Members(ctx)) }},
		call{"Set.All", func(ctx context.Context) error { return seqErr(set.All(ctx)) }},
		call{"Set.Pop", func(ctx context.Context) error { return err1(set.Pop(ctx)) }},
		call{"Set.Random", func(ctx context.Context) error { return err1(set.Random(ctx)) }},
		call{"Set.Clear", set.Clear},
		call{"Set.Replace", func(ctx context.Context) error { return set.Replace(ctx, "a") }},
		call{"Set.Union", func(ctx context.Context) error { return err1(set.Union(ctx, other)) }},
		call{"Set.Intersection", func(ctx context.Context) error { return err1(set.Intersection(ctx, other)) }},
		call{"Set.Difference", func(ctx context.Context) error { return err1(set.Difference(ctx, other)) }},
		call{"Set.SymmetricDifference", func(ctx context.Context) error { return err1(set.SymmetricDifference(ctx, other)) }},
		call{"Set.UnionUpdate", func(ctx context.Context) error { return set.UnionUpdate(ctx, other) }},
		call{"Set.IntersectionUpdate", func(ctx context.Context) error { return set.IntersectionUpdate(ctx, other) }},
		call{"Set.DifferenceUpdate", func(ctx context.Context) error { return set.DifferenceUpdate(ctx, other) }},
		call{"Set.SymmetricDifferenceUpdate", func(ctx context.Context) error { return set.SymmetricDifferenceUpdate(ctx, other) }},
		call{"Set.IsSubset", func(ctx context.Context) error { return err1(set.IsSubset(ctx, other)) }},
		call{"Set.IsSuperset", func(ctx context.Context) error { return err1(set.IsSuperset(ctx, other)) }},
		call{"Set.IsDisjoint", func(ctx context.Context) error { return err1(set.IsDisjoint(ctx, other)) }},
		call{"Set.Equal", func(ctx context.Context) error { return err1(set.Equal(ctx, other)) }},
		call{"Set.UnionValues", func(ctx context.Context) error { return err1(set.UnionValues(ctx, "a")) }},
		call{"Set.IntersectionValues", func(ctx context.Context) error { return err1(set.IntersectionValues(ctx, "a")) }},
		call{"Set.DifferenceValues", func(ctx context.Context) error { return err1(set.DifferenceValues(ctx, "a")) }},
		call{"Set.SymmetricDifferenceValues", func(ctx context.Context) error { return err1(set.SymmetricDifferenceValues(ctx, "a")) }},
		call{"Set.UnionUpdateValues", func(ctx context.Context) error { return set.UnionUpdateValues(ctx, "a") }},
		call{"Set.IntersectionUpdateValues", func(ctx context.Context) error { return set.IntersectionUpdateValues(ctx, "a") }},
		call{"Set.DifferenceUpdateValues", func(ctx context.Context) error { return set.DifferenceUpdateValues(ctx, "a") }},
		call{"Set.SymmetricDifferenceUpdateValues", func(ctx context.Context) error { return set.SymmetricDifferenceUpdateValues(ctx, "a") }},
		call{"Set.IsSubsetValues", func(ctx context.Context) error { return err1(set.IsSubsetValues(ctx, "a")) }},
		call{"Set.IsSupersetValues", func(ctx context.Context) error { return err1(set.IsSupersetValues(ctx, "a")) }},
		call{"Set.IsDisjointValues", func(ctx context.Context) error { return err1(set.IsDisjointValues(ctx, "a")) }},
		call{"Set.EqualValues", func(ctx context.Context) error { return err1(set.EqualValues(ctx, "a")) }},
	)

	m := hotredis.NewMap[string, int](k("map"), on)
	add(
		call{"Map.Get", func(ctx context.Context) error { return err2(m.Get(ctx, "a")) }},
		call{"Map.Pop", func(ctx context.Context) error { return err2(m.Pop(ctx, "a")) }},
	)
	add(hashCalls("Map", m)...)
	dm := hotredis.NewDefaultMap[string, int](k("defaultmap"), nil, on)
	add(
		call{"DefaultMap.Get", func(ctx context.Context) error { return err1(dm.Get(ctx, "a")) }},
		call{"DefaultMap.Lookup", func(ctx context.Context) error { return err2(dm.Lookup(ctx, "a")) }},
		call{"DefaultMap.Pop", func(ctx context.Context) error { return err2(dm.Pop(ctx, "a")) }},
	)
	add(hashCalls("DefaultMap", dm)...)

	counter := hotredis.NewCounter[string](k("counter"), on)
	otherCounter := hotredis.NewCounter[string](k("othercounter"), on)
	counts := map[string]int64{"a": 1}
	add(
		call{"Counter.Get", func(ctx context.Context) error { return err1(counter.Get(ctx, "a")) }},
		call{"Counter.Add", func(ctx context.Context) error { return err1(counter.Add(ctx, "a", 1)) }},
		call{"Counter.Update", func(ctx context.Context) error { return counter.Update(ctx, counts) }},
		call{"Counter.UpdateElements", func(ctx context.Context) error { return counter.UpdateElements(ctx, "a") }},
		call{"Counter.Subtract", func(ctx context.Context) error { return counter.Subtract(ctx, counts) }},
		call{"Counter.SubtractElements", func(ctx context.Context) error { return counter.SubtractElements(ctx, "a") }},
		call{"Counter.IntersectionUpdate", func(ctx context.Context) error { return counter.IntersectionUpdate(ctx, otherCounter) }},
		call{"Counter.UnionUpdate", func(ctx context.Context) error { return counter.UnionUpdate(ctx, otherCounter) }},
		call{"Counter.IntersectionUpdateCounts", func(ctx context.Context) error { return counter.IntersectionUpdateCounts(ctx, counts) }},
		call{"Counter.UnionUpdateCounts", func(ctx context.Context) error { return counter.UnionUpdateCounts(ctx, counts) }},
		call{"Counter.Elements", func(ctx context.Context) error { return seqErr(counter.Elements(ctx)) }},
		call{"Counter.All", func(ctx context.Context) error { return seqErr(counter.All(ctx)) }},
		call{"Counter.MostCommon", func(ctx context.Context) error { return err1(counter.MostCommon(ctx, 3)) }},
		call{"Counter.MostCommon(ctx, -1)", func(ctx context.Context) error { return err1(counter.MostCommon(ctx, -1)) }},
		call{"Counter.Total", func(ctx context.Context) error { return err1(counter.Total(ctx)) }},
		call{"Counter.Items", func(ctx context.Context) error { return err1(counter.Items(ctx)) }},
		call{"Counter.Len", func(ctx context.Context) error { return err1(counter.Len(ctx)) }},
		call{"Counter.Remove", func(ctx context.Context) error { return err1(counter.Remove(ctx, "a")) }},
		call{"Counter.Clear", counter.Clear},
		call{"Counter.Replace", func(ctx context.Context) error { return counter.Replace(ctx, counts) }},
	)

	str := hotredis.NewString(k("string"), on)
	add(textCalls("String", str)...)
	add(
		call{"String.Set", func(ctx context.Context) error { return str.Set(ctx, "a") }},
		call{"String.Append", func(ctx context.Context) error { return err1(str.Append(ctx, "a")) }},
		call{"String.Repeat", func(ctx context.Context) error { return err1(str.Repeat(ctx, 2)) }},
		call{"String.SetSlice", func(ctx context.Context) error { return err1(str.SetSlice(ctx, 0, 1, "a")) }},
		call{"String.SetRange", func(ctx context.Context) error { return err1(str.SetRange(ctx, 0, "a")) }},
		call{"String.Update", func(ctx context.Context) error {
			return err1(str.Update(ctx, func(s string) string { return s + "a" }))
		}},
		call{"String.ToUpper", func(ctx context.Context) error { return err1(str.ToUpper(ctx)) }},
		call{"String.ToLower", func(ctx context.Context) error { return err1(str.ToLower(ctx)) }},
		call{"String.ToTitle", func(ctx context.Context) error { return err1(str.ToTitle(ctx)) }},
		call{"String.Trim", func(ctx context.Context) error { return err1(str.Trim(ctx, "a")) }},
		call{"String.TrimLeft", func(ctx context.Context) error { return err1(str.TrimLeft(ctx, "a")) }},
		call{"String.TrimRight", func(ctx context.Context) error { return err1(str.TrimRight(ctx, "a")) }},
		call{"String.TrimSpace", func(ctx context.Context) error { return err1(str.TrimSpace(ctx)) }},
		call{"String.TrimPrefix", func(ctx context.Context) error { return err1(str.TrimPrefix(ctx, "a")) }},
		call{"String.TrimSuffix", func(ctx context.Context) error { return err1(str.TrimSuffix(ctx, "a")) }},
		call{"String.Replace", func(ctx context.Context) error { return err1(str.Replace(ctx, "a", "b", 1)) }},
		call{"String.ReplaceAll", func(ctx context.Context) error { return err1(str.ReplaceAll(ctx, "a", "b")) }},
	)
	istr := hotredis.NewImmutableString(k("istring"), on)
	add(textCalls("ImmutableString", istr)...)
	add(
		call{"ImmutableString.Concat", func(ctx context.Context) error { return err1(istr.Concat(ctx, "a")) }},
		call{"ImmutableString.Repeat", func(ctx context.Context) error { return err1(istr.Repeat(ctx, 2)) }},
	)

	i := hotredis.NewInt(k("int"), on)
	add(
		call{"Int.Load", func(ctx context.Context) error { return err1(i.Load(ctx)) }},
		call{"Int.Store", func(ctx context.Context) error { return i.Store(ctx, 1) }},
		call{"Int.Add", func(ctx context.Context) error { return err1(i.Add(ctx, 1)) }},
		call{"Int.Sub", func(ctx context.Context) error { return err1(i.Sub(ctx, 1)) }},
		call{"Int.Swap", func(ctx context.Context) error { return err1(i.Swap(ctx, 1)) }},
		call{"Int.CompareAndSwap", func(ctx context.Context) error { return err1(i.CompareAndSwap(ctx, 0, 1)) }},
		call{"Int.Mul", func(ctx context.Context) error { return err1(i.Mul(ctx, 2)) }},
		call{"Int.Div", func(ctx context.Context) error { return err1(i.Div(ctx, 2)) }},
		call{"Int.Mod", func(ctx context.Context) error { return err1(i.Mod(ctx, 2)) }},
		call{"Int.Pow", func(ctx context.Context) error { return err1(i.Pow(ctx, 2)) }},
		call{"Int.And", func(ctx context.Context) error { return err1(i.And(ctx, 2)) }},
		call{"Int.Or", func(ctx context.Context) error { return err1(i.Or(ctx, 2)) }},
		call{"Int.Xor", func(ctx context.Context) error { return err1(i.Xor(ctx, 2)) }},
		call{"Int.AndNot", func(ctx context.Context) error { return err1(i.AndNot(ctx, 2)) }},
		call{"Int.Shl", func(ctx context.Context) error { return err1(i.Shl(ctx, 2)) }},
		call{"Int.Shr", func(ctx context.Context) error { return err1(i.Shr(ctx, 2)) }},
	)
	f := hotredis.NewFloat(k("float"), on)
	fi := hotredis.NewFloat(k("floatincr"), on, hotredis.WithIncrByFloat())
	add(
		call{"Float.Load", func(ctx context.Context) error { return err1(f.Load(ctx)) }},
		call{"Float.Store", func(ctx context.Context) error { return f.Store(ctx, 1) }},
		call{"Float.Add", func(ctx context.Context) error { return err1(f.Add(ctx, 1)) }},
		call{"Float.Sub", func(ctx context.Context) error { return err1(f.Sub(ctx, 1)) }},
		call{"Float.Mul", func(ctx context.Context) error { return err1(f.Mul(ctx, 2)) }},
		call{"Float.Div", func(ctx context.Context) error { return err1(f.Div(ctx, 2)) }},
		call{"Float.Pow", func(ctx context.Context) error { return err1(f.Pow(ctx, 2)) }},
		call{"Float.Swap", func(ctx context.Context) error { return err1(f.Swap(ctx, 1)) }},
		call{"Float.CompareAndSwap", func(ctx context.Context) error { return err1(f.CompareAndSwap(ctx, 0, 1)) }},
		call{"Float(WithIncrByFloat).Add", func(ctx context.Context) error { return err1(fi.Add(ctx, 1)) }},
		call{"Float(WithIncrByFloat).Sub", func(ctx context.Context) error { return err1(fi.Sub(ctx, 1)) }},
	)

	q := hotredis.NewQueue[string](k("queue"), on)
	bounded := hotredis.NewQueue[string](k("bounded"), on, hotredis.WithMaxSize(1))
	lq := hotredis.NewLifoQueue[string](k("lifoqueue"), on)
	sq := hotredis.NewSetQueue[string](k("setqueue"), on)
	lsq := hotredis.NewLifoSetQueue[string](k("lifosetqueue"), on)
	for name, q := range map[string]plainQueueMethods{"Queue": q, "Queue(WithMaxSize(1))": bounded, "LifoQueue": lq} {
		add(queueCalls(name, q)...)
		add(
			call{name + ".Put", func(ctx context.Context) error { return q.Put(ctx, "a") }},
			call{name + ".TryPut", func(ctx context.Context) error { return q.TryPut(ctx, "a") }},
			call{name + ".PutMany", func(ctx context.Context) error { return q.PutMany(ctx, "a", "b") }},
			call{name + ".PutMany of nothing", func(ctx context.Context) error { return q.PutMany(ctx) }},
		)
	}
	for name, q := range map[string]setQueueMethods{"SetQueue": sq, "LifoSetQueue": lsq} {
		add(queueCalls(name, q)...)
		add(
			call{name + ".Put", func(ctx context.Context) error { return err1(q.Put(ctx, "a")) }},
			call{name + ".TryPut", func(ctx context.Context) error { return err1(q.TryPut(ctx, "a")) }},
			call{name + ".PutMany", func(ctx context.Context) error { return err1(q.PutMany(ctx, "a", "b")) }},
			call{name + ".PutMany of nothing", func(ctx context.Context) error { return err1(q.PutMany(ctx)) }},
			call{name + ".Contains", func(ctx context.Context) error { return err1(q.Contains(ctx, "a")) }},
		)
	}

	for name, newLock := range map[string]func(...hotredis.Option) lockMethods{
		"Lock":  func(opts ...hotredis.Option) lockMethods { return hotredis.NewLock(k("lock"), opts...) },
		"RLock": func(opts ...hotredis.Option) lockMethods { return hotredis.NewRLock(k("rlock"), opts...) },
	} {
		free, held := newLock(on), newLock(on)
		if err := held.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		add(objectCalls(name, free)...)
		add(
			call{name + ".Acquire", free.Acquire},
			call{name + ".TryAcquire", func(ctx context.Context) error { return err1(free.TryAcquire(ctx)) }},
			call{name + ".Release", free.Release},
			call{name + ".Locked", func(ctx context.Context) error { return err1(free.Locked(ctx)) }},
			call{name + ".Lease", func(ctx context.Context) error { return err1(free.Lease(ctx)) }},
			call{name + ".Extend", func(ctx context.Context) error { return free.Extend(ctx, time.Second) }},
			call{name + ".Release (held)", held.Release},
			call{name + ".Lease (held)", func(ctx context.Context) error { return err1(held.Lease(ctx)) }},
			call{name + ".Extend (held)", func(ctx context.Context) error { return held.Extend(ctx, time.Second) }},
			call{name + ".Acquire (held)", held.Acquire},
		)
	}
	for name, s := range map[string][2]semaphore{
		"Semaphore":        {hotredis.NewSemaphore(k("sem"), 2, on), hotredis.NewSemaphore(k("sem"), 2, on)},
		"BoundedSemaphore": {hotredis.NewBoundedSemaphore(k("bsem"), 2, on), hotredis.NewBoundedSemaphore(k("bsem"), 2, on)},
	} {
		free, held := s[0], s[1]
		if err := held.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		add(semaphoreCalls(name, free)...)
		add(
			call{name + ".Release (held)", held.Release},
			call{name + ".ReleaseN (held)", func(ctx context.Context) error { return held.ReleaseN(ctx, 1) }},
		)
	}

	rw, rwHeld := hotredis.NewRWLock(k("rw"), on), hotredis.NewRWLock(k("rw"), on)
	if err := rwHeld.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	add(objectCalls("RWLock", rw)...)
	add(
		call{"RWLock.Acquire", rw.Acquire},
		call{"RWLock.TryAcquire", func(ctx context.Context) error { return err1(rw.TryAcquire(ctx)) }},
		call{"RWLock.Release", rw.Release},
		call{"RWLock.AcquireRead", rw.AcquireRead},
		call{"RWLock.TryAcquireRead", func(ctx context.Context) error { return err1(rw.TryAcquireRead(ctx)) }},
		call{"RWLock.ReleaseRead", rw.ReleaseRead},
		call{"RWLock.Release (held)", rwHeld.Release},
	)
	wg := hotredis.NewWaitGroup(k("wg"), on)
	add(objectCalls("WaitGroup", wg)...)
	add(
		call{"WaitGroup.Add", func(ctx context.Context) error { return wg.Add(ctx, 1) }},
		call{"WaitGroup.Done", wg.Done},
		call{"WaitGroup.Wait", wg.Wait},
		call{"WaitGroup.Count", func(ctx context.Context) error { return err1(wg.Count(ctx)) }},
		call{"WaitGroup.Go", func(ctx context.Context) error {
			return wg.Go(ctx, func(context.Context) error { return nil })
		}},
	)
	once := hotredis.NewOnce(k("once"), on)
	add(objectCalls("Once", once)...)
	add(
		call{"Once.Do", func(ctx context.Context) error {
			return once.Do(ctx, func(context.Context) error { return nil })
		}},
		call{"Once.Done", func(ctx context.Context) error { return err1(once.Done(ctx)) }},
		call{"Once.Reset", once.Reset},
	)
	ev := hotredis.NewEvent(k("event"), on)
	add(objectCalls("Event", ev)...)
	add(
		call{"Event.Set", ev.Set},
		call{"Event.Clear", ev.Clear},
		call{"Event.IsSet", func(ctx context.Context) error { return err1(ev.IsSet(ctx)) }},
		call{"Event.Wait", ev.Wait},
	)
	bar := hotredis.NewBarrier(k("barrier"), 2, on)
	add(objectCalls("Barrier", bar)...)
	add(
		call{"Barrier.Wait", func(ctx context.Context) error { return err1(bar.Wait(ctx)) }},
		call{"Barrier.Abort", bar.Abort},
		call{"Barrier.Reset", bar.Reset},
		call{"Barrier.Waiting", func(ctx context.Context) error { return err1(bar.Waiting(ctx)) }},
	)
	lim := hotredis.NewLimiter(k("limiter"), 1, 1, on)
	add(objectCalls("Limiter", lim)...)
	add(
		call{"Limiter.Allow", func(ctx context.Context) error { return err1(lim.Allow(ctx)) }},
		call{"Limiter.AllowN", func(ctx context.Context) error { return err1(lim.AllowN(ctx, 1)) }},
		call{"Limiter.Wait", lim.Wait},
		call{"Limiter.WaitN", func(ctx context.Context) error { return lim.WaitN(ctx, 1) }},
	)

	add(
		call{"Client.Ping", c.Ping},
		call{"Client.Transaction", func(ctx context.Context) error {
			return c.Transaction(ctx, func(tctx context.Context) error {
				_, err := list.Append(tctx, "a")
				return err
			})
		}},
		call{"Client.Transaction (writes' results unchecked)", func(ctx context.Context) error {
			return c.Transaction(ctx, func(tctx context.Context) error {
				list.Append(tctx, "a")
				set.Add(tctx, "a")
				return nil
			})
		}},
		call{"Client.Optimistic", func(ctx context.Context) error {
			return c.Optimistic(ctx, func(tctx context.Context) error {
				n, err := list.Len(tctx)
				if err != nil {
					return err
				}
				_, err = list.Append(tctx, string(rune('a'+n)))
				return err
			}, list)
		}},
		call{"Client.Optimistic (nothing to watch)", func(ctx context.Context) error {
			return c.Optimistic(ctx, func(tctx context.Context) error {
				_, err := list.Len(tctx)
				return err
			})
		}},
	)
	return calls
}

// objectCalls calls the methods every object has.
func objectCalls(name string, o anyObject) []call {
	return []call{
		{name + ".Delete", o.Delete},
		{name + ".Exists", func(ctx context.Context) error { return err1(o.Exists(ctx)) }},
		{name + ".Expire", func(ctx context.Context) error { return err1(o.Expire(ctx, time.Second)) }},
		{name + ".Persist", func(ctx context.Context) error { return err1(o.Persist(ctx)) }},
		{name + ".TTL", func(ctx context.Context) error { return err1(o.TTL(ctx)) }},
	}
}

// hashMethods are the methods Map and DefaultMap share, but for Get and
// Pop.
type hashMethods interface {
	anyObject
	Set(context.Context, string, int) error
	SetMany(context.Context, map[string]int) error
	SetDefault(context.Context, string, int) (int, error)
	Remove(context.Context, ...string) (int, error)
	PopItem(context.Context) (string, int, error)
	Has(context.Context, string) (bool, error)
	Len(context.Context) (int, error)
	Keys(context.Context) ([]string, error)
	Values(context.Context) ([]int, error)
	Items(context.Context) (map[string]int, error)
	All(context.Context) iter.Seq2[hotredis.Pair[string, int], error]
	Clear(context.Context) error
	Replace(context.Context, map[string]int) error
	Incr(context.Context, string, int64) (int64, error)
	IncrFloat(context.Context, string, float64) (float64, error)
}

func hashCalls(name string, m hashMethods) []call {
	return append(objectCalls(name, m),
		call{name + ".Set", func(ctx context.Context) error { return m.Set(ctx, "a", 1) }},
		call{name + ".SetMany", func(ctx context.Context) error { return m.SetMany(ctx, map[string]int{"a": 1}) }},
		call{name + ".SetDefault", func(ctx context.Context) error { return err1(m.SetDefault(ctx, "a", 1)) }},
		call{name + ".Remove", func(ctx context.Context) error { return err1(m.Remove(ctx, "a")) }},
		call{name + ".SetMany of nothing", func(ctx context.Context) error { return m.SetMany(ctx, nil) }},
		call{name + ".Remove of nothing", func(ctx context.Context) error { return err1(m.Remove(ctx)) }},
		call{name + ".PopItem", func(ctx context.Context) error { _, _, err := m.PopItem(ctx); return err }},
		call{name + ".Has", func(ctx context.Context) error { return err1(m.Has(ctx, "a")) }},
		call{name + ".Len", func(ctx context.Context) error { return err1(m.Len(ctx)) }},
		call{name + ".Keys", func(ctx context.Context) error { return err1(m.Keys(ctx)) }},
		call{name + ".Values", func(ctx context.Context) error { return err1(m.Values(ctx)) }},
		call{name + ".Items", func(ctx context.Context) error { return err1(m.Items(ctx)) }},
		call{name + ".All", func(ctx context.Context) error { return seqErr(m.All(ctx)) }},
		call{name + ".Clear", m.Clear},
		call{name + ".Replace", func(ctx context.Context) error { return m.Replace(ctx, map[string]int{"a": 1}) }},
		call{name + ".Incr", func(ctx context.Context) error { return err1(m.Incr(ctx, "a", 1)) }},
		call{name + ".IncrFloat", func(ctx context.Context) error { return err1(m.IncrFloat(ctx, "a", 1)) }},
	)
}

// textMethods is what String and ImmutableString share.
type textMethods interface {
	anyObject
	Get(context.Context) (string, error)
	Len(context.Context) (int, error)
	Slice(context.Context, int, int) (string, error)
	Index(context.Context, string) (int, error)
	Contains(context.Context, string) (bool, error)
	HasPrefix(context.Context, string) (bool, error)
	HasSuffix(context.Context, string) (bool, error)
}

func textCalls(name string, s textMethods) []call {
	return append(objectCalls(name, s),
		call{name + ".Get", func(ctx context.Context) error { return err1(s.Get(ctx)) }},
		call{name + ".Len", func(ctx context.Context) error { return err1(s.Len(ctx)) }},
		call{name + ".Slice", func(ctx context.Context) error { return err1(s.Slice(ctx, 0, 2)) }},
		call{name + ".Slice(ctx, -2, -1)", func(ctx context.Context) error { return err1(s.Slice(ctx, -2, -1)) }},
		call{name + ".Index", func(ctx context.Context) error { return err1(s.Index(ctx, "a")) }},
		call{name + ".Contains", func(ctx context.Context) error { return err1(s.Contains(ctx, "a")) }},
		call{name + ".HasPrefix", func(ctx context.Context) error { return err1(s.HasPrefix(ctx, "a")) }},
		call{name + ".HasSuffix", func(ctx context.Context) error { return err1(s.HasSuffix(ctx, "a")) }},
	)
}

// queueMethods is what every queue kind has but its puts.
type queueMethods interface {
	anyObject
	Get(context.Context) (string, error)
	TryGet(context.Context) (string, error)
	GetMany(context.Context, int) ([]string, error)
	Len(context.Context) (int, error)
	Empty(context.Context) (bool, error)
	Full(context.Context) (bool, error)
	TaskDone(context.Context) error
	Join(context.Context) error
	Unfinished(context.Context) (int, error)
	Reserve(context.Context, time.Duration) (string, hotredis.Receipt, error)
	TryReserve(context.Context, time.Duration) (string, hotredis.Receipt, error)
	Ack(context.Context, hotredis.Receipt) error
}

type plainQueueMethods interface {
	queueMethods
	Put(context.Context, string) error
	TryPut(context.Context, string) error
	PutMany(context.Context, ...string) error
}

type setQueueMethods interface {
	queueMethods
	Put(context.Context, string) (bool, error)
	TryPut(context.Context, string) (bool, error)
	PutMany(context.Context, ...string) (int, error)
	Contains(context.Context, string) (bool, error)
}

func queueCalls(name string, q queueMethods) []call {
	return append(objectCalls(name, q),
		call{name + ".Get", func(ctx context.Context) error { return err1(q.Get(ctx)) }},
		call{name + ".TryGet", func(ctx context.Context) error { return err1(q.TryGet(ctx)) }},
		call{name + ".GetMany", func(ctx context.Context) error { return err1(q.GetMany(ctx, 2)) }},
		call{name + ".Len", func(ctx context.Context) error { return err1(q.Len(ctx)) }},
		call{name + ".Empty", func(ctx context.Context) error { return err1(q.Empty(ctx)) }},
		call{name + ".Full", func(ctx context.Context) error { return err1(q.Full(ctx)) }},
		call{name + ".TaskDone", q.TaskDone},
		call{name + ".Join", q.Join},
		call{name + ".Unfinished", func(ctx context.Context) error { return err1(q.Unfinished(ctx)) }},
		call{name + ".Reserve", func(ctx context.Context) error { return err2(q.Reserve(ctx, time.Second)) }},
		call{name + ".TryReserve", func(ctx context.Context) error { return err2(q.TryReserve(ctx, time.Second)) }},
		call{name + ".Ack", func(ctx context.Context) error { return q.Ack(ctx, "receipt") }},
	)
}

// lockMethods is what Lock and RLock have.
type lockMethods interface {
	anyObject
	Acquire(context.Context) error
	TryAcquire(context.Context) (bool, error)
	Release(context.Context) error
	Locked(context.Context) (bool, error)
	Lease(context.Context) (time.Duration, error)
	Extend(context.Context, time.Duration) error
}
