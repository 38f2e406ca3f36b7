package hotredis_test

// Read steps bounded in bytes (whole.go's span): a reply holds Redis about
// 0.8 ms a MiB whatever its entries, so the whole reads, the iterators and
// a list's searches ask for at most a few MiB a command once a handle has
// seen its entries' size, and for at most 1,024 entries before. Checked
// on the server: SLOWLOG, logging every command, names each read and its
// arguments, from which the entries it may return follow.

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

const (
	bigEntries   = 1_500
	bigEntrySize = 16 << 10
	// stepEntries is the most entries of bigEntrySize one step may read
	// (4 MiB, see span), and firstEntries the most a handle's first read
	// asks for in one command, before it knows their size.
	stepEntries  = 4 << 20 / bigEntrySize
	firstEntries = 1_025
)

// bigEntry is the i-th entry of bigEntrySize bytes.
func bigEntry(i int) string {
	s := strconv.Itoa(i) + ":"
	return s + strings.Repeat("x", bigEntrySize-len(s))
}

func TestReadStepsAreBoundedInBytes(t *testing.T) {
	defer hotredis.SetScanSteps(100, 100)() // so that Index and Count have a middle
	k := key(t)
	lk, sk, hk := k+":list", k+":set", k+":hash"
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, lk, sk, hk)
	var model []string
	hash := map[string]string{}
	for i := range bigEntries {
		model = append(model, bigEntry(i))
		hash["f"+strconv.Itoa(i)] = bigEntry(i)
	}
	for part := range slices.Chunk(model, 100) {
		noErr(t, raw.RPush(ctx, lk, anys(part)...).Err())
		noErr(t, raw.SAdd(ctx, sk, anys(part)...).Err())
	}
	hsetAll(t, raw, hk, hash)
	log := slowlogAll(t, nodeFor(t, raw, k))

	l := hotredis.NewList[string](lk)
	s := hotredis.NewSet[string](sk)
	m := hotredis.NewMap[string, string](hk)
	reads := func(t *testing.T) {
		if got := must[[]string](t)(l.Values(ctx)); !slices.Equal(got, model) {
			t.Fatalf("List.Values: %d elements, not the %d written", len(got), len(model))
		}
		if got := must[[]string](t)(l.Slice(ctx, 100, -100)); !slices.Equal(got, model[100:len(model)-100]) {
			t.Fatalf("List.Slice(100, -100): %d elements, not the model's", len(got))
		}
		if got := must[int](t)(l.Index(ctx, bigEntry(bigEntries-150))); got != bigEntries-150 {
			t.Fatalf("List.Index = %d, want %d", got, bigEntries-150)
		}
		if got := must[int](t)(l.Count(ctx, bigEntry(700))); got != 1 {
			t.Fatalf("List.Count = %d, want 1", got)
		}
		if got := must[[]string](t)(s.Members(ctx)); !slices.Equal(sorted(got), sorted(slices.Clone(model))) {
			t.Fatalf("Set.Members: %d members, not the %d written", len(got), len(model))
		}
		if got := must[map[string]string](t)(m.Items(ctx)); !maps.Equal(got, hash) {
			t.Fatalf("Map.Items: %d entries, not the %d written", len(got), len(hash))
		}
		if got := must[[]string](t)(m.Values(ctx)); len(got) != len(hash) {
			t.Fatalf("Map.Values: %d values, want %d", len(got), len(hash))
		}
		var n int
		for v, err := range l.All(ctx) {
			noErr(t, err)
			if v != model[n] {
				t.Fatalf("List.All: element %d differs", n)
			}
			n++
		}
		seen := map[string]bool{}
		for v, err := range s.All(ctx) {
			noErr(t, err)
			seen[v] = true
		}
		for p, err := range m.All(ctx) {
			noErr(t, err)
			if hash[p.Key] != p.Value {
				t.Fatalf("Map.All: entry %s differs", p.Key)
			}
		}
		if n != len(model) || len(seen) != len(model) {
			t.Fatalf("List.All saw %d elements, Set.All %d members; want %d", n, len(seen), len(model))
		}
	}
	// A fresh handle knows nothing of its entries: at most firstEntries
	// a command. Then it knows: at most a step's bytes.
	for _, phase := range []struct {
		name string
		most int
	}{{"first reads", firstEntries}, {"later reads", stepEntries + 1}} {
		t.Run(phase.name, func(t *testing.T) {
			log.reset(t)
			reads(t)
			log.readsAtMost(t, bigEntries, bigEntrySize, phase.most, lk, sk, hk)
		})
	}
}

