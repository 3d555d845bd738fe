package middleware_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/middleware"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// TestXCache checks the header XCache writes for what the page cache did.
func TestXCache(t *testing.T) {
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	text := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") }
	mux := http.NewServeMux()
	mux.Handle("/page/", cache.Page(60, text))
	mux.Handle("/private/", cache.Page(60, views.CacheControl(text, views.Private)))
	mux.Handle("/large/", cache.Page(60, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, strings.Repeat("x", 100)) }, cache.MaxBody(10)))
	mux.HandleFunc("/plain/", text)
	h := middleware.XCache(mux)
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/page/", "miss"},
		{"GET", "/page/", "hit"},
		{"HEAD", "/page/", "hit"},
		{"POST", "/page/", "bypass; reason=method"},
		{"GET", "/private/", "bypass; reason=private"},
		{"GET", "/large/", "bypass; reason=body-too-large"},
		{"GET", "/plain/", ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, "http://testserver"+tt.path, nil))
		if got := rec.Header().Get("X-Cache"); got != tt.want {
			t.Errorf("%s %s: X-Cache = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}
