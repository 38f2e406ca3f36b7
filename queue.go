package hotredis

import (
	"context"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// Queue is a first-in, first-out queue of T stored as a Redis list at its
// key: HOT Redis's Queue, Python's queue.Queue, a buffered channel shared
// by every process that uses the key. Put appends at the tail (RPUSH) and
// Get takes the head (index 0). See the package documentation for
// blocking, bounds, tasks and what faults mean to a queue.
type Queue[T any] struct{ plainQueue[T] }

// LifoQueue is a last-in, first-out queue (a stack) of T stored as a Redis
// list at its key, newest first: HOT Redis's LifoQueue, Python's
// queue.LifoQueue. Put pushes at the head (LPUSH) and Get takes the head.
// It is LIFO on every path, bounded or not, except that items put back
// (given up by a caller, or recovered) go back on top, above items put
// meanwhile.
type LifoQueue[T any] struct{ plainQueue[T] }

// SetQueue is a Queue whose items are unique while queued: HOT Redis's
// SetQueue. Besides the list it keeps, as HOT Redis does, a Redis set at
// key + "-set" holding exactly the queued items, changed in the same
// atomic step as the list. On a Redis Cluster both keys must share a slot:
// name the queue with a hash tag, such as "{jobs}" (its set is then
// "{jobs}-set").
type SetQueue[T any] struct{ setQueueOf[T] }

// LifoSetQueue is a LifoQueue whose items are unique while queued: HOT
// Redis's LifoSetQueue, with the set at key + "-set" as for SetQueue.
type LifoSetQueue[T any] struct{ setQueueOf[T] }

// NewQueue returns a handle on the FIFO queue at key. It does no I/O; an
// empty key makes a new unique one (see Key). Options: WithMaxSize,
// WithClient, WithCodec.
func NewQueue[T any](key string, opts ...Option) *Queue[T] {
	return &Queue[T]{newPlainQueue[T](key, false, opts)}
}

// NewLifoQueue returns a handle on the LIFO queue at key, as NewQueue.
func NewLifoQueue[T any](key string, opts ...Option) *LifoQueue[T] {
	return &LifoQueue[T]{newPlainQueue[T](key, true, opts)}
}

// NewSetQueue returns a handle on the FIFO set queue at key, as NewQueue;
// an empty key makes a new one with a hash tag.
func NewSetQueue[T any](key string, opts ...Option) *SetQueue[T] {
	return &SetQueue[T]{newSetQueueOf[T](key, false, opts)}
}

// NewLifoSetQueue returns a handle on the LIFO set queue at key, as
// NewSetQueue.
func NewLifoSetQueue[T any](key string, opts ...Option) *LifoSetQueue[T] {
	return &LifoSetQueue[T]{newSetQueueOf[T](key, true, opts)}
}

// WithMaxSize bounds a queue to n items (Python's maxsize): Put blocks and
// TryPut fails with ErrFull while the queue holds n or more. n <= 0 means
// unbounded, the default. The bound is a property of the handle, not
// stored in Redis. Items that come back to the queue (given up by a caller,
// or whose reservation ran out) go back even past the bound: dropping them
// would lose them.
func WithMaxSize(n int) Option { return func(o *options) { o.maxSize = max(n, 0) } }

// A Receipt identifies an item taken with Reserve, for Ack. It is plain
// text, so it can be handed to another process.
type Receipt string

// queueOf is the typed edge of the queue engine: what every queue kind
// has, whatever its puts return.
type queueOf[T any] struct {
	queue
	vals coder[T]
}

func newQueueOf[T any](key string, lifo, set bool, opts []Option) queueOf[T] {
	o := collect(opts)
	q := queueOf[T]{queue: newQueue(key, lifo, set, o)}
	q.vals = newCoder[T](&q.object, o.codec)
	return q
}

// Get removes and returns the next item (the head of a FIFO queue, the top
// of a LIFO one), waiting until there is one or ctx ends: then it returns
// ctx's error and no item is taken. An item that cannot be decoded into T
// is removed and reported as a *DecodeError (ErrDecode) with its raw
// value. If Get's reply is lost (a cut connection, a stall past ctx's
// deadline), its item goes back to the queue: Get never loses an item.
// A lost connection does not end the wait: Get waits on (see the package
// doc's "Guarantees under faults").
func (q *queueOf[T]) Get(ctx context.Context) (T, error) {
	vs, err := q.getMany(ctx, "Get", 1, true)
	if err != nil {
		var zero T
		return zero, err
	}
	return vs[0], nil
}

// TryGet is Get without waiting: ErrEmpty when the queue is empty.
func (q *queueOf[T]) TryGet(ctx context.Context) (T, error) {
	vs, err := q.getMany(ctx, "TryGet", 1, false)
	if err != nil {
		var zero T
		return zero, err
	}
	return vs[0], nil
}

// GetMany removes and returns up to n items in the order Get would return
// them (at most 10,000 per call), in one atomic step. It waits until there
// is at least one or ctx ends; n <= 0 returns none at once. Items that
// cannot be decoded are removed, and the others returned with the first
// one's *DecodeError.
func (q *queueOf[T]) GetMany(ctx context.Context, n int) ([]T, error) {
	if n <= 0 {
		return []T{}, q.err
	}
	return q.getMany(ctx, "GetMany", n, true)
}

func (q *queueOf[T]) getMany(ctx context.Context, op string, n int, block bool) ([]T, error) {
	ss, err := q.get(ctx, op, n, block)
	if err != nil {
		return nil, err
	}
	return q.vals.decodeEach(ss)
}

// Len returns the number of items queued (Python's qsize), not counting
// items reserved or being taken.
func (q *queueOf[T]) Len(ctx context.Context) (int, error) { return q.len(ctx) }

// Empty reports whether the queue holds no items.
func (q *queueOf[T]) Empty(ctx context.Context) (bool, error) {
	n, err := q.len(ctx)
	return n == 0, err
}

// Full reports whether a bounded queue holds its maximum size or more; an
// unbounded queue is never full.
func (q *queueOf[T]) Full(ctx context.Context) (bool, error) { return q.full(ctx) }

// MaxSize returns the handle's bound, 0 when unbounded.
func (q *queueOf[T]) MaxSize() int { return q.maxSize }

// TaskDone tells the queue that a task taken from it is complete (Python's
// task_done). Every item a put added counts as an unfinished task until a
// TaskDone; the count is kept in Redis, so any process may call it.
// Calling it more times than items were put returns ErrTooManyTaskDone.
func (q *queueOf[T]) TaskDone(ctx context.Context) error { return q.taskDone(ctx) }

// Join waits until every item ever put has been marked done with TaskDone,
// or ctx ends. It is woken by the last TaskDone, without polling.
func (q *queueOf[T]) Join(ctx context.Context) error { return q.join(ctx) }

// Unfinished returns the number of tasks put and not yet marked done
// (Python's unfinished_tasks).
func (q *queueOf[T]) Unfinished(ctx context.Context) (int, error) { return q.unfinished(ctx) }

// Reserve takes the next item for reliable processing, waiting until there
// is one or ctx ends. The item moves, atomically, to a list of its own
// where it stays until Ack. If Ack does not come within visibility (the
// consumer died, or is too slow), the item goes back to the front of the
// queue, to be delivered again: delivery is at-least-once, so processing
// should be idempotent. (It goes back when a take from the queue looks:
// every take does first, and a Get or Reserve that waits does again each
// second.) A visibility under 1ms is ErrInvalidArgument.
//
// A reserved item of a set queue is no longer queued, as after Get: it
// leaves the set, and a Put of an equal item adds it. If its reservation
// runs out while an equal item is queued, the queued one stands for it and
// the reserved one is dropped, counted as a done task.
//
// Reserve does not mark a task done; call TaskDone after a successful Ack
// if you use Join.
func (q *queueOf[T]) Reserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserveOne(ctx, "Reserve", visibility, true)
}

