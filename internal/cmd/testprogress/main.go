// Command testprogress runs go test -json and prints its progress briefly:
// a line every 25 top-level tests of a package, a line naming what is
// still running when it has printed nothing for 30 s, every failed test
// with its complete output as soon as it ends, and a summary per package
// and for the run. It exits with the command's exit status.
//
//	go run ./internal/cmd/testprogress go test -json -race ./...
//
// scripts/test uses it: go test without -v prints nothing until a package
// ends, and the root package's suite takes minutes.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"time"
)

var (
	every = flag.Int("every", 25, "print a progress line every this many finished top-level tests of a package")
	quiet = flag.Duration("quiet", 30*time.Second, "say what is running after printing nothing for this long")
	label = flag.String("label", "", "begin every printed line with [label], to tell runs printing at once apart")
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: testprogress [-every n] [-quiet d] [-label l] go test -json [args...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(flag.Args()))
}

// run runs args, formats its standard output, and returns its exit status.
func run(args []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		return 1
	}
	// An interrupt reaches go test too (same process group): keep reading,
	// so that what it prints while stopping is shown. (Notify, not Ignore,
	// which go test would inherit.)
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		return 1
	}
	lines := make(chan string)
	go func() {
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				lines <- line
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	p := newPrinter(os.Stdout, *every)
	if *label != "" {
		p.label = "[" + *label + "] "
	}
	tick := time.NewTicker(*quiet / 3)
	defer tick.Stop()
loop:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				break loop
			}
			p.line(line, time.Now())
		case now := <-tick.C:
			if now.Sub(p.last) >= *quiet {
				p.stillRunning(now)
			}
		}
	}
	err = cmd.Wait()
	p.summary(time.Now())
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default: // killed by a signal, or could not wait
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		return 1
	}
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
	ImportPath string // build-output and build-fail events
}

// pkg is what printer knows of one package's test binary.
type pkg struct {
	start                time.Time
	passed, skipped      int
	failed               []string
	running              map[string]time.Time // top-level tests started and not ended
	paused               map[string]bool      // t.Parallel tests waiting for their turn
	output               map[string]*strings.Builder
	pkgOutput            strings.Builder // output outside any test
	slowest              string          // of the tests since the last progress line
	slowestTime, elapsed float64
}

func (p *pkg) done() int { return p.passed + p.skipped + len(p.failed) }

// printer turns go test -json events into the lines described above.
type printer struct {
	w        io.Writer
	label    string // begins every line, when not ""
	midLine  bool   // the last text printed did not end its line
	every    int
	start    time.Time
	last     time.Time // when a line was last printed
	pkgs     map[string]*pkg
	order    []string // packages in the order they started
	finished []string // package summaries, for the end of the run
}

func newPrinter(w io.Writer, every int) *printer {
	now := time.Now()
	return &printer{w: w, every: every, start: now, last: now, pkgs: map[string]*pkg{}}
}

func (p *printer) printf(now time.Time, format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if s == "" {
		return
	}
	if p.label != "" {
		// One write of whole lines, each labelled, so that another run
		// printing to the same terminal does not cut into them.
		end := strings.HasSuffix(s, "\n")
		s = strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+p.label)
		if !p.midLine {
			s = p.label + s
		}
		if p.midLine = !end; end {
			s += "\n"
		}
	}
	io.WriteString(p.w, s)
	p.last = now
}

func (p *printer) pkg(name string, now time.Time) *pkg {
	k := p.pkgs[name]
	if k == nil {
		k = &pkg{start: now, running: map[string]time.Time{}, paused: map[string]bool{}, output: map[string]*strings.Builder{}}
		p.pkgs[name] = k
		p.order = append(p.order, name)
	}
	return k
}

// line handles one line of go test's standard output.
func (p *printer) line(line string, now time.Time) {
	var e event
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil {
		p.printf(now, "%s", line) // not an event: go test ran without -json, or the go command spoke
		return
	}
	switch e.Action {
	case "build-output":
		p.printf(now, "%s", e.Output)
		return
	case "build-fail":
		return // the package's fail event follows, with its summary
	}
	k := p.pkg(e.Package, now)
	if e.Test == "" {
		switch e.Action {
		case "output":
			k.pkgOutput.WriteString(e.Output)
		case "pass", "fail", "skip":
			k.elapsed = e.Elapsed
			p.packageEnd(e.Package, k, e.Action, now)
		}
		return
	}
	top, _, sub := strings.Cut(e.Test, "/")
	buf := k.output[top]
	if buf == nil {
		buf = &strings.Builder{}
		k.output[top] = buf
	}
	switch {
	case e.Action == "output":
		buf.WriteString(e.Output)
	case sub:
		// Subtests end inside their top-level test, which reports them.
	case e.Action == "run":
		k.running[top] = now
	case e.Action == "pause":
		k.paused[top] = true
	case e.Action == "cont":
		delete(k.paused, top)
		k.running[top] = now
	case e.Action == "pass" || e.Action == "skip" || e.Action == "fail":
		p.testEnd(k, e, buf.String(), now)
		delete(k.running, top)
		delete(k.paused, top)
		delete(k.output, top)
		if k.done()%p.every == 0 {
			p.printf(now, "     %s: %s after %s; slowest since the last line: %s (%.1fs)\n",
				e.Package, k.counts(), since(k.start, now), k.slowest, k.slowestTime)
			k.slowest, k.slowestTime = "", 0
		}
	}
}

