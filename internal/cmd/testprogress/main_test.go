package main

import (
	"strings"
	"testing"
	"time"
)

// TestPrinter feeds a go test -json stream with a pass, a failure in a
// subtest and a test that never ended, and checks what is printed.
func TestPrinter(t *testing.T) {
	stream := `{"Action":"start","Package":"p"}
{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"quiet\n"}
{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1.5}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"=== RUN   TestB\n"}
{"Action":"run","Package":"p","Test":"TestB/sub"}
{"Action":"output","Package":"p","Test":"TestB/sub","Output":"    b_test.go:9: broken\n"}
{"Action":"fail","Package":"p","Test":"TestB/sub","Elapsed":0}
{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0.2}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Test":"TestC","Output":"panic: test timed out\n"}
{"Action":"output","Package":"p","Output":"WARNING: from TestMain\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t9.0s\n"}
{"Action":"fail","Package":"p","Elapsed":9}
not an event
`
	var out strings.Builder
	p := newPrinter(&out, 2)
	for _, l := range strings.SplitAfter(stream, "\n") {
		if l != "" {
			p.line(l, time.Now())
		}
	}
	want := `FAIL p TestB (0.2s)
=== RUN   TestB
    b_test.go:9: broken
     p: 1 passed, 1 failed after 0s; slowest since the last line: TestA (1.5s)
FAIL p TestC (did not end)
panic: test timed out
WARNING: from TestMain
FAIL p 9.0s (1 passed, 2 failed: TestB, TestC (did not end))
not an event
`
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestPrinterLabel checks that a label begins every line, a failure's
// output too.
func TestPrinterLabel(t *testing.T) {
	var out strings.Builder
	p := newPrinter(&out, 25)
	p.label = "[c] "
	for _, l := range []string{
		`{"Action":"run","Package":"p","Test":"TestB"}` + "\n",
		`{"Action":"output","Package":"p","Test":"TestB","Output":"one\n"}` + "\n",
		`{"Action":"output","Package":"p","Test":"TestB","Output":"two\n"}` + "\n",
		`{"Action":"fail","Package":"p","Test":"TestB","Elapsed":0.2}` + "\n",
		"half a line, ",
		"the rest\n",
		`{"Action":"fail","Package":"p","Elapsed":1}` + "\n",
	} {
		p.line(l, time.Now())
	}
	want := "[c] FAIL p TestB (0.2s)\n[c] one\n[c] two\n[c] half a line, the rest\n[c] FAIL p 1.0s (0 passed, 1 failed: TestB)\n"
	if out.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", out.String(), want)
	}
}
