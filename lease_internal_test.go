package hotredis

import (
	"context"
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
		func() { lostAt <- time.Now() })
	select {
	case at := <-lostAt:
		if at.Before(expires) {
			t.Errorf("lost reported %v before the lease ran out", expires.Sub(at))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the lease was not reported lost within 5 s of running out while renewals stalled")
	}
}