// testEnd counts a top-level test that ended, and prints it if it failed.
func (p *printer) testEnd(k *pkg, e event, output string, now time.Time) {
	switch e.Action {
	case "pass":
		k.passed++
	case "skip":
		k.skipped++
	case "fail":
		k.failed = append(k.failed, e.Test)
		p.printf(now, "FAIL %s %s (%.1fs)\n%s", e.Package, e.Test, e.Elapsed, output)
	}
	if e.Elapsed >= k.slowestTime {
		k.slowest, k.slowestTime = e.Test, e.Elapsed
	}
}

func (k *pkg) counts() string {
	s := fmt.Sprintf("%d passed", k.passed)
	if k.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", k.skipped)
	}
	if len(k.failed) > 0 {
		s += fmt.Sprintf(", %d failed", len(k.failed))
	}
	return s
}

// packageEnd prints a package's summary, after what its binary printed
// outside any test (TestMain's warnings, a panic's trace); for a failed
// package, also the output of the tests that never ended (a panic or a
// timeout stops the binary in the middle of them).
func (p *printer) packageEnd(name string, k *pkg, action string, now time.Time) {
	out := k.pkgOutput.String()
	var summary string
	switch {
	case action == "skip" && k.done() == 0:
		summary = fmt.Sprintf("?    %s [no test files]", name)
	case action == "fail" && (strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]")):
		summary = fmt.Sprintf("FAIL %s [build failed]", name) // its errors were build-output
	case action == "fail":
		for _, t := range slices.Sorted(maps.Keys(k.running)) {
			p.printf(now, "FAIL %s %s (did not end)\n%s", name, t, k.output[t].String())
			k.failed = append(k.failed, t+" (did not end)")
		}
		p.printf(now, "%s", ownOutput(out))
		summary = fmt.Sprintf("FAIL %s %.1fs (%s", name, k.elapsed, k.counts())
		if len(k.failed) > 0 {
			summary += ": " + strings.Join(k.failed, ", ")
		}
		summary += ")"
	default:
		p.printf(now, "%s", ownOutput(out))
		summary = fmt.Sprintf("ok   %s %.1fs (%s)", name, k.elapsed, k.counts())
	}
	p.printf(now, "%s\n", summary)
	if !strings.HasPrefix(summary, "?") {
		p.finished = append(p.finished, summary)
	}
	delete(p.pkgs, name)
	p.order = slices.DeleteFunc(p.order, func(s string) bool { return s == name })
}

// ownOutput returns a package's output outside any test without the
// lines go test prints anyway (PASS, FAIL, ok ..., which the summary
// says): what TestMain or a panic wrote.
func ownOutput(out string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(out, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || t == "PASS" || t == "FAIL" || strings.HasPrefix(t, "ok  \t") ||
			strings.HasPrefix(t, "FAIL\t") || strings.HasPrefix(t, "?   \t") ||
			strings.HasPrefix(t, "testing: warning: no tests to run") {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// stillRunning says, for each package under test, what it is running.
func (p *printer) stillRunning(now time.Time) {
	if len(p.order) == 0 {
		p.printf(now, "     (nothing running after %s: go test is building)\n", since(p.start, now))
		return
	}
	for _, name := range p.order {
		k := p.pkgs[name]
		var running []string
		for t, at := range k.running {
			if !k.paused[t] {
				running = append(running, fmt.Sprintf("%s (%s)", t, since(at, now)))
			}
		}
		slices.Sort(running)
		what := "between tests"
		if len(running) > 0 {
			what = "running " + strings.Join(running, ", ")
		}
		p.printf(now, "     %s: %s after %s; %s\n", name, k.counts(), since(k.start, now), what)
	}
}

// summary prints the run's end: every tested package's line again, when
// there were several, so that a failure far up is not missed.
func (p *printer) summary(now time.Time) {
	if len(p.finished) < 2 {
		return
	}
	p.printf(now, "== %d packages tested in %s:\n", len(p.finished), since(p.start, now))
	for _, s := range p.finished {
		p.printf(now, "   %s\n", s)
	}
}

func since(t, now time.Time) string { return now.Sub(t).Round(time.Second).String() }
