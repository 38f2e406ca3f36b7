package hotredis

import (
	"context"
	"time"
)

// Queue is a first-in, first-out queue of T stored as a Redis list at its
// key: HOT Redis's Queue, Python's queue.Queue, a buffered channel shared
// by any number of goroutines, processes and machines. Put appends at the
// tail (RPUSH) and Get takes the head (index 0), as HOT Redis does.
//
// A queue made WithMaxSize is bounded: Put waits while it is full. Waiting
// never polls: a blocked Get is woken by the Put itself (BLPOP) and a
// blocked Put by the Get that frees space, so a hand-off costs about one
// round trip. A wait whose context is cancelled never loses an item.
//
// Methods called with a Transaction's context are queued: TryPut, PutMany
// and Put do not wait (a full queue makes the commit fail with ErrFull),
// TryGet and GetMany return nothing, and Get, Join and Reserve fail with
// ErrInTransaction.
type Queue[T any] struct {
	queueCore[T]
}

// NewQueue returns a handle on the queue at key. It does no I/O; an empty
// key makes a new unique one (see Key). Options: WithMaxSize, WithClient,
// WithCodec.
func NewQueue[T any](key string, opts ...Option) *Queue[T] {
	return &Queue[T]{newQueueCore[T](key, false, false, opts)}
}

// Put adds v at the tail. On a bounded queue that is full it waits until a
// get frees space or ctx ends; then v is not added and ctx.Err() is
// returned.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	_, err := q.putOne(ctx, "Put", v, true)
	return err
}

// TryPut adds v at the tail, or returns ErrFull at once when a bounded
// queue is full.
func (q *Queue[T]) TryPut(ctx context.Context, v T) error {
	_, err := q.putOne(ctx, "TryPut", v, false)
	return err
}

// PutMany adds vs at the tail, in order, all in one atomic step and one
// round trip. On a bounded queue it waits until there is room for all of
// them at once; more items than the maximum size is ErrFull at once.
func (q *Queue[T]) PutMany(ctx context.Context, vs ...T) error {
	_, err := q.putMany(ctx, vs)
	return err
}

// Get removes and returns the head item, waiting until there is one or ctx
// ends (then it returns ctx.Err() and no item is taken). An item that
// cannot be decoded into T is removed and reported as a *DecodeError
// (ErrDecode) that carries its raw value.
func (q *Queue[T]) Get(ctx context.Context) (T, error) {
	return q.getOne(ctx, "Get", true)
}

// TryGet removes and returns the head item, or returns ErrEmpty at once.
func (q *Queue[T]) TryGet(ctx context.Context) (T, error) {
	return q.getOne(ctx, "TryGet", false)
}

// GetMany removes and returns up to n items from the head, in queue order,
// in one atomic step. It waits until there is at least one item or ctx
// ends; n <= 0 returns none at once. If items cannot be decoded, the others
// are returned with the first one's *DecodeError.
func (q *Queue[T]) GetMany(ctx context.Context, n int) ([]T, error) {
	return q.get(ctx, "GetMany", n, true)
}

// Len returns the number of items queued (Python's qsize), not counting
// reserved items.
func (q *Queue[T]) Len(ctx context.Context) (int, error) { return q.len(ctx) }

// Empty reports whether the queue holds no items.
func (q *Queue[T]) Empty(ctx context.Context) (bool, error) {
	n, err := q.len(ctx)
	return n == 0, err
}

// Full reports whether a bounded queue holds its maximum size or more; an
// unbounded queue is never full.
func (q *Queue[T]) Full(ctx context.Context) (bool, error) { return q.full(ctx) }

// MaxSize returns the handle's bound, 0 when unbounded.
func (q *Queue[T]) MaxSize() int { return q.maxSize }

// TaskDone tells the queue that a task taken from it is complete (Python's
// task_done). Every item added by a put counts as an unfinished task until
// a TaskDone; the count is kept in Redis, so any process may call it.
// Calling it more times than items were put returns ErrTooManyTaskDone.
func (q *Queue[T]) TaskDone(ctx context.Context) error { return q.taskDone(ctx) }

// Join waits until every item ever put has been marked done with TaskDone,
// or ctx ends. It is woken by the last TaskDone, without polling.
func (q *Queue[T]) Join(ctx context.Context) error { return q.join(ctx) }

