package conformance

import (
	"net/http"
	"strings"
	"testing"
)

// These tests check the runner's own rules; they need no Django.

func resp(status int, body string, header ...string) *Response {
	h := http.Header{}
	for _, f := range fields(header) {
		h.Add(f.Name, f.Value)
	}
	return &Response{Status: status, Body: body, Header: h}
}

func TestCompareResponses(t *testing.T) {
	cases := []struct {
		name   string
		d, g   *Response
		method string
		fields []string // the fields that must differ, in order
	}{
		{name: "equal", d: resp(200, "calls=1\n", "X-Calls: 1"), g: resp(200, "calls=1\n", "X-Calls: 1")},
		{name: "status and body", d: resp(200, "a"), g: resp(404, "b"), fields: []string{"status", "body"}},
		{name: "Cache-Control is exact", d: resp(200, "", "Cache-Control: max-age=600"), g: resp(200, "", "Cache-Control: max-age=600, public"), fields: []string{"Cache-Control"}},
		{name: "Expires within 2s",
			d: resp(200, "", "Expires: Tue, 01 Dec 2026 04:16:52 GMT"), g: resp(200, "", "Expires: Tue, 01 Dec 2026 04:16:54 GMT")},
		{name: "Expires 3s apart",
			d: resp(200, "", "Expires: Tue, 01 Dec 2026 04:16:52 GMT"), g: resp(200, "", "Expires: Tue, 01 Dec 2026 04:16:55 GMT"), fields: []string{"Expires (3s apart)"}},
		{name: "Expires in one only", d: resp(200, "", "Expires: Tue, 01 Dec 2026 04:16:52 GMT"), g: resp(200, ""), fields: []string{"Expires (present in one)"}},
		{name: "Age within 1", d: resp(200, "x", "Age: 1"), g: resp(200, "x", "Age: 2")},
		{name: "Age in one only", d: resp(200, "x", "Age: 0"), g: resp(200, "x"), fields: []string{"Age (present in one)"}},
		{name: "cookies parsed, not compared as text",
			d: resp(200, "", "Set-Cookie: sessionid=s-1; Path=/"), g: resp(200, "", "Set-Cookie: sessionid=s-1; path=/")},
		{name: "cookie values differ",
			d: resp(200, "", "Set-Cookie: sessionid=s-1; Path=/"), g: resp(200, "", "Set-Cookie: sessionid=s-2; Path=/"), fields: []string{"Set-Cookie"}},
		{name: "server headers ignored", d: resp(200, "", "Server: WSGIServer/0.2", "Connection: close"), g: resp(200, "", "Content-Length: 0")},
		{name: "extra header", d: resp(400, ""), g: resp(400, "", "X-Content-Type-Options: nosniff"), fields: []string{"other headers"}},
		{name: "Content-Length on a hit matches the body", d: resp(200, "abc", "Age: 0"), g: resp(200, "abc", "Age: 0", "Content-Length: 3")},
		{name: "wrong Content-Length on a hit", d: resp(200, "abc", "Age: 0"), g: resp(200, "abc", "Age: 0", "Content-Length: 9"), fields: []string{"Content-Length on a hit (Go's body has 3 bytes)"}},
		{name: "Content-Length on a miss not compared", d: resp(200, "abc"), g: resp(200, "abc", "Content-Length: 9")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			var got []string
			for _, d := range compareResponses(c.d, c.g, method) {
				got = append(got, d.Field)
			}
			if strings.Join(got, "|") != strings.Join(c.fields, "|") {
				t.Errorf("differing fields %q, want %q", got, c.fields)
			}
		})
	}
}

func TestFindLeaks(t *testing.T) {
	aliceReq := Request{Header: fields([]string{alice})}
	bobReq := Request{Header: fields([]string{bob})}
	anon := Request{}
	varyCookie := &matrixCell{Shape: responseShape{Name: "vary-cookie-set-cookie", CookiePrivate: true}}
	noVary := &matrixCell{Shape: responseShape{Name: "set-cookie-no-vary"}}
	aliceCookie := "Set-Cookie: sessionid=" + identity(aliceReq) + "; Path=/"
	cases := []struct {
		name  string
		cell  *matrixCell
		a, b  Request
		resp  *Response
		leaks int
	}{
		{"Bob gets his own page", varyCookie, aliceReq, bobReq, resp(200, "calls=2\ncookie=u=bob\nauthorization!\n"), 0},
		{"Bob gets Alice's page", varyCookie, aliceReq, bobReq, resp(200, "calls=1\ncookie=u=alice\nauthorization!\n"), 1},
		{"Bob gets Alice's Set-Cookie", varyCookie, aliceReq, bobReq, resp(200, "calls=1\n", aliceCookie), 1},
		{"a shared Set-Cookie is no leak", noVary, aliceReq, bobReq, resp(200, "calls=1\n", aliceCookie), 0},
		{"an anonymous page has no identity to leak", varyCookie, anon, bobReq, resp(200, "calls=1\ncookie!\n"), 0},
		{"errors are not searched", varyCookie, aliceReq, bobReq, resp(400, "calls=1\ncookie=u=alice\n"), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := findLeaks(c.cell, c.a, c.b, c.resp); len(got) != c.leaks {
				t.Errorf("leaks %q, want %d", got, c.leaks)
			}
		})
	}
}

func TestInstantiate(t *testing.T) {
	c := Case{Name: "rule1/x", KeyTargets: []string{"/any/a%3Db/?{case}"}, Steps: []Step{
		get("vary=Pony", "Pony: ", "X_User: a"), head("").host("LOCALHOST"), get("").host(""), get("").at("/any/a=b/"),
	}}
	in := c.instantiate(entries[2])
	want := []string{
		"GET /v/?case=site%2Frule1%2Fx&vary=Pony [Host: localhost] [Pony: ] [X_User: a]",
		"HEAD /v/?case=site%2Frule1%2Fx [Host: LOCALHOST]",
		"GET /v/?case=site%2Frule1%2Fx [Host: ]",
		"GET /any/a=b/?case=site%2Frule1%2Fx [Host: localhost]",
	}
	for i, r := range in.Reqs {
		if r.String() != want[i] {
			t.Errorf("step %d: %s, want %s", i+1, r, want[i])
		}
	}
	if got := in.URIs[len(in.URIs)-1]; got != "http://localhost/any/a%3Db/?case=site%2Frule1%2Fx" {
		t.Errorf("key target URI %q", got)
	}
	if n := len(in.keyHashes()); n != 5 {
		t.Errorf("%d key hashes, want 5", n)
	}
	if got := c.entriesOf(); len(got) != 2 || got[0].Name != "view" || got[1].Name != "site" {
		t.Errorf("a case with an explicit path runs in %v, want view and site", got)
	}
}
