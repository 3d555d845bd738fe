package cache

import (
	"hash/maphash"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
)

// The page cache's counters per route (beyond Django), kept while an
// Observer is set and read by it at scrape time (PageRoutes). A route is
// the chi route pattern ("/articles/{id}/"), never the raw URL, so there
// are as many series as routes. A hit finds its route's counters through
// the decoded page it serves: no lookup by string on that path.

// BypassReason says why the page cache did not store a response, or did
// not look the request up.
type BypassReason uint8

// The reasons, in the order Django's middleware checks them.
const (
	BypassNone         BypassReason = iota
	BypassMethod                    // not GET or HEAD: never looked up
	BypassStatus                    // not 200 (a 304 gets the headers but is not stored)
	BypassSetCookie                 // sets a cookie and varies on Cookie
	BypassPrivate                   // Cache-Control: private
	BypassNoCache                   // Cache-Control: no-cache
	BypassNoStore                   // Cache-Control: no-store
	BypassVaryStar                  // Vary: *
	BypassMaxAge0                   // Cache-Control: max-age=0
	BypassTimeout0                  // the page timeout is 0
	BypassBodyTooLarge              // the body passed MaxBody: streamed
	BypassStreaming                 // the view flushed: streamed
	BypassBackendError              // the cache backend failed
	BypassNoAlias                   // the page cache's alias does not exist
	BypassNotLookedUp               // the update side ran without a fetch side
	BypassEmpty                     // the view wrote nothing
	NumBypassReasons   = int(BypassEmpty) + 1
)

var bypassNames = [NumBypassReasons]string{"", "method", "status", "set-cookie", "private", "no-cache", "no-store",
	"vary-star", "max-age-0", "timeout-0", "body-too-large", "streaming", "backend-error", "no-alias", "not-looked-up", "empty"}

// String is the reason as X-Cache and the metrics write it: "private",
// "max-age-0", "set-cookie", ...
func (b BypassReason) String() string {
	if int(b) < NumBypassReasons {
		return bypassNames[b]
	}
	return "unknown"
}

// bypassOf maps notStorable's answer to its reason.
func bypassOf(notStorable string) BypassReason {
	for i, n := range bypassNames {
		if i > 0 && n == notStorable {
			return BypassReason(i)
		}
	}
	return BypassStatus
}

// PageRoute names the series of one route: its chi pattern, the layer
// ("site" for the per-site middleware, "view" for Page and
// PageMiddleware) and the cache alias.
type PageRoute struct {
	Route, Layer, Alias string
}

// PageRouteStats are the page cache's counters for one route.
type PageRouteStats struct {
	PageRoute
	Hits          uint64 // served from the cache
	Misses        uint64 // looked up, not found: rendered (then stored, or bypassed with a reason)
	Stores        uint64 // rendered and stored
	Stale         uint64 // expired pages served within a stale window
	StampedeWaits uint64 // requests that waited for another request's render
	Bypasses      [NumBypassReasons]uint64
}

type pageRouteCounters struct {
	id                          PageRoute
	hits                        striped
	misses, stores, stale, wait atomic.Uint64
	bypass                      [NumBypassReasons]atomic.Uint64
}

var pageRoutes counterRegistry[PageRoute, pageRouteCounters]

func pageRouteFor(id PageRoute) *pageRouteCounters {
	return pageRoutes.get(id, func() *pageRouteCounters { return &pageRouteCounters{id: id} })
}

// PageRoutes returns a snapshot of every route's page-cache counters,
// sorted by route, layer and alias.
func PageRoutes() []PageRouteStats {
	cs := pageRoutes.all()
	out := make([]PageRouteStats, 0, len(cs))
	for _, c := range cs {
		s := PageRouteStats{PageRoute: c.id, Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(),
			Stale: c.stale.Load(), StampedeWaits: c.wait.Load()}
		for i := range c.bypass {
			s.Bypasses[i] = c.bypass[i].Load()
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].PageRoute, out[j].PageRoute
		if a.Route != b.Route {
			return a.Route < b.Route
		}
		if a.Layer != b.Layer {
			return a.Layer < b.Layer
		}
		return a.Alias < b.Alias
	})
	return out
}

// UnmatchedRoute is the route label of a request no route matches.
const UnmatchedRoute = "(unmatched)"

// pageRouteMemo remembers the counters of the routes a page cache served,
// so finding them costs no lookup by string: by the chi patterns of the
// request (compared element by element) for a page cache inside the
// router, by a direct-mapped table on the path for one before it.
type pageRouteMemo struct {
	last  atomic.Pointer[routeByPatterns]
	seed  maphash.Seed
	paths [256]atomic.Pointer[routeByPath]
}

