package hotredis

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// serverClock is a client's estimate of the server's clock (ms), for
// deadlines set in native commands, where no script can read TIME: the
// last TIME a reply carried, moved on by this machine's monotonic clock.
// Its error is the drift since then plus a round trip, far below the
// seconds such deadlines are. On a Cluster one estimate serves every
// node: their clocks are assumed to agree within a second.
type serverClock struct {
	mu    sync.Mutex
	base  int64     // server time (ms) at at
	at    time.Time // monotonic
	asked time.Time // when a caller was last told to read TIME
}

// clockSync is how often a client's native takes read the server's TIME,
// and how often they look for a queue's expired takes (queue.looks).
const clockSync = 100 * time.Millisecond

// serverNow returns the estimate, asking the server the first time, and
// whether the caller should read TIME again (its estimate is older than
// clockSync; then the next caller is not told so again until this one had
// time to).
func (c *Client) serverNow(ctx context.Context) (now int64, sync bool, err error) {
	c.clock.mu.Lock()
	base, at := c.clock.base, c.clock.at
	if !at.IsZero() && time.Since(c.clock.asked) > clockSync {
		sync, c.clock.asked = true, time.Now()
	}
	c.clock.mu.Unlock()
	if !at.IsZero() {
		return base + time.Since(at).Milliseconds(), sync, nil
	}
	v, err := c.do(ctx, cmd("TIME", nil))
	if err != nil {
		return 0, false, err
	}
	c.sawServerTime(v)
	return c.serverNow(ctx)
}

// sawServerTime updates the estimate from a TIME reply.
func (c *Client) sawServerTime(v any) {
	arr, _ := v.([]any)
	if len(arr) != 2 {
		return
	}
	s, _ := arr[0].(string)
	us, _ := arr[1].(string)
	sec, err1 := strconv.ParseInt(s, 10, 64)
	usec, err2 := strconv.ParseInt(us, 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	c.clock.mu.Lock()
	c.clock.base, c.clock.at = sec*1000+usec/1000, time.Now()
	c.clock.mu.Unlock()
}
