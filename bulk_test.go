package hotredis_test

// Tests of bulk writes (bulk.go): a Set's or Map's many members or fields
// at once are applied in bounded steps to a copy that replaces the value,
// checked against Go models, from a second program while they run (served
// meanwhile, sees the old or the new value only), and at the edges:
// expiry, wrong type, transactions, a writer meanwhile.

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// bulkN is more items than one command of a bulk write carries.
const bulkN = 3 * 10_000

func TestSetBulkWritesMatchModel(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	model := intSet(ints(0, bulkN, 2)) // the evens
	noErr(t, s.Replace(ctx, ints(0, bulkN, 2)...))
	if _, err := s.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	before := hotredis.RebuildTries()

	// Add every number below 1.5 bulkN (the odds are new) and some twice.
	add := append(ints(0, bulkN*3/2, 1), 1, 3, 5)
	wantAdded := 0
	for _, v := range add {
		if !model[v] {
			model[v] = true
			wantAdded++
		}
	}
	if n := must[int](t)(s.Add(ctx, add...)); n != wantAdded {
		t.Fatalf("Add of %d values returned %d, want %d", len(add), n, wantAdded)
	}
	if d, want := digestOf(t, s.Key()), setDigest(model); d != want {
		t.Fatalf("after Add: %+v, want %+v", d, want)
	}

	// Remove the multiples of 3, some of them missing.
	rem := ints(0, bulkN*2, 3)
	wantRemoved := 0
	for _, v := range rem {
		if model[v] {
			delete(model, v)
			wantRemoved++
		}
	}
	if n := must[int](t)(s.Remove(ctx, rem...)); n != wantRemoved {
		t.Fatalf("Remove of %d values returned %d, want %d", len(rem), n, wantRemoved)
	}
	if d, want := digestOf(t, s.Key()), setDigest(model); d != want {
		t.Fatalf("after Remove: %+v, want %+v", d, want)
	}
	if tries := hotredis.RebuildTries() - before; tries < 2 {
		t.Fatalf("%d rebuilds for a bulk Add and Remove, want one each", tries)
	}
	if ttl := must[time.Duration](t)(s.TTL(ctx)); ttl <= time.Hour-time.Minute || ttl > time.Hour {
		t.Fatalf("TTL after bulk writes = %v, want the hour it had", ttl)
	}

	// Replace: a new value without the expiry.
	repl := ints(-bulkN, 0, 1)
	noErr(t, s.Replace(ctx, repl...))
	if d, want := digestOf(t, s.Key()), setDigest(intSet(repl)); d != want {
		t.Fatalf("after Replace: %+v, want %+v", d, want)
	}
	if ttl := must[time.Duration](t)(s.TTL(ctx)); ttl >= 0 {
		t.Fatalf("TTL after Replace = %v, want none", ttl)
	}
	noScratch(t, s.Key())
}

func TestMapBulkWritesMatchModel(t *testing.T) {
	m := hotredis.NewMap[int, int64](key(t))
	defer m.Delete(ctx)
	model := map[int]int64{}
	for i := range bulkN / 10 {
		model[i] = 1
	}
	noErr(t, m.Replace(ctx, model))
	if _, err := m.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}

	upd := make(map[int]int64, bulkN)
	for i := range bulkN {
		upd[i*2] = int64(i) - 7
	}
	noErr(t, m.SetMany(ctx, upd))
	maps.Copy(model, upd)
	if d, want := digestOf(t, m.Key()), counterDigest(model); d != want {
		t.Fatalf("after SetMany: %+v, want %+v", d, want)
	}

	var del []int
	wantRemoved := 0
	for i := 0; i < bulkN*3; i += 3 {
		del = append(del, i)
		if _, ok := model[i]; ok {
			delete(model, i)
			wantRemoved++
		}
	}
	if n := must[int](t)(m.Remove(ctx, del...)); n != wantRemoved {
		t.Fatalf("Remove of %d keys returned %d, want %d", len(del), n, wantRemoved)
	}
	if d, want := digestOf(t, m.Key()), counterDigest(model); d != want {
		t.Fatalf("after Remove: %+v, want %+v", d, want)
	}
	if ttl := must[time.Duration](t)(m.TTL(ctx)); ttl <= time.Hour-time.Minute || ttl > time.Hour {
		t.Fatalf("TTL after bulk writes = %v, want the hour it had", ttl)
	}

	c := hotredis.NewCounter[int](m.Key()) // the same hash, as a Counter
	repl := map[int]int64{}
	for i := range bulkN {
		repl[-i] = int64(i % 5)
	}
	noErr(t, c.Replace(ctx, repl))
	if d, want := digestOf(t, m.Key()), counterDigest(repl); d != want {
		t.Fatalf("after Counter.Replace: %+v, want %+v", d, want)
	}
	if n := must[int](t)(c.Remove(ctx, ints(-bulkN+1, 1, 1)...)); n != bulkN {
		t.Fatalf("Counter.Remove of every element returned %d, want %d", n, bulkN)
	}
	if ok := must[bool](t)(m.Exists(ctx)); ok {
		t.Fatal("removing every field left the key")
	}
	noScratch(t, m.Key())
}

