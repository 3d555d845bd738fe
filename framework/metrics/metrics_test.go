package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	_ "gojango/framework/cache/backends/redis"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/management"
	"gojango/framework/metrics"
	"gojango/framework/settings"
	"gojango/framework/templates"
	"gojango/framework/views"
)

// failingStore fails every operation: the backend of a page whose cache is
// down on an alias that does not fail open.
type failingStore struct{}

var errDown = errors.New("backend down (test)")

func (failingStore) Get(context.Context, string) ([]byte, bool, error)    { return nil, false, errDown }
func (failingStore) Set(context.Context, string, []byte, time.Time) error { return errDown }
func (failingStore) Add(context.Context, string, []byte, time.Time) (bool, error) {
	return false, errDown
}
func (failingStore) Touch(context.Context, string, time.Time) (bool, error) { return false, errDown }
func (failingStore) Delete(context.Context, string) (bool, error)           { return false, errDown }
func (failingStore) Has(context.Context, string) (bool, error)              { return false, errDown }
func (failingStore) Incr(context.Context, string, int64) (int64, error)     { return 0, errDown }
func (failingStore) Clear(context.Context) error                            { return errDown }
func (failingStore) Close() error                                           { return nil }

var registerFailing sync.Once

// scrape GETs url and returns every sample as "name{label="value",...}"
// (labels sorted) -> value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape %s: %d %s", url, resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape %s: parse: %v", url, err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(ls)
			key := name + "{" + strings.Join(ls, ",") + "}"
			switch {
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Histogram != nil:
				out[name+"_count{"+strings.Join(ls, ",")+"}"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// TestMetricsEndpointAfterScriptedSequence runs the project handler with
// METRICS = true over locmem, a locmem alias that culls, a failing
// backend and a Redis the test starts and kills, drives hits, misses,
// every bypass reason, a stale page, a stampede wait, fragment hits and a
// fail-open outage, then scrapes /metrics and checks every counter.
func TestMetricsEndpointAfterScriptedSequence(t *testing.T) {
	redisSrv := redistest.Start(t)
	registerFailing.Do(func() {
		cache.Register("metricstest-failing", func(cache.Params) (cache.Store, error) { return failingStore{}, nil })
	})
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "templates", "frag.html"),
		[]byte(`{% load cache %}{% cache 60 metricstest_sidebar %}sidebar{% endcache %}`), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := settings.Parse(filepath.Join(dir, "settings.toml"), []byte(fmt.Sprintf(`
DEBUG = true
ALLOWED_HOSTS = ["127.0.0.1"]
METRICS = true
[[TEMPLATES]]
BACKEND = "django.template.backends.django.DjangoTemplates"
DIRS = ["templates"]
[CACHES.default]
BACKEND = "locmem"
LOCATION = "metrics-default"
[CACHES.small]
BACKEND = "locmem"
LOCATION = "metrics-small"
[CACHES.small.OPTIONS]
MAX_ENTRIES = 2
CULL_FREQUENCY = 2
[CACHES.data]
BACKEND = "locmem"
LOCATION = "metrics-data"
[CACHES.down]
BACKEND = "metricstest-failing"
[CACHES.redis]
BACKEND = "redis"
LOCATION = %q
[CACHES.redis.OPTIONS]
IGNORE_EXCEPTIONS = true
`, redisSrv.URL(0))))
	if err != nil {
		t.Fatal(err)
	}
	// One clock for the aliases and the pages: the fail-open rest and the
	// stale window are crossed by moving it, not by sleeping.
	var nowNs atomic.Int64
	nowNs.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, nowNs.Load()) }
	if err := cache.Setup(s, cache.WithClock(now), cache.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	engine, err := templates.New(s)
	if err != nil {
		t.Fatal(err)
	}

	text := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) }
	}
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	urls := func(*settings.Settings) (http.Handler, error) {
		r := chi.NewRouter()
		page := func(v http.HandlerFunc, opts ...cache.PageOption) http.HandlerFunc {
			return cache.Page(60, v, append([]cache.PageOption{cache.WithPageClock(now)}, opts...)...)
		}
		r.HandleFunc("/hit/", page(text("hello")))
		r.Get("/status/", page(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) }))
		r.Get("/private/", page(views.CacheControl(text("mine"), views.Private)))
		r.Get("/nostore/", page(views.CacheControl(text("x"), views.NoStore)))
		r.Get("/nocache/", page(views.CacheControl(text("x"), views.NoCache)))
		r.Get("/cookie/", page(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1"})
			w.Header().Set("Vary", "Cookie")
			_, _ = io.WriteString(w, "x")
		}))
		r.Get("/varystar/", page(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "*")
			_, _ = io.WriteString(w, "x")
		}))
		r.Get("/maxage0/", cache.Page(cache.DefaultTimeout, views.CacheControl(text("x"), views.MaxAge(0))))
		r.Get("/large/", page(text(strings.Repeat("x", 64)), cache.MaxBody(16)))
		r.Get("/down/", page(text("x"), cache.Using("down")))
		r.Get("/stale/{id}/", cache.Page(1, text("fresh"), cache.WithPageClock(now), cache.StaleWhileRevalidate(60)))
		r.Get("/slow/", page(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-release
			_, _ = io.WriteString(w, "slow")
		}))
		r.Get("/frag/", func(w http.ResponseWriter, r *http.Request) { _ = engine.Render(w, r, "frag.html", nil) })
		return r, nil
	}
	h, err := management.Handler(s, management.Project{URLConf: urls}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if m := metrics.Current(); m != nil {
			m.Stop()
		}
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	before := scrape(t, srv.URL+"/metrics")

	do := func(method, path, wantXCache string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("X-Cache"); got != wantXCache {
			t.Fatalf("%s %s: X-Cache = %q, want %q", method, path, got, wantXCache)
		}
	}
	// Hits and misses, then one request for every bypass reason.
	do("GET", "/hit/", "miss")
	do("GET", "/hit/", "hit")
	do("GET", "/hit/", "hit")
	do("POST", "/hit/", "bypass; reason=method")
	do("GET", "/status/", "bypass; reason=status")
	do("GET", "/private/", "bypass; reason=private")
	do("GET", "/nostore/", "bypass; reason=no-store")
	do("GET", "/nocache/", "bypass; reason=no-cache")
	do("GET", "/cookie/", "bypass; reason=set-cookie")
	do("GET", "/varystar/", "bypass; reason=vary-star")
	do("GET", "/maxage0/", "bypass; reason=max-age-0")
	do("GET", "/large/", "bypass; reason=body-too-large")
	do("GET", "/down/", "error; reason=backend-error")
	// A stale page: stored for 1 s with a 60 s stale-while-revalidate
	// window, then served stale 2 s later while one refresh stores it anew.
	do("GET", "/stale/1/", "miss")
	nowNs.Add(int64(2 * time.Second))
	do("GET", "/stale/1/", "stale")
	waitFor(t, "the background refresh stores the page", func() bool {
		return routeStats("/stale/{id}/").Stores >= 2+statsBefore(before, "/stale/{id}/")
	})
	// A stampede wait: the second request for a cold slow page waits for
	// the first one's render and is served what it stored.
	done := make(chan struct{})
	go func() { defer close(done); do("GET", "/slow/", "miss") }()
	<-entered
	waited := make(chan struct{})
	go func() { defer close(waited); do("GET", "/slow/", "hit") }()
	time.Sleep(200 * time.Millisecond) // the second request joins the render
	close(release)
	<-done
	<-waited
	// A fragment: rendered once, then read from the cache.
	do("GET", "/frag/", "")
	do("GET", "/frag/", "")

	ctx := context.Background()
	// A cull: three entries into an alias that keeps two.
	small := cache.Caches("small")
	for _, k := range []string{"a", "b", "c"} {
		if err := small.Set(ctx, k, k, 60); err != nil {
			t.Fatal(err)
		}
	}
	// The data API on an alias of its own (the page cache's own reads and
	// writes count on default): add, incr, touch, delete.
	def := cache.Caches("data")
	if _, err := def.Add(ctx, "n", 1, 60); err != nil {
		t.Fatal(err)
	}
	if _, err := def.Incr(ctx, "n", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := def.Touch(ctx, "n", 60); err != nil {
		t.Fatal(err)
	}
	if _, err := def.Delete(ctx, "n"); err != nil {
		t.Fatal(err)
	}
	// A fail-open outage: a set and a hit, the server killed, a get that
	// fails (logged, a miss), a get while the alias rests (skipped), the
	// rest over: a get that fails again.
	rc := cache.Caches("redis")
	if err := rc.Set(ctx, "k", "v", 60); err != nil {
		t.Fatal(err)
	}
	var v string
	if ok, err := rc.Get(ctx, "k", &v); err != nil || !ok {
		t.Fatalf("redis get before the outage: %v %v", ok, err)
	}
	redisSrv.Kill()
	for i := range 3 {
		if i == 2 {
			nowNs.Add(int64(cache.FailOpenCooldown + time.Millisecond))
		}
		ok, err := rc.Get(ctx, "k", &v)
		if err != nil || ok {
			t.Fatalf("redis get %d during the outage = %v, %v; want a miss without error (IGNORE_EXCEPTIONS)", i, ok, err)
		}
	}

	after := scrape(t, srv.URL+"/metrics")
	route := func(name, route string, extra ...string) string {
		ls := append([]string{`alias="default"`, `layer="view"`, fmt.Sprintf("route=%q", route)}, extra...)
		sort.Strings(ls)
		return name + "{" + strings.Join(ls, ",") + "}"
	}
	alias := func(name, alias, backend string, extra ...string) string {
		ls := append([]string{fmt.Sprintf("alias=%q", alias), fmt.Sprintf("backend=%q", backend)}, extra...)
		sort.Strings(ls)
		return name + "{" + strings.Join(ls, ",") + "}"
	}
	bypass := func(path, reason string) string {
		return route("gojango_page_cache_bypasses_total", path, fmt.Sprintf("reason=%q", reason))
	}
	tests := []struct {
		sample string
		want   float64
		delta  bool // page routes and fragments are per process: compare with before
	}{
		{route("gojango_page_cache_misses_total", "/hit/"), 1, true},
		{route("gojango_page_cache_hits_total", "/hit/"), 2, true},
		{route("gojango_page_cache_stores_total", "/hit/"), 1, true},
		{bypass("/hit/", "method"), 1, true},
		{bypass("/status/", "status"), 1, true},
		{bypass("/private/", "private"), 1, true},
		{bypass("/nostore/", "no-store"), 1, true},
		{bypass("/nocache/", "no-cache"), 1, true},
		{bypass("/cookie/", "set-cookie"), 1, true},
		{bypass("/varystar/", "vary-star"), 1, true},
		{bypass("/maxage0/", "max-age-0"), 1, true},
		{bypass("/large/", "body-too-large"), 1, true},
		{strings.Replace(bypass("/down/", "backend-error"), `alias="default"`, `alias="down"`, 1), 1, true},
		{route("gojango_page_cache_misses_total", "/private/"), 1, true},
		{route("gojango_page_cache_stores_total", "/private/"), 0, true},
		{route("gojango_page_cache_stale_total", "/stale/{id}/"), 1, true},
		{route("gojango_page_cache_stores_total", "/stale/{id}/"), 2, true},
		{route("gojango_page_cache_stampede_waits_total", "/slow/"), 1, true},
		{route("gojango_page_cache_misses_total", "/slow/"), 1, true},
		{route("gojango_page_cache_hits_total", "/slow/"), 1, true},
		{route("gojango_page_cache_stampede_wait_seconds_count", "/slow/"), 1, true},
		{`gojango_template_fragment_gets_total{fragment="metricstest_sidebar",result="miss"}`, 1, true},
		{`gojango_template_fragment_gets_total{fragment="metricstest_sidebar",result="hit"}`, 1, true},
		{alias("gojango_cache_evictions_total", "small", "locmem"), 1, false},
		{alias("gojango_cache_sets_total", "small", "locmem"), 3, false},
		{alias("gojango_cache_adds_total", "data", "locmem"), 1, false},
		{alias("gojango_cache_incrs_total", "data", "locmem"), 1, false},
		{alias("gojango_cache_touches_total", "data", "locmem"), 1, false},
		{alias("gojango_cache_deletes_total", "data", "locmem"), 1, false},
		{alias("gojango_cache_errors_total", "down", "metricstest-failing", `op="get"`), 1, false},
		{alias("gojango_cache_gets_total", "redis", "redis", `result="hit"`), 1, false},
		{alias("gojango_cache_gets_total", "redis", "redis", `result="miss"`), 2, false},
		{alias("gojango_cache_sets_total", "redis", "redis"), 1, false},
		{alias("gojango_cache_errors_total", "redis", "redis", `op="get"`), 2, false},
		{alias("gojango_cache_fail_open_skips_total", "redis", "redis"), 1, false},
	}
	for _, tt := range tests {
		got, ok := after[tt.sample]
		if !ok {
			if tt.want == 0 {
				continue
			}
			t.Errorf("%s: not in the scrape", tt.sample)
			continue
		}
		if tt.delta {
			got -= before[tt.sample]
		}
		if got != tt.want {
			t.Errorf("%s = %v, want %v", tt.sample, got, tt.want)
		}
	}
	if t.Failed() {
		var keys []string
		for k := range after {
			if strings.HasPrefix(k, "gojango_") {
				keys = append(keys, fmt.Sprintf("%s %v", k, after[k]))
			}
		}
		sort.Strings(keys)
		t.Logf("scrape:\n%s", strings.Join(keys, "\n"))
	}
	// The default alias's page reads and writes are counted and sampled.
	if after[alias("gojango_cache_gets_total", "default", "locmem", `result="hit"`)] < 3 {
		t.Errorf("default alias hits = %v, want the page hits among them", after[alias("gojango_cache_gets_total", "default", "locmem", `result="hit"`)])
	}
}

// routeStats returns the view-layer counters of route on "default".
func routeStats(route string) cache.PageRouteStats {
	for _, r := range cache.PageRoutes() {
		if r.Route == route && r.Layer == "view" && r.Alias == "default" {
			return r
		}
	}
	return cache.PageRouteStats{}
}

// statsBefore is the stores counter of route in an earlier scrape.
func statsBefore(scraped map[string]float64, route string) uint64 {
	return uint64(scraped[fmt.Sprintf(`gojango_page_cache_stores_total{alias="default",layer="view",route=%q}`, route)])
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
