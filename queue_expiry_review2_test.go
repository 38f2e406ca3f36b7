package hotredis_test

// The second review of "a queue expires as a whole while tasks are
// unfinished" (at 150b874, 2026-12-06). Each test says what it checks and
// what it found; the defects are mended since.

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// noOrphanCount: once the queue's list is gone (expired), the
// count must not outlive the items it counts: either the items put after
// every task was done stay (the doc: "what is put then has no expiry"), or
// everything went. A count left with no items makes Join wait forever.
func noOrphanCount(t *testing.T, q anyQueue, k string) {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	waitGone(t, k)
	un := must[int](t)(q.Unfinished(ctx))
	n := must[int](t)(q.Len(ctx))
	if un > 0 && n == 0 {
		t.Errorf("after the list expired: Unfinished = %d, Len = 0: the count outlives its items (keys: %v)", un, ttlsOf(t, rdb, keysMatching(t, rdb, "*"+k+"*")))
		jctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := q.Join(jctx); err == nil {
			t.Errorf("Join returned")
		} else {
			t.Logf("Join of the gone queue: %v (waits forever)", err)
		}
	}
}

// TestQueueExpiryReview2AllDoneThenPut: PutMany(a, b); then, in either
// order, Expire(1.5s) and TaskDone twice (every task done: the count
// goes; an Expire after it reaches the list only); Put c. The count was
// made anew without expiry while the list kept one: the list (a, b, c)
// expired, the count of 1 stayed, and Join waited forever. A count made
// anew onto an expiring list now takes its expiry (queue_put). (1.5 s:
// with 400 ms, the queue of ExpireFirst
// once expired before the second TaskDone, on a loaded machine.)
func TestQueueExpiryReview2AllDoneThenPut(t *testing.T) {
	t.Parallel()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		t.Parallel()
		for _, max := range []int{0, 10} {
			for _, order := range []string{"ExpireFirst", "TaskDoneFirst"} {
				t.Run(fmt.Sprint("max", max, order), func(t *testing.T) {
					t.Parallel() // (own keys; waits for the expiry)
					k := key(t)
					q := kind.make(k, hotredis.WithMaxSize(max))
					defer q.Delete(ctx)
					must[int](t)(q.PutMany(ctx, "a", "b"))
					expire := func() {
						if _, err := kind.make(k).Expire(ctx, 1500*time.Millisecond); err != nil {
							t.Fatal(err)
						}
					}
					if order == "ExpireFirst" {
						expire()
					}
					noErr(t, q.TaskDone(ctx))
					noErr(t, q.TaskDone(ctx))
					if order == "TaskDoneFirst" {
						expire()
					}
					must[bool](t)(q.Put(ctx, "c"))
					noOrphanCount(t, q, k)
				})
			}
		}
	})
}

// TestQueueExpiryReview2PythonListExpiredThenPut: a Python program (HOT Redis's layout)
// made the list (and a set queue's set) with no count; Expire(400ms);
// then a Go Put: the count was made anew without the list's expiry (the
// same defect, mended alike).
func TestQueueExpiryReview2PythonListExpiredThenPut(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		noErr(t, rdb.RPush(ctx, k, "p").Err())
		if kind.set {
			noErr(t, rdb.SAdd(ctx, k+"-set", "p").Err())
		}
		if _, err := kind.make(k).Expire(ctx, 400*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		must[bool](t)(q.Put(ctx, "c"))
		noOrphanCount(t, q, k)
	})
}

