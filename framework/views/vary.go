package views

import (
	"net/http"
	"strings"
)

// splitHeaderList returns the comma-separated elements of every line of the
// header key in h, in order. Several header lines count as one line joined by
// ", " (RFC 9110 section 5.3). Empty elements are dropped (Django would keep
// them as empty names and re-join them verbatim; a port has no use for that).
// ok is false when the header is absent.
func splitHeaderList(h http.Header, key string) (elems []string, ok bool) {
	lines := h.Values(key)
	if len(lines) == 0 {
		return nil, false
	}
	for _, line := range lines {
		elems = append(elems, splitList(line)...)
	}
	return elems, true
}

// splitList splits a comma-separated header value as Django's cc_delim_re
// (\s*,\s*) does, without a regular expression per request, and drops
// empty elements.
func splitList(line string) []string {
	var out []string
	for _, e := range strings.Split(line, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// PatchVaryHeaders adds newHeaders to the response's Vary header, as Django's
// patch_vary_headers does: names already present (compared
// case-insensitively) are skipped, the existing names keep their order and
// spelling, and the result is re-joined with ", " into a single Vary line
// (several Vary lines are merged). If "*" appears anywhere in the result the
// header becomes exactly "*".
func PatchVaryHeaders(h http.Header, newHeaders ...string) {
	if h == nil {
		return // nothing to patch (and a nil map cannot be written)
	}
	vary, _ := splitHeaderList(h, "Vary")
	seen := make(map[string]bool, len(vary)+len(newHeaders))
	for _, name := range vary {
		seen[strings.ToLower(name)] = true
	}
	for _, name := range newHeaders {
		lower := strings.ToLower(name)
		if name == "" || seen[lower] {
			continue
		}
		// Django de-duplicates new names only against the existing header,
		// but then the same new name twice would be listed twice; treating
		// the new names as a set as well keeps the header well formed.
		seen[lower] = true
		vary = append(vary, name)
	}
	for _, name := range vary {
		if name == "*" {
			h.Set("Vary", "*")
			return
		}
	}
	h.Set("Vary", strings.Join(vary, ", "))
}

// HasVaryHeader reports whether the response's Vary header lists name,
// compared case-insensitively with the whitespace around each listed name
// and around name trimmed, as Django 5.2.19's has_vary_header does (so
// "Vary: Cookie " and "Vary: * " count).
func HasVaryHeader(h http.Header, name string) bool {
	vary, _ := splitHeaderList(h, "Vary")
	name = strings.TrimSpace(name)
	for _, v := range vary {
		if strings.EqualFold(v, name) {
			return true
		}
	}
	return false
}
