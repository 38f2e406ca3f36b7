package hotredis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis"
)

// The examples connect to srv, the server the test binary starts; a
// program names its own (see Options).

// A Client of your own, for the objects made WithClient.
func ExampleNewClient() {
	ctx := context.Background()
	c, err := hotredis.NewClient(hotredis.Options{
		Addrs:    []string{srv.Addr}, // one server; several addresses mean a Cluster
		Username: srv.Username,       // for an ACL user, if the server has them
		Password: srv.Password,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	jobs := hotredis.NewQueue[string]("example:newclient", hotredis.WithClient(c))
	defer jobs.Delete(ctx)
	_ = jobs.Put(ctx, "resize image 7")
	fmt.Println(jobs.Get(ctx))
	// Output: resize image 7 <nil>
}

// Configure chooses the default client, which every object made without
// WithClient uses. A program calls it once, at start-up.
func ExampleConfigure() {
	// This example shares its process with the tests: it gives them their
	// default client back when it ends.
	prev, _ := hotredis.DefaultClient()
	defer hotredis.SetDefaultClient(prev)

	err := hotredis.Configure(hotredis.Options{URL: srv.URL()}) // "redis://user:pass@host:6379/0"
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := hotredis.DefaultClient()
	defer c.Close()

	ctx := context.Background()
	visits := hotredis.NewInt("example:configure") // no WithClient: the default client
	defer visits.Delete(ctx)
	fmt.Println(visits.Add(ctx, 1))
	// Output: 1 <nil>
}

// WrapGoRedis puts hotredis objects on a go-redis client the program
// already has: they share its connections and see the same data.
func ExampleWrapGoRedis() {
	ctx := context.Background()
	// MaxRetries -1: a write whose reply is lost is ErrUnknownOutcome,
	// never sent twice by go-redis (see WrapGoRedis).
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1})
	defer rdb.Close()
	c := hotredis.WrapGoRedis(rdb)
	defer c.Close() // leaves rdb open

	tags := hotredis.NewSet[string]("example:wrapgoredis", hotredis.WithClient(c))
	defer tags.Delete(ctx)
	fmt.Println(tags.Add(ctx, "go", "redis", "go"))
	fmt.Println(rdb.SCard(ctx, "example:wrapgoredis").Val())
	// Output:
	// 2 <nil>
	// 2
}

// SetMaxOutage lets the waiting calls of a client ride out a longer
// outage than the default 10 s, such as a Sentinel failover (30 s and
// more with Sentinel's defaults); NewClient takes it as Options.MaxOutage.
func ExampleClient_SetMaxOutage() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Username: srv.Username, Password: srv.Password, MaxRetries: -1})
	defer rdb.Close()
	c := hotredis.WrapGoRedis(rdb)
	defer c.Close()
	c.SetMaxOutage(time.Minute)

	// A worker's Get now waits through a server that is out of reach for
	// up to a minute, giving back what a lost round trip took; its
	// context still bounds it.
	jobs := hotredis.NewQueue[string]("example:maxoutage", hotredis.WithClient(c))
	defer jobs.Delete(ctx)
	_ = jobs.Put(ctx, "send invoice 12")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	fmt.Println(jobs.Get(ctx))
	// Output: send invoice 12 <nil>
}
