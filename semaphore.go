package hotredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/keys"
)

var (
	scriptSemAcquire = loadScriptWith("sem_acquire", "line_lib", "sem_lib")
	scriptSemRelease = loadScriptWith("sem_release", "line_lib", "sem_lib").handsOff()
	scriptSemCancel  = loadScriptWith("sem_cancel", "line_lib", "sem_lib")
	scriptSemRenew   = loadScript("sem_renew")
	scriptSemValue   = loadScript("sem_value")
)

// maxPermits bounds sizes and counts: the scripts count in Lua numbers,
// which are exact up to 2^53.
const maxPermits = 1 << 52

// Semaphore is a counting semaphore shared through Redis: Python's
// threading.Semaphore and Go's x/sync/semaphore.Weighted, across processes
// and machines. It starts with n permits; Acquire takes one (AcquireN
// takes several), blocking while too few are free; Release returns one. As
// in Python, a Release beyond what the handle holds adds a permit: the
// semaphore's capacity grows for everyone. (HOT Redis's Semaphore is
// silently bounded to 1 and polls; this one is neither.)
//
// Permits are leased to the handle that acquired them: every handle has an
// id, and the permits it holds are one lease (DefaultLease, or WithLease)
// that a watchdog renews while the process lives, so a crashed process's
// permits come back when the lease runs out. Lost is closed if the lease
// is lost. Each acquisition draws a fencing token (Token) greater than all
// earlier ones. Goroutines may share a handle (its permits are then
// pooled, as with x/sync/semaphore) or use one each.
//
// Fairness: first come, first served, as with x/sync/semaphore. Waiters
// stand in a line kept in Redis; a release hands the permits it frees to
// the waiters at the head of the line in the same step, and their
// Acquire returns holding them about one round trip later, without trying
// again. The line stops at a waiter that wants more permits than are free:
// smaller requests behind it wait too, so a large request is never
// starved; a new Acquire joins the end of the line, and TryAcquire fails
// while anyone waits (no barging). A request larger than the whole
// semaphore holds nobody up: it waits, passed over, until over-releases
// make room. A waiter whose process dies leaves the line when its
// registration runs out, about 3 seconds after its last renewal (waiters
// renew it every second); permits handed to it in that time come with a
// lease that short, so a dead waiter keeps them no longer than that. When
// a holder's lease runs out, the waiters in line get its permits at the
// latest a second later.
//
// All handles of one semaphore must be made with the same n. Layout: a
// sorted set of holder ids scored by lease expiry (server time) at the
// key, a hash of permits held at "{key}:state", grants not yet confirmed
// by their waiter at "{key}:granted", the line at "{key}:waiters" (a
// sorted set), the waiters' registrations at "{key}:waiting" (a hash),
// 16 grant streams at "{key}:grants:0" to "{key}:grants:15" on which
// waiters learn they were served, and the fencing counter at
// "{key}:fence", all in one Cluster slot. Delete forgets every holder,
// added permit and waiter (waiters rejoin the line), but keeps the fencing
// counter. A key holding anything else, such as HOT Redis's list
// semaphore, gives ErrWrongType. Semaphores cannot be used inside a
// Transaction or Optimistic (ErrInTransaction).
type Semaphore struct {
	semCore
}

// NewSemaphore returns a handle on the semaphore at key with n permits, and
// its own id. It does no I/O; an empty key makes a new unique one (see
// Key). A negative n (or one of 2^52 or more) is reported by every method.
// Options: WithClient, WithLease.
func NewSemaphore(key string, n int64, opts ...Option) *Semaphore {
	return &Semaphore{newSemCore("semaphore", key, n, false, opts)}
}

// Acquire takes one permit, blocking until one is handed over or ctx ends.
// If ctx ends first it returns ctx's error and leaves nothing behind: it
// leaves the line, and permits granted meanwhile go to the next waiters.
func (s *Semaphore) Acquire(ctx context.Context) error { return s.acquire(ctx, 1) }

