package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// allowedHostRE is Django's host_validation_re: a lower-cased domain name or
// bracketed IPv6 literal, then an optional numeric port.
var allowedHostRE = regexp.MustCompile(`^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$`)

// allowedHostsDebugDefault is what an empty ALLOWED_HOSTS means when DEBUG
// is on: variants of localhost.
func allowedHostsDebugDefault() []string {
	return []string{".localhost", "127.0.0.1", "[::1]"}
}

// SplitDomainPort splits a Host header value into its lower-cased domain
// and its port, as Django's split_domain_port does. One trailing dot is
// removed from the domain ("example.com." is "example.com"). A host that is
// not a valid domain or bracketed IPv6 literal with an optional numeric
// port gives an empty domain and port.
func SplitDomainPort(host string) (domain, port string) {
	m := allowedHostRE.FindStringSubmatch(strings.ToLower(host))
	if m == nil {
		return "", ""
	}
	return strings.TrimSuffix(m[1], "."), m[2]
}

// ValidateHost reports whether host, already lower-cased and without its
// port (see SplitDomainPort), matches one of the allowed patterns, as
// Django's validate_host does: "*" matches anything, a pattern starting
// with "." matches that domain and all its subdomains (".example.com"
// matches "example.com" and "www.example.com"), and any other pattern must
// match exactly (patterns are compared lower-cased).
func ValidateHost(host string, allowed []string) bool {
	for _, pattern := range allowed {
		if pattern == "*" || allowedHostSameDomain(host, pattern) {
			return true
		}
	}
	return false
}

// allowedHostSameDomain is Django's is_same_domain.
func allowedHostSameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	if pattern[0] == '.' && (strings.HasSuffix(host, pattern) || host == pattern[1:]) {
		return true
	}
	return pattern == host
}

// AllowedHosts rejects requests whose Host header does not name this site,
// as Django's ALLOWED_HOSTS check (HttpRequest.get_host) does: the host is
// lower-cased, its port and one trailing dot dropped, and its domain
// matched against hosts with ValidateHost. When debug is true and hosts is
// empty, the list is [".localhost", "127.0.0.1", "[::1]"]. A request with a
// malformed or disallowed host never reaches next: it gets 400 Bad Request
// with the body "Bad Request (400)", and the rejection is logged at error
// level on slog.Default() ("Invalid HTTP_HOST header: ...", as Django's
// django.security.DisallowedHost logger does).
func AllowedHosts(hosts []string, debug bool) func(http.Handler) http.Handler {
	return AllowedHostsWithLogger(hosts, debug, nil)
}

// AllowedHostsWithLogger is AllowedHosts logging rejections on logger
// (nil means slog.Default() at the time of each rejection).
func AllowedHostsWithLogger(hosts []string, debug bool, logger *slog.Logger) func(http.Handler) http.Handler {
	allowed := append([]string(nil), hosts...)
	if debug && len(allowed) == 0 {
		allowed = allowedHostsDebugDefault()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			host := r.Host
			domain, _ := SplitDomainPort(host)
			if domain != "" && ValidateHost(domain, allowed) {
				next.ServeHTTP(w, r)
				return
			}
			l := logger
			if l == nil {
				l = slog.Default()
			}
			l.LogAttrs(r.Context(), slog.LevelError, allowedHostMessage(host, domain),
				slog.String("logger", "django.security.DisallowedHost"),
				slog.Int("status_code", http.StatusBadRequest),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
			)
			allowedHostBadRequest(w)
		})
	}
}

// allowedHostMessage is the text of Django's DisallowedHost for host.
func allowedHostMessage(host, domain string) string {
	msg := fmt.Sprintf("Invalid HTTP_HOST header: %s.", allowedHostRepr(host))
	if domain != "" {
		return msg + fmt.Sprintf(" You may need to add %s to ALLOWED_HOSTS.", allowedHostRepr(domain))
	}
	return msg + " The domain name provided is not valid according to RFC 1034/1035."
}

// allowedHostBadRequest writes Django's bare 400 response.
func allowedHostBadRequest(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("Bad Request (400)"))
}

// allowedHostRepr quotes s the way Python's repr() quotes a str (Django's
// messages use %r), escaping anything unprintable so a hostile Host header
// cannot forge log lines.
func allowedHostRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < utf8.RuneSelf || unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	b.WriteByte(quote)
	return b.String()
}