// Unfinished returns the number of tasks put and not yet marked done
// (Python's unfinished_tasks).
func (q *Queue[T]) Unfinished(ctx context.Context) (int, error) { return q.unfinishedTasks(ctx) }

// Reserve takes the head item for reliable processing, waiting until there
// is one or ctx ends. The item moves, atomically, to a list of its own
// where it stays until Ack. If Ack does not come within visibility (the
// consumer crashed, or is too slow), the item goes back to the head of the
// queue, to be delivered again: delivery is at-least-once, so processing
// should be idempotent. Expired reservations are put back by later
// Reserve calls on the queue, including ones blocked waiting.
//
// Reserve does not mark a task done; call TaskDone after a successful Ack
// if you use Join.
func (q *Queue[T]) Reserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, true)
}

// TryReserve is Reserve without waiting: ErrEmpty when the queue is empty.
func (q *Queue[T]) TryReserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, false)
}

// Ack confirms that the item reserved with r was processed: it is removed
// for good. If the reservation expired and the item was already put back
// in the queue, Ack returns ErrNotHeld (the item will be, or was, delivered
// again).
func (q *Queue[T]) Ack(ctx context.Context, r Receipt) error { return q.ack(ctx, r) }

// LifoQueue is a last-in, first-out queue (a stack) of T stored as a
// Redis list at its key: HOT Redis's LifoQueue, Python's queue.LifoQueue.
// Put pushes at the head (LPUSH) and Get takes the head, so the list is
// stored newest first. It is LIFO on every path, bounded or not (HOT
// Redis's bounded LifoQueue is FIFO), with one exception: an item that a
// cancelled wait took goes back on top, above any item put meanwhile,
// since nothing on the server records where it stood.
//
// A queue made WithMaxSize is bounded: Put waits while it is full. Waiting
// never polls: a blocked Get is woken by the Put itself (BLPOP) and a
// blocked Put by the Get that frees space, so a hand-off costs about one
// round trip. A wait whose context is cancelled never loses an item.
//
// Methods called with a Transaction's context are queued: TryPut, PutMany
// and Put do not wait (a full queue makes the commit fail with ErrFull),
// TryGet and GetMany return nothing, and Get, Join and Reserve fail with
// ErrInTransaction.
type LifoQueue[T any] struct {
	queueCore[T]
}

// NewLifoQueue returns a handle on the queue at key. It does no I/O; an empty
// key makes a new unique one (see Key). Options: WithMaxSize, WithClient,
// WithCodec.
func NewLifoQueue[T any](key string, opts ...Option) *LifoQueue[T] {
	return &LifoQueue[T]{newQueueCore[T](key, true, false, opts)}
}

// Put adds v on top. On a bounded queue that is full it waits until a
// get frees space or ctx ends; then v is not added and ctx.Err() is
// returned.
func (q *LifoQueue[T]) Put(ctx context.Context, v T) error {
	_, err := q.putOne(ctx, "Put", v, true)
	return err
}

// TryPut adds v on top, or returns ErrFull at once when a bounded
// queue is full.
func (q *LifoQueue[T]) TryPut(ctx context.Context, v T) error {
	_, err := q.putOne(ctx, "TryPut", v, false)
	return err
}

// PutMany adds vs on top, in order (the last of vs ends on top), all in one
// atomic step and one round trip. On a bounded queue it waits until there
// is room for all of them at once; more items than the maximum size is
// ErrFull at once.
func (q *LifoQueue[T]) PutMany(ctx context.Context, vs ...T) error {
	_, err := q.putMany(ctx, vs)
	return err
}

// Get removes and returns the top item (the newest), waiting until there
// is one or ctx ends (then it returns ctx.Err() and no item is taken). An
// item that cannot be decoded into T is removed and reported as a
// *DecodeError (ErrDecode) that carries its raw value.
func (q *LifoQueue[T]) Get(ctx context.Context) (T, error) {
	return q.getOne(ctx, "Get", true)
}

// TryGet removes and returns the top item, or returns ErrEmpty at once.
func (q *LifoQueue[T]) TryGet(ctx context.Context) (T, error) {
	return q.getOne(ctx, "TryGet", false)
}

