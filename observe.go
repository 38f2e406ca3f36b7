package hotredis

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hotredis/hotredis/internal/backend"
)

// An Observer is told what the objects of a Client do, for metrics and
// traces (the hotredisotel module implements one with OpenTelemetry): each
// operation they send to Redis, each wait of a call that could not go on
// at once, and each lease of a lock or semaphore. Set it with
// Options.Observer or Client.SetObserver; with none set, observing costs
// nothing. Its methods are called concurrently and must return quickly,
// without calling the objects they observe, and without panicking: a
// round trip is reported from the goroutine that makes it, which is the
// caller's, or one of the library's (a call with a context that can end,
// sent from a goroutine of its own so that its outcome is known even if
// the context ends first; a clean-up; a lease's renewal), where a panic
// would end the program.
type Observer interface {
	// StartOperation is called before an object sends op to Redis: one
	// round trip (a method may make several, each reported; a write
	// inside a Transaction is reported when it is queued, its commit is
	// not; the WATCH of a method's own optimistic steps, a rebuild's or
	// a snapshot read's, is an op that lasts until their EXEC, the round
	// trips between reported as well). ctx is the caller's. It returns
	// the context to send op with, ctx or one derived from it (such as
	// one carrying a span), and a function, which may be nil, called
	// once when op ends.
	StartOperation(ctx context.Context, op Operation) (context.Context, func(OperationEnd))
	// Wait is called when a call that had to wait ends its wait: an
	// Acquire of a Lock, RLock, RWLock, Semaphore or BoundedSemaphore
	// that found it taken, a queue's Get, GetMany or Reserve that found
	// it empty, a Put that found it full, a Join, and the waits of
	// WaitGroup.Wait, Once.Do (for another runner), Event.Wait and
	// Barrier.Wait. ctx is the caller's.
	Wait(ctx context.Context, w WaitEvent)
	// Lease is called when a handle's holding of a Lock, RLock, RWLock,
	// Semaphore or BoundedSemaphore begins, is renewed by its watchdog,
	// or ends. ctx is the caller's, or the watchdog's for renewals and
	// leases it finds lost.
	Lease(ctx context.Context, e LeaseEvent)
}

// An Operation is one round trip of an object's method, for
// Observer.StartOperation.
type Operation struct {
	// Type is the object's type: "List", "Map", "Lock", ... ("Queue" for
	// every queue kind).
	Type string
	// Name is the type and the method called: "List.Append". Round trips
	// the library makes for a method after it returned (giving back what
	// a cancelled call took) carry its name; the lease watchdog's
	// renewals are "<Type>.renew".
	Name string
	// Key is the object's key.
	Key string
	// Blocking marks a round trip that waits on the server for up to a
	// second (BLMOVE, XREAD BLOCK): part of a wait, not a slow command.
	Blocking bool
}

// OperationEnd is how an Operation ended.
type OperationEnd struct {
	// Err is the round trip's error: that of the method, or of one of
	// the commands of a pipeline (nil when none failed). A reply that
	// the method turns into an error of its own (an empty list's Pop:
	// ErrEmpty; a Get past the end: ErrIndexOutOfRange; a Lock.Extend
	// not held: ErrNotHeld) ends a round trip that worked: Err is nil.
	Err error
	// Retries counts the commands sent again: refused with TRYAGAIN while
	// a Cluster slot moved, or with NOSCRIPT after the server lost its
	// script cache, and reads sent again after their connection failed.
	Retries int
}

// A WaitEvent reports the end of a wait, for Observer.Wait.
type WaitEvent struct {
	// Type, Name and Key are as in Operation ("Lock", "Lock.Acquire").
	Type, Name, Key string
	// Waited is the time from the reply that told the call to wait (its
	// first attempt found the lock taken, the queue empty or full) to the
	// end of its wait.
	Waited time.Duration
	// Outcome says how the wait ended: WaitAcquired, WaitHandedOff,
	// WaitTimeout, WaitCancelled or WaitError.
	Outcome string
	// HandOff, when Outcome is WaitHandedOff, is the time from the
	// release that handed over the lock or permits to the moment the
	// waiter read the grant: the release's time on the server's clock
	// (its grant's stream entry id, in ms), against the waiter's estimate
	// of that clock. It is accurate to about a millisecond.
	HandOff time.Duration
	// Err is the error of a wait whose Outcome is WaitError (or
	// WaitTimeout, WaitCancelled: the context's).
	Err error
}

