package hotredis_test

import (
	"testing"

	"github.com/hotredis/hotredis"
)

func TestSmoke(t *testing.T) {
	l := hotredis.NewList[string](key(t))
	if _, err := l.Append(ctx, "a", "b", "c"); err != nil {
		t.Fatal(err)
	}
	if err := l.Insert(ctx, 1, "x"); err != nil {
		t.Fatal(err)
	}
	vs, err := l.Values(ctx)
	t.Log(vs, err)
	v, err := l.PopAt(ctx, 2)
	t.Log(v, err)
	if err := l.Reverse(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.SetSlice(ctx, 0, 1, "p", "q", "r"); err != nil {
		t.Fatal(err)
	}
	n, err := l.Repeat(ctx, 2)
	t.Log(n, err)
	if err := l.Sort(ctx, false); err != nil {
		t.Fatal(err)
	}
	c, err := l.Count(ctx, "p")
	t.Log(c, err)
	vs, err = l.Values(ctx)
	t.Log(vs, err)
}
