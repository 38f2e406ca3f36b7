package hotredis

import (
	"context"
	"strconv"

	"github.com/hotredis/hotredis/internal/lua"
)

var scriptMapIncrDefault = lua.Load("map_incr_default")

// DefaultMap is a Map whose Get never misses: reading a key that has no
// entry stores the value made by its factory and returns it, as Python's
// collections.defaultdict does (HOT Redis's DefaultDict). The factory is
// not stored in Redis; every handle brings its own. It has every method of
// Map; Lookup is the comma-ok lookup that does not store a default.
type DefaultMap[K comparable, V any] struct {
	hash[K, V]
	factory func() V
}

// NewDefaultMap returns a handle on the hash at key whose missing entries
// read as factory(); a nil factory means V's zero value. It does no I/O;
// an empty key makes a new unique one (see Key).
func NewDefaultMap[K comparable, V any](key string, factory func() V, opts ...Option) *DefaultMap[K, V] {
	if factory == nil {
		factory = func() V { var zero V; return zero }
	}
	d := &DefaultMap[K, V]{factory: factory}
	d.init("defaultmap", key, opts)
	return d
}

// Get returns the value stored for k. When there is none it calls the
// factory and stores its value, unless another client stored one first,
// atomically (HSETNX in a script): concurrent first Gets all return the
// same stored value. The factory runs only on a miss, possibly in several
// callers at once, but only one value is kept.
//
// Inside an optimistic transaction the lookup is live and a miss queues
// the store and returns the factory's value; inside a Transaction, Get is
// a read and fails with ErrInTransaction.
func (d *DefaultMap[K, V]) Get(ctx context.Context, k K) (V, error) {
	v, ok, err := d.hash.Get(ctx, k)
	if err != nil || ok {
		return v, err
	}
	v = d.factory()
	stored, err := d.SetDefault(ctx, k, v)
	if err != nil || d.queuing(ctx) {
		return v, err
	}
	return stored, nil
}

// Lookup returns the value stored for k, with ok false when there is none;
// unlike Get it stores nothing (Map's Get).
func (d *DefaultMap[K, V]) Lookup(ctx context.Context, k K) (v V, ok bool, err error) {
	return d.hash.Get(ctx, k)
}

// Incr adds n to the integer stored for k and returns the result; a
// missing entry is first the factory's value, stored, as for Python's
// d[k] += n on a defaultdict (Map's Incr counts it 0). One atomic script:
// of concurrent first Incrs, one stores the default and every increment
// counts. The factory runs only on a miss, in a second round trip (inside
// a Transaction it runs first, and the result is known only at the
// commit: Incr returns 0). A result beyond int64 is ErrOverflow, and a
// value or default that is not an integer ErrDecode; either changes
// nothing. Stored text is read as Map's Incr reads it.
func (d *DefaultMap[K, V]) Incr(ctx context.Context, k K, n int64) (int64, error) {
	r, err := d.incr(ctx, k, "int", strconv.FormatInt(n, 10))
	if err != nil || d.queuing(ctx) {
		return 0, err
	}
	// (The stored text: an integer reply from a script went through a
	// Lua double, exact only up to 2^53.)
	s, _, err := asString(r, nil)
	if err != nil {
		return 0, err
	}
	return parseDecimal(d.key, s)
}

// IncrFloat adds x to the number stored for k and returns the result; a
// missing entry is first the factory's value, as for Incr. An x that is
// NaN or infinite, or a result beyond float64's range, is ErrNotFinite,
// and a value or default that is not a number ErrDecode; each changes
// nothing. Otherwise as Map's IncrFloat (HINCRBYFLOAT's decimal form and
// its reading of stored text).
func (d *DefaultMap[K, V]) IncrFloat(ctx context.Context, k K, x float64) (float64, error) {
	by, err := d.floatIncrement(x)
	if err != nil {
		return 0, err
	}
	r, err := d.incr(ctx, k, "float", by)
	if err != nil || d.queuing(ctx) {
		return 0, err
	}
	s, _, err := asString(r, nil)
	if err != nil {
		return 0, err
	}
	return strconv.ParseFloat(s, 64) // (the script refuses what float64 cannot hold)
}

// incr runs map_incr_default (kind "int" or "float") on k's field with
// increment by: first without the default, then, on a miss, with the
// factory's value (at once inside a transaction).
func (d *DefaultMap[K, V]) incr(ctx context.Context, k K, kind, by string) (any, error) {
	f, err := d.keyc.encode(k)
	if err != nil {
		return nil, err
	}
	args := []string{kind, f, by}
	if !d.queuing(ctx) {
		r, err := d.script(ctx, scriptMapIncrDefault, d.keys[:1], args...)
		if err != nil || r != nil {
			return r, fieldErr(ctx, &d.object, f, err)
		}
	}
	def, err := d.vals.encode(d.factory())
	if err != nil {
		return nil, err
	}
	r, err := d.script(ctx, scriptMapIncrDefault, d.keys[:1], append(args, def)...)
	return r, fieldErr(ctx, &d.object, f, err)
}
