package hotredis

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// The wake-up engine of the types whose callers wait for a change that
// others make (WaitGroup, Once, Event, Barrier). A change is announced on
// the object's wake stream (wake_lib's wake); a waiter reads the state
// and the stream's last entry id in one script, and when it must wait it
// blocks in XREAD after that id: an announcement made after its read
// wakes it at once, whichever process makes it, and none is missed
// between the read and the wait. Members that must not outlive their
// process (a WaitGroup's Go, a Once's runner, a Barrier's waiter) hold a
// lease in a sorted set, renewed by the lease watchdog (lease.go), so
// that a dead one is noticed once its lease runs out.

// streamEntry is one entry of a wake stream.
type streamEntry struct {
	id     string
	fields map[string]string
}

// awaitEntries blocks in XREAD on stream after the entry id last until
// entries come (returned, with the id of the last of them), d passes (no
// entries, last unchanged), or ctx ends (ctx's error, unwrapped). d is cut
// to maxBlock and to ctx's deadline.
func (o *object) awaitEntries(ctx context.Context, op, stream, last string, d time.Duration) ([]streamEntry, string, error) {
	if d < time.Millisecond {
		return nil, last, nil
	}
	rs, err := o.wait(ctx, op, func(max time.Duration) []backend.Cmd {
		return []backend.Cmd{{
			Name:     []string{"XREAD", "COUNT", "32", "BLOCK", strconv.FormatInt(max1ms(min(d, max)), 10), "STREAMS"},
			Keys:     []string{stream},
			Args:     []string{last},
			Blocking: true,
		}}
	}, nil)
	if err != nil {
		return nil, last, err
	}
	if rs[0].Err != nil || rs[0].Val == nil {
		return nil, last, rs[0].Err
	}
	var out []streamEntry
	for _, e := range streamEntries(rs[0].Val) {
		id, fields := entry(e)
		if id == "" {
			return nil, last, o.fail(op, fmt.Errorf("%w: XREAD entry %v", errReply, e))
		}
		last = id
		out = append(out, streamEntry{id: id, fields: fields})
	}
	return out, last, nil
}

func max1ms(d time.Duration) int64 { return max(1, d.Milliseconds()) }

// keepMember starts the watchdog of a member (of a sorted set of
// members) whose lease of ttl began at start, and returns its lease: end
// stops the watchdog (the member's lease on the server is left to the
// caller's script). renew renews it on the server, reporting false when
// the member is gone (counted dead); lost is called, once, when the lease
// is found gone or could not be renewed in time.
func keepMember(ttl time.Duration, start time.Time, renew func(ctx context.Context, ttl time.Duration) (bool, error), lost func()) *lease {
	le := newLease(0)
	le.keepAlive(func() time.Duration { return ttl }, start.Add(ttl), renew, func(le *lease) {
		le.end()
		if lost != nil {
			lost()
		}
	})
	return le
}

// ctxFail returns ctx's error, unwrapped, when err is due to ctx's end,
// and err naming the object and op otherwise (a lost connection without
// ErrUnknownOutcome: the callers undo what a lost reply may have done, see
// undone).
func (o *object) ctxFail(ctx context.Context, op string, err error) error {
	if cerr := ctxEnded(ctx, err); cerr != nil {
		return cerr
	}
	return o.fail(op, undone(err))
}