// hsetAll writes hash at k, 100 fields a command.
func hsetAll(t *testing.T, raw redis.UniversalClient, k string, hash map[string]string) {
	t.Helper()
	for part := range slices.Chunk(slices.Sorted(maps.Keys(hash)), 100) {
		var fv []any
		for _, f := range part {
			fv = append(fv, f, hash[f])
		}
		noErr(t, raw.HSet(ctx, k, fv...).Err())
	}
}

// readsAtMost fails t if a logged command on the keys ks, of n entries of
// size bytes each, may read more than most of them, or if none read any.
func (s slowlog) readsAtMost(t *testing.T, n, size, most int, ks ...string) {
	t.Helper()
	var checked int
	for _, c := range s.commands(t, ks...) {
		got := entriesRead(c, n)
		if got > most {
			t.Errorf("%q may read %d entries of %d bytes (at most %d)", c, got, size, most)
		}
		if got > 0 {
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("SLOWLOG shows no read of the keys")
	}
}

// entriesRead returns how many entries the command c (as SLOWLOG names
// it) may return or, in a script, read, from a value of n entries.
func entriesRead(c []string, n int) int {
	arg := func(i int) int {
		if i >= len(c) {
			return 0
		}
		v, _ := strconv.Atoi(c[i])
		return v
	}
	index := func(i int) int {
		if v := arg(i); v < 0 {
			return max(0, n+v)
		}
		return min(arg(i), n-1)
	}
	switch strings.ToUpper(c[0]) {
	case "LRANGE":
		return max(0, index(3)-index(2)+1)
	case "SMEMBERS", "HGETALL", "HKEYS", "HVALS":
		return n
	case "SRANDMEMBER":
		return arg(2)
	case "SSCAN", "HSCAN":
		return arg(4) // COUNT n
	case "EVALSHA", "EVALSHA_RO", "EVAL", "EVAL_RO": // list_scan: op, then its bounds (see list_scan.lua)
		switch c[4] {
		case "slice":
			return arg(7)
		case "count", "index":
			return max(0, arg(7)-arg(6)+1)
		}
	}
	return 0
}

// slowlog is SLOWLOG on the server of a test's keys, logging every
// command for the test's length.
type slowlog struct{ node *redis.Client }

// nodeFor returns a client of the server (a Cluster's master) holding k,
// from raw.
func nodeFor(t *testing.T, raw redis.UniversalClient, k string) *redis.Client {
	t.Helper()
	switch c := raw.(type) {
	case *redis.ClusterClient:
		return must[*redis.Client](t)(c.MasterForKey(ctx, k))
	case *redis.Client:
		return c
	default:
		t.Fatalf("a raw client of type %T", c)
	}
	return nil
}

// slowlogAll makes node log every command in its SLOWLOG until t ends.
func slowlogAll(t *testing.T, node *redis.Client) slowlog {
	t.Helper()
	old := must[map[string]string](t)(node.ConfigGet(ctx, "slowlog-*").Result())
	noErr(t, node.ConfigSet(ctx, "slowlog-max-len", "1000000").Err())
	noErr(t, node.ConfigSet(ctx, "slowlog-log-slower-than", "0").Err())
	t.Cleanup(func() {
		for name, v := range old {
			node.ConfigSet(ctx, name, v)
		}
		node.SlowLogReset(ctx)
	})
	return slowlog{node}
}

func (s slowlog) reset(t *testing.T) { noErr(t, s.node.SlowLogReset(ctx).Err()) }

// commands returns the logged commands naming any of the keys ks, oldest
// first.
func (s slowlog) commands(t *testing.T, ks ...string) [][]string {
	t.Helper()
	logs := must[[]redis.SlowLog](t)(s.node.SlowLogGet(ctx, -1).Result())
	var out [][]string
	for _, e := range slices.Backward(logs) {
		if slices.ContainsFunc(e.Args, func(a string) bool { return slices.Contains(ks, a) }) {
			out = append(out, e.Args)
		}
	}
	return out
}

// TestListScriptsOfManyBytesGoInSteps checks that the list changes made by
// one script when the list is short (Reverse, Sort, Repeat, SetSlice) go
// in bounded steps when its elements hold more than a few MiB, and still
// as one script when the same count of elements is short.
func TestListScriptsOfManyBytesGoInSteps(t *testing.T) {
	const n = 300 // 4.7 MiB of bigEntry
	for _, long := range []bool{true, false} {
		t.Run(map[bool]string{true: "long elements", false: "short elements"}[long], func(t *testing.T) {
			elem := bigEntry
			if !long {
				elem = strconv.Itoa
			}
			l := hotredis.NewList[string](key(t))
			defer l.Delete(ctx)
			var model []string
			for i := range n {
				model = append(model, elem((i*7)%n))
			}
			for _, c := range []struct {
				name   string
				change func() error
				model  func(m []string) []string
			}{
				{"Reverse", func() error { return l.Reverse(ctx) }, func(m []string) []string {
					slices.Reverse(m)
					return m
				}},
				{"Sort", func() error { return l.Sort(ctx, false) }, func(m []string) []string {
					slices.Sort(m)
					return m
				}},
				{"Repeat", func() error { return second(l.Repeat(ctx, 2)) }, func(m []string) []string {
					return append(m, m...)
				}},
				{"SetSlice", func() error { return l.SetSlice(ctx, 140, 150, elem(1), elem(2)) }, func(m []string) []string {
					return slices.Concat(m[:140], []string{elem(1), elem(2)}, m[150:]) // (the 140 in front move: 2.2 MiB)
				}},
			} {
				noErr(t, l.Replace(ctx, model...))
				before := hotredis.RebuildTries()
				noErr(t, c.change())
				stepped := hotredis.RebuildTries() > before
				want := c.model(slices.Clone(model))
				if got := must[[]string](t)(l.Values(ctx)); !slices.Equal(got, want) {
					t.Fatalf("%s: %d elements, not the model's %d", c.name, len(got), len(want))
				}
				if stepped != long {
					t.Errorf("%s of %d elements went in steps: %v, want %v", c.name, n, stepped, long)
				}
			}
		})
	}
}

// TestSetAlgebraOfManyBytesGoesInSteps checks that set algebra that one
// script does for a few members (a read, a read with values, an in-place
// change) goes in bounded steps when the members hold more than a few
// MiB, with the result of Go's maps either way.
func TestSetAlgebraOfManyBytesGoesInSteps(t *testing.T) {
	const n = 300 // 4.7 MiB of bigEntry a set
	for _, long := range []bool{true, false} {
		t.Run(map[bool]string{true: "long members", false: "short members"}[long], func(t *testing.T) {
			elem := bigEntry
			if !long {
				elem = strconv.Itoa
			}
			k := key(t)
			a, b := hotredis.NewSet[string](k+":a"), hotredis.NewSet[string](k+":b")
			defer a.Delete(ctx)
			defer b.Delete(ctx)
			var am, bm []string
			for i := range n {
				am = append(am, elem(i))
				bm = append(bm, elem(i+n/2))
			}
			union := sorted(slices.Compact(sorted(slices.Concat(am, bm))))
			for _, c := range []struct {
				name string
				run  func() ([]string, error)
				want []string
			}{
				{"Union", func() ([]string, error) { return a.Union(ctx, b) }, union},
				{"UnionValues", func() ([]string, error) { return a.UnionValues(ctx, bm...) }, union},
				{"Difference", func() ([]string, error) { return a.Difference(ctx, b) }, am[:n/2]},
				{"UnionUpdate", func() ([]string, error) {
					if err := a.UnionUpdate(ctx, b); err != nil {
						return nil, err
					}
					raw := rawClient()
					defer raw.Close()
					return raw.SMembers(ctx, a.Key()).Result()
				}, union},
			} {
				noErr(t, a.Replace(ctx, am...))
				noErr(t, b.Replace(ctx, bm...))
				reads, rebuilds := hotredis.ReadAttempts(), hotredis.RebuildTries()
				got := must[[]string](t)(c.run())
				if !slices.Equal(sorted(got), sorted(slices.Clone(c.want))) {
					t.Fatalf("%s: %d members, want %d", c.name, len(got), len(c.want))
				}
				stepped := hotredis.ReadAttempts() > reads || hotredis.RebuildTries() > rebuilds
				if stepped != long {
					t.Errorf("%s of %d members went in steps: %v, want %v", c.name, n, stepped, long)
				}
			}
		})
	}
}

// TestFirstReadOfShortElementsIsOneCommand: a handle's first read asks
// for at most 1,024 elements; once it has seen that they are short, a
// list of up to 10,000 is read again by one command, a snapshot without a
// watch (a list appended to all the while made the watched steps fail
// with ErrTxConflict: TestQueueReserveKilledConsumer's results).
func TestFirstReadOfShortElementsIsOneCommand(t *testing.T) {
	k := key(t)
	model := make([]string, 5_000)
	for i := range model {
		model[i] = strconv.Itoa(i)
	}
	noErr(t, hotredis.NewList[string](k).Replace(ctx, model...))
	defer hotredis.NewList[string](k).Delete(ctx)
	for _, c := range []struct {
		name       string
		start, end int
	}{{"Values", 0, math.MaxInt}, {"Slice(100, 4900)", 100, 4_900}, {"Slice(100, -100)", 100, -100}} {
		before := hotredis.ReadAttempts()
		got := must[[]string](t)(hotredis.NewList[string](k).Slice(ctx, c.start, c.end))
		a, b := c.start, min(c.end, len(model))
		if b < 0 {
			b += len(model)
		}
		if !slices.Equal(got, model[a:b]) {
			t.Fatalf("%s of a fresh handle: %d elements, not the model's %d", c.name, len(got), b-a)
		}
		if n := hotredis.ReadAttempts() - before; n != 0 {
			t.Errorf("%s of a fresh handle went in watched steps (%d attempts)", c.name, n)
		}
	}
}

// TestWholeReadsNoticeEntriesThatGrew: a handle that has read a set and a
// hash of short entries, whose entries another program then makes 16 KiB
// long (as many of them), reads them again in steps of a few MiB, not by
// one SMEMBERS-like SRANDMEMBER or HGETALL of 24 MiB at the size it saw
// last (the size read goes with the value's memory: sizeUp).
func TestWholeReadsNoticeEntriesThatGrew(t *testing.T) {
	k := key(t)
	sk, hk := k+":set", k+":hash"
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, sk, hk)
	write := func(entry func(int) string) (members []string, hash map[string]string) {
		noErr(t, raw.Del(ctx, sk, hk).Err())
		hash = map[string]string{}
		for i := range bigEntries {
			members = append(members, entry(i))
			hash["f"+strconv.Itoa(i)] = entry(i)
		}
		for part := range slices.Chunk(members, 100) {
			noErr(t, raw.SAdd(ctx, sk, anys(part)...).Err())
		}
		hsetAll(t, raw, hk, hash)
		return members, hash
	}
	s := hotredis.NewSet[string](sk)
	m := hotredis.NewMap[string, string](hk)
	reads := func(t *testing.T, members []string, hash map[string]string) {
		t.Helper()
		for range 2 { // (the first to learn the size, the second by it)
			if got := must[[]string](t)(s.Members(ctx)); !slices.Equal(sorted(got), sorted(slices.Clone(members))) {
				t.Fatalf("Set.Members: %d members, not the %d written", len(got), len(members))
			}
			if got := must[map[string]string](t)(m.Items(ctx)); !maps.Equal(got, hash) {
				t.Fatalf("Map.Items: %d entries, not the %d written", len(got), len(hash))
			}
			if got := must[[]string](t)(m.Values(ctx)); !slices.Equal(sorted(got), sorted(slices.Collect(maps.Values(hash)))) {
				t.Fatalf("Map.Values: %d values, not the model's", len(got))
			}
		}
	}
	members, hash := write(strconv.Itoa)
	reads(t, members, hash)
	log := slowlogAll(t, nodeFor(t, raw, k))
	members, hash = write(bigEntry)
	log.reset(t)
	reads(t, members, hash)
	log.readsAtMost(t, bigEntries, bigEntrySize, stepEntries+1, sk, hk)
}

