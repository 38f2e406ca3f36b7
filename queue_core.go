package hotredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
)

var (
	scriptQueuePut       = loadScript("queue_put")
	scriptQueueGet       = loadScript("queue_get")
	scriptQueueTaskDone  = loadScript("queue_task_done")
	scriptQueueReserve   = loadScript("queue_reserve")
	scriptQueueClaim     = loadScript("queue_claim")
	scriptQueueRecover   = loadScript("queue_recover")
	scriptQueueAck       = loadScript("queue_ack")
	scriptQueueFinishGet = loadScript("queue_finish_get")
)

// putWaitTTL is how long a put blocked on a full queue stays registered
// as waiting without renewing; it renews every maxBlock.
const putWaitTTL = 3 * maxBlock

// WithMaxSize bounds a queue to n items (Python's maxsize): Put blocks and
// TryPut fails with ErrFull while the queue holds n or more. n <= 0 means
// unbounded, the default. The bound is a property of the handle, not
// stored in Redis: handles on the same key may use different bounds.
func WithMaxSize(n int) Option { return func(o *options) { o.maxSize = max(n, 0) } }

// queueCore is the implementation shared by Queue, LifoQueue, SetQueue and
// LifoSetQueue: a Redis list whose head (index 0) is the next item to get,
// plus, for set queues, the set of queued items at key + "-set".
//
// Besides the list (and set) it uses auxiliary keys in the key's Cluster
// slot: the count of unfinished tasks, a list that wakes Join, a flag and
// a list that wake puts blocked on a full queue, and, for Reserve, a
// sorted set of reservations and one list per reservation.
type queueCore[T any] struct {
	object
	vals    coder[T]
	lifo    bool
	set     bool
	maxSize int

	list, setKey, unfinished, joined, putWait, notFull, reserved string
}

func newQueueCore[T any](key string, lifo, set bool, opts []Option) queueCore[T] {
	o := collect(opts)
	if key == "" && set {
		// A generated key carries a tag so that key-set shares its slot.
		key = "{" + keys.Random() + "}"
	}
	q := queueCore[T]{lifo: lifo, set: set, maxSize: o.maxSize}
	q.object = newObject("queue", key, o, "unfinished", "joined", "putwait", "notfull", "reserved")
	q.list = q.key
	q.unfinished, q.joined, q.putWait, q.notFull, q.reserved = q.keys[1], q.keys[2], q.keys[3], q.keys[4], q.keys[5]
	if set {
		// HOT Redis's layout: the set is key + "-set", not a tagged
		// auxiliary key, so Python programs see the same set.
		q.setKey = q.key + "-set"
		q.keys = slices.Insert(q.keys, 1, q.setKey)
	}
	q.vals = newCoder[T](&q.object, o.codec)
	return q
}

// fail names the operation in a sentinel error, and on a set queue adds
// advice to a cross-slot error: the list and key-set must share a slot.
func (q *queueCore[T]) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if q.set && errors.Is(err, ErrCrossSlot) {
		return fmt.Errorf("hotredis: queue %q: %s: %w: a set queue also uses the key %q, which must be in the same Cluster slot; name the queue with a hash tag, such as %q",
			q.key, op, ErrCrossSlot, q.setKey, "{"+q.key+"}")
	}
	return err
}

// putKeys are the KEYS of queue_put.
func (q *queueCore[T]) putKeys() []string {
	ks := []string{q.list, q.unfinished, q.joined, q.putWait, q.notFull}
	if q.set {
		ks = append(ks, q.setKey)
	}
	return ks
}

// getKeys are the KEYS of queue_get.
func (q *queueCore[T]) getKeys() []string {
	ks := []string{q.list, q.putWait, q.notFull}
	if q.set {
		ks = append(ks, q.setKey)
	}
	return ks
}

// change runs a script that moves items (put, get, reserve, ack...) to
// completion once it is sent, even if ctx ends meanwhile: abandoning the
// reply could lose an item the server had already taken, or leave the
// caller unsure whether its put happened. It still refuses to start once
// ctx has ended.
func (q *queueCore[T]) change(ctx context.Context, s *script, ks []string, args ...string) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.eval(context.WithoutCancel(ctx), s, true, ks, args...)
}

