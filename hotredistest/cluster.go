package hotredistest

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// Cluster is a Redis Cluster of three masters, each with
// ClusterOptions.Replicas replicas, on loopback.
type Cluster struct {
	Nodes []*Server
}

// ClusterOptions configures a test cluster.
type ClusterOptions struct {
	// Replicas is the number of replicas per master (default 0). With
	// replicas, a killed master fails over in about two seconds
	// (cluster-node-timeout is 2000 ms).
	Replicas int
}

// NewCluster starts a cluster for t and stops it when t ends.
func NewCluster(t testing.TB, opts ...ClusterOptions) *Cluster {
	t.Helper()
	c, err := StartCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// StartCluster starts a three-master cluster; the caller must Close it.
func StartCluster(opts ...ClusterOptions) (*Cluster, error) {
	var o ClusterOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	c := &Cluster{}
	for range 3 * (1 + o.Replicas) {
		busPort, err := freePort()
		if err != nil {
			c.Close()
			return nil, err
		}
		s, err := Start("--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(busPort),
			"--cluster-config-file", "nodes-"+strconv.Itoa(busPort)+".conf",
			"--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0")
		if err != nil {
			c.Close()
			return nil, err
		}
		c.Nodes = append(c.Nodes, s)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("hotredistest: redis-cli not found (it comes with redis-server): %w", err)
	}
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(o.Replicas), "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		c.Close()
		return nil, fmt.Errorf("hotredistest: redis-cli --cluster create: %v: %s", err, out)
	}
	if err := c.waitReady(30 * time.Second); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// waitReady waits until every node reports the cluster ok and knows all
// three masters.
func (c *Cluster) waitReady(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		ok := true
		for _, n := range c.Nodes {
			r := redis.NewClient(&redis.Options{Addr: n.Addr, Protocol: 2})
			info, err := r.ClusterInfo(context.Background()).Result()
			repl, err2 := r.Info(context.Background(), "replication").Result()
			r.Close()
			// A replica that has not finished its first sync cannot take
			// over, so wait for every replica's link too.
			synced := strings.Contains(repl, "role:master") || strings.Contains(repl, "master_link_status:up")
			if err != nil || err2 != nil || !synced || !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(c.Nodes))) {
				ok = false
				break
			}
		}
		if ok {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("hotredistest: cluster not ready after %v", d)
}

// Addrs returns the nodes' addresses.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// NewClient returns a new hotredis client for the cluster.
func (c *Cluster) NewClient() (*hotredis.Client, error) {
	return hotredis.NewClient(hotredis.Options{Addrs: c.Addrs()})
}

// Client returns a new hotredis client for the cluster, closed when t ends.
func (c *Cluster) Client(t testing.TB) *hotredis.Client {
	t.Helper()
	return clientFor(t, c.NewClient)
}

// GoRedis returns a go-redis cluster client.
func (c *Cluster) GoRedis() *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
}

// Masters returns the nodes that are masters now, as the cluster sees them
// (after a failover, a former replica).
func (c *Cluster) Masters(ctx context.Context) ([]*Server, error) {
	var out []*Server
	for _, n := range c.Nodes {
		n.mu.Lock()
		alive := n.cmd != nil
		n.mu.Unlock()
		if !alive {
			continue // killed
		}
		r := redis.NewClient(&redis.Options{Addr: n.Addr, Protocol: 2})
		role, err := r.Do(ctx, "ROLE").Slice()
		r.Close()
		if err != nil {
			continue
		}
		if len(role) > 0 && role[0] == "master" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("hotredistest: no master answers")
	}
	return out, nil
}

// Close stops every node.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Close()
	}
}
