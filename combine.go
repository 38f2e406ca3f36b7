package hotredis

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/lua"
)

// A combiner runs the calls that overlap on one handle's key as few script
// calls (flat combining): while combineAfter calls of the handle are on
// their way, a further call waits, and the next call to go carries every
// step waiting by then, up to maxSteps, in one script call that does them
// one after the other. Each caller gets the result of its own step, as if
// it had sent it alone at that point of the key's history. Where a script
// costs the server more than the connection does (exact Float and Int
// arithmetic), that is most of its cost at high concurrency; a caller
// alone, or one of a few, goes at once, as before.
//
// What each caller sees under faults is what it would see alone: a step
// not yet sent when its context ends is taken out (the context's error;
// nothing was sent), also from a combined call about to go; one that was
// sent is ErrUnknownOutcome; a lost reply
// is ErrUnknownOutcome for every step of the call. A step's own failure
// (a result out of range) is its caller's alone. A combined call does not
// end with any caller's context: it lives as long as the longest-lived
// of them may wait.
//
// The script, given "steps" and then an op and an operand a step, replies
// only the value before the steps and after them, as text: each caller's
// result is worked out here from the first (apply computing what the
// script computes), and checked against the second. (A reply a step
// would cost the server about as much as the step.)
type combiner[R comparable] struct {
	script *lua.Script
	parse  func(key, text string) (R, error)               // a value from the script's text
	format func(R) string                                  // the script's text of a value
	apply  func(o *object, a R, op, arg string) (R, error) // a op arg, as the script computes it

	mu       sync.Mutex
	inFlight int        // calls of the handle on their way (combineAfter at most)
	waiting  []*step[R] // in order of arrival
	combined int64      // steps sent in combined calls (for tests)
	steps    sync.Pool  // *step[R]s to reuse
}

const (
	// combineAfter is how many calls of a handle go on their way at once
	// before the next ones wait to be combined: at two, two goroutines
	// pipeline their calls as before, and the calls of many are combined
	// into two streams of script calls.
	combineAfter = 2
	// maxSteps bounds the steps of one script call: under a µs of server
	// time each for a Float, up to ~25 for an Int's division of big
	// values (limb by limb), so a call of 64 of those holds the server
	// ~1.6 ms.
	maxSteps = 64
)

// step is one caller's operation in a combined call.
type step[R comparable] struct {
	cl      *Client
	ctx     context.Context
	op, arg string
	done    chan struct{} // (buffered) gets one value once val and err are set
	// Under the combiner's mu: taken into a combined call (see finished),
	// sent in it (see send), or left by its caller between the two.
	taken, sent, left bool
	val               R
	err               error
	at                time.Time // when the combined call's reply came (see result)
}

// do runs op with arg on o's key (the combiner's script) and returns its
// reply: alone, when few calls are on their way, else combined with
// others. It must not be used inside a transaction.
func (c *combiner[R]) do(ctx context.Context, o *object, op, arg string) (R, error) {
	var zero R
	var cl *Client
	var s *step[R]
	var obs Observer
	for {
		c.mu.Lock()
		if c.inFlight < combineAfter {
			c.inFlight++
			c.mu.Unlock()
			if s != nil {
				c.put(s)
			}
			return c.aloneInSlot(ctx, o, op, arg)
		}
		if s != nil {
			if obs == nil {
				c.waiting = append(c.waiting, s)
			}
			c.mu.Unlock()
			break
		}
		c.mu.Unlock()
		// (Made outside the lock, then checked again: a call alone
		// allocates nothing, and finds its client in alone.)
		var err error
		if cl, err = o.cli(); err != nil {
			return zero, err
		}
		if err := cl.ready(ctx, nil); err != nil {
			return zero, wrapErr(o.kind, o.key, err)
		}
		s = c.get()
		s.cl, s.ctx, s.op, s.arg = cl, ctx, op, arg
		obs = cl.observer()
	}
	if obs != nil {
		// The step joins a combined call once StartOperation has returned
		// the context to send it with (whose retries it counts).
		st := s // (s, reassigned above, would move to the heap)
		return observed(ctx, o, obs, false, func(ctx context.Context) (R, error) {
			st.ctx = ctx
			c.join(o, st)
			return c.wait(ctx, o, st)
		})
	}
	return c.wait(ctx, o, s)
}

