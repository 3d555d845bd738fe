package conformance

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// identity is the views' token for a requester (djangotwin/twin/views.py
// _identity, gotwin/views.go identity): their Cookie and Authorization.
func identity(req Request) string {
	cookie, _ := headerValue(req, "Cookie")
	auth, _ := headerValue(req, "Authorization")
	sum := md5.Sum([]byte(cookie + "|" + auth))
	return "s-" + hex.EncodeToString(sum[:])[:12]
}

// hasIdentity reports whether req names a user at all.
func hasIdentity(req Request) bool {
	_, c := headerValue(req, "Cookie")
	_, a := headerValue(req, "Authorization")
	return c || a
}

// echoes parses the body's echo lines ("name=value", "name!" for absent)
// into the values present.
func echoes(body string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	for _, l := range lines[1:] {
		if name, value, ok := strings.Cut(l, "="); ok {
			out[name] = value
		}
	}
	return out
}

// findLeaks lists what of A's identity reached B in resp, the response to
// B's request: a request value the page depends on that is A's and not B's,
// or, where the page is per user on Cookie, a Set-Cookie made for A.
func findLeaks(cell *matrixCell, a, b Request, resp *Response) []string {
	if resp == nil || resp.Status != http.StatusOK {
		return nil
	}
	var out []string
	if strings.HasPrefix(resp.Body, "calls=") {
		for name, got := range echoes(resp.Body) {
			av, aok := headerValue(a, name)
			bv, bok := headerValue(b, name)
			if aok && av != "" && got == av && (!bok || bv != av) {
				out = append(out, fmt.Sprintf("body echoes A's %s %q", name, got))
			}
		}
	}
	if cell.Shape.CookiePrivate && hasIdentity(a) && identity(a) != identity(b) {
		for _, c := range resp.Cookies() {
			if c.Value == identity(a) {
				out = append(out, fmt.Sprintf("Set-Cookie %s=%s is A's", c.Name, c.Value))
			}
		}
	}
	return out
}

// Cookies parses the response's Set-Cookie lines.
func (r *Response) Cookies() []*http.Cookie {
	return (&http.Response{Header: r.Header}).Cookies()
}
