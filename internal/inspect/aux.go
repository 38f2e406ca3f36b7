package inspect

import (
	"strings"

	"github.com/hotredis/hotredis/internal/keys"
)

// The auxiliary keys hotredis puts beside an object's key (keys.Aux:
// "{key}:suffix"), with the Redis type each has and what it is for.
var auxRoles = []struct {
	suffix string // a name, or a prefix ending in ':' for families
	typ    string
	role   string
}{
	{"state", "hash", "a semaphore's permits per holder"},
	{"fence", "string", "the fencing counter of a lock or semaphore"},
	{"waiters", "zset", "the line of a lock's or semaphore's waiters"},
	{"waiting", "hash", "the registrations of a lock's or semaphore's waiters"},
	{"waiting", "zset", "the waiters of a barrier's round"},
	{"granted", "hash", "a semaphore's grants not yet confirmed"},
	{"grants:", "stream", "a grant stream of a lock or semaphore"},
	{"unfinished", "string", "a queue's count of unfinished tasks"},
	{"joined", "list", "a queue's wake-up for Join"},
	{"putwait", "list", "a queue's puts waiting for room"},
	{"notfull", "list", "a queue's wake-ups for waiting puts"},
	{"reserved", "zset", "a queue's registered takes (reservations)"},
	{"reserved:", "list", "the items of one queue reservation"},
	{"parked:", "list", "an item parked by a queue's blocking take"},
	{"members", "zset", "a WaitGroup's leased members"},
	{"wake", "stream", "the wake stream of a WaitGroup, Once, Event or Barrier"},
	{"runner", "string", "the Do running a Once"},
	{"res:", "string", "a limiter's reservation, until it is due"},
	{"tmp", "", "scratch space of a List or Set rewrite"},
	{"tmp:", "", "scratch space of a List or Set rewrite"},
}

// setSuffix is the companion of a HOT Redis set queue: "<key>-set".
const setSuffix = "-set"

// knownSuffix reports whether suffix names an auxiliary key.
func knownSuffix(suffix string) bool {
	for _, r := range auxRoles {
		if suffix == r.suffix || strings.HasSuffix(r.suffix, ":") && strings.HasPrefix(suffix, r.suffix) && len(suffix) > len(r.suffix) {
			return true
		}
	}
	return false
}

// auxRole says what an auxiliary key with suffix and Redis type typ is
// for ("" when it is no such key).
func auxRole(suffix, typ string) string {
	for _, r := range auxRoles {
		fam := strings.HasSuffix(r.suffix, ":")
		if (suffix == r.suffix || fam && strings.HasPrefix(suffix, r.suffix) && len(suffix) > len(r.suffix)) &&
			(r.typ == "" || r.typ == typ) {
			return r.role
		}
	}
	return ""
}

// ParseAux splits an auxiliary key into its object's key and its suffix:
// "{jobs}:state" gives "jobs", "state"; "{jobs}:a:reserved:x1" gives
// "{jobs}:a", "reserved:x1". ok is false for any other key. (A set
// queue's "<key>-set" is not parsed here: it is also a plain name.)
func ParseAux(k string) (base, suffix string, ok bool) {
	for i := strings.IndexByte(k, ':'); i >= 0; {
		prefix, suf := k[:i], k[i+1:]
		if knownSuffix(suf) {
			if strings.HasPrefix(prefix, "{") && strings.HasSuffix(prefix, "}") {
				if b := prefix[1 : len(prefix)-1]; b != "" && keys.Aux(b, suf) == k {
					return b, suf, true
				}
			}
			if prefix != "" && keys.Aux(prefix, suf) == k {
				return prefix, suf, true
			}
		}
		j := strings.IndexByte(k[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", "", false
}
