package middleware

// Security is Django's SecurityMiddleware: it redirects plain-HTTP requests
// to HTTPS (SECURE_SSL_REDIRECT) and adds Strict-Transport-Security on
// HTTPS (SECURE_HSTS_*), X-Content-Type-Options: nosniff
// (SECURE_CONTENT_TYPE_NOSNIFF), Referrer-Policy (SECURE_REFERRER_POLICY)
// and Cross-Origin-Opener-Policy (SECURE_CROSS_ORIGIN_OPENER_POLICY) to
// responses that have not set them. XFrameOptions is Django's
// XFrameOptionsMiddleware (X_FRAME_OPTIONS).

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"gojango/framework/settings"
	"gojango/framework/views"
)

// NewSecurity builds SecurityMiddleware from s. A SECURE_REDIRECT_EXEMPT
// entry that is not a regular expression is an error.
func NewSecurity(s *settings.Settings) (func(http.Handler) http.Handler, error) {
	exempt := make([]*regexp.Regexp, 0, len(s.SecureRedirectExempt))
	for i, p := range s.SecureRedirectExempt {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, s.Errorf(fmt.Sprintf("SECURE_REDIRECT_EXEMPT.%d", i), "%v", err)
		}
		exempt = append(exempt, re)
	}
	hsts := ""
	if s.SecureHSTSSeconds > 0 {
		hsts = fmt.Sprintf("max-age=%d", s.SecureHSTSSeconds)
		if s.SecureHSTSIncludeSubdomains {
			hsts += "; includeSubDomains"
		}
		if s.SecureHSTSPreload {
			hsts += "; preload"
		}
	}
	referrer := strings.Join(s.SecureReferrerPolicy, ",")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secure := isSecure(s, r)
			if s.SecureSSLRedirect && !secure && !matchesAny(exempt, strings.TrimLeft(r.URL.Path, "/")) {
				host := s.SecureSSLHost
				if host == "" {
					host = r.Host
				}
				http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
				return
			}
			rw, finish := views.OnWriteHeader(w, func(_ int, h http.Header) {
				if hsts != "" && secure {
					setDefault(h, "Strict-Transport-Security", hsts)
				}
				if s.SecureContentTypeNosniff {
					setDefault(h, "X-Content-Type-Options", "nosniff")
				}
				if referrer != "" {
					setDefault(h, "Referrer-Policy", referrer)
				}
				if s.SecureCrossOriginOpenerPolicy != "" {
					setDefault(h, "Cross-Origin-Opener-Policy", s.SecureCrossOriginOpenerPolicy)
				}
			})
			defer finish()
			next.ServeHTTP(rw, r)
		})
	}, nil
}

// Security is SecurityMiddleware with Django's default settings.
func Security(next http.Handler) http.Handler {
	mw, _ := NewSecurity(settings.Default())
	return mw(next)
}

// NewXFrameOptions is Django's XFrameOptionsMiddleware: X-Frame-Options is
// set to X_FRAME_OPTIONS (upper-cased) unless the response has one.
func NewXFrameOptions(s *settings.Settings) func(http.Handler) http.Handler {
	value := strings.ToUpper(s.XFrameOptions)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rw, finish := views.OnWriteHeader(w, func(_ int, h http.Header) {
				setDefault(h, "X-Frame-Options", value)
			})
			defer finish()
			next.ServeHTTP(rw, r)
		})
	}
}

// XFrameOptions sets X-Frame-Options: DENY unless the response set it
// (Django's default X_FRAME_OPTIONS).
func XFrameOptions(next http.Handler) http.Handler {
	return NewXFrameOptions(settings.Default())(next)
}

// setDefault sets a header the response has not set (Django's
// response.setdefault).
func setDefault(h http.Header, k, v string) {
	if _, ok := h[http.CanonicalHeaderKey(k)]; !ok {
		h.Set(k, v)
	}
}

func matchesAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
