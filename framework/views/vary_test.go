package views

import (
	"net/http"
	"testing"
)

// Edge case 74: Django's test_patch_vary_headers table.
func TestPatchVaryHeaders(t *testing.T) {
	tests := []struct {
		initial    []string // Vary header lines; nil = absent
		newHeaders []string
		want       string
	}{
		{nil, []string{"Accept-Encoding"}, "Accept-Encoding"},
		{[]string{"Accept-Encoding"}, []string{"accept-encoding"}, "Accept-Encoding"},
		{[]string{"Accept-Encoding"}, []string{"ACCEPT-ENCODING"}, "Accept-Encoding"},
		{[]string{"Cookie"}, []string{"Accept-Encoding"}, "Cookie, Accept-Encoding"},
		{[]string{"Cookie, Accept-Encoding"}, []string{"Accept-Encoding"}, "Cookie, Accept-Encoding"},
		{[]string{"Cookie, Accept-Encoding"}, []string{"Accept-Encoding", "cookie"}, "Cookie, Accept-Encoding"},
		{nil, []string{"Accept-Encoding", "COOKIE"}, "Accept-Encoding, COOKIE"},
		{[]string{"Cookie,     Accept-Encoding"}, []string{"Accept-Encoding", "cookie"}, "Cookie, Accept-Encoding"},
		{[]string{"Cookie    ,     Accept-Encoding"}, []string{"Accept-Encoding", "cookie"}, "Cookie, Accept-Encoding"},
		{[]string{"*"}, []string{"Accept-Language", "Cookie"}, "*"},
		{[]string{"Accept-Language, Cookie"}, []string{"*"}, "*"},
		// Port-specific: several Vary lines are merged into one.
		{[]string{"Cookie", "Accept-Language"}, []string{"accept-language", "X-Pony"}, "Cookie, Accept-Language, X-Pony"},
		{[]string{"Cookie", "*"}, []string{"X-Pony"}, "*"},
		// Port-specific: a new name given twice is listed once.
		{nil, []string{"Cookie", "COOKIE", ""}, "Cookie"},
		// Django sets an empty Vary when there is nothing to list.
		{nil, nil, ""},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.initial {
			h.Add("Vary", v)
		}
		PatchVaryHeaders(h, tt.newHeaders...)
		if got := h.Values("Vary"); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Vary %q + %q = %q, want [%q]", tt.initial, tt.newHeaders, got, tt.want)
		}
	}
}

func TestHasVaryHeader(t *testing.T) {
	tests := []struct {
		vary []string
		name string
		want bool
	}{
		{nil, "Cookie", false},
		{[]string{"Cookie"}, "cookie", true},
		{[]string{"Accept-Encoding,   COOKIE"}, "Cookie", true},
		{[]string{"Accept-Encoding", "Cookie"}, "cookie", true},
		{[]string{"Accept-Encoding"}, "Cookie", false},
		{[]string{"Cookies"}, "Cookie", false},
		{[]string{"*"}, "Cookie", false},
		// Django 5.2.19 trims both sides (reference "Changed" item 5).
		{[]string{"Cookie "}, "Cookie", true},
		{[]string{"Accept ,  * "}, "*", true},
		{[]string{"Cookie"}, " cookie ", true},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.vary {
			h.Add("Vary", v)
		}
		if got := HasVaryHeader(h, tt.name); got != tt.want {
			t.Errorf("HasVaryHeader(Vary %q, %q) = %v, want %v", tt.vary, tt.name, got, tt.want)
		}
	}
}

// The patch helpers do nothing, and do not panic, on a nil header map.
func TestPatchNilHeader(t *testing.T) {
	PatchVaryHeaders(nil, "Cookie")
	PatchCacheControl(nil, Private)
	PatchResponseHeaders(nil, 60, djangoNow)
	AddNeverCacheHeaders(nil, djangoNow)
	if HasVaryHeader(nil, "Cookie") {
		t.Error("nil header has Vary")
	}
	if _, ok := GetMaxAge(nil); ok {
		t.Error("nil header has max-age")
	}
}
