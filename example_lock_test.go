package hotredis_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hotredis/hotredis"
)

func ExampleLock() {
	ctx := context.Background()
	lock := hotredis.NewLock("example:lock")
	if err := lock.Acquire(ctx); err != nil {
		panic(err)
	}
	// Pass the fencing token to the storage you protect, so that it can
	// reject writes from a holder whose lease ran out.
	fmt.Println("token > 0:", lock.Token() > 0)

	other := hotredis.NewLock("example:lock") // another owner
	ok, _ := other.TryAcquire(ctx)
	fmt.Println("other got it:", ok)
	fmt.Println("other releases:", errors.Is(other.Release(ctx), hotredis.ErrNotHeld))

	if err := lock.Release(ctx); err != nil {
		panic(err)
	}
	ok, _ = other.TryAcquire(ctx)
	fmt.Println("other got it after release:", ok)
	_ = other.Release(ctx)
	// Output:
	// token > 0: true
	// other got it: false
	// other releases: true
	// other got it after release: true
}

func ExampleLock_Lost() {
	ctx := context.Background()
	lock := hotredis.NewLock("example:lost", hotredis.WithLease(10*time.Second))
	if err := lock.Acquire(ctx); err != nil {
		panic(err)
	}
	// Stop the work when the lease is lost (the watchdog could not renew
	// it in time), or when the lock is released.
	work, cancel := context.WithCancel(ctx)
	go func() { <-lock.Lost(); cancel() }()
	fmt.Println("working:", work.Err() == nil)
	_ = lock.Release(ctx)
	<-work.Done()
	fmt.Println("working:", work.Err() == nil)
	// Output:
	// working: true
	// working: false
}

func ExampleRLock() {
	ctx := context.Background()
	r := hotredis.NewRLock("example:rlock")
	_ = r.Acquire(ctx)
	_ = r.Acquire(ctx) // the holder may take it again
	_ = r.Release(ctx)
	held, _ := r.Locked(ctx)
	fmt.Println("locked after one release:", held)
	_ = r.Release(ctx)
	held, _ = r.Locked(ctx)
	fmt.Println("locked after two:", held)
	// Output:
	// locked after one release: true
	// locked after two: false
}

func ExampleSemaphore() {
	ctx := context.Background()
	sem := hotredis.NewSemaphore("example:sem", 3)
	if err := sem.AcquireN(ctx, 2); err != nil {
		panic(err)
	}
	free, _ := sem.Available(ctx)
	fmt.Println("free:", free)
	ok, _ := hotredis.NewSemaphore("example:sem", 3).TryAcquireN(ctx, 2)
	fmt.Println("another got 2:", ok)
	_ = sem.ReleaseN(ctx, 2)
	// As in Python, releasing more than was acquired adds permits.
	_ = sem.Release(ctx)
	free, _ = sem.Available(ctx)
	fmt.Println("free:", free)
	_ = sem.Delete(ctx)
	// Output:
	// free: 1
	// another got 2: false
	// free: 4
}

func ExampleBoundedSemaphore() {
	ctx := context.Background()
	sem := hotredis.NewBoundedSemaphore("example:bsem", 2)
	_ = sem.Acquire(ctx)
	fmt.Println(sem.Release(ctx))
	fmt.Println(errors.Is(sem.Release(ctx), hotredis.ErrOverRelease))
	// Output:
	// <nil>
	// true
}
