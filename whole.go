package hotredis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

// Reads of a whole set or hash (Set.Members, Map.Items, Keys, Values,
// Counter.Items): SMEMBERS or HGETALL of a million entries keeps Redis from
// everyone else for a few hundred milliseconds. So a whole read starts
// with one bounded command that reads a small value whole (see
// wholeVerbs); a value of up to oneCommandMax entries then comes in one
// SMEMBERS or HGETALL (a few milliseconds at most, and several times
// faster than a scan: ~0.15 µs a member against SSCAN's ~0.7 here); a
// bigger one is read in steps while its key is WATCHed, and read again if
// it changed meanwhile (see object.snapshot), so that the result is still
// one snapshot. The steps are sized by their measured time (see
// stretcher), since scans cost several times more at moments.
//
// Every step is bounded in bytes as well as in entries (see span): a
// reply holds Redis ~0.8 ms a MiB whatever its entries (SLOWLOG here:
// LRANGE, SMEMBERS or HGETALL of 10,000 entries of 8 KiB, 66-88 ms).

// Read steps in bytes: an object notes the average size of its strings
// (members, elements, fields, values) from what each read returns,
// sampled; every step then asks for at most readStepBytes of them (~3 ms
// of the server's time). Until a handle has read its value once, a step
// asks for at most firstSpan entries, whatever their size.
const (
	readStepBytes = 4 << 20
	firstSpan     = 1024
	sizeSamples   = 64
)

// readStepBytesArg is readStepBytes as a script's argument.
var readStepBytesArg = strconv.Itoa(readStepBytes)

// span returns how many entries (of width strings each) one read step of
// o asks for: at most most, at most readStepBytes at the size o's last
// read saw (firstSpan before any), and at least one.
func (o *object) span(most, width int) int {
	return o.spanWithin(most, width, readStepBytes, firstSpan)
}

// spanWithin is span for a step of at most bytes (at the size o's last
// read saw), and of at most first entries before any.
func (o *object) spanWithin(most, width, bytes, first int) int {
	avg := int(atomic.LoadUint32(&o.entryBytes))
	if avg == 0 {
		return min(most, first)
	}
	return max(1, min(most, bytes/(avg*width)))
}

// sawStrings notes the average size of the strings ss (see span), from at
// most sizeSamples of them spread over ss.
func (o *object) sawStrings(ss []string) {
	o.sawSizes(len(ss), func(i int) int { return len(ss[i]) })
}

// sawSizes is sawStrings of n strings whose i-th has size(i) bytes.
func (o *object) sawSizes(n int, size func(i int) int) {
	if n == 0 {
		return
	}
	if n == 1 {
		o.sawAverage(size(0), 1)
		return
	}
	// Adjacent pairs, so that a hash's flat reply gives as many fields as
	// values.
	total, seen := 0, 0
	for i := 0; i+1 < n; i += max(2, n/sizeSamples&^1) {
		total += size(i) + size(i+1)
		seen += 2
	}
	o.sawAverage(total, seen)
}

// sawAverage notes that count strings of o's value took total bytes.
func (o *object) sawAverage(total, count int) {
	atomic.StoreUint32(&o.entryBytes, uint32(max(1, min(total/count, math.MaxUint32))))
}

// wholeVerbs are the commands of a whole read, by its scan command: the
// one counting entries, the one reading them all (a set's: its first
// command, see readSized), and the most entries
// that one takes in a single command (SMEMBERS ~0.15 µs a member, HGETALL
// ~0.3 µs a field here: ~2.5 ms, for short entries: see span); the first
// command (its name; none: a first scan step of oneStepMax), and the size
// from which an object's whole reads size the value first (see
// readWhole).
//
// A set's first command is SRANDMEMBER of sizeFirstFrom+1 members (or
// fewer, as span allows): asked
// for at least as many members as the set has, it replies with all of
// them, as SMEMBERS does and at its cost (half a scan step's); asked for
// fewer, it picks that many at random, a bounded step (2-6 ms here for a
// million members, or for up to three times as many as it picks, which it
// copies first), whose reply the read drops. (HRANDFIELD WITHVALUES would
// do the same for a hash, but RESP3 replies with an array per field,
// which costs rueidis an allocation each: more than the scan step.)
var wholeVerbs = map[string]struct {
	size          string // the command that counts the entries
	all           string
	oneCommandMax int
	first         string
	sizeFirstFrom int
}{
	"SSCAN": {"SCARD", "", 16_384, "SRANDMEMBER", setSizeFirstFrom},
	"HSCAN": {"HLEN", "HGETALL", 8_192, "", 256},
}

