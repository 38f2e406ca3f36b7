package hotredis

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"time"
)

// newID returns a random id, unique across processes and machines: for
// handles (a lock's owner), waits and takes.
func newID() string { return newIDAfter("") }

// newIDAfter returns prefix followed by a new id, in one allocation.
func newIDAfter(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	var h [2 * len(b)]byte
	hex.Encode(h[:], b[:])
	var out strings.Builder // (its String does not copy, as string([]byte) would)
	out.Grow(len(prefix) + len(h))
	out.WriteString(prefix)
	out.Write(h[:])
	return out.String()
}

// marker returns a value no list holds, for scripts that mark a position.
func marker() string { return "\x00hotredis-marker:" + newID() }

// ms formats d in whole milliseconds, as Redis takes expiries.
func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// holderID returns a new id for a handle that holds or waits (a lock's
// owner), which also says who it is, for operators reading the server
// (hotredis inspect): "<random>|<host>|<pid>|<label>", where label is
// WithLabel's (often empty). The scripts only compare ids, and keep them
// in values and registrations, never in key names.
func holderID(label string) string {
	return newID() + "|" + process + "|" + clean(label)
}

// process is "<host>|<pid>" of this process.
var process = func() string {
	host, _ := os.Hostname()
	return clean(host) + "|" + strconv.Itoa(os.Getpid())
}()

// clean makes s fit in an id: at most 64 bytes, no spaces or '|'.
func clean(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r == '|' || r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}
