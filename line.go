package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

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
// not yet served is skipped once its registration runs out. A live waiter
// whose renewal came too late (a stall, a loaded machine) was skipped the
// same way, and the line's keys may have expired; its next attempt sends
// its arrival ticket, and it takes its place back, before everyone who
// came after it. A waiter
// accepts a grant only while sure its lease still runs (the grant says
// when it ends in server time, measured from the waiter's last attempt);
// otherwise its next attempt asks the server, which confirms the grant if
// it is still the waiter's.
//
// The kinds differ only in how they hold (lock_lib: one owner, with an
// RLock's re-entry count; sem_lib: permits per handle), so their scripts
// share line_lib, the KEYS layout (lineSuffixes) and the first ARGV.

// lineKind is what a kind of primitive runs.
type lineKind struct {
	acquire, release, cancel, renew *lua.Script
	// quickAcquire and quickRelease decide the uncontended case naming
	// only the first quickKeys KEYS, and reply -1 for the rest, which
	// acquire and release decide (see line.slow).
	quickAcquire, quickRelease *lua.Script
	// quickRenew, when not nil, renews naming only the first renewKeys
	// KEYS, and replies -1 for what renew decides. (A lock's renew names
	// only the first of them.) A renewal that declares no key a holding
	// lacks runs while its Cluster slot migrates, when Redis refuses a
	// script that declares a key missing from the node (TRYAGAIN): a
	// lease shorter than a migration would be lost otherwise.
	quickRenew *lua.Script
	renewKeys  int
	permits    bool // a semaphore: counts permits
}

// quickKeys is how many of the engine's KEYS the quick scripts name: the
// holding, the state, the fencing counter and the line.
const quickKeys = 4