// The outcomes of a wait (WaitEvent.Outcome).
const (
	WaitAcquired  = "acquired"   // it got what it waited for: the lock, an item, room...
	WaitHandedOff = "handed-off" // a release handed it the lock or permits
	WaitTimeout   = "timeout"    // its context's deadline passed
	WaitCancelled = "cancelled"  // its context was cancelled
	WaitError     = "error"      // another error
)

// A LeaseEvent reports a change in a handle's holding of a Lock, RLock,
// RWLock, Semaphore or BoundedSemaphore (one holding: from the first
// acquisition to the release of all it holds), for Observer.Lease.
type LeaseEvent struct {
	// Type and Key are as in Operation.
	Type, Key string
	// Kind is LeaseAcquired, LeaseHandedOff, LeaseRenewed, LeaseReleased
	// or LeaseLost.
	Kind string
	// Held is how long the holding has lasted (0 for the first two kinds,
	// and when it began before the observer was set).
	Held time.Duration
	// Token is the fencing token that began the holding.
	Token int64
}

// The kinds of lease events (LeaseEvent.Kind).
const (
	LeaseAcquired  = "acquired"   // a holding began: taken at once, or after a wait
	LeaseHandedOff = "handed-off" // a holding began: handed over by a release
	LeaseRenewed   = "renewed"    // the watchdog renewed the lease
	LeaseReleased  = "released"   // the handle released all it held
	LeaseLost      = "lost"       // the lease ran out or was taken away
)

// observerRef boxes an Observer for an atomic pointer.
type observerRef struct{ Observer }

// observing is set once any Client has had an observer; until then, the
// hooks outside dispatch (waits, leases) cost one load of it.
var observing atomic.Bool

// SetObserver makes obs (nil, or a nil pointer: none) the client's
// Observer, for the operations that start after it returns. It is how a
// Client made by WrapGoRedis, or the default one, gets an Observer.
func (c *Client) SetObserver(obs Observer) {
	if v := reflect.ValueOf(obs); obs == nil || v.Kind() == reflect.Pointer && v.IsNil() {
		c.obs.Store(nil)
		return
	}
	observing.Store(true)
	c.obs.Store(&observerRef{obs})
}

func (c *Client) observer() Observer {
	if r := c.obs.Load(); r != nil {
		return r.Observer
	}
	return nil
}

// observer returns the Observer of o's client, if any.
func (o *object) observer() Observer {
	if !observing.Load() {
		return nil
	}
	if cl, err := o.cli(); err == nil {
		return cl.observer()
	}
	return nil
}

// opCtx is the context of an observed operation: the caller's, and what
// the dispatch learns while the operation runs (how many commands it sent
// again).
type opCtx struct {
	context.Context
	retries atomic.Int32
}

type opCtxKey struct{}

