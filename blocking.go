package hotredis

import (
	"context"
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
	for {
		rs, err := o.blockPipeline(ctx, func(timeout string) []backend.Cmd {
			c := mk(timeout)
			c.Blocking = true
			return []backend.Cmd{c}
		}, func(ctx context.Context, rs []backend.Result) {
			if giveBack != nil && rs[0].Err == nil && rs[0].Val != nil {
				giveBack(ctx, rs[0].Val)
			}
		})
		if err != nil {
			return nil, err
		}
		if rs[0].Err != nil || rs[0].Val != nil { // nil: the round timed out
			return rs[0].Val, rs[0].Err
		}
	}
}
