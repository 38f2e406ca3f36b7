package hotredis

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hotredis/hotredis/internal/backend"
)

// acker holds the acknowledgements of Gets (a take is done: its list and
// its registration go) until they can travel for free: in the next take
// the client makes from the same queue (ridesWith: queue_take runs them
// first), or, when none comes within ackDelay, on their own in the
// background. The caller that holds its items never waits for them. An
// acknowledgement that fails for want of a connection is sent again while
// its take's registration runs (getHold); one that never arrives means a
// repeat delivery, as the take's items then go back to the queue.
type acker struct {
	mu      sync.Mutex
	pending map[string]*queueAcks // by the queue's registrations key
	armed   bool                  // a flush is scheduled
	sending bool                  // a sender goroutine runs
}

// queueAcks are the acknowledgements pending for one queue.
type queueAcks struct {
	takes string    // the registrations key
	lists []string  // the takes' lists
	ids   []string  // the takes' ids
	since time.Time // when the newest was made (see addAcks)
	q     *object   // the queue, and the method that took, for an observer
	op    string
	// Room for the first acknowledgement and for takes as KEYS, so that
	// one acknowledgement is one allocation.
	first [3]string
}

// ackDelay is how long an acknowledgement waits for a command to the same
// queue to ride with.
const ackDelay = 10 * time.Millisecond

// cmds returns the commands that acknowledge a: the lists go first, then
// the registrations (a registration without a list is dropped by the next
// recovery; a list without one would stay).
func (a *queueAcks) cmds() []backend.Cmd {
	return []backend.Cmd{{Name: nameDEL, Keys: a.lists}, {Name: nameZREM, Keys: a.first[2:3:3], Args: a.ids}}
}

var (
	nameDEL  = []string{"DEL"}
	nameZREM = []string{"ZREM"}
)

// ackLater queues the acknowledgement of the take id, made by queue's
// method op, of the queue whose registrations are at takes, and whose
// list is at list, in q (the acker keeps it).
func (c *Client) ackLater(q *queueAcks, queue *object, op, takes, list, id string) {
	*q = queueAcks{takes: takes, since: time.Now(), first: [3]string{list, id, takes}, q: queue, op: op}
	q.lists, q.ids = q.first[0:1:1], q.first[1:2:2]
	c.addAcks(q)
}

// ackAgain gives back acknowledgements whose carrier failed.
func (c *Client) ackAgain(q *queueAcks) {
	if q != nil {
		c.addAcks(q)
	}
}

func (c *Client) addAcks(add *queueAcks) {
	a := &c.acks
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pending == nil {
		a.pending = map[string]*queueAcks{}
	}
	q := a.pending[add.takes]
	if q == nil {
		a.pending[add.takes] = add
	} else {
		q.lists = append(q.lists, add.lists...)
		q.ids = append(q.ids, add.ids...)
		// The newest's: a group goes on being sent while any of its
		// takes' registrations may run (an older one's late
		// acknowledgement deletes nothing: its take went back already).
		if add.since.After(q.since) {
			q.since = add.since
		}
	}
	if !a.armed {
		a.armed = true
		c.hold() // Close waits for the flush
		time.AfterFunc(ackDelay, func() {
			defer c.end()
			c.flushAcks()
		})
	}
}

// ridesWith takes the acknowledgements pending for the queue at takes, to
// send them with a command to that queue; nil when there are none. If that
// command fails, give them back with ackAgain.
func (c *Client) ridesWith(takes string) *queueAcks {
	a := &c.acks
	a.mu.Lock()
	defer a.mu.Unlock()
	q := a.pending[takes]
	delete(a.pending, takes)
	return q
}

// flushAcks sends every pending acknowledgement, in the background.
func (c *Client) flushAcks() {
	a := &c.acks
	a.mu.Lock()
	a.armed = false
	if a.sending || len(a.pending) == 0 {
		a.mu.Unlock()
		return
	}
	a.sending = true
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
			a.sending = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		var cmds []backend.Cmd
		var qs []*queueAcks
		for _, q := range batch {
			cmds = append(cmds, q.cmds()...)
			qs = append(qs, q)
		}
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		ends := c.observeAcks(ctx, qs)
		rs := c.doMulti(ctx, cmds)
		cancel()
		for i, end := range ends {
			if end != nil {
				end(OperationEnd{Err: cmp.Or(rs[2*i].Err, rs[2*i+1].Err)})
			}
		}
		failed := false
		for i, q := range qs {
			for _, r := range rs[2*i : 2*i+2] {
				// (Not once Close began: it waits for this sender.)
				if r.Err != nil && ackAgainAfter(r.Err) && time.Since(q.since) < getHoldFor() && !c.closed.Load() {
					c.ackAgain(q)
					failed = true
					break
				}
			}
		}
		if failed {
			time.Sleep(10 * time.Millisecond) // a new connection is being made
		}
	}
}

// observeAcks tells the client's observer, if any, of the round trip
// about to carry the acknowledgements of qs: one Operation for each queue,
// named after the method that took (a round trip made for it after it
// returned), and the functions that end them (nil ones too).
func (c *Client) observeAcks(ctx context.Context, qs []*queueAcks) []func(OperationEnd) {
	obs := c.observer()
	if obs == nil {
		return nil
	}
	ends := make([]func(OperationEnd), len(qs))
	for i, q := range qs {
		typ, name := opName(q.q.kind, q.op)
		_, ends[i] = obs.StartOperation(ctx, Operation{Type: typ, Name: name, Key: q.q.key})
	}
	return ends
}

// ackAgainAfter reports whether an acknowledgement that failed with err
// goes again: after a connection's failure or the client's deadline, and
// after a server's refusal that passes (a restart loading its data, a
// slow script, a slot or a failover in progress); not after one that
// would repeat (the key holds another type, no permission).
func ackAgainAfter(err error) bool {
	if !isServerErr(err) {
		return !errors.Is(err, ErrClosed)
	}
	for _, code := range passingRefusals {
		if backend.IsServerError(err, code) {
			return true
		}
	}
	return false
}

// passingRefusals are the error codes of a server's refusals that pass by
// themselves. (One string: READONLY, a replica's refusal, is also a
// command's name, which TestACLRulesCoverLibraryCommands would look for.)
var passingRefusals = strings.Fields("LOADING BUSY TRYAGAIN MASTERDOWN CLUSTERDOWN READONLY")
