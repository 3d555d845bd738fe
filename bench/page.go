package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/db"
	"gojango/framework/management"
	"gojango/framework/middleware"
	"gojango/framework/settings"
)

// The page everybody serves: an html/template over 100 rows, about 2 KB.
var rowsTmpl = template.Must(template.New("rows").Parse(`<!doctype html>
<html><head><title>Rows</title></head><body><ul>
{{range .}}<li>{{.ID}} {{.Name}}</li>
{{end}}</ul></body></html>
`))

type row struct {
	ID   int
	Name string
}

var rows = func() []row {
	rs := make([]row, 100)
	for i := range rs {
		rs[i] = row{ID: i + 1, Name: fmt.Sprintf("row-%03d", i+1)}
	}
	return rs
}()

// rowsView renders the template on every call (the uncached view doing
// real work) and counts its calls.
func rowsView(calls *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := rowsTmpl.Execute(w, rows); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
}

// plainHandler writes the rendered page from memory: the limit a cache hit
// can approach.
func plainHandler(body []byte) http.HandlerFunc {
	cl := strconv.Itoa(len(body))
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", cl)
		_, _ = w.Write(body)
	}
}

// plainWithHeaders writes body with the header set h (a cache hit's
// headers, captured from one), so that the response on the wire is the
// same as a hit's: the cost of the page cache's own work, apart from its
// extra headers.
func plainWithHeaders(body []byte, h http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		wh := w.Header()
		for k, vs := range h {
			wh[k] = vs
		}
		_, _ = w.Write(body)
	}
}

// hitHeaders returns the headers of a cache.Page hit on the page (Date
// left out: net/http adds it to every response).
func hitHeaders() (http.Header, error) {
	var calls atomic.Int64
	srv, err := serve(cache.Page(600, rowsView(&calls), cache.Using("locmem")))
	if err != nil {
		return nil, err
	}
	defer srv.close()
	c, tr := newClient()
	defer tr.CloseIdleConnections()
	var h http.Header
	for range 2 {
		resp, err := c.Get(srv.url + "/headers/")
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		h = resp.Header
	}
	if calls.Load() != 1 {
		return nil, errors.New("capturing a hit's headers: the page was not stored")
	}
	h = h.Clone()
	h.Del("Date")
	return h, nil
}

// redisTestURL is GOJANGO_TEST_REDIS_URL (default redis://127.0.0.1:6379/0)
// on database 12, the benchmark's own.
func redisTestURL() (string, error) {
	raw := os.Getenv("GOJANGO_TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("GOJANGO_TEST_REDIS_URL %q: %w", raw, err)
	}
	if u.Scheme == "unix" {
		q := u.Query()
		q.Set("db", "12")
		u.RawQuery = q.Encode()
	} else {
		u.Path = "/12"
	}
	return u.String(), nil
}

func cacheConfig(backend, location string, maxEntries int, opts map[string]any) settings.Cache {
	if opts == nil {
		opts = map[string]any{}
	}
	c := settings.Cache{Backend: backend, Location: location, Timeout: 300, MaxEntries: maxEntries,
		CullFrequency: 3, Options: opts, Version: 1}
	if location != "" {
		c.Locations = []string{location}
	}
	return c
}

// pageSettings has the aliases the page figures use: locmem, db (SQLite in
// dir) and, when redisURL is set, redis.
func pageSettings(dir, redisURL string) *settings.Settings {
	s := settings.Default()
	s.BaseDir = dir
	s.AllowedHosts = []string{"127.0.0.1"}
	s.Databases["bench"] = settings.Database{Engine: "sqlite3", Name: filepath.Join(dir, "page.sqlite3"), Options: map[string]any{}}
	s.Caches = map[string]settings.Cache{
		"default": cacheConfig("locmem", "bench-default", 1_000_000, nil),
		"locmem":  cacheConfig("locmem", "bench-page", 1_000_000, nil),
		"db":      cacheConfig("db", "bench_page_cache", 1_000_000, map[string]any{"DATABASE": "bench"}),
	}
	if redisURL != "" {
		s.Caches["redis"] = cacheConfig("redis", redisURL, 1_000_000, nil)
	}
	return s
}

