package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hotredis/hotredis"
)

func TestRWLockWritersExcludeEachOtherAcrossProcesses(t *testing.T) {
	testContention(t, "rwlock", 0, 3, 4, 100)
}

func TestRWLockCrashedWriterFreesLock(t *testing.T) { testCrash(t, "rwlock", 0) }

// A reader whose process dies frees its read hold when its lease runs out:
// a writer waiting meanwhile gets the lock then.
func TestRWLockCrashedReaderFreesLock(t *testing.T) {
	t.Parallel()
	k := key(t)
	child := startRole(t, "lock-holder", "LOCK_KIND=rwlock-read", "LOCK_KEY="+k)
	ready := hotredis.NewLock(k + ":ready")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ok, err := ready.Locked(ctx); err != nil || ok {
			noErr(t, err)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never took a read hold")
		}
	}
	w := hotredis.NewRWLock(k)
	got := make(chan error, 1)
	go func() { got <- w.Acquire(ctx) }()
	err, killed := killWhileBlocked(t, child, got, 100*time.Millisecond, 3500*time.Millisecond,
		"the killed reader's lease did not run out in 2s plus a margin")
	noErr(t, err)
	t.Logf("writer acquired %v after SIGKILL of the reader (lease 2s)", time.Since(killed))
	noErr(t, w.Release(ctx))
}

// Non-blocking calls on four handles agree with a model of sync.RWMutex:
// one writer, or readers (a handle may hold several read holds).
func TestRWLockModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		k := key(t, fmt.Sprint(time.Now().UnixNano()))
		hs := make([]*hotredis.RWLock, 4)
		for i := range hs {
			hs[i] = hotredis.NewRWLock(k)
		}
		writer := -1
		readers := make([]int, len(hs))
		total := func() int {
			n := 0
			for _, r := range readers {
				n += r
			}
			return n
		}
		var lastToken int64
		h := rapid.IntRange(0, len(hs)-1)
		rt.Repeat(map[string]func(*rapid.T){
			"TryAcquire": func(rt *rapid.T) {
				i := h.Draw(rt, "h")
				ok, err := hs[i].TryAcquire(ctx)
				noErr(rt, err)
				if want := writer < 0 && total() == 0; ok != want {
					rt.Fatalf("TryAcquire = %v, want %v (writer %d, readers %v)", ok, want, writer, readers)
				}
				if ok {
					writer = i
					if tok := hs[i].Token(); tok <= lastToken {
						rt.Fatalf("token %d after %d", tok, lastToken)
					} else {
						lastToken = tok
					}
				}
			},
			"TryAcquireRead": func(rt *rapid.T) {
				i := h.Draw(rt, "h")
				ok, err := hs[i].TryAcquireRead(ctx)
				noErr(rt, err)
				if want := writer < 0; ok != want {
					rt.Fatalf("TryAcquireRead = %v, want %v", ok, want)
				}
				if ok {
					readers[i]++
				}
			},
			"Release": func(rt *rapid.T) {
				i := h.Draw(rt, "h")
				err := hs[i].Release(ctx)
				if writer == i {
					noErr(rt, err)
					writer = -1
					if hs[i].Token() != 0 {
						rt.Fatalf("Token = %d after Release", hs[i].Token())
					}
				} else if !errors.Is(err, hotredis.ErrNotHeld) {
					rt.Fatalf("Release by a non-writer = %v, want ErrNotHeld", err)
				}
			},
			"ReleaseRead": func(rt *rapid.T) {
				i := h.Draw(rt, "h")
				err := hs[i].ReleaseRead(ctx)
				if readers[i] > 0 {
					noErr(rt, err)
					readers[i]--
				} else if !errors.Is(err, hotredis.ErrNotHeld) {
					rt.Fatalf("ReleaseRead without a read hold = %v, want ErrNotHeld", err)
				}
			},
		})
		for i := range hs {
			for range readers[i] {
				noErr(rt, hs[i].ReleaseRead(ctx))
			}
			if writer == i {
				noErr(rt, hs[i].Release(ctx))
			}
		}
		rdb := rawClient()
		defer rdb.Close()
		if n := len(keysMatching(t, rdb, "*"+k[1:len(k)-1]+"*")); n > 1 { // only the fencing counter may stay
			rt.Fatalf("%d keys left after every hold was released", n)
		}
	})
}

