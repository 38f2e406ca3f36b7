//go:build unix

package hotredistest

import "syscall"

// The signals of Pause and Resume.
var sigStop, sigCont = syscall.SIGSTOP, syscall.SIGCONT
