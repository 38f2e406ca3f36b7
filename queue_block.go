package hotredis

import (
	"context"
	"strconv"
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
	done := make(chan []backend.Result, 1)
	bg := context.WithoutCancel(ctx)
	go func() { done <- c.b.DoMulti(bg, cmds) }()
	select {
	case rs := <-done:
		c.end()
		for i := range rs {
			rs[i].Err = wrapErr(o.kind, o.key, rs[i].Err)
		}
		return rs, nil
	case <-ctx.Done():
		go func() {
			defer c.end()
			if rs := <-done; giveBack != nil {
				giveBack(bg, rs)
			}
		}()
		return nil, ctx.Err()
	}
}
