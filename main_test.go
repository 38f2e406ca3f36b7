package hotredis_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// The suite runs on one topology per run, chosen by HOTREDIS_TEST_TOPOLOGY:
// "single" (the default); "cluster", where the default client, rawClient
// and child processes all use a Redis Cluster of three masters and three
// replicas; or "acl", a single server where the default client, srv's
// clients and child processes log in as a user with only
// hotredistest.ACLRules (on every key), which checks that those rules are
// all the library needs. Keys from key() carry a hash tag per test, so a
// test's keys share a slot either way.
var (
	topology = os.Getenv("HOTREDIS_TEST_TOPOLOGY")
	srv      *hotredistest.Server // a single server, in every topology
	client   *hotredis.Client     // the default client, on the topology
	testURL  string               // the topology's URL, for child processes
)

// onCluster reports whether the suite runs on a Redis Cluster.
func onCluster() bool { return topology == "cluster" }

// rawClient returns a plain go-redis client on the suite's topology, to
// check stored bytes or to act as another program would.
func rawClient() redis.UniversalClient {
	if onCluster() {
		return cluster.GoRedis()
	}
	return srv.GoRedis()
}

var (
	runsMu sync.Mutex
	runs   = map[string]int{}        // test name → runs started (go test -count)
	runIDs = map[testing.TB]string{} // a test's run → its key suffix
)

// runOf returns "" for a test's first run in this process and "#n" for
// its n-th (go test -count n), so that a run never sees the keys of the
// one before.
func runOf(t testing.TB) string {
	runsMu.Lock()
	defer runsMu.Unlock()
	if id, ok := runIDs[t]; ok {
		return id
	}
	runs[t.Name()]++
	id := ""
	if n := runs[t.Name()]; n > 1 {
		id = fmt.Sprintf("#%d", n)
	}
	runIDs[t] = id
	return id
}

