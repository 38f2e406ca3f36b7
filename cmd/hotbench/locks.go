package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bsm/redislock"
	"github.com/go-redsync/redsync/v4"
	"github.com/go-redsync/redsync/v4/redis/goredis/v9"
	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

func init() { benches["locks"] = benchLocks }

// contenders is how many goroutines fight for the lock in the contended run.
const contenders = 8

// hold is how long a contended holder keeps the lock (time.Sleep, whose
// resolution here is about a millisecond).
const hold = time.Millisecond

// mutex is one handle of a lock library, as the benchmark uses it.
type mutex struct {
	lock   func(ctx context.Context) error
	unlock func(ctx context.Context) error
}

// pair is one Acquire and Release.
func (m mutex) pair(ctx context.Context) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	return m.unlock(ctx)
}

type lockLib struct {
	name   string
	handle func(key string) mutex // a new owner of the lock at key
	// top are the commands the library sends itself (INFO commandstats
	// counts those its scripts call under the same names).
	top []string
}

// benchLocks measures hotredis's Lock (and Semaphore) against redsync and
// redislock: uncontended Acquire+Release per second, then contended
// throughput and hand-off latency (release called → next holder's Acquire
// returns) with contenders goroutines.
func benchLocks(url string) error {
	ctx := context.Background()
	hc, rdb, opt, closeAll, err := connect(url)
	if err != nil {
		return err
	}
	defer closeAll()
	rs := redsync.New(goredis.NewPool(rdb))
	rl := redislock.New(rdb)

	libs := []lockLib{
		{"hotredis Lock", func(key string) mutex {
			l := hotredis.NewLock(key, hotredis.WithClient(hc))
			return mutex{l.Acquire, l.Release}
		}, []string{"evalsha"}},
		{"hotredis Semaphore(1)", func(key string) mutex {
			s := hotredis.NewSemaphore(key, 1, hotredis.WithClient(hc))
			return mutex{s.Acquire, s.Release}
		}, []string{"evalsha"}},
		{"redsync v4 (defaults: 32 tries, 50-250ms delay)", func(key string) mutex {
			m := rs.NewMutex(key)
			return mutex{
				func(ctx context.Context) error {
					// Its default gives up after 32 tries; a waiter that
					// gave up tries again, as a caller would.
					for {
						err := m.LockContext(ctx)
						if !errors.Is(err, redsync.ErrFailed) {
							return err
						}
					}
				},
				func(ctx context.Context) error { _, err := m.UnlockContext(ctx); return err },
			}
		}, []string{"set", "evalsha"}},
		// The scripted floor as a lock, run through the same workloads: a
		// token that a one-LPUSH script gives back and BLPOP takes. No
		// owner, lease, fencing or line: what the hand-off of a lock
		// through Redis costs at least, measured under the same load as
		// the locks (8 goroutines on this machine's cores, the releaser
		// at once asking again). Before redislock, which stays last: the
		// uncontended rounds' reference.
		{"floor: a token list (a one-LPUSH script releases, BLPOP acquires)", func(key string) mutex {
			if rdb.SetNX(ctx, key+":made", 1, time.Hour).Val() {
				rdb.LPush(ctx, key, "t")
			}
			return mutex{
				func(ctx context.Context) error { return rdb.BLPop(ctx, 0, key).Err() },
				func(ctx context.Context) error { return pushScript.Run(ctx, rdb, []string{key}).Err() },
			}
		}, []string{"evalsha", "blpop"}},
		{"redislock (LinearBackoff 100ms; default NoRetry cannot wait)", func(key string) mutex {
			var l *redislock.Lock
			return mutex{
				func(ctx context.Context) (err error) {
					l, err = rl.Obtain(ctx, key, 30*time.Second, &redislock.Options{RetryStrategy: redislock.LinearBackoff(100 * time.Millisecond)})
					return err
				},
				func(ctx context.Context) error { return l.Release(ctx) },
			}
		}, []string{"evalsha"}},
	}

	rtt, idle := pingRTT(ctx, rdb, 0), pingRTT(ctx, rdb, hold)
	rel, err := releaseRTT(ctx, hc)
	if err != nil {
		return err
	}
	floor, err := rawHandoff(ctx, opt, func(ctx context.Context, c *redis.Client, k string) error {
		return c.LPush(ctx, k, "x").Err()
	})
	if err != nil {
		return err
	}
	scripted, err := rawHandoff(ctx, opt, func(ctx context.Context, c *redis.Client, k string) error {
		return pushScript.Run(ctx, c, []string{k}).Err()
	})
	if err != nil {
		return err
	}
	fmt.Printf("round trip (go-redis PING, median): %v back to back, %v after %v idle (as a hand-off pays it); "+
		"an uncontended hotredis Lock.Release (one script) after %v idle: %v; "+
		"raw hand-off floor (LPUSH after %v idle → another client's BLPOP returns, median): %v; "+
		"scripted hand-off floor (the same with the LPUSH inside a one-call script, as any owner-checked release must be): %v; "+
		"each measurement runs %v; contended: %d goroutines holding the lock %v each time\n\n",
		rtt, idle, hold, hold, rel, hold, floor, scripted, *duration, contenders, hold)
	fmt.Println("| library | uncontended Acquire+Release/s | contended hand-offs/s | hand-off median | hand-off p99 | median / RTT | median / idle RTT | median / raw hand-off | median / scripted hand-off | hand-offs measured |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for i, lib := range libs {
		key := fmt.Sprintf("hotbench:lock:%d:%d", time.Now().UnixNano(), i)
		un, err := uncontendedFor(ctx, lib, key+":u", *duration)
		if err != nil {
			return fmt.Errorf("%s: %w", lib.name, err)
		}
		ops, lat, err := contended(ctx, lib, key+":c")
		if err != nil {
			return fmt.Errorf("%s: %w", lib.name, err)
		}
		med, p99 := percentile(lat, 0.50), percentile(lat, 0.99)
		fmt.Printf("| %s | %.0f | %.0f | %v | %v | %.1f | %.1f | %.1f | %.1f | %d |\n", lib.name, un, ops, round(med), round(p99),
			float64(med)/float64(rtt), float64(med)/float64(idle), float64(med)/float64(floor), float64(med)/float64(scripted), len(lat))
	}
	if err := uncontendedRounds(ctx, libs); err != nil {
		return err
	}
	if err := idleCalls(ctx, libs); err != nil {
		return err
	}
	if os.Getenv("REDIS_URL") == "" { // (CONFIG RESETSTAT: only on hotbench's own server)
		if err := serverCosts(ctx, rdb, libs); err != nil {
			return err
		}
		if err := handoffCosts(ctx, rdb, opt, libs); err != nil {
			return err
		}
	}
	fmt.Printf("\nFree-running: %d goroutines each acquire, hold %v, release and at once acquire again (peers may let the releaser take the lock back).\n\n", contenders, hold)
	fmt.Println("| library | acquisitions/s | hand-offs (another goroutine next) | acquisitions per goroutine: fewest-most | wait median | wait p99 | wait max |")
	fmt.Println("|---|---:|---:|---|---:|---:|---:|")
	for i, lib := range libs {
		key := fmt.Sprintf("hotbench:lock:free:%d:%d", time.Now().UnixNano(), i)
		fr, err := freeRunning(ctx, lib, key)
		if err != nil {
			return fmt.Errorf("%s: %w", lib.name, err)
		}
		fmt.Printf("| %s | %.0f | %.0f%% | %d-%d | %v | %v | %v |\n", lib.name, fr.perSec, 100*fr.handoffs, fr.fewest, fr.most,
			round(percentile(fr.waits, 0.5)), round(percentile(fr.waits, 0.99)), round(percentile(fr.waits, 1)))
	}
	return nil
}

