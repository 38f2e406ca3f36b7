package hotredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// The queue engine: every queue kind (FIFO or LIFO, plain or set) on
// strings; queueOf (queue.go) types it at the edge.
//
// A queue is a Redis list whose head (index 0) is the next item to get,
// plus, for set queues, the set of queued items at key + "-set". Its
// auxiliary keys share the key's Cluster slot: the count of unfinished
// tasks, a list that wakes Join, two lists that wake puts blocked on a full
// queue, and the registrations of takes (a sorted set: take id → deadline,
// server time), each with a list of its own for the items it took
// ("{key}:reserved:<id>") and one into which a blocking command parks an
// item before the take claims it ("{key}:parked:<id>").
//
// Every take is registered (see takeInto): Get, TryGet and GetMany move
// their items into the take's list, and acknowledge them as soon as the
// reply is in hand (the Client's acker sends the acknowledgement in the
// background); Reserve keeps them there until Ack. A take whose reply never
// arrives (a cut connection, a stall past the deadline, a killed process)
// is found by the first take after its deadline, which puts its items back
// at the head. A caller that gives up gives its items back at once.

var (
	scriptQueuePut       = lua.Load("queue_put")
	scriptQueueTake      = lua.Load("queue_take")
	scriptQueueClaim     = lua.Load("queue_claim")
	scriptQueueRegister  = lua.Load("queue_register")
	scriptQueueRecover   = lua.Load("queue_recover")
	scriptQueueTakeLists = lua.Load("queue_take_lists")
	scriptQueueAck       = lua.Load("queue_ack")
	scriptQueueTaskDone  = lua.Load("queue_task_done")
	scriptQueueJoin      = lua.Load("queue_join")
	scriptQueueDelete    = lua.Load("queue_delete")
)

// getHold is how long a Get's items stay registered to it: its
// acknowledgement, sent as soon as the reply arrives, has that long to
// reach Redis. A take whose reply is lost is put back after it. (A
// variable for tests: getHoldFor.)
var getHold = func() *atomic.Int64 {
	var d atomic.Int64
	d.Store(int64(10 * time.Second))
	return &d
}()

func getHoldFor() time.Duration { return time.Duration(getHold.Load()) }

const (
	// putWaitTTL is how long a put blocked on a full queue stays
	// registered as waiting without renewing; it renews every maxBlock.
	putWaitTTL = 3 * maxBlock
	// wakeTTL is how long (ms) a wake-up for a put blocked on a full
	// queue lasts if no put takes it (its put gave up).
	wakeTTL = "10000"
	// registerMargin is how long a blocking take's registration outlives
	// the start of its wait (at most maxBlock): long enough for the step
	// that follows the wait; short, since it delays the recovery of an
	// item whose taker died in between.
	registerMargin = 2 * maxBlock
	// maxTake bounds the items one take moves (GetMany), so that its
	// script stays short whatever n is.
	maxTake = 10 * chunkSize
	// maxPut bounds the items one put adds (PutMany), for the same
	// reason. Of 10,000 short items (SLOWLOG, the slowest of 5): a set
	// queue's put 23 ms (its SADD and the check of each item), a bounded
	// queue's 3 ms, an unbounded one's RPUSH 0.5 ms.
	maxPut = maxTake
)

// queueKeys are a queue's Redis keys.
type queueKeys struct {
	list, set, unfinished, joined, putWait, notFull, takes string
}

// queue is the engine of one queue handle.
type queue struct {
	object
	k       queueKeys
	lifo    bool
	set     bool
	maxSize int
	maxText string // maxSize, as queue_put takes it

	// Built once for the hot paths.
	putKeys, pushKeys, unfinishedKeys []string
	takenPrefix                       string // taken(id) is takenPrefix + id
}

