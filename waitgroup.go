package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/lua"
)

// WaitGroup waits for a collection of tasks to finish, across processes
// and machines: Go's sync.WaitGroup in Redis. Tasks started with Go are
// leased, so a task whose process dies is counted done, and lost.
type WaitGroup struct {
	object
	lease time.Duration
}

// A WaitGroup is a hash {count, lost} at its key, absent while the count
// is 0 and no member was lost; the members started by Go, a sorted set of
// member id -> lease expiry, which the count includes; and a wake stream,
// with an entry each time the count reaches 0 (see wg_lib.lua). Wait reads
// the state and the stream's last entry in one script and then blocks in
// XREAD after it (signal.go), also no longer than until the first member's
// lease runs out, so that a dead member is counted as soon as it can be.

var (
	scriptWGAdd    = lua.Load("wg_add")
	scriptWGState  = lua.Load("wg_state")
	scriptWGGo     = lua.Load("wg_go")
	scriptWGRenew  = lua.Load("wg_renew")
	scriptWGFinish = lua.Load("wg_finish")
)

// maxDelta bounds Add's delta: the scripts count in Lua numbers, exact
// to 2^53, and keep the count below 2^52.
const maxDelta = 1 << 52

// NewWaitGroup returns a handle on the WaitGroup at key. It does no I/O;
// an empty key makes a new unique one (see Key). Options: WithClient, and
// WithLease for the members Go starts (default DefaultLease): how long a
// member whose process died still counts.
func NewWaitGroup(key string, opts ...Option) *WaitGroup {
	o := collect(opts)
	wg := &WaitGroup{object: newObject("waitgroup", key, o, "members", "wake"), lease: leaseOf(o)}
	wg.ownExpiry(wg.keys[2])
	return wg
}

// Add adds delta, which may be negative, to the counter. When the counter
// reaches zero, every Wait returns. A delta that would make the counter
// negative returns an error wrapping ErrInvalidArgument ("negative
// WaitGroup counter", sync.WaitGroup's panic) and changes nothing; so does
// one that would take away the counts of running members started by Go,
// which only they finish, or make the counter reach 2^52. A positive delta
// on a counter at zero begins a new round, forgetting the members lost in
// the last one. Add(ctx, 0) changes nothing, but reports a wrong-type key.
// At zero the WaitGroup occupies no key (Exists reports false), unless
// members were lost in the round.
//
// As in Go, an Add is a promise to call Done: a process that dies in
// between never does, and the WaitGroup waits forever (until Delete). Use
// Go for tasks that must be counted done when their process dies.
//
// Inside a Transaction, Add is queued and applied at the commit; an
// invalid delta then fails the commit.
func (w *WaitGroup) Add(ctx context.Context, delta int64) error {
	return w.add(ctx, "Add", delta)
}

// Done decrements the counter by one: Add(ctx, -1).
func (w *WaitGroup) Done(ctx context.Context) error { return w.add(ctx, "Done", -1) }

func (w *WaitGroup) add(ctx context.Context, op string, delta int64) error {
	if delta <= -maxDelta || delta >= maxDelta {
		return w.invalid(op, "delta %d out of range (-2^52, 2^52)", delta)
	}
	_, err := w.script(ctx, scriptWGAdd, w.keys, strconv.FormatInt(delta, 10))
	return w.fail(op, err) // NEGATIVE wraps ErrInvalidArgument (serverCodes)
}

// Wait blocks until the counter is zero, or ctx ends (then it returns
// ctx's error and leaves nothing behind: waiters are not registered). It
// returns an error wrapping ErrMemberLost, saying how many, when members
// started by Go were lost in the round that ended: their process died,
// or stopped renewing their lease, before their function returned. That
// error stays until the next round begins (an Add or Go on a counter at
// zero). A Wait blocked while the counter reached zero returns, even if a
// new round began at once. A dead member is counted done when its lease
// runs out, and Wait notices that at once. A Delete makes blocked Waits
// return nil within a second. Wait returns ErrInTransaction inside a
// Transaction.
func (w *WaitGroup) Wait(ctx context.Context) (err error) {
	var since time.Time // the start of the wait, for an Observer
	defer func() { w.waited(ctx, "Wait", since, err) }()
	if err := w.noTx(ctx, "Wait"); err != nil {
		return err
	}
	// The stream's last entry when the wait began: an entry after it is
	// a zero reached during the wait, also one reached (and left, by a new
	// round) between a read of the stream that timed out and the next look.
	var last string
	ro := w.rideOut()
	for {
		st, err := w.state(ctx)
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return w.ctxFail(ctx, "Wait", err)
		}
		if st.count == 0 {
			return w.lostErr(st.lost)
		}
		if last == "" {
			last = st.last
		}
		d := maxBlock
		if st.next >= 0 {
			d = min(d, st.next+time.Millisecond)
		}
		if since.IsZero() {
			since = time.Now()
		}
		entries, _, err := w.awaitEntries(ctx, "Wait", w.keys[2], last, d)
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return w.ctxFail(ctx, "Wait", err)
		}
		ro.ok()
		if len(entries) > 0 { // the counter reached zero after the read
			lost, _ := strconv.ParseInt(entries[0].fields["lost"], 10, 64)
			return w.lostErr(lost)
		}
	}
}

