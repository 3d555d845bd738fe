// Package metrics exposes the cache framework to Prometheus (beyond
// Django, which has no metrics): per alias the gets by result, writes,
// evictions, errors by operation, fail-open skips and a sampled latency
// histogram per operation; per page route (the chi route pattern, never
// the URL) the page cache's hits, misses, stores, stale pages, bypasses by
// reason and stampede waits; per {% cache %} fragment name its hits and
// misses.
//
// Counts are not kept twice: the cache keeps them in its striped counters
// (cache.Cache.Stats, cache.PageRoutes, cache.Fragments) and Metrics reads
// them when Prometheus scrapes. Only durations reach Metrics as they
// happen, through the cache.Observer it implements; operation latencies
// are sampled (one call in Options.SampleEvery, 64 by default).
//
// With METRICS = true in settings.toml, runserver serves them at
// METRICS_URL ("/metrics" by default). An application with its own
// registry registers them there:
//
//	m := metrics.New(metrics.Options{Routes: router})
//	if err := m.Register(prometheus.DefaultRegisterer); err != nil { ... }
//	m.Observe()
package metrics

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gojango/framework/cache"
)

// Options configures Metrics.
type Options struct {
	// Caches returns the cache Handler whose opened aliases are reported;
	// nil means cache.Current.
	Caches func() *cache.Handler
	// Routes is the root router: it names the route of a request the
	// per-site page cache serves before the router has run. Without it
	// those requests count under cache.UnmatchedRoute.
	Routes chi.Routes
	// SampleEvery is how many cache operations share one latency sample
	// (default 64; 1 times every call).
	SampleEvery uint32
	// Buckets are the latency histograms' upper bounds in seconds
	// (default DefaultBuckets).
	Buckets []float64
}

// DefaultBuckets span an in-process hit (microseconds) to a slow network
// round trip (a second).
var DefaultBuckets = []float64{.00001, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

// Metrics is the Prometheus collector of the cache framework and its
// cache.Observer. It is safe for concurrent use.
type Metrics struct {
	opts Options
	ops  *prometheus.HistogramVec // alias, backend, op
	wait *prometheus.HistogramVec // route, layer, alias

	// byCache holds, per *cache.Cache, its op histograms, so a sample
	// costs a lookup by pointer, not by label strings.
	byCache sync.Map // *cache.Cache -> *[cache.NumOps]prometheus.Observer
}

// The counters' descriptions; values are read from the cache at scrape time.
var (
	aliasLabels = []string{"alias", "backend"}
	routeLabels = []string{"route", "layer", "alias"}

	descGets      = prometheus.NewDesc("gojango_cache_gets_total", "Cache reads by result (hit, miss).", append(aliasLabels, "result"), nil)
	descSets      = prometheus.NewDesc("gojango_cache_sets_total", "Values written (set, add that stored, set_many items).", aliasLabels, nil)
	descAdds      = prometheus.NewDesc("gojango_cache_adds_total", "add calls, stored or not.", aliasLabels, nil)
	descDeletes   = prometheus.NewDesc("gojango_cache_deletes_total", "Keys deleted.", aliasLabels, nil)
	descIncrs     = prometheus.NewDesc("gojango_cache_incrs_total", "incr and decr calls.", aliasLabels, nil)
	descTouches   = prometheus.NewDesc("gojango_cache_touches_total", "touch calls.", aliasLabels, nil)
	descEvictions = prometheus.NewDesc("gojango_cache_evictions_total", "Entries culled or evicted to stay under MAX_ENTRIES.", aliasLabels, nil)
	descErrors    = prometheus.NewDesc("gojango_cache_errors_total", "Backend errors by operation (with IGNORE_EXCEPTIONS, the ones swallowed).", append(aliasLabels, "op"), nil)
	descSkips     = prometheus.NewDesc("gojango_cache_fail_open_skips_total", "Calls answered without the backend while it rested after an error (IGNORE_EXCEPTIONS).", aliasLabels, nil)

	descPageHits   = prometheus.NewDesc("gojango_page_cache_hits_total", "Pages served from the cache.", routeLabels, nil)
	descPageMisses = prometheus.NewDesc("gojango_page_cache_misses_total", "Pages looked up and not found (rendered).", routeLabels, nil)
	descPageStores = prometheus.NewDesc("gojango_page_cache_stores_total", "Pages rendered and stored.", routeLabels, nil)
	descPageStale  = prometheus.NewDesc("gojango_page_cache_stale_total", "Expired pages served within a stale-while-revalidate or stale-if-error window.", routeLabels, nil)
	descPageBypass = prometheus.NewDesc("gojango_page_cache_bypasses_total", "Requests not looked up, or responses not stored, by reason.", append(routeLabels, "reason"), nil)
	descPageWaits  = prometheus.NewDesc("gojango_page_cache_stampede_waits_total", "Requests that waited for another request's render of their page.", routeLabels, nil)

	descFragments = prometheus.NewDesc("gojango_template_fragment_gets_total", "{% cache %} fragment reads by fragment name and result (hit, miss).", []string{"fragment", "result"}, nil)
)

// New returns the collector; Register it on a registry and call Observe
// to start the latency histograms and the page-route counters.
func New(opts Options) *Metrics {
	if opts.Caches == nil {
		opts.Caches = cache.Current
	}
	if opts.SampleEvery == 0 {
		opts.SampleEvery = 64
	}
	if opts.Buckets == nil {
		opts.Buckets = DefaultBuckets
	}
	return &Metrics{
		opts: opts,
		ops: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gojango_cache_operation_duration_seconds",
			Help:    "Duration of cache operations per alias, backend and operation, sampled (see SampleEvery).",
			Buckets: opts.Buckets,
		}, []string{"alias", "backend", "op"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gojango_page_cache_stampede_wait_seconds",
			Help:    "How long page requests waited for another request's render (the stampede lock).",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5},
		}, routeLabels),
	}
}

