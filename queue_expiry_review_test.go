package hotredis_test

// A queue expires as a whole while tasks are unfinished (Queue.Expire):
// the tests of the review of that change (2026-12-06), each with what it
// found.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// waitBlockedTake waits until a client waits in BLMOVE (a take's wait), on a
// single server; on a Cluster it sleeps.
func waitBlockedTake(t *testing.T) {
	t.Helper()
	if onCluster() {
		time.Sleep(500 * time.Millisecond)
		return
	}
	rdb := rawClient()
	defer rdb.Close()
	blocked := func() bool {
		for _, l := range strings.Split(rdb.ClientList(ctx).Val(), "\n") {
			if strings.Contains(l, " flags=b ") && strings.Contains(l, " cmd=blmove ") {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(10 * time.Second); !blocked(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no take ever waited")
		}
	}
	time.Sleep(50 * time.Millisecond)
}

// warmClaim has a take wait and claim once, so that queue_claim is in
// the server's script cache: a claim that finds it missing (NOSCRIPT) runs
// again a round trip later, after the put's follow-up, and hides the race
// the waiting tests show.
func warmClaim(t *testing.T) {
	t.Helper()
	w := hotredis.NewQueue[string](key(t, "warm"))
	defer w.Delete(ctx)
	got := make(chan error, 1)
	go func() { _, err := w.Get(ctx); got <- err }()
	waitBlockedTake(t)
	noErr(t, w.Put(ctx, "x"))
	noErr(t, <-got)
}

// reserved is the outcome of a Reserve.
type reserved struct {
	v   string
	rc  hotredis.Receipt
	err error
}

// reserveWaiting starts reserve (a queue's Reserve) with visibility in a
// goroutine, on an empty queue, and returns its outcome once it waits
// (see waitBlockedTake).
func reserveWaiting(t *testing.T, reserve func(context.Context, time.Duration) (string, hotredis.Receipt, error), visibility time.Duration) <-chan reserved {
	t.Helper()
	got := make(chan reserved, 1)
	go func() {
		v, rc, err := reserve(ctx, visibility)
		got <- reserved{v, rc, err}
	}()
	waitBlockedTake(t)
	return got
}

// waitGone polls until key is gone, then a little more (keys that share
// the expiry go in the same millisecond or the next).
func waitGone(t *testing.T, k string) {
	t.Helper()
	rdb := rawClient()
	defer rdb.Close()
	for deadline := time.Now().Add(15 * time.Second); rdb.Exists(ctx, k).Val() == 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s never expired", k)
		}
	}
	time.Sleep(50 * time.Millisecond)
}

// TestQueueExpiryReviewWaitingReserveOfABatchPut: Put a, Get a (no TaskDone: the
// list goes, the count stays), Expire; another handle's Reserve waits;
// PutMany(b, c) makes the list anew. The waiter's BLMOVE takes b while c
// is still in the list, and its claim ran before a native put's (gone
// since) follow-up. At ed5c65f it read PTTL -1 from the
// list: the reservation kept no expiry and the registrations lost theirs
// (keepExpiry(-1) PERSISTs them), and when the queue (list, count)
// expired, both stayed forever. The claim now takes the count's expiry
// while the list has none (queue_lib's queueExpiry).
func TestQueueExpiryReviewWaitingReserveOfABatchPut(t *testing.T) {
	warmClaim(t)
	rdb := rawClient()
	t.Cleanup(func() { rdb.Close() }) // (after the subtests, which go on in parallel)
	for _, kind := range queueKinds {
		for _, max := range []int{0, 10} {
			t.Run(fmt.Sprint(kind.name, "-max", max), func(t *testing.T) {
				k := key(t)
				q := kind.make(k, hotredis.WithMaxSize(max))
				defer q.Delete(ctx)
				must[bool](t)(q.Put(ctx, "a"))
				if v := must[string](t)(q.Get(ctx)); v != "a" {
					t.Fatalf("Get = %q", v)
				}
				ttl := 1500 * time.Millisecond
				if _, err := kind.make(k, hotredis.WithMaxSize(max)).Expire(ctx, ttl); err != nil {
					t.Fatal(err)
				}
				got := reserveWaiting(t, kind.make(k, hotredis.WithMaxSize(max)).Reserve, time.Hour) // a consumer that will die
				if n := must[int](t)(q.PutMany(ctx, "b", "c")); n != 2 {
					t.Fatalf("PutMany = %d", n)
				}
				r := <-got
				if r.err != nil {
					t.Fatal(r.err)
				}
				regs, mine := k+":reserved", k+":reserved:"+string(r.rc)
				for kk, d := range ttlsOf(t, rdb, []string{k, k + ":unfinished", regs, mine}) {
					if d <= 0 || d > ttl {
						t.Errorf("after the waiting Reserve took %q, %s's PTTL = %v, want the queue's expiry", r.v, kk, d)
					}
				}
				t.Parallel() // (only the setup above needs a server where nothing else waits: see waitBlockedTake)
				waitGone(t, k+":unfinished")
				if left := keysMatching(t, rdb, "*"+k+"*"); len(left) > 0 {
					t.Errorf("after the queue expired, keys remain: %v", ttlsOf(t, rdb, left))
				}
			})
		}
	}
}

