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
	scriptQueueGet       = loadScriptWith("queue_get", "queue_lib")
	scriptQueueTaskDone  = loadScript("queue_task_done")
	scriptQueueJoin      = loadScript("queue_join")
	scriptQueueRegister  = loadScript("queue_register")
	scriptQueueReserve   = loadScriptWith("queue_reserve", "queue_lib")
	scriptQueueClaim     = loadScriptWith("queue_claim", "queue_lib")
	scriptQueueFinishGet = loadScriptWith("queue_finish_get", "queue_lib")
	scriptQueueRecover   = loadScriptWith("queue_recover", "queue_lib")
	scriptQueueUnget     = loadScriptWith("queue_unget", "queue_lib")
	scriptQueueAck       = loadScript("queue_ack")
	scriptQueueDelete    = loadScript("queue_delete")
)

// putWaitTTL is how long a put blocked on a full queue stays registered
// as waiting without renewing; it renews every maxBlock.
const putWaitTTL = 3 * maxBlock

// wakeTTL is how long a wake-up for a put blocked on a full queue lasts if
// no put takes it (its put gave up).
const wakeTTL = "10000"

// registerMargin is how long a blocking take's registration outlives the
// start of its wait: longer than the wait (at most maxBlock), so that it
// cannot expire, and its item be recovered, before the step that follows
// the wait; but short, since it delays the recovery of an item whose taker
// died between the two.
const registerMargin = 2 * maxBlock

// WithMaxSize bounds a queue to n items (Python's maxsize): Put blocks and
// TryPut fails with ErrFull while the queue holds n or more. n <= 0 means
// unbounded, the default. The bound is a property of the handle, not
// stored in Redis: handles on the same key may use different bounds. Items
// that come back to the queue (taken by a wait whose context was
// cancelled, or reserved and not acknowledged in time) go back even when
// that takes the queue past its bound: dropping them would lose them.
func WithMaxSize(n int) Option { return func(o *options) { o.maxSize = max(n, 0) } }

// queueCore is the implementation shared by Queue, LifoQueue, SetQueue and
// LifoSetQueue: a Redis list whose head (index 0) is the next item to get,
// plus, for set queues, the set of queued items at key + "-set".
//
// Besides the list (and set) it uses auxiliary keys in the key's Cluster
// slot: the count of unfinished tasks, a list that wakes Join, two lists
// that wake puts blocked on a full queue (one element per waiting put, and
// the wake-ups gets move there from it), and, for Reserve and set queues'
// blocking gets, a sorted set of registrations with deadlines and, per
// registration, a parking list (an item a blocking command has just moved,
// not yet claimed) and a reservation list (a reserved item, until Ack).
type queueCore[T any] struct {
	object
	vals    coder[T]
	lifo    bool
	set     bool
	maxSize int

	list, setKey, unfinished, joined, putWait, notFull, reserved string

	// Built once for the hot paths: the one-key lists of the list and the
	// task count, and a plain queue's non-blocking take (see takeOne).
	listKeys, unfinishedKeys []string
	takeCmds                 []backend.Cmd
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
	q.listKeys, q.unfinishedKeys = []string{q.list}, []string{q.unfinished}
	q.takeCmds = append([]backend.Cmd{cmd("LPOP", q.listKeys)}, q.wakeCmds()...)
	return q
}

// wakeCmds wake one put waiting for space on a full queue, after a get
// that does not run a script: LMOVE of one waiting put's element to the
// list it waits on (a no-op when none waits), which must then expire if
// that put has gone.
func (q *queueCore[T]) wakeCmds() []backend.Cmd {
	return []backend.Cmd{
		{Name: []string{"LMOVE"}, Keys: []string{q.putWait, q.notFull}, Args: []string{"RIGHT", "LEFT"}},
		cmd("PEXPIRE", []string{q.notFull}, wakeTTL),
	}
}

