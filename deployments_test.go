package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// scenario exercises one type family through c. Its keys start with
// prefix ("app:<run>:") or, for objects that must share a Cluster slot,
// carry the tag "{<prefix>...}", so an ACL user limited to
// hotredistest.ACLKeyPatterns("app:") may use them.
type scenario struct {
	name string
	run  func(t *testing.T, c *hotredis.Client, prefix string)
}

// scenarios are a representative subset of every type's operations,
// written once and run on every deployment (TestDeployments): plain
// commands, scripts (EVALSHA, and EVAL where the script is new to the
// server), blocking commands, MULTI/EXEC and WATCH.
var scenarios = []scenario{
	{"List", func(t *testing.T, c *hotredis.Client, p string) {
		l := hotredis.NewList[int](p+"list", hotredis.WithClient(c))
		noErr(t, l.Replace(ctx, 3, 1, 2))
		value(l.Append(ctx, 4))(t)
		noErr(t, l.Insert(ctx, 0, 0))
		noErr(t, l.Sort(ctx, true)) // SORT, in a script
		noErr(t, l.Reverse(ctx))
		if vs := value(l.Values(ctx))(t); !slices.Equal(vs, []int{0, 1, 2, 3, 4}) {
			t.Errorf("Values = %v", vs)
		}
		if v := value(l.PopAt(ctx, 1))(t); v != 1 {
			t.Errorf("PopAt(1) = %d", v)
		}
		if ok := value(l.Expire(ctx, time.Minute))(t); !ok {
			t.Error("Expire: no key")
		}
	}},
	{"Set", func(t *testing.T, c *hotredis.Client, p string) {
		a := hotredis.NewSet[string]("{"+p+"sets}:a", hotredis.WithClient(c))
		b := hotredis.NewSet[string]("{"+p+"sets}:b", hotredis.WithClient(c))
		noErr(t, a.Replace(ctx, "x", "y", "z"))
		noErr(t, b.Replace(ctx, "y", "w"))
		if ok := value(a.Contains(ctx, "x"))(t); !ok {
			t.Error("Contains(x) = false")
		}
		u := value(a.Union(ctx, b))(t)
		slices.Sort(u)
		if !slices.Equal(u, []string{"w", "x", "y", "z"}) {
			t.Errorf("Union = %v", u)
		}
		noErr(t, a.IntersectionUpdate(ctx, b))
		if ms := value(a.Members(ctx))(t); !slices.Equal(ms, []string{"y"}) {
			t.Errorf("after IntersectionUpdate: %v", ms)
		}
	}},
	{"Map", func(t *testing.T, c *hotredis.Client, p string) {
		m := hotredis.NewMap[string, int](p+"map", hotredis.WithClient(c))
		noErr(t, m.Replace(ctx, map[string]int{"a": 1}))
		noErr(t, m.Set(ctx, "b", 2))
		if v := value(m.SetDefault(ctx, "a", 9))(t); v != 1 {
			t.Errorf("SetDefault = %d", v)
		}
		if n := value(m.Incr(ctx, "b", 5))(t); n != 7 {
			t.Errorf("Incr = %d", n)
		}
		if v, ok, err := m.Pop(ctx, "a"); err != nil || !ok || v != 1 {
			t.Errorf("Pop = %d, %v, %v", v, ok, err)
		}
		if n := value(m.Len(ctx))(t); n != 1 {
			t.Errorf("Len = %d", n)
		}
	}},
	{"Counter", func(t *testing.T, c *hotredis.Client, p string) {
		k := hotredis.NewCounter[string](p+"counter", hotredis.WithClient(c))
		noErr(t, k.Replace(ctx, map[string]int64{"a": 1}))
		noErr(t, k.UpdateElements(ctx, "a", "b", "a"))
		noErr(t, k.Subtract(ctx, map[string]int64{"b": 1}))
		mc := value(k.MostCommon(ctx, 1))(t)
		if len(mc) != 1 || mc[0].Key != "a" || mc[0].Value != 3 {
			t.Errorf("MostCommon = %v", mc)
		}
	}},
	{"IntFloatString", func(t *testing.T, c *hotredis.Client, p string) {
		i := hotredis.NewInt(p+"int", hotredis.WithClient(c))
		noErr(t, i.Store(ctx, 6))
		if n := value(i.Mul(ctx, 7))(t); n != 42 {
			t.Errorf("Mul = %d", n)
		}
		if _, err := i.Div(ctx, 0); !errors.Is(err, hotredis.ErrDivideByZero) {
			t.Errorf("Div(0): %v", err)
		}
		f := hotredis.NewFloat(p+"float", hotredis.WithClient(c))
		noErr(t, f.Store(ctx, 0.5))
		if x := value(f.Add(ctx, 0.25))(t); x != 0.75 {
			t.Errorf("Add = %v", x)
		}
		s := hotredis.NewString(p+"string", hotredis.WithClient(c))
		noErr(t, s.Set(ctx, "hot"))
		value(s.Append(ctx, " redis"))(t)
		if v := value(s.ToUpper(ctx))(t); v != "HOT REDIS" {
			t.Errorf("ToUpper = %q", v)
		}
	}},
	{"Queue", func(t *testing.T, c *hotredis.Client, p string) {
		q := hotredis.NewQueue[string](p+"queue", hotredis.WithClient(c))
		noErr(t, q.Delete(ctx))
		// A blocked Get receives a later Put.
		got := make(chan string, 1)
		go func() {
			gctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			v, err := q.Get(gctx)
			if err != nil {
				v = "error: " + err.Error()
			}
			got <- v
		}()
		time.Sleep(50 * time.Millisecond)
		noErr(t, q.Put(ctx, "job"))
		if v := <-got; v != "job" {
			t.Errorf("blocked Get = %q", v)
		}
		noErr(t, q.PutMany(ctx, "a", "b"))
		v, r, err := q.Reserve(ctx, time.Minute)
		if err != nil || v != "a" {
			t.Fatalf("Reserve = %q, %v", v, err)
		}
		noErr(t, q.Ack(ctx, r))
		if v := value(q.TryGet(ctx))(t); v != "b" {
			t.Errorf("TryGet = %q", v)
		}
		// A set queue keeps HOT Redis's layout, "key" and "key-set": its
		// key needs a hash tag to keep both in one Cluster slot.
		sq := hotredis.NewSetQueue[string]("{"+p+"setqueue}", hotredis.WithClient(c))
		noErr(t, sq.Delete(ctx))
		if added := value(sq.Put(ctx, "u"))(t); !added {
			t.Error("SetQueue.Put of a new item: not added")
		}
		if added := value(sq.Put(ctx, "u"))(t); added {
			t.Error("SetQueue.Put of a queued item: added")
		}
		if v := value(sq.Get(ctx))(t); v != "u" {
			t.Errorf("SetQueue.Get = %q", v)
		}
	}},
	{"Lock", func(t *testing.T, c *hotredis.Client, p string) {
		a := hotredis.NewLock(p+"lock", hotredis.WithClient(c))
		b := hotredis.NewLock(p+"lock", hotredis.WithClient(c))
		noErr(t, a.Delete(ctx))
		noErr(t, a.Acquire(ctx))
		acquired := make(chan error, 1)
		go func() {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			acquired <- b.Acquire(wctx)
		}()
		time.Sleep(50 * time.Millisecond)
		first := a.Token()
		noErr(t, a.Release(ctx))
		noErr(t, <-acquired)
		if b.Token() <= first {
			t.Errorf("tokens %d then %d: not increasing", first, b.Token())
		}
		noErr(t, b.Release(ctx))

		s := hotredis.NewSemaphore(p+"semaphore", 1, hotredis.WithClient(c))
		noErr(t, s.Delete(ctx))
		noErr(t, s.Acquire(ctx))
		s2 := hotredis.NewSemaphore(p+"semaphore", 1, hotredis.WithClient(c))
		if ok := value(s2.TryAcquire(ctx))(t); ok {
			t.Error("a second permit of a semaphore of 1")
		}
		noErr(t, s.Release(ctx))
		noErr(t, s2.Acquire(ctx))
		noErr(t, s2.Release(ctx))
	}},
	{"Transaction", func(t *testing.T, c *hotredis.Client, p string) {
		l := hotredis.NewList[string]("{"+p+"tx}:log", hotredis.WithClient(c))
		n := hotredis.NewInt("{"+p+"tx}:n", hotredis.WithClient(c))
		noErr(t, l.Delete(ctx))
		noErr(t, n.Store(ctx, 1))
		noErr(t, c.Transaction(ctx, func(ctx context.Context) error {
			l.Append(ctx, "added")
			n.Add(ctx, 1)
			return nil
		}))
		noErr(t, c.Optimistic(ctx, func(ctx context.Context) error {
			v, err := n.Load(ctx)
			if err != nil {
				return err
			}
			return n.Store(ctx, v*10)
		}, n))
		if v := value(n.Load(ctx))(t); v != 20 {
			t.Errorf("Int = %d after the transactions, want 20", v)
		}
		if vs := value(l.Values(ctx))(t); !slices.Equal(vs, []string{"added"}) {
			t.Errorf("List = %v", vs)
		}
	}},
}

