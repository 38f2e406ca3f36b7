package hotredis_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hotredis/hotredis"
)

func TestClusterSmoke(t *testing.T) {
	c := sharedCluster(t).Client(t)
	l := hotredis.NewList[int]("{x}a", hotredis.WithClient(c))
	l2 := hotredis.NewList[int]("{x}b", hotredis.WithClient(c))
	l3 := hotredis.NewList[int]("other", hotredis.WithClient(c))
	if _, err := l.Append(ctx, 3, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := l.Reverse(ctx); err != nil {
		t.Fatal(err)
	}
	err := c.Transaction(ctx, func(ctx context.Context) error {
		l.Append(ctx, 9)
		l2.Append(ctx, 8)
		return l.Insert(ctx, 0, 7)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Transaction(ctx, func(ctx context.Context) error {
		l.Append(ctx, 9)
		l3.Append(ctx, 8)
		return nil
	})
	t.Log(err, errors.Is(err, hotredis.ErrCrossSlot))
	err = c.Optimistic(ctx, func(ctx context.Context) error {
		n, err := l.Len(ctx)
		if err != nil {
			return err
		}
		_, err = l2.Append(ctx, n)
		return err
	}, l)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := l.Values(ctx)
	vs2, _ := l2.Values(ctx)
	t.Log(vs, vs2, err)
}
