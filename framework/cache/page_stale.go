package cache

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"gojango/framework/views"
)

// Stale-while-revalidate and stale-if-error (RFC 5861; beyond Django).
//
// A page stored with a stale window keeps Django's entry, with Django's
// timeout, so a Django process sharing the cache sees a normal page until
// the expiry it knows and never a stale one, plus a copy of the page and
// of its header list under our own keys,
//
//	gojango.stale.<the page key> and gojango.stale.<the header-list key>,
//
// kept for the timeout plus the window. When the page has expired:
//
//   - within the stale-while-revalidate window the copy is served at once
//     (with its honest Age) and one background render per variant
//     refreshes the page; the refresh obeys every storing rule, and one
//     that cannot be stored (it turned private, set a cookie, ...) drops
//     the copy;
//   - within the stale-if-error window the view renders as on any miss,
//     and if it answers 5xx or panics the copy is served instead (a failed
//     background refresh leaves the copy for that).
//
// The windows are the page cache's (StaleWhileRevalidate, StaleIfError,
// the per-site settings) or the response's own Cache-Control
// stale-while-revalidate=N / stale-if-error=N, whichever is longer.

// StaleWhileRevalidate serves an expired page for up to seconds more while
// one background render refreshes it.
func StaleWhileRevalidate(seconds int) PageOption {
	return func(p *PageCache) { p.swr = int64(seconds) }
}

// StaleIfError serves an expired page for up to seconds more when the view
// answers 5xx or panics.
func StaleIfError(seconds int) PageOption {
	return func(p *PageCache) { p.sie = int64(seconds) }
}

// refreshTimeout bounds a background refresh.
const refreshTimeout = time.Minute

func staleKey(key string) string { return "gojango.stale." + key }

// staleWindows returns a page's stale-while-revalidate and stale-if-error
// windows in seconds: the page cache's or the page's own, the longer.
func (p *PageCache) staleWindows(h http.Header) (swr, sie int64) {
	swr, sie = p.swr, p.sie
	if n, ok := views.CacheControlSeconds(h, "stale-while-revalidate"); ok && int64(n) > swr {
		swr = int64(n)
	}
	if n, ok := views.CacheControlSeconds(h, "stale-if-error"); ok && int64(n) > sie {
		sie = int64(n)
	}
	return swr, sie
}

// mayBeStale reports whether a stale copy can exist for this page cache:
// it has windows of its own, or some stored response declared one.
func (p *PageCache) mayBeStale(res *pageResolved) bool {
	return p.swr > 0 || p.sie > 0 || res.shared.staleSeen.Load()
}

// staleCopies are the keys of a page's stale copies and how much longer
// than the page they live.
type staleCopies struct {
	keys   []string
	window Timeout
}

// storeStale writes the stale copies of a page just stored under key with
// timeout, when it has a window, and returns them (for the URL's index).
func (p *PageCache) storeStale(ctx context.Context, r *http.Request, res *pageResolved, h http.Header, key string, raw []byte, timeout Timeout, tags []string) staleCopies {
	swr, sie := p.staleWindows(h)
	window := max(swr, sie)
	if window <= 0 || timeout <= 0 {
		return staleCopies{}
	}
	if p.swr == 0 && p.sie == 0 {
		res.shared.staleSeen.Store(true)
	}
	hk := staleKey(headerKey(p.keyPrefix, r, res.i18n))
	pk := staleKey(key)
	list := strings.Join(headerListFromVary(h, res.i18n), ",")
	t := timeout + Timeout(window)
	if err := res.c.Set(ctx, hk, list, t); err != nil {
		res.c.logger.Warn("stale copy not stored", slog.String("key", key), slog.Any("error", err))
		return staleCopies{}
	}
	if err := res.c.Set(ctx, pk, raw, t, Tags(tags...)); err != nil {
		res.c.logger.Warn("stale copy not stored", slog.String("key", key), slog.Any("error", err))
		return staleCopies{}
	}
	return staleCopies{keys: []string{hk, pk}, window: Timeout(window)}
}

