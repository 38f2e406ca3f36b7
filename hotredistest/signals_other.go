//go:build !unix

package hotredistest

import "os"

// The signals of Pause and Resume: none here, so they return an error.
var sigStop, sigCont os.Signal
