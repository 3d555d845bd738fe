package middleware

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Django's test_split_domain_port table, plus upper case and poisoning.
func TestSplitDomainPort(t *testing.T) {
	tests := []struct {
		host, domain, port string
	}{
		{"<invalid>", "", ""},
		{"<invalid>:8080", "", ""},
		{"example.com 8080", "", ""},
		{"example.com:invalid", "", ""},
		{"[::1]", "[::1]", ""},
		{"[::1]:8080", "[::1]", "8080"},
		{"[::ffff:127.0.0.1]", "[::ffff:127.0.0.1]", ""},
		{"[::ffff:127.0.0.1]:8080", "[::ffff:127.0.0.1]", "8080"},
		{"[1851:0000:3238:DEF1:0177:0000:0000:0125]", "[1851:0000:3238:def1:0177:0000:0000:0125]", ""},
		{"[1851:0000:3238:DEF1:0177:0000:0000:0125]:8080", "[1851:0000:3238:def1:0177:0000:0000:0125]", "8080"},
		{"127.0.0.1", "127.0.0.1", ""},
		{"127.0.0.1:8080", "127.0.0.1", "8080"},
		{"example.com", "example.com", ""},
		{"example.com:8080", "example.com", "8080"},
		{"example.com.", "example.com", ""},
		{"example.com.:8080", "example.com", "8080"},
		{"xn--n28h.test", "xn--n28h.test", ""},
		{"xn--n28h.test:8080", "xn--n28h.test", "8080"},
		{"subdomain.example.com", "subdomain.example.com", ""},
		{"subdomain.example.com:8080", "subdomain.example.com", "8080"},
		// Port-specific additions.
		{"EXAMPLE.Com:80", "example.com", "80"},
		{"example.com..", "example.com.", ""},
		{"", "", ""},
		{"::1", "", ""},
		{"[::1", "", ""},
		{"[g::1]", "", ""},
		{"example.com:", "", ""},
		{"example.com:80:80", "", ""},
		{"evil.com@good.com", "", ""},
		{"good.com:80@evil", "", ""},
		{"good.com\n", "", ""},
		{"good.com\nevil.com", "", ""},
		{"invalid_hostname.com", "", ""},
		{"exämple.com", "", ""},
	}
	for _, tt := range tests {
		domain, port := SplitDomainPort(tt.host)
		if domain != tt.domain || port != tt.port {
			t.Errorf("SplitDomainPort(%q) = %q, %q; want %q, %q", tt.host, domain, port, tt.domain, tt.port)
		}
	}
}

func TestValidateHost(t *testing.T) {
	allowed := []string{"example.com", ".multitenant.com", "INSENSITIVE.com", "[::1]", "12.34.56.78", ""}
	tests := []struct {
		host string
		want bool
	}{
		{"example.com", true},
		{"www.example.com", false},
		{"multitenant.com", true},
		{"anything.multitenant.com", true},
		{"a.b.multitenant.com", true},
		{"evilmultitenant.com", false},
		{"multitenant.com.evil", false},
		{"insensitive.com", true},
		{"[::1]", true},
		{"12.34.56.78", true},
		{"12.34.56.7", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidateHost(tt.host, allowed); got != tt.want {
			t.Errorf("ValidateHost(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	if !ValidateHost("anything.at.all", []string{"*"}) {
		t.Error(`"*" does not match everything`)
	}
	if ValidateHost("example.com", nil) {
		t.Error("an empty list matches")
	}
}

// allowedHostsServe runs one request with the given Host through
// AllowedHosts and reports what happened.
func allowedHostsServe(t *testing.T, hosts []string, debug bool, host string) (reached bool, res *http.Response, body, logged string) {
	t.Helper()
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, nil))
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		_, _ = io.WriteString(w, "ok")
	})
	req := httptest.NewRequest(http.MethodGet, "/path/", nil)
	req.Host = host
	rec := httptest.NewRecorder()
	AllowedHostsWithLogger(hosts, debug, logger)(next).ServeHTTP(rec, req)
	res = rec.Result()
	b, _ := io.ReadAll(res.Body)
	return reached, res, string(b), logBuf.String()
}

var djangoPoisonedHosts = []string{
	"example.com@evil.tld",
	"example.com:dr.frankenstein@evil.tld",
	"example.com:dr.frankenstein@evil.tld:80",
	"example.com:80/badpath",
	"example.com: recovermypassword.com",
}

// Django's test_http_get_host: legit hosts pass, poisoned ones get 400.
func TestAllowedHostsGetHost(t *testing.T) {
	allowed := []string{
		"forward.com", "example.com", "internal.com", "12.34.56.78",
		"[2001:19f0:feee::dead:beef:cafe]", "xn--4ca9at.com", ".multitenant.com",
		"INSENSITIVE.com", "[::ffff:169.254.169.254]",
	}
	legit := []string{
		"example.com", "example.com:80", "12.34.56.78", "12.34.56.78:443",
		"[2001:19f0:feee::dead:beef:cafe]", "[2001:19f0:feee::dead:beef:cafe]:8080",
		"xn--4ca9at.com", "anything.multitenant.com", "multitenant.com", "insensitive.com",
		"example.com.", "example.com.:80", "[::ffff:169.254.169.254]",
		"EXAMPLE.COM", "Anything.MultiTenant.com:8000",
	}
	for _, host := range legit {
		reached, res, body, logged := allowedHostsServe(t, allowed, false, host)
		if !reached || res.StatusCode != http.StatusOK || body != "ok" || logged != "" {
			t.Errorf("legit host %q: reached %v, status %d, log %q", host, reached, res.StatusCode, logged)
		}
	}
	poisoned := append([]string{
		"other.com", "example.com..", "evil.com@example.com", "example.com:80@evil",
		"example.com evil.com", " example.com", "example.com\r\nX-Injected: 1", "",
		"www.example.com", "evilmultitenant.com", "[::1]",
	}, djangoPoisonedHosts...)
	for _, host := range poisoned {
		reached, res, body, logged := allowedHostsServe(t, allowed, false, host)
		if reached || res.StatusCode != http.StatusBadRequest || body != "Bad Request (400)" {
			t.Errorf("poisoned host %q: reached %v, status %d, body %q", host, reached, res.StatusCode, body)
		}
		if !strings.Contains(logged, "Invalid HTTP_HOST header") || !strings.Contains(logged, "level=ERROR") {
			t.Errorf("poisoned host %q: log %q", host, logged)
		}
	}
}

