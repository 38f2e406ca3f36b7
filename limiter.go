package hotredis

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// Limiter is a token-bucket rate limiter shared through Redis:
// golang.org/x/time/rate's Limiter across machines. Every process using
// its key draws from one bucket of r tokens per second and burst b.
type Limiter struct {
	object
	r     float64
	b     int
	per   float64 // µs per token
	perS  string
	tauS  string // the burst, in µs
	unlim bool   // r is +Inf: everything is allowed, no I/O
}

var (
	scriptLimiterReserve = lua.Load("limiter_reserve")
	scriptLimiterCancel  = lua.Load("limiter_cancel")
)

// NewLimiter returns a handle on the rate limiter at key that allows r
// events per second on average and bursts of up to b. It does no I/O; an
// empty key makes a new unique one (see Key). All handles of one limiter
// must be made with the same r and b. An r of math.Inf(1) allows every
// event without asking Redis (b is then ignored); an r that is not
// positive, or a b under 1, is ErrInvalidArgument from every method.
// Options: WithClient.
//
// The bucket is one number in Redis, the time at which it is full again
// (GCRA), read and moved by one script per decision on the server's clock,
// so that the clocks of the processes do not matter. A full bucket
// occupies no key. Bursts and averages are those of x/time/rate: starting
// full, a limiter admits b events at once and then r per second.
func NewLimiter(key string, r float64, b int, opts ...Option) *Limiter {
	l := &Limiter{object: newObject("limiter", key, collect(opts)), r: r, b: b}
	l.ownExpiry(l.key) // (its state lasts until the bucket is full again)
	switch {
	case math.IsInf(r, 1):
		l.unlim = true
	case !(r > 0) || math.IsInf(r, 0):
		l.err = &objError{kind: l.kind, key: l.key, err: fmt.Errorf("%w: rate %v is not positive", ErrInvalidArgument, r)}
	case b < 1:
		l.err = &objError{kind: l.kind, key: l.key, err: fmt.Errorf("%w: burst %d is under 1", ErrInvalidArgument, b)}
	default:
		l.per = 1e6 / r
		l.perS = strconv.FormatFloat(l.per, 'f', -1, 64)
		l.tauS = strconv.FormatFloat(l.per*float64(b), 'f', -1, 64)
	}
	return l
}

// Limit returns the limiter's rate, in events per second.
func (l *Limiter) Limit() float64 { return l.r }

// Burst returns the limiter's burst: the most events it admits at once.
func (l *Limiter) Burst() int { return l.b }

// Allow reports whether one event may happen now, taking its token if so.
func (l *Limiter) Allow(ctx context.Context) (bool, error) { return l.AllowN(ctx, 1) }

// AllowN reports whether n events may happen now, taking their tokens if
// so; it never waits. Tokens promised to waiting callers (WaitN) are not
// free: while callers wait, AllowN reports false. An n over the burst is
// never allowed; an n of 0 or less always is.
func (l *Limiter) AllowN(ctx context.Context, n int) (bool, error) {
	if err := l.precheck(ctx, "AllowN"); err != nil || l.unlim || n <= 0 {
		return err == nil, err
	}
	if n > l.b {
		return false, nil
	}
	ok, _, _, err := l.reserve(ctx, "AllowN", n, 0)
	return ok, err
}

// Wait blocks until one event may happen, or ctx ends; see WaitN.
func (l *Limiter) Wait(ctx context.Context) error { return l.WaitN(ctx, 1) }

// WaitN blocks until n events may happen, taking their tokens. It reserves
// them at once and sleeps until they are due (no polling), so callers are
// admitted in the order they called. If ctx has a deadline before that
// time, WaitN returns at once an error wrapping context.DeadlineExceeded
// and takes nothing, as x/time/rate does; if ctx ends while it sleeps, or
// before the reservation's reply comes, it returns ctx's error and gives
// the tokens back (those that no later waiter counts on, as x/time/rate's
// Reservation.Cancel does). A reply lost with its connection is an error
// (ErrUnknownOutcome), and gives the tokens back too, if the reservation
// was made: it is recorded under an id of the call's until it is due
// (tokens taken at once, with nothing to wait for, are not recorded: a
// lost reply leaves them spent). An
// n over the burst is ErrInvalidArgument; an n of 0 or less returns at
// once.
func (l *Limiter) WaitN(ctx context.Context, n int) error {
	const op = "WaitN"
	if err := l.precheck(ctx, op); err != nil || l.unlim || n <= 0 {
		return err
	}
	if n > l.b {
		return l.invalid(op, "n %d exceeds the burst %d", n, l.b)
	}
	patience := int64(math.MaxInt64 / 2)
	if dl, ok := ctx.Deadline(); ok {
		patience = time.Until(dl).Microseconds()
	}
	ok, wait, rec, err := l.reserve(ctx, op, n, max(0, patience))
	switch {
	case err != nil:
		return err
	case !ok:
		return l.fail(op, fmt.Errorf("%w: waiting %v for %d tokens would pass the context's deadline", context.DeadlineExceeded, wait, n))
	case wait <= 0:
		return nil
	}
	if sleepCtx(ctx, wait) {
		return nil
	}
	l.giveBack(ctx, rec)
	return ctx.Err()
}

