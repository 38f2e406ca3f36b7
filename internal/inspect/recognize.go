package inspect

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hotredis/hotredis/internal/keys"
)

// Recognition: what lives at a key, told from its Redis type, the
// auxiliary keys beside it and a few fields, read for many keys at once
// (ls) in two round trips.

// probeSuffixes are the auxiliary keys whose presence tells the kinds apart.
var probeSuffixes = []string{"state", "fence", "waiters", "waiting", "granted", "unfinished", "joined",
	"putwait", "notfull", "reserved", "members", "wake", "runner"}

// probe is what recognition reads of a key: its Redis type, those of the
// keys beside it and a few fields.
type probe struct {
	key, typ string
	pttl     int64             // ms; -1: no expiry; -2: no key
	aux      map[string]string // suffix -> Redis type, of those that exist
	setTyp   string            // the type of key-set
	baseTyp  string            // for a key "<base>-set": the type of base
	tagTyp   string            // the type of "{key}", whose auxiliary keys are key's too

	hlen   int64
	fields map[string]string // a hash's fields that tell our hashes apart
	strlen int64
	head   string            // a string's first bytes
	items  []string          // a list's first items
	zfirst string            // a sorted set's first member
	wake   map[string]string // the wake stream's last entry
	reg    string            // a registration of the line, if any
	// sample holds a few fields of the hash at the key (of a hash at
	// key:state when the key is none), to tell a semaphore's state from a
	// Map that has its name.
	sample []string
}

// hashFields are the fields of the hashes hotredis stores at a key: a
// lock's, a barrier's, a WaitGroup's.
var hashFields = []string{"owner", "fence", "count", "wid", "r", "g", "q", "gen", "n", "broken", "done", "lost", "w", "i", "from"}

// present counts the fields of names that f has (every field of a hash
// of only those).
func present(f map[string]string, names ...string) int64 {
	n := int64(0)
	for _, name := range names {
		if _, ok := f[name]; ok {
			n++
		}
	}
	return n
}

