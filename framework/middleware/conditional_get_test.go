package middleware

import (
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func condGetMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// condGetView is a view producing status, headers and body; stream makes it
// flush after the first half of the body.
type condGetView struct {
	status  int
	headers map[string][]string
	body    string
	stream  bool
}

func (v condGetView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, vals := range v.headers {
		for _, val := range vals {
			w.Header().Add(k, val)
		}
	}
	if v.status != 0 {
		w.WriteHeader(v.status)
	}
	if v.stream {
		half := len(v.body) / 2
		_, _ = io.WriteString(w, v.body[:half])
		w.(http.Flusher).Flush()
		_, _ = io.WriteString(w, v.body[half:])
		return
	}
	_, _ = io.WriteString(w, v.body)
}

const (
	lastModified = "Sat, 12 Feb 2011 17:38:44 GMT"
	earlier      = "Sat, 12 Feb 2011 17:35:44 GMT"
	later        = "Sat, 12 Feb 2011 17:41:44 GMT"
)

// Django's ConditionalGetMiddlewareTest, plus the precondition order of
// get_conditional_response.
func TestConditionalGet(t *testing.T) {
	content := "content"
	etag := condGetMD5(content)
	tests := []struct {
		name       string
		method     string
		reqHeaders map[string]string
		view       condGetView
		wantStatus int
		wantBody   string
		wantETag   string // "" = no ETag header
		wantHeader map[string]string
		absent     []string
	}{
		// ETag generation.
		{name: "etag added", view: condGetView{body: content}, wantStatus: 200, wantBody: content, wantETag: etag,
			wantHeader: map[string]string{"Content-Length": "7"}},
		{name: "no etag for empty content", view: condGetView{}, wantStatus: 200, absent: []string{"Etag"}},
		{name: "no etag for streaming response", view: condGetView{body: content, stream: true}, wantStatus: 200, wantBody: content, absent: []string{"Etag", "Content-Length"}},
		{name: "no etag with no-store", view: condGetView{body: content, headers: map[string][]string{"Cache-Control": {"No-Cache, No-Store, Max-age=0"}}}, wantStatus: 200, wantBody: content, absent: []string{"Etag"}},
		{name: "no etag with no-store on a second line", view: condGetView{body: content, headers: map[string][]string{"Cache-Control": {"private", "no-store"}}}, wantStatus: 200, wantBody: content, absent: []string{"Etag"}},
		{name: "etag with extended cache-control", view: condGetView{body: content, headers: map[string][]string{"Cache-Control": {`my-directive="my-no-store"`}}}, wantStatus: 200, wantBody: content, wantETag: etag},
		{name: "existing etag kept", view: condGetView{body: content, headers: map[string][]string{"ETag": {`"eggs"`}}}, wantStatus: 200, wantBody: content, wantETag: `"eggs"`},
		{name: "etag on an error response too", view: condGetView{status: 404, body: content}, wantStatus: 404, wantBody: content, wantETag: etag},
		{name: "no etag for HEAD", method: http.MethodHead, view: condGetView{body: content}, wantStatus: 200, wantBody: content, absent: []string{"Etag"}},
		{name: "no etag for unsafe method", method: http.MethodPut, view: condGetView{body: content}, wantStatus: 200, wantBody: content, absent: []string{"Etag"}},

		// If-None-Match.
		{name: "if-none-match and no etag", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{}, wantStatus: 200},
		{name: "no if-none-match and etag", view: condGetView{headers: map[string][]string{"ETag": {`"eggs"`}}}, wantStatus: 200, wantETag: `"eggs"`},
		{name: "if-none-match and same etag", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 304, wantETag: `"spam"`},
		{name: "if-none-match and different etag", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"eggs"`}}}, wantStatus: 200, wantBody: content, wantETag: `"eggs"`},
		{name: "if-none-match and redirect", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{status: 301, headers: map[string][]string{"ETag": {`"spam"`}, "Location": {"/"}}}, wantStatus: 301, wantETag: `"spam"`},
		{name: "if-none-match and client error", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{status: 400, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 400, wantETag: `"spam"`},
		{name: "middleware calculates etag then 304", reqHeaders: map[string]string{"If-None-Match": etag}, view: condGetView{body: content}, wantStatus: 304, wantETag: etag},
		{name: "if-none-match weak comparison", reqHeaders: map[string]string{"If-None-Match": `W/"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 304, wantETag: `"spam"`},
		{name: "if-none-match weak etag on response", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`W/"spam"`}}}, wantStatus: 304, wantETag: `W/"spam"`},
		{name: "if-none-match list", reqHeaders: map[string]string{"If-None-Match": `"a", bogus, "spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 304, wantETag: `"spam"`},
		{name: "if-none-match star", reqHeaders: map[string]string{"If-None-Match": ` * `}, view: condGetView{body: content}, wantStatus: 304, wantETag: etag},
		{name: "if-none-match only invalid etags ignored", reqHeaders: map[string]string{"If-None-Match": `spam`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`spam`}}}, wantStatus: 200, wantBody: content, wantETag: `spam`},

		// If-Modified-Since.
		{name: "if-modified-since and no last-modified", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{}, wantStatus: 200},
		{name: "no if-modified-since and last-modified", view: condGetView{headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 200},
		{name: "if-modified-since and same last-modified", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 304},
		{name: "if-modified-since and last-modified in the past", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{headers: map[string][]string{"Last-Modified": {earlier}}}, wantStatus: 304},
		{name: "if-modified-since and last-modified in the future", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{headers: map[string][]string{"Last-Modified": {later}}}, wantStatus: 200},
		{name: "if-modified-since and redirect", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{status: 301, headers: map[string][]string{"Last-Modified": {earlier}, "Location": {"/"}}}, wantStatus: 301},
		{name: "if-modified-since and client error", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{status: 400, headers: map[string][]string{"Last-Modified": {earlier}}}, wantStatus: 400},
		{name: "if-modified-since invalid date ignored", reqHeaders: map[string]string{"If-Modified-Since": "yesterday"}, view: condGetView{headers: map[string][]string{"Last-Modified": {earlier}}}, wantStatus: 200},
		{name: "if-modified-since rfc850 date", reqHeaders: map[string]string{"If-Modified-Since": "Saturday, 12-Feb-11 17:38:44 GMT"}, view: condGetView{headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 304},
		{name: "if-modified-since asctime date", reqHeaders: map[string]string{"If-Modified-Since": "Sat Feb 12 17:38:44 2011"}, view: condGetView{headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 304},
		{name: "if-none-match beats if-modified-since", reqHeaders: map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": lastModified}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}, "Last-Modified": {earlier}}}, wantStatus: 200, wantBody: content, wantETag: `"spam"`},

		// If-Match and If-Unmodified-Since.
		{name: "if-match same etag", reqHeaders: map[string]string{"If-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 200, wantBody: content, wantETag: `"spam"`},
		{name: "if-match different etag", reqHeaders: map[string]string{"If-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"eggs"`}, "Vary": {"Cookie"}}}, wantStatus: 412, absent: []string{"Etag", "Vary"},
			wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8"}},
		{name: "if-match weak etag never matches", reqHeaders: map[string]string{"If-Match": `W/"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`W/"spam"`}}}, wantStatus: 412},
		{name: "if-match star and any etag", reqHeaders: map[string]string{"If-Match": `*`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`W/"spam"`}}}, wantStatus: 200, wantBody: content, wantETag: `W/"spam"`},
		{name: "if-match on computed etag", reqHeaders: map[string]string{"If-Match": etag}, view: condGetView{body: content}, wantStatus: 200, wantBody: content, wantETag: etag},
		{name: "if-match without etag", reqHeaders: map[string]string{"If-Match": `"spam"`}, view: condGetView{headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 412},
		{name: "if-unmodified-since and same last-modified", reqHeaders: map[string]string{"If-Unmodified-Since": lastModified}, view: condGetView{body: content, headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 200, wantBody: content, wantETag: etag},
		{name: "if-unmodified-since and modified later", reqHeaders: map[string]string{"If-Unmodified-Since": lastModified}, view: condGetView{body: content, headers: map[string][]string{"Last-Modified": {later}}}, wantStatus: 412},
		{name: "if-unmodified-since without last-modified", reqHeaders: map[string]string{"If-Unmodified-Since": lastModified}, view: condGetView{body: content}, wantStatus: 412},
		{name: "if-match beats if-unmodified-since", reqHeaders: map[string]string{"If-Match": `"spam"`, "If-Unmodified-Since": earlier}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}, "Last-Modified": {later}}}, wantStatus: 200, wantBody: content, wantETag: `"spam"`},
		{name: "if-match checked before if-none-match", reqHeaders: map[string]string{"If-Match": `"eggs"`, "If-None-Match": `"spam"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 412},

		// Streaming responses still get 304 from headers set before the flush.
		{name: "streaming with matching etag", reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{body: content, stream: true, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 304, wantETag: `"spam"`},
		{name: "streaming with if-modified-since", reqHeaders: map[string]string{"If-Modified-Since": lastModified}, view: condGetView{body: content, stream: true, headers: map[string][]string{"Last-Modified": {earlier}}}, wantStatus: 304},
		{name: "streaming unconditional", reqHeaders: map[string]string{"If-Modified-Since": earlier}, view: condGetView{body: content, stream: true, headers: map[string][]string{"Last-Modified": {lastModified}}}, wantStatus: 200, wantBody: content},

		// Unsafe and HEAD requests pass through untouched.
		{name: "unsafe method not evaluated", method: http.MethodPut, reqHeaders: map[string]string{"If-Match": `"other"`}, view: condGetView{body: content, headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 200, wantBody: content, wantETag: `"spam"`},
		{name: "head not evaluated", method: http.MethodHead, reqHeaders: map[string]string{"If-None-Match": `"spam"`}, view: condGetView{headers: map[string][]string{"ETag": {`"spam"`}}}, wantStatus: 200, wantETag: `"spam"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "/", nil)
			for k, v := range tt.reqHeaders {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			ConditionalGet(tt.view).ServeHTTP(rec, req)
			res := rec.Result()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if tt.wantETag != "" {
				if got := res.Header.Get("ETag"); got != tt.wantETag {
					t.Errorf("ETag = %q, want %q", got, tt.wantETag)
				}
			}
			for k, v := range tt.wantHeader {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.absent {
				if got := res.Header.Values(k); got != nil {
					t.Errorf("%s = %q, want absent", k, got)
				}
			}
		})
	}
}

// Django's test_not_modified_headers: the 304 keeps Date, Last-Modified,
// Expires, Vary, Cache-Control, Content-Location, ETag and cookies, and
// drops the rest.
func TestConditionalGetNotModifiedHeaders(t *testing.T) {
	keep := map[string]string{
		"Date":             "Sat, 12 Feb 2011 17:35:44 GMT",
		"Last-Modified":    "Sat, 12 Feb 2011 17:35:44 GMT",
		"Expires":          "Sun, 13 Feb 2011 17:35:44 GMT",
		"Vary":             "Cookie",
		"Cache-Control":    "public",
		"Content-Location": "/alt",
		"Etag":             `"spam"`,
	}
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range keep {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Language", "en")
		w.Header().Set("Content-Type", "text/html")
		http.SetCookie(w, &http.Cookie{Name: "key", Value: "value"})
		http.SetCookie(w, &http.Cookie{Name: "other", Value: "x"})
		_, _ = io.WriteString(w, "content")
	})
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Frame-Options", "DENY") // set before ConditionalGet runs
			next.ServeHTTP(w, r)
		})
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("If-None-Match", `"spam"`)
	rec := httptest.NewRecorder()
	outer(ConditionalGet(view)).ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("status = %d, want 304", res.StatusCode)
	}
	for k, v := range keep {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := res.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "key=value" || got[1] != "other=x" {
		t.Errorf("Set-Cookie = %q", got)
	}
	for _, k := range []string{"Content-Language", "Content-Type", "Content-Length"} {
		if got := res.Header.Values(k); got != nil {
			t.Errorf("%s = %q, want absent", k, got)
		}
	}
	if res.Header.Get("X-Frame-Options") != "DENY" {
		t.Error("header set by outer middleware before ConditionalGet was dropped")
	}
}

// A view writing a body for a status that forbids one gets net/http's
// error, as it would without the middleware.
func TestConditionalGetBodyNotAllowed(t *testing.T) {
	var writeErr error
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		_, writeErr = io.WriteString(w, "x")
	})
	rec := httptest.NewRecorder()
	ConditionalGet(view).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if writeErr != http.ErrBodyNotAllowed || rec.Code != http.StatusNoContent {
		t.Errorf("write error %v, status %d", writeErr, rec.Code)
	}
}

// Over a real server: ETag round trip, and a streaming view's chunks arrive
// while the view is still running.
func TestConditionalGetOverRealServer(t *testing.T) {
	flushed := make(chan struct{})
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "hello world")
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "first ")
		http.NewResponseController(w).Flush()
		close(flushed)
		<-release
		_, _ = io.WriteString(w, "second")
	})
	srv := httptest.NewServer(ConditionalGet(mux))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/page")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etag := res.Header.Get("ETag")
	if etag != condGetMD5("hello world") || res.ContentLength != int64(len("hello world")) {
		t.Fatalf("ETag %q, Content-Length %d", etag, res.ContentLength)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/page", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation status %d, want 304", res.StatusCode)
	}

	res, err = http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	<-flushed
	buf := make([]byte, len("first "))
	if _, err := io.ReadFull(res.Body, buf); err != nil || string(buf) != "first " {
		t.Fatalf("first chunk %q, %v", buf, err)
	}
	close(release)
	rest, _ := io.ReadAll(res.Body)
	if string(rest) != "second" || res.Header.Get("ETag") != "" {
		t.Errorf("rest %q, ETag %q", rest, res.Header.Get("ETag"))
	}
}

func TestConditionalGetParseHTTPDate(t *testing.T) {
	at := func(year int) time.Time { return time.Date(year, 11, 6, 8, 49, 37, 0, time.UTC) }
	want1994 := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC).Unix()
	tests := []struct {
		in   string
		now  time.Time
		want int64
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", at(2026), want1994},
		{"Sunday, 06-Nov-94 08:49:37 GMT", at(2026), want1994},
		{"Sun Nov  6 08:49:37 1994", at(2026), want1994},
		{"Sun Nov 06 08:49:37 1994", at(2026), want1994},
		{"sun, 06 NOV 1994 08:49:37 GMT", at(2026), want1994},
		// Django's test_parsing_rfc850 two-digit years.
		{"Tuesday, 31-Dec-69 08:49:37 GMT", at(2019), time.Date(2069, 12, 31, 8, 49, 37, 0, time.UTC).Unix()},
		{"Tuesday, 10-Nov-70 08:49:37 GMT", at(2019), time.Date(1970, 11, 10, 8, 49, 37, 0, time.UTC).Unix()},
		{"Sunday, 06-Nov-94 08:49:37 GMT", at(2019), want1994},
		{"Wednesday, 31-Dec-70 08:49:37 GMT", at(2020), time.Date(2070, 12, 31, 8, 49, 37, 0, time.UTC).Unix()},
		{"Friday, 31-Dec-71 08:49:37 GMT", at(2020), time.Date(1971, 12, 31, 8, 49, 37, 0, time.UTC).Unix()},
		{"Wednesday, 31-Dec-98 08:49:37 GMT", at(2048), time.Date(2098, 12, 31, 8, 49, 37, 0, time.UTC).Unix()},
		{"Thursday, 31-Dec-99 08:49:37 GMT", at(2048), time.Date(1999, 12, 31, 8, 49, 37, 0, time.UTC).Unix()},
		// Invalid.
		{"", at(2026), 0},
		{"yesterday", at(2026), 0},
		{"Sun, 31 Feb 1994 08:49:37 GMT", at(2026), 0},
		{"Sun, 06 Nov 1994 24:00:00 GMT", at(2026), 0},
		{"Sun, 06 Foo 1994 08:49:37 GMT", at(2026), 0},
		{"Sun, 06 Nov 1994 08:49:37 UTC", at(2026), 0},
		{"Sun, 06 Nov 0000 08:49:37 GMT", at(2026), time.Date(2000, 11, 6, 8, 49, 37, 0, time.UTC).Unix()},
		{"Thu, 01 Jan 1970 00:00:00 GMT", at(2026), 0}, // epoch: 0, falsy as in Django
	}
	for _, tt := range tests {
		if got := condGetParseHTTPDate(tt.in, tt.now); got != tt.want {
			t.Errorf("parse(%q) at %d = %d, want %d", tt.in, tt.now.Year(), got, tt.want)
		}
	}
}

func TestConditionalGetParseETags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"*", []string{"*"}},
		{"  *  ", []string{"*"}},
		{`"a", *`, []string{`"a"`}},
		{`"etag", "e\"t\"ag", W/"weak", unquoted, "a,b"`, []string{`"etag"`, `W/"weak"`}},
		{`W/"x"`, []string{`W/"x"`}},
		{`w/"x"`, nil},
	}
	for _, tt := range tests {
		got := condGetParseETags(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("parse(%q) = %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parse(%q) = %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}