var current atomic.Pointer[Metrics]

// Observe makes m the cache framework's observer (cache.SetObserver):
// from now on operation latencies are sampled, stampede waits timed and
// page-cache requests counted per route. Current returns m afterwards.
func (m *Metrics) Observe() {
	cache.SetObserver(m, m.opts.SampleEvery)
	current.Store(m)
}

// Current returns the Metrics that last called Observe, or nil.
func Current() *Metrics { return current.Load() }

// Stop ends the observing Observe started, if m is still the observer.
func (m *Metrics) Stop() {
	if current.CompareAndSwap(m, nil) {
		cache.SetObserver(nil, 0)
	}
}

// Register registers m on reg: the application's own registry, or
// prometheus.DefaultRegisterer.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	return reg.Register(m)
}

// Enable is New, Register on a new registry with the Go and process
// collectors, and Observe; it returns m and the handler that serves the
// registry in Prometheus's text format (runserver mounts it at
// METRICS_URL).
func Enable(opts Options) (*Metrics, http.Handler, error) {
	m := New(opts)
	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{m, prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{})} {
		if err := reg.Register(c); err != nil {
			return nil, nil, err
		}
	}
	m.Observe()
	return m, promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: nil}), nil
}

// Describe sends every description of m (prometheus.Collector).
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descGets, descSets, descAdds, descDeletes, descIncrs, descTouches, descEvictions, descErrors, descSkips,
		descPageHits, descPageMisses, descPageStores, descPageStale, descPageBypass, descPageWaits, descFragments} {
		ch <- d
	}
	m.ops.Describe(ch)
	m.wait.Describe(ch)
}

// Collect reads the counters of every opened alias, page route and
// fragment, and sends them with the histograms (prometheus.Collector).
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	if h := m.opts.Caches(); h != nil {
		for _, c := range h.Opened() {
			s := c.Stats()
			a, b := c.Alias(), c.Backend()
			counter(descGets, s.Hits, a, b, "hit")
			counter(descGets, s.Misses, a, b, "miss")
			counter(descSets, s.Sets, a, b)
			counter(descAdds, s.Adds, a, b)
			counter(descDeletes, s.Deletes, a, b)
			counter(descIncrs, s.Incrs, a, b)
			counter(descTouches, s.Touches, a, b)
			counter(descEvictions, s.Evictions, a, b)
			counter(descSkips, s.FailOpenSkips, a, b)
			for op, n := range s.ErrorsByOp {
				if n > 0 {
					counter(descErrors, n, a, b, cache.Op(op).String())
				}
			}
		}
	}
	for _, r := range cache.PageRoutes() {
		l := []string{r.Route, r.Layer, r.Alias}
		counter(descPageHits, r.Hits, l...)
		counter(descPageMisses, r.Misses, l...)
		counter(descPageStores, r.Stores, l...)
		counter(descPageStale, r.Stale, l...)
		counter(descPageWaits, r.StampedeWaits, l...)
		for reason, n := range r.Bypasses {
			if n > 0 {
				counter(descPageBypass, n, r.Route, r.Layer, r.Alias, cache.BypassReason(reason).String())
			}
		}
	}
	for _, f := range cache.Fragments() {
		counter(descFragments, f.Hits, f.Name, "hit")
		counter(descFragments, f.Misses, f.Name, "miss")
	}
	m.ops.Collect(ch)
	m.wait.Collect(ch)
}

// ObserveOp records one sampled operation's duration (cache.Observer).
func (m *Metrics) ObserveOp(c *cache.Cache, op cache.Op, d time.Duration) {
	obs, ok := m.byCache.Load(c)
	if !ok {
		var arr [cache.NumOps]prometheus.Observer
		for i := range arr {
			arr[i] = m.ops.WithLabelValues(c.Alias(), c.Backend(), cache.Op(i).String())
		}
		obs, _ = m.byCache.LoadOrStore(c, &arr)
	}
	obs.(*[cache.NumOps]prometheus.Observer)[op].Observe(d.Seconds())
}

// ObserveWait records a stampede wait (cache.Observer).
func (m *Metrics) ObserveWait(r cache.PageRoute, d time.Duration, _ bool) {
	m.wait.WithLabelValues(r.Route, r.Layer, r.Alias).Observe(d.Seconds())
}

// PageRoute returns r's route pattern from Options.Routes (cache.Observer):
// "" when there is no router or no route matches. A HEAD request is
// matched as a GET when its route has no HEAD of its own.
func (m *Metrics) PageRoute(r *http.Request) string {
	if m.opts.Routes == nil {
		return ""
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	p := m.opts.Routes.Find(chi.NewRouteContext(), r.Method, path)
	if p == "" && r.Method == http.MethodHead {
		p = m.opts.Routes.Find(chi.NewRouteContext(), http.MethodGet, path)
	}
	return p
}

var _ cache.Observer = (*Metrics)(nil)
