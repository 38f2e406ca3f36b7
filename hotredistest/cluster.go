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
	// Nodes are all the nodes, masters and replicas, in the order they
	// started. Which are masters now (a failover changes it), Masters
	// tells.
	Nodes []*Server
}

// ClusterOptions configures a test cluster.
type ClusterOptions struct {
	// Replicas is the number of replicas per master (default 0). With
	// replicas, a killed master fails over in about NodeTimeout.
	Replicas int
	// NodeTimeout is cluster-node-timeout (default 2 s): how long a master
	// may not answer before its replica takes over. A master busy for that
	// long (a long script, a starved machine) is failed over too, and the
	// writes it had not yet replicated are lost: a cluster that tests
	// share, and that nobody means to fail over, wants a long one.
	NodeTimeout time.Duration
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
	if o.NodeTimeout <= 0 {
		o.NodeTimeout = 2 * time.Second
	}
	c := &Cluster{}
	for range 3 * (1 + o.Replicas) {
		s, err := startNode(o.NodeTimeout)
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
	create, cancel := context.WithTimeout(context.Background(), time.Minute) // (it waits for the nodes to agree, without a limit)
	defer cancel()
	if out, err := exec.CommandContext(create, cli, args...).CombinedOutput(); err != nil {
		c.Close()
		return nil, fmt.Errorf("hotredistest: redis-cli --cluster create: %v: %s", err, out)
	}
	if err := c.waitReady(30 * time.Second); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// startNode starts a cluster node on free ports. Its bus port, like its
// port, may be taken by another program before redis binds it: then it
// tries another.
func startNode(nodeTimeout time.Duration) (*Server, error) {
	var lastErr error
	for range 3 {
		busPort, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := Start("--cluster-enabled", "yes", "--cluster-port", strconv.Itoa(busPort),
			"--cluster-config-file", "nodes-"+strconv.Itoa(busPort)+".conf",
			"--cluster-node-timeout", strconv.FormatInt(nodeTimeout.Milliseconds(), 10), "--repl-diskless-sync-delay", "0")
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
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

// SlotOwner returns the master that serves slot, as the first node that
// answers sees it.
func (c *Cluster) SlotOwner(ctx context.Context, slot int) (*Server, error) {
	for _, n := range c.Nodes {
		r := redis.NewClient(&redis.Options{Addr: n.Addr, Protocol: 2})
		ranges, err := r.ClusterSlots(ctx).Result()
		r.Close()
		if err != nil {
			continue
		}
		for _, rg := range ranges {
			if rg.Start <= slot && slot <= rg.End && len(rg.Nodes) > 0 {
				for _, m := range c.Nodes {
					if m.Addr == rg.Nodes[0].Addr {
						return m, nil
					}
				}
			}
		}
	}
	return nil, fmt.Errorf("hotredistest: no node serves slot %d", slot)
}

// MigrateSlot moves slot, and every key in it, from its owner to the
// master dst while the cluster keeps serving, as redis-cli --cluster
// reshard does (StartSlotMigration, MoveKeys, Finish).
func (c *Cluster) MigrateSlot(ctx context.Context, slot int, dst *Server) error {
	m, err := c.StartSlotMigration(ctx, slot, dst)
	if err != nil || m == nil {
		return err
	}
	if _, err := m.MoveKeys(ctx, 0); err != nil {
		return err
	}
	return m.Finish(ctx)
}

// SlotMigration is a slot on its way from one master to another.
type SlotMigration struct {
	c            *Cluster
	slot         int
	src, dst     *Server
	srcID, dstID string
}

// StartSlotMigration begins moving slot from its owner to the master dst:
// dst IMPORTING, then the owner MIGRATING. From then on, until Finish,
// commands on the slot's keys that the owner no longer has get an ASK
// redirection to dst, and multi-key commands on keys split between the
// two get TRYAGAIN. It returns nil, nil if dst already owns the slot. A
// nil dst is another master.
func (c *Cluster) StartSlotMigration(ctx context.Context, slot int, dst *Server) (*SlotMigration, error) {
	src, err := c.SlotOwner(ctx, slot)
	if err != nil || src == dst {
		return nil, err
	}
	if dst == nil {
		masters, err := c.Masters(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range masters {
			if m != src {
				dst = m
				break
			}
		}
		if dst == nil {
			return nil, fmt.Errorf("hotredistest: no master but slot %d's owner", slot)
		}
	}
	m := &SlotMigration{c: c, slot: slot, src: src, dst: dst}
	if m.srcID, err = m.do(ctx, src, "CLUSTER", "MYID").Text(); err != nil {
		return nil, err
	}
	if m.dstID, err = m.do(ctx, dst, "CLUSTER", "MYID").Text(); err != nil {
		return nil, err
	}
	if err := m.do(ctx, dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", m.srcID).Err(); err != nil {
		return nil, fmt.Errorf("hotredistest: SETSLOT IMPORTING: %w", err)
	}
	if err := m.do(ctx, src, "CLUSTER", "SETSLOT", slot, "MIGRATING", m.dstID).Err(); err != nil {
		return nil, fmt.Errorf("hotredistest: SETSLOT MIGRATING: %w", err)
	}
	return m, nil
}

// From returns the slot's old owner.
func (m *SlotMigration) From() *Server { return m.src }

// To returns the slot's new owner.
func (m *SlotMigration) To() *Server { return m.dst }

// MoveKeys moves up to n of the slot's keys (all of them if n <= 0) from
// the old owner to the new one with MIGRATE, and returns how many it
// moved.
func (m *SlotMigration) MoveKeys(ctx context.Context, n int) (int, error) {
	moved := 0
	for n <= 0 || moved < n {
		batch := 100
		if n > 0 {
			batch = min(batch, n-moved)
		}
		r := redis.NewClient(&redis.Options{Addr: m.src.Addr, Protocol: 2})
		ks, err := r.ClusterGetKeysInSlot(ctx, m.slot, batch).Result()
		r.Close()
		if err != nil {
			return moved, err
		}
		if len(ks) == 0 {
			break
		}
		args := []any{"MIGRATE", "127.0.0.1", m.dst.Port, "", 0, 5000, "KEYS"}
		for _, k := range ks {
			args = append(args, k)
		}
		if err := m.do(ctx, m.src, args...).Err(); err != nil {
			return moved, fmt.Errorf("hotredistest: MIGRATE: %w", err)
		}
		moved += len(ks)
	}
	return moved, nil
}

// Finish gives the slot to the new owner: SETSLOT NODE on it first (so it
// never redirects back), then on the old owner, then on every other node.
// Keys still on the old owner are not moved: call MoveKeys first.
func (m *SlotMigration) Finish(ctx context.Context) error {
	order := []*Server{m.dst, m.src}
	for _, n := range m.c.Nodes {
		if n != m.dst && n != m.src {
			order = append(order, n)
		}
	}
	for _, n := range order {
		n.mu.Lock()
		alive := n.cmd != nil
		n.mu.Unlock()
		if !alive {
			continue
		}
		err := m.do(ctx, n, "CLUSTER", "SETSLOT", m.slot, "NODE", m.dstID).Err()
		// Other nodes (replicas refuse SETSLOT) learn the change by gossip.
		if err != nil && (n == m.dst || n == m.src) {
			return fmt.Errorf("hotredistest: SETSLOT NODE on %s: %w", n.Addr, err)
		}
	}
	return nil
}

// Abort ends the migration before it moved anything: the slot is STABLE
// on both nodes again and stays with its owner. Keys already moved stay
// on the new owner, out of reach: call it only before MoveKeys.
func (m *SlotMigration) Abort(ctx context.Context) error {
	for _, n := range []*Server{m.src, m.dst} {
		if err := m.do(ctx, n, "CLUSTER", "SETSLOT", m.slot, "STABLE").Err(); err != nil {
			return fmt.Errorf("hotredistest: SETSLOT STABLE on %s: %w", n.Addr, err)
		}
	}
	return nil
}

// do sends one command to node n.
func (m *SlotMigration) do(ctx context.Context, n *Server, args ...any) *redis.Cmd {
	r := redis.NewClient(&redis.Options{Addr: n.Addr, Protocol: 2})
	defer r.Close()
	return r.Do(ctx, args...)
}

// Close stops every node.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Close()
	}
}
