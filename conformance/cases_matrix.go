package conformance

import (
	"net/http"
	"strings"
)

// The cross-user matrix: user A's request, then user B's, for every pair of
// request shapes and every response shape. Each pair is compared with
// Django like any case, and B's response is searched for A's identity
// (leaks.go).

// requestShape is one kind of requester.
type requestShape struct {
	Name   string
	Method string // "" = GET
	Host   string // "" = localhost
	Header []string
}

var requestShapes = []requestShape{
	{Name: "anonymous"}, // no cookie, no Authorization, no Accept-Language
	{Name: "alice", Header: []string{alice}},
	{Name: "bob", Header: []string{bob}},
	{Name: "session", Header: []string{session}},
	{Name: "basic-a", Header: []string{basicA}},
	{Name: "basic-b", Header: []string{basicB}},
	{Name: "lang-fr", Header: []string{"Accept-Language: fr"}},
	{Name: "lang-empty", Header: []string{"Accept-Language: "}},
	{Name: "host-LOCALHOST", Host: "LOCALHOST"},
	{Name: "host-localhost.", Host: "localhost."},
	{Name: "host-localhost:80", Host: "localhost:80"},
	{Name: "host-www.example.com", Host: "www.example.com"},
	{Name: "head", Method: http.MethodHead},
}

// responseShape is one kind of page. The body echoes exactly the request
// values the page depends on (its Vary names, echo=, Authorization unless
// public), so any of them reaching another user is a leak.
// CookiePrivate says the page's Set-Cookie is per user too: it varies on
// Cookie (or on everything), so a Set-Cookie made for A must not reach B.
type responseShape struct {
	Name          string
	Query         string
	CookiePrivate bool
}

// perUser is echo= for pages that are per user through Cache-Control or
// Vary: * rather than through named Vary headers.
const perUser = "&echo=Cookie,Accept-Language"

var responseShapes = []responseShape{
	{Name: "private", Query: "cc=private" + perUser, CookiePrivate: true},
	{Name: "PRIVATE", Query: "cc=PRIVATE" + perUser, CookiePrivate: true},
	{Name: "no-store", Query: "cc=no-store" + perUser, CookiePrivate: true},
	{Name: "No-Cache", Query: "cc=No-Cache" + perUser, CookiePrivate: true},
	{Name: "vary-star", Query: "vary=*" + perUser, CookiePrivate: true},
	{Name: "vary-cookie-set-cookie", Query: setCookieVaryCookie, CookiePrivate: true},
	{Name: "vary-cookie", Query: "vary=Cookie", CookiePrivate: true},
	{Name: "vary-accept-language", Query: "vary=Accept-Language"},
	{Name: "public", Query: "cc=public"},
	{Name: "max-age-0", Query: "cc=max-age%3D0"},
	{Name: "plain", Query: ""},
	{Name: "set-cookie-no-vary", Query: "setcookie=sessionid"},
}

// matrixCell is what the leak check needs to know about a matrix case.
type matrixCell struct {
	A, B  requestShape
	Shape responseShape
}

// matrixEntries are the entries the matrix runs in: cache.Page and per site.
var matrixEntries = []string{"view", "site"}

func (s requestShape) step(q string) Step {
	st := Step{Method: s.Method, Query: q, Header: fields(s.Header)}
	if s.Host != "" {
		st = st.host(s.Host)
	}
	return st
}

// matrixCases builds every (response shape, A, B) case with A != B.
func matrixCases() []Case {
	var out []Case
	for _, shape := range responseShapes {
		for _, a := range requestShapes {
			for _, b := range requestShapes {
				if a.Name == b.Name {
					continue
				}
				out = append(out, Case{
					Name:    "matrix/" + shape.Name + "/" + a.Name + "-then-" + b.Name,
					Entries: matrixEntries,
					Steps:   []Step{a.step(shape.Query), b.step(shape.Query)},
					Matrix:  &matrixCell{A: a, B: b, Shape: shape},
				})
			}
		}
	}
	return out
}

// headerValue is the value a request carries for name as the views see it:
// its lines of exactly that name (case-insensitive; X_User is not X-User)
// joined with ",".
func headerValue(req Request, name string) (string, bool) {
	var vals []string
	for _, f := range req.Header {
		if strings.EqualFold(f.Name, name) {
			vals = append(vals, strings.TrimSpace(f.Value))
		}
	}
	return strings.Join(vals, ","), len(vals) > 0
}
