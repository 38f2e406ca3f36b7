// Package hotredistest starts real Redis servers for tests, the way
// net/http/httptest starts HTTP servers: a single server (NewServer), one
// that only speaks TLS (NewTLSServer), one with a least-privilege ACL user
// (NewACLServer, ACLRules), a Redis Cluster of three masters with optional
// replicas (NewCluster, with MigrateSlot for resharding), or a Sentinel
// setup (NewSentinel), each on free loopback ports with a temporary
// directory, stopped when the test ends. Faults come on demand: a Proxy
// in front of a server stalls or cuts the connections through it, and
// Server.Pause and Resume freeze the server process itself.
//
//	func TestSomething(t *testing.T) {
//		srv := hotredistest.NewServer(t)
//		list := hotredis.NewList[string]("k", hotredis.WithClient(srv.Client(t)))
//		...
//	}
//
// It needs the redis-server program (Debian: apt-get install redis-server).
package hotredistest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// ErrNoRedis is returned when the redis-server program is not installed.
var ErrNoRedis = errors.New("hotredistest: redis-server not found; install it (Debian/Ubuntu: apt-get install -y redis-server), or run ./scripts/test, which does")

// Server is a redis-server process on a loopback port.
type Server struct {
	Addr string // host:port, the address clients dial
	Port int    // Addr's port (a TLS server's TLS port: it has no plain-text one)
	// Username and Password, when set (NewACLServer), are the ACL user
	// that NewClient, Client and URL log in as. GoRedis always logs in as
	// the default user, which may do anything.
	Username, Password string

	extra []string
	dir   string
	conf  string      // a config file given first (sentinels need a writable one)
	tls   *tls.Config // set for a TLS server: the client side configuration
	certs string      // a TLS server's certificate directory

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	users  [][]any       // the ACL SETUSER commands of AddACLUser, for Restart
}

// NewServer starts a server for t and stops it when t ends. extra are
// redis-server arguments ("--maxmemory", "10mb", ...). It fails t if the
// server cannot start.
func NewServer(t testing.TB, extra ...string) *Server {
	t.Helper()
	s, err := Start(extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a server; the caller must Close it. It is for TestMain,
// programs and benchmarks that have no testing.TB.
func Start(extra ...string) (*Server, error) {
	return start(extra, nil, nil)
}

// start starts a server; conf, when not nil, writes a config file for the
// chosen port and returns its path; tlsConf makes the port a TLS port.
func start(extra []string, conf func(dir string, port int) (string, error), tlsConf *tls.Config) (*Server, error) {
	bin, err := serverBinary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "hotredistest-")
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 5 { // a free port may be taken before redis binds it
		port, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, extra: extra, dir: dir, tls: tlsConf}
		if conf != nil {
			if s.conf, err = conf(dir, port); err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
		}
		if lastErr = s.start(bin); lastErr == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

func serverBinary() (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoRedis
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) start(bin string) error {
	var args []string
	if s.conf != "" {
		args = append(args, s.conf)
	}
	if s.tls != nil {
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(s.Port))
	} else {
		args = append(args, "--port", strconv.Itoa(s.Port))
	}
	args = append(args, "--bind", "127.0.0.1", "--dir", s.dir,
		"--logfile", filepath.Join(s.dir, "redis-"+strconv.Itoa(s.Port)+".log"),
		"--protected-mode", "no")
	if s.conf == "" { // sentinels have no persistence settings
		args = append(args, "--save", "", "--appendonly", "no")
	}
	args = append(args, s.extra...)
	cmd := exec.Command(bin, args...)
	// The C locale makes SORT ALPHA compare bytes, whatever the machine's.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("hotredistest: start redis-server: %w", err)
	}
	exited := make(chan error, 1)
	gone := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(gone) }()
	s.mu.Lock()
	s.cmd, s.exited = cmd, gone
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis-"+strconv.Itoa(s.Port)+".log"))
			return fmt.Errorf("hotredistest: redis-server exited (%v): %s", err, tail(string(log)))
		default:
		}
		if pid, err := serverPID(s.Addr, s.tls); err == nil {
			if pid != cmd.Process.Pid {
				// Another program's server took the port between
				// freePort and our bind: ours is exiting (address in use).
				_ = cmd.Process.Kill()
				<-exited
				return fmt.Errorf("hotredistest: port %d is another redis-server's (pid %d)", s.Port, pid)
			}
			go func() { <-exited }()
			return s.addUsers()
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	return fmt.Errorf("hotredistest: redis-server on %s did not answer within 10s", s.Addr)
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// serverPID returns the process id of the server answering at addr (INFO
// server), so that start knows the server that answers is its own.
func serverPID(addr string, tlsConf *tls.Config) (int, error) {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, MaxRetries: -1, Protocol: 2, TLSConfig: tlsConf})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "process_id:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, fmt.Errorf("hotredistest: no process_id in INFO server of %s", addr)
}

