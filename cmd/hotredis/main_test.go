package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
	"github.com/hotredis/hotredis/internal/inspect"
)

// The tests run the command (run, as main does) against a server from
// hotredistest. A holder in another process is this test binary run
// again with HOTREDIS_CLI_ROLE set (see TestMain).

var srv *hotredistest.Server

func TestMain(m *testing.M) {
	if role := os.Getenv("HOTREDIS_CLI_ROLE"); role != "" {
		os.Exit(runRole(role))
	}
	var err error
	if srv, err = hotredistest.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// runRole is a child process: "hold-lock" takes the lock at
// HOTREDIS_CLI_KEY with label "worker" and a 30s lease, says "held" on
// stdout and keeps it until stdin closes.
func runRole(role string) int {
	ctx := context.Background()
	c, err := hotredis.NewClientURL(os.Getenv("HOTREDIS_CLI_URL"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	switch role {
	case "hold-lock":
		l := hotredis.NewLock(os.Getenv("HOTREDIS_CLI_KEY"), hotredis.WithClient(c),
			hotredis.WithLabel("worker"), hotredis.WithLease(30*time.Second))
		if err := l.Acquire(ctx); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println("held")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = l.Release(ctx)
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 1
}

// holdInChild starts a process that holds the lock at key, and returns its
// pid once it holds it. The lock is released when the test ends.
func holdInChild(t *testing.T, key string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOTREDIS_CLI_ROLE=hold-lock", "HOTREDIS_CLI_KEY="+key, "HOTREDIS_CLI_URL="+srv.URL())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "held\n" {
		t.Fatalf("child: %q, %v", line, err)
	}
	return cmd.Process.Pid
}

// cli runs the command line args against the test server.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return cliCtx(t.Context(), args...)
}

func cliCtx(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	code = run(ctx, append([]string{"--url", srv.URL()}, args...), &o, &e)
	return o.String(), e.String(), code
}

// inspectJSON runs inspect --json on key and decodes its object.
func inspectJSON(t *testing.T, key string) inspect.Object {
	t.Helper()
	out, errOut, code := cli(t, "inspect", "--json", key)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var o inspect.Object
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	return o
}

// until inspects key until ok accepts it (at most 5 s).
func until(t *testing.T, key string, ok func(o inspect.Object) bool) inspect.Object {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		o := inspectJSON(t, key)
		if ok(o) {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting; last state: %+v", o)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// unique returns name made unique to this run (go test -count).
func unique(name string) string {
	return name + "-" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
}

func client(t *testing.T) *hotredis.Client { return srv.Client(t) }

// background runs f in a goroutine whose context ends with the test.
func background(t *testing.T, f func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
