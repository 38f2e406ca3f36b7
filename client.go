package hotredis

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"github.com/hotredis/hotredis/internal/backend"
)

// Client is a connection to one Redis deployment (a single server, a
// Sentinel-managed primary, or a Cluster), shared by every object bound to
// it. It is safe for concurrent use. The Python library calls this
// HotClient.
type Client struct {
	b backend.Backend

	mu       sync.Mutex
	idle     *sync.Cond // signalled when inflight drops to 0
	inflight int        // blocking calls still running, and their give-backs
	closed   bool
}

func newClient(b backend.Backend) *Client {
	c := &Client{b: tryAgain{b}}
	c.idle = sync.NewCond(&c.mu)
	return c
}

// begin registers a blocking call; it fails once Close has started.
func (c *Client) begin() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.inflight++
	return nil
}

func (c *Client) end() {
	c.mu.Lock()
	c.inflight--
	if c.inflight == 0 {
		c.idle.Broadcast()
	}
	c.mu.Unlock()
}

// Options says how to reach Redis. The deployment is chosen by the fields:
// MasterName set means Sentinel (Addrs are the sentinels); otherwise one
// address means a single server (or a Cluster, discovered from it) and
// several mean a Cluster.
type Options struct {
	// URL is a redis:// or rediss:// (TLS) URL, such as
	// "redis://user:pass@host:6379/0". Fields set below override it.
	URL string
	// Addrs are host:port addresses: the server, Cluster seeds or sentinels.
	Addrs []string
	// MasterName selects Sentinel: the name of the monitored primary.
	MasterName string
	// Username and Password authenticate (AUTH, or an ACL user).
	Username, Password string
	// SentinelUsername and SentinelPassword authenticate to sentinels.
	SentinelUsername, SentinelPassword string
	// DB is the database number; Cluster only has 0.
	DB int
	// TLS enables TLS with this configuration.
	TLS *tls.Config
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
	if opts.MasterName != "" {
		ro.Sentinel = rueidis.SentinelOption{
			MasterSet: opts.MasterName,
			Username:  opts.SentinelUsername,
			Password:  opts.SentinelPassword,
			TLSConfig: ro.TLSConfig,
		}
	}
	b, err := backend.NewRueidis(ro)
	if err != nil {
		return nil, fmt.Errorf("hotredis: connect to %v: %w", ro.InitAddress, err)
	}
	return newClient(b), nil
}

// NewClientURL is NewClient(Options{URL: url}).
func NewClientURL(url string) (*Client, error) { return NewClient(Options{URL: url}) }

// WrapGoRedis returns a Client that sends its commands through rdb, a
// go-redis client the caller already has (*redis.Client,
// *redis.ClusterClient, a failover client...). Closing the returned Client
// does not close rdb. Blocking operations keep each server-side wait under
// one second, so rdb's ReadTimeout must be longer than that (go-redis's
// default is 3 s).
func WrapGoRedis(rdb redis.UniversalClient) *Client {
	return newClient(backend.NewGoRedis(rdb, false))
}

// Close closes the client's connections, after waiting for blocking calls
// abandoned by cancelled contexts to finish (at most about a second), so
// that any item they took is put back first.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for c.inflight > 0 {
		c.idle.Wait()
	}
	c.mu.Unlock()
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
	_, err := c.b.Do(ctx, backend.Cmd{Name: []string{"PING"}})
	return err
}
