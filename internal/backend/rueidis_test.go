package backend_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/backend"
)

// busy is a script that keeps the server from serving anyone for ARGV[1] ms.
const busy = `local function ms() local t = redis.call('TIME') return t[1] * 1000 + t[2] / 1000 end
local stop = ms() + tonumber(ARGV[1])
while ms() < stop do end
return 1`

// TestDirectCommands checks that a command sent on the direct path (a dedicated
// connection, where rueidis applies no timeout of its own) gives the same
// replies as a shared one, is bounded by the client's timeout when the
// server stops answering, and leaves the client usable.
func TestDirectCommands(t *testing.T) {
	srv := hotredistest.NewServer(t)
	opt, err := rueidis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	opt.ConnWriteTimeout = 300 * time.Millisecond
	r, err := backend.NewRueidis(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()

	// Many at once: some go direct, the others share the pipeline; all
	// get their own reply.
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := r.Do(ctx, backend.Cmd{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}})
			if n, ok := v.(int64); err != nil || !ok || n < 1 || n > 50 {
				t.Errorf("INCRBY = %v, %v", v, err)
			}
		}()
	}
	wg.Wait()
	if v, err := r.Do(ctx, backend.Cmd{Name: []string{"GET"}, Keys: []string{"n"}}); v != "50" || err != nil {
		t.Fatalf("GET = %v, %v; want 50", v, err)
	}

	// A server busy for 2 s (a script that spins): a direct command gives
	// up after the client's timeout, not after the server comes back.
	rdb := srv.GoRedis()
	defer rdb.Close()
	pinger, err := rueidis.NewClient(opt) // honours a context's deadline
	if err != nil {
		t.Fatal(err)
	}
	defer pinger.Close()
	done := make(chan error, 1)
	go func() { done <- rdb.Eval(ctx, busy, nil, 2000).Err() }()
	for seen := time.Now(); ; time.Sleep(10 * time.Millisecond) { // until the server is seen busy
		pctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		err := pinger.Do(pctx, pinger.B().Ping().Build()).Error()
		cancel()
		if err != nil {
			break
		}
		if time.Since(seen) > 10*time.Second {
			t.Fatal("the busy script never kept the server busy")
		}
	}
	start := time.Now()
	_, err = r.Do(ctx, backend.Cmd{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("direct command to a busy server: %v after %v, want context.DeadlineExceeded", err, time.Since(start))
	}
	// A batch too, and it is not sent again: the client's timeout, not
	// another call's deadline, ended it (it was sent, and runs once the
	// server is back).
	start = time.Now()
	rs := r.DoMulti(ctx, []backend.Cmd{{Name: []string{"INCRBY"}, Keys: []string{"m"}, Args: []string{"1"}}, {Name: []string{"INCRBY"}, Keys: []string{"m"}, Args: []string{"1"}}})
	if !errors.Is(rs[0].Err, context.DeadlineExceeded) || backend.NotSent(rs[0].Err) {
		t.Errorf("batch to a busy server: %v after %v, want context.DeadlineExceeded, sent", rs[0].Err, time.Since(start))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if v, err := r.Do(ctx, backend.Cmd{Name: []string{"GET"}, Keys: []string{"n"}}); err != nil || (v != "50" && v != "51") {
		t.Fatalf("GET after the busy spell = %v, %v", v, err)
	}
	if v, err := r.Do(ctx, backend.Cmd{Name: []string{"GET"}, Keys: []string{"m"}}); err != nil || (v != nil && v != "2") {
		t.Fatalf("the timed-out batch ran more than once: m = %v, %v", v, err)
	}
}

// TestAnotherCallsDeadlineIsNotOurs: rueidis (v1.0.79) hands the calls
// queued on a connection behind one whose deadline ends that connection
// the other call's context.DeadlineExceeded, without sending them. With the
// server paused, two calls keep the dedicated connections busy, so that a
// call with a short deadline and one with a long deadline share the
// pipeline; the first ends at its deadline, and the second, once the
// server is back, gets its reply, its command applied exactly once.
func TestAnotherCallsDeadlineIsNotOurs(t *testing.T) {
	srv := hotredistest.NewServer(t)
	r := rueidisAt(t, srv.URL())
	ctx := context.Background()
	incr := func(ctx context.Context, key string) error {
		_, err := incrby(ctx, r, key)
		return err
	}
	if err := incr(ctx, "warm"); err != nil {
		t.Fatal(err)
	}
	const rounds = 8
	for round := range rounds {
		if err := srv.Pause(); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		long, cancel := context.WithTimeout(ctx, 5*time.Second)
		for range 2 { // the dedicated connections' calls
			wg.Go(func() {
				if err := incr(long, "busy"); err != nil {
					t.Errorf("round %d: a call on a dedicated connection: %v", round, err)
				}
			})
		}
		time.Sleep(20 * time.Millisecond)
		short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
		shortErr := make(chan error, 1)
		go func() { shortErr <- incr(short, "short") }()
		time.Sleep(5 * time.Millisecond)
		longErr := make(chan error, 1)
		go func() { longErr <- incr(long, "long") }()
		if err := <-shortErr; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("round %d: the short call = %v, want context.DeadlineExceeded", round, err)
		}
		time.Sleep(50 * time.Millisecond)
		if err := srv.Resume(); err != nil {
			t.Fatal(err)
		}
		if err := <-longErr; err != nil {
			t.Errorf("round %d: the long call, whose context had not ended: %v", round, err)
		}
		wg.Wait()
		cancelShort()
		cancel()
	}
	if v, err := r.Do(ctx, backend.Cmd{Name: []string{"GET"}, Keys: []string{"long"}}); v != strconv.Itoa(rounds) || err != nil {
		t.Errorf("GET long = %v, %v; want %d: each long call applied once", v, err, rounds)
	}
}

