package hotredis_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// Faults that hit a WaitGroup's or a Barrier's clean-up (a review of the
// sync types under faults, 2026-12-08, 6 of 6 and 7 of 7 runs before the
// fixes).

// faultyServer is a server of its own, a proxy in front of it with a
// client through it (faulty), a client straight to the server (clean) and
// a go-redis client to look.
type faultyServer struct {
	srv           *hotredistest.Server
	p             *hotredistest.Proxy
	faulty, clean *hotredis.Client
	raw           *redis.Client
}

func newFaultyServer(t *testing.T) *faultyServer {
	t.Helper()
	onceOnly(t)
	s := hotredistest.NewServer(t)
	p := hotredistest.NewProxy(t, s.Addr)
	fc, err := hotredis.NewClientURL("redis://" + p.Addr())
	noErr(t, err)
	t.Cleanup(func() { fc.Close() })
	raw := s.GoRedis()
	t.Cleanup(func() { raw.Close() })
	return &faultyServer{srv: s, p: p, faulty: fc, clean: s.Client(t), raw: raw}
}

// restart saves the server's data, kills it, and restarts it after down.
func (f *faultyServer) restart(t *testing.T, down time.Duration) {
	t.Helper()
	noErr(t, f.raw.Save(ctx).Err())
	f.srv.Kill()
	f.p.Cut() // (the proxy may hold a reply read before the kill)
	time.Sleep(down)
	noErr(t, f.srv.Restart())
}

// A Go whose start's reply is lost to a restart (the data kept) fails, f
// never runs, and its member is taken back: the take-back went once, to
// a server still down, and the member held every Wait for its 20 s lease,
// then counted as lost (ErrMemberLost). It is now sent again until the
// server is back.
func TestWaitGroupGoWhoseStartIsLostToARestartIsTakenBack(t *testing.T) {
	f := newFaultyServer(t)
	k := key(t)
	warm := hotredis.NewWaitGroup(k+":warm", hotredis.WithClient(f.faulty))
	noErr(t, warm.Go(ctx, func(context.Context) error { return nil }))
	wg := hotredis.NewWaitGroup(k, hotredis.WithClient(f.faulty), hotredis.WithLease(20*time.Second))
	f.p.Stall(hotredistest.ToClient)
	var ran atomic.Bool
	got := make(chan error, 1)
	go func() {
		c, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		got <- wg.Go(c, func(context.Context) error { ran.Store(true); return nil })
	}()
	waitFor(t, func() bool { return f.raw.ZCard(ctx, k+":members").Val() == 1 })
	f.restart(t, 300*time.Millisecond)
	f.p.Resume(hotredistest.ToClient)
	if err := <-got; err == nil || ran.Load() {
		t.Fatalf("Go = %v, f ran %v: want an error, and f not run", err, ran.Load())
	}
	other := hotredis.NewWaitGroup(k, hotredis.WithClient(f.clean))
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := other.Wait(wctx); err != nil {
		n, _ := other.Count(ctx)
		t.Errorf("Wait = %v (count %d), want nil: the member whose Go failed was not taken back", err, n)
	}
}

// A middle arrival whose reply is lost to a restart (the data kept)
// leaves, breaking the round: the party before it learns at once. Its
// leave went once, to a server still down, and the first party waited
// for the arrival's whole lease (8 s). It is now sent again until the
// server is back.
func TestBarrierArrivalLostToARestartBreaksTheRoundPromptly(t *testing.T) {
	f := newFaultyServer(t)
	k := key(t)
	_, _ = hotredis.NewBarrier(k+":warm", 1, hotredis.WithClient(f.faulty)).Wait(ctx)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	b1 := hotredis.NewBarrier(k, 3, hotredis.WithClient(f.clean), hotredis.WithLease(8*time.Second))
	w1 := startWait(wctx, b1)
	waitingReaches(t, b1, 1)
	f.p.Stall(hotredistest.ToClient)
	w2 := startWait(wctx, hotredis.NewBarrier(k, 3, hotredis.WithClient(f.faulty), hotredis.WithLease(8*time.Second)))
	waitFor(t, func() bool { return f.raw.ZCard(ctx, k+":waiting").Val() == 2 })
	start := time.Now()
	f.restart(t, 300*time.Millisecond)
	f.p.Resume(hotredistest.ToClient)
	if err := <-w2; err == nil {
		t.Error("the second party's Wait = nil after its reply was lost")
	}
	select {
	case err := <-w1:
		if !errors.Is(err, hotredis.ErrBrokenBarrier) {
			t.Errorf("the first party's Wait = %v; want ErrBrokenBarrier", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the first party learned of the break %v after the restart (lease 8 s)", d.Round(time.Millisecond))
		}
	case <-time.After(12 * time.Second):
		t.Fatal("the first party still waits 12 s after the second's reply was lost")
	}
}

// A Wait while the server is down was never sent, so it cannot count in
// any round: its error is the connection's, not ErrUnknownOutcome (which
// says the round may have completed with it), as for every other write.
func TestBarrierWaitWhileTheServerIsDownIsNotInDoubt(t *testing.T) {
	f := newFaultyServer(t)
	k := key(t)
	for _, cl := range []*hotredis.Client{f.faulty, f.clean} {
		_, _ = hotredis.NewBarrier(k+":warm", 1, hotredis.WithClient(cl)).Wait(ctx)
	}
	f.srv.Kill()
	f.p.Cut()
	defer func() { _ = f.srv.Restart() }()
	for name, cl := range map[string]*hotredis.Client{"through the proxy": f.faulty, "direct": f.clean} {
		for _, deadline := range []bool{false, true} {
			c, cancel := context.WithCancel(ctx)
			if deadline {
				c, cancel = context.WithTimeout(ctx, 2*time.Second)
			}
			_, err := hotredis.NewBarrier(k, 2, hotredis.WithClient(cl)).Wait(c)
			cancel()
			if err == nil || errors.Is(err, hotredis.ErrUnknownOutcome) {
				t.Errorf("%s (deadline %v): Wait with the server down = %v; want the connection's error", name, deadline, err)
			}
		}
	}
}