// TestListReadsNoticeElementsThatGrew is TestWholeReadsNoticeEntriesThatGrew
// for a list long enough to be read in steps (12,000 elements), whose
// elements are made 2 KiB long: its steps then read at most 4 MiB each,
// not the 10,000 elements a step of short ones.
func TestListReadsNoticeElementsThatGrew(t *testing.T) {
	const n, size = 12_000, 2 << 10
	k := key(t)
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, k)
	write := func(elem func(int) string) (model []string) {
		noErr(t, raw.Del(ctx, k).Err())
		for i := range n {
			model = append(model, elem(i))
		}
		for part := range slices.Chunk(model, 1000) {
			noErr(t, raw.RPush(ctx, k, anys(part)...).Err())
		}
		return model
	}
	l := hotredis.NewList[string](k)
	reads := func(model []string) {
		t.Helper()
		for range 2 {
			if got := must[[]string](t)(l.Values(ctx)); !slices.Equal(got, model) {
				t.Fatalf("Values: %d elements, not the %d written", len(got), len(model))
			}
		}
	}
	reads(write(strconv.Itoa))
	log := slowlogAll(t, nodeFor(t, raw, k))
	model := write(func(i int) string { s := strconv.Itoa(i) + ":"; return s + strings.Repeat("x", size-len(s)) })
	log.reset(t)
	reads(model)
	log.readsAtMost(t, n, size, 4<<20/size+1, k)
}