type routeByPatterns struct {
	patterns []string
	c        *pageRouteCounters
}

type routeByPath struct {
	method, path string
	c            *pageRouteCounters
}

// routeCounters returns the counters of r's route, or nil when no Observer
// is set. page is the page being served (its counters are cached on it).
func (p *PageCache) routeCounters(r *http.Request, res *pageResolved, page *cachedPage) *pageRouteCounters {
	ob := observer.Load()
	if ob == nil {
		return nil
	}
	if page != nil {
		if c := page.route.Load(); c != nil && c.id.Layer == p.layer() && c.id.Alias == p.alias {
			return c
		}
	}
	c := p.resolveRoute(r, ob.o)
	if page != nil {
		page.route.Store(c)
	}
	return c
}

func (p *PageCache) layer() string {
	if p.settings != nil {
		return "site"
	}
	return "view"
}

func (p *PageCache) resolveRoute(r *http.Request, o Observer) *pageRouteCounters {
	if rctx := chi.RouteContext(r.Context()); rctx != nil && len(rctx.RoutePatterns) > 0 {
		if m := p.routes.last.Load(); m != nil && slices.Equal(m.patterns, rctx.RoutePatterns) {
			return m.c
		}
		c := pageRouteFor(PageRoute{Route: routeLabel(rctx.RoutePatterns), Layer: p.layer(), Alias: p.alias})
		p.routes.last.Store(&routeByPatterns{patterns: slices.Clone(rctx.RoutePatterns), c: c})
		return c
	}
	slot := &p.routes.paths[maphash.String(p.routes.seed, r.URL.Path)%uint64(len(p.routes.paths))]
	if m := slot.Load(); m != nil && m.path == r.URL.Path && m.method == r.Method {
		return m.c
	}
	label := o.PageRoute(r)
	if label == "" {
		label = UnmatchedRoute
	}
	c := pageRouteFor(PageRoute{Route: label, Layer: p.layer(), Alias: p.alias})
	slot.Store(&routeByPath{method: r.Method, path: r.URL.Path, c: c})
	return c
}

// routeLabel joins chi's route patterns as chi's Find does: a mount's
// trailing "/*" gives way to the pattern below it ("/*" + "/clock/" is
// "/clock/").
func routeLabel(patterns []string) string {
	if len(patterns) == 1 {
		return patterns[0]
	}
	var b strings.Builder
	for i, s := range patterns {
		if i < len(patterns)-1 {
			s = strings.TrimSuffix(s, "/*")
		}
		b.WriteString(s)
	}
	return b.String()
}

// countHit, countMiss, ... count one request on r's route (when an
// Observer is set).
func (p *PageCache) countHit(r *http.Request, res *pageResolved, page *cachedPage) {
	if c := p.routeCounters(r, res, page); c != nil {
		c.hits.Add(1)
	}
}

func (p *PageCache) countMiss(r *http.Request, res *pageResolved) {
	if c := p.routeCounters(r, res, nil); c != nil {
		c.misses.Add(1)
	}
}

func (p *PageCache) countStore(r *http.Request, res *pageResolved) {
	if c := p.routeCounters(r, res, nil); c != nil {
		c.stores.Add(1)
	}
}

func (p *PageCache) countStale(r *http.Request, res *pageResolved, page *cachedPage) {
	if c := p.routeCounters(r, res, page); c != nil {
		c.stale.Add(1)
	}
}

// bypass records that r's response is not stored (or r not looked up)
// and why: in the request's outcome and in its route's counters.
func (p *PageCache) bypass(r *http.Request, res *pageResolved, reason BypassReason) {
	result := PageBypass
	if reason == BypassBackendError {
		result = PageError
	}
	setPageBypass(r.Context(), result, reason)
	if c := p.routeCounters(r, res, nil); c != nil {
		c.bypass[reason].Add(1)
	}
}

// waitForRender is the stampede lock's wait, counted and timed.
func (p *PageCache) waitForRender(r *http.Request, res *pageResolved, f *pageFlight) bool {
	c := p.routeCounters(r, res, nil)
	if c == nil {
		return f.wait(r.Context(), p.wait)
	}
	start := time.Now()
	served := f.wait(r.Context(), p.wait)
	c.wait.Add(1)
	if b := observer.Load(); b != nil {
		b.o.ObserveWait(c.id, time.Since(start), served)
	}
	return served
}