// Count returns the counter: the Adds not yet matched by Done, plus the
// members started by Go that are running. A member whose lease ran out is
// counted done (and lost) first. It returns ErrInTransaction inside a
// Transaction.
func (w *WaitGroup) Count(ctx context.Context) (int64, error) {
	if err := w.noTx(ctx, "Count"); err != nil {
		return 0, err
	}
	st, err := w.state(ctx)
	if err != nil {
		return 0, w.fail("Count", err)
	}
	return st.count, nil
}

// Go runs f as a member of the WaitGroup: it adds one to the counter
// (beginning a new round if it was zero), calls f with a context derived
// from ctx, and then counts the member done, also when f panics (the
// panic goes on). It returns f's error, which is f's own business: the
// member is counted done either way, not lost. Unlike sync.WaitGroup.Go,
// Go blocks until f returns, and counts the member only once it runs: a
// Wait may return before members started with "go wg.Go(...)" are counted,
// unless an Add holds the counter above zero until they have started.
//
// While f runs, a watchdog renews the member's lease (WithLease, default
// DefaultLease) every third of it. If f's process dies, the member is
// counted done when its lease runs out, and Wait reports it lost
// (ErrMemberLost). If the lease cannot be renewed in time while f runs
// (the process was paused, or Redis unreachable, for longer than the
// lease), or the WaitGroup was deleted, the context f was given is
// cancelled, with ErrMemberLost as its cause. When the member had been
// counted done by then, Go returns an error wrapping ErrMemberLost
// (joined with f's error, if any), and the member is not counted twice.
//
// If ctx ends before f starts, Go returns ctx's error without calling f.
// A connection lost while the member is counted done is ridden out, as
// by a call that waits (see Options.MaxOutage): the count is sent again,
// and counts once. If ctx ends after f returned and before the member is
// counted done, Go returns ErrUnknownOutcome (and f's error, if any)
// while the member is counted done in the background. Go returns ErrInTransaction inside a
// Transaction, and ErrInvalidArgument for a nil f.
func (w *WaitGroup) Go(ctx context.Context, f func(context.Context) error) error {
	if err := w.noTx(ctx, "Go"); err != nil {
		return err
	}
	if f == nil {
		return w.invalid("Go", "nil function")
	}
	cl, err := w.cli()
	if err != nil {
		return err
	}
	id, ttl := newID(), w.lease
	start := time.Now()
	_, err = detach(ctx, cl, func(ctx context.Context) (any, error) {
		return w.script(ctx, scriptWGGo, w.keys, id, ms(ttl))
	}, func(ctx context.Context, _ any, _ error) {
		// ctx ended before the reply: take the member back, if it joined.
		w.takeBack(ctx, id)
	})
	if err != nil {
		if !isServerErr(err) && !errors.Is(err, ErrClosed) && !isCtxErr(err) {
			// A lost reply: the member may have joined.
			cl.background(ctx, func(ctx context.Context) { w.takeBack(ctx, id) })
		}
		return w.ctxFail(ctx, "Go", err)
	}

	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	m := keepMember(ttl, start, func(ctx context.Context, ttl time.Duration) (bool, error) {
		n, err := asInt(w.script(ctx, scriptWGRenew, w.keys, id, ms(ttl)))
		return n == 1, err
	}, func() {
		cancel(w.fail("Go", fmt.Errorf("%w: its lease ran out while it ran", ErrMemberLost)))
	})
	returned := false
	defer func() {
		if !returned { // f panicked or called runtime.Goexit: still count it done
			m.end()
			_, _ = w.finish(ctx, cl, id, m.liveUntil())
		}
	}()
	ferr := f(fctx)
	returned = true
	m.end()

	finished, err := w.finish(ctx, cl, id, m.liveUntil())
	switch {
	case err != nil:
		return errors.Join(ferr, w.fail("Go", err))
	case !finished:
		lost := w.fail("Go", fmt.Errorf("%w: its lease ran out before f returned, so it was counted done", ErrMemberLost))
		if ferr != nil {
			return errors.Join(lost, ferr)
		}
		return lost
	}
	return ferr
}

