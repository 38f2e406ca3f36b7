package main

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/internal/lua"
)

func init() { benches["ops"] = benchOps }

// rounds is how many times each side of a pair runs, alternately: pairing
// the rounds cancels the drift of a shared machine's load.
const rounds = 30

// parallelism is the number of goroutines of the parallel measurement,
// sharing one client (auto-pipelined), as in the go test benchmarks.
const parallelism = 64

// opsParallel is the number of goroutines of ops's parallel measurement.
var opsParallel = flag.Int("g", parallelism, "ops: goroutines of the parallel measurement")

// opPair is one hotredis operation and the raw command(s) it sends, by
// rueidis (cmd) and, for single commands, by go-redis (gr; nil if none).
type opPair struct {
	name, raw    string
	hot, cmd, gr func(ctx context.Context) error
}

// cancellable makes ops pass a context that can be cancelled, as a
// request's is, instead of context.Background().
var cancellable = flag.Bool("cancellable", false, "ops: pass every call a context that can be cancelled")

// waiters makes ops measure beside goroutines that wait: on each client,
// that many blocked in a take from an empty queue (Queue.Get; BRPOP), as
// a program's idle workers are.
var waiters = flag.Int("waiters", 0, "ops: goroutines kept waiting on each client (Queue.Get; BRPOP) while the ops are measured")

// benchOps measures each single-command hotredis operation beside the raw
// rueidis client and the raw go-redis client sending the same command to
// the same server, in rounds that rotate the three sides, from one
// goroutine and from 64 (-g). It prints a markdown table: medians of per-op
// time and the medians of the per-round ratios hotredis/raw. (The raw
// rueidis client has served 64 goroutines by the second row: from then on
// it hands every call to its pipeline goroutines, also serial ones; see
// the transports bench.)
func benchOps(url string) error {
	ctx := context.Background()
	if *cancellable {
		// What a server's request handler passes: a context that can be
		// cancelled (every side then honours its end as it runs).
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
	}
	hc, err := hotredis.NewClientURL(url)
	if err != nil {
		return err
	}
	defer hc.Close()
	opt, err := rueidis.ParseURL(url)
	if err != nil {
		return err
	}
	opt.DisableCache = true
	rc, err := rueidis.NewClient(opt)
	if err != nil {
		return err
	}
	defer rc.Close()

	gopt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	rdb := redis.NewClient(gopt)
	defer rdb.Close()
	pairs, cleanup, err := opPairs(ctx, hc, rc, rdb)
	defer cleanup()
	if err != nil {
		return err
	}
	if *waiters > 0 {
		stop, err := startWaiters(ctx, *waiters, hc, rc, rdb)
		if err != nil {
			return err
		}
		defer stop()
	}
	ping := func(ctx context.Context) error { return rc.Do(ctx, rc.B().Ping().Build()).Error() }
	rtt, err := measure(ctx, ping, 1, *duration/10)
	if err != nil {
		return err
	}
	fmt.Printf("PING round trip: %.1f µs; each pair alternates %d rounds over %v; cancellable context: %v; waiters on each client: %d\n\n", rtt/1e3, rounds, *duration, *cancellable, *waiters)
	fmt.Printf("| hotredis op | raw command | serial µs/op | rueidis µs/op | ratio | go-redis µs/op | ratio | %d goroutines µs/op | rueidis µs/op | ratio | go-redis µs/op | ratio |\n", *opsParallel)
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, p := range pairs {
		s, err := compare(ctx, p, 1)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		par, err := compare(ctx, p, *opsParallel)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		fmt.Printf("| %s | %s | %s | %s |\n", p.name, p.raw, s.cells(), par.cells())
	}
	return allocTable(ctx, pairs)
}

// allocRuns is how many serial calls allocsPerOp averages over.
const allocRuns = 2000

