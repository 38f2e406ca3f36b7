package hotredis_test

// Tests of the long Set and Counter changes that are rebuilt in bounded
// steps (rebuild.go): at a million members against Go models, and, at a
// size that takes a few hundred steps, seen from a second program while
// they run: it is served meanwhile, it sees only the old or the new value,
// its own writes are not lost, and no scratch key stays behind.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/lua"
)

// digestScript summarises one stretch of a set of integers or of a hash
// of integer fields and counts, so that a million entries can be compared
// with a Go model without crossing the network. It replies {next cursor,
// entries, sum, mix}, where mix adds an order-independent hash of each
// entry. A stretch at a time, so that Redis is never held for long; with
// no writes meanwhile, the scan sees each entry once.
var digestScript = redis.NewScript(`
local t = redis.call('TYPE', KEYS[1]).ok
local cursor, n, sum, mix = ARGV[1], 0, 0, 0
if t ~= 'set' and t ~= 'hash' then return {'0', 0, '0', '0'} end
repeat
  local r
  if t == 'set' then
    r = redis.call('SSCAN', KEYS[1], cursor, 'COUNT', 1000)
    for _, m in ipairs(r[2]) do
      local x = tonumber(m)
      n, sum, mix = n + 1, sum + x, mix + (x * x) % 1000003
    end
  else
    r = redis.call('HSCAN', KEYS[1], cursor, 'COUNT', 1000)
    local kv = r[2]
    for i = 1, #kv, 2 do
      local f, c = tonumber(kv[i]), tonumber(kv[i + 1])
      n, sum, mix = n + 1, sum + c, mix + (f * 7919 + c * 104729) % 1000000007
    end
  end
  cursor = r[1]
until cursor == '0' or n >= 100000
return {cursor, n, string.format('%.0f', sum), string.format('%.0f', mix)}
`)

// digest is a summary of a set or counter of integers (see digestScript).
type digest struct{ n, sum, mix int64 }

func digestOf(t testing.TB, k string) digest {
	t.Helper()
	var d digest
	for cursor := "0"; ; {
		r, err := digestScript.Run(ctx, rawClient(), []string{k}, cursor).Slice()
		if err != nil {
			t.Fatal(err)
		}
		sum, _ := strconv.ParseInt(r[2].(string), 10, 64)
		mix, _ := strconv.ParseInt(r[3].(string), 10, 64)
		d.n, d.sum, d.mix = d.n+r[1].(int64), d.sum+sum, d.mix+mix
		if cursor = r[0].(string); cursor == "0" {
			return d
		}
	}
}

func floorMod(a, m int64) int64 { return (a%m + m) % m }

func (d *digest) addMember(x int) {
	d.n, d.sum, d.mix = d.n+1, d.sum+int64(x), d.mix+floorMod(int64(x)*int64(x), 1000003)
}

func (d *digest) addCount(f int, c int64) {
	d.n, d.sum, d.mix = d.n+1, d.sum+c, d.mix+floorMod(int64(f)*7919+c*104729, 1000000007)
}

func setDigest(m map[int]bool) digest {
	var d digest
	for x := range m {
		d.addMember(x)
	}
	return d
}

func counterDigest(m map[int]int64) digest {
	var d digest
	for f, c := range m {
		d.addCount(f, c)
	}
	return d
}

// scratchPattern matches the scratch keys of the object at k (a key with a
// hash tag, as key(t) makes).
func scratchPattern(k string) string { return k + ":tmp:*" }

var scratchScript = redis.NewScript(`
local out, cursor = {}, '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do out[#out + 1] = k end
until cursor == '0'
return out
`)

// noScratch fails if a scratch key of k is left.
func noScratch(t testing.TB, k string) {
	t.Helper()
	if left := scratchLeft(t, k); len(left) > 0 {
		t.Fatalf("scratch keys left behind: %q", left)
	}
}

// noScratchSoon is noScratch for an operation whose context ended, which
// drops its scratch keys in the background: they must be gone soon (a
// few milliseconds; 5 s on a loaded machine).
func noScratchSoon(t testing.TB, k string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		left := scratchLeft(t, k)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scratch keys left behind 5 s after the operation returned: %q", left)
		}
	}
}

// scratchLeft returns the scratch keys of k that exist.
func scratchLeft(t testing.TB, k string) []string {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	left, err := scratchScript.Run(ctx, rdb, []string{k}, scratchPattern(k)).StringSlice()
	if err != nil {
		t.Fatal(err)
	}
	return left
}

// observeScript is one look by the observer: it writes another key (a
// command served or not while the operation runs), then reads the size of
// the key, some probes (members or fields) and the scratch keys present.
var observeScript = redis.NewScript(`
redis.call('INCR', KEYS[2])
local size, probes
if ARGV[1] == 'set' then
  size = redis.call('SCARD', KEYS[1])
  if #ARGV > 2 then probes = redis.call('SMISMEMBER', KEYS[1], unpack(ARGV, 3)) end
elseif ARGV[1] == 'list' then
  size = redis.call('LLEN', KEYS[1])
elseif ARGV[1] == 'string' then
  size = redis.call('STRLEN', KEYS[1])
else
  size = redis.call('HLEN', KEYS[1])
  if #ARGV > 2 then probes = redis.call('HMGET', KEYS[1], unpack(ARGV, 3)) end
end
local scratch, cursor = {}, '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', ARGV[2], 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do scratch[#scratch + 1] = k end
until cursor == '0'
return {size, scratch, probes or {}}
`)

// look is what the observer saw once: the key's size, the probes (as
// text) and the scratch keys present.
type look struct {
	size    int64
	probes  string
	scratch []string
}

// observer is a second program looking at a key, as often as it can,
// while an operation runs on it.
type observer struct {
	stop     chan struct{}
	done     chan struct{}
	first    chan struct{} // closed after the first look
	building chan struct{} // closed once a scratch key has been seen
	scratch  string        // the first scratch key seen, set before building closes
	looks    []look        // read after done
	err      error
}

// observe starts an observer of the key k, of Redis type typ ("set" or
// "hash"), reading probes (members or fields) at each look, and waits for
// its first look.
func observe(t *testing.T, k, typ string, probes ...string) *observer {
	o := &observer{stop: make(chan struct{}), done: make(chan struct{}),
		first: make(chan struct{}), building: make(chan struct{})}
	rdb := rawClient()
	args := append([]any{typ, scratchPattern(k)}, anys(probes)...)
	ks := []string{k, k + ":observations"}
	go func() {
		defer close(o.done)
		defer rdb.Del(ctx, ks[1])
		for {
			r, err := observeScript.Run(ctx, rdb, ks, args...).Slice()
			if err != nil {
				o.err = err
				return
			}
			l := look{size: r[0].(int64), probes: fmt.Sprint(r[2])}
			for _, s := range r[1].([]any) {
				l.scratch = append(l.scratch, s.(string))
			}
			o.looks = append(o.looks, l)
			if len(o.looks) == 1 {
				close(o.first)
			}
			if len(l.scratch) > 0 && o.scratch == "" {
				o.scratch = l.scratch[0]
				close(o.building)
			}
			select {
			case <-o.stop:
				return
			default:
			}
		}
	}()
	t.Cleanup(func() { o.finish() })
	select {
	case <-o.first:
	case <-o.done:
		t.Fatalf("observer: %v", o.err)
	}
	return o
}

// writeScript is a write by another program during a rebuild: it runs
// ARGV as a command on KEYS[1] and reports whether the scratch key
// KEYS[2] still existed then, that is, whether the write came before the
// rebuild's commit (which must then start over).
var writeScript = redis.NewScript(`
redis.call(ARGV[1], KEYS[1], unpack(ARGV, 2))
return redis.call('EXISTS', KEYS[2])
`)

