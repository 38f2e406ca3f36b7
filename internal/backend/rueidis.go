package backend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/rueidis"
)

// Rueidis is the default backend: rueidis pipelines the commands of
// concurrent goroutines on shared connections automatically, which is what
// gets many-goroutine throughput close to what Redis can serve.
type Rueidis struct {
	c        rueidis.Client
	cluster  bool
	timeout  time.Duration // the connections' read/write timeout (ConnWriteTimeout; < 0: none)
	directs  atomic.Int32  // commands and transactions in flight on the direct path (see direct)
	replicas bool          // commands marked Replica go to replicas (see build)
	conns    *connWatch    // when the shared connections are up (see steady.go)
	busy     *busyPipe     // the client for busy moments (see busy.go); nil: none
	// bgBound is context.Background() bounded for direct commands,
	// shared while its deadline is at least timeout/2 away (see direct).
	bgBound atomic.Pointer[deadlineCtx]
}

// NewRueidis connects with opt.
func NewRueidis(opt rueidis.ClientOption) (*Rueidis, error) {
	opt.DisableCache = true // no CLIENT TRACKING: fewer ACL permissions needed
	replicas := opt.SendToReplicas != nil
	if replicas {
		// Only commands built read-only go to replicas, and only those
		// marked Replica are (see build).
		opt.SendToReplicas = func(c rueidis.Completed) bool { return c.IsReadOnly() }
	}
	w := &connWatch{}
	if opt.DialCtxFn == nil && opt.DialFn != nil {
		dial := opt.DialFn
		opt.DialCtxFn = func(_ context.Context, dst string, d *net.Dialer, cfg *tls.Config) (net.Conn, error) {
			return dial(dst, d, cfg)
		}
	}
	opt.DialCtxFn = w.watch(opt.DialCtxFn)
	if opt.RetryDelay == nil {
		opt.RetryDelay = retryDelay
	}
	c, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, err
	}
	timeout := opt.ConnWriteTimeout // negative: none, as for rueidis
	if timeout == 0 {               // rueidis's default
		timeout = 10 * max(rueidis.DefaultTCPKeepAlive, opt.Dialer.KeepAlive)
	}
	return &Rueidis{c: c, timeout: timeout, cluster: c.Mode() == rueidis.ClientModeCluster, replicas: replicas, conns: w,
		busy: newBusyPipe(opt, c.Mode())}, nil
}

// shared returns the client a call on the shared connections goes to:
// the busy pipeline's while more than busyFrom calls are in flight (once
// it is made).
func (r *Rueidis) shared() rueidis.Client {
	if r.busy != nil && r.directs.Load() > busyFrom {
		if c := r.busy.client(); c != nil {
			return c
		}
	}
	return r.c
}

// build makes cmd a rueidis command. Blocking commands go to rueidis's
// dedicated connections, where a caller whose context cannot be cancelled
// (or has a deadline) writes and reads itself; the shared connections
// pipeline through writer and reader goroutines. When the client reads
// from replicas (replicas), rueidis sends every command built read-only to
// one, so only those marked Replica are: the other reads keep to the
// primary (and lose rueidis's retry of read-only commands).
func build(b rueidis.Builder, cmd Cmd, replicas bool) rueidis.Completed {
	a := b.Arbitrary(cmd.Name...).Keys(cmd.Keys...).Args(cmd.AllArgs()...)
	switch {
	case cmd.Blocking:
		return a.Blocking()
	case replicas && !cmd.Replica:
		return a.Build()
	case cmd.ReadOnly:
		return a.ReadOnly()
	}
	return a.Build()
}

func (r *Rueidis) Do(ctx context.Context, cmd Cmd) (any, error) {
	return resend(func() (any, error, bool) { return doOnce(r, ctx, cmd, reply) })
}

// DoScalar is Do with the reply as a Scalar, read straight from rueidis's
// message: a string or an integer reply allocates nothing more.
func (r *Rueidis) DoScalar(ctx context.Context, cmd Cmd) (Scalar, error) {
	return resend(func() (Scalar, error, bool) { return doOnce(r, ctx, cmd, scalarReply) })
}

