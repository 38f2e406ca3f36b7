package hotredis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strconv"

	"github.com/hotredis/hotredis/internal/lua"
)

var (
	scriptMapSetDefault = lua.Load("map_set_default")
	scriptMapPop        = lua.Load("map_pop")
	scriptMapPopItem    = lua.Load("map_pop_item")
	scriptMapIncrFloat  = lua.Load("map_incr_float")
)

// Pair is one key and its value, as yielded by Map.All and returned by
// Counter.MostCommon.
type Pair[K, V any] struct {
	Key   K // the map key, or the counted element
	Value V // its value, or its count
}

// Map is a map from K to V stored as a Redis hash at its key: HOT Redis's
// Dict, Go's map[K]V, Python's dict. Keys and values are stored as text by
// their codecs (see DefaultCodec, WithKeyCodec and WithCodec), so Python
// programs see the same hash. Every method is one atomic step on the
// server, so any number of goroutines and processes can share a Map.
//
// Methods that change the map called with a Transaction's context are
// queued and return zero values; methods that only read fail there with
// ErrInTransaction.
type Map[K comparable, V any] struct {
	hash[K, V]
}

// hash is the implementation of Map, shared with DefaultMap, which
// embeds it too and redefines Get.
type hash[K comparable, V any] struct {
	object
	keyc coder[K]
	vals coder[V]
}

// NewMap returns a handle on the hash at key. It does no I/O; an empty key
// makes a new unique one (see Key).
func NewMap[K comparable, V any](key string, opts ...Option) *Map[K, V] {
	m := &Map[K, V]{}
	m.init("map", key, opts)
	return m
}

func (m *hash[K, V]) init(kind, key string, opts []Option) {
	o := collect(opts)
	m.object = newObject(kind, key, o)
	m.keyc = newCoder[K](&m.object, o.keyCodec)
	m.vals = newCoder[V](&m.object, o.codec)
}

// Get returns the value stored for k; ok is false when there is none.
func (m *hash[K, V]) Get(ctx context.Context, k K) (v V, ok bool, err error) {
	f, err := m.keyc.encode(k)
	if err != nil {
		return v, false, err
	}
	s, ok, err := scalarString(m.readScalar(ctx, cmd("HGET", m.keys[:1], f)))
	if err != nil || !ok {
		return v, false, err
	}
	v, err = m.vals.decode(s)
	return v, err == nil, err
}

// Set stores v for k.
func (m *hash[K, V]) Set(ctx context.Context, k K, v V) error {
	f, val, err := m.encodePair(k, v)
	if err != nil {
		return err
	}
	_, err = m.write(ctx, cmd("HSET", m.keys[:1], f, val))
	return err
}

func (m *hash[K, V]) encodePair(k K, v V) (string, string, error) {
	f, err := m.keyc.encode(k)
	if err != nil {
		return "", "", err
	}
	val, err := m.vals.encode(v)
	return f, val, err
}

// SetMany stores every entry of entries (Python's dict.update),
// atomically. More than 10,000 entries (or 4 MiB) are applied in bounded
// steps to a copy of the map, which then replaces it (inside a
// transaction: in one MULTI/EXEC).
func (m *hash[K, V]) SetMany(ctx context.Context, entries map[K]V) error {
	if len(entries) == 0 {
		return m.none(ctx)
	}
	args, err := m.encodeMap(entries)
	if err != nil {
		return err
	}
	_, err = m.bulkWrite(ctx, bulkHSET, args)
	return err
}

func (m *hash[K, V]) encodeMap(entries map[K]V) ([]string, error) {
	args := make([]string, 0, 2*len(entries))
	for k, v := range entries {
		f, val, err := m.encodePair(k, v)
		if err != nil {
			return nil, err
		}
		args = append(args, f, val)
	}
	return args, nil
}

// SetDefault returns the value stored for k, first storing v when there is
// none (Python's dict.setdefault), in one atomic step: of two concurrent
// callers, both get the value that was stored first.
func (m *hash[K, V]) SetDefault(ctx context.Context, k K, v V) (V, error) {
	f, val, err := m.encodePair(k, v)
	if err != nil {
		var zero V
		return zero, err
	}
	r, err := m.script(ctx, scriptMapSetDefault, m.keys[:1], f, val)
	x, _, err := m.vals.decodeReply(r, err)
	return x, err
}

