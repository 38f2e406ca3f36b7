package hotredis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// This file is the one path from a type's methods to Redis. Every command
// goes through send (one command), sendMulti (a pipeline or MULTI/EXEC) or
// wait (a pipeline that blocks on the server), which are the one place
// that knows about:
//
//   - a closed client (ErrClosed) and an ended context (nothing is sent);
//   - transactions: inside Transaction a write is queued and answers
//     queued, a read fails; inside Optimistic a read watches its keys;
//   - Cluster slots: keys of one call must share a slot (ErrCrossSlot);
//   - TRYAGAIN: a command refused while its slot moves is sent again;
//   - deadlines: the backend returns by the context's deadline, and a write
//     whose reply did not come back by then is ErrUnknownOutcome;
//   - error wrapping: errors name their object (wrapErr), once;
//   - observing: with an Observer set, each of them is an Operation
//     (observe.go); without, that costs a nil check.

// queued is the reply of a write queued in a Transaction: its real reply
// only exists after the commit. The reply helpers read it as a zero value;
// a method that must say something else tests isQueued.
var queued any = queuedReply{}

type queuedReply struct{}

func isQueued(v any) bool { _, ok := v.(queuedReply); return ok }

// cmd builds a command: name, then keys, then args (copied: for a few).
func cmd(name string, ks []string, args ...string) backend.Cmd {
	return backend.Short(verb(name), ks, args...)
}

// cmdArgs is cmd with args that the command keeps (no copy: a long list).
func cmdArgs(name string, ks []string, args []string) backend.Cmd {
	return backend.Cmd{Name: verb(name), Keys: ks, Args: args}
}

// verbs holds the Name of each command cmd has built, so that a call does
// not allocate one (a backend never changes a command's Name): a map
// replaced, never changed, when a new name comes, so that reading it takes
// no lock (and boxes no key, as a sync.Map would).
var (
	verbs   atomic.Pointer[map[string][]string]
	verbsMu sync.Mutex
)

func verb(name string) []string {
	if m := verbs.Load(); m != nil {
		if n, ok := (*m)[name]; ok {
			return n
		}
	}
	verbsMu.Lock()
	defer verbsMu.Unlock()
	old := verbs.Load()
	if old != nil {
		if n, ok := (*old)[name]; ok {
			return n
		}
	}
	m := make(map[string][]string, 1)
	if old != nil {
		m = maps.Clone(*old)
	}
	n := []string{name}
	m[name] = n
	verbs.Store(&m)
	return n
}

// read sends a command whose reply the caller needs. Inside a Transaction
// it fails with ErrInTransaction; inside Optimistic its keys are watched
// first and it reads live.
//
// Outside transactions a read may be served by a replica, when the client
// reads from replicas (Options.ReadFromReplicas); readPrimary's never.
func (o *object) read(ctx context.Context, c backend.Cmd) (any, error) {
	c.ReadOnly, c.Replica = true, true
	return o.send(ctx, c, false)
}

// readMany sends the reads cmds in one round trip, each answering for
// itself, as pipeline does; inside a transaction each is read as read
// reads it (live in Optimistic; a pipeline there would queue them, and
// answer queued).
func (o *object) readMany(ctx context.Context, cmds ...backend.Cmd) ([]backend.Result, error) {
	if !o.queuing(ctx) {
		return o.pipeline(ctx, cmds...)
	}
	rs := make([]backend.Result, len(cmds))
	for i, c := range cmds {
		if rs[i].Val, rs[i].Err = o.readPrimary(ctx, c); isCtxErr(rs[i].Err) || errors.Is(rs[i].Err, ErrInTransaction) {
			return nil, rs[i].Err
		}
	}
	return rs, nil
}

// atomicRead sends the reads cmds in one MULTI/EXEC, so that they see one
// moment; inside a transaction each is read as readMany reads them (live
// in Optimistic, whose EXEC vouches for them together).
func (o *object) atomicRead(ctx context.Context, cmds ...backend.Cmd) ([]backend.Result, error) {
	if o.queuing(ctx) {
		return o.readMany(ctx, cmds...)
	}
	return o.atomic(ctx, cmds...)
}

// readPrimary is read for a read the engine acts on, which must be fresh.
func (o *object) readPrimary(ctx context.Context, c backend.Cmd) (any, error) {
	c.ReadOnly = true
	return o.send(ctx, c, false)
}

// write sends a command that changes data. Inside a Transaction it is
// queued and answers queued.
func (o *object) write(ctx context.Context, c backend.Cmd) (any, error) {
	return o.send(ctx, c, true)
}

