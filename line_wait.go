package hotredis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// The waiting side of the line-and-lease engine (see line.go): joining the
// line, reading grants from a grant stream, giving a wait up.

// cancelWait takes w out of the line after its Acquire failed, and gives
// back, in the background, what was granted to w meanwhile. If that fails
// too, the registration runs out by itself.
func (l *line) cancelWait(ctx context.Context, w *wait) {
	if w.stream == "" {
		return // never joined the line
	}
	if cl, err := l.cli(); err == nil {
		l.troubled()
		cl.background(ctx, func(ctx context.Context) { l.cancel(ctx, w.id, false) })
	}
}

// parseWait reads the tail of an acquire script's "not yet" reply:
// {0, ms to wait, stream index, last entry id, server time in ms, ticket}.
func (l *line) parseWait(arr []any, w *wait) error {
	if len(arr) < 6 {
		return l.fail("", errReply)
	}
	i, _ := arr[2].(int64)
	last, _ := arr[3].(string)
	now, _ := arr[4].(int64)
	ticket, _ := arr[5].(int64)
	if i < 0 || int(i) >= grantStreams || last == "" || now <= 0 || ticket <= 0 {
		return l.fail("", errReply)
	}
	w.stream, w.last, w.server = l.ks[6+i], last, now
	w.ticket = strconv.FormatInt(ticket, 10)
	return nil
}

// awaitGrant reads w's grant stream until a grant to w appears (returned),
// d passes (a zero grant), or ctx ends (ctx's error). A grant's expires is
// the earliest time, on this machine's clock, at which its lease may run
// out: the grant came after the start of w's latest attempt, so its end
// is at least as far after that start as it is after the server time that
// attempt read. A grant left unread when ctx ends is found by the cancel
// script.
func (l *line) awaitGrant(ctx context.Context, op string, w *wait, d time.Duration) (grant, error) {
	deadline := time.Now().Add(d)
	for {
		rem := time.Until(deadline)
		if rem < time.Millisecond {
			return grant{}, nil
		}
		rs, err := l.wait(ctx, op, func(d time.Duration) []backend.Cmd {
			return []backend.Cmd{{
				Name:     []string{"XREAD", "COUNT", "32", "BLOCK", strconv.FormatInt(max(1, min(d, rem).Milliseconds()), 10), "STREAMS"},
				Keys:     []string{w.stream},
				Args:     []string{w.last},
				Blocking: true,
			}}
		}, nil)
		if err != nil {
			return grant{}, err
		}
		if rs[0].Err != nil || rs[0].Val == nil {
			return grant{}, rs[0].Err
		}
		for _, e := range streamEntries(rs[0].Val) {
			id, fields := entry(e)
			if id == "" {
				return grant{}, l.fail(op, fmt.Errorf("%w: XREAD entry %v", errReply, e))
			}
			w.last = id
			if fields["w"] == w.id {
				return l.parseGrant(op, w, fields)
			}
		}
	}
}

func (l *line) parseGrant(op string, w *wait, f map[string]string) (grant, error) {
	t, err1 := strconv.ParseInt(f["t"], 10, 64)
	x, err2 := strconv.ParseInt(f["x"], 10, 64)
	e, err3 := t, error(nil)
	if es, ok := f["e"]; ok {
		e, err3 = strconv.ParseInt(es, 10, 64)
	}
	if err := errors.Join(err1, err2, err3); err != nil {
		return grant{}, l.fail(op, fmt.Errorf("%w: grant %v", errReply, f))
	}
	return grant{token: t, epoch: e, expires: w.since.Add(time.Duration(x-w.server) * time.Millisecond)}, nil
}

// streamEntries returns the entries of a one-stream XREAD reply: RESP2
// gives [[key, entries]], RESP3 a map, which the backends flatten to
// [key, entries].
func streamEntries(v any) []any {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return nil
	}
	if inner, ok := arr[0].([]any); ok {
		arr = inner
	}
	if len(arr) < 2 {
		return nil
	}
	es, _ := arr[1].([]any)
	return es
}

// entry splits a stream entry [id, [field, value, ...]].
func entry(e any) (id string, fields map[string]string) {
	arr, _ := e.([]any)
	if len(arr) < 2 {
		return "", nil
	}
	id, _ = arr[0].(string)
	kv, _ := arr[1].([]any)
	fields = make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		v, _ := kv[i+1].(string)
		fields[k] = v
	}
	return id, fields
}
