package hotredis_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

func init() { roles["queue-getter-dies"] = queueGetterDiesRole }

// queueGetterDiesRole gets an item from the queue QUEUE_KEY and kills
// itself at once, before the Get's acknowledgement (which waits up to 10 ms for a
// command to ride with) is sent. With QUEUE_EXPIRE set, the handle first
// gives the queue an expiry of a minute itself.
func queueGetterDiesRole() error {
	if _, err := roleClient(); err != nil {
		return err
	}
	q := hotredis.NewQueue[string](os.Getenv("QUEUE_KEY"))
	if os.Getenv("QUEUE_EXPIRE") != "" {
		if _, err := q.Expire(ctx, time.Minute); err != nil {
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
// leads to has an expiry. A handle that has not seen the expiry takes
// natively (a MULTI/EXEC) and gives the take its expiry a round trip
// later; one that has takes by queue_take, in the take's own step.
func TestQueueTakesOfADeadGetterExpireWithTheQueue(t *testing.T) {
	for _, seen := range []bool{false, true} {
		name := map[bool]string{false: "unseen", true: "seen"}[seen]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rdb := rawClient()
			defer rdb.Close()
			// The getter may be slow enough to send its acknowledgement
			// before it dies (nothing left then): tries until it leaves
			// its take.
			for try := 0; ; try++ {
				k := key(t, string(rune('a'+try)))
				q := hotredis.NewQueue[string](k)
				for _, v := range []string{"a", "b"} {
					if err := q.Put(ctx, v); err != nil {
						t.Fatal(err)
					}
				}
				env := []string{"QUEUE_KEY=" + k}
				if seen {
					env = append(env, "QUEUE_EXPIRE=1")
				} else if _, err := q.Expire(ctx, time.Minute); err != nil {
					t.Fatal(err)
				}
				var exit *exec.ExitError
				if err := startRole(t, "queue-getter-dies", env...).Wait(); !errors.As(err, &exit) || exit.ExitCode() != -1 {
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
				if n, _ := q.Len(ctx); n != 1 {
					t.Errorf("Len = %d, want 1", n)
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
			// The reservation is never acknowledged: once its visibility
			// ends, a take recovers its item.
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			for {
				v, err := q.TryGet(wctx)
				if err == nil {
					if v != want {
						t.Fatalf("TryGet = %q, want %q back", v, want)
					}
					break
				}
				if !errors.Is(err, hotredis.ErrEmpty) {
					t.Fatalf("the reserved item %q never came back: %v", want, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
