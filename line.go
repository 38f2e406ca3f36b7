package hotredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// The line-and-lease engine: every primitive that waits in line or holds
// a lease (Lock, RLock, Semaphore, BoundedSemaphore).
//
// Holding. A handle has an id; what it holds is one lease on the server
// that a watchdog goroutine renews while the process lives (lease.go), so
// that a dead process's holding runs out. Each acquisition draws a
// fencing token; each holding has an epoch (the token that began it), so
// that a handle whose holding ran out and began again can tell.
//
// Waiting. Waiters stand in a line kept on the server: a sorted set of
// wait ids by arrival and a hash of registrations that run out unless
// renewed, tied to the waiter's lease (lineReg). A release hands what it
// frees to the first live waiters in the same script, and announces each
// grant on the waiter's grant stream; the waiter, blocked in XREAD on that
// stream, returns already holding: a hand-off costs the release's round
// trip plus the delivery of the XREAD reply. A script may only touch keys
// its caller names in KEYS, and the releaser cannot know the next waiter's
// key, so each object has grantStreams streams, all named in KEYS, and
// waiter number t (its arrival ticket) reads stream t mod grantStreams:
// in a line of up to grantStreams waiters only the grantee wakes.
//
// A grant cannot be confirmed by reading it (XREAD does not consume), so
// it comes with a lease no longer than the waiter's registration has left;
// the grantee's watchdog renews it at once to the full lease. A waiter
// whose process died keeps a grant no longer than that, and a dead waiter
// not yet served is skipped once its registration runs out. A waiter
// accepts a grant only while sure its lease still runs (the grant says
// when it ends in server time, measured from the waiter's last attempt);
// otherwise its next attempt asks the server, which confirms the grant if
// it is still the waiter's.
//
// The kinds differ only in how they hold (lock_lib: one owner, with an
// RLock's re-entry count; sem_lib: permits per handle), so their scripts
// share line_lib, the KEYS layout (lineKeys) and the first ARGV.

// lineKind is what a kind of primitive runs.
type lineKind struct {
	acquire, release, cancel, renew *lua.Script
	permits                         bool // a semaphore: counts permits
}

var (
	lockKind = &lineKind{
		acquire: lua.Load("lock_acquire"), release: lua.Load("lock_release"),
		cancel: lua.Load("lock_cancel"), renew: lua.Load("lock_renew"),
	}
	semKind = &lineKind{
		acquire: lua.Load("sem_acquire"), release: lua.Load("sem_release"),
		cancel: lua.Load("sem_cancel"), renew: lua.Load("sem_renew"), permits: true,
	}
	scriptLockLease = lua.Load("lock_lease")
	scriptSemValue  = lua.Load("sem_value")
)

const (
	// grantStreams is how many grant streams an object has: more wake
	// fewer waiters in vain when the line is long, fewer make every
	// script call shorter (all are named in KEYS).
	grantStreams = 16
	// lineTTL is the longest a registration lasts without renewal, and
	// so the life of the line's keys (LINE_TTL in line_lib).
	lineTTL = 1500 * time.Millisecond
	// grantFloor is the shortest lease of a grant to another waiter.
	grantFloor = 50 * time.Millisecond
	// fenceTTL is how long the fencing counter outlives its last use;
	// then tokens go on from the server's clock in µs.
	fenceTTL = time.Hour
	// maxPermits bounds sizes and counts: the scripts count in Lua
	// numbers, which are exact up to 2^53.
	maxPermits = 1 << 52
)

// lineKeys are the Redis keys of a lock or semaphore, in the order every
// script of the engine takes them (see line_lib).
type lineKeys struct {
	holding, state, fence, line, regs, granted string
	streams                                    [grantStreams]string
}

func newLineKeys(key string) lineKeys {
	k := lineKeys{
		holding: key,
		state:   keys.Aux(key, "state"),
		fence:   keys.Aux(key, "fence"),
		line:    keys.Aux(key, "waiters"),
		regs:    keys.Aux(key, "waiting"),
		granted: keys.Aux(key, "granted"),
	}
	for i := range k.streams {
		k.streams[i] = keys.Aux(key, "grants:"+strconv.Itoa(i))
	}
	return k
}

func (k *lineKeys) list() []string {
	return append([]string{k.holding, k.state, k.fence, k.line, k.regs, k.granted}, k.streams[:]...)
}