// GetMany removes and returns up to n items from the top, newest first,
// in one atomic step. It waits until there is at least one item or ctx
// ends; n <= 0 returns none at once. If items cannot be decoded, the others
// are returned with the first one's *DecodeError.
func (q *LifoQueue[T]) GetMany(ctx context.Context, n int) ([]T, error) {
	return q.get(ctx, "GetMany", n, true)
}

// Len returns the number of items queued (Python's qsize), not counting
// reserved items.
func (q *LifoQueue[T]) Len(ctx context.Context) (int, error) { return q.len(ctx) }

// Empty reports whether the queue holds no items.
func (q *LifoQueue[T]) Empty(ctx context.Context) (bool, error) {
	n, err := q.len(ctx)
	return n == 0, err
}

// Full reports whether a bounded queue holds its maximum size or more; an
// unbounded queue is never full.
func (q *LifoQueue[T]) Full(ctx context.Context) (bool, error) { return q.full(ctx) }

// MaxSize returns the handle's bound, 0 when unbounded.
func (q *LifoQueue[T]) MaxSize() int { return q.maxSize }

// TaskDone tells the queue that a task taken from it is complete (Python's
// task_done). Every item added by a put counts as an unfinished task until
// a TaskDone; the count is kept in Redis, so any process may call it.
// Calling it more times than items were put returns ErrTooManyTaskDone.
func (q *LifoQueue[T]) TaskDone(ctx context.Context) error { return q.taskDone(ctx) }

// Join waits until every item ever put has been marked done with TaskDone,
// or ctx ends. It is woken by the last TaskDone, without polling.
func (q *LifoQueue[T]) Join(ctx context.Context) error { return q.join(ctx) }

// Unfinished returns the number of tasks put and not yet marked done
// (Python's unfinished_tasks).
func (q *LifoQueue[T]) Unfinished(ctx context.Context) (int, error) { return q.unfinishedTasks(ctx) }

// Reserve takes the top item for reliable processing, waiting until there
// is one or ctx ends. The item moves, atomically, to a list of its own
// where it stays until Ack. If Ack does not come within visibility (the
// consumer crashed, or is too slow), the item goes back on top of the
// queue, to be delivered again: delivery is at-least-once, so processing
// should be idempotent. Expired reservations are put back by later
// Reserve calls on the queue, including ones blocked waiting.
//
// Reserve does not mark a task done; call TaskDone after a successful Ack
// if you use Join.
func (q *LifoQueue[T]) Reserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, true)
}

// TryReserve is Reserve without waiting: ErrEmpty when the queue is empty.
func (q *LifoQueue[T]) TryReserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, false)
}

// Ack confirms that the item reserved with r was processed: it is removed
// for good. If the reservation expired and the item was already put back
// in the queue, Ack returns ErrNotHeld (the item will be, or was, delivered
// again).
func (q *LifoQueue[T]) Ack(ctx context.Context, r Receipt) error { return q.ack(ctx, r) }

// SetQueue is a first-in, first-out queue of T whose items are unique
// while queued: HOT Redis's SetQueue. It is stored as a Redis list at its
// key (Put appends at the tail, Get takes the head) plus, as HOT Redis
// does, a Redis set at key + "-set" holding exactly the queued items. Put
// and Get change the list and the set in one atomic step, so a full queue
// or a crash never leaves a member whose item is gone (HOT Redis's
// "ghost" members silently drop later puts of that item).
//
// On a Redis Cluster both keys must share a slot: name the queue with a
// hash tag, such as "{jobs}" (its set is then "{jobs}-set"). With an
// untagged key, every method that uses both keys (puts, gets, reserves)
// fails with ErrCrossSlot before anything is sent.
//
// A queue made WithMaxSize is bounded: Put waits while it is full. Waiting
// never polls: a blocked Get is woken by the Put itself (BLMOVE) and a
// blocked Put by the Get that frees space, so a hand-off costs about one
// round trip. A wait whose context is cancelled never loses an item.
//
// Methods called with a Transaction's context are queued: TryPut, PutMany
// and Put do not wait (a full queue makes the commit fail with ErrFull),
// TryGet and GetMany return nothing, and Get, Join and Reserve fail with
// ErrInTransaction.
type SetQueue[T any] struct {
	queueCore[T]
}

