package hotredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/lua"
)

// Barrier is a barrier for a fixed number of parties shared through Redis:
// Python's threading.Barrier across processes and machines. Wait blocks
// until all parties have called it, then they all go on and the barrier
// starts a new round. A party that gives up or dies breaks the round.
type Barrier struct {
	object
	parties int
	lease   time.Duration

	mu      sync.Mutex
	leaving []chan struct{} // leaves of Waits that gave up, closed when done
}

var (
	scriptBarrierArrive  = lua.Load("barrier_arrive")
	scriptBarrierCheck   = lua.Load("barrier_check")
	scriptBarrierLeave   = lua.Load("barrier_leave")
	scriptBarrierAbort   = lua.Load("barrier_abort")
	scriptBarrierReset   = lua.Load("barrier_reset")
	scriptBarrierWaiting = lua.Load("barrier_waiting")
)

// NewBarrier returns a handle on the barrier at key for parties parties.
// It does no I/O; an empty key makes a new unique one (see Key). All
// handles of one barrier must be made with the same parties. A parties
// under 1 is ErrInvalidArgument from every method. Options: WithClient,
// and WithLease, the lease of a waiter (default DefaultLease): how long
// after its process dies it breaks the round.
//
// The barrier is a hash at key (its round, arrivals and state), with the
// round's waiters in a sorted set and announcements in a stream beside it.
// It expires an hour after its last use while not broken; a broken
// barrier stays broken until Reset.
func NewBarrier(key string, parties int, opts ...Option) *Barrier {
	o := collect(opts)
	obj := newObject("barrier", key, o, "waiting", "wake")
	// The wake stream; not the round, which a broken barrier keeps for
	// good, nor the waiters' set, whose leases are its scores: it only
	// goes a margin after them, and one gone early breaks the round.
	obj.ownExpiry(obj.keys[2])
	if parties < 1 {
		obj.err = &objError{kind: obj.kind, key: obj.key, err: fmt.Errorf("%w: parties %d < 1", ErrInvalidArgument, parties)}
	}
	return &Barrier{object: obj, parties: parties, lease: leaseOf(o)}
}

// Parties returns the number of parties the barrier was made for.
func (b *Barrier) Parties() int { return b.parties }

// Wait waits until all parties have called Wait in the current round, and
// returns this caller's arrival index in it, from 0 (first) to Parties()-1
// (last, whose call completes the round and returns at once). It returns
// ErrBrokenBarrier if the barrier is broken, or breaks while it waits:
// another waiter's context ended or its process died (its lease ran out),
// or Abort or Reset was called. If ctx ends first, Wait returns ctx's
// error and breaks the round, as in Python. But when the round may have
// completed with this caller all the same (its arrival's reply did not
// come back by then, or came and completed the round, or its leave did
// not reach the server within a few ms), the error is ErrUnknownOutcome,
// wrapping ctx's (or the lost connection's): the other parties may have
// gone on. Wait cannot be called inside a transaction.
func (b *Barrier) Wait(ctx context.Context) (_ int, err error) {
	var since time.Time // the start of the wait, for an Observer
	defer func() { b.waited(ctx, "Wait", since, err) }()
	const op = "Wait"
	cl, err := b.cli()
	if err != nil {
		return 0, err
	}
	if err := cl.ready(ctx, nil); err != nil {
		return 0, err
	}
	if err := b.noTx(ctx, op); err != nil {
		return 0, err
	}
	if err := b.settle(ctx); err != nil {
		return 0, err
	}
	wid := newID()
	arr, left, err := b.arrive(ctx, cl, wid)
	if err != nil {
		return 0, b.gaveUp(ctx, op, err, left)
	}
	r, idx, ok := replyHead(arr)
	switch {
	case !ok:
		return 0, b.fail(op, errReply)
	case r < 0:
		return 0, b.fail(op, ErrBrokenBarrier)
	case r > 0:
		return idx, nil
	}
	if len(arr) < 5 {
		b.giveUp(ctx, cl, wid, "")
		return 0, b.fail(op, errReply)
	}
	gen, _ := arr[2].(int64)
	last, _ := arr[3].(string)
	next, _ := arr[4].(int64)
	since = time.Now()
	return b.await(ctx, cl, op, wid, idx, strconv.FormatInt(gen, 10), last, time.Duration(next)*time.Millisecond)
}

