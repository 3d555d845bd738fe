package middleware

// The Origin and Referer checks of Django's CsrfViewMiddleware against the
// request's host and CSRF_TRUSTED_ORIGINS. Nothing here touches the
// response.

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// trustedOrigins is CSRF_TRUSTED_ORIGINS read once, as Django's cached
// properties read it.
type trustedOrigins struct {
	exact      map[string]bool     // allowed_origins_exact
	subdomains map[string][]string // allowed_origin_subdomains: scheme -> ".example.com"
	hosts      []string            // csrf_trusted_origins_hosts, for the Referer check
}

func newTrustedOrigins(origins []string) trustedOrigins {
	t := trustedOrigins{exact: map[string]bool{}, subdomains: map[string][]string{}}
	for _, o := range origins {
		u, err := url.Parse(o)
		netloc := ""
		if err == nil {
			netloc = strings.TrimLeft(u.Host, "*")
		}
		t.hosts = append(t.hosts, netloc)
		if !isWildcardOrigin(o) {
			t.exact[o] = true
		} else if err == nil {
			t.subdomains[u.Scheme] = append(t.subdomains[u.Scheme], netloc)
		}
	}
	return t
}

// isWildcardOrigin reports a CSRF_TRUSTED_ORIGINS entry with a "*"
// ("https://*.example.com").
func isWildcardOrigin(o string) bool { return strings.Contains(o, "*") }

// matchesWildcard reports whether origin is trusted through a wildcard
// entry (Go's CrossOriginProtection knows exact origins only).
func (t trustedOrigins) matchesWildcard(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	for _, host := range t.subdomains[u.Scheme] {
		if isSameDomain(u.Host, host) {
			return true
		}
	}
	return false
}

// originVerified is Django's _origin_verified: the Origin header equals
// this site's scheme://host, or a trusted origin, exactly or as a
// subdomain of a wildcard entry.
func (c *CSRF) originVerified(r *http.Request, origin string) bool {
	if origin == scheme(c.s, r)+"://"+r.Host {
		return true
	}
	return c.origins.exact[origin] || c.origins.matchesWildcard(origin)
}

// checkReferer is Django's _check_referer, for HTTPS requests without an
// Origin header: "" if the Referer is an https URL of this host (or the
// cookie domain, or a trusted origin's host), else the reason.
func (c *CSRF) checkReferer(r *http.Request) string {
	values, ok := r.Header["Referer"]
	if !ok || len(values) == 0 {
		return ReasonNoReferer
	}
	ref, err := url.Parse(values[0])
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return ReasonMalformedReferer
	}
	if ref.Scheme != "https" {
		return ReasonInsecureReferer
	}
	for _, host := range c.origins.hosts {
		if isSameDomain(ref.Host, host) {
			return ""
		}
	}
	good := r.Host
	if c.s.CSRFCookieDomain != "" {
		good = c.s.CSRFCookieDomain
		if port := requestPort(c, r); port != "443" && port != "80" {
			good = good + ":" + port
		}
	}
	if !isSameDomain(ref.Host, good) {
		return fmt.Sprintf(ReasonBadReferer, values[0])
	}
	return ""
}

// requestPort is the port the request came to: the Host header's, or the
// scheme's default.
func requestPort(c *CSRF, r *http.Request) string {
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		return port
	}
	if isSecure(c.s, r) {
		return "443"
	}
	return "80"
}

// isSameDomain is Django's is_same_domain: pattern ".example.com" matches
// example.com and its subdomains, any other pattern only itself (compared
// lower-cased).
func isSameDomain(host, pattern string) bool {
	return allowedHostSameDomain(host, pattern)
}
