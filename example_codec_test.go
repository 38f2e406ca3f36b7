package hotredis_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hotredis/hotredis"
)

type span struct{ From, To int }

// spanCodec stores a span as "from|to".
type spanCodec struct{}

func (spanCodec) Encode(s span) (string, error) {
	return strconv.Itoa(s.From) + "|" + strconv.Itoa(s.To), nil
}

// Decode returns an error, never a zero span, for text it cannot read.
func (spanCodec) Decode(text string) (span, error) {
	from, to, ok := strings.Cut(text, "|")
	f, errFrom := strconv.Atoi(from)
	t, errTo := strconv.Atoi(to)
	if !ok || errFrom != nil || errTo != nil {
		return span{}, fmt.Errorf("not from|to: %q", text)
	}
	return span{f, t}, nil
}

// A Codec of your own decides the text stored for each value.
func ExampleWithCodec() {
	ctx := context.Background()
	spans := hotredis.NewList[span]("example:codec", hotredis.WithCodec[span](spanCodec{}))
	defer spans.Delete(ctx)

	_, _ = spans.Append(ctx, span{0, 5}, span{3, 7})
	fmt.Println(spans.Values(ctx))
	stored, _ := hotredis.NewList[string]("example:codec").Values(ctx)
	fmt.Println(stored)
	// Output:
	// [{0 5} {3 7}] <nil>
	// [0|5 3|7]
}
