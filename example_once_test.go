package hotredis_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/hotredis/hotredis"
)

func ExampleOnce() {
	ctx := context.Background()
	// Every process of the fleet calls Do; one of them runs the migration,
	// the others wait for it to succeed.
	migrate := hotredis.NewOnce("example:once")
	_ = migrate.Delete(ctx)

	attempt := 0
	run := func(ctx context.Context) error {
		attempt++
		fmt.Println("migrating, attempt", attempt)
		if attempt == 1 {
			return errors.New("database not ready")
		}
		return nil
	}
	// A run that fails does not count: the next Do runs it again.
	fmt.Println(migrate.Do(ctx, run))
	fmt.Println(migrate.Do(ctx, run))
	fmt.Println(migrate.Do(ctx, run)) // done: f is not called
	done, _ := migrate.Done(ctx)
	fmt.Println("done:", done)
	_ = migrate.Delete(ctx)
	// Output:
	// migrating, attempt 1
	// database not ready
	// migrating, attempt 2
	// <nil>
	// <nil>
	// done: true
}
