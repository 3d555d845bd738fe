package cache_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// BenchmarkPageMissFlatOverVaryValues sends 20,000 requests with distinct
// cookies to one page that varies on Cookie (hostile traffic: every
// request is a miss that stores a new variant) and compares the cost of a
// miss in the first tenth with the last tenth. Recording variants for
// ExpirePage must not make later misses dearer: last/first stays near 1
// (goal: at most 1.5).
func BenchmarkPageMissFlatOverVaryValues(b *testing.B) {
	for _, backend := range []string{"locmem", "file"} {
		b.Run(backend, func(b *testing.B) {
			const n = 20000
			for range b.N {
				b.StopTimer()
				s := settings.Default()
				cfg := settings.Cache{Backend: backend, Location: b.Name(), Timeout: 300, MaxEntries: 10 * n, CullFrequency: 3, Version: 1}
				if backend == "file" {
					cfg.Location = b.TempDir()
				}
				s.Caches = map[string]settings.Cache{"default": cfg}
				if err := cache.Setup(s); err != nil {
					b.Fatal(err)
				}
				h := cache.Page(900, func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Vary", "Cookie")
					_, _ = w.Write(page2K)
				})
				durs := make([]time.Duration, n)
				b.StartTimer()
				for i := range n {
					r := httptest.NewRequest("GET", "http://testserver/articles/", nil)
					r.Header.Set("Cookie", fmt.Sprintf("sessionid=%d", i))
					w := &discardWriter{h: http.Header{}}
					t0 := time.Now()
					h.ServeHTTP(w, r)
					durs[i] = time.Since(t0)
				}
				b.StopTimer()
				first, last := median(durs[:n/10]), median(durs[n-n/10:])
				b.ReportMetric(float64(first.Nanoseconds()), "ns/miss-first-tenth")
				b.ReportMetric(float64(last.Nanoseconds()), "ns/miss-last-tenth")
				b.ReportMetric(float64(last)/float64(first), "last/first")
				_ = cache.Setup(settings.Default())
			}
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
