package hotredis

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// Takes: how the queue engine (queue_engine.go) removes items, so that no
// item is lost whatever happens to a reply.

// get removes up to n items (at most maxTake) from the head, waiting for
// at least one when block is true. It returns ErrEmpty, named, when it
// does not wait and the queue is empty.
func (q *queue) get(ctx context.Context, op string, n int, block bool) ([]string, error) {
	if err := q.noTx(ctx, op); err != nil {
		return nil, err
	}
	if q.err != nil {
		return nil, q.err
	}
	items, _, err := q.take(ctx, op, min(n, maxTake), getHoldFor(), true, block)
	if err != nil {
		return nil, err
	}
	return items, nil
}

// take moves up to n items from the head into a new take's list, waiting
// for at least one when block is true, with hold as the take's deadline.
// A Get acknowledges its take at once (ack); a Reserve keeps it until Ack.
// It returns the items and the take's id.
func (q *queue) take(ctx context.Context, op string, n int, hold time.Duration, ack, block bool) ([]string, string, error) {
	cl, err := q.cli()
	if err != nil {
		return nil, "", err
	}
	id, list := q.newTake()
	ta := new(takeArgs)   // (each try's, in turn; then the acknowledgement's)
	var waiting time.Time // since the first wait for an item
	ro := q.rideOut()
	for {
		var arr []string
		if ctx.Done() == nil {
			arr, err = q.takeOnce(ctx, cl, ta, id, list, hold, n) // nothing to detach from
		} else {
			// Copies for the closures, which then hold them by value:
			// the variables themselves stay off the heap.
			tid, tlist := id, list
			arr, err = detach(ctx, cl, func(ctx context.Context) ([]string, error) {
				return q.takeOnce(ctx, cl, ta, tid, tlist, hold, n)
			}, func(ctx context.Context, arr []string, err error) {
				q.undoTake(ctx, tid, tookItems(arr), err)
			})
		}
		if err == nil && len(arr) == 1 && block {
			if waiting.IsZero() {
				waiting = time.Now()
			}
			arr, err = q.waitTake(ctx, op, id, hold, n)
		}
		if err != nil {
			if !isCtxErr(err) || ctx.Err() == nil { // (else detach's undo gives back)
				q.undoTake(ctx, id, false, err)
				// A wait rides out a lost connection, under a new take (the
				// lost one's items, if any, go back by undoTake).
				if block {
					if err = ro.again(ctx, err); err == nil {
						id, list = q.newTake()
						continue
					}
				}
			}
			if cerr := ctx.Err(); cerr != nil && isCtxErr(err) {
				return nil, "", q.waited(ctx, op, waiting, cerr)
			}
			return nil, "", q.waited(ctx, op, waiting, q.fail(op, undone(err)))
		}
		ro.ok()
		if tookItems(arr) {
			items := arr[1:]
			if ack {
				// (The acker keeps ta; a try that gave up left no more
				// tries to use it.)
				cl.ackLater(&ta.done, &q.object, op, q.k.takes, list, id)
			}
			return items, id, q.waited(ctx, op, waiting, nil)
		}
		if len(arr) > 1 {
			if err := q.recover(ctx, arr[1:]); err != nil {
				return nil, "", q.waited(ctx, op, waiting, q.fail(op, err))
			}
			continue
		}
		if !block {
			return nil, "", q.fail(op, ErrEmpty)
		}
	}
}

