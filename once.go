package hotredis

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hotredis/hotredis/internal/lua"
)

// Once runs a function once across every process that uses its key: Go's
// sync.Once for a fleet. One Do at a time runs it, on a lease that
// outlives a dead process by at most the lease; the others wait for its
// outcome. A run that returns an error does not count: the Once is not
// done, and the next Do runs it again.
type Once struct {
	object
	lease time.Duration
}

var (
	scriptOnceBegin  = lua.Load("once_begin")
	scriptOnceFinish = lua.Load("once_finish")
	scriptOnceRenew  = lua.Load("once_renew")
	scriptOnceReset  = lua.Load("once_reset")
)

// Outcomes of a run, as once_finish takes them.
const (
	runSucceeded = "1"
	runFailed    = "0"
	runNotRun    = "-" // the caller gave up before it learned it was the runner
)

// maxRunMessage bounds the message of a failed run that waiters receive.
const maxRunMessage = 1024

// NewOnce returns a handle on the Once at key. It does no I/O; an empty
// key makes a new unique one (see Key). Options: WithClient, WithLease
// (the runner's lease, default DefaultLease).
//
// The Once is stored as the string "1" at key once done (with no
// expiry), the running Do's id at "{key}:runner" (expiring with its
// lease) and a short-lived stream at "{key}:wake" on which runs announce
// their end.
func NewOnce(key string, opts ...Option) *Once {
	o := collect(opts)
	once := &Once{object: newObject("once", key, o, "runner", "wake"), lease: leaseOf(o)}
	once.ownExpiry(once.keys[1:]...) // (the runner's lease, the wake stream)
	return once
}

// Do calls f unless the Once is done, and returns when a run of f has
// succeeded, here or in another process; it returns nil at once if the
// Once is done already.
//
// If no other Do is running f, this one runs it, with a lease renewed in
// the background while f runs. If f returns an error, the Once is not
// done and Do returns that error; a panic in f counts as an error and is
// passed on. If another Do (of any handle, in any process) is running f,
// this one waits for it: nil when that run succeeds; an error wrapping
// ErrRunFailed, with the run's message, when it fails; and if the runner's
// process dies, this Do runs f itself once the runner's lease runs out.
//
// If ctx ends while Do waits, Do returns ctx's error and leaves nothing
// behind. While Do runs f, f receives ctx, and its result decides; f's
// context is also cancelled if the lease is lost (renewals failed until it
// ran out, so another Do may have started f): context.Cause tells. A run
// that succeeds after losing its lease still marks the Once done, since f
// did succeed. If ctx ends after f succeeded and before that is recorded
// (a stalled server), Do returns ErrUnknownOutcome by ctx's end while the
// record goes on in the background; a lost connection meanwhile is ridden
// out, and the record sent again (recorded twice, it counts once).
func (o *Once) Do(ctx context.Context, f func(context.Context) error) (err error) {
	var since time.Time // the start of a wait for another runner, for an Observer
	defer func() { o.waited(ctx, "Do", since, err) }()
	if f == nil {
		return o.invalid("Do", "nil function")
	}
	if err := o.noTx(ctx, "Do"); err != nil {
		return err
	}
	// The stream's last entry when the wait began: a run that fails
	// after it is this Do's outcome, also one whose end came between a
	// read of the stream that timed out and the next look (see begin).
	var from string
	ro := o.rideOut()
	for {
		id := newID()
		start := time.Now()
		r, err := o.begin(ctx, id, from)
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue // (begin gives back what a lost one may have begun)
			}
			return o.ctxFail(ctx, "Do", err)
		}
		switch r[0] {
		case int64(1):
			return nil
		case int64(0):
			// A wait for another runner ends here: its time is not f's.
			o.waited(ctx, "Do", since, nil)
			since = time.Time{}
			return o.run(ctx, id, start, f)
		case int64(3):
			if len(r) < 3 {
				return o.fail("Do", errReply)
			}
			return o.fail("Do", fmt.Errorf("%w: runner %v: %v", ErrRunFailed, r[1], r[2]))
		}
		if r[0] != int64(2) || len(r) < 3 {
			return o.fail("Do", errReply)
		}
		last, _ := r[1].(string)
		if from == "" {
			from = last
		}
		pttl, _ := r[2].(int64)
		d := maxBlock
		if pttl >= 0 {
			d = min(d, time.Duration(pttl+1)*time.Millisecond)
		}
		if since.IsZero() {
			since = time.Now()
		}
		es, _, err := o.awaitEntries(ctx, "Do", o.keys[2], last, d)
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return o.ctxFail(ctx, "Do", err)
		}
		ro.ok()
		var failed error
		for _, e := range es {
			switch e.fields["ok"] {
			case runSucceeded:
				return nil
			case runFailed:
				if failed == nil {
					failed = fmt.Errorf("%w: runner %s: %s", ErrRunFailed, e.fields["r"], e.fields["m"])
				}
			}
		}
		if failed != nil {
			return o.fail("Do", failed)
		}
		// Timed out (the runner may have died: its lease then ran out),
		// or the runner gave up without running f: look again.
	}
}

