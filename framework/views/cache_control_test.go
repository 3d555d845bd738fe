package views

import (
	"net/http"
	"sort"
	"strings"
	"testing"
)

func ccParts(s string) []string {
	parts := strings.Split(s, ", ")
	sort.Strings(parts)
	return parts
}

// Edge case 75: Django's test_patch_cache_control table. Django compares the
// parts as a set; the port's order is deterministic (existing first, then
// new), so the exact header is checked too.
func TestPatchCacheControl(t *testing.T) {
	none := "\x00absent"
	tests := []struct {
		initial    string
		directives []Directive
		want       string
	}{
		{none, []Directive{Private}, "private"},
		{"", []Directive{Private}, "private"},
		// no-cache.
		{"", []Directive{NoCacheFields("Set-Cookie")}, "no-cache=Set-Cookie"},
		{"", []Directive{"no_cache=Set-Cookie"}, "no-cache=Set-Cookie"},
		{"", []Directive{"no-cache=Set-Cookie"}, "no-cache=Set-Cookie"},
		{"no-cache=Set-Cookie", []Directive{NoCache}, "no-cache"},
		{"no-cache=Set-Cookie,no-cache=Link", []Directive{NoCache}, "no-cache"},
		{"no-cache=Set-Cookie", []Directive{NoCacheFields("Link")}, "no-cache=Set-Cookie, no-cache=Link"},
		{"no-cache=Set-Cookie,no-cache=Link", []Directive{NoCacheFields("Custom")}, "no-cache=Set-Cookie, no-cache=Link, no-cache=Custom"},
		// private and public replace each other.
		{"private", []Directive{Private}, "private"},
		{"private", []Directive{Public}, "public"},
		{"public", []Directive{Public}, "public"},
		{"public", []Directive{Private}, "private"},
		{"must-revalidate,max-age=60,private", []Directive{Public}, "must-revalidate, max-age=60, public"},
		{"must-revalidate,max-age=60,public", []Directive{Private}, "must-revalidate, max-age=60, private"},
		{"must-revalidate,max-age=60", []Directive{Public}, "must-revalidate, max-age=60, public"},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.initial != none {
			h.Set("Cache-Control", tt.initial)
		}
		PatchCacheControl(h, tt.directives...)
		got := h.Get("Cache-Control")
		if strings.Join(ccParts(got), "|") != strings.Join(ccParts(tt.want), "|") {
			t.Errorf("%q + %q = %q, want parts of %q", tt.initial, tt.directives, got, tt.want)
		}
		if got != tt.want {
			t.Errorf("%q + %q = %q, want exactly %q", tt.initial, tt.directives, got, tt.want)
		}
	}
}

// The smaller of an existing and a new max-age wins (a decorator and a
// middleware both setting one).
func TestPatchCacheControlMaxAgeMinimum(t *testing.T) {
	tests := []struct {
		initial string
		maxAge  int
		want    string
	}{
		{"max-age=60, private", 30, "max-age=30, private"},
		{"max-age=60, private", 90, "max-age=60, private"},
		{"MAX-AGE=060", 90, "max-age=60"},
		{"max-age=abc", 10, "max-age=10"}, // Django raises; the port takes the new one
		{"max-age", 10, "max-age=10"},
		{"public", 0, "public, max-age=0"},
	}
	for _, tt := range tests {
		h := http.Header{"Cache-Control": {tt.initial}}
		PatchCacheControl(h, MaxAge(tt.maxAge))
		if got := h.Get("Cache-Control"); got != tt.want {
			t.Errorf("%q + max-age=%d = %q, want %q", tt.initial, tt.maxAge, got, tt.want)
		}
	}
}

