package cache_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the page cache, not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchPage(b *testing.B, h http.Handler) {
	body := bytes.Repeat([]byte("x"), 2048)
	_ = body
	r := httptest.NewRequest("GET", "http://testserver/articles/", nil)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r) // warm: store the page
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

func benchSettings(b *testing.B) *settings.Settings {
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: b.Name(), Timeout: 300, MaxEntries: 100000, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	return s
}

var page2K = bytes.Repeat([]byte("<p>cached page</p>"), 2048/18)

func view(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(page2K) }

// BenchmarkPageHitCachePage is a hit through cache.Page on locmem.
func BenchmarkPageHitCachePage(b *testing.B) {
	benchSettings(b)
	benchPage(b, cache.Page(900, view))
}

// BenchmarkPageHitPerSite is a hit through Update + Fetch middleware.
func BenchmarkPageHitPerSite(b *testing.B) {
	s := benchSettings(b)
	h := cache.NewUpdateCacheMiddleware(s).Middleware(cache.NewFetchFromCacheMiddleware(s).Middleware(http.HandlerFunc(view)))
	benchPage(b, h)
}

// BenchmarkPagePlain is the view alone: the floor.
func BenchmarkPagePlain(b *testing.B) {
	benchPage(b, http.HandlerFunc(view))
}
