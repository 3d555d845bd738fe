package views

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAddNeverCacheHeaders(t *testing.T) {
	tests := []struct {
		name        string
		initial     http.Header
		wantCC      string
		wantExpires string
	}{
		{"plain response", http.Header{},
			"max-age=0, no-cache, no-store, must-revalidate, private", "Sun, 17 Jul 2016 10:00:00 GMT"},
		{"public replaced by private", http.Header{"Cache-Control": {"public, max-age=300"}},
			"max-age=0, no-cache, no-store, must-revalidate, private", "Sun, 17 Jul 2016 10:00:00 GMT"},
		{"no-cache fields collapse to bare", http.Header{"Cache-Control": {"no-cache=Set-Cookie"}},
			"no-cache, max-age=0, no-store, must-revalidate, private", "Sun, 17 Jul 2016 10:00:00 GMT"},
		{"existing Expires kept", http.Header{"Expires": {"Mon, 18 Jul 2016 10:00:00 GMT"}},
			"max-age=0, no-cache, no-store, must-revalidate, private", "Mon, 18 Jul 2016 10:00:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.initial
			AddNeverCacheHeaders(h, djangoNow)
			if got := h.Get("Cache-Control"); got != tt.wantCC {
				t.Errorf("Cache-Control = %q, want %q", got, tt.wantCC)
			}
			if got := h.Get("Expires"); got != tt.wantExpires {
				t.Errorf("Expires = %q, want %q", got, tt.wantExpires)
			}
		})
	}
}

func TestNeverCache(t *testing.T) {
	view := NeverCache(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public")
		_, _ = w.Write([]byte("hello"))
	})
	rec := httptest.NewRecorder()
	view(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if got, want := rec.Header().Get("Cache-Control"), "max-age=0, no-cache, no-store, must-revalidate, private"; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	if rec.Header().Get("Expires") == "" {
		t.Error("Expires not set")
	}
	if rec.Body.String() != "hello" {
		t.Errorf("body = %q", rec.Body.String())
	}
}
