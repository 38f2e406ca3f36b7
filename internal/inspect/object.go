// Package inspect tells what lives at a Redis key — which hotredis (or
// HOT Redis) type, from the key's Redis type and the auxiliary keys
// beside it — and reads what an operator needs to see: who holds a lock
// or semaphore and who waits, a queue's depth and reservations, a
// collection's size and a sample. It backs the hotredis command
// (cmd/hotredis) and works on any go-redis client: a single server, a
// Cluster or a Sentinel-managed primary.
//
// It only reads, and never touches the lists of a queue's reservations
// (their idle time is their age). What the library does not store (a
// semaphore's size, whether a queue is FIFO or LIFO, a barrier's parties)
// is reported as unknown, never guessed.
package inspect

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is what inspect recognized at a key.
type Kind string

const (
	KindNone      Kind = "none"      // nothing at the key or beside it
	KindLock      Kind = "lock"      // Lock or RLock
	KindSemaphore Kind = "semaphore" // Semaphore or BoundedSemaphore
	KindRWLock    Kind = "rwlock"    // RWLock: a semaphore of 2^50 permits
	KindLine      Kind = "lock-or-semaphore"
	KindQueue     Kind = "queue"    // Queue or LifoQueue
	KindSetQueue  Kind = "setqueue" // SetQueue or LifoSetQueue (HOT Redis layout)
	KindWaitGroup Kind = "waitgroup"
	KindBarrier   Kind = "barrier"
	KindOnce      Kind = "once"
	KindEvent     Kind = "event"
	KindLimiter   Kind = "limiter"
	KindList      Kind = "list"
	KindSet       Kind = "set"
	KindHash      Kind = "hash"   // Map, DefaultMap or Counter
	KindString    Kind = "string" // String, ImmutableString, Int or Float
	KindAux       Kind = "aux"    // an auxiliary key of another object
	KindForeign   Kind = "foreign"
)

// Object is what Inspect found at a key. Exactly one of the detail
// fields (Line, Queue, ...) is set for the kinds that have details.
type Object struct {
	Key  string `json:"key"`
	Kind Kind   `json:"kind"`
	// Types are the hotredis (or HOT Redis) types that store this
	// layout; several when the layout does not tell them apart.
	Types []string `json:"types,omitempty"`
	// RedisType is the TYPE of the key itself ("none" when only
	// auxiliary keys exist).
	RedisType string `json:"redis_type"`
	// Keys are the object's Redis keys that exist, the key first.
	Keys []string `json:"keys,omitempty"`
	// TTL is the key's time to live; nil when it has no expiry (or no
	// key).
	TTL *Millis `json:"ttl_ms,omitempty"`
	// Memory is MEMORY USAGE summed over Keys (0: unknown).
	Memory int64 `json:"memory_bytes,omitempty"`
	// Notes say what the layout leaves open, in plain words.
	Notes []string `json:"notes,omitempty"`

	Line      *Line      `json:"line,omitempty"`
	Queue     *Queue     `json:"queue,omitempty"`
	WaitGroup *WaitGroup `json:"waitgroup,omitempty"`
	Barrier   *Barrier   `json:"barrier,omitempty"`
	Once      *Once      `json:"once,omitempty"`
	Event     *Event     `json:"event,omitempty"`
	Limiter   *Limiter   `json:"limiter,omitempty"`
	Value     *Value     `json:"value,omitempty"`
	AuxOf     *AuxOf     `json:"aux_of,omitempty"`
}

// Millis is a duration that JSON shows in whole milliseconds.
type Millis time.Duration

// ms is n milliseconds, saturated at Duration's range (what a key holds
// may be any number).
func ms(n int64) Millis {
	const most = int64(math.MaxInt64 / time.Millisecond)
	return Millis(time.Duration(max(-most, min(n, most))) * time.Millisecond)
}

func msp(n int64) *Millis { m := ms(n); return &m }

// D returns m as a time.Duration.
func (m Millis) D() time.Duration { return time.Duration(m) }

func (m Millis) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, time.Duration(m).Milliseconds(), 10), nil
}

func (m *Millis) UnmarshalJSON(b []byte) error {
	n, err := strconv.ParseInt(string(b), 10, 64)
	*m = ms(n)
	return err
}

