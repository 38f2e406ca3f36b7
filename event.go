package hotredis

import (
	"context"
	"time"

	"github.com/hotredis/hotredis/internal/lua"
)

// Event is a flag shared by every process that uses its key, with waiting
// for it to be set: Python's threading.Event across machines. Set wakes
// every Wait at once, also when a Clear follows straight after.
type Event struct{ object }

var (
	scriptEventState = lua.Load("event_state")
	scriptEventSet   = lua.Load("event_set")
	scriptEventClear = lua.Load("event_clear")
)

// NewEvent returns a handle on the Event at key. It does no I/O; an empty
// key makes a new unique one (see Key). Options: WithClient.
//
// The Event is stored as the string "1" at key while set (absent while
// clear), and a short-lived stream at "{key}:wake" on which Set announces
// itself to waiters.
func NewEvent(key string, opts ...Option) *Event {
	e := &Event{newObject("event", key, collect(opts), "wake")}
	e.ownExpiry(e.keys[1])
	return e
}

// Set sets the event and wakes every Wait, in every process. Setting a
// set event does nothing.
func (e *Event) Set(ctx context.Context) error {
	_, err := e.script(ctx, scriptEventSet, e.keys)
	return e.fail("Set", err)
}

// Clear clears the event, so that Wait blocks until the next Set. Waits
// woken by a Set before the Clear return all the same.
func (e *Event) Clear(ctx context.Context) error {
	_, err := e.script(ctx, scriptEventClear, e.keys[:1])
	return e.fail("Clear", err)
}

// IsSet reports whether the event is set.
func (e *Event) IsSet(ctx context.Context) (bool, error) {
	_, ok, err := scalarString(e.readScalar(ctx, cmd("GET", e.keys[:1])))
	return ok, e.fail("IsSet", err)
}

// Wait returns nil when the event is set, at once if it is set already,
// or as soon as a Set comes (even if a Clear follows it at once). If ctx
// ends first, Wait returns ctx's error; a Wait registers nothing in Redis,
// so it leaves nothing behind.
func (e *Event) Wait(ctx context.Context) (err error) {
	var since time.Time // the start of the wait, for an Observer
	defer func() { e.waited(ctx, "Wait", since, err) }()
	if err := e.noTx(ctx, "Wait"); err != nil {
		return err
	}
	// The stream's last entry when the wait began: an entry after it is
	// a Set that came during the wait, also one that came (with a Clear)
	// between a read of the stream that timed out and the next look.
	var last string
	ro := e.rideOut()
	for {
		r, err := asArray(e.script(ctx, scriptEventState, e.keys))
		if err == nil && len(r) < 2 {
			err = errReply
		}
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return e.ctxFail(ctx, "Wait", err)
		}
		if r[0] == int64(1) {
			return nil
		}
		if last == "" {
			last, _ = r[1].(string)
		}
		if since.IsZero() {
			since = time.Now()
		}
		es, _, err := e.awaitEntries(ctx, "Wait", e.keys[1], last, maxBlock)
		if err != nil {
			if err = ro.again(ctx, err); err == nil {
				continue
			}
			return e.ctxFail(ctx, "Wait", err)
		}
		ro.ok()
		if len(es) > 0 {
			return nil // a Set came after the read, whatever came since
		}
	}
}
