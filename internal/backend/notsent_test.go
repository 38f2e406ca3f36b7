package backend_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/backend"
)

// TestCallNeverSentSaysSo: a server that closes every connection after
// answering its handshake (a closingProxy) lets no call through; each try
// finds its new connection closed before writing, so the call ends with
// a NotSentError, after closedTries tries, and the server ran nothing.
func TestCallNeverSentSaysSo(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("closingProxy needs Linux's TCP_CORK")
	}
	backend.SetClosedTries(t, 5)
	srv := hotredistest.NewServer(t)
	ctx := context.Background()
	var mode atomic.Int32
	p := newClosingProxy(t, srv.Addr, &mode)
	r := rueidisAt(t, "redis://"+p.Addr().String())
	if _, err := incrby(ctx, r, "m"); err != nil { // connections made before
		t.Fatal(err)
	}
	mode.Store(closeAnswered)
	p.closeOpen()                     // the connections made before, idle in the pool,
	time.Sleep(50 * time.Millisecond) // and their closes arrive
	for i := range 3 {
		_, err := incrby(ctx, r, "n")
		var ns *backend.NotSentError
		if !errors.As(err, &ns) || !errors.Is(err, io.EOF) {
			t.Fatalf("call %d: err = %v, want a NotSentError: its connections were found closed", i, err)
		}
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "write" {
			t.Fatalf("call %d: err = %v, want the write's failure inside", i, err)
		}
	}
	rdb := srv.GoRedis()
	defer rdb.Close()
	if n, err := rdb.Exists(ctx, "n").Result(); n != 0 || err != nil {
		t.Fatalf("EXISTS n = %d, %v: a call that was not sent ran", n, err)
	}
}

// TestHandshakeCutIsADialFailure: a connection closed before it answered
// its handshake (a proxy in front of a server that is down) fails the
// call waiting for it as a dial fails, a command and a batch alike:
// nothing was sent on it.
func TestHandshakeCutIsADialFailure(t *testing.T) {
	srv := hotredistest.NewServer(t)
	ctx := context.Background()
	var mode atomic.Int32
	p := newClosingProxy(t, srv.Addr, &mode)
	r := rueidisAt(t, "redis://"+p.Addr().String())
	if _, err := incrby(ctx, r, "m"); err != nil {
		t.Fatal(err)
	}
	if rs := r.DoMulti(ctx, []backend.Cmd{{Name: []string{"INCRBY"}, Keys: []string{"m"}, Args: []string{"1"}}}); rs[0].Err != nil {
		t.Fatal(rs[0].Err)
	}
	mode.Store(closeUnanswered)
	p.closeOpen()
	time.Sleep(50 * time.Millisecond) // the closes arrive
	isDial := func(what string, err error) {
		t.Helper()
		var oe *net.OpError
		if !errors.As(err, &oe) || oe.Op != "dial" {
			t.Errorf("%s: err = %v, want a dial's failure", what, err)
		}
	}
	for i := range 3 {
		_, err := incrby(ctx, r, "n")
		isDial("a command", err)
		rs := r.DoMulti(ctx, []backend.Cmd{{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}}})
		isDial("a batch", rs[0].Err)
		if t.Failed() {
			t.Fatalf("call %d", i)
		}
	}
}

// closingProxy is a proxy to target that, once its mode is closeAnswered,
// answers each new connection's handshake 20 ms late (so the client's next
// write comes after an idle moment) and closes the connection with them:
// data and FIN leave in one segment (TCP_CORK), so the close has arrived
// by the time the client has read its handshake's replies. In mode
// closeUnanswered, it closes each new connection once it has read its
// handshake, as a proxy in front of a server that is down does.
type closingProxy struct {
	net.Listener
	mu   sync.Mutex
	open []net.Conn // the connections made in mode forward
}

// A closingProxy's modes.
const (
	forward int32 = iota
	closeAnswered
	closeUnanswered
)

func newClosingProxy(t *testing.T, target string, mode *atomic.Int32) *closingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &closingProxy{Listener: ln}
	t.Cleanup(func() { ln.Close(); p.closeOpen() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mode := mode.Load()
			if mode == forward {
				p.mu.Lock()
				p.open = append(p.open, c)
				p.mu.Unlock()
			}
			go closeAfterHandshake(c.(*net.TCPConn), target, mode)
		}
	}()
	return p
}

// closeOpen closes the connections made in mode forward.
func (p *closingProxy) closeOpen() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.open {
		c.Close()
	}
	p.open = nil
}

// closeAfterHandshake serves c in mode (see closingProxy).
func closeAfterHandshake(c *net.TCPConn, target string, mode int32) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	if mode == forward {
		go func() { _, _ = io.Copy(s, c) }()
		_, _ = io.Copy(c, s)
		return
	}
	buf := make([]byte, 64<<10)
	n, err := c.Read(buf) // the handshake, written at once
	if err != nil {
		return
	}
	if mode == closeUnanswered {
		return
	}
	cmds := respValues(buf[:n])
	if _, err := s.Write(buf[:n]); err != nil {
		return
	}
	go func() { _, _ = io.Copy(s, c) }()
	n = 0
	for n < len(buf) && (n == 0 || respValues(buf[:n]) < cmds) {
		m, err := s.Read(buf[n:])
		if err != nil {
			return
		}
		n += m
	}
	// Late by far more than checkIdleFrom: the client times its idleness
	// from the moment its write returned, which on a busy machine can be
	// a few milliseconds after the bytes left.
	time.Sleep(20 * time.Millisecond)
	cork(c)
	if _, err := c.Write(buf[:n]); err == nil {
		_ = c.CloseWrite() // sends the corked bytes with the FIN
	}
}

// respValues counts the whole RESP values at the start of b.
func respValues(b []byte) int {
	n := 0
	for {
		rest, ok := respSkip(b)
		if !ok {
			return n
		}
		b, n = rest, n+1
	}
}

// respSkip returns b after its first RESP value, false if b does not hold
// a whole one.
func respSkip(b []byte) ([]byte, bool) {
	end := bytes.Index(b, []byte("\r\n"))
	if end < 1 {
		return nil, false
	}
	line, rest := b[1:end], b[end+2:]
	switch b[0] {
	case '$', '!', '=': // a bulk string
		size, err := strconv.Atoi(string(line))
		if err != nil || size < 0 {
			return rest, err == nil
		}
		if len(rest) < size+2 {
			return nil, false
		}
		return rest[size+2:], true
	case '*', '~', '>', '%', '|': // an aggregate
		count, err := strconv.Atoi(string(line))
		if err != nil {
			return nil, false
		}
		if b[0] == '%' || b[0] == '|' {
			count *= 2
		}
		for range max(count, 0) {
			var ok bool
			if rest, ok = respSkip(rest); !ok {
				return nil, false
			}
		}
		return rest, true
	}
	return rest, true // a line
}
