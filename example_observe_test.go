package hotredis_test

import (
	"context"
	"fmt"

	"github.com/hotredis/hotredis"
)

// printer is an Observer that prints what it is told. (The hotredisotel
// module has one that records OpenTelemetry spans and metrics.)
type printer struct{}

func (printer) StartOperation(ctx context.Context, op hotredis.Operation) (context.Context, func(hotredis.OperationEnd)) {
	return ctx, func(end hotredis.OperationEnd) { fmt.Println(op.Name, op.Key, end.Err) }
}

func (printer) Wait(ctx context.Context, w hotredis.WaitEvent) {
	fmt.Println(w.Name, "waited:", w.Outcome)
}

func (printer) Lease(ctx context.Context, e hotredis.LeaseEvent) {
	fmt.Println(e.Type, e.Key, "lease", e.Kind)
}

func ExampleObserver() {
	ctx := context.Background()
	c, err := hotredis.NewClient(hotredis.Options{
		Addrs:    []string{srv.Addr},
		Username: srv.Username,
		Password: srv.Password,
		Observer: printer{},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	lock := hotredis.NewLock("example:observed", hotredis.WithClient(c))
	if err := lock.Acquire(ctx); err != nil {
		panic(err)
	}
	_ = lock.Release(ctx)
	// Output:
	// Lock.Acquire example:observed <nil>
	// Lock example:observed lease acquired
	// Lock.Release example:observed <nil>
	// Lock example:observed lease released
}