// TestQueueExpiryReviewTxPersistThenRecovery: PutMany(a, b), Reserve both
// (visibility 300ms: the list goes), Expire(2s) (count, registrations and
// the two reservations' lists), then Persist inside a Transaction (the
// queue's own keys only: the reservations' lists keep their expiry, as
// documented for Expire/Delete in a Transaction). After the visibility a
// TryReserve (then Ack) recovers both into a list made anew and takes
// one; then Put c into that list. At c70a2bb the recovery gave the list
// the reservation's expiry, although the queue was Persisted: the list
// (the recovered item and c) expired while the count stayed, and Join
// would wait forever. The recovery now takes the count's expiry.
func TestQueueExpiryReviewTxPersistThenRecovery(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "a", "b"))
		for range 2 {
			if _, _, err := q.Reserve(ctx, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := kind.make(k).Expire(ctx, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
			_, err := kind.make(k).Persist(ctx)
			return err
		}))
		if d := rdb.PTTL(ctx, k+":unfinished").Val(); d != -1 {
			t.Fatalf("after the Persist the count's PTTL = %v, want none", d)
		}
		time.Sleep(500 * time.Millisecond)           // past the visibility
		v, rc, err := q.TryReserve(ctx, time.Minute) // recovers both, takes one
		noErr(t, err)
		noErr(t, q.Ack(ctx, rc))
		noErr(t, q.TaskDone(ctx))
		must[bool](t)(q.Put(ctx, "c"))
		t.Logf("took %q; PTTLs after the recovery and Put c: %v", v, ttlsOf(t, rdb, []string{k, k + ":unfinished"}))
		time.Sleep(2200 * time.Millisecond)
		if n := must[int](t)(q.Unfinished(ctx)); n != 2 {
			t.Errorf("Unfinished = %d, want 2", n)
		}
		if n := must[int](t)(q.Len(ctx)); n != 2 {
			t.Errorf("Len = %d, want 2 (the queue was Persisted: the item recovered and c, put after the Persist)", n)
		}
	})
}

// TestQueueExpiryReviewTaskDoneBeforeAckRecovery: Put a, b; Expire(2s) (the list
// too); Reserve both (300ms: their lists take the expiry); TaskDone twice
// (before the Acks: every task is done, the count goes, "the queue begins
// anew"). After the visibility a TryReserve (then Ack) recovers both into
// a list made anew and takes one; Put c (counted anew, no expiry on the
// count) joins that list. At c70a2bb the list took the reservation's
// expiry: it expired with c while the count of 1 stayed, and Join would
// wait forever. The recovery now takes the count's expiry (none).
func TestQueueExpiryReviewTaskDoneBeforeAckRecovery(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "a", "b"))
		if _, err := kind.make(k).Expire(ctx, 2*time.Second); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, _, err := q.Reserve(ctx, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		noErr(t, q.TaskDone(ctx))
		noErr(t, q.TaskDone(ctx))
		time.Sleep(500 * time.Millisecond)
		v, rc, err := q.TryReserve(ctx, time.Minute) // recovers both, takes one
		noErr(t, err)
		noErr(t, q.Ack(ctx, rc))
		must[bool](t)(q.Put(ctx, "c"))
		t.Logf("took %q; PTTLs: %v", v, ttlsOf(t, rdb, []string{k, k + ":unfinished"}))
		time.Sleep(2200 * time.Millisecond)
		un := must[int](t)(q.Unfinished(ctx))
		n := must[int](t)(q.Len(ctx))
		if un > 0 && n == 0 {
			t.Errorf("Unfinished = %d with Len 0: the count outlives its items (c, put after every task was done, expired)", un)
		}
		jctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if un > 0 && n == 0 {
			if err := q.Join(jctx); err == nil {
				t.Errorf("Join returned")
			}
		}
	})
}

