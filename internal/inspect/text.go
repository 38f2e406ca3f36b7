package inspect

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WriteText writes o for people: a headline, then the details indented.
func WriteText(w io.Writer, o *Object) error {
	var b strings.Builder
	t := &text{b: &b}
	t.object(o)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteList writes List's entries for people, one a line.
func WriteList(w io.Writer, es []Entry) error {
	var b strings.Builder
	width, kindWidth := 0, 0
	for _, e := range es {
		width, kindWidth = max(width, len(strconv.Quote(e.Key))), max(kindWidth, len(e.Kind))
	}
	for _, e := range es {
		fmt.Fprintf(&b, "%-*s  %-*s", width, strconv.Quote(e.Key), kindWidth, e.Kind)
		switch {
		case e.AuxOf != nil:
			fmt.Fprintf(&b, "  left over from %q: %s", e.AuxOf.Key, e.AuxOf.Role)
		case e.Kind == KindForeign:
			fmt.Fprintf(&b, "  a Redis %s not made by hotredis", e.RedisType)
		case len(e.Types) > 0:
			b.WriteString("  " + orList(e.Types))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

type text struct{ b *strings.Builder }

func (t *text) f(format string, args ...any) { fmt.Fprintf(t.b, format, args...) }

func (t *text) object(o *Object) {
	q := strconv.Quote(o.Key)
	kind := string(o.Kind)
	if len(o.Types) > 0 {
		kind += " (" + orList(o.Types) + ")"
	}
	switch o.Kind {
	case KindNone:
		t.f("%s: no such key\n", q)
		return
	case KindForeign:
		t.f("%s: a Redis %s not made by hotredis\n", q, o.RedisType)
	case KindAux:
		t.f("%s: an auxiliary key of %q: %s\n", q, o.AuxOf.Key, o.AuxOf.Role)
	case KindLock, KindSemaphore, KindRWLock, KindLine:
		t.line(q, kind, o.Line)
	case KindQueue, KindSetQueue:
		t.queue(q, kind, o.Queue)
	case KindWaitGroup:
		w := o.WaitGroup
		t.f("%s %s: count %d, %d lost this round\n", kind, q, w.Count, w.Lost)
		t.members("member", w.Members, w.MoreMembers)
	case KindBarrier:
		b := o.Barrier
		state := "intact"
		if b.Broken {
			state = "broken (until Reset)"
		}
		t.f("%s %s: round %d, %d arrived, %s\n", kind, q, b.Round, b.Arrived, state)
		t.members("waiter", b.Waiters, b.MoreWaiters)
		if len(b.Lost) > 0 {
			t.f("  rounds broken with waiters: %s\n", joinInts(b.Lost))
		}
	case KindOnce:
		c := o.Once
		switch {
		case c.Done:
			t.f("%s %s: done\n", kind, q)
		case c.Runner != "":
			t.f("%s %s: running\n", kind, q)
		default:
			t.f("%s %s: not done, not running\n", kind, q)
		}
		if c.Runner != "" {
			t.f("  runner %s, lease %s left\n", printable(c.Runner), optDur(c.RunnerLeaseLeft, "no expiry"))
		}
		if c.LastRun != "" {
			t.f("  latest run: %s\n", printable(c.LastRun))
		}
	case KindEvent:
		state := "clear"
		if o.Event.Set {
			state = "set"
		}
		t.f("%s %s: %s\n", kind, q, state)
	case KindLimiter:
		if o.Limiter.FullIn <= 0 {
			t.f("%s %s: bucket full\n", kind, q)
		} else {
			t.f("%s %s: bucket full again in %s if nothing more is taken\n", kind, q, dur(o.Limiter.FullIn.D()))
		}
	default:
		t.f("%s %s", kind, q)
		if o.Value != nil {
			t.f(": %s", sizeOf(o.RedisType, o.Value.Size))
		}
		t.f("\n")
	}
	if o.Value != nil {
		t.value(o.Value)
	}
	t.footer(o)
}

func (t *text) line(q, kind string, l *Line) {
	state := "free"
	if l.Held {
		state = "held"
	}
	switch {
	case kind == string(KindRWLock)+" (RWLock)" && l.Held:
		readers := int64(0)
		for _, h := range l.Holders {
			if h.Role == "reader" {
				readers++
			}
		}
		if readers > 0 || l.MoreHolders > 0 {
			state += " by " + plural(readers+l.MoreHolders, "reader")
		} else {
			state += " by a writer"
		}
	case l.PermitsHeld > 0:
		state += ", " + plural(l.PermitsHeld, "permit") + " held"
	}
	if l.PermitsAdded > 0 {
		state += fmt.Sprintf(", %d added by over-release", l.PermitsAdded)
	}
	t.f("%s %s: %s\n", kind, q, state)
	for _, h := range l.Holders {
		t.f("  %-8s %s:", holderWord(h), who(h.Who))
		if h.Permits > 0 && h.Role == "" {
			t.f(" %s,", plural(h.Permits, "permit"))
		}
		if h.Holds > 1 {
			t.f(" %d holds,", h.Holds)
		}
		switch {
		case h.Expired:
			t.f(" lease ran out %s ago (dropped at the next call)", dur(-h.LeaseLeft.D()))
		default:
			t.f(" lease %s", optDur(h.LeaseLeft, "without expiry"))
			if h.LeaseLeft != nil {
				t.f(" left")
			}
		}
		t.f(", token %d", h.Token)
		if h.HeldFor != nil {
			t.f(", held %s", dur(h.HeldFor.D()))
		} else {
			t.f(", held for how long unknown (the token is not a time)")
		}
		if h.Unconfirmed {
			t.f(", granted, not yet confirmed")
		}
		t.f("\n")
	}
	if l.MoreHolders > 0 {
		t.f("  … and %d more holders\n", l.MoreHolders)
	}
	if n := int64(len(l.Waiters)) + l.MoreWaiters; n > 0 {
		t.f("  waiting  %d\n", n)
	}
	for _, w := range l.Waiters {
		t.f("    #%-3d %s", w.Position, who(w.Who))
		if w.Role != "" {
			t.f(" (%s)", w.Role)
		} else if w.Permits > 0 {
			t.f(" for %s", plural(w.Permits, "permit"))
		}
		t.f(":")
		if w.Waited != nil {
			t.f(" waiting %s,", dur(w.Waited.D()))
		}
		if w.Gone {
			t.f(" gone (its registration ran out: skipped at the next grant)\n")
			continue
		}
		t.f(" asks a %s lease\n", dur(w.Lease.D()))
	}
	if l.MoreWaiters > 0 {
		t.f("    … and %d more\n", l.MoreWaiters)
	}
	if !l.Held && len(l.Waiters) > 0 {
		t.f("  free with waiters: a lease ran out, and the first live waiter takes it at its next try (within a second)\n")
	}
	if l.LastToken > 0 {
		t.f("  fencing counter %d\n", l.LastToken)
	}
}

func holderWord(h Holder) string {
	if h.Role != "" {
		return h.Role
	}
	return "holder"
}

func (t *text) queue(q, kind string, u *Queue) {
	t.f("%s %s: %s, %d unfinished", kind, q, plural(u.Len, "item"), u.Unfinished)
	if u.SetLen != nil {
		t.f(", %d in its set", *u.SetLen)
	}
	t.f("\n")
	if len(u.Head) > 0 {
		t.f("  head      %s%s\n", quoteAll(u.Head), more(int64(len(u.Head)) < u.Len))
	}
	t.f("  reserved  %d", u.ReservationCount)
	if u.ReservationCount > 0 {
		if u.OldestAge != nil {
			t.f(": oldest %s", dur(u.OldestAge.D()))
		} else {
			t.f(": oldest age unknown")
		}
		if next := u.Reservations[0].VisibilityLeft.D(); next > 0 {
			t.f(", next back in the queue in %s", dur(next))
		} else {
			t.f(", some overdue: the next take puts them back")
		}
	}
	t.f("\n")
	for _, r := range u.Reservations {
		age := "age unknown"
		if r.Age != nil {
			age = "age " + dur(r.Age.D())
		}
		vis := "visibility " + dur(r.VisibilityLeft.D()) + " left"
		if r.VisibilityLeft <= 0 {
			vis = "overdue by " + dur(-r.VisibilityLeft.D()) + ": the next take puts it back"
		}
		t.f("    %s  %s, %s\n", shortID(r.ID), age, vis)
	}
	if int64(len(u.Reservations)) < int64(u.ReservationCount) {
		t.f("    … and %d more\n", u.ReservationCount-len(u.Reservations))
	}
	puts := "no put waits for room"
	if u.PutsWaiting {
		puts = "puts wait for room (how many is not recorded)"
	}
	t.f("  waiting   %s blocked, %s\n", plural(int64(u.WaitingTakers), "consumer"), puts)
	if u.ExpiredTakes > 0 {
		t.f("  %d takes overdue: the next take puts their items back\n", u.ExpiredTakes)
	}
	if u.MoreTakes > 0 {
		t.f("  %d more take registrations not examined\n", u.MoreTakes)
	}
}

func (t *text) members(word string, ms []Member, more int64) {
	for _, m := range ms {
		if m.Expired {
			t.f("  %-8s %s: lease ran out %s ago\n", word, shortID(m.ID), dur(-m.LeaseLeft.D()))
		} else {
			t.f("  %-8s %s: lease %s left\n", word, shortID(m.ID), dur(m.LeaseLeft.D()))
		}
	}
	if more > 0 {
		t.f("  … and %d more\n", more)
	}
}

func (t *text) value(v *Value) {
	if len(v.Sample) > 0 {
		t.f("  sample   %s%s\n", quoteAll(v.Sample), more(v.Truncated))
	}
	if len(v.Pairs) > 0 {
		var ps []string
		for _, p := range v.Pairs {
			ps = append(ps, strconv.Quote(p[0])+": "+strconv.Quote(p[1]))
		}
		t.f("  sample   %s%s\n", strings.Join(ps, ", "), more(v.Truncated))
	}
}

func (t *text) footer(o *Object) {
	var parts []string
	if o.RedisType != "none" && o.Kind != KindNone {
		parts = append(parts, "ttl "+optDur(o.TTL, "none"))
	}
	if o.Memory > 0 {
		parts = append(parts, "memory "+bytes(o.Memory))
	}
	if n := len(o.Keys); n > 1 {
		parts = append(parts, fmt.Sprintf("%d keys", n))
	}
	if len(parts) > 0 {
		t.f("  %s\n", strings.Join(parts, ", "))
	}
	for _, n := range o.Notes {
		t.f("  note: %s\n", n)
	}
}

// printable returns s as it is when it is valid UTF-8 and every rune of
// it prints, else quoted, so that what a key holds cannot send a terminal
// escape sequence (a lone byte such as 0x9b, the 8-bit CSI, decodes as
// U+FFFD, which prints: hence the UTF-8 check).
func printable(s string) string {
	if utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return strconv.Quote(s)
}

// who describes a holder or waiter.
func who(w Who) string {
	if w.Host == "" {
		return shortID(w.ID)
	}
	s := fmt.Sprintf("%s on %s pid %d", w.Short(), printable(w.Host), w.PID)
	if w.Label != "" {
		s += fmt.Sprintf(" label %q", w.Label)
	}
	return s
}

func shortID(id string) string { return Who{ID: id}.Short() }

// dur formats d briefly: 850ms, 3.2s, 4m05s, 2h03m, 3d04h.
func dur(d time.Duration) string {
	if d == math.MinInt64 {
		d++ // (its negation is itself)
	}
	if d < 0 {
		return "-" + dur(-d)
	}
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}

func optDur(m *Millis, none string) string {
	if m == nil {
		return none
	}
	return dur(m.D())
}

func bytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}

func sizeOf(typ string, n int64) string {
	switch typ {
	case "string":
		return plural(n, "byte")
	case "hash":
		return plural(n, "field")
	case "stream":
		if n == 1 {
			return "1 entry"
		}
		return fmt.Sprintf("%d entries", n)
	}
	return plural(n, "element")
}

func quoteAll(ss []string) string {
	qs := make([]string, len(ss))
	for i, s := range ss {
		qs[i] = strconv.Quote(s)
	}
	return strings.Join(qs, ", ")
}

// plural says "1 permit", "2 permits".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}

func more(b bool) string {
	if b {
		return ", …"
	}
	return ""
}

// orList joins names as "A", "A or B", "A, B or C".
func orList(ss []string) string {
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " or " + ss[len(ss)-1]
}

func joinInts(ns []int64) string {
	ss := make([]string, len(ns))
	for i, n := range ns {
		ss[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(ss, " ")
}