// Readers hold the lock together: eight readers in their read section at
// once.
func TestRWLockReadersOverlap(t *testing.T) {
	k := key(t)
	var in, most atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := hotredis.NewRWLock(k)
			noErr(t, l.AcquireRead(ctx))
			n := in.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			// Held until all eight are in (or 10 s), however slowly a
			// loaded machine brings them: a reader shut out would keep
			// the others waiting that long.
			for deadline := time.Now().Add(10 * time.Second); most.Load() < 8 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			in.Add(-1)
			noErr(t, l.ReleaseRead(ctx))
		}()
	}
	wg.Wait()
	if most.Load() != 8 {
		t.Fatalf("at most %d readers at once, want 8", most.Load())
	}
}

// A waiting writer holds back the readers that come after it (no writer
// starvation): it gets the lock when the readers before it leave, and
// the later readers after it releases.
func TestRWLockWaitingWriterHoldsBackNewReaders(t *testing.T) {
	k := key(t)
	r1, w, r2, r3 := hotredis.NewRWLock(k), hotredis.NewRWLock(k), hotredis.NewRWLock(k), hotredis.NewRWLock(k)
	noErr(t, r1.AcquireRead(ctx))
	wrote := make(chan error, 1)
	go func() { wrote <- w.Acquire(ctx) }()
	waitInLine(t, k, 1)
	if ok, err := r2.TryAcquireRead(ctx); err != nil || ok {
		t.Fatalf("TryAcquireRead with a writer waiting = %v, %v; want false", ok, err)
	}
	read := make(chan error, 1)
	go func() { read <- r3.AcquireRead(ctx) }()
	waitInLine(t, k, 2)
	noErr(t, r1.ReleaseRead(ctx))
	noErr(t, <-wrote)
	select {
	case err := <-read:
		t.Fatalf("a reader that came after the waiting writer got in with it: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	noErr(t, w.Release(ctx))
	noErr(t, <-read)
	noErr(t, r3.ReleaseRead(ctx))
}

// Under a continuous stream of overlapping readers a writer still gets
// the lock: the readers that come after it wait.
func TestRWLockWriterNotStarvedByReaderStream(t *testing.T) {
	k := key(t)
	stop := make(chan struct{})
	var reads atomic.Int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := hotredis.NewRWLock(k)
			for {
				select {
				case <-stop:
					return
				default:
				}
				noErr(t, l.AcquireRead(ctx))
				reads.Add(1)
				time.Sleep(5 * time.Millisecond)
				noErr(t, l.ReleaseRead(ctx))
			}
		}()
	}
	for reads.Load() < 50 {
		time.Sleep(5 * time.Millisecond)
	}
	w := hotredis.NewRWLock(k)
	var waits []time.Duration
	for range 5 {
		start := time.Now()
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := w.Acquire(c)
		cancel()
		if err != nil {
			t.Fatalf("writer starved: %v after %v", err, time.Since(start))
		}
		waits = append(waits, time.Since(start))
		if ok, _ := hotredis.NewRWLock(k).TryAcquireRead(ctx); ok {
			t.Fatal("a reader got in while the writer held the lock")
		}
		time.Sleep(2 * time.Millisecond)
		noErr(t, w.Release(ctx))
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	slices.Sort(waits)
	t.Logf("writer waits under 6 readers looping (5ms holds): %v; %d reads", waits, reads.Load())
}

// Writers are served in arrival order; readers waiting together behind a
// writer are admitted together when it releases.
func TestRWLockLineOrder(t *testing.T) {
	k := key(t)
	first := hotredis.NewRWLock(k)
	noErr(t, first.Acquire(ctx))
	var order []int
	var mu sync.Mutex
	done := make(chan struct{}, 3)
	for i := range 3 {
		go func() {
			w := hotredis.NewRWLock(k)
			noErr(t, w.Acquire(ctx))
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			noErr(t, w.Release(ctx))
			done <- struct{}{}
		}()
		waitInLine(t, k, int64(i+1))
	}
	noErr(t, first.Release(ctx))
	for range 3 {
		<-done
	}
	if !slices.Equal(order, []int{0, 1, 2}) {
		t.Fatalf("writers served in order %v, want arrival order", order)
	}

	noErr(t, first.Acquire(ctx))
	var in sync.WaitGroup
	in.Add(5)
	admitted := make(chan error, 5)
	for i := range 5 {
		go func() {
			r := hotredis.NewRWLock(k)
			if err := r.AcquireRead(ctx); err != nil {
				admitted <- err
				in.Done()
				return
			}
			in.Done()
			in.Wait() // every reader holds at once, or this never returns
			admitted <- r.ReleaseRead(ctx)
		}()
		waitInLine(t, k, int64(i+1))
	}
	noErr(t, first.Release(ctx))
	for range 5 {
		select {
		case err := <-admitted:
			noErr(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("the waiting readers were not admitted together")
		}
	}
}

func TestRWLockCancelledWaitsLeaveNothingBehind(t *testing.T) {
	k := key(t)
	holder := hotredis.NewRWLock(k)
	noErr(t, holder.Acquire(ctx))
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, cancel := context.WithTimeout(ctx, time.Duration(10+i*10)*time.Millisecond)
			defer cancel()
			l := hotredis.NewRWLock(k)
			var err error
			if i%2 == 0 {
				err = l.AcquireRead(c)
			} else {
				err = l.Acquire(c)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("wait = %v, want DeadlineExceeded", err)
			}
		}()
	}
	wg.Wait()
	noErr(t, holder.Release(ctx))
	rdb := rawClient()
	defer rdb.Close()
	// (The waits that gave up leave the line in the background.)
	waited(func() bool { return rdb.Exists(ctx, k).Val()+rdb.ZCard(ctx, k+":waiters").Val() == 0 })
	if n := rdb.Exists(ctx, k).Val(); n != 0 {
		t.Errorf("holders left behind")
	}
	if n := rdb.ZCard(ctx, k+":waiters").Val(); n != 0 {
		t.Errorf("%d waiters left in line", n)
	}
	if ok, err := hotredis.NewRWLock(k).TryAcquire(ctx); err != nil || !ok {
		t.Fatalf("TryAcquire after every wait gave up = %v, %v", ok, err)
	}
}

