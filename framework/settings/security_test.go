package settings

import (
	"reflect"
	"strings"
	"testing"
)

// The CSRF_*, SECURE_* and X_FRAME_OPTIONS settings: Django's defaults,
// and each spelling TOML allows.
func TestSecuritySettings(t *testing.T) {
	s, err := Parse("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Security, defaultSecurity()) || s.CSRFCookieName != "csrftoken" || s.CSRFCookieAge != 31449600 || s.XFrameOptions != "DENY" {
		t.Fatalf("defaults = %+v", s.Security)
	}
	s, err = Parse("", []byte(`
CSRF_COOKIE_SAMESITE = false
CSRF_COOKIE_DOMAIN = "None"
CSRF_TRUSTED_ORIGINS = ["https://*.example.com"]
SECURE_REFERRER_POLICY = "no-referrer, origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "None"
SECURE_HSTS_SECONDS = 60
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.CSRFCookieSameSite != "" || s.CSRFCookieDomain != "" || s.SecureCrossOriginOpenerPolicy != "" || s.SecureHSTSSeconds != 60 ||
		!reflect.DeepEqual(s.SecureReferrerPolicy, []string{"no-referrer", "origin"}) {
		t.Fatalf("parsed %+v", s.Security)
	}
	for src, want := range map[string]string{
		`CSRF_TRUSTED_ORIGINS = ["example.com"]`: "must start with a scheme",
		`CSRF_COOKIE_SAMESITE = "loose"`:         `samesite must be "lax", "none", or "strict".`,
		`SECURE_REFERRER_POLICY = "nope"`:        "invalid value",
		`CSRF_COOKIE_NAM = "x"`:                  "did you mean CSRF_COOKIE_NAME?",
	} {
		if _, err := Parse("settings.toml", []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", src, err, want)
		}
	}
}