// Who is a holder or waiter: its handle id, and the host, process id and
// label (hotredis.WithLabel) that hotredis writes into the ids of lock and
// semaphore handles ("<random>|<host>|<pid>|<label>").
type Who struct {
	ID    string `json:"id"`
	Host  string `json:"host,omitempty"`
	PID   int    `json:"pid,omitempty"`
	Label string `json:"label,omitempty"`
}

// ParseWho reads a handle id. An id in another form (an older hotredis)
// is kept whole, with no host.
func ParseWho(id string) Who {
	w := Who{ID: id}
	parts := strings.Split(id, "|")
	if len(parts) != 4 {
		return w
	}
	pid, err := strconv.Atoi(parts[2])
	if err != nil {
		return w
	}
	w.Host, w.PID, w.Label = parts[1], pid, parts[3]
	return w
}

// Short is the random part of the id, shortened for people.
func (w Who) Short() string {
	s, _, _ := strings.Cut(w.ID, "|")
	if len(s) > 12 {
		s = s[:12] + "…"
	}
	return printable(s) // (an id is what the key holds: no escape sequences)
}

// Line is the state of a Lock, RLock, Semaphore, BoundedSemaphore or
// RWLock: who holds it, and its line of waiters, first first.
type Line struct {
	Held    bool     `json:"held"`
	Holders []Holder `json:"holders"`
	// MoreHolders are holders not listed (over the limit).
	MoreHolders int64 `json:"more_holders,omitempty"`
	// PermitsHeld is a semaphore's total of held permits; PermitsAdded
	// those added by over-release (Semaphore.Release beyond its holds).
	// A semaphore's size is not stored: it belongs to the handles.
	PermitsHeld  int64    `json:"permits_held,omitempty"`
	PermitsAdded int64    `json:"permits_added,omitempty"`
	Waiters      []Waiter `json:"waiters"`
	MoreWaiters  int64    `json:"more_waiters,omitempty"`
	// LastToken is the fencing counter: the latest token drawn (0 when
	// the counter has expired, an hour after its last use).
	LastToken int64 `json:"last_token,omitempty"`
}

// Holder is one handle's holding.
type Holder struct {
	Who
	Role    string `json:"role,omitempty"`    // an RWLock's "writer" or "reader"
	Permits int64  `json:"permits,omitempty"` // a semaphore's permits held
	Holds   int64  `json:"holds,omitempty"`   // a lock's holds (an RLock counts re-entries)
	// LeaseLeft is how long the lease has left; nil: no expiry.
	LeaseLeft *Millis `json:"lease_left_ms,omitempty"`
	// Token is the holding's fencing token (a semaphore's: its epoch,
	// the token that began it).
	Token int64 `json:"token"`
	// HeldFor is how long ago the holding began, read from its token,
	// which is in practice the server's time in µs when it began; nil
	// when the token is not a plausible time.
	HeldFor *Millis `json:"held_for_ms,omitempty"`
	// Expired: the lease ran out; the next call drops it.
	Expired bool `json:"expired,omitempty"`
	// Unconfirmed: granted to a waiter that has not confirmed it yet;
	// it keeps a short lease until it does.
	Unconfirmed bool `json:"unconfirmed,omitempty"`
}

// Waiter is one wait in line.
type Waiter struct {
	Who
	Position int    `json:"position"` // 1: next
	WaitID   string `json:"wait_id"`
	Role     string `json:"role,omitempty"`
	Permits  int64  `json:"permits,omitempty"`
	// Waited is how long it has been in line; nil when not recorded
	// (a waiter of an older hotredis).
	Waited *Millis `json:"waited_ms,omitempty"`
	// Lease is the lease it asked for.
	Lease Millis `json:"lease_ms"`
	// RegistrationLeft is how long its registration lasts unless its
	// process renews it (it does, every few hundred ms, while alive).
	RegistrationLeft Millis `json:"registration_left_ms"`
	// Gone: its registration ran out (its process died or stalls); the
	// next grant skips it.
	Gone bool `json:"gone,omitempty"`
}

