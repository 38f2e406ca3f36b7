package inspect

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/keys"
)

// line reads a lock's or semaphore's holding and line (the layout of the
// line-and-lease engine, internal/lua/line_lib.lua): a Lock's hash
// {owner, count, fence, wid, r} expiring with its lease, or a Semaphore's
// holders (sorted set: id -> lease expiry, ms) and state (hash: id ->
// permits, id@ -> epoch, id#a -> latest takes, #used, #extra); the line
// (sorted set: wait id -> ticket) and registrations (hash: wait id ->
// "expiry lease owner [n]", wait id#t -> arrival, ms).
func (r *reader) line(ctx context.Context, o *Object, p *probe) error {
	k := p.key
	aux := func(s string) string { return keys.Aux(k, s) }
	sem := o.Kind == KindSemaphore || p.typ == "zset"
	l := &Line{Holders: []Holder{}, Waiters: []Waiter{}}
	o.Line = l

	var (
		fence          *redis.StringCmd
		nWait, nHold   *redis.IntCmd
		waits, holders *redis.ZSliceCmd
		lock, granted  *redis.MapStringStringCmd
		totals         *redis.SliceCmd
	)
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		fence = pp.Get(ctx, aux("fence"))
		nWait, waits = pp.ZCard(ctx, aux("waiters")), pp.ZRangeWithScores(ctx, aux("waiters"), 0, r.limit-1)
		if p.typ == "hash" {
			lock = pp.HGetAll(ctx, k)
		}
		if sem {
			nHold, holders = pp.ZCard(ctx, k), pp.ZRangeWithScores(ctx, k, 0, r.limit-1)
			totals = pp.HMGet(ctx, aux("state"), "#used", "#extra")
			granted = pp.HGetAll(ctx, aux("granted"))
		}
	})
	if err != nil {
		return err
	}
	l.LastToken = r.num("the fencing counter", fence.Val())

	// The registrations of the waiters listed, and the permits and epochs
	// of the holders listed.
	var wids, ids []string
	for _, z := range waits.Val() {
		wids = append(wids, z.Member.(string))
	}
	if sem {
		for _, z := range holders.Val() {
			ids = append(ids, z.Member.(string))
		}
	}
	var regs, perms *redis.SliceCmd
	err = pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		if len(wids) > 0 {
			fs := make([]string, 0, 2*len(wids))
			for _, w := range wids {
				fs = append(fs, w, w+"#t")
			}
			regs = pp.HMGet(ctx, aux("waiting"), fs...)
		}
		if len(ids) > 0 {
			fs := make([]string, 0, 2*len(ids))
			for _, id := range ids {
				fs = append(fs, id, id+"@")
			}
			perms = pp.HMGet(ctx, aux("state"), fs...)
		}
	})
	if err != nil {
		return err
	}

	if lock != nil && len(lock.Val()) > 0 {
		l.Holders = append(l.Holders, r.lockHolder(lock.Val(), p.pttl))
	}
	if sem {
		l.Holders = append(l.Holders, r.semHolders(holders.Val(), ids, vals(perms, 2*len(ids)), granted.Val())...)
		l.MoreHolders = nHold.Val() - int64(len(ids))
		t := vals(totals, 2) // (empty when refused: a wrong type, an ACL)
		l.PermitsHeld, l.PermitsAdded = r.num("the permits held", t[0]), r.num("the permits added", t[1])
	}
	for _, h := range l.Holders {
		l.Held = l.Held || !h.Expired
	}
	rv := vals(regs, 2*len(wids))
	for i, wid := range wids {
		l.Waiters = append(l.Waiters, r.waiter(i+1, wid, rv[2*i], rv[2*i+1]))
	}
	l.MoreWaiters = nWait.Val() - int64(len(wids))
	settleKind(o, sem)
	return nil
}

// lockHolder reads a Lock's hash, whose expiry (pttl, ms) is the lease.
func (r *reader) lockHolder(h map[string]string, pttl int64) Holder {
	hd := Holder{Who: ParseWho(h["owner"])}
	hd.Holds = r.num("the holds", h["count"])
	hd.Token = r.num("the holder's token", h["fence"])
	hd.HeldFor = r.heldFor(hd.Token)
	if pttl >= 0 {
		hd.LeaseLeft = msp(pttl)
	}
	return hd
}

