package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// TestStringLongRewritesMatchTheModelAndLetOthersIn rewrites strings of
// megabytes with every operation that builds them in steps (String.Repeat
// and SetSlice, ImmutableString's Concat and Repeat): each result equals
// Go's, the expiry is kept (a new ImmutableString has none), no scratch
// key is left, and another client was served between the steps and saw
// the old string whole.
func TestStringLongRewritesMatchTheModelAndLetOthersIn(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	model := varied(300 << 10)
	noErr(t, s.Set(ctx, model))
	must[bool](t)(s.Expire(ctx, time.Hour))
	im := hotredis.NewImmutableString(s.Key())
	rdb := rawClient()
	defer rdb.Close()

	// rewritten runs f, which must rebuild the string at k in steps, and
	// checks that another client was served between them, seeing the
	// old length.
	rewritten := func(name, k string, f func() error) {
		t.Helper()
		tries := hotredis.RebuildTries()
		done := watchRebuilds(func() (int64, error) { return rdb.StrLen(ctx, s.Key()).Result() }, int64(len(model)))
		err := f()
		served, stale := done()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if hotredis.RebuildTries() == tries || served == 0 {
			t.Errorf("%s: not rebuilt in steps (%d rebuilds, %d reads served between steps)", name, hotredis.RebuildTries()-tries, served)
		}
		if stale > 0 {
			t.Errorf("%s: a reader between steps saw a length other than the old one", name)
		}
		noScratch(t, k)
	}
	check := func(name, k, want string, ttl bool) {
		t.Helper()
		got := rdb.Get(ctx, k).Val()
		if got != want {
			t.Fatalf("after %s: %d bytes, want %d; first difference at %d", name, len(got), len(want), firstDiff([]byte(got), []byte(want)))
		}
		d := rdb.PTTL(ctx, k).Val()
		if ttl && d <= time.Hour-time.Minute || !ttl && d >= 0 {
			t.Fatalf("after %s: TTL %v, want %v", name, d, map[bool]string{true: "about an hour", false: "none"}[ttl])
		}
	}

	for _, tc := range []struct {
		name  string
		apply func() (int, error)
		model func() string
	}{
		{"Repeat 5 times", func() (int, error) { return s.Repeat(ctx, 5) }, func() string { return strings.Repeat(model, 5) }},
		{"SetSlice of a longer value", func() (int, error) { return s.SetSlice(ctx, 100, 200, strings.Repeat("X", 300<<10)) }, func() string {
			return model[:100] + strings.Repeat("X", 300<<10) + model[200:]
		}},
		{"SetSlice shrinking, negative bounds", func() (int, error) { return s.SetSlice(ctx, 7, -(1 << 20), "y") }, func() string {
			return model[:7] + "y" + model[len(model)-1<<20:]
		}},
		{"SetSlice of a long value, inserting", func() (int, error) { return s.SetSlice(ctx, 4, 2, varied(5<<20)) }, func() string {
			return model[:4] + varied(5<<20) + model[4:]
		}},
		{"Repeat of a string longer than a step", func() (int, error) { return s.Repeat(ctx, 3) }, func() string { return strings.Repeat(model, 3) }},
		{"SetSlice past the end, appending", func() (int, error) { return s.SetSlice(ctx, 1<<40, 1<<40, "end") }, func() string { return model + "end" }},
	} {
		var n int
		rewritten(tc.name, s.Key(), func() (err error) { n, err = tc.apply(); return err })
		model = tc.model()
		if n != len(model) {
			t.Errorf("%s returned %d, want %d", tc.name, n, len(model))
		}
		check(tc.name, s.Key(), model, true)
	}

	var cat, rep *hotredis.ImmutableString
	suffix := varied(3<<20 + 5)
	rewritten("ImmutableString.Concat", s.Key(), func() (err error) { cat, err = im.Concat(ctx, suffix); return err })
	defer cat.Delete(ctx)
	check("ImmutableString.Concat", cat.Key(), model+suffix, false)
	rewritten("ImmutableString.Repeat", s.Key(), func() (err error) { rep, err = im.Repeat(ctx, 2); return err })
	defer rep.Delete(ctx)
	check("ImmutableString.Repeat", rep.Key(), model+model, false)
	check("ImmutableString's Concat and Repeat", s.Key(), model, true)

	// Inside a transaction: one script.
	tries := hotredis.RebuildTries()
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
		_, err := s.SetSlice(ctx, 0, 1, "ab")
		return err
	}))
	model = "ab" + model[1:]
	check("SetSlice in a transaction", s.Key(), model, true)
	if n := hotredis.RebuildTries() - tries; n != 0 {
		t.Errorf("SetSlice in a transaction: %d rebuilds, want none", n)
	}

	// Results past Redis's 512 MiB: refused, nothing changed.
	if _, err := s.Repeat(ctx, (512<<20)/len(model)+1); !errors.Is(err, hotredis.ErrInvalidArgument) {
		t.Errorf("Repeat past 512 MiB: %v, want ErrInvalidArgument", err)
	}
	check("a refused Repeat", s.Key(), model, true)
	noScratch(t, s.Key())
}