// addUsers creates again the ACL users AddACLUser made (after Restart).
func (s *Server) addUsers() error {
	s.mu.Lock()
	users := s.users
	s.mu.Unlock()
	if len(users) == 0 {
		return nil
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, Protocol: 2, TLSConfig: s.tls})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, args := range users {
		if err := c.Do(ctx, args...).Err(); err != nil {
			return fmt.Errorf("hotredistest: ACL SETUSER on %s: %w", s.Addr, err)
		}
	}
	return nil
}

// URL returns the server's redis:// URL (rediss:// for a TLS server),
// with the ACL user's credentials when the server has one.
func (s *Server) URL() string {
	u := url.URL{Scheme: "redis", Host: s.Addr}
	if s.tls != nil {
		u.Scheme = "rediss"
	}
	if s.Username != "" {
		u.User = url.UserPassword(s.Username, s.Password)
	}
	return u.String()
}

// TLSConfig returns the client TLS configuration for a TLS server (it
// trusts the server's test CA), or nil.
func (s *Server) TLSConfig() *tls.Config {
	if s.tls == nil {
		return nil
	}
	return s.tls.Clone()
}

// NewClient returns a new hotredis client for the server.
func (s *Server) NewClient() (*hotredis.Client, error) {
	return hotredis.NewClient(hotredis.Options{Addrs: []string{s.Addr}, TLS: s.TLSConfig(),
		Username: s.Username, Password: s.Password})
}

// Client returns a new hotredis client for the server, closed when t ends.
func (s *Server) Client(t testing.TB) *hotredis.Client {
	t.Helper()
	return clientFor(t, s.NewClient)
}

// GoRedis returns a plain go-redis client for the server, for tests that
// check what is stored or act as another program would.
func (s *Server) GoRedis() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: s.Addr, TLSConfig: s.TLSConfig()})
}

// BlockedClients returns how many clients the server counts blocked in a
// command (INFO's blocked_clients): a test can wait until its consumers
// wait on the server before it produces, or check that a call waits.
func (s *Server) BlockedClients(ctx context.Context) (int, error) {
	rdb := s.GoRedis()
	defer rdb.Close()
	info, err := rdb.Info(ctx, "clients").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "blocked_clients:"); ok {
			return strconv.Atoi(v)
		}
	}
	return 0, errors.New("hotredistest: INFO clients has no blocked_clients")
}

// Kill stops the server at once with SIGKILL, as a crash would. The data
// is gone (nothing is persisted).
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, gone := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Kill()
		<-gone
	}
}

// Pause stops the server process with SIGSTOP, as a machine that hangs:
// its connections stay open and the kernel still accepts new ones, but
// nothing is answered until Resume. Kill, Restart and Close work on a
// paused server. It returns an error if the server is not running.
func (s *Server) Pause() error { return s.signal(sigStop, "SIGSTOP") }

// Resume lets a paused server run again (SIGCONT); it answers what was
// sent meanwhile. Resuming a server that is not paused does nothing.
func (s *Server) Resume() error { return s.signal(sigCont, "SIGCONT") }

func (s *Server) signal(sig os.Signal, name string) error {
	if sig == nil {
		return fmt.Errorf("hotredistest: no %s on %s", name, runtime.GOOS)
	}
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		return errors.New("hotredistest: server not running")
	}
	if err := cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("hotredistest: %s redis-server: %w", name, err)
	}
	return nil
}

// Restart kills the server and starts a new, empty one on the same port,
// with the ACL users AddACLUser made.
func (s *Server) Restart() error {
	s.Kill()
	bin, err := serverBinary()
	if err != nil {
		return err
	}
	var lastErr error
	for range 50 { // the port may take a moment to be free again
		if lastErr = s.start(bin); lastErr == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return lastErr
}

// Close stops the server and removes its directory.
func (s *Server) Close() {
	s.Kill()
	os.RemoveAll(s.dir)
	if s.certs != "" {
		os.RemoveAll(s.certs)
	}
}

// Log returns the end of the server's log file, for failure messages.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis-"+strconv.Itoa(s.Port)+".log"))
	return tail(string(b))
}

// clientFor makes a client with newClient, fails t if it cannot, and
// closes the client when t ends.
func clientFor(t testing.TB, newClient func() (*hotredis.Client, error)) *hotredis.Client {
	t.Helper()
	c, err := newClient()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
