package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hotredis/hotredis/internal/lua"
)

// Rewrites of long strings (String.Repeat and SetSlice, ImmutableString's
// Concat and Repeat). A short result is built by one script, in Lua
// strings: ~7 ms of the server's time a MiB here. A longer one is built
// in a scratch string (see rebuild.go): one step gives it its final
// length at once (zeros: ~0.5 ms a MiB, what Redis itself takes to make a
// string that long, and the only step that grows with the result), then
// steps of stepBytes bytes copy the source's bytes, the result's own
// earlier bytes or the caller's into place (GETRANGE and SETRANGE: ~1.5
// ms a MiB), and the scratch string is swapped in. Growing it step by
// step instead would have Redis move it in memory now and then: 270 ms
// for one APPEND at 400 MB here.

var scriptStringStep = lua.Load("string_step")

const (
	// stringOneStep is the longest result one script builds.
	stringOneStep = 256 << 10
)

// stringBound is the longest result a string script may build:
// stringOneStep, or any inside a transaction (which cannot rebuild).
func (o *object) stringBound(ctx context.Context) string {
	if o.queuing(ctx) {
		return strconv.Itoa(maxStringLen)
	}
	return strconv.Itoa(stringOneStep)
}

// strBuilder writes a string being rebuilt into its scratch key.
type strBuilder struct {
	r   *rebuilder
	src string // the key the source's bytes come from
}

// rebuildString builds dst's string (o's own, or one in its slot) anew
// in steps with build, which is given the length of o's string, the
// source, while the keys in watch stay unchanged (the first one's expiry
// is kept), and returns the new length. Errors name o.
func (o *object) rebuildString(ctx context.Context, op string, dst *object, watch []string, build func(context.Context, *strBuilder, int64) error) (int, error) {
	var size int64
	done, err := dst.rebuild(ctx, "string", watch, func(ctx context.Context, r *rebuilder) error {
		n, err := scalarInt(o.readPrimaryScalar(ctx, cmd("STRLEN", o.keys[:1])))
		if err != nil {
			return err
		}
		if err := build(ctx, &strBuilder{r: r, src: o.key}, n); err != nil {
			return err
		}
		size = r.size
		return nil
	})
	switch {
	case err != nil:
		var oe *objError
		if errors.As(err, &oe) && oe.key == dst.key && dst != o { // (the rebuild's own: name the source)
			err = &objError{kind: o.kind, key: o.key, err: oe.err}
		}
		return 0, o.fail(op, err)
	case !done:
		return 0, o.fail(op, fmt.Errorf("%w: the string kept changing during %d attempts to rebuild it", ErrTxConflict, rebuildAttempts))
	}
	return int(size), nil
}

// alloc gives the scratch string its length, n bytes (n <= 0: none).
func (b *strBuilder) alloc(ctx context.Context, o *object, op string, n int64) error {
	if n > maxStringLen {
		return o.invalid(op, "the result's %d bytes exceed Redis's %d-byte strings", n, maxStringLen)
	}
	if n <= 0 {
		return nil
	}
	_, err := b.r.step(ctx, scriptStringStep, b.src, nil, "alloc", strconv.FormatInt(n, 10))
	return err
}

// copy writes n bytes from offset from at offset to, stepBytes bytes a
// step: the source's (op "copy") or the scratch string's own ("self").
func (b *strBuilder) copy(ctx context.Context, op string, to, from, n int64) error {
	for n > 0 {
		k := min(n, stepBytes)
		if _, err := b.r.step(ctx, scriptStringStep, b.src, nil, op,
			strconv.FormatInt(to, 10), strconv.FormatInt(from, 10), strconv.FormatInt(k, 10)); err != nil {
			return err
		}
		to, from, n = to+k, from+k, n-k
	}
	return nil
}

// put writes v at offset to, stepBytes bytes a step.
func (b *strBuilder) put(ctx context.Context, to int64, v string) error {
	for len(v) > 0 {
		k := min(len(v), stepBytes)
		if _, err := b.r.step(ctx, scriptStringStep, b.src, nil, "put", strconv.FormatInt(to, 10), v[:k]); err != nil {
			return err
		}
		to, v = to+int64(k), v[k:]
	}
	return nil
}

// repeat builds n copies of the source's l bytes: the source once, then
// the result's own bytes so far, doubling them.
func (b *strBuilder) repeat(ctx context.Context, o *object, op string, l int64, n int) error {
	if n <= 0 || l == 0 {
		return nil // "": the key is deleted
	}
	if int64(n) > maxStringLen/l {
		return o.invalid(op, "%d copies of %d bytes exceed Redis's %d-byte strings", n, l, maxStringLen)
	}
	total := l * int64(n)
	if err := b.alloc(ctx, o, op, total); err != nil {
		return err
	}
	if err := b.copy(ctx, "copy", 0, 0, l); err != nil {
		return err
	}
	for at := l; at < total; {
		// The bytes [at%l, at - at%l) repeat the source as those from at
		// on must: a whole number of copies, aligned with them.
		k := min(total-at, at-at%l)
		if err := b.copy(ctx, "self", at, at%l, k); err != nil {
			return err
		}
		at += k
	}
	return nil
}

// splice builds the source's bytes [0, a), then v, then its bytes [e, l).
func (b *strBuilder) splice(ctx context.Context, o *object, op string, l, a, e int64, v string) error {
	if err := b.alloc(ctx, o, op, a+int64(len(v))+l-e); err != nil {
		return err
	}
	if err := b.copy(ctx, "copy", 0, 0, a); err != nil {
		return err
	}
	if err := b.put(ctx, a, v); err != nil {
		return err
	}
	return b.copy(ctx, "copy", a+int64(len(v)), e, l-e)
}
