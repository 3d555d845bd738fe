package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/views"
)

// Beyond Django: a page tagged by its view (views.CacheTags) is a miss, in
// every variant, after InvalidateTags of any of its tags; the tags header
// never reaches the client.
func TestInvalidateTagsExpiresTaggedPages(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		var calls atomic.Int32
		h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := calls.Add(1)
			views.CacheTags(w, "article:42", "articles")
			w.Header().Set("Vary", "Cookie")
			fmt.Fprintf(w, "render %d", n)
		}))
		for _, c := range []string{"u=a", "u=b"} {
			if w := do(h, "GET", url, "Cookie", c); w.Header().Get(views.CacheTagsHeader) != "" {
				t.Fatalf("the tags header reached the client: %q", w.Header().Get(views.CacheTagsHeader))
			}
			do(h, "GET", url, "Cookie", c)
		}
		if calls.Load() != 2 {
			t.Fatalf("%d renders for two variants requested twice; want 2", calls.Load())
		}
		if err := cache.InvalidateTags(context.Background(), cache.Default(), "articles"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []string{"u=a", "u=b"} {
			do(h, "GET", url, "Cookie", c)
			do(h, "GET", url, "Cookie", c)
		}
		if calls.Load() != 4 {
			t.Fatalf("%d renders after invalidating a tag; want 4 (each variant once more)", calls.Load())
		}
	})
}

// PageTags tags every page a page cache stores.
func TestPageTagsOptionTagsPages(t *testing.T) {
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(60, v, clk, cache.PageTags("static"))
	do(h, "GET", url)
	do(h, "GET", url)
	if err := cache.InvalidateTags(context.Background(), cache.Default(), "other"); err != nil {
		t.Fatal(err)
	}
	do(h, "GET", url)
	if v.calls.Load() != 1 {
		t.Fatalf("%d renders; an unrelated tag invalidated the page", v.calls.Load())
	}
	if err := cache.InvalidateTags(context.Background(), cache.Default(), "static"); err != nil {
		t.Fatal(err)
	}
	do(h, "GET", url)
	if v.calls.Load() != 2 {
		t.Fatalf("%d renders; want 2 after invalidating the page's tag", v.calls.Load())
	}
}

// A page cache inside another (cache.Page under the per-site pair): both
// store the page under the view's tags, so one InvalidateTags expires both
// copies; only the outermost removes the tags header from the response,
// hit or miss.
func TestNestedPageCachesBothTagTheirCopies(t *testing.T) {
	clk := setupPages(t, nil)
	var calls atomic.Int32
	// Both caches coordinate renders on the same keys (same alias and
	// prefix): the inner one must not wait for the render its own request
	// leads in the outer one (an hour's StampedeWait would show it).
	wait := cache.StampedeWait(time.Hour)
	inner := page(60, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		views.CacheTags(w, "t")
		fmt.Fprintf(w, "render %d", calls.Add(1))
	}), clk, wait)
	s := cache.Current().Settings()
	fetch := cache.NewFetchFromCacheMiddleware(s, cache.WithPageClock(clk.Now), wait).Middleware(inner)
	h := cache.NewUpdateCacheMiddleware(s, cache.WithPageClock(clk.Now), wait).Middleware(fetch)
	for i := range 3 {
		done := make(chan *httptest.ResponseRecorder, 1)
		go func() { done <- do(h, "GET", url) }()
		var w *httptest.ResponseRecorder
		select {
		case w = <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("the inner page cache waited for its own request's render")
		}
		if w.Header().Get(views.CacheTagsHeader) != "" || w.Body.String() != "render 1" {
			t.Fatalf("request %d: body %q, tags header %q", i, w.Body.String(), w.Header().Get(views.CacheTagsHeader))
		}
	}
	if err := cache.InvalidateTags(context.Background(), cache.Default(), "t"); err != nil {
		t.Fatal(err)
	}
	if w := do(h, "GET", url); w.Body.String() != "render 2" {
		t.Fatalf("after InvalidateTags: %q; want a fresh render (the outer copy was tagged too)", w.Body.String())
	}
}