// TestStringLongRewriteWithAWriterMeanwhile has another program append to
// a long string while its Repeat is built: the rebuild starts over and
// the append is kept, before the repeat or after it.
func TestStringLongRewriteWithAWriterMeanwhile(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	model := varied(1 << 20)
	noErr(t, s.Set(ctx, model))
	obs := observe(t, s.Key(), "string")
	w := obs.writeDuring(s.Key(), "APPEND", "w")
	n := must[int](t)(s.Repeat(ctx, 4))
	var wr writeResult
	select {
	case wr = <-w:
	case <-time.After(10 * time.Second):
		t.Fatal("no rebuild was seen")
	}
	want := strings.Repeat(model+"w", 4)
	if !checkRetried(t, wr, obs.finish()) {
		want = strings.Repeat(model, 4) + "w"
		n++
	}
	if n != len(want) {
		t.Errorf("Repeat returned %d; the string holds %d bytes", n, len(want))
	}
	if got := rawClient().Get(ctx, s.Key()).Val(); got != want {
		t.Fatalf("%d bytes, want %d; first difference at %d", len(got), len(want), firstDiff([]byte(got), []byte(want)))
	}
	noScratch(t, s.Key())
}

// TestImmutableStringStepErrorsNameTheSource: an error met while an
// ImmutableString's Concat is built in steps (its source turned into a
// list meanwhile) names the source, not the new key no caller knows.
func TestImmutableStringStepErrorsNameTheSource(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	noErr(t, rdb.Set(ctx, k, varied(300<<10), 0).Err())
	defer rdb.Del(ctx, k)
	var once sync.Once
	hotredis.DuringRebuilds(func() {
		once.Do(func() { rdb.Del(ctx, k); rdb.RPush(ctx, k, "x") })
	})
	_, err := hotredis.NewImmutableString(k).Concat(ctx, "more")
	hotredis.DuringRebuilds(nil)
	if !errors.Is(err, hotredis.ErrWrongType) || !strings.Contains(err.Error(), strconv.Quote(k)) {
		t.Fatalf("Concat whose source became a list = %v; want ErrWrongType naming %q", err, k)
	}
}

