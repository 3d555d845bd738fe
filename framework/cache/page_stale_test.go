package cache_test

import (
	"context"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/redis"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// staleBackend is a backend the stale-page tests run on. Stores with their
// own clock (redis) expire entries in real time: the test then sleeps.
type staleBackend struct {
	name    string
	config  func(t *testing.T, s *settings.Settings) settings.Cache
	realTTL bool
}

func staleBackends() []staleBackend {
	return []staleBackend{
		{name: "locmem", config: func(t *testing.T, _ *settings.Settings) settings.Cache {
			return settings.Cache{Backend: "locmem", Location: t.Name()}
		}},
		{name: "file", config: func(t *testing.T, _ *settings.Settings) settings.Cache {
			return settings.Cache{Backend: "file", Location: t.TempDir()}
		}},
		{name: "db-sqlite", config: sqliteCacheTable},
		{name: "redis", realTTL: true, config: func(t *testing.T, _ *settings.Settings) settings.Cache {
			raw := os.Getenv("GOJANGO_TEST_REDIS_URL")
			if raw == "" {
				raw = "redis://127.0.0.1:6379/0"
			}
			u, err := neturl.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			u.Path = "/13"
			return settings.Cache{Backend: "redis", Location: u.String(), KeyPrefix: fmt.Sprintf("stale-%d", time.Now().UnixNano())}
		}},
	}
}

// staleEnv is one stale-page test's world: a page cache on the backend, a
// clock, and a view whose answers the test scripts.
type staleEnv struct {
	clk     *cachetest.Clock
	realTTL bool
	calls   atomic.Int32
	mu      sync.Mutex
	answer  func(w http.ResponseWriter, n int32) // what the view does on call n
	h       http.Handler
}

// timeout is the page timeout: short on real-time stores.
func (e *staleEnv) timeout() cache.Timeout {
	if e.realTTL {
		return 1
	}
	return 60
}

func (e *staleEnv) advance(seconds int) {
	if e.realTTL {
		time.Sleep(time.Duration(seconds)*time.Second + 100*time.Millisecond)
		return
	}
	e.clk.Advance(time.Duration(seconds) * time.Second)
}

func (e *staleEnv) setAnswer(f func(w http.ResponseWriter, n int32)) {
	e.mu.Lock()
	e.answer = f
	e.mu.Unlock()
}

func (e *staleEnv) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := e.calls.Add(1)
	e.mu.Lock()
	f := e.answer
	e.mu.Unlock()
	f(w, n)
}

// waitRefreshes waits until the page cache's background refreshes are
// done (stored, or dropped).
func (e *staleEnv) waitRefreshes() { cache.WaitPageRefreshes("default") }

func okAnswer(w http.ResponseWriter, n int32) { fmt.Fprintf(w, "render %d", n) }

// span is a window of n seconds on a fake clock, 2 s on a real one (so
// that tests on a store with its own clock stay short).
func (e *staleEnv) span(n int) int {
	if e.realTTL {
		return 2
	}
	return n
}

func eachStaleBackend(t *testing.T, opts func(e *staleEnv) []cache.PageOption, f func(t *testing.T, e *staleEnv)) {
	for _, b := range staleBackends() {
		t.Run(b.name, func(t *testing.T) {
			s := settings.Default()
			s.UseI18N, s.UseTZ = false, false
			cfg := b.config(t, s)
			cfg.Timeout, cfg.MaxEntries, cfg.CullFrequency, cfg.Version = 300, 1000, 3, 1
			s.Caches = map[string]settings.Cache{"default": cfg}
			e := &staleEnv{realTTL: b.realTTL, answer: okAnswer}
			var hopts []cache.HandlerOption
			var popts []cache.PageOption
			if opts != nil {
				popts = opts(e)
			}
			if !b.realTTL {
				e.clk = cachetest.NewClock(time.Unix(1468749600, 0))
				hopts = append(hopts, cache.WithClock(e.clk.Now))
				popts = append(popts, cache.WithPageClock(e.clk.Now))
			}
			if err := cache.Setup(s, hopts...); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
			t.Cleanup(e.waitRefreshes) // before the stores go, and their directories
			if b.realTTL {
				if err := cache.Default().Set(context.Background(), "ping", 1, 10); err != nil {
					if os.Getenv("CI") != "" {
						t.Fatalf("redis unreachable: %v", err)
					}
					t.Skipf("redis unreachable (set GOJANGO_TEST_REDIS_URL): %v", err)
				}
			}
			e.h = cache.Page(e.timeout(), e.ServeHTTP, popts...)
			f(t, e)
		})
	}
}

