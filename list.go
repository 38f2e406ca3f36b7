package hotredis

import (
	"context"
	"errors"
	"fmt"
	"github.com/hotredis/hotredis/internal/lua"
	"iter"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/hotredis/hotredis/internal/backend"
)

var (
	scriptListInsert   = lua.Load("list_insert")
	scriptListPopAt    = lua.Load("list_pop_at")
	scriptListCount    = lua.Load("list_count")
	scriptListReverse  = lua.Load("list_reverse")
	scriptListSort     = lua.Load("list_sort")
	scriptListRepeat   = lua.Load("list_repeat")
	scriptListSetSlice = lua.Load("list_set_slice")
)

// List is a list of T stored as a Redis list at its key: HOT Redis's List,
// Go's slice, Python's list. Every method is one atomic step on the server,
// so any number of goroutines and processes can share a List.
//
// Indexes follow Python: negative ones count from the end (-1 is the last
// element). Methods that change the list called with a Transaction's
// context are queued and return zero values.
type List[T any] struct {
	object
	vals coder[T]
}

// NewList returns a handle on the list at key. It does no I/O; an empty key
// makes a new unique one (see Key).
func NewList[T any](key string, opts ...Option) *List[T] {
	o := collect(opts)
	l := &List[T]{object: newObject("list", key, o, "tmp")}
	l.vals = newCoder[T](&l.object, o.codec)
	return l
}

// Len returns the number of elements (0 for a missing key).
func (l *List[T]) Len(ctx context.Context) (int, error) {
	n, err := asInt(l.read(ctx, cmd("LLEN", l.keys[:1])))
	return int(n), err
}

// Get returns the element at index i, or ErrIndexOutOfRange.
func (l *List[T]) Get(ctx context.Context, i int) (T, error) {
	v, err := l.read(ctx, cmd("LINDEX", l.keys[:1], strconv.Itoa(i)))
	x, found, err := l.vals.decodeReply(v, err)
	if !found && err == nil {
		err = l.rangeErr("Get", i)
	}
	return x, err
}

func (l *List[T]) rangeErr(op string, i int) error {
	return fmt.Errorf("hotredis: list %q: %s(%d): %w", l.key, op, i, ErrIndexOutOfRange)
}

// Set replaces the element at index i, or returns ErrIndexOutOfRange.
func (l *List[T]) Set(ctx context.Context, i int, v T) error {
	s, err := l.vals.encode(v)
	if err != nil {
		return err
	}
	_, err = l.write(ctx, cmd("LSET", l.keys[:1], strconv.Itoa(i), s))
	return err
}

// Slice returns the elements list[start:stop] with Python's slice rules:
// negative bounds count from the end, bounds past either end are clamped,
// and an empty range gives an empty slice, not an error. Use math.MaxInt
// as stop for "to the end".
func (l *List[T]) Slice(ctx context.Context, start, stop int) ([]T, error) {
	// LRANGE's stop is inclusive and reads negative bounds as Python does,
	// so stop-1 maps Python's exclusive stop, except that stop 0 (or a
	// negative stop reaching before the start of the list) is empty.
	if stop == 0 {
		return []T{}, nil
	}
	arr, err := asArray(l.read(ctx, cmd("LRANGE", l.keys[:1], strconv.Itoa(start), strconv.FormatInt(int64(stop)-1, 10))))
	if err != nil {
		return nil, err
	}
	return l.vals.decodeAll(arr)
}

// Values returns every element.
func (l *List[T]) Values(ctx context.Context) ([]T, error) {
	return l.Slice(ctx, 0, math.MaxInt)
}

// All returns an iterator over the elements, read chunkSize (1000) at a
// time, so client memory stays flat whatever the list's length. If a read
// fails the iterator yields the error once and stops. The list is not
// frozen: changes made meanwhile by others may be seen or missed.
func (l *List[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for start := 0; ; start += chunkSize {
			part, err := l.Slice(ctx, start, start+chunkSize)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, v := range part {
				if !yield(v, nil) {
					return
				}
			}
			if len(part) < chunkSize {
				return
			}
		}
	}
}

