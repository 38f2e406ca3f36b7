package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// A server that accepts connections and never answers: the command must
// give up with a clear message and exit 1 before long.
func TestHostileBlackholeServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	for _, args := range [][]string{{"ls"}, {"inspect", "k"}} {
		var o, e bytes.Buffer
		done := make(chan int, 1)
		start := time.Now()
		go func() {
			done <- run(context.Background(), append([]string{"--url", "redis://" + ln.Addr().String()}, args...), &o, &e)
		}()
		select {
		case code := <-done:
			t.Logf("%v: exit %d after %v, stderr %q", args, code, time.Since(start), e.String())
			if code != 1 || !strings.Contains(e.String(), "connect to") {
				t.Errorf("%v: exit %d, stderr %q", args, code, e.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%v: still running after 30s against a silent server", args)
		}
	}
}

// ls with a many-star pattern against one existing key.
func TestHostileLsManyStars(t *testing.T) {
	ctx := context.Background()
	c := srv.GoRedis()
	defer c.Close()
	base := strings.Repeat("a", 40)
	if err := c.Set(ctx, "{"+base+"}:fence", "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	pat := strings.Repeat("*a", 20) + "*}*"
	var o, e bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(context.Background(), []string{"--url", srv.URL(), "ls", pat}, &o, &e) }()
	select {
	case code := <-done:
		t.Logf("exit %d: %s %s", code, o.String(), e.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("hotredis ls %q still running after 20s with one key in the db", pat)
	}
}
