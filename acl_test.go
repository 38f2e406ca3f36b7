package hotredis_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// TestACLPermissionError: whatever path a refused key or command takes
// (a plain command, a script, a blocking command, a transaction), the
// error wraps ErrPermission and names the object.
func TestACLPermissionError(t *testing.T) {
	onceOnly(t)
	s := hotredistest.NewACLServer(t, "app:")
	c := s.Client(t)
	cases := []struct {
		name string
		key  string
		op   func(ctx context.Context, key string) error
	}{
		{"command", "other:list", func(ctx context.Context, k string) error {
			_, err := hotredis.NewList[int](k, hotredis.WithClient(c)).Append(ctx, 1)
			return err
		}},
		{"script", "other:lock", func(ctx context.Context, k string) error {
			return hotredis.NewLock(k, hotredis.WithClient(c)).Acquire(ctx)
		}},
		{"blocking", "other:queue", func(ctx context.Context, k string) error {
			_, err := hotredis.NewQueue[string](k, hotredis.WithClient(c)).Get(ctx)
			return err
		}},
		{"read", "other:map", func(ctx context.Context, k string) error {
			_, err := hotredis.NewMap[string, int](k, hotredis.WithClient(c)).Len(ctx)
			return err
		}},
		{"transaction", "{app:x}:ok", func(ctx context.Context, k string) error {
			return c.Transaction(ctx, func(ctx context.Context) error {
				hotredis.NewList[int](k, hotredis.WithClient(c)).Append(ctx, 1)
				hotredis.NewList[int]("other:{app:x}", hotredis.WithClient(c)).Append(ctx, 1)
				return nil
			})
		}},
		{"optimistic", "other:watched", func(ctx context.Context, k string) error {
			return c.Optimistic(ctx, func(ctx context.Context) error { return nil }, hotredis.NewInt(k, hotredis.WithClient(c)))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			start := time.Now()
			err := tc.op(cctx, tc.key)
			if !errors.Is(err, hotredis.ErrPermission) {
				t.Fatalf("err = %v, want ErrPermission", err)
			}
			if time.Since(start) > 2*time.Second {
				t.Errorf("the refusal took %v", time.Since(start))
			}
			if !strings.Contains(err.Error(), "NOPERM") {
				t.Errorf("%v: the server's reason is missing", err)
			}
			if tc.name != "transaction" && tc.name != "optimistic" && !strings.Contains(err.Error(), tc.key) {
				t.Errorf("%v: does not name the key %q", err, tc.key)
			}
		})
	}
	// Nothing was written by the refused transaction's allowed half.
	if n, _ := hotredis.NewList[int]("{app:x}:ok", hotredis.WithClient(c)).Len(ctx); n != 0 {
		t.Errorf("a refused transaction applied a write")
	}

	t.Run("auxiliary key", func(t *testing.T) {
		// With "~app:*" alone a Lock at "app:lock" is refused: its wake
		// list is "{app:lock}:wake", which needs "~{app:*".
		nc := aclUser(t, s, "narrow", "~app:*")
		err := hotredis.NewLock("app:lock", hotredis.WithClient(nc)).Acquire(ctx)
		if !errors.Is(err, hotredis.ErrPermission) {
			t.Errorf("Lock with ~app:* only: %v, want ErrPermission", err)
		}
		// A key with its own tag keeps its auxiliary keys under it.
		l := hotredis.NewLock("app:{lock}", hotredis.WithClient(nc))
		noErr(t, l.Acquire(ctx))
		noErr(t, l.Release(ctx))
	})

	t.Run("command in a script", func(t *testing.T) {
		// SORT refused inside list_sort's script reaches the caller as
		// ErrPermission too (Redis words it as a script error).
		nc := aclUser(t, s, "nosort", "~app:* ~{app:*", "-sort")
		l := hotredis.NewList[int]("app:sorted", hotredis.WithClient(nc))
		noErr(t, l.Replace(ctx, 2, 1))
		if err := l.Sort(ctx, false); !errors.Is(err, hotredis.ErrPermission) {
			t.Errorf("Sort without +sort: %v, want ErrPermission", err)
		}
	})

	t.Run("MULTI refused", func(t *testing.T) {
		// Without +multi the commands of a pipelined MULTI/EXEC run one by
		// one: the caller learns it, as ErrPermission, rather than nothing.
		nc := aclUser(t, s, "nomulti", "~app:* ~{app:*", "-multi")
		q := hotredis.NewQueue[int]("app:q", hotredis.WithClient(nc))
		if _, err := q.Expire(ctx, time.Minute); !errors.Is(err, hotredis.ErrPermission) || !strings.Contains(err.Error(), "MULTI") {
			t.Errorf("Queue.Expire (MULTI/EXEC) without +multi: %v, want ErrPermission naming MULTI", err)
		}
	})
}

