package cache_test

import (
	"context"
	"fmt"
	"gojango/framework/cache/cachetest"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// fakeClock is the shared test clock (cachetest.Clock).
type fakeClock = cachetest.Clock

// setupPages installs settings with locmem aliases "default" and "other"
// and a fake clock at Django's Age-test instant.
func setupPages(t *testing.T, mutate func(*settings.Settings)) *fakeClock {
	t.Helper()
	s := settings.Default()
	s.UseI18N, s.UseTZ = false, false
	s.Caches = map[string]settings.Cache{
		"default": {Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1},
		"other":   {Backend: "locmem", Location: t.Name() + "-other", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1},
	}
	if mutate != nil {
		mutate(s)
	}
	clk := cachetest.NewClock(time.Unix(1468749600, 0))
	if err := cache.Setup(s, cache.WithClock(clk.Now)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	return clk
}

type countingView struct {
	calls  atomic.Int32
	status int
	header http.Header
	body   string
}

func (v *countingView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := v.calls.Add(1)
	for k, vs := range v.header {
		w.Header()[k] = vs
	}
	if v.status != 0 {
		w.WriteHeader(v.status)
	}
	body := v.body
	if body == "" {
		body = fmt.Sprintf("response %d", n)
	}
	fmt.Fprint(w, body)
}

func do(h http.Handler, method, url string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func page(timeout cache.Timeout, v http.Handler, clk *fakeClock, opts ...cache.PageOption) http.Handler {
	return cache.Page(timeout, v.ServeHTTP, append([]cache.PageOption{cache.WithPageClock(clk.Now)}, opts...)...)
}

const url = "http://testserver/cache/test/"

func TestOnlyGetAndHeadAreCached(t *testing.T) {
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		t.Run(method, func(t *testing.T) {
			clk := setupPages(t, nil)
			v := &countingView{}
			h := page(60, v, clk)
			do(h, method, url)
			do(h, method, url)
			if v.calls.Load() != 2 {
				t.Fatalf("%s: view ran %d times; want 2 (never cached)", method, v.calls.Load())
			}
		})
	}
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(60, v, clk)
	do(h, "GET", url)
	if w := do(h, "GET", url); w.Body.String() != "response 1" || v.calls.Load() != 1 {
		t.Fatalf("GET not served from cache: %q, %d calls", w.Body.String(), v.calls.Load())
	}
}

func TestHeadIsServedFromGetEntry(t *testing.T) { // rule 81
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(60, v, clk)
	do(h, "GET", url)
	w := do(h, "HEAD", url)
	if v.calls.Load() != 1 || w.Code != 200 {
		t.Fatalf("HEAD after GET: %d calls, status %d", v.calls.Load(), w.Code)
	}
	if w.Body.Len() != 0 {
		t.Fatal("HEAD hit wrote a body")
	}
	// A HEAD-only page is stored under the HEAD key and served to HEAD.
	clk = setupPages(t, nil)
	v2 := &countingView{}
	h2 := page(60, v2, clk)
	do(h2, "HEAD", url)
	do(h2, "HEAD", url)
	if v2.calls.Load() != 1 {
		t.Fatalf("HEAD after HEAD ran the view %d times", v2.calls.Load())
	}
}

func TestOnlyStatus200IsStored(t *testing.T) { // rule 88 and step 2
	for _, status := range []int{201, 301, 304, 404, 500} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			clk := setupPages(t, nil)
			v := &countingView{status: status}
			h := page(60, v, clk)
			w := do(h, "GET", url)
			do(h, "GET", url)
			if v.calls.Load() != 2 {
				t.Fatalf("status %d stored", status)
			}
			if status == 304 {
				if w.Header().Get("Cache-Control") != "max-age=60" || w.Header().Get("Expires") == "" {
					t.Fatalf("304 headers = %v; Django patches Cache-Control and Expires", w.Header())
				}
			}
		})
	}
}

func TestPrivateResponseIsNeverStored(t *testing.T) { // rule 86
	for _, cc := range []string{"private", "no-cache", "no-store", "max-age=60, private"} {
		t.Run(cc, func(t *testing.T) {
			clk := setupPages(t, nil)
			v := &countingView{header: http.Header{"Cache-Control": {cc}}}
			h := page(60, v, clk)
			do(h, "GET", url)
			do(h, "GET", url)
			if v.calls.Load() != 2 {
				t.Fatalf("Cache-Control %q stored", cc)
			}
		})
	}
}

