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

// One edit invalidates, by tag, everything built from the article: the
// list page (cache.Page), the article's page (per-site cache) and the
// sidebar fragment ({% cache ... tags="articles" %}) all show the new
// title on the next request, while each was served from the cache before.
func TestEditInvalidatesListDetailAndSidebarByTag(t *testing.T) {
	srv := serveProject(t, newRequestLog())
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		t.Helper()
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	sidebar := regexp.MustCompile(`(?s)<aside id="sidebar">.*?</aside>`)
	list, detail := get("/"), get("/articles/2/")
	if get("/") != list || get("/articles/2/") != detail {
		t.Fatal("the list or the article page was not served from the cache")
	}
	form := get("/articles/1/edit/")
	m := regexp.MustCompile(`name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatal("no csrfmiddlewaretoken in the form")
	}
	fields := url.Values{"csrfmiddlewaretoken": {m[1]}, "title": {"Retitled by tag"}, "body": {"x"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/articles/1/edit/", strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d; want 303", resp.StatusCode)
	}
	if page := get("/"); !strings.Contains(page, "Retitled by tag") {
		t.Error("the list page still shows the old title")
	}
	// Article 2's page shows article 1 only in its sidebar fragment.
	page := get("/articles/2/")
	if !strings.Contains(sidebar.FindString(page), "Retitled by tag") {
		t.Errorf("the sidebar fragment on another article's page still shows the old title:\n%s", sidebar.FindString(page))
	}
	if page := get("/articles/1/"); !strings.Contains(page, "Retitled by tag") {
		t.Error("the article's own page still shows the old title")
	}
}
