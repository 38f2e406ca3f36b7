package hotredis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

var (
	scriptStringSlice    = lua.Load("string_slice")
	scriptStringSetSlice = lua.Load("string_set_slice")
	scriptStringRepeat   = lua.Load("string_repeat")
	scriptStringIndex    = lua.Load("string_index")
	scriptStringCAS      = lua.Load("string_cas")
	scriptStringSet      = lua.Load("string_set")
)

// maxStringLen is the longest string Redis accepts by default
// (proto-max-bulk-len, 512 MiB).
const maxStringLen = 512 << 20

// text holds the read methods String and ImmutableString share.
type text struct {
	object
}

// Get returns the string, "" if the key is missing. A string over 2 MiB
// is read in steps (see Slice).
func (t *text) Get(ctx context.Context) (string, error) {
	return t.slice(ctx, "Get", 0, math.MaxInt)
}

// Len returns the length of the string in bytes (0 if the key is missing).
func (t *text) Len(ctx context.Context) (int, error) {
	n, err := scalarInt(t.readScalar(ctx, cmd("STRLEN", t.keys[:1])))
	return int(n), err
}

// Slice returns the bytes s[start:stop] with Python's slice rules:
// negative bounds count from the end, bounds past either end are clamped,
// and an empty range gives "", not an error. Use math.MaxInt as stop for
// "to the end". Only the slice crosses the network. A slice over 2 MiB
// is read in steps of 2 MiB while the key is watched (a snapshot:
// ErrTxConflict if the string kept changing through 3 attempts): one GET
// of 16 MiB held Redis ~43 ms here.
func (t *text) Slice(ctx context.Context, start, stop int) (string, error) {
	return t.slice(ctx, "Slice", start, stop)
}

// readWindow is the most bytes one step of a long read takes (GETRANGE).
// A reply of up to 7 MiB cost Redis 0.1-0.5 ms a MiB here while its
// memory was at hand, and up to ~5 ms a MiB when the allocator had to
// fault it in (4 MiB windows: steps of up to 19 ms); one of 8 MiB or
// more ~2.5 ms a MiB always (jemalloc maps allocations past its 8 MiB
// oversize threshold afresh).
const readWindow = 2 << 20

// readWindowLast is GETRANGE's inclusive end of a first window.
var readWindowLast = strconv.Itoa(readWindow - 1)

// slice is Slice for op: one GETRANGE when the bounds are not negative
// (and steps if its window came back full), else string_slice, which
// resolves Python's bounds on the server (and says BIG for a slice
// longer than one step).
func (t *text) slice(ctx context.Context, op string, start, stop int) (string, error) {
	if 0 <= start && start < stop { // GETRANGE's own rules agree here
		n, last := min(stop-start, readWindow), readWindowLast
		if start != 0 || n != readWindow {
			last = strconv.Itoa(start + n - 1)
		}
		s, _, err := scalarString(t.readScalar(ctx, cmd("GETRANGE", t.keys[:1], strconv.Itoa(start), last)))
		if err != nil || len(s) < n || n == stop-start {
			return s, err
		}
		return t.sliceSteps(ctx, op, start, stop)
	}
	a, b := strconv.Itoa(clampIndex(start)), strconv.Itoa(clampIndex(stop))
	s, _, err := asString(t.script(ctx, scriptStringSlice, t.keys[:1], a, b, strconv.Itoa(stringOneStep)))
	if !backend.IsServerError(err, "BIG") {
		return s, err
	}
	return t.sliceSteps(ctx, op, start, stop)
}

// sliceSteps reads s[start:stop] in steps of readWindow bytes, one
// snapshot.
func (t *text) sliceSteps(ctx context.Context, op string, start, stop int) (string, error) {
	var out string
	err := t.snapshot(ctx, op, func(ctx context.Context) error {
		l, err := scalarInt(t.readPrimaryScalar(ctx, cmd("STRLEN", t.keys[:1])))
		if err != nil {
			return err
		}
		a := pyBound(int64(clampIndex(start)), l)
		b := max(a, pyBound(int64(clampIndex(stop)), l))
		var sb strings.Builder
		sb.Grow(int(b - a))
		err = t.eachWindow(ctx, a, b, func(_ int64, w string) bool {
			sb.WriteString(w)
			return true
		})
		out = sb.String()
		return err
	})
	return out, err
}