// Remove deletes the entries for ks and returns how many there were
// (Python's del, without the KeyError), atomically; more than 10,000 keys
// (or 4 MiB) in bounded steps, as SetMany.
func (m *hash[K, V]) Remove(ctx context.Context, ks ...K) (int, error) {
	return removeFields(ctx, &m.object, m.keyc, ks)
}

func removeFields[K any](ctx context.Context, o *object, keyc coder[K], ks []K) (int, error) {
	if len(ks) == 0 {
		return 0, o.none(ctx)
	}
	fs, err := keyc.encodeAll(ks)
	if err != nil {
		return 0, err
	}
	return o.bulkWrite(ctx, bulkHDEL, fs)
}

// Pop removes the entry for k and returns its value; ok is false when
// there was none. Reading and removing are one atomic step.
func (m *hash[K, V]) Pop(ctx context.Context, k K) (v V, ok bool, err error) {
	f, err := m.keyc.encode(k)
	if err != nil {
		return v, false, err
	}
	r, err := m.script(ctx, scriptMapPop, m.keys[:1], f)
	arr, err := asArray(r, err)
	if err != nil || isQueued(r) || len(arr) < 2 {
		return v, false, err
	}
	s, _, _ := asString(arr[0], nil)
	if v, err = m.vals.decode(s); err != nil {
		m.putBack(ctx, f, s, arr[1])
	}
	return v, err == nil, err
}

// putBack puts an entry a pop took but could not decode back (unless
// another client set the field since), so that an undecodable value is
// not lost: Python's pop never removes what it cannot hand back. ttl is
// the hash's PTTL before the pop: a hash the pop emptied went with its
// expiry, which it takes back.
func (m *hash[K, V]) putBack(ctx context.Context, f, v string, ttl any) {
	ctx = context.WithoutCancel(ctx)
	back := cmd("HSETNX", m.keys[:1], f, v)
	if ms, _ := ttl.(int64); ms > 0 {
		_, _ = m.atomic(ctx, back, cmd("PEXPIRE", m.keys[:1], strconv.FormatInt(ms, 10), "NX"))
		return
	}
	_, _ = m.write(ctx, back)
}

// PopItem removes an arbitrary entry and returns it (Python's
// dict.popitem, though a hash has no order to pop from: the entry is
// random), or returns ErrEmpty. Inside a Transaction it is queued and
// returns zero values.
func (m *hash[K, V]) PopItem(ctx context.Context) (K, V, error) {
	var (
		k K
		v V
	)
	r, err := m.script(ctx, scriptMapPopItem, m.keys[:1])
	arr, err := asArray(r, err)
	if err != nil || isQueued(r) {
		return k, v, err
	}
	if len(arr) != 3 {
		return k, v, fmt.Errorf("hotredis: %s %q: PopItem: %w", m.kind, m.key, ErrEmpty)
	}
	p, err := decodePair(m.keyc, m.vals, arr[0], arr[1])
	if err != nil {
		f, _, _ := asString(arr[0], nil)
		val, _, _ := asString(arr[1], nil)
		m.putBack(ctx, f, val, arr[2])
	}
	return p.Key, p.Value, err
}

func decodePair[K, V any](keyc coder[K], vals coder[V], f, val any) (p Pair[K, V], err error) {
	fs, _, err := asString(f, nil)
	if err != nil {
		return p, wrapErr(keyc.kind, keyc.key, err)
	}
	vs, _, err := asString(val, nil)
	if err != nil {
		return p, wrapErr(keyc.kind, keyc.key, err)
	}
	return decodeStringPair(keyc, vals, fs, vs)
}

// decodeStringPair is decodePair of a stored field and value.
func decodeStringPair[K, V any](keyc coder[K], vals coder[V], fs, vs string) (p Pair[K, V], err error) {
	if p.Key, err = keyc.decode(fs); err != nil {
		return p, err
	}
	p.Value, err = vals.decode(vs)
	return p, err
}

