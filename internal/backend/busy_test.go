package backend_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
	"go.uber.org/goleak"

	"github.com/hotredis/hotredis/hotredistest"
	. "github.com/hotredis/hotredis/internal/backend"
)

// rueidisOn returns a client of srv with rueidis's default options; the
// caller closes it.
func rueidisOn(t *testing.T, srv *hotredistest.Server) *Rueidis {
	t.Helper()
	opt, err := rueidis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRueidis(opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBusyPipeline: a client whose calls never pile up makes no busy
// pipeline; many goroutines at once make it, every call still gets its
// own reply (a model count), calls made while more than BusyFrom are in
// flight go on its connection (plain commands, batches and transactions),
// and Close closes it with nothing left running.
func TestBusyPipeline(t *testing.T) {
	srv := hotredistest.NewServer(t)
	before := goleak.IgnoreCurrent()
	r := rueidisOn(t, srv)
	ctx := context.Background()
	incr := Cmd{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}}
	for range 100 {
		if _, err := r.Do(ctx, incr); err != nil {
			t.Fatal(err)
		}
	}
	if Busy(r) != nil {
		t.Fatal("serial calls made the busy pipeline")
	}

	const goroutines, each = 64, 300
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := r.Do(ctx, incr); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if v, err := r.Do(ctx, Cmd{Name: []string{"GET"}, Keys: []string{"n"}}); v != strconv.Itoa(100+goroutines*each) || err != nil {
		t.Fatalf("GET n = %v, %v; want %d", v, err, 100+goroutines*each)
	}
	for start := time.Now(); Busy(r) == nil; time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("64 goroutines did not make the busy pipeline")
		}
	}

	// Which connection is the busy pipeline's (it has one here: 2 cores
	// or fewer, or one per node).
	busy := Busy(r)
	id, err := busy.Do(ctx, busy.B().ClientId().Build()).AsInt64()
	if err != nil {
		t.Fatal(err)
	}
	lastCmd := func() string {
		info, err := Client(r).Do(ctx, Client(r).B().ClientList().Id().ClientId(id).Build()).ToString()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range strings.Fields(info) {
			if v, ok := strings.CutPrefix(f, "cmd="); ok {
				return v
			}
		}
		return ""
	}
	AddInFlight(r, BusyFrom) // as if that many calls were in flight
	if v, err := r.Do(ctx, Cmd{Name: []string{"ECHO"}, Args: []string{"busy"}}); v != "busy" || err != nil {
		t.Fatalf("ECHO = %v, %v", v, err)
	}
	if got := lastCmd(); got != "echo" {
		t.Errorf("a command with %d in flight went elsewhere: the busy connection's last is %q", BusyFrom, got)
	}
	if rs := r.DoMulti(ctx, []Cmd{{Name: []string{"GET"}, Keys: []string{"n"}}, {Name: []string{"STRLEN"}, Keys: []string{"n"}}}); rs[1].Err != nil || rs[1].Val != int64(len(strconv.Itoa(100+goroutines*each))) {
		t.Fatalf("DoMulti = %+v", rs)
	}
	if got := lastCmd(); got != "strlen" {
		t.Errorf("a batch with %d in flight went elsewhere: the busy connection's last is %q", BusyFrom, got)
	}
	if rs, err := r.Exec(ctx, []Cmd{{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}}}); err != nil || rs[0].Val != int64(101+goroutines*each) {
		t.Fatalf("Exec = %+v, %v", rs, err)
	}
	if got := lastCmd(); got != "exec" {
		t.Errorf("a transaction with %d in flight went elsewhere: the busy connection's last is %q", BusyFrom, got)
	}
	AddInFlight(r, -BusyFrom)
	if n := AddInFlight(r, 0); n != 0 {
		t.Errorf("%d calls counted in flight after all returned", n)
	}
	r.Do(ctx, Cmd{Name: []string{"PING"}})
	if got := lastCmd(); got != "exec" {
		t.Errorf("a lone command went on the busy connection (its last is %q)", got)
	}

	r.Close()
	noLeaks(t, before)
}

// TestBusyPipelineRetries: a busy pipeline that cannot be made (no server
// there) is tried again after BusyRetry, not on every call; Close waits
// for one being made.
func TestBusyPipelineRetries(t *testing.T) {
	srv := hotredistest.NewServer(t)
	before := goleak.IgnoreCurrent()
	opt := rueidis.ClientOption{InitAddress: []string{"127.0.0.1:1"}} // refused
	b := NewBusyPipe(opt, rueidis.ClientModeStandalone)
	if b.Client() != nil {
		t.Fatal("a busy client without a server")
	}
	b.Wait()
	if b.RetryAt().IsZero() {
		t.Fatal("a failed attempt set no time to try again")
	}
	b.SetAddr(srv.Addr)
	if b.Client() != nil {
		t.Fatal("tried again at once")
	}
	b.Wait()
	if b.Made() != nil {
		t.Fatal("tried again before BusyRetry")
	}
	for start := time.Now(); b.Client() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > BusyRetry+5*time.Second {
			t.Fatal("never tried again")
		}
	}
	c := b.Client()
	if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err != nil {
		t.Fatal(err)
	}
	// A caller that found no client starts making one after another
	// caller's was made (client's look and start are not one step): the
	// client made is kept, and no second is made (it replaced the first,
	// which was never closed: a connection left after Close, seen under
	// load in TestBusyPipeline).
	b.Start()
	b.Wait()
	if b.Made() != c {
		t.Error("a second busy client replaced the first")
	}
	b.Close()
	if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err == nil {
		t.Error("the busy client still serves after close")
	}

	// Closed while being made: close waits, and the client made is closed.
	proxy := hotredistest.NewProxy(t, srv.Addr)
	proxy.Stall(hotredistest.Both)
	opt = rueidis.ClientOption{InitAddress: []string{proxy.Addr()}, Dialer: net.Dialer{Timeout: 300 * time.Millisecond}}
	b = NewBusyPipe(opt, rueidis.ClientModeStandalone)
	b.Client()
	time.AfterFunc(100*time.Millisecond, func() { proxy.Resume(hotredistest.Both) })
	b.Close()
	if b.Made() != nil {
		t.Error("a busy client made after close")
	}
	proxy.Close()
	noLeaks(t, before)
}