// resend runs once, a call's try, again while it reports that rueidis did
// not send the call (see notOurs and unsent), up to foreignTries in all;
// tries that found an idle connection closed are counted apart, up to
// closedTries: each closes one of the connections that were idle in the
// pool, and one made anew is not idle (see watchedConn.Write), so there
// are as many at most as the pool held. A call whose last try went
// unsent too ends with a NotSentError.
func resend[T any](once func() (T, error, bool)) (T, error) {
	for try, closed := 1, 1; ; {
		v, err, again := once()
		switch {
		case !again:
			return v, err
		case foundClosed(err):
			if closed == closedTries {
				return v, notSent(err)
			}
			closed++
		case try == foreignTries:
			return v, notSent(err)
		default:
			try++
		}
	}
}

// closedTries bounds a call's tries that found an idle connection closed:
// more than rueidis's pool of dedicated connections holds by default
// (1,024), a bound against a server that closes connections as soon as
// they are made. (A variable for the tests.)
var closedTries = 2048

// NotSentError is the error of a call that never reached the server:
// each of its tries failed to write it, or was failed by another call's
// deadline or dial before it was written (see resend), so nothing ran.
// Err is the last try's failure.
type NotSentError struct{ Err error }

func (e *NotSentError) Error() string { return "not sent: " + e.Err.Error() }
func (e *NotSentError) Unwrap() error { return e.Err }

// notSent is err, the failure of a call's last try, which went unsent, as
// a NotSentError.
func notSent(err error) error {
	if err == nil {
		return nil
	}
	return &NotSentError{err}
}

// NotSent reports whether err says that its call never reached the
// server (NotSentError, or UnreachableError).
func NotSent(err error) bool {
	var ns *NotSentError
	var ue *UnreachableError // (no connection was made)
	return errors.As(err, &ns) || errors.As(err, &ue)
}

// doOnce is one try of Do (conv: reply) or DoScalar (scalarReply); again
// reports that rueidis did not send cmd (see notOurs).
func doOnce[T any](r *Rueidis, ctx context.Context, cmd Cmd, conv func(rueidis.RedisResult, bool) (T, error)) (v T, err error, again bool) {
	// A command goes on a dedicated connection while few are in flight,
	// else on the shared pipeline (see direct). (rueidis itself sends from
	// the caller's goroutine only until calls first overlap; after that,
	// every call pays the hand-off to its writer and reader goroutines:
	// 1.2–1.7× go-redis's time serially, see hotbench transports.)
	if !cmd.Blocking && !(cmd.Replica && r.replicas) {
		ctx, cmd.Blocking = r.direct(ctx)
		defer r.directs.Add(-1)
	}
	// A dedicated connection honours ctx throughout; the shared ones do
	// too, except while they wait for a connection being made (see
	// bounded and steady.go).
	if cmd.Blocking {
		v, err = conv(r.c.Do(ctx, build(r.c.B(), cmd, r.replicas)), cmd.Strings)
		return v, atDeadline(ctx, err), notOurs(ctx, err) || unsent(err)
	} else if c := r.shared(); r.conns.straight(ctx) {
		v, err = conv(c.Do(ctx, build(c.B(), cmd, r.replicas)), cmd.Strings)
	} else {
		v, err = boundedOn(ctx, r.conns, func() (T, error) {
			return conv(c.Do(ctx, build(c.B(), cmd, r.replicas)), cmd.Strings)
		}, func(_ T, err error) bool { return err == nil })
	}
	return v, atDeadline(ctx, err), notOurs(ctx, err)
}

// notOurs reports whether err is a context.DeadlineExceeded that ctx, the
// context the call went to rueidis with, did not cause. rueidis (v1.0.79)
// hands the calls queued on a connection behind one whose deadline ended
// that connection, and those waiting for a connection that another call
// was making when its deadline ended it, that call's error, without
// sending them (TestAnotherCallsDeadlineIsNotOurs): such a call goes again,
// up to foreignTries in all. (A deadline of the call's own, and the
// client's timeout on a connection, come when ctx's deadline has passed,
// or as an i/o timeout.)
func notOurs(ctx context.Context, err error) bool {
	if !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || time.Now().Before(dl)
}

// foreignTries bounds the tries of a call that another call's deadline
// kept from being sent (see notOurs), or whose write failed on a dedicated
// connection (see unsent), other than on one found closed after idling
// (see resend).
const foreignTries = 3

