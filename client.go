package hotredis

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis/internal/backend"
)

// Client is a connection to one Redis deployment (a single server, a
// Sentinel-managed primary, or a Cluster), shared by every object bound to
// it. It is safe for concurrent use. The Python library calls this
// HotClient.
type Client struct {
	b       backend.Backend
	cluster bool // commands are routed to several shards
	closed  atomic.Bool

	acks acker // acknowledgements of Gets' takes (acker.go)

	obs atomic.Pointer[observerRef] // the Observer, if any (observe.go)

	// countOnly: the server's ACL refused sizeUp's script to this
	// client's user (one not allowed scripts, a read-only one say): whole
	// reads are sized by the counting command alone (see sizeUp).
	countOnly atomic.Bool

	// outage is how long a call that waits rides out a lost server (see
	// rideOut), in ns: 0 the default (rideOutFor), < 0 not at all.
	outage atomic.Int64

	mu       sync.Mutex
	idle     *sync.Cond    // signalled when inflight drops to 0, or closeWait passed
	inflight int           // blocking calls and background clean-ups still running
	waited   bool          // Close waited closeWait: it closes the connections now
	shut     chan struct{} // closed when Close has closed the connections
}

func newClient(b backend.Backend) *Client {
	c := &Client{b: b, cluster: b.Cluster(), shut: make(chan struct{})}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// closeWait is the longest Close waits for the calls and clean-ups still
// running (a clean-up started by a call that ended meanwhile has a bound
// of its own, backgroundTimeout, from its start, later than Close's):
// 5 seconds in all, with the second rueidis's Close may take on a silent
// connection (it waits that long for a PING's reply).
const closeWait = backgroundTimeout - time.Second

// begin registers a blocking call or a background clean-up, which Close
// waits for; it fails once Close has started.
func (c *Client) begin() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	c.inflight++
	return nil
}

// hold registers a clean-up, which Close waits for, even once Close has
// started: a clean-up that an outstanding call starts must still run. (If
// Close has returned, the clean-up fails, and the server's own expiries
// undo what it would have.)
func (c *Client) hold() {
	c.mu.Lock()
	c.inflight++
	c.mu.Unlock()
}

func (c *Client) end() {
	c.mu.Lock()
	c.inflight--
	if c.inflight == 0 {
		c.idle.Broadcast()
	}
	c.mu.Unlock()
}

// NewClient connects to Redis as opts says. It returns an error if no
// server answers.
func NewClient(opts Options) (*Client, error) {
	var ro rueidis.ClientOption
	if opts.URL != "" {
		var err error
		if ro, err = rueidis.ParseURL(opts.URL); err != nil {
			return nil, fmt.Errorf("hotredis: bad URL: %w", err)
		}
	}
	if len(opts.Addrs) > 0 {
		ro.InitAddress = opts.Addrs
	}
	if len(ro.InitAddress) == 0 {
		ro.InitAddress = []string{"127.0.0.1:6379"}
	}
	if opts.Username != "" {
		ro.Username = opts.Username
	}
	if opts.Password != "" {
		ro.Password = opts.Password
	}
	if opts.DB != 0 {
		ro.SelectDB = opts.DB
	}
	if opts.TLS != nil {
		ro.TLSConfig = opts.TLS
	}
	if opts.ClientName != "" {
		ro.ClientName = opts.ClientName
	}
	if opts.MasterName != "" {
		ro.Sentinel = rueidis.SentinelOption{
			MasterSet: opts.MasterName,
			Username:  opts.SentinelUsername,
			Password:  opts.SentinelPassword,
			TLSConfig: ro.TLSConfig,
		}
	}
	if opts.ReadFromReplicas {
		// Which commands go is decided per command (backend.Cmd.Replica).
		ro.SendToReplicas = func(rueidis.Completed) bool { return true }
		if opts.MasterName == "" {
			ro.InitAddress = primariesOf(ro)
		}
	}
	if d := connTimeoutForTests.Load(); d != 0 {
		ro.ConnWriteTimeout = time.Duration(d)
	}
	b, err := backend.NewRueidis(ro)
	if err != nil {
		return nil, fmt.Errorf("hotredis: connect to %v: %w", ro.InitAddress, err)
	}
	c := newClient(b)
	c.SetObserver(opts.Observer)
	c.SetMaxOutage(opts.MaxOutage)
	return c, nil
}

// connTimeoutForTests, when not 0, is the connection timeout of the
// clients NewClient makes (rueidis's ConnWriteTimeout; tests shorten it).
var connTimeoutForTests atomic.Int64

// SetMaxOutage sets how long a call that waits (a queue's Get, GetMany,
// Reserve, a bounded Put, Join; Acquire of a lock, semaphore or RWLock;
// Wait of an Event, WaitGroup or Barrier; a Once.Do waiting for another
// runner) goes on while the server is out of reach (see
// Options.MaxOutage); a call already waiting applies it at its next try.
// It also bounds the clean-ups that ride out a lost connection (a
// cancelled wait's give-back, a Once run's record), whose outcome the
// lease bounds otherwise. It is how a Client made by WrapGoRedis, or the
// default one, gets another bound than the default.
func (c *Client) SetMaxOutage(d time.Duration) {
	if d < 0 {
		d = -1
	}
	c.outage.Store(int64(d))
}

