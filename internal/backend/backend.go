// Package backend is the one narrow door through which hotredis talks to
// Redis. Every type in the root package builds Cmds and hands them to a
// Backend; which client library carries them (rueidis for speed, or a
// caller's own go-redis client) is invisible above this package.
//
// Replies are normalised to a small set of Go values so that callers never
// depend on the protocol version or the library:
//
//	nil      a Redis nil (missing key, empty pop)
//	int64    an integer (RESP3 booleans become 0/1)
//	string   a bulk, simple or verbatim string
//	float64  a RESP3 double
//	[]any    an array, set or (flattened key, value, ...) map
//
// A reply that is a Redis error is returned as *ServerError.
package backend

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// Cmd is one Redis command: Name holds the tokens before the keys (for
// example "EVALSHA", sha, "2"), then Keys, then Args. Keys are listed apart so
// that a Cluster backend can route the command and so that a transaction can
// WATCH them.
type Cmd struct {
	Name     []string
	Keys     []string
	Args     []string
	Blocking bool // a blocking command (BLPOP, BLMOVE, ...): needs its own connection
	ReadOnly bool // changes nothing, so it may be retried after a network error
	// Replica marks a read (ReadOnly too) that a replica may serve: a
	// backend made to read from replicas sends it to one; every other
	// command goes to the primary.
	Replica bool
	// Strings asks for each array of strings in the reply (also one
	// nested in another array, as a scan's) as a []string instead of an
	// []any, and for a map of strings (HGETALL's reply; a value that is
	// not a string reads as "") as a map[string]string: no value boxed per
	// element, for whole reads of big values.
	// A backend may ignore it: the caller takes either.
	Strings bool

	// short holds the args of a command made by Short (nshort of them),
	// in place of Args.
	short  [2]string
	nshort uint8
}

// Short returns the command name keys args, the args (usually one or
// two) copied: up to two are held in the Cmd itself, so that neither the
// caller's argument list nor the command allocates (a command's Args
// escape, through the Backend interface). More are copied into Args.
func Short(name, keys []string, args ...string) Cmd {
	return Cmd{Name: name, Keys: keys}.WithArgs(args...)
}

// WithArgs returns c with args in place of its args, copied as Short
// copies them.
func (c Cmd) WithArgs(args ...string) Cmd {
	c.Args, c.nshort = nil, 0
	if len(args) <= len(c.short) {
		c.nshort = uint8(copy(c.short[:], args))
	} else {
		c.Args = append([]string(nil), args...)
	}
	return c
}

// AllArgs returns the command's args: Args, or those Short held.
func (c *Cmd) AllArgs() []string {
	if c.nshort > 0 {
		return c.short[:c.nshort]
	}
	return c.Args
}

// Argv returns the whole command line.
func (c Cmd) Argv() []string {
	args := c.AllArgs()
	out := make([]string, 0, len(c.Name)+len(c.Keys)+len(args))
	out = append(out, c.Name...)
	out = append(out, c.Keys...)
	return append(out, args...)
}

// Result is the reply to one command of a batch.
type Result struct {
	Val any
	Err error
}

// ServerError is an error reply sent by Redis, such as "WRONGTYPE ..." or
// "NOSCRIPT ...".
type ServerError struct{ Msg string }

func (e *ServerError) Error() string { return e.Msg }

// InDoubtError is an error reply after which what the call wrote is not
// known: Redis may have run part or all of it. (Not a ServerError, which
// says the server refused the call and nothing ran.) Two replies are so:
//   - a script stopped by a command naming a key its Cluster node no
//     longer serves ("Script attempted to access a non local key"): while
//     its slot migrates, a key the script itself emptied, and so deleted,
//     has gone to the other node as far as the next command is concerned;
//     the script's writes before that command stay;
//   - an EXEC that rueidis (v1.0.80) sent a second time, alone, after
//     following a redirection of the MULTI/EXEC it had sent first ("EXEC
//     without MULTI", see execRueidis): the first may have run.
type InDoubtError struct{ Msg string }