// TestSetOf1024MembersIsReadInOneCommand: a set of exactly 1,024 short
// members was read whole by one command (SRANDMEMBER 1025) on every
// Members before ea7a542. Now a fresh handle's first command asks for
// firstSpan (1,024) members, gets 1,024, takes the set for bigger
// (done = len < n), sets sizeFirst, and SCARD (1,024) never drops below
// the reset bound (512): every later Members is SCARD + SMEMBERS, two
// round trips for good.
func TestSetOf1024MembersIsReadInOneCommand(t *testing.T) {
	k := key(t)
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, k)
	var ms []any
	for i := range 1024 {
		ms = append(ms, "m"+strconv.Itoa(i))
	}
	noErr(t, raw.SAdd(ctx, k, ms...).Err())
	log := slowlogAll(t, nodeFor(t, raw, k))
	s := hotredis.NewSet[string](k)
	if got := must[[]string](t)(s.Members(ctx)); len(got) != 1024 {
		t.Fatalf("Members: %d members", len(got))
	}
	for i := range 3 {
		log.reset(t)
		if got := must[[]string](t)(s.Members(ctx)); len(got) != 1024 {
			t.Fatalf("Members: %d members", len(got))
		}
		if cs := log.commands(t, k); len(cs) != 1 {
			t.Errorf("read %d after the first: %d commands %q, want 1 (as before ea7a542)", i+2, len(cs), cs)
		}
	}
}

