package middleware

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"gojango/framework/csrf"
	"gojango/framework/settings"
)

// csrfStack is the CSRF middleware around a view that counts its calls and
// renders a token (as a form page does) on GET.
func csrfStack(t *testing.T, s *settings.Settings) (http.Handler, *atomic.Int64) {
	t.Helper()
	c, err := NewCSRF(s)
	if err != nil {
		t.Fatal(err)
	}
	calls := &atomic.Int64{}
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, "token="+csrf.Token(r))
			return
		}
		_, _ = io.WriteString(w, "changed")
	})
	return c.Middleware(view), calls
}

const (
	goodSecret = "abcdefghijklmnopqrstuvwxyzABCDEF"
	host       = "example.com"
)

// post builds a POST to https?://example.com/form/ with the given form
// fields, cookie secret and headers.
func post(secure bool, form url.Values, cookie string, headers map[string]string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://"+host+"/form/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secure {
		r.TLS = &tls.ConnectionState{}
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: cookie})
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

// Each row is one rule of Django 5.2.19's CsrfViewMiddleware.process_view,
// with the reason Django gives.
func TestCsrfViewMiddlewareRules(t *testing.T) {
	masked := csrf.Mask(goodSecret)
	tok := url.Values{"csrfmiddlewaretoken": {masked}}
	tests := []struct {
		name    string
		req     *http.Request
		trusted []string
		reason  string // "" = accepted
	}{
		{"SafeMethodsAreNotChecked", httptest.NewRequest(http.MethodGet, "http://example.com/form/", nil), nil, ""},
		{"PostWithoutCookieIsRefused", post(false, tok, "", nil), nil, ReasonNoCSRFCookie},
		{"PostWithoutTokenIsRefused", post(false, nil, goodSecret, nil), nil, ReasonCSRFTokenMissing},
		{"PostWithMaskedTokenIsAccepted", post(false, tok, goodSecret, nil), nil, ""},
		{"PostWithUnmaskedTokenIsAccepted", post(false, url.Values{"csrfmiddlewaretoken": {goodSecret}}, goodSecret, nil), nil, ""},
		{"PostWithWrongTokenIsRefused", post(false, url.Values{"csrfmiddlewaretoken": {csrf.Mask(csrf.NewSecret())}}, goodSecret, nil), nil, "CSRF token from POST incorrect."},
		{"PostTokenOfWrongLength", post(false, url.Values{"csrfmiddlewaretoken": {"short"}}, goodSecret, nil), nil, "CSRF token from POST has incorrect length."},
		{"PostTokenWithInvalidCharacters", post(false, url.Values{"csrfmiddlewaretoken": {strings.Repeat("-", 32)}}, goodSecret, nil), nil, "CSRF token from POST has invalid characters."},
		{"HeaderTokenIsAccepted", post(false, nil, goodSecret, map[string]string{"X-CSRFToken": masked}), nil, ""},
		{"HeaderTokenIncorrect", post(false, nil, goodSecret, map[string]string{"X-CSRFToken": csrf.NewSecret()}), nil, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."},
		{"MalformedCookieIsRefused", post(false, tok, "bad", nil), nil, "CSRF cookie has incorrect length."},
		{"MaskedCookieFromOldDjangoIsAccepted", post(false, tok, csrf.Mask(goodSecret), nil), nil, ""},
		{"SameOriginIsAccepted", post(false, tok, goodSecret, map[string]string{"Origin": "http://example.com"}), nil, ""},
		{"CrossOriginIsRefused", post(false, tok, goodSecret, map[string]string{"Origin": "http://evil.example"}), nil, "Origin checking failed - http://evil.example does not match any trusted origins."},
		{"OriginSchemeMustMatch", post(true, tok, goodSecret, map[string]string{"Origin": "http://example.com"}), nil, "Origin checking failed - http://example.com does not match any trusted origins."},
		{"NullOriginIsRefused", post(false, tok, goodSecret, map[string]string{"Origin": "null"}), nil, "Origin checking failed - null does not match any trusted origins."},
		{"TrustedOriginIsAccepted", post(false, tok, goodSecret, map[string]string{"Origin": "https://app.example.net", "Sec-Fetch-Site": "cross-site"}), []string{"https://app.example.net"}, ""},
		{"TrustedWildcardOriginIsAccepted", post(false, tok, goodSecret, map[string]string{"Origin": "https://a.b.example.net", "Sec-Fetch-Site": "cross-site"}), []string{"https://*.example.net"}, ""},
		{"WildcardNeedsTheSameScheme", post(false, tok, goodSecret, map[string]string{"Origin": "http://a.example.net"}), []string{"https://*.example.net"}, "Origin checking failed - http://a.example.net does not match any trusted origins."},
		{"HTTPSWithoutRefererIsRefused", post(true, tok, goodSecret, nil), nil, ReasonNoReferer},
		{"HTTPSWithMalformedReferer", post(true, tok, goodSecret, map[string]string{"Referer": "example.com/x"}), nil, ReasonMalformedReferer},
		{"HTTPSWithInsecureReferer", post(true, tok, goodSecret, map[string]string{"Referer": "http://example.com/x"}), nil, ReasonInsecureReferer},
		{"HTTPSWithForeignReferer", post(true, tok, goodSecret, map[string]string{"Referer": "https://evil.example/x"}), nil, "Referer checking failed - https://evil.example/x does not match any trusted origins."},
		{"HTTPSWithSameHostReferer", post(true, tok, goodSecret, map[string]string{"Referer": "https://example.com/form/"}), nil, ""},
		{"HTTPSWithTrustedReferer", post(true, tok, goodSecret, map[string]string{"Referer": "https://x.example.net/"}), []string{"https://*.example.net"}, ""},
		// Go's CrossOriginProtection: a browser says cross-site even
		// where the request has no Origin.
		{"SecFetchSiteCrossSiteIsRefused", post(false, tok, goodSecret, map[string]string{"Sec-Fetch-Site": "cross-site"}), nil, "Cross-origin request refused - cross-origin request detected from Sec-Fetch-Site header."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := settings.Default()
			s.CSRFTrustedOrigins = tc.trusted
			var reason string
			site := &Site{Settings: s, CSRFFailure: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reason = csrf.FailureReason(r)
				w.WriteHeader(http.StatusForbidden)
			})}
			h, calls := csrfStack(t, s)
			rec := httptest.NewRecorder()
			site.Middleware(h).ServeHTTP(rec, tc.req)
			if tc.reason == "" {
				if rec.Code != http.StatusOK || calls.Load() != 1 {
					t.Fatalf("refused (%d, reason %q); want the view to run", rec.Code, reason)
				}
				return
			}
			if rec.Code != http.StatusForbidden || calls.Load() != 0 || reason != tc.reason {
				t.Fatalf("status %d, view calls %d, reason %q; want 403, no call, %q", rec.Code, calls.Load(), reason, tc.reason)
			}
		})
	}
}

