//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package backend

import (
	"errors"
	"io"
	"net"
	"syscall"
)

// peerClosed reports whether the server has closed conn (io.EOF) or reset
// it (syscall.ECONNRESET), by peeking at its socket without waiting; nil
// when it is open, has data waiting, or cannot be told.
func peerClosed(conn net.Conn) error {
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok { // TLS
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	var closed error
	_ = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n == 0 && err == nil:
			closed = io.EOF
		case errors.Is(err, syscall.ECONNRESET):
			closed = err
		}
		return true // never wait
	})
	return closed
}