// Has reports whether there is an entry for k.
func (m *hash[K, V]) Has(ctx context.Context, k K) (bool, error) {
	f, err := m.keyc.encode(k)
	if err != nil {
		return false, err
	}
	n, err := scalarInt(m.readScalar(ctx, cmd("HEXISTS", m.keys[:1], f)))
	return n == 1, err
}

// Len returns the number of entries (0 for a missing key).
func (m *hash[K, V]) Len(ctx context.Context) (int, error) {
	n, err := scalarInt(m.readScalar(ctx, cmd("HLEN", m.keys[:1])))
	return int(n), err
}

// Keys returns every key, in no particular order, read as Items is
// (HKEYS instead of HGETALL).
func (m *hash[K, V]) Keys(ctx context.Context) ([]K, error) {
	fs, err := m.hashHalf(ctx, "Keys", 0)
	if err != nil {
		return nil, err
	}
	return m.keyc.decodeStrings(fs)
}

// Values returns every value, in no particular order, read as Items is
// (HVALS instead of HGETALL).
func (m *hash[K, V]) Values(ctx context.Context) ([]V, error) {
	vs, err := m.hashHalf(ctx, "Values", 1)
	if err != nil {
		return nil, err
	}
	return m.vals.decodeStrings(vs)
}

// everyOther returns arr's items at from, from+2, ...
func everyOther(arr []string, from int) []string {
	out := make([]string, 0, len(arr)/2)
	for i := from; i < len(arr); i += 2 {
		out = append(out, arr[i])
	}
	return out
}

// Items returns the whole map as a Go map, as one snapshot: in one
// command up to 8,192 entries (an HSCAN up to about 4,000, else HGETALL: a
// few ms of server time; fewer for long entries: at most 4 MiB a command
// once the handle has seen their size), else in HSCAN steps of a few
// thousand while the
// key is WATCHed (read again if it changed meanwhile; ErrTxConflict if it
// kept changing through 3 attempts), so that Redis is never held for
// long. All reads a chunk at a time instead, without the snapshot. Two
// fields that decode to one key (0.0 and -0.0 of a float key, "1" and
// "01" written by another program for an int key) give one entry, as
// Python's dict of them does.
func (m *hash[K, V]) Items(ctx context.Context) (map[K]V, error) {
	return hashItems(ctx, &m.object, "Items", m.keyc, m.vals)
}

// All returns an iterator over the entries, read with HSCAN about
// chunkSize (1000) at a time (fewer when they are long: at most a few MiB
// a step), so client memory stays flat whatever the map's size. If a read fails, or an entry cannot be decoded, the iterator
// yields the error once (with a zero Pair) and stops. The map is not
// frozen: entries changed meanwhile may be seen or missed, and an entry
// present throughout may be seen twice if the hash is resized meanwhile
// (HSCAN's guarantee).
func (m *hash[K, V]) All(ctx context.Context) iter.Seq2[Pair[K, V], error] {
	return scanPairs(ctx, &m.object, m.keyc, m.vals)
}

func scanPairs[K, V any](ctx context.Context, o *object, keyc coder[K], vals coder[V]) iter.Seq2[Pair[K, V], error] {
	ctx = o.iterCtx(ctx)
	return func(yield func(Pair[K, V], error) bool) {
		cursor := "0"
		for {
			next, arr, err := scanKey(ctx, o, "HSCAN", o.key, cursor, o.span(chunkSize, 2))
			if err != nil {
				yield(Pair[K, V]{}, err)
				return
			}
			for i := 0; i+1 < len(arr); i += 2 {
				p, err := decodeStringPair(keyc, vals, arr[i], arr[i+1])
				if err != nil {
					yield(Pair[K, V]{}, err)
					return
				}
				if !yield(p, nil) {
					return
				}
			}
			if next == "0" {
				return
			}
			cursor = next
		}
	}
}

// Clear removes every entry (the key is deleted, whatever it holds).
func (m *hash[K, V]) Clear(ctx context.Context) error { return m.Delete(ctx) }

