package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// verdict is what a case result means.
type verdict struct {
	result      *caseResult
	ID          string
	Name        string // the case name without the entry
	Mismatches  []string
	Errors      []string // a twin did not answer
	Known       *knownDifference
	KnownErr    error
	GoLeaks     []string
	DjangoLeaks []string
}

// matches reports whether the case behaved as Django did.
func (v *verdict) matches() bool { return len(v.Mismatches) == 0 && len(v.Errors) == 0 }

// judge compares a case's responses and keys and looks for leaks.
func judge(r *caseResult) *verdict {
	v := &verdict{result: r, ID: r.In.ID, Name: r.In.Case.Name}
	for i, s := range r.Steps {
		where := fmt.Sprintf("%s step %d %s", v.ID, i+1, s.Req)
		if s.DjangoErr != nil || s.GoErr != nil {
			v.Errors = append(v.Errors, fmt.Sprintf("%s: Django: %v; Go: %v", where, s.DjangoErr, s.GoErr))
			continue
		}
		var parts []string
		for _, d := range compareResponses(s.Django, s.Go, s.Req.Method) {
			parts = append(parts, fmt.Sprintf("%s: Django %s, Go %s", d.Field, d.Django, d.Go))
		}
		if len(parts) > 0 {
			v.Mismatches = append(v.Mismatches, where+": "+strings.Join(parts, "; "))
		}
	}
	if r.DjangoKeysErr != nil || r.GoKeysErr != nil {
		v.Errors = append(v.Errors, fmt.Sprintf("%s keys: Django: %v; Go: %v", v.ID, r.DjangoKeysErr, r.GoKeysErr))
	} else if only := keyDiff(r.DjangoKeys, r.GoKeys); only != "" {
		v.Mismatches = append(v.Mismatches, fmt.Sprintf("%s keys: %s", v.ID, only))
	}
	if cell := r.In.Case.Matrix; cell != nil && len(r.Steps) == 2 && len(v.Errors) == 0 {
		a, b := r.Steps[0].Req, r.Steps[1]
		v.DjangoLeaks = findLeaks(cell, a, b.Req, b.Django)
		v.GoLeaks = findLeaks(cell, a, b.Req, b.Go)
	}
	if k, ok := knownDifferences[v.Name]; ok {
		v.Known = &k
		if len(v.Errors) == 0 {
			v.KnownErr = k.Check(r)
		}
	}
	return v
}

// keyDiff describes the keys only one twin stored ("" when the sets are equal).
func keyDiff(django, gokeys []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, k := range list {
			m[k] = true
		}
		return m
	}
	dm, gm := in(django), in(gokeys)
	var onlyD, onlyG []string
	for _, k := range django {
		if !gm[k] {
			onlyD = append(onlyD, k)
		}
	}
	for _, k := range gokeys {
		if !dm[k] {
			onlyG = append(onlyG, k)
		}
	}
	if len(onlyD) == 0 && len(onlyG) == 0 {
		return ""
	}
	sort.Strings(onlyD)
	sort.Strings(onlyG)
	return fmt.Sprintf("only Django %q, only Go %q", onlyD, onlyG)
}
