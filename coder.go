package hotredis

import (
	"fmt"

	"github.com/hotredis/hotredis/internal/backend"
)

// coder is a Codec bound to an object, so that encoding and decoding
// errors name the key, and a panicking codec becomes an error.
type coder[T any] struct {
	kind, key string
	c         Codec[T]
}

func newCoder[T any](o *object, c any) coder[T] {
	cc, err := codecFor[T](c)
	if err != nil && o.err == nil {
		o.err = err
	}
	return coder[T]{kind: o.kind, key: o.key, c: cc}
}

func (c coder[T]) encode(v T) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("hotredis: %s %q: %w: encoding %s panicked: %v", c.kind, c.key, ErrInvalidArgument, typeName[T](), r)
		}
	}()
	s, err = c.c.Encode(v)
	if err != nil {
		return "", fmt.Errorf("hotredis: %s %q: %w: cannot encode %s: %w", c.kind, c.key, ErrInvalidArgument, typeName[T](), err)
	}
	return s, nil
}

func (c coder[T]) encodeAll(vs []T) ([]string, error) {
	out := make([]string, len(vs))
	for i, v := range vs {
		s, err := c.encode(v)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// decode returns an ErrDecode naming the key and the raw value when s is
// not a valid T.
func (c coder[T]) decode(s string) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, decodeError(c.key, s, typeName[T](), fmt.Errorf("codec panicked: %v", r))
		}
	}()
	v, err = c.c.Decode(s)
	if err != nil {
		var zero T
		return zero, decodeError(c.key, s, typeName[T](), err)
	}
	return v, nil
}

// decodeAll decodes an array reply of strings.
func (c coder[T]) decodeAll(arr []any) ([]T, error) {
	out := make([]T, len(arr))
	for i, x := range arr {
		s, _, err := asString(x, nil)
		if err != nil {
			return nil, wrapErr(c.kind, c.key, err)
		}
		if out[i], err = c.decode(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// plain reports whether c is T's default codec, under which a string
// decodes as itself when T is string.
func (c coder[T]) plain() bool {
	_, def := c.c.(kindCodec[T])
	return def
}

// same returns ss as []T when T is string under the default codec, where
// every string is its own value; ss must be the caller's own, read for
// this call (decodeStrings and decodeEach return it).
func (c coder[T]) same(ss []string) ([]T, bool) {
	same, ok := any(ss).([]T)
	return same, ok && c.plain()
}

// decodeStrings decodes stored values (see same).
func (c coder[T]) decodeStrings(ss []string) ([]T, error) {
	if same, ok := c.same(ss); ok {
		return same, nil
	}
	out, err := c.appendDecoded(make([]T, 0, len(ss)), ss)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// appendDecoded appends the values of ss, decoded, to out (see same).
func (c coder[T]) appendDecoded(out []T, ss []string) ([]T, error) {
	if same, ok := c.same(ss); ok {
		return append(out, same...), nil
	}
	for _, s := range ss {
		x, err := c.decode(s)
		if err != nil {
			return out, err
		}
		out = append(out, x)
	}
	return out, nil
}

// decodeReply decodes a single-value reply; found is false for a Redis
// nil (no such element, or a write queued in a transaction), which each
// caller turns into its own error: built only then, since these are hot
// paths.
func (c coder[T]) decodeReply(v any, err error) (x T, found bool, _ error) {
	s, ok, err := asString(v, err)
	if err != nil || !ok {
		return x, false, err
	}
	x, err = c.decode(s)
	return x, true, err
}

// decodeScalar is decodeReply for a reply that came as a backend.Scalar.
func (c coder[T]) decodeScalar(v backend.Scalar, err error) (x T, found bool, _ error) {
	s, ok, err := scalarString(v, err)
	if err != nil || !ok {
		return x, false, err
	}
	x, err = c.decode(s)
	return x, true, err
}

// decodeEach decodes taken items. They are gone from Redis whatever
// happens, so a bad one does not lose the others: they are returned with
// the first item's decoding error.
func (c coder[T]) decodeEach(ss []string) ([]T, error) {
	if same, ok := c.same(ss); ok {
		return same, nil
	}
	out := make([]T, 0, len(ss))
	var first error
	for _, s := range ss {
		v, err := c.decode(s)
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		out = append(out, v)
	}
	return out, first
}