// TestBusyPipelineOnACluster: on a Cluster the busy pipeline is a
// cluster client too (one connection per node): many goroutines on keys
// of every node make it, and every call gets its own reply.
func TestBusyPipelineOnACluster(t *testing.T) {
	cluster := hotredistest.NewCluster(t)
	r, err := NewRueidis(rueidis.ClientOption{InitAddress: cluster.Addrs()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	const goroutines, each, keys = 64, 200, 16
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := "k" + strconv.Itoa((g+i)%keys)
				if _, err := r.Do(ctx, Cmd{Name: []string{"INCRBY"}, Keys: []string{k}, Args: []string{"1"}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for k := range keys {
		v, err := r.Do(ctx, Cmd{Name: []string{"GET"}, Keys: []string{"k" + strconv.Itoa(k)}})
		n, _ := strconv.Atoi(fmt.Sprint(v))
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != goroutines*each {
		t.Fatalf("the counters add up to %d, want %d", total, goroutines*each)
	}
	for start := time.Now(); Busy(r) == nil; time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("64 goroutines did not make the busy pipeline")
		}
	}
	if Busy(r).Mode() != rueidis.ClientModeCluster {
		t.Errorf("the busy pipeline of a Cluster client is a %v client", Busy(r).Mode())
	}
	AddInFlight(r, BusyFrom)
	defer AddInFlight(r, -BusyFrom)
	for k := range keys { // through the busy pipeline, to every node
		if _, err := r.Do(ctx, Cmd{Name: []string{"INCRBY"}, Keys: []string{"k" + strconv.Itoa(k)}, Args: []string{"1"}}); err != nil {
			t.Fatal(err)
		}
	}
}

// noLeaks is goleak.VerifyNone with time for rueidis's own goroutines to
// end: its Close does not wait for them, and goleak's retries (about a
// second) ran out on a loaded machine (load ~6) with one still reading.
func noLeaks(t *testing.T, before goleak.Option) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); goleak.Find(before) != nil && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	goleak.VerifyNone(t, before)
}

// TestWaitersAreNotInFlight: batches blocked in a wait (a Queue's Get, a
// Lock's line) do not count as calls in flight, as a blocking command does
// not: with more than BusyFrom of them waiting, a program's other calls
// still go on dedicated connections and make no busy pipeline, and every
// waiter gets what is pushed to it.
func TestWaitersAreNotInFlight(t *testing.T) {
	srv := hotredistest.NewServer(t)
	r := rueidisOn(t, srv)
	defer r.Close()
	ctx := context.Background()
	const waiters = BusyFrom + 2
	got := make(chan string, waiters)
	for i := range waiters {
		go func() {
			k := fmt.Sprintf("wait:%d", i)
			rs := r.DoMulti(ctx, []Cmd{
				{Name: []string{"PING"}},
				{Name: []string{"BLPOP"}, Keys: []string{k}, Args: []string{"10"}, Blocking: true},
			})
			switch {
			case rs[1].Err != nil:
				got <- rs[1].Err.Error()
			default:
				got <- fmt.Sprint(k, " ", rs[1].Val)
			}
		}()
	}
	for start := time.Now(); ; time.Sleep(time.Millisecond) {
		n, err := srv.BlockedClients(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == waiters {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%d of %d waiters blocked", n, waiters)
		}
	}
	if n := AddInFlight(r, 0); n != 0 {
		t.Errorf("%d calls in flight with only waiters blocked; want 0", n)
	}
	incr := Cmd{Name: []string{"INCRBY"}, Keys: []string{"n"}, Args: []string{"1"}}
	for range 100 {
		if _, err := r.Do(ctx, incr); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond) // (the busy client is made in the background)
	if Busy(r) != nil {
		t.Error("calls made one at a time beside blocked waiters made the busy pipeline")
	}
	want := map[string]bool{}
	for i := range waiters {
		k := fmt.Sprintf("wait:%d", i)
		if _, err := r.Do(ctx, Cmd{Name: []string{"RPUSH"}, Keys: []string{k}, Args: []string{"v"}}); err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprint(k, " ", []any{k, "v"})] = true
	}
	for range waiters {
		if g := <-got; !want[g] {
			t.Errorf("a waiter got %q; want one of %v", g, want)
		}
	}
}