// semHolders reads a Semaphore's holders (zs: id -> lease expiry) with
// their permits and epochs (pe: HMGET of id, id@ for each of ids) and the
// grants not yet confirmed (wait id -> "n owner token when").
func (r *reader) semHolders(zs []redis.Z, ids []string, pe []any, granted map[string]string) []Holder {
	unconfirmed := map[string]bool{}
	for _, g := range granted {
		if f := strings.Fields(g); len(f) >= 2 {
			unconfirmed[f[1]] = true
		}
	}
	var hs []Holder
	for i, z := range zs {
		hd := Holder{Who: ParseWho(ids[i]), Unconfirmed: unconfirmed[ids[i]]}
		left := r.until(z.Score)
		hd.LeaseLeft, hd.Expired = msp(left), left <= 0
		hd.Permits, hd.Token = r.num("a holder's permits", pe[2*i]), r.num("a holder's token", pe[2*i+1])
		hd.HeldFor = r.heldFor(hd.Token)
		hs = append(hs, hd)
	}
	return hs
}

// waiter reads the wait wid, at position pos, from its registration
// ("expiry lease owner [n]") and arrival time (ms), either nil.
func (r *reader) waiter(pos int, wid string, reg, arrival any) Waiter {
	w := Waiter{Position: pos, WaitID: wid}
	if t := r.num("a waiter's arrival", arrival); t > 0 {
		w.Waited = msp(max(0, r.nowMS-t))
	}
	s, _ := reg.(string)
	f := strings.Fields(s)
	if len(f) < 3 {
		w.Gone = true // its registration ran out and went
		return w
	}
	exp := r.real("a registration's expiry", f[0])
	w.Who, w.Lease = ParseWho(f[2]), ms(r.num("a waiter's lease", f[1]))
	left := r.until(exp)
	w.RegistrationLeft, w.Gone = ms(left), left < 0
	if len(f) >= 4 {
		w.Permits = r.num("a waiter's permits", f[3])
	}
	return w
}

// settleKind tells an RWLock from a semaphore by what its holders and
// waiters take (a writer takes all 2^50 permits), and says what the
// layout leaves open.
func settleKind(o *Object, sem bool) {
	l, rw := o.Line, false
	for _, h := range l.Holders {
		rw = rw || h.Permits >= rwPermits
	}
	for _, w := range l.Waiters {
		rw = rw || w.Permits >= rwPermits
	}
	switch {
	case rw:
		o.Kind, o.Types = KindRWLock, []string{"RWLock"}
		for i := range l.Holders {
			l.Holders[i].Role = role(l.Holders[i].Permits)
		}
		for i := range l.Waiters {
			l.Waiters[i].Role = role(l.Waiters[i].Permits)
		}
		return
	case sem && len(l.Holders) > 0 && allOne(l.Holders):
		o.Notes = append(o.Notes, "an RWLock held by readers looks the same: each reader holds 1 of its 2^50 permits")
	}
	if sem {
		o.Notes = append(o.Notes, "a semaphore's size is not stored (it is the handles'): free permits are unknown")
	}
}

func role(permits int64) string {
	if permits >= rwPermits {
		return "writer"
	}
	return "reader"
}

func allOne(hs []Holder) bool {
	for _, h := range hs {
		if h.Permits != 1 {
			return false
		}
	}
	return true
}

// vals returns the reply of an HMGET (nil when not sent or refused),
// padded with nils to n values.
func vals(c *redis.SliceCmd, n int) []any {
	var v []any
	if c != nil {
		v = c.Val()
	}
	for len(v) < n {
		v = append(v, nil)
	}
	return v
}

// num reads an integer stored as text (v: a string, or nil when missing):
// 0 when missing, and when it is no int64 (ParseInt would give ±MaxInt64
// for one too big, which reads as a writer's 2^50 permits or a real
// count); such a value is noted as what (see noteUnreadable), so that its
// 0 is not taken for a fact.
func (r *reader) num(what string, v any) int64 {
	s, _ := v.(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.unread(what, s)
		return 0
	}
	return n
}

// real is num for a number with a fraction (times in ms or µs).
func (r *reader) real(what, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		r.unread(what, s)
		return 0
	}
	return f
}

// unread notes that what holds s, which is not a number (nothing when s
// is empty: a missing field).
func (r *reader) unread(what, s string) {
	if s != "" {
		r.unreadable = append(r.unreadable, what+" "+strconv.Quote(clip1(s)))
	}
}

// noteUnreadable adds to o's notes the stored numbers that are none.
func (r *reader) noteUnreadable(o *Object) {
	if len(r.unreadable) > 0 {
		o.Notes = append(o.Notes, "not numbers, shown as 0: "+strings.Join(r.unreadable, ", "))
	}
}

// until is the time in ms from now to t (ms of server time, as a sorted
// set's score or a registration holds it), saturated: an infinite, NaN or
// out-of-range t from a damaged key must not wrap around into a lease
// with years left (-inf, NaN: long past; +inf: far ahead).
func (r *reader) until(t float64) int64 {
	const lim = 1 << 62
	switch {
	case math.IsNaN(t) || t <= -lim:
		return -lim
	case t >= lim:
		return lim
	}
	return int64(t) - r.nowMS
}