// script runs s with keys ks and args. A script that writes is queued in
// a Transaction (answering queued); a read-only one reads.
func (o *object) script(ctx context.Context, s *lua.Script, ks []string, args ...string) (any, error) {
	return o.send(ctx, s.Cmd(true, ks, args), !s.ReadOnly)
}

// idempotentScript is script for a write that may run twice (a cancel,
// a run's record): it goes again after a lost connection, as a call that
// waits does (see rideOut).
func (o *object) idempotentScript(ctx context.Context, s *lua.Script, ks []string, args ...string) (any, error) {
	ro := o.rideOut()
	for {
		v, err := o.script(ctx, s, ks, args...)
		if err == nil || ro.again(ctx, err) != nil {
			return v, err
		}
	}
}

// scriptFew is script for a few args (two or fewer allocate nothing),
// written out by the caller: they are copied. The reply, one value, comes
// as sendScalar's.
func (o *object) scriptFew(ctx context.Context, s *lua.Script, ks []string, args ...string) (backend.Scalar, error) {
	return o.sendScalar(ctx, s.Cmd(true, ks, nil).WithArgs(args...), !s.ReadOnly)
}

// run is script for operations that cannot be queued in a transaction
// (locks, queue takes): inside one it fails with ErrInTransaction.
func (o *object) run(ctx context.Context, op string, s *lua.Script, ks []string, args ...string) (any, error) {
	if err := o.noTx(ctx, op); err != nil {
		return nil, err
	}
	return o.script(ctx, s, ks, args...)
}

// noTx fails with ErrInTransaction when ctx is a transaction's: op needs
// its reply, or waits, or holds something, none of which a transaction can.
func (o *object) noTx(ctx context.Context, op string) error {
	if txFrom(ctx) != nil {
		return o.fail(op, ErrInTransaction)
	}
	return nil
}

// queuing reports whether ctx is a transaction's, where writes are queued:
// for the few writes that take another shape there.
func (o *object) queuing(ctx context.Context) bool {
	return txFrom(ctx) != nil
}

// fail names the object and op in err (nil stays nil).
// asOp returns err, an error of o's named for the operation another one
// made on op's behalf (Insert's SetSlice, Remove's Index), named for op.
func (o *object) asOp(op string, err error) error {
	if oe, ok := err.(*objError); ok && oe.key == o.key && oe.op != op {
		return &objError{kind: oe.kind, key: oe.key, op: op, err: oe.err}
	}
	return err
}

func (o *object) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var oe *objError
	if errors.As(err, &oe) && oe.op == "" && oe.key == o.key {
		return &objError{kind: o.kind, key: o.key, op: op, err: oe.err}
	}
	if errors.As(err, &oe) || isCtxErr(err) {
		return err
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return err
	}
	return &objError{kind: o.kind, key: o.key, op: op, err: err}
}

// invalid reports an invalid argument of op, before any I/O.
func (o *object) invalid(op, format string, args ...any) error {
	return &objError{kind: o.kind, key: o.key, op: op,
		err: fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))}
}

func (o *object) send(ctx context.Context, c backend.Cmd, write bool) (any, error) {
	return sendAs(ctx, o, c, write, anyReply)
}

// sendScalar is send for a command that answers one value: the reply
// comes as a backend.Scalar, which boxes no string or integer (see
// backend.Backend.DoScalar).
func (o *object) sendScalar(ctx context.Context, c backend.Cmd, write bool) (backend.Scalar, error) {
	return sendAs(ctx, o, c, write, scalarReply)
}

// readScalar is read for a command that answers one value (sendScalar).
func (o *object) readScalar(ctx context.Context, c backend.Cmd) (backend.Scalar, error) {
	c.ReadOnly, c.Replica = true, true
	return o.sendScalar(ctx, c, false)
}

// readPrimaryScalar is readPrimary for a command that answers one value
// (sendScalar).
func (o *object) readPrimaryScalar(ctx context.Context, c backend.Cmd) (backend.Scalar, error) {
	c.ReadOnly = true
	return o.sendScalar(ctx, c, false)
}

// writeScalar is write for a command that answers one value (sendScalar).
func (o *object) writeScalar(ctx context.Context, c backend.Cmd) (backend.Scalar, error) {
	return o.sendScalar(ctx, c, true)
}

// A reply type's ways: how the backend sends a command for it, and what
// it is made of a reply in hand (queued, a live read in Optimistic).
type replyWay[T any] struct {
	do   func(backend.Backend, context.Context, backend.Cmd) (T, error)
	from func(any) T
}

var (
	anyReply    = replyWay[any]{do: backend.Backend.Do, from: func(v any) any { return v }}
	scalarReply = replyWay[backend.Scalar]{do: backend.Backend.DoScalar, from: backend.ScalarOf}
)

