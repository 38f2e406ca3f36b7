// Command hotredis shows what hotredis objects hold in Redis: who holds a
// lock or semaphore and who waits, a queue's depth and reservations, a
// collection's size and a sample.
//
//	hotredis [flags] inspect KEY...   what lives at each key, in full
//	hotredis [flags] ls [PATTERN]     the objects whose key matches, with their kinds
//	hotredis [flags] watch KEY...     inspect, redrawn every second until interrupted
//
// Install it with
//
//	go install github.com/hotredis/hotredis/cmd/hotredis@latest
//
// It connects like the library's Options: --url (default $REDIS_URL, else
// redis://localhost:6379), --addrs for Cluster seeds or sentinels,
// --master for a Sentinel-managed primary, --user and --password, --tls,
// --ca and --tls-insecure. --json writes one JSON object a line, for
// scripts. Exit status: 0 done, 1 Redis could not be reached or failed,
// 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	redis.SetLogger(quiet{}) // errors are reported once, by run
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// quiet drops go-redis's log lines (a dial retried, ...).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

const usage = `usage: hotredis [flags] COMMAND [ARGS]

Commands:
  inspect KEY...   what lives at each key: its kind (lock, semaphore, queue, ...),
                   holders with lease and fencing token, waiters, queue depth and
                   reservations, size, TTL, memory and a sample of the value
  ls [PATTERN]     the objects whose key matches PATTERN (Redis glob, default *),
                   with their kinds; uses SCAN, never KEYS
  watch KEY...     inspect KEY..., redrawn every --interval until interrupted

Flags (before or after the command):
`

// config is the command line.
type config struct {
	conn     connFlags
	json     bool
	interval time.Duration
	limit    int
}

func newFlags(c *config, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hotredis", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.conn.url, "url", "", "Redis `URL`: redis:// or rediss:// (TLS), with user, password and db (default $REDIS_URL, else redis://localhost:6379)")
	fs.StringVar(&c.conn.addrs, "addrs", "", "comma-separated host:port `list`: Cluster seeds, or sentinels with --master (overrides the URL's host)")
	fs.StringVar(&c.conn.master, "master", "", "Sentinel master `name`: connect to the primary the sentinels in --addrs name")
	fs.StringVar(&c.conn.user, "user", "", "ACL user `name`")
	fs.StringVar(&c.conn.password, "password", "", "`password` (or ACL user's password)")
	fs.StringVar(&c.conn.sentinelUser, "sentinel-user", "", "ACL user `name` for the sentinels")
	fs.StringVar(&c.conn.sentinelPassword, "sentinel-password", "", "`password` for the sentinels")
	fs.IntVar(&c.conn.db, "db", 0, "database `number` (default: the URL's, else 0)")
	fs.BoolVar(&c.conn.tls, "tls", false, "connect with TLS (as a rediss:// URL does)")
	fs.BoolVar(&c.conn.tlsInsecure, "tls-insecure", false, "TLS without checking the server's certificate")
	fs.StringVar(&c.conn.ca, "ca", "", "PEM `file` of the CA that signed the server's certificate (implies --tls)")
	fs.BoolVar(&c.json, "json", false, "write JSON, one object a line")
	fs.DurationVar(&c.interval, "interval", time.Second, "watch: time between refreshes")
	fs.IntVar(&c.limit, "limit", 20, "holders, waiters and reservations listed per object")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "Run 'hotredis -h' for usage.") }
	return fs
}

// help writes the full usage.
func help(fs *flag.FlagSet, w io.Writer) {
	fs.SetOutput(w)
	fmt.Fprint(w, usage)
	fs.PrintDefaults()
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c config
	fs := newFlags(&c, stderr)
	pos, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		help(fs, stdout)
		return exitOK
	}
	if err != nil {
		return exitUsage // the flag package said why
	}
	fs.Visit(func(f *flag.Flag) { c.conn.dbSet = c.conn.dbSet || f.Name == "db" })
	if c.conn.url == "" {
		c.conn.url = os.Getenv("REDIS_URL")
	}
	if c.conn.url == "" {
		c.conn.url = "redis://localhost:6379"
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hotredis: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'hotredis -h' for usage.")
		return exitUsage
	}
	if len(pos) == 0 {
		return bad("no command: inspect, ls or watch")
	}
	cmd, rest := pos[0], pos[1:]
	switch cmd {
	case "help":
		help(fs, stdout)
		return exitOK
	case "inspect", "watch":
		if len(rest) == 0 {
			return bad("%s needs at least one KEY", cmd)
		}
	case "ls":
		if len(rest) > 1 {
			return bad("ls takes one PATTERN, not %d (quote it: 'jobs:*')", len(rest))
		}
	default:
		return bad("unknown command %q: inspect, ls or watch", cmd)
	}
	if c.interval <= 0 {
		return bad("--interval must be positive, not %v", c.interval)
	}
	if c.limit <= 0 {
		return bad("--limit must be positive, not %d", c.limit)
	}
	opts, err := c.conn.options()
	if err != nil {
		return bad("%v", err)
	}
	rdb, err := connect(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "hotredis: %v\n", err)
		return exitFail
	}
	defer rdb.Close()
	a := &app{rdb: rdb, cfg: c, out: stdout}
	switch cmd {
	case "inspect":
		err = a.inspect(ctx, rest)
	case "ls":
		pattern := "*"
		if len(rest) == 1 {
			pattern = rest[0]
		}
		err = a.ls(ctx, pattern)
	case "watch":
		err = a.watch(ctx, rest)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hotredis %s: %v\n", cmd, err)
		return exitFail
	}
	return exitOK
}

// parse parses flags anywhere in args (before, between and after the
// positional arguments) and returns the positional ones. After "--"
// everything is positional: a key that begins with '-'.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, tail = args[:i], args[i+1:]
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(pos, tail...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
