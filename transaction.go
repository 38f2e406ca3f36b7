package hotredis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// tx is the state of a Transaction or an optimistic transaction, carried
// in the context given to its function.
type tx struct {
	c    *Client
	conn backend.Conn // optimistic only: the pinned connection for reads

	mu      sync.Mutex
	over    bool // fn returned: the context queues and reads nothing more (errTxOver)
	cmds    []backend.Cmd
	watched []string // keys an optimistic transaction's reads watched
	slotKey string   // on a Cluster, a key of the optimistic one's slot
}

// inSlot checks, on a Cluster, that the keys ks of an optimistic
// transaction's command are in its slot: its connection is pinned to the
// node of its first keys (rueidis panics on a key of another slot). The
// caller holds t.mu.
func (t *tx) inSlot(ks []string) error {
	if t.conn == nil || !t.c.cluster {
		return nil // (a Transaction's commands are checked together at commit)
	}
	for _, k := range ks {
		if t.slotKey == "" {
			t.slotKey = k
		} else if keys.Slot(k) != keys.Slot(t.slotKey) {
			return crossSlot(t.slotKey, k)
		}
	}
	return nil
}

type txKey struct{}

func txFrom(ctx context.Context) *tx {
	t, _ := ctx.Value(txKey{}).(*tx)
	return t
}

// errTxOver is a call made with the context of a transaction whose
// function has returned: what it would queue would never be sent.
var errTxOver = fmt.Errorf("%w: the transaction of this context has ended (its function returned)", ErrInvalidArgument)

// run calls fn with a context of t, which is over once fn returns (or
// panics): see errTxOver.
func (t *tx) run(ctx context.Context, fn func(ctx context.Context) error) error {
	defer func() {
		t.mu.Lock()
		t.over = true
		t.mu.Unlock()
	}()
	return fn(context.WithValue(ctx, txKey{}, t))
}

