package conformance

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Entry is one way a page gets cached: a twin mode and the path of the
// parameterised view in it.
type Entry struct {
	Name string // "view", "mw", "site"
	Mode string // the twins' mode: "view" or "site"
	Path string // the parameterised view
}

// entries: cache.Page (cache_page), cache.PageMiddleware on a route group
// (cache_page in Django), and the per-site pair from MIDDLEWARE.
var entries = []Entry{
	{Name: "view", Mode: "view", Path: "/v/"},
	{Name: "mw", Mode: "view", Path: "/mw/v/"},
	{Name: "site", Mode: "site", Path: "/v/"},
}

// Step is one request of a case.
type Step struct {
	Method  string // "" = GET
	Path    string // "" = the entry's parameterised view
	Query   string // the query after case=ID, verbatim (already escaped)
	Host    string // the Host header, when HostSet (else localhost)
	HostSet bool
	Header  []Field       // sent in order
	Sleep   time.Duration // wait this long before sending
}

// Case is a short sequence of requests sent in order to both twins. Each
// case has URLs of its own (case=<entry>/<name> leads every query), so
// cases never share cache entries or view counters.
type Case struct {
	Name    string   // named after the rule, e.g. "rule86/PRIVATE"
	Entries []string // the entries it runs in; nil = every entry (explicit Path: view and site)
	Steps   []Step
	// KeyTargets are further request targets (with {case} for the case
	// parameter, host localhost) whose page keys are compared: where
	// Django's absolute URI is not the target as sent.
	KeyTargets []string
	// Matrix is set on cross-user cases: what the leak check needs.
	Matrix *matrixCell
}

// instance is a case in one entry, ready to send.
type instance struct {
	Case  *Case
	Entry Entry
	ID    string // "<entry>/<name>", the case= value
	Reqs  []Request
	URIs  []string // absolute URIs whose page keys are compared
	Delay []time.Duration
}

// entriesOf are the entries c runs in.
func (c *Case) entriesOf() []Entry {
	want := c.Entries
	if want == nil {
		want = []string{"view", "mw", "site"}
		for _, s := range c.Steps {
			if s.Path != "" {
				want = []string{"view", "site"}
			}
		}
	}
	var out []Entry
	for _, e := range entries {
		for _, w := range want {
			if e.Name == w {
				out = append(out, e)
			}
		}
	}
	return out
}

// instantiate builds c's requests in entry e.
func (c *Case) instantiate(e Entry) *instance {
	in := &instance{Case: c, Entry: e, ID: e.Name + "/" + c.Name}
	caseParam := "case=" + url.QueryEscape(in.ID)
	for _, s := range c.Steps {
		method := s.Method
		if method == "" {
			method = http.MethodGet
		}
		path := s.Path
		if path == "" {
			path = e.Path
		}
		target := path + "?" + caseParam
		if s.Query != "" {
			target += "&" + s.Query
		}
		host := "localhost"
		if s.HostSet {
			host = s.Host
		}
		in.Reqs = append(in.Reqs, Request{Method: method, Target: target, Host: host, Header: s.Header})
		in.Delay = append(in.Delay, s.Sleep)
		in.URIs = append(in.URIs, "http://"+host+target)
	}
	for _, t := range c.KeyTargets {
		in.URIs = append(in.URIs, "http://localhost"+strings.ReplaceAll(t, "{case}", caseParam))
	}
	return in
}

// keyHashes are the md5 hashes of the absolute URIs whose page keys the
// case compares (both twins list the keys that contain one of them).
func (in *instance) keyHashes() []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range in.URIs {
		sum := md5.Sum([]byte(u))
		h := hex.EncodeToString(sum[:])
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// Step builders, so that the case tables read as requests.

// get is a GET of the entry's view with query q and header lines
// "Name: value".
func get(q string, header ...string) Step { return Step{Query: q, Header: fields(header)} }

// head is get as HEAD.
func head(q string, header ...string) Step {
	s := get(q, header...)
	s.Method = http.MethodHead
	return s
}

// post is get as POST.
func post(q string, header ...string) Step {
	s := get(q, header...)
	s.Method = http.MethodPost
	return s
}

// at sends the step to path instead of the entry's view.
func (s Step) at(path string) Step { s.Path = path; return s }

// host sends the step with Host h.
func (s Step) host(h string) Step { s.Host, s.HostSet = h, true; return s }

// after waits d before the step.
func (s Step) after(d time.Duration) Step { s.Sleep = d; return s }

// twice is the step sent two times.
func twice(s Step) []Step { return []Step{s, s} }

// fields parses header lines "Name: value" (the value may be empty).
func fields(lines []string) []Field {
	var out []Field
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		out = append(out, Field{Name: name, Value: strings.TrimPrefix(value, " ")})
	}
	return out
}