func TestPageTimeoutBeatsMaxAge(t *testing.T) { // rule 85
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Cache-Control": {"max-age=1"}}}
	h := page(3, v, clk)
	do(h, "GET", url)
	clk.Advance(1500 * time.Millisecond)
	do(h, "GET", url)
	if v.calls.Load() != 1 {
		t.Fatal("page timeout 3 lost to max-age=1")
	}
	clk = setupPages(t, nil)
	v2 := &countingView{header: http.Header{"Cache-Control": {"max-age=3"}}}
	h2 := page(1, v2, clk)
	do(h2, "GET", url)
	clk.Advance(1500 * time.Millisecond)
	do(h2, "GET", url)
	if v2.calls.Load() != 2 {
		t.Fatal("page timeout 1 lost to max-age=3")
	}
}

func siteCache(s func() *settings.Settings, clk *fakeClock, v http.Handler) http.Handler {
	st := s()
	up := cache.NewUpdateCacheMiddleware(st, cache.WithPageClock(clk.Now))
	fetch := cache.NewFetchFromCacheMiddleware(st, cache.WithPageClock(clk.Now))
	return up.Middleware(fetch.Middleware(v))
}

func TestMaxAgeBeatsDefaultTimeout(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Cache-Control": {"max-age=10"}}}
	h := siteCache(func() *settings.Settings { return cache.Current().Settings() }, clk, v)
	do(h, "GET", url)
	clk.Advance(9 * time.Second)
	do(h, "GET", url)
	if v.calls.Load() != 1 {
		t.Fatal("max-age=10 page not served at 9 s")
	}
	clk.Advance(2 * time.Second)
	do(h, "GET", url)
	if v.calls.Load() != 2 {
		t.Fatal("max-age=10 page still served at 11 s; CACHE_MIDDLEWARE_SECONDS (600) beat max-age")
	}
}

func TestMaxAgeZeroStoresNothing(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Cache-Control": {"max-age=0"}}}
	h := siteCache(func() *settings.Settings { return cache.Current().Settings() }, clk, v)
	w := do(h, "GET", url)
	do(h, "GET", url)
	if v.calls.Load() != 2 {
		t.Fatal("max-age=0 response stored")
	}
	if w.Header().Get("Expires") != "" {
		t.Fatal("max-age=0: Django returns without patching headers")
	}
}

func TestStoredResponseGetsExpiresAndMaxAgeAndAgeOnHit(t *testing.T) { // rule 90
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(2, v, clk)
	w := do(h, "GET", url)
	if got := w.Header().Get("Expires"); got != "Sun, 17 Jul 2016 10:00:02 GMT" {
		t.Fatalf("Expires = %q", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "max-age=2" {
		t.Fatalf("Cache-Control = %q", got)
	}
	if w.Header().Get("Age") != "" {
		t.Fatal("Age on a miss")
	}
	clk.Advance(time.Second)
	w = do(h, "GET", url)
	if got := w.Header().Get("Age"); got != "1" {
		t.Fatalf("Age on hit = %q; want 1", got)
	}
}

func TestVaryIsHonouredPerHeaderValue(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Vary": {"Accept-Encoding"}}}
	h := page(60, v, clk)
	a := do(h, "GET", url, "Accept-Encoding", "gzip")
	b := do(h, "GET", url, "Accept-Encoding", "br")
	a2 := do(h, "GET", url, "Accept-Encoding", "gzip")
	b2 := do(h, "GET", url, "Accept-Encoding", "br")
	if v.calls.Load() != 2 || a.Body.String() != a2.Body.String() || b.Body.String() != b2.Body.String() || a.Body.String() == b.Body.String() {
		t.Fatalf("calls=%d a=%q a2=%q b=%q b2=%q", v.calls.Load(), a.Body, a2.Body, b.Body, b2.Body)
	}
}

func TestQueryStringsAreCachedSeparately(t *testing.T) { // rule 78
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(60, v, clk)
	do(h, "GET", url+"?a=1")
	do(h, "GET", url+"?a=2")
	do(h, "GET", url+"?a=1")
	if v.calls.Load() != 2 {
		t.Fatalf("view ran %d times; want 2", v.calls.Load())
	}
}

func TestStreamingResponseIsNeverCached(t *testing.T) { // rule 80
	clk := setupPages(t, nil)
	var calls atomic.Int32
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		fmt.Fprint(w, "part 1")
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "part 2")
	})
	h := page(60, view, clk)
	w := do(h, "GET", url)
	do(h, "GET", url)
	if calls.Load() != 2 || w.Body.String() != "part 1part 2" {
		t.Fatalf("calls=%d body=%q", calls.Load(), w.Body)
	}
}

