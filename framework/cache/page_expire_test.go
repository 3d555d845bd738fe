package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// ExpirePage removes every variant of a page, including those Django keys
// apart for other spellings of the same host (letter case, a trailing dot,
// the default port), every cookie's variant, GET and HEAD.
func TestExpirePageRemovesEveryHostSpellingAndVariant(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Vary": {"Cookie"}}}
	h := page(60, v, clk)
	hosts := []string{"localhost", "LOCALHOST", "localhost.", "localhost:80", "LocalHost.:80"}
	cookies := []string{"u=alice", "u=bob", ""}
	request := func(method, host, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://"+host+"/p/?q=1", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	renders := 0
	for _, host := range hosts {
		for _, c := range cookies {
			request("GET", host, c)
			request("HEAD", host, c)
			renders++
		}
	}
	if int(v.calls.Load()) != renders {
		t.Fatalf("%d view calls for %d GET variants (HEAD should hit)", v.calls.Load(), renders)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://localhost/q/", nil)) // another URL: must survive
	before := v.calls.Load()
	n, err := cache.ExpirePage(context.Background(), cache.Default(), "", "http://localhost/p/?q=1")
	if err != nil {
		t.Fatal(err)
	}
	if n < renders {
		t.Fatalf("ExpirePage removed %d entries; want at least the %d pages", n, renders)
	}
	for _, host := range hosts {
		for _, c := range cookies {
			request("GET", host, c)
		}
	}
	if got := int(v.calls.Load() - before); got != renders {
		t.Fatalf("after ExpirePage %d of %d variants re-rendered", got, renders)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "http://localhost/q/", nil))
	if int(v.calls.Load()-before) != renders {
		t.Fatal("ExpirePage removed another URL's page")
	}
	// A second ExpirePage reads only the slots stored since the first.
	if _, err := cache.ExpirePage(context.Background(), cache.Default(), "", "http://localhost/p/?q=1"); err != nil {
		t.Fatal(err)
	}
	request("GET", "LOCALHOST", "u=alice")
	if int(v.calls.Load()-before) != renders+1 {
		t.Fatal("the second ExpirePage missed a page stored after the first")
	}
}

// The index is as big as the pages it lists: its slots expire with them.
func TestPageIndexSlotsExpireWithPages(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{header: http.Header{"Vary": {"Cookie"}}}
	h := page(60, v, clk)
	for i := range 50 {
		do(h, "GET", url, "Cookie", fmt.Sprintf("u=%d", i))
	}
	ctx := context.Background()
	c := cache.Default()
	ik := cache.IndexKey("", url)
	var n int64
	if ok, err := c.Get(ctx, ik, &n); !ok || err != nil || n != 50 {
		t.Fatalf("index counter = %d (%v, %v); want 50", n, ok, err)
	}
	live := func() int {
		k := 0
		for i := 1; i <= 50; i++ {
			if ok, _ := c.HasKey(ctx, fmt.Sprintf("%s.%d", ik, i)); ok {
				k++
			}
		}
		return k
	}
	if got := live(); got != 50 {
		t.Fatalf("%d live slots; want 50", got)
	}
	clk.Advance(61 * time.Second)
	if got := live(); got != 0 {
		t.Fatalf("%d slots outlived their pages", got)
	}
}

// A Django process sharing the cache stores page variants that no index of
// ours lists; ExpirePage still removes them on stores that can match keys
// (locmem, db, redis): every Vary'd value, GET and HEAD, and the header
// list, and nothing of another URL.
func TestExpirePageRemovesVariantsNotInTheIndex(t *testing.T) {
	for _, b := range staleBackends() {
		if b.name == "file" {
			continue // file names are md5s of the keys: nothing to match (README)
		}
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := settings.Default()
			s.UseI18N, s.UseTZ = false, false
			cfg := b.config(t, s)
			cfg.Timeout, cfg.MaxEntries, cfg.CullFrequency, cfg.Version = 300, 1000, 3, 1
			s.Caches = map[string]settings.Cache{"default": cfg}
			if err := cache.Setup(s); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
			c := cache.Default()
			if err := c.Set(ctx, "ping", 1, 10); err != nil {
				if b.realTTL && os.Getenv("CI") == "" {
					t.Skipf("redis unreachable (set GOJANGO_TEST_REDIS_URL): %v", err)
				}
				t.Fatal(err)
			}
			// What Django's learn_cache_key and cache.set leave: a header
			// list and one page per variant, written straight to the cache.
			store := func(target, cookie, method string) string {
				r := httptest.NewRequest(method, target, nil)
				if cookie != "" {
					r.Header.Set("Cookie", cookie)
				}
				key, err := cache.LearnCacheKey(ctx, r, http.Header{"Vary": {"Cookie"}}, 300, c, "", cache.I18N{})
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Set(ctx, key, []byte("a page Django stored"), 300); err != nil {
					t.Fatal(err)
				}
				return key
			}
			var gone []string
			for _, ck := range []string{"", "sessionid=a", "sessionid=b"} {
				gone = append(gone, store("http://testserver/p/", ck, "GET"))
			}
			gone = append(gone, store("http://testserver/p/", "sessionid=a", "HEAD"))
			kept := store("http://testserver/other/", "sessionid=a", "GET")
			if _, err := cache.ExpirePage(ctx, c, "", "http://testserver/p/"); err != nil {
				t.Fatal(err)
			}
			for _, k := range gone {
				if ok, _ := c.HasKey(ctx, k); ok {
					t.Errorf("%s survived ExpirePage", k)
				}
			}
			if _, ok := cache.GetCacheKey(ctx, httptest.NewRequest("GET", "http://testserver/p/", nil), c, "", "GET", cache.I18N{}); ok {
				t.Error("the header list survived ExpirePage")
			}
			if ok, _ := c.HasKey(ctx, kept); !ok {
				t.Error("ExpirePage removed another URL's page")
			}
		})
	}
}