// eachWindow reads the string's bytes [a, b) by GETRANGE in windows of up
// to readWindow bytes, and gives each to f with its offset until f says
// no more; part of a snapshot (the caller's). A window may come back short
// if the string changed meanwhile (and the snapshot is then read again).
func (t *text) eachWindow(ctx context.Context, a, b int64, f func(off int64, w string) bool) error {
	for off := a; off < b; off += readWindow {
		end := min(b, off+readWindow) // (exclusive)
		w, _, err := scalarString(t.readPrimaryScalar(ctx, cmd("GETRANGE", t.keys[:1], strconv.FormatInt(off, 10), strconv.FormatInt(end-1, 10))))
		if err != nil || !f(off, w) {
			return err
		}
	}
	return nil
}

// Index returns the byte offset of the first occurrence of sub, or -1 if
// there is none, as strings.Index does. The search runs on the server for
// a string of up to 256 KiB (64 KiB for a sub over 16 bytes); a longer one
// (or a longer sub) is read in windows of 2 MiB while the key is watched
// (a snapshot: ErrTxConflict if it kept changing through 3 attempts), and
// searched here: a server step searching it whole took up to seconds.
func (t *text) Index(ctx context.Context, sub string) (int, error) {
	bound := stringOneStep
	if len(sub) > 16 {
		bound = indexOneStepLong
	}
	if len(sub) <= bound { // (a longer sub would be copied into Lua for nothing)
		n, err := asInt(t.script(ctx, scriptStringIndex, t.keys[:1], sub, strconv.Itoa(bound)))
		if !backend.IsServerError(err, "BIG") {
			return int(n), err
		}
	}
	at := -1
	err := t.snapshot(ctx, "Index", func(ctx context.Context) error {
		var err error
		at, err = t.indexSteps(ctx, sub)
		return err
	})
	return at, err
}

// indexOneStepLong is the longest string string_index searches for a sub
// over 16 bytes, by Knuth-Morris-Pratt in the worst case: ~170 ms a MiB
// of interpreted Lua.
const indexOneStepLong = 64 << 10

// indexSteps is Index of a long string, read in windows (eachWindow) and
// searched with the last len(sub)-1 bytes before each, where a match may
// have begun; part of a snapshot (the caller's).
func (t *text) indexSteps(ctx context.Context, sub string) (int, error) {
	l, err := scalarInt(t.readPrimaryScalar(ctx, cmd("STRLEN", t.keys[:1])))
	switch {
	case err != nil:
		return -1, err
	case sub == "":
		return 0, nil
	case int64(len(sub)) > l:
		return -1, nil
	}
	at := -1
	var carry string
	err = t.eachWindow(ctx, 0, l, func(off int64, w string) bool {
		buf := carry + w
		if i := strings.Index(buf, sub); i >= 0 {
			at = int(off) - len(carry) + i
			return false
		}
		carry = buf[len(buf)-min(len(buf), len(sub)-1):]
		return true
	})
	return at, err
}

// Contains reports whether sub occurs in the string, checked on the
// server. Every string contains "".
func (t *text) Contains(ctx context.Context, sub string) (bool, error) {
	i, err := t.Index(ctx, sub)
	return i >= 0, err
}

// HasPrefix reports whether the string begins with prefix. Only
// len(prefix) bytes cross the network (a prefix over 2 MiB: in steps, as
// Slice reads).
func (t *text) HasPrefix(ctx context.Context, prefix string) (bool, error) {
	if prefix == "" {
		_, err := t.Len(ctx) // still reports a key of the wrong type
		return err == nil, err
	}
	if len(prefix) > readWindow {
		return t.hasLong(ctx, "HasPrefix", prefix, false)
	}
	s, _, err := scalarString(t.readScalar(ctx, cmd("GETRANGE", t.keys[:1], "0", strconv.Itoa(len(prefix)-1))))
	return s == prefix, err
}