// setSizeFirstFrom is a set's sizeFirstFrom (see wholeVerbs), and
// setFirstCount the usual count of its first command, written once.
const setSizeFirstFrom = 1_024

var setFirstCount = strconv.Itoa(setSizeFirstFrom + 1)

// countArg is strconv.Itoa(n), without allocating the usual count of a
// set's first command.
func countArg(n int) string {
	if n == setSizeFirstFrom+1 {
		return setFirstCount
	}
	return strconv.Itoa(n)
}

// readWhole returns every member of o's set (verb SSCAN, width 1) or every
// field and value of its hash (HSCAN, width 2), flat, as one snapshot.
//
// Its first command reads a small value whole in one round trip, unless
// the object's last whole read found more than sizeFirstFrom entries: a
// value that big is read faster by sizing it first (a hash's scan step
// costs more than HGETALL; a set's SRANDMEMBER reads nothing of it). Below
// half that size the object goes back to the first command.
func (o *object) readWhole(ctx context.Context, op, verb string, width int) ([]string, error) {
	r, err := o.readWholeBy(ctx, op, verb, width, "")
	return r.strings(), err
}

// whole is what a whole read found: every entry flat (width items each,
// or one: see halves), or by field, for a hash that one HGETALL read (its
// reply's own map: see backend.Cmd.Strings).
type whole struct {
	flat    []string
	byField map[string]string
	halves  bool // flat holds only the fields or the values (see hashHalf)
}

// strings returns r's entries flat.
func (r whole) strings() []string {
	if r.byField == nil {
		return r.flat
	}
	return flatten(r.byField)
}

// flatten returns the fields and values of m, flat.
func flatten(m map[string]string) []string {
	ss := make([]string, 0, 2*len(m))
	for f, v := range m {
		ss = append(ss, f, v)
	}
	return ss
}

