package hotredis

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// newID returns a random id, unique across processes and machines: for
// handles (a lock's owner), waits and takes.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b[:])
}

// marker returns a value no list holds, for scripts that mark a position.
func marker() string { return "\x00hotredis-marker:" + newID() }

// ms formats d in whole milliseconds, as Redis takes expiries.
func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
