package hotredis

import (
	"context"
	"errors"
	"hash/maphash"
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
	// A Get of one item from a plain queue: native unless the handle saw
	// an expiry (then its take reads the PTTL, to see it go).
	plainGet := ack && !q.set && n == 1
	native := plainGet && atomic.LoadUint32(&q.expiry) == expiryNone
	var waiting time.Time // since the first wait for an item
	ro := q.rideOut()
	for {
		var c backend.Cmd
		if !native {
			c = q.takeCmd(id, list, hold, n)
		}
		var arr []any
		if ctx.Done() == nil {
			arr, err = q.takeOnce(ctx, cl, id, list, native, plainGet, c, hold) // nothing to detach from
		} else {
			// Copies for the closures, which then hold them by value:
			// the variables themselves stay off the heap.
			tid, tlist, tnative, tc := id, list, native, c
			arr, err = detach(ctx, cl, func(ctx context.Context) ([]any, error) {
				return q.takeOnce(ctx, cl, tid, tlist, tnative, plainGet, tc, hold)
			}, func(ctx context.Context, arr []any, err error) {
				if err == nil && tnative && len(arr) == 1 {
					q.ack(tid, tlist) // (a native take registers itself also when it finds nothing: see below)
					return
				}
				q.undoTake(ctx, tid, tookItems(arr), err)
			})
		}
		if errors.Is(err, errTakeAgain) {
			id, list = q.newTake()
			native = false // (queue_take gives a second run what the first took)
			continue
		}
		if err == nil && len(arr) == 1 && native {
			// The native take registered itself though it found nothing:
			// that registration goes as an acknowledgement does, and a
			// wait registers anew.
			q.ack(id, list)
			native = false
			id, list = q.newTake()
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
						native = plainGet && atomic.LoadUint32(&q.expiry) == expiryNone
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
			items := stringsOf(arr[1:])
			if ack {
				q.ack(id, list)
			}
			return items, id, q.waited(ctx, op, waiting, nil)
		}
		if len(arr) > 1 {
			if err := q.recover(ctx, stringsOf(arr[1:])); err != nil {
				return nil, "", q.waited(ctx, op, waiting, q.fail(op, err))
			}
			continue
		}
		if !block {
			return nil, "", q.fail(op, ErrEmpty)
		}
	}
}

// takeOnce runs one try of the take id (whose list is list): the native
// take, or the script c, after a read of the list's PTTL when readTTL.
func (q *queue) takeOnce(ctx context.Context, cl *Client, id, list string, native, readTTL bool, c backend.Cmd, hold time.Duration) ([]any, error) {
	if native {
		return q.nativeTake(ctx, cl, id, list, hold)
	}
	return q.takeWithAcks(ctx, cl, c, readTTL)
}

// takeCmd is queue_take for the take id (whose list is list) of up to n
// items, held for hold.
func (q *queue) takeCmd(id, list string, hold time.Duration, n int) backend.Cmd {
	return scriptQueueTake.Cmd(true, q.withSet(q.k.list, q.k.takes, list, q.k.putWait, q.k.notFull, q.k.unfinished),
		[]string{id, ms(hold), strconv.Itoa(n), strconv.Itoa(chunkSize)})
}

