// Package keys derives the Redis keys hotredis invents: generated keys for
// anonymous objects, and auxiliary keys that must share an object's Redis
// Cluster slot.
package keys

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
)

// Random returns a new unique key for an object created with an empty key.
func Random() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Linux
	return "hotredis:" + hex.EncodeToString(b[:])
}

// HashTag returns the part of key that Redis Cluster hashes: the text
// between the first '{' and the next '}', when that is not empty; otherwise
// the whole key.
func HashTag(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j]
		}
	}
	return key
}

// Aux returns the auxiliary key named suffix for the object stored at key,
// in the same Cluster slot: "jobs" gives "{jobs}:suffix", and a key that
// already carries a tag keeps it ("{jobs}:a" gives "{jobs}:a:suffix").
// A key that holds a '}' but no valid tag (such as "a}{b") cannot be
// matched by any tag of its own: its auxiliary keys, named so since the
// first release (renaming them would orphan stored state), may land in
// another slot, which a Cluster reports as a cross-slot error.
func Aux(key, suffix string) string {
	open, close := braces(key)
	return open + key + close + ":" + suffix
}

// braces returns what Aux puts around key: nothing for a key that carries
// a tag or a '}', else the braces that make the whole key its tag.
func braces(key string) (open, close string) {
	if HashTag(key) != key || strings.ContainsRune(key, '}') {
		return "", ""
	}
	return "{", "}"
}

// WithAux returns key, then Aux(key, s) for each of suffixes: the names
// in one allocation, for an object of many keys (a lock has 22) made per
// request.
func WithAux(key string, suffixes ...string) []string {
	open, close := braces(key)
	prefix := len(open) + len(key) + len(close) + 1
	n := 0
	for _, s := range suffixes {
		n += prefix + len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range suffixes {
		b.WriteString(open)
		b.WriteString(key)
		b.WriteString(close)
		b.WriteByte(':')
		b.WriteString(s)
	}
	all := b.String()
	out := make([]string, 1, 1+len(suffixes))
	out[0] = key
	for _, s := range suffixes {
		out = append(out, all[:prefix+len(s)])
		all = all[prefix+len(s):]
	}
	return out
}

// Fresh returns a key named suffix that does not exist yet (a scratch
// key, a new object's), in key's Cluster slot, that starts with key (so
// that an ACL user's patterns for the object's keys, "~app:* ~{app:*",
// cover it): Aux's, except for a key with a '}' but no valid tag, whose
// Aux keys land in other slots. Such a key gets a number n as the tag
// that puts the name in its slot: "a}b" gives "a}b:{n}:suffix"; "a}{b",
// whose '{' opens the name's tag, "a}{b:n}:suffix" (n found once per key,
// under a millisecond, and remembered); a key whose first '{' is followed
// by '}' ("a{}b}"), which makes Redis hash every name whole,
// "a{}b}:suffix:n". Nothing stored goes by these names (scratch keys,
// records that expire, new objects' keys), so renaming them orphans
// nothing.
func Fresh(key, suffix string) string {
	if HashTag(key) != key || !strings.ContainsRune(key, '}') {
		return Aux(key, suffix)
	}
	slot := Slot(key)
	i := strings.IndexByte(key, '{')
	switch {
	case i < 0:
		return key + ":{" + slotTag(slot) + "}:" + suffix
	case i+1 < len(key) && key[i+1] == '}':
		return numbered(key+":"+suffix+":", "", slot)
	}
	// (The name's tag runs from key's '{' to the '}' after n.)
	return remembered(freshOdd, key, func() string { return numbered(key+":", "}:", slot) }) + suffix
}

// remembered returns m's name for key, found by find the first time (m
// holds up to oddMax names, under oddMu).
func remembered(m map[string]string, key string, find func() string) string {
	oddMu.Lock()
	a, ok := m[key]
	oddMu.Unlock()
	if ok {
		return a
	}
	a = find()
	oddMu.Lock()
	if len(m) >= oddMax {
		clear(m)
	}
	m[key] = a
	oddMu.Unlock()
	return a
}

// numbered returns prefix + n + suffix for the first n >= 0 that puts it
// in slot (about 16,000 tries).
func numbered(prefix, suffix string, slot int) string {
	for n := 0; ; n++ {
		if k := prefix + strconv.Itoa(n) + suffix; Slot(k) == slot {
			return k
		}
	}
}

// Absent returns a key in key's Cluster slot that hotredis never
// creates. A script that may empty one of its keys and then name it again
// declares it last in KEYS: while the slot migrates, Redis runs a script
// only if every key it declares is on the node, so it refuses such a
// script whole (TRYAGAIN, retried by the client) instead of stopping it
// halfway, at the command that names the emptied key, which Redis then
// has to look for on the other node.
//
// It starts with key, as Aux's keys do, so that an ACL user's key
// patterns that cover the object's keys cover it too. A key with a '}' but
// no valid tag (whose Aux keys land elsewhere) gets the first numbered
// name "key:hotredis-absent:n" in its slot (found in ~16,000 tries, under
// a millisecond, and remembered).
func Absent(key string) string {
	if HashTag(key) != key || !strings.ContainsRune(key, '}') {
		return Aux(key, absentSuffix)
	}
	// (The suffix adds no brace: the whole name is hashed, as key is.)
	return remembered(absentOdd, key, func() string { return numbered(key+":"+absentSuffix+":", "", Slot(key)) })
}

// absentSuffix names Absent's key.
const absentSuffix = "hotredis-absent"

// absentOdd and freshOdd remember Absent's keys and Fresh's prefixes of
// keys with a '}' but no valid tag, up to oddMax of each.
var (
	oddMu     sync.Mutex
	absentOdd = map[string]string{}
	freshOdd  = map[string]string{}
)

const oddMax = 4096

// slotTags caches slotTag's answers.
var slotTags sync.Map // slot -> tag

// slotTag returns the smallest decimal number whose slot, as a tag, is
// slot (found in ~16,000 tries, under a millisecond, once per slot).
func slotTag(slot int) string {
	if t, ok := slotTags.Load(slot); ok {
		return t.(string)
	}
	for n := 0; ; n++ {
		if t := strconv.Itoa(n); int(crc16(t)%16384) == slot {
			slotTags.Store(slot, t)
			return t
		}
	}
}

// Slot returns the Redis Cluster hash slot of key.
func Slot(key string) int {
	return int(crc16(HashTag(key)) % 16384)
}

// SameSlot reports whether all keys hash to one slot, and if not, returns
// two keys that differ.
func SameSlot(ks []string) (a, b string, ok bool) {
	if len(ks) < 2 {
		return "", "", true
	}
	s := Slot(ks[0])
	for _, k := range ks[1:] {
		if Slot(k) != s {
			return ks[0], k, false
		}
	}
	return "", "", true
}

// crc16 is CRC-16/XMODEM, the checksum Redis Cluster uses for slots.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for b := 0; b < 8; b++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
