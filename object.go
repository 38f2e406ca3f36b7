package hotredis

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
)

// Object is implemented by every hotredis type. Its unexported method
// gives the Redis keys the object occupies, for transactions that watch it.
type Object interface {
	// Key returns the Redis key the object is stored under.
	Key() string
	redisKeys() []string
}

// object is what every type embeds: the key, the client and the methods
// common to all types. All traffic to Redis goes through its read, write,
// atomic and eval methods, which are the one place that knows about
// transactions, clusters and error wrapping.
type object struct {
	key    string
	kind   string   // "list", "set", ... for error messages
	keys   []string // every Redis key of the object, key first
	client *Client  // nil: the package's default client, looked up per call
	err    error    // a construction problem (bad codec), reported by every call
	// sizeFirst is 1 when a whole read sizes the value first: a set or
	// hash last seen big (see readWhole), a list last seen
	// longer than one read step (see List.Slice); atomic (sync/atomic's
	// functions: an atomic type would forbid the copies made while
	// objects are built).
	sizeFirst uint32
	// entryBytes is the average size in bytes of the strings (members,
	// elements, fields, values) of o's value, as its last read saw them;
	// 0 until a read has: it sizes read steps (see span). Atomic, as
	// sizeFirst is.
	entryBytes uint32
	// timed are the keys whose expiry is their own (see ownExpiry), by
	// name, so that a key added to keys later does not shift them.
	timed []string
}

func newObject(kind, key string, o options, aux ...string) object {
	if key == "" {
		key = keys.Random()
	}
	return object{key: key, kind: kind, keys: keys.WithAux(key, aux...), client: o.client}
}

// Key returns the Redis key the object is stored under.
func (o *object) Key() string { return o.key }

func (o *object) redisKeys() []string { return o.keys }

func (o *object) cli() (*Client, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.client != nil {
		return o.client, nil
	}
	return DefaultClient()
}

// none is what a call with nothing to send returns: what any call of o
// would be refused with (o's own error, a closed client, an ended
// context), else nil.
func (o *object) none(ctx context.Context) error {
	cl, err := o.cli()
	if err != nil {
		return err
	}
	return wrapErr(o.kind, o.key, cl.ready(ctx, nil))
}

// Delete removes the object from Redis (all of its keys), whatever type
// they hold: a key of another Redis type is deleted too, not
// ErrWrongType.
func (o *object) Delete(ctx context.Context) error {
	_, err := o.write(ctx, cmd("UNLINK", o.keys))
	return err
}

// Exists reports whether the object exists in Redis, that is, whether its
// main key exists. Empty collections do not exist in Redis.
func (o *object) Exists(ctx context.Context) (bool, error) {
	n, err := scalarInt(o.readScalar(ctx, cmd("EXISTS", o.keys[:1])))
	return n > 0, err
}

// Expire makes the object (all its keys) expire after ttl, which must be at
// least one millisecond. It reports whether it gave it an expiry, as
// Redis's PEXPIRE does: false for an object that does not exist.
//
// A key whose expiry is the object's own (a lease, a wake stream, a
// scratch key: see ownExpiry) keeps it, as it goes by itself: a lease
// that Expire lengthened would keep a killed holder's lock that much
// longer, and one it shortened would free a lock its holder still holds,
// or start a second run of a Once, before the holder's next renewal. So
// Expire reports false, and changes nothing, for a lock or a semaphore,
// whose keys all go so, and for a Once while its first run goes on.
func (o *object) Expire(ctx context.Context, ttl time.Duration) (bool, error) {
	if ttl < time.Millisecond {
		return false, o.invalid("Expire", "ttl %v is under 1ms", ttl)
	}
	ms := fmt.Sprint(ttl.Milliseconds())
	return o.eachKey(ctx, func(k string) backend.Cmd { return cmd("PEXPIRE", []string{k}, ms) })
}

// Persist removes the object's expiry. It reports whether an expiry was
// removed. A key whose expiry is the object's own (a lease, a wake
// stream, a scratch key: see ownExpiry) keeps it: a lock or a semaphore,
// whose keys all expire so, is left as it is.
func (o *object) Persist(ctx context.Context) (bool, error) {
	return o.eachKey(ctx, func(k string) backend.Cmd { return cmd("PERSIST", []string{k}) })
}