// Within the stale-while-revalidate window an expired page is served at
// once to every request, while exactly one background render refreshes
// it; then the fresh page is served; Django's own entry expired on time.
func TestStaleWhileRevalidateServesStaleAndRefreshesOnce(t *testing.T) {
	eachStaleBackend(t, func(e *staleEnv) []cache.PageOption {
		return []cache.PageOption{cache.StaleWhileRevalidate(e.span(30))}
	}, func(t *testing.T, e *staleEnv) {
		do(e.h, "GET", url)
		e.advance(int(e.timeout()) + 1) // expired, inside the window
		if _, ok := cache.GetCacheKey(context.Background(), mustReq("GET", url), cache.Default(), "", "GET", cache.I18N{}); ok {
			t.Fatal("Django's header-list entry outlived its timeout: a Django process would serve stale pages")
		}
		// The refresh render waits until every stale request is answered,
		// so that none of them can be served the refreshed page.
		release := make(chan struct{})
		e.setAnswer(func(w http.ResponseWriter, n int32) {
			<-release
			okAnswer(w, n)
		})
		const n = 200
		var wg sync.WaitGroup
		bad := make(chan string, 2*n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := do(e.h, "GET", url)
				if w.Code != 200 || w.Body.String() != "render 1" {
					bad <- fmt.Sprintf("%d %q", w.Code, w.Body.String())
				}
				if age := w.Header().Get("Age"); age == "" || age == "0" {
					bad <- "stale page without an honest Age: " + age
				}
			}()
		}
		wg.Wait()
		close(release)
		close(bad)
		for b := range bad {
			t.Fatalf("a request during the window got %s; want the stale page", b)
		}
		e.waitRefreshes()
		if got := e.calls.Load(); got != 2 {
			t.Fatalf("%d view calls; want 2 (one refresh for %d stale hits)", got, n)
		}
		if w := do(e.h, "GET", url); w.Body.String() != "render 2" {
			t.Fatalf("after the refresh: %q; want the fresh page", w.Body.String())
		}
		if e.calls.Load() != 2 {
			t.Fatal("the refreshed page was not stored")
		}
	})
}

// After the window the stale page is never served.
func TestNoStalePageAfterTheWindow(t *testing.T) {
	eachStaleBackend(t, func(*staleEnv) []cache.PageOption { return []cache.PageOption{cache.StaleWhileRevalidate(1)} }, func(t *testing.T, e *staleEnv) {
		do(e.h, "GET", url)
		e.advance(int(e.timeout()) + 2)
		if w := do(e.h, "GET", url); w.Body.String() != "render 2" {
			t.Fatalf("after the window: %q; want a fresh render", w.Body.String())
		}
	})
}

// A refresh that cannot be stored (the page turned private) replaces
// nothing and drops the stale copy.
func TestUnstorableRefreshDropsStaleCopy(t *testing.T) {
	eachStaleBackend(t, func(e *staleEnv) []cache.PageOption {
		return []cache.PageOption{cache.StaleWhileRevalidate(e.span(30))}
	}, func(t *testing.T, e *staleEnv) {
		do(e.h, "GET", url)
		e.setAnswer(func(w http.ResponseWriter, n int32) {
			w.Header().Set("Cache-Control", "private")
			fmt.Fprintf(w, "private %d", n)
		})
		e.advance(int(e.timeout()) + 1)
		if w := do(e.h, "GET", url); w.Body.String() != "render 1" {
			t.Fatalf("first request after expiry: %q; want the stale page", w.Body.String())
		}
		e.waitRefreshes()
		if w := do(e.h, "GET", url); !strings.HasPrefix(w.Body.String(), "private ") {
			t.Fatalf("after a private refresh: %q; want a fresh render, not the stale copy", w.Body.String())
		}
	})
}

// Within the stale-if-error window a view that answers 5xx or panics is
// replaced by the stale page; outside it the error goes through.
func TestStaleIfErrorServesStaleThroughFailures(t *testing.T) {
	eachStaleBackend(t, func(e *staleEnv) []cache.PageOption { return []cache.PageOption{cache.StaleIfError(e.span(60))} }, func(t *testing.T, e *staleEnv) {
		do(e.h, "GET", url)
		e.advance(int(e.timeout()) + 1)
		e.setAnswer(func(w http.ResponseWriter, n int32) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "upstream down")
		})
		if w := do(e.h, "GET", url); w.Code != 200 || w.Body.String() != "render 1" {
			t.Fatalf("5xx inside the window: %d %q; want the stale page", w.Code, w.Body.String())
		}
		e.setAnswer(func(w http.ResponseWriter, n int32) { panic("database gone") })
		if w := do(e.h, "GET", url); w.Code != 200 || w.Body.String() != "render 1" {
			t.Fatalf("panic inside the window: %d %q; want the stale page", w.Code, w.Body.String())
		}
		e.setAnswer(func(w http.ResponseWriter, n int32) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "down")
		})
		e.advance(e.span(60) + 1)
		if w := do(e.h, "GET", url); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("5xx after the window: %d %q; want the error", w.Code, w.Body.String())
		}
	})
}

// A view's own Cache-Control stale-while-revalidate=N is honoured without
// a page option.
func TestResponseStaleWhileRevalidateDirective(t *testing.T) {
	eachStaleBackend(t, nil, func(t *testing.T, e *staleEnv) {
		e.setAnswer(func(w http.ResponseWriter, n int32) {
			w.Header().Set("Cache-Control", fmt.Sprintf("stale-while-revalidate=%d", e.span(30)))
			fmt.Fprintf(w, "render %d", n)
		})
		do(e.h, "GET", url)
		e.advance(int(e.timeout()) + 1)
		if w := do(e.h, "GET", url); w.Body.String() != "render 1" {
			t.Fatalf("inside the directive's window: %q; want the stale page", w.Body.String())
		}
		e.waitRefreshes()
	})
}

func mustReq(method, target string) *http.Request {
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		panic(err)
	}
	return r
}