// writeDuring waits until o has seen a rebuild of its key under way, then
// runs the command on k, and sends on the channel whether it landed
// before the rebuild's commit.
func (o *observer) writeDuring(k string, command ...any) <-chan writeResult {
	ch := make(chan writeResult, 1)
	go func() {
		select {
		case <-o.building:
		case <-o.done:
			ch <- writeResult{err: errors.New("no rebuild was seen")}
			return
		}
		n, err := writeScript.Run(ctx, rawClient(), []string{k, o.scratch}, command...).Int()
		ch <- writeResult{n == 1, err}
	}()
	return ch
}

type writeResult struct {
	beforeCommit bool
	err          error
}

// checkRetried checks that a rebuild started over when a write landed
// before its commit, and reports whether it did.
func checkRetried(t *testing.T, w writeResult, looks []look) (before bool) {
	t.Helper()
	if w.err != nil {
		t.Fatal(w.err)
	}
	_, scratch := during(looks)
	if !w.beforeCommit {
		t.Logf("the write came after the first attempt's commit (%d scratch keys seen)", len(scratch))
		return false
	}
	if len(scratch) < 2 {
		t.Fatalf("scratch keys seen: %q; want a second attempt after the write", slices.Collect(maps.Keys(scratch)))
	}
	return true
}