// NewSetQueue returns a handle on the queue at key. It does no I/O; an
// empty key makes a new unique one (see Key), with a hash tag. Options:
// WithMaxSize, WithClient, WithCodec.
func NewSetQueue[T any](key string, opts ...Option) *SetQueue[T] {
	return &SetQueue[T]{newQueueCore[T](key, false, true, opts)}
}

// Put adds v at the tail unless it is already queued, and reports whether it
// was added. An item already queued is ignored at once, even when the
// queue is full. Otherwise, on a bounded queue that is full, Put waits
// until a get frees space or ctx ends; then v is not added and ctx.Err()
// is returned.
func (q *SetQueue[T]) Put(ctx context.Context, v T) (bool, error) {
	return q.putOne(ctx, "Put", v, true)
}

// TryPut adds v at the tail unless it is already queued, and reports
// whether it was added; it returns ErrFull at once when v is new and a
// bounded queue is full.
func (q *SetQueue[T]) TryPut(ctx context.Context, v T) (bool, error) {
	return q.putOne(ctx, "TryPut", v, false)
}

// PutMany adds, at the tail and in order, the items of vs that are not
// already queued (repeats within vs count once), all in one atomic step and
// one round trip, and returns how many were added. On a bounded queue it
// waits until there is room for all the new items at once; more new items
// than the maximum size is ErrFull at once.
func (q *SetQueue[T]) PutMany(ctx context.Context, vs ...T) (int, error) {
	return q.putMany(ctx, vs)
}

// Get removes and returns the head item, waiting until there is one or ctx
// ends (then it returns ctx.Err() and no item is taken). An item that
// cannot be decoded into T is removed and reported as a *DecodeError
// (ErrDecode) that carries its raw value.
func (q *SetQueue[T]) Get(ctx context.Context) (T, error) {
	return q.getOne(ctx, "Get", true)
}

// TryGet removes and returns the head item, or returns ErrEmpty at once.
func (q *SetQueue[T]) TryGet(ctx context.Context) (T, error) {
	return q.getOne(ctx, "TryGet", false)
}

// GetMany removes and returns up to n items from the head, in queue order,
// in one atomic step. It waits until there is at least one item or ctx
// ends; n <= 0 returns none at once. If items cannot be decoded, the others
// are returned with the first one's *DecodeError.
func (q *SetQueue[T]) GetMany(ctx context.Context, n int) ([]T, error) {
	return q.get(ctx, "GetMany", n, true)
}

// Len returns the number of items queued (Python's qsize), not counting
// reserved items.
func (q *SetQueue[T]) Len(ctx context.Context) (int, error) { return q.len(ctx) }

// Empty reports whether the queue holds no items.
func (q *SetQueue[T]) Empty(ctx context.Context) (bool, error) {
	n, err := q.len(ctx)
	return n == 0, err
}

// Full reports whether a bounded queue holds its maximum size or more; an
// unbounded queue is never full.
func (q *SetQueue[T]) Full(ctx context.Context) (bool, error) { return q.full(ctx) }

// MaxSize returns the handle's bound, 0 when unbounded.
func (q *SetQueue[T]) MaxSize() int { return q.maxSize }

// TaskDone tells the queue that a task taken from it is complete (Python's
// task_done). Every item added by a put (not an ignored repeat) counts as
// an unfinished task until a TaskDone; the count is kept in Redis, so any
// process may call it. Calling it more times than items were put returns
// ErrTooManyTaskDone.
func (q *SetQueue[T]) TaskDone(ctx context.Context) error { return q.taskDone(ctx) }

// Join waits until every item ever put has been marked done with TaskDone,
// or ctx ends. It is woken by the last TaskDone, without polling.
func (q *SetQueue[T]) Join(ctx context.Context) error { return q.join(ctx) }

// Unfinished returns the number of tasks put and not yet marked done
// (Python's unfinished_tasks).
func (q *SetQueue[T]) Unfinished(ctx context.Context) (int, error) { return q.unfinishedTasks(ctx) }

// Contains reports whether v is queued (a member of the set at key-set); a
// reserved item is not.
func (q *SetQueue[T]) Contains(ctx context.Context, v T) (bool, error) { return q.contains(ctx, v) }

