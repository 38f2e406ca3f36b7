package hotredis

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/keys"
	"github.com/hotredis/hotredis/internal/lua"
)

// Long changes to big collections would block Redis for seconds if they
// ran as one script (a million HINCRBYs take several). They are instead
// rebuilt: the new value is computed into a scratch key in the object's
// slot by bounded steps (each a short script over one chunk of the input
// or one stretch of an SSCAN/HSCAN), while the key, and every key the new
// value is computed from, is WATCHed on a dedicated connection; then one
// MULTI/EXEC swaps the scratch key in (UNLINK frees the old value in the
// background, RENAME is O(1)). If a watched key changed meanwhile, EXEC
// aborts and the rebuild starts over; after rebuildAttempts tries the
// caller falls back to its single script, which is correct but holds
// Redis for as long as it runs. Readers thus see the old value or the new
// one, never a mix, and no concurrent update is lost.

var (
	scriptRebuildCommit = lua.Load("rebuild_commit")
	scriptSetStep       = lua.Load("set_step")
	scriptHashStep      = lua.Load("hash_step")
	scriptListStep      = lua.Load("list_step")
)

const (
	// oneStepMax is the largest input (values, or fields a script must
	// visit) a change handles in one script; a bigger one is rebuilt in
	// steps. One script over this many takes a few milliseconds.
	oneStepMax = 4 * chunkSize
	// rebuildAttempts is how many times a rebuild or a watched read
	// starts over because a watched key changed, before falling back to
	// one long script.
	rebuildAttempts = 3
	// scratchTTL is the expiry of a scratch key, renewed by every step,
	// so that a client that dies mid-rebuild leaves nothing for long.
	scratchTTL = time.Minute
)

var errStale = errors.New("scratch key lost a step")

// rebuilder carries the state of one rebuild into its steps.
type rebuilder struct {
	cl   *Client
	tmp  string // the scratch key
	size int64  // the scratch key's size after the last step
	stretcher
	// o is the object rebuilt, whose entries' size (see span), width
	// strings each, bounds a scanning step's bytes.
	o     *object
	width int
}

// newRebuilder returns a rebuilder of o's key, a Redis typ.
func (o *object) newRebuilder(cl *Client, typ string) *rebuilder {
	width := 1
	if typ == "hash" {
		width = 2
	}
	return &rebuilder{cl: cl, tmp: keys.Fresh(o.key, "tmp:"+strconv.FormatUint(rand.Uint64(), 36)), o: o, width: width}
}

// stretcher sizes the stretch of elements each step of a long job works
// on by the time the steps take.
type stretcher struct {
	stretch int // elements per step: set by the steps' measured time
}

const (
	// stepTarget is how long a step should keep the server: the stretch
	// of elements a step works on grows or shrinks to keep it near that,
	// between minStretch and maxStretch.
	stepTarget             = 3 * time.Millisecond
	minStretch, maxStretch = 100, 8 * chunkSize
)

// stretchFor returns the elements the next step should work on, starting
// from first.
func (r *stretcher) stretchFor(first int) int {
	if r.stretch == 0 {
		r.stretch = first
	}
	return r.stretch
}

// measured adapts the stretch to a step that took d (as seen by the
// client: the server's time plus a round trip).
func (r *stretcher) measured(d time.Duration) {
	switch {
	case d > 2*stepTarget:
		r.stretch = max(minStretch, r.stretch/2)
	case d < stepTarget/2:
		r.stretch = min(maxStretch, r.stretch*5/4)
	}
}

// rebuildTries counts rebuild attempts, and afterRebuildStep, when set,
// runs after each step: for tests (export_test.go).
var (
	rebuildTries     atomic.Int64
	afterRebuildStep atomic.Pointer[func()]
)

