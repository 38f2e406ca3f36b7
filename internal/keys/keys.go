// Package keys derives the Redis keys hotredis invents: generated keys for
// anonymous objects, and auxiliary keys that must share an object's Redis
// Cluster slot.
package keys

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
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
// matched by any tag: its auxiliary keys may land in another slot, which a
// Cluster reports as a cross-slot error.
func Aux(key, suffix string) string {
	tag := HashTag(key)
	if tag != key {
		return key + ":" + suffix
	}
	if strings.ContainsRune(key, '}') {
		// A key like "a{}b" hashes whole; no tag can reproduce that, so
		// fall back to a key that at least keeps the object's name.
		return key + ":" + suffix
	}
	return "{" + key + "}:" + suffix
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