// lookupStale finds the stale copy of r's variant; nil when there is none.
// It also returns the copy's key.
func (p *PageCache) lookupStale(r *http.Request, res *pageResolved) (*cachedPage, string) {
	ctx := r.Context()
	uri := md5hex(AbsoluteURI(r))
	suffix := res.i18n.keySuffix(r)
	list, ok, err := readHeaderList(ctx, res.c, res.shared.memo, staleKey(headerKeyFor(p.keyPrefix, uri, suffix)))
	if err != nil || !ok {
		return nil, ""
	}
	key := staleKey(pageKeyFor(r, http.MethodGet, list, p.keyPrefix, uri, suffix))
	made, err := res.c.makeKey(key, res.c.defaultVersion)
	if err != nil {
		return nil, ""
	}
	page, err := p.getPage(ctx, res, key, made)
	if err != nil || page == nil || !page.hasAge {
		return nil, ""
	}
	return page, key
}

// serveStale decides what a miss does with the stale copy of its variant:
// within the stale-while-revalidate window it writes the copy and reports
// true (making this request lead the variant's refresh if nobody does);
// within the stale-if-error window it keeps the copy in state as the
// fallback for a failing render.
func (p *PageCache) serveStale(w http.ResponseWriter, r *http.Request, res *pageResolved, state *pageState) bool {
	page, key := p.lookupStale(r, res)
	if page == nil {
		return false
	}
	now := res.now()
	over := now.Unix() - page.expires // seconds past the real expiry
	swr, sie := p.staleWindows(page.resp.Header)
	switch {
	case over < 0:
		return false // not expired: the fresh entry was evicted, render
	case over <= swr:
		if f, leader := res.shared.flights.join("refresh:" + key); leader {
			state.refresh = &staleRefresh{flight: f, flights: res.shared.flights, fkey: "refresh:" + key, staleKey: key}
		}
		state.update = false
		setPageResult(r.Context(), PageStale)
		p.countStale(r, res, page)
		p.writeCached(w, r, page, now)
		return true
	case over <= sie:
		state.fallback = page
	}
	return false
}

// staleRefresh is the background refresh a stale hit leads.
type staleRefresh struct {
	flight   *pageFlight
	flights  *pageFlights
	fkey     string
	staleKey string
}

// refreshInBackground renders r's page again through next, without the
// client, and stores it by the usual rules. A refresh answered 5xx or by
// a panic leaves the stale copy; one that cannot be stored drops it.
func (p *PageCache) refreshInBackground(next http.Handler, r *http.Request, res *pageResolved, rf *staleRefresh) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), refreshTimeout)
	st := &pageState{update: true, refreshing: true}
	ctx = context.WithValue(ctx, pageOuterKey{}, &pageChain{state: st, parent: chainOf(r), split: true})
	ctx = context.WithValue(ctx, pageResultKey{}, new(PageOutcome)) // not the client's request log
	rr := r.Clone(ctx)
	rr.Method = http.MethodGet
	for _, h := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range"} {
		rr.Header.Del(h)
	}
	res.shared.refreshes.Add(1)
	go func() {
		defer res.shared.refreshes.Done()
		defer cancel()
		defer rf.flights.leave(rf.fkey, rf.flight)
		pw := &pageWriter{w: discardResponse{h: http.Header{}}, state: st, maxBody: p.maxBody}
		if failed := runView(next, pw, rr); failed != nil || pw.status >= 500 {
			res.c.logger.Warn("background refresh failed: the stale page stays", slog.String("url", AbsoluteURI(rr)), slog.Any("panic", failed), slog.Int("status", pw.status))
			return
		}
		p.processResponse(rr, pw, res, st)
		st.release()
		if !st.wasStored {
			if _, err := res.c.Delete(ctx, rf.staleKey); err != nil {
				res.c.logger.Warn("stale copy not dropped", slog.String("key", rf.staleKey), slog.Any("error", err))
			}
		}
	}()
}

// runView calls next, recovering a panic (returned; nil when none). The
// panic http.ErrAbortHandler is not recovered.
func runView(next http.Handler, w http.ResponseWriter, r *http.Request) (panicked any) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			panicked = v
		}
	}()
	next.ServeHTTP(w, r)
	return nil
}

// discardResponse is the writer of a background render: it keeps headers
// (the page cache reads them) and throws the rest away.
type discardResponse struct{ h http.Header }

func (d discardResponse) Header() http.Header       { return d.h }
func (discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (discardResponse) WriteHeader(int)             {}

// serveFallback writes the stale copy in place of a failed render (5xx or
// a panic) within the stale-if-error window.
func (p *PageCache) serveFallback(pw *pageWriter, r *http.Request, res *pageResolved, page *cachedPage) {
	clear(pw.w.Header())
	pw.discard()
	setPageResult(r.Context(), PageStale)
	p.countStale(r, res, page)
	p.writeCached(pw.w, r, page, res.now())
}
