package middleware

// CSRF is Django's CsrfViewMiddleware. It refuses a request with an unsafe
// method (anything but GET, HEAD, OPTIONS, TRACE) unless its Origin (or, on
// HTTPS without Origin, its Referer) names this site or a trusted origin,
// and it carries the csrftoken cookie's secret in the csrfmiddlewaretoken
// form field or the X-CSRFToken header. It sets the csrftoken cookie, with
// Vary: Cookie, on a response whose view asked for a token.

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"gojango/framework/csrf"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// Django's reasons for refusing a request (django/middleware/csrf.py).
const (
	ReasonBadOrigin        = "Origin checking failed - %s does not match any trusted origins."
	ReasonNoReferer        = "Referer checking failed - no Referer."
	ReasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	ReasonNoCSRFCookie     = "CSRF cookie not set."
	ReasonCSRFTokenMissing = "CSRF token missing."
	ReasonMalformedReferer = "Referer checking failed - Referer is malformed."
	ReasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
	// ReasonCrossOrigin is ours: Go's http.CrossOriginProtection saw a
	// cross-origin browser request (Sec-Fetch-Site) that Django's checks
	// let through to the token check.
	ReasonCrossOrigin = "Cross-origin request refused - %v."
)

// CSRF is the CSRF middleware's configuration, checked once by NewCSRF.
type CSRF struct {
	s       *settings.Settings
	origins trustedOrigins
	// cop is Go's cross-origin check (Sec-Fetch-Site, or Origin against
	// Host), trusting CSRF_TRUSTED_ORIGINS' exact entries. It runs after
	// Django's Origin/Referer checks and before the token check.
	cop *http.CrossOriginProtection
}

// NewCSRF builds the CSRF middleware from the CSRF_* settings. An exact
// CSRF_TRUSTED_ORIGINS entry Go cannot read as an origin is an error.
func NewCSRF(s *settings.Settings) (*CSRF, error) {
	c := &CSRF{s: s, origins: newTrustedOrigins(s.CSRFTrustedOrigins), cop: http.NewCrossOriginProtection()}
	for _, o := range s.CSRFTrustedOrigins {
		if isWildcardOrigin(o) {
			continue // Go has no wildcards; trustedOrigins handles them
		}
		if err := c.cop.AddTrustedOrigin(o); err != nil {
			return nil, s.Errorf("CSRF_TRUSTED_ORIGINS", "%v", err)
		}
	}
	return c, nil
}

// Middleware wraps next with the CSRF checks and the csrftoken cookie.
func (c *CSRF) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := c.readCookie(r)
		r = r.WithContext(csrf.WithSource(r.Context(), st))
		rw, finish := views.OnWriteHeader(w, func(_ int, h http.Header) { c.setCookie(r, st, h) })
		defer finish()
		if reason := c.check(r, st); reason != "" {
			c.reject(rw, r, reason)
			return
		}
		next.ServeHTTP(rw, r)
	})
}

// tokenState is one request's CSRF secret: Django's request.META
// CSRF_COOKIE and CSRF_COOKIE_NEEDS_UPDATE. It is the request's
// csrf.Source.
type tokenState struct {
	mu          sync.Mutex
	secret      string // from the cookie, or new; "" until needed
	cookieErr   error  // the cookie's format error, if it had one
	needsUpdate bool   // send the cookie with the response
}

// Token is Django's get_token: a freshly masked token of the request's
// secret (made now if the request had none); the response will carry the
// cookie.
func (st *tokenState) Token() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.secret == "" {
		st.secret = csrf.NewSecret()
	}
	st.needsUpdate = true
	return csrf.Mask(st.secret)
}

// readCookie is Django's process_request: a well-formed cookie's secret is
// kept (unmasked if a pre-4.0 Django masked it); a malformed one is
// replaced by a new secret sent with the response.
func (c *CSRF) readCookie(r *http.Request) *tokenState {
	st := &tokenState{}
	ck, err := r.Cookie(c.s.CSRFCookieName)
	if err != nil {
		return st
	}
	if err := csrf.CheckFormat(ck.Value); err != nil {
		st.cookieErr = err
		st.secret, st.needsUpdate = csrf.NewSecret(), true
		return st
	}
	st.secret = ck.Value
	if len(st.secret) == csrf.TokenLength {
		st.secret = csrf.Unmask(st.secret)
	}
	return st
}

