package middleware

// isSecure is Django's request.is_secure(), shared by the security and
// CSRF middleware. It changes nothing.

import (
	"net/http"
	"strings"

	"gojango/framework/settings"
)

// isSecure reports whether r came over HTTPS: a TLS connection, or, behind
// a proxy, the SECURE_PROXY_SSL_HEADER [header, value] pair (the header's
// first comma-separated value compared, as Django 4.1+ does).
func isSecure(s *settings.Settings, r *http.Request) bool {
	if s != nil && len(s.SecureProxySSLHeader) == 2 {
		v := r.Header.Get(metaToHeader(s.SecureProxySSLHeader[0]))
		first, _, _ := strings.Cut(v, ",")
		return strings.TrimSpace(first) == s.SecureProxySSLHeader[1]
	}
	return r.TLS != nil
}

// scheme is "https" for a secure request, else "http".
func scheme(s *settings.Settings, r *http.Request) string {
	if isSecure(s, r) {
		return "https"
	}
	return "http"
}

// metaToHeader turns Django's request.META name of a header
// ("HTTP_X_CSRFTOKEN") into the header's name ("X-Csrftoken").
func metaToHeader(meta string) string {
	name := strings.TrimPrefix(meta, "HTTP_")
	return http.CanonicalHeaderKey(strings.ReplaceAll(name, "_", "-"))
}