func TestCachePageAliasAndPrefixSeparateEntries(t *testing.T) { // rule 84
	clk := setupPages(t, nil)
	v := &countingView{}
	plain := page(3, v, clk)
	same := page(3, v, clk, cache.Using("default"))
	prefixed := page(3, v, clk, cache.KeyPrefix("prefix1"))
	other := page(1, v, clk, cache.Using("other"))
	for _, tc := range []struct {
		h    http.Handler
		want string
	}{{plain, "response 1"}, {same, "response 1"}, {prefixed, "response 2"}, {other, "response 3"}} {
		if got := do(tc.h, "GET", url).Body.String(); got != tc.want {
			t.Fatalf("got %q want %q", got, tc.want)
		}
	}
	clk.Advance(2 * time.Second)
	if got := do(other, "GET", url).Body.String(); got != "response 4" {
		t.Fatalf("cache_page(1, other) after 2 s = %q; want a new render", got)
	}
	if got := do(plain, "GET", url).Body.String(); got != "response 1" {
		t.Fatalf("cache_page(3) after 2 s = %q; want the stored one", got)
	}
}

func TestColdPageRendersOnceUnderConcurrency(t *testing.T) {
	clk := setupPages(t, nil)
	var calls atomic.Int32
	view := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond) // a slow view: the others arrive while it renders
		fmt.Fprint(w, "expensive")
	})
	h := page(60, view, clk)
	const n = 200
	var wg sync.WaitGroup
	bad := atomic.Int32{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w := do(h, "GET", url); w.Code != 200 || w.Body.String() != "expensive" {
				bad.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || bad.Load() != 0 {
		t.Fatalf("200 concurrent requests for a cold page ran the view %d times (%d bad responses); want 1", calls.Load(), bad.Load())
	}
}

func TestExpirePageRemovesEveryVariant(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Vary": {"Accept-Encoding"}}}
	h := page(60, v, clk)
	for _, enc := range []string{"gzip", "br", "identity"} {
		do(h, "GET", url, "Accept-Encoding", enc)
		do(h, "HEAD", url, "Accept-Encoding", enc)
	}
	do(h, "GET", url+"?other=1")
	before := v.calls.Load()
	n, err := cache.ExpirePage(context.Background(), cache.Default(), "", url)
	if err != nil || n == 0 {
		t.Fatalf("ExpirePage = %d, %v", n, err)
	}
	for _, enc := range []string{"gzip", "br", "identity"} {
		do(h, "GET", url, "Accept-Encoding", enc)
	}
	if got := v.calls.Load() - before; got != 3 {
		t.Fatalf("after ExpirePage %d of 3 variants re-rendered", got)
	}
	do(h, "GET", url+"?other=1")
	if v.calls.Load()-before != 3 {
		t.Fatal("ExpirePage removed another URL's page")
	}
	if _, err := cache.ExpirePage(context.Background(), cache.Default(), "", "/relative"); err == nil {
		t.Fatal("relative URL accepted")
	}
}

func TestCorruptCachedPageIsAMiss(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(60, v, clk)
	do(h, "GET", url)
	r := httptest.NewRequest("GET", url, nil)
	key, ok := cache.GetCacheKey(context.Background(), r, cache.Default(), "", "GET", cache.I18N{})
	if !ok {
		t.Fatal("no key")
	}
	_ = cache.Default().Set(context.Background(), key, []byte("garbage"), 60)
	if w := do(h, "GET", url); w.Code != 200 || v.calls.Load() != 2 {
		t.Fatalf("corrupt page: status %d, %d calls", w.Code, v.calls.Load())
	}
}

func TestCacheMiddlewareUsesSettings(t *testing.T) { // rule 82
	clk := setupPages(t, func(s *settings.Settings) {
		s.CacheMiddlewareAlias, s.CacheMiddlewareKeyPrefix, s.CacheMiddlewareSeconds = "other", "site", 30
	})
	v := &countingView{}
	h := cache.NewCacheMiddleware(cache.Current().Settings(), cache.WithPageClock(clk.Now)).Middleware(v)
	w := do(h, "GET", url)
	if w.Header().Get("Cache-Control") != "max-age=30" {
		t.Fatalf("Cache-Control = %q; want CACHE_MIDDLEWARE_SECONDS", w.Header().Get("Cache-Control"))
	}
	r := httptest.NewRequest("GET", url, nil)
	if _, ok := cache.GetCacheKey(context.Background(), r, cache.Caches("other"), "site", "GET", cache.I18N{}); !ok {
		t.Fatal("page not stored under CACHE_MIDDLEWARE_ALIAS / _KEY_PREFIX")
	}
}
