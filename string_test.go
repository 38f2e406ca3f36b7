package hotredis_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/keys"
)

// pyBound clamps a Python slice bound for a sequence of length n.
func pyBound(i, n int) int {
	if i < 0 {
		i += n
		if i < 0 {
			i = 0
		}
	}
	return min(i, n)
}

// pySlice is Python's s[start:stop] on bytes.
func pySlice(s string, start, stop int) string {
	a, b := pyBound(start, len(s)), pyBound(stop, len(s))
	if b <= a {
		return ""
	}
	return s[a:b]
}

// pySetSlice is Python's slice assignment s[start:stop] = v on bytes.
func pySetSlice(s string, start, stop int, v string) string {
	a := pyBound(start, len(s))
	b := max(a, pyBound(stop, len(s)))
	return s[:a] + v + s[b:]
}

// goSetRange is SETRANGE: overwrite from offset, padding with zero bytes.
func goSetRange(s string, off int, v string) string {
	if v == "" {
		return s
	}
	if len(s) < off {
		s += strings.Repeat("\x00", off-len(s))
	}
	if end := off + len(v); end < len(s) {
		return s[:off] + v + s[end:]
	}
	return s[:off] + v
}

// tricky are strings whose case mapping, trimming or bytes are unusual.
var tricky = []string{"", "a", "ß", "İ", "ı", "ǅ", "ǆ", "Σσς", "ﬀ", "\u0085", "\u00a0", "\u3000", " ", "\t\n",
	"\xff", "\xe2\x82", "é", "e\u0301", "🙂", "Ǳ", "ǲ", "ſ", "K", "x", "ab", "\x00"}

func genText(t *rapid.T, label string) string {
	return rapid.OneOf(
		rapid.SampledFrom(tricky),
		rapid.String(),
		rapid.Custom(func(t *rapid.T) string { // mixtures of the tricky ones
			return strings.Join(rapid.SliceOfN(rapid.SampledFrom(tricky), 0, 6).Draw(t, "parts"), "")
		}),
		rapid.Custom(func(t *rapid.T) string { return string(rapid.SliceOfN(rapid.Byte(), 0, 12).Draw(t, "bytes")) }),
	).Draw(t, label)
}

func genIndex(t *rapid.T, label string) int {
	return rapid.OneOf(rapid.IntRange(-12, 12), rapid.SampledFrom([]int{math.MinInt, math.MaxInt, 1 << 53, -1 << 53})).Draw(t, label)
}

// stringTransforms pairs each in-place transform of String with the Go
// function whose semantics it has; a is a random argument, which some
// ignore.
var stringTransforms = map[string]struct {
	model func(s, a string) string
	op    func(s *hotredis.String, a string) (string, error)
}{
	"ToUpper":    {func(s, _ string) string { return strings.ToUpper(s) }, func(s *hotredis.String, _ string) (string, error) { return s.ToUpper(ctx) }},
	"ToLower":    {func(s, _ string) string { return strings.ToLower(s) }, func(s *hotredis.String, _ string) (string, error) { return s.ToLower(ctx) }},
	"ToTitle":    {func(s, _ string) string { return strings.ToTitle(s) }, func(s *hotredis.String, _ string) (string, error) { return s.ToTitle(ctx) }},
	"TrimSpace":  {func(s, _ string) string { return strings.TrimSpace(s) }, func(s *hotredis.String, _ string) (string, error) { return s.TrimSpace(ctx) }},
	"Trim":       {strings.Trim, func(s *hotredis.String, a string) (string, error) { return s.Trim(ctx, a) }},
	"TrimLeft":   {strings.TrimLeft, func(s *hotredis.String, a string) (string, error) { return s.TrimLeft(ctx, a) }},
	"TrimRight":  {strings.TrimRight, func(s *hotredis.String, a string) (string, error) { return s.TrimRight(ctx, a) }},
	"TrimPrefix": {strings.TrimPrefix, func(s *hotredis.String, a string) (string, error) { return s.TrimPrefix(ctx, a) }},
	"TrimSuffix": {strings.TrimSuffix, func(s *hotredis.String, a string) (string, error) { return s.TrimSuffix(ctx, a) }},
}