// probe reads, in two round trips, what recognition needs of each key.
func (in *Inspector) probe(ctx context.Context, ks []string) ([]*probe, error) {
	type first struct {
		typ, setTyp, baseTyp *redis.StatusCmd
		tagTyp               *redis.StatusCmd
		pttl                 *redis.DurationCmd
		aux                  []*redis.StatusCmd
	}
	fs := make([]first, len(ks))
	err := pipe(ctx, in.Client, func(p redis.Pipeliner) {
		for i, k := range ks {
			f := &fs[i]
			f.typ, f.pttl = p.Type(ctx, k), p.PTTL(ctx, k)
			for _, s := range probeSuffixes {
				f.aux = append(f.aux, p.Type(ctx, keys.Aux(k, s)))
			}
			f.setTyp = p.Type(ctx, k+setSuffix)
			if base, ok := strings.CutSuffix(k, setSuffix); ok && base != "" {
				f.baseTyp = p.Type(ctx, base)
			}
			if tagged(k) != "" {
				f.tagTyp = p.Type(ctx, tagged(k))
			}
		}
	})
	if err != nil {
		return nil, err
	}
	ps := make([]*probe, len(ks))
	for i, k := range ks {
		f := fs[i]
		pr := &probe{key: k, typ: typeOf(f.typ), setTyp: typeOf(f.setTyp), aux: map[string]string{}, pttl: -2}
		if d, err := f.pttl.Result(); err == nil {
			pr.pttl = pttlMS(d)
		}
		for j, s := range probeSuffixes {
			if t := typeOf(f.aux[j]); t != "none" {
				pr.aux[s] = t
			}
		}
		if f.baseTyp != nil {
			pr.baseTyp = typeOf(f.baseTyp)
		}
		if f.tagTyp != nil {
			pr.tagTyp = typeOf(f.tagTyp)
		}
		ps[i] = pr
	}
	type second struct {
		hlen, strlen  *redis.IntCmd
		hm            *redis.SliceCmd
		head          *redis.StringCmd
		items, zfirst *redis.StringSliceCmd
		wake          *redis.XMessageSliceCmd
		regs          *redis.ScanCmd
		sample        *redis.StringSliceCmd
	}
	ss := make([]second, len(ks))
	err = pipe(ctx, in.Client, func(p redis.Pipeliner) {
		for i, pr := range ps {
			s, k := &ss[i], pr.key
			switch pr.typ {
			case "hash":
				s.hlen, s.hm = p.HLen(ctx, k), p.HMGet(ctx, k, hashFields...)
				s.sample = p.HRandField(ctx, k, 5)
			case "string":
				s.strlen, s.head = p.StrLen(ctx, k), p.GetRange(ctx, k, 0, 63)
			case "list":
				s.items = p.LRange(ctx, k, 0, 9)
			case "zset":
				s.zfirst = p.ZRange(ctx, k, 0, 0)
			}
			if pr.aux["wake"] == "stream" {
				s.wake = p.XRevRangeN(ctx, keys.Aux(k, "wake"), "+", "-", 1)
			}
			if pr.typ == "none" && pr.aux["state"] == "hash" {
				s.sample = p.HRandField(ctx, keys.Aux(k, "state"), 5)
			}
			if pr.aux["waiting"] == "hash" {
				s.regs = p.HScan(ctx, keys.Aux(k, "waiting"), 0, "", 20)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	for i, pr := range ps {
		s := ss[i]
		if s.hlen != nil {
			pr.hlen = s.hlen.Val()
			pr.fields = map[string]string{}
			for j, v := range s.hm.Val() {
				if v, ok := v.(string); ok {
					pr.fields[hashFields[j]] = v
				}
			}
		}
		if s.sample != nil {
			pr.sample = s.sample.Val()
		}
		if s.strlen != nil {
			pr.strlen, pr.head = s.strlen.Val(), s.head.Val()
		}
		if s.items != nil {
			pr.items = s.items.Val()
		}
		if s.zfirst != nil && len(s.zfirst.Val()) > 0 {
			pr.zfirst = s.zfirst.Val()[0]
		}
		if s.wake != nil && len(s.wake.Val()) > 0 {
			pr.wake = map[string]string{}
			for f, v := range s.wake.Val()[0].Values {
				pr.wake[f], _ = v.(string)
			}
		}
		if s.regs != nil {
			kv, _ := s.regs.Val()
			for j := 0; j+1 < len(kv); j += 2 {
				if !strings.Contains(kv[j], "#") {
					pr.reg = kv[j+1]
					break
				}
			}
		}
	}
	return ps, nil
}

func typeOf(c *redis.StatusCmd) string {
	if t, err := c.Result(); err == nil {
		return t
	}
	return "unknown"
}

// pttlMS turns go-redis's PTTL reply into ms (-1: no expiry, -2: no key).
func pttlMS(d time.Duration) int64 {
	if d < 0 {
		return int64(d / time.Nanosecond) // go-redis keeps -1 and -2 as they are
	}
	return d.Milliseconds()
}

// tagged returns "{key}" for a key without a hash tag: an object whose
// auxiliary keys are the same as key's ("" for a key with a tag or braces).
func tagged(k string) string {
	if strings.ContainsAny(k, "{}") {
		return ""
	}
	return "{" + k + "}"
}

// rwPermits is the size of the semaphore an RWLock runs on: a writer
// holds all of them, a reader one.
const rwPermits = 1 << 50

// limiterText is a Limiter's bucket: µs of server time, three decimals.
var limiterText = regexp.MustCompile(`^\d{13,17}\.\d{3}$`)

// recognize tells the kind from the probe.
func recognize(p *probe, nowUS int64) *Object {
	o := &Object{Key: p.key, RedisType: p.typ}
	if p.typ != "none" {
		o.Keys = append(o.Keys, p.key)
		if p.pttl >= 0 {
			o.TTL = msp(p.pttl)
		}
	}
	for _, s := range probeSuffixes {
		if _, ok := p.aux[s]; ok {
			o.Keys = append(o.Keys, keys.Aux(p.key, s))
		}
	}
	if p.setTyp == "set" {
		o.Keys = append(o.Keys, p.key+setSuffix)
	}
	set := func(k Kind, types ...string) *Object { o.Kind, o.Types = k, types; return o }
	note := func(s string) { o.Notes = append(o.Notes, s) }
	if p.typ == "none" && p.tagTyp != "" && p.tagTyp != "none" && len(p.aux) > 0 {
		note(fmt.Sprintf("the keys beside it are also those of %q, which exists: inspect that", tagged(p.key)))
	}

	if base, suffix, ok := ParseAux(p.key); ok && p.typ != "none" {
		if role := auxRole(suffix, p.typ); role != "" && (suffix != "state" || semState(p.sample)) {
			o.AuxOf = &AuxOf{Key: base, Role: role}
			if p.typ == "string" {
				note("an Int or String stored under this name looks the same")
			}
			return set(KindAux)
		}
	}
	if base, ok := strings.CutSuffix(p.key, setSuffix); ok && p.typ == "set" && p.baseTyp == "list" {
		o.AuxOf = &AuxOf{Key: base, Role: "the set of a set queue's queued items"}
		return set(KindAux)
	}

	has := func(suffix, typ string) bool { return p.aux[suffix] == typ }
	queueAux := has("unfinished", "string") || has("reserved", "zset") || has("putwait", "list") ||
		has("notfull", "list") || has("joined", "list")
	lineAux := has("state", "hash") || has("waiters", "zset") || has("waiting", "hash") ||
		has("granted", "hash") || has("fence", "string")

	switch p.typ {
	case "hash":
		f := p.fields
		switch {
		case (isHandleID(f["owner"]) || lineAux) && isInt(f["fence"]) && isInt(f["count"]) && f["wid"] != "" &&
			p.hlen == present(f, "owner", "fence", "count", "wid", "r", "g", "q"):
			if n, _ := strconv.ParseInt(f["count"], 10, 64); n > 1 {
				return set(KindLock, "RLock")
			}
			return set(KindLock, "Lock", "RLock")
		case isInt(f["gen"]) && (len(f["gen"]) >= 13 || p.aux["waiting"] != "" || p.wake["g"] != "") && barrierHash(p):
			// (Rounds are numbered by the clock, in ms.)
			return set(KindBarrier, "Barrier")
		case isInt(f["count"]) && isInt(f["lost"]) && p.hlen == 2:
			if has("members", "zset") || p.wake["lost"] != "" {
				return set(KindWaitGroup, "WaitGroup")
			}
			note("a Map or Counter holding just the fields count and lost is stored the same way")
			return set(KindWaitGroup, "WaitGroup", "Map", "DefaultMap", "Counter")
		}
		return set(KindHash, "Map", "DefaultMap", "Counter")
	case "zset":
		if lineAux || isHolderID(p.zfirst) {
			return set(KindSemaphore, "Semaphore", "BoundedSemaphore")
		}
	case "list":
		switch {
		case p.setTyp == "set":
			return set(KindSetQueue, "SetQueue", "LifoSetQueue")
		case queueAux:
			return set(KindQueue, "Queue", "LifoQueue")
		}
		if allOnes(p.items) {
			note(`every item sampled is "1": this may be a HOT Redis (Python) Lock or Semaphore, one item per hold`)
		}
		note("a Queue or LifoQueue with no task pending and nobody waiting has no other key: it looks the same")
		return set(KindList, "List", "Queue", "LifoQueue")
	case "set":
		return set(KindSet, "Set")
	case "string":
		switch {
		case p.head == "1" && (has("runner", "string") || p.wake["ok"] != ""):
			return set(KindOnce, "Once")
		case p.head == "1" && p.wake["set"] != "":
			return set(KindEvent, "Event")
		case p.pttl > 0 && limiterText.MatchString(p.head) && nearNow(p.head, nowUS+p.pttl*1000):
			return set(KindLimiter, "Limiter")
		case p.head == "1":
			note(`a done Once and a set Event are also stored as the string "1"`)
		}
		return set(KindString, stringTypes(p.head, p.strlen)...)
	case "none":
		switch {
		case has("state", "hash") && semState(p.sample):
			return set(KindSemaphore, "Semaphore", "BoundedSemaphore")
		case has("waiters", "zset") || has("waiting", "hash"):
			switch len(strings.Fields(p.reg)) {
			case 3:
				return set(KindLock, "Lock", "RLock")
			case 4:
				return set(KindSemaphore, "Semaphore", "BoundedSemaphore")
			}
			return set(KindLine, "Lock", "RLock", "Semaphore", "BoundedSemaphore", "RWLock")
		case has("fence", "string"):
			note("free (fencing counter only): a lock or semaphore used in the last hour; which kind is not stored")
			return set(KindLine, "Lock", "RLock", "Semaphore", "BoundedSemaphore", "RWLock")
		case queueAux:
			if p.setTyp == "set" {
				return set(KindSetQueue, "SetQueue", "LifoSetQueue")
			}
			return set(KindQueue, "Queue", "LifoQueue")
		case has("runner", "string") || p.wake["ok"] != "":
			return set(KindOnce, "Once")
		case has("members", "zset") || p.wake["lost"] != "":
			return set(KindWaitGroup, "WaitGroup")
		case p.wake["set"] != "":
			return set(KindEvent, "Event")
		case p.wake["g"] != "":
			return set(KindBarrier, "Barrier")
		}
		return set(KindNone)
	}
	return set(KindForeign)
}

// barrierHash reports whether a hash with a gen field has only a
// barrier's fields.
func barrierHash(p *probe) bool {
	n := int64(0)
	for _, f := range []string{"gen", "n", "broken", "done", "lost", "w", "i", "from"} {
		if _, ok := p.fields[f]; ok {
			n++
		}
	}
	return n == p.hlen
}

// semState reports whether fields, sampled from a hash at key:state, are
// a semaphore's: handle ids, with '@' after them for a holding's lease, or
// its own entries ('#extra', '#used').
func semState(fields []string) bool {
	for _, f := range fields {
		if strings.HasPrefix(f, "#") || isHandleID(strings.TrimSuffix(f, "@")) {
			return true
		}
	}
	return false
}

// isInt reports whether s is a decimal integer.
func isInt(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// isHandleID reports whether s is a lock or semaphore handle's id, as
// this version writes it or as older ones did (hex alone).
func isHandleID(s string) bool {
	if isHolderID(s) {
		return true
	}
	return len(s) >= 16 && strings.Trim(s, "0123456789abcdef") == ""
}

// isHolderID reports whether s is a lock or semaphore handle's id.
func isHolderID(s string) bool { return ParseWho(s).Host != "" }

func allOnes(items []string) bool {
	for _, s := range items {
		if s != "1" {
			return false
		}
	}
	return len(items) > 0
}

// nearNow reports whether the number s is within 2 s of want.
func nearNow(s string, want int64) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f > float64(want)-2e6 && f < float64(want)+2e6
}

// stringTypes names the types a string may be, from its first bytes.
func stringTypes(head string, n int64) []string {
	if int64(len(head)) == n {
		if _, err := strconv.ParseInt(head, 10, 64); err == nil {
			return []string{"Int", "String"}
		}
		if _, err := strconv.ParseFloat(head, 64); err == nil {
			return []string{"Float", "String"}
		}
	}
	return []string{"String", "ImmutableString"}
}
