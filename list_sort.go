package hotredis

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/pyfmt"
)

// The bounded sort of a long list (see List.Sort). Redis's SORT is one
// command over the whole list (9 s for 10M elements); a script cannot sort
// part of a list fast enough to beat it. So the client sorts: it reads the
// list in bounded LRANGE steps, sorts runs of up to sortMem elements in
// memory, and writes the result into the rebuild's scratch list in bounded
// steps. A list longer than sortMem is sorted run by run into scratch
// lists, which are then merged, read back a stretch of each at a time: the
// client never holds more than about sortMem elements.

// sortMem is the most elements a sort holds in memory: a list up to this
// long is sorted in one run. A variable for tests (export_test.go).
var sortMem int64 = 1 << 20

// errNotDouble is SORT's own error for an element that is not a number,
// which Sort turns into the element's *DecodeError.
var errNotDouble = &backend.ServerError{Msg: "ERR One or more scores can't be converted into double"}

// sortElem is an element with its sort key.
type sortElem struct {
	score float64 // numeric sorts: the value
	s     string  // the stored bytes
}

// sorter orders elements as SORT does: numerically (the stored bytes read
// as a double; equal values by their bytes, SORT's tie-break) or by bytes
// (as SORT ... STORE compares, whatever the server's locale), either way
// reversed for DESC; but integers that one double holds (past ±2^53) by
// their exact values.
type sorter struct {
	numeric, desc bool
}

func (o sorter) compare(a, b sortElem) int {
	c := 0
	if o.numeric {
		c = cmp.Compare(a.score, b.score)
		if c == 0 && a.s != b.s {
			c, _ = compareInts(a.s, b.s)
		}
	}
	if c == 0 {
		c = strings.Compare(a.s, b.s)
	}
	if o.desc {
		return -c
	}
	return c
}

// compareInts compares a and b as the integers they spell, when both are
// integers of 64 bits (signed or not); ok is false otherwise.
func compareInts(a, b string) (c int, ok bool) {
	x, errX := strconv.ParseInt(a, 10, 64)
	y, errY := strconv.ParseInt(b, 10, 64)
	if errX == nil && errY == nil {
		return cmp.Compare(x, y), true
	}
	u, errU := strconv.ParseUint(a, 10, 64)
	v, errV := strconv.ParseUint(b, 10, 64)
	switch {
	case errU == nil && errV == nil:
		return cmp.Compare(u, v), true
	case errX == nil && errV == nil: // b is past MaxInt64
		return -1, true
	case errU == nil && errY == nil: // a is
		return 1, true
	}
	return 0, false
}

// elems turns stored elements into sortElems, appended to dst;
// errNotDouble for a numeric sort of what the codec does not read as a
// float64. A NaN sorts first, as slices.Sort puts it.
func (o sorter) elems(dst []sortElem, raw []string) ([]sortElem, error) {
	for _, s := range raw {
		e := sortElem{s: s}
		if o.numeric {
			// As the codec reads floats (Python's float()): not hex, which
			// Go's ParseFloat takes; "-nan", " 2.5", "1e400" (+Inf), which
			// it refuses, are numbers.
			f, err := pyfmt.ParseFloat(s, 64)
			if err != nil {
				return dst, errNotDouble
			}
			e.score = f
		}
		dst = append(dst, e)
	}
	return dst, nil
}

// sortInSteps sorts the n elements of the list into r.tmp.
func (l *List[T]) sortInSteps(ctx context.Context, r *rebuilder, n int64, o sorter) error {
	var runs []*sortRun
	defer func() {
		if len(runs) > 0 {
			ks := make([]string, len(runs))
			for i, run := range runs {
				ks[i] = run.tmp
			}
			dropScratch(ctx, r.o, r.cl, ks...)
		}
	}()
	buf := make([]sortElem, 0, min(n, sortMem))
	out := make([]string, 0, min(n, sortMem))
	for a := int64(0); a < n; a += sortMem {
		buf = buf[:0]
		err := l.lranges(ctx, l.key, a, min(a+sortMem, n), func(part []string) (err error) {
			buf, err = o.elems(buf, part)
			return err
		})
		if err != nil {
			return err
		}
		slices.SortFunc(buf, o.compare)
		out = out[:0]
		for _, e := range buf {
			out = append(out, e.s)
		}
		if n <= sortMem { // one run: straight into the scratch list
			return r.pushList(ctx, out)
		}
		run := &sortRun{rebuilder: rebuilder{cl: r.cl, tmp: r.tmp + ":run:" + strconv.Itoa(len(runs)), o: r.o, width: 1}}
		runs = append(runs, run)
		if err := run.pushList(ctx, out); err != nil {
			return err
		}
	}
	return l.mergeRuns(ctx, r, runs, o)
}

// sortRun is a sorted run of a long sort, in a scratch list, and the part
// of it the merge has read and not yet used.
type sortRun struct {
	rebuilder
	next    int64      // the offset of the first element not read
	pending []sortElem // read, not yet merged
}

// mergeRuns merges the sorted runs into r.tmp, reading a stretch of each
// run at a time (at most a read step's bytes: see span).
func (l *List[T]) mergeRuns(ctx context.Context, r *rebuilder, runs []*sortRun, o sorter) error {
	stretch := min(int64(l.span(readStep, 1)), max(100, sortMem/int64(len(runs))))
	renewed := time.Now()
	fill := func(run *sortRun) error {
		if run.next >= run.size {
			return nil
		}
		if time.Since(renewed) > scratchTTL/4 { // the runs outlive a long merge
			renew := make([]backend.Cmd, len(runs))
			for i, x := range runs {
				renew[i] = cmd("PEXPIRE", []string{x.tmp}, strconv.FormatInt(scratchTTL.Milliseconds(), 10))
			}
			for _, res := range r.cl.doMulti(ctx, renew) {
				if res.Err != nil {
					return res.Err
				}
			}
			renewed = time.Now()
		}
		part, err := l.lrange(ctx, run.tmp, run.next, min(run.next+stretch, run.size))
		if err != nil {
			return err
		}
		if len(part) == 0 { // expired
			return errStale
		}
		run.next += int64(len(part))
		run.pending, err = o.elems(run.pending[:0], part)
		return err
	}
	h := &runHeap{o: o}
	for _, run := range runs {
		if err := fill(run); err != nil {
			return err
		}
		if len(run.pending) > 0 {
			h.runs = append(h.runs, run)
		}
	}
	heap.Init(h)
	out := make([]string, 0, readStep)
	for h.Len() > 0 {
		run := h.runs[0]
		out = append(out, run.pending[0].s)
		run.pending = run.pending[1:]
		if len(run.pending) == 0 {
			if err := fill(run); err != nil {
				return err
			}
		}
		if len(run.pending) == 0 {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
		if len(out) == cap(out) {
			if err := r.pushList(ctx, out); err != nil {
				return err
			}
			out = out[:0]
		}
	}
	return r.pushList(ctx, out)
}

// runHeap orders the runs by their next element.
type runHeap struct {
	runs []*sortRun
	o    sorter
}

func (h *runHeap) Len() int { return len(h.runs) }
func (h *runHeap) Less(i, j int) bool {
	return h.o.compare(h.runs[i].pending[0], h.runs[j].pending[0]) < 0
}
func (h *runHeap) Swap(i, j int) { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *runHeap) Push(x any)    { h.runs = append(h.runs, x.(*sortRun)) }
func (h *runHeap) Pop() any {
	x := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return x
}
