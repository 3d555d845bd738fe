package management

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// stack builds the full per-site stack (ALLOWED_HOSTS, MIDDLEWARE with the
// cache pair and ConditionalGet) over a mux of views that each say who they
// rendered for.
func stack(t *testing.T) (http.Handler, *atomic.Int64) {
	t.Helper()
	s := settings.Default()
	s.AllowedHosts = []string{"a.example.com", "b.example.com"}
	s.UseI18N, s.UseTZ = false, false
	s.Middleware = []string{
		"django.middleware.cache.UpdateCacheMiddleware",
		"django.middleware.http.ConditionalGetMiddleware",
		"django.middleware.cache.FetchFromCacheMiddleware",
	}
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 1000, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	renders := &atomic.Int64{}
	user := func(r *http.Request) string {
		if c, err := r.Cookie("user"); err == nil {
			return c.Value
		}
		return "anonymous"
	}
	mux := http.NewServeMux()
	// Per-user content that forgets to vary: the cookie rule cannot save it,
	// so it must say private.
	mux.HandleFunc("/private/", views.CacheControl(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprintf(w, "private page of %s", user(r))
	}, views.Private))
	// Per-user content that varies on Cookie: one entry per cookie value.
	mux.HandleFunc("/vary-cookie/", views.VaryOnCookie(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprintf(w, "page of %s", user(r))
	}))
	// A login page that sets a session cookie for a cookieless visitor.
	mux.HandleFunc("/login/", views.VaryOnCookie(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		if _, err := r.Cookie("sessionid"); err != nil {
			http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: fmt.Sprintf("s%d", renders.Load())})
		}
		fmt.Fprintf(w, "login for %s", user(r))
	}))
	// Content negotiated on Accept.
	mux.HandleFunc("/negotiated/", views.VaryOnHeaders(func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprintf(w, "as %s", r.Header.Get("Accept"))
	}, "Accept"))
	// A page that names its host.
	mux.HandleFunc("/host/", func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprintf(w, "host %s", r.Host)
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := Handler(s, Project{URLConf: func(*settings.Settings) (http.Handler, error) { return mux, nil }}, quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h, renders
}

func get(h http.Handler, host, path string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "http://"+host+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// No response reaches the wrong user: each row is two clients asking for
// the same URL; the second must get its own content, never the first's.
func TestNoResponseReachesTheWrongUser(t *testing.T) {
	tests := []struct {
		name         string
		path         string
		first, other []string // request headers (name, value pairs) of the two clients
		hostA, hostB string
		wantOther    string
	}{
		{"PrivateResponseNotShared", "/private/", []string{"Cookie", "user=ann"}, []string{"Cookie", "user=bob"}, "a.example.com", "a.example.com", "private page of bob"},
		{"PrivateResponseNotSharedWithAnonymous", "/private/", []string{"Cookie", "user=ann"}, nil, "a.example.com", "a.example.com", "private page of anonymous"},
		{"VaryOnCookieSeparatesUsers", "/vary-cookie/", []string{"Cookie", "user=ann"}, []string{"Cookie", "user=bob"}, "a.example.com", "a.example.com", "page of bob"},
		{"VaryOnCookieSeparatesAnonymous", "/vary-cookie/", []string{"Cookie", "user=ann"}, nil, "a.example.com", "a.example.com", "page of anonymous"},
		{"VaryOnOtherHeader", "/negotiated/", []string{"Accept", "text/html"}, []string{"Accept", "application/json"}, "a.example.com", "a.example.com", "as application/json"},
		{"DifferentHostsDifferentEntries", "/host/", nil, nil, "a.example.com", "b.example.com", "host b.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := stack(t)
			get(h, tc.hostA, tc.path, tc.first...)
			get(h, tc.hostA, tc.path, tc.first...) // a hit for the first client, if cacheable
			if got := get(h, tc.hostB, tc.path, tc.other...).Body.String(); got != tc.wantOther {
				t.Fatalf("second client got %q; want %q", got, tc.wantOther)
			}
		})
	}
}

// A session-creating response to a cookieless visitor is never stored, so
// the next visitor gets a cookie of its own (Django's rule 87).
func TestSessionCookieIsNotReplayed(t *testing.T) {
	h, _ := stack(t)
	first := get(h, "a.example.com", "/login/").Header().Get("Set-Cookie")
	second := get(h, "a.example.com", "/login/").Header().Get("Set-Cookie")
	if first == "" || second == "" || first == second {
		t.Fatalf("Set-Cookie replayed: %q then %q", first, second)
	}
}

// A request for a host not in ALLOWED_HOSTS gets 400 and reaches neither a
// view nor the cache (Host-header cache poisoning).
func TestDisallowedHostNeverReachesViewOrCache(t *testing.T) {
	h, renders := stack(t)
	for _, host := range []string{"evil.com", "a.example.com.evil.com", "a.example.com@evil.com"} {
		if w := get(h, host, "/host/"); w.Code != http.StatusBadRequest {
			t.Fatalf("host %q: status %d; want 400", host, w.Code)
		}
	}
	if renders.Load() != 0 {
		t.Fatal("a view ran for a disallowed host")
	}
	if s := cache.Default().Stats(); s.Hits+s.Misses+s.Sets != 0 {
		t.Fatalf("the cache saw a disallowed host: %+v", s)
	}
}

// ConditionalGetMiddleware above FetchFromCacheMiddleware turns a cached 200
// into a 304 for a client that has the page.
func TestConditionalGetOnCachedResponse(t *testing.T) {
	h, renders := stack(t)
	first := get(h, "a.example.com", "/host/")
	etag := first.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	w := get(h, "a.example.com", "/host/", "If-None-Match", etag)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Fatalf("status %d body %q; want 304 and no body", w.Code, w.Body)
	}
	if renders.Load() != 1 {
		t.Fatalf("view rendered %d times; the 304 must come from the cached page", renders.Load())
	}
}
