package metrics_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/metrics"
	"gojango/framework/settings"
)

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

var page2K = bytes.Repeat([]byte("<p>cached page</p>"), 2048/18)

// benchPageHit measures a cache.Page hit on locmem, with the metrics on
// (Observe: page-route counters, sampled latencies) or off.
func benchPageHit(b *testing.B, on bool) {
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: b.Name(), Timeout: 300, MaxEntries: 100000, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	if on {
		m := metrics.New(metrics.Options{})
		m.Observe()
		b.Cleanup(m.Stop)
	}
	h := cache.Page(900, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(page2K) })
	r := httptest.NewRequest("GET", "http://testserver/articles/", nil)
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, r) // store the page
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkPageHitMetricsOff and BenchmarkPageHitMetricsOn are the same
// page hit without and with metrics; their ratio is the cost of metrics
// (goal: within 1.10x).
func BenchmarkPageHitMetricsOff(b *testing.B) { benchPageHit(b, false) }
func BenchmarkPageHitMetricsOn(b *testing.B)  { benchPageHit(b, true) }
