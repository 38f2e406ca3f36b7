package hotredis

import (
	"context"

	"github.com/hotredis/hotredis/internal/backend"
	"github.com/hotredis/hotredis/internal/lua"
)

// Bulk writes: a Set's or a Map's many members or fields at once (Add,
// Remove, SetMany, Replace). Up to bulkMax items of at most bulkBytes in
// all go in one command, a few milliseconds of the server's time at
// most. More would keep Redis from everyone else for as long as one
// command over all of them takes (half a second for a million fields, or
// for 128 MiB of values), so they are applied in bounded steps to a copy
// of the value, which then replaces it (see rebuild.go): other clients
// see the old value or the new one, never a part. Inside a transaction,
// where nothing can be split, they go in one MULTI/EXEC.

// bulkMax is the most items (members, or fields with their values) one
// command of a bulk write carries, and bulkBytes the most bytes: HSET of
// 1,000 values of 128 KiB held Redis 367-425 ms (a review's SLOWLOG,
// 2026-12-07), ~3 ms a MiB, so 4 MiB keep a command near 12 ms.
const (
	bulkMax   = 10 * chunkSize
	bulkBytes = 4 << 20
)

// atOnce reports whether args, items of per arguments, are few and short
// enough for one command of a bulk write (see bulkMax), or one item: a
// single long one cannot be split, and copying the whole value to add it
// in steps would only cost more (a value of many MiB in a collection is
// one of the README's exceptions).
func (b bulk) atOnce(args []string) bool {
	return len(args) <= b.per || fewAndShort(args, bulkMax*b.per, bulkBytes)
}

// fewAndShort reports whether ss holds at most most strings of at most
// bytes in all.
func fewAndShort(ss []string, most, bytes int) bool {
	if len(ss) > most {
		return false
	}
	size := 0
	for _, s := range ss {
		if size += len(s); size > bytes {
			return false
		}
	}
	return true
}

// bulk is one kind of bulk write: the command, which also applies it to a
// scratch copy (see rebuilder.applyNative), and the step that copies the
// value there.
type bulk struct {
	typ    string      // the Redis type: "hash" or "set"
	verb   string      // the command: HSET, HDEL, SADD or SREM
	script *lua.Script // the copying step's script: hash_step or set_step
	copy   string      // its step copying the value: "scan-copy" or "copy"
	per    int         // arguments per item: 2 for HSET, else 1
}

var (
	bulkHSET = bulk{typ: "hash", verb: "HSET", script: scriptHashStep, copy: "scan-copy", per: 2}
	bulkHDEL = bulk{typ: "hash", verb: "HDEL", script: scriptHashStep, copy: "scan-copy", per: 1}
	bulkSADD = bulk{typ: "set", verb: "SADD", script: scriptSetStep, copy: "copy", per: 1}
	bulkSREM = bulk{typ: "set", verb: "SREM", script: scriptSetStep, copy: "copy", per: 1}
)

// bulkWrite applies b with args (items of b.per arguments) to o's key and
// returns what the command replies: how many members or fields were
// added (SADD, HSET) or removed (SREM, HDEL).
func (o *object) bulkWrite(ctx context.Context, b bulk, args []string) (int, error) {
	if b.atOnce(args) {
		n, err := scalarInt(o.writeScalar(ctx, cmdArgs(b.verb, o.keys[:1], args)))
		return int(n), err
	}
	if !o.queuing(ctx) {
		var changed int64
		done, err := o.rebuild(ctx, b.typ, o.keys[:1], func(ctx context.Context, r *rebuilder) error {
			if err := r.scan(ctx, b.script, o.key, nil, b.copy); err != nil {
				return err
			}
			before := r.size
			err := r.applyNative(ctx, b.verb, args, b.per)
			changed = max(r.size-before, before-r.size)
			return err
		})
		if done || err != nil {
			return int(changed), err
		}
		// The value kept changing: one MULTI/EXEC, long but atomic.
	}
	rs, err := o.atomic(ctx, chunkCmds(b.verb, o.keys[:1], args)...)
	total := 0
	for _, r := range rs {
		n, _ := asInt(r.Val, nil)
		total += int(n)
	}
	return total, err
}

// bulkReplace replaces o's value with args, added by b (HSET or SADD);
// none deletes the key. The new value has no expiry.
func (o *object) bulkReplace(ctx context.Context, b bulk, args []string) error {
	if !b.atOnce(args) && !o.queuing(ctx) {
		_, err := o.rebuild(ctx, b.typ, nil, func(ctx context.Context, r *rebuilder) error {
			return r.applyNative(ctx, b.verb, args, b.per)
		})
		return err
	}
	cmds := append([]backend.Cmd{cmd("UNLINK", o.keys[:1])}, chunkCmds(b.verb, o.keys[:1], args)...)
	_, err := o.atomic(ctx, cmds...)
	return err
}
