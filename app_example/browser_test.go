package app_example_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	_ "gojango/app_example"
	"gojango/framework/apps"
	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	dbconn "gojango/framework/db"
	"gojango/framework/management"
	"gojango/framework/settings"
)

// waitFor bounds every wait on the browser: page loads, a redirect after a
// click, a page showing what the test expects.
const waitFor = 15 * time.Second

// logged is one request line of the request log: its path and what the page
// cache did (hit, miss, bypass, "-").
type logged struct{ method, path, cache string }

// requestLog is a slog.Handler keeping the request log's records, so the
// test can tell a page served from the cache (hit: the view did not run)
// from one the view rendered (miss).
type requestLog struct {
	mu      *sync.Mutex
	records *[]logged
}

func newRequestLog() requestLog { return requestLog{mu: &sync.Mutex{}, records: &[]logged{}} }

func (requestLog) Enabled(context.Context, slog.Level) bool { return true }

func (l requestLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "request" {
		return nil
	}
	var rec logged
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "method":
			rec.method = a.Value.String()
		case "path":
			rec.path = a.Value.String()
		case "cache":
			rec.cache = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.records = append(*l.records, rec)
	return nil
}

func (l requestLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l requestLog) WithGroup(string) slog.Handler      { return l }

// gets returns the page-cache results of the GET requests for path, in
// order.
func (l requestLog) gets(path string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range *l.records {
		if r.method == http.MethodGet && r.path == path {
			out = append(out, r.cache)
		}
	}
	return out
}

// serveProject serves the project as runserver does (management.Handler:
// request log, ALLOWED_HOSTS, the MIDDLEWARE of settings.toml with the
// per-site cache pair) with the example app mounted as the root URLconf
// does, over a fresh SQLite file and a locmem cache of its own.
func serveProject(t *testing.T, log requestLog) *httptest.Server {
	t.Helper()
	// The project's own settings, so the test runs the MIDDLEWARE, prefix
	// and timeouts the project runs. BaseDir is the repository root: the
	// project templates (DIRS) and the app's templates resolve there.
	s, err := settings.Load(filepath.Join("..", "settings.toml"))
	if err != nil {
		t.Fatal(err)
	}
	s.Debug = true
	s.AllowedHosts = []string{"127.0.0.1", "localhost"}
	// An absolute NAME keeps the test off the project's db.sqlite3.
	db := s.Databases["default"]
	db.Name = filepath.Join(t.TempDir(), "browser.sqlite3")
	s.Databases["default"] = db
	// Only a locmem default alias: the page cache, cache.Page and the
	// fragment cache all use it.
	def := s.Caches["default"]
	def.Backend, def.Location = "django.core.cache.backends.locmem.LocMemCache", t.Name()
	s.Caches = map[string]settings.Cache{"default": def}
	if err := cache.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	if err := dbconn.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dbconn.Setup(settings.Default()) })

	// The project's urls.go: every installed app at its Mount prefix.
	urls := func(s *settings.Settings) (http.Handler, error) {
		r := chi.NewRouter()
		if err := apps.Include(r, s); err != nil {
			return nil, err
		}
		return r, nil
	}
	h, err := management.Handler(s, management.Project{URLConf: urls}, slog.New(log), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

// browserBinaries returns chromium and chromedriver, skipping the test
// (failing it in CI) when either is missing.
func browserBinaries(t *testing.T) (chromium, chromedriver string) {
	t.Helper()
	var missing []string
	for _, p := range []struct{ path, pkg, env string }{
		{chromiumEnv, "chromium", "GOJANGO_TEST_CHROMIUM"},
		{chromedriverEnv, "chromium-driver", "GOJANGO_TEST_CHROMEDRIVER"},
	} {
		if _, err := exec.LookPath(p.path); err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s; or set %s): %v", p.path, p.pkg, p.env, err))
		}
	}
	if len(missing) > 0 {
		skipOrFail(t, "browser test needs headless Chromium and chromedriver: missing "+strings.Join(missing, "; ")+
			"; install them with `apt-get install chromium chromium-driver` (.ci/run does)")
	}
	return chromiumEnv, chromedriverEnv
}