// arrive runs the arrival script of the wait wid. If ctx ends first, it
// returns ctx's error at once, and the arrival, if it counted, leaves
// (breaking the round) when its reply comes. If the reply is lost, the
// arrival leaves too. On an error, left reports whether the arrival is
// known to count in no round that completes (see gaveUp).
func (b *Barrier) arrive(ctx context.Context, cl *Client, wid string) (_ []any, left bool, _ error) {
	run := func(ctx context.Context) ([]any, error) {
		return asArray(b.script(ctx, scriptBarrierArrive, b.keys, wid, ms(b.lease), strconv.Itoa(b.parties)))
	}
	type result struct {
		arr []any
		err error
	}
	res := make(chan result, 1)
	if ctx.Done() == nil {
		arr, err := run(ctx)
		res <- result{arr, err}
	} else {
		// The arrival must not be cut off by ctx: its reply says whether
		// it must leave.
		cl.background(ctx, func(bg context.Context) {
			arr, err := run(bg)
			res <- result{arr, err}
		})
	}
	select {
	case r := <-res:
		if r.err != nil && neverSent(ctx, r.err) {
			return nil, true, r.err // (no connection: the arrival never went)
		}
		if r.err != nil && !isServerErr(r.err) && !errors.Is(r.err, ErrClosed) {
			// A lost reply: the arrival may have counted.
			return nil, b.giveUp(ctx, cl, wid, ""), r.err
		}
		return r.arr, true, r.err
	case <-ctx.Done():
		left := b.giveUpLater(ctx, cl, func(bg context.Context) bool {
			r := <-res
			gen := ""
			if r.err == nil {
				c, _, ok := replyHead(r.arr)
				if !ok || c != 0 || len(r.arr) < 3 {
					// Broken, or the round completed with it (which
					// nothing can take back): nothing to leave.
					return ok && c < 0
				}
				g, _ := r.arr[2].(int64)
				gen = strconv.FormatInt(g, 10)
			}
			return b.leave(bg, wid, gen)
		})
		return nil, left, ctx.Err()
	}
}

// gaveUp is the error of a Wait that gave up on err (its context's end,
// or a lost connection): ctx's error, or err, when the caller's arrival
// is known to count in no round that completes (left: never counted, or
// its leave broke the round); else ErrUnknownOutcome wrapping it, as the
// round may complete, or have completed, with the caller counted.
func (b *Barrier) gaveUp(ctx context.Context, op string, err error, left bool) error {
	switch cerr := ctxEnded(ctx, err); {
	case left:
		return b.ctxFail(ctx, op, err)
	case cerr != nil:
		err = cerr
	case errors.Is(err, ErrUnknownOutcome): // (a lost reply says so already)
		return b.fail(op, err)
	}
	var oe *objError
	if errors.As(err, &oe) {
		err = oe.err // (else fail would drop the wrapping below)
	}
	return b.fail(op, fmt.Errorf("%w: %w", ErrUnknownOutcome, err))
}

// replyHead reads the first two elements of a script's reply: its code
// and, if there, an index.
func replyHead(arr []any) (r int64, idx int, ok bool) {
	if len(arr) < 1 {
		return 0, 0, false
	}
	r, ok = arr[0].(int64)
	if len(arr) > 1 {
		i, _ := arr[1].(int64)
		idx = int(i)
	}
	return r, idx, ok && (r <= 0 || len(arr) > 1)
}

// await waits, as the waiter wid of round gen with index idx, for the
// round's end: announced on the wake stream after the entry last, or found
// by the check script, which it runs every third of the lease (at most
// every maxBlock) to renew the lease, and when the first waiter's lease
// may run out (next from now: a dead party breaks the round then). A
// waiter that gives up (ctx ended, or an error) leaves, breaking the
// round.
func (b *Barrier) await(ctx context.Context, cl *Client, op, wid string, idx int, gen, last string, next time.Duration) (int, error) {
	every := min(maxBlock, b.lease/3)
	start := time.Now()
	ro := b.rideOut()
	for {
		wakeAt := start.Add(every)
		if e := start.Add(next + time.Millisecond); next >= 0 && e.Before(wakeAt) {
			wakeAt = e
		}
		es, l, err := b.awaitEntries(ctx, op, b.keys[2], last, time.Until(wakeAt))
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue // (the check below renews the lease in time)
			}
			return 0, b.gaveUp(ctx, op, err, b.giveUp(ctx, cl, wid, gen))
		}
		ro.ok()
		last = l
		check := !time.Now().Before(wakeAt)
		for _, e := range es {
			switch r, g := e.fields["r"], e.fields["g"]; {
			case g == gen && r == "done":
				return idx, nil
			case g == gen:
				return 0, b.fail(op, ErrBrokenBarrier)
			case len(g) > len(gen) || len(g) == len(gen) && g > gen:
				check = true // a later round: this one's end was missed
			}
		}
		if !check {
			continue
		}
		start = time.Now()
		arr, err := asArray(b.script(ctx, scriptBarrierCheck, b.keys, wid, gen, ms(b.lease)))
		r, n, ok := replyHead(arr)
		if len(arr) == 1 && r > 0 {
			ok = true // {1}: the round completed (nothing follows)
		}
		switch {
		case err == nil && !ok:
			err = errReply
		case err != nil:
		case r < 0:
			return 0, b.fail(op, ErrBrokenBarrier)
		case r > 0:
			return idx, nil
		}
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue // the next check in a third of the lease, which has two left
			}
			return 0, b.gaveUp(ctx, op, err, b.giveUp(ctx, cl, wid, gen))
		}
		next = time.Duration(n) * time.Millisecond
	}
}