// perSite builds the per-site middleware pair (MIDDLEWARE = Update, Fetch)
// on alias around view.
func perSite(base *settings.Settings, alias string, view http.Handler) (http.Handler, error) {
	s := *base
	s.CacheMiddlewareAlias = alias
	s.Middleware = []string{"django.middleware.cache.UpdateCacheMiddleware", "django.middleware.cache.FetchFromCacheMiddleware"}
	chain, err := middleware.Chain(&s, middleware.Builtin())
	if err != nil {
		return nil, err
	}
	return chain(view), nil
}

// fullStack is what runserver serves: request log (to io.Discard here),
// ALLOWED_HOSTS, then MIDDLEWARE = Update, ConditionalGet, Fetch.
func fullStack(base *settings.Settings, alias string, view http.Handler) (http.Handler, error) {
	s := *base
	s.CacheMiddlewareAlias = alias
	s.Middleware = []string{"django.middleware.cache.UpdateCacheMiddleware", "django.middleware.http.ConditionalGetMiddleware", "django.middleware.cache.FetchFromCacheMiddleware"}
	p := management.Project{URLConf: func(*settings.Settings) (http.Handler, error) { return view, nil }}
	return management.Handler(&s, p, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
}

type pageVariant struct {
	id, name string
	cached   bool
	handler  func(calls *atomic.Int64) (http.Handler, error)
	skip     string // why the row is not measured
}

// runPage measures the page cache over loopback at 16 and 64 clients (or
// at -clients when given).
func runPage(ctx context.Context, cfg config, rep *report) error {
	counts := []int{16, 64}
	if cfg.clientsSet {
		counts = []int{cfg.clients}
	}
	for _, n := range counts {
		c := cfg
		c.clients = n
		if err := runPageAt(ctx, c, rep); err != nil {
			return err
		}
	}
	return nil
}

func runPageAt(ctx context.Context, cfg config, rep *report) error {
	dir, err := os.MkdirTemp("", "gojango-bench-page-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	var body bytes.Buffer
	if err := rowsTmpl.Execute(&body, rows); err != nil {
		return err
	}

	redisURL, err := redisTestURL()
	if err != nil {
		return err
	}
	redisSkip := ""
	{
		h, err := cache.NewHandler(pageSettings(dir, redisURL))
		if err != nil {
			return err
		}
		c, _ := h.Cache("redis")
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		if _, err := c.HasKey(pctx, "bench-ping"); err != nil {
			redisSkip = fmt.Sprintf("skipped: Redis at %s unreachable (set GOJANGO_TEST_REDIS_URL): %v", redisURL, err)
			redisURL = ""
		}
		cancel()
		_ = h.CloseAll()
	}

	s := pageSettings(dir, redisURL)
	if err := cache.Setup(s); err != nil {
		return err
	}
	defer cache.Close()
	dbc, err := cache.Lookup("db")
	if err != nil {
		return err
	}
	st, err := dbc.Store()
	if err != nil {
		return err
	}
	if _, _, err := st.(*db.Store).CreateTable(ctx, false); err != nil {
		return err
	}
	if redisURL != "" {
		if err := cache.Caches("redis").Clear(ctx); err != nil {
			return err
		}
		defer cache.Caches("redis").Clear(context.Background()) //nolint:errcheck
	}

	hh, err := hitHeaders()
	if err != nil {
		return err
	}
	variants := []pageVariant{
		{id: "a", name: "plain net/http handler, bytes from memory (the limit)", handler: func(*atomic.Int64) (http.Handler, error) {
			return plainHandler(body.Bytes()), nil
		}},
		{id: "a2", name: "plain handler writing a hit's headers too (" + strings.Join(slices.Sorted(maps.Keys(hh)), ", ") + ")", handler: func(*atomic.Int64) (http.Handler, error) {
			return plainWithHeaders(body.Bytes(), hh), nil
		}},
		{id: "b", name: "cache.Page on locmem", cached: true, handler: func(calls *atomic.Int64) (http.Handler, error) {
			return cache.Page(600, rowsView(calls), cache.Using("locmem")), nil
		}},
		{id: "c", name: "per-site middleware (Update + Fetch) on locmem", cached: true, handler: func(calls *atomic.Int64) (http.Handler, error) {
			return perSite(s, "locmem", rowsView(calls))
		}},
		{id: "c+", name: "management.Handler: request log, ALLOWED_HOSTS, Update + ConditionalGet + Fetch on locmem", cached: true, handler: func(calls *atomic.Int64) (http.Handler, error) {
			return fullStack(s, "locmem", rowsView(calls))
		}},
		{id: "d", name: "per-site middleware on redis (db 12)", cached: true, skip: redisSkip, handler: func(calls *atomic.Int64) (http.Handler, error) {
			return perSite(s, "redis", rowsView(calls))
		}},
		{id: "e", name: "per-site middleware on db (SQLite, WAL)", cached: true, handler: func(calls *atomic.Int64) (http.Handler, error) {
			return perSite(s, "db", rowsView(calls))
		}},
		{id: "f", name: "uncached view: html/template over 100 rows", handler: func(calls *atomic.Int64) (http.Handler, error) {
			return rowsView(calls), nil
		}},
	}

	t := rep.table(fmt.Sprintf("Page cache, cache hit: requests/s, %d keep-alive clients, %d-byte body, median of %d round(s)", cfg.clients, body.Len(), cfg.rounds),
		"row", "variant", "requests/s", "min – max", "÷ (a) plain", "CPU µs/request", "(a) CPU ÷ CPU", "allocs/request", "view calls while measured")
	// The variants are measured in turn, cfg.rounds times over, and each
	// figure is the median of its rounds: load from elsewhere that comes
	// and goes then spreads over all rows instead of sinking one.
	type outcome struct {
		rates []float64
		cpus  []float64 // CPU µs per request
		alloc []float64 // heap allocations per request
		calls int64
		err   error
	}
	out := map[string]*outcome{}
	for round := range cfg.rounds {
		for _, v := range variants {
			id := "page/" + v.id
			if !cfg.exact(id) || v.skip != "" {
				continue
			}
			o := out[v.id]
			if o == nil {
				o = &outcome{}
				out[v.id] = o
			}
			if o.err != nil {
				continue
			}
			progress("%s (round %d/%d): %s", id, round+1, cfg.rounds, v.name)
			res, calls, err := measurePage(v, cfg, int64(body.Len()))
			if err != nil {
				o.err = err
				progress("%s: %v", id, err)
				continue
			}
			o.rates = append(o.rates, res.perSec())
			o.cpus = append(o.cpus, float64(res.cpuPerRequest().Nanoseconds())/1e3)
			o.alloc = append(o.alloc, res.allocsPerRequest())
			o.calls += calls
		}
	}
	// roundRates keeps each row's rate per round, before the sort below
	// (median sorts in place), for the goals' per-round ratios.
	roundRates := map[string][]float64{}
	for id, o := range out {
		roundRates[id] = slices.Clone(o.rates)
	}
	rate := map[string]float64{}
	cpu := map[string]float64{}
	for _, v := range variants {
		if !cfg.exact("page/" + v.id) {
			continue
		}
		if v.skip != "" {
			t.add(v.id, v.name, v.skip)
			continue
		}
		o := out[v.id]
		if o.err != nil {
			t.add(v.id, v.name, "error: "+o.err.Error())
			continue
		}
		med := median(o.rates)
		rate[v.id] = med
		cpu[v.id] = median(o.cpus)
		ratio, cpuRatio := "", ""
		if a, ok := rate["a"]; ok && v.id != "a" {
			ratio = fmtRatio(med / a)
			cpuRatio = fmtRatio(cpu["a"] / cpu[v.id])
		}
		callCol := "-"
		if v.cached {
			callCol = groupThousands(o.calls)
		}
		t.add(v.id, v.name, fmtRate(med), fmtRate(slices.Min(o.rates))+" – "+fmtRate(slices.Max(o.rates)), ratio,
			fmt.Sprintf("%.1f", cpu[v.id]), cpuRatio, fmt.Sprintf("%.1f", median(o.alloc)), callCol)
	}
	if b, ok := rate["b"]; ok {
		if f, ok := rate["f"]; ok {
			t.note("(b) ÷ (f), cache.Page hit against rendering the page: %s", fmtRatio(b/f))
		}
		if a2, ok := rate["a2"]; ok {
			t.note("(b) ÷ (a2), cache.Page against a plain handler sending the same headers: %s requests/s, %s CPU", fmtRatio(b/a2), fmtRatio(cpu["a2"]/cpu["b"]))
		}
	}
	t.note("One process: the %d client goroutines and the server share the machine's CPUs, so the plain handler's figure is the loopback limit of this setup, not of the server alone.", cfg.clients)
	t.note("CPU µs/request is the process's CPU time (user + system, client and server together) over the measured window divided by the requests: unlike requests/s it does not move when other programs take CPU from the benchmark, so its ratio is the steadier one on a shared machine. allocs/request is the same for heap allocations (runtime.MemStats.Mallocs); the client's share is the same on every row.")
	t.note("Each round measures every row for %s after %s of warm-up. Each cached page was requested twice before measuring (stored, then served); \"view calls while measured\" must be 0 for cached rows.", cfg.duration, min(time.Second, cfg.duration/4))
	pageGoal(rep, rate, roundRates, "b", fmt.Sprintf("cache.Page hit ≥ 0.95 × plain handler sending the same bytes (a2), %d clients", cfg.clients))
	pageGoal(rep, rate, roundRates, "c", fmt.Sprintf("per-site hit ≥ 0.95 × plain handler sending the same bytes (a2), %d clients", cfg.clients))
	return nil
}

// pairedRatio is the median over rounds of x's rate ÷ ref's rate in the
// same round: rows measured one after the other share the machine's
// state, so a burst of load from elsewhere that sinks one round sinks
// both of its figures and leaves the ratio. ok is false unless both rows
// have every round.
func pairedRatio(x, ref []float64) (float64, bool) {
	if len(x) == 0 || len(x) != len(ref) {
		return 0, false
	}
	rs := make([]float64, len(x))
	for i := range x {
		rs[i] = x[i] / ref[i]
	}
	return median(rs), true
}

// pageGoal is the loopback goal of row id: its requests/s against (a2), the
// plain handler that sends the same response, headers included, as the
// in-process goal compares with the plain handler writing the same bytes.
// The headers a hit carries are Django's (Expires, Cache-Control, and Age
// since Django 5.1), so the cost of sending them is not the page cache's;
// the line also gives the ratio to (a), which sends none of them.
func pageGoal(rep *report, rate map[string]float64, rounds map[string][]float64, id, text string) {
	a2, okA2 := rate["a2"]
	x, okX := rate[id]
	if !okA2 || !okX {
		rep.skipped(text, "not measured")
		return
	}
	r, paired := pairedRatio(rounds[id], rounds["a2"])
	how := "median of the rounds' ratios"
	if !paired {
		r, how = x/a2, "ratio of the medians"
	}
	vsA := ""
	if a, ok := rate["a"]; ok {
		vsA = fmt.Sprintf("; %s of (a), which sends no cache headers", fmtRatio(x/a))
	}
	rep.goal(text, fmt.Sprintf("%s, %s (medians %s vs %s req/s%s)", fmtRatio(r), how, fmtRate(x), fmtRate(a2), vsA), r >= 0.95)
}

// measurePage serves the variant, warms it (two requests: the first stores
// the page, the second must be a hit) and runs the load; it returns the
// view calls made while measuring.
func measurePage(v pageVariant, cfg config, wantLen int64) (loadResult, int64, error) {
	var calls atomic.Int64
	h, err := v.handler(&calls)
	if err != nil {
		return loadResult{}, 0, err
	}
	srv, err := serve(h)
	if err != nil {
		return loadResult{}, 0, err
	}
	defer srv.close()
	c, tr := newClient()
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodGet, srv.url+"/rows/", nil)
	if err != nil {
		return loadResult{}, 0, err
	}
	for range 2 {
		status, n, err := get(c, req)
		if err != nil {
			return loadResult{}, 0, err
		}
		if status != http.StatusOK || n != wantLen {
			return loadResult{}, 0, fmt.Errorf("warm-up: status %d, %d bytes", status, n)
		}
	}
	if v.cached && calls.Load() != 1 {
		return loadResult{}, 0, fmt.Errorf("warm-up: the view ran %d times for two requests: the page was not stored", calls.Load())
	}
	before := calls.Load()
	warm := min(time.Second, cfg.duration/4)
	res, err := load(srv.url+"/rows/", cfg.clients, warm, cfg.duration, wantLen)
	if err != nil {
		return loadResult{}, 0, err
	}
	made := calls.Load() - before
	if v.cached && made != 0 {
		return res, made, errors.New("the view ran while measuring cache hits")
	}
	return res, made, nil
}

// median of xs (sorted in place).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
