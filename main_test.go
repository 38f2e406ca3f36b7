package hotredis_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// srv is the server most tests share; each test uses its own keys.
var (
	srv    *hotredistest.Server
	client *hotredis.Client
)

func TestMain(m *testing.M) {
	// Child processes started by multi-process tests run a role and exit.
	if role := os.Getenv("HOTREDIS_TEST_ROLE"); role != "" {
		os.Exit(runRole(role))
	}
	var err error
	srv, err = hotredistest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	client, err = srv.NewClient()
	if err != nil {
		srv.Close()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hotredis.SetDefaultClient(client)
	code := m.Run()
	if cluster != nil {
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

// key returns a key unique to the test.
func key(t testing.TB, suffix ...string) string {
	k := "test:" + t.Name()
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
	cmd.Env = append(os.Environ(), "HOTREDIS_TEST_ROLE="+name, "HOTREDIS_TEST_URL="+srv.URL())
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

var (
	clusterOnce sync.Once
	cluster     *hotredistest.Cluster
	clusterErr  error
)

// sharedCluster returns a three-master cluster shared by the package's
// tests, started on first use and stopped by TestMain.
func sharedCluster(t testing.TB) *hotredistest.Cluster {
	t.Helper()
	clusterOnce.Do(func() { cluster, clusterErr = hotredistest.StartCluster() })
	if clusterErr != nil {
		t.Fatal(clusterErr)
	}
	return cluster
}