// Queue is the state of a queue.
type Queue struct {
	Len int64 `json:"len"`
	// Head is a sample from the head: the next items to get.
	Head []string `json:"head,omitempty"`
	// Unfinished is the count of tasks put and not yet marked done
	// (TaskDone); Join waits for it to reach 0.
	Unfinished int64 `json:"unfinished"`
	// SetLen is the size of a set queue's key-set.
	SetLen *int64 `json:"set_len,omitempty"`
	// ReservationCount is how many takes hold items until acknowledged
	// (Reserve before Ack, or a Get whose acknowledgement is on its way);
	// Reservations lists the first ones, the soonest to expire first.
	ReservationCount int           `json:"reservation_count"`
	Reservations     []Reservation `json:"reservations"`
	// OldestAge is the age of the oldest reservation; nil when unknown.
	OldestAge *Millis `json:"oldest_reservation_age_ms,omitempty"`
	// WaitingTakers are blocked consumers: takes registered while they
	// wait for an item (Get, GetMany or Reserve on an empty queue).
	WaitingTakers int `json:"waiting_takers"`
	// ExpiredTakes are takes whose deadline passed: their items go back
	// to the head with the next take.
	ExpiredTakes int `json:"expired_takes,omitempty"`
	// PutsWaiting: puts wait for room in a bounded queue (one
	// registered in the last few seconds); how many is not recorded.
	PutsWaiting bool `json:"puts_waiting"`
	// MoreTakes are registrations not examined (over the limit).
	MoreTakes int64 `json:"more_takes,omitempty"`
}

// Reservation is one take that holds items.
type Reservation struct {
	ID string `json:"id"`
	// Age is how long ago it was taken, from its list's idle time (1 s
	// resolution); nil when the server cannot tell (an LFU policy).
	Age *Millis `json:"age_ms,omitempty"`
	// VisibilityLeft is how long until its items go back to the queue;
	// negative when overdue (the next take puts them back).
	VisibilityLeft Millis `json:"visibility_left_ms"`
}

// WaitGroup is the state of a WaitGroup.
type WaitGroup struct {
	Count int64 `json:"count"`
	// Lost counts members (started by Go) whose process died in this
	// round.
	Lost    int64    `json:"lost"`
	Members []Member `json:"members,omitempty"`
	// MoreMembers are members not listed (over the limit).
	MoreMembers int64 `json:"more_members,omitempty"`
}

// Member is a leased participant: a WaitGroup member or a Barrier waiter.
type Member struct {
	ID        string `json:"id"`
	LeaseLeft Millis `json:"lease_left_ms"`
	Expired   bool   `json:"expired,omitempty"`
}

// Barrier is the state of a Barrier. Its number of parties is not
// stored: it belongs to the handles.
type Barrier struct {
	Round    int64    `json:"round"`
	Arrived  int64    `json:"arrived"`
	Broken   bool     `json:"broken"`
	LastDone int64    `json:"last_done,omitempty"`
	Lost     []int64  `json:"lost_rounds,omitempty"`
	Waiters  []Member `json:"waiters,omitempty"`
	// MoreWaiters are waiters not listed (over the limit).
	MoreWaiters int64 `json:"more_waiters,omitempty"`
}

// Once is the state of a Once.
type Once struct {
	Done bool `json:"done"`
	// Runner is the id of the Do running it now, if any.
	Runner          string  `json:"runner,omitempty"`
	RunnerLeaseLeft *Millis `json:"runner_lease_left_ms,omitempty"`
	// LastRun is the outcome of the latest run announced (the wake stream
	// keeps it for a minute): "ok", "failed: <message>".
	LastRun string `json:"last_run,omitempty"`
}

// Event is the state of an Event.
type Event struct {
	Set bool `json:"set"`
}

// Limiter is the state of a Limiter's bucket. Its rate and burst are not
// stored: they belong to the handles.
type Limiter struct {
	// FullIn is how long until the bucket is full again if nothing more
	// is taken (0: full).
	FullIn Millis `json:"full_in_ms"`
}

// Value describes a plain collection or scalar.
type Value struct {
	// Size is the length: elements, fields, or bytes of a string.
	Size int64 `json:"size"`
	// Sample is a few elements (the first ones of a list; a scan's first
	// of a set, hash or sorted set), or a string's beginning.
	Sample []string `json:"sample,omitempty"`
	// Pairs is a hash's or sorted set's sample: field/member → value/score.
	Pairs [][2]string `json:"pairs,omitempty"`
	// Truncated: the sample is cut.
	Truncated bool `json:"truncated,omitempty"`
}

// AuxOf says which object an auxiliary key belongs to.
type AuxOf struct {
	Key  string `json:"key"`
	Role string `json:"role"`
}