// errFullNow reports a put that found no room and was registered as
// waiting.
var errFullNow = errors.New("full")

// tryPut runs queue_put once. wait says whether a full queue should
// register the put as waiting (reply errFullNow) rather than fail with
// ErrFull.
func (q *queueCore[T]) tryPut(ctx context.Context, ss []string, wait bool) (int, error) {
	side := "R"
	if q.lifo {
		side = "L"
	}
	ttl := "0"
	if wait {
		ttl = strconv.FormatInt(putWaitTTL.Milliseconds(), 10)
	}
	args := append([]string{strconv.Itoa(q.maxSize), side, ttl, strconv.Itoa(chunkSize)}, ss...)
	n, err := asInt(q.change(ctx, scriptQueuePut, q.putKeys(), args...))
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errFullNow
	}
	return int(n), nil
}

// put puts the encoded items ss, all at once, waiting for room when block
// is true. It returns how many were added (set queues skip duplicates).
func (q *queueCore[T]) put(ctx context.Context, op string, ss []string, block bool) (int, error) {
	if len(ss) == 0 {
		return 0, nil
	}
	if txFrom(ctx) != nil || !block || q.maxSize == 0 {
		// Inside a Transaction a put cannot wait: a full queue makes the
		// commit fail with ErrFull.
		n, err := q.tryPut(ctx, ss, false)
		return n, q.fail(op, err)
	}
	for {
		// Each round registers the put as waiting (when the queue is full)
		// and then waits at most maxBlock for a get to announce space,
		// which renews the registration and covers a missed wake-up.
		n, err := q.tryPut(ctx, ss, true)
		if !errors.Is(err, errFullNow) {
			return n, q.fail(op, err)
		}
		if err := q.waitFor(ctx, q.notFull, "BLPOP", func(ctx context.Context, reply any) {
			// A cancelled put took a wake-up token: pass it on.
			_, _ = q.write(ctx, cmd("RPUSH", []string{q.notFull}, "1"))
		}); err != nil {
			return 0, err
		}
	}
}

// waitFor waits, for at most maxBlock, for an element of the list wk,
// with BLPOP (taking it) or BLMOVE wk wk (only looking). It returns nil when
// woken or when the round timed out, and ctx's error when ctx ended.
func (q *queueCore[T]) waitFor(ctx context.Context, wk, how string, giveBack func(context.Context, any)) error {
	round, cancel := context.WithTimeout(ctx, maxBlock)
	defer cancel()
	_, err := q.block(round, func(timeout string) backend.Cmd {
		if how == "BLPOP" {
			return cmd("BLPOP", []string{wk}, timeout)
		}
		return backend.Cmd{Name: []string{"BLMOVE"}, Keys: []string{wk, wk}, Args: []string{"LEFT", "LEFT", timeout}}
	}, giveBack)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if round.Err() == nil {
			return err
		}
	}
	return nil
}

// take runs queue_get: up to n items from the head, without waiting.
func (q *queueCore[T]) take(ctx context.Context, n int) ([]any, error) {
	return asArray(q.change(ctx, scriptQueueGet, q.getKeys(), strconv.Itoa(n), strconv.Itoa(chunkSize)))
}

