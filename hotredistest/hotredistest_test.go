package hotredistest_test

import (
	"context"
	"testing"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

var ctx = context.Background()

func TestServerKillRestart(t *testing.T) {
	s := hotredistest.NewServer(t)
	rdb := s.GoRedis()
	defer rdb.Close()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("after Restart: exists=%d err=%v, want an empty server", n, err)
	}
}

// TestACLServerRestartKeepsItsUser: a restarted ACL server has its user
// again, so that clients of the server still log in.
func TestACLServerRestartKeepsItsUser(t *testing.T) {
	s := hotredistest.NewACLServer(t)
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	c := s.Client(t)
	if err := hotredis.NewString("k", hotredis.WithClient(c)).Set(ctx, "v"); err != nil {
		t.Fatalf("a write as %s after Restart: %v", s.Username, err)
	}
}

func TestTLSServer(t *testing.T) {
	s := hotredistest.NewTLSServer(t)
	c := s.Client(t)
	l := hotredis.NewList[string]("tls", hotredis.WithClient(c))
	if _, err := l.Append(ctx, "over TLS"); err != nil {
		t.Fatal(err)
	}
	// The rediss:// URL works too, given the test CA.
	c2, err := hotredis.NewClient(hotredis.Options{URL: s.URL(), TLS: s.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if v, err := hotredis.NewList[string]("tls", hotredis.WithClient(c2)).Get(ctx, 0); err != nil || v != "over TLS" {
		t.Fatalf("Get over rediss:// = %q, %v", v, err)
	}
	// Without TLS the server does not answer.
	if _, err := hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}}); err == nil {
		t.Error("a plain-text client connected to the TLS port")
	}
}

func TestSentinel(t *testing.T) {
	if testing.Short() {
		t.Skip("sentinel setup skipped with -short")
	}
	s := hotredistest.NewSentinel(t)
	c := s.Client(t)
	l := hotredis.NewList[int]("sentinel", hotredis.WithClient(c))
	if _, err := l.Append(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	p, err := s.CurrentPrimary(ctx)
	if err != nil || p != s.Primary.Addr {
		t.Fatalf("primary = %q, %v; want %q", p, err, s.Primary.Addr)
	}
}

func TestClusterWithReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster skipped with -short")
	}
	cl := hotredistest.NewCluster(t, hotredistest.ClusterOptions{Replicas: 1})
	if len(cl.Nodes) != 6 {
		t.Fatalf("%d nodes", len(cl.Nodes))
	}
	ms, err := cl.Masters(ctx)
	if err != nil || len(ms) != 3 {
		t.Fatalf("masters: %d, %v", len(ms), err)
	}
	c := cl.Client(t)
	if _, err := hotredis.NewList[int]("x", hotredis.WithClient(c)).Append(ctx, 1); err != nil {
		t.Fatal(err)
	}
}
