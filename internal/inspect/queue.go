package inspect

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/keys"
)

// maxTakes bounds the take registrations examined per queue.
const maxTakes = 1000

// queue reads a queue (queue_engine.go): the list, the unfinished count,
// the registered takes (sorted set {key}:reserved: take id -> deadline,
// ms), each with its list of items ({key}:reserved:<id>) or, while a
// blocking take moves one, its parking list ({key}:parked:<id>); a
// registration with neither is a take blocked waiting for an item. Puts
// waiting for room renew {key}:putwait (a list of wake-ups owed, not of
// puts) while they wait.
func (r *reader) queue(ctx context.Context, o *Object, p *probe) error {
	k := p.key
	aux := func(s string) string { return keys.Aux(k, s) }
	q := &Queue{Reservations: []Reservation{}}
	o.Queue = q
	var (
		n, setLen, nTakes, puts *redis.IntCmd // puts: EXISTS putwait
		head                    *redis.StringSliceCmd
		unfinished              *redis.StringCmd
		takes                   *redis.ZSliceCmd
	)
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		n, head = pp.LLen(ctx, k), pp.LRange(ctx, k, 0, 4)
		unfinished = pp.Get(ctx, aux("unfinished"))
		if o.Kind == KindSetQueue {
			setLen = pp.SCard(ctx, k+setSuffix)
		}
		nTakes, takes = pp.ZCard(ctx, aux("reserved")), pp.ZRangeWithScores(ctx, aux("reserved"), 0, maxTakes-1)
		puts = pp.Exists(ctx, aux("putwait"))
	})
	if err != nil {
		return err
	}
	q.Len, q.Head = n.Val(), clip(head.Val())
	q.Unfinished = r.num("the unfinished tasks", unfinished.Val())
	if setLen != nil {
		v := setLen.Val()
		q.SetLen = &v
	}
	q.PutsWaiting = puts.Val() > 0
	q.MoreTakes = nTakes.Val() - int64(len(takes.Val()))

	// EXISTS and OBJECT IDLETIME leave a key's idle time as it is: a
	// reservation's list is written once, when it is taken, so its idle
	// time is its age.
	zs := takes.Val()
	type look struct {
		items, parked *redis.IntCmd
		idle          *redis.DurationCmd
	}
	ls := make([]look, len(zs))
	err = pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		for i, z := range zs {
			id := z.Member.(string)
			ls[i].items = pp.Exists(ctx, aux("reserved:"+id))
			ls[i].parked = pp.Exists(ctx, aux("parked:"+id))
			ls[i].idle = pp.ObjectIdleTime(ctx, aux("reserved:"+id))
		}
	})
	if err != nil {
		return err
	}
	for i, z := range zs {
		left := r.until(z.Score)
		switch {
		case ls[i].items.Val() > 0:
			res := Reservation{ID: z.Member.(string), VisibilityLeft: ms(left)}
			if d, err := ls[i].idle.Result(); err == nil {
				res.Age = msp(d.Milliseconds())
				if q.OldestAge == nil || d > q.OldestAge.D() {
					q.OldestAge = res.Age
				}
			}
			if q.ReservationCount++; int64(len(q.Reservations)) < r.limit {
				q.Reservations = append(q.Reservations, res)
			}
		case left <= 0:
			q.ExpiredTakes++
		case ls[i].parked.Val() == 0:
			q.WaitingTakers++
		}
	}
	o.Notes = append(o.Notes, "FIFO or LIFO is not stored (it is the handles'), nor are callers waiting in Join")
	return nil
}

// clip shortens long sample values for display.
func clip(ss []string) []string {
	const max = 80
	for i, s := range ss {
		if len(s) > max {
			ss[i] = s[:max] + "…"
		}
	}
	return ss
}