// TestStringMatchesGo runs random operations on a String and on a Go
// string with the same semantics, and compares every result.
func TestStringMatchesGo(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	rdb := rawClient()
	defer rdb.Close()
	rapid.Check(t, func(t *rapid.T) {
		model := genText(t, "initial")
		if err := s.Set(ctx, model); err != nil {
			t.Fatal(err)
		}
		for range rapid.IntRange(1, 8).Draw(t, "steps") {
			op := rapid.SampledFrom(append([]string{"Append", "Repeat", "Slice", "SetSlice", "SetRange", "Index",
				"HasPrefix", "HasSuffix", "Replace", "ReplaceAll", "Update", "Len"},
				slices.Sorted(maps.Keys(stringTransforms))...)).Draw(t, "op")
			var got, want any
			var err error
			a := genText(t, "a")
			switch op {
			case "Append":
				model += a
				got, err = s.Append(ctx, a)
				want = len(model)
			case "Repeat":
				n := rapid.IntRange(-1, 3).Draw(t, "n")
				model = strings.Repeat(model, max(n, 0))
				got, err = s.Repeat(ctx, n)
				want = len(model)
			case "Slice":
				i, j := genIndex(t, "start"), genIndex(t, "stop")
				got, err = s.Slice(ctx, i, j)
				want = pySlice(model, i, j)
			case "SetSlice":
				i, j := genIndex(t, "start"), genIndex(t, "stop")
				model = pySetSlice(model, i, j, a)
				got, err = s.SetSlice(ctx, i, j, a)
				want = len(model)
			case "SetRange":
				off := rapid.IntRange(0, 20).Draw(t, "offset")
				model = goSetRange(model, off, a)
				got, err = s.SetRange(ctx, off, a)
				want = len(model)
			case "Index":
				if rapid.Bool().Draw(t, "inside") && model != "" {
					a = pySlice(model, genIndex(t, "i"), genIndex(t, "j"))
				}
				got, err = s.Index(ctx, a)
				want = strings.Index(model, a)
				if c, err := s.Contains(ctx, a); err != nil || c != strings.Contains(model, a) {
					t.Fatalf("Contains(%q) on %q = %v, %v", a, model, c, err)
				}
			case "HasPrefix":
				if rapid.Bool().Draw(t, "inside") {
					a = pySlice(model, 0, genIndex(t, "j"))
				}
				got, err = s.HasPrefix(ctx, a)
				want = strings.HasPrefix(model, a)
			case "HasSuffix":
				if rapid.Bool().Draw(t, "inside") {
					a = pySlice(model, genIndex(t, "i"), math.MaxInt)
				}
				got, err = s.HasSuffix(ctx, a)
				want = strings.HasSuffix(model, a)
			case "Replace":
				b := genText(t, "b")
				n := rapid.IntRange(-1, 3).Draw(t, "n")
				model = strings.Replace(model, a, b, n)
				got, err = s.Replace(ctx, a, b, n)
				want = model
			case "ReplaceAll":
				b := genText(t, "b")
				model = strings.ReplaceAll(model, a, b)
				got, err = s.ReplaceAll(ctx, a, b)
				want = model
			case "Update":
				model = strings.Map(func(r rune) rune { return r + 1 }, model)
				got, err = s.Update(ctx, func(v string) string { return strings.Map(func(r rune) rune { return r + 1 }, v) })
				want = model
			case "Len":
				got, err = s.Len(ctx)
				want = len(model)
			default:
				tr := stringTransforms[op]
				model = tr.model(model, a)
				got, err = tr.op(s, a)
				want = model
			}
			if err != nil || got != want {
				t.Fatalf("%s(%q): got %#v, %v; want %#v", op, a, got, err, want)
			}
			stored, err := s.Get(ctx)
			if err != nil || stored != model {
				t.Fatalf("after %s: stored %q, %v; want %q", op, stored, err, model)
			}
			if exists := rdb.Exists(ctx, s.Key()).Val() == 1; exists != (model != "") {
				t.Fatalf("after %s: key exists = %v for %q (an empty String is never stored)", op, exists, model)
			}
		}
	})
}