// freeRun is what freeRunning measured.
type freeRun struct {
	perSec       float64
	handoffs     float64 // of acquisitions, the fraction by another goroutine than the last holder
	fewest, most int     // acquisitions by the least and the most served goroutine
	waits        []time.Duration
}

// freeRunning runs contenders goroutines that acquire, hold for hold,
// release and at once try again, for the benchmark's duration: a lock
// without a line lets the releaser take it back (few hand-offs, unequal
// shares, long waits for the others).
func freeRunning(ctx context.Context, lib lockLib, key string) (freeRun, error) {
	var (
		mu       sync.Mutex
		last     = -1
		total    int
		moved    int
		counts   = make([]int, contenders)
		fr       freeRun
		firstErr error
		wg       sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(*duration)
	for g := range contenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := lib.handle(key)
			for time.Now().Before(stop) {
				t := time.Now()
				if err := m.lock(ctx); err != nil {
					mu.Lock()
					firstErr = cmp(firstErr, err)
					mu.Unlock()
					return
				}
				waited := time.Since(t)
				mu.Lock()
				if time.Now().Before(stop) {
					total++
					counts[g]++
					if last != g {
						moved++
					}
					fr.waits = append(fr.waits, waited)
				}
				last = g
				mu.Unlock()
				time.Sleep(hold)
				if err := m.unlock(ctx); err != nil {
					mu.Lock()
					firstErr = cmp(firstErr, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	fr.perSec = float64(total) / stop.Sub(start).Seconds()
	if total > 0 {
		fr.handoffs = float64(moved) / float64(total)
	}
	fr.fewest, fr.most = slices.Min(counts), slices.Max(counts)
	return fr, firstErr
}

// uncontendedFor runs uncontended Acquire+Release pairs for d and
// returns how many a second.
func uncontendedFor(ctx context.Context, lib lockLib, key string, d time.Duration) (float64, error) {
	m := lib.handle(key)
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if err := m.pair(ctx); err != nil {
			return 0, err
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// uncontendedRounds measures uncontended Acquire+Release pairs again, in
// alternating rounds (the order rotates each round), since this machine's
// speed drifts: each round's ratio of every library to redislock (the last
// library) compares runs a moment apart.
func uncontendedRounds(ctx context.Context, libs []lockLib) error {
	const rounds = 6
	d := max(*duration/4, 250*time.Millisecond)
	fmt.Printf("\nUncontended Acquire+Release pairs/s, %d rounds of %v per library, the order rotating; ratio to %s in the same round.\n\n", rounds, d, libs[len(libs)-1].name)
	fmt.Print("| round |")
	for _, lib := range libs {
		fmt.Printf(" %s |", lib.name)
	}
	fmt.Println()
	fmt.Println("|---|" + strings.Repeat("---:|", len(libs)))
	ratios := make([][]float64, len(libs))
	key := fmt.Sprintf("hotbench:lock:rounds:%d", time.Now().UnixNano())
	for r := range rounds {
		got := make([]float64, len(libs))
		for j := range libs {
			i := (r + j) % len(libs)
			n, err := uncontendedFor(ctx, libs[i], fmt.Sprintf("%s:%d", key, i), d)
			if err != nil {
				return fmt.Errorf("%s: %w", libs[i].name, err)
			}
			got[i] = n
		}
		fmt.Printf("| %d |", r+1)
		for i, n := range got {
			ratios[i] = append(ratios[i], n/got[len(got)-1])
			fmt.Printf(" %.0f (%.2fx) |", n, n/got[len(got)-1])
		}
		fmt.Println()
	}
	fmt.Print("| median ratio |")
	for i := range libs {
		slices.Sort(ratios[i])
		fmt.Printf(" %.2fx |", ratios[i][len(ratios[i])/2])
	}
	fmt.Println()
	return nil
}

// idleCalls times, for each library, an uncontended Acquire and a
// Release each called after hold of idleness (as a critical section
// leaves the connection and the server idle): medians of idleRounds, the
// libraries alternating round by round. Scripts cost the server more
// after an idle moment than back to back (cold caches), the more so the
// more calls they make.
func idleCalls(ctx context.Context, libs []lockLib) error {
	const idleRounds = 300
	fmt.Printf("\nUncontended calls after %v idle (medians of %d, the libraries alternating):\n\n", hold, idleRounds)
	fmt.Println("| library | Acquire | Release |")
	fmt.Println("|---|---:|---:|")
	ms := make([]mutex, len(libs))
	acq, rel := make([][]time.Duration, len(libs)), make([][]time.Duration, len(libs))
	for i, lib := range libs {
		ms[i] = lib.handle(fmt.Sprintf("hotbench:lock:idle:%d:%d", time.Now().UnixNano(), i))
	}
	for range idleRounds {
		for i, m := range ms {
			time.Sleep(hold)
			t := time.Now()
			if err := m.lock(ctx); err != nil {
				return fmt.Errorf("%s: %w", libs[i].name, err)
			}
			acq[i] = append(acq[i], time.Since(t))
			time.Sleep(hold)
			t = time.Now()
			if err := m.unlock(ctx); err != nil {
				return fmt.Errorf("%s: %w", libs[i].name, err)
			}
			rel[i] = append(rel[i], time.Since(t))
		}
	}
	for i, lib := range libs {
		fmt.Printf("| %s | %v | %v |\n", lib.name, round(percentile(acq[i], 0.5)), round(percentile(rel[i], 0.5)))
	}
	return nil
}

// serverCosts counts, for each library, the commands an uncontended
// Acquire+Release pair makes the server run (those it sends, lib.top,
// and those its scripts call) and their server time, by INFO
// commandstats around costPairs pairs on a fresh key. A script's time
// includes the commands it calls, which are listed too.
func serverCosts(ctx context.Context, rdb *redis.Client, libs []lockLib) error {
	const costPairs = 20_000
	fmt.Printf("\nServer time of an uncontended Acquire+Release, by INFO commandstats over %d pairs (a script's time includes the calls it makes, listed after it).\n\n", costPairs)
	fmt.Println("| library | commands sent a pair | server µs a pair | calls a pair, sent and by scripts (µs each) |")
	fmt.Println("|---|---:|---:|---|")
	for i, lib := range libs {
		m := lib.handle(fmt.Sprintf("hotbench:lock:cost:%d:%d", time.Now().UnixNano(), i))
		if err := m.pair(ctx); err != nil { // connections made, scripts loaded
			return fmt.Errorf("%s: %w", lib.name, err)
		}
		c, err := costsOf(ctx, rdb, lib.top, func() (int, error) {
			for range costPairs {
				if err := m.pair(ctx); err != nil {
					return 0, err
				}
			}
			return costPairs, nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", lib.name, err)
		}
		fmt.Printf("| %s | %.3g | %.1f | %s |\n", lib.name, c.sent, c.usec, c.calls)
	}
	return nil
}

// handoffCosts runs the contended loop again for each library, and the
// scripted hand-off floor, between resets of INFO commandstats, and
// prints what the server spent a hand-off: every call of the loop counts
// (the releaser's next acquire and the grantee's lease renewal too), and
// contended calls come after an idle moment (the holder's hold), when a
// script costs the server several times what it costs back to back.
func handoffCosts(ctx context.Context, rdb *redis.Client, opt *redis.Options, libs []lockLib) error {
	fmt.Printf("\nServer time a contended hand-off costs (INFO commandstats over the contended loop: %d goroutines, %v hold; the total counts the commands the clients send, their scripts' calls are listed after them).\n\n", contenders, hold)
	fmt.Println("| hand-off of | hand-offs | server µs a hand-off | calls a hand-off, sent and by scripts (µs each) |")
	fmt.Println("|---|---:|---:|---|")
	row := func(name string, top []string, run func() (int, error)) error {
		c, err := costsOf(ctx, rdb, top, run)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("| %s | %d | %.1f | %s |\n", name, c.n, c.usec, c.calls)
		return nil
	}
	for i, lib := range libs {
		err := row(lib.name, append(slices.Clone(lib.top), "xread"), func() (int, error) {
			_, hs, err := contended(ctx, lib, fmt.Sprintf("hotbench:lock:handoff-cost:%d:%d", time.Now().UnixNano(), i))
			return len(hs), err
		})
		if err != nil {
			return err
		}
	}
	return row("scripted floor (a one-call script's LPUSH wakes a BLPOP)", []string{"evalsha", "blpop"}, func() (int, error) {
		_, err := rawHandoff(ctx, opt, func(ctx context.Context, c *redis.Client, k string) error {
			return pushScript.Run(ctx, c, []string{k}).Err()
		})
		return handoffRounds, err
	})
}

// costs is what the server spent on n units of work (pairs, hand-offs):
// sent, the commands of top (those the clients send) a unit, usec their
// time a unit, and calls every command's count a unit and time a call.
type costs struct {
	n          int
	sent, usec float64
	calls      string
}

// costsOf runs run, which does some units of work and returns how many,
// between a reset of INFO commandstats and its reading.
func costsOf(ctx context.Context, rdb *redis.Client, top []string, run func() (int, error)) (costs, error) {
	if err := rdb.ConfigResetStat(ctx).Err(); err != nil {
		return costs{}, err
	}
	n, err := run()
	if err != nil || n == 0 {
		return costs{}, err
	}
	info, err := rdb.Info(ctx, "commandstats").Result()
	if err != nil {
		return costs{}, err
	}
	c := costs{n: n}
	var parts []string
	for _, st := range commandStats(info) {
		per := float64(st.calls) / float64(n)
		if per < 0.1 { // setup, a stray PING
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %.3g (%.2f)", st.name, per, float64(st.usec)/float64(st.calls)))
		if slices.Contains(top, st.name) {
			c.sent += per
			c.usec += float64(st.usec) / float64(n)
		}
	}
	c.calls = strings.Join(parts, ", ")
	return c, nil
}

// cmdCost is one command's line of INFO commandstats.
type cmdCost struct {
	name        string
	calls, usec int64
}

// commandStats returns every command of an INFO commandstats reply but
// the bench's own, the costliest first.
func commandStats(info string) []cmdCost {
	var out []cmdCost
	for line := range strings.SplitSeq(info, "\n") {
		name, _, ok := strings.Cut(strings.TrimSpace(line), ":")
		name, isStat := strings.CutPrefix(name, "cmdstat_")
		if !ok || !isStat || bookkeeping(strings.SplitN(name, "|", 2)[0]) {
			continue
		}
		calls, usec := commandStat(info, name)
		out = append(out, cmdCost{name, calls, usec})
	}
	slices.SortFunc(out, func(a, b cmdCost) int { return int(b.usec - a.usec) })
	return out
}

// contended runs contenders goroutines, each with its own handle, taking
// the lock, holding it for hold (a critical section), and releasing it,
// until the time is up. After releasing, a goroutine waits until another
// one has taken the lock (or the time is up) before it competes again, so the lock
// passes from one waiter to the next rather than being re-taken by the
// goroutine that just released it. A hand-off is measured when the new
// holder was already waiting when the previous one released: from just
// before the release call to the return of the new holder's acquire.
func contended(ctx context.Context, lib lockLib, key string) (opsPerSec float64, handoffs []time.Duration, err error) {
	var (
		mu          sync.Mutex
		lastRelease time.Time             // guarded by mu
		taken       = make(chan struct{}) // closed and replaced at each acquisition
		total       int
		firstErr    error
		wg          sync.WaitGroup
	)
	start := time.Now()
	stop := start.Add(*duration)
	for range contenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := lib.handle(key)
			for time.Now().Before(stop) {
				waitStart := time.Now()
				if err := m.lock(ctx); err != nil {
					mu.Lock()
					firstErr = cmp(firstErr, err)
					mu.Unlock()
					return
				}
				now := time.Now()
				mu.Lock()
				if waitStart.Before(lastRelease) {
					handoffs = append(handoffs, now.Sub(lastRelease))
				}
				if now.Before(stop) {
					total++
				}
				close(taken)
				taken = make(chan struct{})
				next := taken
				mu.Unlock()
				time.Sleep(hold)
				mu.Lock()
				lastRelease = time.Now()
				mu.Unlock()
				if err := m.unlock(ctx); err != nil {
					mu.Lock()
					firstErr = cmp(firstErr, err)
					mu.Unlock()
					return
				}
				select {
				case <-next:
				case <-time.After(time.Until(stop)):
				}
			}
		}()
	}
	wg.Wait()
	return float64(total) / stop.Sub(start).Seconds(), handoffs, firstErr
}

func cmp(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// pingRTT is the median time of a PING sent after idle: with idle 0, the
// round trip of a busy client; with idle as long as a critical section,
// the round trip a hand-off pays, which wakes an idle holder and an idle
// waiter (scheduler and CPU wake-ups cost more than the network here).
func pingRTT(ctx context.Context, rdb *redis.Client, idle time.Duration) time.Duration {
	var ds []time.Duration
	for range min(2000, int(time.Second/(idle+time.Microsecond))) {
		time.Sleep(idle)
		t := time.Now()
		rdb.Ping(ctx)
		ds = append(ds, time.Since(t))
	}
	return percentile(ds, 0.5)
}

// pushScript is the least a scripted release can do: one LPUSH.
var pushScript = redis.NewScript("return redis.call('LPUSH', KEYS[1], 'x')")

// rawHandoff is the median time from a push (an LPUSH, or a script that
// runs one) sent after hold idle to the return of a BLPOP on the same list
// waiting in another client: the least any hand-off through Redis can
// take, one command's trip to the server and one reply's trip back, with
// both sides woken from idle. A lock's release must check the owner and
// hand over in one step, so it is a script: the scripted floor is the
// least such a release can take.
// handoffRounds is how many hand-offs rawHandoff measures.
const handoffRounds = 500

func rawHandoff(ctx context.Context, opt *redis.Options, push func(context.Context, *redis.Client, string) error) (time.Duration, error) {
	pusher, waiter := redis.NewClient(opt), redis.NewClient(opt)
	defer pusher.Close()
	defer waiter.Close()
	k := fmt.Sprintf("hotbench:raw-handoff:%d", time.Now().UnixNano())
	defer pusher.Del(ctx, k)
	var ds []time.Duration
	for range handoffRounds {
		sent, pushed := make(chan time.Time, 1), make(chan error, 1)
		go func() {
			time.Sleep(hold)
			sent <- time.Now()
			pushed <- push(ctx, pusher, k)
		}()
		if err := waiter.BLPop(ctx, 2*time.Second, k).Err(); err != nil {
			return 0, fmt.Errorf("raw hand-off: BLPOP: %w (push: %v)", err, <-pushed)
		}
		ds = append(ds, time.Since(<-sent))
		if err := <-pushed; err != nil {
			return 0, fmt.Errorf("raw hand-off: push: %w", err)
		}
	}
	return percentile(ds, 0.5), nil
}

// releaseRTT is the median time of an uncontended Lock.Release called
// after holding the lock for hold: the least a hand-off can cost when the
// release itself hands the lock over.
func releaseRTT(ctx context.Context, hc *hotredis.Client) (time.Duration, error) {
	l := hotredis.NewLock(fmt.Sprintf("hotbench:release:%d", time.Now().UnixNano()), hotredis.WithClient(hc))
	var ds []time.Duration
	for range 500 {
		if err := l.Acquire(ctx); err != nil {
			return 0, err
		}
		time.Sleep(hold)
		t := time.Now()
		if err := l.Release(ctx); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(t))
	}
	return percentile(ds, 0.5), nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func round(d time.Duration) time.Duration {
	switch {
	case d > 10*time.Millisecond:
		return d.Round(time.Millisecond)
	case d > 10*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