func (c *opCtx) Value(key any) any {
	if key == (opCtxKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// retried returns how many commands c saw sent again (a nil c: none).
func (c *opCtx) retried() int32 {
	if c == nil {
		return 0
	}
	return c.retries.Load()
}

// noteRetry counts a command sent again, for an observed operation.
func noteRetry(ctx context.Context) {
	if c, _ := ctx.Value(opCtxKey{}).(*opCtx); c != nil {
		c.retries.Add(1)
	}
}

// observed runs send, one round trip of o, as an Operation reported to
// obs. The error reported is send's, or the first of its results'.
func observed[T any](ctx context.Context, o *object, obs Observer, blocking bool, send func(context.Context) (T, error)) (T, error) {
	oc := &opCtx{Context: ctx}
	typ, name := opName(o.kind, methodName(ctx, kindName(o.kind)))
	sctx, end := obs.StartOperation(oc, Operation{Type: typ, Name: name, Key: o.key, Blocking: blocking})
	if sctx == nil {
		sctx = oc
	}
	v, err := send(sctx)
	if end != nil {
		rerr := err
		if rs, ok := any(v).([]backend.Result); ok && rerr == nil {
			for _, r := range rs {
				if r.Err != nil {
					rerr = r.Err
					break
				}
			}
		}
		end(OperationEnd{Err: rerr, Retries: int(oc.retries.Load())})
	}
	return v, err
}

// observe runs do, a round trip of o's sent outside sendAs (a step of a
// rebuild, its swap, the EXEC of a watched read), as an Operation
// reported to the client's observer, if any; and the WATCH of a
// transaction as one that lasts until do, which makes the transaction's
// other round trips (each reported in its turn), returns. Those carry
// the method's name in ctx (withCaller): the call stack there goes
// through the backend's frames. do's error is reported as the method
// would return it, and returned as it is.
func (o *object) observe(ctx context.Context, cl *Client, do func(context.Context) error) error {
	obs := cl.observer()
	if obs == nil {
		return do(ctx)
	}
	var err error
	_, _ = observed(withCaller(ctx), o, obs, false, func(ctx context.Context) (struct{}, error) {
		err = do(ctx)
		return struct{}{}, wrapErr(o.kind, o.key, err)
	})
	return err
}

// waited reports to the observer, if any, the end of a wait of o's call
// op that began at since (zero: it did not wait), and returns err.
func (o *object) waited(ctx context.Context, op string, since time.Time, err error) error {
	if !since.IsZero() {
		o.reportWait(ctx, op, since, false, 0, err)
	}
	return err
}

func (o *object) reportWait(ctx context.Context, op string, since time.Time, handedOff bool, handOff time.Duration, err error) {
	obs := o.observer()
	if obs == nil {
		return
	}
	outcome := WaitAcquired
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		outcome = WaitTimeout
	case errors.Is(err, context.Canceled):
		outcome = WaitCancelled
	case err != nil:
		outcome = WaitError
	case handedOff:
		outcome = WaitHandedOff
	}
	typ, name := opName(o.kind, op)
	obs.Wait(ctx, WaitEvent{Type: typ, Name: name, Key: o.key, Waited: time.Since(since), Outcome: outcome, HandOff: handOff, Err: err})
}

// waitedForGrant reports the end of an Acquire's wait that began at
// since, ended by the grant w read (g nil: by another way, or err), or by
// one its attempt confirmed (w.handOff).
func (l *line) waitedForGrant(ctx context.Context, op string, since time.Time, w *wait, g *grant, err error) {
	if since.IsZero() || !observing.Load() {
		return
	}
	if g == nil && err == nil && w.handOff >= 0 {
		l.reportWait(ctx, op, since, true, w.handOff, nil)
		return
	}
	handOff := time.Duration(0)
	if g != nil {
		// The grant's entry id is the release's server time in ms; the
		// server's time now is that which w's latest attempt read plus
		// the time since it began.
		at, _, _ := strings.Cut(w.last, "-")
		if ms, perr := strconv.ParseInt(at, 10, 64); perr == nil {
			handOff = max(time.Duration(w.server-ms)*time.Millisecond+time.Since(w.since), 0)
		}
	}
	l.reportWait(ctx, op, since, g != nil, handOff, err)
}

// leaseEvent reports a change of the holding le to the observer, if any.
func (l *line) leaseEvent(ctx context.Context, kind string, le *lease) {
	obs := l.observer()
	if obs == nil || le == nil {
		return
	}
	e := LeaseEvent{Type: kindName(l.object.kind), Key: l.key, Kind: kind, Token: le.token}
	if kind != LeaseAcquired && kind != LeaseHandedOff && !le.since.IsZero() {
		e.Held = time.Since(le.since)
	}
	obs.Lease(ctx, e)
}

// kindNames are the Go names of the kinds objects give their errors.
var kindNames = map[string]string{
	"list": "List", "set": "Set", "map": "Map", "defaultmap": "DefaultMap",
	"counter": "Counter", "string": "String", "immutablestring": "ImmutableString",
	"int": "Int", "float": "Float", "queue": "Queue", "lock": "Lock", "rlock": "RLock",
	"rwlock": "RWLock", "semaphore": "Semaphore", "boundedsemaphore": "BoundedSemaphore",
	"waitgroup": "WaitGroup", "once": "Once", "event": "Event", "barrier": "Barrier",
	"limiter": "Limiter",
}

func kindName(kind string) string {
	if n, ok := kindNames[kind]; ok {
		return n
	}
	return kind
}

var opNames sync.Map // [2]string{kind, method} → "Type.Method"

// opName returns the type of the object of kind and the name of its
// method.
func opName(kind, method string) (typ, name string) {
	typ = kindName(kind)
	k := [2]string{kind, method}
	if n, ok := opNames.Load(k); ok {
		return typ, n.(string)
	}
	name = typ + "." + method
	opNames.Store(k, name)
	return typ, name
}

// Operation names. Methods do not pass their names to the dispatch: when an
// observer is set, the name is that of the exported function or method of
// this package that the caller called, found on the call stack (the
// outermost frame of this package before the caller's own), with what is
// learnt of each program counter cached. A round trip made in a goroutine
// of the library (a call detached from its context, a clean-up, a lease
// renewal) takes the name its context carries (withCaller).

type callerKey struct{}

// methodName returns the name of the method on whose behalf the current
// round trip of an object of type typ runs: the context's, else the
// outermost method of typ on the call stack (a method value of it may be
// called by another's method: Once.Do(ctx, event.Set)), else the
// outermost of the call stack's.
func methodName(ctx context.Context, typ string) string {
	if n, ok := ctx.Value(callerKey{}).(string); ok {
		return n
	}
	own, outer := callerOnStack(typ)
	switch {
	case own != "":
		return own
	case outer != "":
		return outer
	}
	return "?"
}

// withCaller returns ctx carrying the name of the method calling, for the
// round trips that a goroutine of the library makes on its behalf with
// ctx (or a context derived from it).
func withCaller(ctx context.Context) context.Context {
	if _, ok := ctx.Value(callerKey{}).(string); ok {
		return ctx
	}
	if _, n := callerOnStack(""); n != "" {
		return context.WithValue(ctx, callerKey{}, n)
	}
	return ctx
}

// iterCtx returns ctx for the round trips of an iterator of o's made by
// the calling method, which run after it returned (from the caller's
// range loop, where no method of this package is on the stack): named
// after it when o's client has an observer (another client's costs o
// nothing).
func (o *object) iterCtx(ctx context.Context) context.Context {
	if o.observer() != nil {
		return withCaller(ctx)
	}
	return ctx
}

// watchdogCtx is the parent of the lease watchdog's contexts.
var watchdogCtx = context.WithValue(context.Background(), callerKey{}, "renew")

// pkgPrefix starts the names of this package's functions.
var pkgPrefix = func() string {
	n := runtime.FuncForPC(reflect.ValueOf(kindName).Pointer()).Name()
	return n[:strings.LastIndexByte(n, '.')+1]
}()

// pcFrame is what a frame says about the method called: whether its
// function belongs to this package and, if it is exported, its name and
// its receiver's type ("" for a function).
type pcFrame struct {
	inPkg       bool
	method, typ string
}

var pcFrames sync.Map // program counter → []pcFrame (inlined calls first)

// callerOnStack returns the outermost exported method of this package on
// the call stack before the caller's own frames, of the type typ (own)
// and of any type or none (outer).
func callerOnStack(typ string) (own, outer string) {
	var pcs [8]uintptr // the caller is seldom further: unwind no more
	for skip := 3; ; skip += len(pcs) {
		n := runtime.Callers(skip, pcs[:])
		for _, pc := range pcs[:n] {
			for _, f := range framesAt(pc) {
				if !f.inPkg {
					return own, outer
				}
				if f.method != "" {
					outer = f.method
					if f.typ == typ {
						own = f.method
					}
				}
			}
		}
		if n < len(pcs) {
			return own, outer
		}
	}
}

func framesAt(pc uintptr) []pcFrame {
	if fs, ok := pcFrames.Load(pc); ok {
		return fs.([]pcFrame)
	}
	var fs []pcFrame
	frames := runtime.CallersFrames([]uintptr{pc})
	for {
		f, more := frames.Next()
		fs = append(fs, frameOf(f.Function))
		if !more {
			break
		}
	}
	pcFrames.Store(pc, fs)
	return fs
}

// frameOf classifies a function name such as
// "github.com/hotredis/hotredis.(*List[...]).Append".
func frameOf(fn string) pcFrame {
	rest, ok := strings.CutPrefix(fn, pkgPrefix)
	if !ok {
		return pcFrame{}
	}
	depth, last := 0, -1
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				last = i
			}
		}
	}
	m := strings.TrimSuffix(rest[last+1:], "-fm") // a method value
	if r, _ := utf8.DecodeRuneInString(m); !unicode.IsUpper(r) {
		return pcFrame{inPkg: true}
	}
	typ := ""
	if last > 0 { // "(*List[...])" or "Client"
		typ = strings.TrimPrefix(strings.Trim(rest[:last], "()"), "*")
		typ, _, _ = strings.Cut(typ, "[")
	}
	return pcFrame{inPkg: true, method: m, typ: typ}
}