func (e *InDoubtError) Error() string { return e.Msg }

// serverError is the error of an error reply msg: an InDoubtError for a
// script that a Cluster node stopped midway, else a ServerError.
func serverError(msg string) error {
	if strings.Contains(msg, "Script attempted to access a non local key") {
		return &InDoubtError{Msg: msg}
	}
	return &ServerError{Msg: msg}
}

// Prefix reports whether the error's code (its first word) is code.
func (e *ServerError) Prefix(code string) bool {
	return strings.HasPrefix(e.Msg, code+" ") || e.Msg == code
}

// IsServerError reports whether err is a Redis error reply with the given
// code ("WRONGTYPE", "NOSCRIPT", ...).
func IsServerError(err error, code string) bool {
	if err == nil {
		return false // without the allocation errors.As costs: a hot path
	}
	var se *ServerError
	return errors.As(err, &se) && se.Prefix(code)
}

// ErrTxAborted is returned by Conn.Exec when EXEC answered nil because a
// watched key changed.
var ErrTxAborted = errors.New("transaction aborted: a watched key changed")

// Scalar is the reply to a command that answers one value (an integer,
// a string or nil, or, for a command sent with Strings, an array of
// strings), as DoScalar returns it: not boxed into an any, which costs an
// allocation for a string, an integer over 255 or a slice. Kind says which
// field holds it; any other reply is in Any, as Do returns it.
type Scalar struct {
	Kind ScalarKind
	Int  int64
	Str  string
	Strs []string // an array of strings, for a command sent with Strings
	Any  any
}

// ScalarKind says what a Scalar holds.
type ScalarKind uint8

const (
	ScalarNil  ScalarKind = iota // a Redis nil
	ScalarInt                    // Int
	ScalarStr                    // Str
	ScalarStrs                   // Strs: an array of strings (Cmd.Strings)
	ScalarAny                    // Any: another reply, as Do returns it
)

// ScalarOf is v, a reply as Do returns it, as a Scalar.
func ScalarOf(v any) Scalar {
	switch x := v.(type) {
	case nil:
		return Scalar{}
	case int64:
		return Scalar{Kind: ScalarInt, Int: x}
	case string:
		return Scalar{Kind: ScalarStr, Str: x}
	case []string:
		return Scalar{Kind: ScalarStrs, Strs: x}
	}
	return Scalar{Kind: ScalarAny, Any: v}
}

// Value is the reply s holds, as Do returns it.
func (s Scalar) Value() any {
	switch s.Kind {
	case ScalarNil:
		return nil
	case ScalarInt:
		return BoxInt(s.Int)
	case ScalarStr:
		return s.Str
	case ScalarStrs:
		return s.Strs
	}
	return s.Any
}

// BoxInt is n as an any, without allocating for -1 and -2 (which Redis
// replies for "none": a key without expiry, a missing key), as Go does
// not for integers outside 0-255.
func BoxInt(n int64) any {
	switch n {
	case -1:
		return minusOne
	case -2:
		return minusTwo
	}
	return n
}

var minusOne, minusTwo any = int64(-1), int64(-2)

// Backend carries commands to Redis.
type Backend interface {
	// Do sends one command and waits for its reply.
	Do(ctx context.Context, cmd Cmd) (any, error)
	// DoScalar is Do for a command that answers one value: the same
	// reply, as a Scalar.
	DoScalar(ctx context.Context, cmd Cmd) (Scalar, error)
	// DoMulti pipelines cmds (not atomically) and returns one Result each.
	DoMulti(ctx context.Context, cmds []Cmd) []Result
	// Exec runs cmds atomically inside MULTI/EXEC in one round trip and
	// returns one Result per command.
	Exec(ctx context.Context, cmds []Cmd) ([]Result, error)
	// Watch pins one connection, WATCHes keys on it and calls fn with it. On
	// a Cluster, keys must be non-empty and share a slot.
	Watch(ctx context.Context, keys []string, fn func(Conn) error) error
	// Cluster reports whether commands are routed to several shards.
	Cluster() bool
	// Close releases the backend's connections, if it owns them.
	Close() error
}