// finish counts member id done, reporting false if it had been counted
// done already (its lease ran out). A lost connection does not end it: it
// sends the finish again (see rideOut; finishing twice counts once), and
// a second run that finds the member gone, with its reply back before
// until (while the member's lease surely ran: le.liveUntil), means that
// an earlier run finished it. When ctx has ended, or ends before the
// reply, or the member may have gone either way, the member is finished
// in the background and the outcome is unknown.
func (w *WaitGroup) finish(ctx context.Context, cl *Client, id string, until time.Time) (bool, error) {
	again := func(ctx context.Context) { w.takeBack(ctx, id) }
	if err := ctx.Err(); err != nil {
		cl.background(ctx, again)
		return false, fmt.Errorf("%w: %w", ErrUnknownOutcome, err)
	}
	ro := w.rideOut()
	ran := false // an earlier run may have finished the member
	for {
		n, err := asInt(detachSure(ctx, cl, func(ctx context.Context) (any, error) {
			return w.script(ctx, scriptWGFinish, w.keys, id)
		}, func(ctx context.Context, _ any, err error) {
			if err != nil && !isServerErr(err) {
				again(ctx)
			}
		}))
		switch {
		case err == nil && n == 0 && ran && !time.Now().Before(until):
			return false, w.fail("Go", fmt.Errorf("%w: its finish's reply was lost, and its lease may have run out since", ErrUnknownOutcome))
		case err == nil:
			return n == 1 || ran, nil
		case isCtxErr(err) && ctx.Err() != nil:
			return false, fmt.Errorf("%w: %w", ErrUnknownOutcome, ctx.Err())
		}
		ran = ran || mayHaveRun(ctx, err)
		if ro.again(ctx, err) == nil {
			continue
		}
		if !isServerErr(err) && !errors.Is(err, ErrClosed) {
			cl.background(ctx, again)
		}
		return false, err
	}
}

// takeBack counts member id done in a clean-up (ctx: the background's),
// sending it again through a lost connection or a restart (see rideOut)
// until ctx ends: finishing twice counts once. A member left behind would
// hold every Wait for its whole lease, and then count as lost.
func (w *WaitGroup) takeBack(ctx context.Context, id string) {
	_, _ = w.idempotentScript(ctx, scriptWGFinish, w.keys, id)
}

// wgState is what wg_state reads.
type wgState struct {
	count, lost int64
	last        string        // the wake stream's last entry id
	next        time.Duration // until the first member's lease runs out; < 0: none
}

func (w *WaitGroup) state(ctx context.Context) (wgState, error) {
	arr, err := asArray(w.script(ctx, scriptWGState, w.keys))
	if err != nil {
		return wgState{}, err
	}
	if len(arr) != 4 {
		return wgState{}, fmt.Errorf("%w: wg_state gave %v", errReply, arr)
	}
	count, _ := arr[0].(int64)
	lost, _ := arr[1].(int64)
	last, _ := arr[2].(string)
	next, _ := arr[3].(int64)
	if last == "" {
		return wgState{}, fmt.Errorf("%w: wg_state gave %v", errReply, arr)
	}
	return wgState{count: count, lost: lost, last: last, next: time.Duration(next) * time.Millisecond}, nil
}

// lostErr is Wait's answer once the counter is zero.
func (w *WaitGroup) lostErr(lost int64) error {
	switch {
	case lost == 1:
		return w.fail("Wait", fmt.Errorf("%w: 1 member started by Go died before it finished", ErrMemberLost))
	case lost > 1:
		return w.fail("Wait", fmt.Errorf("%w: %d members started by Go died before they finished", ErrMemberLost, lost))
	}
	return nil
}