// nativeTake is the take of one item from a plain queue for a Get: the
// same steps as queue_take, in native commands inside one MULTI/EXEC,
// which costs the server a third of the script: move the head item into
// the take's list, register the take with its deadline, wake a put
// waiting for space, and, every clockSync, look for takes whose deadline
// passed (of the client's takes of this queue) and read the server's TIME
// (of all the client's takes). The deadline comes from the client's
// estimate of the server's clock, which that TIME keeps. It replies as
// queue_take does, except that expired takes are put back after this
// take, in the background. (A take whose queue was empty found nothing
// and must not be waited on: see take.)
func (q *queue) nativeTake(ctx context.Context, cl *Client, id, list string, hold time.Duration) ([]any, error) {
	now, sync, err := cl.serverNow(ctx)
	if err != nil {
		return nil, err
	}
	look := q.looks(cl)
	acks := cl.ridesWith(q.k.takes)
	nc := new(nativeTakeCmds)
	nc.keys = [2]string{q.k.list, list}
	nc.args = [2]string{strconv.FormatInt(now+hold.Milliseconds(), 10), id}
	cmds := nc.cmds[:0]
	if acks != nil {
		cmds = acks.appendCmds(cmds)
	}
	first := len(cmds)
	cmds = append(cmds,
		// The expiries the take's list and registration should have (see
		// keepTakeExpiry), read before the take may empty the list.
		backend.Cmd{Name: namePTTL, Keys: nc.keys[:1]},
		backend.Cmd{Name: namePTTL, Keys: q.takesKeys},
		backend.Cmd{Name: nameLMOVE, Keys: nc.keys[:], Args: leftRight},
		backend.Cmd{Name: nameZADD, Keys: q.takesKeys, Args: nc.args[:]},
		backend.Cmd{Name: nameLMOVE, Keys: q.wakeKeys, Args: rightLeft},
		backend.Cmd{Name: namePEXPIRE, Keys: q.wakeKeys[1:], Args: wakeTTLArgs})
	// Now and then: expired takes (see queue.looks), and the clock (see
	// Client.serverNow). (Latest deadline first, as queue_lib's expired:
	// each goes back at the head, so the earliest, put back last, comes
	// out first again.)
	if look {
		cmds = append(cmds, backend.Cmd{Name: nameZREVRANGEBYSCORE, Keys: q.takesKeys, Args: []string{strconv.FormatInt(now, 10), "-inf", "LIMIT", "0", "10"}})
	}
	if sync {
		cmds = append(cmds, backend.Cmd{Name: nameTIME})
	}
	rs, err := q.atomic(ctx, cmds...)
	if err != nil {
		cl.ackAgain(acks)
		return nil, err
	}
	rs = rs[first:]
	q.sawExpiry(rs[0])
	listTTL, takesTTL := rs[0].Val, rs[1].Val
	rs = rs[2:]
	if rs[1].Val == int64(0) {
		// ZADD added no registration: this take ran before (sent twice),
		// and its list holds the first run's item too, which this reply
		// does not name. Everything goes back, for a take anew.
		if _, err := q.recoverOne(ctx, id, "1"); err != nil {
			return nil, err
		}
		return nil, errTakeAgain
	}
	if sync {
		cl.sawServerTime(rs[len(rs)-1].Val)
	}
	if look {
		if ids := stringsOf(asArrayOf(rs[4].Val)); len(ids) > 0 {
			cl.background(ctx, func(ctx context.Context) { _ = q.recover(ctx, ids) })
		}
	}
	if _, ok := rs[0].Val.(string); ok {
		q.keepTakeExpiry(ctx, list, listTTL, takesTTL)
		nc.reply = [2]any{int64(1), rs[0].Val} // (the string boxed already)
		return nc.reply[:], nil
	}
	return []any{int64(0)}, nil
}

// keepTakeExpiry gives a native take's list and the registrations the
// expiries queue_take would have given them (see queue_lib's keepExpiry),
// given the PTTLs of the queue's list and of the registrations that the
// take's MULTI/EXEC read: when the list had an expiry (another handle's
// Expire since this one's latest take: its next takes go by queue_take),
// or had none while the registrations had one. Most queues have no
// expiry: nothing is sent then. Meanwhile, one round trip, the take's
// list has no expiry, as good as the acknowledgement that follows; a
// failure here only leaves it so until then.
func (q *queue) keepTakeExpiry(ctx context.Context, list string, listTTL, takesTTL any) {
	ttl, _ := listTTL.(int64)
	regs, _ := takesTTL.(int64)
	if ttl > 0 || ttl == -1 && regs >= 0 {
		_, _ = q.script(ctx, scriptQueueKeepExpiry, []string{q.k.list, list, q.k.takes, q.k.unfinished}, strconv.FormatInt(ttl, 10))
	}
}

// nativeTakeCmds are the commands of a native take (acknowledgements
// riding along, the take, a look and a sync), with the take's own keys
// and arguments and room for its reply: one allocation.
type nativeTakeCmds struct {
	cmds       [10]backend.Cmd
	keys, args [2]string
	reply      [2]any
}

// errTakeAgain is a native take's outcome when it found that it had run
// before (see nativeTake): it gave back what both runs took, and the take
// goes again under a new id.
var errTakeAgain = errors.New("the take ran twice: taking again")

func asArrayOf(v any) []any { arr, _ := v.([]any); return arr }

// looks reports whether a native take of q on cl should look for expired
// takes: when none of cl's takes of this queue has for clockSync, on any
// handle (a handle made per request looks only as often as a lasting
// one). Each queue has its own look: not the client's clock sync, which
// the first take of any queue after clockSync gets (a busy queue on the
// same client would take nearly all of them, and leave this queue's
// expired takes parked while its Gets go on). A client keeps the last look
// of lookSlots queues, by a hash of their keys; two queues in one slot
// each look whenever the other looked last.
func (q *queue) looks(cl *Client) bool {
	slot := &cl.looked[q.lookSlot]
	last := slot.Load()
	if last != nil && last.key == q.k.takes && time.Since(last.at) < clockSync {
		return false
	}
	return slot.CompareAndSwap(last, &lookStamp{key: q.k.takes, at: time.Now()})
}

// lookSlots is how many queues' looks for expired takes a client keeps
// apart (see queue.looks).
const lookSlots = 64

// lookStamp is a queue's last look for expired takes on a client: its
// registrations' key, and when.
type lookStamp struct {
	key string
	at  time.Time
}

