package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// A workload on one slot while the slot moves between masters again and
// again (written by a review of the cluster paths, 2026-12-08: it found
// the rueidis panic on an ASK of a blocking batch, and a Semaphore's
// release stopped halfway, after which 3 handles held a semaphore of 2).

// migrationErrs collects unexpected errors by kind, reported once at the end.
type migrationErrs struct {
	mu   sync.Mutex
	errs map[string][]string
}

func (e *migrationErrs) add(what string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.errs == nil {
		e.errs = map[string][]string{}
	}
	if len(e.errs[what]) < 3 {
		e.errs[what] = append(e.errs[what], err.Error())
	} else {
		e.errs[what] = append(e.errs[what], "")
	}
}

// Objects of one slot under load while the slot moves between masters
// again and again, each move held with the keys split between the two
// (ASK, TRYAGAIN, then MOVED): combined Float adds, queue and set queue
// puts and takes (multi-key scripts), a lock, a semaphore of 2 and an
// RWLock all succeed within their contexts (or say ErrUnknownOutcome),
// and the data matches the model: nothing lost or repeated, never more
// holders than allowed. (Transactions and stepped rebuilds under moves:
// cluster_redirect_test.go.)
func TestWorkloadThroughSlotMigrations(t *testing.T) {
	cl, c := ownCluster(t)
	const tag = "{workmig}"
	w := hotredis.WithClient(c)
	f := hotredis.NewFloat(tag+":float", w)
	fs := []*hotredis.Float{f, hotredis.NewFloat(tag+":float", w), hotredis.NewFloat(tag+":float", w)}
	q := hotredis.NewQueue[string](tag+":queue", w)
	sq := hotredis.NewSetQueue[string](tag+":setq", w)
	lk := func() *hotredis.Lock { return hotredis.NewLock(tag+":lock", w) }
	noErr(t, f.Store(ctx, 0))

	var errs migrationErrs
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	opCtx := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 20*time.Second) }
	var wg sync.WaitGroup

	// Combined Float adds.
	var addMu sync.Mutex
	var sums []float64
	for g := range 12 {
		wg.Go(func() {
			for !stopped() {
				c, cancel := opCtx()
				v, err := fs[g%len(fs)].Add(c, 1)
				cancel()
				if err != nil {
					errs.add("Float.Add", err)
					continue
				}
				addMu.Lock()
				sums = append(sums, v)
				addMu.Unlock()
			}
		})
	}
	// Queue and set queue: unique items put, taken.
	var qmu sync.Mutex
	put, got := map[string]int{}, map[string]int{}
	for g := range 2 {
		wg.Go(func() {
			for n := 0; !stopped(); n++ {
				item := fmt.Sprintf("q%d-%d", g, n)
				c, cancel := opCtx()
				err := q.Put(c, item)
				cancel()
				qmu.Lock()
				if err != nil {
					errs.add("Queue.Put", err)
				} else {
					put["q:"+item]++
				}
				qmu.Unlock()
				item = fmt.Sprintf("s%d-%d", g, n)
				c, cancel = opCtx()
				added, err := sq.Put(c, item)
				cancel()
				qmu.Lock()
				if err != nil || !added {
					errs.add("SetQueue.Put", fmt.Errorf("added %v: %v", added, err))
				} else {
					put["s:"+item]++
				}
				qmu.Unlock()
			}
		})
		wg.Go(func() {
			for !stopped() {
				c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				v, err := q.Get(c)
				cancel()
				qmu.Lock()
				switch {
				case err == nil:
					got["q:"+v]++
				case errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, hotredis.ErrUnknownOutcome):
				default:
					errs.add("Queue.Get", err)
				}
				qmu.Unlock()
				c, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				v, err = sq.Get(c)
				cancel()
				qmu.Lock()
				switch {
				case err == nil:
					got["s:"+v]++
				case errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, hotredis.ErrUnknownOutcome):
				default:
					errs.add("SetQueue.Get", err)
				}
				qmu.Unlock()
			}
		})
	}
	// A lock: one holder at a time.
	var inside, lockOK int64
	var lockMu sync.Mutex
	for range 3 {
		wg.Go(func() {
			l := lk()
			for !stopped() {
				c, cancel := opCtx()
				if err := l.Acquire(c); err != nil {
					cancel()
					errs.add("Lock.Acquire", err)
					continue
				}
				lockMu.Lock()
				inside++
				if inside != 1 {
					errs.add("Lock", fmt.Errorf("%d holders at once", inside))
				}
				lockMu.Unlock()
				time.Sleep(time.Millisecond)
				lockMu.Lock()
				inside--
				lockOK++
				lockMu.Unlock()
				if err := l.Release(c); err != nil {
					errs.add("Lock.Release", err)
				}
				cancel()
			}
		})
	}
	// A semaphore of 2 and an RWLock (the line-and-lease engine's
	// multi-key scripts): never more holders than allowed.
	var semIn, semMax, semOK int64
	for range 4 {
		wg.Go(func() {
			s := hotredis.NewSemaphore(tag+":sem", 2, w)
			for !stopped() {
				c, cancel := opCtx()
				if err := s.Acquire(c); err != nil {
					cancel()
					errs.add("Semaphore.Acquire", err)
					continue
				}
				lockMu.Lock()
				semIn++
				semMax = max(semMax, semIn)
				lockMu.Unlock()
				time.Sleep(time.Millisecond)
				lockMu.Lock()
				semIn--
				semOK++
				lockMu.Unlock()
				if err := s.Release(c); err != nil {
					// Did the failed Release change something? A second
					// one says ErrNotHeld if it returned the permit.
					again := s.Release(c)
					errs.add("Semaphore.Release", fmt.Errorf("%w; a second Release: %v", err, again))
				}
				cancel()
			}
		})
	}
	var rwIn, rwOK int64
	for g := range 3 {
		wg.Go(func() {
			l := hotredis.NewRWLock(tag+":rw", w)
			for !stopped() {
				c, cancel := opCtx()
				if g == 0 {
					if err := l.AcquireRead(c); err != nil {
						cancel()
						errs.add("RWLock.AcquireRead", err)
						continue
					}
					lockMu.Lock()
					if rwIn < 0 {
						errs.add("RWLock", fmt.Errorf("a reader with a writer"))
					}
					lockMu.Unlock()
					time.Sleep(time.Millisecond)
					if err := l.ReleaseRead(c); err != nil {
						errs.add("RWLock.ReleaseRead", err)
					}
					cancel()
					continue
				}
				if err := l.Acquire(c); err != nil {
					cancel()
					errs.add("RWLock.Acquire", err)
					continue
				}
				lockMu.Lock()
				if rwIn != 0 {
					errs.add("RWLock", fmt.Errorf("two writers"))
				}
				rwIn--
				lockMu.Unlock()
				time.Sleep(time.Millisecond)
				lockMu.Lock()
				rwIn++
				rwOK++
				lockMu.Unlock()
				if err := l.Release(c); err != nil {
					errs.add("RWLock.Release", err)
				}
				cancel()
			}
		})
	}

	slot := slotOfTag(t, cl, tag)
	for i := range 6 {
		time.Sleep(150 * time.Millisecond)
		dst := otherMaster(t, cl, slot, 0)
		m, err := cl.StartSlotMigration(ctx, slot, dst)
		noErr(t, err)
		n, err := m.MoveKeys(ctx, 2+i)
		noErr(t, err)
		time.Sleep(300 * time.Millisecond) // split between the two
		n2, err := m.MoveKeys(ctx, 0)
		noErr(t, err)
		time.Sleep(100 * time.Millisecond)
		n3, err := m.MoveKeys(ctx, 0) // (keys made on the old owner meanwhile)
		noErr(t, err)
		noErr(t, m.Finish(ctx))
		t.Logf("move %d: slot %d to %s: %d+%d+%d keys", i, slot, dst.Addr, n, n2, n3)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()

	for what, es := range errs.errs {
		t.Errorf("%s: %d errors, e.g. %q", what, len(es), es[0])
	}
	// Float: the sums are 1..n, the value n.
	slices.Sort(sums)
	for i, v := range sums {
		if v != float64(i+1) {
			t.Errorf("Float.Add results: the %dth smallest is %v: a step lost or repeated", i+1, v)
			break
		}
	}
	if v := value(f.Load(ctx))(t); v != float64(len(sums)) {
		t.Errorf("Float value %v after %d adds", v, len(sums))
	}
	// Queues: drain; every item delivered once.
	for {
		v, err := q.TryGet(ctx)
		if err != nil {
			if !errors.Is(err, hotredis.ErrEmpty) {
				t.Error(err)
			}
			break
		}
		got["q:"+v]++
	}
	for {
		v, err := sq.TryGet(ctx)
		if err != nil {
			if !errors.Is(err, hotredis.ErrEmpty) {
				t.Error(err)
			}
			break
		}
		got["s:"+v]++
	}
	lost, twice, extra := 0, 0, 0
	for k := range put {
		switch got[k] {
		case 0:
			lost++
		case 1:
		default:
			twice++
		}
	}
	for k := range got {
		if put[k] == 0 {
			extra++
		}
	}
	if lost+twice+extra > 0 {
		t.Errorf("queues: %d items put, %d lost, %d delivered twice, %d never put", len(put), lost, twice, extra)
	}
	if semMax > 2 {
		t.Errorf("%d holders of a semaphore of 2 at once", semMax)
	}
	t.Logf("%d adds, %d items, %d lock holds, %d semaphore holds, %d write locks", len(sums), len(put), lockOK, semOK, rwOK)
	if len(sums) == 0 || len(put) == 0 || lockOK == 0 || semOK == 0 || rwOK == 0 {
		t.Error("a workload made no progress")
	}
}

// c2tx moves 1 from a to b in one MULTI/EXEC.