// ownExpiry marks these keys of o as keeping an expiry of their own,
// which the engine sets and renews: a lease, a wake stream or token, a
// scratch key. Expire and Persist leave it.
func (o *object) ownExpiry(ks ...string) { o.timed = append(o.timed, ks...) }

// eachKey applies c to each key of o whose expiry is the object's (see
// ownExpiry), in one transaction, and reports whether any of them
// answered 1.
func (o *object) eachKey(ctx context.Context, c func(string) backend.Cmd) (bool, error) {
	cmds := make([]backend.Cmd, 0, len(o.keys))
	for _, k := range o.keys {
		if !slices.Contains(o.timed, k) {
			cmds = append(cmds, c(k))
		}
	}
	if len(cmds) == 0 { // (a lock's or a semaphore's keys all time themselves)
		cl, err := o.cli()
		if err == nil {
			err = cl.ready(ctx, nil) // (a closed client, an ended context)
		}
		return false, err
	}
	rs, err := o.atomic(ctx, cmds...)
	if err != nil {
		return false, err
	}
	any := false
	for _, r := range rs {
		if n, _ := r.Val.(int64); n == 1 && r.Err == nil {
			any = true
		}
	}
	return any, nil
}

// NoTTL is what TTL returns for an object that exists and never expires.
const NoTTL = time.Duration(-1)

// Missing is what TTL returns for an object that does not exist.
const Missing = time.Duration(-2)

// TTL returns how long the object has left before it expires, NoTTL if it
// does not expire, or Missing if it does not exist.
func (o *object) TTL(ctx context.Context) (time.Duration, error) {
	ms, err := scalarInt(o.readScalar(ctx, cmd("PTTL", o.keys[:1])))
	if err != nil {
		return 0, err
	}
	switch ms {
	case -1:
		return NoTTL, nil
	case -2:
		return Missing, nil
	}
	return time.Duration(ms) * time.Millisecond, nil
}

var errReply = errors.New("unexpected reply from Redis")

func asInt(v any, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case nil, queuedReply:
		return 0, nil
	}
	return 0, fmt.Errorf("%w: %T where an integer was expected", errReply, v)
}

// scalarInt is asInt for a reply that came as a backend.Scalar: an
// integer as it is, anything else as asInt reads it.
func scalarInt(s backend.Scalar, err error) (int64, error) {
	if err == nil && s.Kind == backend.ScalarInt {
		return s.Int, nil
	}
	return asInt(s.Value(), err)
}

// scalarString is asString for a reply that came as a backend.Scalar: a
// string as it is, anything else as asString reads it.
func scalarString(s backend.Scalar, err error) (string, bool, error) {
	if err == nil && s.Kind == backend.ScalarStr {
		return s.Str, true, nil
	}
	return asString(s.Value(), err)
}

// asString returns a string reply; ok is false for a Redis nil.
func asString(v any, err error) (s string, ok bool, _ error) {
	if err != nil {
		return "", false, err
	}
	switch x := v.(type) {
	case string:
		return x, true, nil
	case nil, queuedReply:
		return "", false, nil
	case int64:
		return fmt.Sprint(x), true, nil
	}
	return "", false, fmt.Errorf("%w: %T where a string was expected", errReply, v)
}

// asStrings is asArray for an array of strings (a command sent with
// backend.Cmd.Strings, which a backend may answer either way).
func asStrings(v any, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	if ss, ok := v.([]string); ok {
		return ss, nil
	}
	arr, err := asArray(v, nil)
	if err != nil {
		return nil, err
	}
	ss := make([]string, len(arr))
	for i, x := range arr {
		if ss[i], _, err = asString(x, nil); err != nil {
			return nil, err
		}
	}
	return ss, nil
}

func asArray(v any, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case []any:
		return x, nil
	case nil, queuedReply:
		return nil, nil
	}
	return nil, fmt.Errorf("%w: %T where an array was expected", errReply, v)
}
