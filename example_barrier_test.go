package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hotredis/hotredis"
)

func ExampleBarrier() {
	ctx := context.Background()
	const parties = 3
	// The parties are usually processes on several machines; here they are
	// goroutines, each with its own handle.
	idx := make([]int, parties)
	var wg sync.WaitGroup
	for p := range parties {
		wg.Go(func() {
			b := hotredis.NewBarrier("example:barrier", parties)
			i, err := b.Wait(ctx) // returns once all three have arrived
			if err != nil {
				panic(err)
			}
			idx[p] = i
		})
	}
	wg.Wait()
	slices.Sort(idx)
	fmt.Println("arrival indexes:", idx)
	_ = hotredis.NewBarrier("example:barrier", parties).Delete(ctx)
	// Output:
	// arrival indexes: [0 1 2]
}

func ExampleBarrier_Reset() {
	ctx := context.Background()
	b := hotredis.NewBarrier("example:barrier-broken", 2)
	// Nobody else comes: the waiter gives up, which breaks the barrier.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err := b.Wait(short)
	fmt.Println("gave up:", errors.Is(err, context.DeadlineExceeded))
	_, err = b.Wait(ctx) // at once
	fmt.Println("broken:", errors.Is(err, hotredis.ErrBrokenBarrier))

	// Reset makes it usable again.
	if err := b.Reset(ctx); err != nil {
		panic(err)
	}
	done := make(chan int)
	go func() {
		i, _ := hotredis.NewBarrier("example:barrier-broken", 2).Wait(ctx)
		done <- i
	}()
	i, err := b.Wait(ctx)
	fmt.Println("a full round:", err == nil && i+<-done == 0+1)
	_ = b.Delete(ctx)
	// Output:
	// gave up: true
	// broken: true
	// a full round: true
}