// Replace atomically replaces the whole map with entries. An empty entries
// deletes the key (HOT Redis never stores an empty Dict). More than 10,000
// entries (or 4 MiB) are gathered in a scratch hash in bounded steps,
// which then replaces the map.
func (m *hash[K, V]) Replace(ctx context.Context, entries map[K]V) error {
	args, err := m.encodeMap(entries)
	if err != nil {
		return err
	}
	return m.bulkReplace(ctx, bulkHSET, args)
}

// Incr adds n to the integer stored for k (a missing entry counts 0) and
// returns the result (HINCRBY). A result beyond int64 is ErrOverflow and a
// value that is not an integer is ErrDecode; either leaves the value
// unchanged. V should be an integer type for Get to read the result back.
// The stored text is read as Redis reads it, a plain decimal integer: a
// form Get also accepts (as Python's int() does), such as "+5", " 5" or
// "1_000", which no Python or hotredis write stores, is ErrDecode here.
func (m *hash[K, V]) Incr(ctx context.Context, k K, n int64) (int64, error) {
	f, err := m.keyc.encode(k)
	if err != nil {
		return 0, err
	}
	return incrField(ctx, &m.object, f, n)
}

// floatIncrement returns x as IncrFloat sends it; NaN and infinities are
// ErrNotFinite.
func (o *object) floatIncrement(x float64) (string, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "", o.fail("IncrFloat", fmt.Errorf("%w: increment %v", ErrNotFinite, x))
	}
	return strconv.FormatFloat(x, 'g', -1, 64), nil
}

func incrField(ctx context.Context, o *object, f string, n int64) (int64, error) {
	r, err := scalarInt(o.writeScalar(ctx, cmd("HINCRBY", o.keys[:1], f, strconv.FormatInt(n, 10))))
	return r, fieldErr(ctx, o, f, err)
}

// IncrFloat adds x to the number stored for k (a missing entry counts 0)
// and returns the result (HINCRBYFLOAT, which stores Redis's own decimal
// form, such as "0.3"). A value that is not a number is ErrDecode and
// leaves the value unchanged; an x that is NaN or infinite is ErrNotFinite,
// and so is a result beyond float64's range, which Redis, adding in long
// double, stores: IncrFloat then takes it back, by a second step that adds
// -x while the field is still beyond that range (inside a transaction the
// result is refused at once and nothing changes). Redis rounds the sum to 17 decimals: adding 1e-20 to 0
// stores "0", where Python's d[k] += 1e-20 keeps it. The stored text is
// read as Redis reads it (C's strtold): Python's float() forms with
// spaces or underscores around or between digits, which Get accepts, are
// ErrDecode here, and a hexadecimal float such as "0x1p3", which Get
// refuses, is read. (No Python or hotredis write stores either.)
func (m *hash[K, V]) IncrFloat(ctx context.Context, k K, x float64) (float64, error) {
	by, err := m.floatIncrement(x)
	if err != nil {
		return 0, err
	}
	f, err := m.keyc.encode(k)
	if err != nil {
		return 0, err
	}
	if m.queuing(ctx) {
		// A result past float64's range cannot be reported at a commit:
		// the script refuses it, changing nothing.
		_, err := m.script(ctx, scriptMapIncrFloat, m.keys[:1], f, by)
		return 0, err
	}
	s, _, err := scalarString(m.writeScalar(ctx, cmd("HINCRBYFLOAT", m.keys[:1], f, by)))
	if err != nil || s == "" {
		return 0, fieldErr(ctx, &m.object, f, err)
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Redis adds in long double: a sum past float64's range is stored.
		// Take it back (unless another client wrote the field since).
		return 0, m.takeBack(ctx, m.fail("IncrFloat", fmt.Errorf("%w: the result %.20s... is beyond float64's range", ErrNotFinite, s)), x, f)
	}
	return r, nil
}

// fieldErr turns Redis's "hash value is not an integer/float" into a
// DecodeError carrying the stored value (read back, best effort).
func fieldErr(ctx context.Context, o *object, f string, err error) error {
	if !errors.Is(err, ErrDecode) {
		return err
	}
	raw, _, _ := scalarString(o.readScalar(ctx, cmd("HGET", o.keys[:1], f)))
	return decodeError(o.key, raw, "number", fmt.Errorf("field %q does not hold a number", f))
}