func newQueue(key string, lifo, set bool, o options) queue {
	if key == "" && set {
		// A generated key carries a tag so that key-set shares its slot.
		key = "{" + keys.Random() + "}"
	}
	q := queue{lifo: lifo, set: set, maxSize: o.maxSize, maxText: strconv.Itoa(o.maxSize)}
	q.object = newObject("queue", key, o, "unfinished", "joined", "putwait", "notfull", "reserved")
	k := &q.k
	k.list = q.key
	k.unfinished, k.joined, k.putWait, k.notFull, k.takes = q.keys[1], q.keys[2], q.keys[3], q.keys[4], q.keys[5]
	if set {
		// HOT Redis's layout: the set is key + "-set", not a tagged
		// auxiliary key, so Python programs see the same set.
		k.set = q.key + "-set"
		q.keys = slices.Insert(q.keys, 1, k.set)
	}
	q.ownExpiry(k.joined, k.putWait, k.notFull) // (wake tokens)
	q.putKeys = q.withSet(k.list, k.unfinished, k.joined, k.putWait, k.notFull)
	q.pushKeys, q.unfinishedKeys = []string{k.list}, []string{k.unfinished}
	q.takenPrefix = keys.Aux(q.key, "reserved:")
	return q
}

// withSet returns ks, plus the set's key for a set queue.
func (q *queue) withSet(ks ...string) []string {
	if q.set {
		return append(ks, q.k.set)
	}
	return ks
}

// taken and parked are the lists of the take id (see the engine's doc).
func (q *queue) taken(id string) string  { return q.takenPrefix + id }
func (q *queue) parked(id string) string { return keys.Aux(q.key, "parked:"+id) }

// newTake returns a new take id and its list (taken), made in one
// allocation: the id is the list's tail.
func (q *queue) newTake() (id, list string) {
	list = newIDAfter(q.takenPrefix)
	return list[len(q.takenPrefix):], list
}

// fail names op in err and, on a set queue, explains a cross-slot error:
// the list and key-set must share a slot.
func (q *queue) fail(op string, err error) error {
	if q.set && errors.Is(err, ErrCrossSlot) {
		return q.invalidSlot(op)
	}
	return q.object.fail(op, err)
}

func (q *queue) invalidSlot(op string) error {
	return &objError{kind: q.kind, key: q.key, op: op, err: errors.Join(ErrCrossSlot,
		errors.New("a set queue also uses the key "+strconv.Quote(q.k.set)+
			", which must be in the same Cluster slot; name the queue with a hash tag, such as "+
			strconv.Quote("{"+q.key+"}")))}
}

// errFullNow reports a put that found no room and was registered as
// waiting.
var errFullNow = errors.New("full")

// put puts the encoded items ss, all at once, waiting for room when block
// is true. It returns how many were added (set queues skip duplicates).
func (q *queue) put(ctx context.Context, op string, ss []string, block bool) (int, error) {
	if len(ss) == 0 {
		return 0, q.none(ctx)
	}
	// A first try that does not wait: in a Transaction it is queued, and
	// a full queue makes the commit fail with ErrFull.
	n, err := q.tryPut(ctx, ss, false, "", "")
	if !block || !errors.Is(err, ErrFull) && !neverSent(ctx, err) { // (the loop rides that out)
		return n, q.fail(op, err)
	}
	var waiting time.Time // from the first time the queue was found full, for an Observer
	if errors.Is(err, ErrFull) {
		waiting = time.Now()
	}
	ro := q.rideOut()
	// wake is the wake-up the last wait took (space a get announced, see
	// queue_put), "" for none; id names this put in the wake-ups it
	// passes on.
	wake, id := "", ""
	for {
		// Each round registers the put as waiting (when the queue is
		// full) and then waits at most maxBlock for a get to announce
		// space, which renews the registration and covers a missed
		// wake-up.
		if wake != "" && id == "" {
			id = newID()
		}
		n, err := q.tryPut(ctx, ss, true, wake, id)
		if err != nil && !errors.Is(err, errFullNow) {
			if err = ro.againUnsent(ctx, err); err == nil {
				continue // a put never sent: the server was out of reach
			}
		}
		if !errors.Is(err, errFullNow) {
			if wake != "" && err != nil {
				// Woken, then gave up (ctx ended): the space it was told
				// of goes to the next put waiting. (When the try may
				// still run, it may pass the wake-up on too, or take the
				// space: one wake-up too many costs a waiting put one
				// try, and one too few a second's wait.)
				q.passWake(ctx, wake)
			}
			return n, q.waited(ctx, op, waiting, q.fail(op, err))
		}
		wake = "" // (the try used it: passed it on, or took it back)
		if waiting.IsZero() {
			waiting = time.Now()
		}
		// The wait checks first, in the same round trip, whether the items
		// fit now: space a get announced after the try went round the puts
		// then blocked, and, not used, was dropped (see queue_put's 'C').
		rs, err := q.wait(ctx, op, func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{
				scriptQueuePut.Cmd(true, q.putKeys, q.putArgs(ss, "C", "", "")),
				{Name: nameBLPOP, Keys: []string{q.k.notFull}, Args: []string{seconds(d)}, Blocking: true},
			}
		}, func(ctx context.Context, rs []backend.Result, err error) {
			if w := wakeUp(rs, err); w != "" { // a put that gave up took a wake-up: pass it on
				q.wakeNext(ctx, w)
			}
		})
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return 0, q.waited(ctx, op, waiting, q.fail(op, err))
		}
		ro.ok()
		wake = wakeUp(rs, nil)
	}
}

