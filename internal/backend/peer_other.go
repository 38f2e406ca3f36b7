//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package backend

import "net"

// peerClosed cannot peek at a socket here: a connection the server closed
// while it sat idle is found by the call that uses it.
func peerClosed(net.Conn) error { return nil }
