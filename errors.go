package hotredis

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hotredis/hotredis/internal/backend"
)

// Sentinel errors. Every error a method returns wraps at most one of these
// (ErrUnknownOutcome may also wrap ErrClosed: a write on its way when the
// client closed) and names the key it concerns, so test with errors.Is.
var (
	// ErrEmpty: a pop or non-blocking get found no item.
	ErrEmpty = errors.New("hotredis: empty")
	// ErrFull: a non-blocking put found a bounded queue full.
	ErrFull = errors.New("hotredis: full")
	// ErrIndexOutOfRange: an index is outside the collection.
	ErrIndexOutOfRange = errors.New("hotredis: index out of range")
	// ErrNotHeld: Release by a handle that does not hold the lock (or
	// permit), or Ack of a queue reservation no longer held.
	ErrNotHeld = errors.New("hotredis: not held")
	// ErrOverRelease: a BoundedSemaphore released more than acquired.
	ErrOverRelease = errors.New("hotredis: semaphore released too many times")
	// ErrWrongType: the key holds a Redis value of another type.
	ErrWrongType = errors.New("hotredis: key holds the wrong kind of value")
	// ErrCrossSlot: an operation spans keys of different Redis Cluster
	// slots. Give the keys a common hash tag, such as "{user1}:a" and
	// "{user1}:b", to put them in one slot.
	ErrCrossSlot = errors.New("hotredis: keys in different cluster slots")
	// ErrOverflow: an integer result does not fit in int64.
	ErrOverflow = errors.New("hotredis: integer overflow")
	// ErrDivideByZero: division or modulo by zero.
	ErrDivideByZero = errors.New("hotredis: division by zero")
	// ErrDecode: a stored value cannot be decoded into the Go type; the
	// error is a *DecodeError with the key and the raw value.
	ErrDecode = errors.New("hotredis: cannot decode value")
	// ErrInTransaction: an operation that needs a reply (a read) was called
	// with the context of a Transaction, where replies only exist after the
	// commit.
	ErrInTransaction = errors.New("hotredis: read inside a transaction")
	// ErrTxConflict: an optimistic transaction gave up after watched keys
	// kept changing.
	ErrTxConflict = errors.New("hotredis: optimistic transaction conflict")
	// ErrTooManyTaskDone: TaskDone was called more times than items were
	// put in the queue (Python's "task_done() called too many times").
	ErrTooManyTaskDone = errors.New("hotredis: task_done called too many times")
	// ErrClosed: the client was closed.
	ErrClosed = errors.New("hotredis: client closed")
	// ErrNotFinite: a Float operation met or would produce NaN or ±Inf,
	// which a Float never stores.
	ErrNotFinite = errors.New("hotredis: not a finite number")
	// ErrPermission: the server's ACL refused a command or a key to the
	// client's user (a NOPERM reply, also when raised inside a script).
	// The error names the object and keeps the server's message, which
	// says whether the key or the command was refused. The README's
	// Deployments section lists the rules the library needs; every key of
	// an object must match the user's key patterns, including its
	// auxiliary keys "{key}:suffix".
	ErrPermission = errors.New("hotredis: permission denied by the server's ACL")
	// ErrInvalidArgument: an argument is out of range or nil. It is
	// reported before anything is sent, so nothing changes.
	ErrInvalidArgument = errors.New("hotredis: invalid argument")
	// ErrUnknownOutcome: the call's context ended, or its connection
	// failed (reset, closed or timed out after it was made), before the
	// reply of its change came back, so the change may or may not have
	// been applied. The error also wraps the cause: the context's error
	// (context.DeadlineExceeded or context.Canceled) or the connection's.
	// The change may also be applied after the error is returned (its
	// command may still be on its way), so a read right after it does not
	// tell; a change that must not apply twice has to be one whose repeat
	// does nothing (CompareAndSwap, a set queue's item). See the README's
	// "Guarantees under faults" for what each operation does then.
	ErrUnknownOutcome = errors.New("hotredis: outcome unknown")
	// ErrBrokenBarrier: a Barrier's round was broken (a party's context
	// ended, a party's process died, or Abort or Reset was called), or the
	// barrier is broken and waits for Reset (Python's BrokenBarrierError).
	ErrBrokenBarrier = errors.New("hotredis: broken barrier")
	// ErrMemberLost: a WaitGroup member started by Go did not finish: its
	// process died (or stopped renewing its lease) and it was counted done
	// when its lease ran out. Wait reports it once the count reaches zero.
	ErrMemberLost = errors.New("hotredis: wait group member lost")
	// ErrRunFailed: the run of a Once that a caller waited for, made by
	// another handle (or process), returned an error; the error carries
	// its message. The Once is not done, and the next Do runs it again.
	ErrRunFailed = errors.New("hotredis: the run failed")
)

// DecodeError reports a stored value that cannot be decoded. It matches
// ErrDecode with errors.Is.
type DecodeError struct {
	Key   string // the Redis key
	Value string // the raw value, whole (a value taken out of Redis, by a Pop or a Get, lives on only here)
	Type  string // the Go type it should decode into
	Err   error  // the codec's error
}

// Error says which key held what (its first 64 bytes), and what it
// should have decoded into.
func (e *DecodeError) Error() string {
	v := e.Value
	if len(v) > 64 {
		v = v[:64] + "..."
	}
	return fmt.Sprintf("hotredis: key %q: cannot decode %q as %s: %v", e.Key, v, e.Type, e.Err)
}

