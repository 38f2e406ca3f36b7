// Package hotredis gives Go programs Redis-backed data types that behave
// like Go's built-in and standard-library types: lists, sets, maps,
// strings, integers, floats, queues, locks and semaphores. Each object
// lives in Redis under a key, so every goroutine, process and machine that
// uses the key shares it, and every change is atomic on the server (one
// command, one Lua script, or one MULTI/EXEC). It is the Go successor of
// the Python library HOT Redis: same types, same storage layout (Python
// and Go programs can share keys), without its defects.
//
//	list := hotredis.NewList[string]("foo") // a handle: no I/O yet
//	list.Append(ctx, "a", "b")             // RPUSH foo a b
//	ok, err := list.Contains(ctx, "b")     // LPOS, on the server
//
// # Types
//
//	HOT Redis        Go type            Redis layout                 Behaves like
//	List             List[T]            list                         slice, Python list
//	Set              Set[T]             set                          map[T]struct{}, Python set
//	Dict             Map[K, V]          hash                         map[K]V, Python dict
//	DefaultDict      DefaultMap[K, V]   hash                         collections.defaultdict
//	MultiSet         Counter[K]         hash (field → count)         collections.Counter
//	String           String             string                       a mutable string
//	ImmutableString  ImmutableString    string                       a read-only string
//	Int              Int                string (decimal)             atomic.Int64 with arithmetic
//	Float            Float              string (Python repr)         float64 with atomic arithmetic
//	Queue            Queue[T]           list                         queue.Queue, a buffered channel
//	LifoQueue        LifoQueue[T]       list                         queue.LifoQueue
//	SetQueue         SetQueue[T]        list + set at key-set        a Queue of unique items
//	LifoSetQueue     LifoSetQueue[T]    list + set at key-set        a LifoQueue of unique items
//	Lock             Lock               own layout                   sync.Mutex across machines
//	RLock            RLock              own layout                   threading.RLock
//	Semaphore        Semaphore          own layout                   x/sync/semaphore.Weighted
//	BoundedSemaphore BoundedSemaphore   own layout                   threading.BoundedSemaphore
//	—                RWLock             a semaphore's layout         sync.RWMutex across machines
//	—                WaitGroup          hash + members + stream      sync.WaitGroup, with leased members (Go)
//	—                Once               string + runner + stream     sync.Once across the fleet
//	—                Event              string + stream              threading.Event
//	—                Barrier            hash + waiters + stream      threading.Barrier
//	—                Limiter            string (GCRA time)           x/time/rate.Limiter across machines
//
// # Conventions
//
// NewX(key, opts...) returns a cheap handle and does no I/O; an empty key
// makes a unique one (Key tells it). Every method that talks to Redis takes
// a context.Context first. Every object has Key, Delete, Exists, Expire,
// TTL and Persist; for objects of several keys these act on all of them,
// but what expires on its own (a lease, a wake stream or token) keeps its
// expiry through both.
// Indexes follow Python: -1 is the last element, Slice clamps, Insert past
// the end appends.
//
// Values are stored as HOT Redis stores them, so Python can read them:
// strings and []byte as their bytes, integers in decimal, floats in
// Python's repr ("3.0", "0.1", "1e-07"), bool as True/False, types with
// MarshalText or MarshalBinary through those, anything else as JSON.
// WithCodec sets another codec. A stored value that cannot be decoded is a
// *DecodeError (ErrDecode) with the key and the raw value, never a panic
// or a silent zero.
//
// Errors wrap sentinels for errors.Is (ErrEmpty, ErrIndexOutOfRange,
// ErrWrongType, ErrCrossSlot, ErrInvalidArgument, ErrUnknownOutcome, ...)
// and name the object they concern. Invalid arguments are refused before
// anything is sent. After Client.Close every call is ErrClosed.
//
// # Big collections
//
// Nothing downloads a whole collection unless asked to (Values, Members,
// Items) but the Sort of a long list, which the client sorts in runs of up
// to 1M elements (see List.Sort); Index, Count, Contains, Insert, PopAt and
// set algebra run on the server, and All iterates a chunk at a time with
// constant client memory.
// Redis runs one command or script at a time, so a change too big for one
// short script (set algebra, Counter updates and List rewrites such as
// Reverse and Repeat over more than 4,000 elements) is rebuilt instead: the
// new value is built in a scratch key in the object's Cluster slot by
// bounded steps of a millisecond or so, while the key is WATCHed, and
// swapped in with one O(1) MULTI/EXEC that keeps the expiry. Other clients
// keep being served; readers see the old value or the new one, never a
// mix; a concurrent write makes the build start over, and after 3 aborted
// attempts a Set, Map or Counter change runs as one long script or
// MULTI/EXEC while a List or String rewrite fails with ErrTxConflict.
// Inside a transaction, where a change cannot be split, each change is one
// script (List Reverse, Repeat and SetSlice fail the commit beyond 100,000
// elements).
//
// # Queues
//
// A blocked Get is woken by the Put itself (BLMOVE), and a Put blocked on a
// full bounded queue (WithMaxSize) by the Get that frees space: waiting
// never polls. Every take is registered on the server with a deadline
// before its reply leaves: if the reply is lost (a cut connection, a stall
// past the caller's deadline, a killed process), the item goes back to the
// queue, at once when the caller is alive to say so, else once the
// registration runs out (10 seconds). A Get never loses an item, and
// delivers it once unless its acknowledgement (which rides with the
// client's next command to the queue, or goes on its own within 10 ms) is
// held up for longer than that. Reserve and Ack
// give at-least-once delivery across a crashed consumer, with a
// visibility timeout of your choice. TaskDone and Join follow Python.
//
// # Locks and semaphores
//
// Every holding is a lease that a watchdog (a timer) renews while its
// process lives (DefaultLease, or WithLease); when the process dies, the
// lease runs out and the lock or permits pass on. Lost is closed when a
// holder loses its lease. Every acquisition draws a fencing token (Token)
// greater than every earlier one of the same lock, for downstream systems
// to reject a stale holder.
//
// Waiters stand in a line kept in Redis, first come first served. A
// release hands what it frees to the first live waiters in the same
// script, and each waiter's Acquire returns holding it, woken on a stream
// of its own: a hand-off costs about one round trip, without polling or
// retries, and nobody can take the lock in between. While anyone waits,
// TryAcquire fails (no barging). A waiter whose process died leaves the
// line when its registration runs out, within its lease + 0.9 s; a lock
// handed to it meanwhile comes with a lease no longer than that. A live
// waiter cut off from Redis that long is passed over while it is away,
// and takes its place in line back when it returns.
//
// A handle is an owner: Release succeeds only on the handle that
// acquired. Goroutines may share a handle the way they share a sync.Mutex,
// or use one each; where holders may outlive their lease, give each its
// own handle and check Lost and the token. A key holding anything else,
// such as HOT Redis's list lock, gives ErrWrongType. Locks and semaphores
// cannot be used inside transactions (ErrInTransaction).
//
// # Coordination: RWLock, WaitGroup, Once, Event, Barrier, Limiter
//
// RWLock runs on the line-and-lease engine of locks and semaphores: a
// reader holds one of 2^50 permits, a writer all of them, so the line's
// first-come-first-served order keeps a waiting writer ahead of the
// readers that come after it, and readers waiting together enter
// together.
//
// WaitGroup, Once, Event and Barrier wake their waiters through a stream:
// a waiter reads the state and the stream's last entry in one script and
// then blocks in XREAD after it, so the change that frees it wakes it at
// once, in any process, and none is missed in between. A waiter registers
// nothing (Barrier's waiters excepted, which hold a lease), so a wait that
// gives up leaves nothing behind. What one process does for others holds
// a lease (WithLease): a WaitGroup member started by Go, a Once's run, a
// Barrier's waiter. When that process dies, the lease runs out and the
// member is counted done and lost (Wait returns ErrMemberLost), another
// caller runs the Once, or the Barrier's round breaks (ErrBrokenBarrier).
//
// Limiter keeps its bucket as one number in Redis (GCRA), moved by one
// script per decision on the server's clock: admitted counts are right
// whatever the processes' clocks say, and WaitN callers, which reserve
// their tokens and sleep until they are due, are admitted in the order
// they asked.
//
// # Guarantees under faults
//
// Every call returns by its context's deadline, even with the server or
// the network stalled. A change whose reply did not come back by then, or
// was lost with its connection, returns an error wrapping both
// ErrUnknownOutcome and the cause (the context's error, or the
// connection's): it may or may not have been applied. What can be undone
// is undone in the background, and then the error is the context's or the
// connection's alone (a lock granted to a caller that gave up is released,
// a taken item goes back, a Join leaves); a release whose outcome is unknown stops renewing, so
// the lease bounds it. A call that waits (Get, Acquire, Wait, Join, a
// full queue's Put) rides out a lost connection: it gives back what the
// lost round trip may have taken and waits on, on a new connection, while
// the server is out of reach for less than Options.MaxOutage (10 seconds
// by default). No script does unbounded work, whatever its arguments (the
// README lists the few steps that grow with an input). See the README for
// each operation's behaviour under a lost reply, a stall and a dead
// process, with measured figures.
//
// # Clients
//
// Configure sets the package's default client (REDIS_URL, or
// 127.0.0.1:6379, when nothing is configured); NewClient makes one for a
// single server, a Cluster (found from one or more Addrs) or Sentinel
// (MasterName), with
// ACL users and TLS; WrapGoRedis uses a go-redis client you already have.
// WithClient binds an object to a client. The default backend, rueidis,
// pipelines the commands of concurrent goroutines on shared connections.
//
// On a Redis Cluster, all keys of one object share a slot (the keys the
// library adds are tagged with the object's key). Operations across
// objects (set algebra between Sets, a transaction over several objects,
// a SetQueue's key and key-set) need their keys in one slot: give them a
// common hash tag, such as "{user42}:cart" and "{user42}:orders", or get
// ErrCrossSlot before anything is sent. Resharding is ridden out.
//
// # Transactions
//
// Transaction applies every write its function makes, all at once, in one
// MULTI/EXEC round trip, or none when the function returns an error;
// reads inside fail with ErrInTransaction. A command that fails inside
// EXEC (a wrong type, say) does not stop the others: Redis applies them,
// and Transaction returns the first error. Optimistic reads live, watching
// what it reads, and retries the function when a watched key changed
// before its writes commit; with no writes, it still confirms that its
// reads were one snapshot.
package hotredis
