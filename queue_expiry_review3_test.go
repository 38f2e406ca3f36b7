package hotredis_test

// The third review of "a queue expires as a whole" (9234c20: a count made
// anew onto an expiring list takes its expiry; queueExpiry gives a set
// queue's set the count's expiry, NX). It found no defect; two of its
// tests fail at 28ae377, before that commit. (Its two random models, 2
// minutes together, are not kept: TestQueueExpiryReview2Model covers
// lawful sequences.)

import (
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// ownExpiryKeys are the queue's keys whose expiry is the queue's.
func ownExpiryKeys(kind queueKind, k string) []string {
	ks := []string{k, k + ":unfinished", k + ":reserved"}
	if kind.set {
		ks = append(ks, k+"-set")
	}
	return ks
}

// noQueueExpiry fails t for any key of the queue (but the wake tokens and a
// give-back's string marker) that has an expiry.
func noQueueExpiry(t *testing.T, rdb redis.UniversalClient, k, when string) {
	t.Helper()
	for key, d := range ttlsOf(t, rdb, keysMatching(t, rdb, "*"+strings.NewReplacer("[", "\\[", "]", "\\]", "*", "\\*", "?", "\\?").Replace(k)+"*")) {
		if d < 0 {
			continue
		}
		if strings.HasSuffix(key, ":joined") || strings.HasSuffix(key, ":putwait") || strings.HasSuffix(key, ":notfull") {
			continue
		}
		if strings.Contains(key, ":parked:") && rdb.Type(ctx, key).Val() == "string" {
			continue
		}
		t.Errorf("%s: %s has PTTL %v on a queue with no expiry", when, key, d)
	}
}

// expiriesTogether fails t when the list and the count (both there) or the
// list and a set queue's set do not agree on having an expiry.
func expiriesTogether(t *testing.T, rdb redis.UniversalClient, kind queueKind, k, when string) {
	t.Helper()
	l, c := rdb.PTTL(ctx, k).Val(), rdb.PTTL(ctx, k+":unfinished").Val()
	if l != -2 && c != -2 && (l > 0) != (c > 0) {
		t.Errorf("%s: list PTTL %v, count PTTL %v: apart", when, l, c)
	}
	if kind.set {
		s := rdb.PTTL(ctx, k+"-set").Val()
		if l != -2 && s != -2 && (l > 0) != (s > 0) {
			t.Errorf("%s: list PTTL %v, set PTTL %v: apart", when, l, s)
		}
		if l == -2 && s != -2 {
			t.Errorf("%s: no list, but the set is there (PTTL %v, %v)", when, s, rdb.SMembers(ctx, k+"-set").Val())
		}
	}
}

// expiryOps runs ops on h in order ("Expire" for an hour, "Persist", or
// both, comma-separated), after a random pause of up to 2 ms, to race
// the other handles' calls.
func expiryOps(t *testing.T, h anyQueue, ops string) {
	time.Sleep(time.Duration(rand.Intn(3)) * time.Millisecond)
	for _, op := range strings.Split(ops, ",") {
		var err error
		if op == "Expire" {
			_, err = h.Expire(ctx, time.Hour)
		} else {
			_, err = h.Persist(ctx)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

// TestQueueExpiryReview3PutsRaceExpirePersist: four handles Put and PutMany while a fifth
// calls TaskDone (too often, too) and a sixth Expires (an hour) or
// Persists, or one then the other, from five starting states; 40 rounds
// per kind. Then: no item lost, the count is what the puts and the
// TaskDones that succeeded make it, list, count and set agree, and after
// a final Persist nothing expires.
func TestQueueExpiryReview3PutsRaceExpirePersist(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for _, max := range []int{0, 10000} {
			t.Run(fmt.Sprint("max", max), func(t *testing.T) {
				for round := 0; round < 40; round++ {
					k := key(t, fmt.Sprint(round))
					mk := func() anyQueue { return kind.make(k, hotredis.WithMaxSize(max)) }
					q := mk()
					state := round % 5
					var desc string
					switch state {
					case 0: // the list expires, no count (TaskDone for queued items)
						must[int](t)(q.PutMany(ctx, "s1", "s2"))
						noErr(t, q.TaskDone(ctx))
						noErr(t, q.TaskDone(ctx))
						must[bool](t)(q.Expire(ctx, time.Hour))
						desc = "list expiring, no count"
					case 1: // no list, the count expires
						must[bool](t)(q.Put(ctx, "s1"))
						must[string](t)(q.Get(ctx))
						must[bool](t)(q.Expire(ctx, time.Hour))
						desc = "no list, count expiring"
					case 2:
						must[int](t)(q.PutMany(ctx, "s1", "s2"))
						desc = "list and count, no expiry"
					case 3:
						must[int](t)(q.PutMany(ctx, "s1", "s2"))
						must[bool](t)(q.Expire(ctx, time.Hour))
						desc = "list and count expiring"
					case 4: // the list, no count, no expiry
						must[int](t)(q.PutMany(ctx, "s1", "s2"))
						noErr(t, q.TaskDone(ctx))
						noErr(t, q.TaskDone(ctx))
						desc = "list, no count, no expiry"
					}
					initLen := must[int](t)(q.Len(ctx))
					initCount := must[int](t)(q.Unfinished(ctx))
					ops := []string{"Expire", "Persist", "Expire,Persist", "Persist,Expire"}[(round/5)%4]
					var wg sync.WaitGroup
					var mu sync.Mutex
					puts, dones := 0, 0
					start := make(chan struct{})
					// In state 1 a TaskDone before any put ends the queue's
					// only task with no item left: the queue begins anew, and
					// an Expire then finds nothing to expire, rightly. So there
					// the TaskDones wait for a put, which leaves an item for
					// good (nothing takes), and the queue never begins anew.
					putDone, first := make(chan struct{}), sync.Once{}
					for g := range 4 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							defer first.Do(func() { close(putDone) }) // (should every put fail)
							h := mk()
							<-start
							for i := range 6 {
								var err error
								n := 1
								if i%3 == 2 {
									_, err = h.PutMany(ctx, fmt.Sprint("g", g, "-", i, "a"), fmt.Sprint("g", g, "-", i, "b"))
									n = 2
								} else {
									_, err = h.Put(ctx, fmt.Sprint("g", g, "-", i))
								}
								if err != nil {
									t.Error(err)
									return
								}
								mu.Lock()
								puts += n
								mu.Unlock()
								first.Do(func() { close(putDone) })
							}
						}()
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						h := mk()
						<-start
						if state == 1 {
							<-putDone
						}
						for range 8 {
							if err := h.TaskDone(ctx); err == nil {
								mu.Lock()
								dones++
								mu.Unlock()
							}
						}
					}()
					wg.Add(1)
					go func() {
						defer wg.Done()
						h := mk()
						<-start
						expiryOps(t, h, ops)
					}()
					close(start)
					wg.Wait()
					when := fmt.Sprintf("round %d (%s, then %s racing puts and TaskDones)", round, desc, ops)
					if n := must[int](t)(q.Len(ctx)); n != initLen+puts {
						t.Errorf("%s: Len = %d, want %d", when, n, initLen+puts)
					}
					if n := must[int](t)(q.Unfinished(ctx)); n != initCount+puts-dones {
						t.Errorf("%s: Unfinished = %d, want %d+%d-%d", when, n, initCount, puts, dones)
					}
					expiriesTogether(t, rdb, kind, k, when)
					if strings.HasSuffix(ops, "Persist") {
						noQueueExpiry(t, rdb, k, when)
					} else if l := rdb.PTTL(ctx, k).Val(); l <= 0 {
						t.Errorf("%s: list PTTL %v after a final Expire (no take: the queue never began anew)", when, l)
					}
					_ = q.Delete(ctx)
					if t.Failed() {
						return
					}
				}
			})
		}
	})
}