// join queues s for the next combined call, or, when a slot freed
// meanwhile, sends it in one of its own.
func (c *combiner[R]) join(o *object, s *step[R]) {
	c.mu.Lock()
	if c.inFlight >= combineAfter {
		c.waiting = append(c.waiting, s)
		c.mu.Unlock()
		return
	}
	c.inFlight++
	s.taken = true
	c.mu.Unlock()
	go c.run(o, []*step[R]{s})
}

// aloneInSlot is alone in one of the handle's slots for calls on their
// way, which it then frees (or hands to the calls waiting), also if alone
// panics (an Observer's hook may).
func (c *combiner[R]) aloneInSlot(ctx context.Context, o *object, op, arg string) (R, error) {
	defer func() {
		if next := c.finished(); next != nil {
			go c.run(o, next)
		}
	}()
	return c.alone(ctx, o, op, arg)
}

// wait waits until a combined call has done s, or s's context ends.
func (c *combiner[R]) wait(ctx context.Context, o *object, s *step[R]) (R, error) {
	select {
	case <-s.done:
		return c.result(o, s)
	case <-ctx.Done():
	}
	var zero R
	c.mu.Lock()
	switch {
	case s.taken && !s.sent:
		// Its combined call has not gone yet: it goes without s, which
		// stays the call's (not reused).
		s.left = true
		c.mu.Unlock()
		return zero, wrapErr(o.kind, o.key, ctx.Err())
	case !s.sent:
		c.waiting = slices.DeleteFunc(c.waiting, func(w *step[R]) bool { return w == s })
		c.mu.Unlock()
		c.put(s)
		return zero, wrapErr(o.kind, o.key, ctx.Err())
	}
	c.mu.Unlock()
	select {
	case <-s.done: // it was done as ctx ended: its reply stands, if in time
		return c.result(o, s)
	default:
	}
	// (s is the combined call's until it ends: not reused.)
	return zero, wrapErr(o.kind, o.key, fmt.Errorf("%w: %w", ErrUnknownOutcome, ctx.Err()))
}

// result returns what s got, and s to be reused. A success whose reply
// came after s's deadline is ErrUnknownOutcome: at the deadline the
// outcome was unknown, and a caller is never told of a late success (its
// goroutine may run only after both the deadline and the reply).
func (c *combiner[R]) result(o *object, s *step[R]) (R, error) {
	v, err := s.val, s.err
	if dl, ok := s.ctx.Deadline(); ok && err == nil && s.at.After(dl) {
		var zero R
		v, err = zero, wrapErr(o.kind, o.key, fmt.Errorf("%w: %w", ErrUnknownOutcome, context.DeadlineExceeded))
	}
	c.put(s)
	return v, err
}

// get returns a step to fill (a call waiting allocates none).
func (c *combiner[R]) get() *step[R] {
	if s, ok := c.steps.Get().(*step[R]); ok {
		return s
	}
	return &step[R]{done: make(chan struct{}, 1)}
}

// put gives back s, which no combined call has (any more).
func (c *combiner[R]) put(s *step[R]) {
	*s = step[R]{done: s.done}
	c.steps.Put(s)
}

// finished ends a call of the handle: it returns the steps the next call
// carries, nil when none wait (the call's slot is then free).
func (c *combiner[R]) finished() []*step[R] {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A step whose context has ended goes unsent, though its caller may
	// not have run since (it then finds it unsent, and returns the
	// context's error alone).
	if len(c.waiting) > 0 {
		now := time.Now()
		c.waiting = slices.DeleteFunc(c.waiting, func(s *step[R]) bool {
			dl, ok := s.ctx.Deadline()
			return s.ctx.Err() != nil || ok && !now.Before(dl)
		})
	}
	if len(c.waiting) == 0 {
		c.inFlight--
		return nil
	}
	// One client's steps (a handle on the default client may meet a
	// SetDefaultClient between two calls).
	cl, next, rest := c.waiting[0].cl, make([]*step[R], 0, min(len(c.waiting), maxSteps)), c.waiting[:0]
	for _, s := range c.waiting {
		if s.cl == cl && len(next) < maxSteps {
			s.taken = true
			next = append(next, s)
		} else {
			rest = append(rest, s)
		}
	}
	clear(c.waiting[len(rest):])
	c.waiting = rest
	return next
}

