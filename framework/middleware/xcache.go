package middleware

import (
	"net/http"

	"gojango/framework/cache"
	"gojango/framework/views"
)

// XCacheHeader is the response header XCache sets.
const XCacheHeader = "X-Cache"

// XCache sets the response header X-Cache to what the page cache did with
// the request: "hit", "miss", "stale", "bypass; reason=private" (the
// reasons are cache.BypassReason's), "error; reason=backend-error"; no
// header when no page cache saw the request. runserver installs it under
// DEBUG only: it tells a developer why a page was or wasn't cached, and
// tells everybody else too much.
//
// The header is written just before the status line, when the page cache
// has decided (a stored response is held until then); a response that
// streams past the page cache's MaxBody says so at the moment it starts
// streaming. The writer passes Flush and Unwrap through (views.OnWriteHeader).
func XCache(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, out := cache.TrackPageOutcome(r.Context())
		rw, finish := views.OnWriteHeader(w, func(_ int, h http.Header) {
			if v := out.String(); v != "" {
				h.Set(XCacheHeader, v)
			}
		})
		next.ServeHTTP(rw, r.WithContext(ctx))
		finish()
	})
}
