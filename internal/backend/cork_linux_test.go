package backend_test

import (
	"net"
	"syscall"
)

// cork holds c's writes back until it is closed or uncorked (TCP_CORK),
// so that a close's FIN leaves with them.
func cork(c *net.TCPConn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, 1)
	})
}
