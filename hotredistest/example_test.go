package hotredistest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotredis/hotredis"
	"github.com/hotredis/hotredis/hotredistest"
)

// A proxy in front of a server holds its replies on demand, so a test can
// see what a client does when the network hangs.
func ExampleProxy() {
	ctx := context.Background()
	srv, err := hotredistest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	p, err := hotredistest.StartProxy(srv.Addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	c, err := hotredis.NewClient(hotredis.Options{Addrs: []string{p.Addr()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	l := hotredis.NewList[string]("example:proxy", hotredis.WithClient(c))
	fmt.Println(l.Append(ctx, "a", "b"))

	p.Stall(hotredistest.ToClient) // the server's replies are held
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = l.Len(short)
	cancel()
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	p.Resume(hotredistest.ToClient)
	fmt.Println(l.Len(ctx))
	// Output:
	// 2 <nil>
	// true
	// 2 <nil>
}

// A paused server answers nothing until it is resumed.
func ExampleServer_Pause() {
	ctx := context.Background()
	srv, err := hotredistest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	l := hotredis.NewList[int]("example:pause", hotredis.WithClient(c))
	fmt.Println(l.Append(ctx, 1, 2, 3))

	_ = srv.Pause()
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = l.Len(short)
	cancel()
	fmt.Println(errors.Is(err, context.DeadlineExceeded))

	_ = srv.Resume()
	fmt.Println(l.Len(ctx))
	// Output:
	// 3 <nil>
	// true
	// 3 <nil>
}

// In a test, srv := hotredistest.NewServer(t) starts a server that stops
// when the test ends. Outside a test (TestMain, or an example like this
// one, which has no t), Start does the same and the caller closes it.
func ExampleNewServer() {
	ctx := context.Background()
	srv, err := hotredistest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	s := hotredis.NewString("example:server", hotredis.WithClient(c))
	_ = s.Set(ctx, "hello")
	fmt.Println(s.Get(ctx))
	// Output: hello <nil>
}

// A test can wait until its consumer waits on the server before it
// produces, so that it checks the wake-up, not a take that found an item.
func ExampleServer_BlockedClients() {
	ctx := context.Background()
	srv, err := hotredistest.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	q := hotredis.NewQueue[string]("example:blocked", hotredis.WithClient(c))

	got := make(chan string)
	go func() {
		v, _ := q.Get(ctx) // waits: the queue is empty
		got <- v
	}()
	for {
		if n, err := srv.BlockedClients(ctx); err != nil || n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	_ = q.Put(ctx, "job")
	fmt.Println(<-got)
	// Output: job
}
