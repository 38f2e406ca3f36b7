package hotredis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

// List operations whose work grows with the list: reads of the whole list
// or a search of it, and rewrites. A short list is one script, atomic; a
// long one is worked through in bounded steps, so that Redis serves other
// clients between them: reads while the list is WATCHed (so that what they
// return is one snapshot), rewrites into a scratch list swapped in at the
// end (see rebuild.go).

var (
	scriptListScan = lua.Load("list_scan")
)

const (
	// readStep is the most elements one read step returns or examines.
	readStep = 10 * chunkSize
	// maxListLen is the most elements a Redis list holds.
	maxListLen = 1<<32 - 1
	// txScriptMax bounds the elements one list script may write inside a
	// transaction, where a big change cannot be split into steps.
	txScriptMax = 100 * chunkSize
)

// Slice returns the elements list[start:stop] with Python's slice rules:
// negative bounds count from the end, bounds past either end are clamped,
// and an empty range gives an empty slice, not an error. Use math.MaxInt
// as stop for "to the end". A slice of up to 10,000 elements is one
// command (a native LRANGE when the bounds allow whatever the list's
// length: both counted from the head, or from the end to the end). A
// longer one is read in steps of 10,000 while the list is watched, and
// read again if it changed meanwhile: it is still one snapshot
// (ErrTxConflict if the list kept changing through 3 attempts). Long
// elements make shorter steps: a few MiB each (see span); until a handle
// has read its list once, a step reads at most 1,024 elements (then, when
// they are short, the one command again).
func (l *List[T]) Slice(ctx context.Context, start, stop int) ([]T, error) {
	span := int64(l.span(readStep, 1))
	entire := start == 0 && clampIndex(stop) >= maxListLen // Values, l[0:]
	// Unless the list was longer than a step last time (then straight to
	// the steps below, which size it first), one command reads a slice
	// of up to a step.
	if !entire || atomic.LoadUint32(&l.sizeFirst) == 0 {
		vs, done, err := l.sliceAtOnce(ctx, start, stop, span)
		if err != nil || done {
			return vs, err
		}
		// A handle's first read learns the elements' size: when they
		// are short, one command may still read the slice whole, a
		// snapshot without a watch (which a busy list would conflict).
		if more := int64(l.span(readStep, 1)); more > span {
			if vs, done, err = l.sliceAtOnce(ctx, start, stop, more); err != nil || done {
				return vs, err
			}
		}
		// More than one step (wasted): those below; the next whole read
		// goes to them at once.
		if entire {
			atomic.StoreUint32(&l.sizeFirst, 1)
		}
	}
	var all []T
	read := func(ctx context.Context) error {
		// The key is watched: its length and the steps are one snapshot.
		// (Its memory too: elements made longer elsewhere since this
		// handle's last read make shorter steps.)
		n, err := l.sizeUp(ctx, "LLEN", l.keys[:1], 1)
		if err != nil {
			return err
		}
		a, b := pyBound(int64(clampIndex(start)), n), pyBound(int64(clampIndex(stop)), n)
		b = max(a, b)
		if entire && b-a <= int64(l.span(readStep, 1)) {
			atomic.StoreUint32(&l.sizeFirst, 0) // short again: one LRANGE next time
		}
		if int64(cap(all)) < b-a {
			all = make([]T, 0, b-a)
		}
		all = all[:0]
		// Decoded as they come: the strings of a step are garbage once
		// decoded, and never all live at once.
		return l.lranges(ctx, l.key, a, b, func(part []string) (err error) {
			all, err = l.vals.appendDecoded(all, part)
			return err
		})
	}
	if err := l.snapshot(ctx, "Slice", read); err != nil {
		return nil, err
	}
	return all, nil
}

// sliceAtOnce reads list[start:stop] by one command, which reads at most
// span elements: done reports that they were the whole slice.
func (l *List[T]) sliceAtOnce(ctx context.Context, start, stop int, span int64) (vs []T, done bool, err error) {
	start, stop = clampIndex(start), clampIndex(stop)
	if a, e, whole, ok := atOnce(start, stop, span); ok {
		ss, err := l.readStrings(ctx, cmd("LRANGE", l.keys[:1], strconv.FormatInt(a, 10), strconv.FormatInt(e, 10)))
		if err != nil {
			return nil, false, err
		}
		l.sawStrings(ss)
		if !whole && int64(len(ss)) > span {
			return nil, false, nil
		}
		vs, err := l.vals.decodeStrings(ss) // all of it: one command, a snapshot
		return vs, true, err
	}
	arr, err := l.sliceStep(ctx, start, stop, span)
	if err != nil {
		return nil, false, err
	}
	if a, b, _ := sliceBounds(arr); int64(len(arr)-3) < b-a {
		return nil, false, nil
	}
	vs, err = l.vals.decodeAll(arr[3:])
	return vs, true, err
}

