package hotredis

import (
	"context"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// maxBlock is the longest a blocking command waits on the server before
// it is sent again. It keeps every blocking call shorter than a wrapped
// go-redis client's read timeout and bounds how long a give-back can lag.
const maxBlock = time.Second

// block runs a blocking command (BLPOP, BLMOVE, ...) built by mk with a
// server-side timeout in seconds, until it returns a non-nil reply or ctx
// ends. The command itself never carries ctx: cancelling a blocking command
// by closing its connection could lose an item the server had already
// taken. Instead the server-side timeout follows ctx's deadline, and when
// ctx is cancelled early, block returns ctx.Err() at once while the
// command finishes in the background; if it then takes something,
// giveBack (when not nil) receives the reply to put it back. Client.Close
// waits for outstanding give-backs.
func (o *object) block(ctx context.Context, mk func(timeout string) backend.Cmd, giveBack func(ctx context.Context, reply any)) (any, error) {
	cl, err := o.cli()
	if err != nil {
		return nil, err
	}
	v, err := cl.block(ctx, mk, giveBack)
	return v, wrapErr(o.kind, o.key, err)
}

func (c *Client) block(ctx context.Context, mk func(timeout string) backend.Cmd, giveBack func(ctx context.Context, reply any)) (any, error) {
	if txFrom(ctx) != nil {
		return nil, ErrInTransaction
	}
	for {
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
		cmd := mk(strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		cmd.Blocking = true
		if err := c.checkSlots(cmd.Keys); err != nil {
			return nil, err
		}
		type result struct {
			v   any
			err error
		}
		done := make(chan result, 1)
		bg := context.WithoutCancel(ctx)
		if err := c.begin(); err != nil {
			return nil, err
		}
		go func() {
			v, err := c.b.Do(bg, cmd)
			done <- result{v, err}
		}()
		select {
		case r := <-done:
			c.end()
			if r.err != nil || r.v != nil {
				return r.v, r.err
			}
			// The server-side timeout passed with nothing: wait again.
		case <-ctx.Done():
			go func() {
				defer c.end()
				if r := <-done; r.err == nil && r.v != nil && giveBack != nil {
					giveBack(bg, r.v)
				}
			}()
			return nil, ctx.Err()
		}
	}
}