// TestQueueExpiryReviewPersistRacesNativePut (soundness): Put a, Get a (no
// TaskDone), Expire(1h), then PutMany(b, c) by one handle (native push:
// the list anew, the follow-up a round trip later) while another handle
// Persists. Once both returned nothing may keep an expiry.
func TestQueueExpiryReviewPersistRacesNativePut(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, kind := range queueKinds[:2] {
		t.Run(kind.name, func(t *testing.T) {
			for i := range 30 {
				k := key(t, fmt.Sprint(i))
				q := kind.make(k)
				must[bool](t)(q.Put(ctx, "a"))
				must[string](t)(q.Get(ctx))
				if _, err := kind.make(k).Expire(ctx, time.Hour); err != nil {
					t.Fatal(err)
				}
				p := kind.make(k)
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, err := q.PutMany(ctx, "b", "c"); err != nil {
						t.Error(err)
					}
				}()
				go func() {
					defer wg.Done()
					if _, err := p.Persist(ctx); err != nil {
						t.Error(err)
					}
				}()
				wg.Wait()
				for kk, d := range ttlsOf(t, rdb, []string{k, k + ":unfinished", k + ":reserved"}) {
					if d != -1 {
						t.Errorf("try %d: after Persist, %s's PTTL = %v", i, kk, d)
					}
				}
				noErr(t, q.Delete(ctx))
			}
		})
	}
}

// TestQueueExpiryReviewTxExpireThenRecovery: PutMany(a, b), Reserve both (300ms:
// the list goes), then Expire(1.5s) inside a Transaction (the queue's own
// keys only: the reservations' lists keep none, as documented). After the
// visibility a TryReserve (then Ack) recovers both into a list made anew,
// which took the reservation's PTTL (none) before d017e23, not the
// count's: the count ran out before the item it counts. It takes the
// count's now.
func TestQueueExpiryReviewTxExpireThenRecovery(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	forEachQueue(t, func(t *testing.T, kind queueKind) {
		k := key(t)
		q := kind.make(k)
		defer q.Delete(ctx)
		must[int](t)(q.PutMany(ctx, "a", "b"))
		for range 2 {
			if _, _, err := q.Reserve(ctx, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		noErr(t, hotredis.Transaction(ctx, func(ctx context.Context) error {
			_, err := kind.make(k).Expire(ctx, 1500*time.Millisecond)
			return err
		}))
		time.Sleep(500 * time.Millisecond)
		_, rc, err := q.TryReserve(ctx, time.Minute)
		noErr(t, err)
		noErr(t, q.Ack(ctx, rc))
		t.Logf("PTTLs after the recovery: %v", ttlsOf(t, rdb, []string{k, k + ":unfinished", k + ":reserved"}))
		waitGone(t, k+":unfinished")
		if n := must[int](t)(q.Len(ctx)); n != 0 {
			t.Errorf("after the count ran out Len = %d, want 0 (the queue expires as a whole); keys: %v", n, ttlsOf(t, rdb, keysMatching(t, rdb, "*"+k+"*")))
		}
	})
}

// TestQueueExpiryReviewWaitingGetOfABatchPutStripsRegistrations: as
// TestQueueExpiryReviewWaitingReserveOfABatchPut, with a Get waiting
// (acknowledged at once) and a dead consumer's reservation of a, made
// before the Expire (its list and the registrations took the expiry). At
// ed5c65f the waiting Get's claim read the list made anew before its
// follow-up (PTTL -1) and PERSISTed the registrations: after the queue
// expired (list, count, a's list), they stayed forever, holding a's
// registration whose item was gone.
func TestQueueExpiryReviewWaitingGetOfABatchPutStripsRegistrations(t *testing.T) {
	warmClaim(t)
	rdb := rawClient()
	t.Cleanup(func() { rdb.Close() })     // (after the subtests, which go on in parallel)
	for _, kind := range queueKinds[:2] { // (unbounded plain queues: the native push)
		t.Run(kind.name, func(t *testing.T) {
			k := key(t)
			q := kind.make(k)
			defer q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "a"))
			if _, _, err := q.Reserve(ctx, time.Hour); err != nil { // never acked
				t.Fatal(err)
			}
			ttl := 1500 * time.Millisecond
			if _, err := kind.make(k).Expire(ctx, ttl); err != nil {
				t.Fatal(err)
			}
			got := make(chan error, 1)
			go func() {
				_, err := kind.make(k).Get(ctx)
				got <- err
			}()
			waitBlockedTake(t)
			must[int](t)(q.PutMany(ctx, "b", "c"))
			noErr(t, <-got)
			if d := rdb.PTTL(ctx, k+":reserved").Val(); d <= 0 {
				t.Errorf("after the waiting Get, the registrations' PTTL = %v, want the queue's expiry", d)
			}
			t.Parallel() // (only the setup above needs a server where nothing else waits: see waitBlockedTake)
			waitGone(t, k+":unfinished")
			time.Sleep(200 * time.Millisecond) // (the Get's acknowledgement)
			if left := keysMatching(t, rdb, "*"+k+"*"); len(left) > 0 {
				t.Errorf("after the queue expired, keys remain: %v", ttlsOf(t, rdb, left))
			}
		})
	}
}

