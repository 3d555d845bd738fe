package gotwin

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"gojango/framework/cache"
)

// The views of the Go twin; conformance/djangotwin/twin/views.py is the same
// in Python (its module comment describes the parameters and the body).

// counter counts the parameterised view's calls per case= value (or path).
type counter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *counter) next(r *http.Request, q url.Values) int {
	key := r.URL.Path
	if q.Has("case") {
		key = q.Get("case")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[key]++
	return c.calls[key]
}

// names splits a comma-separated list of header names, trimmed, empty ones
// dropped.
func names(value string) []string {
	var out []string
	for _, n := range strings.Split(value, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// requestValue is the request's value of header name as Django's META has
// it: repeated lines joined with ",", absent when there is none (a header
// sent as X_User is not X-User, as Django drops names with underscores).
func requestValue(r *http.Request, name string) (string, bool) {
	vals, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", false
	}
	return strings.Join(vals, ","), true
}

// echoed is the header names the body echoes: those in vary= (without *),
// then those in echo=, then Authorization unless cc= contains "public".
func echoed(q url.Values) []string {
	wanted := append(names(q.Get("vary")), names(q.Get("echo"))...)
	if !strings.Contains(strings.ToLower(q.Get("cc")), "public") {
		wanted = append(wanted, "Authorization")
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range wanted {
		if n == "*" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		out = append(out, n)
	}
	return out
}

// identity is a short token naming the requester: their Cookie and
// Authorization.
func identity(r *http.Request) string {
	cookie, _ := requestValue(r, "Cookie")
	auth, _ := requestValue(r, "Authorization")
	sum := md5.Sum([]byte(cookie + "|" + auth))
	return "s-" + hex.EncodeToString(sum[:])[:12]
}

func bodyLines(r *http.Request, q url.Values, calls int) []string {
	lines := []string{fmt.Sprintf("calls=%d\n", calls)}
	for _, n := range echoed(q) {
		if v, ok := requestValue(r, n); ok {
			lines = append(lines, strings.ToLower(n)+"="+v+"\n")
		} else {
			lines = append(lines, strings.ToLower(n)+"!\n")
		}
	}
	return lines
}

// paramView is the parameterised view (see twin/views.py).
func (c *counter) paramView(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	calls := c.next(r, q)
	status := http.StatusOK
	if s := q.Get("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			http.Error(w, "bad status: "+err.Error(), http.StatusBadRequest)
			return
		}
		status = n
	}
	lines := bodyLines(r, q, calls)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Calls", strconv.Itoa(calls))
	if q.Has("cc") {
		h.Set("Cache-Control", q.Get("cc"))
	}
	if q.Has("vary") {
		h.Set("Vary", q.Get("vary"))
	}
	if name := q.Get("setcookie"); name != "" {
		http.SetCookie(w, &http.Cookie{Name: name, Value: identity(r), Path: "/"})
	}
	w.WriteHeader(status)
	switch {
	case q.Get("stream") == "1":
		// Django's StreamingHttpResponse: each line goes out on its own.
		for _, l := range lines {
			_, _ = io.WriteString(w, l)
			_ = http.NewResponseController(w).Flush()
		}
	case status == http.StatusNotModified:
	default:
		_, _ = io.WriteString(w, strings.Join(lines, ""))
	}
}

// dispatch hands the request to variants[X-Twin-Cache] (default "600"): the
// same URL behind differently configured cache.Page wrappers (rules 83-85).
func dispatch(variants map[string]http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.Header.Get("X-Twin-Cache")
		if name == "" {
			name = "600"
		}
		v, ok := variants[name]
		if !ok {
			http.Error(w, "unknown X-Twin-Cache", http.StatusNotFound)
			return
		}
		v(w, r)
	}
}

// keys answers POST /_keys/?h=MD5&h=MD5: the live keys of the default cache
// that contain ".MD5" for one of the hashes, sorted, one a line.
func keys(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	store, err := cache.Default().Store()
	if err != nil {
		http.Error(w, "default cache: "+err.Error(), http.StatusInternalServerError)
		return
	}
	rec, ok := store.(*RecordingStore)
	if !ok {
		http.Error(w, fmt.Sprintf("default cache is %T, not the recording store", store), http.StatusInternalServerError)
		return
	}
	var wanted []string
	for _, h := range r.URL.Query()["h"] {
		wanted = append(wanted, "."+h)
	}
	live, err := rec.LiveKeys(r.Context(), func(k string) bool {
		for _, want := range wanted {
			if strings.Contains(k, want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		http.Error(w, "list keys: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Cache-Control", "no-store")
	for _, k := range live {
		_, _ = io.WriteString(w, k+"\n")
	}
}