// giveBack gives back, in the background, the tokens of the reservation
// recorded at rec (see limiter_reserve), which its caller stopped waiting
// for or lost the reply of. limiter_cancel gives nothing for a
// reservation not made, due already, or given back already.
func (l *Limiter) giveBack(ctx context.Context, rec string) {
	if cl, err := l.cli(); err == nil {
		cl.background(ctx, func(bg context.Context) {
			_, _ = l.script(bg, scriptLimiterCancel, []string{l.key, rec}, l.perS, l.tauS)
		})
	}
}

// giveBackNow gives back, in the background, n tokens taken at once
// (limiter_reserve records none) whose reply reached its caller only after
// it stopped waiting: after is the bucket's arrival time right after the
// take, from that reply; rec marks the give-back, so that it counts once.
func (l *Limiter) giveBackNow(ctx context.Context, rec string, n int, after string) {
	if cl, err := l.cli(); err == nil {
		cl.background(ctx, func(bg context.Context) {
			_, _ = l.script(bg, scriptLimiterCancel, []string{l.key, rec}, l.perS, l.tauS, "now", strconv.Itoa(n), after)
		})
	}
}

func (l *Limiter) precheck(ctx context.Context, op string) error {
	if l.err != nil {
		return l.err
	}
	if err := l.noTx(ctx, op); err != nil {
		return err
	}
	return ctx.Err()
}

// reserve runs one decision: n tokens now, or by a reservation due within
// patience µs. It returns whether they were taken, how long the caller
// must wait for them (or would have had to), and the key of the
// reservation's record (see limiter_reserve).
//
// A reservation that may have to wait (patience > 0) is recorded under a
// new key, and detached from ctx: if ctx ends before the reply, the reply
// still comes, and the tokens of a reservation still to come are given
// back; so are they when the reply is lost with its connection, by the
// record (ErrUnknownOutcome all the same: the give-back may not reach the
// server either).
func (l *Limiter) reserve(ctx context.Context, op string, n int, patience int64) (bool, time.Duration, string, error) {
	ks := l.keys[:1]
	if patience > 0 {
		ks = []string{l.key, keys.Fresh(l.key, newIDAfter("res:"))}
	}
	call := func(ctx context.Context) ([]any, error) {
		return asArray(l.script(ctx, scriptLimiterReserve, ks, l.perS, l.tauS, strconv.Itoa(n), strconv.FormatInt(patience, 10)))
	}
	// reserved says whether a reservation may have been made, which its
	// caller will not wait for: its reply was lost (the record tells), or
	// came after ctx ended.
	reserved := func(ctx context.Context, arr []any, err error) bool {
		if err != nil {
			return mayHaveRun(ctx, err)
		}
		ok, wait, _, perr := parseReserve(arr)
		return perr == nil && ok && wait > 0
	}
	var arr []any
	var err error
	if cl, cerr := l.cli(); cerr == nil && patience > 0 {
		arr, err = detach(ctx, cl, call, func(ctx context.Context, arr []any, err error) {
			if err != nil {
				if reserved(ctx, nil, err) {
					l.giveBack(ctx, ks[1])
				}
				return
			}
			switch ok, wait, after, perr := parseReserve(arr); {
			case perr != nil || !ok:
			case wait > 0:
				l.giveBack(ctx, ks[1])
			case after != "":
				// Taken at once (nothing recorded), with the reply too
				// late for its caller: given back from the reply.
				l.giveBackNow(ctx, ks[1], n, after)
			}
		})
		if cerr := ctxEnded(ctx, err); cerr != nil {
			return false, 0, "", cerr // (the reservation is given back when its reply comes)
		}
		if err != nil && reserved(ctx, nil, err) {
			l.giveBack(ctx, ks[1])
		}
	} else {
		arr, err = call(ctx) // (a take now: a context ending before its reply is ErrUnknownOutcome)
	}
	if err != nil {
		return false, 0, "", l.fail(op, err)
	}
	ok, wait, _, err := parseReserve(arr)
	return ok, wait, ks[len(ks)-1], l.fail(op, err)
}

// parseReserve reads limiter_reserve's reply: whether the tokens were
// taken, the wait, and the bucket's arrival time after the take ("" from
// an older version's script, which has no such figure).
func parseReserve(arr []any) (ok bool, wait time.Duration, after string, err error) {
	if len(arr) < 2 || (arr[0] == int64(1) && len(arr) < 3) {
		return false, 0, "", errReply
	}
	ok = arr[0] == int64(1)
	us, _ := arr[1].(int64)
	if len(arr) > 3 {
		after, _ = arr[3].(string)
	}
	return ok, time.Duration(us) * time.Microsecond, after, nil
}
