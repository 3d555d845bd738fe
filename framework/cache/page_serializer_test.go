package cache_test

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"gojango/framework/settings"
	"gojango/framework/views"
)

// A page cache on an alias with OPTIONS.SERIALIZER = "pickle" serves hits
// as on the codec: the stored page is read back through the alias's
// serializer (it was logged as corrupt and rendered again on every
// request), through all three entry points, tagged or not.
func TestPageCacheHitsUnderEverySerializer(t *testing.T) {
	for _, ser := range []string{"", "pickle"} {
		for _, ep := range entryPoints {
			for _, tagged := range []bool{false, true} {
				name := ser + "/" + ep.name
				if tagged {
					name += "/tagged"
				}
				t.Run(name, func(t *testing.T) {
					clk := setupPages(t, func(s *settings.Settings) {
						s.CacheMiddlewareSeconds = 60
						if ser != "" {
							c := s.Caches["default"]
							c.Options = map[string]any{"SERIALIZER": ser}
							s.Caches["default"] = c
						}
					})
					var calls atomic.Int32
					view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						calls.Add(1)
						if tagged {
							views.CacheTags(w, "articles")
						}
						_, _ = w.Write([]byte("<p>page</p>"))
					})
					h := ep.wrap(clk, view)
					for i := range 3 {
						w := httptest.NewRecorder()
						h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "http://testserver/p/", nil))
						if w.Code != http.StatusOK || w.Body.String() != "<p>page</p>" {
							t.Fatalf("request %d: %d %q", i, w.Code, w.Body.String())
						}
					}
					if n := calls.Load(); n != 1 {
						t.Fatalf("the view ran %d times for 3 requests; want 1 (then hits)", n)
					}
				})
			}
		}
	}
}
