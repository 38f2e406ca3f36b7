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

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
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
// leads to has an expiry. Every take (queue_take) gives itself the
// queue's expiry in its own step, by whatever handle: the one that set it
// ("self"), a new one ("test"), one whose latest take saw none ("other"),
// and the count's when it took the last item ("last": the list is gone by
// then). (Handles once took natively, a MULTI/EXEC, until they saw an
// expiry: hence the four.)
func TestQueueTakesOfADeadGetterExpireWithTheQueue(t *testing.T) {
	for _, who := range []string{"test", "self", "other", "last"} {
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
				items := []string{"a", "b", "c"}
				if who == "last" {
					items = items[:1]
				}
				for _, v := range items {
					if err := q.Put(ctx, v); err != nil {
						t.Fatal(err)
					}
				}
				if who == "test" || who == "last" {
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
				want := map[string]int{"test": 2, "self": 2, "other": 1, "last": 0}[who]
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
// was emptied, and every task was done, so the queue began anew) but the
// registrations kept theirs, a take drops it, so that an item whose taker
// never acknowledges it still comes back. (With a task unfinished, the
// list would take the count's expiry: see
// TestQueueExpireCoversWhatIsPutWhileTasksAreUnfinished.)
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
			if err := q.TaskDone(ctx); err != nil { // (the count goes)
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
				// A new handle's Get of one item must drop the
				// registrations' expiry too, or the next take's
				// registration would go with it.
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
	if err := q.TaskDone(ctx); err != nil { // (the count goes: the Put below begins the queue anew)
		t.Fatal(err)
	}
	if _, err := q.Expire(ctx, 300*time.Millisecond); err != nil { // the registrations and a's take
		t.Fatal(err)
	}
	// The Reserve waits: the queue is empty. The Put makes the list anew,
	// without expiry.
	got := reserveWaiting(t, q.Reserve, 600*time.Millisecond)
	if err := q.Put(ctx, "b"); err != nil {
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
// go before their lists. (Once a handle that had seen no expiry took
// natively and gave the take its expiries a round trip later.)
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
		g := hotredis.NewQueue[string](k) // (has seen no expiry)
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

// Expire and Persist while other handles take (Reserve): a take that ran
// before the change reached the queue's own keys kept the expiry the
// queue's list had then. After Expire no take's list may outlive its
// registration (the item would never come back; a second's slack: the
// lists get theirs a round trip after the registrations); after Persist
// none may keep an expiry (its item would go, from a queue that stays).
func TestQueueExpiryChangesWhileOthersTake(t *testing.T) {
	for _, change := range []string{"Expire", "Persist"} {
		t.Run(change, func(t *testing.T) {
			t.Parallel()
			rdb := rawClient()
			defer rdb.Close()
			bad := 0
			for try := 0; try < 30 && bad == 0; try++ {
				k := key(t, fmt.Sprint(try))
				q := hotredis.NewQueue[string](k)
				vs := make([]string, 400)
				for i := range vs {
					vs[i] = fmt.Sprint(i)
				}
				noErr(t, q.PutMany(ctx, vs...))
				if change == "Persist" {
					if _, err := q.Expire(ctx, time.Minute); err != nil {
						t.Fatal(err)
					}
				}
				var wg sync.WaitGroup
				stop := make(chan struct{})
				for range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						r := hotredis.NewQueue[string](k)
						for {
							select {
							case <-stop:
								return
							default:
							}
							if _, _, err := r.TryReserve(ctx, time.Hour); err != nil {
								return
							}
						}
					}()
				}
				time.Sleep(time.Millisecond)
				var err error
				if change == "Expire" {
					_, err = q.Expire(ctx, time.Minute)
				} else {
					_, err = q.Persist(ctx)
				}
				noErr(t, err)
				close(stop)
				wg.Wait()
				regs := rdb.PTTL(ctx, k+":reserved").Val()
				for _, x := range keysMatching(t, rdb, k+":reserved:*") {
					d := rdb.PTTL(ctx, x).Val()
					switch {
					case change == "Expire" && regs > 0 && (d < 0 || d > regs+time.Second):
						t.Errorf("try %d: the registrations expire in %v, the take's list %s in %v: its item would never come back", try, regs, x, d)
					case change == "Persist" && d > 0:
						t.Errorf("try %d: the queue was persisted, but the take's list %s expires in %v: its reserved item goes with it", try, x, d)
					default:
						continue
					}
					if bad++; bad == 3 {
						return
					}
				}
			}
		})
	}
}

// Expire and Persist by two handles, interleaved: the Expire's lists of
// outstanding takes, given their expiry again after the queue's own keys,
// must follow the Persist that came meanwhile (a reservation's list that
// kept the Expire's would go, with its item, from a queue that stays).
func TestQueueExpireDoesNotUndoAPersistThatCameMeanwhile(t *testing.T) {
	own := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, own.Addr)
	rdb := own.GoRedis()
	defer rdb.Close()
	k := key(t)
	a := hotredis.NewQueue[string](k, hotredis.WithClient(faultyClient(t, "rueidis", p.Addr())))
	b := hotredis.NewQueue[string](k, hotredis.WithClient(own.Client(t)))
	noErr(t, b.PutMany(ctx, "x", "y"))
	_, rc, err := b.TryReserve(ctx, time.Hour)
	noErr(t, err)
	p.StallOn(hotredistest.ToServer, "ZRANGE") // a's first pass over the takes
	done := make(chan error, 1)
	go func() {
		_, err := a.Expire(ctx, 700*time.Millisecond)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	p.StallOn(hotredistest.ToServer, "ZRANGE") // its second, after the queue's own keys
	p.Resume(hotredistest.ToServer)
	for deadline := time.Now().Add(5 * time.Second); rdb.PTTL(ctx, k).Val() <= 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a's Expire never reached the queue")
		}
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := b.Persist(ctx); err != nil {
		t.Fatal(err)
	}
	p.Resume(hotredistest.ToServer)
	noErr(t, <-done)
	if d := rdb.PTTL(ctx, k+":reserved:"+string(rc)).Val(); d != -1 {
		t.Errorf("the reservation's list PTTL %v after a Persist that followed the Expire, want none", d)
	}
	time.Sleep(time.Second) // (past the Expire's)
	if err := b.Ack(ctx, rc); err != nil {
		t.Errorf("Ack of a reservation on a queue persisted after the Expire = %v: its list went with the Expire", err)
	}
}

// A give-back's marker (queue_recover's mode 2 writes "gone" at a take's
// parking key, to expire at the take's deadline) keeps its expiry through
// Expire and Persist: persisted, it would stay forever once the deadline's
// recovery dropped the registration.
func TestQueueExpiryChangesLeaveAGiveBacksMarker(t *testing.T) {
	for _, change := range []string{"Persist", "Expire"} {
		t.Run(change, func(t *testing.T) {
			t.Parallel()
			rdb := rawClient()
			defer rdb.Close()
			k := key(t)
			q := hotredis.NewQueue[string](k)
			noErr(t, q.PutMany(ctx, "x", "y"))
			if change == "Persist" {
				if _, err := q.Expire(ctx, time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			_, rc, err := q.TryReserve(ctx, time.Minute)
			noErr(t, err)
			deadline := rdb.ZScore(ctx, k+":reserved", string(rc)).Val()
			parked := k + ":parked:" + string(rc)
			noErr(t, rdb.Do(ctx, "SET", parked, "gone", "PXAT", int64(deadline)).Err()) // (as queue_recover's mode 2)
			before := rdb.PTTL(ctx, parked).Val()
			if change == "Persist" {
				_, err = q.Persist(ctx)
			} else {
				_, err = q.Expire(ctx, 10*time.Hour)
			}
			noErr(t, err)
			if after := rdb.PTTL(ctx, parked).Val(); after < 0 || after > before+time.Second {
				t.Errorf("the give-back's marker expired in %v (at the take's deadline), after %s in %v", before, change, after)
			}
		})
	}
}

// Expire and Persist reach every outstanding take, however many, while
// others acknowledge theirs: the registrations are read 500 at a time,
// and an Ack between two pages (here held by the fault proxy at each
// page's ZRANGE) removes one before the rest. Paged by index, the take
// at index 500 would slip to 499 and be missed by both passes (a Reserve
// with the earliest deadline between the passes puts it back for the
// second), its list keeping the queue's old expiry: its item would
// expire from a persisted queue.
func TestQueueExpiryChangesReachEveryTakeWhileAcksShiftThem(t *testing.T) {
	for _, be := range []string{"rueidis", "go-redis"} {
		t.Run(be, func(t *testing.T) { persistWhileAcksShiftTheTakes(t, be) })
	}
}

// persistWhileAcksShiftTheTakes is TestQueueExpiryChangesReachEveryTakeWhileAcksShiftThem
// with the Persist sent by backend's client (whose replies WITHSCORES
// differ in shape).
func persistWhileAcksShiftTheTakes(t *testing.T, backend string) {
	t.Parallel()
	own := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, own.Addr)
	rdb := own.GoRedis()
	defer rdb.Close()
	k := key(t)
	a := hotredis.NewQueue[string](k, hotredis.WithClient(faultyClient(t, backend, p.Addr())))
	b := hotredis.NewQueue[string](k, hotredis.WithClient(own.Client(t)))
	vs := make([]string, 610)
	for i := range vs {
		vs[i] = fmt.Sprint(i)
	}
	noErr(t, b.PutMany(ctx, vs...))
	if _, err := b.Expire(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	rcs := make([]hotredis.Receipt, 601)
	for i := range rcs { // deadlines in order: rcs[i] at index i
		_, rc, err := b.TryReserve(ctx, 2*time.Hour+time.Duration(i)*time.Second)
		noErr(t, err)
		rcs[i] = rc
	}
	y := k + ":reserved:" + string(rcs[500])
	if d := rdb.PTTL(ctx, y).Val(); d <= 0 {
		t.Fatalf("setup: the reservation's list PTTL %v, want the queue's expiry", d)
	}
	// page holds the next ZRANGE of the Persist (a page), after letting
	// the one held before go, and then runs between.
	page := func(between func()) {
		t.Helper()
		p.StallOn(hotredistest.ToServer, "ZRANGE")
		p.Resume(hotredistest.ToServer)
		waitFor(t, func() bool { return !p.Armed() })
		between()
	}
	done := make(chan error, 1)
	p.StallOn(hotredistest.ToServer, "ZRANGE") // the first pass, page 1
	go func() {
		_, err := a.Persist(ctx)
		done <- err
	}()
	waitFor(t, func() bool { return !p.Armed() })
	page(func() { noErr(t, b.Ack(ctx, rcs[0])) }) // page 2; y now at index 499
	page(func() {                                 // the second pass, page 1
		_, _, err := b.TryReserve(ctx, time.Hour) // the earliest deadline: y back at 500
		noErr(t, err)
	})
	page(func() { noErr(t, b.Ack(ctx, rcs[1])) }) // page 2; y at 499 again
	p.Resume(hotredistest.ToServer)
	noErr(t, <-done)
	if d := rdb.PTTL(ctx, k).Val(); d != -1 {
		t.Fatalf("queue PTTL %v after Persist", d)
	}
	if d := rdb.PTTL(ctx, k+":reserved").Val(); d != -1 {
		t.Errorf("registrations PTTL %v after Persist", d)
	}
	if d := rdb.PTTL(ctx, y).Val(); d != -1 {
		t.Errorf("the queue was persisted, but reservation %s's list expires in %v: its item goes with it", rcs[500], d)
	}
}

// Takes that share a deadline, more than a page of them, are all reached
// by Expire and Persist (the pages go by deadline: see
// TestQueueExpiryChangesReachEveryTakeWhileAcksShiftThem).
func TestQueueExpiryChangesReachTakesThatShareADeadline(t *testing.T) {
	t.Parallel()
	rdb := rawClient()
	defer rdb.Close()
	k := key(t)
	q := hotredis.NewQueue[string](k)
	const n = 1_201
	vs := make([]string, n+1)
	for i := range vs {
		vs[i] = fmt.Sprint(i)
	}
	noErr(t, q.PutMany(ctx, vs...))
	rcs := make([]hotredis.Receipt, n)
	for i := range rcs {
		_, rc, err := q.TryReserve(ctx, time.Hour)
		noErr(t, err)
		rcs[i] = rc
	}
	deadline := rdb.ZScore(ctx, k+":reserved", string(rcs[0])).Val()
	for _, rc := range rcs[1:] {
		noErr(t, rdb.ZAddXX(ctx, k+":reserved", redis.Z{Score: deadline, Member: string(rc)}).Err())
	}
	for _, change := range []string{"Expire", "Persist"} {
		var err error
		if change == "Expire" {
			_, err = q.Expire(ctx, 10*time.Hour)
		} else {
			_, err = q.Persist(ctx)
		}
		noErr(t, err)
		var missed []hotredis.Receipt
		for _, rc := range rcs {
			d := rdb.PTTL(ctx, k+":reserved:"+string(rc)).Val()
			if (change == "Expire") != (d > time.Hour) {
				missed = append(missed, rc)
			}
		}
		if len(missed) > 0 {
			t.Errorf("after %s, %d of %d reservations' lists kept their old expiry (%s first)", change, len(missed), n, missed[0])
		}
	}
}
