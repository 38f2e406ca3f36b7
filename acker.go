package hotredis

import (
	"context"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// acker sends acknowledgements (a Get's take is done) in the background,
// off their caller's path: a caller that holds its items returns at once,
// and acknowledgements made meanwhile go together in one pipeline. One
// that fails for want of a connection is sent again while its take's
// registration runs (getHold): one that never arrives means a repeat
// delivery, as the take's items then go back to the queue.
type acker struct {
	mu      sync.Mutex
	pending []ack
	running bool
}

type ack struct {
	cmd  backend.Cmd
	sent time.Time // first sent
}

// confirm queues cmds, acknowledgements, and starts sending them if no
// sender runs. Close waits for them.
func (c *Client) confirm(cmds ...backend.Cmd) {
	now := time.Now()
	a := &c.acks
	a.mu.Lock()
	for _, cmd := range cmds {
		a.pending = append(a.pending, ack{cmd, now})
	}
	if a.running {
		a.mu.Unlock()
		return
	}
	a.running = true
	a.mu.Unlock()
	c.hold()
	go c.sendAcks()
}

func (c *Client) sendAcks() {
	defer c.end()
	a := &c.acks
	for {
		a.mu.Lock()
		batch := a.pending
		a.pending = nil
		if len(batch) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		cmds := make([]backend.Cmd, len(batch))
		for i, b := range batch {
			cmds[i] = b.cmd
		}
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		rs := c.doMulti(ctx, cmds)
		cancel()
		var again []ack
		for i, r := range rs {
			if r.Err != nil && !isServerErr(r.Err) && time.Since(batch[i].sent) < getHoldFor()/2 {
				again = append(again, batch[i])
			}
		}
		if len(again) > 0 {
			time.Sleep(10 * time.Millisecond) // a new connection is being made
			a.mu.Lock()
			a.pending = append(again, a.pending...)
			a.mu.Unlock()
		}
	}
}