// TryReserve is Reserve without waiting: ErrEmpty when the queue is empty.
func (q *queueOf[T]) TryReserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserveOne(ctx, "TryReserve", visibility, false)
}

func (q *queueOf[T]) reserveOne(ctx context.Context, op string, visibility time.Duration, block bool) (T, Receipt, error) {
	var zero T
	if q.err != nil {
		return zero, "", q.err
	}
	s, r, err := q.reserve(ctx, op, visibility, block)
	if err != nil {
		return zero, "", err
	}
	v, err := q.vals.decode(s)
	return v, r, err
}

// Ack confirms that the item reserved with r was processed: it is removed
// for good. If the reservation ran out and the item was put back (or, in a
// set queue, dropped for an equal queued item), Ack returns ErrNotHeld: the
// item will be, or was, delivered again. An Ack of a reservation acked
// already returns ErrNotHeld too (Redis keeps no trace of it): so does a
// second Ack after one that returned ErrUnknownOutcome but went through.
// Inside a Transaction the Ack is queued, with the transaction's writes
// (the result of the item's processing, say), and returns nil; a
// reservation gone by the commit makes the commit return ErrNotHeld, but
// the other writes are applied all the same (Redis transactions do not
// roll back) while the item is delivered again: make them idempotent.
func (q *queueOf[T]) Ack(ctx context.Context, r Receipt) error { return q.ackReserved(ctx, r) }

// Delete removes the queue from Redis: its list (and a set queue's set),
// its auxiliary keys, and the lists of outstanding takes and reservations,
// whose items go with it (their Ack then fails with ErrNotHeld). Inside a
// Transaction it is queued as one DEL of the queue's own keys, which
// leaves the lists of outstanding reservations behind.
func (q *queueOf[T]) Delete(ctx context.Context) error { return q.delete(ctx) }

