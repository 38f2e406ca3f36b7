package hotredis_test

// Tests from a review (2026-12-07) of long strings' reads in windows
// (4dd9adf). Both failed then: a read's watched snapshot did not ride out
// a lost connection (rebuild.go's watchedRead now goes again, as a read
// does), and inside Optimistic the windows were read live, so that fn
// could get a mix of two values (snapshotOf now WATCHes the key on the
// transaction's connection and reads a snapshot of its own).

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

const zzW = readWindow

// zzText returns n bytes of random UTF-8 (1 to 4 byte runes, so that
// multibyte runes straddle the windows' seams), truncated to exactly n
// bytes, deterministic in seed.
func zzText(n int, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	parts := []string{"a", "b", "é", "€", "😀", "Z", "ß", " "}
	var b strings.Builder
	b.Grow(n + 4)
	for b.Len() < n {
		b.WriteString(parts[r.IntN(len(parts))])
	}
	return b.String()[:n]
}

// TestStringLongReadRidesOutACut: a network cut with no reply in
// flight (every connection idle or between commands) while a long read
// is between its WATCH and its EXEC. README: "The calls after a restart
// or a network cut just work ... no read fails"; a Get that was one
// command goes again. The long Get/Slice/HasPrefix/Update must return
// the value, nothing having been lost.
func TestStringLongReadRidesOutACut(t *testing.T) {
	if onCluster() {
		t.Skip("proxy faults: single server")
	}
	k := key(t)
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, k)
	W := zzW
	v := zzText(3*W+1, 31)
	noErr(t, raw.Set(ctx, k, v, 0).Err())

	// The default backend, cut at the start of the watched attempt.
	p := hotredistest.NewProxy(t, srv.Addr)
	c := must[*hotredis.Client](t)(hotredis.NewClient(hotredis.Options{Addrs: []string{p.Addr()}}))
	defer c.Close()
	s := hotredis.NewString(k, hotredis.WithClient(c))
	reads := map[string]func(ctx context.Context) (any, error){
		"Get":             func(ctx context.Context) (any, error) { return s.Get(ctx) },
		"Slice(-2W, Max)": func(ctx context.Context) (any, error) { return s.Slice(ctx, -2*W, math.MaxInt) },
		"HasPrefix(W+1)":  func(ctx context.Context) (any, error) { return s.HasPrefix(ctx, v[:W+1]) },
		"HasSuffix(all)":  func(ctx context.Context) (any, error) { return s.HasSuffix(ctx, v) },
	}
	// Control: a short string's Get after the same cut goes again.
	short := hotredis.NewString(k+":short", hotredis.WithClient(c))
	noErr(t, raw.Set(ctx, k+":short", "tiny", 0).Err())
	defer raw.Del(ctx, k+":short")
	must[string](t)(short.Get(ctx))
	p.Cut()
	time.Sleep(5 * time.Millisecond)
	if got, err := short.Get(ctx); err != nil || got != "tiny" {
		t.Errorf("control: a short Get after a cut: %q, %v", got, err)
	}
	wants := map[string]any{"Get": v, "Slice(-2W, Max)": v[len(v)-2*W:], "HasPrefix(W+1)": true, "HasSuffix(all)": true}
	for name, r := range reads {
		if _, err := r(ctx); err != nil { // connections up
			t.Fatalf("%s: %v", name, err)
		}
		var once atomic.Bool
		hotredis.DuringReads(func() {
			if !once.Swap(true) {
				p.Cut() // nothing in flight: the WATCH was answered
				time.Sleep(5 * time.Millisecond)
			}
		})
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		got, err := r(dctx)
		cancel()
		hotredis.DuringReads(nil)
		if err != nil || got != wants[name] {
			t.Errorf("rueidis: %s with a cut between its WATCH and its reads: %v", name, err)
		}
	}

	// An Update, the cut during its watched read: its commit, on the
	// optimistic transaction's connection, finds that one lost, and the
	// transaction goes again.
	must[string](t)(s.Update(ctx, func(o string) string { return o })) // (connections up)
	var once atomic.Bool
	hotredis.DuringReads(func() {
		if !once.Swap(true) {
			p.Cut()
			time.Sleep(5 * time.Millisecond)
		}
	})
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	got, err := s.Update(dctx, func(o string) string { return o + "!" })
	cancel()
	hotredis.DuringReads(nil)
	if err != nil || got != v+"!" || raw.Get(ctx, k).Val() != v+"!" {
		t.Errorf("rueidis: Update with a cut during its read: %d bytes, %v", len(got), err)
	}
	v += "!"

	// go-redis, the cut just before the second window (also Update's).
	rdb := redis.NewClient(&redis.Options{Addr: p.Addr()})
	h := &zzInject{key: k}
	rdb.AddHook(h)
	gc := hotredis.WrapGoRedis(rdb)
	defer rdb.Close()
	defer gc.Close()
	gs := hotredis.NewString(k, hotredis.WithClient(gc))
	greads := map[string]func() (any, error){
		"Get":    func() (any, error) { return gs.Get(ctx) },
		"Update": func() (any, error) { return gs.Update(ctx, func(o string) string { return o + "!" }) },
	}
	for _, name := range []string{"Get", "Update"} {
		noErr(t, raw.Set(ctx, k, v, 0).Err())
		if _, err := gs.Get(ctx); err != nil {
			t.Fatal(err)
		}
		h.arm(3, func() { p.Cut(); time.Sleep(5 * time.Millisecond) })
		got, err := greads[name]()
		h.arm(0, nil)
		want := v
		if name == "Update" {
			want = v + "!"
		}
		if err != nil || got != want {
			t.Errorf("go-redis: %s with a cut before a window: %v", name, err)
		}
		if name == "Update" && err == nil && raw.Get(ctx, k).Val() != want {
			t.Error("go-redis: Update's result not stored")
		}
	}
}