func TestPatchCacheControlParsing(t *testing.T) {
	tests := []struct {
		name       string
		initial    []string
		directives []Directive
		want       string
	}{
		{"names lower-cased", []string{"Private, MAX-AGE=5"}, []Directive{Private}, "private, max-age=5"},
		{"last value wins in place", []string{"s-maxage=1, public, s-maxage=2"}, nil, "s-maxage=2, public"},
		{"several lines merged", []string{"private", "max-age=5"}, []Directive{NoStore}, "private, max-age=5, no-store"},
		{"value keeps its case", []string{`no-cache="Set-Cookie"`}, nil, `no-cache="Set-Cookie"`},
		{"replaced in old place", []string{"s-maxage=10, private"}, []Directive{SMaxAge(20)}, "s-maxage=20, private"},
		{"bare no-cache existing wins", []string{"no-cache, no-cache=Link"}, []Directive{NoCacheFields("X")}, "no-cache"},
		{"no-cache fields deduplicated", []string{"no-cache=Link"}, []Directive{NoCacheFields("Link", "Set-Cookie")}, "no-cache=Link, no-cache=Set-Cookie"},
		{"public and private both new", nil, []Directive{Public, Private}, "public, private"},
		{"empty elements dropped", []string{"private, , max-age=1,"}, nil, "private, max-age=1"},
		{"underscore in new name", nil, []Directive{"stale_while_revalidate=5"}, "stale-while-revalidate=5"},
		{"last new value wins", nil, []Directive{SMaxAge(1), SMaxAge(2)}, "s-maxage=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Cache-Control": tt.initial}
			if tt.initial == nil {
				h = http.Header{}
			}
			PatchCacheControl(h, tt.directives...)
			if got := h.Values("Cache-Control"); len(got) != 1 || got[0] != tt.want {
				t.Errorf("got %q, want [%q]", got, tt.want)
			}
		})
	}
}

// Every directive Django's cache_control accepts has a constructor.
func TestDirectiveConstructors(t *testing.T) {
	tests := []struct {
		d    Directive
		want string
	}{
		{Public, "public"},
		{Private, "private"},
		{NoCache, "no-cache"},
		{NoCacheFields(), "no-cache"},
		{NoCacheFields("Set-Cookie", "Link"), "no-cache=Set-Cookie, no-cache=Link"},
		{NoStore, "no-store"},
		{NoTransform, "no-transform"},
		{MustRevalidate, "must-revalidate"},
		{ProxyRevalidate, "proxy-revalidate"},
		{MaxAge(60), "max-age=60"},
		{SMaxAge(30), "s-maxage=30"},
		{StaleWhileRevalidate(5), "stale-while-revalidate=5"},
		{StaleIfError(86400), "stale-if-error=86400"},
		{Immutable, "immutable"},
		{MustUnderstand, "must-understand"},
		{Directive("x-custom=1"), "x-custom=1"},
	}
	for _, tt := range tests {
		h := http.Header{}
		PatchCacheControl(h, tt.d)
		if got := h.Get("Cache-Control"); got != tt.want {
			t.Errorf("PatchCacheControl(%q) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestGetMaxAge(t *testing.T) {
	tests := []struct {
		cc     []string
		want   int
		wantOK bool
	}{
		{nil, 0, false},
		{[]string{""}, 0, false},
		{[]string{"private"}, 0, false},
		{[]string{"max-age=3600"}, 3600, true},
		{[]string{"private, MAX-AGE=15"}, 15, true},
		{[]string{"max-age=0"}, 0, true},
		{[]string{"max-age=-5"}, -5, true},
		{[]string{"max-age=1, max-age=2"}, 2, true},
		{[]string{"private", "max-age=7"}, 7, true},
		{[]string{"max-age=abc"}, 0, false},
		{[]string{"max-age=1.5"}, 0, false},
		{[]string{"max-age"}, 0, false},
		{[]string{"s-maxage=10"}, 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, v := range tt.cc {
			h.Add("Cache-Control", v)
		}
		got, ok := GetMaxAge(h)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("GetMaxAge(%q) = %d, %v; want %d, %v", tt.cc, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestCacheControlSeconds(t *testing.T) {
	tests := []struct {
		cc, name string
		want     int
		ok       bool
	}{
		{"max-age=60, stale-while-revalidate=30", "stale-while-revalidate", 30, true},
		{"Stale-If-Error=300", "stale-if-error", 300, true},
		{"stale-if-error", "stale-if-error", 0, false},
		{"max-age=60", "stale-if-error", 0, false},
		{`stale-while-revalidate="30"`, "stale-while-revalidate", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{"Cache-Control": {tt.cc}}
		if got, ok := CacheControlSeconds(h, tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("CacheControlSeconds(%q, %q) = %d, %v; want %d, %v", tt.cc, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
