package hotredis

import (
	"context"
	"sync"

	"github.com/hotredis/hotredis/internal/backend"
)

// acker sends acknowledgements (a Get's take is done) in the background,
// off their caller's path: a caller that holds its items returns at once,
// and acknowledgements made meanwhile go together in one pipeline. One
// that never arrives is harmless but for a repeat delivery: the take's
// registration runs out and its items go back to the queue (getHold).
type acker struct {
	mu      sync.Mutex
	pending []backend.Cmd
	running bool
}

// confirm queues cmds, acknowledgements, and starts sending them if no
// sender runs. After Close they are dropped.
func (c *Client) confirm(cmds ...backend.Cmd) {
	a := &c.acks
	a.mu.Lock()
	a.pending = append(a.pending, cmds...)
	if a.running {
		a.mu.Unlock()
		return
	}
	a.running = true
	a.mu.Unlock()
	if c.begin() != nil {
		a.mu.Lock()
		a.pending, a.running = nil, false
		a.mu.Unlock()
		return
	}
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
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		c.doMulti(ctx, batch)
		cancel()
	}
}
