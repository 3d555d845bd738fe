package views

import (
	"net/http"
	"time"
)

// AddNeverCacheHeaders marks the response as never to be cached, as
// Django's add_never_cache_headers does: Expires=now unless already set,
// then Cache-Control gains max-age=0, no-cache, no-store, must-revalidate
// and private (on a response without one it reads exactly
// "max-age=0, no-cache, no-store, must-revalidate, private").
func AddNeverCacheHeaders(h http.Header, now time.Time) {
	PatchResponseHeaders(h, -1, now)
	PatchCacheControl(h, NoCache, NoStore, MustRevalidate, Private)
}

// NeverCache wraps view so that its response carries the never-cache
// headers of AddNeverCacheHeaders (Django's @never_cache), added just before
// the status line is written.
func NeverCache(view http.HandlerFunc) http.HandlerFunc {
	return patchBeforeWrite(view, func(_ int, h http.Header) {
		AddNeverCacheHeaders(h, time.Now())
	})
}