// Is makes errors.Is(err, ErrDecode) true for every *DecodeError.
func (e *DecodeError) Is(target error) bool { return target == ErrDecode }

// Unwrap returns the codec's error.
func (e *DecodeError) Unwrap() error { return e.Err }

func decodeError(key, raw, typ string, err error) error {
	return &DecodeError{Key: key, Value: raw, Type: typ, Err: err}
}

// objError is an error that says which object (and, when known, which
// operation) it concerns: "hotredis: list \"k\": Pop: hotredis: empty".
// Every error a method returns is one, or a *DecodeError, made once at the
// dispatch boundary (wrapErr) or by the method itself (o.fail).
type objError struct {
	kind, key, op string
	err           error
}

func (e *objError) Error() string {
	if e.op == "" {
		return fmt.Sprintf("hotredis: %s %q: %v", e.kind, e.key, e.err)
	}
	return fmt.Sprintf("hotredis: %s %q: %s: %v", e.kind, e.key, e.op, e.err)
}

func (e *objError) Unwrap() error { return e.err }

// wrapErr turns an error from the backend into one that names the object
// and wraps the matching sentinel. An error that names its object already
// is returned as it is.
func wrapErr(kind, key string, err error) error {
	if err == nil {
		return nil
	}
	var oe *objError
	var de *DecodeError
	if errors.As(err, &oe) || errors.As(err, &de) || isPackageError(err) {
		return err
	}
	switch s := sentinelFor(err); {
	case s == ErrWrongType:
		err = fmt.Errorf("%w (want a Redis %s)", ErrWrongType, redisTypeOf(kind))
	case s != nil:
		err = fmt.Errorf("%w (%v)", s, err)
	}
	return &objError{kind: kind, key: key, err: err}
}

// isPackageError reports whether err is one of the package's own errors
// that concern no object in particular (ErrClosed, a context error, ...),
// which are returned as they are.
func isPackageError(err error) bool {
	return err == ErrClosed || err == ErrInvalidArgument
}

// serverCodes maps Redis error replies, including the codes our scripts
// reply with (redis.error_reply("RANGE ...")), to sentinels.
var serverCodes = []struct {
	prefix string
	err    error
}{
	{"WRONGTYPE", ErrWrongType},
	{"CROSSSLOT", ErrCrossSlot},
	{"RANGE", ErrIndexOutOfRange},
	{"ERR index out of range", ErrIndexOutOfRange},
	{"ERR no such key", ErrIndexOutOfRange}, // LSET on a missing list
	{"no such key", ErrIndexOutOfRange},     // the same, as some clients report it
	{"index out of range", ErrIndexOutOfRange},
	{"EMPTY", ErrEmpty},
	{"FULL", ErrFull},
	{"NOTHELD", ErrNotHeld},
	{"NEGATIVE", ErrInvalidArgument},
	{"OVERRELEASE", ErrOverRelease},
	{"OVERFLOW", ErrOverflow},
	{"ERR increment or decrement would overflow", ErrOverflow},
	{"DIVZERO", ErrDivideByZero},
	// rueidis drops the "ERR " that go-redis keeps, so both forms are listed.
	{"increment or decrement would overflow", ErrOverflow},
	{"ERR hash value is not", ErrDecode}, // HINCRBY/HINCRBYFLOAT on a non-number
	{"hash value is not", ErrDecode},
	{"NOTINT", ErrDecode}, // a counter script met a non-integer count
	{"DECODE", ErrDecode},
	{"ERR value is not an integer", ErrDecode}, // INCRBY on other text
	{"value is not an integer", ErrDecode},
	{"ERR value is not a valid float", ErrDecode},
	{"value is not a valid float", ErrDecode},
	{"NOTFINITE", ErrNotFinite},
	{"ERR increment would produce NaN or Infinity", ErrNotFinite}, // INCRBYFLOAT
	{"increment would produce NaN or Infinity", ErrNotFinite},
	{"TASKDONE", ErrTooManyTaskDone},
	{"TOOBIG", ErrInvalidArgument},
	// A string grown past proto-max-bulk-len (APPEND, SETRANGE).
	{"ERR string exceeds maximum allowed size", ErrInvalidArgument},
	{"string exceeds maximum allowed size", ErrInvalidArgument},
	{"NOPERM", ErrPermission},
	// A command refused inside a script: Redis reports it as a script
	// error; with and without the "ERR " rueidis drops.
	{"ERR The user executing the script can't", ErrPermission},
	{"The user executing the script can't", ErrPermission},
}

// wrongTypeReply is Redis's reply to a command on a key of another type,
// for the checks that read a key's type first (TYPE) and refuse as Redis
// would.
func wrongTypeReply() error {
	return &backend.ServerError{Msg: "WRONGTYPE Operation against a key holding the wrong kind of value"}
}

// sentinelFor returns the sentinel matching a Redis error reply, or nil.
func sentinelFor(err error) error {
	var se *backend.ServerError
	if !errors.As(err, &se) {
		return nil
	}
	for _, c := range serverCodes {
		if strings.HasPrefix(se.Msg, c.prefix) {
			return c.err
		}
	}
	return nil
}

func redisTypeOf(kind string) string {
	switch kind {
	case "list", "queue":
		return "list"
	case "set":
		return "set"
	case "map", "counter", "defaultmap":
		return "hash"
	case "lock", "rlock":
		return "hash"
	case "semaphore", "boundedsemaphore", "rwlock":
		return "sorted set"
	case "waitgroup", "barrier":
		return "hash"
	}
	return "string"
}