// TestListStepCopiesAboutStepBytes: list_step is to stop a copy
// at 2 MiB (ea7a542: "list_step copies stop at 2 MiB"), but it checks
// the bound only between pieces of 100 elements, and the first piece goes
// whatever its size: a step copies up to 100 elements however long, here
// all 48 elements of 512 KiB (24 MiB, ~12x the bound) in one script, so a
// rebuild of a short list of long elements (the very case Reverse, Sort,
// Repeat and SetSlice now send to steps) still holds Redis for one long
// script.
func TestListStepCopiesAboutStepBytes(t *testing.T) {
	const n, size = 48, 512 << 10
	k := key(t)
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, k)
	for i := range n {
		s := strconv.Itoa(i) + ":"
		noErr(t, raw.RPush(ctx, k, s+string(make([]byte, size-len(s)))).Err())
	}
	log := slowlogAll(t, nodeFor(t, raw, k))
	l := hotredis.NewList[string](k)
	noErr(t, l.Reverse(ctx))
	// Steps, by the scratch list's length before each (a command logged
	// twice, EVALSHA then EVAL after NOSCRIPT, counts once).
	before := map[string]bool{}
	for _, c := range log.commands(t, k) {
		if len(c) > 7 && c[7] == "rcopy" {
			before[c[5]] = true
		}
	}
	steps := len(before)
	if most := 2<<20/size + 1; steps*most < n {
		t.Errorf("Reverse of %d elements of %d KiB went in %d list_step copies: up to %d elements (%d MiB) a step, want at most %d (~2 MiB)",
			n, size>>10, steps, (n+steps-1)/max(steps, 1), (n+steps-1)/max(steps, 1)*size>>20, most)
	}
}