var (
	lockKind = &lineKind{
		acquire: lua.Load("lock_acquire"), release: lua.Load("lock_release"),
		quickAcquire: lua.Load("lock_acquire_quick"), quickRelease: lua.Load("lock_release_quick"),
		cancel: lua.Load("lock_cancel"), renew: lua.Load("lock_renew"), renewKeys: 1,
	}
	semKind = &lineKind{
		acquire: lua.Load("sem_acquire"), release: lua.Load("sem_release"),
		quickAcquire: lua.Load("sem_acquire_quick"), quickRelease: lua.Load("sem_release_quick"),
		cancel: lua.Load("sem_cancel"), renew: lua.Load("sem_renew"), permits: true,
		quickRenew: lua.Load("sem_renew_quick"), renewKeys: 2,
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
	// grantMargin is the least lease a grant read from a stream must
	// have left for its waiter to take it as held (see trusts); one
	// closer to its end is confirmed by the waiter's next attempt.
	grantMargin = 250 * time.Millisecond
	// fenceTTL is how long the fencing counter outlives its last use;
	// then tokens go on from the server's clock in µs.
	fenceTTL = time.Hour
	// maxPermits bounds sizes and counts: the scripts count in Lua
	// numbers, which are exact up to 2^53.
	maxPermits = 1 << 52
)

// lineSuffixes name the keys of a lock or semaphore after its own (the
// holding), in the order every script of the engine takes them (see
// line_lib): the state, the fencing counter, the line, the
// registrations, the unconfirmed grants, then the grant streams.
var lineSuffixes = func() []string {
	ss := []string{"state", "fence", "waiters", "waiting", "granted"}
	for i := range grantStreams {
		ss = append(ss, "grants:"+strconv.Itoa(i))
	}
	return ss
}()

// line is the engine of one handle.
type line struct {
	object
	kind      *lineKind
	ks        []string // the key, then lineSuffixes', then keys.Absent's (KEYS)
	id        string   // the handle's id
	size      int64    // a semaphore's size; 1 for a lock
	reentrant bool     // an RLock
	bounded   bool     // a BoundedSemaphore

	op opMutex // one acquire or release script of this handle at a time
	// Whether the quick scripts are worth a try (see lineKind), guarded
	// by op: an attempt goes by quickAcquire unless the handle holds
	// already or its last quick attempt found contention (slow, until an
	// attempt by acquire takes the lock); a release goes by quickRelease
	// when the holding was taken by quickAcquire (quickHeld). A quick
	// script that cannot decide costs a round trip more, so a contended
	// handle keeps to the full scripts, whose releases hand off to waiters.
	slow, quickHeld bool

	// ttl is the lease, under ttlMu, not mu: the watchdog asks for it
	// holding its lease's lock, which Lost takes holding mu.
	ttlMu sync.Mutex
	ttl   time.Duration

	mu       sync.Mutex
	held     int64    // holds (a lock: 1, an RLock: its count) or permits
	tok      int64    // the latest fencing token
	epoch    int64    // that of the holding hold keeps alive
	hold     *lease   // nil when nothing is held
	confirm  []string // waits whose grants were read and not yet confirmed
	watch    watchdog // for every hold's lease (see watchdog)
	lostHeld int64    // permits lost with a lease and not released since
	// stale: the handle's last holding of a lock ended unconfirmed (its
	// lease was lost, or its release's outcome is unknown), so the server
	// may still count it, with nobody renewing it: an RLock does not
	// re-enter it (an attempt waits for it to run out) until the handle
	// acquires again.
	stale bool
	// staleUntil: a semaphore handle's holding ended in doubt (a Release
	// in doubt: see release), and the server may count its permits under
	// id until then, when the lease it last renewed has surely run out. A
	// take under id before then would renew them with the new ones, so
	// the handle's attempts wait for it (a TryAcquire finds nothing).
	staleUntil time.Time
	// troubleAt: when the handle's latest clean-up began (see troubled).
	troubleAt time.Time
	// common are args' first four, formatted for a registration of
	// commonReg (reg).
	common    [4]string
	commonReg time.Duration
}

func newLine(kind *lineKind, typ, key string, size int64, opts []Option) line {
	o := collect(opts)
	obj := newObject(typ, key, o, lineSuffixes...)
	// Every key goes by itself (leases, the line, the fence, grant
	// streams), or stays for good (a Semaphore's state once an
	// over-release added permits): Expire and Persist leave them all, as
	// the holders' leases and the state's counts must go together.
	obj.timed = obj.keys
	if size < 0 || size >= maxPermits {
		obj.err = &objError{kind: typ, key: obj.key, err: fmt.Errorf("%w: size %d out of range [0, 2^52)", ErrInvalidArgument, size)}
	}
	// The engine's scripts may empty a key and then name it again (a
	// release drops the holding, then grants it): their KEYS end with
	// keys.Absent's, which never exists, so that Redis never runs them
	// halfway while the slot migrates (see keys.Absent).
	ks := append(obj.keys[:len(obj.keys):len(obj.keys)], keys.Absent(obj.key))
	return line{object: obj, kind: kind, ks: ks, id: holderID(o.label), size: size, ttl: leaseOf(o)}
}

// wait is a registered waiter's place: its wait id, its grant stream and
// the last entry of it already seen.
type wait struct {
	id     string
	stream string
	last   string
	since  time.Time // the start of the latest attempt: no grant is older
	server int64     // the server's time (ms) during the latest attempt
	// ticket is its place in line, from the latest attempt ("0": none
	// yet): a wait whose registration ran out takes it back.
	ticket string
	// handOff is the time from the release that granted w what it
	// waited for to its attempt that took it, when w missed the grant's
	// announcement (-1: it did not).
	handOff time.Duration
	// opHeld says that w's latest attempt lost its reply and kept l.op
	// for the same attempt's next run (see try).
	opHeld bool
}

// newWait is a new wait: no place in line yet, no grant.
func newWait() *wait { return &wait{id: newID(), ticket: "0", handOff: -1} }

// grant is a grant read from a stream.
type grant struct {
	token, epoch int64
	expires      time.Time // the earliest its lease may run out, on this machine's clock
}

func (l *line) leaseTTL() time.Duration {
	l.ttlMu.Lock()
	defer l.ttlMu.Unlock()
	return l.ttl
}

func (l *line) setLeaseTTL(d time.Duration) {
	l.ttlMu.Lock()
	l.ttl = d
	l.ttlMu.Unlock()
}

// reg is how long a registration lasts unless renewed: tied to the lease,
// so that a dead waiter holds up the line no longer than lease + 0.9s.
func (l *line) reg() time.Duration { return regOf(l.leaseTTL()) }

func regOf(lease time.Duration) time.Duration { return min(lineTTL, lease+900*time.Millisecond) }

// renewEvery is how often a waiter renews its registration.
func (l *line) renewEvery() time.Duration { return min(maxBlock, l.reg()*2/3) }

// args are the ARGV of an engine script: the common ones, then more. The
// common ones are formatted once per lease setting.
func (l *line) args(more ...string) []string {
	l.mu.Lock()
	if reg := regOf(l.leaseTTL()); l.common[0] == "" || reg != l.commonReg {
		l.commonReg = reg
		l.common = [4]string{ms(reg), ms(grantFloor), ms(fenceTTL), strconv.FormatInt(l.size, 10)}
	}
	common := l.common
	l.mu.Unlock()
	return append(append(make([]string, 0, len(common)+len(more)), common[:]...), more...)
}

// check validates a count before any I/O; n == 0 is nothing to do.
func (l *line) check(ctx context.Context, op string, n int64) error {
	cl, err := l.cli()
	if err != nil {
		return err
	}
	if err := cl.ready(ctx, nil); err != nil {
		return err
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
	w := newWait()
	var waiting time.Time // since the first attempt found it taken
	ro := l.rideOut()
	lost := false // the latest attempt's reply was lost (see mayHaveRun)
	for {
		if d := l.staleFor(); d > 0 && !w.opHeld {
			// A holding of the handle ended in doubt (see staleUntil),
			// maybe while w waited: its place in line, under the same
			// id, goes back (with a grant it may have), and w waits.
			l.cancelWait(ctx, w)
			if !sleepCtx(ctx, d) {
				l.waitedForGrant(ctx, op, waiting, w, nil, ctx.Err())
				return ctx.Err()
			}
			w = newWait()
		}
		w.since = time.Now()
		ok, left, err := l.try(ctx, n, w.id, w)
		if ok {
			l.waitedForGrant(ctx, op, waiting, w, nil, nil)
			return nil
		}
		// (Kept through later failures, such as a LOADING refusal after a
		// restart, until a reply tells where the attempt stands.)
		lost = err != nil && (lost || mayHaveRun(ctx, err))
		var g grant
		tried := err == nil
		if tried {
			if waiting.IsZero() {
				waiting = time.Now()
			}
			d := min(l.renewEvery(), maxBlock)
			if left >= 0 {
				d = min(d, left+time.Millisecond)
			}
			g, err = l.awaitGrant(ctx, op, w, d)
		}
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				// A lost connection: wait on, as the same attempt, which
				// the scripts answer as the first run when it ran (took,
				// or joined the line): nothing to give back.
				continue
			}
			if lost {
				// (Marked before l.op goes: the watchdog's trim must not
				// count what the attempt took as revived meanwhile.)
				l.troubled()
			}
			if w.opHeld {
				w.opHeld = false
				l.op.Unlock()
			}
			if lost {
				l.undo(ctx, n, w.id, nil, err) // what the lost attempt may have taken
			}
			l.cancelWait(ctx, w)
			if isCtxErr(err) && ctx.Err() != nil {
				err = ctx.Err()
			} else {
				err = l.fail(op, err)
			}
			l.waitedForGrant(ctx, op, waiting, w, nil, err)
			return err
		}
		ro.ok()
		if g.token > 0 && l.trusts(g) && l.staleFor() <= 0 {
			if err := l.op.LockCtx(ctx); err != nil {
				// ctx ended while another call of the handle ran its
				// script: the grant goes back, as a wait's given up.
				l.cancelWait(ctx, w)
				l.waitedForGrant(ctx, op, waiting, w, nil, err)
				return err
			}
			if !l.trusts(g) {
				// Its lease may have run out while another call of the
				// handle held it up: the next attempt confirms the grant
				// if it is still this wait's.
				l.op.Unlock()
				continue
			}
			l.acquired(ctx, n, g.token, g.epoch, g.expires, w.id, true)
			l.op.Unlock()
			l.waitedForGrant(ctx, op, waiting, w, &g, nil)
			return nil
		}
		// No grant yet, or one read too late to be sure its lease still
		// runs: the next attempt confirms it if it is still this wait's.
	}
}