// TestStringLongReadsAndInPlaceWritesMatchTheModel: on strings of
// megabytes, the operations that once ran as one script over the whole
// value (seconds for Index's search, ~3-6 ms a MiB for the others; found
// by review) give Go's and Python's answers by native steps: Index and
// Contains read windows while the key is watched (one snapshot: a write
// during the first attempt is seen whole), a long Slice with negative
// bounds is one MULTI of STRLEN and GETRANGE, a transform commits by
// WATCH and SET, and a SetSlice of a long value of the slice's length
// writes it in place; the expiry is kept.
func TestStringLongReadsAndInPlaceWritesMatchTheModel(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	const window = readWindow
	model := []byte(varied(9<<20 + 13))
	long := strings.Repeat("needle-", 6) + "!" // over 16 bytes
	copy(model[window-10:], long)              // across the first windows' seam
	copy(model[len(model)-100:], "tail-needle")
	v := string(model)
	noErr(t, s.Set(ctx, v))
	must[bool](t)(s.Expire(ctx, time.Hour))

	for _, sub := range []string{long, "tail-needle", "not-there-at-all", "", v[5<<20 : 5<<20+3]} {
		before := hotredis.ReadAttempts()
		got, err := s.Index(ctx, sub)
		noErr(t, err)
		if want := strings.Index(v, sub); got != want {
			t.Errorf("Index(%.20q) = %d, want %d", sub, got, want)
		}
		if hotredis.ReadAttempts() == before {
			t.Errorf("Index(%.20q) of %d MiB: not read in steps", sub, len(v)>>20)
		}
		if ok, err := s.Contains(ctx, sub); err != nil || ok != strings.Contains(v, sub) {
			t.Errorf("Contains(%.20q) = %v, %v", sub, ok, err)
		}
	}

	// A write during the read's first attempt: the answer is the new
	// string's, read again whole.
	rdb := rawClient()
	defer rdb.Close()
	attempts := writeOnFirstRead(func() { noErr(t, rdb.SetRange(ctx, s.Key(), 3, "tail-needle").Err()) })
	got, err := s.Index(ctx, "tail-needle")
	hotredis.DuringReads(nil)
	noErr(t, err)
	if got != 3 || attempts() < 2 {
		t.Errorf("Index with a write during its read = %d after %d attempts, want 3 after 2", got, attempts())
	}
	copy(model[3:], "tail-needle")
	v = string(model)

	n := len(v)
	for _, b := range [][2]int{{-(6 << 20), -5}, {-(1 << 40), 1 << 40}, {-1, n}, {-(5 << 20), 0}, {7 << 20, -(3 << 20)}, {-(9 << 20), -(9 << 20)}} {
		got, err := s.Slice(ctx, b[0], b[1])
		noErr(t, err)
		if want := pySlice(v, b[0], b[1]); got != want {
			t.Errorf("Slice(%d, %d) = %d bytes, want %d", b[0], b[1], len(got), len(want))
		}
	}

	upper, err := s.ToUpper(ctx)
	noErr(t, err)
	v = strings.ToUpper(v)
	if upper != v || rdb.Get(ctx, s.Key()).Val() != v {
		t.Fatal("ToUpper of a long string: not Go's")
	}
	x := strings.Repeat("X", 300<<10)
	if l, err := s.SetSlice(ctx, -(2 << 20), -(2<<20)+len(x), x); err != nil || l != n {
		t.Fatalf("SetSlice of the slice's length = %d, %v; want %d", l, err, n)
	}
	v = v[:n-2<<20] + x + v[n-2<<20+len(x):]
	if rdb.Get(ctx, s.Key()).Val() != v {
		t.Fatal("SetSlice in place of a long value: not the model's")
	}
	if d := rdb.PTTL(ctx, s.Key()).Val(); d <= time.Hour-time.Minute {
		t.Errorf("TTL %v after the writes, want about an hour", d)
	}
	if _, err := s.SetSlice(ctx, 0, 1, strings.Repeat("Y", 300<<10)); err != nil {
		t.Fatal(err) // (not in place: by steps)
	}
	if got := rdb.Get(ctx, s.Key()).Val(); got != strings.Repeat("Y", 300<<10)+v[1:] {
		t.Error("SetSlice of a long value of another length: not the model's")
	}
}