// keysMatching lists the keys matching pattern on every master: KEYS on a
// Cluster client asks one node only.
func keysMatching(t testing.TB, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		ks, err := rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	var mu sync.Mutex
	var out []string
	err := cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		ks, err := c.Keys(ctx, pattern).Result()
		mu.Lock()
		out = append(out, ks...)
		mu.Unlock()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMain(m *testing.M) {
	// Child processes started by multi-process tests run a role and exit.
	if role := os.Getenv("HOTREDIS_TEST_ROLE"); role != "" {
		os.Exit(runRole(role))
	}
	var err error
	if topology == "acl" {
		if srv, err = hotredistest.StartACL(); err == nil {
			// TestNewClientOptions uses DB 3: SELECT is the one rule a
			// client needs beyond ACLRules when Options.DB is not 0.
			rdb := srv.GoRedis()
			err = rdb.Do(context.Background(), "ACL", "SETUSER", srv.Username, "+select").Err()
			rdb.Close()
		}
	} else {
		srv, err = hotredistest.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	switch topology {
	case "", "single", "acl":
		client, err = srv.NewClient()
		testURL = srv.URL()
	case "cluster":
		startSharedCluster()
		if err = clusterErr; err == nil {
			client, err = cluster.NewClient()
			testURL = "redis://" + cluster.Nodes[0].Addr
		}
	default:
		err = fmt.Errorf("unknown HOTREDIS_TEST_TOPOLOGY %q (want single, cluster or acl)", topology)
	}
	if err != nil {
		srv.Close()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hotredis.SetDefaultClient(client)
	code := m.Run()
	if cluster != nil {
		if s := failedOver(); s != "no failover" {
			fmt.Fprintln(os.Stderr, "WARNING:", s)
		}
		cluster.Close()
	}
	client.Close()
	srv.Close()
	os.Exit(code)
}

// roles are the programs child processes can run, by name.
var roles = map[string]func() error{}

func runRole(name string) int {
	f := roles[name]
	if f == nil {
		fmt.Fprintln(os.Stderr, "unknown role", name)
		return 2
	}
	if err := f(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// key returns a key unique to the test. All keys of one test share a hash
// tag, so multi-key operations work on a Cluster too.
func key(t testing.TB, suffix ...string) string {
	k := "{test:" + t.Name() + runOf(t) + "}"
	for _, s := range suffix {
		k += ":" + s
	}
	return k
}

var ctx = context.Background()

// startRole starts this test binary again as a child process that runs
// roles[name] (registered in an init function) and exits. env adds
// variables; HOTREDIS_TEST_URL always holds the shared server's URL.
func startRole(t testing.TB, name string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTREDIS_TEST_ROLE="+name, "HOTREDIS_TEST_URL="+testURL)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// roleClient connects a child process to the parent's server and makes it
// the default client.
func roleClient() (*hotredis.Client, error) {
	c, err := hotredis.NewClientURL(os.Getenv("HOTREDIS_TEST_URL"))
	if err != nil {
		return nil, err
	}
	hotredis.SetDefaultClient(c)
	return c, nil
}

// otherClient returns a second hotredis client on the suite's topology,
// closed when t ends: another program sharing the same data.
func otherClient(t testing.TB) *hotredis.Client {
	if onCluster() {
		return cluster.Client(t)
	}
	return srv.Client(t)
}

// roleClients makes a child process's default client (roleClient) and a
// raw one (roleRawClient); done closes both.
func roleClients() (rdb redis.UniversalClient, done func(), err error) {
	c, err := roleClient()
	if err != nil {
		return nil, nil, err
	}
	if rdb, err = roleRawClient(); err != nil {
		c.Close()
		return nil, nil, err
	}
	return rdb, func() { rdb.Close(); c.Close() }, nil
}

// roleRawClient is rawClient for a child process.
func roleRawClient() (redis.UniversalClient, error) {
	opt, err := redis.ParseURL(os.Getenv("HOTREDIS_TEST_URL"))
	if err != nil {
		return nil, err
	}
	if onCluster() {
		return redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{opt.Addr}}), nil
	}
	opt.Username, opt.Password = "", "" // the default user, as rawClient
	return redis.NewClient(opt), nil
}

var (
	clusterOnce sync.Once
	cluster     *hotredistest.Cluster
	clusterErr  error
)

// startSharedCluster starts the cluster of sharedCluster once: three
// masters with one replica each, so that every write is replicated as in
// production. Its node timeout is long: with the default 2 s, a master
// starved of CPU by a loaded -race run (or busy with a long script) was
// failed over by its replica, and the writes it had acknowledged but not
// yet replicated were lost, which a test counting items then reported.
// The failover tests start clusters of their own.
func startSharedCluster() {
	clusterOnce.Do(func() {
		cluster, clusterErr = hotredistest.StartCluster(hotredistest.ClusterOptions{Replicas: 1, NodeTimeout: 30 * time.Second})
		if clusterErr == nil {
			clusterMasters = mastersOf(cluster)
		}
	})
}

// clusterMasters are the shared cluster's masters when it started.
var clusterMasters string

// mastersOf lists c's masters' addresses.
func mastersOf(c *hotredistest.Cluster) string {
	ms, err := c.Masters(ctx)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Addr)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// failedOver reports, for a test's failure message, whether the shared
// cluster's masters changed since it started: a failover that nobody
// asked for, which loses acknowledged writes.
func failedOver() string {
	if cluster == nil {
		return "no shared cluster"
	}
	if now := mastersOf(cluster); now != clusterMasters {
		return fmt.Sprintf("the shared cluster FAILED OVER (masters %s, now %s)", clusterMasters, now)
	}
	return "no failover"
}

// sharedCluster returns a cluster of three masters and three replicas
// shared by the package's tests, started on first use and stopped by
// TestMain.
func sharedCluster(t testing.TB) *hotredistest.Cluster {
	t.Helper()
	startSharedCluster()
	if clusterErr != nil {
		t.Fatal(clusterErr)
	}
	return cluster
}
