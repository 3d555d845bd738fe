package settings

import (
	"net/url"
	"strings"
)

// Security holds the settings of Django's CSRF, security and clickjacking
// middleware, with Django 5.2's defaults (see defaultSecurity). It is
// embedded in Settings, so s.CSRFCookieName reads as Django's
// settings.CSRF_COOKIE_NAME.
type Security struct {
	CSRFCookieName     string   // CSRF_COOKIE_NAME, default "csrftoken"
	CSRFCookieAge      int      // CSRF_COOKIE_AGE in seconds, default 31449600 (a year); 0 = session cookie
	CSRFCookieDomain   string   // CSRF_COOKIE_DOMAIN, default "" (Django's None: the host only)
	CSRFCookiePath     string   // CSRF_COOKIE_PATH, default "/"
	CSRFCookieSecure   bool     // CSRF_COOKIE_SECURE, default false
	CSRFCookieHTTPOnly bool     // CSRF_COOKIE_HTTPONLY, default false
	CSRFCookieSameSite string   // CSRF_COOKIE_SAMESITE: "Lax" (default), "Strict", "None", or "" (false: no attribute)
	CSRFHeaderName     string   // CSRF_HEADER_NAME, default "HTTP_X_CSRFTOKEN" (the X-CSRFToken header)
	CSRFTrustedOrigins []string // CSRF_TRUSTED_ORIGINS, default []: "https://example.com", "https://*.example.com"

	SecureContentTypeNosniff      bool     // SECURE_CONTENT_TYPE_NOSNIFF, default true
	SecureCrossOriginOpenerPolicy string   // SECURE_CROSS_ORIGIN_OPENER_POLICY, default "same-origin"; "" = None
	SecureHSTSSeconds             int      // SECURE_HSTS_SECONDS, default 0 (no Strict-Transport-Security)
	SecureHSTSIncludeSubdomains   bool     // SECURE_HSTS_INCLUDE_SUBDOMAINS, default false
	SecureHSTSPreload             bool     // SECURE_HSTS_PRELOAD, default false
	SecureReferrerPolicy          []string // SECURE_REFERRER_POLICY, default ["same-origin"]; empty = None
	SecureSSLRedirect             bool     // SECURE_SSL_REDIRECT, default false
	SecureSSLHost                 string   // SECURE_SSL_HOST, default "" (None)
	SecureRedirectExempt          []string // SECURE_REDIRECT_EXEMPT: regular expressions on the path without its leading "/"
	// SecureProxySSLHeader is SECURE_PROXY_SSL_HEADER as [header, value],
	// e.g. ["HTTP_X_FORWARDED_PROTO", "https"]; nil by default (None).
	SecureProxySSLHeader []string

	XFrameOptions string // X_FRAME_OPTIONS, default "DENY"
}

// defaultSecurity returns Django 5.2's defaults of the Security settings.
func defaultSecurity() Security {
	return Security{
		CSRFCookieName:                "csrftoken",
		CSRFCookieAge:                 60 * 60 * 24 * 7 * 52,
		CSRFCookiePath:                "/",
		CSRFCookieSameSite:            "Lax",
		CSRFHeaderName:                "HTTP_X_CSRFTOKEN",
		CSRFTrustedOrigins:            []string{},
		SecureContentTypeNosniff:      true,
		SecureCrossOriginOpenerPolicy: "same-origin",
		SecureReferrerPolicy:          []string{"same-origin"},
		SecureRedirectExempt:          []string{},
		XFrameOptions:                 "DENY",
	}
}

// securityKeys are the top-level settings decoded by security.
var securityKeys = []string{
	"CSRF_COOKIE_NAME", "CSRF_COOKIE_AGE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH",
	"CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_HEADER_NAME",
	"CSRF_TRUSTED_ORIGINS",
	"SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "SECURE_HSTS_SECONDS",
	"SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_REFERRER_POLICY",
	"SECURE_SSL_REDIRECT", "SECURE_SSL_HOST", "SECURE_REDIRECT_EXEMPT", "SECURE_PROXY_SSL_HEADER",
	"X_FRAME_OPTIONS",
}

