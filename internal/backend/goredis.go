package backend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// GoRedis carries commands on a caller's own go-redis client, so a program
// that already has one shares its pool, hooks and settings. Blocking
// commands use the client's ReadTimeout as any go-redis call does, so
// hotredis keeps each server-side block shorter than that. go-redis waits
// for a reply as long as its ReadTimeout, whatever the context's deadline
// (unless the client was made with ContextTimeoutEnabled): a call whose
// context can end is therefore made on a goroutine of its own, and
// abandoned, its reply discarded, when the context ends first.
type GoRedis struct {
	c     redis.UniversalClient
	owned bool
}

// NewGoRedis wraps c. Close closes c only when owned is true.
func NewGoRedis(c redis.UniversalClient, owned bool) *GoRedis {
	return &GoRedis{c: c, owned: owned}
}

func argsOf(cmd Cmd) []any {
	args := cmd.AllArgs()
	out := make([]any, 0, len(cmd.Name)+len(cmd.Keys)+len(args))
	for _, s := range cmd.Name {
		out = append(out, s)
	}
	for _, s := range cmd.Keys {
		out = append(out, s)
	}
	for _, s := range args {
		out = append(out, s)
	}
	return out
}

func (g *GoRedis) Do(ctx context.Context, cmd Cmd) (any, error) {
	r, err := bounded(ctx, func() (Result, error) {
		v, err := fromGoRedis(g.c.Do(ctx, argsOf(cmd)...).Result())
		return Result{v, err}, nil
	})
	if err != nil {
		return nil, err
	}
	return r.Val, atDeadline(ctx, r.Err)
}

// DoScalar is Do's reply as a Scalar (go-redis boxes every reply
// anyway).
func (g *GoRedis) DoScalar(ctx context.Context, cmd Cmd) (Scalar, error) {
	v, err := g.Do(ctx, cmd)
	return ScalarOf(v), err
}

func (g *GoRedis) DoMulti(ctx context.Context, cmds []Cmd) []Result {
	rs, err := bounded(ctx, func() ([]Result, error) { return pipelineGoRedis(ctx, g.c.Pipeline(), cmds), nil })
	if err != nil {
		rs = failedAll(len(cmds), err)
	}
	return allAtDeadline(ctx, rs)
}

func pipelineGoRedis(ctx context.Context, p redis.Pipeliner, cmds []Cmd) []Result {
	rs := make([]*redis.Cmd, len(cmds))
	for i, cmd := range cmds {
		rs[i] = p.Do(ctx, argsOf(cmd)...)
	}
	_, _ = p.Exec(ctx)
	out := make([]Result, len(cmds))
	for i, r := range rs {
		out[i].Val, out[i].Err = fromGoRedis(r.Result())
	}
	return out
}

func (g *GoRedis) Exec(ctx context.Context, cmds []Cmd) ([]Result, error) {
	rs, err := bounded(ctx, func() ([]Result, error) { return execGoRedis(ctx, g.c.TxPipeline(), cmds) })
	return rs, atDeadline(ctx, err)
}

func execGoRedis(ctx context.Context, p redis.Pipeliner, cmds []Cmd) ([]Result, error) {
	rs := make([]*redis.Cmd, len(cmds))
	for i, cmd := range cmds {
		rs[i] = p.Do(ctx, argsOf(cmd)...)
	}
	_, err := p.Exec(ctx)
	if errors.Is(err, redis.TxFailedErr) {
		return nil, ErrTxAborted
	}
	if err != nil {
		var re redis.Error
		// Per-command errors are reported per command below; anything
		// else (network, EXECABORT) fails the whole transaction.
		if !errors.As(err, &re) || re.Error() == "" || isExecAbort(err) {
			return nil, convertGoRedisErr(err)
		}
	}
	out := make([]Result, len(cmds))
	for i, r := range rs {
		out[i].Val, out[i].Err = fromGoRedis(r.Result())
	}
	return out, nil
}