// Django's test_host_validation_in_debug_mode: DEBUG with an empty
// ALLOWED_HOSTS allows variants of localhost only.
func TestAllowedHostsDebugLocalhostDefault(t *testing.T) {
	for _, host := range []string{"localhost", "subdomain.localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000"} {
		if reached, _, _, _ := allowedHostsServe(t, nil, true, host); !reached {
			t.Errorf("debug: %q rejected", host)
		}
	}
	for _, host := range []string{"example.com", "localhost.example.com", "127.0.0.2", "[::2]"} {
		if reached, _, _, _ := allowedHostsServe(t, nil, true, host); reached {
			t.Errorf("debug: %q allowed", host)
		}
	}
	// Without DEBUG an empty list allows nothing; with DEBUG a non-empty
	// list is used as given.
	if reached, _, _, _ := allowedHostsServe(t, nil, false, "localhost"); reached {
		t.Error("empty list without debug allowed localhost")
	}
	if reached, _, _, _ := allowedHostsServe(t, []string{"example.com"}, true, "localhost"); reached {
		t.Error("debug replaced a non-empty list")
	}
}

// Django's test_get_host_suggestion_of_allowed_host: the logged message.
func TestAllowedHostsLogMessage(t *testing.T) {
	tests := []struct {
		host string
		want string
	}{
		{"example.com", `Invalid HTTP_HOST header: 'example.com'. You may need to add 'example.com' to ALLOWED_HOSTS.`},
		{"[2001:19f0:feee::dead:beef:cafe]:8080", `Invalid HTTP_HOST header: '[2001:19f0:feee::dead:beef:cafe]:8080'. You may need to add '[2001:19f0:feee::dead:beef:cafe]' to ALLOWED_HOSTS.`},
		{"Example.COM.:80", `Invalid HTTP_HOST header: 'Example.COM.:80'. You may need to add 'example.com' to ALLOWED_HOSTS.`},
		{"invalid_hostname.com", `Invalid HTTP_HOST header: 'invalid_hostname.com'. The domain name provided is not valid according to RFC 1034/1035.`},
		{"example.com@evil.tld", `Invalid HTTP_HOST header: 'example.com@evil.tld'. The domain name provided is not valid according to RFC 1034/1035.`},
		{"a'b\nc\\", `Invalid HTTP_HOST header: "a'b\nc\\". The domain name provided is not valid according to RFC 1034/1035.`},
		{"\x00\xff\u00e9", `Invalid HTTP_HOST header: '\x00\xffé'. The domain name provided is not valid according to RFC 1034/1035.`},
	}
	for _, tt := range tests {
		var logBuf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&logBuf, nil))
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = tt.host
		AllowedHostsWithLogger(nil, false, logger)(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), req)
		if got := allowedHostsDecodeMsg(t, logBuf.String()); got != tt.want {
			t.Errorf("host %q logged\n%s\nwant\n%s", tt.host, got, tt.want)
		}
	}
}

func allowedHostsDecodeMsg(t *testing.T, line string) string {
	t.Helper()
	var rec struct{ Msg string }
	if err := json.Unmarshal([]byte(line), &rec); err != nil {
		t.Fatalf("log line %q: %v", line, err)
	}
	return rec.Msg
}

// AllowedHosts copies its list: later changes by the caller have no effect.
func TestAllowedHostsCopiesList(t *testing.T) {
	hosts := []string{"example.com"}
	mw := AllowedHostsWithLogger(hosts, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hosts[0] = "evil.com"
	reached := false
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "example.com"
	mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(httptest.NewRecorder(), req)
	if !reached {
		t.Error("list changed after construction")
	}
}

// Over a real server and client: a forged Host header gets 400.
func TestAllowedHostsOverRealServer(t *testing.T) {
	srv := httptest.NewServer(AllowedHostsWithLogger([]string{"good.example"}, false,
		slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})))
	defer srv.Close()
	for host, want := range map[string]int{"good.example": 200, "GOOD.example:1234": 200, "evil.example": 400} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, res.StatusCode, want)
		}
	}
}

// AllowedHosts is AllowedHostsWithLogger on slog.Default().
func TestAllowedHostsDefaultLogger(t *testing.T) {
	reached := false
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "Example.com:8000"
	AllowedHosts([]string{".example.com"}, false)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		reached = true
	})).ServeHTTP(httptest.NewRecorder(), req)
	if !reached {
		t.Error("allowed host rejected")
	}
}
