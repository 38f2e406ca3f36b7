package hotredis

import (
	"context"
	"errors"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

func (l *line) engine() *line { return l }

// JoinLine puts a wait of l's handle (a Lock, RLock, Semaphore or
// BoundedSemaphore, for n) in line, as a blocked Acquire does, but never
// reads its grants; leave gives the wait up as a cancelled Acquire does.
// Tests use it to keep a grant unread.
func JoinLine(ctx context.Context, l interface{ engine() *line }, n int64) (leave func(context.Context), err error) {
	e := l.engine()
	w := newWait()
	ok, _, err := e.try(ctx, n, w.id, w)
	if err == nil && ok {
		err = errors.New("JoinLine: it was free")
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) {
		_, _ = e.script(ctx, e.kind.cancel, e.ks, e.cancelArgs(w.id, false)...)
	}, nil
}

// SetSortMem sets how many elements a long Sort sorts in memory at once
// (a run) and returns a function that restores it. Not for parallel tests.
func SetSortMem(n int64) (restore func()) {
	old := sortMem
	sortMem = n
	return func() { sortMem = old }
}

// SetScanSteps sets how many elements one LPOS step of List.Count and
// Index searches and how many matches it returns, and returns a function
// that restores them. Not for parallel tests.
func SetScanSteps(lpos, matches int64) (restore func()) {
	oldL, oldM := lposStep, scanMatches
	lposStep, scanMatches = lpos, matches
	return func() { lposStep, scanMatches = oldL, oldM }
}

// RebuildTries is how many rebuild attempts have started (see rebuild).
func RebuildTries() int64 { return rebuildTries.Load() }

// DuringRebuilds sets f to run after every step of a rebuild (nil: none).
func DuringRebuilds(f func()) {
	if f == nil {
		afterRebuildStep.Store(nil)
		return
	}
	afterRebuildStep.Store(&f)
}

// SetGetHold sets how long a Get's take stays registered before it is
// recovered (getHold), and returns a function that restores it.
func SetGetHold(d time.Duration) (restore func()) {
	old := getHold.Swap(int64(d))
	return func() { getHold.Store(old) }
}

// ReadAttempts is how many attempts stepwise snapshot reads of lists have
// made (see List.snapshot).
func ReadAttempts() int64 { return readAttempts.Load() }

// DuringReads sets f to run at the start of every attempt of a stepwise
// list read (nil: none).
func DuringReads(f func()) {
	if f == nil {
		afterFirstReadStep.Store(nil)
		return
	}
	afterFirstReadStep.Store(&f)
}

// GiveUpWait does what a Get whose wait's reply was lost does to its take
// id: the mode-2 recovery of undoTake, now.
func GiveUpWait[T any](ctx context.Context, q *Queue[T], id string) error {
	_, err := q.recoverOne(ctx, id, "2")
	return err
}

// TakeKeys returns the keys of q's take registrations and of the parking
// list of the take id, where its wait's BLMOVE parks an item.
func TakeKeys[T any](q *Queue[T], id string) (takes, parked string) {
	return q.k.takes, q.parked(id)
}

// HoldSteps makes the calls of h (a *Float or an *Int) that are combined
// (see combiner) wait to be, as when as many of its calls as go at once
// are on their way, until release ends those calls: what waits then goes
// in one combined call, and calls go alone again. It first waits for h's
// calls on their way to end (the last of them may send what waits).
func HoldSteps(h any) (release func()) {
	c, o := stepsOf(h)
	return c.hold(o)
}

// Steps returns how many of h's calls wait to be combined, and how many
// have gone in combined calls.
func Steps(h any) (waiting int, combined int64) {
	c, _ := stepsOf(h)
	return c.counts()
}

// stepsOf returns h's combiner and object, h a *Float or an *Int.
func stepsOf(h any) (interface {
	hold(*object) func()
	counts() (int, int64)
}, *object) {
	switch h := h.(type) {
	case *Float:
		return &h.steps, &h.object
	case *Int:
		return &h.steps, &h.object
	}
	panic("not a Float or an Int")
}

func (c *combiner[R]) hold(o *object) (release func()) {
	c.mu.Lock()
	for c.inFlight > 0 {
		c.mu.Unlock()
		time.Sleep(time.Millisecond)
		c.mu.Lock()
	}
	c.inFlight += combineAfter
	c.mu.Unlock()
	return func() {
		for range combineAfter {
			if next := c.finished(); next != nil {
				go c.run(o, next)
			}
		}
	}
}

func (c *combiner[R]) counts() (waiting int, combined int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiting), c.combined
}

// SetRideOutFor sets how long a blocking call goes on through lost
// connections, and returns a function that restores it. Not for parallel
// tests.
func SetRideOutFor(d time.Duration) (restore func()) {
	old := rideOutFor.Swap(int64(d))
	return func() { rideOutFor.Store(old) }
}

// SetConnTimeout sets the connection timeout of the clients NewClient
// makes from now on, for tests.
func SetConnTimeout(d time.Duration) (restore func()) {
	old := connTimeoutForTests.Swap(int64(d))
	return func() { connTimeoutForTests.Store(old) }
}

// PipelinedSliceRetries reads s[0:1] of the string at key twice in one
// pipeline, by the string_slice script's SHA, through c, and returns the
// slices and how many commands the pipeline sent again (as an Observer's
// OperationEnd.Retries counts them).
func PipelinedSliceRetries(ctx context.Context, c *Client, key string) ([]any, int32) {
	oc := &opCtx{Context: ctx}
	one := scriptStringSlice.Cmd(true, []string{key}, []string{"0", "1"})
	rs := c.doMulti(oc, []backend.Cmd{one, one})
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = r.Val
		if r.Err != nil {
			out[i] = r.Err
		}
	}
	return out, oc.retries.Load()
}

// SetListWalkMax sets how many elements one native command of List.Insert,
// PopAt and Remove may walk before they go in steps, and returns a
// function that restores it. Not for parallel tests.
func SetListWalkMax(n int) (restore func()) {
	old := listWalkMax
	listWalkMax = n
	return func() { listWalkMax = old }
}
