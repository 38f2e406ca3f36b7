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
	scriptQueuePut      = loadScript("queue_put")
	scriptQueueGet      = loadScript("queue_get")
	scriptQueueTaskDone = loadScript("queue_task_done")
	scriptQueueReserve  = loadScript("queue_reserve")
	scriptQueueClaim    = loadScript("queue_claim")
	scriptQueueRecover  = loadScript("queue_recover")
	scriptQueueAck      = loadScript("queue_ack")
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
	n, err := asInt(q.eval(ctx, scriptQueuePut, true, q.putKeys(), args...))
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
	return asArray(q.eval(ctx, scriptQueueGet, true, q.getKeys(), strconv.Itoa(n), strconv.Itoa(chunkSize)))
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
		// A set queue must update the set in the same step as the pop, so
		// the blocking command only waits: BLMOVE from the list to itself
		// takes nothing (nothing to give back when cancelled), and the
		// script then takes the item.
		for {
			if err := q.waitFor(ctx, q.list, "BLMOVE", nil); err != nil {
				return nil, q.fail(op, err)
			}
			arr, err := q.take(ctx, n)
			if err != nil {
				return nil, q.fail(op, err)
			}
			if len(arr) > 0 {
				return q.decodeItems(arr)
			}
		}
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
		return nil, q.fail(op, err)
	}
	items := popped(reply)
	out := make([]any, len(items))
	for i, s := range items {
		out[i] = s
	}
	return q.decodeItems(out)
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
	_, err := q.eval(ctx, scriptQueueTaskDone, true, []string{q.unfinished, q.joined})
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
	vis := strconv.FormatInt(visibility.Milliseconds(), 10)
	margin := "0"
	if block {
		margin = strconv.FormatInt(2*maxBlock.Milliseconds(), 10)
	}
	for {
		// While the queue is empty the reservation is registered for
		// visibility + 2*maxBlock, longer than the BLMOVE below can wait,
		// so it cannot be recovered (and dropped) while an item may still
		// arrive in its list.
		arr, err := asArray(q.eval(ctx, scriptQueueReserve, true,
			[]string{q.list, q.reserved, rk, q.putWait, q.notFull},
			string(r), vis, margin, strconv.Itoa(chunkSize)))
		if err != nil {
			return zero, "", err
		}
		if len(arr) < 2 {
			return zero, "", fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, errReply)
		}
		if len(arr) > 2 {
			if err := q.recover(ctx, arr[2:]); err != nil {
				return zero, "", err
			}
		}
		if got, _ := arr[0].(int64); got == 1 {
			s, _, _ := asString(arr[1], nil)
			v, err := q.vals.decode(s)
			return v, r, err
		}
		if len(arr) > 2 {
			continue // items may have come back
		}
		if !block {
			return zero, "", fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, ErrEmpty)
		}
		round, cancel := context.WithTimeout(ctx, maxBlock)
		reply, err := q.block(round, func(timeout string) backend.Cmd {
			return backend.Cmd{Name: []string{"BLMOVE"}, Keys: []string{q.list, rk}, Args: []string{"LEFT", "LEFT", timeout}}
		}, func(ctx context.Context, _ any) {
			// Cancelled after the item arrived: put it back at the head.
			_, _ = q.atomic(ctx, backend.Cmd{Name: []string{"LMOVE"}, Keys: []string{rk, q.list}, Args: []string{"LEFT", "LEFT"}},
				cmd("ZREM", []string{q.reserved}, string(r)))
		})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return zero, "", ctx.Err()
			}
			if round.Err() == nil {
				return zero, "", err
			}
			continue
		}
		s, ok, err := asString(reply, nil)
		if err != nil || !ok {
			continue
		}
		claimed, err := asInt(q.eval(ctx, scriptQueueClaim, true,
			[]string{q.reserved, rk, q.putWait, q.notFull}, string(r), vis, strconv.Itoa(chunkSize)))
		if err != nil {
			return zero, "", err
		}
		if claimed == 1 {
			v, err := q.vals.decode(s)
			return v, r, err
		}
		// Recovered before we could claim it: it is back in the queue.
	}
}

// recover puts back the items of expired reservations.
func (q *queueCore[T]) recover(ctx context.Context, ids []any) error {
	for _, id := range ids {
		s, _, _ := asString(id, nil)
		if _, err := q.eval(ctx, scriptQueueRecover, true, []string{q.list, q.reserved, q.reservation(Receipt(s))}, s); err != nil {
			return err
		}
	}
	return nil
}

func (q *queueCore[T]) ack(ctx context.Context, r Receipt) error {
	n, err := asInt(q.eval(ctx, scriptQueueAck, true, []string{q.reserved, q.reservation(r)}, string(r)))
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