// get removes up to n items from the head, waiting for at least one when
// block is true. In a Transaction a non-blocking get is queued and returns
// nothing.
func (q *queueCore[T]) get(ctx context.Context, op string, n int, block bool) ([]T, error) {
	if n <= 0 {
		return []T{}, nil
	}
	if block && txFrom(ctx) != nil {
		return nil, fmt.Errorf("hotredis: queue %q: %s cannot wait inside a transaction: %w", q.key, op, ErrInTransaction)
	}
	arr, err := q.take(ctx, n)
	if err != nil {
		return nil, q.fail(op, err)
	}
	if len(arr) > 0 || !block {
		return q.decodeItems(arr)
	}
	if q.set {
		arr, err := q.parkAndTake(ctx, n)
		if err != nil {
			return nil, q.fail(op, err)
		}
		return q.decodeItems(arr)
	}
	// A plain queue takes the item with the blocking command itself, so a
	// hand-off costs one round trip. The queue was empty a moment ago, so
	// no put can be waiting for the space this frees. A get cancelled while
	// its command is on the server puts what it took back at the head.
	reply, err := q.block(ctx, func(timeout string) backend.Cmd {
		if n == 1 {
			return cmd("BLPOP", []string{q.list}, timeout)
		}
		return backend.Cmd{Name: []string{"BLMPOP", timeout, "1"}, Keys: []string{q.list}, Args: []string{"LEFT", "COUNT", strconv.Itoa(n)}}
	}, func(ctx context.Context, reply any) {
		if items := popped(reply); len(items) > 0 {
			slices.Reverse(items)
			_, _ = q.write(ctx, cmd("LPUSH", []string{q.list}, items...))
		}
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
			return nil, cerr // as documented: ctx.Err() itself
		}
		return nil, q.fail(op, err)
	}
	items := popped(reply)
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return q.decodeItems(out)
}

// parkTimeout is how long an item parked by a set queue's blocking get may
// stay parked before it is put back in the queue: a get that crashed
// between its two steps delays its item by this much, and loses nothing.
const parkTimeout = 10 * time.Second

// parkAndTake is a set queue's blocking get. A set queue must update the
// set in the same step as it takes the item, which a blocking command
// cannot do; so BLMOVE parks the item in a list of the get's own, and a
// script then takes it and updates the set. The parking is registered
// like a reservation (see reserve), so an item whose get died in between
// goes back to the queue: the set never keeps a member whose item is gone.
// It returns up to n items, waiting for at least one.
func (q *queueCore[T]) parkAndTake(ctx context.Context, n int) ([]any, error) {
	id := string(newReceipt())
	park := q.reservation(Receipt(id))
	finish := func(ctx context.Context) ([]any, error) {
		return asArray(q.eval(context.WithoutCancel(ctx), scriptQueueFinishGet, true,
			[]string{park, q.list, q.setKey, q.reserved, q.putWait, q.notFull},
			id, strconv.Itoa(n), strconv.Itoa(chunkSize)))
	}
	for {
		got, err := q.register(ctx, id, park, parkTimeout, true)
		if err != nil {
			return nil, err
		}
		if !got {
			if _, err := q.waitMove(ctx, id, park); err != nil {
				if errors.Is(err, errRoundOver) {
					continue
				}
				return nil, err
			}
		}
		// The item is parked: finish even if ctx has just ended.
		arr, err := finish(ctx)
		if err != nil || len(arr) > 0 {
			return arr, err
		}
	}
}