// hashItems returns the entries of o's hash (fields by keyc, values by
// vals), read as readWhole reads them; the map of HGETALL's reply itself
// when both are strings under the default codec.
func hashItems[K comparable, V any](ctx context.Context, o *object, op string, keyc coder[K], vals coder[V]) (map[K]V, error) {
	r, err := o.readWholeBy(ctx, op, "HSCAN", 2, "")
	if err != nil {
		return nil, err
	}
	if same, ok := any(r.byField).(map[K]V); ok && r.byField != nil && keyc.plain() && vals.plain() {
		return same, nil
	}
	out := make(map[K]V, r.entries())
	if err := r.eachPair(func(f, v string) error {
		p, err := decodeStringPair(keyc, vals, f, v)
		out[p.Key] = p.Value
		return err
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// entries returns how many entries r (a hash's) holds.
func (r whole) entries() int {
	if r.byField != nil {
		return len(r.byField)
	}
	return len(r.flat) / 2
}

// eachPair calls f with each field and value of r (a hash's), until f
// fails, and returns f's error.
func (r whole) eachPair(f func(field, value string) error) error {
	for k, v := range r.byField {
		if err := f(k, v); err != nil {
			return err
		}
	}
	for i := 0; i+1 < len(r.flat); i += 2 {
		if err := f(r.flat[i], r.flat[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// hashHalf returns the fields (half 0) or the values (half 1) of o's
// hash, read as readWhole reads the hash, except that a hash that one
// command reads after sizing it comes by HKEYS or HVALS: half the bytes,
// in a flat reply.
func (o *object) hashHalf(ctx context.Context, op string, half int) ([]string, error) {
	r, err := o.readWholeBy(ctx, op, "HSCAN", 2, [2]string{"HKEYS", "HVALS"}[half])
	if err != nil || r.halves {
		return r.flat, err
	}
	return everyOther(r.strings(), half), nil
}

// readWholeBy is readWhole, with one command other than wholeVerbs's
// reading a value that one command reads after sizing it, when only
// (non-empty): its reply is then r.flat, r.halves.
func (o *object) readWholeBy(ctx context.Context, op, verb string, width int, only string) (r whole, _ error) {
	w := wholeVerbs[verb]
	if atomic.LoadUint32(&o.sizeFirst) == 0 {
		var all []string
		var err error
		var done bool
		if w.first != "" {
			var r whole
			r, done, err = o.readSized(ctx, o.keys[:1], verb, int64(o.span(w.sizeFirstFrom, width)))
			all = r.flat
		} else {
			var next string
			next, all, err = scanKey(ctx, o, verb, o.key, "0", o.span(oneStepMax, width)) // (which notes the sizes)
			done = next == "0"
		}
		if err == nil && (!done || len(all)/width > w.sizeFirstFrom) {
			atomic.StoreUint32(&o.sizeFirst, 1)
		}
		if err != nil || done {
			return whole{flat: all}, err // one command: a snapshot by itself
		}
	}
	size, err := o.sizeUp(ctx, w.size, o.keys[:1], width)
	if err != nil {
		return whole{}, err
	}
	if size < int64(min(w.sizeFirstFrom/2, o.span(w.sizeFirstFrom, width))) {
		atomic.StoreUint32(&o.sizeFirst, 0)
	}
	if size <= int64(o.span(w.oneCommandMax, width)) { // one command, a snapshot by itself too
		if only != "" {
			r, err := o.readOne(ctx, cmd(only, o.keys[:1]))
			r.halves = true
			return r, err
		}
		if r, ok, err := o.readSized(ctx, o.keys[:1], verb, size); ok || err != nil {
			return r, err
		}
	}
	var all []string
	if err := o.snapshot(ctx, op, func(ctx context.Context) error {
		var err error
		all, err = o.scanWhole(ctx, verb, width, all[:0])
		return err
	}); err != nil {
		return whole{}, err
	}
	return whole{flat: all}, nil
}

// sizeUp returns how many entries the value at k[0] (o's, or another of
// its kind in its slot) holds, by the command size (SCARD, HLEN, LLEN),
// and notes the average size of its strings (see span) from the memory
// Redis gives the value (MEMORY USAGE, which samples a big one), in the
// same step (size_of): entries that another program made longer since
// o's last read are then read in steps of a few MiB, not by one command
// at the size last seen. That memory counts Redis's own overhead too
// (tens of bytes an entry), which shortens only the steps of short
// entries, until a step's strings are seen. A server that refuses MEMORY
// USAGE (a user not allowed it) leaves the size last seen; so does one
// that refuses the script (a user not allowed scripts), whose client then
// sends the counting command alone. It goes to the primary (a replica may
// still serve the read that follows).
func (o *object) sizeUp(ctx context.Context, size string, k []string, width int) (int64, error) {
	cl, err := o.cli()
	if err != nil {
		return 0, err
	}
	if !cl.countOnly.Load() {
		sc, err := o.scriptFew(ctx, scriptSizeOf, k, size)
		if !errors.Is(err, ErrPermission) {
			return o.sized(sc, err, width)
		}
	}
	// The script refused, or the key: the count tells which.
	n, err := asInt(o.readPrimary(ctx, cmd(size, k)))
	if err == nil {
		cl.countOnly.Store(true)
	}
	return n, err
}

// sized reads size_of's reply sc ("<entries> <bytes>", or "<entries>"),
// noting the average size of the value's strings (see sizeUp).
func (o *object) sized(sc backend.Scalar, err error, width int) (int64, error) {
	if err != nil {
		return 0, err
	}
	ns, bs, withBytes := strings.Cut(sc.Str, " ")
	n, err := strconv.ParseInt(ns, 10, 64)
	bytes := int64(0)
	if err == nil && withBytes {
		bytes, err = strconv.ParseInt(bs, 10, 64)
	}
	if sc.Kind != backend.ScalarStr || err != nil || n < 0 {
		return 0, fmt.Errorf("%w: size_of replied %v", errReply, sc.Value())
	}
	if n > 0 && bytes > 0 {
		o.sawAverage(int(min(bytes, math.MaxInt32)), int(min(n, math.MaxInt32))*width)
	}
	return n, nil
}

// scriptSizeOf is sizeUp's script.
var scriptSizeOf = lua.Load("size_of")

// readSized reads the whole set or hash at k (verb SSCAN or HSCAN) in one
// command, for a value of at most size entries, small enough for one:
// HGETALL, or a set's first command asked for one more member than that,
// which replies with all of them, at SMEMBERS's cost, unless the set is
// bigger (it grew since its size was read: a RENAME of a big set onto the
// key): then with as many at random, a bounded step, and ok is false
// (SMEMBERS would read all of it, whatever it had become).
func (o *object) readSized(ctx context.Context, k []string, verb string, size int64) (r whole, ok bool, err error) {
	w := wholeVerbs[verb]
	if w.first == "" {
		r, err = o.readOne(ctx, cmd(w.all, k))
		o.saw(r)
		return r, true, err
	}
	n := int(size) + 1 // (one more: a set of as many is seen whole)
	all, err := o.readStrings(ctx, cmd(w.first, k, countArg(n)))
	o.sawStrings(all)
	return whole{flat: all}, err != nil || len(all) < n, err
}

// readOne reads what the one command c replies, strings (LRANGE,
// SMEMBERS, SRANDMEMBER, HKEYS, HVALS) or a hash by field (HGETALL), as
// they come (see backend.Cmd.Strings).
func (o *object) readOne(ctx context.Context, c backend.Cmd) (whole, error) {
	c.Strings = true
	sc, err := o.readScalar(ctx, c) // (an array of strings comes unboxed)
	if sc.Kind == backend.ScalarStrs && err == nil {
		return whole{flat: sc.Strs}, nil
	}
	v := sc.Value()
	if m, ok := v.(map[string]string); ok && err == nil {
		return whole{byField: m}, nil
	}
	ss, err := asStrings(v, err)
	return whole{flat: ss}, err
}

// saw notes the average size of r's strings (see span).
func (o *object) saw(r whole) {
	if r.byField == nil {
		o.sawStrings(r.flat)
		return
	}
	total, seen := 0, 0
	for f, v := range r.byField {
		total += len(f) + len(v)
		if seen++; seen == sizeSamples {
			break
		}
	}
	if seen > 0 {
		o.sawAverage(total, 2*seen)
	}
}

// readStrings is readOne's reply flat.
func (o *object) readStrings(ctx context.Context, c backend.Cmd) ([]string, error) {
	r, err := o.readOne(ctx, c)
	return r.strings(), err
}

// scanWhole appends to buf every member of o's set (verb SSCAN, width 1)
// or every field and value of its hash (HSCAN, width 2), flat, each once,
// read in steps; part of a snapshot (the caller's).
func (o *object) scanWhole(ctx context.Context, verb string, width int, buf []string) ([]string, error) {
	return o.scanWholeOf(ctx, o.keys[:1], verb, width, buf)
}

// scanWholeOf is scanWhole of the key k[0] (o's, or another of its kind
// in its slot). A value of up to oneCommandMax entries is read by one
// command instead.
func (o *object) scanWholeOf(ctx context.Context, k []string, verb string, width int, buf []string) ([]string, error) {
	w := wholeVerbs[verb]
	size, err := o.sizeUp(ctx, w.size, k, width)
	if err != nil {
		return nil, err
	}
	if size <= int64(o.span(w.oneCommandMax, width)) {
		if r, ok, err := o.readSized(ctx, k, verb, size); ok || err != nil {
			return append(buf, r.strings()...), err
		}
		size = -1 // (it grew: read in steps, of a size unknown)
	}
	if want := int(size) * width; size > 0 && cap(buf) < want {
		buf = make([]string, 0, want+want/16) // (a scan may repeat a few)
	}
	all := buf
	if err := scanSteps(ctx, o, verb, k[0], width, func(part []string) { all = append(all, part...) }); err != nil {
		return nil, err
	}
	if int64(len(all)/width) == size {
		return all, nil
	}
	// A scan returns an entry twice when the table was resized between
	// two of its steps, which a snapshot allows (rehashing goes on without
	// writes).
	return once(all, width), nil
}

// scanSteps scans the key k (o's, or another in its slot) by verb to the
// end, handing each step's items (width strings an entry) to got, each
// step sized by the time the last ones took, and by their bytes (see
// span).
func scanSteps(ctx context.Context, o *object, verb, k string, width int, got func([]string)) error {
	var sz stretcher
	for cursor := "0"; ; {
		start := time.Now()
		next, part, err := scanKey(ctx, o, verb, k, cursor, o.span(sz.stretchFor(chunkSize), width))
		if err != nil {
			return err
		}
		sz.measured(time.Since(start))
		got(part)
		if next == "0" {
			return nil
		}
		cursor = next
	}
}

// scanKey runs one step of SSCAN or HSCAN (verb) over the key k (o's, or
// another of its kind in its slot) from cursor with COUNT n, and returns
// the next cursor and the items, as strings (none boxed).
func scanKey(ctx context.Context, o *object, verb, k, cursor string, n int) (string, []string, error) {
	c := cmd(verb, []string{k}, cursor, "COUNT", strconv.Itoa(n))
	c.Strings = true
	arr, err := asArray(o.read(ctx, c))
	if err != nil {
		return "", nil, err
	}
	if len(arr) != 2 {
		return "", nil, wrapErr(o.kind, o.key, fmt.Errorf("%w: %s reply of %d items", errReply, verb, len(arr)))
	}
	next, _, err := asString(arr[0], nil)
	if err != nil {
		return "", nil, wrapErr(o.kind, o.key, err)
	}
	items, err := asStrings(arr[1], nil)
	o.sawStrings(items)
	return next, items, wrapErr(o.kind, o.key, err)
}

// once returns the entries of all (width items each, the first naming
// it) without repeats, in place.
func once[E comparable](all []E, width int) []E {
	seen := make(map[E]struct{}, len(all)/width)
	out := all[:0]
	for i := 0; i+width <= len(all); i += width {
		k := all[i]
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, all[i:i+width]...)
	}
	return out
}
