package backend

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// Why a call whose context can end may skip bounded's goroutine.
//
// rueidis honours a call's context while the call waits on a connection
// that is up (to be written, and for its reply). It does not while the
// call waits for a connection that another call is making (mux._pipe
// waits for that dial, and its handshake, with no context). bounded runs
// such calls in a goroutine of their own, so that the caller can return
// at its deadline whatever rueidis does; that goroutine costs ~2.5 µs a
// call with 64 goroutines on this project's 2-core machine (1.30-1.41x
// raw rueidis instead of 1.09-1.16x, hotbench ops -cancellable).
//
// So the client watches its connections (connWatch): every one it makes
// goes through watch's dial, which counts it as being made until its
// first reply (the handshake's) and notes when any is made or closed (an
// epoch). A call on the shared connections goes straight to rueidis only
// while the client is steady: nothing is being made, and a call through
// bounded has succeeded since the last connection was made or closed
// (so the shared connection it used is up). A connection that dies is
// closed before rueidis lets anyone make its replacement, so from then
// on calls go through bounded again until one succeeds on the new one.
// What is left is a call that found the client steady just before a
// connection died and reaches rueidis only after another call began to
// make its replacement: it waits for that dial (at most the dialer's
// own deadline, or the dial timeout). A call that makes a connection
// itself is bounded by its own context throughout: the dial and the
// handshake honour its deadline, and watch cuts the handshake short when
// the context is cancelled.
type connWatch struct {
	dialing atomic.Int32 // connections made but not yet answered
	epoch   atomic.Int64 // bumped whenever a connection is made or closed
	steady  atomic.Int64 // the epoch a call through bounded last succeeded in, plus one
}

// isSteady reports whether a call may go straight to rueidis (see above).
func (w *connWatch) isSteady() bool {
	return w.dialing.Load() == 0 && w.steady.Load() == w.epoch.Load()+1
}

// succeeded notes that a call through bounded, which began in epoch e,
// got its reply.
func (w *connWatch) succeeded(e int64) {
	if w.dialing.Load() == 0 && w.epoch.Load() == e {
		w.steady.Store(e + 1)
	}
}

// straight reports whether a call on the shared connections with ctx may
// go straight to rueidis: ctx cannot end, or the client is steady.
func (w *connWatch) straight(ctx context.Context) bool {
	return ctx.Done() == nil || w.isSteady()
}

// boundedOn runs f, a call on the shared connections that may not go
// straight, through bounded, and notes the client steady when replied
// says that f got its reply. (Callers test straight first and spell the
// straight call out: a closure made on every call would cost an
// allocation on the hot path.)
func boundedOn[T any](ctx context.Context, w *connWatch, f func() (T, error), replied func(T, error) bool) (T, error) {
	e := w.epoch.Load()
	return bounded(ctx, func() (T, error) {
		for {
			v, err := f()
			if replied(v, err) {
				w.succeeded(e)
			}
			if ctx.Err() != nil || !isDialTimeout(err) {
				return v, err
			}
			// The connection this call waited for was being made by
			// another call, whose dial reached that call's deadline:
			// rueidis hands every waiter the dialer's error. Nothing was
			// sent, and this call's own deadline has not come: again. (A
			// dial that timed out by the dialer's own timeout is an
			// UnreachableError, not retried.)
		}
	})
}

// UnreachableError is a dial that timed out by the dialer's own timeout
// (rueidis's Dialer.Timeout, 5 s by default), not by the deadline of the
// call that dialed: the server does not answer. It is a net.Error (a
// timeout) but not a context.DeadlineExceeded, so that the calls waiting
// for that dial fail with it, as the dialing one does, instead of going
// again as calls failed by another's deadline do (for ever, when their
// context has no deadline). Err is the dial's error.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string   { return e.Err.Error() }
func (e *UnreachableError) Timeout() bool   { return true }
func (e *UnreachableError) Temporary() bool { return true }

// unreachable returns err, a failed dial's with ctx, as an
// UnreachableError when it timed out by the dialer's own timeout.
func unreachable(ctx context.Context, err error) error {
	if !isDialTimeout(err) || ctx.Err() != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return err // (the socket's deadline, ctx's, fired before ctx's timer)
	}
	return &UnreachableError{err}
}

// retryDelay is rueidis's RetryDelay: its default, an exponential backoff
// up to 1 s, except for an unreachable server, which rueidis would dial
// again until the call's deadline (for ever, when it has none).
func retryDelay(attempts int, _ rueidis.Completed, err error) time.Duration {
	var ue *UnreachableError
	if errors.As(err, &ue) {
		return -1
	}
	n := 1 << min(20, attempts)
	return min(time.Second, time.Duration(n+rand.N(n))*time.Microsecond)
}

// isDialTimeout reports whether err is a dial that timed out.
func isDialTimeout(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial" && oe.Timeout()
}

// dialFn is rueidis's ClientOption.DialCtxFn.
type dialFn = func(context.Context, string, *net.Dialer, *tls.Config) (net.Conn, error)