// Reserve takes the head item for reliable processing, waiting until there
// is one or ctx ends. The item moves, atomically, to a list of its own
// where it stays until Ack. If Ack does not come within visibility (the
// consumer crashed, or is too slow), the item goes back to the head of the
// queue, to be delivered again: delivery is at-least-once, so processing
// should be idempotent. Expired reservations are put back by later
// Reserve calls on the queue, including ones blocked waiting, and by Gets
// that find the queue empty.
//
// A reserved item is no longer queued, as after Get: it leaves the set,
// Contains reports false, and a Put of an equal item adds it. When a
// reservation expires, its item goes back to the queue and the set unless
// an equal item is queued by then; in that case the queued one stands for
// it, and the reserved one is dropped and counted as a done task (as a
// repeated Put is not a task).
//
// Reserve does not mark a task done; call TaskDone after a successful Ack
// if you use Join.
func (q *SetQueue[T]) Reserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, true)
}

// TryReserve is Reserve without waiting: ErrEmpty when the queue is empty.
func (q *SetQueue[T]) TryReserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, false)
}

// Ack confirms that the item reserved with r was processed: it is removed
// for good. If the reservation expired and the item was already put back
// in the queue (or dropped because an equal item was queued), Ack returns
// ErrNotHeld.
func (q *SetQueue[T]) Ack(ctx context.Context, r Receipt) error { return q.ack(ctx, r) }

// LifoSetQueue is a last-in, first-out queue of T whose items are unique
// while queued: HOT Redis's LifoSetQueue. It is stored as a Redis list at
// its key, newest first (Put pushes at the head, Get takes the head), plus
// a Redis set at key + "-set" holding exactly the queued items, changed in
// the same atomic step as the list.
//
// On a Redis Cluster both keys must share a slot: name the queue with a
// hash tag, such as "{jobs}" (its set is then "{jobs}-set"). With an
// untagged key, every method that uses both keys (puts, gets, reserves)
// fails with ErrCrossSlot before anything is sent.
//
// A queue made WithMaxSize is bounded: Put waits while it is full. Waiting
// never polls: a blocked Get is woken by the Put itself (BLMOVE) and a
// blocked Put by the Get that frees space, so a hand-off costs about one
// round trip. A wait whose context is cancelled never loses an item.
//
// Methods called with a Transaction's context are queued: TryPut, PutMany
// and Put do not wait (a full queue makes the commit fail with ErrFull),
// TryGet and GetMany return nothing, and Get, Join and Reserve fail with
// ErrInTransaction.
type LifoSetQueue[T any] struct {
	queueCore[T]
}

// NewLifoSetQueue returns a handle on the queue at key. It does no I/O; an
// empty key makes a new unique one (see Key), with a hash tag. Options:
// WithMaxSize, WithClient, WithCodec.
func NewLifoSetQueue[T any](key string, opts ...Option) *LifoSetQueue[T] {
	return &LifoSetQueue[T]{newQueueCore[T](key, true, true, opts)}
}

// Put adds v on top unless it is already queued, and reports whether it
// was added. An item already queued is ignored at once, even when the
// queue is full. Otherwise, on a bounded queue that is full, Put waits
// until a get frees space or ctx ends; then v is not added and ctx.Err()
// is returned.
func (q *LifoSetQueue[T]) Put(ctx context.Context, v T) (bool, error) {
	return q.putOne(ctx, "Put", v, true)
}

// TryPut adds v on top unless it is already queued, and reports whether it
// was added; it returns ErrFull at once when v is new and a bounded queue
// is full.
func (q *LifoSetQueue[T]) TryPut(ctx context.Context, v T) (bool, error) {
	return q.putOne(ctx, "TryPut", v, false)
}

// PutMany adds, on top and in order, the items of vs that are not already
// queued (repeats within vs count once), all in one atomic step and one
// round trip, and returns how many were added. On a bounded queue it waits
// until there is room for all the new items at once; more new items than
// the maximum size is ErrFull at once.
func (q *LifoSetQueue[T]) PutMany(ctx context.Context, vs ...T) (int, error) {
	return q.putMany(ctx, vs)
}