// rebuild builds a new value for o's key, a Redis typ ("set", "hash" or "list"),
// with build into r.tmp, and swaps it in if no key in watch (o's key
// first; none for a value that does not depend on the old one) changed
// meanwhile. It reports false with a nil error when every
// attempt was aborted by a concurrent change: the caller then falls back
// to one script. The scratch key is always removed, also on error or
// cancellation. It must not be called inside a transaction.
func (o *object) rebuild(ctx context.Context, typ string, watch []string, build func(context.Context, *rebuilder) error) (bool, error) {
	cl, err := o.cli()
	if err != nil {
		return false, err
	}
	if err := cl.ready(ctx, watch); err != nil {
		return false, wrapErr(o.kind, o.key, err)
	}
	ctx = withPrimary(ctx)
	if len(watch) == 0 {
		return true, o.build(ctx, cl, typ, build)
	}
	start, wait := time.Now(), 2*time.Millisecond
	for attempt := 0; attempt < rebuildAttempts; attempt++ {
		rebuildTries.Add(1)
		r := o.newRebuilder(cl, typ)
		committed := false
		err := o.observe(ctx, cl, func(ctx context.Context) error {
			return cl.b.Watch(ctx, watch, func(conn backend.Conn) error {
				var at int64
				err := o.observe(ctx, cl, func(ctx context.Context) (err error) {
					at, err = watchedState(ctx, conn, typ, watch)
					return err
				})
				if err != nil {
					return err
				}
				if err := build(ctx, r); err != nil {
					return err
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				// The swap is O(1) and decides the outcome: wait for it.
				commit := scriptRebuildCommit.Cmd(false, []string{o.key, r.tmp},
					[]string{typ, strconv.FormatInt(r.size, 10), strconv.FormatInt(at, 10)})
				err = o.observe(ctx, cl, func(ctx context.Context) error {
					rs, err := conn.Exec(ctx, []backend.Cmd{commit})
					if err != nil {
						// A reply lost, or not back by ctx's end: the swap
						// may have been made (ErrUnknownOutcome).
						return cl.outcome(ctx, err, true)
					}
					if err := rs[0].Err; err != nil {
						if backend.IsServerError(err, "STALE") {
							return errStale
						}
						return err
					}
					return nil
				})
				committed = err == nil
				return err
			})
		})
		if !committed {
			dropScratch(ctx, o, cl, r.tmp)
		}
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, backend.ErrTxAborted), errors.Is(err, errStale):
			continue
		case slotMoving(err) && waitToRetry(ctx, start, &wait):
			// The key's slot moved to another master (MOVED, ASK), or
			// is moving (TRYAGAIN): the WATCH's connection cannot
			// follow, and nothing was swapped. Again, as Optimistic
			// does, for as long as a TRYAGAIN is retried.
			noteRetry(ctx)
			attempt-- // not a conflict
			continue
		}
		return false, wrapErr(o.kind, o.key, cl.closedErr(err))
	}
	return false, nil
}

// build is rebuild for a new value that does not depend on the old one
// (Replace): nothing is watched, and the new value, built in r.tmp,
// replaces whatever the key holds then, without its expiry.
func (o *object) build(ctx context.Context, cl *Client, typ string, build func(context.Context, *rebuilder) error) error {
	r := o.newRebuilder(cl, typ)
	err := build(ctx, r)
	if err == nil {
		// The swap decides the outcome: sent as a write, so that a reply
		// lost, or not back by ctx's end, is ErrUnknownOutcome. (The
		// steps before it wrote only the scratch key.)
		_, err = cl.send(ctx, scriptRebuildCommit.Cmd(true, []string{o.key, r.tmp},
			[]string{typ, strconv.FormatInt(r.size, 10), "-1"}), true)
	}
	if err != nil {
		dropScratch(ctx, o, cl, r.tmp)
		return wrapErr(o.kind, o.key, cl.closedErr(err))
	}
	return nil
}

