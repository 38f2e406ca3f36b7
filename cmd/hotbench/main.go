// Command hotbench measures hotredis against Redis and against other Go
// libraries doing the same job, on one server, in one run:
//
//	go run -C cmd/hotbench . locks          # Lock vs redsync vs redislock
//	go run -C cmd/hotbench . -d 5s locks
//
// (from the repository's root; or cd cmd/hotbench && go run . locks).
// hotbench is a module of its own, so that the libraries it compares
// against stay out of hotredis's go.mod; its go.mod replaces hotredis
// with the code in ../.., so it always measures this checkout.
//
// It uses the server at REDIS_URL, or starts its own redis-server (via
// hotredistest) when REDIS_URL is unset.
package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// benches are the subcommands, by name; each file registers its own.
var benches = map[string]func(url string) error{}

var duration = flag.Duration("d", 3*time.Second, "how long each measurement runs")

func main() {
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: hotbench [-d duration] %s\n", strings.Join(slices.Sorted(maps.Keys(benches)), "|"))
		flag.PrintDefaults()
	}
	flag.Parse()
	run := benches[flag.Arg(0)]
	if flag.NArg() != 1 || run == nil {
		flag.Usage()
		os.Exit(2)
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		srv, err := hotredistest.Start()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer srv.Close()
		url = srv.URL()
		fmt.Printf("redis-server started on %s\n", srv.Addr)
	}
	if err := run(url); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// connect makes the clients a benchmark compares: hotredis's and a go-redis
// one (with its options, to make more) on url, and a func closing both.
func connect(url string) (*hotredis.Client, *redis.Client, *redis.Options, func(), error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	hc, err := hotredis.NewClientURL(url)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	rdb := redis.NewClient(opt)
	return hc, rdb, opt, func() { rdb.Close(); hc.Close() }, nil
}
