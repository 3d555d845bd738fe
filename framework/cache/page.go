package cache

import (
	"context"
	"hash/maphash"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"gojango/framework/settings"
	"gojango/framework/views"
)

// PageOption configures Page, PageMiddleware and the per-site middleware.
type PageOption func(*PageCache)

// Using picks the cache alias (Django's cache_page(cache="alias")).
func Using(alias string) PageOption { return func(p *PageCache) { p.alias = alias } }

// KeyPrefix sets the page keys' prefix (Django's key_prefix=).
func KeyPrefix(prefix string) PageOption { return func(p *PageCache) { p.keyPrefix = prefix } }

// StampedeWait bounds how long a request for a page that another request is
// already rendering waits for that render before rendering it itself.
// Zero turns the waiting off (Django's behaviour: every miss renders).
func StampedeWait(d time.Duration) PageOption { return func(p *PageCache) { p.wait = d } }

// MaxBody is the largest body the page cache buffers; a larger response is
// streamed and not stored. Default 8 MiB.
func MaxBody(n int) PageOption { return func(p *PageCache) { p.maxBody = n } }

// PageTags tags every page this page cache stores (beyond Django), as
// views.CacheTags does for one response: cache.InvalidateTags with any of
// them makes those pages misses.
func PageTags(tags ...string) PageOption {
	return func(p *PageCache) { p.tags = append(p.tags, tags...) }
}

// WithPageClock sets the clock for Expires and Age headers (tests).
func WithPageClock(now func() time.Time) PageOption { return func(p *PageCache) { p.now = now } }

// DefaultStampedeWait is how long concurrent requests for a page being
// rendered wait for it by default.
const DefaultStampedeWait = 5 * time.Second

// PageCache is Django's CacheMiddleware: on the way in it serves a stored
// page (FetchFromCacheMiddleware), on the way out it stores the response
// (UpdateCacheMiddleware). Page, PageMiddleware and the per-site
// middleware are built on it.
type PageCache struct {
	alias        string
	keyPrefix    string
	cacheTimeout Timeout // CACHE_MIDDLEWARE_SECONDS unless given
	pageTimeout  Timeout // cache_page's timeout; DefaultTimeout = none
	fetch        bool
	update       bool
	wait         time.Duration
	maxBody      int
	tags         []string // PageTags
	swr, sie     int64    // stale-while-revalidate and stale-if-error windows, seconds (page_stale.go)
	now          func() time.Time
	// fixed settings (per-site middleware built from settings); nil: the
	// current Handler's, read on each request.
	settings *settings.Settings
	resolved atomic.Pointer[pageResolved]
	routes   pageRouteMemo // the routes it served, for their counters (page_stats.go)
}

type pageResolved struct {
	h      *Handler
	c      *Cache
	shared *pageShared
	i18n   I18N
	now    func() time.Time
	err    error
	// cacheTimeout is the middleware's timeout when neither a page timeout
	// nor max-age applies (CACHE_MIDDLEWARE_SECONDS unless given).
	cacheTimeout Timeout
}

func newPageCache(opts []PageOption) *PageCache {
	p := &PageCache{alias: "default", cacheTimeout: DefaultTimeout, pageTimeout: DefaultTimeout,
		fetch: true, update: true, wait: DefaultStampedeWait, maxBody: 8 << 20}
	p.routes.seed = maphash.MakeSeed()
	for _, o := range opts {
		o(p)
	}
	return p
}

// Page caches view's responses for timeout seconds, as Django's
// cache_page(timeout): the page timeout beats the response's max-age; the
// alias is "default" and the prefix "" unless Using / KeyPrefix say
// otherwise (CACHE_MIDDLEWARE_ALIAS and _KEY_PREFIX do not apply, as in
// Django). DefaultTimeout or Forever means "no page timeout": max-age, else
// CACHE_MIDDLEWARE_SECONDS.
func Page(timeout Timeout, view http.HandlerFunc, opts ...PageOption) http.HandlerFunc {
	return PageMiddleware(timeout, opts...)(view).ServeHTTP
}

// PageMiddleware is Page as chi-style middleware, for a route or a group.
func PageMiddleware(timeout Timeout, opts ...PageOption) func(http.Handler) http.Handler {
	p := newPageCache(opts)
	if timeout != Forever {
		p.pageTimeout = timeout
	}
	return p.Middleware
}

