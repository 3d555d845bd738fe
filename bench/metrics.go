package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/metrics"
	"gojango/framework/settings"
)

// runMetrics measures the cost of framework/metrics on the hottest path:
// a cache.Page hit on locmem with the metrics off, then on (page-route
// counters, operation latencies sampled one call in 64), alternating for
// cfg.rounds rounds; the goal is the on/off ratio of the medians.
func runMetrics(_ context.Context, cfg config, rep *report) error {
	if !cfg.want("metrics/page-hit") {
		return nil
	}
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: "bench-metrics", Timeout: 300, MaxEntries: 100000, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		return err
	}
	defer func() { _ = cache.Setup(settings.Default()) }()
	var body []byte
	for range 100 {
		body = append(body, "<li>row</li>\n"...)
	}
	h := cache.Page(900, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) })
	r := httptest.NewRequest("GET", "http://bench/metrics/", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	m := metrics.New(metrics.Options{})
	measure := func(on bool) float64 {
		if on {
			m.Observe()
			defer m.Stop()
		}
		res := testing.Benchmark(func(b *testing.B) {
			w := &nullWriter{h: http.Header{}}
			for range b.N {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
		return float64(res.NsPerOp())
	}
	var off, on []float64
	for range max(cfg.rounds, 3) {
		off = append(off, measure(false))
		on = append(on, measure(true))
	}
	slices.Sort(off)
	slices.Sort(on)
	mo, mn := off[len(off)/2], on[len(on)/2]
	ratio := mn / mo
	t := rep.table("Metrics: the cost of framework/metrics on a page hit (cache.Page, locmem, one goroutine)", "id", "metrics", "ns/op (median)", "min – max")
	t.add("metrics/page-hit/off", "off", fmt.Sprintf("%.0f", mo), fmt.Sprintf("%.0f – %.0f", off[0], off[len(off)-1]))
	t.add("metrics/page-hit/on", "on", fmt.Sprintf("%.0f", mn), fmt.Sprintf("%.0f – %.0f", on[0], on[len(on)-1]))
	t.note("on: per-route hit counter found through the decoded page, latencies sampled one get in 64; counts read from the striped counters at scrape time")
	rep.goal("metrics-on page hit within 1.10x of metrics-off", fmt.Sprintf("%.3fx", ratio), ratio <= 1.10)
	return nil
}

type nullWriter struct{ h http.Header }

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nullWriter) WriteHeader(int)             {}
