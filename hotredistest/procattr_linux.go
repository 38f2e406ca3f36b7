package hotredistest

import "syscall"

// procAttr is how a server process starts: if the test process dies, the
// server goes with it.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