// setCookie is Django's process_response: when the view asked for a
// token (or the cookie was malformed), the cookie is sent and the response
// varies on Cookie, so no shared cache hands one visitor's cookie to
// another (the page cache never stores a response that sets a cookie and
// varies on Cookie).
func (c *CSRF) setCookie(r *http.Request, st *tokenState, h http.Header) {
	st.mu.Lock()
	secret, needs := st.secret, st.needsUpdate
	st.needsUpdate = false
	st.mu.Unlock()
	if !needs {
		return
	}
	ck := &http.Cookie{
		Name: c.s.CSRFCookieName, Value: secret, Path: c.s.CSRFCookiePath, Domain: c.s.CSRFCookieDomain,
		Secure: c.s.CSRFCookieSecure, HttpOnly: c.s.CSRFCookieHTTPOnly, SameSite: sameSite(c.s.CSRFCookieSameSite),
	}
	if c.s.CSRFCookieAge > 0 {
		ck.MaxAge = c.s.CSRFCookieAge
		ck.Expires = time.Now().Add(time.Duration(c.s.CSRFCookieAge) * time.Second)
	}
	if v := ck.String(); v != "" {
		h.Add("Set-Cookie", v)
	}
	views.PatchVaryHeaders(h, "Cookie")
}

// check is Django's process_view: "" to let r through, else the reason to
// refuse it.
func (c *CSRF) check(r *http.Request, st *tokenState) string {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return ""
	}
	if siteOf(r).csrfExempt(r) {
		return ""
	}
	origin, hasOrigin := r.Header["Origin"]
	switch {
	case hasOrigin && len(origin) > 0:
		if !c.originVerified(r, origin[0]) {
			return fmt.Sprintf(ReasonBadOrigin, origin[0])
		}
	case isSecure(c.s, r):
		if reason := c.checkReferer(r); reason != "" {
			return reason
		}
	}
	if !hasOrigin || !c.origins.matchesWildcard(origin[0]) {
		if err := c.cop.Check(r); err != nil {
			return fmt.Sprintf(ReasonCrossOrigin, err)
		}
	}
	return c.checkToken(r, st)
}

// checkToken is Django's _check_token: the cookie's secret must be there
// and match the form field (POST) or the header.
func (c *CSRF) checkToken(r *http.Request, st *tokenState) string {
	if st.cookieErr != nil {
		return fmt.Sprintf("CSRF cookie %v.", st.cookieErr)
	}
	st.mu.Lock()
	secret := st.secret
	st.mu.Unlock()
	if secret == "" {
		return ReasonNoCSRFCookie
	}
	token, source := "", "POST"
	if r.Method == http.MethodPost {
		token = r.PostFormValue("csrfmiddlewaretoken") // an unreadable body leaves it empty, as in Django
	}
	if token == "" {
		header := metaToHeader(c.s.CSRFHeaderName)
		v, ok := r.Header[header]
		if !ok || len(v) == 0 {
			return ReasonCSRFTokenMissing
		}
		token, source = v[0], fmt.Sprintf("the '%s' HTTP header", header)
	}
	if err := csrf.CheckFormat(token); err != nil {
		return fmt.Sprintf("CSRF token from %s %v.", source, err)
	}
	if !csrf.Matches(token, secret) {
		return fmt.Sprintf("CSRF token from %s incorrect.", source)
	}
	return ""
}

// reject logs the refusal as Django's django.security.csrf logger does and
// answers with the project's CSRF failure view or Django's 403 page.
func (c *CSRF) reject(w http.ResponseWriter, r *http.Request, reason string) {
	site := siteOf(r)
	site.logger().LogAttrs(r.Context(), slog.LevelWarn, fmt.Sprintf("Forbidden (%s): %s", reason, r.URL.Path),
		slog.String("logger", "django.security.csrf"), slog.Int("status_code", http.StatusForbidden))
	r = r.WithContext(csrf.WithFailureReason(r.Context(), reason))
	if site.CSRFFailure != nil {
		site.CSRFFailure.ServeHTTP(w, r)
		return
	}
	CSRFFailure(w, r)
}

// sameSite turns CSRF_COOKIE_SAMESITE into Go's attribute; "" (Django's
// False) sends none.
func sameSite(v string) http.SameSite {
	switch strings.ToLower(v) {
	case "lax":
		return http.SameSiteLaxMode
	case "strict":
		return http.SameSiteStrictMode
	case "none":
		return http.SameSiteNoneMode
	}
	return http.SameSiteDefaultMode
}