// get_token: the view's token makes the response set the csrftoken cookie
// and vary on Cookie; without a token, no cookie.
func TestCsrfCookieIsSetWithVaryCookieWhenATokenIsUsed(t *testing.T) {
	s := settings.Default()
	h, _ := csrfStack(t, s)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/form/", nil))
	res := rec.Result()
	var secret string
	for _, c := range res.Cookies() {
		if c.Name == "csrftoken" {
			secret = c.Value
			if c.MaxAge != 31449600 || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.HttpOnly || c.Secure {
				t.Errorf("cookie %+v; want Django's defaults (a year, /, Lax)", c)
			}
		}
	}
	if csrf.CheckFormat(secret) != nil || len(secret) != csrf.SecretLength {
		t.Fatalf("csrftoken cookie = %q; want a 32-character secret", secret)
	}
	if res.Header.Get("Vary") != "Cookie" {
		t.Fatalf("Vary = %q; want Cookie", res.Header.Get("Vary"))
	}
	token := strings.TrimPrefix(rec.Body.String(), "token=")
	if !csrf.Matches(token, secret) {
		t.Fatalf("the page's token %q does not carry the cookie's secret %q", token, secret)
	}

	// A page that asks for no token sets no cookie.
	c, _ := NewCSRF(s)
	rec = httptest.NewRecorder()
	c.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "plain") })).
		ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if len(rec.Result().Cookies()) != 0 || rec.Header().Get("Vary") != "" {
		t.Fatalf("a page without a token set %v, Vary %q", rec.Result().Cookies(), rec.Header().Get("Vary"))
	}
}

// Django's 403 page: "CSRF verification failed. Request aborted.", the
// cookie explanation for a missing cookie, the reason only with DEBUG.
func TestCsrfFailurePageIsDjangos(t *testing.T) {
	for _, debug := range []bool{false, true} {
		s := settings.Default()
		s.Debug = debug
		h, _ := csrfStack(t, s)
		rec := httptest.NewRecorder()
		(&Site{Settings: s}).Middleware(h).ServeHTTP(rec, post(false, nil, "", nil))
		body := rec.Body.String()
		if rec.Code != http.StatusForbidden || !strings.Contains(body, "<h1>Forbidden <span>(403)</span></h1>") ||
			!strings.Contains(body, "CSRF verification failed. Request aborted.") ||
			!strings.Contains(body, "this site requires a CSRF cookie when submitting forms") {
			t.Fatalf("debug=%v: %d %s", debug, rec.Code, body)
		}
		if got := strings.Contains(body, "CSRF cookie not set."); got != debug {
			t.Fatalf("debug=%v: reason shown = %v", debug, got)
		}
		if got := strings.Contains(body, "More information is available with DEBUG=True."); got == debug {
			t.Fatalf("debug=%v: 'More information' shown = %v", debug, got)
		}
	}
}