// wakeUp reads the wake-up a put's BLPOP (the wait's last command) took
// ("" for none; see queue_put).
func wakeUp(rs []backend.Result, err error) string {
	if err != nil || len(rs) == 0 || rs[len(rs)-1].Val == nil {
		return ""
	}
	if kv, ok := rs[len(rs)-1].Val.([]any); ok && len(kv) == 2 {
		if s, ok := kv[1].(string); ok && s != "" {
			return s
		}
	}
	return "1"
}

// wakeNext hands wake-up w (space a get announced) to the next put
// waiting, for a put that took it and gave up.
func (q *queue) wakeNext(ctx context.Context, w string) {
	_, _ = q.atomic(ctx, cmd("RPUSH", []string{q.k.notFull}, w), cmd("PEXPIRE", []string{q.k.notFull}, wakeTTL))
}

// passWake is wakeNext in the background, for a caller whose ctx ended.
func (q *queue) passWake(ctx context.Context, w string) {
	if cl, err := q.cli(); err == nil {
		cl.background(ctx, func(ctx context.Context) { q.wakeNext(ctx, w) })
	}
}

// Command names used on hot paths, shared so as not to allocate them.
var (
	nameBLPOP = []string{"BLPOP"}
	nameLLEN  = []string{"LLEN"}
)

// tryPut runs queue_put once. wait says whether a full queue should
// register the put as waiting (reply errFullNow) rather than fail with
// ErrFull; wake is the wake-up the put took before it (see put; "": none),
// which the script passes on, as put id's, when these items cannot use
// the space it announced but a smaller put might.
func (q *queue) tryPut(ctx context.Context, ss []string, wait bool, wake, id string) (int, error) {
	ttl := "0"
	if wait {
		ttl = ms(putWaitTTL)
	}
	n, err := asInt(q.script(ctx, scriptQueuePut, q.putKeys, q.putArgs(ss, ttl, wake, id)...))
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errFullNow
	}
	return int(n), nil
}

// putArgs is queue_put's ARGV for a put of ss (see tryPut), wait its
// ARGV[3].
func (q *queue) putArgs(ss []string, wait, wake, id string) []string {
	side := "R"
	if q.lifo {
		side = "L"
	}
	return append(append(make([]string, 0, 6+len(ss)), q.maxText, side, wait, chunkText, wake, id), ss...)
}

func (q *queue) len(ctx context.Context) (int, error) {
	n, err := scalarInt(q.readScalar(ctx, cmd("LLEN", q.pushKeys)))
	return int(n), err
}

