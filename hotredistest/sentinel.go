package hotredistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// Sentinel is a primary, one replica and three sentinels watching them
// under the name MasterName, all on loopback. Sentinels declare the primary
// down after one second.
type Sentinel struct {
	// MasterName is the name the sentinels know the primary by, for
	// hotredis.Options.MasterName.
	MasterName string
	// Primary is the server that was the primary at the start; after a
	// failover it may be a replica (CurrentPrimary tells).
	Primary *Server
	// Replica is the primary's replica at the start, which a failover
	// promotes.
	Replica *Server
	// Sentinels are the three sentinel processes (SentinelAddrs gives
	// their addresses).
	Sentinels []*Server
}

// NewSentinel starts a Sentinel setup for t and stops it when t ends.
func NewSentinel(t testing.TB) *Sentinel {
	t.Helper()
	s, err := StartSentinel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartSentinel starts a Sentinel setup; the caller must Close it.
func StartSentinel() (*Sentinel, error) {
	s := &Sentinel{MasterName: "hotredis"}
	var err error
	if s.Primary, err = Start("--repl-diskless-sync-delay", "0"); err != nil {
		return nil, err
	}
	if s.Replica, err = Start("--replicaof", "127.0.0.1", strconv.Itoa(s.Primary.Port), "--repl-diskless-sync-delay", "0"); err != nil {
		s.Close()
		return nil, err
	}
	for range 3 {
		sn, err := start([]string{"--sentinel"}, func(dir string, port int) (string, error) {
			path := filepath.Join(dir, "sentinel-"+strconv.Itoa(port)+".conf")
			conf := fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2\n"+
				"sentinel down-after-milliseconds %[1]s 1000\n"+
				"sentinel failover-timeout %[1]s 5000\n"+
				"sentinel parallel-syncs %[1]s 1\n", s.MasterName, s.Primary.Port)
			return path, os.WriteFile(path, []byte(conf), 0o600)
		}, nil)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.Sentinels = append(s.Sentinels, sn)
	}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitReady waits until the replica is in sync and every sentinel knows
// the replica and the other sentinels.
func (s *Sentinel) waitReady(d time.Duration) error {
	ctx := context.Background()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ok := true
		r := redis.NewClient(&redis.Options{Addr: s.Replica.Addr, Protocol: 2})
		info, err := r.Info(ctx, "replication").Result()
		r.Close()
		if err != nil || !strings.Contains(info, "master_link_status:up") {
			ok = false
		}
		for _, sn := range s.Sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr, Protocol: 2})
			m, err := c.Master(ctx, s.MasterName).Result()
			c.Close()
			if err != nil || m["num-slaves"] != "1" || m["num-other-sentinels"] != "2" {
				ok = false
			}
		}
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("hotredistest: sentinel setup not ready after %v", d)
}

// SentinelAddrs returns the sentinels' addresses.
func (s *Sentinel) SentinelAddrs() []string {
	out := make([]string, len(s.Sentinels))
	for i, sn := range s.Sentinels {
		out[i] = sn.Addr
	}
	return out
}

// NewClient returns a hotredis client that finds the primary through the
// sentinels.
func (s *Sentinel) NewClient() (*hotredis.Client, error) {
	return hotredis.NewClient(hotredis.Options{MasterName: s.MasterName, Addrs: s.SentinelAddrs()})
}

// Client is NewClient, closed when t ends.
func (s *Sentinel) Client(t testing.TB) *hotredis.Client {
	t.Helper()
	return clientFor(t, s.NewClient)
}

// CurrentPrimary asks a sentinel for the primary's address.
func (s *Sentinel) CurrentPrimary(ctx context.Context) (string, error) {
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0].Addr, Protocol: 2})
	defer c.Close()
	a, err := c.GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil {
		return "", err
	}
	return a[0] + ":" + a[1], nil
}

// Close stops every process.
func (s *Sentinel) Close() {
	for _, sn := range s.Sentinels {
		sn.Close()
	}
	if s.Replica != nil {
		s.Replica.Close()
	}
	if s.Primary != nil {
		s.Primary.Close()
	}
}
