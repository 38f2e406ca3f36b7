package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// The hand-off machinery of locks and semaphores. Waiters stand in a line
// kept on the server (a sorted set of wait ids by arrival, and a hash of
// registrations that expire unless renewed). A release hands what it frees
// to the first live waiters in line in the same script, and announces each
// grant on the waiter's grant stream; the waiter, blocked in XREAD on that
// stream, returns already holding the lock: a hand-off costs the release's
// round trip plus the delivery of the XREAD reply, about one round trip.
// The release is sent Direct (see script.handsOff): on an otherwise idle
// client, from the caller's goroutine on a connection of its own, rather
// than through the shared pipeline, whose writer goroutine would have to
// be woken first.
//
// Grant streams rather than a wake list per waiter: a script may only
// touch keys its caller names in KEYS (SPEC: Cluster, proxies), and the
// releaser cannot know the next waiter's key. So each object has
// grantStreams streams, all named in KEYS, and a grant wakes only the
// waiters of one stream: waiter number t (its arrival ticket) reads stream
// t mod grantStreams, and the waiters in line hold consecutive tickets, so
// in a line of up to grantStreams waiters only the grantee wakes.
//
// A grant cannot be confirmed by reading it (XREAD does not consume), so
// it comes with a lease no longer than the waiter's registration has left
// (at least grantFloor); the grantee's watchdog renews it at once to the
// full lease. A waiter whose process died keeps a grant no longer than that,
// and a dead waiter not yet served is skipped once its registration
// expires (waiterExpiry after its last renewal). For the same reason a
// grant stays readable after its lease ran out: a waiter accepts one only
// while it is sure the lease still runs (the grant says when it ends in
// server time, measured from the waiter's last attempt), and otherwise
// asks the server, whose next attempt confirms the grant if it is still
// the waiter's.

// grantStreams is how many grant streams an object has: more wake fewer
// waiters in vain when the line is long (every needless wake-up is an XREAD
// reply and a new XREAD), fewer make every script call shorter (all are
// named in KEYS).
const grantStreams = 16

// waiterExpiry is how long a waiter's registration lasts unless renewed.
// A live waiter renews it at every attempt, at least every maxBlock.
const waiterExpiry = 3 * maxBlock

// grantFloor is the shortest lease of a grant to another waiter: time
// enough for a live waiter to read the grant and renew it.
const grantFloor = maxBlock

// handoffSuffixes are the suffixes of an object's hand-off keys (see
// keys.Aux): the line, the registrations and the grant streams, in the
// order the scripts take them.
var handoffSuffixes = func() []string {
	s := []string{"waiters", "waiting"}
	for i := range grantStreams {
		s = append(s, "grants:"+strconv.Itoa(i))
	}
	return s
}()

// handoffArgs are the ARGV every script of the line starts with.
var handoffArgs = []string{ms(waiterExpiry), ms(grantFloor)}

// wait is a registered waiter's place: its wait id, its grant stream and
// the last entry of it already seen.
type wait struct {
	id     string
	stream string
	last   string
	since  time.Time // the start of the latest attempt: no grant is older
	server int64     // the server's time (ms) during the latest attempt
}

// parseWait reads the tail of an acquire script's "not yet" reply:
// {0, ms to wait, stream index, last entry id, server time in ms}.
func (o *object) parseWait(arr []any, w *wait, streams []string) error {
	if len(arr) < 5 {
		return fmt.Errorf("hotredis: %s %q: %w", o.kind, o.key, errReply)
	}
	i, _ := arr[2].(int64)
	last, _ := arr[3].(string)
	now, _ := arr[4].(int64)
	if i < 0 || int(i) >= len(streams) || last == "" || now <= 0 {
		return fmt.Errorf("hotredis: %s %q: %w", o.kind, o.key, errReply)
	}
	w.stream, w.last, w.server = streams[i], last, now
	return nil
}

// awaitGrant reads w's grant stream until a grant to w appears, d passes
// (token 0), or ctx ends (ctx.Err()). For a grant it returns the token and
// the earliest time, on this machine's clock, at which the grant's lease
// may run out: the grant came after the start of w's latest attempt, so
// its end is at least as far after that start as it is after the server
// time that attempt read. A grant left unread when ctx ends is found by
// the cancel script.
//
// A semaphore's grant also carries the epoch of the grantee handle's
// holding (see sem_lib); a lock's has none (0).
func (o *object) awaitGrant(ctx context.Context, w *wait, d time.Duration) (token, epoch int64, expires time.Time, err error) {
	deadline := time.Now().Add(min(d, maxBlock))
	for {
		if err := ctx.Err(); err != nil {
			return 0, 0, time.Time{}, err
		}
		rem := time.Until(deadline)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < rem {
			if rem = time.Until(dl); rem < time.Millisecond {
				return 0, 0, time.Time{}, context.DeadlineExceeded
			}
		}
		if rem < time.Millisecond {
			return 0, 0, time.Time{}, nil
		}
		v, err := o.blockOnce(ctx, backend.Cmd{
			Name: []string{"XREAD", "COUNT", "32", "BLOCK", strconv.FormatInt(rem.Milliseconds(), 10), "STREAMS"},
			Keys: []string{w.stream},
			Args: []string{w.last},
		})
		if err != nil || v == nil {
			return 0, 0, time.Time{}, err
		}
		for _, e := range streamEntries(v) {
			id, fields := entry(e)
			if id == "" {
				return 0, 0, time.Time{}, fmt.Errorf("hotredis: %s %q: %w: XREAD entry %v", o.kind, o.key, errReply, e)
			}
			w.last = id
			if fields["w"] == w.id {
				t, err1 := strconv.ParseInt(fields["t"], 10, 64)
				x, err2 := strconv.ParseInt(fields["x"], 10, 64)
				var e int64
				var err3 error
				if es, ok := fields["e"]; ok {
					e, err3 = strconv.ParseInt(es, 10, 64)
				}
				if err := errors.Join(err1, err2, err3); err != nil {
					return 0, 0, time.Time{}, fmt.Errorf("hotredis: %s %q: %w: grant %v", o.kind, o.key, errReply, fields)
				}
				return t, e, w.since.Add(time.Duration(x-w.server) * time.Millisecond), nil
			}
		}
	}
}

// blockOnce sends one blocking command (whose server-side timeout is the
// caller's) and returns its reply, nil when it timed out. If ctx ends
// first it returns ctx.Err() at once and lets the command finish in the
// background, as block does; a grant left unread then is found by the
// cancel script (reading a grant stream takes nothing away). A context
// that can never end needs no watching, which saves the hand-off a
// goroutine switch.
func (o *object) blockOnce(ctx context.Context, c backend.Cmd) (any, error) {
	cl, err := o.cli()
	if err != nil {
		return nil, err
	}
	if err := cl.checkSlots(c.Keys); err != nil {
		return nil, err
	}
	if err := cl.begin(); err != nil {
		return nil, err
	}
	c.Blocking = true
	if ctx.Done() == nil {
		defer cl.end()
		v, err := cl.b.Do(ctx, c)
		return v, wrapErr(o.kind, o.key, err)
	}
	type result struct {
		v   any
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer cl.end()
		v, err := cl.b.Do(context.WithoutCancel(ctx), c)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, wrapErr(o.kind, o.key, r.err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
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
