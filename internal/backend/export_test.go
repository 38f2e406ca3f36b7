package backend

import (
	"time"

	"github.com/redis/rueidis"
)

// For the tests of the busy pipeline (busy_test.go).

const BusyFrom, BusyRetry = busyFrom, busyRetry

var NewBusyPipe = newBusyPipe

// Busy returns r's busy client, nil if not made.
func Busy(r *Rueidis) rueidis.Client { return r.busy.made() }

// Client returns r's main client.
func Client(r *Rueidis) rueidis.Client { return r.c }

// AddInFlight counts n more calls in flight on r.
func AddInFlight(r *Rueidis, n int32) int32 { return r.directs.Add(n) }

func (b *busyPipe) Made() rueidis.Client   { return b.made() }
func (b *busyPipe) Client() rueidis.Client { return b.client() }
func (b *busyPipe) Close()                 { b.close() }
func (b *busyPipe) Start()                 { b.start() }
func (b *busyPipe) Wait()                  { b.making.Wait() }
func (b *busyPipe) SetAddr(addr string)    { b.opt.InitAddress = []string{addr} }
func (b *busyPipe) RetryAt() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.retryAt
}

// SetClosedTries sets closedTries to n until the test ends.
func SetClosedTries(t interface{ Cleanup(func()) }, n int) {
	old := closedTries
	closedTries = n
	t.Cleanup(func() { closedTries = old })
}
