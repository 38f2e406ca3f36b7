package hotredis

import (
	"context"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// tryAgainFor bounds how long a command refused with TRYAGAIN is sent
// again. Moving one slot's keys takes milliseconds; a slot left half-moved
// for longer (a stopped resharding) needs an operator.
const tryAgainFor = 10 * time.Second

// tryAgain sends again, after a short pause, the commands a Redis Cluster
// refuses with TRYAGAIN. While a slot moves to another master, a command
// on several of its keys (every script of an object with auxiliary keys,
// and MULTI/EXEC) is refused when some of its keys have moved and others
// not yet; the refused command did not run, so sending it again is safe,
// and it succeeds as soon as the keys are together again. Without this,
// resharding would surface as errors from ordinary calls. (Commands
// refused with ASK or MOVED are redirected by the client library itself.)
type tryAgain struct {
	backend.Backend
}

func isTryAgain(err error) bool { return backend.IsServerError(err, "TRYAGAIN") }

// again waits before the next attempt; it reports false when the caller
// should give up: ctx ended or tryAgainFor passed since start.
func again(ctx context.Context, start time.Time, wait *time.Duration) bool {
	if time.Since(start) > tryAgainFor {
		return false
	}
	t := time.NewTimer(*wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	*wait = min(2**wait, 100*time.Millisecond)
	return true
}

func (b tryAgain) Do(ctx context.Context, cmd backend.Cmd) (any, error) {
	v, err := b.Backend.Do(ctx, cmd)
	for start, wait := time.Now(), 2*time.Millisecond; isTryAgain(err) && again(ctx, start, &wait); {
		v, err = b.Backend.Do(ctx, cmd)
	}
	return v, err
}

func (b tryAgain) DoMulti(ctx context.Context, cmds []backend.Cmd) []backend.Result {
	rs := b.Backend.DoMulti(ctx, cmds)
	for i, r := range rs {
		if isTryAgain(r.Err) {
			rs[i].Val, rs[i].Err = b.Do(ctx, cmds[i])
		}
	}
	return rs
}

func (b tryAgain) Exec(ctx context.Context, cmds []backend.Cmd) ([]backend.Result, error) {
	// A refused command makes the whole MULTI/EXEC abort: nothing ran.
	rs, err := b.Backend.Exec(ctx, cmds)
	for start, wait := time.Now(), 2*time.Millisecond; isTryAgain(err) && again(ctx, start, &wait); {
		rs, err = b.Backend.Exec(ctx, cmds)
	}
	return rs, err
}

func (b tryAgain) Watch(ctx context.Context, keys []string, fn func(backend.Conn) error) error {
	// WATCH or the final EXEC refused: nothing was written, and fn (an
	// optimistic transaction) may run again by contract.
	err := b.Backend.Watch(ctx, keys, fn)
	for start, wait := time.Now(), 2*time.Millisecond; isTryAgain(err) && again(ctx, start, &wait); {
		err = b.Backend.Watch(ctx, keys, fn)
	}
	return err
}
