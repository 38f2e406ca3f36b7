package hotredistest_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/hotredis/hotredis/hotredistest"
)

// goRedis returns a go-redis client for addr that gives up when the
// context's deadline passes and never retries, closed when t ends.
func goRedis(t *testing.T, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// within returns a context that ends after d, cancelled when t ends.
func within(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

// eventually polls cond every 10ms for up to d and fails t if it never
// holds.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
	}
}

func TestProxyPassesTraffic(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	rdb := goRedis(t, p.Addr())
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET through the proxy = %q, %v", v, err)
	}
	if n := p.Conns(); n < 1 {
		t.Fatalf("Conns() = %d with a client connected", n)
	}
	rdb.Close()
	eventually(t, 5*time.Second, "connections still open after the client closed", func() bool { return p.Conns() == 0 })
}

func TestProxyStallToClient(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	rdb, direct := goRedis(t, p.Addr()), goRedis(t, s.Addr)
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	p.Stall(hotredistest.ToClient)
	// Commands still reach the server; only their replies are held. (The
	// SET goes first: go-redis drops a connection whose command timed out,
	// and a new one sends nothing until the server answers its HELLO.)
	if err := rdb.Set(within(t, 200*time.Millisecond), "k2", "v2", 0).Err(); err == nil {
		t.Fatal("SET with replies stalled succeeded")
	}
	eventually(t, 2*time.Second, "SET sent during the stall not on the server", func() bool {
		return direct.Get(ctx, "k2").Val() == "v2"
	})
	start := time.Now()
	if v, err := rdb.Get(within(t, 200*time.Millisecond), "k").Result(); err == nil {
		t.Fatalf("GET with replies stalled = %q, want an error", v)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("GET took %v to give up, want about 200ms", d)
	}

	p.Resume(hotredistest.ToClient)
	if v, err := rdb.Get(within(t, 2*time.Second), "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET after Resume = %q, %v", v, err)
	}
}

func TestProxyStallToServer(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	rdb, direct := goRedis(t, p.Addr()), goRedis(t, s.Addr)
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	p.Stall(hotredistest.ToServer)
	if err := rdb.Set(within(t, 200*time.Millisecond), "k", "v", 0).Err(); err == nil {
		t.Fatal("SET with commands stalled succeeded")
	}
	if n, err := direct.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("during the stall: EXISTS = %d, %v; want the SET held", n, err)
	}

	p.Resume(hotredistest.ToServer) // the held SET is delivered
	eventually(t, 2*time.Second, "held SET not delivered after Resume", func() bool {
		return direct.Get(ctx, "k").Val() == "v"
	})
	if err := rdb.Ping(within(t, 2*time.Second)).Err(); err != nil {
		t.Fatalf("PING after Resume: %v", err)
	}
}

// TestProxyStallOn: commands before the pattern pass, the one carrying it
// is held (and everything after it) until Resume, which delivers it; the
// trigger fires once.
func TestProxyStallOn(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	rdb, direct := goRedis(t, p.Addr()), goRedis(t, s.Addr)
	p.StallOn(hotredistest.ToServer, "the-marker")
	if err := rdb.Set(within(t, 2*time.Second), "before", "1", 0).Err(); err != nil {
		t.Fatalf("SET before the pattern: %v", err)
	}
	if err := rdb.Set(within(t, 200*time.Millisecond), "held", "the-marker", 0).Err(); err == nil {
		t.Fatal("SET carrying the pattern succeeded")
	}
	if n, err := direct.Exists(ctx, "held").Result(); err != nil || n != 0 {
		t.Fatalf("during the stall: EXISTS = %d, %v; want the SET held", n, err)
	}
	if err := goRedis(t, p.Addr()).Ping(within(t, 200*time.Millisecond)).Err(); err == nil {
		t.Fatal("PING on another connection during the stall succeeded")
	}
	p.Resume(hotredistest.ToServer)
	eventually(t, 2*time.Second, "held SET not delivered after Resume", func() bool {
		return direct.Get(ctx, "held").Val() == "the-marker"
	})
	rdb2 := goRedis(t, p.Addr())
	if err := rdb2.Set(within(t, 2*time.Second), "again", "the-marker", 0).Err(); err != nil {
		t.Fatalf("the pattern again, after the trigger fired: %v", err)
	}

	// Armed again, it waits for the pattern to come again: the bytes that
	// fired it before, on the same connection, do not count.
	conn, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	replies := bufio.NewReader(conn)
	send := func(command string, wait time.Duration) (string, error) {
		conn.SetDeadline(time.Now().Add(wait))
		if _, err := conn.Write([]byte(command)); err != nil {
			return "", err
		}
		return replies.ReadString('\n')
	}
	setMarker := "*3\r\n$3\r\nSET\r\n$4\r\nraw1\r\n$8\r\nmarker-3\r\n"
	p.StallOn(hotredistest.ToServer, "marker-3")
	if _, err := send(setMarker, 200*time.Millisecond); err == nil {
		t.Fatal("a raw SET carrying the pattern was answered")
	}
	p.Resume(hotredistest.ToServer)
	if r, err := send("", 2*time.Second); err != nil || r != "+OK\r\n" {
		t.Fatalf("the held SET's reply after Resume: %q, %v", r, err)
	}
	p.StallOn(hotredistest.ToServer, "marker-3")
	if r, err := send("*1\r\n$4\r\nPING\r\n", 2*time.Second); err != nil || r != "+PONG\r\n" {
		t.Fatalf("PING on the connection that carried the pattern before: %q, %v; want it answered", r, err)
	}
	if _, err := send(setMarker, 200*time.Millisecond); err == nil {
		t.Fatal("a raw SET carrying the pattern again was answered")
	}
	p.Resume(hotredistest.ToServer)

	// Both: the pattern seen either way stalls both directions.
	p.StallOn(hotredistest.Both, "the-other-marker")
	if err := rdb2.Set(within(t, 200*time.Millisecond), "held3", "the-other-marker", 0).Err(); err == nil {
		t.Fatal("SET carrying a Both pattern succeeded")
	}
	eventually(t, 2*time.Second, "the replies were not stalled too", func() bool {
		return direct.Exists(ctx, "held3").Val() == 0
	})
	p.Resume(hotredistest.ToServer)
	eventually(t, 2*time.Second, "held SET not delivered after Resume(ToServer)", func() bool {
		return direct.Get(ctx, "held3").Val() == "the-other-marker"
	})
	if err := rdb2.Ping(within(t, 200*time.Millisecond)).Err(); err == nil {
		t.Fatal("PING answered with the replies still stalled")
	}
	p.Resume(hotredistest.ToClient)
}