// takeOnce runs queue_take once for the take id (whose list is list) of
// up to n items, held for hold, with the acknowledgements pending for this
// queue riding along (see acker): one command, one reply. Its keys and
// arguments go in ta.
func (q *queue) takeOnce(ctx context.Context, cl *Client, ta *takeArgs, id, list string, hold time.Duration, n int) ([]string, error) {
	acks := cl.ridesWith(q.k.takes)
	var lists, ids []string
	if acks != nil {
		lists, ids = acks.lists, acks.ids
	}
	ks := append(ta.keys[:0], q.k.list, q.k.takes, list, q.k.putWait, q.k.notFull, q.k.unfinished)
	if q.set {
		ks = append(ks, q.k.set)
	}
	ks = append(ks, lists...)
	args := append(ta.args[:0], id, holdText(hold), strconv.Itoa(n), chunkText, strconv.Itoa(len(ids)))
	args = append(args, ids...)
	c := scriptQueueTake.Cmd(true, ks, args)
	c.Strings = true
	s, err := q.sendScalar(ctx, c, true)
	if err != nil {
		cl.ackAgain(acks) // (they may have run: an acknowledgement runs as often as it likes)
		return nil, err
	}
	if s.Kind == backend.ScalarStrs {
		return s.Strs, nil // (as takeReply(s.Value()) would, without boxing the slice)
	}
	return takeReply(s.Value(), nil)
}

// takeArgs holds a take's keys and arguments, with room for two
// acknowledgements riding along, and its own acknowledgement: one
// allocation.
type takeArgs struct {
	keys [9]string
	args [7]string
	done queueAcks
}

// holdText is ms(hold), kept from the last take: a Get's hold is the same
// every time.
func holdText(hold time.Duration) string {
	if t := lastHold.Load(); t != nil && t.d == hold {
		return t.s
	}
	s := ms(hold)
	lastHold.Store(&durationText{hold, s})
	return s
}

var lastHold atomic.Pointer[durationText]

type durationText struct {
	d time.Duration
	s string
}

// waitTake is a take's wait for an item, once a take found none: one round
// trip of a pipeline that registers the take (EVAL, so that it runs even on
// a server that has lost its script cache), waits with BLMOVE into the
// take's parking list, and claims what it parked (queue_claim). It returns
// queue_claim's reply, {"0"} when the wait timed out.
func (q *queue) waitTake(ctx context.Context, op, id string, hold time.Duration, n int) ([]string, error) {
	cl, err := q.cli()
	if err != nil {
		return nil, err
	}
	claimKeys := q.withSet(q.parked(id), q.taken(id), q.k.takes, q.k.list, q.k.putWait, q.k.notFull, q.k.unfinished)
	claimArgs := []string{id, ms(hold), strconv.Itoa(n), chunkText}
	claim := scriptQueueClaim.Cmd(true, claimKeys, claimArgs)
	claim.Strings = true
	for {
		rs, err := q.wait(ctx, op, func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{
				scriptQueueRegister.Cmd(false, []string{q.k.takes}, []string{id, ms(d + registerMargin)}),
				{Name: []string{"BLMOVE"}, Keys: []string{q.k.list, q.parked(id)}, Args: []string{"LEFT", "LEFT", seconds(d)}, Blocking: true},
				claim,
			}
		}, func(ctx context.Context, rs []backend.Result, err error) {
			q.undoTake(ctx, id, err == nil && mayHold(rs[2]), err)
		})
		if err != nil {
			return nil, err
		}
		arr, cerr := takeReply(rs[2].Val, rs[2].Err)
		if backend.IsServerError(cerr, "NOSCRIPT") && ctx.Err() != nil {
			// The claim must run again, but ctx has ended: detach would
			// not run it (nor its undo), so give what was parked back.
			q.undoTake(ctx, id, true, nil)
			return nil, ctx.Err()
		}
		if backend.IsServerError(cerr, "NOSCRIPT") {
			// The parked item waits under its registration meanwhile; the
			// claim's own reply must not be lost either.
			arr, cerr = detach(ctx, cl, func(ctx context.Context) ([]string, error) {
				return takeReply(q.script(ctx, scriptQueueClaim, claimKeys, claimArgs...))
			}, func(ctx context.Context, _ []string, err error) { q.undoTake(ctx, id, true, err) })
		}
		if tookItems(arr) || len(arr) > 1 {
			return arr, nil
		}
		for _, err := range []error{cerr, rs[1].Err, rs[0].Err} {
			if err != nil {
				if cerr != nil {
					// The claim failed: what was parked goes back now,
					// not at the registration's deadline (see mayHold).
					q.undoTake(ctx, id, true, nil)
				}
				return nil, err
			}
		}
	}
}