// unsent reports whether err says that writing a call to its dedicated
// connection failed: a connection the server closed or reset while it sat
// idle in the pool (the first calls after a restart or a network cut find
// them so; see watchedConn.Write). A command not wholly written is not
// run, and nobody else's command was on that connection, so the call goes
// again, on a new one. (Not on the shared pipeline, whose writer may fail
// a batch after earlier commands went out.)
func unsent(err error) bool {
	if err == nil {
		return false // (before errors.As, whose target would escape: an allocation a call)
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "write"
}

// direct decides how a command (or a MULTI/EXEC) goes: as a
// blocking one does, on a dedicated connection from the caller's
// goroutine, unless more than directMax are in flight: then this client
// is busy, the pipeline's writer is likely awake, and sharing it is what
// keeps many goroutines fast. rueidis sets no timeout of its own on a
// command it takes for blocking: it is bounded as the shared connections
// bound theirs (a caller's earlier deadline stands), which also keeps it
// on the caller's goroutine. r.directs.Add(-1) must be called when the
// command returns.
func (r *Rueidis) direct(ctx context.Context) (_ context.Context, dedicated bool) {
	if r.directs.Add(1) > directMax {
		return ctx, false
	}
	if r.timeout <= 0 {
		return ctx, true
	}
	now := time.Now()
	dl := now.Add(r.timeout)
	d, ok := ctx.Deadline()
	if ok && !d.After(dl) {
		return ctx, true
	}
	if ctx.Done() != nil && !ok {
		// A context that can be cancelled, with no deadline: a dedicated
		// connection reads only a deadline (the bound this would give
		// it), so cancelling would not end the call. The pipeline honours
		// it.
		return ctx, false
	}
	if ctx != context.Background() {
		return &deadlineCtx{ctx, dl}, true
	}
	// The commonest context: one bound serves the calls of a while, so
	// that they allocate none (the bound is a safety net against a server
	// that never answers, whether it comes after timeout or half of it).
	if c := r.bgBound.Load(); c != nil && c.dl.Sub(now) >= r.timeout/2 {
		return c, true
	}
	c := &deadlineCtx{ctx, dl}
	r.bgBound.Store(c)
	return c, true
}

// directMax is how many calls in flight go on dedicated connections. Two
// goroutines calling at once each write and read their own (0.66-0.71x
// raw rueidis's time, against 0.72-1.28x through the pipeline's writer
// and reader goroutines, Int.Add in 300 ms rounds at 18:16); with three,
// all on their own connections cost more than the pipeline (1.00-1.24x,
// against 0.89-1.11x).
const directMax = 2

// deadlineCtx is a context with an earlier deadline than its parent's and
// nothing else: a dedicated connection reads only its context's deadline
// (rueidis sets the socket's from it, and reports
// context.DeadlineExceeded when it passes), so a direct command needs no
// context.WithTimeout, whose timer and channel cost 5 allocations a call.
// Only for rueidis's dedicated path: its Done and Err are the parent's.
type deadlineCtx struct {
	context.Context
	dl time.Time
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.dl, true }

// atDeadline makes a timeout that ended a call at ctx's deadline report
// context.DeadlineExceeded, as the same call does when ctx's own timer
// fires first: a dial, or a socket deadline, set from that deadline may
// fire a moment before it (Go's dial then reports a bare i/o timeout; the
// paused-server test saw it on both backends' paths).
func atDeadline(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var ne net.Error
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) && errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
	}
	return err
}

func (r *Rueidis) DoMulti(ctx context.Context, cmds []Cmd) []Result {
	var unsentLast bool // the last try sent none of the batch
	rs, _ := resend(func() ([]Result, error, bool) {
		rs, dedicated, used := r.doMultiOnce(ctx, cmds)
		// The batch's first write found its dedicated connection closed:
		// none of it was sent (see watchedConn.Write). (Not on the shared
		// connections, where rueidis fails every call in flight with the
		// writer's error, also those written before.)
		if unsentLast = dedicated && allFoundClosed(rs); unsentLast {
			return rs, rs[0].Err, true
		}
		// (Judged by the context the try went with: a dedicated
		// connection's is bounded by the client's timeout, whose end is
		// this batch's own, not another call's.)
		unsentLast = noneSent(used, rs)
		return rs, nil, unsentLast
	})
	if unsentLast { // (resend gave up)
		for i := range rs {
			rs[i].Err = notSent(rs[i].Err)
		}
	}
	return allAtDeadline(ctx, rs)
}