// FuzzStringSlice checks the Python slice arithmetic of Slice and SetSlice
// on any bounds. Its seed corpus runs with go test.
func FuzzStringSlice(f *testing.F) {
	for _, b := range [][2]int{{0, 0}, {0, 5}, {-1, math.MaxInt}, {-3, -1}, {0, -3}, {2, 1}, {math.MinInt, math.MaxInt},
		{-100, 100}, {5, 100}, {100, -100}, {-1, 0}, {3, 3}, {1 << 53, -1 << 53}} {
		f.Add("abcdef", b[0], b[1], "X")
		f.Add("", b[0], b[1], "")
		f.Add("héllo wörld", b[0], b[1], "")
	}
	s := hotredis.NewString("test:FuzzStringSlice")
	f.Fuzz(func(t *testing.T, v string, start, stop int, w string) {
		if err := s.Set(ctx, v); err != nil {
			t.Fatal(err)
		}
		got, err := s.Slice(ctx, start, stop)
		if want := pySlice(v, start, stop); err != nil || got != want {
			t.Fatalf("%q[%d:%d] = %q, %v; want %q", v, start, stop, got, err, want)
		}
		n, err := s.SetSlice(ctx, start, stop, w)
		want := pySetSlice(v, start, stop, w)
		stored, _ := s.Get(ctx)
		if err != nil || n != len(want) || stored != want {
			t.Fatalf("%q[%d:%d] = %q gave %q (%d), %v; want %q", v, start, stop, w, stored, n, err, want)
		}
	})
}

func TestStringTable(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	s.Set(ctx, "abcdef")
	if n, err := s.SetSlice(ctx, 0, 5, "X"); n != 2 || err != nil {
		t.Fatalf("SetSlice = %d, %v", n, err)
	}
	if v, _ := s.Get(ctx); v != "Xf" {
		t.Fatalf("s[0:5] = X gave %q", v)
	}
	s.Delete(ctx)
	if n, err := s.Repeat(ctx, 3); n != 0 || err != nil { // a missing key repeats to ""
		t.Fatalf("Repeat on missing = %d, %v", n, err)
	}
	if v, err := s.Slice(ctx, -3, -1); v != "" || err != nil {
		t.Fatalf("Slice on missing = %q, %v", v, err)
	}
	if v, err := s.ToUpper(ctx); v != "" || err != nil {
		t.Fatalf("ToUpper on missing = %q, %v", v, err)
	}
	s.Set(ctx, "ǆemal straße")
	if v, _ := s.ToTitle(ctx); v != "ǅEMAL STRASSE" && v != strings.ToTitle("ǆemal straße") {
		t.Fatalf("ToTitle = %q", v)
	}
	if _, err := s.SetRange(ctx, -1, "x"); !errors.Is(err, hotredis.ErrIndexOutOfRange) {
		t.Fatalf("SetRange(-1): %v", err)
	}
	if _, err := s.Repeat(ctx, 1<<40); err == nil {
		t.Fatal("Repeat past 512 MiB: no error")
	}
}