// uncancelable returns ctx without its cancellation (see change), or ctx
// itself when nothing can cancel it.
func uncancelable(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
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
		ks = append(ks, q.setKey, q.reserved)
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
	return q.eval(uncancelable(ctx), s, true, ks, args...)
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

// push is the put of a plain queue with no bound to check, outside
// transactions: the push and the task count in one MULTI/EXEC, which costs
// the server a fraction of a script. A join token it makes stale is
// Join's to drop.
func (q *queueCore[T]) push(ctx context.Context, ss []string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c, err := q.cli()
	if err != nil {
		return 0, err
	}
	if c.b.Cluster() {
		if err := c.checkSlots([]string{q.list, q.unfinished}); err != nil {
			return 0, wrapErr(q.kind, q.key, err)
		}
	}
	name := nameRPUSH
	if q.lifo {
		name = nameLPUSH
	}
	n := strconv.Itoa(len(ss))
	ctx = uncancelable(ctx) // see change
	rs, err := c.b.Exec(ctx, []backend.Cmd{
		{Name: name, Keys: q.listKeys, Args: ss},
		{Name: nameINCRBY, Keys: q.unfinishedKeys, Args: []string{n}},
	})
	if err == nil && len(rs) == 2 {
		err = rs[0].Err
		if err != nil && rs[1].Err == nil {
			// EXEC does not stop at a failed command: the push failed (the
			// key holds another type) but the count went up. Undo it.
			_, _ = q.write(ctx, cmd("DECRBY", q.unfinishedKeys, n))
		}
	}
	if err != nil {
		return 0, wrapErr(q.kind, q.key, err)
	}
	return len(ss), nil
}

// Command names used on hot paths, shared so as not to allocate them.
var (
	nameRPUSH  = []string{"RPUSH"}
	nameLPUSH  = []string{"LPUSH"}
	nameINCRBY = []string{"INCRBY"}
)

// put puts the encoded items ss, all at once, waiting for room when block
// is true. It returns how many were added (set queues skip duplicates).
func (q *queueCore[T]) put(ctx context.Context, op string, ss []string, block bool) (int, error) {
	if len(ss) == 0 {
		return 0, nil
	}
	inTx := txFrom(ctx) != nil
	if !q.set && q.maxSize == 0 && !inTx {
		// In a Transaction the script is kept: a failed push stops it
		// before the count changes, which EXEC would not.
		n, err := q.push(ctx, ss)
		return n, q.fail(op, err)
	}
	if inTx || !block || q.maxSize == 0 {
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
			// A cancelled put took a wake-up: pass it on.
			_, _ = q.atomic(ctx, cmd("RPUSH", []string{q.notFull}, "1"), cmd("PEXPIRE", []string{q.notFull}, wakeTTL))
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
// When a set queue is empty, it recovers the items of expired registrations
// first (reservations not acknowledged in time, takes whose taker died),
// so that they do not wait for a Reserve: a consumer that only ever calls
// TryGet gets them too. (A plain queue's gets leave that to Reserve.)
func (q *queueCore[T]) take(ctx context.Context, n int) ([]any, error) {
	check := "0"
	if q.set {
		check = "1"
	}
	for {
		arr, err := asArray(q.change(ctx, scriptQueueGet, q.getKeys(), strconv.Itoa(n), strconv.Itoa(chunkSize), check))
		if err != nil || len(arr) != 1 {
			return arr, err
		}
		ids, ok := arr[0].([]any)
		if !ok {
			return arr, nil
		}
		if err := q.recover(ctx, ids); err != nil {
			return nil, err
		}
	}
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
	var arr []any
	var err error
	switch {
	case !block:
		arr, err = q.take(ctx, n)
	case !q.set && n == 1:
		// An item that is there comes from a native non-blocking take, on
		// the shared connection; only an empty queue needs a blocking
		// command and a connection of its own.
		if arr, err = q.takeOne(ctx); err == nil && len(arr) == 0 {
			arr, err = q.pop(ctx)
		}
	default:
		// Take what is there (a batch with the exact number of wake-ups
		// for waiting puts), and wait only when there is nothing.
		if arr, err = q.take(ctx, n); err == nil && len(arr) == 0 {
			if q.set {
				arr, err = q.parkAndTake(ctx, n)
			} else {
				arr, err = q.pop(ctx, n)
			}
		}
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
			return nil, cerr // as documented: ctx.Err() itself
		}
		return nil, q.fail(op, err)
	}
	return q.decodeItems(arr)
}

// takeOne is a plain queue's get of one item without waiting, in native
// commands in one pipeline: LPOP, then the wake-up of a put waiting for
// space (see pop). The LPOP is the change, atomic by itself; the wake-up
// that follows it is a notification, so no MULTI/EXEC is needed. It costs
// the server a fraction of queue_get.
func (q *queueCore[T]) takeOne(ctx context.Context) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rs, err := q.pipeline(uncancelable(ctx), q.takeCmds...)
	if err != nil || len(rs) == 0 { // len 0: queued in a Transaction
		return nil, err
	}
	if s, ok := rs[0].Val.(string); ok {
		return []any{s}, nil // taken, whatever the wake-up's fate
	}
	return nil, rs[0].Err
}

// pop is a plain queue's wait for an item, once a take found none: BLPOP
// (or BLMPOP for a batch of up to n[0]) followed, in the same pipeline and
// round trip, by the wake-up of one put waiting for space (LMOVE from the
// waiting puts, which does nothing when none waits). So the put that ends
// the wait wakes the get as it would wake a raw BLPOP. A get cancelled
// while its pipeline is on the server puts what it took back at the head.
func (q *queueCore[T]) pop(ctx context.Context, n ...int) ([]any, error) {
	for {
		rs, err := q.blockPipeline(ctx, func(timeout string) []backend.Cmd {
			take := backend.Cmd{Name: []string{"BLPOP"}, Keys: []string{q.list}, Args: []string{timeout}, Blocking: true}
			if len(n) > 0 {
				take = backend.Cmd{Name: []string{"BLMPOP", timeout, "1"}, Keys: []string{q.list}, Args: []string{"LEFT", "COUNT", strconv.Itoa(n[0])}, Blocking: true}
			}
			return append([]backend.Cmd{take}, q.wakeCmds()...)
		}, func(ctx context.Context, rs []backend.Result) {
			if items := popped(rs[0].Val); len(items) > 0 {
				slices.Reverse(items)
				_, _ = q.write(ctx, cmd("LPUSH", []string{q.list}, items...))
			}
		})
		if err != nil {
			return nil, err
		}
		// The item, if any, is taken whatever the wake-up's fate.
		if rs[0].Err != nil {
			return nil, rs[0].Err
		}
		if items := popped(rs[0].Val); len(items) > 0 {
			out := make([]any, len(items))
			for i, s := range items {
				out[i] = s
			}
			return out, nil
		}
	}
}

// A take is a set queue's blocking get, or a blocking Reserve: a pipeline
// of three commands, one round trip, that registers the take's id with a
// deadline, waits for the head item with BLMOVE into the id's parking
// list, and runs a script (finish) that completes the take: it moves the
// parked item on, and updates a set queue's set. A blocking command cannot
// update the set itself, and the registration makes sure that a parked
// item whose taker dies before finish goes back to the queue.
//
// The registration is sent in full (EVAL) so that it runs even on a server
// that has lost its script cache. finish is sent by hash; if the server
// does not have it (NOSCRIPT: the first use, a restart), the parked item
// waits under its registration while finish is sent again the ordinary way
// (falling back to EVAL, which caches it): one more round trip, once.

// takeRound runs one take round for id and returns finish's reply:
// {1, items...} when it took something, {0, expired ids...} otherwise.
// finishKeys and finishArgs are finish's KEYS and ARGV; undo gives back
// what finish took if ctx ends meanwhile.
func (q *queueCore[T]) takeRound(ctx context.Context, id string, finish *script, finishKeys, finishArgs []string, undo func(ctx context.Context, reply []any)) ([]any, error) {
	margin := strconv.FormatInt(registerMargin.Milliseconds(), 10)
	complete := func(ctx context.Context, r backend.Result) ([]any, error) {
		arr, err := asArray(r.Val, r.Err)
		if backend.IsServerError(err, "NOSCRIPT") {
			arr, err = asArray(q.eval(uncancelable(ctx), finish, true, finishKeys, finishArgs...))
		}
		if err != nil {
			// Whatever BLMOVE parked goes back to the queue now (or,
			// failing that, when the registration expires).
			_ = q.unpark(ctx, id)
		}
		return arr, err
	}
	rs, err := q.blockPipeline(ctx, func(timeout string) []backend.Cmd {
		return []backend.Cmd{
			scriptQueueRegister.cmd(false, []string{q.reserved}, []string{id, margin}),
			{Name: []string{"BLMOVE"}, Keys: []string{q.list, q.parking(id)}, Args: []string{"LEFT", "LEFT", timeout}, Blocking: true},
			finish.cmd(true, finishKeys, finishArgs),
		}
	}, func(ctx context.Context, rs []backend.Result) {
		if arr, err := complete(ctx, rs[2]); err == nil && took(arr) {
			undo(ctx, arr)
		}
	})
	if err != nil {
		return nil, err
	}
	arr, ferr := complete(ctx, rs[2])
	if took(arr) {
		return arr, nil // the item is in hand, whatever else failed
	}
	for _, err := range []error{rs[1].Err, rs[0].Err, ferr} {
		if err != nil {
			return nil, err
		}
	}
	if len(arr) == 0 {
		arr = []any{int64(0)}
	}
	return arr, nil
}

// took reports whether a take's reply ({1, items...} or {0, ids...}) holds
// items.
func took(reply []any) bool { return len(reply) > 1 && reply[0] == int64(1) }

// unpark puts back at the head what a take parked, and drops its
// registration; a parked item is still a set queue's member.
func (q *queueCore[T]) unpark(ctx context.Context, id string) error {
	_, err := q.atomic(uncancelable(ctx),
		backend.Cmd{Name: []string{"LMOVE"}, Keys: []string{q.parking(id), q.list}, Args: []string{"LEFT", "LEFT"}},
		cmd("ZREM", []string{q.reserved}, id))
	return err
}

// parkAndTake is a set queue's wait for up to n items, as a take:
// finish (queue_finish_get) takes the parked item and up to n-1 more from
// the head, and removes them from the set. A get whose ctx ends while its
// pipeline runs puts its items back (queue_unget).
func (q *queueCore[T]) parkAndTake(ctx context.Context, n int) ([]any, error) {
	id := string(newReceipt())
	ks := []string{q.parking(id), q.list, q.setKey, q.reserved, q.putWait, q.notFull}
	args := []string{id, strconv.Itoa(n), strconv.Itoa(chunkSize)}
	for {
		arr, err := q.takeRound(ctx, id, scriptQueueFinishGet, ks, args, func(ctx context.Context, arr []any) {
			items := make([]string, 0, len(arr)-1)
			for _, x := range arr[1:] {
				s, _, _ := asString(x, nil)
				items = append(items, s)
			}
			_, _ = q.eval(ctx, scriptQueueUnget, true, []string{q.list, q.setKey, q.unfinished, q.joined}, items...)
		})
		if err != nil {
			return nil, err
		}
		if took(arr) {
			return arr[1:], nil
		}
		if err := q.recover(ctx, arr[1:]); err != nil {
			return nil, err
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
// list to itself takes nothing); a token left by a count that went up
// again is dropped by queue_join before waiting.
func (q *queueCore[T]) join(ctx context.Context) error {
	if txFrom(ctx) != nil {
		return fmt.Errorf("hotredis: queue %q: Join cannot wait inside a transaction: %w", q.key, ErrInTransaction)
	}
	for {
		n, err := asInt(q.change(ctx, scriptQueueJoin, []string{q.unfinished, q.joined}))
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

// parking returns the key of the list into which a take's BLMOVE moves
// the item, before the take's finish claims it.
func (q *queueCore[T]) parking(id string) string {
	return keys.Aux(q.key, "parked:"+id)
}

func newReceipt() Receipt {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return Receipt(hex.EncodeToString(b[:]))
}

// reserve moves the head item into a list of its own and records a
// deadline for it; see Queue.Reserve. A set queue's item leaves the set
// as with Get. When the queue is empty, a blocking reserve waits as a take
// (see takeRound) whose finish is queue_claim.
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
	id, rk := string(r), q.reservation(r)
	vis := strconv.FormatInt(visibility.Milliseconds(), 10)
	var setKey []string
	if q.set {
		setKey = []string{q.setKey}
	}
	claimKeys := append([]string{q.parking(id), rk, q.reserved, q.list, q.putWait, q.notFull}, setKey...)
	reserveKeys := append([]string{q.list, q.reserved, rk, q.putWait, q.notFull}, setKey...)
	for {
		// Take what is there; wait only when there is nothing.
		arr, err := asArray(q.change(ctx, scriptQueueReserve, reserveKeys, id, vis))
		if err == nil && len(arr) == 1 && block {
			arr, err = q.takeRound(ctx, id, scriptQueueClaim, claimKeys, []string{id, vis}, func(ctx context.Context, _ []any) {
				_, _ = q.recoverOne(ctx, id, true) // the caller is gone: put the item back now
			})
		}
		if err != nil {
			return zero, "", q.fail(op, err)
		}
		if took(arr) {
			s, _, _ := asString(arr[1], nil)
			v, err := q.vals.decode(s)
			return v, r, err
		}
		if len(arr) > 1 {
			if err := q.recover(ctx, arr[1:]); err != nil {
				return zero, "", q.fail(op, err)
			}
			continue
		}
		if !block {
			return zero, "", fmt.Errorf("hotredis: queue %q: %s: %w", q.key, op, ErrEmpty)
		}
	}
}

// recover puts back the items of expired reservations and parkings.
func (q *queueCore[T]) recover(ctx context.Context, ids []any) error {
	for _, id := range ids {
		s, _, _ := asString(id, nil)
		if _, err := q.recoverOne(ctx, s, false); err != nil {
			return err
		}
	}
	return nil
}

// recoverOne runs queue_recover for id; force puts its item back even
// before the deadline.
func (q *queueCore[T]) recoverOne(ctx context.Context, id string, force bool) (int64, error) {
	ks := []string{q.list, q.reserved, q.parking(id), q.reservation(Receipt(id))}
	if q.set {
		ks = append(ks, q.setKey, q.unfinished, q.joined)
	}
	f := "0"
	if force {
		f = "1"
	}
	return asInt(q.change(ctx, scriptQueueRecover, ks, id, f))
}

// Delete removes the queue from Redis: its list (and a set queue's set),
// its auxiliary keys, and the lists of outstanding reservations and of
// takes under way, whose items go with it (their Ack then fails with
// ErrNotHeld). A large number of reservations is deleted in batches, the
// queue's own keys last. Inside a Transaction, Delete is queued as one DEL
// of the queue's own keys, which leaves outstanding reservations' lists
// behind (finding them takes a read): call it outside one to remove them.
// A Get or Reserve blocked on the queue meanwhile loses its registration:
// it still takes the next item put, but should its process die in the
// instant between taking and claiming it, that item is not recovered.
func (q *queueCore[T]) Delete(ctx context.Context) error {
	if txFrom(ctx) != nil {
		return q.object.Delete(ctx)
	}
	const batch = 500
	for {
		arr, err := asArray(q.read(ctx, cmd("ZRANGE", []string{q.reserved}, "0", strconv.Itoa(batch-1))))
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(arr))
		ks := make([]string, 0, 1+2*len(arr)+len(q.keys))
		ks = append(ks, q.reserved)
		for _, x := range arr {
			id, _, _ := asString(x, nil)
			ids = append(ids, id)
			ks = append(ks, q.reservation(Receipt(id)), q.parking(id))
		}
		for _, k := range q.keys {
			if k != q.reserved {
				ks = append(ks, k)
			}
		}
		more, err := asInt(q.eval(ctx, scriptQueueDelete, true, ks, ids...))
		if err != nil || more == 0 {
			return err
		}
	}
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