// popped returns the items in a BLPOP reply (key, item) or a BLMPOP reply
// (key, [items...]).
func popped(reply any) []string {
	arr, _ := reply.([]any)
	if len(arr) != 2 {
		return nil
	}
	switch x := arr[1].(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, v := range x {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// decodeItems decodes taken items. The items are gone from the queue
// whatever happens, so a bad one does not lose the others: they are
// returned with the first item's decoding error.
func (q *queueCore[T]) decodeItems(arr []any) ([]T, error) {
	out := make([]T, 0, len(arr))
	var first error
	for _, x := range arr {
		s, _, err := asString(x, nil)
		if err == nil {
			var v T
			if v, err = q.vals.decode(s); err == nil {
				out = append(out, v)
				continue
			}
		}
		if first == nil {
			first = err
		}
	}
	return out, first
}

// getOne adapts get to a single item.
func (q *queueCore[T]) getOne(ctx context.Context, op string, block bool) (T, error) {
	var zero T
	vs, err := q.get(ctx, op, 1, block)
	if err != nil {
		return zero, err
	}
	if len(vs) == 0 {
		if txFrom(ctx) != nil {
			return zero, nil
		}
		return zero, fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, ErrEmpty)
	}
	return vs[0], nil
}

func (q *queueCore[T]) putOne(ctx context.Context, op string, v T, block bool) (bool, error) {
	s, err := q.vals.encode(v)
	if err != nil {
		return false, err
	}
	n, err := q.put(ctx, op, []string{s}, block)
	return n > 0, err
}

func (q *queueCore[T]) putMany(ctx context.Context, vs []T) (int, error) {
	ss, err := q.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	return q.put(ctx, "PutMany", ss, true)
}

func (q *queueCore[T]) len(ctx context.Context) (int, error) {
	n, err := asInt(q.read(ctx, cmd("LLEN", []string{q.list})))
	return int(n), err
}

func (q *queueCore[T]) full(ctx context.Context) (bool, error) {
	if q.maxSize == 0 {
		return false, nil
	}
	n, err := q.len(ctx)
	return n >= q.maxSize, err
}

func (q *queueCore[T]) unfinishedTasks(ctx context.Context) (int, error) {
	s, ok, err := asString(q.read(ctx, cmd("GET", []string{q.unfinished})))
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("hotredis: queue %q: task count %q: %w", q.key, s, errReply)
	}
	return n, nil
}

func (q *queueCore[T]) taskDone(ctx context.Context) error {
	_, err := q.change(ctx, scriptQueueTaskDone, []string{q.unfinished, q.joined})
	return err
}

// join waits until the count of unfinished tasks is zero. The task that
// brings it to zero pushes a token that every waiter sees (BLMOVE from the
// list to itself takes nothing), and the next put deletes it.
func (q *queueCore[T]) join(ctx context.Context) error {
	if txFrom(ctx) != nil {
		return fmt.Errorf("hotredis: queue %q: Join cannot wait inside a transaction: %w", q.key, ErrInTransaction)
	}
	for {
		n, err := q.unfinishedTasks(ctx)
		if err != nil || n == 0 {
			return err
		}
		if err := q.waitFor(ctx, q.joined, "BLMOVE", nil); err != nil {
			return err
		}
	}
}

// A Receipt identifies an item taken with Reserve, for Ack. It is plain
// text, so it can be handed to another process.
type Receipt string

// reservation returns the key of the list that holds a reserved item.
func (q *queueCore[T]) reservation(r Receipt) string {
	return keys.Aux(q.key, "reserved:"+string(r))
}

func newReceipt() Receipt {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return Receipt(hex.EncodeToString(b[:]))
}

// reserve moves the head item into a list of its own and records a
// deadline for it; see Queue.Reserve.
func (q *queueCore[T]) reserve(ctx context.Context, visibility time.Duration, block bool) (T, Receipt, error) {
	var zero T
	op := "Reserve"
	if !block {
		op = "TryReserve"
	}
	if visibility < time.Millisecond {
		return zero, "", fmt.Errorf("hotredis: queue %q: %s: visibility timeout %v is under 1ms", q.key, op, visibility)
	}
	if txFrom(ctx) != nil {
		return zero, "", fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, ErrInTransaction)
	}
	r := newReceipt()
	rk := q.reservation(r)
	for {
		s, got, err := q.registerItem(ctx, string(r), rk, visibility, block)
		if err != nil {
			return zero, "", err
		}
		if !got {
			if !block {
				return zero, "", fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, ErrEmpty)
			}
			if s, err = q.waitMove(ctx, string(r), rk); err != nil {
				if errors.Is(err, errRoundOver) {
					continue
				}
				return zero, "", err
			}
			// The item is in hand: claim it even if ctx has just ended.
			claimed, err := asInt(q.eval(context.WithoutCancel(ctx), scriptQueueClaim, true,
				[]string{q.reserved, rk, q.putWait, q.notFull}, string(r),
				strconv.FormatInt(visibility.Milliseconds(), 10), strconv.Itoa(chunkSize)))
			if err != nil {
				return zero, "", err
			}
			if claimed == 0 {
				continue // recovered before the claim: it is back in the queue
			}
		}
		v, err := q.vals.decode(s)
		return v, r, err
	}
}