// TestQueueExpiryReview2SetOutlivesListAfterPythonPut: a set queue's list made anew by a
// Python program (SADD then RPUSH, no expiry) while the count carries the
// queue's expiry (Put a, Get a with no TaskDone, Expire). A Go take gave
// the list the count's expiry (queue_lib's queueExpiry), but not the set:
// once the list expired, the set still named c, so a Put of c was ignored
// as "already queued" and c could never be queued again. queueExpiry now
// gives the set the expiry too.
func TestQueueExpiryReview2SetOutlivesListAfterPythonPut(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, kind := range queueKinds[2:] {
		t.Run(kind.name, func(t *testing.T) {
			k := key(t)
			q := kind.make(k)
			defer q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "a"))
			must[string](t)(q.Get(ctx)) // (no TaskDone: the count stays)
			if _, err := kind.make(k).Expire(ctx, 600*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			// Python's put: the list anew, no expiry.
			noErr(t, rdb.SAdd(ctx, k+"-set", "p", "c").Err())
			noErr(t, rdb.RPush(ctx, k, "p", "c").Err())
			v, rc, err := q.TryReserve(ctx, time.Hour)
			noErr(t, err)
			noErr(t, q.Ack(ctx, rc))
			t.Logf("took %q; PTTLs: %v", v, ttlsOf(t, rdb, []string{k, k + "-set", k + ":unfinished"}))
			lt, st := rdb.PTTL(ctx, k).Val(), rdb.PTTL(ctx, k+"-set").Val()
			if (lt > 0) != (st > 0) {
				t.Errorf("after the take, the list's PTTL = %v, the set's = %v: they no longer go together", lt, st)
			}
			if lt <= 0 && st <= 0 {
				return // (list and set keep none: they go together)
			}
			waitGone(t, k)
			left := "c"
			if v == "c" {
				left = "p"
			}
			added := must[bool](t)(q.Put(ctx, left))
			if !added {
				t.Errorf("after the list expired, Put(%q) = false (set: %v, Len %d): the item can never be queued", left, rdb.SMembers(ctx, k+"-set").Val(), must[int](t)(q.Len(ctx)))
			}
		})
	}
}

// TestQueueExpiryReview2OwnExpiryKeys (soundness, object.go's marks by name): a queue's
// wake tokens (joined, putwait, notfull) keep their own expiry through
// Expire and Persist; its list, set, count and registrations take them.
func TestQueueExpiryReview2OwnExpiryKeys(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "a", "b"))
		_, rc, err := q.Reserve(ctx, time.Hour)
		noErr(t, err)
		own := []string{k + ":joined", k + ":putwait", k + ":notfull"}
		for _, o := range own {
			noErr(t, rdb.RPush(ctx, o, "1").Err())
			noErr(t, rdb.PExpire(ctx, o, 10*time.Second).Err())
		}
		objKeys := []string{k, k + ":unfinished", k + ":reserved", k + ":reserved:" + string(rc)}
		if kind.set {
			objKeys = append(objKeys, k+"-set")
		}
		if _, err := q.Expire(ctx, time.Hour); err != nil {
			t.Fatal(err)
		}
		for kk, d := range ttlsOf(t, rdb, objKeys) {
			if d <= 10*time.Second || d > time.Hour {
				t.Errorf("after Expire(1h), %s's PTTL = %v", kk, d)
			}
		}
		for kk, d := range ttlsOf(t, rdb, own) {
			if d <= 0 || d > 10*time.Second {
				t.Errorf("after Expire(1h), own-expiry key %s's PTTL = %v, want its own (10s at most)", kk, d)
			}
		}
		if _, err := q.Persist(ctx); err != nil {
			t.Fatal(err)
		}
		for kk, d := range ttlsOf(t, rdb, objKeys) {
			if d != -1 {
				t.Errorf("after Persist, %s's PTTL = %v", kk, d)
			}
		}
		for kk, d := range ttlsOf(t, rdb, own) {
			if d <= 0 || d > 10*time.Second {
				t.Errorf("after Persist, own-expiry key %s's PTTL = %v, want its own", kk, d)
			}
		}
	})
}