// NewCacheMiddleware is Django's CacheMiddleware as per-site middleware:
// alias, prefix and timeout from CACHE_MIDDLEWARE_ALIAS, _KEY_PREFIX and
// _SECONDS of s.
func NewCacheMiddleware(s *settings.Settings, opts ...PageOption) *PageCache {
	p := newPageCache(append([]PageOption{
		Using(s.CacheMiddlewareAlias), KeyPrefix(s.CacheMiddlewareKeyPrefix),
	}, opts...))
	p.cacheTimeout = Timeout(s.CacheMiddlewareSeconds)
	p.settings = s
	if p.swr == 0 {
		p.swr = int64(s.CacheMiddlewareStaleWhileRevalidate)
	}
	if p.sie == 0 {
		p.sie = int64(s.CacheMiddlewareStaleIfError)
	}
	return p
}

// NewUpdateCacheMiddleware is Django's UpdateCacheMiddleware (first in
// MIDDLEWARE): it stores responses that FetchFromCacheMiddleware marked.
func NewUpdateCacheMiddleware(s *settings.Settings, opts ...PageOption) *PageCache {
	p := NewCacheMiddleware(s, opts...)
	p.fetch = false
	return p
}

// NewFetchFromCacheMiddleware is Django's FetchFromCacheMiddleware (last in
// MIDDLEWARE): it serves stored pages and marks misses for the update side.
func NewFetchFromCacheMiddleware(s *settings.Settings, opts ...PageOption) *PageCache {
	p := NewCacheMiddleware(s, opts...)
	p.update = false
	return p
}

// resolve finds the alias's Cache and the i18n settings, once per Handler.
func (p *PageCache) resolve() *pageResolved {
	h := Current()
	if r := p.resolved.Load(); r != nil && r.h == h {
		return r
	}
	s := p.settings
	if s == nil {
		s = h.Settings()
	}
	r := &pageResolved{h: h, i18n: I18N{UseI18N: s.UseI18N, LanguageCode: s.LanguageCode, UseTZ: s.UseTZ, TimeZone: s.TimeZone}.withDefaultSuffix()}
	r.c, r.err = h.Cache(p.alias)
	r.shared = h.sharedObject("page cache "+p.alias, newPageShared).(*pageShared)
	r.now = time.Now
	if p.now != nil {
		r.now = p.now
	} else if r.c != nil {
		r.now = r.c.now
	}
	r.cacheTimeout = p.cacheTimeout
	if r.cacheTimeout == DefaultTimeout {
		r.cacheTimeout = Timeout(s.CacheMiddlewareSeconds)
	}
	p.resolved.Store(r)
	return r
}

// pageOuterKey marks a request that page caches already handle (its value
// is the chain of their states): the page caches it reaches are inner ones.
type pageOuterKey struct{}

// pageChain is the states of the page caches a request went through,
// innermost first.
type pageChain struct {
	state  *pageState
	parent *pageChain
	split  bool // an update side's state, for the fetch side after it
}

// pageRequest is what the update side of the split pair keeps for one
// request, allocated together.
type pageRequest struct {
	state pageState
	chain pageChain
	pw    pageWriter
}

// splitState is the state the update side of the split pair put in r (the
// nearest one), nil when there is none: Django's request._cache_update_cache.
func splitState(r *http.Request) *pageState {
	for c := chainOf(r); c != nil; c = c.parent {
		if c.split {
			return c.state
		}
	}
	return nil
}

func chainOf(r *http.Request) *pageChain {
	c, _ := r.Context().Value(pageOuterKey{}).(*pageChain)
	return c
}

// outermost reports whether no page cache handles r yet.
func outermost(r *http.Request) bool { return r.Context().Value(pageOuterKey{}) == nil }

// leads reports whether a page cache r went through leads flight f: an
// inner page cache on the same alias and prefix must not wait for the
// render its own request is doing.
func leads(r *http.Request, f *pageFlight) bool {
	for c := chainOf(r); c != nil; c = c.parent {
		if c.state.flight == f {
			return true
		}
	}
	return false
}

// Middleware wraps next with the page cache.
func (p *PageCache) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := p.resolve()
		if res.err != nil {
			p.serveUncached(w, r, next, res)
			return
		}
		// The split middleware share one state through the request (Django's
		// request._cache_update_cache); a combined one (Page, or
		// CacheMiddleware) keeps its own, so a per-view cache nested in the
		// per-site one does not mix their flags. Whoever creates the state
		// releases its stampede lock when the response is done.
		var state *pageState
		var pr *pageRequest // the update side's state, chain link and writer, in one allocation
		switch {
		case p.fetch && p.update:
			state = &pageState{} // combined: its own state, never shared
			defer state.release()
		case p.fetch:
			if state = splitState(r); state == nil { // no update side before it
				state = &pageState{}
				defer state.release()
			}
		default: // the update side: the state the fetch side will find
			pr = &pageRequest{}
			state = &pr.state
			pr.chain = pageChain{state: state, parent: chainOf(r), split: true}
			r = r.WithContext(context.WithValue(r.Context(), pageOuterKey{}, &pr.chain))
			defer state.release()
		}
		if p.fetch && p.serveFromCache(w, r, res, state) {
			if p.update && state.refresh != nil {
				p.refreshInBackground(next, r, res, state.refresh)
				state.refresh = nil
			}
			return
		}
		p.render(w, r, next, res, state, pr)
	})
}