// TestBrowserEditArticleExpiresListPageAndSidebar drives the example app in
// headless Chromium: load the cached list, open an article, edit its title,
// and see the change on the article page, in the cached sidebar fragment
// (re-rendered) and in the cached list (expired by the save).
func TestBrowserEditArticleExpiresListPageAndSidebar(t *testing.T) {
	chromium, chromedriver := browserBinaries(t)
	log := newRequestLog()
	srv := serveProject(t, log)
	// The profile directory is made before the browser starts, so it is
	// removed after the browser quits (cleanups run last-in first-out).
	profile := t.TempDir()
	wd := newSession(t, startChromedriver(t, chromedriver), chromium, profile)

	// The list: cache.Page renders it once.
	wd.Navigate(srv.URL + "/")
	links := wd.FindAll("ul#articles li a")
	if len(links) < 2 {
		t.Fatalf("the list shows %d articles, want the sample ones", len(links))
	}
	var titles []string
	for _, a := range links {
		titles = append(titles, a.Text())
	}
	t.Logf("list: %q", titles)

	// Server side: a second GET of "/" is served from the page cache, so the
	// list view ran once. (The browser would answer a second navigation
	// from its own HTTP cache, so this one goes past it.)
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), titles[0]) {
		t.Fatalf("GET / again: %d, body without %q", resp.StatusCode, titles[0])
	}
	if got := log.gets("/"); !slices.Equal(got, []string{"miss", "hit"}) {
		t.Fatalf("page cache results for GET / = %q, want [miss hit]: the list view must run once, then be served from the cache", got)
	}

	// Open the last article (not in first place, so the edit moves it).
	pick := len(links) - 1
	oldTitle := titles[pick]
	articleURL := links[pick].Attr("href")
	links[pick].Click()
	waitText(t, wd, "h2#title", "the article page", func(s string) bool { return s == oldTitle })
	if got := wd.CurrentURL(); got != srv.URL+articleURL {
		t.Fatalf("after clicking %q the browser is at %s, want %s", oldTitle, got, srv.URL+articleURL)
	}
	sidebarBefore := wd.Find("aside#sidebar p.meta", waitFor).Text()
	if !strings.HasPrefix(sidebarBefore, "sidebar rendered at ") {
		t.Fatalf("sidebar note = %q, want \"sidebar rendered at HH:MM:SS.mmm\"", sidebarBefore)
	}

	// Edit: replace the title with a unique one and save.
	wd.Find("a#edit", waitFor).Click()
	input := wd.Find("input#title-input", waitFor)
	if got := input.Value(); got != oldTitle {
		t.Fatalf("the edit form's title = %q, want %q", got, oldTitle)
	}
	newTitle := fmt.Sprintf("Edited in Chromium %d", time.Now().UnixNano())
	input.Clear()
	input.SendKeys(newTitle)
	wd.Find("button#save", waitFor).Click()

	// The POST answers 303 to the article page: it shows the new title, and
	// so does the sidebar, whose fragment the save deleted and this page
	// rendered anew (its "rendered at" changed). No refresh here: the save
	// expired the server's copies, and the browser's cached copy of the
	// article page must not show either.
	waitText(t, wd, "h2#title", "the new title on the article page", func(s string) bool { return s == newTitle })
	if got := wd.CurrentURL(); got != srv.URL+articleURL {
		t.Fatalf("after saving the browser is at %s, want the article page %s", got, srv.URL+articleURL)
	}
	waitText(t, wd, "aside#sidebar ul", "the new title in the sidebar fragment", func(s string) bool {
		return strings.Contains(s, newTitle) && !strings.Contains(s, oldTitle)
	})
	sidebarAfter := wd.Find("aside#sidebar p.meta", waitFor).Text()
	if sidebarAfter == sidebarBefore {
		t.Fatalf("sidebar note still %q after the save: the fragment was not re-rendered", sidebarAfter)
	}
	t.Logf("sidebar: %q -> %q", sidebarBefore, sidebarAfter)

	// Back to the list. Its response carried Cache-Control: max-age (the
	// per-site cache's seconds), so the browser may show its own fresh copy
	// from before the edit without asking the server; the server-side
	// expiry cannot reach that copy. A refresh revalidates it with the
	// server, which now renders the list anew. So: navigate, and refresh
	// if the old list shows.
	wd.Navigate(srv.URL + "/")
	if txt, err := wd.TextOf("ul#articles"); err != nil || !strings.Contains(txt, newTitle) {
		t.Logf("the list from the browser's cache is the old one; refreshing")
		wd.Refresh()
	}
	waitText(t, wd, "ul#articles", "the new title in the list", func(s string) bool {
		return strings.Contains(s, newTitle) && !strings.Contains(s, oldTitle)
	})
	// The list the browser shows was rendered by the view after the edit.
	if got := log.gets("/"); len(got) < 3 || got[len(got)-1] != "miss" {
		t.Fatalf("page cache results for GET / = %q, want a miss after the edit (the save expired the list)", got)
	}
}

// waitText waits until the text of css satisfies ok.
func waitText(t *testing.T, wd *wdSession, css, what string, ok func(string) bool) {
	t.Helper()
	wd.Wait(waitFor, what, func() (bool, string) {
		txt, err := wd.TextOf(css)
		if err != nil {
			return false, err.Error()
		}
		return ok(txt), fmt.Sprintf("%s shows %q", css, txt)
	})
}