// begin runs once_begin as runner id (from, for a Do looking again: the
// stream entry its wait began after). If ctx ends before the reply, or
// the reply is lost, a runner's place it may have taken is given back in
// the background (once_finish with runNotRun, which wakes the waiters).
func (o *Once) begin(ctx context.Context, id, from string) ([]any, error) {
	cl, err := o.cli()
	if err != nil {
		return nil, err
	}
	giveBack := func(ctx context.Context) {
		cl.background(ctx, func(ctx context.Context) { _ = o.finish(ctx, id, runNotRun, "") })
	}
	args := []string{id, ms(o.lease), from}
	if from == "" {
		args = args[:2]
	}
	r, err := detach(ctx, cl, func(ctx context.Context) ([]any, error) {
		return asArray(o.script(ctx, scriptOnceBegin, o.keys, args...))
	}, func(ctx context.Context, r []any, err error) {
		if err != nil || (len(r) > 0 && r[0] == int64(0)) {
			giveBack(ctx)
		}
	})
	if err == nil && len(r) == 0 {
		err = errReply
	}
	if err != nil && mayHaveRun(ctx, err) {
		giveBack(ctx) // a lost reply: the script may have run
	}
	return r, err
}

// run runs f as the runner id, whose lease began at start, and records
// its outcome.
func (o *Once) run(ctx context.Context, id string, start time.Time, f func(context.Context) error) (err error) {
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lost := fmt.Errorf("hotredis: once %q: Do: the runner's lease was lost", o.key)
	m := keepMember(o.lease, start, func(ctx context.Context, ttl time.Duration) (bool, error) {
		n, err := asInt(o.script(ctx, scriptOnceRenew, o.keys[1:2], id, ms(ttl)))
		return n == 1, err
	}, func() { cancel(lost) })
	returned := false
	defer func() {
		if returned {
			return
		}
		// f panicked (or called runtime.Goexit): the run failed.
		m.end()
		r := recover()
		msg := "runtime.Goexit"
		if r != nil {
			msg = fmt.Sprintf("panic: %v", r)
		}
		_ = o.finish(ctx, id, runFailed, msg)
		if r != nil {
			panic(r)
		}
	}()
	ferr := f(fctx)
	returned = true
	m.end()
	if ferr != nil {
		_ = o.finish(ctx, id, runFailed, ferr.Error())
		return ferr
	}
	return o.fail("Do", o.finish(ctx, id, runSucceeded, ""))
}

// finish records how runner id's run ended, also when ctx has ended: the
// runner's place must not stay taken until its lease runs out. A lost
// connection does not stop it (see rideOut): once_finish may run twice
// (a success sets the same flag; a failure is announced by the runner
// only), and a success it failed to record would let another Do run f.
// It returns by ctx's end all the same: the record then goes on in the
// background, and the outcome is ErrUnknownOutcome.
func (o *Once) finish(ctx context.Context, id, outcome, msg string) error {
	if len(msg) > maxRunMessage {
		cut := maxRunMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	cl, err := o.cli()
	if err != nil {
		return err
	}
	record := func(ctx context.Context) (any, error) {
		return o.idempotentScript(ctx, scriptOnceFinish, o.keys, id, outcome, msg)
	}
	if err := ctx.Err(); err != nil {
		cl.background(ctx, func(ctx context.Context) { _, _ = record(ctx) })
		return fmt.Errorf("%w: %w", ErrUnknownOutcome, err)
	}
	_, err = detachSure(ctx, cl, record, func(ctx context.Context, _ any, err error) {
		if err != nil { // (the reply came after ctx's end, and failed: again)
			_, _ = record(ctx)
		}
	})
	if isCtxErr(err) && ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrUnknownOutcome, ctx.Err())
	}
	return err
}

// Done reports whether a run of the Once has succeeded (and no Reset
// came since).
func (o *Once) Done(ctx context.Context) (bool, error) {
	_, ok, err := scalarString(o.readScalar(ctx, cmd("GET", o.keys[:1])))
	return ok, o.fail("Done", err)
}

// Reset makes the Once not done, so that the next Do runs f again. A run
// in progress is not stopped, and marks the Once done again if it
// succeeds.
func (o *Once) Reset(ctx context.Context) error {
	_, err := o.script(ctx, scriptOnceReset, o.keys[:1])
	return o.fail("Reset", err)
}