// sendAs is o's send of c, with the reply as way makes it.
func sendAs[T any](ctx context.Context, o *object, c backend.Cmd, write bool, way replyWay[T]) (T, error) {
	cl, err := o.cli()
	if err != nil {
		var zero T
		return zero, err
	}
	if obs := cl.observer(); obs != nil {
		return observed(ctx, o, obs, false, func(ctx context.Context) (T, error) {
			v, err := clientSend(ctx, cl, c, write, way)
			return v, wrapErr(o.kind, o.key, err)
		})
	}
	v, err := clientSend(ctx, cl, c, write, way)
	return v, wrapErr(o.kind, o.key, err)
}

// atomic runs cmds in one MULTI/EXEC (one command alone goes as it is).
// Inside a Transaction they join it and each answers queued. A command's
// own error is returned as the error (the others have run: Redis
// transactions do not roll back).
func (o *object) atomic(ctx context.Context, cmds ...backend.Cmd) ([]backend.Result, error) {
	return o.multi(ctx, cmds, true)
}

// pipeline sends cmds in one round trip, not as a transaction: each
// command is atomic by itself, and later ones must not depend on earlier
// ones having run. In a Transaction they are queued, as atomic does. The
// results carry each command's own error.
func (o *object) pipeline(ctx context.Context, cmds ...backend.Cmd) ([]backend.Result, error) {
	return o.multi(ctx, cmds, false)
}

func (o *object) multi(ctx context.Context, cmds []backend.Cmd, atomic bool) ([]backend.Result, error) {
	cl, err := o.cli()
	if err != nil {
		return nil, err
	}
	if obs := cl.observer(); obs != nil {
		return observed(ctx, o, obs, false, func(ctx context.Context) ([]backend.Result, error) {
			return o.sendMulti(ctx, cl, cmds, atomic)
		})
	}
	return o.sendMulti(ctx, cl, cmds, atomic)
}

func (o *object) sendMulti(ctx context.Context, cl *Client, cmds []backend.Cmd, atomic bool) ([]backend.Result, error) {
	rs, err := cl.sendMulti(ctx, cmds, atomic)
	if err != nil {
		return nil, wrapErr(o.kind, o.key, err)
	}
	for i := range rs {
		rs[i].Err = wrapErr(o.kind, o.key, rs[i].Err)
		if atomic && err == nil {
			err = rs[i].Err
		}
	}
	return rs, err
}

// maxBlock is the longest a blocking command waits on the server before
// it is sent again. It keeps every blocking call shorter than a wrapped
// go-redis client's read timeout, and bounds how long a waiter goes
// without renewing what it registered.
const maxBlock = time.Second

// wait sends the pipeline mk builds, whose blocking command (marked
// Blocking) waits on the server for at most the timeout mk is given: at
// most maxBlock, and ending at ctx's deadline. It returns the pipeline's
// replies, also when the wait timed out (the blocking command's reply is
// then nil), and ctx's error, unwrapped, when ctx ended first. Waits are
// not possible inside a transaction.
//
// The pipeline never carries ctx: cancelling a blocking command would close
// its connection (a new one for every cancelled wait), and could lose the
// reply of a command that has just taken something. When ctx ends first,
// wait returns at once and the pipeline finishes in the background (its
// server-side timeout bounds it); undo, when not nil, then gets its
// replies, or the error that lost them, to give back what it took.
func (o *object) wait(ctx context.Context, op string, mk func(timeout time.Duration) []backend.Cmd, undo func(context.Context, []backend.Result, error)) ([]backend.Result, error) {
	if err := o.noTx(ctx, op); err != nil {
		return nil, err
	}
	cl, err := o.cli()
	if err != nil {
		return nil, err
	}
	if obs := cl.observer(); obs != nil {
		return observed(ctx, o, obs, true, func(ctx context.Context) ([]backend.Result, error) {
			return o.block(ctx, cl, mk, undo)
		})
	}
	return o.block(ctx, cl, mk, undo)
}