// finish stops the observer and returns what it saw.
func (o *observer) finish() []look {
	select {
	case <-o.stop:
	default:
		close(o.stop)
	}
	<-o.done
	return o.looks
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// during returns the looks taken while a rebuild was under way (a scratch
// key existed), and the distinct scratch keys seen.
func during(looks []look) (n int, scratch map[string]bool) {
	scratch = map[string]bool{}
	for _, l := range looks {
		if len(l.scratch) > 0 {
			n++
		}
		for _, s := range l.scratch {
			scratch[s] = true
		}
	}
	return n, scratch
}

func ints(from, to, step int) []int {
	out := make([]int, 0, (to-from)/step+1)
	for i := from; i < to; i += step {
		out = append(out, i)
	}
	return out
}

func intSet(vs []int) map[int]bool {
	m := make(map[int]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// skipMillion skips the tests at scale with -short, and on a Cluster: the
// code they run is the same on every topology (the tests at rebuildN run
// there), and each costs seconds of server time.
func skipMillion(t *testing.T) {
	if testing.Short() || onCluster() {
		t.Skip("at scale: runs without -short, on a single server")
	}
}

// scaleN is the size of the tests at scale: 250,000 elements (hundreds of
// steps of every stepwise operation), or a million with
// HOTREDIS_TEST_MILLION=1. Bigger sizes are hotbench's (steps).
func scaleN() int {
	if os.Getenv("HOTREDIS_TEST_MILLION") != "" {
		return 1_000_000
	}
	return 250_000
}

// TestSetRebuildMillion applies each in-place algebra with scaleN
// plain values to a set of about scaleN members, and compares the
// result with a Go model (a []bool over the values used) after each.
func TestSetRebuildMillion(t *testing.T) {
	skipMillion(t)
	t.Parallel() // (keys of its own; no package setting, no timing)
	n := scaleN()
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	in := make([]bool, 3*n)
	for i := range n {
		in[i] = true
	}
	if err := s.Replace(ctx, ints(0, n, 1)...); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		vals  []int
		apply func(ctx context.Context, vs ...int) error
		model func(vals []int)
	}{
		{"UnionUpdateValues", ints(n/2, 3*n/2, 1), s.UnionUpdateValues, func(vs []int) {
			for _, v := range vs {
				in[v] = true
			}
		}},
		{"SymmetricDifferenceUpdateValues", ints(0, 2*n, 2), s.SymmetricDifferenceUpdateValues, func(vs []int) {
			for _, v := range vs {
				in[v] = !in[v]
			}
		}},
		{"DifferenceUpdateValues", ints(0, n, 1), s.DifferenceUpdateValues, func(vs []int) {
			for _, v := range vs {
				in[v] = false
			}
		}},
		{"IntersectionUpdateValues", ints(0, 3*n, 3), s.IntersectionUpdateValues, func(vs []int) {
			given := make([]bool, len(in))
			for _, v := range vs {
				given[v] = true
			}
			for x := range in {
				in[x] = in[x] && given[x]
			}
		}},
	}
	for _, st := range steps {
		if err := st.apply(ctx, st.vals...); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		st.model(st.vals)
		var want digest
		for x, ok := range in {
			if ok {
				want.addMember(x)
			}
		}
		if got := digestOf(t, s.Key()); got != want {
			t.Fatalf("after %s: digest %v, want %v", st.name, got, want)
		}
		noScratch(t, s.Key())
	}
	if ttl, err := s.TTL(ctx); err != nil || ttl != hotredis.NoTTL {
		t.Fatalf("TTL after the rebuilds = %v, %v; want none", ttl, err)
	}
}

// counterRange is counts f(i) for the elements i in [from, to).
type counterRange struct {
	from, to int
	f        func(i int) int64
}

func (r counterRange) counts() map[int]int64 {
	m := make(map[int]int64, r.to-r.from)
	for i := r.from; i < r.to; i++ {
		m[i] = r.f(i)
	}
	return m
}

// at returns the count of i, 0 outside the range.
func (r counterRange) at(i int) int64 {
	if i < r.from || i >= r.to {
		return 0
	}
	return r.f(i)
}

// counterSlice is a Python Counter over the elements 0 .. len-1.
type counterSlice struct {
	has []bool
	n   []int64
}

func (m counterSlice) add(r counterRange, sign int64) {
	for i := r.from; i < r.to; i++ {
		m.has[i], m.n[i] = true, m.n[i]+sign*r.f(i)
	}
}

// combine is Python's &= (and) or |= with the counts r.
func (m counterSlice) combine(and bool, r counterRange) {
	for i := range m.n {
		o := r.at(i)
		switch {
		case and && m.has[i] && o < m.n[i]:
			m.n[i] = o
		case !and && o > m.n[i]:
			m.has[i], m.n[i] = true, o
		}
		if m.n[i] <= 0 {
			m.has[i] = false
		}
	}
}

func (m counterSlice) digest() digest {
	var d digest
	for i, ok := range m.has {
		if ok {
			d.addCount(i, m.n[i])
		}
	}
	return d
}

// top returns MostCommon(k) and Total of the model.
func (m counterSlice) top(k int) ([]hotredis.Pair[int, int64], int64) {
	var best []hotredis.Pair[int, int64]
	var sum int64
	before := func(a, b hotredis.Pair[int, int64]) bool {
		if a.Value != b.Value {
			return a.Value > b.Value
		}
		return strconv.Itoa(a.Key) < strconv.Itoa(b.Key)
	}
	for i, ok := range m.has {
		if !ok {
			continue
		}
		sum += m.n[i]
		p := hotredis.Pair[int, int64]{Key: i, Value: m.n[i]}
		if len(best) == k && !before(p, best[k-1]) {
			continue
		}
		j := len(best)
		if j < k {
			best = append(best, p)
		} else {
			j = k - 1
		}
		for ; j > 0 && before(p, best[j-1]); j-- {
			best[j] = best[j-1]
		}
		best[j] = p
	}
	return best, sum
}

// fillCounter writes the counts r at k with plain HSETs.
func fillCounter(t *testing.T, k string, r counterRange) {
	t.Helper()
	p := rawClient().Pipeline()
	args := make([]any, 0, 2000)
	for i := r.from; i < r.to; i++ {
		args = append(args, i, r.f(i))
		if len(args) == cap(args) || i == r.to-1 {
			p.HSet(ctx, k, args...)
			args = make([]any, 0, 2000)
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCounterRebuildMillion fills an empty counter with scaleN counts,
// then applies subtractions, &= and |= with scaleN counts (from Go and
// from another counter) to it, and compares the result with a model of
// Python's Counter after each; MostCommon and Total read it whole. (Update
// of a filled counter runs the code Subtract runs.)
func TestCounterRebuildMillion(t *testing.T) {
	skipMillion(t)
	t.Parallel() // (keys of its own; no package setting, no timing)
	n := scaleN()
	c := hotredis.NewCounter[int](key(t))
	o := hotredis.NewCounter[int](key(t, "other"))
	defer c.Delete(ctx)
	defer o.Delete(ctx)
	m := counterSlice{make([]bool, 3*n/2), make([]int64, 3*n/2)}
	// The first Update fills the empty counter; the others change a
	// counter of a million elements.
	base := counterRange{0, n, func(i int) int64 { return int64(i%1000 - 100) }}
	if err := c.Update(ctx, base.counts()); err != nil {
		t.Fatal(err)
	}
	m.add(base, 1)
	if got, want := digestOf(t, c.Key()), m.digest(); got != want {
		t.Fatalf("after the first Update: digest %v, want %v", got, want)
	}
	checkReads := func(when string) {
		t.Helper()
		wantTop, wantSum := m.top(10)
		if top, err := c.MostCommon(ctx, 10); err != nil || !slices.Equal(top, wantTop) {
			t.Fatalf("%s: MostCommon(10) = %v, %v; want %v", when, top, err, wantTop)
		}
		if tot, err := c.Total(ctx); err != nil || tot != wantSum {
			t.Fatalf("%s: Total = %d, %v; want %d", when, tot, err, wantSum)
		}
	}
	subtract := counterRange{0, n, func(i int) int64 { return int64(i % 13) }}
	elems := make([]int, n)
	for i := range elems {
		elems[i] = i * 4 % n // a quarter as many distinct ones
	}
	or := counterRange{n / 4, 5 * n / 4, func(i int) int64 { return int64(i*11%1000 - 300) }}
	and := counterRange{0, n, func(i int) int64 { return int64(i * 13 % 997) }}
	other := counterRange{n / 2, 3 * n / 2, func(i int) int64 { return int64(i*17%1000 - 200) }}
	steps := []struct {
		name  string
		apply func() error
		model func()
	}{
		{"Subtract", func() error { return c.Subtract(ctx, subtract.counts()) }, func() { m.add(subtract, -1) }},
		{"UpdateElements", func() error { return c.UpdateElements(ctx, elems...) }, func() {
			for _, e := range elems {
				m.has[e], m.n[e] = true, m.n[e]+1
			}
		}},
		{"UnionUpdateCounts", func() error { return c.UnionUpdateCounts(ctx, or.counts()) }, func() { m.combine(false, or) }},
		{"IntersectionUpdateCounts", func() error { return c.IntersectionUpdateCounts(ctx, and.counts()) }, func() { m.combine(true, and) }},
		{"UnionUpdate", func() error {
			fillCounter(t, o.Key(), other)
			return c.UnionUpdate(ctx, o)
		}, func() { m.combine(false, other) }},
		{"IntersectionUpdate", func() error { return c.IntersectionUpdate(ctx, o) }, func() { m.combine(true, other) }},
	}
	for _, st := range steps {
		if err := st.apply(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		st.model()
		if got, want := digestOf(t, c.Key()), m.digest(); got != want {
			t.Fatalf("after %s: digest %v, want %v", st.name, got, want)
		}
		noScratch(t, c.Key())
	}
	checkReads("after")
}

// rebuildN is the input size of the tests that watch a rebuild: a few
// hundred steps.
const rebuildN = 100_000

// TestSetRebuildSeenFromOutside runs IntersectionUpdateValues and
// UnionUpdateValues with many values while another program keeps writing
// another key and reading the set: its commands are served while the
// operation runs (so the work is cut in steps), and it only ever sees the
// old or the new set.
func TestSetRebuildSeenFromOutside(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	if err := s.Replace(ctx, ints(0, rebuildN, 1)...); err != nil {
		t.Fatal(err)
	}
	// Probes: members that go (odd ones) and stay (multiples of 4).
	probes := []string{"1", "4", "49999", "50000", "99999", "99996"}
	for _, tc := range []struct {
		name          string
		apply         func() error
		oldSize, size int64
		oldP, newP    string
	}{
		{"IntersectionUpdateValues", func() error { return s.IntersectionUpdateValues(ctx, ints(0, 2*rebuildN, 2)...) },
			rebuildN, rebuildN / 2, "[1 1 1 1 1 1]", "[0 1 0 1 0 1]"},
		{"UnionUpdateValues", func() error { return s.UnionUpdateValues(ctx, ints(1, rebuildN, 2)...) },
			rebuildN / 2, rebuildN, "[0 1 0 1 0 1]", "[1 1 1 1 1 1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			observeApply(t, s.Key(), "set", probes, tc.apply, tc.oldSize, tc.size, tc.oldP, tc.newP)
		})
	}
}

// checkLooks checks that every look saw the old value or the new one
// (size and probes together), and that the observer was served while the
// new value was being built: more than one look saw a scratch key.
func checkLooks(t *testing.T, looks []look, oldSize, size int64, oldP, newP string) {
	t.Helper()
	sawNew := false
	for _, l := range looks {
		switch {
		case l.size == oldSize && l.probes == oldP && !sawNew:
		case l.size == size && l.probes == newP:
			sawNew = true
		default:
			t.Fatalf("a reader saw size %d and probes %s: neither the old value (%d, %s) nor the new one (%d, %s)",
				l.size, l.probes, oldSize, oldP, size, newP)
		}
	}
	if n, _ := during(looks); n <= 1 {
		t.Fatalf("the other program was served %d times while the value was rebuilt; want more than 1 (%d looks in all)", n, len(looks))
	}
}

// TestCounterRebuildSeenFromOutside is TestSetRebuildSeenFromOutside for
// a counter's Update: the observer reads counts of fields spread over the
// counter, which must all be old or all new.
func TestCounterRebuildSeenFromOutside(t *testing.T) {
	c := hotredis.NewCounter[int](key(t))
	defer c.Delete(ctx)
	ones := make(map[int]int64, rebuildN)
	twos := make(map[int]int64, rebuildN)
	for i := range rebuildN {
		ones[i], twos[i] = 1, 2
	}
	if err := c.Replace(ctx, ones); err != nil {
		t.Fatal(err)
	}
	obs := observe(t, c.Key(), "hash", "0", "49999", "50000", "99999")
	if err := c.Update(ctx, twos); err != nil {
		t.Fatal(err)
	}
	looks := obs.finish()
	if obs.err != nil {
		t.Fatal(obs.err)
	}
	checkLooks(t, looks, rebuildN, rebuildN, "[1 1 1 1]", "[3 3 3 3]")
	noScratch(t, c.Key())
}

// TestSetRebuildConcurrentWriter has another program add a member while a
// union is being rebuilt: the rebuild starts over and the member is kept.
func TestSetRebuildConcurrentWriter(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	if err := s.Replace(ctx, ints(0, rebuildN, 1)...); err != nil {
		t.Fatal(err)
	}
	obs := observe(t, s.Key(), "set")
	wrote := obs.writeDuring(s.Key(), "SADD", -1)
	if err := s.UnionUpdateValues(ctx, ints(rebuildN, 2*rebuildN, 1)...); err != nil {
		t.Fatal(err)
	}
	looks := obs.finish()
	checkRetried(t, <-wrote, looks)
	want := intSet(append(ints(0, 2*rebuildN, 1), -1))
	if got := digestOf(t, s.Key()); got != setDigest(want) {
		t.Fatalf("digest %v, want %v: the writer's member or the union was lost", got, setDigest(want))
	}
	noScratch(t, s.Key())
}

// TestSetRebuildFallback has another program add members without pause
// while a union is rebuilt: every attempt is overtaken, the single-script
// fallback applies the union, and no member is lost.
func TestSetRebuildFallback(t *testing.T) {
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	if err := s.Replace(ctx, ints(0, rebuildN/4, 1)...); err != nil {
		t.Fatal(err)
	}
	tries := hotredis.RebuildTries()
	stop, writing := make(chan struct{}), make(chan struct{})
	written := make(chan int)
	go func() {
		rdb := rawClient()
		i := 0
		for {
			select {
			case <-stop:
				written <- i
				return
			default:
			}
			if err := rdb.SAdd(ctx, s.Key(), -1-i).Err(); err != nil {
				t.Error(err)
			}
			if i == 0 {
				close(writing)
			}
			i++
		}
	}()
	// Once the writer is under way (a Cluster client first learns the
	// slots, long enough for a whole attempt to pass unhindered).
	<-writing
	err := s.UnionUpdateValues(ctx, ints(rebuildN/4, rebuildN/2, 1)...)
	close(stop)
	n := <-written
	if err != nil {
		t.Fatal(err)
	}
	want := intSet(append(ints(0, rebuildN/2, 1), ints(-n, 0, 1)...))
	if got := digestOf(t, s.Key()); got != setDigest(want) {
		t.Fatalf("digest %v, want %v (%d members written meanwhile)", got, setDigest(want), n)
	}
	// Counted by the library, not by watching for scratch keys: an
	// attempt aborted at once can come and go between two looks.
	if n := hotredis.RebuildTries() - tries; n < 3 {
		t.Fatalf("%d attempts; want 3 before the fallback", n)
	}
	noScratch(t, s.Key())
}

// TestCounterRebuildConcurrentWriter has another program increment a
// count while an update is being rebuilt: the increment is kept.
func TestCounterRebuildConcurrentWriter(t *testing.T) {
	c := hotredis.NewCounter[int](key(t))
	defer c.Delete(ctx)
	m := make(map[int]int64, rebuildN)
	for i := range rebuildN {
		m[i] = int64(i % 7)
	}
	if err := c.Replace(ctx, m); err != nil {
		t.Fatal(err)
	}
	obs := observe(t, c.Key(), "hash")
	wrote := obs.writeDuring(c.Key(), "HINCRBY", "5", 1000)
	d := make(map[int]int64, rebuildN)
	for i := range rebuildN {
		d[i+rebuildN/2] = 3
	}
	if err := c.Update(ctx, d); err != nil {
		t.Fatal(err)
	}
	looks := obs.finish()
	checkRetried(t, <-wrote, looks)
	for k, v := range d {
		m[k] += v
	}
	m[5] += 1000
	if got := digestOf(t, c.Key()); got != counterDigest(m) {
		t.Fatalf("digest %v, want %v: the writer's increment or the update was lost", got, counterDigest(m))
	}
	noScratch(t, c.Key())
}

// TestSetRebuildCancel cancels long operations while they are being rebuilt:
// they return the context's error, leave the value as it was and remove
// their scratch key (in the background: the context has ended).
func TestSetRebuildCancel(t *testing.T) {
	s := hotredis.NewSet[int](key(t, "set"))
	c := hotredis.NewCounter[int](key(t, "counter"))
	defer s.Delete(ctx)
	defer c.Delete(ctx)
	if err := s.Replace(ctx, ints(0, rebuildN, 1)...); err != nil {
		t.Fatal(err)
	}
	m := make(map[int]int64, rebuildN)
	for i := range rebuildN {
		m[i] = 1
	}
	if err := c.Replace(ctx, m); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key, typ string
		apply          func(ctx context.Context) error
	}{
		{"Set.SymmetricDifferenceUpdateValues", s.Key(), "set", func(ctx context.Context) error {
			return s.SymmetricDifferenceUpdateValues(ctx, ints(0, 2*rebuildN, 2)...)
		}},
		{"Counter.Update", c.Key(), "hash", func(ctx context.Context) error { return c.Update(ctx, m) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := digestOf(t, tc.key)
			obs := observe(t, tc.key, tc.typ)
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() {
				<-obs.building
				cancel()
			}()
			if err := tc.apply(cctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled mid-way: %v, want context.Canceled", err)
			}
			noScratchSoon(t, tc.key)
			obs.finish()
			if got := digestOf(t, tc.key); got != before {
				t.Fatalf("cancelled operation changed the value: %v -> %v", before, got)
			}
		})
	}
}

// many is an input just over what one script handles, so the operations
// below are rebuilt in steps.
const many = 10_000

// TestSetRebuildEdges checks what rebuilt operations keep from the single
// script: the expiry (or its absence), an empty result leaving no key,
// wrong types, transactions, and the go-redis backend.
func TestSetRebuildEdges(t *testing.T) {
	vals := ints(0, many, 1)
	s := hotredis.NewSet[int](key(t))
	defer s.Delete(ctx)
	s.Replace(ctx, 1, 2, 3)
	if _, err := s.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := s.UnionUpdateValues(ctx, vals...); err != nil {
		t.Fatal(err)
	}
	if ttl, _ := s.TTL(ctx); ttl <= time.Hour-time.Minute || ttl > time.Hour {
		t.Fatalf("TTL after a rebuilt union = %v, want about an hour", ttl)
	}
	if err := s.IntersectionUpdateValues(ctx, ints(-many, 0, 1)...); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Exists(ctx); ok {
		t.Fatal("an empty intersection left the key")
	}
	noScratch(t, s.Key())

	str := hotredis.NewSet[int](key(t, "string"))
	rawClient().Set(ctx, str.Key(), "text", 0)
	for name, err := range map[string]error{
		"UnionUpdateValues":        str.UnionUpdateValues(ctx, vals...),
		"IntersectionUpdateValues": str.IntersectionUpdateValues(ctx, vals...),
	} {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a string key: %v, want ErrWrongType", name, err)
		}
	}
	if v, _ := rawClient().Get(ctx, str.Key()).Result(); v != "text" {
		t.Fatalf("wrong-type key changed to %q", v)
	}
	noScratch(t, str.Key())

	// Inside transactions: one script, queued or watched.
	tx := hotredis.NewSet[int](key(t, "tx"))
	defer tx.Delete(ctx)
	err := client.Transaction(ctx, func(ctx context.Context) error {
		return tx.UnionUpdateValues(ctx, vals...)
	})
	if n, _ := tx.Len(ctx); err != nil || n != many {
		t.Fatalf("UnionUpdateValues in a Transaction: %v, Len %d", err, n)
	}
	err = client.Optimistic(ctx, func(ctx context.Context) error {
		return tx.DifferenceUpdateValues(ctx, vals[1:]...)
	}, tx)
	if m, _ := tx.Members(ctx); err != nil || !slices.Equal(m, []int{0}) {
		t.Fatalf("DifferenceUpdateValues in Optimistic: %v, members %v", err, m)
	}

	// The go-redis backend watches and commits through its own client.
	gr := hotredis.NewSet[int](key(t, "goredis"), hotredis.WithClient(hotredis.WrapGoRedis(rawClient())))
	defer gr.Delete(ctx)
	gr.Replace(ctx, -1, 0, 1)
	if err := gr.SymmetricDifferenceUpdateValues(ctx, vals...); err != nil {
		t.Fatal(err)
	}
	if got, want := digestOf(t, gr.Key()), setDigest(intSet(append(ints(2, many, 1), -1))); got != want {
		t.Fatalf("xor on go-redis: digest %v, want %v", got, want)
	}
	// Values that go into the scratch set by native SADD steps.
	if _, err := gr.Add(ctx, ints(many, 3*many, 1)...); err != nil {
		t.Fatal(err)
	}
	if got, want := digestOf(t, gr.Key()), setDigest(intSet(append(ints(2, 3*many, 1), -1))); got != want {
		t.Fatalf("Add on go-redis: digest %v, want %v", got, want)
	}
	noScratch(t, gr.Key())
}

// TestCounterRebuildEdges is TestSetRebuildEdges for Counter, with bad
// counts: a rebuilt change fails as the single script does and changes
// nothing.
func TestCounterRebuildEdges(t *testing.T) {
	big := make(map[int]int64, many)
	zero := make(map[int]int64, many)
	for i := range many {
		big[i], zero[i] = int64(i%5+1), 0
	}
	rdb := rawClient()
	c := hotredis.NewCounter[int](key(t))
	defer c.Delete(ctx)
	c.Replace(ctx, map[int]int64{1: 1})
	if _, err := c.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx, big); err != nil {
		t.Fatal(err)
	}
	if ttl, _ := c.TTL(ctx); ttl <= time.Hour-time.Minute || ttl > time.Hour {
		t.Fatalf("TTL after a rebuilt update = %v, want about an hour", ttl)
	}
	if n, _ := c.Get(ctx, 1); n != 3 {
		t.Fatalf("count of 1 = %d, want 3", n)
	}
	if err := c.IntersectionUpdateCounts(ctx, zero); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Exists(ctx); ok {
		t.Fatal("an empty &= left the key")
	}

	bad := hotredis.NewCounter[int](key(t, "bad"))
	o := hotredis.NewCounter[int](key(t, "other"))
	defer bad.Delete(ctx)
	defer o.Delete(ctx)
	bad.Replace(ctx, big)
	o.Replace(ctx, big)
	rdb.HSet(ctx, bad.Key(), 3, "junk")
	rdb.HSet(ctx, o.Key(), -1, "1.5")
	checks := map[string]error{
		"Update":                   bad.Update(ctx, big),
		"IntersectionUpdateCounts": bad.IntersectionUpdateCounts(ctx, big),
		"UnionUpdateCounts":        bad.UnionUpdateCounts(ctx, big),
		"UnionUpdate":              bad.UnionUpdate(ctx, o),
	}
	if v, _ := rdb.HGet(ctx, bad.Key(), "3").Result(); v != "junk" {
		t.Fatalf("the junk count became %q", v)
	}
	rdb.HSet(ctx, bad.Key(), 3, big[3])
	before := counterDigest(big)
	if got := digestOf(t, bad.Key()); got != before {
		t.Fatalf("failed rebuilds changed the counter: digest %v, want %v", got, before)
	}
	checks["UnionUpdate with a bad other"] = bad.UnionUpdate(ctx, o)
	for name, err := range checks {
		if !errors.Is(err, hotredis.ErrDecode) {
			t.Errorf("rebuilt %s with a non-integer count: %v, want ErrDecode", name, err)
		}
	}
	if got := digestOf(t, bad.Key()); got != before {
		t.Fatalf("a failed rebuilt UnionUpdate changed the counter: %v -> %v", before, got)
	}
	huge := maps.Clone(big)
	huge[3] = math.MaxInt64
	if err := bad.Update(ctx, huge); !errors.Is(err, hotredis.ErrOverflow) {
		t.Fatalf("rebuilt Update past int64: %v, want ErrOverflow", err)
	}
	if got := digestOf(t, bad.Key()); got != before {
		t.Fatalf("an overflowing rebuilt Update changed the counter: %v -> %v", before, got)
	}
	noScratch(t, bad.Key())

	set := hotredis.NewCounter[int](key(t, "set"))
	defer set.Delete(ctx)
	rdb.SAdd(ctx, set.Key(), "x")
	for name, err := range map[string]error{
		"Update":            set.Update(ctx, big),
		"UnionUpdateCounts": set.UnionUpdateCounts(ctx, big),
	} {
		if !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("rebuilt %s on a set key: %v, want ErrWrongType", name, err)
		}
	}

	// Inside a transaction: one script, queued.
	tx := hotredis.NewCounter[int](key(t, "tx"))
	defer tx.Delete(ctx)
	err := client.Transaction(ctx, func(ctx context.Context) error { return tx.Update(ctx, big) })
	if got := digestOf(t, tx.Key()); err != nil || got != counterDigest(big) {
		t.Fatalf("Update in a Transaction: %v, digest %v", err, got)
	}

	// go-redis, with &= against another counter too big for one script.
	gr := hotredis.NewCounter[int](key(t, "goredis"), hotredis.WithClient(hotredis.WrapGoRedis(rdb)))
	defer gr.Delete(ctx)
	gr.Replace(ctx, zero)
	if err := gr.Update(ctx, big); err != nil {
		t.Fatal(err)
	}
	rdb.HSet(ctx, o.Key(), -1, 7)
	if err := gr.UnionUpdate(ctx, hotredis.NewCounter[int](o.Key())); err != nil {
		t.Fatal(err)
	}
	want := maps.Clone(big)
	want[-1] = 7
	if got := digestOf(t, gr.Key()); got != counterDigest(want) {
		t.Fatalf("|= on go-redis: digest %v, want %v", got, counterDigest(want))
	}
	noScratch(t, gr.Key())
}

// TestCounterSnapshotReads reads a counter too big for one step while
// another program keeps moving a large count between two elements: Total
// and MostCommon are still snapshots (the count is seen exactly once).
func TestCounterSnapshotReads(t *testing.T) {
	c := hotredis.NewCounter[string](key(t))
	defer c.Delete(ctx)
	const n = 20_000
	const moved = 1_000_000_000
	m := make(map[string]int64, n+2)
	var sum int64
	for i := range n {
		m["f"+strconv.Itoa(i)] = int64(i % 100)
		sum += int64(i % 100)
	}
	m["a"], m["b"] = moved, 0
	if err := c.Replace(ctx, m); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rdb := rawClient()
		from, to := "a", "b"
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.HSet(ctx, c.Key(), from, 0, to, moved)
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			from, to = to, from
			// Pauses of varying length, so that some reads run between
			// moves and others are overtaken by one.
			time.Sleep(time.Duration(i%20) * time.Millisecond)
		}
	}()
	for range 8 {
		tot, err := c.Total(ctx)
		if err != nil || tot != sum+moved {
			t.Errorf("Total = %d, %v; want %d", tot, err, sum+moved)
		}
		top, err := c.MostCommon(ctx, 2)
		if err != nil || len(top) != 2 || top[0].Value != moved || top[1].Value != 99 {
			t.Errorf("MostCommon(2) = %v, %v; want a or b with %d, then a count of 99", top, err, moved)
		}
	}
	close(stop)
	wg.Wait()
}