// line is the engine of one handle.
type line struct {
	object
	kind      *lineKind
	ks        []string // lineKeys, as KEYS
	id        string   // the handle's id
	size      int64    // a semaphore's size; 1 for a lock
	reentrant bool     // an RLock
	bounded   bool     // a BoundedSemaphore

	op sync.Mutex // one acquire or release script of this handle at a time

	mu       sync.Mutex
	ttl      time.Duration // the lease
	held     int64         // holds (a lock: 1, an RLock: its count) or permits
	tok      int64         // the latest fencing token
	epoch    int64         // that of the holding hold keeps alive
	hold     *lease        // nil when nothing is held
	confirm  []string      // waits whose grants were read and not yet confirmed
	lostHeld int64         // permits lost with a lease and not released since
}

func newLine(kind *lineKind, typ, key string, size int64, opts []Option) line {
	o := collect(opts)
	obj := newObject(typ, key, o)
	k := newLineKeys(obj.key)
	obj.keys = k.list()
	if size < 0 || size >= maxPermits {
		obj.err = &objError{kind: typ, key: obj.key, err: fmt.Errorf("%w: size %d out of range [0, 2^52)", ErrInvalidArgument, size)}
	}
	return line{object: obj, kind: kind, ks: obj.keys, id: newID(), size: size, ttl: leaseOf(o)}
}

// wait is a registered waiter's place: its wait id, its grant stream and
// the last entry of it already seen.
type wait struct {
	id     string
	stream string
	last   string
	since  time.Time // the start of the latest attempt: no grant is older
	server int64     // the server's time (ms) during the latest attempt
}

// grant is a grant read from a stream.
type grant struct {
	token, epoch int64
	expires      time.Time // the earliest its lease may run out, on this machine's clock
}

func (l *line) leaseTTL() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ttl
}

// reg is how long a registration lasts unless renewed: tied to the lease,
// so that a dead waiter holds up the line no longer than lease + 0.9s.
func (l *line) reg() time.Duration { return min(lineTTL, l.leaseTTL()+900*time.Millisecond) }

// renewEvery is how often a waiter renews its registration.
func (l *line) renewEvery() time.Duration { return min(maxBlock, l.reg()*2/3) }

// args are the ARGV of an engine script: the common ones, then more.
func (l *line) args(more ...string) []string {
	return append([]string{ms(l.reg()), ms(grantFloor), ms(fenceTTL), strconv.FormatInt(l.size, 10)}, more...)
}

// check validates a count before any I/O; n == 0 is nothing to do.
func (l *line) check(ctx context.Context, op string, n int64) error {
	if l.err != nil {
		return l.err
	}
	if err := l.noTx(ctx, op); err != nil {
		return err
	}
	if n < 0 || n >= maxPermits {
		return l.invalid(op, "count %d out of range [0, 2^52)", n)
	}
	return ctx.Err()
}

func (l *line) acquire(ctx context.Context, op string, n int64) error {
	if err := l.check(ctx, op, n); err != nil || n == 0 {
		return err
	}
	w := &wait{id: newID()}
	for {
		w.since = time.Now()
		ok, left, err := l.try(ctx, n, w.id, w)
		if ok {
			return nil
		}
		var g grant
		if err == nil {
			d := min(l.renewEvery(), maxBlock)
			if left >= 0 {
				d = min(d, left+time.Millisecond)
			}
			g, err = l.awaitGrant(ctx, op, w, d)
		}
		if err != nil {
			l.cancelWait(ctx, w)
			if isCtxErr(err) && ctx.Err() != nil {
				return ctx.Err()
			}
			return l.fail(op, err)
		}
		if g.token > 0 && time.Now().Before(g.expires) {
			l.op.Lock()
			l.gained(n, g.token, g.epoch, g.expires, w.id)
			l.op.Unlock()
			return nil
		}
		// No grant yet, or one read too late to be sure its lease still
		// runs: the next attempt confirms it if it is still this wait's.
	}
}

func (l *line) tryAcquire(ctx context.Context, op string, n int64) (bool, error) {
	if err := l.check(ctx, op, n); err != nil || n == 0 {
		return err == nil, err
	}
	ok, _, err := l.try(ctx, n, newID(), nil)
	if err != nil && isCtxErr(err) && ctx.Err() != nil {
		return false, ctx.Err()
	}
	return ok, l.fail(op, err)
}

