package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotredis/hotredis"
)

func ExampleEvent() {
	ctx := context.Background()
	ready := hotredis.NewEvent("example:event")
	_ = ready.Delete(ctx)

	// Another goroutine, or another process, sets the event.
	go func() {
		time.Sleep(10 * time.Millisecond)
		_ = ready.Set(ctx)
	}()
	fmt.Println("Wait:", ready.Wait(ctx)) // blocks until Set

	_ = ready.Clear(ctx)
	set, _ := ready.IsSet(ctx)
	fmt.Println("set after Clear:", set)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	fmt.Println("timed out:", errors.Is(ready.Wait(short), context.DeadlineExceeded))
	_ = ready.Delete(ctx)
	// Output:
	// Wait: <nil>
	// set after Clear: false
	// timed out: true
}