// TestStringLongWholeReadsGoInWindows reads a string of 5 MiB whole and
// in long parts (Get, Slice from either end, HasPrefix and HasSuffix of
// 3 MiB, Update): each answer is the model's, and SLOWLOG shows no
// command that read more than a 2 MiB window of it (a GET of 16 MiB held
// Redis ~43 ms here). A write during a read's first attempt gives the new
// string's answer, read again; inside Optimistic the reads are the
// watched ones.
func TestStringLongWholeReadsGoInWindows(t *testing.T) {
	k, s, raw, log := windowedString(t)
	v := varied(5<<20 + 5)
	noErr(t, s.Set(ctx, v))
	must[bool](t)(s.Expire(ctx, time.Hour))
	n := len(v)
	other := func(p string) string { // p with its middle byte changed
		b := []byte(p)
		b[len(b)/2] ^= 1
		return string(b)
	}

	type read struct {
		name string
		do   func() (any, error)
		want any
	}
	reads := []read{
		{"Get", func() (any, error) { return s.Get(ctx) }, v},
		{"Slice(0, MaxInt)", func() (any, error) { return s.Slice(ctx, 0, math.MaxInt) }, v},
		{"Slice(1 MiB, 4 MiB)", func() (any, error) { return s.Slice(ctx, 1<<20, 4<<20) }, v[1<<20 : 4<<20]},
		{"Slice(-n, -1)", func() (any, error) { return s.Slice(ctx, -n, -1) }, v[:n-1]},
		{"Slice(-(3 MiB), MaxInt)", func() (any, error) { return s.Slice(ctx, -(3 << 20), math.MaxInt) }, v[n-3<<20:]},
		{"HasPrefix(3 MiB)", func() (any, error) { return s.HasPrefix(ctx, v[:3<<20]) }, true},
		{"HasPrefix(3 MiB, one byte off)", func() (any, error) { return s.HasPrefix(ctx, other(v[:3<<20])) }, false},
		{"HasPrefix(longer than it)", func() (any, error) { return s.HasPrefix(ctx, v+"x") }, false},
		{"HasSuffix(3 MiB)", func() (any, error) { return s.HasSuffix(ctx, v[n-3<<20:]) }, true},
		{"HasSuffix(3 MiB, one byte off)", func() (any, error) { return s.HasSuffix(ctx, other(v[n-3<<20:])) }, false},
		{"HasSuffix(all of it)", func() (any, error) { return s.HasSuffix(ctx, v) }, true},
		{"Update(unchanged)", func() (any, error) { return s.Update(ctx, func(old string) string { return old }) }, v},
		{"ImmutableString.Get", func() (any, error) { return hotredis.NewImmutableString(k).Get(ctx) }, v},
	}
	for _, r := range reads {
		log.reset(t)
		before := hotredis.ReadAttempts()
		got, err := r.do()
		noErr(t, err)
		if got != r.want {
			t.Errorf("%s: not the model's answer", r.name)
		}
		if hotredis.ReadAttempts() == before && !strings.HasPrefix(r.name, "Update") && r.name != "HasPrefix(longer than it)" {
			t.Errorf("%s: not read as a snapshot in steps", r.name)
		}
		log.checkWindows(t, k, r.name)
	}

	// Around the window's size, and a short string: one GETRANGE each.
	for _, l := range []int{readWindow - 1, readWindow, readWindow + 1, 100} {
		w := varied(l)
		noErr(t, s.Set(ctx, w))
		if got, err := s.Get(ctx); err != nil || got != w {
			t.Errorf("Get of %d bytes: %d bytes, %v", l, len(got), err)
		}
		if got, err := s.Slice(ctx, 1, math.MaxInt); err != nil || got != w[1:] {
			t.Errorf("Slice(1, MaxInt) of %d bytes: %d bytes, %v", l, len(got), err)
		}
	}

	// A write during the first attempt: the new string, read again.
	noErr(t, s.Set(ctx, v))
	attempts := writeOnFirstRead(func() { noErr(t, raw.SetRange(ctx, k, 3, "CHANGED").Err()) })
	got, err := s.Get(ctx)
	hotredis.DuringReads(nil)
	noErr(t, err)
	if want := v[:3] + "CHANGED" + v[10:]; got != want || attempts() < 2 {
		t.Errorf("Get with a write during its read: the new string %v, after %d attempts (want 2 or more)", got == want, attempts())
	}
	v = got

	// Update of a long string reads it whole in windows, writes it by a
	// native SET, and keeps the expiry.
	log.reset(t)
	up, err := s.Update(ctx, strings.ToUpper)
	noErr(t, err)
	log.checkWindows(t, k, "Update")
	if v = strings.ToUpper(v); up != v || raw.Get(ctx, k).Val() != v {
		t.Fatal("Update(ToUpper) of a long string: not Go's")
	}
	if d := raw.PTTL(ctx, k).Val(); d <= time.Hour-time.Minute {
		t.Errorf("TTL %v after Update, want about an hour", d)
	}

	// Inside Optimistic: the reads are watched, and a change to the
	// string meanwhile aborts the transaction.
	noErr(t, hotredis.Optimistic(ctx, func(ctx context.Context) error {
		got, err := s.Get(ctx)
		if err != nil || got != v {
			t.Errorf("Get inside Optimistic: %d bytes, %v", len(got), err)
		}
		_, err = s.Update(ctx, func(old string) string { return strings.ToLower(old) })
		return err
	}, s))
	if v = strings.ToLower(v); raw.Get(ctx, k).Val() != v {
		t.Fatal("Update inside Optimistic of a long string: not Go's")
	}
	err = hotredis.Optimistic(ctx, func(ctx context.Context) error {
		if _, err := s.Get(ctx); err != nil {
			return err
		}
		return raw.Append(ctx, k, "!").Err()
	}, s)
	if !errors.Is(err, hotredis.ErrTxConflict) {
		t.Errorf("Optimistic with the string changed after its long Get: %v, want ErrTxConflict", err)
	}
}

