package hotredis_test

import (
	"context"
	"fmt"

	"github.com/hotredis/hotredis"
)

func ExampleRWLock() {
	ctx := context.Background()
	config := hotredis.NewRWLock("example:config")

	// Readers share the lock, in this process or any other.
	r1, r2 := hotredis.NewRWLock("example:config"), hotredis.NewRWLock("example:config")
	_ = r1.AcquireRead(ctx)
	_ = r2.AcquireRead(ctx)
	ok, _ := config.TryAcquire(ctx)
	fmt.Println("writer while two read:", ok)
	_ = r1.ReleaseRead(ctx)
	_ = r2.ReleaseRead(ctx)

	// A writer holds it alone, with a fencing token for the storage it
	// protects.
	if err := config.Acquire(ctx); err != nil {
		panic(err)
	}
	fmt.Println("token > 0:", config.Token() > 0)
	ok, _ = r1.TryAcquireRead(ctx)
	fmt.Println("reader while writing:", ok)
	_ = config.Release(ctx)
	// Output:
	// writer while two read: false
	// token > 0: true
	// reader while writing: false
}