// AcquireN takes n permits at once, blocking until n are handed over or
// ctx ends (then it returns ctx's error and takes none). While it waits at
// the head of the line, smaller requests behind it wait too. A request
// larger than the semaphore waits until over-releases make room, or ctx
// ends, without holding up the line.
func (s *Semaphore) AcquireN(ctx context.Context, n int64) error { return s.acquire(ctx, n) }

// TryAcquire takes one permit if one is free and nobody waits ahead, and
// reports whether it did, without waiting.
func (s *Semaphore) TryAcquire(ctx context.Context) (bool, error) { return s.tryAcquire(ctx, 1) }

// TryAcquireN takes n permits if n are free and nobody waits ahead, and
// reports whether it did, without waiting.
func (s *Semaphore) TryAcquireN(ctx context.Context, n int64) (bool, error) {
	return s.tryAcquire(ctx, n)
}

// Release returns one permit, which goes to the first waiter in line if
// any. If the handle holds none, it adds a permit to the semaphore, as
// Python's Semaphore.release does.
// It returns ErrNotHeld if the handle's lease was lost.
func (s *Semaphore) Release(ctx context.Context) error { return s.release(ctx, 1) }

// ReleaseN returns n permits, handed on to the waiters in line; those
// beyond what the handle holds are added to the semaphore. It returns ErrNotHeld, and changes nothing, if the
// handle's lease was lost.
func (s *Semaphore) ReleaseN(ctx context.Context, n int64) error { return s.release(ctx, n) }

// Available returns how many permits are free now (Python's internal
// value): n, plus permits added by over-release, minus those held.
func (s *Semaphore) Available(ctx context.Context) (int64, error) { return s.available(ctx) }

// Held returns how many permits this handle holds.
func (s *Semaphore) Held() int64 { return s.heldCount() }

// Token returns the fencing token of the handle's latest acquisition, or 0
// when it holds no permit. Tokens strictly increase across acquisitions.
func (s *Semaphore) Token() int64 { return s.token() }

// Lost returns a channel that is closed when the handle stops holding
// permits: its lease was lost, or it released them all. If the handle
// holds none, the channel is already closed.
func (s *Semaphore) Lost() <-chan struct{} { return s.lost() }

// BoundedSemaphore is a Semaphore that cannot grow: Python's
// threading.BoundedSemaphore. Releasing more permits than the handle holds
// returns ErrOverRelease and changes nothing. Everything else, leases,
// fencing tokens, fairness and layout, is as for Semaphore.
type BoundedSemaphore struct {
	semCore
}

// NewBoundedSemaphore returns a handle on the bounded semaphore at key with
// n permits, and its own id. It does no I/O; an empty key makes a new
// unique one (see Key). Options: WithClient, WithLease.
func NewBoundedSemaphore(key string, n int64, opts ...Option) *BoundedSemaphore {
	return &BoundedSemaphore{newSemCore("boundedsemaphore", key, n, true, opts)}
}

// Acquire takes one permit, blocking until one is handed over or ctx ends.
// If ctx ends first it returns ctx's error and leaves nothing behind.
func (s *BoundedSemaphore) Acquire(ctx context.Context) error { return s.acquire(ctx, 1) }

// AcquireN takes n permits at once, blocking until n are handed over or
// ctx ends; while it waits at the head of the line, smaller requests
// behind it wait too. A request larger than the semaphore waits until ctx
// ends, as in x/sync/semaphore, without holding up the line.
func (s *BoundedSemaphore) AcquireN(ctx context.Context, n int64) error { return s.acquire(ctx, n) }

// TryAcquire takes one permit if one is free and nobody waits ahead, and
// reports whether it did.
func (s *BoundedSemaphore) TryAcquire(ctx context.Context) (bool, error) {
	return s.tryAcquire(ctx, 1)
}