// staleFor returns how long the handle's attempts must wait for a
// holding that ended in doubt to run out on the server (see staleUntil).
func (l *line) staleFor() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.staleUntil.IsZero() {
		return 0
	}
	return time.Until(l.staleUntil)
}

// staleMargin is how long past its lease a holding ended in doubt may
// still run on the server: a renewal that was on its way when the
// watchdog stopped lands that much later at most (the connection's
// timeout bounds it, far less in practice).
const staleMargin = time.Second

// trusts says whether grant g, read from a stream, has enough of its short
// lease left to be taken as held: the watchdog renews it at once, but
// that renewal must reach the server before the lease runs out, so a
// grant with less than grantMargin left (or a third of a shorter lease,
// the margin a renewed holding keeps) is instead confirmed by the next
// attempt, which gives it the full lease in the same step. (A grant
// announced just before its waiter's registration ran out gets
// grantFloor; taken as held, a loaded machine's late renewal lost it to
// the next waiter right after Acquire returned.)
func (l *line) trusts(g grant) bool {
	return time.Until(g.expires) >= min(grantMargin, l.leaseTTL()/3)
}

func (l *line) tryAcquire(ctx context.Context, op string, n int64) (bool, error) {
	if err := l.check(ctx, op, n); err != nil || n == 0 {
		return err == nil, err
	}
	if l.staleFor() > 0 {
		return false, nil // (see staleUntil)
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
// If the reply is lost, a try without w (TryAcquire) undoes it too; with
// w, acquire sends it again or undoes it.
func (l *line) try(ctx context.Context, n int64, id string, w *wait) (ok bool, left time.Duration, err error) {
	cl, err := l.cli()
	if err != nil {
		return false, 0, err
	}
	// (Not past ctx's end: another call's script holds it up to the
	// connection timeout with the server stalled.)
	if w == nil || !w.opHeld {
		if err := l.op.LockCtx(ctx); err != nil {
			return false, 0, err
		}
	}
	keep := false // l.op, for the next run of an attempt whose reply was lost
	if w != nil {
		w.opHeld = false
	}
	defer func() {
		if !keep {
			l.op.Unlock()
		}
	}()
	ttl := l.leaseTTL()
	waits, ticket := "0", "0"
	if w != nil {
		waits, ticket = "1", w.ticket
	}
	var args []string
	if l.kind.permits {
		args = l.args(l.id, strconv.FormatInt(n, 10), ms(ttl), id, waits, ticket)
	} else {
		// An RLock re-enters only a holding the handle has: one it
		// released (or lost) that the server has back, from a lossy
		// failover or a restart from a snapshot, nobody renews; the
		// attempt waits for it to run out, as for a stale one.
		re := "0"
		l.mu.Lock()
		if l.reentrant && !l.stale && l.held > 0 {
			re = "1"
		}
		l.mu.Unlock()
		args = l.args(l.id, ms(ttl), re, id, waits, ticket)
	}
	start := time.Now()
	var arr []any
	l.mu.Lock()
	quick := l.kind.quickAcquire != nil && !l.slow && l.held == 0
	l.mu.Unlock()
	if quick {
		arr, err = l.attempt(ctx, cl, l.kind.quickAcquire, l.ks[:quickKeys], args, n, id)
		if err == nil && len(arr) == 1 && arr[0] == int64(-1) {
			quick, arr, l.slow = false, nil, true // contended: the full script decides
		}
	}
	if !quick {
		arr, err = l.attempt(ctx, cl, l.kind.acquire, l.ks, args, n, id)
	}
	if err != nil {
		// A TryAcquire gives back at once what a lost attempt may have
		// taken; an Acquire sends the same attempt again, and gives back
		// only when it gives up.
		if w == nil && mayHaveRun(ctx, err) {
			l.undo(ctx, n, id, nil, err) // a lost reply: let go of what it may have taken
		}
		// An Acquire's attempt whose reply was lost keeps l.op until it
		// runs again (or gives up: see acquire): the scripts know it ran
		// by the handle's latest takes (sem_take_lib's NOTES), which other
		// calls of the handle would push out meanwhile.
		if keep = w != nil && mayHaveRun(ctx, err); keep {
			w.opHeld = true
		}
		return false, 0, undone(err)
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
	// A grant to w, whose announcement w missed, confirmed: when it was
	// made, and the server's time now.
	handedOff := false
	if len(arr) >= 5 && w != nil {
		when, _ := arr[3].(int64)
		now, _ := arr[4].(int64)
		handedOff, w.handOff = true, max(time.Duration(now-when)*time.Millisecond, 0)
	}
	l.acquired(ctx, n, token, epoch, start.Add(ttl), "", handedOff)
	l.quickHeld, l.slow = quick, false
	return true, 0, nil
}

// attempt runs the acquire script s (KEYS ks) as the attempt id for n. If
// ctx ends before the reply, attempt returns ctx's error at once and
// undoes what the attempt took, in the background.
func (l *line) attempt(ctx context.Context, cl *Client, s *lua.Script, ks, args []string, n int64, id string) ([]any, error) {
	if ctx.Done() == nil {
		return asArray(l.script(ctx, s, ks, args...)) // nothing to detach from
	}
	arr, err := detach(ctx, cl, func(ctx context.Context) ([]any, error) {
		return asArray(l.script(ctx, s, ks, args...))
	}, func(ctx context.Context, arr []any, err error) { l.undo(ctx, n, id, arr, err) })
	if err != nil && ctx.Err() != nil {
		l.troubled() // (maybe left running: its undo comes when it ends)
	}
	return arr, err
}

// undo gives back, in the background, what an attempt took when its
// caller did not learn it: the reply arr came too late, or err says it
// never came (then the attempt may or may not have run).
func (l *line) undo(ctx context.Context, n int64, id string, arr []any, err error) {
	l.troubled()
	cl, cerr := l.cli()
	if cerr != nil {
		return
	}
	took := err == nil && len(arr) > 2 && arr[0] == int64(1)
	if err == nil && !took {
		cl.background(ctx, func(ctx context.Context) { l.cancel(ctx, id, false) })
		return
	}
	cl.background(ctx, func(ctx context.Context) {
		if took && l.kind.permits {
			_, _ = l.script(ctx, l.kind.release, l.ks, l.args(l.id, strconv.FormatInt(n, 10), "0")...)
			return
		}
		// Unknown, or a lock's hold that went to this attempt: the lock
		// as the attempt's own holding or a grant it confirmed, or an
		// RLock's re-entry. The cancel gives back what went to id, once,
		// whichever it was (a reply's holds do not tell: a confirmed
		// grant counts the handle's re-entries too).
		l.cancel(ctx, id, true)
	})
}

// cancel runs the cancel script for the attempt or wait id (see
// cancelArgs) in a clean-up; a cancel that runs twice gives back once.
func (l *line) cancel(ctx context.Context, id string, lost bool) {
	_, _ = l.idempotentScript(ctx, l.kind.cancel, l.ks, l.cancelArgs(id, lost)...)
}

// cancelArgs are the cancel script's arguments for the attempt or wait
// id; lost says the attempt's reply was lost: a Semaphore's cancel then
// gives back what the attempt may have taken itself, not only a grant, and
// an RLock's undoes a re-entry the attempt made. (A lock's cancel always
// gives back a holding that went to the attempt: the holding names it.)
func (l *line) cancelArgs(id string, lost bool) []string {
	if l.kind.permits {
		if lost {
			return l.args(id, l.id, "1")
		}
		return l.args(id, l.id)
	}
	if lost {
		return l.args(l.id, id, "1")
	}
	return l.args(l.id, id)
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
	if err := l.op.LockCtx(ctx); err != nil {
		return err // (nothing sent: what is held stays held)
	}
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
	// (A lock's only hold; a semaphore's permits, none beyond those held.)
	quick := l.kind.quickRelease != nil && l.quickHeld && (l.kind.permits && n <= l.held || !l.kind.permits && l.held == 1)
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
	var left int64
	var err error
	if quick { // -1: not decided, the full script runs
		left, err = asInt(l.script(ctx, l.kind.quickRelease, l.ks[:quickKeys], args...))
	}
	if !quick || (err == nil && left < 0) {
		left, err = asInt(l.script(ctx, l.kind.release, l.ks, args...))
	}
	switch {
	case errors.Is(err, ErrNotHeld):
		if le != nil {
			l.endHold(ctx, le, true)
			l.mu.Lock()
			l.lostHeld = max(0, l.lostHeld-fromLease)
			l.mu.Unlock()
		}
		return l.fail(op, err)
	case errors.Is(err, ErrUnknownOutcome):
		left = max(0, l.held-fromLease) // as if released: the lease bounds it if not
		if !l.kind.permits && left == 0 {
			l.mu.Lock()
			l.stale = true // (if it was not released: see stale)
			l.mu.Unlock()
		}
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
	// A release in doubt while the handle holds more (other permits, an
	// RLock's other entries): renewing those would keep the doubtful
	// ones taken for as long, so the handle stops renewing (the README's
	// promise), and what it still holds ends as lost, bounded by the
	// lease with them. A semaphore handle then takes nothing until that
	// lease surely ran out (staleUntil); a lock's stale does as much.
	inDoubt := errors.Is(err, ErrUnknownOutcome)
	doubt := inDoubt && l.held > 0 && le != nil
	if inDoubt && l.kind.permits {
		l.staleUntil = time.Now().Add(l.leaseTTL() + staleMargin)
	}
	l.quickHeld = l.quickHeld && l.held > 0
	l.mu.Unlock()
	if done || doubt {
		l.endHold(ctx, le, doubt)
	}
	return l.fail(op, err)
}

// opMutex is a mutex whose lock can give up when a context ends. Its zero
// value is unlocked (its channel made at first use, so that a handle made
// per request allocates no more).
type opMutex struct {
	once sync.Once
	ch   chan struct{}
}

func (m *opMutex) c() chan struct{} {
	m.once.Do(func() { m.ch = make(chan struct{}, 1) })
	return m.ch
}

func (m *opMutex) Lock() { m.c() <- struct{}{} }

// LockCtx locks m, or returns ctx's error if ctx ends first.
func (m *opMutex) LockCtx(ctx context.Context) error {
	select {
	case m.c() <- struct{}{}:
		return nil
	default:
	}
	select {
	case m.c() <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *opMutex) TryLock() bool {
	select {
	case m.c() <- struct{}{}:
		return true
	default:
		return false
	}
}

func (m *opMutex) Unlock() { <-m.c() }
