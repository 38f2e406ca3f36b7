package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/redis/go-redis/v9"
)

// TestServerRestart: while the server is down calls fail with an error
// instead of hanging; after it comes back (empty, with no cached scripts)
// every operation, scripted ones included, works again.
func TestServerRestart(t *testing.T) {
	s := hotredistest.NewServer(t)
	c := s.Client(t)
	l := hotredis.NewList[string](key(t), hotredis.WithClient(c))
	if err := l.Insert(ctx, 0, "a"); err != nil { // caches the script
		t.Fatal(err)
	}
	s.Kill()
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := l.Append(tctx, "b"); err == nil {
		t.Fatal("Append succeeded with the server down")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = l.Insert(ctx, 0, "c"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Insert after restart: %v", err)
	}
	// Connections opened before the restart are dead: a call finds them so
	// before sending (see TestCallsAfterARestartGoOnLiveConnections).
	if err = l.Reverse(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := l.Values(ctx); err != nil || !slices.Equal(got, []string{"c"}) {
		t.Errorf("after restart list = %q, %v; want [c]", got, err)
	}
}

// TestCallsAfterARestartGoOnLiveConnections: the connections left idle
// when the server restarts are dead, and the first calls after it find
// them so before sending anything: every read and every write works on
// its first call, on either backend. (Each call found a dead one and
// failed: a read with EOF, a write with ErrUnknownOutcome though nothing
// had reached the server, once for each connection idle in the pool.)
func TestCallsAfterARestartGoOnLiveConnections(t *testing.T) {
	for _, name := range []string{"rueidis", "rueidis over TLS", "go-redis"} {
		t.Run(name, func(t *testing.T) {
			newServer := hotredistest.NewServer
			if name == "rueidis over TLS" { // (the check peeks under TLS)
				newServer = hotredistest.NewTLSServer
			}
			s := newServer(t)
			c := s.Client(t)
			if name == "go-redis" {
				// (A pool for every waiter below: go-redis's default, ten
				// a core, held only 10 with GOMAXPROCS=1.)
				rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, PoolSize: 64})
				t.Cleanup(func() { rdb.Close() })
				c = hotredis.WrapGoRedis(rdb)
				t.Cleanup(func() { c.Close() })
			}
			// Many connections idle in the pool: takes that waited, each
			// on a connection of its own, then were served. (More than a
			// call's tries of other kinds: each dead one is a try.)
			q := hotredis.NewQueue[int](key(t)+":q", hotredis.WithClient(c))
			const waiters = 24
			var wg sync.WaitGroup
			for range waiters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := q.Get(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			time.Sleep(300 * time.Millisecond)
			noErr(t, q.PutMany(ctx, make([]int, waiters)...))
			wg.Wait()

			s.Kill()
			if err := s.Restart(); err != nil {
				t.Fatal(err)
			}
			// Takes that wait, made after the restart, as idle workers' next
			// Gets are: each is served, none fails on a dead connection.
			// One at a time, each waiting before the next begins: calls
			// that overlap beyond two share rueidis's pipelined connection,
			// where a dead one fails every call on it (README).
			got := make(chan struct{}, waiters)
			for i := range waiters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := q.Get(ctx); err != nil {
						t.Errorf("Get after the restart: %v", err)
					}
					got <- struct{}{}
				}()
				for start := time.Now(); ; time.Sleep(time.Millisecond) {
					if n, err := s.BlockedClients(ctx); err != nil {
						t.Fatal(err)
					} else if n > i {
						break
					}
					if time.Since(start) > 10*time.Second {
						t.Fatalf("Get %d after the restart did not wait", i)
					}
				}
			}
			// Served one at a time too: each claim of what a wait parked
			// goes again after the restart (the server lost the script),
			// and 24 of them at once would share the pipeline.
			for range waiters {
				noErr(t, q.Put(ctx, 0))
				<-got
			}
			wg.Wait()
			l := hotredis.NewList[string](key(t)+":l", hotredis.WithClient(c))
			var model []string
			// Optimistic transactions hold a connection of their own too:
			// one whose first call is its read (its error reaches the
			// backend wrapped by Optimistic), one watching the list first.
			for i, watch := range [][]hotredis.Object{nil, {l}} {
				v := "tx" + strconv.Itoa(i)
				if err := c.Optimistic(ctx, func(ctx context.Context) error {
					if n, err := l.Len(ctx); err != nil || n != len(model) {
						return fmt.Errorf("Len in the transaction = %d, %v; want %d", n, err, len(model))
					}
					_, err := l.Append(ctx, v)
					return err
				}, watch...); err != nil {
					t.Fatalf("Optimistic %d after the restart: %v", i, err)
				}
				model = append(model, v)
			}
			for i := range 2 * waiters {
				v := strconv.Itoa(i)
				if _, err := l.Append(ctx, v); err != nil {
					t.Fatalf("Append %d after the restart: %v", i, err)
				}
				model = append(model, v)
				if n, err := l.Len(ctx); err != nil || n != len(model) {
					t.Fatalf("Len after %d Appends after the restart = %d, %v", i+1, n, err)
				}
			}
			if got, err := l.Values(ctx); err != nil || !slices.Equal(got, model) {
				t.Errorf("Values = %q, %v; want %q", got, err, model)
			}
		})
	}
}