// TestSetRebuildAlgebra checks in-place algebra between Sets too big for
// one script against a Go model: chained, with a set named twice, with the
// set itself, and with a missing set.
func TestSetRebuildAlgebra(t *testing.T) {
	const n = 20_000
	a := hotredis.NewSet[int](key(t, "a"))
	b := hotredis.NewSet[int](key(t, "b"))
	c := hotredis.NewSet[int](key(t, "c"))
	none := hotredis.NewSet[int](key(t, "none"))
	for _, s := range []*hotredis.Set[int]{a, b, c} {
		defer s.Delete(ctx)
	}
	ma, mb, mc := intSet(ints(0, n, 1)), intSet(ints(n/2, 3*n/2, 1)), intSet(ints(0, 2*n, 2))
	a.Replace(ctx, ints(0, n, 1)...)
	b.Replace(ctx, ints(n/2, 3*n/2, 1)...)
	c.Replace(ctx, ints(0, 2*n, 2)...)
	if _, err := a.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	toggle := func(m map[int]bool) {
		for x := range m {
			if ma[x] {
				delete(ma, x)
			} else {
				ma[x] = true
			}
		}
	}
	steps := []struct {
		name  string
		apply func() error
		model func()
	}{
		{"UnionUpdate(b, c)", func() error { return a.UnionUpdate(ctx, b, c) }, func() {
			maps.Copy(ma, mb)
			maps.Copy(ma, mc)
		}},
		{"SymmetricDifferenceUpdate(b, c, b)", func() error { return a.SymmetricDifferenceUpdate(ctx, b, c, b) }, func() { toggle(mc) }},
		{"DifferenceUpdate(c)", func() error { return a.DifferenceUpdate(ctx, c) }, func() {
			maps.DeleteFunc(ma, func(x int, _ bool) bool { return mc[x] })
		}},
		{"UnionUpdate(c)", func() error { return a.UnionUpdate(ctx, c) }, func() { maps.Copy(ma, mc) }},
		{"IntersectionUpdate(b, c)", func() error { return a.IntersectionUpdate(ctx, b, c) }, func() {
			maps.DeleteFunc(ma, func(x int, _ bool) bool { return !mb[x] || !mc[x] })
		}},
	}
	for _, st := range steps {
		if err := st.apply(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		st.model()
		if got, want := digestOf(t, a.Key()), setDigest(ma); got != want {
			t.Fatalf("after %s: digest %v, want %v", st.name, got, want)
		}
		if ttl, _ := a.TTL(ctx); ttl <= time.Hour-time.Minute {
			t.Fatalf("after %s: TTL %v, want about an hour", st.name, ttl)
		}
		noScratch(t, a.Key())
	}
	if err := b.SymmetricDifferenceUpdate(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := c.IntersectionUpdate(ctx, none, a); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*hotredis.Set[int]{b, c} {
		if ok, err := s.Exists(ctx); err != nil || ok {
			t.Fatalf("%s is still there after an empty result (%v)", s.Key(), err)
		}
	}
}

// TestSetComparisonsInSteps compares sets too big for one script (they
// are scanned in steps, stopping at the first member that decides) with
// a Go model: subsets, supersets, equal and disjoint sets, and sets that
// differ in one member only, so that a scan that stopped too early or
// missed a member would answer wrongly.
func TestSetComparisonsInSteps(t *testing.T) {
	const n = 6_000
	type named struct {
		name string
		vals []int
	}
	cases := []named{
		{"0..n", ints(0, n, 1)},
		{"0..n+1", ints(0, n+1, 1)},             // a superset of 0..n by one
		{"1..n+1", ints(1, n+1, 1)},             // as big as 0..n, one member different
		{"n..2n", ints(n, 2*n, 1)},              // disjoint from 0..n
		{"n-1..2n", ints(n-1, 2*n, 1)},          // shares one member with 0..n
		{"evens", ints(0, 2*n, 2)},              // half of 0..n, and more
		{"evens<n", ints(0, n, 2)},              // a subset of 0..n and of evens
		{"0..n again", ints(0, n, 1)},           // equal to 0..n, another key
		{"odds<n+2", ints(1, n+2, 2)},           // disjoint from evens
		{"0..n-1", ints(0, n-1, 1)},             // a subset of 0..n by one
		{"n/2..3n/2", ints(n/2, 3*n/2, 1)},      // overlaps 0..n by half
		{"evens<n+1", append(ints(0, n, 2), n)}, // evens<n and one more
	}
	sets := make([]*hotredis.Set[int], len(cases))
	models := make([]map[int]bool, len(cases))
	for i, c := range cases {
		sets[i] = hotredis.NewSet[int](key(t, strconv.Itoa(i)))
		defer sets[i].Delete(ctx)
		if err := sets[i].Replace(ctx, c.vals...); err != nil {
			t.Fatal(err)
		}
		models[i] = intSet(c.vals)
	}
	subset := func(a, b map[int]bool) bool {
		for x := range a {
			if !b[x] {
				return false
			}
		}
		return true
	}
	for i := range cases {
		for j := range cases {
			a, b := models[i], models[j]
			disjoint := true
			for x := range a {
				if b[x] {
					disjoint = false
				}
			}
			want := map[string]bool{
				"IsSubset": subset(a, b), "IsSuperset": subset(b, a),
				"Equal": subset(a, b) && subset(b, a), "IsDisjoint": disjoint,
			}
			got := map[string]func(context.Context, *hotredis.Set[int]) (bool, error){
				"IsSubset": sets[i].IsSubset, "IsSuperset": sets[i].IsSuperset,
				"Equal": sets[i].Equal, "IsDisjoint": sets[i].IsDisjoint,
			}
			for op, f := range got {
				ok, err := f(ctx, sets[j])
				if err != nil {
					t.Fatalf("%s(%s).%s: %v", cases[i].name, cases[j].name, op, err)
				}
				if ok != want[op] {
					t.Errorf("%s.%s(%s) = %v, want %v", cases[i].name, op, cases[j].name, ok, want[op])
				}
			}
		}
	}
}

// TestSetValuesReadsInSteps reads set algebra with values where one
// script would visit too much (a big set for the reads that list its
// members, many values for all): in steps, against a Go model, and the
// same reads with little to visit in one script.
func TestSetValuesReadsInSteps(t *testing.T) {
	big := hotredis.NewSet[int](key(t, "big"))
	small := hotredis.NewSet[int](key(t, "small"))
	defer big.Delete(ctx)
	defer small.Delete(ctx)
	noErr(t, big.Replace(ctx, ints(0, 6_000, 1)...))
	noErr(t, small.Replace(ctx, ints(0, 200, 2)...))
	cases := []struct {
		name    string
		set     *hotredis.Set[int]
		members []int
		vs      []int
		stepped bool // every read below visits over 4,000 members and values
	}{
		{"big set, few values", big, ints(0, 6_000, 1), []int{5, 6_001, -1, 5}, false},
		{"small set, many values", small, ints(0, 200, 2), ints(-100, 5_000, 1), true},
		{"big set, many values", big, ints(0, 6_000, 1), ints(3_000, 9_000, 1), true},
		{"big set, all of it", big, ints(0, 6_000, 1), ints(0, 6_000, 1), true},
		{"small set, few values", small, ints(0, 200, 2), []int{0, 1, 2}, false},
	}
	sorted := func(xs []int) []int { return slices.Sorted(slices.Values(xs)) }
	for _, c := range cases {
		a, v := intSet(c.members), intSet(c.vs)
		var union, inter, diff, xor []int
		for x := range a {
			union = append(union, x)
			if v[x] {
				inter = append(inter, x)
			} else {
				diff, xor = append(diff, x), append(xor, x)
			}
		}
		for x := range v {
			if !a[x] {
				union, xor = append(union, x), append(xor, x)
			}
		}
		subset, superset := len(diff) == 0, len(inter) == len(v)
		reads := map[string]struct {
			f      func(context.Context, ...int) ([]int, error)
			want   []int
			member bool // reads every member: stepped for a big set too
		}{
			"UnionValues":               {c.set.UnionValues, union, true},
			"IntersectionValues":        {c.set.IntersectionValues, inter, false},
			"DifferenceValues":          {c.set.DifferenceValues, diff, true},
			"SymmetricDifferenceValues": {c.set.SymmetricDifferenceValues, xor, true},
		}
		for name, r := range reads {
			before := hotredis.ReadAttempts()
			got, err := r.f(ctx, c.vs...)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.name, name, err)
			}
			if !slices.Equal(sorted(got), sorted(r.want)) {
				t.Errorf("%s: %s = %d members, want %d", c.name, name, len(got), len(r.want))
			}
			stepped := c.stepped || (r.member && len(c.members) > 4_000)
			if went := hotredis.ReadAttempts() > before; went != stepped {
				t.Errorf("%s: %s went in steps: %v, want %v", c.name, name, went, stepped)
			}
		}
		checks := map[string]struct {
			f    func(context.Context, ...int) (bool, error)
			want bool
		}{
			"IsSubsetValues":   {c.set.IsSubsetValues, subset},
			"IsSupersetValues": {c.set.IsSupersetValues, superset},
			"IsDisjointValues": {c.set.IsDisjointValues, len(inter) == 0},
			"EqualValues":      {c.set.EqualValues, subset && len(a) == len(v)},
		}
		for name, ch := range checks {
			before := hotredis.ReadAttempts()
			got, err := ch.f(ctx, c.vs...)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.name, name, err)
			}
			if got != ch.want {
				t.Errorf("%s: %s = %v, want %v", c.name, name, got, ch.want)
			}
			if went := hotredis.ReadAttempts() > before; went != c.stepped {
				t.Errorf("%s: %s went in steps: %v, want %v", c.name, name, went, c.stepped)
			}
		}
	}
}