// try runs one attempt, as the attempt id and, when w is not nil, as the
// wait w (which joins the line or renews its place, and learns its grant
// stream). When nothing is taken it returns how long until a holding may
// run out (negative: unknown). If ctx ends before the reply, try returns
// ctx's error at once and undoes what the attempt took, in the background.
func (l *line) try(ctx context.Context, n int64, id string, w *wait) (ok bool, left time.Duration, err error) {
	cl, err := l.cli()
	if err != nil {
		return false, 0, err
	}
	l.op.Lock()
	defer l.op.Unlock()
	ttl := l.leaseTTL()
	waits := "0"
	if w != nil {
		waits = "1"
	}
	var args []string
	if l.kind.permits {
		args = l.args(l.id, strconv.FormatInt(n, 10), ms(ttl), id, waits)
	} else {
		re := "0"
		if l.reentrant {
			re = "1"
		}
		args = l.args(l.id, ms(ttl), re, id, waits)
	}
	start := time.Now()
	arr, err := detach(ctx, cl, func(ctx context.Context) ([]any, error) {
		return asArray(l.script(ctx, l.kind.acquire, l.ks, args...))
	}, func(ctx context.Context, arr []any, err error) { l.undo(ctx, n, id, arr, err) })
	if err != nil {
		if !isServerErr(err) && !errors.Is(err, ErrClosed) && (!isCtxErr(err) || ctx.Err() == nil) {
			l.undo(ctx, n, id, nil, err) // a lost reply: let go of what it may have taken
		}
		return false, 0, err
	}
	if len(arr) < 2 || (arr[0] == int64(1) && len(arr) < 3) {
		return false, 0, l.fail("", errReply)
	}
	if r, _ := arr[0].(int64); r == 0 {
		wait, _ := arr[1].(int64)
		if w != nil {
			if err := l.parseWait(arr, w); err != nil {
				return false, 0, err
			}
		}
		return false, time.Duration(wait) * time.Millisecond, nil
	}
	token, _ := arr[1].(int64)
	epoch, _ := arr[2].(int64)
	if !l.kind.permits {
		epoch = token // a lock's holding is known by its token; arr[2] counts holds
	}
	l.gained(n, token, epoch, start.Add(ttl), "")
	return true, 0, nil
}

// undo gives back, in the background, what an attempt took when its
// caller did not learn it: the reply arr came too late, or err says it
// never came (then the attempt may or may not have run).
func (l *line) undo(ctx context.Context, n int64, id string, arr []any, err error) {
	cl, cerr := l.cli()
	if cerr != nil {
		return
	}
	took := err == nil && len(arr) > 2 && arr[0] == int64(1)
	if err == nil && !took {
		cl.background(ctx, func(ctx context.Context) { _, _ = l.script(ctx, l.kind.cancel, l.ks, l.cancelArgs(id)...) })
		return
	}
	cl.background(ctx, func(ctx context.Context) {
		switch {
		case !took: // unknown: give back what went to this attempt, if anything
			_, _ = l.script(ctx, l.kind.cancel, l.ks, l.cancelArgs(id)...)
		case l.kind.permits:
			_, _ = l.script(ctx, l.kind.release, l.ks, l.args(l.id, strconv.FormatInt(n, 10), "0")...)
		case arr[2] == int64(1):
			_, _ = l.script(ctx, l.kind.cancel, l.ks, l.cancelArgs(id)...)
		default: // an RLock's re-entry: undo that one hold
			_, _ = l.script(ctx, l.kind.release, l.ks, l.args(l.id)...)
		}
	})
}

func (l *line) cancelArgs(id string) []string {
	if l.kind.permits {
		return l.args(id)
	}
	return l.args(l.id, id)
}

// cancelWait takes w out of the line after its Acquire failed, and gives
// back, in the background, what was granted to w meanwhile. If that fails
// too, the registration runs out by itself.
func (l *line) cancelWait(ctx context.Context, w *wait) {
	if w.stream == "" {
		return // never joined the line
	}
	if cl, err := l.cli(); err == nil {
		cl.background(ctx, func(ctx context.Context) { _, _ = l.script(ctx, l.kind.cancel, l.ks, l.cancelArgs(w.id)...) })
	}
}

