package conformance

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// diff is one field on which the twins' responses differ.
type diff struct {
	Field      string
	Django, Go string
}

// Tolerances for the time-based headers: the twins answer a step a few
// milliseconds apart, and each rounds to whole seconds.
const (
	expiresSlack = 2 * time.Second
	ageSlack     = 1
)

// exactHeaders must be equal as strings (several lines joined with ", ").
var exactHeaders = []string{"X-Calls", "Cache-Control", "Vary", "ETag", "Last-Modified"}

// transportHeaders are the server's, not the page's: never compared.
// Content-Type is the view's own and the same in both twins; Django's and
// our 400 pages differ in it together with their bodies.
var transportHeaders = map[string]bool{
	"Date": true, "Server": true, "Connection": true, "Transfer-Encoding": true,
	"Content-Length": true, "Content-Type": true,
}

// compareResponses lists the differences that matter between Django's
// response d and Go's g to a request with method: status, body, the page
// cache's headers (Cache-Control and Vary exactly, Expires within 2 s, Age
// within 1, Set-Cookie parsed), ETag, Last-Modified, which other headers
// are there, and Content-Length on hits.
func compareResponses(d, g *Response, method string) []diff {
	var out []diff
	add := func(field, dv, gv string) { out = append(out, diff{Field: field, Django: dv, Go: gv}) }
	if d.Status != g.Status {
		add("status", strconv.Itoa(d.Status), strconv.Itoa(g.Status))
	}
	if d.Body != g.Body {
		add("body", strconv.Quote(clip(d.Body)), strconv.Quote(clip(g.Body)))
	}
	for _, name := range exactHeaders {
		dv, dok := headerLine(d.Header, name)
		gv, gok := headerLine(g.Header, name)
		if dok != gok || dv != gv {
			add(name, show(dv, dok), show(gv, gok))
		}
	}
	for _, tol := range tolerantHeaders {
		dv, dok := headerLine(d.Header, tol.name)
		gv, gok := headerLine(g.Header, tol.name)
		switch {
		case dok != gok:
			add(tol.name+" (present in one)", show(dv, dok), show(gv, gok))
		case dok:
			if msg := tol.apart(dv, gv); msg != "" {
				add(tol.name+" ("+msg+")", show(dv, dok), show(gv, gok))
			}
		}
	}
	if dc, gc := cookieLines(d), cookieLines(g); dc != gc {
		add("Set-Cookie", dc, gc)
	}
	if dn, gn := otherHeaders(d.Header), otherHeaders(g.Header); dn != gn {
		add("other headers", dn, gn)
	}
	if msg := compareContentLength(d, g, method); msg != "" {
		dv, dok := headerLine(d.Header, "Content-Length")
		gv, gok := headerLine(g.Header, "Content-Length")
		add("Content-Length on a hit"+msg, show(dv, dok), show(gv, gok))
	}
	return out
}

// headerLine is the header's lines joined with ", ", and whether it is there.
func headerLine(h http.Header, name string) (string, bool) {
	vs, ok := h[http.CanonicalHeaderKey(name)]
	return strings.Join(vs, ", "), ok
}

func show(v string, ok bool) string {
	if !ok {
		return "(absent)"
	}
	return strconv.Quote(v)
}

// clip keeps report lines readable.
func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}

// tolerantHeaders must be present in both twins' responses or in neither,
// with values close enough.
var tolerantHeaders = []struct {
	name  string
	apart func(django, gov string) string // "" when close enough
}{
	{"Expires", expiresApart},
	{"Age", agesApart},
}

// expiresApart: dates within expiresSlack.
func expiresApart(dv, gv string) string {
	dt, derr := http.ParseTime(dv)
	gt, gerr := http.ParseTime(gv)
	switch {
	case derr != nil || gerr != nil:
		if dv != gv {
			return "unparsable"
		}
	case dt.Sub(gt) > expiresSlack || gt.Sub(dt) > expiresSlack:
		return fmt.Sprintf("%v apart", gt.Sub(dt))
	}
	return ""
}

// agesApart: integers within ageSlack.
func agesApart(dv, gv string) string {
	da, derr := strconv.Atoi(dv)
	ga, gerr := strconv.Atoi(gv)
	switch {
	case derr != nil || gerr != nil:
		if dv != gv {
			return "unparsable"
		}
	case da-ga > ageSlack || ga-da > ageSlack:
		return fmt.Sprintf("%d apart", ga-da)
	}
	return ""
}

// cookieLines renders the Set-Cookie lines parsed (Django and net/http
// format cookies differently: attribute case and order), sorted.
func cookieLines(r *Response) string {
	var out []string
	for _, line := range r.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			out = append(out, "unparsable "+strconv.Quote(line))
			continue
		}
		attrs := []string{c.Name + "=" + c.Value}
		if c.Path != "" {
			attrs = append(attrs, "Path="+c.Path)
		}
		if c.Domain != "" {
			attrs = append(attrs, "Domain="+c.Domain)
		}
		if c.MaxAge != 0 {
			attrs = append(attrs, "Max-Age="+strconv.Itoa(c.MaxAge))
		}
		if !c.Expires.IsZero() {
			attrs = append(attrs, "Expires")
		}
		if c.Secure {
			attrs = append(attrs, "Secure")
		}
		if c.HttpOnly {
			attrs = append(attrs, "HttpOnly")
		}
		if c.SameSite != 0 {
			attrs = append(attrs, fmt.Sprintf("SameSite=%d", c.SameSite))
		}
		out = append(out, strings.Join(attrs, "; "))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, " | ")
}

// otherHeaders names the headers not compared one by one and not the
// server's own.
func otherHeaders(h http.Header) string {
	var names []string
	for name := range h {
		if transportHeaders[name] || name == "Set-Cookie" || name == "Expires" || name == "Age" {
			continue
		}
		skip := false
		for _, e := range exactHeaders {
			if http.CanonicalHeaderKey(e) == name {
				skip = true
			}
		}
		if !skip {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "(none)"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// compareContentLength checks Content-Length on hits (responses with Age):
// equal where both twins send it, and right for its body where only one
// does (runserver sends none for a plain HttpResponse; net/http adds it).
func compareContentLength(d, g *Response, method string) string {
	_, dAge := headerLine(d.Header, "Age")
	_, gAge := headerLine(g.Header, "Age")
	if !dAge && !gAge {
		return ""
	}
	dv, dok := headerLine(d.Header, "Content-Length")
	gv, gok := headerLine(g.Header, "Content-Length")
	switch {
	case dok && gok:
		if dv != gv {
			return " (values differ)"
		}
	case method == http.MethodHead:
	case gok && gv != strconv.Itoa(len(g.Body)):
		return fmt.Sprintf(" (Go's body has %d bytes)", len(g.Body))
	case dok && dv != strconv.Itoa(len(d.Body)):
		return fmt.Sprintf(" (Django's body has %d bytes)", len(d.Body))
	}
	return ""
}
