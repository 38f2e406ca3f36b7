package hotredis

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

var (
	scriptListInsert   = lua.Load("list_insert")
	scriptListPopAt    = lua.Load("list_pop_at")
	scriptListRemove   = lua.Load("list_remove")
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
	l.ownExpiry(l.keys[1])
	l.vals = newCoder[T](&l.object, o.codec)
	return l
}

// Len returns the number of elements (0 for a missing key).
func (l *List[T]) Len(ctx context.Context) (int, error) {
	n, err := scalarInt(l.readScalar(ctx, cmd("LLEN", l.keys[:1])))
	return int(n), err
}

// Get returns the element at index i, or ErrIndexOutOfRange.
func (l *List[T]) Get(ctx context.Context, i int) (T, error) {
	x, found, err := l.vals.decodeScalar(l.readScalar(ctx, cmd("LINDEX", l.keys[:1], strconv.Itoa(i))))
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

// All returns an iterator over the elements, read chunkSize (1000) at a
// time (fewer when they are long: at most a few MiB a step), so client
// memory stays flat whatever the list's length. If a read
// fails the iterator yields the error once and stops. The list is not
// frozen: changes made meanwhile by others may be seen or missed.
func (l *List[T]) All(ctx context.Context) iter.Seq2[T, error] {
	ctx = l.iterCtx(ctx)
	return func(yield func(T, error) bool) {
		var zero T
		for start := 0; ; {
			n := l.span(chunkSize, 1)
			part, err := l.Slice(ctx, start, start+n)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, v := range part {
				if !yield(v, nil) {
					return
				}
			}
			if len(part) < n {
				return
			}
			start += n
		}
	}
}

// Append adds vs at the end (Python's append and extend) and returns the
// new length. Up to 10,000 values are one RPUSH; more go in chunks inside
// one MULTI/EXEC, so it is still atomic. Beyond 300,000 values or 16 MiB
// (more than ~20 ms of the server's time) they are appended to a copy of
// the list made in bounded steps, which then replaces it (as SetSlice's
// rebuild), unless the list holds over four times as many elements as vs:
// then, or when the list kept changing through 3 attempts, and always
// inside a transaction, they go in one MULTI/EXEC, long but atomic (~50
// ms a million short values here).
func (l *List[T]) Append(ctx context.Context, vs ...T) (int, error) {
	return l.push(ctx, "RPUSH", vs)
}

func (l *List[T]) push(ctx context.Context, op string, vs []T) (int, error) {
	if len(vs) == 0 {
		if l.queuing(ctx) {
			return 0, nil // nothing to queue; a read would fail the transaction
		}
		return l.Len(ctx)
	}
	if len(vs) == 1 { // the commonest: no slice for the encoded value
		s, err := l.vals.encode(vs[0])
		if err != nil {
			return 0, err
		}
		n, err := scalarInt(l.writeScalar(ctx, cmd(op, l.keys[:1], s)))
		return int(n), err
	}
	ss, err := l.vals.encodeAll(vs)
	if err != nil {
		return 0, err
	}
	if !l.queuing(ctx) && !appendAtOnce(ss) {
		n, done, err := l.appendRebuilt(ctx, ss)
		if done || err != nil {
			return int(n), err
		}
		// The list kept changing: one MULTI/EXEC, long but atomic.
	}
	if len(ss) <= 10*chunkSize {
		n, err := scalarInt(l.writeScalar(ctx, cmdArgs(op, l.keys[:1], ss)))
		return int(n), err
	}
	rs, err := l.atomic(ctx, chunkCmds(op, l.keys[:1], ss)...)
	if err != nil {
		return 0, err
	}
	n, err := asInt(rs[len(rs)-1].Val, nil)
	return int(n), err
}

// appendAtOnce reports whether the values ss are few enough for one
// MULTI/EXEC of RPUSHes to keep the server within a step's bound: RPUSH
// takes it ~0.05 µs a short value here (a million: 49 ms in one EXEC,
// 2026-12-06), more for long values, whose bytes it copies.
func appendAtOnce(ss []string) bool {
	return fewAndShort(ss, 300*chunkSize, 16<<20)
}

// appendRebuilt appends ss to a copy of the list, made in bounded steps,
// which then replaces the list (see rebuild.go), and returns the new
// length. It reports false with a nil error when the list kept changing
// meanwhile, or holds more than four times as many elements as ss.
func (l *List[T]) appendRebuilt(ctx context.Context, ss []string) (int64, bool, error) {
	var size int64
	done, err := l.rebuild(ctx, "list", l.keys[:1], func(ctx context.Context, r *rebuilder) error {
		n, err := scalarInt(l.readPrimaryScalar(ctx, cmd("LLEN", l.keys[:1])))
		if err != nil {
			return err
		}
		if uint64(n)+uint64(len(ss)) > maxListLen {
			return l.invalid("Append", "%d values after %d elements exceed a Redis list's %d", len(ss), n, int64(maxListLen))
		}
		if n > 4*int64(len(ss)) {
			return errCopyCostsMore
		}
		if err := r.copyList(ctx, l.key, n, "copy"); err != nil {
			return err
		}
		if err := r.pushList(ctx, ss); err != nil {
			return err
		}
		size = r.size
		return nil
	})
	if errors.Is(err, errCopyCostsMore) {
		return 0, false, nil
	}
	return size, done, l.fail("Append", err)
}

// errCopyCostsMore stops an Append's rebuild of a list that holds over
// four times as many elements as the values appended: copying it would
// cost more than the one MULTI/EXEC of them, whose time the caller's
// input sets, and hold a second copy of the list in memory meanwhile.
var errCopyCostsMore = errors.New("the list is longer than four times the values appended")

// chunkCmds splits one variadic command into several of 10*chunkSize args.
func chunkCmds(op string, ks []string, args []string) []backend.Cmd {
	var out []backend.Cmd
	for len(args) > 0 {
		k := min(len(args), 10*chunkSize)
		out = append(out, cmdArgs(op, ks, args[:k]))
		args = args[k:]
	}
	return out
}

// Insert inserts v before index i, as Python's list.insert: an index past
// the end appends, one before the start prepends. Up to 500,000 elements
// from the head it is one atomic step of native commands (LSET and
// LINSERT): Redis has no insert by index, and LINSERT walks from the head,
// about 10-25 ms of server time per million elements before i on this
// project's machine (see BENCHMARKS.md). Further in it is SetSlice(i, i,
// v): one script lifting the shorter side when it is short (near the
// tail), else the list rebuilt in bounded steps (1.3 s at the middle of
// 4M elements, against 52 ms of Redis held by LINSERT). Inside a
// transaction it is always the native step.
func (l *List[T]) Insert(ctx context.Context, i int, v T) error {
	s, err := l.vals.encode(v)
	if err != nil {
		return err
	}
	_, err = l.script(ctx, scriptListInsert, l.keys[:1], strconv.Itoa(clampIndex(i)), s, marker(), l.stepBound(ctx, listWalkMax))
	if backend.IsServerError(err, "BIG") {
		return l.asOp("Insert", l.SetSlice(ctx, i, i, v))
	}
	return err
}

// listWalkMax is the most elements one native command of Insert, PopAt or
// Remove may walk (5-11 ms here, as lposStep); a variable for tests
// (export_test.go).
var listWalkMax = 500_000

// Pop removes and returns the last element, or returns ErrEmpty.
func (l *List[T]) Pop(ctx context.Context) (T, error) {
	v, err := l.writeScalar(ctx, cmd("RPOP", l.keys[:1]))
	x, found, err := l.vals.decodeScalar(v, err)
	if !found && err == nil && !isQueued(v.Any) {
		err = fmt.Errorf("hotredis: list %q: Pop: %w", l.key, ErrEmpty)
	}
	return x, err
}

// PopAt removes and returns the element at index i, or returns
// ErrIndexOutOfRange. Up to 500,000 elements from either end it is one
// atomic step of native commands (LSET and LREM from the nearer end),
// about 10-25 ms of server time per million elements walked (see
// BENCHMARKS.md); further in, the list is rebuilt without it in bounded
// steps (see removeAt). Inside a transaction it is always the native step.
func (l *List[T]) PopAt(ctx context.Context, i int) (T, error) {
	v, err := l.script(ctx, scriptListPopAt, l.keys[:1], strconv.Itoa(clampIndex(i)), marker(), l.stepBound(ctx, listWalkMax))
	if backend.IsServerError(err, "BIG") {
		v, err = l.removeAt(ctx, "PopAt", func(_ context.Context, n int64) (int64, error) {
			j := int64(clampIndex(i))
			if j < 0 {
				j += n
			}
			if j < 0 || j >= n {
				return -1, ErrIndexOutOfRange
			}
			return j, nil
		})
		if errors.Is(err, ErrIndexOutOfRange) {
			return *new(T), l.rangeErr("PopAt", i)
		}
	}
	x, found, err := l.vals.decodeReply(v, err)
	if !found && err == nil && !isQueued(v) {
		err = l.rangeErr("PopAt", i)
	}
	return x, err
}

// Remove removes the first element equal to v and reports whether there
// was one (Python's list.remove, without the exception). It is one LREM,
// which walks the list from the head to that element (about 10-25 ms of
// server time per million elements), in a list of up to 500,000 elements
// or when the element is among the first 250,000 (found first by LPOS);
// further in, Index finds it in bounded steps and the list is rebuilt
// without it (see removeAt). Inside a transaction it is always the one
// LREM.
func (l *List[T]) Remove(ctx context.Context, v T) (bool, error) {
	s, err := l.vals.encode(v)
	if err != nil {
		return false, err
	}
	if l.queuing(ctx) {
		n, err := scalarInt(l.writeScalar(ctx, cmd("LREM", l.keys[:1], "1", s)))
		return n > 0, err
	}
	n, err := asInt(l.script(ctx, scriptListRemove, l.keys[:1], s, strconv.Itoa(listWalkMax)))
	if !backend.IsServerError(err, "BIG") {
		return n > 0, err
	}
	_, err = l.removeAt(ctx, "Remove", func(ctx context.Context, _ int64) (int64, error) {
		j, err := l.Index(ctx, v)
		return int64(j), err
	})
	if errors.Is(err, errNoSuchElement) {
		return false, nil
	}
	return err == nil, l.asOp("Remove", err)
}

// Contains reports whether an element equals v, checked on the server.
func (l *List[T]) Contains(ctx context.Context, v T) (bool, error) {
	i, err := l.Index(ctx, v)
	return i >= 0, err
}

// Clear removes every element (the key is deleted, whatever it holds).
func (l *List[T]) Clear(ctx context.Context) error { return l.Delete(ctx) }
