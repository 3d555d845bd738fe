package middleware

import "net/http"

// Security adds the headers Django's SecurityMiddleware adds with its
// default settings: X-Content-Type-Options: nosniff (SECURE_CONTENT_TYPE_NOSNIFF),
// Referrer-Policy: same-origin (SECURE_REFERRER_POLICY) and
// Cross-Origin-Opener-Policy: same-origin (SECURE_CROSS_ORIGIN_OPENER_POLICY),
// each only where the response has not set it. SSL redirects and HSTS are
// off by default in Django and not provided.
func Security(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		setDefault(h, "X-Content-Type-Options", "nosniff")
		setDefault(h, "Referrer-Policy", "same-origin")
		setDefault(h, "Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// XFrameOptions sets X-Frame-Options: DENY unless the response set it, as
// Django's XFrameOptionsMiddleware does with X_FRAME_OPTIONS = "DENY".
func XFrameOptions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setDefault(w.Header(), "X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// setDefault sets a header before the view runs; a view that sets the same
// header replaces it, as Django's middleware leaves a view's value alone.
func setDefault(h http.Header, k, v string) {
	if h.Get(k) == "" {
		h.Set(k, v)
	}
}
