package cache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/settings"
)

func newLocmem(t *testing.T) *cache.Cache {
	t.Helper()
	c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Django's CacheUtils tests (reference rules 69-73, 76, 77): literal keys
// worked out from the formula.
func TestPageKeysMatchDjango(t *testing.T) {
	ctx := context.Background()
	noI18N := cache.I18N{}
	tests := []struct {
		name   string
		url    string
		host   string
		method string
		prefix string
		vary   string
		reqHdr map[string]string
		i18n   cache.I18N
		want   string
	}{
		{"GetCacheKeyAfterLearn", "/cache/test/", "www.example.com", "GET", "settingsprefix", "", nil, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99.d41d8cd98f00b204e9800998ecf8427e"},
		{"ExplicitKeyPrefixReplacesSettings", "/cache/test/", "www.example.com", "GET", "localprefix", "", nil, noI18N,
			"views.decorators.cache.cache_page.localprefix.GET.18a03f9c9649f7d684af5db3524f5c99.d41d8cd98f00b204e9800998ecf8427e"},
		{"QueryStringIsInTheKey", "/cache/test/?test=1", "www.example.com", "GET", "settingsprefix", "", nil, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.beaf87a9a99ee81c673ea2d67ccbec2a.d41d8cd98f00b204e9800998ecf8427e"},
		{"TemplateResponseKeyTestserver", "/cache/test/", "testserver", "GET", "settingsprefix", "", nil, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.58a0a05c8a5620f813686ff969c26853.d41d8cd98f00b204e9800998ecf8427e"},
		{"TemplateResponseKeyTestserverQuery", "/cache/test/?test=1", "testserver", "GET", "settingsprefix", "", nil, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.0f1c2d56633c943073c4569d9a9502fe.d41d8cd98f00b204e9800998ecf8427e"},
		// Rule 73 as corrected for 5.2.19: an absent Vary'd header hashes "-,".
		{"AbsentVaryHeaderHashesMarker", "/cache/test/", "www.example.com", "HEAD", "settingsprefix", "Pony", nil, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99.4792b9bac48c3f0441b0d9b0d7af8f2c"},
		{"EmptyVaryHeaderHashesNothing", "/cache/test/", "www.example.com", "HEAD", "settingsprefix", "Pony", map[string]string{"Pony": ""}, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99.d41d8cd98f00b204e9800998ecf8427e"},
		{"VaryHeaderValueIsHashed", "/cache/test/", "www.example.com", "GET", "settingsprefix", "Accept-Encoding", map[string]string{"Accept-Encoding": "gzip"}, noI18N,
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99." + cache.MD5Hex("gzip")},
		{"I18NAddsLanguage", "/cache/test/", "www.example.com", "GET", "settingsprefix", "Accept-Language", map[string]string{"Accept-Language": "ko, en"}, cache.I18N{UseI18N: true, LanguageCode: "en"},
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99.d41d8cd98f00b204e9800998ecf8427e.en"},
		{"TimeZoneAddsZone", "/cache/test/", "www.example.com", "GET", "settingsprefix", "", nil, cache.I18N{UseTZ: true, TimeZone: "America/Chicago"},
			"views.decorators.cache.cache_page.settingsprefix.GET.18a03f9c9649f7d684af5db3524f5c99.d41d8cd98f00b204e9800998ecf8427e.America/Chicago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newLocmem(t)
			r := httptest.NewRequest(tc.method, "http://"+tc.host+tc.url, nil)
			for k, v := range tc.reqHdr {
				r.Header.Set(k, v)
			}
			if _, ok := cache.GetCacheKey(ctx, r, c, tc.prefix, "GET", tc.i18n); ok {
				t.Fatal("GetCacheKey before LearnCacheKey found a key; Django returns None")
			}
			h := http.Header{}
			if tc.vary != "" {
				h.Set("Vary", tc.vary)
			}
			if _, err := cache.LearnCacheKey(ctx, r, h, 300, c, tc.prefix, tc.i18n); err != nil {
				t.Fatal(err)
			}
			got, ok := cache.GetCacheKey(ctx, r, c, tc.prefix, "GET", tc.i18n)
			if !ok || got != tc.want {
				t.Fatalf("GetCacheKey = %q, %v\nwant        %q", got, ok, tc.want)
			}
		})
	}
}

// Rule 72: different hosts give different keys.
func TestPageKeyDependsOnHost(t *testing.T) {
	ctx := context.Background()
	c := newLocmem(t)
	keys := map[string]bool{}
	for _, host := range []string{"sub-1.example.com", "sub-2.example.com"} {
		r := httptest.NewRequest("GET", "http://"+host+"/cache/test/", nil)
		k, _ := cache.LearnCacheKey(ctx, r, http.Header{}, 300, c, "", cache.I18N{})
		keys[k] = true
	}
	if len(keys) != 2 {
		t.Fatal("two hosts share a page key")
	}
}

// Rule 76: with USE_I18N, Accept-Language variations map to one key.
func TestPageKeyIgnoresAcceptLanguageUnderI18N(t *testing.T) {
	ctx := context.Background()
	c := newLocmem(t)
	i := cache.I18N{UseI18N: true, LanguageCode: "en-us"}
	keys := map[string]bool{}
	for _, tc := range []struct{ al, vary string }{{"en-us", "accept-encoding, accept-language"}, {"ko, en", "Accept-Language, Accept-Encoding"}, {"ko-kr", "ACCEPT-LANGUAGE,ACCEPT-ENCODING"}} {
		r := httptest.NewRequest("GET", "http://www.example.com/cache/test/", nil)
		r.Header.Set("Accept-Language", tc.al)
		r.Header.Set("Accept-Encoding", "gzip")
		h := http.Header{"Vary": {tc.vary}}
		k, _ := cache.LearnCacheKey(ctx, r, h, 300, c, "", i)
		keys[k] = true
	}
	if len(keys) != 1 {
		t.Fatalf("Accept-Language variations gave %d keys; want 1: %v", len(keys), keys)
	}
	r := httptest.NewRequest("GET", "http://www.example.com/cache/test/", nil)
	r = r.WithContext(cache.WithLanguage(r.Context(), "es"))
	k, _ := cache.LearnCacheKey(ctx, r, http.Header{}, 300, c, "", i)
	if keys[k] {
		t.Fatal("another active language shares the key")
	}
}
