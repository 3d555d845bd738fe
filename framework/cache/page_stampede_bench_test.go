package cache_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"gojango/framework/cache"
)

// BenchmarkPrivatePageStampede: 32 users (distinct cookies) each load a
// cold per-user page (Cache-Control: private, so never stored) 5 times in a
// row, all at once; the view takes 30 ms. It reports the mean latency over
// the view's time: 1.0 means nobody waited on another user's render. Waits
// on the first render of a URL are the page cache's stampede lock; they
// pay off only for pages that get stored.
func BenchmarkPrivatePageStampede(b *testing.B) {
	const users, rounds, viewTime = 32, 5, 30 * time.Millisecond
	benchSettings(b)
	var total time.Duration
	var count int
	for i := range b.N {
		h := cache.Page(900, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(viewTime)
			w.Header().Set("Cache-Control", "private")
			fmt.Fprintf(w, "for %s", r.Header.Get("Cookie"))
		})
		path := fmt.Sprintf("http://testserver/me/%d/", i)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					r := httptest.NewRequest("GET", path, nil)
					r.Header.Set("Cookie", fmt.Sprintf("sessionid=%d", u))
					t0 := time.Now()
					h.ServeHTTP(&discardWriter{h: http.Header{}}, r)
					d := time.Since(t0)
					mu.Lock()
					total += d
					count++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	b.ReportMetric(float64(total)/float64(count)/float64(viewTime), "latency/view")
}