// TestQueueExpiryReview3PersistRacesShare: the state where a Put makes the count anew onto
// an expiring list (TaskDone called for every queued item, Expire); one
// handle's Put and another's Persist race, 40 times: the Persist must
// stand (no key keeps or gets an expiry), and the Put's count too.
func TestQueueExpiryReview3PersistRacesShare(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for round := 0; round < 40; round++ {
			k := key(t, fmt.Sprint(round))
			q := kind.make(k)
			must[int](t)(q.PutMany(ctx, "a", "b"))
			noErr(t, q.TaskDone(ctx))
			noErr(t, q.TaskDone(ctx))
			must[bool](t)(q.Expire(ctx, time.Hour))
			p := kind.make(k)
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = q.Put(ctx, "c") }()
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(round%3) * 100 * time.Microsecond)
				_, _ = p.Persist(ctx)
			}()
			wg.Wait()
			noQueueExpiry(t, rdb, k, fmt.Sprint("round ", round))
			if n := must[int](t)(q.Unfinished(ctx)); n != 1 {
				t.Errorf("round %d: Unfinished = %d, want 1", round, n)
			}
			_ = q.Delete(ctx)
			if t.Failed() {
				return
			}
		}
	})
}

// TestQueueExpiryReview3CountAnewThenExpires: TaskDone for every queued item, Expire
// (400ms), then Put (native and scripted, FIFO and LIFO): the count made
// anew takes the list's expiry and both go; the set with them; a Put of
// the same value afterwards is a new queue with no expiry.
func TestQueueExpiryReview3CountAnewThenExpires(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for _, max := range []int{0, 10} {
			t.Run(fmt.Sprint("max", max), func(t *testing.T) {
				k := key(t)
				q := kind.make(k, hotredis.WithMaxSize(max))
				defer q.Delete(ctx)
				must[int](t)(q.PutMany(ctx, "a", "b"))
				noErr(t, q.TaskDone(ctx))
				noErr(t, q.TaskDone(ctx))
				must[bool](t)(kind.make(k).Expire(ctx, 400*time.Millisecond))
				must[bool](t)(q.Put(ctx, "c"))
				expiriesTogether(t, rdb, kind, k, "after the Put")
				expireWithin(t, rdb, 400*time.Millisecond, "after the Put", ownExpiryKeys(kind, k)[:2]...)
				waitGone(t, k)
				if left := ttlsOf(t, rdb, ownExpiryKeys(kind, k)); len(left) > 0 {
					t.Errorf("after the list expired, left: %v", left)
				}
				must[bool](t)(q.Put(ctx, "a"))
				noQueueExpiry(t, rdb, k, "a Put after the queue went")
				if n := must[int](t)(q.Unfinished(ctx)); n != 1 {
					t.Errorf("Unfinished = %d, want 1", n)
				}
			})
		}
	})
}