// A connection made during a stall is accepted, and its bytes are held,
// all of them and in order, until Resume.
func TestProxyStallKeepsOrder(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	direct := goRedis(t, s.Addr)

	p.Stall(hotredistest.Both)
	c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err != nil {
		t.Fatalf("dial during a stall: %v", err)
	}
	defer c.Close()
	const n = 2000 // 2 MB of commands: more than the socket buffers hold
	pad := strings.Repeat("x", 1000)
	wrote := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(c)
		for i := range n {
			v := strconv.Itoa(i) + pad
			fmt.Fprintf(w, "*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$%d\r\n%s\r\n", len(v), v)
		}
		wrote <- w.Flush()
	}()
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("a reply came through a stalled proxy")
	}
	if l := direct.LLen(ctx, "l").Val(); l != 0 {
		t.Fatalf("LLEN = %d during the stall, want 0", l)
	}

	p.Resume(hotredistest.Both)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for i := range n {
		line, err := r.ReadString('\n')
		if want := ":" + strconv.Itoa(i+1) + "\r\n"; err != nil || line != want {
			t.Fatalf("reply %d = %q, %v; want %q", i, line, err, want)
		}
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	vs, err := direct.LRange(ctx, "l", 0, -1).Result()
	if err != nil || len(vs) != n {
		t.Fatalf("LRANGE: %d values, %v", len(vs), err)
	}
	for i, v := range vs {
		if v != strconv.Itoa(i)+pad {
			t.Fatalf("value %d = %.10q..., want %d...", i, v, i)
		}
	}
}

func TestProxyCut(t *testing.T) {
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	rdb := goRedis(t, p.Addr())

	res := make(chan error, 1)
	go func() { res <- rdb.BLPop(within(t, 10*time.Second), 5*time.Second, "q").Err() }()
	eventually(t, 2*time.Second, "BLPOP not blocked on the server", func() bool {
		n, err := s.BlockedClients(ctx)
		return n == 1 && err == nil
	})

	p.Cut()
	if n := p.Conns(); n != 0 {
		t.Errorf("Conns() = %d after Cut", n)
	}
	select {
	case err := <-res:
		if err == nil {
			t.Fatal("BLPOP on a cut connection returned no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("BLPOP still waiting 5 s after Cut")
	}
	if err := rdb.Ping(within(t, 2*time.Second)).Err(); err != nil {
		t.Fatalf("PING after Cut: %v", err)
	}
}

// Closing a proxy ends every goroutine it started, even for connections
// whose bytes a stall holds.
func TestProxyCloseLeaksNothing(t *testing.T) {
	s := hotredistest.NewServer(t)
	before := goleak.IgnoreCurrent() // the server's own goroutines
	p, err := hotredistest.StartProxy(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1, ContextTimeoutEnabled: true})
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Stall(hotredistest.Both)
	if err := rdb.Get(within(t, 100*time.Millisecond), "k").Err(); err == nil {
		t.Fatal("GET through a stalled proxy succeeded")
	}
	held, err := net.Dial("tcp", p.Addr()) // a connection that is never closed by its client
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	held.Write([]byte("PING\r\n"))

	eventually(t, 5*time.Second, "held connection not accepted", func() bool { return p.Conns() >= 1 })
	rdb.Close()
	p.Close()
	if n := p.Conns(); n != 0 {
		t.Errorf("Conns() = %d after Close", n)
	}
	goleak.VerifyNone(t, before)
}

func TestServerPause(t *testing.T) {
	s := hotredistest.NewServer(t)
	rdb := goRedis(t, s.Addr)
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(within(t, 300*time.Millisecond)).Err(); err == nil {
		t.Fatal("a paused server answered PING")
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Ping(within(t, 2*time.Second)).Err(); err != nil {
		t.Fatalf("PING after Resume: %v", err)
	}

	// Close does not hang on a paused server.
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		s.Resume()
		t.Fatal("Close of a paused server still running after 5s")
	}
	if err := s.Pause(); err == nil {
		t.Error("Pause of a closed server returned no error")
	}
}