// TestQueueExpiryReview2Model (soundness): random sequential sequences of puts, takes,
// Acks, lawful TaskDones, Expire(1h) and Persist on several handles
// (bounded or not), with invariants checked after every step:
//   - never Expired: no key of the queue has an expiry;
//   - the count expiring: the list, the set, the registrations and every
//     outstanding reservation's list expire too (none outlives it);
//   - the count without expiry: the list and set have none;
//   - no count: no list (every task is done, lawfully);
//   - a reservation's list never outlives the registrations.
func TestQueueExpiryReview2Model(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for seed := int64(1); seed <= 6; seed++ {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				rnd := rand.New(rand.NewSource(seed))
				k := key(t)
				var hs []anyQueue
				for i := range 3 {
					max := 0
					if i == 2 {
						max = 50
					}
					hs = append(hs, kind.make(k, hotredis.WithMaxSize(max)))
				}
				defer hs[0].Delete(ctx)
				expired, persisted := false, false
				taken := 0 // items taken and not TaskDone'd
				var rcs []hotredis.Receipt
				nextItem := 0
				var log []string
				for step := 0; step < 120; step++ {
					h := hs[rnd.Intn(len(hs))]
					op := rnd.Intn(12)
					var desc string
					switch op {
					case 0, 1:
						nextItem++
						desc = fmt.Sprint("Put i", nextItem)
						if _, err := h.TryPut(ctx, fmt.Sprint("i", nextItem)); err != nil && !strings.Contains(err.Error(), "full") {
							t.Fatal(err)
						}
					case 2:
						vs := []string{}
						for range 1 + rnd.Intn(3) {
							nextItem++
							vs = append(vs, fmt.Sprint("i", nextItem))
						}
						desc = fmt.Sprint("PutMany ", vs)
						if _, err := h.PutMany(ctx, vs...); err != nil {
							t.Fatal(err)
						}
					case 3:
						desc = "TryGet"
						if _, err := h.TryGet(ctx); err == nil {
							taken++
						}
					case 4:
						n := 1 + rnd.Intn(3)
						desc = fmt.Sprint("GetMany ", n)
						if l := must[int](t)(h.Len(ctx)); l > 0 {
							vs := must[[]string](t)(h.GetMany(ctx, n))
							taken += len(vs)
						}
					case 5:
						desc = "TryReserve"
						if _, rc, err := h.TryReserve(ctx, time.Hour); err == nil {
							rcs = append(rcs, rc)
							taken++
						}
					case 6:
						desc = "Ack"
						if len(rcs) > 0 {
							i := rnd.Intn(len(rcs))
							noErr(t, h.Ack(ctx, rcs[i]))
							rcs = append(rcs[:i], rcs[i+1:]...)
						}
					case 7, 8:
						desc = "TaskDone"
						if taken > 0 {
							noErr(t, h.TaskDone(ctx))
							taken--
						}
					case 9:
						desc = "Expire"
						if rnd.Intn(3) == 0 {
							if _, err := h.Expire(ctx, time.Hour); err != nil {
								t.Fatal(err)
							}
							expired, persisted = true, false
						}
					case 10:
						desc = "Persist"
						if rnd.Intn(2) == 0 {
							if _, err := h.Persist(ctx); err != nil {
								t.Fatal(err)
							}
							persisted = true
						}
					case 11:
						desc = "Get"
						if l := must[int](t)(h.Len(ctx)); l > 0 {
							must[string](t)(h.Get(ctx))
							taken++
						}
					}
					log = append(log, desc)
					time.Sleep(2 * time.Millisecond) // (Gets' acknowledgements)
					zz2Invariants(t, rdb, kind, k, expired, persisted, rcs, log)
					if t.Failed() {
						return
					}
				}
			})
		}
	})
}

func zz2Invariants(t *testing.T, rdb redis.UniversalClient, kind queueKind, k string, expired, persisted bool, rcs []hotredis.Receipt, log []string) {
	t.Helper()
	count, list, set, regs := k+":unfinished", k, k+"-set", k+":reserved"
	ks := []string{count, list, regs}
	if kind.set {
		ks = append(ks, set)
	}
	for _, rc := range rcs {
		ks = append(ks, k+":reserved:"+string(rc))
	}
	d := ttlsOf(t, rdb, ks)
	for _, kk := range ks {
		if _, ok := d[kk]; !ok {
			d[kk] = -2
		}
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("after %v: "+format+" (PTTLs %v)", append(append([]any{log}, args...), d)...)
	}
	has := func(x time.Duration) bool { return x > 0 }
	for _, kk := range ks {
		if !expired && d[kk] != -2 && d[kk] != -1 {
			fail("never Expired, yet %s has an expiry", kk)
		}
		if persisted && d[kk] != -2 && d[kk] != -1 {
			fail("Persisted, yet %s has an expiry", kk)
		}
	}
	switch c := d[count]; {
	case has(c):
		for _, kk := range ks {
			if d[kk] == -1 {
				fail("the count expires, %s does not", kk)
			}
		}
	case c == -1:
		if d[list] != -2 && d[list] != -1 || kind.set && d[set] != -2 && d[set] != -1 {
			fail("the count keeps no expiry, the list or set has one")
		}
	case c == -2:
		if d[list] != -2 {
			fail("no count, but a list")
		}
	}
	for _, rc := range rcs {
		l := d[k+":reserved:"+string(rc)]
		if has(d[regs]) && (l == -1 || l > d[regs]+50*time.Millisecond) {
			fail("reservation %s's list outlives the registrations", rc)
		}
		if l == -2 {
			fail("reservation %s's list is gone", rc)
		}
	}
}