// Get removes and returns the top item (the newest), waiting until there
// is one or ctx ends (then it returns ctx.Err() and no item is taken). An
// item that cannot be decoded into T is removed and reported as a
// *DecodeError (ErrDecode) that carries its raw value.
func (q *LifoSetQueue[T]) Get(ctx context.Context) (T, error) {
	return q.getOne(ctx, "Get", true)
}

// TryGet removes and returns the top item, or returns ErrEmpty at once.
func (q *LifoSetQueue[T]) TryGet(ctx context.Context) (T, error) {
	return q.getOne(ctx, "TryGet", false)
}

// GetMany removes and returns up to n items from the top, newest first,
// in one atomic step. It waits until there is at least one item or ctx
// ends; n <= 0 returns none at once. If items cannot be decoded, the others
// are returned with the first one's *DecodeError.
func (q *LifoSetQueue[T]) GetMany(ctx context.Context, n int) ([]T, error) {
	return q.get(ctx, "GetMany", n, true)
}

// Len returns the number of items queued (Python's qsize), not counting
// reserved items.
func (q *LifoSetQueue[T]) Len(ctx context.Context) (int, error) { return q.len(ctx) }

// Empty reports whether the queue holds no items.
func (q *LifoSetQueue[T]) Empty(ctx context.Context) (bool, error) {
	n, err := q.len(ctx)
	return n == 0, err
}

// Full reports whether a bounded queue holds its maximum size or more; an
// unbounded queue is never full.
func (q *LifoSetQueue[T]) Full(ctx context.Context) (bool, error) { return q.full(ctx) }

// MaxSize returns the handle's bound, 0 when unbounded.
func (q *LifoSetQueue[T]) MaxSize() int { return q.maxSize }

// TaskDone tells the queue that a task taken from it is complete (Python's
// task_done). Every item added by a put (not an ignored repeat) counts as
// an unfinished task until a TaskDone; the count is kept in Redis, so any
// process may call it. Calling it more times than items were put returns
// ErrTooManyTaskDone.
func (q *LifoSetQueue[T]) TaskDone(ctx context.Context) error { return q.taskDone(ctx) }

// Join waits until every item ever put has been marked done with TaskDone,
// or ctx ends. It is woken by the last TaskDone, without polling.
func (q *LifoSetQueue[T]) Join(ctx context.Context) error { return q.join(ctx) }

// Unfinished returns the number of tasks put and not yet marked done
// (Python's unfinished_tasks).
func (q *LifoSetQueue[T]) Unfinished(ctx context.Context) (int, error) { return q.unfinishedTasks(ctx) }

// Contains reports whether v is queued (a member of the set at key-set); a
// reserved item is not.
func (q *LifoSetQueue[T]) Contains(ctx context.Context, v T) (bool, error) { return q.contains(ctx, v) }

// Reserve takes the top item for reliable processing, waiting until there
// is one or ctx ends. The item moves, atomically, to a list of its own
// where it stays until Ack. If Ack does not come within visibility (the
// consumer crashed, or is too slow), the item goes back on top of the
// queue, to be delivered again: delivery is at-least-once, so processing
// should be idempotent. Expired reservations are put back by later
// Reserve calls on the queue, including ones blocked waiting, and by Gets
// that find the queue empty.
//
// A reserved item is no longer queued, as after Get: it leaves the set,
// Contains reports false, and a Put of an equal item adds it. When a
// reservation expires, its item goes back to the queue and the set unless
// an equal item is queued by then; in that case the queued one stands for
// it, and the reserved one is dropped and counted as a done task (as a
// repeated Put is not a task).
//
// Reserve does not mark a task done; call TaskDone after a successful Ack
// if you use Join.
func (q *LifoSetQueue[T]) Reserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, true)
}

// TryReserve is Reserve without waiting: ErrEmpty when the queue is empty.
func (q *LifoSetQueue[T]) TryReserve(ctx context.Context, visibility time.Duration) (T, Receipt, error) {
	return q.reserve(ctx, visibility, false)
}

// Ack confirms that the item reserved with r was processed: it is removed
// for good. If the reservation expired and the item was already put back
// in the queue (or dropped because an equal item was queued), Ack returns
// ErrNotHeld.
func (q *LifoSetQueue[T]) Ack(ctx context.Context, r Receipt) error { return q.ack(ctx, r) }