// TestSetRebuildOtherSetWritten has another program add a member to the
// other Set while a union with it is rebuilt: the union includes it.
func TestSetRebuildOtherSetWritten(t *testing.T) {
	a := hotredis.NewSet[int](key(t, "a"))
	b := hotredis.NewSet[int](key(t, "b"))
	defer a.Delete(ctx)
	defer b.Delete(ctx)
	a.Replace(ctx, ints(0, rebuildN/2, 1)...)
	b.Replace(ctx, ints(rebuildN/2, rebuildN, 1)...)
	obs := observe(t, a.Key(), "set")
	wrote := obs.writeDuring(b.Key(), "SADD", -1)
	if err := a.UnionUpdate(ctx, b); err != nil {
		t.Fatal(err)
	}
	looks := obs.finish()
	want := ints(0, rebuildN, 1)
	if checkRetried(t, <-wrote, looks) {
		want = append(want, -1) // added to the other set before the union's commit
	}
	if got, want := digestOf(t, a.Key()), setDigest(intSet(want)); got != want {
		t.Fatalf("digest %v, want %v: the member added to the other set meanwhile is missing", got, want)
	}
	noScratch(t, a.Key())
}

// TestBulkWriteWhoseScratchIsLostStartsAgain deletes the scratch key in
// the middle of bulk writes whose steps send the values as they are
// (SADD, SREM, HSET, HDEL in a MULTI/EXEC), once it holds what one of
// those steps did, as its expiry would after a long stall: the next step
// notices, the write starts again and ends equal to the model.
func TestBulkWriteWhoseScratchIsLostStartsAgain(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	// lose runs apply, deleting k's scratch key once it held the copy the
	// values apply to (from members or fields) and a step changed it.
	lose := func(t *testing.T, k, typ string, from int64, apply func() error) {
		t.Helper()
		var copied bool
		var lost atomic.Int64
		hotredis.DuringRebuilds(func() {
			if lost.Load() > 0 {
				return
			}
			for _, s := range scratchLeft(t, k) {
				n := rdb.SCard(ctx, s).Val()
				if typ == "hash" {
					n = rdb.HLen(ctx, s).Val()
				}
				if n != from && copied {
					lost.Add(rdb.Del(ctx, s).Val())
				}
				copied = copied || n == from
			}
		})
		tries := hotredis.RebuildTries()
		err := apply()
		hotredis.DuringRebuilds(nil)
		noErr(t, err)
		if lost.Load() == 0 {
			t.Fatal("no scratch key was lost")
		}
		// Exactly one more: an attempt whose steps all go as planned is not
		// taken for one that lost its scratch key.
		if n := hotredis.RebuildTries() - tries; n != 2 {
			t.Errorf("%d rebuild attempts, want 2: one more after the scratch key was lost", n)
		}
		noScratch(t, k)
	}
	const many = 30_000
	t.Run("Set.Add", func(t *testing.T) {
		s := hotredis.NewSet[int](key(t))
		must[int](t)(s.Add(ctx, rangeInts(100)...))
		lose(t, s.Key(), "set", 100, func() error { _, err := s.Add(ctx, rangeInts(many)...); return err })
		got := must[[]int](t)(s.Members(ctx))
		slices.Sort(got)
		if !slices.Equal(got, rangeInts(many)) {
			t.Errorf("%d members after Add, want %d", len(got), many)
		}
	})
	t.Run("Set.Remove", func(t *testing.T) {
		s := hotredis.NewSet[int](key(t))
		must[int](t)(s.Add(ctx, rangeInts(many+10)...))
		lose(t, s.Key(), "set", many+10, func() error { _, err := s.Remove(ctx, rangeInts(many)...); return err })
		got := must[[]int](t)(s.Members(ctx))
		slices.Sort(got)
		if want := rangeInts(many + 10)[many:]; !slices.Equal(got, want) {
			t.Errorf("members after Remove: %v, want %v", got, want)
		}
	})
	t.Run("Map.SetMany", func(t *testing.T) {
		m := hotredis.NewMap[int, int](key(t))
		noErr(t, m.SetMany(ctx, map[int]int{1: 1, 2: 2}))
		model := map[int]int{}
		for i := range many {
			model[i] = -i
		}
		lose(t, m.Key(), "hash", 2, func() error { return m.SetMany(ctx, model) })
		model[1], model[2] = -1, -2
		if got := must[map[int]int](t)(m.Items(ctx)); !maps.Equal(got, model) {
			t.Errorf("%d entries after SetMany, want %d", len(got), len(model))
		}
	})
	t.Run("Map.Remove", func(t *testing.T) {
		m := hotredis.NewMap[int, int](key(t))
		model := map[int]int{}
		for i := range many + 10 {
			model[i] = i
		}
		noErr(t, m.SetMany(ctx, model))
		ks := make([]int, many)
		for i := range ks {
			ks[i] = i
			delete(model, i)
		}
		lose(t, m.Key(), "hash", many+10, func() error { _, err := m.Remove(ctx, ks...); return err })
		if got := must[map[int]int](t)(m.Items(ctx)); !maps.Equal(got, model) {
			t.Errorf("entries after Remove: %v, want %v", got, model)
		}
	})
}