// leaveFor bounds how long a Wait that gives up waits for its leave
// script, so that it usually returns with its round broken already (a
// leave takes well under a millisecond on a live server): a few ms, since
// a Wait that gives up at its deadline returns this much after it (it
// was 20 ms, which TestEveryCallReturnsByItsDeadlineWhileTheServerIsPaused
// saw as a Wait 14-24 ms late, near its 50 ms slack).
const leaveFor = 5 * time.Millisecond

// giveUp makes the waiter wid leave round gen ("" if unknown), breaking
// the round if it still waits in it. The leave runs in the background;
// giveUp waits for it at most leaveFor, and the handle's next Wait waits
// for the rest. It reports whether the leave broke the round by then.
func (b *Barrier) giveUp(ctx context.Context, cl *Client, wid, gen string) bool {
	return b.giveUpLater(ctx, cl, func(bg context.Context) bool { return b.leave(bg, wid, gen) })
}

// giveUpLater runs leave in the background as giveUp does, and reports
// whether leave returned true within leaveFor.
func (b *Barrier) giveUpLater(ctx context.Context, cl *Client, leave func(context.Context) bool) bool {
	done, left := make(chan struct{}), false
	b.mu.Lock()
	b.leaving = append(b.leaving, done)
	b.mu.Unlock()
	cl.background(ctx, func(bg context.Context) {
		defer close(done)
		left = leave(bg)
	})
	t := time.NewTimer(leaveFor)
	defer t.Stop()
	select {
	case <-done:
		return left
	case <-t.C:
		return false
	}
}

// leave runs barrier_leave for the waiter wid of round gen, and reports
// whether it broke the round (not when the waiter was no longer in it:
// the round had ended, maybe completed with it).
// It sends the leave again through a lost connection or a restart (see
// rideOut) until ctx (the background's) ends: a second run finds the
// waiter gone. A waiter left behind would hold its round's other parties
// until its lease ran out.
func (b *Barrier) leave(ctx context.Context, wid, gen string) bool {
	n, err := asInt(b.idempotentScript(ctx, scriptBarrierLeave, b.keys, wid, gen))
	return err == nil && n == 1
}

// settle waits, until ctx ends, for the leaves of the handle's Waits that
// gave up: a Wait after one that gave up finds the round it broke broken.
func (b *Barrier) settle(ctx context.Context) error {
	b.mu.Lock()
	b.leaving = slices.DeleteFunc(b.leaving, isClosed)
	pending := slices.Clone(b.leaving)
	b.mu.Unlock()
	for _, left := range pending {
		select {
		case <-left:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// Abort breaks the barrier: the parties waiting get ErrBrokenBarrier, and
// so does every Wait until Reset.
func (b *Barrier) Abort(ctx context.Context) error {
	_, err := b.script(ctx, scriptBarrierAbort, b.keys)
	return b.fail("Abort", err)
}

// Reset returns the barrier to its empty, unbroken state. The parties
// waiting in the round in progress get ErrBrokenBarrier.
func (b *Barrier) Reset(ctx context.Context) error {
	_, err := b.script(ctx, scriptBarrierReset, b.keys)
	return b.fail("Reset", err)
}

// Waiting returns the number of parties waiting in the current round (0
// while the barrier is broken). Parties whose lease ran out are not
// counted.
func (b *Barrier) Waiting(ctx context.Context) (int, error) {
	n, err := asInt(b.script(ctx, scriptBarrierWaiting, b.keys))
	return int(n), b.fail("Waiting", err)
}
