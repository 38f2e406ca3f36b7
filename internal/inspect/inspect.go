package inspect

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Inspector reads objects through a go-redis client.
type Inspector struct {
	Client redis.UniversalClient
	// Limit is how many holders, waiters, members and reservations are
	// listed per object (the rest are counted); 0 means 20.
	Limit int
}

func (in *Inspector) limit() int64 {
	if in.Limit <= 0 {
		return 20
	}
	return int64(in.Limit)
}

// Inspect recognizes what lives at key and reads its state. Nothing at
// the key or beside it is Kind KindNone, not an error; errors are those
// of the connection.
func (in *Inspector) Inspect(ctx context.Context, key string) (*Object, error) {
	now, err := serverTime(ctx, in.Client, key)
	if err != nil {
		return nil, err
	}
	ps, err := in.probe(ctx, []string{key})
	if err != nil {
		return nil, err
	}
	r := &reader{rdb: in.Client, limit: in.limit(), nowUS: now.UnixMicro(), nowMS: now.UnixMilli()}
	p := ps[0]
	o := recognize(p, r.nowUS)
	var detail func(context.Context, *Object, *probe) error
	switch o.Kind {
	case KindLock, KindSemaphore, KindRWLock, KindLine:
		detail = r.line
	case KindQueue, KindSetQueue:
		detail = r.queue
	case KindWaitGroup:
		detail = r.waitGroup
	case KindBarrier:
		detail = r.barrier
	case KindOnce:
		detail = r.once
	case KindEvent:
		o.Event = &Event{Set: p.typ == "string"}
	case KindLimiter:
		o.Limiter = r.limiter(p)
	case KindNone:
		return o, nil
	default:
		detail = r.value
	}
	defer r.noteUnreadable(o)
	if detail != nil {
		if err := detail(ctx, o, p); err != nil {
			return nil, err
		}
	}
	if err := r.memory(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// reader reads the details of one object at one server time.
type reader struct {
	rdb          redis.UniversalClient
	limit        int64
	nowUS, nowMS int64
	unreadable   []string // stored numbers that are none, shown as 0 (see num)
}

// serverTime reads the clock of the server that holds key: leases and
// deadlines are in its time.
func serverTime(ctx context.Context, rdb redis.UniversalClient, key string) (time.Time, error) {
	if c, ok := rdb.(*redis.ClusterClient); ok {
		n, err := c.MasterForKey(ctx, key)
		if err != nil {
			return time.Time{}, err
		}
		return n.Time(ctx).Result()
	}
	return rdb.Time(ctx).Result()
}

// pipe runs the commands fill queues, in one round trip. Error replies
// (a missing key, a command the user may not run) stay on their commands
// for the caller to read as "unknown"; any other error is returned.
func pipe(ctx context.Context, rdb redis.UniversalClient, fill func(p redis.Pipeliner)) error {
	p := rdb.Pipeline()
	fill(p)
	if p.Len() == 0 {
		return nil
	}
	cmds, _ := p.Exec(ctx)
	for _, c := range cmds {
		if err := c.Err(); err != nil && !isReply(err) {
			return err
		}
	}
	return nil
}

func isReply(err error) bool {
	var e redis.Error
	return errors.As(err, &e)
}

// heldFor reads how long ago a holding with token began: a token is the
// server's time in µs when it was drawn, unless tokens were drawn faster
// than the clock ticks (then it is a little ahead) or from a counter
// (then it is not a time at all: nil).
func (r *reader) heldFor(token int64) *Millis {
	const year = 365 * 24 * 3600 * 1e6
	if token < r.nowUS-10*year || token > r.nowUS+60e6 {
		return nil
	}
	return msp(max(0, r.nowUS-token) / 1000)
}

// memory sums MEMORY USAGE over the object's keys (left 0 when the
// server refuses it).
func (r *reader) memory(ctx context.Context, o *Object) error {
	cmds := make([]*redis.IntCmd, len(o.Keys))
	err := pipe(ctx, r.rdb, func(p redis.Pipeliner) {
		for i, k := range o.Keys {
			cmds[i] = p.MemoryUsage(ctx, k)
		}
	})
	for _, c := range cmds {
		o.Memory += c.Val()
	}
	return err
}
