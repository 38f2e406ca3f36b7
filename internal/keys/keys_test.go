package keys

import "testing"

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
	// Keys holding a '}' but no valid tag ("}", "a}{b") cannot be matched
	// by any tag; Aux documents that, so they are not listed here.
	for _, k := range []string{"jobs", "{jobs}", "x{tag}y", "hotredis:0123", "", "{", "a{b", "{{x}}"} {
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