// allFoundClosed reports whether every command of a batch whose results
// are rs failed with a write that found its connection closed (see
// watchedConn.Write). (On a Cluster, rueidis splits a batch by node, and
// only the part with the first command takes a dedicated connection.)
func allFoundClosed(rs []Result) bool {
	for _, r := range rs {
		if !foundClosed(r.Err) {
			return false
		}
	}
	return len(rs) > 0
}

// noneSent reports whether rueidis sent none of a batch whose results are
// rs: each failed with another call's deadline (see notOurs).
func noneSent(ctx context.Context, rs []Result) bool {
	for _, r := range rs {
		if !notOurs(ctx, r.Err) {
			return false
		}
	}
	return len(rs) > 0
}

// doMultiOnce is one try of DoMulti, its errors as rueidis gave them. A
// batch goes on a dedicated connection as a command does (see direct),
// unless it holds a blocking command, which takes rueidis's dedicated
// connections anyway (and the client's timeout must not bound); dedicated
// reports that this one went on one (either way), and used is the context
// it went with.
//
// A blocking batch is not counted in flight, as a blocking command is not
// (see doOnce): it waits on a connection of its own, mostly idle, and
// counted it sent every other call of a program with a few waiters
// (workers blocked in Queue.Get, a Lock's line) through the shared
// pipeline's writer and reader goroutines, or the busy pipeline's flush
// delay, however few calls were active.
//
// On a Cluster no batch goes as a blocking one: rueidis (v1.0.80) panics
// following an ASK redirection of a batch it takes for blocking
// (clusterClient.askingMulti compares the ASKING it prepends with the
// one mux.DoMulti marked blocking, keeps its reply, and doresultfn
// indexes past the batch), in a goroutine of ours, which ends the
// program. There a blocking batch goes one command after another, each
// redirected on its own (see doEach), and others on the shared pipeline.
func (r *Rueidis) doMultiOnce(ctx context.Context, cmds []Cmd) (_ []Result, dedicated bool, used context.Context) {
	if slices.ContainsFunc(cmds, func(c Cmd) bool { return c.Blocking }) {
		if r.cluster {
			return r.doEach(ctx, cmds), true, ctx
		}
		return doMultiRueidis(ctx, r.shared(), cmds, r.replicas, false), true, ctx
	}
	ctx, dedicated = r.direct(ctx)
	defer r.directs.Add(-1)
	if dedicated && !r.cluster {
		return doMultiRueidis(ctx, r.c, cmds, r.replicas, true), true, ctx
	}
	c := r.shared()
	if r.conns.straight(ctx) {
		return doMultiRueidis(ctx, c, cmds, r.replicas, false), false, ctx
	}
	rs, err := boundedOn(ctx, r.conns, func() ([]Result, error) {
		return doMultiRueidis(ctx, c, cmds, r.replicas, false), nil
	}, func(rs []Result, _ error) bool { return len(rs) > 0 && rs[0].Err == nil })
	if err != nil {
		rs = failedAll(len(cmds), err)
	}
	return rs, false, ctx
}

// doEach sends cmds one after another, each as Do sends a blocking
// command (see doMultiOnce): in order, as a batch would run, a round trip
// each. A command that got no reply leaves the later ones unsent, with
// its error.
func (r *Rueidis) doEach(ctx context.Context, cmds []Cmd) []Result {
	out := make([]Result, len(cmds))
	for i, cmd := range cmds {
		cmd.Replica = false // a batch keeps to the primary
		cmd.Blocking = true // on a connection of its own, as a blocking batch goes
		out[i].Val, out[i].Err = reply(r.c.Do(ctx, build(r.c.B(), cmd, r.replicas)), cmd.Strings)
		if err := out[i].Err; err != nil && !isReply(err) {
			for j := i + 1; j < len(out); j++ {
				out[j].Err = err
			}
			break
		}
	}
	return out
}

// isReply reports whether err is the server's reply (the command was
// answered), not a failure to send it or to read its reply.
func isReply(err error) bool {
	var se *ServerError
	var de *InDoubtError
	return errors.As(err, &se) || errors.As(err, &de)
}

// allAtDeadline is atDeadline for each of a batch's results.
func allAtDeadline(ctx context.Context, rs []Result) []Result {
	for i := range rs {
		rs[i].Err = atDeadline(ctx, rs[i].Err)
	}
	return rs
}