func (q *queue) full(ctx context.Context) (bool, error) {
	if q.maxSize == 0 { // never full: no need to ask, but a closed client says so
		cl, err := q.cli()
		if err == nil {
			err = cl.ready(ctx, nil)
		}
		return false, err
	}
	n, err := q.len(ctx)
	return n >= q.maxSize, err
}

func (q *queue) unfinished(ctx context.Context) (int, error) {
	s, ok, err := scalarString(q.readScalar(ctx, cmd("GET", q.unfinishedKeys)))
	if err != nil || !ok {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, q.fail("Unfinished", errors.Join(errReply, errors.New("task count "+strconv.Quote(s))))
	}
	return n, nil
}

func (q *queue) taskDone(ctx context.Context) error {
	_, err := q.script(ctx, scriptQueueTaskDone, []string{q.k.unfinished, q.k.joined})
	return q.fail("TaskDone", err)
}

// join waits until the count of unfinished tasks is zero. The task that
// brings it to zero pushes a token that every waiter sees (BLMOVE from the
// list to itself takes nothing); a token left by a count that went up
// again is dropped by queue_join before waiting.
func (q *queue) join(ctx context.Context) error {
	if err := q.noTx(ctx, "Join"); err != nil {
		return err
	}
	var waiting time.Time // since the first wait
	ro := q.rideOut()
	for {
		n, err := asInt(q.script(ctx, scriptQueueJoin, []string{q.k.unfinished, q.k.joined}))
		if err != nil {
			// (queue_join only drops a stale token: running it twice is
			// one more round.)
			if err = ro.again(ctx, err); err == nil {
				continue
			}
		}
		if err != nil || n == 0 {
			return q.waited(ctx, "Join", waiting, q.fail("Join", err))
		}
		if waiting.IsZero() {
			waiting = time.Now()
		}
		if _, err := q.wait(ctx, "Join", func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{{Name: []string{"BLMOVE"}, Keys: []string{q.k.joined, q.k.joined}, Args: []string{"LEFT", "LEFT", seconds(d)}, Blocking: true}}
		}, nil); err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return q.waited(ctx, "Join", waiting, q.fail("Join", err))
		}
		ro.ok()
	}
}

// delete removes the queue and the lists of outstanding takes, a batch of
// registrations at a time, the queue's own keys last. In a Transaction it
// is queued as one DEL of the queue's own keys, which leaves the lists of
// outstanding takes behind (finding them takes a read).
func (q *queue) delete(ctx context.Context) error {
	const batch = 500
	for {
		arr, err := asArray(q.readPrimary(ctx, cmd("ZRANGE", []string{q.k.takes}, "0", strconv.Itoa(batch-1))))
		if errors.Is(err, ErrInTransaction) {
			return q.object.Delete(ctx)
		}
		if err != nil {
			return err
		}
		ids := stringsOf(arr)
		ks := make([]string, 0, 1+2*len(ids)+len(q.keys))
		ks = append(ks, q.k.takes)
		for _, id := range ids {
			ks = append(ks, q.taken(id), q.parked(id))
		}
		for _, k := range q.keys {
			if k != q.k.takes {
				ks = append(ks, k)
			}
		}
		more, err := asInt(q.script(ctx, scriptQueueDelete, ks, ids...))
		if err != nil || more == 0 {
			return err
		}
	}
}

// withTakes sends mk's command (PEXPIRE, PERSIST) for the lists of the
// queue's outstanding takes and reservations, which are not among its
// keys, then returns own (the same for its keys), then gives those lists
// and the takes' parking lists the registrations' expiry as it is now
// (queue_take_lists): a take that ran before own kept the queue's old
// state for its list, and another handle's Expire or Persist may have
// come meanwhile. Inside a transaction only own is queued.
func (q *queue) withTakes(ctx context.Context, op string, mk func(k string) backend.Cmd, own func() (bool, error)) (bool, error) {
	inTx, err := q.eachTakeBatch(ctx, func(ids []string) error {
		// (Not the parking keys: one may be a give-back's marker, a
		// string whose expiry is its own; the second pass reaches the
		// parking lists.)
		cmds := make([]backend.Cmd, 0, len(ids))
		for _, id := range ids {
			cmds = append(cmds, mk(q.taken(id)))
		}
		_, err := q.pipeline(ctx, cmds...)
		return err
	})
	if err != nil {
		return false, q.fail(op, err)
	}
	ok, err := own()
	if err != nil || inTx {
		return ok, err
	}
	if _, err := q.eachTakeBatch(ctx, func(ids []string) error {
		ks := make([]string, 0, 1+2*len(ids))
		ks = append(ks, q.k.takes)
		for _, id := range ids {
			ks = append(ks, q.taken(id), q.parked(id))
		}
		_, err := q.script(ctx, scriptQueueTakeLists, ks)
		return err
	}); err != nil {
		return ok, q.fail(op, err)
	}
	return ok, nil
}