// TestBigReplaceWhoseCommitOutcomeIsUnknown: a Replace of more than 10,000
// items is built in a scratch key and swapped in by one script
// (rebuild_commit), which decides the outcome. When that script ran but
// its reply was lost, or it was held on its way past the caller's
// deadline and ran after it, the call is ErrUnknownOutcome (a review found
// the connection's or the context's error alone: a change applied after
// an error that reads as "not done"). Map, Set and Counter, each on both
// backends.
func TestBigReplaceWhoseCommitOutcomeIsUnknown(t *testing.T) {
	commit := lua.Load("rebuild_commit").SHA
	const items = 12_000
	// Each kind's Replace with generation gen of its value, and the
	// generation its key holds.
	kinds := []struct {
		name    string
		replace func(ctx context.Context, c *hotredis.Client, k string, gen int) error
		holds   func(t *testing.T, c *hotredis.Client, k string) int
	}{
		{"Map", func(ctx context.Context, c *hotredis.Client, k string, gen int) error {
			m := make(map[int]int, items)
			for i := range items {
				m[i] = gen
			}
			return hotredis.NewMap[int, int](k, hotredis.WithClient(c)).Replace(ctx, m)
		}, func(t *testing.T, c *hotredis.Client, k string) int {
			v, _, err := hotredis.NewMap[int, int](k, hotredis.WithClient(c)).Get(ctx, items-1)
			noErr(t, err)
			return v
		}},
		{"Set", func(ctx context.Context, c *hotredis.Client, k string, gen int) error {
			vs := make([]int, items)
			for i := range vs {
				vs[i] = gen*items + i
			}
			return hotredis.NewSet[int](k, hotredis.WithClient(c)).Replace(ctx, vs...)
		}, func(t *testing.T, c *hotredis.Client, k string) int {
			for _, gen := range []int{1, 2} {
				if must[bool](t)(hotredis.NewSet[int](k, hotredis.WithClient(c)).Contains(ctx, gen*items)) {
					return gen
				}
			}
			return 0
		}},
		{"Counter", func(ctx context.Context, c *hotredis.Client, k string, gen int) error {
			m := make(map[int]int64, items)
			for i := range items {
				m[i] = int64(gen)
			}
			return hotredis.NewCounter[int](k, hotredis.WithClient(c)).Replace(ctx, m)
		}, func(t *testing.T, c *hotredis.Client, k string) int {
			return int(must[int64](t)(hotredis.NewCounter[int](k, hotredis.WithClient(c)).Get(ctx, items-1)))
		}},
	}
	own := hotredistest.NewServer(t)
	direct := own.Client(t)
	for _, kind := range kinds {
		for _, fault := range []string{"reply lost", "held past the deadline"} {
			for _, backend := range []string{"rueidis", "go-redis"} {
				t.Run(kind.name+"/"+fault+"/"+backend, func(t *testing.T) {
					p := hotredistest.NewProxy(t, own.Addr)
					c := faultyClient(t, backend, p.Addr())
					k := key(t)
					noErr(t, kind.replace(ctx, c, k, 1)) // (also loads the scripts)
					p.StallOn(hotredistest.ToServer, commit)
					cctx, cancel := context.WithCancel(ctx)
					if fault == "held past the deadline" {
						cctx, cancel = context.WithTimeout(ctx, 2*time.Second)
					}
					defer cancel()
					done := make(chan error, 1)
					go func() { done <- kind.replace(cctx, c, k, 2) }()
					waitFor(t, func() bool { return !p.Armed() }) // the commit is held
					var err error
					if fault == "reply lost" {
						p.Stall(hotredistest.ToClient)
						p.Resume(hotredistest.ToServer)
						waitFor(t, func() bool { return kind.holds(t, direct, k) == 2 }) // it ran
						p.Cut()
						p.Resume(hotredistest.ToClient)
						err = <-done
					} else {
						err = <-done // (by the deadline, the commit still held)
						p.Resume(hotredistest.ToServer)
						waitFor(t, func() bool { return kind.holds(t, direct, k) == 2 }) // it ran after
					}
					if !errors.Is(err, hotredis.ErrUnknownOutcome) {
						t.Errorf("%s.Replace of %d items whose commit ran, %s: %v, want ErrUnknownOutcome", kind.name, items, fault, err)
					}
				})
			}
		}
	}
}

