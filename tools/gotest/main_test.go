package main

import (
	"bytes"
	"strings"
	"testing"
)

const events = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: redis unreachable, skipping\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- SKIP: TestA (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestA"}
{"Action":"pass","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
{"Action":"output","Package":"q","Test":"TestC","Output":"    c_test.go:3: boom\n"}
{"Action":"fail","Package":"q","Test":"TestC"}
{"Action":"output","Package":"q","Output":"FAIL\n"}
{"Action":"fail","Package":"q","Elapsed":0.5}
`

// A skipped test is listed with its reason; a passing package prints its
// ok line; a failing one prints its output.
func TestSummarizeListsSkipsAndFailures(t *testing.T) {
	var out bytes.Buffer
	skips := summarize(strings.NewReader(events), &out)
	printSkips(&out, skips)
	got := out.String()
	for _, want := range []string{"ok  \tp\t0.01s\n", "c_test.go:3: boom", "FAIL\tq\t0.500s",
		"SKIPPED 1 tests", "  p TestA: redis unreachable, skipping\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestNoSkipsSaysSo(t *testing.T) {
	var out bytes.Buffer
	printSkips(&out, nil)
	if out.String() != "no tests skipped\n" {
		t.Fatalf("got %q", out.String())
	}
}
