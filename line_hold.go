package hotredis

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// The holding side of the line-and-lease engine (see line.go): what a
// handle holds, its lease's renewal, and how a holding ends.

// acquired records n taken with token, whose lease on the server lasts
// until at least expires, and starts the watchdog if it is not running;
// wid names a grant read from a stream, which the watchdog confirms at
// once; handedOff says that a release handed these n over (read from a
// stream, or confirmed by an attempt that missed the announcement). epoch is that of the handle's holding on the server after the
// take: when it differs from the one the handle's lease keeps alive, that
// holding ran out on the server (a long pause, failed renewals) before the
// watchdog noticed: it ends as lost and a new one begins with these n. (An
// older epoch, a grant read after a newer holding began, means these n
// were lost already.) The caller holds l.op.
func (l *line) acquired(ctx context.Context, n, token, epoch int64, expires time.Time, wid string, handedOff bool) {
	l.mu.Lock()
	if old := l.hold; old != nil && epoch != l.epoch {
		if epoch < l.epoch {
			l.lostHeld += n
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		l.endHold(ctx, old, true)
		l.mu.Lock()
	}
	if l.hold == nil {
		l.epoch = epoch
	}
	l.held += n
	l.tok = token
	l.stale = false
	l.quickHeld = false // (try sets it for a take by quickAcquire)
	if wid != "" && l.kind.permits {
		l.confirm = append(l.confirm, wid)
	}
	le := l.hold
	fresh := le == nil
	if l.watch.lost == nil {
		l.watch = l.watchdog()
	}
	watch := l.watch
	if fresh {
		le = newLease(token)
		if observing.Load() {
			le.since = time.Now()
		}
		l.hold = le
	}
	l.mu.Unlock()
	switch {
	case fresh:
		if handedOff {
			l.leaseEvent(ctx, LeaseHandedOff, le)
		} else {
			l.leaseEvent(ctx, LeaseAcquired, le)
		}
		le.keepAlive(watch.ttl, expires, watch.renew, watch.lost)
	case wid != "":
		le.renewNow()
	}
}

// watchdog is what every lease of l's holdings is kept alive with: made
// once (on l's first hold, when l has its final address), not per hold.
type watchdog struct {
	ttl   func() time.Duration
	renew func(ctx context.Context, ttl time.Duration) (bool, error)
	lost  func(*lease)
}

func (l *line) watchdog() watchdog {
	return watchdog{ttl: l.leaseTTL, renew: l.renew, lost: func(le *lease) {
		// After a release in flight: a renewal that crossed it finds
		// the holding gone, but it was released, not lost (l.op tells).
		// While another call of the handle holds l.op (up to the
		// connection timeout with the server stalled), Lost's channel
		// closes at once, before the handle is tidied and the event told.
		if !l.op.TryLock() {
			le.end()
			l.op.Lock()
		}
		defer l.op.Unlock()
		l.endHold(watchdogCtx, le, true)
	}}
}

// renew is the watchdog's renewal to a lease of ttl, which also confirms
// the grants read. It also asks whether the server counts more for the
// handle's id than the handle holds: holds or permits revived by a
// restart from a snapshot, or by a failover to a replica that missed a
// release, that the renewals would otherwise keep for as long as the
// handle holds anything; trim then drops them. It also asks whether the
// server counts fewer (permits, or an RLock's re-entries, taken after the
// snapshot a restart came back from: others may hold those permits now,
// and the RLock's releases would free it while the handle still counted
// it held): trim then ends the holding as lost.
func (l *line) renew(ctx context.Context, ttl time.Duration) (bool, error) {
	r, err := l.renewCounting(ctx, ttl, false)
	if err == nil && r >= 2 {
		r, err = l.trim(ctx, ttl)
	}
	if err == nil && r == 1 && observing.Load() {
		l.mu.Lock()
		le := l.hold
		l.mu.Unlock()
		l.leaseEvent(ctx, LeaseRenewed, le)
	}
	return r == 1, err
}

// renewCounting runs the renew script with the handle's count (quickRenew
// first, when the kind has one and it may decide); drop asks it to drop
// what the server counts beyond that count, for which the caller holds
// l.op (see trim).
func (l *line) renewCounting(ctx context.Context, ttl time.Duration, drop bool) (int64, error) {
	l.mu.Lock()
	wids := slices.Clone(l.confirm)
	count := l.held
	l.mu.Unlock()
	d := "0"
	if drop {
		d = "1"
	}
	args := l.args(append([]string{l.id, ms(ttl), strconv.FormatInt(count, 10), d}, wids...)...)
	if l.kind.quickRenew != nil && len(wids) == 0 && !drop {
		if r, err := asInt(l.script(ctx, l.kind.quickRenew, l.ks[:l.kind.renewKeys], args...)); err != nil || r >= 0 {
			return r, err
		}
	}
	ks := l.ks
	if l.kind.quickRenew == nil {
		ks = l.ks[:l.kind.renewKeys] // (a lock's renew names only the holding)
	}
	r, err := asInt(l.script(ctx, l.kind.renew, ks, args...))
	if err == nil && len(wids) > 0 {
		l.mu.Lock()
		l.confirm = slices.DeleteFunc(l.confirm, func(id string) bool { return slices.Contains(wids, id) })
		l.mu.Unlock()
	}
	return r, err
}

// quietAfter is how long after the handle's last clean-up began (see
// troubled) none of it may still change what the server counts for the
// handle: a detached attempt's reply, then the undo it starts, each
// bounded by backgroundTimeout.
const quietAfter = backgroundTimeout + staleMargin

// troubled notes that a clean-up of the handle (an undo, a cancel, an
// attempt whose caller left) may still change what the server counts for
// it: until quietAfter has passed, trim keeps away.
func (l *line) troubled() {
	l.mu.Lock()
	l.troubleAt = time.Now()
	l.mu.Unlock()
}

// trim drops what the server counts for the handle's id beyond what the
// handle holds, when it can be sure that nothing else can change either
// count meanwhile: no other call of the handle runs (l.op), and no
// clean-up of one is under way (quietAfter). Permits granted to the
// handle's waits and not yet confirmed count as the handle's. Otherwise
// the next renewal asks again.
// (The server counts fewer than the handle holds for a moment while a
// release's reply is on its way: only a count read under l.op says.) It
// returns the renewal's reply: 1 when renewed (also when it could not
// look: the next renewal asks again), 0 when the holding is lost.
func (l *line) trim(ctx context.Context, ttl time.Duration) (int64, error) {
	if !l.op.TryLock() {
		return 1, nil
	}
	defer l.op.Unlock()
	l.mu.Lock()
	quiet := l.hold != nil && time.Since(l.troubleAt) >= quietAfter
	l.mu.Unlock()
	if !quiet {
		return 1, nil
	}
	r, err := l.renewCounting(ctx, ttl, true)
	if err != nil || r == 0 {
		return r, err
	}
	return 1, nil
}

// endHold forgets le and what it held, if it is still current; lost says
// it was lost rather than released.
func (l *line) endHold(ctx context.Context, le *lease, lost bool) {
	if le == nil {
		return
	}
	l.mu.Lock()
	current := l.hold == le
	if current {
		if lost && l.kind.permits {
			l.lostHeld += l.held
		}
		if lost && !l.kind.permits {
			l.stale = true
		}
		l.hold, l.held, l.tok, l.confirm, l.epoch = nil, 0, 0, nil, 0
	}
	l.mu.Unlock()
	if current {
		if lost {
			l.leaseEvent(ctx, LeaseLost, le)
		} else {
			l.leaseEvent(ctx, LeaseReleased, le)
		}
	}
	le.end()
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
		return l.hold.doneChan()
	}
	return closedChan
}