// HasSuffix reports whether the string ends with suffix. Only
// len(suffix) bytes cross the network (a suffix over 2 MiB: in steps).
func (t *text) HasSuffix(ctx context.Context, suffix string) (bool, error) {
	if suffix == "" {
		_, err := t.Len(ctx)
		return err == nil, err
	}
	if len(suffix) > readWindow {
		return t.hasLong(ctx, "HasSuffix", suffix, true)
	}
	s, _, err := scalarString(t.readScalar(ctx, cmd("GETRANGE", t.keys[:1], strconv.Itoa(-len(suffix)), "-1")))
	return s == suffix, err
}

// hasLong is HasPrefix (or HasSuffix, at the end) of a long part: the
// string's bytes compared window by window, one snapshot, stopping at the
// first window that differs.
func (t *text) hasLong(ctx context.Context, op, part string, atEnd bool) (bool, error) {
	var has bool
	err := t.snapshot(ctx, op, func(ctx context.Context) error {
		l, err := scalarInt(t.readPrimaryScalar(ctx, cmd("STRLEN", t.keys[:1])))
		if has = l >= int64(len(part)); err != nil || !has {
			return err
		}
		a := int64(0)
		if atEnd {
			a = l - int64(len(part))
		}
		return t.eachWindow(ctx, a, a+int64(len(part)), func(off int64, w string) bool {
			has = w == part[off-a:off-a+int64(len(w))]
			return has
		})
	})
	return has, err
}

// String is a mutable string stored as a Redis string at its key: HOT
// Redis's String. A missing key reads as "", and a String never stores ""
// (a change that empties it deletes the key). Offsets are in bytes, as in
// Go. The transforms (ToUpper, Trim, Replace, ..., Update) compute the new
// value in Go, with exactly Go's strings semantics, and commit it with a
// compare-and-set that retries on a concurrent change: they work inside
// Optimistic, not inside Transaction. Writes keep the key's expiry.
type String struct {
	text
	// long is set when this handle's latest Update met a value over
	// stringOneStep: the next goes straight to updateWatched (else it
	// would read the long string once outside the watch, then again).
	long atomic.Bool
}

// NewString returns a handle on the string at key. It does no I/O; an
// empty key makes a new unique one (see Key).
func NewString(key string, opts ...Option) *String {
	return &String{text: text{newObject("string", key, collect(opts))}}
}

// Set replaces the string with v, keeping its expiry; "" deletes the key.
// A key of another type is ErrWrongType, and left as it is. A v over
// 256 KiB goes as a native SET after a watched TYPE (an optimistic
// transaction: ErrTxConflict if the key changed through 20 attempts), so
// that no server step copies it; inside a Transaction, which cannot read,
// such a v is a bare SET, which replaces a key of any type.
func (s *String) Set(ctx context.Context, v string) error {
	if len(v) <= stringOneStep {
		_, err := s.script(ctx, scriptStringSet, s.keys[:1], v)
		return err
	}
	if t := txFrom(ctx); t != nil {
		if t.conn == nil { // a Transaction
			return s.setNative(ctx, v)
		}
		return s.setChecked(ctx, v) // Optimistic: the TYPE read is watched
	}
	cl, err := s.cli()
	if err != nil {
		return err
	}
	return s.fail("Set", cl.Optimistic(ctx, func(ctx context.Context) error { return s.setChecked(ctx, v) }, s))
}

// setChecked sets v by a native SET once a TYPE read, watched in an
// optimistic transaction, found the key a string or missing (string_set
// would copy a long v into Lua: ~8 ms of server time a MiB).
func (s *String) setChecked(ctx context.Context, v string) error {
	typ, _, err := scalarString(s.readPrimaryScalar(ctx, cmd("TYPE", s.keys[:1])))
	if err != nil {
		return err
	}
	if typ != "string" && typ != "none" {
		return wrapErr(s.kind, s.key, wrongTypeReply())
	}
	return s.setNative(ctx, v)
}

