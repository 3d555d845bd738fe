// Command gotest runs go test and ends with what was skipped and why.
//
//	go run ./tools/gotest ./...                  # the project's tests
//	go run ./tools/gotest -race -count=1 ./...   # any go test flag
//
// go test prints only "ok" for a passing package, so a test that skipped
// because its server was unreachable looks the same as one that ran. This
// runs go test -json, prints go test's usual lines (and the whole output of
// a failing package), then one line per skipped test with its reason, and
// exits with go test's status.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// event is one line of go test -json (test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type testKey struct{ pkg, test string }

func main() {
	cmd := exec.Command("go", append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
	skips := summarize(out, os.Stdout)
	err = cmd.Wait()
	printSkips(os.Stdout, skips)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fmt.Fprintln(os.Stderr, "gotest:", err)
		os.Exit(2)
	}
}

// skip is a skipped test and the reason it logged.
type skip struct {
	key    testKey
	reason string
}

// summarize copies go test's summary lines from r to w (and the output of
// failing packages) and returns the skipped tests.
func summarize(r io.Reader, w io.Writer) []skip {
	outputs := map[testKey][]string{} // a test's output lines so far
	pkgOut := map[string][]string{}   // a package's whole output, printed if it fails
	var skips []skip
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			fmt.Fprintln(w, sc.Text()) // not an event (a build error): pass it on
			continue
		}
		k := testKey{e.Package, e.Test}
		switch e.Action {
		case "output":
			pkgOut[e.Package] = append(pkgOut[e.Package], e.Output)
			if e.Test != "" {
				outputs[k] = append(outputs[k], e.Output)
			} else if isSummaryLine(e.Output) {
				fmt.Fprint(w, e.Output)
			}
		case "skip":
			if e.Test != "" {
				skips = append(skips, skip{k, skipReason(outputs[k])})
			}
			delete(outputs, k)
		case "pass":
			delete(outputs, k)
		case "fail":
			if e.Test == "" {
				for _, line := range pkgOut[e.Package] {
					if !isSummaryLine(line) {
						fmt.Fprint(w, line)
					}
				}
				fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(outputs, k)
		}
	}
	return skips
}

// isSummaryLine reports whether a package-level output line is one go test
// prints for every package ("ok ...", "?   ... [no test files]").
func isSummaryLine(s string) bool {
	return strings.HasPrefix(s, "ok  \t") || strings.HasPrefix(s, "?   \t")
}

// skipReason is what a skipped test logged, without the run/skip markers.
func skipReason(lines []string) string {
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		if i := strings.Index(t, ".go:"); i >= 0 {
			if j := strings.Index(t[i:], ": "); j >= 0 {
				t = t[i+j+2:] // drop "file.go:12: "
			}
		}
		parts = append(parts, t)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}

// printSkips prints one line per skipped test, subtests under their
// parent's line when they share its reason.
func printSkips(w io.Writer, skips []skip) {
	if len(skips) == 0 {
		fmt.Fprintln(w, "no tests skipped")
		return
	}
	sort.Slice(skips, func(i, j int) bool {
		if skips[i].key.pkg != skips[j].key.pkg {
			return skips[i].key.pkg < skips[j].key.pkg
		}
		return skips[i].key.test < skips[j].key.test
	})
	fmt.Fprintf(w, "SKIPPED %d tests (a skipped test is an untested feature):\n", len(skips))
	for _, s := range skips {
		fmt.Fprintf(w, "  %s %s: %s\n", s.key.pkg, s.key.test, s.reason)
	}
}