// A stepped bulk write's copy of a set or hash of long entries goes a few
// MiB a step, also for a handle that has not read the entries' size yet,
// or saw them short before another program made them long: the copy
// steps counted entries alone, and one copied 16 or all 24 entries of a
// MiB (a review, 2026-12-08: 0.4-1.3 s of the server's time).
func TestBulkWriteCopiesLongEntriesAFewMiBAStep(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	val := strings.Repeat("v", 1<<20)
	const n = 24
	for _, typ := range []string{"set", "hash", "hash seen short"} {
		t.Run(typ, func(t *testing.T) {
			k := key(t)
			m := hotredis.NewMap[int, int](k)
			s := hotredis.NewSet[int](k)
			if typ == "hash seen short" {
				e := map[int]int{}
				for i := range n {
					e[-1-i] = i
				}
				noErr(t, m.Replace(ctx, e))
				must[map[int]int](t)(m.Items(ctx))
				noErr(t, rdb.Del(ctx, k).Err())
			}
			for i := range n {
				if typ == "set" {
					noErr(t, rdb.SAdd(ctx, k, strconv.Itoa(i)+val).Err())
				} else {
					noErr(t, rdb.HSet(ctx, k, "big"+strconv.Itoa(i), val).Err())
				}
			}
			defer rdb.Del(ctx, k)
			var most, last int64
			hotredis.DuringRebuilds(func() {
				for _, tmp := range scratchLeft(t, k) {
					used := rdb.MemoryUsage(ctx, tmp, 0).Val()
					most, last = max(most, used-last), used
				}
			})
			defer hotredis.DuringRebuilds(nil)
			many := ints(0, 10_001, 1)
			if typ == "set" {
				must[int](t)(s.Add(ctx, many...))
				if got := value(rdb.SCard(ctx, k).Result())(t); got != n+int64(len(many)) {
					t.Fatalf("SCARD after Add = %d, want %d", got, n+len(many))
				}
			} else {
				e := map[int]int{}
				for _, i := range many {
					e[i] = i
				}
				noErr(t, m.SetMany(ctx, e))
				if got := value(rdb.HLen(ctx, k).Result())(t); got != n+int64(len(many)) {
					t.Fatalf("HLEN after SetMany = %d, want %d", got, n+len(many))
				}
			}
			// 2 MiB a step (stepBytes), and the SSCAN or HSCAN that
			// reached it may return a few more entries (a bucket's chain,
			// or both tables' while the dict rehashes): each takes 1.25
			// MiB of jemalloc's size classes. Seen: up to 5 entries, 6.25
			// MiB, and 8.8 MiB once under -race. Before the bound: 20-30
			// MiB.
			if most > 12<<20 {
				t.Errorf("a step grew the scratch copy by %.1f MiB: want a few at most", float64(most)/(1<<20))
			}
		})
	}
}