// setNative replaces the string with v by a native SET KEEPTTL ("" deletes
// the key), whatever the key holds: for callers that know it holds a
// string (a watched read found one).
func (s *String) setNative(ctx context.Context, v string) error {
	if v == "" {
		return s.Delete(ctx)
	}
	_, err := s.write(ctx, cmd("SET", s.keys[:1], v, "KEEPTTL"))
	return err
}

// Append adds v at the end (APPEND, Python's +=) and returns the new
// length.
func (s *String) Append(ctx context.Context, v string) (int, error) {
	if v == "" {
		if s.queuing(ctx) {
			return 0, nil // nothing to queue (a write's reply inside one is 0)
		}
		return s.Len(ctx)
	}
	n, err := scalarInt(s.writeScalar(ctx, cmd("APPEND", s.keys[:1], v)))
	return int(n), err
}

// Repeat replaces the string with n copies of itself (Python's *= n) and
// returns the new length; n <= 0 empties it. A result longer than Redis's
// 512 MiB limit is ErrInvalidArgument and changes nothing. A result over
// 256 KiB is built in a scratch key by steps of a few ms and swapped in
// (see the README's "bounded steps"; ErrTxConflict if the string kept
// changing through 3 attempts).
func (s *String) Repeat(ctx context.Context, n int) (int, error) {
	// (n clamped: any count over the limit is refused by the script, which
	// first gives "" for an empty string, as Python does.)
	r, err := asInt(s.script(ctx, scriptStringRepeat, []string{s.key, s.key}, strconv.Itoa(min(clampIndex(n), maxStringLen+1)), strconv.Itoa(maxStringLen), s.stringBound(ctx)))
	if !backend.IsServerError(err, "BIG") {
		return int(r), err
	}
	return s.rebuildString(ctx, "Repeat", &s.object, s.keys[:1], func(ctx context.Context, b *strBuilder, l int64) error {
		return b.repeat(ctx, &s.object, "Repeat", l, n)
	})
}

// SetSlice replaces the bytes s[start:stop] with v, as Python's slice
// assignment does: bounds follow Slice, the string grows or shrinks as
// needed ("abcdef"[0:5] = "X" gives "Xf"), and a stop at or before start
// inserts v at start. It returns the new length. A v of the slice's
// length is written in place (SETRANGE); another rewrite whose result is
// over 256 KiB is built in steps, as Repeat's. A v over 256 KiB is not
// sent until its bounds are known (an optimistic read of the length).
func (s *String) SetSlice(ctx context.Context, start, stop int, v string) (int, error) {
	if len(v) > stringOneStep && !s.queuing(ctx) {
		// Not through the script, which would copy v into Lua (~2 ms a
		// MiB): a write in place by SETRANGE, or the steps.
		if n, done, err := s.setSliceInPlace(ctx, start, stop, v); done || err != nil {
			return n, err
		}
	} else {
		n, err := asInt(s.script(ctx, scriptStringSetSlice, s.keys[:1], strconv.Itoa(clampIndex(start)), strconv.Itoa(clampIndex(stop)), v, s.stringBound(ctx), strconv.Itoa(maxStringLen)))
		if !backend.IsServerError(err, "BIG") {
			return int(n), err
		}
	}
	return s.rebuildString(ctx, "SetSlice", &s.object, s.keys[:1], func(ctx context.Context, b *strBuilder, l int64) error {
		a := pyBound(int64(clampIndex(start)), l)
		return b.splice(ctx, &s.object, "SetSlice", l, a, max(a, pyBound(int64(clampIndex(stop)), l)), v)
	})
}