// TestBulkWritesSeenFromOutside has a second program look at the value
// while bulk writes run: it is served meanwhile and sees the old value or
// the new one, never a part.
func TestBulkWritesSeenFromOutside(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "set"))
	m := hotredis.NewMap[int, int](key(t, "map"))
	defer s.Delete(ctx)
	defer m.Delete(ctx)
	noErr(t, s.Replace(ctx, ints(0, rebuildN, 2)...))
	evens := make(map[int]int, rebuildN/2)
	for i := 0; i < rebuildN; i += 2 {
		evens[i] = 1
	}
	noErr(t, m.Replace(ctx, evens))
	twos := make(map[int]int, rebuildN)
	for i := range rebuildN {
		twos[i] = 2
	}
	// Probes: an odd and even number at each end and in the middle.
	probes := []string{"1", "4", "49999", "50000", "99999", "99996"}
	for _, tc := range []struct {
		name, typ     string
		key           string
		apply         func() error
		oldSize, size int64
		oldP, newP    string
	}{
		{"Set.Add", "set", s.Key(), func() error { _, err := s.Add(ctx, ints(1, rebuildN, 2)...); return err },
			rebuildN / 2, rebuildN, "[0 1 0 1 0 1]", "[1 1 1 1 1 1]"},
		{"Set.Remove", "set", s.Key(), func() error { _, err := s.Remove(ctx, ints(0, rebuildN, 2)...); return err },
			rebuildN, rebuildN / 2, "[1 1 1 1 1 1]", "[1 0 1 0 1 0]"},
		{"Set.Replace", "set", s.Key(), func() error { return s.Replace(ctx, ints(0, rebuildN, 2)...) },
			rebuildN / 2, rebuildN / 2, "[1 0 1 0 1 0]", "[0 1 0 1 0 1]"},
		{"Map.SetMany", "hash", m.Key(), func() error { return m.SetMany(ctx, twos) },
			rebuildN / 2, rebuildN, "[<nil> 1 <nil> 1 <nil> 1]", "[2 2 2 2 2 2]"},
		{"Map.Remove", "hash", m.Key(), func() error { _, err := m.Remove(ctx, ints(1, rebuildN, 2)...); return err },
			rebuildN, rebuildN / 2, "[2 2 2 2 2 2]", "[<nil> 2 <nil> 2 <nil> 2]"},
		{"Map.Replace", "hash", m.Key(), func() error { return m.Replace(ctx, evens) },
			rebuildN / 2, rebuildN / 2, "[<nil> 2 <nil> 2 <nil> 2]", "[<nil> 1 <nil> 1 <nil> 1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			observeApply(t, tc.key, tc.typ, probes, tc.apply, tc.oldSize, tc.size, tc.oldP, tc.newP)
		})
	}
}

// TestBulkWriteConcurrentWriter has another program add a member while a
// bulk Add is being applied: the rebuild starts over and both are kept.
func TestBulkWriteConcurrentWriter(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	noErr(t, s.Replace(ctx, 1, 2, 3))
	obs := observe(t, s.Key(), "set")
	w := obs.writeDuring(s.Key(), "SADD", "-1")
	vals := ints(10, 10+rebuildN, 1)
	if n := must[int](t)(s.Add(ctx, vals...)); n != len(vals) {
		t.Fatalf("Add returned %d, want %d", n, len(vals))
	}
	var wr writeResult
	select {
	case wr = <-w:
	case <-time.After(10 * time.Second):
		t.Fatal("no rebuild was seen")
	}
	checkRetried(t, wr, obs.finish())
	want := intSet(append(vals, -1, 1, 2, 3))
	if d := digestOf(t, s.Key()); d != setDigest(want) {
		t.Fatalf("after Add with a concurrent SADD: %+v, want %+v", d, setDigest(want))
	}
	noScratch(t, s.Key())
}

func TestBulkWriteEdges(t *testing.T) {
	vals := ints(0, bulkN, 1)
	str := key(t, "string")
	rawClient().Set(ctx, str, "text", 0)
	defer rawClient().Del(ctx, str)
	s := hotredis.NewSet[int](str)
	m := hotredis.NewMap[int, int](str)
	entries := make(map[int]int, bulkN)
	for _, v := range vals {
		entries[v] = v
	}
	for name, err := range map[string]error{
		"Set.Add":     second(s.Add(ctx, vals...)),
		"Set.Remove":  second(s.Remove(ctx, vals...)),
		"Map.SetMany": m.SetMany(ctx, entries),
		"Map.Remove":  second(m.Remove(ctx, vals...)),
	} {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a string key: %v, want ErrWrongType", name, err)
		}
	}
	if v := rawClient().Get(ctx, str).Val(); v != "text" {
		t.Fatalf("the string key holds %q after the refused writes", v)
	}
	noScratch(t, str)

	// In a transaction: one MULTI/EXEC, applied at the commit.
	set := hotredis.NewSet[int](key(t, "tx"))
	defer set.Delete(ctx)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := set.Add(ctx, vals...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := digestOf(t, set.Key()); d != setDigest(intSet(vals)) {
		t.Fatalf("after a bulk Add in a transaction: %+v, want %+v", d, setDigest(intSet(vals)))
	}

	// An empty Replace deletes the key.
	if err := set.Replace(ctx); err != nil {
		t.Fatal(err)
	}
	if ok := must[bool](t)(set.Exists(ctx)); ok {
		t.Fatal("Replace with nothing left the key")
	}
}
