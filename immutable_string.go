package hotredis

import (
	"context"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

var scriptStringConcat = lua.Load("string_concat")

// ImmutableString is a read-only string stored as a Redis string at its
// key: HOT Redis's ImmutableString. It has the read methods of String and
// no method that changes its key: Concat and Repeat store their result
// under a new key and return a new handle, like + and * on a Go or Python
// string. A missing key reads as "".
type ImmutableString struct {
	text
	opts options
}

// NewImmutableString returns a handle on the string at key. It does no
// I/O; an empty key makes a new unique one (see Key). The string is
// written by other means (SET, a String on the same key, or Concat).
func NewImmutableString(key string, opts ...Option) *ImmutableString {
	o := collect(opts)
	return &ImmutableString{text: text{newObject("immutablestring", key, o)}, opts: o}
}

// Concat returns a new ImmutableString holding the string followed by
// suffix, stored atomically under a new unique key in the same Redis
// Cluster slot. The original is untouched. An empty result is not stored
// (the new key is missing, which reads as "").
func (s *ImmutableString) Concat(ctx context.Context, suffix string) (*ImmutableString, error) {
	r := s.sibling()
	// A suffix over the bound is built in steps at once: the script would
	// only say BIG, the suffix sent for nothing.
	big := len(suffix) > stringOneStep && !s.queuing(ctx)
	var err error
	if !big {
		_, err = s.script(ctx, scriptStringConcat, []string{s.key, r.key}, suffix, s.stringBound(ctx), strconv.Itoa(maxStringLen))
		big = backend.IsServerError(err, "BIG")
	}
	if big {
		_, err = s.rebuildString(ctx, "Concat", &r.object, []string{r.key, s.key}, func(ctx context.Context, b *strBuilder, l int64) error {
			return b.splice(ctx, &s.object, "Concat", l, l, l, suffix)
		})
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Repeat returns a new ImmutableString holding n copies of the string
// (Python's s * n; n <= 0 gives ""), stored atomically under a new unique
// key in the same Redis Cluster slot. The original is untouched. A result
// longer than Redis's 512 MiB limit is ErrInvalidArgument. A result over
// 256 KiB is built in steps, as String.Repeat's (so is Concat's).
func (s *ImmutableString) Repeat(ctx context.Context, n int) (*ImmutableString, error) {
	r := s.sibling()
	_, err := s.script(ctx, scriptStringRepeat, []string{s.key, r.key}, strconv.Itoa(min(clampIndex(n), maxStringLen+1)), strconv.Itoa(maxStringLen), s.stringBound(ctx))
	if backend.IsServerError(err, "BIG") {
		_, err = s.rebuildString(ctx, "Repeat", &r.object, []string{r.key, s.key}, func(ctx context.Context, b *strBuilder, l int64) error {
			return b.repeat(ctx, &s.object, "Repeat", l, n)
		})
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// sibling returns a handle on a new unique key that hashes to the same
// Cluster slot as s, so one script can read s and write it. Keys made from
// keys made this way do not grow: "{k}:<random>" gives "{k}:<random>".
func (s *ImmutableString) sibling() *ImmutableString {
	var k string
	if tag := keys.HashTag(s.key); tag != s.key {
		k = "{" + tag + "}:" + keys.Random()
	} else {
		k = keys.Fresh(s.key, keys.Random())
	}
	return &ImmutableString{text: text{newObject("immutablestring", k, s.opts)}, opts: s.opts}
}