// security decodes one of securityKeys; it reports whether key was one.
func (d *decoder) security(key string, v any) bool {
	s := &d.s.Security
	switch key {
	case "CSRF_COOKIE_NAME":
		d.str(key, v, &s.CSRFCookieName)
	case "CSRF_COOKIE_AGE":
		if n, ok := d.integer(key, v, intRule{}); ok {
			s.CSRFCookieAge = n
		}
	case "CSRF_COOKIE_DOMAIN":
		if d.str(key, v, &s.CSRFCookieDomain) && isNone(s.CSRFCookieDomain) {
			s.CSRFCookieDomain = ""
		}
	case "CSRF_COOKIE_PATH":
		d.str(key, v, &s.CSRFCookiePath)
	case "CSRF_COOKIE_SECURE":
		d.boolean(key, v, &s.CSRFCookieSecure)
	case "CSRF_COOKIE_HTTPONLY":
		d.boolean(key, v, &s.CSRFCookieHTTPOnly)
	case "CSRF_COOKIE_SAMESITE":
		d.sameSite(key, v, &s.CSRFCookieSameSite)
	case "CSRF_HEADER_NAME":
		d.str(key, v, &s.CSRFHeaderName)
	case "CSRF_TRUSTED_ORIGINS":
		if d.strs(key, v, &s.CSRFTrustedOrigins) {
			d.trustedOrigins(key, s.CSRFTrustedOrigins)
		}
	case "SECURE_CONTENT_TYPE_NOSNIFF":
		d.boolean(key, v, &s.SecureContentTypeNosniff)
	case "SECURE_CROSS_ORIGIN_OPENER_POLICY":
		d.noneOrString(key, v, &s.SecureCrossOriginOpenerPolicy)
	case "SECURE_HSTS_SECONDS":
		if n, ok := d.integer(key, v, intRule{}); ok {
			s.SecureHSTSSeconds = n
		}
	case "SECURE_HSTS_INCLUDE_SUBDOMAINS":
		d.boolean(key, v, &s.SecureHSTSIncludeSubdomains)
	case "SECURE_HSTS_PRELOAD":
		d.boolean(key, v, &s.SecureHSTSPreload)
	case "SECURE_REFERRER_POLICY":
		d.referrerPolicy(key, v, &s.SecureReferrerPolicy)
	case "SECURE_SSL_REDIRECT":
		d.boolean(key, v, &s.SecureSSLRedirect)
	case "SECURE_SSL_HOST":
		d.noneOrString(key, v, &s.SecureSSLHost)
	case "SECURE_REDIRECT_EXEMPT":
		d.strs(key, v, &s.SecureRedirectExempt)
	case "SECURE_PROXY_SSL_HEADER":
		if d.strs(key, v, &s.SecureProxySSLHeader) && len(s.SecureProxySSLHeader) != 2 {
			d.errorf(key, "want [header, value], e.g. [\"HTTP_X_FORWARDED_PROTO\", \"https\"]")
		}
	case "X_FRAME_OPTIONS":
		d.str(key, v, &s.XFrameOptions)
	default:
		return false
	}
	return true
}

// isNone reports Django's None written as a string ("None"; TOML has no null).
func isNone(s string) bool { return s == "None" }

// noneOrString decodes a string setting whose None is written "None" or "".
func (d *decoder) noneOrString(key string, v any, dst *string) {
	if d.str(key, v, dst) && isNone(*dst) {
		*dst = ""
	}
}

// sameSite decodes a cookie's SameSite setting: "Lax", "Strict", "None"
// (the attribute's value None), or false (no attribute), as Django accepts.
func (d *decoder) sameSite(key string, v any, dst *string) {
	switch x := v.(type) {
	case bool:
		if x {
			d.errorf(key, `want "Lax", "Strict", "None" or false, got true`)
			return
		}
		*dst = ""
	case string:
		switch strings.ToLower(x) {
		case "lax", "strict", "none":
			*dst = x
		default:
			d.errorf(key, `samesite must be "lax", "none", or "strict".`)
		}
	default:
		d.errorf(key, `want "Lax", "Strict", "None" or false, got %s`, typeName(v))
	}
}

// referrerPolicy decodes SECURE_REFERRER_POLICY: a comma-separated string
// or a list of policies, or "None" for no header.
func (d *decoder) referrerPolicy(key string, v any, dst *[]string) {
	var parts []string
	switch x := v.(type) {
	case string:
		if isNone(x) {
			*dst = []string{}
			return
		}
		for _, p := range strings.Split(x, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
	case []any:
		if !d.strs(key, v, &parts) {
			return
		}
	default:
		d.errorf(key, "want a string or an array of strings, got %s", typeName(v))
		return
	}
	for _, p := range parts {
		if !containsString(referrerPolicies, p) {
			d.errorf(key, "You have set the SECURE_REFERRER_POLICY setting to an invalid value (%q). Valid values: %s", p, strings.Join(referrerPolicies, ", "))
			return
		}
	}
	*dst = parts
}

// referrerPolicies are the values Django's security.E023 accepts.
var referrerPolicies = []string{
	"no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
	"same-origin", "strict-origin", "strict-origin-when-cross-origin", "unsafe-url",
}

// trustedOrigins applies Django's check 4_0.E001: every origin starts with
// a scheme.
func (d *decoder) trustedOrigins(key string, origins []string) {
	for _, o := range origins {
		if u, err := url.Parse(o); err != nil || !strings.Contains(o, "://") || u.Scheme == "" {
			d.errorf(key, "As of Django 4.0, the values in the CSRF_TRUSTED_ORIGINS setting must start with a scheme (usually http:// or https://) but found %s. See the release notes for details.", o)
		}
	}
}