// TestQueueExpiryReviewWaitingReserveOfABatchPutOutlivesItsRegistration:
// as TestQueueExpiryReviewWaitingReserveOfABatchPut, then a TryReserve
// takes c from the list, which has the count's expiry by then. At ed5c65f
// the waiting Reserve of b kept no expiry and the registrations lost
// theirs; the TryReserve gave them the expiry back (keepExpiry's PEXPIRE
// NX), so when the queue expired the registrations went, with b's
// registration, and b's list stayed forever: its item could never come
// back.
func TestQueueExpiryReviewWaitingReserveOfABatchPutOutlivesItsRegistration(t *testing.T) {
	warmClaim(t)
	rdb := rawClient()
	t.Cleanup(func() { rdb.Close() })     // (after the subtests, which go on in parallel)
	for _, kind := range queueKinds[:2] { // (unbounded plain queues: the native push)
		t.Run(kind.name, func(t *testing.T) {
			k := key(t)
			q := kind.make(k)
			defer q.Delete(ctx)
			must[bool](t)(q.Put(ctx, "a"))
			must[string](t)(q.Get(ctx)) // (no TaskDone)
			if _, err := kind.make(k).Expire(ctx, 1500*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			got := reserveWaiting(t, kind.make(k).Reserve, time.Hour) // its consumer dies
			must[int](t)(q.PutMany(ctx, "b", "c"))
			r := <-got
			noErr(t, r.err)
			if _, _, err := q.TryReserve(ctx, time.Hour); err != nil { // c, from the list with the count's expiry
				t.Fatal(err)
			}
			t.Logf("after the takes: %v", ttlsOf(t, rdb, keysMatching(t, rdb, "*"+k+"*")))
			t.Parallel() // (only the setup above needs a server where nothing else waits: see waitBlockedTake)
			waitGone(t, k+":unfinished")
			left := keysMatching(t, rdb, "*"+k+"*")
			if len(left) > 0 {
				t.Errorf("after the queue expired, keys remain: %v", ttlsOf(t, rdb, left))
			}
			if rdb.Exists(ctx, k+":reserved:"+string(r.rc)).Val() == 1 && rdb.ZScore(ctx, k+":reserved", string(r.rc)).Err() != nil {
				t.Errorf("the waiting Reserve's list outlives its registration: its item can never come back")
			}
		})
	}
}
