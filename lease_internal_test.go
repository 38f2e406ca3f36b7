package hotredis

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A watchdog whose renewal stalls (a hung connection, a stalled server)
// reports the lease lost when the lease may have run out on the server,
// not when the stalled call gives up: here the lease is a grant's short
// one (300 ms) under a 30 s lease setting, whose renewal used to be given
// 10 s.
func TestKeepAliveReportsLossAtExpiryWhenRenewalStalls(t *testing.T) {
	le := newLease(1)
	defer le.end()
	expires := time.Now().Add(300 * time.Millisecond)
	lostAt := make(chan time.Time, 1)
	le.keepAlive(func() time.Duration { return 30 * time.Second }, expires,
		func(ctx context.Context, _ time.Duration) (bool, error) {
			<-ctx.Done() // the renewal never answers
			return false, ctx.Err()
		},
		func(*lease) { lostAt <- time.Now() })
	select {
	case at := <-lostAt:
		if at.Before(expires) {
			t.Errorf("lost reported %v before the lease ran out", expires.Sub(at))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lease was not reported lost within 5 s of running out while renewals stalled")
	}
}

// The watchdog renews every third of the lease, once at a time, at once
// when poked (also when the poke comes during a renewal: it runs after
// it), and never again once the lease ended.
func TestKeepAliveRenewsAndStopsAtEnd(t *testing.T) {
	le := newLease(1)
	var mu sync.Mutex
	var starts []time.Time
	running, overlapped := false, false
	release := make(chan struct{}, 16)
	block := atomic.Bool{}
	// (600 ms, not less: a lost lease is an error here, and a loaded
	// machine once kept the watchdog from running for 60 ms.)
	ttl := 600 * time.Millisecond
	le.keepAlive(func() time.Duration { return ttl }, time.Now().Add(ttl),
		func(ctx context.Context, d time.Duration) (bool, error) {
			mu.Lock()
			overlapped = overlapped || running
			running = true
			starts = append(starts, time.Now())
			mu.Unlock()
			if block.Load() {
				<-release
			}
			mu.Lock()
			running = false
			mu.Unlock()
			return true, nil
		},
		func(*lease) { t.Error("lost") })
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(starts) }
	waitFor := func(n int, what string) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); count() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d renewals, want %d", what, count(), n)
			}
		}
	}
	waitFor(3, "every third of the lease")
	// A poke during a renewal: that renewal finishes, then another runs.
	block.Store(true)
	n := count()
	waitFor(n+1, "the next renewal")
	le.renewNow()
	block.Store(false)
	release <- struct{}{}
	waitFor(n+2, "the renewal asked for during one")
	le.end()
	time.Sleep(10 * time.Millisecond) // one in flight at end may still finish
	n = count()
	time.Sleep(4 * ttl / 3)
	mu.Lock()
	defer mu.Unlock()
	if len(starts) != n {
		t.Errorf("%d renewals after the lease ended", len(starts)-n)
	}
	if overlapped {
		t.Error("two renewals ran at once")
	}
}

// An Extend that renews the lease while a renewal asking for the old,
// shorter lease is on its way: either may reach the server last, so the
// watchdog trusts the earlier end and renews again at once with the new
// lease (it trusted Extend's end and waited a third of the new lease,
// while the server kept the old one: the lock passed on unnoticed).
func TestKeepAliveRenewsAgainWhenAnExtendCrossesARenewal(t *testing.T) {
	le := newLease(1)
	defer le.end()
	var ttl atomic.Int64
	ttl.Store(int64(300 * time.Millisecond))
	renewals := make(chan time.Duration, 4)
	release := make(chan struct{})
	le.keepAlive(func() time.Duration { return time.Duration(ttl.Load()) }, time.Now().Add(300*time.Millisecond),
		func(ctx context.Context, d time.Duration) (bool, error) {
			renewals <- d
			<-release
			return true, nil
		},
		func(*lease) {})
	first := <-renewals
	start := time.Now()
	ttl.Store(int64(30 * time.Second)) // Extend(30 s) ...
	le.renewedUntil(time.Now().Add(30 * time.Second))
	release <- struct{}{} // ... then the old renewal's reply
	select {
	case d := <-renewals:
		if d != 30*time.Second {
			t.Errorf("the renewal after the Extend asked for %v, want 30s", d)
		}
		if until := le.liveUntil(); until.After(start.Add(first)) {
			t.Errorf("lease trusted until %v from the crossing, want at most the old renewal's %v", until.Sub(start), first)
		}
	case <-time.After(2 * time.Second):
		t.Error("no renewal within 2 s of an Extend that crossed a renewal")
	}
	close(release)
}