// watchedState checks, after WATCH, that the watched keys hold typ (or
// nothing) and returns the first one's expiry (PEXPIRETIME).
func watchedState(ctx context.Context, conn backend.Conn, typ string, watch []string) (int64, error) {
	cmds := make([]backend.Cmd, 0, len(watch)+1)
	for _, k := range watch {
		cmds = append(cmds, cmd("TYPE", []string{k}))
	}
	cmds = append(cmds, cmd("PEXPIRETIME", watch[:1]))
	rs := conn.DoMulti(ctx, cmds)
	for _, r := range rs {
		if r.Err != nil {
			return 0, r.Err
		}
	}
	for _, r := range rs[:len(watch)] {
		if t, _, _ := asString(r.Val, nil); t != typ && t != "none" {
			return 0, wrongTypeReply()
		}
	}
	return asInt(rs[len(watch)].Val, nil)
}

// dropScratch deletes o's scratch keys, in the background when ctx has
// ended or the UNLINK failed with it (a step that failed because the
// connection's deadline, set from ctx's, passed a moment before ctx's own
// timer fired: the UNLINK then meets that deadline too, and the copy
// would stay for scratchTTL). A step cut short by ctx may still run after
// this: its scratch key then expires (scratchTTL).
func dropScratch(ctx context.Context, o *object, cl *Client, tmp ...string) {
	unlink := func(ctx context.Context) error {
		return o.observe(ctx, cl, func(ctx context.Context) error { _, err := cl.b.Do(ctx, cmd("UNLINK", tmp)); return err })
	}
	if ctx.Err() == nil && unlink(ctx) == nil {
		return
	}
	cl.background(withCaller(ctx), func(ctx context.Context) { _ = unlink(ctx) })
}

// step runs one step script s with KEYS first, r.tmp, then more, and
// ARGV: the scratch key's size before the step (which the script checks,
// so that a step lost to the scratch key's expiry is noticed), its
// expiry, then args. The script replies {cursor, new size}; step returns
// the cursor.
func (r *rebuilder) step(ctx context.Context, s *lua.Script, first string, more []string, args ...string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ks := append([]string{first, r.tmp}, more...)
	argv := append([]string{strconv.FormatInt(r.size, 10), strconv.FormatInt(scratchTTL.Milliseconds(), 10)}, args...)
	start := time.Now()
	var arr []any
	err := r.o.observe(ctx, r.cl, func(ctx context.Context) (err error) {
		arr, err = asArray(r.cl.do(ctx, s.Cmd(true, ks, argv)))
		return err
	})
	r.measured(time.Since(start))
	if backend.IsServerError(err, "STALE") {
		return "", errStale
	}
	if err != nil {
		return "", err
	}
	if len(arr) != 2 && len(arr) != 4 {
		return "", fmt.Errorf("%w: %s step reply of %d items", errReply, s.Name, len(arr))
	}
	cursor, _, _ := asString(arr[0], nil)
	if r.size, err = asInt(arr[1], nil); err != nil {
		return "", err
	}
	if len(arr) == 4 && r.o != nil { // a scan's bytes and strings: see scan
		bytes, _ := arr[2].(int64)
		if n, _ := arr[3].(int64); n > 0 {
			r.o.sawAverage(int(bytes), int(n))
		}
	}
	afterStep()
	return cursor, nil
}

// afterStep runs afterRebuildStep, when set, after a step.
func afterStep() {
	if f := afterRebuildStep.Load(); f != nil {
		(*f)()
	}
}

// firstScanStep is the most entries of a scan's first step by a handle
// that has not seen the entries' size (see scan).
const firstScanStep = 16

// scan runs the scanning step op (with KEYS source, r.tmp, more...) over
// the whole of source, a stretch of elements at a time (see measured, and
// span: long entries make shorter ones; the script also stops at
// stepBytes, whatever its count); extra arguments follow the cursor, count
// and bytes.
func (r *rebuilder) scan(ctx context.Context, s *lua.Script, source string, more []string, op string, extra ...string) error {
	cursor := "0"
	for {
		// A write step's bytes, not a read's; a handle that has not seen
		// the entries' size yet takes a short first step, whose reply
		// tells it (else 1,024 entries of any size: a review saw 15 MiB
		// copied in one step).
		n := r.o.spanWithin(r.stretchFor(stepStretch), r.width, stepBytes, firstScanStep)
		args := append([]string{op, cursor, strconv.Itoa(n), stepBytesArg}, extra...)
		next, err := r.step(ctx, s, source, more, args...)
		if err != nil || next == "0" {
			return err
		}
		cursor = next
	}
}