// allocTable prints, for each pair, the allocations of one serial call of
// each side: the goal is hotredis at most raw rueidis + 1 (and a
// Queue Put+Get at most 8).
func allocTable(ctx context.Context, pairs []opPair) error {
	fmt.Printf("\nAllocations per call, serially (testing.AllocsPerRun over %d calls after %d to warm up; the whole process's, the clients' own goroutines too):\n\n", allocRuns, allocRuns/10)
	fmt.Println("| hotredis op | hotredis | rueidis | go-redis | hotredis - rueidis |")
	fmt.Println("|---|---:|---:|---:|---:|")
	for _, p := range pairs {
		var n [3]float64
		for i, op := range []func(context.Context) error{p.hot, p.cmd, p.gr} {
			if op == nil {
				n[i] = -1
				continue
			}
			var err error
			if n[i], err = allocsPerOp(ctx, op); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
		}
		gr := "—"
		if n[2] >= 0 {
			gr = fmt.Sprintf("%.1f", n[2])
		}
		fmt.Printf("| %s | %.1f | %.1f | %s | %+.1f |\n", p.name, n[0], n[1], gr, n[0]-n[1])
	}
	return nil
}

// allocsPerOp is how many allocations one serial call of op makes.
func allocsPerOp(ctx context.Context, op func(context.Context) error) (float64, error) {
	var err error
	for range allocRuns / 10 {
		if err = op(ctx); err != nil {
			return 0, err
		}
	}
	n := testing.AllocsPerRun(allocRuns, func() {
		if e := op(ctx); e != nil && err == nil {
			err = e
		}
	})
	return n, err
}

// startWaiters starts n goroutines on each client blocked in a take from
// an empty queue of their own until stop, and waits until the server
// counts them all blocked.
func startWaiters(ctx context.Context, n int, hc *hotredis.Client, rc rueidis.Client, rdb *redis.Client) (stop func(), _ error) {
	prefix := fmt.Sprintf("{hotbench:%d}:wait:", time.Now().UnixNano())
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range n {
		q := hotredis.NewQueue[string](fmt.Sprint(prefix, "hot:", i), hotredis.WithClient(hc))
		rk, gk := fmt.Sprint(prefix, "rueidis:", i), fmt.Sprint(prefix, "goredis:", i)
		wg.Add(3)
		go func() {
			defer wg.Done()
			for wctx.Err() == nil {
				q.Get(wctx)
			}
		}()
		go func() {
			defer wg.Done()
			for wctx.Err() == nil {
				rc.Do(wctx, rc.B().Brpop().Key(rk).Timeout(1).Build())
			}
		}()
		go func() {
			defer wg.Done()
			for wctx.Err() == nil {
				rdb.BRPop(wctx, time.Second, gk)
			}
		}()
	}
	stop = func() {
		cancel()
		wg.Wait()
		for i := range n {
			hotredis.NewQueue[string](fmt.Sprint(prefix, "hot:", i), hotredis.WithClient(hc)).Delete(ctx)
		}
	}
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		info, err := rc.Do(ctx, rc.B().Info().Section("clients").Build()).ToString()
		if err != nil {
			stop()
			return nil, err
		}
		var blocked int
		if _, rest, ok := strings.Cut(info, "blocked_clients:"); ok {
			fmt.Sscan(rest, &blocked)
		}
		if blocked >= 3*n {
			return stop, nil
		}
		if time.Since(start) > 10*time.Second {
			stop()
			return nil, fmt.Errorf("%d of %d waiters blocked after 10s", blocked, 3*n)
		}
	}
}

// cells formats a result as table cells.
func (r result) cells() string {
	gr := "— | —"
	if r.gr > 0 {
		gr = fmt.Sprintf("%.1f | %.2f", r.gr/1e3, r.grRatio)
	}
	return fmt.Sprintf("%.1f | %.1f | %.2f | %s", r.hot/1e3, r.raw/1e3, r.ratio, gr)
}

// result is a pair's medians: ns per op of each side (gr 0 when there
// is no go-redis side), and of the per-round ratios hotredis / raw.
type result struct{ hot, raw, ratio, gr, grRatio float64 }