// parseWait reads the tail of an acquire script's "not yet" reply:
// {0, ms to wait, stream index, last entry id, server time in ms}.
func (l *line) parseWait(arr []any, w *wait) error {
	if len(arr) < 5 {
		return l.fail("", errReply)
	}
	i, _ := arr[2].(int64)
	last, _ := arr[3].(string)
	now, _ := arr[4].(int64)
	if i < 0 || int(i) >= grantStreams || last == "" || now <= 0 {
		return l.fail("", errReply)
	}
	w.stream, w.last, w.server = l.ks[6+i], last, now
	return nil
}

// awaitGrant reads w's grant stream until a grant to w appears (returned),
// d passes (a zero grant), or ctx ends (ctx's error). A grant's expires is
// the earliest time, on this machine's clock, at which its lease may run
// out: the grant came after the start of w's latest attempt, so its end
// is at least as far after that start as it is after the server time that
// attempt read. A grant left unread when ctx ends is found by the cancel
// script.
func (l *line) awaitGrant(ctx context.Context, op string, w *wait, d time.Duration) (grant, error) {
	deadline := time.Now().Add(d)
	for {
		rem := time.Until(deadline)
		if rem < time.Millisecond {
			return grant{}, nil
		}
		rs, err := l.wait(ctx, op, func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{{
				Name:     []string{"XREAD", "COUNT", "32", "BLOCK", strconv.FormatInt(max(1, min(d, rem).Milliseconds()), 10), "STREAMS"},
				Keys:     []string{w.stream},
				Args:     []string{w.last},
				Blocking: true,
			}}
		}, nil)
		if err != nil {
			return grant{}, err
		}
		if rs[0].Err != nil || rs[0].Val == nil {
			return grant{}, rs[0].Err
		}
		for _, e := range streamEntries(rs[0].Val) {
			id, fields := entry(e)
			if id == "" {
				return grant{}, l.fail(op, fmt.Errorf("%w: XREAD entry %v", errReply, e))
			}
			w.last = id
			if fields["w"] == w.id {
				return l.parseGrant(op, w, fields)
			}
		}
	}
}

func (l *line) parseGrant(op string, w *wait, f map[string]string) (grant, error) {
	t, err1 := strconv.ParseInt(f["t"], 10, 64)
	x, err2 := strconv.ParseInt(f["x"], 10, 64)
	e, err3 := t, error(nil)
	if es, ok := f["e"]; ok {
		e, err3 = strconv.ParseInt(es, 10, 64)
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		return grant{}, l.fail(op, fmt.Errorf("%w: grant %v", errReply, f))
	}
	return grant{token: t, epoch: e, expires: w.since.Add(time.Duration(x-w.server) * time.Millisecond)}, nil
}

