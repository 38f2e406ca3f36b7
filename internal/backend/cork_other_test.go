//go:build !linux

package backend_test

import "net"

// cork does nothing here: the tests that need it run on Linux only.
func cork(*net.TCPConn) {}