// compare runs the sides of p (hotredis, rueidis, go-redis if any) in
// rounds, each round in an order rotated by one.
func compare(ctx context.Context, p opPair, goroutines int) (result, error) {
	sides := []func(context.Context) error{p.hot, p.cmd}
	if p.gr != nil {
		sides = append(sides, p.gr)
	}
	per, err := rotated(ctx, sides, goroutines)
	if err != nil {
		return result{}, err
	}
	ratio := make([][]float64, len(sides))
	for i := range sides {
		for r := range per[i] {
			ratio[i] = append(ratio[i], per[0][r]/per[i][r])
		}
	}
	res := result{hot: median(per[0]), raw: median(per[1]), ratio: median(ratio[1])}
	if p.gr != nil {
		res.gr, res.grRatio = median(per[2]), median(ratio[2])
	}
	return res, nil
}

// rotated measures sides from goroutines goroutines in rounds (their
// share of -d each), every side once a round in an order rotated by one,
// so that the machine's drift hits all alike; it returns each side's ns
// per op, round by round.
func rotated(ctx context.Context, sides []func(context.Context) error, goroutines int) ([][]float64, error) {
	slot := *duration / time.Duration(len(sides)*rounds)
	per := make([][]float64, len(sides))
	for r := range rounds {
		for j := range sides {
			i := (j + r) % len(sides)
			ns, err := measure(ctx, sides[i], goroutines, slot)
			if err != nil {
				return nil, err
			}
			per[i] = append(per[i], ns)
		}
	}
	return per, nil
}

