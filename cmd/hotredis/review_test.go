package main

// A review's tests of the inspect command on odd data. Found by review,
// fixed since: a lease of 2^57 ms overflowed the stack (a Duration of
// MinInt64, whose negation is itself); ids were written with their escape
// sequences raw.

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// In a child process (HOTREDIS_REVIEW_CLI_ARGS set), run the command and exit: to see
// whether it crashes.
func init() {
	if args := os.Getenv("HOTREDIS_REVIEW_CLI_ARGS"); args != "" {
		os.Exit(run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr))
	}
}

// TestReviewInspectHugeLeaseInRegistration: a waiter registration whose
// lease field is 2^57 ms (odd data, as a foreign or corrupted writer may
// leave) must not crash inspect.
func TestReviewInspectHugeLeaseInRegistration(t *testing.T) {
	ctx := t.Context()
	rdb := srv.GoRedis()
	defer rdb.Close()
	k := unique("reviewhuge")
	if err := rdb.HSet(ctx, k, "owner", "0123456789abcdef01234567", "count", "1", "fence", "5", "wid", "w").Err(); err != nil {
		t.Fatal(err)
	}
	rdb.ZAdd(ctx, "{"+k+"}:waiters", redis.Z{Score: 1, Member: "w1"})
	rdb.HSet(ctx, "{"+k+"}:waiting", "w1", "9999999999999 144115188075855872 o2")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTREDIS_REVIEW_CLI_ARGS="+strings.Join([]string{"--url", srv.URL(), "inspect", k}, "\x1f"))
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("inspect did not finish within 60s")
	}
	s := string(out)
	if len(s) > 600 && os.Getenv("ZZ_FULL") == "" {
		s = s[:600] + "…"
	}
	if err != nil {
		t.Errorf("hotredis inspect on a lock whose waiter asks a 2^57 ms lease: %v\n%s", err, s)
	} else {
		t.Logf("%s", s)
	}
}

// TestReviewInspectEscapesHolderIDs: inspect's text output quotes what
// a key holds when it does not print ("so that what a key holds cannot
// send a terminal escape sequences", text.go), as it does for hosts,
// labels and runners. A holder id, a waiter id, a reservation id and a
// WaitGroup member id are written raw.
func TestReviewInspectEscapesHolderIDs(t *testing.T) {
	ctx := t.Context()
	rdb := srv.GoRedis()
	defer rdb.Close()
	const esc = "\x1b[2J\x1b[H" // clear the screen
	lk := unique("reviewesclock")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rdb.HSet(ctx, lk, "owner", esc+"evil", "count", "1", "fence", "5", "wid", "w").Err())
	must(rdb.ZAdd(ctx, "{"+lk+"}:waiters", redis.Z{Score: 1, Member: "w1"}).Err())
	must(rdb.HSet(ctx, "{"+lk+"}:waiting", "w1", "9999999999999 30000 "+esc+"w").Err())
	qk := unique("reviewescq")
	must(rdb.RPush(ctx, qk, "a").Err())
	must(rdb.Set(ctx, "{"+qk+"}:unfinished", "2", 0).Err())
	must(rdb.ZAdd(ctx, "{"+qk+"}:reserved", redis.Z{Score: 9999999999999, Member: esc + "r"}).Err())
	must(rdb.RPush(ctx, "{"+qk+"}:reserved:"+esc+"r", "b").Err())
	wk := unique("reviewescwg")
	must(rdb.HSet(ctx, wk, "count", "1", "lost", "0").Err())
	must(rdb.ZAdd(ctx, "{"+wk+"}:members", redis.Z{Score: 9999999999999, Member: esc + "m"}).Err())
	for _, k := range []string{lk, qk, wk} {
		out, errOut, code := cli(t, "inspect", k)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("inspect %s writes a raw ESC byte to the terminal:\n%q", k, out)
		}
	}
}