// mayHold reports whether a wait's take may hold items, given its claim's
// result c: unless the claim ran and holds nothing, what was parked (by
// this wait, or by a first run of its pipeline when that was sent twice)
// may be in the take's parking or take list.
func mayHold(c backend.Result) bool {
	if c.Err != nil {
		return true
	}
	reply, _ := takeReply(c.Val, nil)
	return tookItems(reply)
}

// takeReply reads a take's reply (queue_take's, queue_claim's: {"1",
// items...}, {"0"} or {"0", ids...}) as strings, whether the backend gave
// it so (Cmd.Strings) or not.
func takeReply(v any, err error) ([]string, error) {
	if ss, ok := v.([]string); ok && err == nil {
		return ss, nil
	}
	arr, err := asArray(v, err)
	if err != nil {
		return nil, err
	}
	return stringsOf(arr), nil
}

// tookItems reports whether a take's reply ({"1", items...} or {"0",
// ids...}) holds items.
func tookItems(reply []string) bool { return len(reply) > 1 && reply[0] == "1" }

// stringsOf returns the string elements of an array reply.
func stringsOf(arr []any) []string {
	out := make([]string, len(arr))
	for i, x := range arr {
		out[i], _, _ = asString(x, nil)
	}
	return out
}

// undoTake puts back, in the background, what the take id got for a
// caller that did not receive it: the reply came after the caller gave up
// (took says whether it took anything), or err lost it. A lost reply
// leaves the take's outcome unknown: its items, if any, go back now, and
// its registration stays until its deadline, in case the take runs yet
// (then the first take after the deadline puts back what it got).
func (q *queue) undoTake(ctx context.Context, id string, took bool, err error) {
	mode := "1"
	switch {
	case err != nil && isServerErr(err):
		return // refused: it took nothing
	case err != nil:
		mode = "2"
	case !took:
		return
	}
	if cl, cerr := q.cli(); cerr == nil {
		cl.background(ctx, func(ctx context.Context) { _, _ = q.recoverOne(ctx, id, mode) })
	}
}

// recover puts back the items of the takes ids, whose deadline passed.
func (q *queue) recover(ctx context.Context, ids []string) error {
	for _, id := range ids {
		if _, err := q.recoverOne(ctx, id, "0"); err != nil {
			return err
		}
	}
	return nil
}

// recoverOne runs queue_recover for the take id in mode: "0" once its
// deadline passed, "1" now (its caller gave its items up), "2" now but
// keeping its registration until its deadline (its outcome is unknown).
func (q *queue) recoverOne(ctx context.Context, id, mode string) (int64, error) {
	ks := []string{q.k.list, q.k.takes, q.parked(id), q.taken(id), q.k.unfinished}
	if q.set {
		ks = append(ks, q.k.set, q.k.joined)
	}
	return asInt(q.script(ctx, scriptQueueRecover, ks, id, mode))
}

// reserve takes one item for Reserve, registered for visibility.
func (q *queue) reserve(ctx context.Context, op string, visibility time.Duration, block bool) (string, Receipt, error) {
	if visibility < time.Millisecond {
		return "", "", q.invalid(op, "visibility timeout %v is under 1ms", visibility)
	}
	if err := q.noTx(ctx, op); err != nil {
		return "", "", err
	}
	items, id, err := q.take(ctx, op, 1, visibility, false, block)
	if err != nil {
		return "", "", err
	}
	return items[0], Receipt(id), nil
}

// ackReserved acknowledges the reservation r (Ack); in a transaction it
// is queued, and a reservation gone by the commit fails the commit with
// ErrNotHeld.
func (q *queue) ackReserved(ctx context.Context, r Receipt) error {
	_, err := q.script(ctx, scriptQueueAck, []string{q.k.takes, q.taken(string(r))}, string(r))
	return q.fail("Ack", err)
}