// TestReadsCutMidCallGoAgain: reads whose connections are cut with their
// replies on the way, 64 at once (so that they share rueidis's pipelined
// connections, where a dead one fails every call on it), each go again on
// a new connection and return the value: a read changes nothing. (A write
// fails then: ErrUnknownOutcome.)
func TestReadsCutMidCallGoAgain(t *testing.T) {
	onEachBackend(t, func(t *testing.T, s *hotredistest.Server, p *hotredistest.Proxy, c *hotredis.Client) {
		n := hotredis.NewInt(key(t), hotredis.WithClient(c))
		noErr(t, n.Store(ctx, 7))
		var failed atomic.Int64
		err := cutMidCall(p, hotredistest.ToClient, func() error {
			var wg sync.WaitGroup
			for range 64 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if v, err := n.Load(ctx); err != nil || v != 7 {
						failed.Add(1)
						t.Errorf("Load cut = %d, %v; want 7", v, err)
					}
				}()
			}
			wg.Wait()
			return nil
		})
		noErr(t, err)
		if f := failed.Load(); f > 0 {
			t.Errorf("%d of 64 reads cut mid-call failed", f)
		}
	})
}

// TestScriptFlush: scripts are reloaded after SCRIPT FLUSH.
func TestScriptFlush(t *testing.T) {
	l := hotredis.NewList[int](key(t))
	_ = l.Replace(ctx, 1, 2, 3)
	if _, err := l.Count(ctx, 2); err != nil {
		t.Fatal(err)
	}
	rdb := rawClient()
	defer rdb.Close()
	rdb.ScriptFlush(ctx)
	if n, err := l.Count(ctx, 2); err != nil || n != 1 {
		t.Fatalf("Count after SCRIPT FLUSH = %d, %v", n, err)
	}
}

func TestNewClientOptions(t *testing.T) {
	for name, opts := range map[string]hotredis.Options{
		"URL":   {URL: srv.URL()},
		"Addrs": {Addrs: []string{srv.Addr}},
		"DB":    {URL: srv.URL() + "/3"},
	} {
		c, err := hotredis.NewClient(opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.Ping(ctx); err != nil {
			t.Errorf("%s: Ping: %v", name, err)
		}
		c.Close()
	}
	// DB 3 is really another database.
	c3, _ := hotredis.NewClientURL(srv.URL() + "/3")
	defer c3.Close()
	_, _ = hotredis.NewList[int](key(t), hotredis.WithClient(c3)).Append(ctx, 1)
	if ok, _ := hotredis.NewList[int](key(t)).Exists(ctx); ok {
		t.Error("a write to DB 3 is visible in DB 0")
	}
	if _, err := hotredis.NewClient(hotredis.Options{URL: "http://nope"}); err == nil {
		t.Error("a bad URL was accepted")
	}
	if _, err := hotredis.NewClient(hotredis.Options{Addrs: []string{"127.0.0.1:1"}}); err == nil {
		t.Error("connecting to a closed port succeeded")
	}
}

// TestACLUser: username and password reach Redis.
func TestACLUser(t *testing.T) {
	s := hotredistest.NewServer(t)
	rdb := s.GoRedis()
	defer rdb.Close()
	if err := rdb.Do(ctx, "ACL", "SETUSER", "app", "on", ">secret", "~app:*", "+@all").Err(); err != nil {
		t.Fatal(err)
	}
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}, Username: "app", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := hotredis.NewList[int]("app:l", hotredis.WithClient(c)).Append(ctx, 1); err != nil {
		t.Fatalf("allowed key: %v", err)
	}
	_, err = hotredis.NewList[int]("other:l", hotredis.WithClient(c)).Append(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), "NOPERM") {
		t.Fatalf("forbidden key: %v, want a NOPERM error", err)
	}
	if _, err := hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}, Username: "app", Password: "wrong"}); err == nil {
		t.Error("a wrong password was accepted")
	}
}