// TestBulkWritesOfManyBytesGoInSteps checks that a Set's or a Map's bulk
// write of fewer than 10,000 items goes in bounded steps when the items
// hold more than 4 MiB (one HSET of 1,000 values of 128 KiB held Redis
// 367-425 ms, a review found), and still as one command when the same
// count is short, with the result of Go's maps either way.
func TestBulkWritesOfManyBytesGoInSteps(t *testing.T) {
	const n = 300 // 4.7 MiB of bigEntry
	var steps atomic.Int64
	hotredis.DuringRebuilds(func() { steps.Add(1) })
	defer hotredis.DuringRebuilds(nil)
	for _, long := range []bool{true, false} {
		t.Run(map[bool]string{true: "long items", false: "short items"}[long], func(t *testing.T) {
			elem := bigEntry
			if !long {
				elem = strconv.Itoa
			}
			k := key(t)
			s := hotredis.NewSet[string](k + ":set")
			m := hotredis.NewMap[int, string](k + ":map")
			defer s.Delete(ctx)
			defer m.Delete(ctx)
			members, entries := map[string]bool{}, map[int]string{}
			var add []string
			for i := range n {
				add = append(add, elem(i))
				entries[i] = elem(i)
			}
			checkSet := func(name string) {
				t.Helper()
				want := slices.Sorted(maps.Keys(members))
				if got := sorted(must[[]string](t)(s.Members(ctx))); !slices.Equal(got, want) {
					t.Fatalf("%s: %d members, not the model's %d", name, len(got), len(want))
				}
			}
			checkMap := func(name string) {
				t.Helper()
				if got := must[map[int]string](t)(m.Items(ctx)); !maps.Equal(got, entries) {
					t.Fatalf("%s: %d entries, not the model's %d", name, len(got), len(entries))
				}
			}
			for _, c := range []struct {
				name   string
				change func() error
				check  func(string)
			}{
				{"Set.Add", func() error {
					for _, x := range add {
						members[x] = true
					}
					return second(s.Add(ctx, add...))
				}, checkSet},
				{"Set.Remove", func() error {
					for _, x := range add[:n-1] {
						delete(members, x)
					}
					return second(s.Remove(ctx, add[:n-1]...))
				}, checkSet},
				{"Set.Replace", func() error {
					members = map[string]bool{}
					for _, x := range add {
						members[x] = true
					}
					return s.Replace(ctx, add...)
				}, checkSet},
				{"Map.SetMany", func() error { return m.SetMany(ctx, entries) }, checkMap},
				{"Map.Replace", func() error { return m.Replace(ctx, entries) }, checkMap},
			} {
				before := steps.Load()
				noErr(t, c.change())
				c.check(c.name)
				if stepped := steps.Load() > before; stepped != long {
					t.Errorf("%s of %d items (long: %v) went in steps: %v", c.name, n, long, stepped)
				}
			}
		})
	}
}