var lookSeed = maphash.MakeSeed() // (a queue's slot, see queue.lookSlot)

// Command names and arguments of the native take.
var (
	nameLMOVE            = []string{"LMOVE"}
	nameZADD             = []string{"ZADD"}
	namePEXPIRE          = []string{"PEXPIRE"}
	namePTTL             = []string{"PTTL"}
	nameZREVRANGEBYSCORE = []string{"ZREVRANGEBYSCORE"}
	nameTIME             = []string{"TIME"}
	leftRight            = []string{"LEFT", "RIGHT"}
	rightLeft            = []string{"RIGHT", "LEFT"}
	wakeTTLArgs          = []string{wakeTTL}
)

// takeWithAcks runs the take c, with the acknowledgements pending for
// this queue in front of it in the same round trip, and a read of the
// list's PTTL just before it when readTTL (see queue.sawExpiry).
func (q *queue) takeWithAcks(ctx context.Context, cl *Client, c backend.Cmd, readTTL bool) ([]any, error) {
	acks := cl.ridesWith(q.k.takes)
	if acks == nil && !readTTL {
		return asArray(q.send(ctx, c, true))
	}
	var cmds []backend.Cmd
	if acks != nil {
		cmds = acks.cmds()
	}
	if readTTL {
		cmds = append(cmds, backend.Cmd{Name: namePTTL, Keys: q.pushKeys})
	}
	rs, err := q.pipeline(ctx, append(cmds, c)...)
	if err == nil && acks != nil && (rs[0].Err != nil || rs[1].Err != nil) {
		cl.ackAgain(acks)
	}
	if err != nil {
		cl.ackAgain(acks)
		return nil, err
	}
	last := len(rs) - 1
	if readTTL {
		q.sawExpiry(rs[last-1])
	}
	return asArray(rs[last].Val, rs[last].Err)
}

// waitTake is a take's wait for an item, once a take found none: one round
// trip of a pipeline that registers the take (EVAL, so that it runs even on
// a server that has lost its script cache), waits with BLMOVE into the
// take's parking list, and claims what it parked (queue_claim). It returns
// queue_claim's reply, {0} when the wait timed out.
func (q *queue) waitTake(ctx context.Context, op, id string, hold time.Duration, n int) ([]any, error) {
	cl, err := q.cli()
	if err != nil {
		return nil, err
	}
	claimKeys := q.withSet(q.parked(id), q.taken(id), q.k.takes, q.k.list, q.k.putWait, q.k.notFull, q.k.unfinished)
	claimArgs := []string{id, ms(hold), strconv.Itoa(n), strconv.Itoa(chunkSize)}
	for {
		rs, err := q.wait(ctx, op, func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{
				scriptQueueRegister.Cmd(false, []string{q.k.takes}, []string{id, ms(d + registerMargin)}),
				{Name: []string{"BLMOVE"}, Keys: []string{q.k.list, q.parked(id)}, Args: []string{"LEFT", "LEFT", seconds(d)}, Blocking: true},
				scriptQueueClaim.Cmd(true, claimKeys, claimArgs),
			}
		}, func(ctx context.Context, rs []backend.Result, err error) {
			q.undoTake(ctx, id, err == nil && mayHold(rs[2]), err)
		})
		if err != nil {
			return nil, err
		}
		arr, cerr := asArray(rs[2].Val, rs[2].Err)
		if backend.IsServerError(cerr, "NOSCRIPT") && ctx.Err() != nil {
			// The claim must run again, but ctx has ended: detach would
			// not run it (nor its undo), so give what was parked back.
			q.undoTake(ctx, id, true, nil)
			return nil, ctx.Err()
		}
		if backend.IsServerError(cerr, "NOSCRIPT") {
			// The parked item waits under its registration meanwhile; the
			// claim's own reply must not be lost either.
			arr, cerr = detach(ctx, cl, func(ctx context.Context) ([]any, error) {
				return asArray(q.script(ctx, scriptQueueClaim, claimKeys, claimArgs...))
			}, func(ctx context.Context, _ []any, err error) { q.undoTake(ctx, id, true, err) })
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
	return c.Err != nil || tookItems(asArrayOf(c.Val))
}

// tookItems reports whether a take's reply ({1, items...} or {0, ids...})
// holds items.
func tookItems(reply []any) bool { return len(reply) > 1 && reply[0] == int64(1) }

// stringsOf returns the string elements of an array reply.
func stringsOf(arr []any) []string {
	out := make([]string, len(arr))
	for i, x := range arr {
		out[i], _, _ = asString(x, nil)
	}
	return out
}

// ack acknowledges a Get's take: its list and registration go, with the
// next command to this queue or soon after (see acker).
func (q *queue) ack(id, list string) {
	if cl, err := q.cli(); err == nil {
		cl.ackLater(q.k.takes, list, id)
	}
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
	case errors.Is(err, errTakeAgain):
		return // it gave back what it took
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