// atOnce says whether list[start:stop] (Python's slice) of at most span
// elements (one step's) is one LRANGE a e whatever the list's length, and
// gives a and e: from a start counted from the head to a stop counted
// from the head (LRANGE clamps both to the list as Python does), or from
// at most span before the end to the end. whole says that the LRANGE
// returns the whole slice; otherwise (a longer slice) it does when it
// returns at most span elements (it asks for one more). When !ok,
// list_scan works out the bounds (see sliceStep).
func atOnce(start, stop int, span int64) (a, e int64, whole, ok bool) {
	switch {
	case start >= 0 && stop <= start && stop >= 0:
		return 1, 0, true, true // empty (LRANGE 1 0 still checks the key's type)
	case start >= 0 && stop >= 0:
		// One more than a step: a slice of exactly span is then seen
		// whole.
		e = min(int64(stop), int64(start)+span+1) - 1
		return int64(start), e, e+1 == int64(stop), true
	case start < 0 && int64(start) >= -(span+1) && stop >= maxListLen:
		return int64(start), -1, true, true
	}
	return 0, 0, false, false
}

// lrange reads the elements [a, b) of the list at key (the list's, or a
// scratch list in its slot) from the primary, as strings (see
// backend.Cmd.Strings).
func (l *List[T]) lrange(ctx context.Context, key string, a, b int64) ([]string, error) {
	return asStrings(l.readPrimary(ctx, lrangeCmd(key, a, b)))
}

// lrangeCmd is the LRANGE of the elements [a, b) of the list at key, read
// as strings.
func lrangeCmd(key string, a, b int64) backend.Cmd {
	c := cmd("LRANGE", []string{key}, strconv.FormatInt(a, 10), strconv.FormatInt(b-1, 10))
	c.ReadOnly, c.Strings = true, true
	return c
}

// readGroup is how many LRANGE steps of readStep a read sends at once:
// Redis runs them one after the other (~1 ms each for short elements),
// while the client already parses the first replies, which a step at a
// time would wait for: the read then costs about what the one LRANGE of
// it does, whose reply is parsed as it streams. (Redis runs a client's
// pipelined commands without serving others between them, so a group's
// bytes are those of one step: see span.)
const readGroup = 4