// TryAcquireN takes n permits if n are free and nobody waits ahead, and
// reports whether it did.
func (s *BoundedSemaphore) TryAcquireN(ctx context.Context, n int64) (bool, error) {
	return s.tryAcquire(ctx, n)
}

// Release returns one permit, which goes to the first waiter in line if
// any. It returns ErrOverRelease if the handle holds none, and ErrNotHeld
// if its lease was lost.
func (s *BoundedSemaphore) Release(ctx context.Context) error { return s.release(ctx, 1) }

// ReleaseN returns n permits: ErrOverRelease if the handle holds fewer,
// ErrNotHeld if its lease was lost; either way nothing changes.
func (s *BoundedSemaphore) ReleaseN(ctx context.Context, n int64) error { return s.release(ctx, n) }

// Available returns how many permits are free now.
func (s *BoundedSemaphore) Available(ctx context.Context) (int64, error) { return s.available(ctx) }

// Held returns how many permits this handle holds.
func (s *BoundedSemaphore) Held() int64 { return s.heldCount() }

// Token returns the fencing token of the handle's latest acquisition, or 0
// when it holds no permit.
func (s *BoundedSemaphore) Token() int64 { return s.token() }

// Lost returns a channel that is closed when the handle stops holding
// permits (lease lost, or all released); already closed if it holds none.
func (s *BoundedSemaphore) Lost() <-chan struct{} { return s.lost() }

// semCore is the shared machinery of Semaphore and BoundedSemaphore.
type semCore struct {
	object              // keys: holders, state, unconfirmed grants, then the hand-off keys
	scriptKeys []string // the KEYS of sem_lib's scripts
	renewKeys  []string // the KEYS of sem_renew
	id         string   // this handle's id
	size       int64
	bounded    bool

	op sync.Mutex // one acquire or release script of this handle at a time

	mu   sync.Mutex
	ttl  time.Duration
	held int64  // permits this handle holds
	tok  int64  // the latest fencing token
	hold *lease // the lease on held permits; nil when held is 0
	// epoch is that of the holding on the server hold keeps alive (see
	// gained); 0 when unknown.
	epoch int64
	// confirm lists the waits of this handle whose grants it has read and
	// the server has not yet been told about (the next renewal does).
	confirm []string
	// lostHeld counts permits whose lease was lost and that were not
	// released since: releasing them is ErrNotHeld, not an over-release.
	lostHeld int64
}

func newSemCore(kind, key string, n int64, bounded bool, opts []Option) semCore {
	o := collect(opts)
	obj := newObject(kind, key, o, append([]string{"state", "granted"}, handoffSuffixes...)...)
	if n < 0 || n >= maxPermits {
		obj.err = fmt.Errorf("hotredis: %s %q: size %d out of range [0, 2^52)", kind, obj.key, n)
	}
	// The fencing counter is not in the object's keys, so Delete keeps it.
	ks := append([]string{obj.keys[0], obj.keys[1], keys.Aux(obj.key, "fence"), obj.keys[3], obj.keys[4], obj.keys[2]}, obj.keys[5:]...)
	return semCore{
		object:     obj,
		scriptKeys: ks,
		renewKeys:  obj.keys[:3],
		id:         ownerID(),
		size:       n,
		bounded:    bounded,
		ttl:        leaseOf(o),
	}
}

func (s *semCore) check(ctx context.Context, op string, n int64) error {
	if s.err != nil {
		return s.err
	}
	if txFrom(ctx) != nil {
		return fmt.Errorf("hotredis: %s %q: %s: %w", s.kind, s.key, op, ErrInTransaction)
	}
	if n < 0 || n >= maxPermits {
		return fmt.Errorf("hotredis: %s %q: %s(%d): count out of range [0, 2^52)", s.kind, s.key, op, n)
	}
	return ctx.Err()
}

func (s *semCore) leaseTTL() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ttl
}