// doMultiRueidis sends cmds through c, on a dedicated connection when
// dedicated is set.
func doMultiRueidis(ctx context.Context, c rueidis.CoreClient, cmds []Cmd, replicas, dedicated bool) []Result {
	cs := make([]rueidis.Completed, len(cmds))
	for i, cmd := range cmds {
		cmd.Replica = false // a batch keeps to the primary
		if i == 0 && dedicated {
			cmd.Blocking = true // (rueidis sends a batch with one blocking command on a dedicated connection)
		}
		cs[i] = build(c.B(), cmd, replicas)
	}
	rs := c.DoMulti(ctx, cs...)
	out := make([]Result, len(rs))
	for i, r := range rs {
		out[i].Val, out[i].Err = reply(r, cmds[i].Strings)
	}
	return out
}

func (r *Rueidis) Exec(ctx context.Context, cmds []Cmd) ([]Result, error) {
	return resend(func() ([]Result, error, bool) { return r.execOnce(ctx, cmds) })
}

// execOnce is one try of Exec; again reports that rueidis did not send
// the transaction (see notOurs).
func (r *Rueidis) execOnce(ctx context.Context, cmds []Cmd) (rs []Result, err error, again bool) {
	// (Not on a Cluster: rueidis v1.0.79 panics following a redirection
	// of a MULTI/EXEC it took for blocking, in clusterClient.doresultfn.)
	// Every MULTI/EXEC: on a dedicated connection
	// a write that finds it closed after idling (a restart, a network cut)
	// is known unsent and goes again (see unsent), where the shared
	// pipeline's could only be ErrUnknownOutcome.
	if len(cmds) > 0 && !r.cluster {
		var dedicated bool
		ctx, dedicated = r.direct(ctx)
		if dedicated {
			defer r.directs.Add(-1)
			cmds[0].Blocking = true // the whole MULTI/EXEC goes on a dedicated connection
			rs, err = execRueidis(ctx, r.c, cmds, r.replicas)
			return rs, atDeadline(ctx, err), notOurs(ctx, err) || unsent(err)
		}
	} else {
		r.directs.Add(1) // (in flight: see shared)
	}
	defer r.directs.Add(-1)
	c := r.shared()
	if r.conns.straight(ctx) {
		rs, err = execRueidis(ctx, c, cmds, r.replicas)
	} else {
		rs, err = boundedOn(ctx, r.conns, func() ([]Result, error) { return execRueidis(ctx, c, cmds, r.replicas) },
			func(_ []Result, err error) bool { return err == nil })
	}
	return rs, atDeadline(ctx, err), notOurs(ctx, err)
}

// smallTx is the most commands of a transaction whose commands and
// results execRueidis keeps in one allocation (txBufs).
const smallTx = 8

// txBufs holds a small transaction's commands and its results: one
// allocation instead of two. (Not pooled: rueidis may keep the commands
// of a call whose context ended until they are written, and the caller
// keeps the results.)
type txBufs struct {
	cs  [smallTx + 2]rueidis.Completed
	out [smallTx]Result
}

func execRueidis(ctx context.Context, c rueidis.CoreClient, cmds []Cmd, replicas bool) ([]Result, error) {
	var bufs *txBufs
	var cs []rueidis.Completed
	if len(cmds) <= smallTx {
		bufs = new(txBufs)
		cs = bufs.cs[:0]
	} else {
		cs = make([]rueidis.Completed, 0, len(cmds)+2)
	}
	cs = append(cs, c.B().Multi().Build())
	for _, cmd := range cmds {
		cmd.Replica = false // a transaction keeps to the primary
		cs = append(cs, build(c.B(), cmd, replicas))
	}
	cs = append(cs, c.B().Exec().Build())
	rs := c.DoMulti(ctx, cs...)
	if err := rs[0].Error(); err != nil {
		if _, ok := rueidis.IsRedisErr(err); ok {
			// MULTI refused by the server (an ACL without +multi): the
			// commands after it ran one by one, not as a transaction.
			return nil, fmt.Errorf("MULTI refused, the transaction's commands ran unguarded: %w", convertErr(err))
		}
		return nil, err // not sent, or no reply: as the queued commands would say
	}
	for _, r := range rs {
		if re, ok := rueidis.IsRedisErr(r.Error()); ok && strings.Contains(re.Error(), "EXEC without MULTI") {
			// Our MULTI was answered OK: this EXEC is one rueidis's
			// cluster client sent again, alone, after a redirection of
			// a queued command and of the EXEC (v1.0.80,
			// clusterClient.doresultfn), while the MULTI/EXEC it resent
			// may have run.
			return nil, &InDoubtError{Msg: re.Error()}
		}
	}
	// A command refused while queuing (syntax, arity) makes EXEC fail with
	// EXECABORT; report the command's own error, it says more.
	for _, q := range rs[1 : len(rs)-1] {
		if err := q.Error(); err != nil {
			if _, ok := rueidis.IsRedisErr(err); ok {
				return nil, convertErr(err)
			}
			return nil, err
		}
	}
	last := rs[len(rs)-1]
	msg, err := last.ToMessage()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return nil, ErrTxAborted
		}
		return nil, convertErr(err)
	}
	if msg.IsNil() {
		return nil, ErrTxAborted
	}
	arr, err := msg.ToArray()
	if err != nil {
		return nil, err
	}
	var out []Result
	if bufs != nil && len(arr) <= smallTx {
		out = bufs.out[:len(arr)]
	} else {
		out = make([]Result, len(arr))
	}
	for i := range arr {
		out[i].Val, out[i].Err = fromMessage(&arr[i])
	}
	return out, nil
}

