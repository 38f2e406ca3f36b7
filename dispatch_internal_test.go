package hotredis

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/hotredis/hotredis/internal/backend"
)

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
