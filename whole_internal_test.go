package hotredis

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"testing"

	"github.com/hotredis/hotredis/internal/backend"
)

// A scan may return an entry twice (whole.go): once keeps the first of
// each, pairs together, in order.
func TestOnceDropsRepeatedEntries(t *testing.T) {
	pairs := []string{"a", "1", "b", "2", "a", "1", "c", "3", "b", "2"}
	if got, want := once(pairs, 2), []string{"a", "1", "b", "2", "c", "3"}; !slices.Equal(got, want) {
		t.Fatalf("once(pairs) = %v, want %v", got, want)
	}
	members := []any{"x", "y", "x", "x", "z"}
	if got, want := once(members, 1), []any{"x", "y", "z"}; !slices.Equal(got, want) {
		t.Fatalf("once(members) = %v, want %v", got, want)
	}
	if got := once[string](nil, 2); len(got) != 0 {
		t.Fatalf("once(nil) = %v", got)
	}
}

// A write that never reached the server (every try failed to write it, or
// its connection never answered its handshake) is its connection's
// failure, not ErrUnknownOutcome; one whose connection failed after it
// was written may have been applied.
func TestNeverSentIsNoLostReply(t *testing.T) {
	write := &net.OpError{Op: "write", Net: "tcp", Err: io.EOF}
	c := &Client{}
	ctx := context.Background()
	if err := c.outcome(ctx, write, true); !errors.Is(err, ErrUnknownOutcome) {
		t.Fatalf("outcome(a failed write) = %v, want ErrUnknownOutcome", err)
	}
	err := c.outcome(ctx, &backend.NotSentError{Err: write}, true)
	if errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, io.EOF) || !backend.NotSent(err) {
		t.Fatalf("outcome(never sent) = %v, want the connection's failure alone", err)
	}
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: io.EOF} // (a handshake cut, see backend's watchedConn.Read)
	if err := c.outcome(ctx, dial, true); errors.Is(err, ErrUnknownOutcome) || !errors.Is(err, io.EOF) {
		t.Fatalf("outcome(a dial's failure) = %v, want it alone", err)
	}
}