// TestStringLongReadInsideOptimisticIsOneValue: inside Optimistic a read is
// live ("reads made with fn's context are live"; "When fn returns an
// error, nothing is written and the error is returned"). A long Get there
// while another program replaces the string (same length) must still
// return a value the key held: fn acts on what it read, and may return
// an error because of it, which Optimistic does not retry.
func TestStringLongReadInsideOptimisticIsOneValue(t *testing.T) {
	k := key(t)
	rdb := rawClient()
	h := &zzInject{key: k}
	rdb.AddHook(h)
	c := hotredis.WrapGoRedis(rdb)
	defer rdb.Close()
	defer c.Close()
	raw := rawClient()
	defer raw.Close()
	defer raw.Del(ctx, k)
	W := zzW
	A, B := strings.Repeat("a", 3*W), strings.Repeat("b", 3*W)
	errTorn := errors.New("fn read a value the key never held")
	for _, op := range []string{"Get", "Slice", "Update"} {
		noErr(t, raw.Set(ctx, k, A, 0).Err())
		s := hotredis.NewString(k, hotredis.WithClient(c))
		nth := 3 // GETRANGE 0 W-1; STRLEN; GETRANGE 0 W-1; (here) GETRANGE W 2W-1
		if op == "Update" {
			nth = 4 // (Update's own first window before those)
		}
		var fired atomic.Bool
		h.arm(nth, func() { fired.Store(true); raw.Set(ctx, k, B, 0) }) // between two windows
		var reads []string
		err := c.Optimistic(ctx, func(ctx context.Context) error {
			var got string
			var err error
			switch op {
			case "Get":
				got, err = s.Get(ctx)
			case "Slice":
				got, err = s.Slice(ctx, 0, math.MaxInt)
			case "Update":
				_, err = s.Update(ctx, func(o string) string { got = o; return o + "!" })
			}
			if err != nil {
				return err
			}
			reads = append(reads, fmt.Sprintf("%d a, %d b", strings.Count(got, "a"), strings.Count(got, "b")))
			if got != A && got != B {
				return errTorn
			}
			return nil
		}, s)
		h.arm(0, nil)
		if !fired.Load() {
			t.Skipf("%s: the hook saw no GETRANGE #%d (a cluster client's pinned connection is not hooked)", op, nth)
		}
		if err != nil {
			t.Errorf("%s inside Optimistic, the string replaced between its windows: %v (fn read: %v)", op, err, reads)
		}
	}
}

// zzInject is a go-redis hook that runs inject once, just before the
// armed-th GETRANGE of key is sent (alone or in a pipeline).
type zzInject struct {
	key    string
	mu     sync.Mutex
	armed  int // GETRANGEs left before inject; 0: off
	inject func()
	seen   []string
}

func (h *zzInject) arm(n int, f func()) {
	h.mu.Lock()
	h.armed, h.inject, h.seen = n, f, nil
	h.mu.Unlock()
}

func (h *zzInject) check(cmds ...redis.Cmder) {
	for _, c := range cmds {
		a := c.Args()
		if len(a) < 2 || fmt.Sprint(a[1]) != h.key {
			continue
		}
		name := strings.ToUpper(fmt.Sprint(a[0]))
		h.mu.Lock()
		h.seen = append(h.seen, name)
		var f func()
		if name == "GETRANGE" && h.armed > 0 {
			if h.armed--; h.armed == 0 {
				f = h.inject
			}
		}
		h.mu.Unlock()
		if f != nil {
			f()
		}
	}
}

func (h *zzInject) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *zzInject) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.check(cmd); return next(ctx, cmd) }
}
func (h *zzInject) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.check(cmds...); return next(ctx, cmds) }
}