// apply runs the step op on items, per elements items at a time (1 for
// values, 2 for field, count pairs), a stretch of elements per step (see
// measured; at most chunkSize, which a script can unpack at once).
func (r *rebuilder) apply(ctx context.Context, s *lua.Script, op, key string, items []string, per int) error {
	for len(items) > 0 {
		n := min(len(items), per*min(chunkSize, r.stretchFor(chunkSize)))
		if _, err := r.step(ctx, s, key, nil, append([]string{op}, items[:n]...)...); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

// pushList appends items to the scratch list, a stretch of them a step
// (see measured): native commands, see applyNative.
func (r *rebuilder) pushList(ctx context.Context, items []string) error {
	return r.applyNative(ctx, "RPUSH", items, 1)
}

// applyNative does verb (RPUSH, SADD, SREM, HSET or HDEL) with items (of
// per arguments each) to the scratch key, a stretch of them a step (see
// measured): verb, PEXPIRE of the scratch key and its size in a
// MULTI/EXEC, not a step script, so that the values need not become Lua
// strings first (which doubled the server's time per element: List.Replace
// of 1M took 512 ms against 229 ms for the native MULTI of RPUSHes). A
// scratch key lost to its expiry between steps shows as a size other than
// the replies of verb account for.
func (r *rebuilder) applyNative(ctx context.Context, verb string, items []string, per int) error {
	v, ok := nativeVerbs[verb]
	if !ok {
		return fmt.Errorf("hotredis: applyNative of %s", verb) // (a bug: every caller names one of nativeVerbs)
	}
	tmp := []string{r.tmp}
	tail := []backend.Cmd{
		cmdArgs("PEXPIRE", tmp, []string{ms(scratchTTL)}),
		cmd(v.size, tmp),
	}
	for len(items) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := fitBytes(items, min(len(items), per*min(r.stretchFor(listStep), v.most)), per)
		start := time.Now()
		rs, err := r.cl.exec(ctx, append(chunkCmds(verb, tmp, items[:n]), tail...))
		r.measured(time.Since(start))
		if err != nil {
			return err
		}
		var moved int64 // what the replies count
		for _, x := range rs[:len(rs)-len(tail)] {
			d, err := asInt(x.Val, x.Err)
			if err != nil {
				return err
			}
			moved += d
		}
		want := r.size + v.counted*moved + v.grows*int64(n/per)
		size, err := asInt(rs[len(rs)-1].Val, rs[len(rs)-1].Err)
		if err != nil {
			return err
		}
		if size != want {
			return errStale
		}
		r.size = size
		afterStep()
		items = items[n:]
	}
	return nil
}

// stepBytes is the most bytes of values one step writes (copying them
// takes Redis ~1.5 ms a MiB).
const stepBytes = 2 << 20

// fitBytes returns how many of the first n items (of per arguments each)
// hold at most stepBytes bytes: at least one item.
func fitBytes(items []string, n, per int) int {
	size := 0
	for i, s := range items[:n] {
		if size += len(s); size > stepBytes && i >= per {
			return i - i%per
		}
	}
	return n
}

// nativeVerb is what applyNative needs to know of a verb: the command that
// reads the scratch key's size, the most items a step takes, and how the
// size changes: by grows an item whatever the replies say (RPUSH, whose
// replies are lengths), or else by counted times what the replies count
// (SADD and HSET add, SREM and HDEL remove).
type nativeVerb struct {
	size           string
	most           int
	grows, counted int64
}

var nativeVerbs = map[string]nativeVerb{
	"RPUSH": {size: "LLEN", most: maxStretch, grows: 1},
	"SADD":  {size: "SCARD", most: nativeHashMax, counted: 1},
	"SREM":  {size: "SCARD", most: nativeHashMax, counted: -1},
	"HSET":  {size: "HLEN", most: nativeHashMax, counted: 1},
	"HDEL":  {size: "HLEN", most: nativeHashMax, counted: -1},
}

// nativeHashMax is the most members or fields one step of applyNative
// adds to a scratch set or hash. Each costs ~0.7 µs in a big one, and
// more, up to several µs, while Redis grows its memory (here, a virtual
// machine): steps of 8,000, as for a list, took up to 19.9 ms, of 2,000 up
// to 16 ms, of 1,000 up to 8.6 ms (HOTBENCH_ONLY=Replace hotbench steps,
// 2026-12-05).
const nativeHashMax = chunkSize

// listStep is how many elements one list step copies.
const listStep = 4 * chunkSize

// copyList copies the n elements of list, listStep at a time, to the end
// of r.tmp ("copy") or, reversed, to its head ("rcopy").
func (r *rebuilder) copyList(ctx context.Context, list string, n int64, op string) error {
	return r.copyElements(ctx, list, 0, n, op)
}

// copyRange copies list's elements [a, b) to the end of r.tmp.
func (r *rebuilder) copyRange(ctx context.Context, list string, a, b int64) error {
	return r.copyElements(ctx, list, a, b, "copy")
}

func (r *rebuilder) copyElements(ctx context.Context, list string, from, to int64, op string) error {
	for a := from; a < to; {
		b := min(a+int64(r.stretchFor(listStep)), to) - 1
		next, err := r.step(ctx, scriptListStep, list, nil, op, strconv.FormatInt(a, 10), strconv.FormatInt(b, 10), stepBytesArg)
		if err != nil {
			return err
		}
		// (A step copies up to stepBytes: it may stop before b.)
		n, err := strconv.ParseInt(next, 10, 64)
		if err != nil || n <= a {
			return fmt.Errorf("%w: list_step copied up to %q from %d", errReply, next, a)
		}
		a = n
	}
	return nil
}

// stepBytesArg is stepBytes as a script's argument.
var stepBytesArg = strconv.Itoa(stepBytes)

// stepStretch is how many elements one scanning step visits.
const stepStretch = chunkSize

// watchedRead runs read, a sequence of bounded read-only steps, while the
// keys ks are WATCHed, and reports whether they stayed unchanged
// throughout (an EXEC that is not aborted), so that what read saw is one
// snapshot. read runs again, after reset, up to rebuildAttempts times
// (and after a lost connection, as a call riding out an outage does);
// false with a nil error means the keys kept changing. It must not be
// called inside a transaction.
func (o *object) watchedRead(ctx context.Context, ks []string, reset func(), read func(context.Context) error) (bool, error) {
	cl, err := o.cli()
	if err != nil {
		return false, err
	}
	ctx = withPrimary(ctx)
	ro := o.rideOut()
	start, wait := time.Now(), 2*time.Millisecond
	for attempt := 0; attempt < rebuildAttempts; {
		reset()
		err := o.observe(ctx, cl, func(ctx context.Context) error {
			return cl.b.Watch(ctx, ks, func(conn backend.Conn) error {
				if err := read(ctx); err != nil {
					return err
				}
				// go-redis sends no MULTI/EXEC for an empty transaction.
				return o.observe(ctx, cl, func(ctx context.Context) error {
					_, err := conn.Exec(ctx, []backend.Cmd{cmd("EXISTS", ks[:1])})
					return err
				})
			})
		})
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, backend.ErrTxAborted):
			attempt++
			continue
		case slotMoving(err) && waitToRetry(ctx, start, &wait):
			// The keys' slot moved or is moving (see rebuild).
			noteRetry(ctx)
			continue
		case ro.again(ctx, err) == nil:
			// A lost connection (the WATCH's, or a read's): nothing here
			// writes, so the attempt goes again, as a read would.
			continue
		}
		return false, wrapErr(o.kind, o.key, cl.closedErr(err))
	}
	return false, nil
}