// block is wait's round trip.
func (o *object) block(ctx context.Context, cl *Client, mk func(timeout time.Duration) []backend.Cmd, undo func(context.Context, []backend.Result, error)) ([]backend.Result, error) {
	d := maxBlock
	if dl, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(dl))
		if d < time.Millisecond {
			// Too short to wait on the server: nothing is sent, and the
			// caller sees ctx ended (as it will have within the
			// millisecond), not an outcome to find out.
			if done := ctx.Done(); done != nil { // (nil only for a context that never ends, whatever its Deadline says)
				<-done
				return nil, ctx.Err()
			}
			return nil, context.DeadlineExceeded
		}
	}
	cmds := mk(d)
	if err := cl.readyAll(ctx, cmds); err != nil {
		return nil, wrapErr(o.kind, o.key, err)
	}
	if undo == nil {
		undo = func(context.Context, []backend.Result, error) {}
	}
	rs, err := detach(ctx, cl, func(ctx context.Context) ([]backend.Result, error) {
		rs := cl.b.DoMulti(ctx, cmds)
		for i := range rs {
			if rs[i].Err != nil && !isServerErr(rs[i].Err) {
				return rs, rs[i].Err // the connection failed: the replies are lost
			}
		}
		return rs, nil
	}, undo)
	if err != nil {
		// ctx's error only when ctx ended first, so that undo has the
		// replies; a failure that came first is the caller's to undo,
		// also if ctx ended just after.
		if cerr := ctx.Err(); cerr != nil && isCtxErr(err) {
			return nil, cerr
		}
		return nil, wrapErr(o.kind, o.key, cl.closedErr(err))
	}
	for i := range rs {
		rs[i].Err = wrapErr(o.kind, o.key, rs[i].Err)
	}
	return rs, nil
}

// rideOutFor bounds how long a blocking call (a Get, an Acquire, a
// Wait...) keeps going through lost or refused connections, unless its
// client says otherwise (Options.MaxOutage): a server that restarts, or a
// cut connection, within it does not end the call. (The same 10 s as a
// take's registration and a TRYAGAIN's retries; in ns, atomic for tests
// that shorten it.)
var rideOutFor atomic.Int64

func init() { rideOutFor.Store(int64(10 * time.Second)) }

// A rideOut is how a blocking call goes on after its round trip failed
// with the connection (not the server, the caller's context or Close):
// the call gives back what that round trip may have taken, pauses, and
// waits again, on a new connection, until the server has been out of
// reach for its client's maxOutage. Make one with object.rideOut; ok
// restarts it after a round trip that worked.
type rideOut struct {
	c     *Client       // whose maxOutage bounds it (nil: rideOutFor)
	since time.Time     // the first failure since the last success
	pause time.Duration // the next pause
}

// rideOut returns a rideOut for a call of o's.
func (o *object) rideOut() rideOut {
	cl, _ := o.cli()
	return rideOut{c: cl}
}