// lranges reads the elements [a, b) of the list at key in LRANGE steps of
// readStep (fewer for long elements), readGroup of them a round trip (one
// at a time inside a transaction, whose reads are live and pinned), and
// hands each step's to each, in order.
func (l *List[T]) lranges(ctx context.Context, key string, a, b int64, each func([]string) error) error {
	if l.queuing(ctx) {
		for next := a; next < b; {
			step := int64(l.span(readStep, 1))
			part, err := l.lrange(ctx, key, next, min(b, next+step))
			if err == nil {
				l.sawStrings(part)
				err = each(part)
			}
			if err != nil {
				return err
			}
			next += step
		}
		return nil
	}
	cmds := make([]backend.Cmd, 0, readGroup)
	for next := a; next < b; {
		cmds = cmds[:0]
		step := int64(max(1, min(readStep, l.span(readGroup*readStep, 1)/readGroup)))
		for ; next < b && len(cmds) < readGroup; next += step {
			cmds = append(cmds, lrangeCmd(key, next, min(b, next+step)))
		}
		rs, err := l.pipeline(ctx, cmds...)
		if err != nil {
			return err
		}
		for _, r := range rs {
			part, err := asStrings(r.Val, r.Err)
			if err == nil {
				l.sawStrings(part)
				err = each(part)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// what names the value read: "the set", or "the sets" when they are n.
func what(kind string, n int) string {
	if n > 1 {
		return kind + "s"
	}
	return kind
}

// readAttempts counts the attempts of snapshots, and afterFirstReadStep,
// when set, runs at each: for tests (export_test.go).
var (
	readAttempts       atomic.Int64
	afterFirstReadStep atomic.Pointer[func()]
)

// sliceStep resolves start:stop and reads up to span elements of it.
func (l *List[T]) sliceStep(ctx context.Context, start, stop int, span int64) ([]any, error) {
	arr, err := asArray(l.script(ctx, scriptListScan, l.keys[:1], "slice", strconv.Itoa(start), strconv.Itoa(stop), strconv.FormatInt(span, 10)))
	if err == nil && len(arr) < 3 {
		err = l.fail("Slice", errReply)
	}
	if err == nil {
		l.sawSizes(len(arr)-3, func(i int) int { s, _ := arr[3+i].(string); return len(s) })
	}
	return arr, err
}

func sliceBounds(arr []any) (a, b, n int64) {
	a, _ = arr[0].(int64)
	b, _ = arr[1].(int64)
	n, _ = arr[2].(int64)
	return a, b, n
}

// snapshot runs read, which reads o's value in several steps, so that
// what it read is one snapshot: while the key is WATCHed, again if it
// changed meanwhile. Inside Optimistic the key is WATCHed on the
// transaction's connection first (its commit then fails if the key
// changed since), and the steps read a snapshot of their own, on another:
// read live there, they could mix two moments, which fn would act on.
func (o *object) snapshot(ctx context.Context, op string, read func(context.Context) error) error {
	return o.snapshotOf(ctx, op, o.keys[:1], read)
}

// snapshotOf is snapshot of the keys ks (o's among them).
func (o *object) snapshotOf(ctx context.Context, op string, ks []string, read func(context.Context) error) error {
	if ctx.Value(watchedKey{}) != nil {
		return read(ctx) // (a rebuild's, which watches the keys)
	}
	if t := txFrom(ctx); t != nil {
		if t.conn == nil {
			return read(ctx) // a Transaction: its reads fail
		}
		if _, err := o.readPrimary(ctx, cmd("EXISTS", ks)); err != nil { // (WATCHes ks)
			return o.fail(op, err)
		}
		ctx = context.WithValue(ctx, txKey{}, (*tx)(nil))
	}
	done, err := o.watchedRead(ctx, ks, func() {}, func(ctx context.Context) error {
		readAttempts.Add(1)
		if f := afterFirstReadStep.Load(); f != nil {
			(*f)()
		}
		return read(ctx)
	})
	switch {
	case err != nil:
		return o.fail(op, err)
	case !done:
		return o.fail(op, fmt.Errorf("%w: the %s kept changing through %d attempts to read it", ErrTxConflict, what(o.kind, len(ks)), rebuildAttempts))
	}
	return nil
}

// Values returns every element (a snapshot; see Slice).
func (l *List[T]) Values(ctx context.Context) ([]T, error) {
	return l.Slice(ctx, 0, math.MaxInt)
}

// Index returns the index of the first element equal to v, or -1 if there
// is none. The search runs on the server: a list of up to 500,000 elements
// in one native LPOS; a longer one in steps while the list is watched, so
// that the answer describes one moment (ErrTxConflict if the list kept
// changing through 3 attempts): LPOS from the head and from the tail over
// up to 500,000 elements each (~9 ms here), and the middle in stretches of
// 10,000 read by a script (~2 ms each; ~200 ns an element against LPOS's
// ~17 ns, so a list of 10M costs ~11x one LPOS, which would hold Redis for
// its whole length).
func (l *List[T]) Index(ctx context.Context, v T) (int, error) {
	return l.scan(ctx, "Index", "index", v)
}

// Count returns how many elements equal v, counted on the server as Index
// searches.
func (l *List[T]) Count(ctx context.Context, v T) (int, error) {
	return l.scan(ctx, "Count", "count", v)
}

// lposStep is the most elements one LPOS step searches (from the head or
// from the tail), and scanMatches the most matches it returns (a longer
// run of matches ends the step's stretch early, see list_scan).
// Variables for tests (export_test.go).
var lposStep, scanMatches int64 = 500_000, 10_000

// scan runs list_scan's op ("index" or "count") for v over the whole list.
func (l *List[T]) scan(ctx context.Context, name, op string, v T) (int, error) {
	s, err := l.vals.encode(v)
	if err != nil {
		return 0, err
	}
	index := op == "index"
	run := func(ctx context.Context, args ...string) ([]int64, error) {
		arr, err := asArray(l.script(ctx, scriptListScan, l.keys[:1], args...))
		out := make([]int64, len(arr))
		for i, x := range arr {
			out[i], _ = x.(int64)
		}
		return out, err
	}
	// end searches one end by LPOS: the matches, the bound of the stretch
	// they account for, the lowest match and the list's length.
	end := func(ctx context.Context, side string, m, c int64, whole string) (cnt, bound, first, n int64, err error) {
		r, err := run(ctx, side, s, strconv.FormatInt(m, 10), strconv.FormatInt(c, 10), whole)
		if err == nil && len(r) != 4 {
			err = l.fail(name, errReply)
		}
		if err != nil {
			return 0, 0, 0, 0, err
		}
		return r[0], r[1], r[2], r[3], nil
	}
	headMatches := scanMatches
	if index {
		headMatches = 1 // the first is the answer
	}
	// A list LPOS covers at once is one step, a snapshot by itself.
	cnt, stop, first, n, err := end(ctx, "head", lposStep, headMatches, "1")
	switch {
	case err != nil:
		return 0, err
	case index && first >= 0:
		return int(first), nil
	case stop >= n:
		if index {
			return -1, nil
		}
		return int(cnt), nil
	}
	var r int64
	read := func(ctx context.Context) error {
		total, stop, first, n, err := end(ctx, "head", lposStep, headMatches, "0")
		if err != nil {
			return err
		}
		if index && first >= 0 {
			r = first
			return nil
		}
		start, tailFirst := n, int64(-1)
		if stop < n {
			var got int64
			if got, start, tailFirst, _, err = end(ctx, "tail", min(lposStep, n-stop), scanMatches, ""); err != nil {
				return err
			}
			total += got
		}
		for a := stop; a < start; {
			// A stretch of up to readStep elements, as many as a few MiB
			// hold (see span): Lua copies each.
			b := min(a+int64(l.span(readStep, 1)), start)
			got, err := run(ctx, op, s, strconv.FormatInt(a, 10), strconv.FormatInt(b-1, 10))
			if err == nil && len(got) != 3 {
				err = l.fail(name, errReply)
			}
			if err != nil {
				return err
			}
			if index && got[0] >= 0 {
				r = got[0]
				return nil
			}
			total += got[0]
			l.sawAverage(int(got[2]), int(b-a))
			a = b
		}
		r = total
		if index {
			r = tailFirst
		}
		return nil
	}
	if err := l.snapshot(ctx, name, read); err != nil {
		return 0, err
	}
	return int(r), nil
}

// Reverse reverses the list in place. A list of more than 4,000 elements
// or about 2 MiB is rebuilt in bounded steps (see the package documentation), so Redis
// keeps serving others; inside a transaction it is one script, refused
// (the commit fails) beyond 100,000 elements.
func (l *List[T]) Reverse(ctx context.Context) error {
	_, err := l.script(ctx, scriptListReverse, l.keys, chunkText, strconv.Itoa(l.scriptBound(ctx)), l.stepBound(ctx, stepBytes))
	if !backend.IsServerError(err, "BIG") {
		return err
	}
	_, err = l.rebuildList(ctx, "Reverse", func(ctx context.Context, r *rebuilder, n int64) error {
		return r.copyList(ctx, l.key, n, "rcopy")
	})
	return err
}

// Sort sorts the list in place, in descending order when reverse is true.
// Numeric element types (integers, floats and named types of them, with
// the default codec) sort by value, exactly also for integers past ±2^53
// (SORT compares doubles, and orders those that round to one double by
// their text: such a list is sorted in steps, whatever its length; inside
// a transaction it is SORT's order). Other types sort by their
// stored bytes (as SORT ... STORE compares them, whatever the server's
// locale). An element of a numeric type's list that is not a number at
// all (as Python's float() reads numbers: hex is not) is a *DecodeError,
// and nothing changes; one that is a number T
// cannot hold (1.5 or 300 in a List[int8]) is sorted by its value, and
// reading it stays a DecodeError. A NaN sorts first (last in reverse),
// as slices.Sort puts it, and a subnormal float by its value: SORT refuses
// both, so such a list is sorted in steps, whatever its length. A list of more than 4,000 elements
// or about 2 MiB is sorted in bounded steps: read in stretches of 10,000, sorted in the
// client a run of up to 1M elements at a time (runs of a longer list are
// kept in scratch lists and merged), written to a scratch list swapped in
// at the end; 1.2-1.4x the time of SORT ... STORE, which would hold Redis
// for the whole sort (0.7 s for 1M elements, 12 s for 10M), and the client
// holds up to 1M elements. Inside a transaction it is one SORT, whatever
// the length.
func (l *List[T]) Sort(ctx context.Context, reverse bool) error {
	alpha, desc := "ALPHA", ""
	if l.numeric() {
		alpha = ""
	}
	if reverse {
		desc = "DESC"
	}
	bound := l.stepBound(ctx, oneStepMax)
	_, err := l.script(ctx, scriptListSort, l.keys[:1], alpha, desc, bound, l.stepBound(ctx, stepBytes))
	notDouble := err != nil && strings.Contains(err.Error(), "can't be converted into double")
	if backend.IsServerError(err, "BIG") || notDouble && alpha == "" && bound != "0" {
		// (SORT refuses a float its strtod flags, a subnormal such as
		// 5e-324, and NaN, which Go orders first: the steps sort those.)
		_, err = l.rebuildList(ctx, "Sort", func(ctx context.Context, r *rebuilder, n int64) error {
			return l.sortInSteps(ctx, r, n, sorter{numeric: alpha == "", desc: reverse})
		})
	}
	if err != nil && strings.Contains(err.Error(), "can't be converted into double") {
		return l.undecodable(ctx, err)
	}
	return err
}

// undecodable finds the first element that does not decode, for an error
// the server could only describe ("scores can't be converted"), and
// returns its *DecodeError; the server's error if there is none by now.
func (l *List[T]) undecodable(ctx context.Context, err error) error {
	for _, rerr := range l.All(ctx) {
		if rerr != nil {
			var de *DecodeError
			if errors.As(rerr, &de) {
				return rerr
			}
			return err
		}
	}
	return err
}

func (l *List[T]) numeric() bool {
	if _, ok := l.vals.c.(kindCodec[T]); !ok {
		return false
	}
	switch reflect.TypeFor[T]().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Uintptr, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// Repeat replaces the list with n copies of itself, in order (Python's
// list *= n), and returns the new length; n <= 0 empties it. A result
// longer than a Redis list can hold (2^32-1) is ErrInvalidArgument, and
// changes nothing. A list that grows by more than 4,000 elements or about
// 2 MiB is rebuilt in bounded steps; inside a transaction it is one script, refused
// (the commit fails) beyond 100,000 new elements.
func (l *List[T]) Repeat(ctx context.Context, n int) (int, error) {
	// The script checks the key's type first, also for n <= 0, and
	// refuses a result past maxListLen (an empty list's is empty, whatever
	// n: so n is only clamped here).
	n = max(n, 0)
	if uint64(n) > maxListLen {
		n = maxListLen + 1
	}
	r, err := asInt(l.script(ctx, scriptListRepeat, l.keys[:1], strconv.Itoa(n), chunkText, strconv.Itoa(l.scriptBound(ctx)), strconv.FormatInt(maxListLen, 10), l.stepBound(ctx, stepBytes)))
	if !backend.IsServerError(err, "BIG") {
		return int(r), err
	}
	size, err := l.rebuildList(ctx, "Repeat", func(ctx context.Context, r *rebuilder, length int64) error {
		if uint64(length)*uint64(n) > maxListLen {
			return l.invalid("Repeat", "%d copies of %d elements exceed a Redis list's %d", n, length, int64(maxListLen))
		}
		for range n {
			if err := r.copyList(ctx, l.key, length, "copy"); err != nil {
				return err
			}
		}
		return nil
	})
	return int(size), err
}

// SetSlice replaces the elements list[start:stop] with vs, as Python's
// slice assignment does (list[1:3] = vs): bounds follow Slice, the list
// grows or shrinks as needed, and start == stop inserts. When the work (the
// elements removed, the shorter side of the list around them, and vs) is
// over 4,000 elements or about 2 MiB, the list is rebuilt in bounded
// steps; inside a transaction it is one script, refused (the commit fails)
// beyond 100,000 elements.
func (l *List[T]) SetSlice(ctx context.Context, start, stop int, vs ...T) error {
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	start, stop = clampIndex(start), clampIndex(stop)
	args := append([]string{strconv.Itoa(start), strconv.Itoa(stop), chunkText, strconv.Itoa(l.scriptBound(ctx)), l.stepBound(ctx, stepBytes)}, ss...)
	_, err = l.script(ctx, scriptListSetSlice, l.keys[:1], args...)
	if !backend.IsServerError(err, "BIG") {
		return err
	}
	_, err = l.rebuildList(ctx, "SetSlice", func(ctx context.Context, r *rebuilder, n int64) error {
		s, e := pyBound(int64(start), n), pyBound(int64(stop), n)
		e = max(s, e)
		if err := r.copyRange(ctx, l.key, 0, s); err != nil {
			return err
		}
		if err := r.pushList(ctx, ss); err != nil {
			return err
		}
		return r.copyRange(ctx, l.key, e, n)
	})
	return err
}

// pyBound turns a Python slice bound i over n elements into an offset in
// [0, n].
func pyBound(i, n int64) int64 {
	if i < 0 {
		i = max(0, i+n)
	}
	return min(i, n)
}

// Replace atomically replaces the whole list with vs. More than 4,000
// values are written into a scratch list in bounded steps, which then
// replaces the list in one step.
func (l *List[T]) Replace(ctx context.Context, vs ...T) error {
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	if len(ss) <= oneStepMax || l.queuing(ctx) {
		cmds := append([]backend.Cmd{cmd("UNLINK", l.keys[:1])}, chunkCmds("RPUSH", l.keys[:1], ss)...)
		_, err = l.atomic(ctx, cmds...)
		return err
	}
	done, err := l.rebuild(ctx, "list", nil, func(ctx context.Context, r *rebuilder) error {
		return r.pushList(ctx, ss)
	})
	if err == nil && !done {
		err = fmt.Errorf("%w: the new list could not be built", ErrTxConflict)
	}
	return l.fail("Replace", err)
}

// scriptBound is the most elements one list script may write before the
// change is rebuilt in steps instead: oneStepMax, or txScriptMax inside a
// transaction (which cannot rebuild).
func (l *List[T]) scriptBound(ctx context.Context) int {
	if l.queuing(ctx) {
		return txScriptMax
	}
	return oneStepMax
}

// rebuildList rebuilds the list with build, given its length, and returns
// the new length. A list that keeps changing during the rebuild is
// ErrTxConflict: one long script instead would hold Redis for as long as
// the work takes.
func (l *List[T]) rebuildList(ctx context.Context, op string, build func(context.Context, *rebuilder, int64) error) (int64, error) {
	var size int64 // the committed list's: not a read after it (a replica's may lag)
	done, err := l.rebuild(ctx, "list", l.keys[:1], func(ctx context.Context, r *rebuilder) error {
		n, err := scalarInt(l.readPrimaryScalar(ctx, cmd("LLEN", l.keys[:1])))
		if err != nil {
			return err
		}
		err = build(ctx, r, n)
		size = r.size
		return err
	})
	switch {
	case err != nil:
		return 0, l.fail(op, err)
	case !done:
		return 0, l.fail(op, fmt.Errorf("%w: the list kept changing during %d attempts to rebuild it", ErrTxConflict, rebuildAttempts))
	}
	return size, nil
}

// watchedKey marks a context whose reads in steps run while a rebuild
// watches the key, whose commit checks them (see removeAt).
type watchedKey struct{}

// errNoSuchElement is what removeAt's find returns when nothing is to be
// removed.
var errNoSuchElement = errors.New("no such element")

// removeAt removes the element at the index find gives (from the list's
// length, while the list is watched; -1 with errNoSuchElement for none)
// by rebuilding the list without it in bounded steps, and returns the
// element as its reply (a string). The index, the element read and the
// copies are one snapshot: the rebuild commits only if the list did not
// change meanwhile, else it starts over.
func (l *List[T]) removeAt(ctx context.Context, op string, find func(context.Context, int64) (int64, error)) (any, error) {
	var v any
	_, err := l.rebuildList(ctx, op, func(ctx context.Context, r *rebuilder, n int64) error {
		// The rebuild watches the list: find's reads in steps need no
		// watch of their own (see snapshotOf).
		j, err := find(context.WithValue(ctx, watchedKey{}, true), n)
		if err == nil && j < 0 {
			err = errNoSuchElement
		}
		if err != nil {
			return err
		}
		if v, err = l.readPrimary(ctx, cmd("LINDEX", l.keys[:1], strconv.FormatInt(j, 10))); err != nil {
			return err
		}
		if err := r.copyRange(ctx, l.key, 0, j); err != nil {
			return err
		}
		return r.copyRange(ctx, l.key, j+1, n)
	})
	return v, err
}