// serveUncached serves a page whose alias is unknown: uncached, rather
// than failing every page.
func (p *PageCache) serveUncached(w http.ResponseWriter, r *http.Request, next http.Handler, res *pageResolved) {
	slog.Error("page cache disabled", slog.Any("error", res.err))
	p.bypass(r, res, BypassNoAlias)
	next.ServeHTTP(w, r)
}

// render is the rest of the middleware once no cached page was served:
// the view runs and, on the update side, its response is processed
// (Django's UpdateCacheMiddleware.process_response). It is its own method
// so that a hit, which returns before it, runs in a small stack frame: the
// hit's frames sit under net/http's response writing, and past the
// goroutine's first stack size every hit after a collection shrank the
// stack paid for copying it again.
func (p *PageCache) render(w http.ResponseWriter, r *http.Request, next http.Handler, res *pageResolved, state *pageState, pr *pageRequest) {
	// The outermost page cache removes the tags header (CacheTags)
	// before the response goes out; inner ones leave it, so that an
	// outer page cache storing the same response tags its copy too.
	outer := pr == nil && outermost(r) || pr != nil && pr.chain.parent == nil
	if pr == nil && (p.update || outer) {
		r = r.WithContext(context.WithValue(r.Context(), pageOuterKey{}, &pageChain{state: state, parent: chainOf(r)}))
	}
	if !p.update {
		next.ServeHTTP(w, r)
		return
	}
	var pw *pageWriter
	if pr != nil {
		pw = &pr.pw
	} else {
		pw = new(pageWriter)
	}
	*pw = pageWriter{w: w, state: state, maxBody: p.maxBody, outermost: outer, ctx: r.Context()}
	var panicked any
	if state.fallback != nil {
		panicked = runView(next, pw, r)
	} else {
		next.ServeHTTP(pw, r)
	}
	if state.refresh != nil { // the fetch side served a stale page
		p.refreshInBackground(next, r, res, state.refresh)
		state.refresh = nil
	}
	if state.fallback != nil && (panicked != nil || pw.status >= 500) {
		if pw.streamed {
			if panicked != nil {
				panic(panicked) // part of the response is out: nothing to replace
			}
			return
		}
		res.c.logger.Warn("view failed: serving the stale page (stale-if-error)", slog.String("url", AbsoluteURI(r)),
			slog.Int("status", pw.status), slog.Any("panic", panicked))
		state.unstorable(res)
		p.serveFallback(pw, r, res, state.fallback)
		return
	}
	p.processResponse(r, pw, res, state)
	state.release() // the decision is made: waiters go on while the body is written
	pw.release()
}

// serveFromCache is FetchFromCacheMiddleware.process_request. It reports
// whether it wrote a cached response.
func (p *PageCache) serveFromCache(w http.ResponseWriter, r *http.Request, res *pageResolved, state *pageState) bool {
	if state.refreshing { // a background refresh: render
		state.update = true
		return false
	}
	state.lookedUp = true
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		state.update = false
		p.bypass(r, res, BypassMethod)
		return false
	}
	resp, fkey, err := p.lookup(r, res)
	if err == nil && resp == nil && p.mayBeStale(res) && p.serveStale(w, r, res, state) {
		return true
	}
	if err == nil && resp == nil && p.wait > 0 {
		resp, err = p.awaitRender(r, res, state, fkey)
	}
	if err != nil {
		// The backend failed and the alias does not fail open
		// (IGNORE_EXCEPTIONS): as in Django, the error reaches the client.
		serverError(w, res.c, err)
		state.update = false
		p.bypass(r, res, BypassBackendError)
		return true
	}
	if resp == nil {
		state.update = true
		setPageResult(r.Context(), PageMiss)
		p.countMiss(r, res)
		return false
	}
	state.update = false
	setPageResult(r.Context(), PageHit)
	p.countHit(r, res, resp)
	p.writeCached(w, r, resp, res.now())
	return true
}