// again reports whether the call should go on after err, once it has
// paused: nil when it should, else the error to end with (err, or ctx's
// error when ctx ended during the pause).
func (r *rideOut) again(ctx context.Context, err error) error {
	if !connFailed(ctx, err) {
		return err
	}
	now := time.Now()
	if r.since.IsZero() {
		r.since, r.pause = now, 5*time.Millisecond
	}
	if now.Sub(r.since) >= r.c.maxOutage() {
		return err
	}
	// (Jittered, so that the waiters of a restarted server do not dial
	// in step.)
	d := r.pause/2 + rand.N(r.pause)
	r.pause = min(2*r.pause, 500*time.Millisecond)
	if !sleepCtx(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// againUnsent is again for a write's failure: the call goes on only when
// the write cannot have been applied (it was never sent); a lost reply
// ends it (ErrUnknownOutcome).
func (r *rideOut) againUnsent(ctx context.Context, err error) error {
	if !neverSent(ctx, err) {
		return err
	}
	return r.again(ctx, err)
}

// neverSent reports whether err is a connection's failure (see
// connFailed) that the command cannot have run through: it was never sent.
func neverSent(ctx context.Context, err error) bool {
	return connFailed(ctx, err) && !lostReply(err)
}

// ok restarts r after a round trip that worked.
func (r *rideOut) ok() { r.since = time.Time{} }

// connFailed reports whether err is a connection's failure that a
// blocking call may ride out: a connection lost, refused or never
// written, or a restarted server still loading its data; not a reply of
// the server's, ctx's end or the client's Close.
func connFailed(ctx context.Context, err error) bool {
	switch {
	case err == nil || ctx.Err() != nil || errors.Is(err, ErrClosed):
		return false
	case isServerErr(err):
		return backend.IsServerError(err, "LOADING")
	case backend.NotSent(err):
		return true
	case isCtxErr(err):
		return false // another call's deadline (see ctxEnded): not a connection's failure
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// seconds formats d for a blocking command's timeout in seconds.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// detach runs do, a call whose outcome the caller must not miss (a take,
// an acquisition), so that ctx's end does not lose it: when ctx can end,
// do runs in the background with a context of its own (bounded by
// backgroundTimeout), and if ctx ends first, detach returns ctx's error
// at once while undo receives do's result when it comes. The client's
// Close waits for undo. A context that cannot end needs no goroutine. If
// ctx has ended already, nothing is sent.
func detach[T any](ctx context.Context, cl *Client, do func(context.Context) (T, error), undo func(context.Context, T, error)) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	return detachSure(ctx, cl, do, undo)
}

// detachSure is detach for a call that must go out even when ctx has
// ended (a record of how something ended: a second check of ctx, between
// the caller's and the send, would drop it): undo then receives its
// result. Within a clean-up (see cleanUpCtx), it runs also while Close
// waits, for Close waits for it.
func detachSure[T any](ctx context.Context, cl *Client, do func(context.Context) (T, error), undo func(context.Context, T, error)) (T, error) {
	if ctx.Done() == nil {
		return do(ctx)
	}
	var zero T
	if ctx.Value(cleanUp{}) != nil {
		cl.hold()
	} else if err := cl.begin(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	bg := detached(ctx)
	if cl.observer() != nil {
		bg = withCaller(bg) // do and undo run in goroutines of their own
	}
	go func() {
		defer func() {
			// A panic here (the client library's: rueidis v1.0.80 has
			// had some) would end the program, which nobody could
			// recover: the call fails instead, its outcome unknown.
			if p := recover(); p != nil {
				var zero T
				done <- result{zero, &lostReplyError{fmt.Errorf("hotredis: the Redis client panicked: %v", p)}}
			}
		}()
		v, err := do(bg)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		cl.end()
		return r.v, boundPassed(ctx, r.err)
	case <-ctx.Done():
		go func() {
			defer cl.end()
			r := <-done
			undo(cleanUpCtx(bg), r.v, r.err)
		}()
		return zero, ctx.Err()
	}
}

// boundPassed is the error of a detached call, err, as its caller sees
// it: when the call's own bound (backgroundTimeout) passed before ctx
// ended, err says so as a context's end (a write's in ErrUnknownOutcome),
// but ctx has no such deadline: it is the i/o timeout a call whose
// context never ends gets (see outcome), a write's in ErrUnknownOutcome
// still.
func boundPassed(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return err // ctx's own deadline (its timer not fired yet)
	}
	timeout := fmt.Errorf("%w: no reply within %v", os.ErrDeadlineExceeded, backgroundTimeout)
	if errors.Is(err, ErrUnknownOutcome) {
		return &lostReplyError{timeout}
	}
	return timeout
}

// detached returns a context with ctx's values that does not end with
// ctx but within backgroundTimeout (after 4/5 of it at least): the calls
// of a second share one timer, instead of each making its own (4
// allocations, and a timer set and stopped, on every detached call).
func detached(ctx context.Context) context.Context {
	now := time.Now()
	b := bounds.Load()
	if b == nil || b.dl.Sub(now) < backgroundTimeout*4/5 {
		nb := &bound{dl: now.Add(backgroundTimeout)}
		nb.Context, nb.cancel = context.WithDeadline(context.Background(), nb.dl)
		if bounds.CompareAndSwap(b, nb) {
			b = nb
		} else {
			nb.cancel() // another call made one meanwhile
			b = bounds.Load()
		}
	}
	return &valuesOf{b.Context, ctx}
}

// bounds is the shared bound of detached calls.
var bounds atomic.Pointer[bound]

// bound is a context that ends at dl (its cancel is never needed: its
// timer ends it).
type bound struct {
	context.Context
	cancel context.CancelFunc
	dl     time.Time
}

// valuesOf is a context that ends as its Context does, with the values of
// another.
type valuesOf struct {
	context.Context
	values context.Context
}

func (c *valuesOf) Value(key any) any { return c.values.Value(key) }

// cleanUp marks the context of a clean-up that Close waits for (an undo
// of detach, f of background): its calls go out while Close waits, which
// refuses every other call (see ready).
type cleanUp struct{}

func cleanUpCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, cleanUp{}, true)
}

// background runs f, a clean-up after a call that gave up (a give-back, a
// cancelled wait's exit), with a context of its own; Close waits for it,
// also when f is started while Close waits (by another clean-up).
func (c *Client) background(ctx context.Context, f func(context.Context)) {
	c.hold() // even while Close waits: it waits for this too
	if c.observer() != nil {
		ctx = withCaller(ctx) // f runs in a goroutine of its own
	}
	go func() {
		defer c.end()
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), backgroundTimeout)
		defer cancel()
		f(cleanUpCtx(bg))
	}()
}

// backgroundTimeout bounds a clean-up that runs after its caller returned,
// and so how long Close may wait for it.
const backgroundTimeout = 5 * time.Second

// keysOf gathers the keys of cmds.
func keysOf(cmds []backend.Cmd) []string {
	if len(cmds) == 1 {
		return cmds[0].Keys
	}
	n := 0
	for _, c := range cmds {
		n += len(c.Keys)
	}
	ks := make([]string, 0, n)
	for _, c := range cmds {
		ks = append(ks, c.Keys...)
	}
	return ks
}

