package hotredis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/hotredis/hotredis"
)

func ExampleLimiter() {
	ctx := context.Background()
	// 2 requests a second, in bursts of up to 3, shared by every process
	// that uses the key.
	api := hotredis.NewLimiter("example:api-limit", 2, 3)
	defer api.Delete(ctx)
	for i := range 4 {
		ok, err := api.Allow(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Println("request", i, "allowed:", ok)
	}
	// Wait sleeps until the next token is due: 500ms at 2 a second.
	start := time.Now()
	if err := api.Wait(ctx); err != nil {
		panic(err)
	}
	fmt.Println("waited about 500ms:", time.Since(start) > 250*time.Millisecond)
	// Output:
	// request 0 allowed: true
	// request 1 allowed: true
	// request 2 allowed: true
	// request 3 allowed: false
	// waited about 500ms: true
}