// TestStringIndexOfALongSubGoesInWindows searches a 9 MiB string for subs
// longer than a script searches (over 64 KiB) up to longer than a window
// (3 MiB) and longer than the string: each answer is strings.Index's, no
// script is sent the sub, and no command reads more than a window.
func TestStringIndexOfALongSubGoesInWindows(t *testing.T) {
	k, s, _, log := windowedString(t)
	b := []byte(varied(9 << 20))
	copy(b[7<<20:], "unique marker")
	v := string(b)
	noErr(t, s.Set(ctx, v))
	off := func(p string) string { // p with its last byte changed
		return p[:len(p)-1] + string(rune(p[len(p)-1]^1))
	}
	for _, sub := range []string{
		v[3<<20-5 : 6<<20+7], v[7<<20-readWindow : 7<<20+20], v[100 : 100+100<<10], off(v[5<<20 : 8<<20]),
		v[len(v)-readWindow-1:], v, v + "x", strings.Repeat("z", 70<<10),
	} {
		log.reset(t)
		got, err := s.Index(ctx, sub)
		noErr(t, err)
		if want := strings.Index(v, sub); got != want {
			t.Errorf("Index(%d bytes at %d) = %d, want %d", len(sub), strings.Index(v, sub[:20]), got, want)
		}
		if ok, err := s.Contains(ctx, sub); err != nil || ok != strings.Contains(v, sub) {
			t.Errorf("Contains(%d bytes) = %v, %v", len(sub), ok, err)
		}
		log.checkWindows(t, k, fmt.Sprintf("Index(%d bytes)", len(sub)))
	}
}

// readWindow is the most bytes one step of a long string's read asks for.
const readWindow = 2 << 20

// windowedString starts a test of a long string's reads: its key, a
// handle, a raw client and a SLOWLOG logging every command on the key's
// server, each closed or deleted when t ends.
func windowedString(t *testing.T) (string, *hotredis.String, redis.UniversalClient, slowlog) {
	k := key(t)
	s := hotredis.NewString(k)
	raw := rawClient()
	t.Cleanup(func() { raw.Del(ctx, k); raw.Close() })
	return k, s, raw, slowlogAll(t, nodeFor(t, raw, k))
}

// checkWindows fails t for each command logged on k that read more of it
// than a window: a GET, a GETRANGE of more, or a script sent a long value
// (SLOWLOG cuts an argument over 128 bytes, saying "(N more bytes)"), in
// the step named what.
func (s slowlog) checkWindows(t *testing.T, k, what string) {
	t.Helper()
	for _, c := range s.commands(t, k) {
		switch name := strings.ToUpper(c[0]); {
		case name == "GET":
			t.Errorf("%s: a whole GET", what)
		case strings.HasPrefix(name, "EVAL") || strings.HasPrefix(name, "FCALL"):
			for _, a := range c[2:] { // (after the script's hash or text)
				if strings.HasSuffix(a, " more bytes)") {
					t.Errorf("%s: a script sent a long value (%.60q)", what, c)
				}
			}
		case name == "GETRANGE":
			a, b := must[int](t)(strconv.Atoi(c[2])), must[int](t)(strconv.Atoi(c[3]))
			if a < 0 || b-a+1 > readWindow {
				t.Errorf("%s: %q reads more than a window", what, c)
			}
		}
	}
}