// readyAll is ready for the keys of all of cmds, which it gathers only on a
// Cluster, where they matter.
func (c *Client) readyAll(ctx context.Context, cmds []backend.Cmd) error {
	if !c.cluster {
		return c.ready(ctx, nil)
	}
	return c.ready(ctx, keysOf(cmds))
}

// ready checks what must hold before anything is sent: an open client
// (or one that Close is waiting on, for a clean-up), a live context, and
// keys that a Cluster can serve together.
func (c *Client) ready(ctx context.Context, ks []string) error {
	if c.closed.Load() && ctx.Value(cleanUp{}) == nil {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(ks) < 2 || !c.cluster {
		return nil
	}
	if a, b, ok := keys.SameSlot(ks); !ok {
		return crossSlot(a, b)
	}
	return nil
}

func crossSlot(a, b string) error {
	return fmt.Errorf("%w: %q and %q; give the keys a common hash tag, e.g. %q and %q",
		ErrCrossSlot, a, b, "{"+keys.HashTag(a)+"}:a", "{"+keys.HashTag(a)+"}:b")
}

// send runs one command, honouring a transaction in ctx.
func (c *Client) send(ctx context.Context, cmd backend.Cmd, write bool) (any, error) {
	return clientSend(ctx, c, cmd, write, anyReply)
}

// clientSend is c's send, with the reply as way makes it.
func clientSend[T any](ctx context.Context, c *Client, cmd backend.Cmd, write bool, way replyWay[T]) (T, error) {
	if err := c.ready(ctx, cmd.Keys); err != nil {
		var zero T
		return zero, err
	}
	if cmd.Replica && ctx.Value(primaryKey{}) != nil {
		cmd.Replica = false
	}
	if t := txFrom(ctx); t != nil {
		if write {
			return way.from(queued), t.queue(c, cmd)
		}
		// A live read in Optimistic: its pinned connection cannot fall
		// back from EVALSHA, so a script goes in full.
		v, err := t.read(c, ctx, fullScript(cmd))
		return way.from(v), err
	}
	v, err := clientDo(ctx, c, cmd, way)
	// A read whose connection failed under it (a restarted server, a cut)
	// changed nothing: it goes again, on a new connection, twice at most.
	for try := 0; err != nil && !write && try < len(readAgainAfter) && readAgain(ctx, err); try++ {
		if !sleepCtx(ctx, readAgainAfter[try]) {
			break
		}
		noteRetry(ctx)
		v, err = clientDo(ctx, c, cmd, way)
	}
	// On a Cluster, a call that could not reach its slot's master (a dial
	// refused: the master died, and the client's slot map has not yet
	// learned of its replica's promotion, which rueidis refreshes after
	// such a failure) goes again for up to redialFor. Nothing was sent.
	if c.cluster && err != nil && neverSent(ctx, err) {
		for start, pause := time.Now(), redialFirst; time.Since(start) < redialFor && neverSent(ctx, err); pause = min(2*pause, redialMax) {
			if !sleepCtx(ctx, pause) {
				break
			}
			noteRetry(ctx)
			v, err = clientDo(ctx, c, cmd, way)
		}
	}
	return v, c.outcome(ctx, err, write)
}

// A Cluster call whose master could not be reached goes again (see
// clientSend) after redialFirst, then after pauses twice as long, up to
// redialMax, for redialFor in all.
const (
	redialFirst = 20 * time.Millisecond
	redialMax   = 200 * time.Millisecond
	redialFor   = 2 * time.Second
)

// readAgainAfter are the pauses before a failed read goes again.
var readAgainAfter = [...]time.Duration{time.Millisecond, 10 * time.Millisecond}

// readAgain reports whether a read that failed with err goes again: its
// connection was lost, reset or refused (also the next one, while it was
// being made: the same cut or restart). Not a timeout: a stalled server
// would make the read wait as long again.
func readAgain(ctx context.Context, err error) bool {
	if !connFailed(ctx, err) {
		return false
	}
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}

// sleepCtx sleeps for d, or until ctx ends (then it reports false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// primaryKey marks a context whose reads go to the primary, whatever
// Options.ReadFromReplicas says: the steps of a read or a rebuild under
// WATCH, which the primary's EXEC vouches for (a replica may lag behind
// it, and would mix older states into the snapshot).
type primaryKey struct{}

func withPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// sendMulti runs cmds in MULTI/EXEC (atomic) or as a pipeline, honouring a
// transaction in ctx: there they are queued, each answering queued.
func (c *Client) sendMulti(ctx context.Context, cmds []backend.Cmd, atomic bool) ([]backend.Result, error) {
	if err := c.readyAll(ctx, cmds); err != nil {
		return nil, err
	}
	if t := txFrom(ctx); t != nil {
		rs := make([]backend.Result, len(cmds))
		for i := range rs {
			rs[i].Val = queued
		}
		return rs, t.queue(c, cmds...)
	}
	if len(cmds) == 1 {
		one := cmds[0]
		one.Replica = false // a batch keeps to the primary
		v, err := c.do(ctx, one)
		return []backend.Result{{Val: v, Err: c.outcome(ctx, err, !one.ReadOnly)}}, nil
	}
	if !atomic {
		rs := c.doMulti(ctx, cmds)
		for i := range rs {
			rs[i].Err = c.outcome(ctx, rs[i].Err, !cmds[i].ReadOnly)
		}
		return rs, nil
	}
	rs, err := c.exec(ctx, cmds)
	return rs, c.outcome(ctx, err, true)
}

// outcome says what err means for the caller: when ctx ended while a
// write was on its way, ErrUnknownOutcome (wrapping ctx's error); when
// Close came meanwhile, ErrClosed (for a write that may have been sent,
// wrapped in ErrUnknownOutcome); and when a write's connection failed
// after it was dialled (its reply lost to a reset, a closed connection, a
// stall past the client's connection timeout), ErrUnknownOutcome wrapping
// that failure: the write may have been applied. (Not when the backend
// knows it never sent the write: backend.NotSentError.)
func (c *Client) outcome(ctx context.Context, err error, write bool) error {
	if err == nil {
		return nil
	}
	if cerr := ctxEnded(ctx, err); cerr != nil {
		if write && !backend.NotSent(err) {
			return fmt.Errorf("%w: %w", ErrUnknownOutcome, cerr)
		}
		return cerr
	}
	if isCtxErr(err) && !backend.NotSent(err) {
		// Not ctx's end (nor another call's, which kept this one from
		// being sent: backend.NotSentError): the client's own bound on a call with no
		// earlier deadline (its connection timeout) passed with no reply.
		err = fmt.Errorf("%w: no reply within the client's connection timeout", os.ErrDeadlineExceeded)
	}
	if c.closed.Load() && !isServerErr(err) {
		// Close came while the call was on its way (a call made after
		// it never gets here: ready refuses it).
		if write && !backend.NotSent(err) {
			return fmt.Errorf("%w: %w (%w)", ErrUnknownOutcome, ErrClosed, err)
		}
		return ErrClosed
	}
	if write && lostReply(err) {
		return &lostReplyError{err}
	}
	return err
}

// lostReplyError is a write's connection failure (see outcome):
// ErrUnknownOutcome, and the failure.
type lostReplyError struct{ err error }

func (e *lostReplyError) Error() string   { return ErrUnknownOutcome.Error() + ": " + e.err.Error() }
func (e *lostReplyError) Unwrap() []error { return []error{ErrUnknownOutcome, e.err} }

// undone is err for a call whose change, when its reply is lost, is
// undone in the background (an acquire, a take, a join): its outcome is
// known, so a lost connection is reported as the connection's failure
// alone, without ErrUnknownOutcome.
func undone(err error) error {
	var lr *lostReplyError
	if !errors.As(err, &lr) {
		return err
	}
	var oe *objError
	if errors.As(err, &oe) {
		return &objError{kind: oe.kind, key: oe.key, op: oe.op, err: lr.err}
	}
	return lr.err
}

// lostReply reports whether err is a connection's failure after it was
// dialled: a command sent on it may have run. (Not a context's error,
// which is a net.Error too: outcome decides those; nor a failure to send
// the command at all.)
func lostReply(err error) bool {
	if isCtxErr(err) || backend.NotSent(err) {
		return false
	}
	var de *backend.InDoubtError
	if errors.As(err, &de) {
		return true // (a reply, but one that leaves the outcome unknown)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Op != "dial" // (a dial's failure may wrap io.EOF: a handshake cut)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// mayHaveRun reports whether a command that failed with err may have run:
// its reply was lost (not the server's refusal, the client's Close, or
// ctx's end, after which detach's undo has the reply).
func mayHaveRun(ctx context.Context, err error) bool {
	return !isServerErr(err) && !errors.Is(err, ErrClosed) && (!isCtxErr(err) || ctx.Err() == nil)
}

// closedErr replaces the backend's own complaint about a closed client
// with ErrClosed.
func (c *Client) closedErr(err error) error {
	if err != nil && c.closed.Load() && !isServerErr(err) {
		return ErrClosed
	}
	return err
}

// ctxEnded returns ctx's error when err says that ctx ended, nil
// otherwise (another call's deadline, say: see the backend's notOurs). A
// socket's deadline, set from ctx's, may fire a moment before ctx's own
// timer: a deadline that has passed is ctx's end, whether or not the
// timer has fired.
func ctxEnded(ctx context.Context, err error) error {
	if !isCtxErr(err) {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func isServerErr(err error) bool {
	var se *backend.ServerError
	return errors.As(err, &se)
}

// tryAgainFor bounds how long a command refused with TRYAGAIN is sent
// again. Moving one slot's keys takes milliseconds; a slot left half-moved
// for longer (a stopped resharding) needs an operator.
const tryAgainFor = 10 * time.Second

// While a Cluster slot moves to another master, a command on several of
// its keys (a script of an object with auxiliary keys, MULTI/EXEC) is
// refused with TRYAGAIN when some keys have moved and others not yet. The
// refused command did not run, so do, doMulti and exec send it again,
// after a short pause, until the keys are together again. (ASK and MOVED
// are followed by the client library itself.)

func isTryAgain(err error) bool { return backend.IsServerError(err, "TRYAGAIN") }

// waitToRetry waits before the next attempt; it reports false when the caller
// should give up: ctx ended or tryAgainFor passed since start.
func waitToRetry(ctx context.Context, start time.Time, wait *time.Duration) bool {
	if time.Since(start) > tryAgainFor || !sleepCtx(ctx, *wait) {
		return false
	}
	*wait = min(2**wait, 100*time.Millisecond)
	return true
}

// do sends one command; a script the server does not have (NOSCRIPT:
// after a restart, a SCRIPT FLUSH, or on a shard that has not seen it) is
// sent again in full, which also caches it.
func (c *Client) do(ctx context.Context, cmd backend.Cmd) (any, error) {
	return clientDo(ctx, c, cmd, anyReply)
}

// clientDo is c's do, with the reply as way makes it.
func clientDo[T any](ctx context.Context, c *Client, cmd backend.Cmd, way replyWay[T]) (T, error) {
	v, err := way.do(c.b, ctx, cmd)
	for start, wait := time.Now(), 2*time.Millisecond; isTryAgain(err) && waitToRetry(ctx, start, &wait); {
		noteRetry(ctx)
		v, err = way.do(c.b, ctx, cmd)
	}
	err = refusedUntil(ctx, err)
	if backend.IsServerError(err, "NOSCRIPT") {
		if full := fullScript(cmd); full.Name[0] != cmd.Name[0] {
			noteRetry(ctx)
			return clientDo(ctx, c, full, way)
		}
	}
	return v, err
}

func (c *Client) doMulti(ctx context.Context, cmds []backend.Cmd) []backend.Result {
	rs := c.b.DoMulti(ctx, cmds)
	for i, r := range rs {
		switch {
		case backend.IsServerError(r.Err, "NOSCRIPT"):
			// In full at once: the EVALSHA again would hear NOSCRIPT again.
			noteRetry(ctx)
			rs[i].Val, rs[i].Err = c.do(ctx, fullScript(cmds[i]))
		case isTryAgain(r.Err):
			noteRetry(ctx)
			rs[i].Val, rs[i].Err = c.do(ctx, cmds[i])
		}
	}
	return rs
}

func (c *Client) exec(ctx context.Context, cmds []backend.Cmd) ([]backend.Result, error) {
	// Inside MULTI a script is sent in full: EXEC cannot fall back.
	for i := range cmds {
		cmds[i] = fullScript(cmds[i])
	}
	// A refused command makes the whole MULTI/EXEC abort: nothing ran.
	rs, err := c.b.Exec(ctx, cmds)
	for start, wait := time.Now(), 2*time.Millisecond; isTryAgain(err) && waitToRetry(ctx, start, &wait); {
		noteRetry(ctx)
		rs, err = c.b.Exec(ctx, cmds)
	}
	return rs, refusedUntil(ctx, err)
}

// refusedUntil is err, a call's last error, unless the call was refused
// with TRYAGAIN until ctx ended: then nothing ran, and the caller hears
// ctx's end (not sent: not ErrUnknownOutcome, see outcome).
func refusedUntil(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && isTryAgain(err) {
		return &backend.NotSentError{Err: cerr}
	}
	return err
}

// fullScript turns an EVALSHA command into the EVAL of its script.
func fullScript(c backend.Cmd) backend.Cmd {
	if len(c.Name) != 3 || (c.Name[0] != "EVALSHA" && c.Name[0] != "EVALSHA_RO") {
		return c
	}
	name := lua.NameOf(c.Name[1])
	if name == "" {
		return c
	}
	// As c was sent but for its Name: its keys (not made again by Cmd,
	// which would add a guarded script's keys.Absent's twice), args and
	// routing (a read kept to the primary), its path.
	c.Name = lua.Load(name).EvalName(len(c.Keys))
	return c
}