// Append adds vs at the end (Python's append and extend) and returns the
// new length. A very long vs is sent in chunks inside one MULTI/EXEC, so
// it is still atomic.
func (l *List[T]) Append(ctx context.Context, vs ...T) (int, error) {
	return l.push(ctx, "RPUSH", vs)
}

func (l *List[T]) push(ctx context.Context, op string, vs []T) (int, error) {
	if len(vs) == 0 {
		return l.Len(ctx)
	}
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	if len(ss) <= 10*chunkSize {
		n, err := asInt(l.write(ctx, cmd(op, l.keys[:1], ss...)))
		return int(n), err
	}
	rs, err := l.atomic(ctx, chunkCmds(op, l.keys[:1], ss)...)
	if err != nil {
		return 0, err
	}
	n, err := asInt(rs[len(rs)-1].Val, nil)
	return int(n), err
}

// chunkCmds splits one variadic command into several of 10*chunkSize args.
func chunkCmds(op string, ks []string, args []string) []backend.Cmd {
	var out []backend.Cmd
	for len(args) > 0 {
		k := min(len(args), 10*chunkSize)
		out = append(out, cmd(op, ks, args[:k]...))
		args = args[k:]
	}
	return out
}

// Insert inserts v before index i, as Python's list.insert: an index past
// the end appends, one before the start prepends.
func (l *List[T]) Insert(ctx context.Context, i int, v T) error {
	s, err := l.vals.encode(v)
	if err != nil {
		return err
	}
	_, err = l.script(ctx, scriptListInsert, l.keys[:1], strconv.Itoa(clampIndex(i)), s, marker())
	return err
}

// Pop removes and returns the last element, or returns ErrEmpty.
func (l *List[T]) Pop(ctx context.Context) (T, error) {
	v, err := l.write(ctx, cmd("RPOP", l.keys[:1]))
	x, found, err := l.vals.decodeReply(v, err)
	if !found && err == nil && !isQueued(v) {
		err = fmt.Errorf("hotredis: list %q: Pop: %w", l.key, ErrEmpty)
	}
	return x, err
}

// PopAt removes and returns the element at index i, or returns
// ErrIndexOutOfRange.
func (l *List[T]) PopAt(ctx context.Context, i int) (T, error) {
	v, err := l.script(ctx, scriptListPopAt, l.keys[:1], strconv.Itoa(clampIndex(i)), marker())
	x, found, err := l.vals.decodeReply(v, err)
	if !found && err == nil && !isQueued(v) {
		err = l.rangeErr("PopAt", i)
	}
	return x, err
}

// Remove removes the first element equal to v and reports whether there
// was one (Python's list.remove, without the exception).
func (l *List[T]) Remove(ctx context.Context, v T) (bool, error) {
	s, err := l.vals.encode(v)
	if err != nil {
		return false, err
	}
	n, err := asInt(l.write(ctx, cmd("LREM", l.keys[:1], "1", s)))
	return n > 0, err
}

// Index returns the index of the first element equal to v, or -1 if there
// is none. The search runs on the server (LPOS).
func (l *List[T]) Index(ctx context.Context, v T) (int, error) {
	s, err := l.vals.encode(v)
	if err != nil {
		return 0, err
	}
	r, err := l.read(ctx, cmd("LPOS", l.keys[:1], s))
	if err != nil {
		return 0, err
	}
	if r == nil {
		return -1, nil
	}
	n, err := asInt(r, nil)
	return int(n), err
}

// Count returns how many elements equal v, counted on the server.
func (l *List[T]) Count(ctx context.Context, v T) (int, error) {
	s, err := l.vals.encode(v)
	if err != nil {
		return 0, err
	}
	n, err := asInt(l.script(ctx, scriptListCount, l.keys[:1], s))
	return int(n), err
}

