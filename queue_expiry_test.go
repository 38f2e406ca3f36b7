package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

func init() { roles["queue-getter-dies"] = queueGetterDiesRole }

// queueGetterDiesRole gets an item from the queue QUEUE_KEY and kills
// itself at once, before the Get's acknowledgement (which waits up to 10
// ms for a command to ride with) is sent. QUEUE_EXPIRE says who gives the
// queue an expiry of a minute: "self", the getting handle, first; "other",
// another handle, after the getting one got an item (it saw no expiry
// then); otherwise the test did.
func queueGetterDiesRole() error {
	if _, err := roleClient(); err != nil {
		return err
	}
	k := os.Getenv("QUEUE_KEY")
	q := hotredis.NewQueue[string](k)
	switch os.Getenv("QUEUE_EXPIRE") {
	case "self":
		if _, err := q.Expire(ctx, time.Minute); err != nil {
			return err
		}
	case "other":
		if _, err := q.Get(ctx); err != nil {
			return err
		}
		if _, err := hotredis.NewQueue[string](k).Expire(ctx, time.Minute); err != nil {
			return err
		}
	}
	if _, err := q.Get(ctx); err != nil {
		return err
	}
	// Killed, not exited: under -race, exiting waits a second (the race
	// runtime's atexit_sleep_ms), in which the acknowledgement goes.
	return syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

// A getter that dies leaves its take behind (its list, its registration)
// for the next take after the deadline to recover; on a queue that
// expires, all of it must go with the queue: every key the queue's name
// leads to has an expiry. A handle that has seen the expiry ("self")
// takes by queue_take, which gives the take the queue's expiry in its own
// step; one that has not (a new one, "test", or one whose latest take saw
// none, "other") takes natively (a MULTI/EXEC) and gives the take its
// expiry a round trip later.
func TestQueueTakesOfADeadGetterExpireWithTheQueue(t *testing.T) {
	for _, who := range []string{"test", "self", "other"} {
		t.Run(who, func(t *testing.T) {
			t.Parallel()
			rdb := rawClient()
			defer rdb.Close()
			// The getter may be slow enough to send its acknowledgement
			// before it dies (nothing left then): tries until it leaves
			// its take.
			for try := 0; ; try++ {
				k := key(t, string(rune('a'+try)))
				q := hotredis.NewQueue[string](k)
				for _, v := range []string{"a", "b", "c"} {
					if err := q.Put(ctx, v); err != nil {
						t.Fatal(err)
					}
				}
				if who == "test" {
					if _, err := q.Expire(ctx, time.Minute); err != nil {
						t.Fatal(err)
					}
				}
				var exit *exec.ExitError
				if err := startRole(t, "queue-getter-dies", "QUEUE_KEY="+k, "QUEUE_EXPIRE="+who).Wait(); !errors.As(err, &exit) || exit.ExitCode() != -1 {
					t.Fatalf("the getter ended with %v, want killed", err)
				}
				ks := keysMatching(t, rdb, k+"*") // (k carries a tag: its auxiliary keys begin with it)
				taken := 0
				for _, x := range ks {
					if d := rdb.PTTL(ctx, x).Val(); d <= 0 {
						t.Errorf("%s has no expiry (PTTL %v): it outlives the queue", x, d)
					}
					if x != k && rdb.Type(ctx, x).Val() == "list" {
						taken++
					}
				}
				want := map[string]int{"test": 2, "self": 2, "other": 1}[who]
				if n, _ := q.Len(ctx); n != want {
					t.Errorf("Len = %d, want %d", n, want)
				}
				if taken > 0 || t.Failed() {
					return
				}
				if try == 4 {
					t.Fatalf("the getter acknowledged its take before it died, %d times", try+1)
				}
			}
		})
	}
}

// Registrations must outlive the lists of their takes: when the queue's
// list has no expiry (a Put made it anew after the one Expire applied to
// was emptied) but the registrations kept theirs, a take drops it, so
// that an item whose taker never acknowledges it still comes back.
func TestQueueTakeFromAListMadeAnewKeepsItsRegistration(t *testing.T) {
	for _, way := range []string{"Reserve", "Get"} {
		t.Run(way, func(t *testing.T) {
			t.Parallel()
			k := key(t)
			q := hotredis.NewQueue[string](k)
			if err := q.Put(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := q.Reserve(ctx, time.Hour); err != nil { // (the list goes empty)
				t.Fatal(err)
			}
			if _, err := q.Expire(ctx, 300*time.Millisecond); err != nil { // the registrations and a's take
				t.Fatal(err)
			}
			if err := q.Put(ctx, "b"); err != nil { // a list anew, without expiry
				t.Fatal(err)
			}
			want := "b"
			if way == "Get" {
				// A new handle's Get of one item takes natively: it
				// must drop the registrations' expiry too, or the next
				// take's registration would go with it.
				g := hotredis.NewQueue[string](k)
				if v, err := g.Get(ctx); err != nil || v != "b" {
					t.Fatalf("Get = %q, %v", v, err)
				}
				if d := rawClient().PTTL(ctx, k+":reserved").Val(); d != -1 {
					t.Errorf("the registrations' PTTL after the Get = %v, want none (-1)", d)
				}
				if err := q.Put(ctx, "c"); err != nil {
					t.Fatal(err)
				}
				want = "c"
			}
			if v, _, err := q.Reserve(ctx, 600*time.Millisecond); err != nil || v != want {
				t.Fatalf("Reserve = %q, %v", v, err)
			}
			time.Sleep(400 * time.Millisecond) // (past the registrations' old expiry)
			comesBack(t, q, want)
		})
	}
}

// A blocking take (queue_register + BLMOVE + queue_claim) whose BLMOVE
// parks the only item of a list made anew (no expiry) finds the list gone
// when it claims: the registrations must lose the expiry an Expire of the
// earlier list gave them, or they go before the take's list (which has
// none), and an item whose taker never acknowledges it never comes back.
func TestQueueBlockingTakeFromAListMadeAnewKeepsItsRegistration(t *testing.T) {
	k := key(t)
	q := hotredis.NewQueue[string](k)
	rdb := rawClient()
	defer rdb.Close()
	if err := q.Put(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Reserve(ctx, time.Hour); err != nil { // (the list goes)
		t.Fatal(err)
	}
	if _, err := q.Expire(ctx, 300*time.Millisecond); err != nil { // the registrations and a's take
		t.Fatal(err)
	}
	type res struct {
		v   string
		err error
	}
	got := make(chan res, 1)
	go func() {
		v, _, err := q.Reserve(ctx, 600*time.Millisecond) // waits: the queue is empty
		got <- res{v, err}
	}()
	time.Sleep(100 * time.Millisecond)
	if err := q.Put(ctx, "b"); err != nil { // a list anew, without expiry
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || r.v != "b" {
		t.Fatalf("Reserve = %q, %v", r.v, r.err)
	}
	if d := rdb.PTTL(ctx, k+":reserved").Val(); d != -1 {
		t.Errorf("the registrations' PTTL after the blocking Reserve = %v, want none (-1)", d)
	}
	time.Sleep(400 * time.Millisecond) // (past the registrations' old expiry)
	comesBack(t, q, "b")
}

// A Persist by another handle while a Get takes must not be half undone:
// the registrations must not get an expiry back while the lists of
// outstanding reservations (persisted) have none, or those registrations
// go before their lists. A handle that has seen no expiry takes natively
// and gives the take its expiries a round trip later (queue_keep_expiry),
// by the queue's state then.
func TestQueuePersistDuringATakeIsNotUndone(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	const tries = 200
	for i := 0; i < tries; i++ {
		k := key(t, fmt.Sprint(i))
		q := hotredis.NewQueue[string](k)
		for _, v := range []string{"a", "b"} {
			if err := q.Put(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		_, rc, err := q.TryReserve(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		g := hotredis.NewQueue[string](k) // (has seen no expiry: takes natively)
		if _, err := q.Expire(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		delay := time.Duration(rand.IntN(400)) * time.Microsecond
		go func() {
			defer wg.Done()
			if _, err := g.Get(ctx); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			time.Sleep(delay)
			if _, err := q.Persist(ctx); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		regs := rdb.PTTL(ctx, k+":reserved").Val()
		lst := rdb.PTTL(ctx, k+":reserved:"+string(rc)).Val()
		if regs > 0 && lst < 0 {
			t.Fatalf("try %d (Persist after %v): the registrations expire in %v, the list of the outstanding reservation %s never (PTTL %v), the queue's list PTTL %v: its item can never come back",
				i, delay, regs, rc, lst, rdb.PTTL(ctx, k).Val())
		}
	}
}

// comesBack checks that the item want, reserved from q and never
// acknowledged, comes back once its visibility ends: a take recovers it.
func comesBack(t *testing.T, q *hotredis.Queue[string], want string) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	for {
		v, err := q.TryGet(wctx)
		if err == nil {
			if v != want {
				t.Fatalf("TryGet = %q, want %q back", v, want)
			}
			return
		}
		if !errors.Is(err, hotredis.ErrEmpty) {
			rdb := rawClient()
			defer rdb.Close()
			for _, x := range keysMatching(t, rdb, q.Key()+"*") {
				t.Logf("left: %s (%s) PTTL %v", x, rdb.Type(ctx, x).Val(), rdb.PTTL(ctx, x).Val())
			}
			t.Fatalf("the reserved item %q never came back: %v", want, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