// setSliceInPlace is SetSlice of a long v, in an optimistic transaction
// that reads the length: a v of the slice's length goes in place by
// SETRANGE (done); a result past Redis's strings is ErrInvalidArgument;
// anything else is not done (the caller builds it in steps).
func (s *String) setSliceInPlace(ctx context.Context, start, stop int, v string) (n int, done bool, err error) {
	cl, err := s.cli()
	if err != nil {
		return 0, false, err
	}
	err = cl.Optimistic(ctx, func(ctx context.Context) error {
		l, err := scalarInt(s.readPrimaryScalar(ctx, cmd("STRLEN", s.keys[:1])))
		if err != nil {
			return err
		}
		a := pyBound(int64(clampIndex(start)), l)
		b := max(a, pyBound(int64(clampIndex(stop)), l))
		if size := l - (b - a) + int64(len(v)); size > maxStringLen {
			return s.invalid("SetSlice", "the result, %d bytes, would exceed Redis's %d-byte strings", size, maxStringLen)
		}
		if done = b-a == int64(len(v)); !done {
			return nil
		}
		n = int(l)
		_, err = s.write(ctx, cmd("SETRANGE", s.keys[:1], strconv.FormatInt(a, 10), v))
		return err
	}, s)
	return n, done, s.fail("SetSlice", err)
}

// updateWatched is Update of a long string: read while WATCHed, and set
// by MULTI/EXEC (an optimistic transaction, retried when the string
// changed meanwhile; ErrTxConflict after 20 attempts).
func (s *String) updateWatched(ctx context.Context, f func(old string) string) (string, error) {
	cl, err := s.cli()
	if err != nil {
		return "", err
	}
	var v string
	err = cl.Optimistic(ctx, func(ctx context.Context) error {
		old, err := s.slice(ctx, "Update", 0, math.MaxInt) // (live in Optimistic: the watched primary's)
		if err != nil {
			return err
		}
		v = f(old)
		s.long.Store(len(old) > stringOneStep || len(v) > stringOneStep)
		if v == old {
			return nil
		}
		return s.setNative(ctx, v) // (the watched GET found a string)
	}, s)
	return v, s.fail("Update", err)
}

// SetRange overwrites the string with v from byte offset on (SETRANGE),
// padding with zero bytes if the string is shorter than offset, and
// returns the new length. A negative offset is ErrIndexOutOfRange; a
// result longer than Redis's 512 MiB strings is ErrInvalidArgument.
func (s *String) SetRange(ctx context.Context, offset int, v string) (int, error) {
	if offset < 0 {
		return 0, fmt.Errorf("hotredis: string %q: SetRange(%d): %w", s.key, offset, ErrIndexOutOfRange)
	}
	if offset > maxStringLen-len(v) {
		return 0, s.invalid("SetRange", "offset %d + %d bytes exceed Redis's %d-byte strings", offset, len(v), maxStringLen)
	}
	if v == "" { // SETRANGE would store "" on a missing key
		if s.queuing(ctx) {
			return 0, nil
		}
		return s.Len(ctx)
	}
	n, err := scalarInt(s.writeScalar(ctx, cmd("SETRANGE", s.keys[:1], strconv.Itoa(offset), v)))
	return int(n), err
}

