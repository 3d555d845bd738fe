package app_example_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// A cross-origin POST to the example's edit form is refused with 403 and
// changes nothing; the same-origin form post, with the form's token and
// cookie, saves.
func TestEditFormIsCsrfProtected(t *testing.T) {
	srv := serveProject(t, newRequestLog())
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := func(resp *http.Response) string {
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	resp, err := client.Get(srv.URL + "/articles/1/edit/")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`).FindStringSubmatch(body(resp))
	if m == nil {
		t.Fatal("the edit form has no csrfmiddlewaretoken field")
	}
	postForm := func(origin string, fields url.Values) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/articles/1/edit/", strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	// The attacker's page posts the victim's cookie along, but not from
	// this origin.
	resp = postForm("http://evil.example", url.Values{"csrfmiddlewaretoken": {m[1]}, "title": {"Pwned"}, "body": {"x"}})
	if page := body(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "CSRF verification failed") {
		t.Fatalf("cross-origin POST: %d %.200q; want Django's 403", resp.StatusCode, page)
	}
	resp = postForm(srv.URL, url.Values{"title": {"No token"}, "body": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("same-origin POST without the token: %d; want 403", resp.StatusCode)
	}
	body(resp)
	resp, _ = client.Get(srv.URL + "/articles/1/")
	if page := body(resp); strings.Contains(page, "Pwned") || strings.Contains(page, "No token") {
		t.Fatal("a refused POST changed the article")
	}
	resp = postForm(srv.URL, url.Values{"csrfmiddlewaretoken": {m[1]}, "title": {"Saved"}, "body": {"x"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin form post: %d %.200q; want 303", resp.StatusCode, body(resp))
	}
	body(resp)
	resp, _ = client.Get(srv.URL + "/articles/1/")
	if page := body(resp); !strings.Contains(page, "Saved") {
		t.Fatal("the same-origin form post did not save")
	}
}