// gained records n taken with token, whose lease on the server lasts
// until at least expires, and starts the watchdog if it is not running;
// wid names a grant read from a stream, which the watchdog confirms at
// once. epoch is that of the handle's holding on the server after the
// take: when it differs from the one the handle's lease keeps alive, that
// holding ran out on the server (a long pause, failed renewals) before the
// watchdog noticed: it ends as lost and a new one begins with these n. (An
// older epoch, a grant read after a newer holding began, means these n
// were lost already.) The caller holds l.op.
func (l *line) gained(n, token, epoch int64, expires time.Time, wid string) {
	l.mu.Lock()
	if old := l.hold; old != nil && epoch != l.epoch {
		if epoch < l.epoch {
			l.lostHeld += n
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.endHold(old, true)
		l.mu.Lock()
	}
	if l.hold == nil {
		l.epoch = epoch
	}
	l.held += n
	l.tok = token
	if wid != "" && l.kind.permits {
		l.confirm = append(l.confirm, wid)
	}
	le := l.hold
	fresh := le == nil
	if fresh {
		le = newLease(token)
		l.hold = le
	}
	l.mu.Unlock()
	switch {
	case fresh:
		le.keepAlive(l.leaseTTL, expires, l.renew, func() {
			// After a release in flight: a renewal that crossed it finds
			// the holding gone, but it was released, not lost.
			l.op.Lock()
			defer l.op.Unlock()
			l.endHold(le, true)
		})
	case wid != "":
		le.renewNow()
	}
}

// renew is the watchdog's renewal to a lease of ttl, which also confirms
// the grants read.
func (l *line) renew(ctx context.Context, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	wids := slices.Clone(l.confirm)
	l.mu.Unlock()
	r, err := asInt(l.script(ctx, l.kind.renew, l.ks, l.args(append([]string{l.id, ms(ttl)}, wids...)...)...))
	if err == nil && len(wids) > 0 {
		l.mu.Lock()
		l.confirm = slices.DeleteFunc(l.confirm, func(id string) bool { return slices.Contains(wids, id) })
		l.mu.Unlock()
	}
	return r == 1, err
}

// endHold forgets le and what it held, if it is still current; lost says
// it was lost rather than released.
func (l *line) endHold(le *lease, lost bool) {
	if le == nil {
		return
	}
	l.mu.Lock()
	if l.hold == le {
		if lost && l.kind.permits {
			l.lostHeld += l.held
		}
		l.hold, l.held, l.tok, l.confirm, l.epoch = nil, 0, 0, nil, 0
	}
	l.mu.Unlock()
	le.end()
}

// release returns n: a lock's one hold, or permits. A lock not held by
// this handle is ErrNotHeld (the server says); permits beyond those held
// are an over-release: added to a Semaphore, ErrOverRelease for a
// BoundedSemaphore. If ctx ends before the reply, the handle stops
// renewing what it released, which the lease then bounds.
func (l *line) release(ctx context.Context, op string, n int64) error {
	if err := l.check(ctx, op, n); err != nil || n == 0 {
		return err
	}
	l.op.Lock()
	defer l.op.Unlock()
	l.mu.Lock()
	if l.lostHeld > 0 {
		k := min(l.lostHeld, n)
		l.lostHeld -= k
		l.mu.Unlock()
		return l.fail(op, fmt.Errorf("%w: the lease on %d of them was lost", ErrNotHeld, k))
	}
	fromLease := min(l.held, n)
	le := l.hold
	l.mu.Unlock()
	var args []string
	if l.kind.permits {
		over := n - fromLease
		if over > 0 && l.bounded {
			return l.fail(op, fmt.Errorf("%w: Release(%d) with %d held", ErrOverRelease, n, fromLease))
		}
		args = l.args(l.id, strconv.FormatInt(fromLease, 10), strconv.FormatInt(over, 10))
	} else {
		args = l.args(l.id)
	}
	left, err := asInt(l.script(ctx, l.kind.release, l.ks, args...))
	switch {
	case errors.Is(err, ErrNotHeld):
		if le != nil {
			l.endHold(le, true)
			l.mu.Lock()
			l.lostHeld = max(0, l.lostHeld-fromLease)
			l.mu.Unlock()
		}
		return l.fail(op, err)
	case errors.Is(err, ErrUnknownOutcome):
		left = max(0, l.held-fromLease) // as if released: the lease bounds it if not
	case err != nil:
		return l.fail(op, err)
	}
	l.mu.Lock()
	if l.kind.permits {
		l.held -= fromLease
	} else {
		l.held = left
	}
	done := l.held <= 0 && le != nil && l.hold == le
	l.mu.Unlock()
	if done {
		l.endHold(le, false)
	}
	return l.fail(op, err)
}

// Token returns the fencing token of the handle's latest acquisition, or 0
// when it holds nothing. Tokens of one lock or semaphore strictly increase
// across acquisitions, whatever handle or process makes them.
func (l *line) Token() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tok
}

// Lost returns a channel that is closed when the handle's current holding
// ends: when its lease is lost (the watchdog could not renew it in time,
// or found it gone) or when it is released. Use it to stop work that needs
// the lock. If the handle holds nothing, the channel is already closed.
func (l *line) Lost() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hold != nil {
		return l.hold.done
	}
	return closedChan
}

// streamEntries returns the entries of a one-stream XREAD reply: RESP2
// gives [[key, entries]], RESP3 a map, which the backends flatten to
// [key, entries].
func streamEntries(v any) []any {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return nil
	}
	if inner, ok := arr[0].([]any); ok {
		arr = inner
	}
	if len(arr) < 2 {
		return nil
	}
	es, _ := arr[1].([]any)
	return es
}

// entry splits a stream entry [id, [field, value, ...]].
func entry(e any) (id string, fields map[string]string) {
	arr, _ := e.([]any)
	if len(arr) < 2 {
		return "", nil
	}
	id, _ = arr[0].(string)
	kv, _ := arr[1].([]any)
	fields = make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		v, _ := kv[i+1].(string)
		fields[k] = v
	}
	return id, fields
}
