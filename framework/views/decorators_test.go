package views

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The ways a view can produce its response; decorators must patch headers
// before any of them sends the status line.
var viewShapes = []struct {
	name       string
	view       http.HandlerFunc
	wantStatus int
	wantBody   string
}{
	{"writes body", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "body")
	}, http.StatusOK, "body"},
	{"writes header then body", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "body")
	}, http.StatusCreated, "body"},
	{"writes nothing", func(w http.ResponseWriter, r *http.Request) {}, http.StatusOK, ""},
	{"sends 304", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}, http.StatusNotModified, ""},
	{"flushes", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "bo")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, "dy")
	}, http.StatusOK, "body"},
}

// serve runs view and returns the response as the client saw it (headers
// snapshotted when the status line was written).
func serve(t *testing.T, view http.HandlerFunc) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	view(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestVaryOnHeaders(t *testing.T) {
	for _, shape := range viewShapes {
		t.Run(shape.name, func(t *testing.T) {
			view := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Accept-Encoding")
				shape.view(w, r)
			}
			res, body := serve(t, VaryOnHeaders(view, "Accept-Language", "accept-encoding", "X-Pony"))
			if got, want := res.Header.Get("Vary"), "Accept-Encoding, Accept-Language, X-Pony"; got != want {
				t.Errorf("Vary = %q, want %q", got, want)
			}
			if res.StatusCode != shape.wantStatus || body != shape.wantBody {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, shape.wantStatus, shape.wantBody)
			}
		})
	}
}

func TestVaryOnCookie(t *testing.T) {
	res, _ := serve(t, VaryOnCookie(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "x")
	}))
	if got := res.Header.Get("Vary"); got != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", got)
	}
}

func TestCacheControl(t *testing.T) {
	for _, shape := range viewShapes {
		t.Run(shape.name, func(t *testing.T) {
			view := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "public, max-age=600")
				shape.view(w, r)
			}
			res, body := serve(t, CacheControl(view, Private, MaxAge(30), MustRevalidate))
			if got, want := res.Header.Get("Cache-Control"), "max-age=30, private, must-revalidate"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
			if res.StatusCode != shape.wantStatus || body != shape.wantBody {
				t.Errorf("got %d %q, want %d %q", res.StatusCode, body, shape.wantStatus, shape.wantBody)
			}
		})
	}
}

// Stacked decorators apply inside out, like Python's: the one nearest the
// view patches first.
func TestDecoratorsStackInsideOut(t *testing.T) {
	view := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") }
	// @cache_control(max_age=60) over @never_cache: never_cache's max-age=0
	// wins (the smaller one), and public is not re-added over private.
	res, _ := serve(t, CacheControl(NeverCache(view), MaxAge(60)))
	if got, want := res.Header.Get("Cache-Control"), "max-age=0, no-cache, no-store, must-revalidate, private"; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	// @vary_on_headers("A") over @vary_on_headers("B"): B first.
	res, _ = serve(t, VaryOnHeaders(VaryOnHeaders(view, "B"), "A"))
	if got, want := res.Header.Get("Vary"), "B, A"; got != want {
		t.Errorf("Vary = %q, want %q", got, want)
	}
}

// A decorator copies its arguments: changing the caller's slice later does
// not change the decorated view.
func TestDecoratorArgumentsCopied(t *testing.T) {
	headers := []string{"A"}
	directives := []Directive{Private}
	view := CacheControl(VaryOnHeaders(func(w http.ResponseWriter, r *http.Request) {}, headers...), directives...)
	headers[0], directives[0] = "B", Public
	res, _ := serve(t, view)
	if res.Header.Get("Vary") != "A" || res.Header.Get("Cache-Control") != "private" {
		t.Errorf("Vary %q, Cache-Control %q", res.Header.Get("Vary"), res.Header.Get("Cache-Control"))
	}
}

// Through a real server, the patched headers reach the client even when the
// view flushes early.
func TestDecoratorsOverRealServer(t *testing.T) {
	view := CacheControl(VaryOnCookie(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "part1 ")
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, "part2")
	}), Private)
	srv := httptest.NewServer(view)
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if string(body) != "part1 part2" {
		t.Errorf("body = %q", body)
	}
	if res.Header.Get("Vary") != "Cookie" || res.Header.Get("Cache-Control") != "private" {
		t.Errorf("Vary %q, Cache-Control %q", res.Header.Get("Vary"), res.Header.Get("Cache-Control"))
	}
}

// Edge case 86: the page cache skips responses whose Cache-Control
// contains private, no-cache or no-store (a substring test); the
// decorators put those tokens in the header it reads.
func TestCacheControlTokensSeenByPageCache(t *testing.T) {
	view := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") }
	for d, token := range map[Directive]string{
		Private: "private", NoCache: "no-cache", NoStore: "no-store", NoCacheFields("Set-Cookie"): "no-cache",
	} {
		res, _ := serve(t, CacheControl(view, d))
		cc := res.Header.Get("Cache-Control")
		if !strings.Contains(cc, token) {
			t.Errorf("CacheControl(%q): Cache-Control %q", d, cc)
		}
	}
}

// Edge case 87: VaryOnCookie makes HasVaryHeader(Cookie) true, which is
// what the page cache checks before refusing to store a cookie-setting
// response for a cookie-less request.
func TestVaryOnCookieSeenByPageCache(t *testing.T) {
	res, _ := serve(t, VaryOnCookie(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept-Encoding")
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: "x"})
	}))
	if !HasVaryHeader(res.Header, "cookie") || res.Header.Get("Set-Cookie") == "" {
		t.Errorf("Vary %q, Set-Cookie %q", res.Header.Get("Vary"), res.Header.Get("Set-Cookie"))
	}
}