// watch returns dial (rueidis's DialCtxFn, or nil for its default) with
// every connection it makes watched by w.
func (w *connWatch) watch(dial dialFn) dialFn {
	if dial == nil {
		dial = func(ctx context.Context, dst string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
			if cfg != nil { // as rueidis dials when it has no DialCtxFn
				return (&tls.Dialer{NetDialer: d, Config: cfg}).DialContext(ctx, "tcp", dst)
			}
			return d.DialContext(ctx, "tcp", dst)
		}
	}
	return func(ctx context.Context, dst string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
		w.epoch.Add(1)
		w.dialing.Add(1)
		conn, err := dial(ctx, dst, d, cfg)
		if err != nil {
			w.dialing.Add(-1)
			return nil, unreachable(ctx, err)
		}
		c := &watchedConn{Conn: conn, w: w}
		c.used.Store(monoNow())
		// rueidis's handshake honours the dialing call's deadline, not its
		// cancellation: a cancelled call ends it through the socket.
		c.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(aLongTimeAgo) })
		return c, nil
	}
}

// aLongTimeAgo is a deadline that has passed: it ends a socket's waits.
var aLongTimeAgo = time.Unix(1, 0)

// watchedConn is a connection of a connWatch.
type watchedConn struct {
	net.Conn
	w        *connWatch
	stop     func() bool // ends the handshake's watch of the dialing call's context
	answered sync.Once   // the first reply, or the close of a connection never answered
	closed   atomic.Bool
	used     atomic.Int64 // when a write last returned, or the connection was made (monoNow)
	wrote    atomic.Bool  // a write returned since the last read
	replied  atomic.Bool  // a read returned bytes: the handshake was answered
	state    atomic.Int32 // connIdle, connReading or connChecking
}

// A watchedConn's state: whether a Read is running, or a write's check
// of the socket (see Write), which must not run while a Read holds the
// socket's read lock.
const (
	connIdle int32 = iota
	connReading
	connChecking
)

// monoNow is the time on the monotonic clock, in ns since the package
// started (a wall clock set back would skip checks).
func monoNow() int64 { return int64(time.Since(monoStart)) }

var monoStart = time.Now()

// checkIdleFrom is how long after its last write a connection's next
// write checks first that the server has not closed it. (Timed from the
// write, not the reply, to keep the clock off the reads, which pipelined
// connections make for every batch: a reply slower than this costs the
// next write a peek, ~1 µs.)
const checkIdleFrom = time.Millisecond

func (c *watchedConn) Read(b []byte) (int, error) {
	for !c.state.CompareAndSwap(connIdle, connReading) {
		runtime.Gosched() // a write's check: it does not wait for anything
	}
	n, err := c.Conn.Read(b)
	c.state.Store(connIdle)
	if c.wrote.Load() {
		c.wrote.Store(false)
	}
	if n > 0 {
		if !c.replied.Load() {
			c.replied.Store(true)
			c.answered.Do(c.up)
		}
	} else if err != nil && !c.replied.Load() {
		// The connection failed before it answered its handshake: the
		// calls waiting for it were not sent, as when a dial fails (a
		// proxy in front of a server that is down closes connections so).
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err // (the read's own OpError would repeat the addresses)
		}
		err = &net.OpError{Op: "dial", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
	}
	return n, err
}

// Write writes b, unless the connection has sat idle and the server has
// closed it meanwhile (a restart, a network cut, its idle timeout): then
// it fails as a write fails, having sent nothing (idleClosed). A
// dedicated connection is read only by the call that writes on it, so
// nothing notices such a close while it sits in rueidis's pool; without
// the check the write goes into the socket, the read finds the server's
// close, and the call fails though nothing reached the server (a read
// once for every dead pooled connection, a write with
// ErrUnknownOutcome). A failed write is known unsent and goes again on
// another connection (see unsent and resend). On a pipelined connection,
// whose reader sees a close at once, the check is skipped while that
// reader waits. Only the first write since the last read checks: a
// batch's later writes (a big one is written in several) follow ones
// that may have reached the server, so a failure there is no longer
// "nothing sent" (see Rueidis.DoMulti).
func (c *watchedConn) Write(b []byte) (int, error) {
	if !c.wrote.Load() && monoNow()-c.used.Load() >= int64(checkIdleFrom) && c.state.CompareAndSwap(connIdle, connChecking) {
		err := peerClosed(c.Conn)
		c.state.Store(connIdle)
		if err != nil {
			return 0, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: idleClosed{err}}
		}
	}
	n, err := c.Conn.Write(b)
	c.used.Store(monoNow())
	if !c.wrote.Load() {
		c.wrote.Store(true)
	}
	return n, err
}

// idleClosed is the error of a write that found its connection closed
// after it sat idle (see Write): nothing was sent.
type idleClosed struct{ error }

func (e idleClosed) Unwrap() error { return e.error }

// foundClosed reports whether err is a write that found its idle
// connection closed (see Write).
func foundClosed(err error) bool {
	if err == nil {
		return false // (before errors.As, whose target would escape: an allocation a batch)
	}
	var ic idleClosed
	return errors.As(err, &ic)
}

// up ends the making of the connection.
func (c *watchedConn) up() {
	c.stop()
	c.w.dialing.Add(-1)
}

func (c *watchedConn) Close() error {
	c.answered.Do(c.up)
	if c.closed.CompareAndSwap(false, true) {
		c.w.epoch.Add(1)
	}
	return c.Conn.Close()
}
