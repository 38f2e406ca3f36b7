package hotredis

import (
	"crypto/tls"
	"fmt"
	"time"
)

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
	// ClientName names the client's connections (CLIENT SETNAME), so
	// that CLIENT LIST on the server tells them apart.
	ClientName string
	// ReadFromReplicas sends reads outside transactions (List.Len,
	// Map.Get, Set.Members, read-only scripts such as Counter.MostCommon,
	// ...) to replicas, on a Redis Cluster (each slot's replicas) or
	// behind Sentinel, so that reads scale with replicas. A replica lags
	// its primary: such a read may miss the latest writes, also the
	// caller's own (no read-your-writes), by the replication delay
	// (usually under a millisecond; more under load or after a failover).
	// Every read that a type acts on itself (a lock's or queue's engine,
	// waits, the steps of big reads, which run watched on the primary),
	// and every read inside Transaction or Optimistic, still goes to the
	// primary. On a single server without replicas it changes nothing.
	// (A client from WrapGoRedis routes as its go-redis client does: do
	// not turn on go-redis's ReadOnly for it, which would send the
	// engines' reads to replicas too.)
	ReadFromReplicas bool
	// MaxOutage bounds how long a call that waits (a queue's Get,
	// GetMany, Reserve, a bounded Put, Join; Acquire of a lock, semaphore
	// or RWLock; Wait of an Event, WaitGroup or Barrier; a Once.Do waiting
	// for another runner) goes on while the server is out of reach: its
	// connection lost or refused, as in a restart or a failover. Such a
	// call gives back what the lost round trip may have taken and waits
	// on, on a new connection; once the server has been out of reach for
	// MaxOutage without a round trip working, it fails with the
	// connection's error. 0 means the default, 10 s; a negative value
	// ends such a call at the first lost connection. A failover usually
	// takes longer than 10 s with the servers' default settings (Sentinel's
	// down-after-milliseconds is 30 s, Cluster's cluster-node-timeout 15
	// s): give those waits room here. The call's context bounds it all
	// the same. It bounds the clean-ups that ride out a lost connection
	// too (a cancelled wait's give-back, a Once run's record); with a
	// negative value a lost one is left to the lease. Client.SetMaxOutage
	// changes it later.
	MaxOutage time.Duration
	// Observer, if not nil, is told of the client's operations, waits
	// and leases (see Observer; hotredisotel makes one for
	// OpenTelemetry).
	Observer Observer
}

// An Option configures an object when it is made (NewList, NewMap, ...).
type Option func(*options)

type options struct {
	client   *Client
	codec    any           // a Codec[T] for the object's values
	keyCodec any           // a Codec[K] for a map's or counter's keys
	lease    time.Duration // a lock's or semaphore's lease (lease.go)
	maxSize  int           // a queue's maximum size (0: unbounded)
	// incrByFloat makes a Float add with INCRBYFLOAT (float.go).
	incrByFloat bool
	label       string // WithLabel's
}

// WithLabel sets a short label (at most 64 bytes; spaces and '|' become
// '_') stored, with the host name and process id, in the holder id of a
// Lock, RLock, RWLock, Semaphore or BoundedSemaphore handle, so that an
// operator looking at the server (hotredis inspect) can tell who holds
// and who waits.
func WithLabel(label string) Option { return func(o *options) { o.label = label } }

// WithClient binds the object to c instead of the package's default client.
func WithClient(c *Client) Option { return func(o *options) { o.client = c } }

// WithCodec makes the object store its values with c instead of
// DefaultCodec. T must be the object's value type; a mismatch is reported
// by every method of the object.
func WithCodec[T any](c Codec[T]) Option { return func(o *options) { o.codec = c } }

// WithKeyCodec makes a Map, DefaultMap or Counter store its keys (hash
// fields) with c.
func WithKeyCodec[K any](c Codec[K]) Option { return func(o *options) { o.keyCodec = c } }

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// codecFor returns the codec for T chosen by o (c is o.codec or
// o.keyCodec), or an error to report from every method when it has the
// wrong type.
func codecFor[T any](c any) (Codec[T], error) {
	if c == nil {
		return DefaultCodec[T](), nil
	}
	if cc, ok := c.(Codec[T]); ok {
		return cc, nil
	}
	return DefaultCodec[T](), fmt.Errorf("hotredis: codec %T does not handle %s", c, typeName[T]())
}