// TestQueueExpiryReview3SetGoesWithListAfterClaim: a set queue (Put a, Get a: the count
// stays; Expire 600ms); a Reserve waits; a Python program puts p and c
// (list and set anew, no expiry). The wait parks p and its claim (queue_claim's
// queueExpiry) gives the list the count's expiry; the set must take it too,
// so that c can be put again once the queue went.
func TestQueueExpiryReview3SetGoesWithListAfterClaim(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	warmClaim(t)
	for _, kind := range queueKinds[2:] {
		t.Run(kind.name, func(t *testing.T) {
			k := key(t)
			q := kind.make(k)
			defer q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "a"))
			must[string](t)(q.Get(ctx))
			must[bool](t)(kind.make(k).Expire(ctx, 600*time.Millisecond))
			type res struct {
				v   string
				err error
			}
			got := make(chan res, 1)
			go func() {
				v, _, err := kind.make(k).Reserve(ctx, time.Hour)
				got <- res{v, err}
			}()
			waitBlockedTake(t)
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.SAdd(ctx, k+"-set", "p", "c")
				p.RPush(ctx, k, "p", "c")
				return nil
			})
			noErr(t, err)
			r := <-got
			noErr(t, r.err)
			t.Logf("reserved %q; PTTLs %v", r.v, ttlsOf(t, rdb, ownExpiryKeys(kind, k)))
			expiriesTogether(t, rdb, kind, k, "after the claim")
			waitGone(t, k)
			left := "c"
			if r.v == "c" {
				left = "p"
			}
			if !must[bool](t)(q.Put(ctx, left)) {
				t.Errorf("after the queue went, Put(%q) = false: the set outlived the list", left)
			}
		})
	}
}

// TestQueueExpiryReview3TakesRaceExpirePersist: TestQueueExpiryReview3PutsRaceExpirePersist with two
// more handles taking (TryGet, TryReserve for an hour) while the others
// put, call TaskDone and Expire or Persist: no item is lost (queued, got
// or reserved), after a final Persist nothing expires (the reservations'
// lists neither), after a final Expire list, count and set agree.
func TestQueueExpiryReview3TakesRaceExpirePersist(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		for round := 0; round < 32; round++ {
			k := key(t, fmt.Sprint(round))
			mk := func() anyQueue { return kind.make(k, hotredis.WithMaxSize(10000*(round%2))) }
			q := mk()
			must[int](t)(q.PutMany(ctx, "s1", "s2"))
			if round%4 >= 2 {
				noErr(t, q.TaskDone(ctx))
				noErr(t, q.TaskDone(ctx))
			}
			if round%8 >= 4 {
				must[bool](t)(q.Expire(ctx, time.Hour))
			}
			ops := []string{"Expire", "Persist", "Expire,Persist", "Persist,Expire"}[(round/8)%4]
			var wg sync.WaitGroup
			var mu sync.Mutex
			puts, got := 2, 0
			start := make(chan struct{})
			for g := range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := mk()
					<-start
					for i := range 6 {
						if _, err := h.Put(ctx, fmt.Sprint("g", g, "-", i)); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						puts++
						mu.Unlock()
					}
				}()
			}
			for g := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h := mk()
					<-start
					for i := range 6 {
						var err error
						if (g+i)%2 == 0 {
							_, err = h.TryGet(ctx)
						} else {
							_, _, err = h.TryReserve(ctx, time.Hour)
						}
						if err == nil {
							mu.Lock()
							got++
							mu.Unlock()
							_ = h.TaskDone(ctx)
						}
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := mk()
				<-start
				expiryOps(t, h, ops)
			}()
			close(start)
			wg.Wait()
			time.Sleep(20 * time.Millisecond) // (Gets' acknowledgements)
			when := fmt.Sprintf("round %d (then %s racing puts, takes and TaskDones)", round, ops)
			if n := must[int](t)(q.Len(ctx)); n+got != puts {
				t.Errorf("%s: Len %d + taken %d, want %d", when, n, got, puts)
			}
			expiriesTogether(t, rdb, kind, k, when)
			if strings.HasSuffix(ops, "Persist") {
				noQueueExpiry(t, rdb, k, when)
			}
			_ = q.Delete(ctx)
			if t.Failed() {
				return
			}
		}
	})
}
