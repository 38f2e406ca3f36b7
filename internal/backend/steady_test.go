package backend_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/backend"
)

// TestCallsMakingAConnectionHonourCancellation cuts a client's
// connections while a proxy stalls, so that the next connection's
// handshake gets no answer, and cancels calls that must make one: a
// blocking command (rueidis makes it a dedicated connection with the
// caller's context, and its handshake honours only a deadline), and
// commands on the shared connections, with and without a deadline. Each
// returns soon after its context ends, not after rueidis's dial timeout;
// and the client serves again once the proxy does.
func TestCallsMakingAConnectionHonourCancellation(t *testing.T) {
	r, proxy := proxiedRueidis(t, rueidis.ClientOption{})
	bg := context.Background()
	calls := map[string]backend.Cmd{
		"BLPOP (dedicated)": {Name: []string{"BLPOP"}, Keys: []string{"l"}, Args: []string{"0"}, Blocking: true},
		"INCR (shared)":     {Name: []string{"INCR"}, Keys: []string{"n"}},
	}
	for name, cmd := range calls {
		for _, withDeadline := range []bool{false, true} {
			proxy.Stall(hotredistest.Both)
			proxy.Cut()
			// The first calls meet the dead connections and drop them.
			for range 3 {
				fctx, fcancel := context.WithTimeout(bg, 50*time.Millisecond)
				_, _ = r.Do(fctx, cmd)
				fcancel()
			}
			ctx, cancel := context.WithCancel(bg)
			if withDeadline {
				ctx, cancel = context.WithTimeout(bg, 200*time.Millisecond)
			} else {
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			start := time.Now()
			_, err := r.Do(ctx, cmd)
			took := time.Since(start)
			cancel()
			if err == nil || took > 700*time.Millisecond {
				t.Errorf("%s, deadline %v: returned after %v with %v; want an error soon after 200ms", name, withDeadline, took.Round(time.Millisecond), err)
			}
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				t.Logf("%s, deadline %v: %v", name, withDeadline, err)
			}
			proxy.Resume(hotredistest.Both)
			deadline := time.Now().Add(10 * time.Second)
			for {
				if _, err := r.Do(bg, backend.Cmd{Name: []string{"PING"}}); err == nil {
					break
				} else if time.Now().After(deadline) {
					t.Fatalf("the client does not serve again: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}

// TestACallWithoutADeadlineEndsOnAStalledServer: a call whose context can
// be cancelled but has no deadline, waiting on the shared connections for
// one whose handshake a stalled server never answers, ends after a few of
// the client's dial timeouts, not when its context is cancelled, and says
// that it was not sent.
func TestACallWithoutADeadlineEndsOnAStalledServer(t *testing.T) {
	var opt rueidis.ClientOption
	opt.Dialer.Timeout = 100 * time.Millisecond
	r, proxy := proxiedRueidis(t, opt)
	bg := context.Background()
	// Calls in flight enough that the calls take the shared connections,
	// too few for the busy pipeline (another client, made meanwhile).
	const inFlight = 5
	if inFlight+1 > backend.BusyFrom {
		t.Fatal("BusyFrom changed: make inFlight smaller")
	}
	backend.AddInFlight(r, inFlight)
	defer backend.AddInFlight(r, -inFlight)
	proxy.Stall(hotredistest.Both)
	proxy.Cut()
	// The first calls meet the dead connections (one on each of the
	// shared connections rueidis made) and drop them; then each call
	// waits for a handshake.
	for i := 0; ; i++ {
		ctx, cancel := context.WithCancel(bg)
		stop := time.AfterFunc(10*time.Second, cancel)
		start := time.Now()
		_, err := r.Do(ctx, backend.Cmd{Name: []string{"INCR"}, Keys: []string{"n"}})
		took, ended := time.Since(start), ctx.Err()
		stop.Stop()
		cancel()
		if err == nil || ended != nil || took > 5*time.Second {
			t.Fatalf("call %d returned after %v with %v; want a failure within a few dial timeouts", i, took.Round(time.Millisecond), err)
		}
		if backend.NotSent(err) && errors.Is(err, context.DeadlineExceeded) {
			t.Logf("call %d returned after %v with %v", i, took.Round(time.Millisecond), err)
			return
		}
		if i == 10 {
			t.Fatalf("call %d: %v; want one that waited for the handshake, not sent", i, err)
		}
	}
}

// proxiedRueidis is a Rueidis backend with opt, connected to a server of
// its own through a proxy, and the proxy; closed after t.
func proxiedRueidis(t *testing.T, opt rueidis.ClientOption) (*backend.Rueidis, *hotredistest.Proxy) {
	t.Helper()
	srv := hotredistest.NewServer(t)
	proxy := hotredistest.NewProxy(t, srv.Addr)
	opt.InitAddress = []string{proxy.Addr()}
	r, err := backend.NewRueidis(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if _, err := r.Do(context.Background(), backend.Cmd{Name: []string{"PING"}}); err != nil {
		t.Fatal(err)
	}
	return r, proxy
}