// One item past the bulk writes' bytes goes in one command: it cannot be
// split, and stepping copied the whole set to add it (a review,
// 2026-12-08: 142-150 steps for a 200,000-member set).
func TestOneLongItemIsOneCommand(t *testing.T) {
	k := key(t)
	s := hotredis.NewSet[string](k)
	defer s.Delete(ctx)
	small := make([]string, 20_000)
	for i := range small {
		small[i] = strconv.Itoa(i)
	}
	must[int](t)(s.Add(ctx, small...))
	long := strings.Repeat("x", 4<<20+1)
	var steps atomic.Int64
	hotredis.DuringRebuilds(func() { steps.Add(1) })
	defer hotredis.DuringRebuilds(nil)
	if n := must[int](t)(s.Add(ctx, long)); n != 1 {
		t.Fatalf("Add of one long member added %d", n)
	}
	if n := must[int](t)(s.Remove(ctx, long)); n != 1 {
		t.Fatalf("Remove of one long member removed %d", n)
	}
	if n := steps.Load(); n != 0 {
		t.Errorf("one long member added and removed in %d rebuild steps, want one command each", n)
	}
	if n := must[int](t)(s.Len(ctx)); n != len(small) {
		t.Errorf("Len = %d, want %d", n, len(small))
	}
}

// Stepped writes that run out of time drop their scratch copies: one
// whose step failed at the connection's deadline (set from ctx's) a moment
// before ctx's own timer fired sent its UNLINK with ctx, which failed too,
// and the copy stayed for its minute (a review, 2026-12-08: 55,000 fields
// left in one run of three).
func TestStepsOutOfTimeLeaveNoCopies(t *testing.T) {
	m := hotredis.NewMap[int, int](key(t))
	defer m.Delete(ctx)
	base := map[int]int{}
	for i := range 50_000 {
		base[i] = 1
	}
	noErr(t, m.Replace(ctx, base))
	upd := map[int]int{}
	for i := range 60_000 {
		upd[i] = 2
	}
	for range 6 {
		for _, d := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond} {
			cctx, cancel := context.WithTimeout(ctx, d)
			err := m.SetMany(cctx, upd)
			cancel()
			if err == nil {
				noErr(t, m.Replace(ctx, base)) // done in time: start again
			}
		}
	}
	noScratchSoon(t, m.Key())
}

// A client closed while a stepped write goes: the write is whole (a
// wrapped go-redis client stays open, and its steps may finish) or fails
// with ErrClosed, leaving the old value. It failed with rueidis's own
// "client is closing" (a review, 2026-12-08).
func TestCloseDuringStepsIsErrClosed(t *testing.T) {
	onceOnly(t)
	own := hotredistest.NewServer(t)
	rdb := own.GoRedis()
	defer rdb.Close()
	for _, be := range []string{"rueidis", "go-redis"} {
		t.Run(be, func(t *testing.T) {
			c := faultyClient(t, be, own.Addr)
			k := key(t)
			s := hotredis.NewSet[int](k, hotredis.WithClient(c))
			noErr(t, s.Replace(ctx, ints(0, 12_000, 2)...))
			var n atomic.Int64
			hotredis.DuringRebuilds(func() {
				if n.Add(1) == 3 {
					go c.Close()
					time.Sleep(20 * time.Millisecond)
				}
			})
			_, err := s.Add(ctx, ints(1, 30_000, 2)...)
			hotredis.DuringRebuilds(nil)
			got := rdb.SCard(ctx, k).Val()
			switch {
			case err == nil && got == 21_000:
			case err == nil:
				t.Errorf("Add succeeded but the set holds %d, want 21000", got)
			case !errors.Is(err, hotredis.ErrClosed):
				t.Errorf("closed midway: %v, want ErrClosed", err)
			case got != 6000:
				t.Errorf("size %d after a failed Add, want the old 6000", got)
			}
		})
	}
}