// eachTakeBatch calls f with the ids of the queue's outstanding takes
// and reservations, a batch at a time. It reports whether ctx is a
// transaction's, where it calls nothing.
//
// It pages the registrations by deadline, not by index: an
// acknowledgement between two pages removes an earlier registration and
// would shift the next page past one never seen. A page starts at the
// last deadline seen, and skips the ids seen there. A take registered
// meanwhile below where the pages have come, or moved there (a blocking
// take's claim sets its deadline anew, earlier too), gave its list the
// queue's state itself (queue_lib's keepExpiry); only a claim sent twice
// could move one there without, in the moment of a second pass.
func (q *queue) eachTakeBatch(ctx context.Context, f func(ids []string) error) (inTx bool, _ error) {
	const batch = 500
	from := "-inf"
	atFrom := map[string]bool{} // the ids seen at deadline from
	for {
		n := batch + len(atFrom)
		arr, err := asArray(q.readPrimary(ctx, cmd("ZRANGE", []string{q.k.takes}, from, "+inf", "BYSCORE", "LIMIT", "0", strconv.Itoa(n), "WITHSCORES")))
		if errors.Is(err, ErrInTransaction) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		page, err := scoredMembers(arr)
		if err != nil {
			return false, err
		}
		ids := make([]string, 0, len(page))
		for _, m := range page {
			if !atFrom[m.member] {
				ids = append(ids, m.member)
			}
		}
		if len(ids) > 0 {
			if err := f(ids); err != nil {
				return false, err
			}
		}
		if len(page) < n {
			return false, nil
		}
		if last := page[len(page)-1].score; last != from {
			from = last
			clear(atFrom)
		}
		for _, m := range page {
			if m.score == from {
				atFrom[m.member] = true
			}
		}
	}
}

// scored is a sorted set's member with its score, as a command's
// argument.
type scored struct{ member, score string }

// scoredMembers reads a reply WITHSCORES: pairs under RESP3 (a double
// each), flat under RESP2 (a string each).
func scoredMembers(arr []any) ([]scored, error) {
	out := make([]scored, 0, len(arr))
	for i := 0; i < len(arr); i++ {
		m, s := arr[i], any(nil)
		if pair, ok := m.([]any); ok && len(pair) == 2 {
			m, s = pair[0], pair[1]
		} else if i+1 < len(arr) {
			i++
			s = arr[i]
		}
		member, ok, err := asString(m, nil)
		if err == nil && !ok {
			err = fmt.Errorf("%w: %T where a member was expected", errReply, m)
		}
		if err != nil {
			return nil, err
		}
		var score string
		switch x := s.(type) {
		case float64:
			score = strconv.FormatFloat(x, 'f', -1, 64)
		case string:
			score = x
		case int64:
			score = strconv.FormatInt(x, 10)
		default:
			return nil, fmt.Errorf("%w: %T where a score was expected", errReply, s)
		}
		out = append(out, scored{member, score})
	}
	return out, nil
}

func (q *queue) contains(ctx context.Context, s string) (bool, error) {
	n, err := scalarInt(q.readScalar(ctx, cmd("SISMEMBER", []string{q.k.set}, s)))
	return n == 1, q.fail("Contains", err)
}