func (r *Rueidis) Watch(ctx context.Context, keys []string, fn func(Conn) error) error {
	err := boundedFn(ctx, func(call func(func() error) error) error {
		return r.watch(ctx, keys, func(c Conn) error { return call(func() error { return fn(c) }) })
	})
	return atDeadline(ctx, err)
}

func (r *Rueidis) watch(ctx context.Context, keys []string, fn func(Conn) error) error {
	_, err := resend(func() (struct{}, error, bool) {
		c := &rueidisConn{}
		err := r.c.Dedicated(func(dc rueidis.DedicatedClient) error {
			c.c = dc
			if len(keys) > 0 {
				err := dc.Do(ctx, dc.B().Watch().Key(keys...).Build()).Error()
				if c.sent(err); err != nil {
					return convertErr(err)
				}
			}
			defer func() {
				// EXEC, aborted or not, unwatched every key: another
				// round trip would only delay the caller.
				if !c.execed.Load() {
					dc.Do(context.WithoutCancel(ctx), dc.B().Unwatch().Build())
				}
			}()
			return fn(c)
		})
		// A connection found dead before anything went on it (see unsent):
		// fn goes again, on another, as after a conflict. (resend sees the
		// connection's error, which fn's may not wrap, to tell whether it
		// was found closed after idling.)
		d := c.dead.Load()
		if err == nil || d == nil || errors.Is(err, errFnPanicked) {
			return struct{}{}, err, false // (a function that panicked never runs again)
		}
		if foundClosed(*d) {
			err = *d
		}
		return struct{}{}, err, true
	})
	return err
}

// rueidisConn is the connection of an optimistic transaction.
type rueidisConn struct {
	c      rueidis.DedicatedClient
	used   atomic.Bool           // a call was made on it
	dead   atomic.Pointer[error] // the first call's error, when it went unsent
	execed atomic.Bool           // its last call was an EXEC that replied
}

// sent notes the outcome of a call on c.
func (c *rueidisConn) sent(err error) {
	if c.used.CompareAndSwap(false, true) && unsent(err) {
		c.dead.Store(&err)
	}
}

func (c *rueidisConn) DoMulti(ctx context.Context, cmds []Cmd) []Result {
	c.execed.Store(false) // (a WATCH among cmds, say)
	rs := doMultiRueidis(ctx, c.c, cmds, false, false)
	if len(rs) > 0 {
		c.sent(rs[0].Err) // (a batch's first write failing sent none of it)
	}
	return allAtDeadline(ctx, rs)
}

func (c *rueidisConn) Exec(ctx context.Context, cmds []Cmd) ([]Result, error) {
	rs, err := execRueidis(ctx, c.c, cmds, false)
	c.sent(err)
	c.execed.Store(err == nil || errors.Is(err, ErrTxAborted))
	if unsent(err) {
		// Not all of the MULTI/EXEC was written (the EXEC goes last),
		// and only ours were on this connection: nothing ran.
		err = notSent(err)
	}
	return rs, atDeadline(ctx, err)
}

func (r *Rueidis) Cluster() bool { return r.cluster }

func (r *Rueidis) Close() error {
	if r.busy != nil {
		r.busy.close()
	}
	r.c.Close()
	return nil
}

