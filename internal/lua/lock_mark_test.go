package lua_test

// The mark q on a Lock's holding (lock_acquire, lock_release_quick): a
// random model of handles driving the
// lock scripts as line.go does (quick acquire/release when line.go would
// send them), with the line's keys, registrations and leases running out
// at random, checking after every step:
//   - a holding lock_acquire_quick took, still held, with someone in
//     line, has the mark q;
//   - lock_release_quick never frees the lock while anyone is in line;
//   - no release or cancel leaves the lock free with a live waiter in line.

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis/internal/lua"
	"github.com/redis/go-redis/v9"
)

type markHandle struct {
	owner     string
	reentrant bool
	state     int // 0 idle, 1 holding, 2 waiting
	quickHeld bool
	count     int64
	wid       string
	ticket    string
	slow      bool
}

func TestLockMarkModel(t *testing.T) {
	ctx := context.Background()
	seeds := 25 // (~5 s under -race; HOTREDIS_MARK_SEEDS for a longer run)
	if n, err := strconv.Atoi(os.Getenv("HOTREDIS_MARK_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	steps := 400
	var nQuick0, nQuickM1, nMarkedQuickInLine, nComeback int
	defer func() {
		t.Logf("quick releases: freed %d, -1 %d; checks of a quick holding with someone in line: %d; attempts with an old ticket on a free lock: %d", nQuick0, nQuickM1, nMarkedQuickInLine, nComeback)
	}()
	for seed := 0; seed < seeds; seed++ {
		rng := rand.New(rand.NewSource(int64(seed)))
		tag := fmt.Sprintf("{markq%d-%d}", seed, time.Now().UnixNano())
		ks := retag(lk, tag)
		var hs []*markHandle
		for i := 0; i < 4; i++ {
			hs = append(hs, &markHandle{owner: fmt.Sprintf("o%d", i), reentrant: i%2 == 1})
		}
		quickTok := map[int64]bool{}
		widN := 0
		newWid := func() string { widN++; return fmt.Sprintf("w%d", widN) }
		run := func(name string, keys []string, args ...any) (any, error) {
			s := lua.Load(name)
			return rdb.Eval(ctx, s.Src, keys, args...).Result()
		}
		arr := func(v any) []any { a, _ := v.([]any); return a }
		var log []string
		fail := func(format string, a ...any) {
			t.Fatalf("seed %d: "+format+"\nsteps:\n%s", append([]any{seed}, append(a, strings.Join(log, "\n"))...)...)
		}
		held := func() map[string]string { return rdb.HGetAll(ctx, ks[0]).Val() }
		// attempt runs h's attempt or wait wid as line.go does: by
		// lock_acquire_quick unless its last quick attempt found
		// contention, then lock_acquire; a holding taken notes whether
		// it was quick (and its token).
		attempt := func(h *markHandle, re, wid, waits, ticket string) (a []any, quick bool) {
			quick = !h.slow
			if quick {
				v, err := run("lock_acquire_quick", ks[:4], lockArgs(h.owner, "10000", re, wid, waits, ticket)...)
				if err != nil {
					fail("quick acquire: %v", err)
				}
				a = arr(v)
				if len(a) == 1 && a[0] == int64(-1) {
					quick, a, h.slow = false, nil, true
				}
			}
			if !quick {
				v, err := run("lock_acquire", ks, lockArgs(h.owner, "10000", re, wid, waits, ticket)...)
				if err != nil {
					fail("acquire: %v", err)
				}
				a = arr(v)
			}
			if a[0] == int64(1) {
				h.state, h.count, h.quickHeld, h.slow = 1, a[2].(int64), quick, false
				if quick {
					quickTok[a[1].(int64)] = true
				}
			}
			return a, quick
		}
		for step := 0; step < steps; step++ {
			h := hs[rng.Intn(len(hs))]
			re := "0"
			if h.reentrant {
				re = "1"
			}
			what := ""
			releaseLike := false
			heldBefore := rdb.Exists(ctx, ks[0]).Val() == 1
			switch r := rng.Intn(100); {
			case r < 6: // the lease runs out
				rdb.Del(ctx, ks[0])
				for _, x := range hs {
					if x.state == 1 {
						x.state, x.count, x.quickHeld = 0, 0, false
					}
				}
				what = "lease expiry"
			case r < 11: // the line's keys run out
				rdb.Del(ctx, ks[3], ks[4])
				what = "line expiry"
			case r < 15: // a registration runs out
				for _, x := range hs {
					if x.state == 2 && rng.Intn(2) == 0 {
						if info := rdb.HGet(ctx, ks[4], x.wid).Val(); info != "" {
							f := strings.Fields(info)
							f[0] = "1"
							rdb.HSet(ctx, ks[4], x.wid, strings.Join(f, " "))
						}
					}
				}
				what = "registrations run out"
			default:
				switch h.state {
				case 0: // Acquire or TryAcquire
					wid := newWid()
					waits := "1"
					if rng.Intn(4) == 0 {
						waits = "0"
					}
					a, quick := attempt(h, re, wid, waits, "0")
					what = fmt.Sprintf("%s acquire(wait %s, quick %v) %s -> %v", h.owner, waits, quick, wid, a)
					if a[0] != int64(1) && waits == "1" {
						h.state, h.wid, h.ticket = 2, wid, strconv.FormatInt(a[5].(int64), 10)
					}
				case 2: // a waiting handle: renew (attempt again) or give up
					if rng.Intn(4) == 0 {
						v, err := run("lock_cancel", ks, lockArgs(h.owner, h.wid)...)
						if err != nil {
							fail("cancel: %v", err)
						}
						what = fmt.Sprintf("%s cancel %s -> %v", h.owner, h.wid, v)
						h.state = 0
						releaseLike = true
						break
					}
					if !heldBefore {
						nComeback++
					}
					a, quick := attempt(h, re, h.wid, "1", h.ticket)
					what = fmt.Sprintf("%s attempt again (quick %v) %s ticket %s -> %v", h.owner, quick, h.wid, h.ticket, a)
					if a[0] != int64(1) {
						h.ticket = strconv.FormatInt(a[5].(int64), 10)
					}
				case 1:
					if h.reentrant && rng.Intn(3) == 0 {
						wid := newWid()
						v, err := run("lock_acquire", ks, lockArgs(h.owner, "10000", re, wid, "1", "0")...)
						if err != nil {
							fail("re-entry: %v", err)
						}
						a := arr(v)
						what = fmt.Sprintf("%s re-enter %s -> %v", h.owner, wid, a)
						if a[0] == int64(1) {
							h.count, h.quickHeld = a[2].(int64), false
						} else {
							fail("re-entry did not take: %v", a)
						}
						break
					}
					quick := h.quickHeld && h.count == 1
					lineBefore := rdb.ZCard(ctx, ks[3]).Val()
					var left int64 = -1
					var err error
					if quick {
						var v any
						v, err = run("lock_release_quick", ks[:4], lockArgs(h.owner)...)
						left, _ = v.(int64)
						if left == 0 {
							nQuick0++
						} else {
							nQuickM1++
						}
						if err == nil && left == 0 && lineBefore > 0 {
							fail("lock_release_quick freed the lock with %d in line", lineBefore)
						}
					}
					if !quick || (err == nil && left < 0) {
						var v any
						v, err = run("lock_release", ks, lockArgs(h.owner)...)
						left, _ = v.(int64)
					}
					what = fmt.Sprintf("%s release (quick %v) -> %d %v", h.owner, quick, left, err)
					if err != nil && !errors.Is(err, redis.Nil) && !strings.HasPrefix(err.Error(), "NOTHELD") {
						fail("release: %v", err)
					}
					if err != nil {
						h.state, h.count, h.quickHeld = 0, 0, false
					} else {
						h.count = left
						h.quickHeld = h.quickHeld && left > 0
						if left == 0 {
							h.state = 0
						}
					}
					releaseLike = true
				}
			}
			log = append(log, what)
			// Grants to waiting handles: they hold now (not by quick).
			hm := held()
			for _, x := range hs {
				if x.state == 2 && hm["wid"] == x.wid && hm["owner"] == x.owner {
					x.state, x.count, x.quickHeld, x.slow = 1, 1, false, false
				}
			}
			inLine := rdb.ZCard(ctx, ks[3]).Val()
			if len(hm) > 0 {
				fence, _ := strconv.ParseInt(hm["fence"], 10, 64)
				if quickTok[fence] && inLine > 0 {
					nMarkedQuickInLine++
				}
				if quickTok[fence] && inLine > 0 && hm["q"] == "" {
					fail("a quick holding (token %d) held with %d in line has no mark: %v", fence, inLine, hm)
				}
			} else if releaseLike && heldBefore {
				now := time.Now().UnixMilli()
				for _, w := range rdb.ZRange(ctx, ks[3], 0, -1).Val() {
					info := strings.Fields(rdb.HGet(ctx, ks[4], w).Val())
					if len(info) > 0 {
						exp, _ := strconv.ParseInt(info[0], 10, 64)
						if exp >= now {
							fail("the lock is free after %q with live waiter %s in line", what, w)
						}
					}
				}
			}
		}
	}
}