// Contains reports whether an element equals v, checked on the server.
func (l *List[T]) Contains(ctx context.Context, v T) (bool, error) {
	i, err := l.Index(ctx, v)
	return i >= 0, err
}

// Reverse reverses the list in place. A list of more than 4,000 elements
// is rebuilt in bounded steps (see the package documentation), so Redis
// keeps serving others; inside a transaction it is one script, refused
// (the commit fails) beyond 100,000 elements.
func (l *List[T]) Reverse(ctx context.Context) error {
	_, err := l.script(ctx, scriptListReverse, l.keys, strconv.Itoa(chunkSize), strconv.Itoa(l.scriptBound(ctx)))
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
// the default codec) sort by value, compared as float64 by Redis's SORT, so
// integers beyond ±2^53 that differ by less than their float64 spacing may
// keep their relative order. Other types sort by their stored bytes (which
// Redis compares with strcoll; servers in the C locale compare bytes).
func (l *List[T]) Sort(ctx context.Context, reverse bool) error {
	alpha, desc := "ALPHA", ""
	if l.numeric() {
		alpha = ""
	}
	if reverse {
		desc = "DESC"
	}
	_, err := l.script(ctx, scriptListSort, l.keys[:1], alpha, desc)
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
// changes nothing. A list that grows by more than 4,000 elements is
// rebuilt in bounded steps; inside a transaction it is one script, refused
// (the commit fails) beyond 100,000 new elements.
func (l *List[T]) Repeat(ctx context.Context, n int) (int, error) {
	switch {
	case n <= 0:
		return 0, l.Clear(ctx)
	case uint64(n) > maxListLen:
		return 0, l.invalid("Repeat", "%d copies exceed a Redis list's %d elements", n, int64(maxListLen))
	}
	r, err := asInt(l.script(ctx, scriptListRepeat, l.keys[:1], strconv.Itoa(n), strconv.Itoa(chunkSize), strconv.Itoa(l.scriptBound(ctx))))
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

// maxListLen is the most elements a Redis list holds.
const maxListLen = 1<<32 - 1

// txScriptMax bounds the elements one list script may write inside a
// transaction, where a big change cannot be split into steps.
const txScriptMax = 100 * chunkSize

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
	done, err := l.rebuild(ctx, "list", l.keys[:1], func(ctx context.Context, r *rebuilder) error {
		n, err := asInt(l.read(ctx, cmd("LLEN", l.keys[:1])))
		if err != nil {
			return err
		}
		return build(ctx, r, n)
	})
	switch {
	case err != nil:
		return 0, l.fail(op, err)
	case !done:
		return 0, l.fail(op, fmt.Errorf("%w: the list kept changing during %d attempts to rebuild it", ErrTxConflict, rebuildAttempts))
	}
	n, err := l.Len(ctx)
	return int64(n), err
}

// SetSlice replaces the elements list[start:stop] with vs, as Python's
// slice assignment does (list[1:3] = vs): bounds follow Slice, the list
// grows or shrinks as needed, and start == stop inserts.
func (l *List[T]) SetSlice(ctx context.Context, start, stop int, vs ...T) error {
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	args := append([]string{strconv.Itoa(clampIndex(start)), strconv.Itoa(clampIndex(stop)), strconv.Itoa(chunkSize)}, ss...)
	_, err = l.script(ctx, scriptListSetSlice, l.keys[:1], args...)
	return err
}

// Clear removes every element (the key is deleted).
func (l *List[T]) Clear(ctx context.Context) error { return l.Delete(ctx) }

// Replace atomically replaces the whole list with vs.
func (l *List[T]) Replace(ctx context.Context, vs ...T) error {
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return err
	}
	cmds := append([]backend.Cmd{cmd("DEL", l.keys[:1])}, chunkCmds("RPUSH", l.keys[:1], ss)...)
	_, err = l.atomic(ctx, cmds...)
	return err
}
