package main

import (
	"fmt"
	"strings"
	"time"
)

// stallRow is one printed row: an operation's hotredis run and its native
// one (zero when there is none).
type stallRow struct {
	op       stepOp
	hot, raw stall
}

// stallReport collects the rows for the markdown table at the end.
type stallReport struct {
	started            time.Time
	loadStart, loadEnd string
	redis              string
	rows               []stallRow
}

// The aligned table: the hotredis side, then the native side, then the
// command of hotredis's slowest step.
const (
	headFmt = "%-42s %-8s | %8s %8s %8s %8s %6s %5s | %-40s %8s %8s %8s %8s | %s\n"
	rowFmt  = "%-42s %-8s | %8s %8s %8s %8s %6d %5d | %-40s %8s %8s %8s %8s | %s\n"
)

func printHeader() {
	fmt.Printf(headFmt, "", "", "hotredis", "", "", "", "", "", "native", "", "", "", "", "")
	fmt.Printf(headFmt, "operation", "size", "wall", "max PING", "max gap", "max step", "steps", ">20ms",
		"command", "wall", "max PING", "max gap", "max step", "hotredis's slowest step")
}

func printRow(r stallRow) {
	h, n := r.hot, r.cells()
	fmt.Printf(rowFmt, r.op.name, r.op.size, dur(h.wall), dur(h.ping), dur(h.gap), stepDur(h.step), h.steps, h.over,
		n[0], n[1], n[2], n[3], n[4], r.slowest())
}

// cells are the native side's: command, wall, max PING, max gap, max step.
func (r stallRow) cells() [5]string {
	if r.op.raw == nil {
		return [5]string{"—", "", "", "", ""}
	}
	s := r.raw
	name := r.op.native
	if s.err != nil {
		name += " (failed: " + s.err.Error() + ")"
	}
	return [5]string{name, dur(s.wall), dur(s.ping), dur(s.gap), stepDur(s.step)}
}

// slowest is the command of hotredis's slowest step, and its error.
func (r stallRow) slowest() string {
	what := r.hot.what
	if r.hot.err != nil {
		what += " (failed: " + r.hot.err.Error() + ")"
	}
	return strings.TrimSpace(what)
}

// printMarkdown prints the rows as a markdown table for BENCHMARKS.md.
func (rep *stallReport) printMarkdown() {
	fmt.Printf("Run of %s, Redis %s on loopback, load average %s at the start and %s at the end (1, 5, 15 min). "+
		"max PING: the longest round trip of a client PINGing every 1 ms meanwhile; max gap: the longest interval "+
		"between two of its replies; max step: the slowest SLOWLOG entry (a transaction's whole EXEC), "+
		"\"<100µs\" when none was logged; >20ms: how many of hotredis's steps took longer than 20 ms.\n\n",
		rep.started.Format("2006-01-02 15:04"), rep.redis, rep.loadStart, rep.loadEnd)
	fmt.Println("| operation | size | wall | max PING | max gap | max step | steps | >20ms | native | wall | max PING | max gap | max step | hotredis's slowest step |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|")
	for _, r := range rep.rows {
		h, n := r.hot, r.cells()
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |\n",
			mdCell(r.op.name), mdCell(r.op.size), dur(h.wall), dur(h.ping), dur(h.gap), stepDur(h.step), h.steps, h.over,
			mdCell(n[0]), n[1], n[2], n[3], n[4], mdCell(r.slowest()))
	}
}

// mdCell escapes what would break a markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// dur writes d with three significant digits or so.
func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d < 100*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < 10*time.Second:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// stepDur is dur for a SLOWLOG step: 0 means none was logged, that is,
// none took 100 µs.
func stepDur(d time.Duration) string {
	if d <= 0 {
		return "<100µs"
	}
	return dur(d)
}
