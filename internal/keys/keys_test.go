package keys

import (
	"strconv"
	"strings"
	"testing"
	"testing/quick"
)

func TestSlotKnownValues(t *testing.T) {
	// Values from the Redis Cluster specification and CLUSTER KEYSLOT.
	cases := map[string]int{
		"123456789":            12739,
		"foo":                  12182,
		"{user1000}.following": Slot("user1000"),
		"a{}b":                 Slot("a{}b"),
	}
	for k, want := range cases {
		if got := Slot(k); got != want {
			t.Errorf("Slot(%q) = %d, want %d", k, got, want)
		}
	}
}

func TestAuxSharesSlot(t *testing.T) {
	// (Keys holding a '}' but no valid tag, "}", "a}{b", "a{}b", keep
	// their auxiliary keys' names, in other slots; a fresh key gets a
	// number's tag of their slot.)
	for _, k := range []string{"jobs", "{jobs}", "x{tag}y", "hotredis:0123", "", "{", "a{b", "{{x}}", "}", "a}b", "a}{b", "a{}b", "user}1", "}{", "a}{", "a{}b}", "}{}"} {
		if f := Fresh(k, "tmp"); Slot(f) != Slot(k) && k != "" {
			t.Errorf("Fresh(%q) = %q in slot %d, key in slot %d", k, f, Slot(f), Slot(k))
		}
		if strings.ContainsRune(k, '}') && HashTag(k) == k {
			if a := Aux(k, "tmp"); a != k+":tmp" {
				t.Errorf("Aux(%q) = %q, want %q (the names of stored state)", k, a, k+":tmp")
			}
			continue
		}
		a := Aux(k, "tmp")
		if Slot(a) != Slot(k) && k != "" {
			t.Errorf("Aux(%q) = %q in slot %d, key in slot %d", k, a, Slot(a), Slot(k))
		}
	}
	if got := Aux("jobs", "n"); got != "{jobs}:n" {
		t.Errorf("Aux(jobs) = %q", got)
	}
	if got := Aux("{jobs}:a", "n"); got != "{jobs}:a:n" {
		t.Errorf("Aux({jobs}:a) = %q", got)
	}
}

// Absent's key shares the key's slot, and begins with the key (or with
// Aux's brace and the key), so that an ACL user's patterns for the
// object's keys ("~app:* ~{app:*") cover it: a key with a '}' but no
// valid tag got Fresh's "{<n>}:..." name, which they do not (a review,
// 2026-12-08: NOPERM for a contended Lock, List.Reverse, WaitGroup.Add,
// Queue.TaskDone on such keys).
func TestAbsentSharesSlotAndPrefix(t *testing.T) {
	for _, k := range []string{"jobs", "{jobs}", "x{tag}y", "app:{jobs}", "hotredis:0123", "{", "a{b", "{{x}}", "}", "a}b", "a}{b", "a{}b", "app:user}1", "app:x}{b", "}{"} {
		a := Absent(k)
		if Slot(a) != Slot(k) {
			t.Errorf("Absent(%q) = %q in slot %d, key in slot %d", k, a, Slot(a), Slot(k))
		}
		if !strings.HasPrefix(a, k) && !strings.HasPrefix(a, "{"+k) {
			t.Errorf("Absent(%q) = %q: not under the key's own prefix", k, a)
		}
		if a == k || Absent(k) != a {
			t.Errorf("Absent(%q) = %q, then %q", k, a, Absent(k))
		}
	}
}

// Fresh's keys share the key's slot, begin with the key (or with Aux's
// brace and the key), as Absent's do, and differ by suffix: a key with a
// '}' but no valid tag got a "{<n>}:..." name, which an ACL user's
// patterns for the object's keys ("~app:* ~{app:*") do not cover (NOPERM
// for a Set algebra's rebuild, a waiting Limiter reservation, an
// ImmutableString's new string on such keys).
func TestFreshSharesSlotAndPrefix(t *testing.T) {
	check := func(k, suffix string) bool {
		f := Fresh(k, suffix)
		if Slot(f) != Slot(k) {
			t.Errorf("Fresh(%q, %q) = %q in slot %d, key in slot %d", k, suffix, f, Slot(f), Slot(k))
		}
		if !strings.HasPrefix(f, k) && !strings.HasPrefix(f, "{"+k) {
			t.Errorf("Fresh(%q, %q) = %q: not under the key's own prefix", k, suffix, f)
		}
		if !strings.HasSuffix(f, suffix) && !strings.Contains(f, ":"+suffix+":") {
			t.Errorf("Fresh(%q, %q) = %q: no suffix", k, suffix, f)
		}
		return f != k && Fresh(k, suffix) == f && Fresh(k, suffix+"x") != f
	}
	for _, k := range []string{"jobs", "{jobs}", "x{tag}y", "app:{jobs}", "{", "a{b", "{{x}}", "}", "a}b", "a}{b", "a{}b", "app:user}1", "app:x}{b", "}{", "a}{", "a{}b}", "}{}", "app:a{}b}"} {
		for _, suffix := range []string{"tmp:1", "res:x", "hotredis:0123"} {
			if !check(k, suffix) {
				t.Errorf("Fresh(%q, %q) = %q: not fresh", k, suffix, Fresh(k, suffix))
			}
		}
	}
	if err := quick.Check(func(a, b string, c uint8) bool {
		k := a + string("{}"[c%2]) + b + "}"
		return check(k, "tmp:"+b)
	}, nil); err != nil {
		t.Error(err)
	}
}

// WithAux names what Aux names, for any key and suffixes.
func TestWithAuxIsAux(t *testing.T) {
	f := func(key string, suffixes []string) bool {
		got := WithAux(key, suffixes...)
		if len(got) != 1+len(suffixes) || got[0] != key {
			return false
		}
		for i, s := range suffixes {
			if got[1+i] != Aux(key, s) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(f, nil); err != nil {
		t.Error(err)
	}
	for _, k := range []string{"jobs", "{jobs}", "x{tag}y", "", "{", "}", "a}{b", "a{}b", "{{x}}"} {
		if !f(k, []string{"state", "", "grants:15", "}", "{t}"}) {
			t.Errorf("WithAux(%q, ...) = %q", k, WithAux(k, "state", "", "grants:15", "}", "{t}"))
		}
	}
}

// TestEverySlotHasANumberTag: slotTag ends for every slot (decimal numbers
// reach all 16,384 of them), with the smallest such number.
func TestEverySlotHasANumberTag(t *testing.T) {
	first := make(map[int]string, 16384)
	for n := 0; len(first) < 16384; n++ {
		if n > 10_000_000 {
			t.Fatalf("%d slots reached by the numbers up to %d", len(first), n)
		}
		s := strconv.Itoa(n)
		if _, ok := first[Slot(s)]; !ok {
			first[Slot(s)] = s
		}
	}
	for _, slot := range []int{0, 1, 8000, 16383, Slot("a}{b")} {
		if got := slotTag(slot); got != first[slot] {
			t.Errorf("slotTag(%d) = %q, want %q", slot, got, first[slot])
		}
	}
}
