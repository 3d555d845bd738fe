package middleware

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gojango/framework/settings"
)

// Django's SecurityMiddleware and XFrameOptionsMiddleware, one setting a
// row, with Django's defaults as the first row.
func TestSecurityMiddlewareFollowsDjangosSettings(t *testing.T) {
	tests := []struct {
		name   string
		set    func(s *settings.Settings)
		secure bool
		want   map[string]string // "" = header absent
	}{
		{"Defaults", func(*settings.Settings) {}, false, map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin",
			"X-Frame-Options": "DENY", "Strict-Transport-Security": ""}},
		{"HSTSOnlyOnHTTPS", func(s *settings.Settings) { s.SecureHSTSSeconds = 3600 }, false, map[string]string{"Strict-Transport-Security": ""}},
		{"HSTSWithSubdomainsAndPreload", func(s *settings.Settings) {
			s.SecureHSTSSeconds, s.SecureHSTSIncludeSubdomains, s.SecureHSTSPreload = 3600, true, true
		}, true, map[string]string{"Strict-Transport-Security": "max-age=3600; includeSubDomains; preload"}},
		{"NosniffOff", func(s *settings.Settings) { s.SecureContentTypeNosniff = false }, false, map[string]string{"X-Content-Type-Options": ""}},
		{"ReferrerPolicyList", func(s *settings.Settings) { s.SecureReferrerPolicy = []string{"no-referrer", "strict-origin"} }, false, map[string]string{"Referrer-Policy": "no-referrer,strict-origin"}},
		{"ReferrerPolicyNone", func(s *settings.Settings) { s.SecureReferrerPolicy = nil }, false, map[string]string{"Referrer-Policy": ""}},
		{"XFrameOptionsSameOrigin", func(s *settings.Settings) { s.XFrameOptions = "sameorigin" }, false, map[string]string{"X-Frame-Options": "SAMEORIGIN"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := settings.Default()
			tc.set(s)
			sec, err := NewSecurity(s)
			if err != nil {
				t.Fatal(err)
			}
			h := sec(NewXFrameOptions(s)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })))
			r := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
			if tc.secure {
				r.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range tc.want {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q; want %q", k, got, v)
				}
			}
		})
	}
}

// SECURE_SSL_REDIRECT: 301 to https, except SECURE_REDIRECT_EXEMPT paths;
// SECURE_PROXY_SSL_HEADER makes a proxied request secure.
func TestSSLRedirect(t *testing.T) {
	s := settings.Default()
	s.SecureSSLRedirect = true
	s.SecureRedirectExempt = []string{`^health/`}
	s.SecureProxySSLHeader = []string{"HTTP_X_FORWARDED_PROTO", "https"}
	sec, err := NewSecurity(s)
	if err != nil {
		t.Fatal(err)
	}
	h := sec(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	for _, tc := range []struct {
		path, proto string
		code        int
		loc         string
	}{
		{"/a/?x=1", "", http.StatusMovedPermanently, "https://example.com/a/?x=1"},
		{"/health/", "", http.StatusOK, ""},
		{"/a/", "https", http.StatusOK, ""},
	} {
		r := httptest.NewRequest(http.MethodGet, "http://example.com"+tc.path, nil)
		if tc.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tc.code || rec.Header().Get("Location") != tc.loc {
			t.Errorf("%s (proto %q): %d %q; want %d %q", tc.path, tc.proto, rec.Code, rec.Header().Get("Location"), tc.code, tc.loc)
		}
	}
}

// The technical 500 page masks settings, headers and cookies whose names
// match Django's hidden_settings.
func TestTechnical500MasksSecretsAsDjangoDoes(t *testing.T) {
	s := settings.Default()
	s.Debug = true
	s.SecretKey = "super-secret-value"
	s.Databases["default"] = settings.Database{Engine: "sqlite3", Name: "x", Password: "hunter2"}
	r := httptest.NewRequest(http.MethodGet, "http://example.com/boom/?q=1", nil)
	r.Header.Set("Authorization", "Bearer abc")
	r.Header.Set("Cookie", "csrftoken=tok123; user=ann")
	body := string(technical500(r, &Site{Settings: s}, &PanicError{Value: "boom", Stack: []byte("goroutine 1")}))
	for _, secret := range []string{"super-secret-value", "hunter2", "Bearer abc", "tok123"} {
		if strings.Contains(body, secret) {
			t.Errorf("the page shows %q", secret)
		}
	}
	for _, shown := range []string{"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_COOKIE_NAME", "USE_I18N", "&#34;PASSWORD&#34;: ********************", "ann", "goroutine 1", "<title>panic(string) at /boom/</title>"} {
		if !strings.Contains(body, shown) {
			t.Errorf("the page lacks %q", shown)
		}
	}
}
