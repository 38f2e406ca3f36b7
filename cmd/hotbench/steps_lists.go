package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// The list rows work on listKey, reset before each run from listOrig, a
// copy saved once per size.
const (
	listKey  = "{steps}:l"
	listOrig = "{steps}:l:orig"
	// marker is what the native Insert and PopAt put at an index, to
	// find it by value: no element of the list is a string.
	marker = "hotbench:marker"
	// farEnd is the list's last element, found nowhere else.
	farEnd = -1
)

// listRows builds a list of n elements (unless the filter keeps no list
// row of that size) and runs the list rows on it.
func (b *stepsBench) listRows(report *stallReport, cfg stepsConfig, n int) error {
	elems := listData(n)
	ops := cfg.filter(b.listOps(elems))
	if len(ops) == 0 {
		return nil
	}
	if err := b.pushList(listOrig, elems); err != nil {
		return err
	}
	defer b.admin.Unlink(b.ctx, listKey, listOrig)
	for _, op := range ops {
		if err := b.runRow(report, op); err != nil {
			return err
		}
	}
	return nil
}

// listData is the list the rows start from: numbers in [0, 1e6) from a
// fixed seed, but for the last element, farEnd.
func listData(n int) []int {
	r := rand.New(rand.NewPCG(1, 2))
	elems := make([]int, n)
	for i := range elems {
		elems[i] = r.IntN(1_000_000)
	}
	elems[n-1] = farEnd
	return elems
}

