package conformance

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// knownDifference is a case where we differ from Django on purpose. The
// case still runs: Check proves the Go twin does what we claim.
type knownDifference struct {
	Reason string
	Readme string // the README.md section that documents it
	Check  func(r *caseResult) error
}

// knownDifferences, by case name (every entry the case runs in).
var knownDifferences = map[string]knownDifference{
	"rule104/vary-cookie-trailing-space": {
		Reason: "Django 5.2.19 learns \"HTTP_COOKIE \" (trailing space) from `Vary: Cookie `, hashes it as absent for everyone and serves Alice's page to Bob; we trim each Vary name, so the page is keyed by Cookie (no leak)",
		Readme: "Differences from Django",
		Check:  checkVaryNamesTrimmed,
	},
	"rule100/userinfo-host-rejected": {
		Reason: "Go's net/http refuses a Host header with userinfo (`example.com@evil.com`) itself, with its own plain-text 400 (`400 Bad Request: malformed Host header`), before any handler runs; Django answers its HTML 400 page. Both refuse the request and nothing reaches a view or the cache",
		Readme: "Differences from Django",
		Check:  checkRefusedBeforeView,
	},
}

// checkRefusedBeforeView: Go answers 400, the view never ran and nothing
// was stored.
func checkRefusedBeforeView(r *caseResult) error {
	for i, st := range r.Steps {
		if st.Go == nil {
			return fmt.Errorf("step %d: no answer from Go: %v", i+1, st.GoErr)
		}
		if st.Go.Status != 400 {
			return fmt.Errorf("step %d: Go status %d, want 400", i+1, st.Go.Status)
		}
		if calls := st.Go.Header.Get("X-Calls"); calls != "" {
			return fmt.Errorf("step %d: the view ran (X-Calls %q)", i+1, calls)
		}
	}
	if len(r.GoKeys) != 0 {
		return fmt.Errorf("Go stored %q", r.GoKeys)
	}
	return nil
}

// checkVaryNamesTrimmed: Bob's request is a miss rendered for Bob, and the
// page is stored once per cookie.
func checkVaryNamesTrimmed(r *caseResult) error {
	if len(r.Steps) != 2 || r.Steps[1].Go == nil {
		return errors.New("want two answered steps")
	}
	bob := r.Steps[1].Go
	if calls := bob.Header.Get("X-Calls"); calls != "2" {
		return fmt.Errorf("Bob's request: X-Calls %q, want \"2\" (a miss)", calls)
	}
	if !strings.Contains(bob.Body, "cookie=u=bob\n") {
		return fmt.Errorf("Bob's request: body %q, want Bob's cookie echoed", bob.Body)
	}
	pages := 0
	for _, k := range r.GoKeys {
		if strings.Contains(k, ".cache_page.") {
			pages++
		}
	}
	if pages != 2 {
		return fmt.Errorf("Go stored %d page entries, want 2 (one per cookie): %q", pages, r.GoKeys)
	}
	return nil
}

// readmeSections returns the "## " and "### " headings of the README.
func readmeSections(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read README: %w", err)
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if t, ok := strings.CutPrefix(line, "## "); ok {
			out[strings.TrimSpace(t)] = true
		} else if t, ok := strings.CutPrefix(line, "### "); ok {
			out[strings.TrimSpace(t)] = true
		}
	}
	return out, nil
}
