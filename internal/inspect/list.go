package inspect

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Entry is one object List found.
type Entry struct {
	Key       string   `json:"key"`
	Kind      Kind     `json:"kind"`
	Types     []string `json:"types,omitempty"`
	RedisType string   `json:"redis_type"`
	// AuxOf is set for an auxiliary key whose object is gone (a
	// leftover).
	AuxOf *AuxOf `json:"aux_of,omitempty"`
}

// List returns the objects whose key matches pattern (Redis glob syntax;
// "" is "*"), sorted by key, with their kinds. It walks the keyspace with
// SCAN (on every primary of a Cluster), never KEYS, and folds auxiliary
// keys into their objects: pattern "jobs*" also finds "{jobs}:fence",
// the only key of a free lock.
func (in *Inspector) List(ctx context.Context, pattern string) ([]Entry, error) {
	if pattern == "" {
		pattern = "*"
	}
	patterns := []string{pattern}
	if pattern != "*" && !strings.HasPrefix(pattern, "{") {
		patterns = append(patterns, "{"+pattern) // auxiliary keys: "{key}:suffix"
	}
	cands := map[string]bool{}
	auxOf := map[string][]string{} // object key -> auxiliary keys seen (a few)
	for _, pat := range patterns {
		err := scanKeys(ctx, in.Client, pat, func(k string) {
			base := k
			if b, _, ok := ParseAux(k); ok {
				base = b
			}
			if Match(pattern, base) || Match(pattern, k) {
				cands[base] = true
				if base != k && len(auxOf[base]) < 10 && !slices.Contains(auxOf[base], k) {
					auxOf[base] = append(auxOf[base], k)
				}
				if t := tagged(base); t != "" && strings.HasPrefix(k, t) {
					cands[t] = true // the auxiliary keys of "{x}" are x's too
				}
			}
			if b, ok := strings.CutSuffix(k, setSuffix); ok && b != "" && Match(pattern, b) {
				cands[b] = true
			}
		})
		if err != nil {
			return nil, err
		}
	}
	ks := slices.Sorted(func(yield func(string) bool) {
		for k := range cands {
			if !yield(k) {
				return
			}
		}
	})
	var out []Entry
	var left []string // auxiliary keys of objects that are gone
	const batch = 100
	for len(ks) > 0 {
		n := min(batch, len(ks))
		ps, err := in.probe(ctx, ks[:n])
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			o := recognize(p, 0)
			switch {
			case p.typ == "none" && p.tagTyp != "" && p.tagTyp != "none" && cands[tagged(p.key)]:
				continue // only the auxiliary keys of "{key}", listed itself
			case strings.HasPrefix(p.key, "{") && p.typ == "none" && cands[strings.Trim(p.key, "{}")]:
				continue // only the auxiliary keys of key without its braces, listed itself
			case o.Kind == KindNone:
				left = append(left, auxOf[p.key]...)
				continue
			}
			out = append(out, Entry{Key: o.Key, Kind: o.Kind, Types: o.Types, RedisType: o.RedisType, AuxOf: o.AuxOf})
		}
		ks = ks[n:]
	}
	if len(left) > 0 {
		ps, err := in.probe(ctx, left)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			// (An auxiliary key's name that the key's content does not
			// bear out is an object of its own: a Map at "{x}:state".)
			if o := recognize(p, 0); o.Kind != KindNone {
				out = append(out, Entry{Key: o.Key, Kind: o.Kind, Types: o.Types, RedisType: o.RedisType, AuxOf: o.AuxOf})
			}
		}
		slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	}
	// An auxiliary key is listed only when its object is gone.
	objects := map[string]bool{}
	for _, e := range out {
		if e.Kind != KindAux {
			objects[e.Key] = true
		}
	}
	return slices.DeleteFunc(out, func(e Entry) bool { return e.AuxOf != nil && objects[e.AuxOf.Key] }), nil
}

// scanKeys calls fn with each key matching pattern, on every primary.
func scanKeys(ctx context.Context, rdb redis.UniversalClient, pattern string, fn func(string)) error {
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		var mu sync.Mutex // the primaries are scanned at once
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return scanOne(ctx, c, pattern, func(k string) { mu.Lock(); fn(k); mu.Unlock() })
		})
	}
	return scanOne(ctx, rdb, pattern, fn)
}

func scanOne(ctx context.Context, c redis.Cmdable, pattern string, fn func(string)) error {
	it := c.Scan(ctx, 0, pattern, 1000).Iterator()
	for it.Next(ctx) {
		fn(it.Val())
	}
	return it.Err()
}

// Match reports whether s matches the Redis glob pattern (as KEYS and
// SCAN MATCH do: '*', '?', '[...]' with ranges and '^', '\' escapes).
func Match(pattern, s string) bool {
	skip := false
	return match(pattern, s, &skip)
}

// match is Match. It sets *skip when the rest of a pattern after a '*'
// matched s from none of its positions: then no '*' before it can match
// either by taking more of s, so the callers stop trying (Redis's own
// matcher does the same since CVE-2022-36021); without it a pattern of
// many stars took exponential time.
func match(pattern, s string, skip *bool) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 1 && pattern[1] == '*' {
				pattern = pattern[1:]
			}
			if len(pattern) == 1 {
				return true
			}
			for i := 0; i <= len(s); i++ {
				if match(pattern[1:], s[i:], skip) {
					return true
				}
				if *skip {
					return false
				}
			}
			*skip = true
			return false
		case '?':
			if len(s) == 0 {
				return false
			}
			s = s[1:]
			pattern = pattern[1:]
		case '[':
			if len(s) == 0 {
				return false
			}
			rest, ok := matchClass(pattern[1:], s[0])
			if !ok {
				return false
			}
			pattern, s = rest, s[1:]
		case '\\':
			if len(pattern) >= 2 {
				pattern = pattern[1:]
			}
			fallthrough
		default:
			if len(s) == 0 || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return len(s) == 0
}

// matchClass matches c against the class that p begins (after '['),
// and returns the pattern after the class.
func matchClass(p string, c byte) (string, bool) {
	not := len(p) > 0 && p[0] == '^'
	if not {
		p = p[1:]
	}
	match := false
	for len(p) > 0 && p[0] != ']' {
		switch {
		case p[0] == '\\' && len(p) >= 2:
			match = match || p[1] == c
			p = p[2:]
		case len(p) >= 3 && p[1] == '-' && p[2] != ']':
			lo, hi := p[0], p[2]
			if lo > hi {
				lo, hi = hi, lo
			}
			match = match || lo <= c && c <= hi
			p = p[3:]
		default:
			match = match || p[0] == c
			p = p[1:]
		}
	}
	if len(p) > 0 {
		p = p[1:] // the ']'
	}
	return p, match != not
}