func TestRWLockOnOtherKindIsWrongType(t *testing.T) {
	k := key(t)
	rdb := rawClient()
	defer rdb.Close()
	rdb.RPush(ctx, k, "1")
	l := hotredis.NewRWLock(k)
	if err := l.AcquireRead(ctx); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("AcquireRead = %v, want ErrWrongType", err)
	}
	if _, err := l.TryAcquire(ctx); !errors.Is(err, hotredis.ErrWrongType) {
		t.Fatalf("TryAcquire = %v, want ErrWrongType", err)
	}
	if err := hotredis.NewRWLock(k).Acquire(ctx); errors.Is(err, hotredis.ErrNotHeld) || err == nil {
		t.Fatalf("Acquire = %v, want ErrWrongType", err)
	}
}

func TestRWLockLostAndToken(t *testing.T) {
	k := key(t)
	l := hotredis.NewRWLock(k, hotredis.WithLease(time.Second))
	select {
	case <-l.Lost():
	default:
		t.Fatal("Lost of a handle holding nothing is not closed")
	}
	noErr(t, l.AcquireRead(ctx))
	if l.Token() != 0 {
		t.Fatalf("Token = %d while only reading", l.Token())
	}
	lost := l.Lost()
	noErr(t, l.ReleaseRead(ctx))
	<-lost
	noErr(t, l.Acquire(ctx))
	if l.Token() <= 0 {
		t.Fatal("no fencing token for a writer")
	}
	lost = l.Lost()
	rdb := rawClient()
	defer rdb.Close()
	rdb.Del(ctx, k) // the lease vanishes on the server
	select {
	case <-lost:
	case <-time.After(2 * time.Second):
		t.Fatal("Lost did not close after the lease vanished")
	}
	if err := l.Release(ctx); !errors.Is(err, hotredis.ErrNotHeld) {
		t.Fatalf("Release after loss = %v, want ErrNotHeld", err)
	}
}