// reply is the reply of a command, with its arrays of strings as []string
// (and a map of strings as a map[string]string) when strs asks for them
// (Cmd.Strings).
// scalarReply is reply as a Scalar: an integer or a string straight from
// the message, and with strs an array of strings as AsStrSlice reads it;
// anything else as reply reads it.
func scalarReply(r rueidis.RedisResult, strs bool) (Scalar, error) {
	msg, err := r.ToMessage()
	if strs && err == nil && (msg.IsArray() || msg.IsMap()) {
		if msg.IsArray() {
			if ss, ok := strSlice(&msg); ok {
				return Scalar{Kind: ScalarStrs, Strs: ss}, nil
			}
		}
		v, err := withStrings(&msg)
		return ScalarOf(v), err
	}
	switch {
	case err != nil && rueidis.IsRedisNil(err):
		return Scalar{}, nil
	case err != nil:
		return Scalar{}, convertErr(err)
	case msg.IsInt64():
		n, err := msg.AsInt64()
		return Scalar{Kind: ScalarInt, Int: n}, err
	case msg.IsString():
		s, err := msg.ToString()
		return Scalar{Kind: ScalarStr, Str: s}, err
	}
	v, err := fromMessage(&msg)
	return ScalarOf(v), err
}

func reply(r rueidis.RedisResult, strs bool) (any, error) {
	if strs {
		if msg, err := r.ToMessage(); err == nil {
			return withStrings(&msg)
		}
	}
	return fromRueidis(r)
}

// withStrings is fromMessage with each array of strings as a []string,
// and a map of strings (HGETALL's reply in RESP3) as a map[string]string.
func withStrings(m *rueidis.RedisMessage) (any, error) {
	switch {
	case m.IsMap():
		mm, err := m.AsStrMap() // (HGETALL's values are all strings)
		if err != nil {
			return fromMessage(m)
		}
		return mm, nil
	case !m.IsArray():
		return fromMessage(m)
	}
	arr, err := m.ToArray()
	if err != nil {
		return nil, err
	}
	if ss, ok := strSlice(m); ok {
		return ss, nil
	}
	out := make([]any, len(arr))
	for i := range arr {
		v, err := withStrings(&arr[i])
		if err != nil {
			v = err // as fromMessage does
		}
		out[i] = v
	}
	return out, nil
}

// strSlice returns the array m as a []string when every element is a
// string.
func strSlice(m *rueidis.RedisMessage) ([]string, bool) {
	arr, err := m.ToArray()
	if err != nil {
		return nil, false
	}
	for i := range arr {
		if !arr[i].IsString() {
			return nil, false
		}
	}
	ss, err := m.AsStrSlice()
	return ss, err == nil
}

func fromRueidis(r rueidis.RedisResult) (any, error) {
	msg, err := r.ToMessage()
	if err != nil {
		if rueidis.IsRedisNil(err) {
			return nil, nil
		}
		return nil, convertErr(err)
	}
	return fromMessage(&msg)
}

func fromMessage(m *rueidis.RedisMessage) (any, error) {
	if err := m.Error(); err != nil {
		if rueidis.IsRedisNil(err) {
			return nil, nil
		}
		return nil, convertErr(err)
	}
	switch {
	case m.IsNil():
		return nil, nil
	case m.IsInt64():
		n, err := m.AsInt64()
		return BoxInt(n), err
	case m.IsString():
		return m.ToString()
	case m.IsFloat64():
		return m.AsFloat64()
	case m.IsBool():
		b, err := m.AsBool()
		if b {
			return int64(1), err
		}
		return int64(0), err
	case m.IsMap():
		mm, err := m.AsMap()
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, 2*len(mm))
		for k, v := range mm {
			val, err := fromMessage(&v)
			if err != nil {
				val = err
			}
			out = append(out, k, val)
		}
		return out, nil
	case m.IsArray():
		arr, err := m.ToArray()
		if err != nil {
			return nil, err
		}
		out := make([]any, len(arr))
		for i := range arr {
			v, err := fromMessage(&arr[i])
			if err != nil {
				v = err // an error nested in an array (EXEC, scripts)
			}
			out[i] = v
		}
		return out, nil
	}
	// Big numbers and other rarities arrive as strings.
	if s, err := m.ToString(); err == nil {
		return s, nil
	}
	if f, err := m.ToFloat64(); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
	return nil, errors.New("unsupported reply type")
}

func convertErr(err error) error {
	if re, ok := rueidis.IsRedisErr(err); ok {
		return serverError(re.Error())
	}
	return err
}