func (s *semCore) acquire(ctx context.Context, n int64) error {
	if err := s.check(ctx, "Acquire", n); err != nil || n == 0 {
		return err
	}
	w := &wait{id: ownerID()}
	for {
		w.since = time.Now()
		ok, left, err := s.try(ctx, n, w)
		if ok {
			return nil
		}
		var token, epoch int64
		var expires time.Time
		if err == nil {
			token, epoch, expires, err = s.awaitGrant(ctx, w, waitFor(left))
		}
		if err != nil {
			s.cancelWait(ctx, w)
			return err
		}
		if token > 0 && time.Now().Before(expires) {
			s.op.Lock()
			s.gained(n, token, epoch, expires, w.id)
			s.op.Unlock()
			return nil
		}
		// No grant yet, or one read too late to be sure its lease still
		// runs: the next attempt confirms it if it is still this wait's.
	}
}

// cancelWait takes w out of the line after its Acquire failed, and gives
// back permits granted to w meanwhile. It runs even though ctx has ended;
// if it fails too, the registration runs out by itself.
func (s *semCore) cancelWait(ctx context.Context, w *wait) {
	if w.stream == "" {
		return // never joined the line
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), waiterExpiry)
	defer cancel()
	_, _ = s.eval(bg, scriptSemCancel, true, s.scriptKeys, s.args(w.id)...)
}

// args are the ARGV of a sem_lib script: the common ones, then more.
func (s *semCore) args(more ...string) []string {
	return append(append(handoffArgs[:2:2], s.sizeArg()), more...)
}

func (s *semCore) tryAcquire(ctx context.Context, n int64) (bool, error) {
	if err := s.check(ctx, "TryAcquire", n); err != nil || n == 0 {
		return err == nil, err
	}
	ok, _, err := s.try(ctx, n, nil)
	return ok, err
}

func (s *semCore) sizeArg() string { return strconv.FormatInt(s.size, 10) }

// try runs one attempt, whatever ctx's state, as the wait w (nil: do not
// wait; otherwise w joins the line or renews its place, and learns its
// grant stream). When the permits are not free it returns how long until
// the earliest lease runs out (negative: no lease to wait for).
func (s *semCore) try(ctx context.Context, n int64, w *wait) (ok bool, left time.Duration, err error) {
	s.op.Lock()
	defer s.op.Unlock()
	wid := ""
	if w != nil {
		wid = w.id
	}
	ttl := s.leaseTTL()
	start := time.Now()
	// Not cancelled half-way: the permits could be taken without the
	// handle knowing it holds them.
	arr, err := asArray(s.eval(context.WithoutCancel(ctx), scriptSemAcquire, true, s.scriptKeys,
		s.args(s.id, strconv.FormatInt(n, 10), ms(ttl), wid)...))
	if err != nil {
		return false, 0, err
	}
	if len(arr) < 2 {
		return false, 0, fmt.Errorf("hotredis: %s %q: %w", s.kind, s.key, errReply)
	}
	if r, _ := arr[0].(int64); r == 0 {
		wait, _ := arr[1].(int64)
		if w != nil {
			if err := s.parseWait(arr, w, s.scriptKeys[6:]); err != nil {
				return false, 0, err
			}
		}
		return false, time.Duration(wait) * time.Millisecond, nil
	}
	token, _ := arr[1].(int64)
	var epoch int64
	if len(arr) > 2 {
		epoch, _ = arr[2].(int64)
	}
	s.gained(n, token, epoch, start.Add(ttl), "")
	return true, 0, nil
}

