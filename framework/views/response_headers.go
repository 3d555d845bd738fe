package views

import (
	"net/http"
	"time"
)

// httpDate formats t as an HTTP date (IMF-fixdate, always GMT), e.g.
// "Sun, 17 Jul 2016 10:00:02 GMT", like Django's http_date.
func httpDate(t time.Time) string {
	return t.UTC().Format(http.TimeFormat)
}

// hasHeader reports whether key is present in h, even with an empty value
// (Django's HttpResponse.has_header).
func hasHeader(h http.Header, key string) bool {
	return len(h.Values(key)) > 0
}

// PatchResponseHeaders adds caching headers for a response that may be
// cached for timeout seconds, as Django's patch_response_headers does: a
// negative timeout counts as 0; Expires is set to now+timeout unless the
// response already has one; then max-age=timeout is patched into
// Cache-Control (an existing smaller max-age wins). now is a parameter so
// callers and tests control the clock.
func PatchResponseHeaders(h http.Header, timeout int, now time.Time) {
	if h == nil {
		return // nothing to patch (and a nil map cannot be written)
	}
	if timeout < 0 {
		timeout = 0 // Can't have max-age negative.
	}
	if !hasHeader(h, "Expires") {
		h.Set("Expires", httpDate(now.Add(time.Duration(timeout)*time.Second)))
	}
	PatchCacheControl(h, MaxAge(timeout))
}
