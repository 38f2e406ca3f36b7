package inspect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/keys"
)

// waitGroup reads a WaitGroup (wg_lib.lua): a hash {count, lost} and the
// leased members started by Go (sorted set: id -> lease expiry, ms).
func (r *reader) waitGroup(ctx context.Context, o *Object, p *probe) error {
	var (
		hm      *redis.SliceCmd
		n       *redis.IntCmd
		members *redis.ZSliceCmd
	)
	mk := keys.Aux(p.key, "members")
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		hm = pp.HMGet(ctx, p.key, "count", "lost")
		n, members = pp.ZCard(ctx, mk), pp.ZRangeWithScores(ctx, mk, 0, r.limit-1)
	})
	if err != nil {
		return err
	}
	v := vals(hm, 2)
	w := &WaitGroup{Count: r.num("the count", v[0]), Lost: r.num("the lost members", v[1])}
	w.Members = r.members(members.Val())
	w.MoreMembers = n.Val() - int64(len(w.Members))
	o.WaitGroup = w
	return nil
}

// members reads leased ids (id -> lease expiry, ms).
func (r *reader) members(zs []redis.Z) []Member {
	var out []Member
	for _, z := range zs {
		left := r.until(z.Score)
		out = append(out, Member{ID: z.Member.(string), LeaseLeft: ms(left), Expired: left <= 0})
	}
	return out
}

// barrier reads a Barrier (barrier_lib.lua): a hash {gen, n, broken,
// done, lost, w, i, from} and the round's waiters (sorted set: id ->
// lease expiry).
func (r *reader) barrier(ctx context.Context, o *Object, p *probe) error {
	var (
		h       *redis.MapStringStringCmd
		n       *redis.IntCmd
		waiters *redis.ZSliceCmd
	)
	wk := keys.Aux(p.key, "waiting")
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		h = pp.HGetAll(ctx, p.key)
		n, waiters = pp.ZCard(ctx, wk), pp.ZRangeWithScores(ctx, wk, 0, r.limit-1)
	})
	if err != nil {
		return err
	}
	f := h.Val()
	b := &Barrier{Broken: f["broken"] == "1"}
	b.Round = r.num("the round", f["gen"])
	b.Arrived = r.num("the arrivals", f["n"])
	b.LastDone = r.num("the last round done", f["done"])
	for _, s := range strings.Fields(f["lost"]) {
		if g, err := strconv.ParseInt(s, 10, 64); err == nil {
			b.Lost = append(b.Lost, g)
		}
	}
	b.Waiters = r.members(waiters.Val())
	b.MoreWaiters = n.Val() - int64(len(b.Waiters))
	o.Barrier = b
	o.Notes = append(o.Notes, "a barrier's number of parties is not stored (it is the handles')")
	return nil
}

// once reads a Once (once_begin.lua): "1" at the key once done, the
// running Do's id at {key}:runner expiring with its lease, and the
// outcome of the latest run on the wake stream.
func (r *reader) once(ctx context.Context, o *Object, p *probe) error {
	var (
		runner *redis.StringCmd
		pttl   *redis.DurationCmd
	)
	rk := keys.Aux(p.key, "runner")
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		runner, pttl = pp.Get(ctx, rk), pp.PTTL(ctx, rk)
	})
	if err != nil {
		return err
	}
	c := &Once{Done: p.typ == "string" && p.head == "1", Runner: runner.Val()}
	if d, err := pttl.Result(); err == nil && c.Runner != "" && d >= 0 {
		c.RunnerLeaseLeft = msp(d.Milliseconds())
	}
	switch p.wake["ok"] {
	case "1":
		c.LastRun = "ok"
	case "0":
		c.LastRun = "failed: " + p.wake["m"]
	case "-":
		c.LastRun = "given up before it ran"
	}
	o.Once = c
	return nil
}

// limiter reads a Limiter's bucket (limiter_reserve.lua): the time, µs of
// server time, at which it is full again.
func (r *reader) limiter(p *probe) *Limiter {
	tat := r.real("the bucket's time", p.head)
	return &Limiter{FullIn: ms(max(0, int64(tat)-r.nowUS) / 1000)}
}

// value reads a plain collection or scalar: its size and a sample.
func (r *reader) value(ctx context.Context, o *Object, p *probe) error {
	const sample = 5
	k, v := p.key, &Value{}
	var (
		size  *redis.IntCmd
		items *redis.StringSliceCmd
		str   *redis.StringCmd
		scan  *redis.ScanCmd
		zs    *redis.ZSliceCmd
		xs    *redis.XMessageSliceCmd
	)
	err := pipe(ctx, r.rdb, func(pp redis.Pipeliner) {
		switch p.typ {
		case "string":
			size, str = pp.StrLen(ctx, k), pp.GetRange(ctx, k, 0, 199)
		case "list":
			size, items = pp.LLen(ctx, k), pp.LRange(ctx, k, 0, sample-1)
		case "set":
			size, scan = pp.SCard(ctx, k), pp.SScan(ctx, k, 0, "", 2*sample)
		case "hash":
			size, scan = pp.HLen(ctx, k), pp.HScan(ctx, k, 0, "", 2*sample)
		case "zset":
			size, zs = pp.ZCard(ctx, k), pp.ZRangeWithScores(ctx, k, 0, sample-1)
		case "stream":
			size, xs = pp.XLen(ctx, k), pp.XRevRangeN(ctx, k, "+", "-", 3)
		}
	})
	if err != nil {
		return err
	}
	if size == nil {
		return nil // a type inspect does not read
	}
	o.Value = v
	v.Size = size.Val()
	switch {
	case str != nil:
		v.Sample = []string{str.Val()}
		v.Truncated = v.Size > int64(len(str.Val()))
	case items != nil:
		v.Sample = items.Val()
	case scan != nil && p.typ == "set":
		v.Sample, _ = scan.Val()
	case scan != nil:
		kv, _ := scan.Val()
		counts := true
		for i := 0; i+1 < len(kv); i += 2 {
			v.Pairs = append(v.Pairs, [2]string{kv[i], kv[i+1]})
			if _, err := strconv.ParseInt(kv[i+1], 10, 64); err != nil {
				counts = false
			}
		}
		if !counts && o.Kind == KindHash {
			o.Types = []string{"Map", "DefaultMap"}
		}
	case zs != nil:
		for _, z := range zs.Val() {
			v.Pairs = append(v.Pairs, [2]string{fmt.Sprint(z.Member), strconv.FormatFloat(z.Score, 'g', -1, 64)})
		}
	case xs != nil:
		for _, m := range xs.Val() {
			s := m.ID
			for _, f := range slices.Sorted(maps.Keys(m.Values)) {
				s += fmt.Sprintf(" %s=%v", f, m.Values[f])
			}
			v.Sample = append(v.Sample, s)
		}
	}
	if len(v.Sample) > sample {
		v.Sample = v.Sample[:sample]
	}
	if len(v.Pairs) > sample {
		v.Pairs = v.Pairs[:sample]
	}
	v.Truncated = v.Truncated || int64(len(v.Sample)+len(v.Pairs)) < v.Size && p.typ != "string"
	v.Sample = clip(v.Sample)
	for i := range v.Pairs {
		v.Pairs[i][0], v.Pairs[i][1] = clip1(v.Pairs[i][0]), clip1(v.Pairs[i][1])
	}
	return nil
}

func clip1(s string) string { return clip([]string{s})[0] }
