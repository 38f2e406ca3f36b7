package hotredis

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// blockPipeline is block (blocking.go) for a pipeline that holds a blocking
// command (BLPOP, BLMOVE, ..., marked Blocking by mk), for one round: the
// commands after it wait in the connection's queue and run on the server
// right after it, so a blocking take and the step that completes it (a
// wake-up, a claim) cost one round trip. mk gets the server-side timeout in
// seconds, at most maxBlock and ending at ctx's deadline; a round that
// times out returns the pipeline's replies like any other, for the caller
// to try again.
//
// As in block, the pipeline never carries ctx: when ctx is cancelled early,
// blockPipeline returns ctx.Err() at once while the pipeline finishes in
// the background, and giveBack (when not nil) gets its replies to undo
// whatever it took. Client.Close waits for outstanding give-backs.
func (o *object) blockPipeline(ctx context.Context, mk func(timeout string) []backend.Cmd, giveBack func(ctx context.Context, rs []backend.Result)) ([]backend.Result, error) {
	c, err := o.cli()
	if err != nil {
		return nil, err
	}
	if txFrom(ctx) != nil {
		return nil, ErrInTransaction
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	wait := maxBlock
	if dl, ok := ctx.Deadline(); ok {
		rem := time.Until(dl)
		if rem < time.Millisecond {
			return nil, context.DeadlineExceeded
		}
		wait = min(wait, rem)
	}
	cmds := mk(strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
	var ks []string
	for _, cmd := range cmds {
		ks = append(ks, cmd.Keys...)
	}
	if err := c.checkSlots(ks); err != nil {
		return nil, wrapErr(o.kind, o.key, err)
	}
	if err := c.begin(); err != nil {
		return nil, err
	}
	wrap := func(rs []backend.Result) []backend.Result {
		for i := range rs {
			rs[i].Err = wrapErr(o.kind, o.key, rs[i].Err)
		}
		return rs
	}
	bg := uncancelable(ctx)
	if ctx.Done() == nil {
		// Nothing can cancel the wait: no need for a goroutine, whose
		// hand-off would add to the latency.
		defer c.end()
		return wrap(c.b.DoMulti(bg, cmds)), nil
	}
	done := make(chan []backend.Result, 1)
	go func() { done <- c.b.DoMulti(bg, cmds) }()
	select {
	case rs := <-done:
		c.end()
		return wrap(rs), nil
	case <-ctx.Done():
		go func() {
			defer c.end()
			rs := <-done
			for _, r := range rs {
				var se *backend.ServerError
				if r.Err != nil && !errors.As(r.Err, &se) {
					lostReplies.Add(1)
					break
				}
			}
			if giveBack != nil {
				giveBack(bg, rs)
			}
		}()
		return nil, ctx.Err()
	}
}

// lostReplies counts the pipelines abandoned by blockPipeline whose reply
// was lost to a connection error: what their blocking command took, if
// anything, no give-back can return. Tests read it (export_test.go) to
// tell such a loss, which only Reserve/Ack can prevent, from a bug.
var lostReplies atomic.Int64

// pipeline sends cmds in one round trip, not as a transaction: each
// command is atomic by itself, and later ones must not depend on earlier
// ones having run. It saves MULTI/EXEC where only the first command is a
// change and the others are notifications. In a Transaction the commands
// are queued, as atomic does.
func (o *object) pipeline(ctx context.Context, cmds ...backend.Cmd) ([]backend.Result, error) {
	if txFrom(ctx) != nil {
		return o.atomic(ctx, cmds...)
	}
	c, err := o.cli()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.b.Cluster() {
		var ks []string
		for _, cmd := range cmds {
			ks = append(ks, cmd.Keys...)
		}
		if err := c.checkSlots(ks); err != nil {
			return nil, wrapErr(o.kind, o.key, err)
		}
	}
	rs := c.b.DoMulti(ctx, cmds)
	for i := range rs {
		rs[i].Err = wrapErr(o.kind, o.key, rs[i].Err)
	}
	return rs, nil
}
