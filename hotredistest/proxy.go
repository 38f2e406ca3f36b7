package hotredistest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"
)

// Direction is the way bytes flow through a Proxy.
type Direction int

const (
	// ToServer is the bytes a client sends: its commands.
	ToServer Direction = 1 << iota
	// ToClient is the bytes the server sends back: its replies.
	ToClient
	// Both is both directions.
	Both = ToServer | ToClient
)

// Proxy forwards TCP connections from its own loopback address to a
// target, usually a Server's Addr, and makes network faults on demand: a
// stalled direction (Stall, StallOn, Resume) or cut connections (Cut). Clients dial
// Addr instead of the server's address. It is safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	ctx    context.Context // cancelled by Close, to stop dials in progress
	cancel context.CancelFunc
	wg     sync.WaitGroup // the accept loop and every connection's goroutines

	mu       sync.Mutex
	moved    *sync.Cond // broadcast when stalled changes or links are cut
	stalled  Direction
	triggers []trigger // StallOn's, not fired yet
	links    map[*link]struct{}
	closed   bool
}

// trigger is a StallOn waiting for its pattern.
type trigger struct {
	d       Direction
	pattern []byte
}

// link is one connection through the proxy: a client's and the proxy's
// own to the target (nil until dialled).
type link struct {
	client, server net.Conn
	cut            bool // set under Proxy.mu; its goroutines are to stop
}

// NewProxy starts a proxy to target for t and closes it when t ends. It
// fails t if the proxy cannot listen.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := StartProxy(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// StartProxy starts a proxy to target on a free loopback port; the caller
// must Close it. Each connection accepted dials target; if that dial
// fails, the client's connection is reset.
func StartProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hotredistest: proxy listen: %w", err)
	}
	p := &Proxy{target: target, ln: ln, links: map[*link]struct{}{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.moved = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the host:port clients should dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Conns returns how many connections are open through the proxy now.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Stall holds the bytes flowing in direction d, on every connection open
// now or accepted later, until Resume: nothing is lost, only delayed. New
// connections are still accepted while stalled, but a client that greets
// the server on a new connection (HELLO, AUTH) waits there for the reply.
func (p *Proxy) Stall(d Direction) {
	p.mu.Lock()
	p.stalled |= d
	p.mu.Unlock()
}

// StallOn stalls direction d (both, for Both), as Stall does, as soon as
// bytes flowing that way on any connection contain pattern, read from
// the moment StallOn is called: the read that completes it is held, with
// everything after it, until Resume. It fires once; each call adds one.
// The pattern is matched byte for byte, case and all, anywhere in the
// stream (a key or a value holding it matches too), and a pattern of
// more than 256 bytes may be missed across two reads. So
// StallOn(ToServer, "UNWATCH") holds the first UNWATCH a rueidis client
// (hotredis's own) sends, with whatever it wrote in the same breath, and
// lets every command before it through: a fault at one precise step of a
// client's work. (go-redis writes command names in lower case:
// "unwatch".)
func (p *Proxy) StallOn(d Direction, pattern string) {
	p.mu.Lock()
	p.triggers = append(p.triggers, trigger{d, []byte(pattern)})
	p.mu.Unlock()
}

// fire stalls a trigger's directions if its pattern ends in the chunk
// just read in direction d: seen is the end of what went before (old
// bytes, past) and then that chunk. It reports whether one fired.
func (p *Proxy) fire(d Direction, seen []byte, past int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, t := range p.triggers {
		from := max(0, past-len(t.pattern)+1) // (a match before it ends in old bytes)
		if t.d&d != 0 && bytes.Contains(seen[from:], t.pattern) {
			p.stalled |= t.d
			p.triggers = slices.Delete(p.triggers, i, i+1)
			return true
		}
	}
	return false
}

// Armed reports whether a StallOn has yet to fire: a test that set one
// waits for it to go false to know the step it stalls has begun.
func (p *Proxy) Armed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.triggers) > 0
}

// Resume forwards, in order, the bytes held by Stall in direction d and
// lets them flow again. Resume(ToServer) after Stall(Both) leaves the
// replies stalled.
func (p *Proxy) Resume(d Direction) {
	p.mu.Lock()
	p.stalled &^= d
	p.moved.Broadcast()
	p.mu.Unlock()
}

// Cut resets every connection open through the proxy, on both sides, as
// a broken network would; the bytes a stall held on them are lost.
// Connections made afterwards work (or are stalled) as before.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for l := range p.links {
		p.cutLocked(l)
	}
}

// Close stops the proxy: it stops listening, cuts every connection and
// waits for its goroutines to end. Calling it again does nothing more.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.ln.Close()
	p.cancel()
	p.Cut()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil { // out of file descriptors, say: try again soon
			time.Sleep(10 * time.Millisecond)
			continue
		}
		l := &link{client: c}
		p.mu.Lock()
		if p.closed {
			reset(c)
		} else {
			p.links[l] = struct{}{}
			p.wg.Add(1)
			go p.serve(l)
		}
		p.mu.Unlock()
	}
}

// serve carries l until either side fails, both have closed, or it is
// cut.
func (p *Proxy) serve(l *link) {
	defer p.wg.Done()
	client := l.client
	var d net.Dialer
	server, err := d.DialContext(p.ctx, "tcp", p.target)
	p.mu.Lock()
	l.server = server // nil if the dial failed
	if err != nil || l.cut {
		p.cutLocked(l)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()

	done := make(chan struct{})
	go func() { p.pipe(l, ToServer, client, server); close(done) }()
	p.pipe(l, ToClient, server, client)
	<-done
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	client.Close()
	server.Close()
}

// pipe copies src to dst, one direction of l. A chunk read waits there
// while d is stalled, and so does the end of the stream. At the end of
// src it closes dst for writing; on an error, or once l is cut, it cuts l
// and returns.
func (p *Proxy) pipe(l *link, d Direction, src, dst net.Conn) {
	buf := make([]byte, 32<<10)
	var seen []byte // the end of the last read and this one, for StallOn
	for {
		n, err := src.Read(buf)
		switch {
		case n > 0 && p.Armed():
			const keep = 256 // of the last reads: a pattern may straddle two
			past := len(seen)
			seen = append(seen, buf[:n]...)
			if p.fire(d, seen, past) {
				seen = nil // (a new trigger matches what comes after)
			} else {
				seen = slices.Clip(seen[max(0, len(seen)-keep):])
			}
		case n > 0:
			seen = nil // (bytes not looked at: a pattern cannot straddle them)
		}
		if !p.hold(l, d) {
			return
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				err = werr
			}
		}
		if err == io.EOF {
			dst.(*net.TCPConn).CloseWrite()
			return
		}
		if err != nil {
			p.mu.Lock()
			p.cutLocked(l)
			p.mu.Unlock()
			return
		}
	}
}

// hold waits while direction d is stalled. It returns false if l has
// been cut.
func (p *Proxy) hold(l *link, d Direction) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.stalled&d != 0 && !l.cut {
		p.moved.Wait()
	}
	return !l.cut
}

// cutLocked resets both of l's connections, forgets l and wakes its
// goroutines if a stall holds them. p.mu must be held.
func (p *Proxy) cutLocked(l *link) {
	l.cut = true
	delete(p.links, l)
	reset(l.client)
	if l.server != nil {
		reset(l.server)
	}
	p.moved.Broadcast()
}

// reset closes c so that its peer sees a connection reset rather than an
// orderly end.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
