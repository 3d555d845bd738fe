package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// report is the outcome of a run.
type report struct {
	Summary  string
	Lines    []string // one per mismatch, leak, error and known difference
	Cases    []string // one per case: its outcome and what each step got
	Failures int      // what makes the test fail
}

// summarise counts the verdicts and writes the report's lines.
func summarise(vs []*verdict, readme map[string]bool) *report {
	rep := &report{}
	matched, known, goLeaks, djLeaks := 0, 0, 0, 0
	sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
	for _, v := range vs {
		rep.Cases = append(rep.Cases, v.line())
		for _, e := range v.Errors {
			rep.Lines = append(rep.Lines, "ERROR "+e)
			rep.Failures++
		}
		for _, l := range v.GoLeaks {
			rep.Lines = append(rep.Lines, fmt.Sprintf("LEAK in Go %s: %s", v.ID, l))
			rep.Failures++
		}
		if len(v.GoLeaks) > 0 {
			goLeaks++
		}
		for _, l := range v.DjangoLeaks {
			rep.Lines = append(rep.Lines, fmt.Sprintf("LEAK in Django %s: %s", v.ID, l))
		}
		if len(v.DjangoLeaks) > 0 {
			djLeaks++
		}
		switch {
		case v.Known != nil:
			if !readme[v.Known.Readme] {
				rep.Lines = append(rep.Lines, fmt.Sprintf("KNOWN DIFFERENCE %s: README.md has no section %q", v.ID, v.Known.Readme))
				rep.Failures++
			}
			if v.KnownErr != nil {
				rep.Lines = append(rep.Lines, fmt.Sprintf("KNOWN DIFFERENCE CHECK FAILED %s: %v", v.ID, v.KnownErr))
				rep.Failures++
			}
			if v.matches() {
				matched++
				rep.Lines = append(rep.Lines, fmt.Sprintf("KNOWN DIFFERENCE GONE %s: now matches Django (remove it from known.go)", v.ID))
				continue
			}
			known++
			rep.Lines = append(rep.Lines, fmt.Sprintf("KNOWN DIFFERENCE %s (README %q): %s", v.ID, v.Known.Readme, v.Known.Reason))
			for _, m := range v.Mismatches {
				rep.Lines = append(rep.Lines, "  known: "+m)
			}
		case v.matches():
			matched++
		default:
			for _, m := range v.Mismatches {
				rep.Lines = append(rep.Lines, "MISMATCH "+m)
				rep.Failures++
			}
		}
	}
	rep.Summary = fmt.Sprintf("conformance: %d of %d cases match Django (%d known differences, %d leaks in Go, %d leaks in Django)",
		matched, len(vs), known, goLeaks, djLeaks)
	return rep
}

// String is the whole report: the summary, every line, then every case.
func (r *report) String() string {
	return r.Summary + "\n" + strings.Join(r.Lines, "\n") + "\n\ncases (status/X-Calls per step, Django then Go):\n" +
		strings.Join(r.Cases, "\n") + "\n"
}

// line is the case in one line: its outcome, then per step the status and
// X-Calls each twin answered.
func (v *verdict) line() string {
	outcome := "match"
	switch {
	case len(v.Errors) > 0:
		outcome = "ERROR"
	case v.Known != nil && !v.matches():
		outcome = "known difference"
	case !v.matches():
		outcome = "MISMATCH"
	}
	var steps []string
	for _, s := range v.result.Steps {
		steps = append(steps, fmt.Sprintf("%s %s|%s", s.Req.Method, brief(s.Django), brief(s.Go)))
	}
	return fmt.Sprintf("%-12s %s: %s", outcome, v.ID, strings.Join(steps, ", "))
}

// brief is a response as "status/X-Calls".
func brief(r *Response) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%d/%s", r.Status, r.Header.Get("X-Calls"))
}

// lastLines is the end of s, at most n lines.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