// gained records n permits taken with token, whose lease on the server
// lasts until at least expires, and starts the watchdog if it is not
// running; wid names a grant read from a stream, which the watchdog
// confirms at once. epoch is that of the handle's holding on the server
// after the take: when it is newer than the one the handle's lease keeps
// alive, that holding ran out on the server (a long pause, failed
// renewals) before the watchdog noticed, and the permits counted under it
// are lost: the lease ends as lost and a new one begins with these n. (An
// older epoch, a grant read after a newer holding began, means these n
// were lost already.) The caller holds s.op.
func (s *semCore) gained(n, token, epoch int64, expires time.Time, wid string) {
	s.mu.Lock()
	if old := s.hold; old != nil && epoch != 0 && s.epoch != 0 && epoch != s.epoch {
		if epoch < s.epoch {
			s.lostHeld += n
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.endHold(old, true)
		s.mu.Lock()
	}
	if s.hold == nil {
		s.epoch = epoch
	}
	s.held += n
	s.tok = token
	if wid != "" {
		s.confirm = append(s.confirm, wid)
	}
	le := s.hold
	fresh := le == nil
	if fresh {
		le = newLease(token)
		s.hold = le
	}
	s.mu.Unlock()
	switch {
	case fresh:
		le.keepAlive(s.leaseTTL, expires, s.renew,
			func() {
				// After a release in flight: a renewal that crossed it finds
				// the permits gone, but they were released, not lost.
				s.op.Lock()
				defer s.op.Unlock()
				s.endHold(le, true)
			})
	case wid != "":
		le.renewNow()
	}
}

// renew is the watchdog's renewal to a lease of ttl, which also confirms
// the grants read.
func (s *semCore) renew(ctx context.Context, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	wids := slices.Clone(s.confirm)
	s.mu.Unlock()
	r, err := asInt(s.eval(ctx, scriptSemRenew, true, s.renewKeys, append([]string{s.id, ms(ttl)}, wids...)...))
	if err == nil && len(wids) > 0 {
		s.mu.Lock()
		s.confirm = slices.DeleteFunc(s.confirm, func(id string) bool { return slices.Contains(wids, id) })
		s.mu.Unlock()
	}
	return r == 1, err
}

// endHold forgets le and the permits under it, if it is still current;
// lost says they were lost rather than released.
func (s *semCore) endHold(le *lease, lost bool) {
	s.mu.Lock()
	if s.hold == le {
		if lost {
			s.lostHeld += s.held
		}
		s.hold, s.held, s.tok, s.confirm, s.epoch = nil, 0, 0, nil, 0
	}
	s.mu.Unlock()
	le.end()
}

func (s *semCore) release(ctx context.Context, n int64) error {
	if err := s.check(ctx, "Release", n); err != nil || n == 0 {
		return err
	}
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	if s.lostHeld > 0 {
		k := min(s.lostHeld, n)
		s.lostHeld -= k
		s.mu.Unlock()
		return fmt.Errorf("hotredis: %s %q: Release(%d): the lease on %d of them was lost: %w", s.kind, s.key, n, k, ErrNotHeld)
	}
	fromLease := min(s.held, n)
	le := s.hold
	s.mu.Unlock()
	over := n - fromLease
	if over > 0 && s.bounded {
		return fmt.Errorf("hotredis: %s %q: Release(%d) with %d held: %w", s.kind, s.key, n, fromLease, ErrOverRelease)
	}
	_, err := s.eval(context.WithoutCancel(ctx), scriptSemRelease, true, s.scriptKeys,
		s.args(s.id, strconv.FormatInt(fromLease, 10), strconv.FormatInt(over, 10))...)
	if errors.Is(err, ErrNotHeld) && le != nil {
		s.endHold(le, true)
		s.mu.Lock()
		s.lostHeld = max(0, s.lostHeld-fromLease)
		s.mu.Unlock()
		return err
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.held -= fromLease
	done := s.held == 0 && le != nil && s.hold == le
	s.mu.Unlock()
	if done {
		s.endHold(le, false)
	}
	return nil
}

func (s *semCore) available(ctx context.Context) (int64, error) {
	if s.err != nil {
		return 0, s.err
	}
	return asInt(s.eval(ctx, scriptSemValue, false, s.keys[:2], s.sizeArg()))
}

func (s *semCore) heldCount() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

func (s *semCore) token() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tok
}

func (s *semCore) lost() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		return s.hold.done
	}
	return closedChan
}
