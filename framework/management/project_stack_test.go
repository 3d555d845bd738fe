package management

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-chi/chi/v5"

	"gojango/framework/cache"
	"gojango/framework/csrf"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// projectStack is a project as settings.toml makes one: the per-site
// cache pair around CsrfViewMiddleware, over a chi URLconf with a form
// page, a plain page, a csrf-exempt webhook and a panicking view. The log
// goes to the returned buffer.
func projectStack(t *testing.T, debug bool, p Project) (http.Handler, *atomic.Int64, *bytes.Buffer) {
	t.Helper()
	s := settings.Default()
	s.Debug = debug
	s.AllowedHosts = []string{"example.com"}
	s.Middleware = []string{
		"django.middleware.cache.UpdateCacheMiddleware",
		"django.middleware.security.SecurityMiddleware",
		"django.middleware.csrf.CsrfViewMiddleware",
		"django.middleware.cache.FetchFromCacheMiddleware",
	}
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 1000, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	changes := &atomic.Int64{}
	p.URLConf = func(*settings.Settings) (http.Handler, error) {
		r := chi.NewRouter()
		r.Get("/form/", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<form method="post"><input name="csrfmiddlewaretoken" value="%s"></form>`, csrf.Token(r))
		})
		r.Post("/form/", func(w http.ResponseWriter, r *http.Request) {
			changes.Add(1)
			fmt.Fprint(w, "saved")
		})
		r.Get("/plain/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "plain") })
		r.Handle("/webhook/", views.CsrfExempt(func(w http.ResponseWriter, r *http.Request) {
			changes.Add(1)
			fmt.Fprint(w, "hooked")
		}))
		r.Get("/boom/", func(http.ResponseWriter, *http.Request) { panic("boom") })
		return r, nil
	}
	log := &bytes.Buffer{}
	h, err := Handler(s, p, slog.New(slog.NewTextHandler(log, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return h, changes, log
}

func csrfCookie(res *http.Response) string {
	for _, c := range res.Cookies() {
		if c.Name == "csrftoken" {
			return c.Value
		}
	}
	return ""
}

// The page cache never hands one visitor's CSRF cookie to another: the
// middleware varies on Cookie when it sets the cookie, and a response that
// sets a cookie and varies on Cookie is not stored (Django's rule).
func TestPerSiteCacheNeverSharesACsrfToken(t *testing.T) {
	h, _, _ := projectStack(t, false, Project{})
	seen := map[string]bool{}
	for i := 0; i < 5; i++ {
		rec := get(h, "example.com", "/form/")
		tok := csrfCookie(rec.Result())
		if rec.Code != http.StatusOK || tok == "" {
			t.Fatalf("visitor %d: %d, no csrftoken cookie (headers %v)", i, rec.Code, rec.Header())
		}
		if seen[tok] {
			t.Fatalf("visitor %d got csrftoken %q, another visitor's", i, tok)
		}
		seen[tok] = true
		if !views.HasVaryHeader(rec.Header(), "Cookie") {
			t.Fatalf("Vary = %q; want Cookie", rec.Header().Get("Vary"))
		}
	}
	// A page without a token is still cached as before.
	get(h, "example.com", "/plain/")
	if rec := get(h, "example.com", "/plain/"); rec.Header().Get("Age") == "" || csrfCookie(rec.Result()) != "" {
		t.Fatalf("the plain page is not served from the cache (headers %v)", rec.Header())
	}
}

// The done-when of CSRF: a cross-origin POST is refused with 403 and
// changes nothing; a same-origin form post with the page's token works; a
// csrf-exempt view takes a POST without either.
func TestCrossOriginPostIsRefusedAndSameOriginFormPostWorks(t *testing.T) {
	h, changes, log := projectStack(t, false, Project{})
	form := get(h, "example.com", "/form/")
	secret := csrfCookie(form.Result())
	token := strings.Split(strings.Split(form.Body.String(), `value="`)[1], `"`)[0]

	send := func(path, origin string, fields url.Values, withCookie bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "http://example.com"+path, strings.NewReader(fields.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if withCookie {
			r.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	good := url.Values{"csrfmiddlewaretoken": {token}}
	if rec := send("/form/", "http://evil.example", good, true); rec.Code != http.StatusForbidden || changes.Load() != 0 ||
		!strings.Contains(rec.Body.String(), "CSRF verification failed. Request aborted.") {
		t.Fatalf("cross-origin POST: %d, %d changes; want 403 and none", rec.Code, changes.Load())
	}
	if !strings.Contains(log.String(), "Forbidden (Origin checking failed - http://evil.example does not match any trusted origins.): /form/") {
		t.Fatalf("the refusal is not logged as Django logs it: %s", log.String())
	}
	if rec := send("/form/", "", url.Values{}, false); rec.Code != http.StatusForbidden || changes.Load() != 0 {
		t.Fatalf("POST without cookie or token: %d; want 403", rec.Code)
	}
	if rec := send("/form/", "http://example.com", good, true); rec.Code != http.StatusOK || changes.Load() != 1 {
		t.Fatalf("same-origin form post: %d %q; want 200 saved", rec.Code, rec.Body.String())
	}
	if rec := send("/webhook/", "http://evil.example", url.Values{}, false); rec.Code != http.StatusOK || changes.Load() != 2 {
		t.Fatalf("POST to a csrf-exempt view: %d %q; want it through", rec.Code, rec.Body.String())
	}
}

// A panicking view answers 500, is logged with its stack, and the next
// request is served. DEBUG shows the technical page; otherwise Django's
// plain page, or the project's handler500.
func TestPanickingViewAnswers500AndTheServerGoesOn(t *testing.T) {
	custom := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "our own 500")
	})
	for _, tc := range []struct {
		name  string
		debug bool
		p     Project
		want  string
	}{
		{"DebugShowsTheTechnicalPage", true, Project{}, "<title>panic(string) at /boom/</title>"},
		{"PlainServerErrorPage", false, Project{}, "<h1>Server Error (500)</h1><p></p>"},
		{"ProjectHandler500", false, Project{Handler500: custom}, "our own 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _, log := projectStack(t, tc.debug, tc.p)
			rec := get(h, "example.com", "/boom/")
			if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("GET /boom/: %d %q; want 500 with %q", rec.Code, rec.Body.String(), tc.want)
			}
			if !strings.Contains(log.String(), "Internal Server Error: /boom/") || !strings.Contains(log.String(), "goroutine") {
				t.Fatalf("the panic and its stack are not in the log: %s", log.String())
			}
			if rec := get(h, "example.com", "/plain/"); rec.Code != http.StatusOK {
				t.Fatalf("the next request: %d", rec.Code)
			}
		})
	}
}

// Chi's "404 page not found" never reaches a user: Django's "Not Found"
// page, the project's handler404, or with DEBUG the technical 404 listing
// the URL patterns tried.
func TestNotFoundPagesAreDjangos(t *testing.T) {
	custom := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "our own 404")
	})
	for _, tc := range []struct {
		name  string
		debug bool
		p     Project
		want  []string
	}{
		{"PlainNotFoundPage", false, Project{}, []string{"<title>Not Found</title>", "<h1>Not Found</h1><p>The requested resource was not found on this server.</p>"}},
		{"ProjectHandler404", false, Project{Handler404: custom}, []string{"our own 404"}},
		{"TechnicalPageListsPatterns", true, Project{}, []string{"Page not found <small>(404)</small>", "<code>/form/ [GET, POST]</code>", "<code>/webhook/ [", "The current path, <code>nope/</code>, didn’t match any of these."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _, _ := projectStack(t, tc.debug, tc.p)
			rec := get(h, "example.com", "/nope/")
			body := rec.Body.String()
			if rec.Code != http.StatusNotFound || strings.Contains(body, "404 page not found") {
				t.Fatalf("GET /nope/: %d %q", rec.Code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Fatalf("GET /nope/ lacks %q:\n%s", w, body)
				}
			}
		})
	}
	// A disallowed host gets Django's "Bad Request (400)" page.
	h, _, _ := projectStack(t, false, Project{})
	if rec := get(h, "evil.example", "/form/"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "<h1>Bad Request (400)</h1>") {
		t.Fatalf("disallowed host: %d %q", rec.Code, rec.Body.String())
	}
}