// runScenarios runs every scenario through c with keys under prefix.
func runScenarios(t *testing.T, c *hotredis.Client, prefix string) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) { s.run(t, c, prefix) })
	}
}

// value returns a function that fails t on err and returns v otherwise:
// value(l.Len(ctx))(t).
func value[V any](v V, err error) func(testing.TB) V {
	return func(t testing.TB) V {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestDeployments runs the scenarios on every kind of deployment the
// library supports; the whole suite also runs on a Cluster
// (HOTREDIS_TEST_TOPOLOGY=cluster in ./scripts/test).
func TestDeployments(t *testing.T) {
	onceOnly(t)
	t.Run("single", func(t *testing.T) {
		runScenarios(t, srv.Client(t), "app:single:")
	})
	t.Run("tls", func(t *testing.T) {
		s := hotredistest.NewTLSServer(t)
		// A rediss:// URL turns TLS on; Options.TLS adds the test CA.
		c, err := hotredis.NewClient(hotredis.Options{URL: s.URL(), TLS: s.TLSConfig()})
		noErr(t, err)
		defer c.Close()
		runScenarios(t, c, "app:tls:")
		// A program that only has the URL trusts the CA through the
		// system's trust store (here SSL_CERT_FILE).
		cmd := startRole(t, "tls-url", "HOTREDIS_TEST_URL="+s.URL(), "SSL_CERT_FILE="+s.CAFile())
		if err := cmd.Wait(); err != nil {
			t.Errorf("a client made by NewClientURL(%q) failed: %v", s.URL(), err)
		}
	})
	t.Run("acl", func(t *testing.T) {
		s := hotredistest.NewACLServer(t, "app:")
		runScenarios(t, s.Client(t), "app:acl:")
		// The same user through a go-redis client the program owns.
		rdb := redis.NewClient(&redis.Options{Addr: s.Addr, Username: s.Username, Password: s.Password})
		defer rdb.Close()
		runScenarios(t, hotredis.WrapGoRedis(rdb), "app:acl-goredis:")
		noACLDenials(t, s)
	})
	t.Run("acl-cluster", func(t *testing.T) {
		cl := sharedCluster(t)
		noErr(t, cl.AddACLUser(hotredistest.ACLUsername, hotredistest.ACLPassword, "app:"))
		c, err := hotredis.NewClient(hotredis.Options{Addrs: cl.Addrs(),
			Username: hotredistest.ACLUsername, Password: hotredistest.ACLPassword})
		noErr(t, err)
		defer c.Close()
		runScenarios(t, c, "app:acl-cluster:")
		noACLDenials(t, cl.Nodes...)
	})
	t.Run("sentinel", func(t *testing.T) {
		if testing.Short() {
			t.Skip("sentinel setup skipped with -short")
		}
		s := hotredistest.NewSentinel(t)
		runScenarios(t, s.Client(t), "app:sentinel:")
		// And as an ACL user, which needs ROLE to check the primary.
		noErr(t, s.AddACLUser(hotredistest.ACLUsername, hotredistest.ACLPassword, "app:"))
		c, err := hotredis.NewClient(hotredis.Options{MasterName: s.MasterName, Addrs: s.SentinelAddrs(),
			Username: hotredistest.ACLUsername, Password: hotredistest.ACLPassword})
		noErr(t, err)
		defer c.Close()
		runScenarios(t, c, "app:sentinel-acl:")
		noACLDenials(t, s.Primary)
	})
}

func init() {
	roles["tls-url"] = func() error {
		c, err := hotredis.NewClientURL(os.Getenv("HOTREDIS_TEST_URL"))
		if err != nil {
			return err
		}
		defer c.Close()
		q := hotredis.NewQueue[string]("app:tls-url", hotredis.WithClient(c))
		if err := q.Put(context.Background(), "over TLS"); err != nil {
			return err
		}
		v, err := q.Get(context.Background())
		if err == nil && v != "over TLS" {
			err = fmt.Errorf("Get = %q", v)
		}
		return err
	}
}

// onceOnly skips a test that builds its own deployments when the suite
// runs again on a Cluster (HOTREDIS_TEST_TOPOLOGY=cluster): the default
// client's topology changes nothing for it.
func onceOnly(t *testing.T) {
	t.Helper()
	if onCluster() {
		t.Skip("independent of the suite's topology: runs in the single-server pass")
	}
}

// noACLDenials fails t if a server's ACL LOG holds a refusal: a command
// or key the library needed but ACLRules did not allow, even one whose
// error was ignored (or retried) on the way.
func noACLDenials(t *testing.T, servers ...*hotredistest.Server) {
	t.Helper()
	for _, s := range servers {
		log, err := s.ACLLog(ctx)
		noErr(t, err)
		for _, e := range log {
			// Clients name themselves with CLIENT SETINFO (Redis 7.2+)
			// and ignore a refusal; granting it is optional.
			if e["object"] == "client|setinfo" {
				continue
			}
			t.Errorf("%s refused %v to %v (%v, in %v)", s.Addr, e["object"], e["username"], e["reason"], e["context"])
		}
	}
}