// maxOutage is how long a call of c's that waits rides out a lost server
// (c nil: the default).
func (c *Client) maxOutage() time.Duration {
	if c == nil {
		return time.Duration(rideOutFor.Load())
	}
	switch d := c.outage.Load(); {
	case d == 0:
		return time.Duration(rideOutFor.Load())
	case d < 0:
		return 0
	default:
		return time.Duration(d)
	}
}

// NewClientURL is NewClient(Options{URL: url}).
func NewClientURL(url string) (*Client, error) { return NewClient(Options{URL: url}) }

// WrapGoRedis returns a Client that sends its commands through rdb, a
// go-redis client the caller already has (*redis.Client,
// *redis.ClusterClient, a failover client...). Closing the returned Client
// does not close rdb. Blocking operations keep each server-side wait under
// one second, so rdb's ReadTimeout must be longer than that (go-redis's
// default is 3 s). SetObserver gives it an Observer.
//
// go-redis sends a command again after a network error (MaxRetries, 3 by
// default), so a write whose reply was lost to a broken connection may be
// applied twice, silently. Give rdb MaxRetries: -1 for what hotredis's own
// client does: such a write is ErrUnknownOutcome, applied at most once
// (see the README's "Guarantees under faults").
func WrapGoRedis(rdb redis.UniversalClient) *Client {
	return newClient(backend.NewGoRedis(rdb, false))
}

// Close closes the client's connections, after waiting for the clean-ups
// of calls that gave up (a take given back, a cancelled wait leaving its
// line: a few milliseconds, at most 5 seconds against a stalled server),
// which still run while it waits. Every call made once Close has begun
// returns ErrClosed. What still runs when the 5 seconds are up fails, its
// connection closed. A second Close returns when the first has closed the
// connections.
//
// Close releases nothing still held: a lock's or a semaphore's lease is
// no longer renewed, so its holding ends as lost at what would have been
// its next renewal (Lost's channel closes, an Observer hears LeaseLost),
// and the lease runs out on the server, where others then take it.
// Release first for an orderly hand-off.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed.Swap(true) {
		c.mu.Unlock()
		<-c.shut
		return nil
	}
	t := time.AfterFunc(closeWait, func() {
		c.mu.Lock()
		c.waited = true
		c.idle.Broadcast()
		c.mu.Unlock()
	})
	for c.inflight > 0 && !c.waited {
		c.idle.Wait()
	}
	c.mu.Unlock()
	t.Stop()
	defer close(c.shut)
	return c.b.Close()
}

var (
	defaultMu     sync.Mutex
	defaultClient *Client
)

// Configure replaces the package's default client, used by every object
// made without WithClient, with a client connected as opts says. Objects
// made earlier follow the new default on their next call.
func Configure(opts Options) error {
	c, err := NewClient(opts)
	if err != nil {
		return err
	}
	SetDefaultClient(c)
	return nil
}

// SetDefaultClient makes c the package's default client.
func SetDefaultClient(c *Client) {
	defaultMu.Lock()
	defaultClient = c
	defaultMu.Unlock()
}

// DefaultClient returns the package's default client. Unless Configure or
// SetDefaultClient chose one, the first call connects to REDIS_URL, or to
// 127.0.0.1:6379 when REDIS_URL is unset.
func DefaultClient() (*Client, error) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	if defaultClient != nil {
		return defaultClient, nil
	}
	opts := Options{Addrs: []string{"127.0.0.1:6379"}}
	if u := os.Getenv("REDIS_URL"); u != "" {
		opts = Options{URL: u}
	}
	c, err := NewClient(opts)
	if err != nil {
		return nil, err
	}
	defaultClient = c
	return c, nil
}

// Ping checks that the client can reach Redis.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.ready(ctx, nil); err != nil {
		return err
	}
	_, err := c.b.Do(ctx, backend.Cmd{Name: []string{"PING"}})
	return c.outcome(ctx, err, false)
}

// primariesOf returns the primaries of the seeds in ro.InitAddress: a seed
// that is a primary, and the primary of a seed that is a replica (ROLE
// says both), or the seeds themselves when none answers. A client that
// reads from replicas is seeded with primaries only: rueidis (v1.0.79)
// keeps the connection it made to a seed when it learns that the seed is
// a replica, without the READONLY a Cluster replica needs to serve reads,
// and that replica would send every read back to its primary.
func primariesOf(ro rueidis.ClientOption) []string {
	var out []string
	for _, addr := range ro.InitAddress {
		o := ro
		o.InitAddress, o.ForceSingleClient, o.SendToReplicas = []string{addr}, true, nil
		o.DisableCache = true
		c, err := rueidis.NewClient(o)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		role, err := c.Do(ctx, c.B().Role().Build()).ToArray()
		cancel()
		c.Close()
		if err != nil || len(role) == 0 {
			continue
		}
		switch kind, _ := role[0].ToString(); {
		case kind == "master":
			out = append(out, addr)
		case kind == "slave" && len(role) >= 3:
			host, _ := role[1].ToString()
			port, _ := role[2].AsInt64()
			out = append(out, net.JoinHostPort(host, strconv.FormatInt(port, 10)))
		}
	}
	slices.Sort(out)
	if out = slices.Compact(out); len(out) == 0 {
		return ro.InitAddress
	}
	return out
}
