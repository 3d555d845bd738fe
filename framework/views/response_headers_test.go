package views

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// t=1468749600 is the instant Django's cache tests freeze time at.
var djangoNow = time.Unix(1468749600, 0)

func TestPatchResponseHeaders(t *testing.T) {
	tests := []struct {
		name        string
		initial     http.Header
		timeout     int
		wantExpires string
		wantCC      string
	}{
		{"sets Expires and max-age", http.Header{}, 2, "Sun, 17 Jul 2016 10:00:02 GMT", "max-age=2"},
		{"negative timeout counts as zero", http.Header{}, -1, "Sun, 17 Jul 2016 10:00:00 GMT", "max-age=0"},
		{"existing Expires kept", http.Header{"Expires": {"Thu, 01 Jan 1970 00:00:00 GMT"}}, 60, "Thu, 01 Jan 1970 00:00:00 GMT", "max-age=60"},
		{"empty Expires counts as present", http.Header{"Expires": {""}}, 60, "", "max-age=60"},
		{"smaller existing max-age wins", http.Header{"Cache-Control": {"private, max-age=10"}}, 60, "Sun, 17 Jul 2016 10:01:00 GMT", "private, max-age=10"},
		{"larger existing max-age lowered", http.Header{"Cache-Control": {"max-age=600"}}, 60, "Sun, 17 Jul 2016 10:01:00 GMT", "max-age=60"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.initial
			PatchResponseHeaders(h, tt.timeout, djangoNow)
			if got := h.Values("Expires"); len(got) != 1 || got[0] != tt.wantExpires {
				t.Errorf("Expires = %q, want [%q]", got, tt.wantExpires)
			}
			if got := h.Get("Cache-Control"); got != tt.wantCC {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCC)
			}
		})
	}
}

// http_date always writes GMT, whatever the location of now.
func TestPatchResponseHeadersExpiresInGMT(t *testing.T) {
	h := http.Header{}
	PatchResponseHeaders(h, 0, djangoNow.In(time.FixedZone("UTC+9", 9*3600)))
	if got, want := h.Get("Expires"), "Sun, 17 Jul 2016 10:00:00 GMT"; got != want {
		t.Errorf("Expires = %q, want %q", got, want)
	}
}

// Edge case 88: a 304 from the view still gets Cache-Control and Expires
// when the page cache patches it through OnWriteHeader (it is just not
// stored).
func TestPatchResponseHeadersOnNotModified(t *testing.T) {
	rec := httptest.NewRecorder()
	w, finish := OnWriteHeader(rec, func(status int, h http.Header) {
		if status != http.StatusNotModified {
			t.Errorf("hook status = %d, want 304", status)
		}
		PatchResponseHeaders(h, 3, djangoNow)
	})
	w.WriteHeader(http.StatusNotModified)
	finish()
	res := rec.Result()
	if res.StatusCode != http.StatusNotModified ||
		res.Header.Get("Cache-Control") != "max-age=3" ||
		res.Header.Get("Expires") != "Sun, 17 Jul 2016 10:00:03 GMT" {
		t.Errorf("status %d, Cache-Control %q, Expires %q", res.StatusCode,
			res.Header.Get("Cache-Control"), res.Header.Get("Expires"))
	}
}
