package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotredis/hotredis"
)

// The long-entry rows read a list, a set and a hash of wideEntries
// entries of wideBytes each, and a string of wideStrLen bytes: a reply or a copy holds Redis ~0.5-0.8 ms a
// MiB whatever it holds, so these show whether a whole read's steps are
// bounded in bytes, not only in entries (BENCHMARKS.md, "steps bounded in
// bytes"). Each read goes twice: on a new handle, whose first command is
// bounded by its count alone (it knows nothing of the entries' size yet),
// and on a handle that has read before.
const (
	wideList    = "{steps}:wl"
	wideSet     = "{steps}:ws"
	wideHash    = "{steps}:wh"
	wideString  = "{steps}:wstr"
	wideStrLen  = 64 << 20
	wideEntries = 10_000
	wideBytes   = 8 << 10
)

// wideRows writes the long-entry collections (unless the filter keeps
// none of their rows) and runs their rows.
func (b *stepsBench) wideRows(report *stallReport, cfg stepsConfig) error {
	ops := cfg.filter(b.wideOps())
	if len(ops) == 0 {
		return nil
	}
	defer b.admin.Unlink(b.ctx, wideList, wideSet, wideHash, wideString)
	if err := b.saveWide(); err != nil {
		return err
	}
	for _, op := range ops {
		if err := b.runRow(report, op); err != nil {
			return err
		}
	}
	return nil
}

// wideValue is the i-th entry: distinct, wideBytes long.
func wideValue(i int) string {
	s := fmt.Sprintf("%08d", i)
	return s + strings.Repeat("x", wideBytes-len(s))
}

// saveWide writes the collections with hotredis itself (in its format).
func (b *stepsBench) saveWide() error {
	vs := make([]string, wideEntries)
	m := make(map[string]string, wideEntries)
	for i := range vs {
		vs[i] = wideValue(i)
		m[fmt.Sprintf("f%08d", i)] = vs[i]
	}
	w := hotredis.WithClient(b.hc)
	if err := b.raw.Set(b.ctx, wideString, strings.Repeat("s", wideStrLen), 0).Err(); err != nil {
		return err
	}
	if err := hotredis.NewList[string](wideList, w).Replace(b.ctx, vs...); err != nil {
		return err
	}
	if err := hotredis.NewSet[string](wideSet, w).Replace(b.ctx, vs...); err != nil {
		return err
	}
	return hotredis.NewMap[string, string](wideHash, w).Replace(b.ctx, m)
}

// wideOps are the long-entry rows: each read by a new handle and by one
// that read before (its prepare reads once, unmeasured), beside the one
// native command that reads the whole collection.
func (b *stepsBench) wideOps() []stepOp {
	w := hotredis.WithClient(b.hc)
	raw := b.raw
	type read struct {
		name, native string
		fresh        func() func(context.Context) error // a read by a new handle
		raw          func(context.Context) error
	}
	reads := []read{
		{name: "List.Values", native: "LRANGE 0 -1",
			fresh: func() func(context.Context) error {
				l := hotredis.NewList[string](wideList, w)
				return func(ctx context.Context) error { _, err := l.Values(ctx); return err }
			},
			raw: func(ctx context.Context) error { return raw.LRange(ctx, wideList, 0, -1).Err() }},
		{name: "Set.Members", native: "SMEMBERS",
			fresh: func() func(context.Context) error {
				s := hotredis.NewSet[string](wideSet, w)
				return func(ctx context.Context) error { _, err := s.Members(ctx); return err }
			},
			raw: func(ctx context.Context) error { return raw.SMembers(ctx, wideSet).Err() }},
		{name: "Map.Items", native: "HGETALL",
			fresh: func() func(context.Context) error {
				m := hotredis.NewMap[string, string](wideHash, w)
				return func(ctx context.Context) error { _, err := m.Items(ctx); return err }
			},
			raw: func(ctx context.Context) error { return raw.HGetAll(ctx, wideHash).Err() }},
	}
	size := fmt.Sprintf("%s x %d KiB", humanN(wideEntries), wideBytes>>10)
	var ops []stepOp
	for _, r := range reads {
		again := r.fresh() // one handle for every run of the "again" row
		ops = append(ops,
			stepOp{name: r.name + ", a new handle", size: size, native: r.native, raw: r.raw,
				hot: func(ctx context.Context) error { return r.fresh()(ctx) }},
			stepOp{name: r.name + ", again", size: size, native: r.native, raw: r.raw,
				prepare: again, hot: again})
	}
	str := hotredis.NewString(wideString, w)
	return append(ops, stepOp{name: "String.Get", size: fmt.Sprintf("%d MiB", wideStrLen>>20), native: "GET",
		hot: func(ctx context.Context) error { _, err := str.Get(ctx); return err },
		raw: func(ctx context.Context) error { return raw.Get(ctx, wideString).Err() }})
}