// run sends steps, and then the steps waiting when each call ends, until
// none wait. Between two calls it lets the callers it just woke run
// first: they queue their next steps at once, so the next call carries
// them (hotbench at 8-32 goroutines: exact Float.Add 1.4-1.7x raw
// rueidis's INCRBYFLOAT without the yield, 1.0-1.25x with it).
func (c *combiner[R]) run(o *object, steps []*step[R]) {
	for steps != nil {
		c.send(o, steps)
		runtime.Gosched()
		steps = c.finished()
	}
}

// send does steps in one script call and gives each its result, but for
// those whose callers left since they were taken: nothing of theirs is
// sent.
func (c *combiner[R]) send(o *object, steps []*step[R]) {
	c.mu.Lock()
	steps = slices.DeleteFunc(steps, func(s *step[R]) bool { return s.left })
	for _, s := range steps {
		s.sent = true
	}
	c.combined += int64(len(steps))
	c.mu.Unlock()
	if len(steps) == 0 {
		return
	}
	ctx, cancel := stepsCtx(steps)
	var oc *opCtx // the commands sent again, for each step's observed operation
	if steps[0].cl.observer() != nil {
		oc = &opCtx{Context: ctx}
		ctx = oc
	}
	args := make([]string, 1, 1+2*len(steps))
	args[0] = "steps"
	for _, s := range steps {
		args = append(args, s.op, s.arg)
	}
	v, err := steps[0].cl.send(ctx, c.script.Cmd(true, o.keys[:1], args), true)
	cancel()
	if n := oc.retried(); n > 0 {
		for _, s := range steps {
			if sc, _ := s.ctx.Value(opCtxKey{}).(*opCtx); sc != nil {
				sc.retries.Add(n)
			}
		}
	}
	at := time.Now()
	if err != nil {
		for _, s := range steps {
			s.err = wrapErr(o.kind, o.key, err)
		}
	} else {
		c.settle(o, v, steps)
	}
	for _, s := range steps {
		s.at = at
		s.done <- struct{}{} // (the last use of s here: its caller may reuse it)
	}
}

// alone sends one step by itself.
func (c *combiner[R]) alone(ctx context.Context, o *object, op, arg string) (R, error) {
	var zero R
	text, ok, err := scalarString(o.scriptFew(ctx, c.script, o.keys[:1], op, arg))
	switch {
	case err != nil:
		return zero, err
	case !ok:
		return zero, o.fail(op, fmt.Errorf("%w: no reply from %s", ErrUnknownOutcome, c.script.Name))
	}
	return c.parse(o.key, text)
}

// settle gives each step its result from the script's reply to a
// combined call: the value before the steps, and after them.
func (c *combiner[R]) settle(o *object, reply any, steps []*step[R]) {
	var before, after string
	ok := false
	switch r := reply.(type) {
	case []string:
		if len(r) == 2 {
			before, after, ok = r[0], r[1], true
		}
	case []any:
		if len(r) == 2 {
			var ok2 bool
			before, ok = r[0].(string)
			after, ok2 = r[1].(string)
			ok = ok && ok2
		}
	}
	var a R
	var err error
	if ok {
		a, err = c.parse(o.key, before)
	}
	if !ok || err != nil { // (the script writes what parse reads)
		err = o.fail("steps", fmt.Errorf("%w: %s replied %v to steps", ErrUnknownOutcome, c.script.Name, reply))
	}
	for _, s := range steps {
		if err != nil {
			s.err = err
			continue
		}
		r, serr := c.apply(o, a, s.op, s.arg)
		if serr != nil {
			s.err = serr // this step's alone; the next goes on from a
			continue
		}
		a, s.val = r, r
	}
	if err == nil && c.format(a) != after {
		err = o.fail("steps", fmt.Errorf("%w: %s stored %q where its steps make %s", ErrUnknownOutcome, c.script.Name, after, c.format(a)))
		var zero R
		for _, s := range steps {
			s.val, s.err = zero, err
		}
	}
}

// stepsCtx is the context of a combined call: the first step's values,
// ending at the latest of the steps' deadlines (never, if one has none),
// and with no step's cancellation: each caller stops waiting at its own.
func stepsCtx[R comparable](steps []*step[R]) (context.Context, context.CancelFunc) {
	ctx := context.WithoutCancel(steps[0].ctx)
	var last time.Time
	for _, s := range steps {
		dl, ok := s.ctx.Deadline()
		if !ok {
			return ctx, func() {}
		}
		if dl.After(last) {
			last = dl
		}
	}
	return context.WithDeadline(ctx, last)
}