// Many goroutines appending and updating at once lose nothing.
func TestStringConcurrent(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	const workers, each = 8, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				var err error
				if w%2 == 0 {
					_, err = s.Append(ctx, "a")
				} else {
					_, err = s.Update(ctx, func(v string) string { return "b" + v })
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	v, _ := s.Get(ctx)
	if strings.Count(v, "a") != workers/2*each || strings.Count(v, "b") != workers/2*each {
		t.Fatalf("lost updates: %d a, %d b", strings.Count(v, "a"), strings.Count(v, "b"))
	}
}

func TestStringWrongType(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	s := hotredis.NewString(key(t))
	im := hotredis.NewImmutableString(key(t))
	defer s.Delete(ctx)
	rdb.RPush(ctx, s.Key(), "x")
	e := func(_ any, err error) error { return err }
	for name, f := range map[string]func() error{
		"Get":       func() error { return e(s.Get(ctx)) },
		"Set":       func() error { return s.Set(ctx, "x") },
		"Set empty": func() error { return s.Set(ctx, "") },
		"Len":       func() error { return e(s.Len(ctx)) },
		"Append":    func() error { return e(s.Append(ctx, "x")) },
		"Repeat":    func() error { return e(s.Repeat(ctx, 2)) },
		"Slice":     func() error { return e(s.Slice(ctx, 0, 2)) },
		"SliceNeg":  func() error { return e(s.Slice(ctx, -2, -1)) },
		"SetSlice":  func() error { return e(s.SetSlice(ctx, 0, 1, "x")) },
		"SetRange":  func() error { return e(s.SetRange(ctx, 0, "x")) },
		"Index":     func() error { return e(s.Index(ctx, "x")) },
		"HasPrefix": func() error { return e(s.HasPrefix(ctx, "")) },
		"HasSuffix": func() error { return e(s.HasSuffix(ctx, "x")) },
		"ToUpper":   func() error { return e(s.ToUpper(ctx)) },
		"Im.Get":    func() error { return e(im.Get(ctx)) },
		"Im.Concat": func() error { return e(im.Concat(ctx, "x")) },
		"Im.Repeat": func() error { return e(im.Repeat(ctx, 2)) },
	} {
		if err := f(); !errors.Is(err, hotredis.ErrWrongType) {
			t.Errorf("%s on a list: %v", name, err)
		}
	}
	if n := rdb.LLen(ctx, s.Key()).Val(); n != 1 {
		t.Fatalf("list changed: %d", n)
	}
}

// TestScalarWritesRefuseAKeyOfAnotherType: String.Set, Int.Store and
// Float.Store refuse a key that holds another type with ErrWrongType and
// leave it as it was, expiry included, as every other call but Delete,
// Clear and Replace does (a review found them overwriting it: a plain SET
// replaces whatever a key holds). On a string they set the value and keep
// its expiry; Set("") deletes it.
func TestScalarWritesRefuseAKeyOfAnotherType(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	writes := map[string]func() error{
		"String.Set":       func() error { return hotredis.NewString(k).Set(ctx, "v") },
		"String.Set empty": func() error { return hotredis.NewString(k).Set(ctx, "") },
		"Int.Store":        func() error { return hotredis.NewInt(k).Store(ctx, 5) },
		"Float.Store":      func() error { return hotredis.NewFloat(k).Store(ctx, 2.5) },
	}
	for typ, fill := range map[string]func() error{
		"list":   func() error { return rdb.RPush(ctx, k, "x", "y").Err() },
		"set":    func() error { return rdb.SAdd(ctx, k, "x", "y").Err() },
		"zset":   func() error { return rdb.ZAdd(ctx, k, redis.Z{Score: 1, Member: "x"}).Err() },
		"hash":   func() error { return rdb.HSet(ctx, k, "a", "1").Err() },
		"stream": func() error { return rdb.XAdd(ctx, &redis.XAddArgs{Stream: k, Values: []string{"a", "1"}}).Err() },
	} {
		for name, write := range writes {
			noErr(t, rdb.Del(ctx, k).Err())
			noErr(t, fill())
			noErr(t, rdb.Expire(ctx, k, time.Hour).Err())
			before := must[string](t)(rdb.Dump(ctx, k).Result())
			if err := write(); !errors.Is(err, hotredis.ErrWrongType) {
				t.Errorf("%s on a %s: %v, want ErrWrongType", name, typ, err)
			}
			if after, err := rdb.Dump(ctx, k).Result(); err != nil || after != before {
				t.Errorf("%s on a %s changed it (%v)", name, typ, err)
			}
			if ttl := rdb.TTL(ctx, k).Val(); ttl < 59*time.Minute {
				t.Errorf("%s on a %s left the expiry at %v, want about 1h", name, typ, ttl)
			}
		}
	}
	for name, want := range map[string]string{"String.Set": "v", "Int.Store": "5", "Float.Store": "2.5", "String.Set empty": ""} {
		noErr(t, rdb.Set(ctx, k, "old", time.Hour).Err())
		noErr(t, writes[name]())
		got, err := rdb.Get(ctx, k).Result()
		if want == "" {
			if !errors.Is(err, redis.Nil) {
				t.Errorf("%s on a string left %q, %v; want the key deleted", name, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s on a string stored %q, %v; want %q", name, got, err, want)
		}
		if ttl := rdb.TTL(ctx, k).Val(); ttl < 59*time.Minute {
			t.Errorf("%s on a string left the expiry at %v, want it kept", name, ttl)
		}
	}
	noErr(t, rdb.Del(ctx, k).Err())
}

// TestStringSetOfALongValueIsANativeSET: a Set of more than 256 KiB is
// a native SET after a watched TYPE, not string_set, which would copy
// it into Lua (~8 ms of server time a MiB, found by a review): no script
// runs on a server of its own; it still refuses a key of another type,
// also inside Optimistic, and keeps the expiry; inside a Transaction,
// which cannot read, it is a bare SET (Set's doc).
func TestStringSetOfALongValueIsANativeSET(t *testing.T) {
	t.Parallel() // (a server of its own)
	srv := hotredistest.NewServer(t)
	rdb := srv.GoRedis()
	defer rdb.Close()
	c := srv.Client(t)
	k := key(t)
	s := hotredis.NewString(k, hotredis.WithClient(c))
	long := strings.Repeat("x", 1<<20)
	noErr(t, rdb.Set(ctx, k, "old", time.Hour).Err())
	noErr(t, s.Set(ctx, long))
	if n := callsOn(t, rdb, "evalsha") + callsOn(t, rdb, "eval"); n != 0 {
		t.Errorf("a Set of 1 MiB ran %d scripts, want none", n)
	}
	if got := rdb.Get(ctx, k).Val(); got != long {
		t.Errorf("a Set of 1 MiB stored %d bytes", len(got))
	}
	if ttl := rdb.TTL(ctx, k).Val(); ttl < 59*time.Minute {
		t.Errorf("a Set of 1 MiB left the expiry at %v, want it kept", ttl)
	}
	noErr(t, rdb.Del(ctx, k).Err())
	noErr(t, rdb.RPush(ctx, k, "a").Err())
	if err := s.Set(ctx, long); !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("a Set of 1 MiB on a list: %v, want ErrWrongType", err)
	}
	err := c.Optimistic(ctx, func(ctx context.Context) error { return s.Set(ctx, long) })
	if !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("a Set of 1 MiB on a list inside Optimistic: %v, want ErrWrongType", err)
	}
	if got := rdb.LRange(ctx, k, 0, -1).Val(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("the list is now %v", got)
	}
	noErr(t, c.Transaction(ctx, func(ctx context.Context) error { return s.Set(ctx, long) }))
	if got := rdb.Get(ctx, k).Val(); got != long {
		t.Errorf("a Set of 1 MiB inside a Transaction stored %d bytes, want a bare SET's", len(got))
	}
}

func TestStringTransaction(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		s.Set(ctx, "hello")
		s.Append(ctx, " world")
		s.SetSlice(ctx, 0, 1, "J")
		s.Repeat(ctx, 2)
		if _, err := s.ToUpper(ctx); !errors.Is(err, hotredis.ErrInTransaction) {
			t.Errorf("ToUpper in a transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx); v != "Jello worldJello world" {
		t.Fatalf("got %q", v)
	}
	err = hotredis.Optimistic(ctx, func(ctx context.Context) error {
		_, err := s.Replace(ctx, "world", "wörld", 1)
		return err
	}, s)
	if v, _ := s.Get(ctx); err != nil || v != "Jello wörldJello world" {
		t.Fatalf("got %q, %v", v, err)
	}
}

func TestImmutableString(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for name, c := range map[string]*hotredis.Client{"single": client, "cluster": nil} {
		t.Run(name, func(t *testing.T) {
			if c == nil {
				if testing.Short() {
					t.Skip("cluster")
				}
				c = sharedCluster(t).Client(t)
			}
			im := hotredis.NewImmutableString(key(t), hotredis.WithClient(c))
			if err := hotredis.NewString(im.Key(), hotredis.WithClient(c)).Set(ctx, "héllo"); err != nil {
				t.Fatal(err)
			}
			defer im.Delete(ctx)
			ab, err := im.Concat(ctx, ", wörld")
			if err != nil {
				t.Fatal(err)
			}
			defer ab.Delete(ctx)
			abab, err := ab.Repeat(ctx, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer abab.Delete(ctx)
			empty, err := im.Repeat(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			orig, _ := im.Get(ctx)
			v, _ := abab.Get(ctx)
			n, _ := abab.Len(ctx)
			sl, _ := abab.Slice(ctx, -7, -1)
			i, _ := abab.Index(ctx, "wö")
			has, _ := ab.Contains(ctx, "llo,")
			e, _ := empty.Get(ctx)
			if orig != "héllo" || v != "héllo, wörldhéllo, wörld" || n != len(v) || sl != " wörl" || i != 8 || !has || e != "" {
				t.Fatalf("got %q %q %d %q %d %v %q", orig, v, n, sl, i, has, e)
			}
			if ab.Key() == im.Key() || abab.Key() == ab.Key() || len(abab.Key()) > len(ab.Key())+2 {
				t.Fatalf("keys %q %q %q", im.Key(), ab.Key(), abab.Key())
			}
		})
	}
}

// TestStringEmptyWritesInTransaction: Append("") and SetRange(off, ""),
// writes that change nothing, queue nothing inside a Transaction (they
// failed there as reads: they call Len; found by review).
func TestStringEmptyWritesInTransaction(t *testing.T) {
	s := hotredis.NewString(key(t))
	defer s.Delete(ctx)
	noErr(t, s.Set(ctx, "abc"))
	err := hotredis.Transaction(ctx, func(ctx context.Context) error {
		if _, err := s.Append(ctx, ""); err != nil {
			t.Errorf("Append(\"\") in a transaction: %v", err)
		}
		if _, err := s.SetRange(ctx, 1, ""); err != nil {
			t.Errorf("SetRange(1, \"\") in a transaction: %v", err)
		}
		_, err := s.Append(ctx, "d")
		return err
	})
	noErr(t, err)
	if v, _ := s.Get(ctx); v != "abcd" {
		t.Fatalf("got %q", v)
	}
}

// TestStringRepeatOfEmptyByAnyCount: "" * n is "" for every n, in Go
// (strings.Repeat) and Python (it was refused before anything was read,
// as a list key was; found by review), and a list key is ErrWrongType.
func TestStringRepeatOfEmptyByAnyCount(t *testing.T) {
	const n = 1 << 40
	if strings.Repeat("", n) != "" {
		t.Fatal("model")
	}
	s := hotredis.NewString(key(t, "s"))
	if got, err := s.Repeat(ctx, n); got != 0 || err != nil {
		t.Errorf("String.Repeat(1<<40) of a missing string = %d, %v; want 0, nil", got, err)
	}
	im := hotredis.NewImmutableString(key(t, "im"))
	if r, err := im.Repeat(ctx, n); err != nil {
		t.Errorf("ImmutableString.Repeat(1<<40) of a missing string: %v; want an empty string", err)
	} else {
		r.Delete(ctx)
	}
	rdb := rawClient()
	defer rdb.Close()
	l := key(t, "list")
	defer rdb.Del(ctx, l)
	rdb.RPush(ctx, l, "x")
	if _, err := hotredis.NewString(l).Repeat(ctx, n); !errors.Is(err, hotredis.ErrWrongType) {
		t.Errorf("String.Repeat(1<<40) on a list key: %v; want ErrWrongType", err)
	}
}

// TestImmutableStringSiblingInTheSameSlot: Concat's and Repeat's new key
// hashes to the source's slot ("stored ... under a new unique key in the
// same Redis Cluster slot"), also for a key with a '}' and no hash tag
// (it did not, CROSSSLOT on a Cluster; found by review).
func TestImmutableStringSiblingInTheSameSlot(t *testing.T) {
	for _, k := range []string{key(t), "hotredis-test-plain", "hotredis-test-a}b", "}{hotredis-test", "hotredis-test-user}1"} {
		im := hotredis.NewImmutableString(k)
		r, err := im.Concat(ctx, "x")
		noErr(t, err)
		if keys.Slot(r.Key()) != keys.Slot(k) {
			t.Errorf("Concat of %q stored at %q: slot %d, source's slot %d", k, r.Key(), keys.Slot(r.Key()), keys.Slot(k))
		}
		r.Delete(ctx)
	}
}