// measure runs op from goroutines goroutines for about d and returns the
// wall time per operation in ns (the inverse of throughput).
func measure(ctx context.Context, op func(context.Context) error, goroutines int, d time.Duration) (float64, error) {
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range goroutines {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := op(ctx); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(time.Since(start).Nanoseconds()) / float64(max(n.Load(), 1)), nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// opPairs makes the pairs on fresh keys, each side with a key of its own,
// and returns a cleanup that deletes them.
func opPairs(ctx context.Context, hc *hotredis.Client, rc rueidis.Client, rdb *redis.Client) ([]opPair, func(), error) {
	prefix := fmt.Sprintf("{hotbench:%d}:", time.Now().UnixNano())
	var made []string
	k := func(name string) string {
		made = append(made, prefix+name)
		return prefix + name
	}
	cleanup := func() {
		for _, key := range made {
			rc.Do(ctx, rc.B().Del().Key(key).Build())
		}
	}
	do := func(b rueidis.Completed) func(context.Context) error {
		cmd := b.Pin() // reused by every call
		return func(ctx context.Context) error { return rc.Do(ctx, cmd).Error() }
	}
	// gr sends the same command by go-redis.
	gr := func(b rueidis.Completed) func(context.Context) error {
		tokens := b.Commands()
		args := make([]any, len(tokens))
		for i, t := range tokens {
			args[i] = t
		}
		return func(ctx context.Context) error {
			err := rdb.Do(ctx, args...).Err()
			if err == redis.Nil {
				return nil
			}
			return err
		}
	}
	// pair makes the opPair of a single command b.
	pair := func(name, raw string, hot func(context.Context) error, b rueidis.Completed) opPair {
		return opPair{name, raw, hot, do(b), gr(b)}
	}
	w := hotredis.WithClient(hc)
	var i atomic.Uint64
	member := func() int64 { return int64(i.Add(1) % 1000) }

	list := hotredis.NewList[string](k("list"), w)
	rawList := k("raw-list")
	if _, err := list.Append(ctx, slices.Repeat([]string{"v"}, 100)...); err != nil {
		return nil, cleanup, err
	}
	if err := rc.Do(ctx, rc.B().Rpush().Key(rawList).Element(slices.Repeat([]string{"v"}, 100)...).Build()).Error(); err != nil {
		return nil, cleanup, err
	}
	appendList := hotredis.NewList[string](k("append"), w)
	rawAppend := k("raw-append")
	set, rawSet := hotredis.NewSet[int64](k("set"), w), k("raw-set")
	m, rawMap := hotredis.NewMap[string, string](k("map"), w), k("raw-map")
	if err := m.Set(ctx, "f", "v"); err != nil {
		return nil, cleanup, err
	}
	rc.Do(ctx, rc.B().Hset().Key(rawMap).FieldValue().FieldValue("f", "v").Build())
	counter, rawCounter := hotredis.NewCounter[string](k("counter"), w), k("raw-counter")
	n, rawInt := hotredis.NewInt(k("int"), w), k("raw-int")
	mul, rawMul := hotredis.NewInt(k("mul"), w), k("raw-mul")
	f, rawFloat := hotredis.NewFloat(k("float"), w), k("raw-float")
	fi, rawFloatIncr := hotredis.NewFloat(k("float-incr"), w, hotredis.WithIncrByFloat()), k("raw-float-incr")
	s, rawString := hotredis.NewString(k("string"), w), k("raw-string")
	q, rawQueue := hotredis.NewQueue[string](k("queue"), w), k("raw-queue")
	if err := mul.Store(ctx, 1<<60+1); err != nil {
		return nil, cleanup, err
	}
	// Whole reads: a set and a map of 1,000 (the list above has 100).
	members, rawMembers := hotredis.NewSet[string](k("members"), w), k("raw-members")
	items, rawItems := hotredis.NewMap[string, string](k("items"), w), k("raw-items")
	ms, fv := make([]string, 1000), make(map[string]string, 1000)
	for i := range ms {
		ms[i] = fmt.Sprint("member-", i)
		fv[ms[i]] = fmt.Sprint("value-", i)
	}
	if _, err := members.Add(ctx, ms...); err != nil {
		return nil, cleanup, err
	}
	if err := items.SetMany(ctx, fv); err != nil {
		return nil, cleanup, err
	}
	hset := rc.B().Hset().Key(rawItems).FieldValue()
	for f, v := range fv {
		hset = hset.FieldValue(f, v)
	}
	for _, c := range []rueidis.Completed{rc.B().Sadd().Key(rawMembers).Member(ms...).Build(), hset.Build()} {
		if err := rc.Do(ctx, c).Error(); err != nil {
			return nil, cleanup, err
		}
	}
	rc.Do(ctx, rc.B().Set().Key(rawMul).Value("1152921504606846977").Build())

	pairs := []opPair{
		pair("List.Append", "RPUSH", func(ctx context.Context) error { _, err := appendList.Append(ctx, "v"); return err },
			rc.B().Rpush().Key(rawAppend).Element("v").Build()),
		pair("List.Get", "LINDEX", func(ctx context.Context) error { _, err := list.Get(ctx, 50); return err },
			rc.B().Lindex().Key(rawList).Index(50).Build()),
		pair("List.Len", "LLEN", func(ctx context.Context) error { _, err := list.Len(ctx); return err },
			rc.B().Llen().Key(rawList).Build()),
		{"Set.Add", "SADD", func(ctx context.Context) error { _, err := set.Add(ctx, member()); return err },
			func(ctx context.Context) error {
				return rc.Do(ctx, rc.B().Sadd().Key(rawSet).Member(fmt.Sprint(member())).Build()).Error()
			}, func(ctx context.Context) error { return rdb.SAdd(ctx, rawSet, member()).Err() }},
		pair("Set.Contains", "SISMEMBER", func(ctx context.Context) error { _, err := set.Contains(ctx, 7); return err },
			rc.B().Sismember().Key(rawSet).Member("7").Build()),
		pair("Map.Set", "HSET", func(ctx context.Context) error { return m.Set(ctx, "f", "v") },
			rc.B().Hset().Key(rawMap).FieldValue().FieldValue("f", "v").Build()),
		pair("Map.Get", "HGET", func(ctx context.Context) error { _, _, err := m.Get(ctx, "f"); return err },
			rc.B().Hget().Key(rawMap).Field("f").Build()),
		pair("Counter.Add", "HINCRBY", func(ctx context.Context) error { _, err := counter.Add(ctx, "a", 1); return err },
			rc.B().Hincrby().Key(rawCounter).Field("a").Increment(1).Build()),
		pair("Int.Add", "INCRBY", func(ctx context.Context) error { _, err := n.Add(ctx, 1); return err },
			rc.B().Incrby().Key(rawInt).Increment(1).Build()),
		pair("Float.Add", "INCRBYFLOAT", func(ctx context.Context) error { _, err := f.Add(ctx, 1.5); return err },
			rc.B().Incrbyfloat().Key(rawFloat).Increment(1.5).Build()),
		pair("Float.Add WithIncrByFloat", "INCRBYFLOAT", func(ctx context.Context) error { _, err := fi.Add(ctx, 1.5); return err },
			rc.B().Incrbyfloat().Key(rawFloatIncr).Increment(1.5).Build()),
		pair("String.Append", "APPEND", func(ctx context.Context) error { _, err := s.Append(ctx, "v"); return err },
			rc.B().Append().Key(rawString).Value("v").Build()),
		// (The raw sides of whole reads return Go values too.)
		{"List.Values (100)", "LRANGE 0 -1", func(ctx context.Context) error { _, err := list.Values(ctx); return err },
			func(ctx context.Context) error {
				_, err := rc.Do(ctx, rc.B().Lrange().Key(rawList).Start(0).Stop(-1).Build()).AsStrSlice()
				return err
			}, func(ctx context.Context) error { return rdb.LRange(ctx, rawList, 0, -1).Err() }},
		{"Set.Members (1,000)", "SMEMBERS", func(ctx context.Context) error { _, err := members.Members(ctx); return err },
			func(ctx context.Context) error {
				_, err := rc.Do(ctx, rc.B().Smembers().Key(rawMembers).Build()).AsStrSlice()
				return err
			}, func(ctx context.Context) error { return rdb.SMembers(ctx, rawMembers).Err() }},
		{"Map.Items (1,000)", "HGETALL", func(ctx context.Context) error { _, err := items.Items(ctx); return err },
			func(ctx context.Context) error {
				_, err := rc.Do(ctx, rc.B().Hgetall().Key(rawItems).Build()).AsStrMap()
				return err
			}, func(ctx context.Context) error { return rdb.HGetAll(ctx, rawItems).Err() }},
		{"Queue.Put+Get", "LPUSH+BRPOP", func(ctx context.Context) error {
			if err := q.Put(ctx, "v"); err != nil {
				return err
			}
			_, err := q.Get(ctx)
			return err
		}, func(ctx context.Context) error {
			if err := rc.Do(ctx, rc.B().Lpush().Key(rawQueue).Element("v").Build()).Error(); err != nil {
				return err
			}
			return rc.Do(ctx, rc.B().Brpop().Key(rawQueue).Timeout(1).Build()).Error()
		}, func(ctx context.Context) error {
			if err := rdb.LPush(ctx, rawQueue, "v").Err(); err != nil {
				return err
			}
			return rdb.BRPop(ctx, time.Second, rawQueue).Err()
		}},
	}
	// Int.Mul beside the raw EVALSHA of its own script.
	arith := lua.Load("int_arith")
	if err := rc.Do(ctx, rc.B().ScriptLoad().Script(arith.Src).Build()).Error(); err != nil {
		return nil, cleanup, err
	}
	pairs = append(pairs, pair("Int.Mul", "EVALSHA (same script)",
		func(ctx context.Context) error { _, err := mul.Mul(ctx, 1); return err },
		rc.B().Evalsha().Sha1(arith.SHA).Numkeys(1).Key(rawMul).Arg("mul", "1").Build()))
	return pairs, cleanup, nil
}
