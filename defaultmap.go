package hotredis

import "context"

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