// Expire makes the queue expire after ttl (at least a millisecond): its
// keys and the lists of its outstanding takes and reservations, whose
// items go with it. It reports whether it gave it an expiry. Inside a
// Transaction it is queued for the queue's own keys only, as Delete is.
//
// While tasks are unfinished the queue expires as a whole: a list that
// took empty goes with its expiry, but the count of unfinished tasks
// keeps it, and a list a later Put (or the recovery of a take) makes anew
// takes it back, so that the count never runs out before the items it
// counts; a count a Put makes anew onto a list that expires (after
// TaskDone was called for items still queued) takes the list's, so that
// it does not outlive them. Once every task is done and no item is left,
// the queue begins anew: what is put then has no expiry.
//
// A take made after Expire, before the queue is gone, takes the queue's
// expiry for its own (the registrations of takes too), in the same step,
// so that what a taker that dies leaves goes with the queue; takes made
// while Expire runs get it too.
func (q *queueOf[T]) Expire(ctx context.Context, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return q.object.Expire(ctx, ttl) // (refused)
	}
	ms := strconv.FormatInt(ttl.Milliseconds(), 10)
	return q.withTakes(ctx, "Expire", func(k string) backend.Cmd { return cmd("PEXPIRE", []string{k}, ms) },
		func() (bool, error) { return q.object.Expire(ctx, ttl) })
}

// Persist removes the queue's expiry, from its keys and the lists of its
// outstanding takes and reservations. It reports whether an expiry was
// removed from its keys. Inside a Transaction it is queued for the
// queue's own keys only, as Expire is: the lists of outstanding
// reservations keep their expiry, and one that runs out before its
// reservation's visibility loses its item.
func (q *queueOf[T]) Persist(ctx context.Context) (bool, error) {
	return q.withTakes(ctx, "Persist", func(k string) backend.Cmd { return cmd("PERSIST", []string{k}) },
		func() (bool, error) { return q.object.Persist(ctx) })
}

// plainQueue adds the puts of Queue and LifoQueue.
type plainQueue[T any] struct{ queueOf[T] }

func newPlainQueue[T any](key string, lifo bool, opts []Option) plainQueue[T] {
	return plainQueue[T]{newQueueOf[T](key, lifo, false, opts)}
}

// Put adds v (at the tail of a FIFO queue, on top of a LIFO one). On a
// bounded queue that is full it waits until a get frees space or ctx ends;
// then v is not added and ctx's error is returned.
func (q *plainQueue[T]) Put(ctx context.Context, v T) error {
	_, err := q.putValues(ctx, "Put", []T{v}, true)
	return err
}

// TryPut is Put without waiting: ErrFull when a bounded queue is full.
func (q *plainQueue[T]) TryPut(ctx context.Context, v T) error {
	_, err := q.putValues(ctx, "TryPut", []T{v}, false)
	return err
}

// PutMany adds vs in order, all in one atomic step and one round trip
// (on a LIFO queue the last of vs ends on top). On a bounded queue it
// waits until there is room for all of them at once; more items than the
// maximum size is ErrFull at once. More than 10,000 items is
// ErrInvalidArgument (one step must stay short): put them in parts.
func (q *plainQueue[T]) PutMany(ctx context.Context, vs ...T) error {
	_, err := q.putValues(ctx, "PutMany", vs, true)
	return err
}

func (q *queueOf[T]) putValues(ctx context.Context, op string, vs []T, block bool) (int, error) {
	if len(vs) > maxPut {
		return 0, q.invalid(op, "%d items: a call puts at most %d, in one step that must stay short; put them in parts", len(vs), maxPut)
	}
	ss, err := q.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	return q.put(ctx, op, ss, block)
}

// setQueueOf adds the puts of SetQueue and LifoSetQueue, which report
// what they added, and Contains.
type setQueueOf[T any] struct{ queueOf[T] }

func newSetQueueOf[T any](key string, lifo bool, opts []Option) setQueueOf[T] {
	return setQueueOf[T]{newQueueOf[T](key, lifo, true, opts)}
}

// Put adds v unless it is already queued, and reports whether it was
// added. An item already queued is ignored at once, even when the queue is
// full. Otherwise, on a bounded queue that is full, Put waits until a get
// frees space or ctx ends; then v is not added and ctx's error is
// returned.
func (q *setQueueOf[T]) Put(ctx context.Context, v T) (bool, error) {
	n, err := q.putValues(ctx, "Put", []T{v}, true)
	return n > 0, err
}

// TryPut is Put without waiting: ErrFull when v is new and a bounded queue
// is full.
func (q *setQueueOf[T]) TryPut(ctx context.Context, v T) (bool, error) {
	n, err := q.putValues(ctx, "TryPut", []T{v}, false)
	return n > 0, err
}

// PutMany adds, in order, the items of vs that are not already queued
// (repeats within vs count once), all in one atomic step and one round
// trip, and returns how many were added. On a bounded queue it waits until
// there is room for all the new items at once; more new items than the
// maximum size is ErrFull at once. More than 10,000 items is
// ErrInvalidArgument (one step must stay short): put them in parts.
func (q *setQueueOf[T]) PutMany(ctx context.Context, vs ...T) (int, error) {
	return q.putValues(ctx, "PutMany", vs, true)
}

// Contains reports whether v is queued (a member of the set at key-set);
// a reserved item is not.
func (q *setQueueOf[T]) Contains(ctx context.Context, v T) (bool, error) {
	s, err := q.vals.encode(v)
	if err != nil {
		return false, err
	}
	return q.contains(ctx, s)
}