// pushList writes elems to a new list at key, fast: RPUSHes of 100,000
// elements, pipelined 10 at a time.
func (b *stepsBench) pushList(key string, elems []int) error {
	const chunk, perTrip = 100_000, 10
	if err := b.admin.Unlink(b.ctx, key).Err(); err != nil {
		return err
	}
	for len(elems) > 0 {
		_, err := b.raw.Pipelined(b.ctx, func(p redis.Pipeliner) error {
			for range perTrip {
				k := min(len(elems), chunk)
				if k == 0 {
					break
				}
				p.RPush(b.ctx, key, args(elems[:k])...)
				elems = elems[k:]
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// listOps are the list rows on elems (which listOrig holds).
func (b *stepsBench) listOps(elems []int) []stepOp {
	l := hotredis.NewList[int](listKey, hotredis.WithClient(b.hc))
	raw := b.raw
	n, mid := len(elems), len(elems)/2
	common := strconv.Itoa(elems[mid]) // Count's value
	ops := []stepOp{
		{name: "List.Values",
			hot:    func(ctx context.Context) error { _, err := l.Values(ctx); return err },
			native: "LRANGE 0 -1",
			raw:    func(ctx context.Context) error { return raw.LRange(ctx, listKey, 0, -1).Err() }},
		{name: "List.Count",
			hot:    func(ctx context.Context) error { _, err := l.Count(ctx, elems[mid]); return err },
			native: "LPOS v COUNT 0",
			raw: func(ctx context.Context) error {
				return raw.LPosCount(ctx, listKey, common, 0, redis.LPosArgs{}).Err()
			}},
		// The fastest native way whose every step stays short: Redis has
		// no LPOS from an offset, so a client that must not hold the
		// server reads the list in LRANGE stretches and counts itself
		// (not a snapshot; hotredis's Count keeps its cost on the server).
		{name: "List.Count (bounded)",
			hot:    func(ctx context.Context) error { _, err := l.Count(ctx, elems[mid]); return err },
			native: "LRANGE ×" + strconv.Itoa((n+boundedRange-1)/boundedRange) + ", counted by the client",
			raw:    b.rawBoundedCount(n, common)},
		{name: "List.Index (far end)",
			hot:    func(ctx context.Context) error { _, err := l.Index(ctx, farEnd); return err },
			native: "LPOS v",
			raw: func(ctx context.Context) error {
				return raw.LPos(ctx, listKey, strconv.Itoa(farEnd), redis.LPosArgs{}).Err()
			}},
		{name: "List.Reverse", hot: l.Reverse},
		{name: "List.Sort",
			hot:    func(ctx context.Context) error { return l.Sort(ctx, false) },
			native: "SORT key STORE key",
			raw:    func(ctx context.Context) error { return raw.SortStore(ctx, listKey, listKey, &redis.Sort{}).Err() }},
		{name: "List.Repeat(2)", hot: func(ctx context.Context) error { _, err := l.Repeat(ctx, 2); return err }},
		{name: "List.Replace (same length)",
			hot:    func(ctx context.Context) error { return l.Replace(ctx, elems...) },
			native: "MULTI: DEL, RPUSH×" + strconv.Itoa((n+rawChunk-1)/rawChunk),
			raw:    b.rawReplace(elems)},
		{name: "List.Insert (middle)",
			hot:    func(ctx context.Context) error { return l.Insert(ctx, mid, 7) },
			native: "LINDEX; MULTI: LSET, LINSERT, LSET",
			raw:    b.rawInsert(mid, 7)},
		{name: "List.PopAt (middle)",
			hot:    func(ctx context.Context) error { _, err := l.PopAt(ctx, mid); return err },
			native: "LINDEX; MULTI: LSET, LREM",
			raw:    b.rawPopAt(mid)},
		{name: "List.Delete (UNLINK)", hot: l.Delete, native: "DEL",
			raw: func(ctx context.Context) error { return raw.Del(ctx, listKey).Err() }},
	}
	for i := range ops {
		ops[i].size = humanN(n)
		ops[i].prepare = b.copyKeys([2]string{listKey, listOrig})
	}
	return ops
}

// boundedRange is how many elements one LRANGE of rawBoundedCount reads:
// a step of a few ms (~70 ns an element).
const boundedRange = 100_000

// rawBoundedCount counts v in the list of n elements, reading it in
// LRANGE stretches of boundedRange, one round trip each.
func (b *stepsBench) rawBoundedCount(n int, v string) func(context.Context) error {
	return func(ctx context.Context) error {
		count := 0
		for i := 0; i < n; i += boundedRange {
			vs, err := b.raw.LRange(ctx, listKey, int64(i), int64(i+boundedRange-1)).Result()
			if err != nil {
				return err
			}
			for _, s := range vs {
				if s == v {
					count++
				}
			}
		}
		if count == 0 {
			return fmt.Errorf("bounded count: %q not found", v)
		}
		return nil
	}
}

// rawReplace replaces the list with elems in one transaction.
func (b *stepsBench) rawReplace(elems []int) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := b.raw.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, listKey)
			chunks(elems, func(args []any) { p.RPush(ctx, listKey, args...) })
			return nil
		})
		return err
	}
}

// rawInsert inserts v before index i as hotredis's list_insert does, with
// native commands: the element at i is swapped for a marker, v inserted
// before the marker, and the element put back.
func (b *stepsBench) rawInsert(i int, v int) func(context.Context) error {
	return func(ctx context.Context) error {
		old, err := b.raw.LIndex(ctx, listKey, int64(i)).Result()
		if err != nil {
			return err
		}
		_, err = b.raw.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.LSet(ctx, listKey, int64(i), marker)
			p.LInsertBefore(ctx, listKey, marker, v)
			p.LSet(ctx, listKey, int64(i+1), old)
			return nil
		})
		return err
	}
}

// rawPopAt removes the element at index i (in the list's second half) as
// hotredis's list_pop_at does: swapped for a marker, which LREM removes,
// searching from the tail.
func (b *stepsBench) rawPopAt(i int) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := b.raw.LIndex(ctx, listKey, int64(i)).Err(); err != nil {
			return err
		}
		_, err := b.raw.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.LSet(ctx, listKey, int64(i), marker)
			p.LRem(ctx, listKey, -1, marker)
			return nil
		})
		return err
	}
}
