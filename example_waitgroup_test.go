package hotredis_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hotredis/hotredis"
)

func ExampleWaitGroup() {
	ctx := context.Background()
	wg := hotredis.NewWaitGroup("example:wg")
	var processed atomic.Int64
	// The workers would usually be other processes, with handles of their
	// own on "example:wg".
	if err := wg.Add(ctx, 3); err != nil {
		panic(err)
	}
	for range 3 {
		go func() {
			defer wg.Done(ctx)
			processed.Add(1)
		}()
	}
	if err := wg.Wait(ctx); err != nil {
		panic(err)
	}
	fmt.Println("processed:", processed.Load())
	n, _ := wg.Count(ctx)
	fmt.Println("count:", n)
	_ = wg.Delete(ctx)
	// Output:
	// processed: 3
	// count: 0
}

func ExampleWaitGroup_Go() {
	ctx := context.Background()
	wg := hotredis.NewWaitGroup("example:wg-go", hotredis.WithLease(10*time.Second))
	// Go counts the member while f runs. Had this process died meanwhile,
	// the member would be counted done when its lease ran out, and Wait
	// would report it with ErrMemberLost.
	err := wg.Go(ctx, func(ctx context.Context) error {
		n, _ := wg.Count(ctx)
		fmt.Println("running:", n)
		return nil
	})
	fmt.Println("Go:", err)
	fmt.Println("Wait:", wg.Wait(ctx))
	_ = wg.Delete(ctx)
	// Output:
	// running: 1
	// Go: <nil>
	// Wait: <nil>
}