// Update replaces the string with f(old) atomically and returns the new
// value: f runs in Go on the current value, and the result is stored only
// if the string still holds that value; otherwise f runs again on the new
// one, until it succeeds or ctx ends. So f may run several times and must
// have no other effect. When f returns its input unchanged nothing is
// written. Inside Optimistic the read is watched and the write queued;
// inside Transaction, Update fails with ErrInTransaction. When the old or
// the new value is over 256 KiB, the compare is a WATCH and the write a
// native SET in MULTI/EXEC (ErrTxConflict if the string changed through
// 20 attempts), so that no server step copies the string; a handle whose
// last Update met such a value starts its next that way.
func (s *String) Update(ctx context.Context, f func(old string) string) (string, error) {
	if f == nil {
		return "", s.invalid("Update", "nil function")
	}
	if s.long.Load() && !s.queuing(ctx) {
		return s.updateWatched(ctx, f)
	}
	for attempt := 0; ; attempt++ {
		// What the update acts on (not a replica's), up to a window: a
		// string that fills it is long, and read whole in steps.
		old, _, err := scalarString(s.readPrimaryScalar(ctx, cmd("GETRANGE", s.keys[:1], "0", readWindowLast)))
		switch {
		case err == nil && len(old) == readWindow && s.queuing(ctx): // (Optimistic: watched)
			old, err = s.slice(ctx, "Update", 0, math.MaxInt)
		case err == nil && len(old) == readWindow:
			return s.updateWatched(ctx, f)
		}
		if err != nil {
			return "", err
		}
		v := f(old)
		switch {
		case v == old:
			return v, nil
		case s.queuing(ctx):
			// Optimistic: the GET watched the key (a string), and EXEC
			// checks it.
			return v, s.setNative(ctx, v)
		case len(old) > stringOneStep || len(v) > stringOneStep:
			// string_cas would copy both into Lua, ~6 ms a MiB: the
			// compare is WATCH's, and the write a native SET.
			return s.updateWatched(ctx, f)
		}
		r, err := s.script(ctx, scriptStringCAS, s.keys[:1], old, v)
		ok, err := asInt(r, err)
		if err != nil {
			return "", err
		}
		if ok == 1 || isQueued(r) { // in Optimistic, EXEC checks
			return v, nil
		}
		if attempt >= 2 { // contended: back off a little, at random
			d := time.Duration(rand.N(min(attempt, 20))+1) * 50 * time.Microsecond
			if !sleepCtx(ctx, d) {
				return "", ctx.Err()
			}
		}
	}
}

// ToUpper maps the string to upper case as strings.ToUpper does, and
// returns the result.
func (s *String) ToUpper(ctx context.Context) (string, error) {
	return s.Update(ctx, strings.ToUpper)
}

// ToLower maps the string to lower case as strings.ToLower does, and
// returns the result.
func (s *String) ToLower(ctx context.Context) (string, error) {
	return s.Update(ctx, strings.ToLower)
}

// ToTitle maps the string to title case as strings.ToTitle does (every
// letter, not just the first of each word), and returns the result.
func (s *String) ToTitle(ctx context.Context) (string, error) {
	return s.Update(ctx, strings.ToTitle)
}

// Trim removes leading and trailing Unicode code points contained in
// cutset, as strings.Trim does, and returns the result.
func (s *String) Trim(ctx context.Context, cutset string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.Trim(v, cutset) })
}

// TrimLeft removes leading code points contained in cutset, as
// strings.TrimLeft does, and returns the result.
func (s *String) TrimLeft(ctx context.Context, cutset string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.TrimLeft(v, cutset) })
}

// TrimRight removes trailing code points contained in cutset, as
// strings.TrimRight does, and returns the result.
func (s *String) TrimRight(ctx context.Context, cutset string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.TrimRight(v, cutset) })
}

// TrimSpace removes leading and trailing Unicode white space, as
// strings.TrimSpace does, and returns the result.
func (s *String) TrimSpace(ctx context.Context) (string, error) {
	return s.Update(ctx, strings.TrimSpace)
}

// TrimPrefix removes prefix if the string starts with it, as
// strings.TrimPrefix does, and returns the result.
func (s *String) TrimPrefix(ctx context.Context, prefix string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.TrimPrefix(v, prefix) })
}

// TrimSuffix removes suffix if the string ends with it, as
// strings.TrimSuffix does, and returns the result.
func (s *String) TrimSuffix(ctx context.Context, suffix string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.TrimSuffix(v, suffix) })
}

// Replace replaces the first n non-overlapping occurrences of old with
// new (all of them if n < 0), as strings.Replace does, and returns the
// result.
func (s *String) Replace(ctx context.Context, old, new string, n int) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.Replace(v, old, new, n) })
}

// ReplaceAll replaces every non-overlapping occurrence of old with new, as
// strings.ReplaceAll does, and returns the result.
func (s *String) ReplaceAll(ctx context.Context, old, new string) (string, error) {
	return s.Update(ctx, func(v string) string { return strings.ReplaceAll(v, old, new) })
}
