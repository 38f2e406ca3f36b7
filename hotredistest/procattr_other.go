//go:build !linux

package hotredistest

import "syscall"

// procAttr is how a server process starts: as any child (only Linux can
// have it killed with the test process; elsewhere a test killed outright
// leaves its servers running, while one that ends stops them).
func procAttr() *syscall.SysProcAttr { return nil }