// register runs queue_reserve for the reservation (or parking) id, whose
// list is rk; see registerItem.
func (q *queueCore[T]) register(ctx context.Context, id, rk string, visibility time.Duration, block bool) (bool, error) {
	_, got, err := q.registerItem(ctx, id, rk, visibility, block)
	return got, err
}

// registerItem moves the head item into rk and gives it a deadline
// visibility from now, and reports it. When the queue is empty and block is
// true it registers id for longer than the BLMOVE waitMove will send can
// wait, so that it cannot be recovered (and dropped) while an item may
// still arrive in rk. Expired reservations it meets are put back first.
func (q *queueCore[T]) registerItem(ctx context.Context, id, rk string, visibility time.Duration, block bool) (string, bool, error) {
	margin := "0"
	if block {
		margin = strconv.FormatInt(2*maxBlock.Milliseconds(), 10)
	}
	for {
		arr, err := asArray(q.change(ctx, scriptQueueReserve,
			[]string{q.list, q.reserved, rk, q.putWait, q.notFull},
			id, strconv.FormatInt(visibility.Milliseconds(), 10), margin, strconv.Itoa(chunkSize)))
		if err != nil {
			return "", false, err
		}
		if len(arr) < 2 {
			return "", false, fmt.Errorf("hotredis: queue %q: %w", q.key, errReply)
		}
		if len(arr) > 2 {
			if err := q.recover(ctx, arr[2:]); err != nil {
				return "", false, err
			}
			continue
		}
		got, _ := arr[0].(int64)
		s, _, _ := asString(arr[1], nil)
		return s, got == 1, nil
	}
}

// errRoundOver: a wait of at most maxBlock ended with nothing.
var errRoundOver = errors.New("wait round over")

// waitMove waits, for at most maxBlock, for an item to move from the head
// of the queue into rk, and returns it. If ctx ends while the command is on
// the server and it then moves an item, the item goes back to the head.
func (q *queueCore[T]) waitMove(ctx context.Context, id, rk string) (string, error) {
	round, cancel := context.WithTimeout(ctx, maxBlock)
	defer cancel()
	reply, err := q.block(round, func(timeout string) backend.Cmd {
		return backend.Cmd{Name: []string{"BLMOVE"}, Keys: []string{q.list, rk}, Args: []string{"LEFT", "LEFT", timeout}}
	}, func(ctx context.Context, _ any) {
		_, _ = q.atomic(ctx, backend.Cmd{Name: []string{"LMOVE"}, Keys: []string{rk, q.list}, Args: []string{"LEFT", "LEFT"}},
			cmd("ZREM", []string{q.reserved}, id))
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if round.Err() != nil {
			return "", errRoundOver
		}
		return "", err
	}
	s, ok, err := asString(reply, nil)
	if err == nil && !ok {
		err = errRoundOver
	}
	return s, err
}

// recover puts back the items of expired reservations.
func (q *queueCore[T]) recover(ctx context.Context, ids []any) error {
	for _, id := range ids {
		s, _, _ := asString(id, nil)
		if _, err := q.change(ctx, scriptQueueRecover, []string{q.list, q.reserved, q.reservation(Receipt(s))}, s); err != nil {
			return err
		}
	}
	return nil
}

func (q *queueCore[T]) ack(ctx context.Context, r Receipt) error {
	n, err := asInt(q.change(ctx, scriptQueueAck, []string{q.reserved, q.reservation(r)}, string(r)))
	if err != nil {
		return err
	}
	if n == 0 && txFrom(ctx) == nil {
		return fmt.Errorf("hotredis: queue %q: Ack: reservation %s expired and its item was put back in the queue: %w", q.key, r, ErrNotHeld)
	}
	return nil
}

func (q *queueCore[T]) contains(ctx context.Context, v T) (bool, error) {
	s, err := q.vals.encode(v)
	if err != nil {
		return false, err
	}
	n, err := asInt(q.read(ctx, cmd("SISMEMBER", []string{q.setKey}, s)))
	return n == 1, q.fail("Contains", err)
}