func init() {
	roles["default-client"] = func() error {
		// REDIS_URL decides where the default client connects.
		l := hotredis.NewList[string]("test:TestDefaultClientFromREDIS_URL")
		_, err := l.Append(context.Background(), "from child")
		return err
	}
}

func TestDefaultClientFromREDIS_URL(t *testing.T) {
	l := hotredis.NewList[string]("test:TestDefaultClientFromREDIS_URL", hotredis.WithClient(srv.Client(t)))
	_ = l.Clear(ctx)
	cmd := startRole(t, "default-client", "REDIS_URL="+srv.URL())
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Values(ctx); !slices.Equal(got, []string{"from child"}) {
		t.Fatalf("list = %q", got)
	}
	// With REDIS_URL pointing nowhere, calls fail cleanly.
	cmd = startRole(t, "default-client", "REDIS_URL=redis://127.0.0.1:1")
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) {
		t.Fatalf("child with an unreachable REDIS_URL: %v", err)
	}
}

func TestConfigure(t *testing.T) {
	s := hotredistest.NewServer(t)
	l := hotredis.NewList[int](key(t)) // made before Configure: follows the default
	if err := hotredis.Configure(hotredis.Options{URL: s.URL()}); err != nil {
		t.Fatal(err)
	}
	_, err := l.Append(ctx, 1)
	c, _ := hotredis.DefaultClient()
	hotredis.SetDefaultClient(client)
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	rdb := s.GoRedis()
	defer rdb.Close()
	if n, _ := rdb.LLen(ctx, l.Key()).Result(); n != 1 {
		t.Fatalf("the configured server holds %d elements, want 1", n)
	}
}

// TestPipelinedScriptAfterFlushIsSentOnceInFull: a pipeline's script the
// server lost (SCRIPT FLUSH) is sent again once, in full (its EVALSHA
// again would only hear NOSCRIPT again).
func TestPipelinedScriptAfterFlushIsSentOnceInFull(t *testing.T) {
	srv := hotredistest.NewServer(t)
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{srv.Addr}})
	noErr(t, err)
	defer c.Close()
	s := hotredis.NewString(key(t), hotredis.WithClient(c))
	noErr(t, s.Set(ctx, "hello"))
	must[string](t)(s.Slice(ctx, -5, 1)) // loads string_slice
	noErr(t, srv.GoRedis().ScriptFlush(ctx).Err())
	got, retries := hotredis.PipelinedSliceRetries(ctx, c, s.Key())
	if len(got) != 2 || got[0] != "h" || got[1] != "h" || retries != 2 {
		t.Fatalf("pipeline after SCRIPT FLUSH = %v with %d commands sent again; want [h h], 2 (each once, in full)", got, retries)
	}
}

// A script that declares keys.Absent's (lua's "guarded" flag) keeps its
// keys when it goes in full: after SCRIPT FLUSH (NOSCRIPT, then EVAL) and
// inside a Transaction (always EVAL). Sending it in full made its command
// anew, adding that key twice, and Set.IntersectionUpdate then
// intersected with the absent key too: the set came out empty (the
// fresh-clone CI's TestDeployments, 2026-12-08).
func TestGuardedScriptsSentInFullKeepTheirKeys(t *testing.T) {
	tag := "{" + key(t) + "}"
	a := hotredis.NewSet[string](tag + ":a")
	b := hotredis.NewSet[string](tag + ":b")
	check := func(how string) {
		t.Helper()
		if ms := value(a.Members(ctx))(t); !slices.Equal(ms, []string{"y"}) {
			t.Errorf("%s: after IntersectionUpdate: %q, want [y]", how, ms)
		}
	}
	noErr(t, a.Replace(ctx, "x", "y"))
	noErr(t, b.Replace(ctx, "y", "w"))
	rdb := rawClient()
	defer rdb.Close()
	noErr(t, rdb.ScriptFlush(ctx).Err())
	noErr(t, a.IntersectionUpdate(ctx, b))
	check("after SCRIPT FLUSH")

	noErr(t, a.Replace(ctx, "x", "y"))
	noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error { return a.IntersectionUpdate(ctx, b) }))
	check("in a Transaction")
}