// Conn is a pinned connection, used for optimistic transactions.
type Conn interface {
	// DoMulti pipelines cmds on this connection.
	DoMulti(ctx context.Context, cmds []Cmd) []Result
	// Exec runs cmds in MULTI/EXEC on this connection; it returns
	// ErrTxAborted when a watched key changed.
	Exec(ctx context.Context, cmds []Cmd) ([]Result, error)
}

// boundedFn is bounded for a call that runs the caller's own function
// once its connection is ready (Watch's fn): run calls it through call.
// ctx's end returns at once while that function is not running, and then
// it never runs again (call returns ctx's error instead); while it runs,
// the caller waits for it to return (it has ctx: its own calls end by
// ctx's deadline), not for what run does after it (an UNWATCH), and gets
// its result: so that it never runs on after the caller returned, and
// what it sent, its commit among them, has its outcome reported. A panic
// of the function's goes on in the caller's goroutine, once run has
// tidied up (its connection put back), as if the caller had called it.
func boundedFn(ctx context.Context, run func(call func(fn func() error) error) error) error {
	var (
		mu       sync.Mutex
		running  bool
		ran      bool  // fn has returned at least once
		fnErr    error // its latest result
		gaveUp   bool
		panicked *fnPanic
	)
	ended := make(chan struct{}, 1)
	call := func(fn func() error) error {
		mu.Lock()
		if panicked != nil {
			mu.Unlock()
			return errFnPanicked // (it is not run again)
		}
		if gaveUp {
			mu.Unlock()
			return ctx.Err()
		}
		running = true
		mu.Unlock()
		p, err := callFn(fn)
		mu.Lock()
		running, ran, fnErr = false, true, err
		if p != nil {
			panicked = p
		}
		mu.Unlock()
		select {
		case ended <- struct{}{}:
		default:
		}
		return err
	}
	// rethrow ends the call with err, or with the function's panic.
	rethrow := func(err error) error {
		mu.Lock()
		p := panicked
		mu.Unlock()
		if p != nil {
			panic(p.v)
		}
		return err
	}
	if ctx.Done() == nil {
		return rethrow(run(call))
	}
	done := make(chan error, 1)
	go func() { done <- run(call) }()
	select {
	case err := <-done:
		return rethrow(err)
	case <-ctx.Done():
	}
	for {
		mu.Lock()
		if !running {
			gaveUp = true
			ranOnce, err, p := ran, fnErr, panicked
			mu.Unlock()
			switch {
			case p != nil:
				<-done // (run tidies up first)
				panic(p.v)
			case ranOnce:
				return err
			}
			return ctx.Err()
		}
		mu.Unlock()
		select {
		case err := <-done:
			return rethrow(err)
		case <-ended:
		}
	}
}

// failedAll is the results of n commands that all failed with err.
func failedAll(n int, err error) []Result {
	rs := make([]Result, n)
	for i := range rs {
		rs[i].Err = err
	}
	return rs
}

// fnPanic is a panic of boundedFn's function, with its value.
type fnPanic struct{ v any }

// errFnPanicked is what the function returns to run when it panicked.
var errFnPanicked = errors.New("hotredis: the transaction's function panicked")

// callFn calls fn, recovering its panic (returned, with errFnPanicked).
func callFn(fn func() error) (p *fnPanic, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = &fnPanic{r}, errFnPanicked
		}
	}()
	return nil, fn()
}

// bounded runs f, and returns ctx's error instead if ctx ends first: f
// then finishes on its own, its result discarded. Both client libraries
// honour a context's end for a command on an open connection, but not
// always while a connection is being made (go-redis not at all without
// ContextTimeoutEnabled; rueidis shares one dial among the callers that
// need it, and waits as long as the caller that started it): with the
// server stalled, a call would outlive its deadline.
func bounded[T any](ctx context.Context, f func() (T, error)) (T, error) {
	if ctx.Done() == nil {
		return f()
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