func isExecAbort(err error) bool {
	var se *ServerError
	return errors.As(convertGoRedisErr(err), &se) && se.Prefix("EXECABORT")
}

func (g *GoRedis) Watch(ctx context.Context, keys []string, fn func(Conn) error) error {
	err := boundedFn(ctx, func(call func(func() error) error) error {
		return g.c.Watch(ctx, func(tx *redis.Tx) error {
			c := &goRedisConn{tx: tx}
			err := call(func() error { return fn(c) })
			// A call whose caller's ctx ended goes on reading its reply
			// (go-redis reads by its own timeouts, not by ctx's): the
			// connection is go-redis's again, for its UNWATCH, only
			// once that read is over.
			c.left.Wait()
			return err
		}, keys...)
	})
	if errors.Is(err, redis.TxFailedErr) {
		return ErrTxAborted
	}
	return atDeadline(ctx, err)
}

// goRedisConn is a go-redis transaction's pinned connection. Its calls are
// bounded by ctx, as the client's are: go-redis sets its socket deadlines
// from its own timeouts (unless ContextTimeoutEnabled), so that a stalled
// server would hold the caller for ReadTimeout, or for ever.
type goRedisConn struct {
	tx   *redis.Tx
	left sync.WaitGroup // calls under way, their caller's ctx ended or not
}

func (c *goRedisConn) DoMulti(ctx context.Context, cmds []Cmd) []Result {
	if err := ctx.Err(); err != nil {
		// (An abandoned read may still be reading this connection: a
		// function that goes on after ctx's end sends nothing more.)
		return failedAll(len(cmds), err)
	}
	c.left.Add(1)
	rs, err := bounded(ctx, func() ([]Result, error) {
		defer c.left.Done()
		return pipelineGoRedis(ctx, c.tx.Pipeline(), cmds), nil
	})
	if err != nil {
		rs = failedAll(len(cmds), err)
	}
	return allAtDeadline(ctx, rs)
}

func (c *goRedisConn) Exec(ctx context.Context, cmds []Cmd) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.left.Add(1)
	rs, err := bounded(ctx, func() ([]Result, error) {
		defer c.left.Done()
		return execGoRedis(ctx, c.tx.TxPipeline(), cmds)
	})
	if err != nil && execUnsent(err) {
		err = notSent(err)
	}
	return rs, atDeadline(ctx, err)
}

// execUnsent reports whether err, a MULTI/EXEC's on a pinned connection,
// says its EXEC never reached the server whole: go-redis refused the
// connection (marked bad by an earlier failure), or writing failed (the
// EXEC goes last, so not all of it went; Redis drops a MULTI that a
// closed connection left open).
func execUnsent(err error) bool {
	if strings.HasPrefix(err.Error(), "redis: Conn is in a bad state") {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "write"
}

func (g *GoRedis) Cluster() bool {
	_, ok := g.c.(*redis.ClusterClient)
	return ok
}

func (g *GoRedis) Close() error {
	if g.owned {
		return g.c.Close()
	}
	return nil
}

func fromGoRedis(v any, err error) (any, error) {
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, convertGoRedisErr(err)
	}
	return normalize(v), nil
}

func normalize(v any) any {
	switch x := v.(type) {
	case nil, int64, string, float64:
		return x
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalize(x[i])
		}
		return out
	case map[any]any:
		out := make([]any, 0, 2*len(x))
		for k, v := range x {
			out = append(out, normalize(k), normalize(v))
		}
		return out
	case map[string]any:
		out := make([]any, 0, 2*len(x))
		for k, v := range x {
			out = append(out, k, normalize(v))
		}
		return out
	case redis.Error:
		return serverError(x.Error())
	case error:
		return x
	case int:
		return int64(x)
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func convertGoRedisErr(err error) error {
	var re redis.Error
	if errors.As(err, &re) {
		return serverError(re.Error())
	}
	return err
}