func (t *tx) queue(c *Client, cmds ...backend.Cmd) error {
	if c != t.c {
		return errors.New("hotredis: object belongs to another client than the transaction")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.over {
		return errTxOver
	}
	for _, c := range cmds {
		if err := t.inSlot(c.Keys); err != nil {
			return err
		}
	}
	t.cmds = append(t.cmds, cmds...)
	return nil
}

// read inside a transaction: an error in a plain Transaction; in an
// optimistic one, WATCH the keys and read live on the pinned connection.
func (t *tx) read(c *Client, ctx context.Context, cmd backend.Cmd) (any, error) {
	if t.conn == nil {
		return nil, ErrInTransaction
	}
	if c != t.c {
		return nil, errors.New("hotredis: object belongs to another client than the transaction")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.over {
		return nil, errTxOver // (its connection went back to the pool)
	}
	if err := t.inSlot(cmd.Keys); err != nil {
		return nil, err
	}
	t.watched = append(t.watched, cmd.Keys...)
	if len(cmd.Keys) == 0 {
		r := t.conn.DoMulti(ctx, []backend.Cmd{cmd})
		return r[0].Val, r[0].Err
	}
	rs := t.conn.DoMulti(ctx, []backend.Cmd{{Name: []string{"WATCH"}, Keys: cmd.Keys}, cmd})
	if rs[0].Err != nil {
		return nil, rs[0].Err
	}
	return rs[1].Val, rs[1].Err
}

// Transaction runs fn on the default client; see Client.Transaction.
func Transaction(ctx context.Context, fn func(ctx context.Context) error) error {
	c, err := DefaultClient()
	if err != nil {
		return err
	}
	return c.Transaction(ctx, fn)
}

// Transaction runs fn and applies every write it makes with the context it
// is given all at once, in one MULTI/EXEC round trip, when fn returns nil.
// When fn returns an error or panics nothing is sent. Reads are not
// possible inside (their replies only exist after the commit): they return
// ErrInTransaction; use Optimistic to read and write. Writes return zero
// results inside. All objects must belong to c; on a Cluster all their keys
// must share a slot (ErrCrossSlot otherwise, before anything is sent).
//
// If a command fails inside EXEC (a wrong-type key, say), Redis has still
// applied the others; Transaction returns the first such error.
func (c *Client) Transaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil {
		return errors.New("hotredis: transactions cannot be nested")
	}
	if fn == nil {
		return fmt.Errorf("hotredis: transaction: %w: nil function", ErrInvalidArgument)
	}
	if err := c.ready(ctx, nil); err != nil {
		return err
	}
	t := &tx{c: c}
	if err := t.run(ctx, fn); err != nil {
		return err
	}
	return t.commit(ctx, c.exec)
}

func (t *tx) commit(ctx context.Context, exec func(context.Context, []backend.Cmd) ([]backend.Result, error)) error {
	t.mu.Lock()
	cmds, watched := t.cmds, t.watched
	t.mu.Unlock()
	if err := t.c.ready(ctx, nil); err != nil {
		return err // closed meanwhile: writes fn made may have failed unseen
	}
	if len(cmds) == 0 {
		if t.conn == nil || len(watched) == 0 {
			return nil
		}
		// A read-only optimistic transaction: its reads are one snapshot
		// only if no watched key changed meanwhile, which only EXEC
		// tells. (go-redis sends nothing for an empty MULTI/EXEC.)
		cmds = []backend.Cmd{cmd("EXISTS", watched[:1])}
	}
	if err := t.c.readyAll(ctx, cmds); err != nil {
		return err
	}
	for i := range cmds {
		cmds[i] = fullScript(cmds[i]) // EXEC cannot fall back to EVAL
	}
	rs, err := exec(ctx, cmds)
	if err != nil {
		if errors.Is(err, backend.ErrTxAborted) {
			return err
		}
		return fmt.Errorf("hotredis: transaction: %w", wrapServer(t.c.outcome(ctx, err, true)))
	}
	for i, r := range rs {
		if r.Err != nil {
			return fmt.Errorf("hotredis: transaction: command %d (%s): %w", i+1, describe(cmds[i]), wrapServer(r.Err))
		}
	}
	return nil
}

func describe(c backend.Cmd) string {
	name := c.Name[0]
	if len(c.Name) > 1 {
		if s := lua.NameOf(c.Name[1]); s != "" {
			name = "script " + s
		}
	}
	return strings.TrimSpace(name + " " + strings.Join(c.Keys, " "))
}

// wrapServer maps a Redis error reply to the matching sentinel, for errors
// that concern no single object.
func wrapServer(err error) error {
	if s := sentinelFor(err); s != nil {
		return fmt.Errorf("%w: %v", s, err)
	}
	return err
}

// Optimistic runs fn on the default client; see Client.Optimistic.
func Optimistic(ctx context.Context, fn func(ctx context.Context) error, watch ...Object) error {
	c, err := DefaultClient()
	if err != nil {
		return err
	}
	return c.Optimistic(ctx, fn, watch...)
}

// maxOptimisticAttempts bounds the retries of Optimistic.
const maxOptimisticAttempts = 20

// Optimistic runs fn as an optimistic transaction (WATCH/MULTI/EXEC): the
// keys of the watch objects, and of every object fn reads, are watched;
// reads made with fn's context are live; writes are queued and applied
// atomically when fn returns nil, but only if no watched key changed in the
// meantime. Otherwise fn runs again, after a short random backoff, up to 20
// times; then Optimistic returns ErrTxConflict. A commit that never
// reached the server (its connection was found lost) runs fn again too,
// on a new connection, while the client rides out an outage. fn must therefore have no
// side effects outside Redis. When fn returns an error, nothing is written
// and the error is returned. On a Cluster, pass at least one watch object
// and keep all keys in one slot.
func (c *Client) Optimistic(ctx context.Context, fn func(ctx context.Context) error, watch ...Object) error {
	if txFrom(ctx) != nil {
		return errors.New("hotredis: transactions cannot be nested")
	}
	if fn == nil {
		return fmt.Errorf("hotredis: optimistic transaction: %w: nil function", ErrInvalidArgument)
	}
	var ks []string
	for _, o := range watch {
		if isNil(o) {
			return fmt.Errorf("hotredis: optimistic transaction: %w: a nil object to watch", ErrInvalidArgument)
		}
		ks = append(ks, o.redisKeys()...)
	}
	if err := c.ready(ctx, ks); err != nil {
		return err
	}
	// The slot moving is handled here, with the same bound as do's
	// TRYAGAIN loop but counted from the first attempt.
	b := c.b
	backoff := time.Millisecond
	start := time.Now()
	ro := rideOut{c: c}
	for attempt := 0; attempt < maxOptimisticAttempts; attempt++ {
		err := b.Watch(ctx, ks, func(conn backend.Conn) error {
			t := &tx{c: c, conn: conn}
			if len(ks) > 0 {
				t.slotKey = ks[0]
			}
			if err := t.run(ctx, fn); err != nil {
				return userError{err}
			}
			return t.commit(ctx, conn.Exec)
		})
		var ue userError
		isUser := errors.As(err, &ue)
		switch {
		case err == nil:
			return nil
		case slotMoving(err) || isUser && slotMoving(ue.err):
			// The slot of the keys is moving to another master (its keys
			// split: TRYAGAIN; moved: MOVED or ASK, which the connection
			// an optimistic transaction holds cannot follow). Nothing was
			// written: try again, for as long as tryAgain would.
			if time.Since(start) > tryAgainFor {
				if isUser {
					return ue.err
				}
				return err
			}
			attempt-- // not a conflict
		case isUser:
			return ue.err
		case backend.NotSent(err) && ro.again(ctx, err) == nil:
			// The commit never went (its connection was lost before):
			// nothing was written, fn runs again on a new one.
			attempt-- // not a conflict
		case !errors.Is(err, backend.ErrTxAborted):
			// A refused WATCH (an ACL without the keys, say) comes
			// straight from the server: give it its sentinel.
			if s := sentinelFor(err); s != nil && !errors.Is(err, s) {
				return fmt.Errorf("hotredis: optimistic transaction: %w: %v", s, err)
			}
			return err
		}
		if !sleepCtx(ctx, backoff/2+rand.N(backoff)) {
			return ctx.Err()
		}
		backoff = min(2*backoff, 100*time.Millisecond)
	}
	return fmt.Errorf("%w: watched keys changed %d times in a row", ErrTxConflict, maxOptimisticAttempts)
}

// slotMoving reports whether err, from an optimistic attempt or from a
// read fn made in it (and returned), says the keys' slot is moving.
func slotMoving(err error) bool {
	for _, code := range []string{"TRYAGAIN", "MOVED", "ASK"} {
		if backend.IsServerError(err, code) {
			return true
		}
	}
	return false
}

// userError carries fn's own error through the backend unchanged.
type userError struct{ err error }

func (e userError) Error() string { return e.err.Error() }

// isNil reports whether o is nil or a nil pointer in an interface.
func isNil(o Object) bool {
	if o == nil {
		return true
	}
	v := reflect.ValueOf(o)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