// awaitRender is the stampede lock (beyond Django): of the requests for
// one variant of a page that is not stored, the first renders it and the
// others wait for that render and are served what it stored. A variant
// whose last render could not be stored is not waited for. It returns the
// page when waiting ended in one; nil means "render it" (as the leader,
// when state now holds the flight).
func (p *PageCache) awaitRender(r *http.Request, res *pageResolved, state *pageState, fkey string) (*cachedPage, error) {
	flights := res.shared.flights
	state.flights = flights
	// Two rounds: a request that waited on the URL's first render may find
	// that its own variant differs from the one stored (another user's
	// cookie); it then coordinates once more, on its own variant's key.
	for round := 0; round < 2; round++ {
		state.fkey = fkey
		if flights.isUnstorable(fkey, res.now()) {
			return nil, nil
		}
		f, leader := flights.join(fkey)
		if !leader && (leads(r, f) || !p.waitForRender(r, res, f)) {
			return nil, nil
		}
		// A leader looks once more: the previous leader may have stored
		// the page between our lookup and our join.
		resp, again, err := p.lookup(r, res)
		if leader && (resp != nil || err != nil || again != fkey) {
			flights.leave(fkey, f)
		} else if leader {
			state.flight = f
			return nil, nil
		}
		if resp != nil || err != nil || again == fkey {
			return resp, err
		}
		fkey = again
	}
	return nil, nil
}

// lookup finds the stored response for r: the GET entry, or for HEAD the
// HEAD entry when there is no GET one. A corrupt entry is a miss. It also
// returns the key a render of r's variant is coordinated under: the GET
// page key when the URL's header list is known, else the header-list key.
func (p *PageCache) lookup(r *http.Request, res *pageResolved) (*cachedPage, string, error) {
	ctx := r.Context()
	suffix := res.i18n.keySuffix(r)
	uk, err := res.shared.keys.forURL(r, res.c, p.keyPrefix, suffix)
	if err != nil {
		return nil, "", err
	}
	list, ok, err := readHeaderListMade(ctx, res.c, res.shared.memo, uk.headerKey, uk.headerKeyMade)
	if err != nil || !ok {
		return nil, uk.headerKey, err
	}
	vk, err := uk.variant(r, res.c, list)
	if err != nil {
		return nil, "", err
	}
	page, err := p.getPage(ctx, res, vk.getKey, vk.getKeyMade)
	if err == nil && page == nil && r.Method == http.MethodHead {
		headKey := pageKeyFor(r, http.MethodHead, list, p.keyPrefix, uk.uriHash, suffix)
		var made string
		if made, err = res.c.makeKey(headKey, res.c.defaultVersion); err == nil {
			page, err = p.getPage(ctx, res, headKey, made)
		}
	}
	return page, vk.getKey, err
}

// getPage reads the page stored under key (made: the same, made by the
// alias's key function).
func (p *PageCache) getPage(ctx context.Context, res *pageResolved, key, made string) (*cachedPage, error) {
	c := res.c
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpGet, t)
	}
	raw, ok, err := c.getMade(ctx, made)
	if err != nil || !ok {
		return nil, err
	}
	if v, ok := res.shared.memo.get(key, raw); ok {
		return v.(*cachedPage), nil
	}
	body, ok := c.storedBytes(raw)
	if !ok {
		c.logger.Warn("corrupt cached page ignored", slog.String("key", key))
		return nil, nil
	}
	resp, err := unmarshalResponse(body)
	if err != nil {
		c.logger.Warn("corrupt cached page ignored", slog.String("key", key))
		return nil, nil
	}
	page := newCachedPage(resp)
	res.shared.memo.put(key, raw, page)
	return page, nil
}

// serverError answers 500 for a cache failure, as Django's handler does
// for an exception the middleware raised.
func serverError(w http.ResponseWriter, c *Cache, err error) {
	status, body := serverErrorResponse(w.Header(), c, err)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serverErrorResponse logs err, replaces the headers in h with a 500's and
// returns its status and body (Django's plain "Server Error (500)").
func serverErrorResponse(h http.Header, c *Cache, err error) (int, []byte) {
	c.logger.Error("page cache failed", slog.Any("error", err))
	clear(h)
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return http.StatusInternalServerError, []byte("Server Error (500)")
}

// The header list is stored as its names joined by ",": META names never
// contain one.
func splitHeaderList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// writeCached writes a stored response, with Django 5.1's Age header.
func (p *PageCache) writeCached(w http.ResponseWriter, r *http.Request, page *cachedPage, now time.Time) {
	h := w.Header()
	for _, f := range page.header {
		h[f.name] = f.vals
	}
	if _, tagged := h[views.CacheTagsHeader]; tagged && outermost(r) {
		delete(h, views.CacheTagsHeader)
	}
	if page.hasAge {
		age := page.maxAge - (page.expires - now.Unix())
		if age < 0 {
			age = 0
		}
		h["Age"] = page.ageValues(age)
	}
	if page.contentLength != nil {
		h["Content-Length"] = page.contentLength
	}
	w.WriteHeader(page.resp.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(page.resp.Body)
	}
}
