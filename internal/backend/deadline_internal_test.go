package backend

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestAtDeadline: a socket or dial timeout that ended a call at its
// context's deadline reports context.DeadlineExceeded (and still wraps
// the timeout); before the deadline, or for other errors, the error is
// kept as it is.
func TestAtDeadline(t *testing.T) {
	ioTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	past, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Millisecond))
	defer cancel()
	future, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel2()
	other := errors.New("connection refused")
	if err := atDeadline(past, ioTimeout); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("timeout at the deadline: %v", err)
	}
	if err := atDeadline(future, ioTimeout); err != ioTimeout {
		t.Errorf("timeout before the deadline: %v", err)
	}
	if err := atDeadline(context.Background(), ioTimeout); err != ioTimeout {
		t.Errorf("timeout without a deadline: %v", err)
	}
	if err := atDeadline(past, other); err != other {
		t.Errorf("another error at the deadline: %v", err)
	}
	if err := atDeadline(past, nil); err != nil {
		t.Errorf("no error: %v", err)
	}
}
