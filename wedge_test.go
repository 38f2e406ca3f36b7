package hotredis_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hotredis/hotredis"
)

// TestNoInputHoldsTheServer: inputs and stored values that made a script
// run for seconds (SPEC: no input can wedge the server) now take a few
// milliseconds of server time. The bound checked, 2 s, is far from both:
// each case took 4 s to over a minute before.
func TestNoInputHoldsTheServer(t *testing.T) {
	rdb := rawClient()
	defer rdb.Close()
	for _, tc := range []struct {
		name   string
		stored string // the key's value, set raw ("": none)
		call   func(ctx context.Context, k string) error
	}{
		{"Float.Add on a number with 80,000 spaces inside", "1" + strings.Repeat(" ", 80_000) + "x", func(ctx context.Context, k string) error {
			_, err := hotredis.NewFloat(k).Add(ctx, 1.5)
			return err
		}},
		{"Float.Add on 100,000 digits and a letter", strings.Repeat("1", 100_000) + "x", func(ctx context.Context, k string) error {
			_, err := hotredis.NewFloat(k).Add(ctx, 1.5)
			return err
		}},
		{"Int.Mul on a number with 80,000 spaces inside", "1" + strings.Repeat(" ", 80_000) + "x", func(ctx context.Context, k string) error {
			_, err := hotredis.NewInt(k).Mul(ctx, 2)
			return err
		}},
		{"List.Repeat of an empty list 2^31 times", "", func(ctx context.Context, k string) error {
			_, err := hotredis.NewList[string](k).Repeat(ctx, 1<<31)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := key(t)
			if tc.stored != "" {
				noErr(t, rdb.Set(ctx, k, tc.stored, 0).Err())
			}
			defer rdb.Del(ctx, k)
			start := time.Now()
			err := tc.call(ctx, k)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v (%v), want a few ms", took, err)
			}
		})
	}
}