// TestFirstCallAfterACutIsSent: connections cut while they sit idle (a
// proxy resets them) fail the next write on them; a command or a batch
// (one that waits, as a Queue's take does, too) whose first write failed
// on a dedicated connection was not run, so it goes again on a new one,
// and the first calls after the cut succeed, each applied once.
func TestFirstCallAfterACutIsSent(t *testing.T) {
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	r := rueidisAt(t, "redis://"+p.Addr())
	ctx := context.Background()
	incr := func() (any, error) { return incrby(ctx, r, "n") }
	batch := func() error { // two increments
		cmd := backend.Cmd{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}}
		var errs []error
		for _, r := range r.DoMulti(ctx, []backend.Cmd{cmd, cmd}) {
			errs = append(errs, r.Err)
		}
		return errors.Join(errs...)
	}
	waits := func() error { // an increment, then a wait that times out
		rs := r.DoMulti(ctx, []backend.Cmd{
			{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}},
			{Name: []string{"BLPOP"}, Keys: []string{"empty"}, Args: []string{"0.01"}, Blocking: true},
		})
		return errors.Join(rs[0].Err, rs[1].Err)
	}
	const rounds = 9
	for round := range rounds {
		if _, err := incr(); err != nil { // a connection made and idle
			t.Fatalf("round %d: before the cut: %v", round, err)
		}
		if err := batch(); err != nil {
			t.Fatalf("round %d: before the cut: %v", round, err)
		}
		p.Cut()
		time.Sleep(20 * time.Millisecond) // the resets arrive
		switch round % 3 {
		case 0:
			if _, err := incr(); err != nil {
				t.Errorf("round %d: the first call after the cut: %v", round, err)
			}
		case 1:
			if err := batch(); err != nil {
				t.Errorf("round %d: the first batch after the cut: %v", round, err)
			}
		case 2:
			if err := waits(); err != nil {
				t.Errorf("round %d: the first batch that waits after the cut: %v", round, err)
			}
		}
	}
	rdb := srv.GoRedis()
	defer rdb.Close()
	want := 3*rounds + rounds/3*(1+2+1)
	if n, err := rdb.Get(ctx, "n").Int(); n != want || err != nil {
		t.Errorf("n = %d, %v; want %d: every call applied once", n, err, want)
	}
}

// rueidisAt is a Rueidis backend connected to url, closed after t.
func rueidisAt(t *testing.T, url string) *backend.Rueidis {
	t.Helper()
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	r, err := backend.NewRueidis(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// incrby adds 1 to key through r.
func incrby(ctx context.Context, r *backend.Rueidis, key string) (any, error) {
	return r.Do(ctx, backend.Cmd{Name: []string{"INCRBY"}, Keys: []string{key}, Args: []string{"1"}})
}
