package hotredis_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// proxiedInt returns an Int on a client of its own (made by NewClient)
// through a proxy in front of a server of the test's own, the scripts
// loaded and the connections made.
func proxiedInt(t *testing.T) (*hotredis.Int, *hotredis.Client, *hotredistest.Proxy, *hotredistest.Server) {
	t.Helper()
	srv := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, srv.Addr)
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{p.Addr()}})
	noErr(t, err)
	t.Cleanup(func() { c.Close() })
	n := hotredis.NewInt(key(t), hotredis.WithClient(c))
	_, err = n.Add(ctx, 1)
	noErr(t, err)
	return n, c, p, srv
}

// TestOwnTimeoutIsNotTheCallersDeadline: a call with no deadline of its
// own that the client's connection timeout ends, its reply held, reports
// an i/o timeout (a write's wrapped in ErrUnknownOutcome: it was applied),
// not context.DeadlineExceeded, which its context never said.
func TestOwnTimeoutIsNotTheCallersDeadline(t *testing.T) {
	defer hotredis.SetConnTimeout(500 * time.Millisecond)()
	n, _, p, srv := proxiedInt(t)
	p.Stall(hotredistest.ToClient)
	_, err := n.Add(context.Background(), 10)
	if !errors.Is(err, hotredis.ErrUnknownOutcome) || !errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Add with its reply held past the connection timeout = %v; want ErrUnknownOutcome and os.ErrDeadlineExceeded, not context.DeadlineExceeded", err)
	}
	_, err = n.Load(context.Background())
	if !errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, hotredis.ErrUnknownOutcome) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Load with its reply held past the connection timeout = %v; want os.ErrDeadlineExceeded alone", err)
	}
	p.Resume(hotredistest.ToClient)
	if v := must[int64](t)(hotredis.NewInt(n.Key(), hotredis.WithClient(srv.Client(t))).Load(ctx)); v != 11 {
		t.Errorf("value = %d, want 11: the Add was applied", v)
	}
}

// TestCancelEndsACallWithoutDeadline: a call whose context has no
// deadline returns when it is cancelled, with its reply held (it went on
// a connection of its own until the client's connection timeout, 10 s).
func TestCancelEndsACallWithoutDeadline(t *testing.T) {
	n, _, p, _ := proxiedInt(t)
	p.Stall(hotredistest.ToClient)
	defer p.Resume(hotredistest.ToClient)
	c, cancel := context.WithCancel(ctx)
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := n.Add(c, 10)
	if took := time.Since(start); !errors.Is(err, hotredis.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) || took > 5*time.Second {
		t.Errorf("Add cancelled after 200 ms = %v after %v; want ErrUnknownOutcome (Canceled) at once", err, took)
	}
}

// TestCloseDuringAWriteLeavesItsOutcomeUnknown: a write on its way when
// Close comes may have been applied: ErrUnknownOutcome, not a bare
// ErrClosed, which says a call was refused.
func TestCloseDuringAWriteLeavesItsOutcomeUnknown(t *testing.T) {
	n, c, p, _ := proxiedInt(t)
	p.Stall(hotredistest.ToClient)
	defer p.Resume(hotredistest.ToClient)
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	time.AfterFunc(100*time.Millisecond, func() { c.Close() })
	_, err := n.Add(short, 10)
	if !errors.Is(err, hotredis.ErrUnknownOutcome) {
		t.Errorf("Add with Close during it = %v, want ErrUnknownOutcome", err)
	}
}

// TestOptimisticCommitPastTheDeadlineIsUnknown: an optimistic
// transaction whose EXEC went out, its reply held past the deadline,
// reports ErrUnknownOutcome (it was applied), not the bare deadline; and
// fn never runs on after Optimistic returned.
func TestOptimisticCommitPastTheDeadlineIsUnknown(t *testing.T) {
	n, c, p, srv := proxiedInt(t)
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	var after bool // written by fn after its read: -race catches fn running on
	err := c.Optimistic(short, func(ctx context.Context) error {
		v, err := n.Load(ctx)
		if err != nil {
			return err
		}
		after = true
		p.Stall(hotredistest.ToClient) // the EXEC goes out, its reply held
		return n.Store(ctx, v+10)
	}, n)
	_ = after
	p.Resume(hotredistest.ToClient)
	if !errors.Is(err, hotredis.ErrUnknownOutcome) {
		t.Errorf("Optimistic with its EXEC's reply held past the deadline = %v, want ErrUnknownOutcome", err)
	}
	waitFor(t, func() bool { return srv.GoRedis().Get(ctx, n.Key()).Val() == "11" })
}

// TestOptimisticDoesNotWaitForAStalledUnwatch: an optimistic transaction
// whose fn gives up returns its error by the deadline while the UNWATCH
// after it is held (it waited for the client's 10 s connection timeout);
// one that commits sends no UNWATCH at all (EXEC ended the watch), so it
// returns at once even without a deadline.
func TestOptimisticDoesNotWaitForAStalledUnwatch(t *testing.T) {
	n, c, p, _ := proxiedInt(t)
	p.StallOn(hotredistest.ToServer, "UNWATCH")
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	errNo := errors.New("no, thanks")
	start := time.Now()
	err := c.Optimistic(short, func(ctx context.Context) error {
		if _, err := n.Load(ctx); err != nil {
			return err
		}
		return errNo
	}, n)
	if took := time.Since(start); !errors.Is(err, errNo) || took > 5*time.Second {
		t.Errorf("Optimistic whose UNWATCH is held = %v after %v; want fn's error by the 500 ms deadline", err, took)
	}
	p.Resume(hotredistest.ToServer)

	n2, c2, p2, _ := proxiedInt(t)
	p2.StallOn(hotredistest.ToServer, "UNWATCH")
	defer p2.Resume(hotredistest.ToServer)
	start = time.Now()
	err = c2.Optimistic(context.Background(), func(ctx context.Context) error {
		v, err := n2.Load(ctx)
		if err != nil {
			return err
		}
		return n2.Store(ctx, v+10)
	}, n2)
	if took := time.Since(start); err != nil || took > 5*time.Second {
		t.Errorf("committing Optimistic with UNWATCH held = %v after %v; want nil at once: EXEC ends the watch", err, took)
	}
	if v := must[int64](t)(n2.Load(ctx)); v != 11 {
		t.Errorf("value after the commit = %d, want 11", v)
	}
}