// aclUser makes user name (password "pw") on s with the key patterns
// keys, hotredistest.ACLRules and then the rules extra, and returns a
// client logged in as it, closed when t ends.
func aclUser(t *testing.T, s *hotredistest.Server, name, keys string, extra ...string) *hotredis.Client {
	t.Helper()
	rdb := s.GoRedis()
	defer rdb.Close()
	args := []any{"ACL", "SETUSER", name, "reset", "on", ">pw"}
	for _, r := range append(strings.Fields(keys+" "+hotredistest.ACLRules), extra...) {
		args = append(args, r)
	}
	noErr(t, rdb.Do(ctx, args...).Err())
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}, Username: name, Password: "pw"})
	noErr(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// TestWholeReadsWithoutMemoryUsage: a user not allowed MEMORY USAGE
// (rules older than sizeUp) still reads big sets and hashes whole, by the
// size last seen.
func TestWholeReadsWithoutMemoryUsage(t *testing.T) {
	onceOnly(t)
	s := hotredistest.NewACLServer(t, "app:")
	admin := s.GoRedis()
	defer admin.Close()
	noErr(t, admin.Do(ctx, "ACL", "SETUSER", hotredistest.ACLUsername, "-memory|usage").Err())
	c := s.Client(t)
	set := hotredis.NewSet[int]("app:set", hotredis.WithClient(c))
	m := hotredis.NewMap[int, int]("app:map", hotredis.WithClient(c))
	for _, n := range []int{3_000, 20_000, 3_000} {
		entries := make(map[int]int, n)
		for i := range n {
			entries[i] = -i
		}
		noErr(t, set.Replace(ctx, ints(0, n, 1)...))
		noErr(t, m.Replace(ctx, entries))
		for range 2 {
			if got := must[[]int](t)(set.Members(ctx)); !slices.Equal(sorted(got), ints(0, n, 1)) {
				t.Fatalf("Members of %d: %d members, not the model's", n, len(got))
			}
			if got := must[map[int]int](t)(m.Items(ctx)); !maps.Equal(got, entries) {
				t.Fatalf("Items of %d: %d entries, not the model's", n, len(got))
			}
		}
	}
	if denied := must[[]any](t)(admin.Do(ctx, "ACL", "LOG").Slice()); len(denied) == 0 {
		t.Error("ACL LOG is empty: the reads never asked for MEMORY USAGE")
	}
}

// TestWholeReadsOfAUserWithoutScripts: a user with the library's rules
// but no script commands (a read-only reporting user, say) reads sets and
// hashes whole at every size, big ones sized by the counting command
// alone (a review: size_of's refusal failed every read of a big value);
// its client asks for the script once, not on every read.
func TestWholeReadsOfAUserWithoutScripts(t *testing.T) {
	onceOnly(t)
	s := hotredistest.NewACLServer(t, "app:")
	admin := s.GoRedis()
	defer admin.Close()
	noErr(t, admin.Do(ctx, "ACL", "SETUSER", hotredistest.ACLUsername, "-eval", "-evalsha", "-eval_ro", "-evalsha_ro").Err())
	c := s.Client(t)
	on := hotredis.WithClient(c)
	refusals := func() (n int64) {
		for _, e := range must[[]*redis.ACLLogEntry](t)(admin.ACLLog(ctx, 100).Result()) {
			if strings.HasPrefix(e.Object, "eval") {
				n += e.Count
			}
		}
		return n
	}
	for round, n := range []int{100, 3_000, 3_000} {
		set := hotredis.NewSet[int]("app:set:"+strconv.Itoa(n), on)
		m := hotredis.NewMap[int, int]("app:map:"+strconv.Itoa(n), on)
		l := hotredis.NewList[int]("app:list:"+strconv.Itoa(n), on)
		entries := map[int]int{}
		for i := range n {
			entries[i] = -i
			noErr(t, admin.HSet(ctx, m.Key(), strconv.Itoa(i), strconv.Itoa(-i)).Err())
			noErr(t, admin.SAdd(ctx, set.Key(), i).Err())
			noErr(t, admin.RPush(ctx, l.Key(), i).Err())
		}
		for i := range 3 {
			if got, err := set.Members(ctx); err != nil || !slices.Equal(sorted(got), ints(0, n, 1)) {
				t.Errorf("%d members, read %d: Members %d, %v", n, i, len(got), err)
			}
			if got, err := m.Items(ctx); err != nil || !maps.Equal(got, entries) {
				t.Errorf("%d entries, read %d: Items %d, %v", n, i, len(got), err)
			}
			if got, err := l.Slice(ctx, 1, n); err != nil || !slices.Equal(got, ints(1, n, 1)) {
				t.Errorf("%d items, read %d: List.Slice %d, %v", n, i, len(got), err)
			}
		}
		if got := refusals(); round == 0 && got != 0 || round > 0 && got != 1 {
			t.Errorf("after the reads of %d entries: %d script refusals in ACL LOG, want %d", n, got, min(round, 1))
		}
		noErr(t, admin.Del(ctx, set.Key(), m.Key(), l.Key()).Err())
	}
}

// TestACLRulesCoverLibraryCommands checks hotredistest.ACLRules against
// every Redis command named in the library's Go and Lua sources, so a new
// command cannot break least-privilege users unnoticed.
// (HOTREDIS_TEST_TOPOLOGY=acl runs the whole suite as such a user.)
func TestACLRulesCoverLibraryCommands(t *testing.T) {
	rdb := srv.GoRedis()
	defer rdb.Close()
	names, err := rdb.Do(ctx, "COMMAND", "LIST").StringSlice()
	noErr(t, err)
	isCommand := map[string]bool{}
	for _, n := range names {
		isCommand[strings.ToLower(n)] = true
	}
	allowed := map[string]bool{}
	for _, r := range strings.Fields(hotredistest.ACLRules) {
		if strings.HasPrefix(r, "+") {
			allowed[r[1:]] = true
		}
	}
	var files []string
	for _, pat := range []string{"*.go", "internal/lua/*.lua", "internal/lua/*.go", "internal/backend/*.go"} {
		fs, err := filepath.Glob(pat)
		noErr(t, err)
		for _, f := range fs {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	// Commands the library sends with one subcommand, which the rules
	// allow alone.
	onlySubcommand := map[string]string{"memory": "memory|usage"}
	// Quoted words in code: Go strings and Lua strings.
	quoted := regexp.MustCompile(`["']([A-Za-z]+)["']`)
	used := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		noErr(t, err)
		for _, m := range quoted.FindAllStringSubmatch(string(src), -1) {
			w := strings.ToLower(m[1])
			if m[1] != strings.ToUpper(m[1]) || !isCommand[w] {
				continue
			}
			if r, ok := onlySubcommand[w]; ok {
				w = r
			}
			used[w] = true
			if !allowed[w] {
				t.Errorf("%s sends %s, which hotredistest.ACLRules (and the README's Deployments section) lack", f, m[1])
			}
		}
	}
	// Sent through rueidis's command builder, not as strings, or by the
	// clients themselves (health checks, Sentinel, Cluster), or made by
	// internal/lua for read-only scripts (EVALSHA_RO, EVAL_RO).
	for _, w := range []string{"multi", "exec", "watch", "unwatch", "ping", "role", "cluster|slots", "cluster|shards", "asking", "evalsha_ro", "eval_ro"} {
		if !allowed[w] {
			t.Errorf("ACLRules lack %s", w)
		}
		used[w] = true
	}
	// And nothing more: every rule is needed.
	for w := range allowed {
		if !used[w] {
			t.Errorf("ACLRules allow %s, which the library never sends", w)
		}
	}
}

// TestREADMEDocumentsACLRules keeps the README's rule line in step with
// the rules the tests use.
func TestREADMEDocumentsACLRules(t *testing.T) {
	b, err := os.ReadFile("README.md")
	noErr(t, err)
	readme := string(b)
	i := strings.Index(readme, "## Deployments")
	if i < 0 {
		t.Fatal("README.md has no Deployments section")
	}
	section := readme[i:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	words := map[string]bool{}
	for _, w := range strings.Fields(section) {
		words[strings.Trim(w, "`")] = true
	}
	for _, r := range strings.Fields(hotredistest.ACLRules) {
		if !words[r] {
			t.Errorf("README's Deployments section lacks the ACL rule %s", r)
		}
	}
	for _, k := range strings.Fields(hotredistest.ACLKeyPatterns("app:")) {
		if !words[k] {
			t.Errorf("README's Deployments section lacks the key pattern %s", k)
		}
	}
}

// An ACL user with the README's key patterns ("~app:* ~{app:*") and an
// object whose key holds a '}' but no valid tag: the never-existing key
// that guarded scripts declare (keys.Absent) was named "{<n>}:...", which
// the patterns do not cover, so a contended Lock.Acquire, List.Reverse,
// WaitGroup.Add and Queue.TaskDone failed with NOPERM (a review,
// 2026-12-08: 3 of 3 runs). So did keys.Fresh's names, "{<n>}:...": an
// ImmutableString's Concat and a Limiter's waiting reservation.
func TestACLKeysWithAnUnmatchedBrace(t *testing.T) {
	onceOnly(t)
	s := hotredistest.NewACLServer(t, "app:")
	c := s.Client(t)
	k := "app:" + t.Name() + "a}{b"
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	a := hotredis.NewLock(k+":lock", hotredis.WithClient(c))
	b := hotredis.NewLock(k+":lock", hotredis.WithClient(c))
	noErr(t, a.Acquire(cctx))
	short, scancel := context.WithTimeout(cctx, 300*time.Millisecond)
	defer scancel()
	if err := b.Acquire(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("contended Acquire: %v, want context.DeadlineExceeded", err)
	}
	noErr(t, a.Release(cctx))
	l := hotredis.NewList[int](k+":list", hotredis.WithClient(c))
	value(l.Append(cctx, 1, 2))(t)
	noErr(t, l.Reverse(cctx))
	w := hotredis.NewWaitGroup(k+":wg", hotredis.WithClient(c))
	noErr(t, w.Add(cctx, 1))
	noErr(t, w.Done(cctx))
	q := hotredis.NewQueue[string](k+":q", hotredis.WithClient(c))
	noErr(t, q.Put(cctx, "x"))
	value(q.Get(cctx))(t)
	noErr(t, q.TaskDone(cctx))
	// Keys that do not exist yet (keys.Fresh): a new string beside this
	// one, a Limiter's record of a reservation that waits.
	noErr(t, hotredis.NewString(k+":s", hotredis.WithClient(c)).Set(cctx, "ab"))
	is := hotredis.NewImmutableString(k+":s", hotredis.WithClient(c))
	cat := value(is.Concat(cctx, "cd"))(t)
	if got := value(cat.Get(cctx))(t); got != "abcd" {
		t.Errorf("Concat: %q, want abcd", got)
	}
	if !strings.HasPrefix(cat.Key(), k) {
		t.Errorf("Concat's key %q is not under %q", cat.Key(), k)
	}
	lim := hotredis.NewLimiter(k+":lim", 50, 1, hotredis.WithClient(c))
	noErr(t, lim.Wait(cctx))
	noErr(t, lim.Wait(cctx)) // (waits ~20 ms: a recorded reservation)
}
