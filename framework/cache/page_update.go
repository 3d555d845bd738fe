package cache

import (
	"net/http"
	"strings"

	"gojango/framework/views"
)

// processResponse is UpdateCacheMiddleware.process_response: it stores the
// captured response when Django's rules allow, and turns a backend failure
// (on an alias that does not fail open) into a 500, as Django's handler
// turns the middleware's exception into one.
func (p *PageCache) processResponse(r *http.Request, pw *pageWriter, res *pageResolved, state *pageState) {
	tags := append(views.ReadCacheTags(pw.Header()), p.tags...)
	if err := p.updateCache(r, pw, res, state, tags); err != nil {
		p.bypass(r, res, BypassBackendError)
		pw.status, pw.body = serverErrorResponse(pw.Header(), res.c, err)
	}
}

// updateCache follows Django 5.2.19's UpdateCacheMiddleware.process_response
// step by step; the stored page carries tags (beyond Django). Every early return before the timeout is worked out leaves
// the response untouched (no Expires, no max-age, no Vary added). An error
// is a backend failure.
func (p *PageCache) updateCache(r *http.Request, pw *pageWriter, res *pageResolved, state *pageState, tags []string) error {
	if !state.update || !pw.captured() || pw.streamed {
		switch {
		case pw.streamed:
			p.bypass(r, res, pw.streamReason())
		case !state.lookedUp:
			p.bypass(r, res, BypassNotLookedUp)
		case state.update:
			p.bypass(r, res, BypassEmpty)
		} // otherwise the fetch side answered (a hit, or a method bypass)
		state.unstorable(res)
		return nil
	}
	status := pw.status
	if status == 0 {
		status = http.StatusOK
	}
	h := pw.Header()
	cc := strings.ToLower(strings.Join(h.Values("Cache-Control"), ", "))
	if reason := notStorable(status, h, cc); reason != "" {
		p.bypass(r, res, bypassOf(reason))
		state.unstorable(res)
		return nil
	}
	timeout := p.pageTimeout
	if timeout == DefaultTimeout {
		maxAge, ok := views.GetMaxAge(h)
		switch {
		case !ok:
			timeout = res.cacheTimeout
		case maxAge == 0:
			p.bypass(r, res, BypassMaxAge0)
			state.unstorable(res)
			return nil
		default:
			timeout = Timeout(maxAge)
		}
	}
	views.PatchResponseHeaders(h, int(timeout), res.now())
	// Vary on Authorization when the request bears it, unless the response
	// is public (RFC 9111 section 3.5): before the key is learned, so the
	// entry is keyed on the Authorization value.
	if auth, _ := metaValue(r, "HTTP_AUTHORIZATION"); auth != "" && !strings.Contains(cc, "public") {
		views.PatchVaryHeaders(h, "Authorization")
	}
	if timeout == 0 || status != http.StatusOK {
		if status != http.StatusOK {
			p.bypass(r, res, BypassStatus)
		} else {
			p.bypass(r, res, BypassTimeout0)
		}
		state.unstorable(res)
		return nil
	}
	ctx := r.Context()
	key, err := LearnCacheKey(ctx, r, h, timeout, res.c, p.keyPrefix, res.i18n)
	if err != nil {
		return err
	}
	stored := &storedResponse{Status: status, Header: h.Clone(), Body: pw.body}
	raw := stored.marshal()
	if err := res.c.Set(ctx, key, raw, timeout, Tags(tags...)); err != nil {
		return err
	}
	p.remember(ctx, r, res, key, timeout, p.storeStale(ctx, r, res, h, key, raw, timeout, tags))
	state.stored()
	p.countStore(r, res)
	return nil
}

// notStorable is the part of process_response that refuses a response by
// its status and headers; it returns why ("" when the response may be
// stored). cc is the Cache-Control value, lower-cased.
func notStorable(status int, h http.Header, cc string) string {
	switch {
	case status != http.StatusOK && status != http.StatusNotModified:
		return "status"
	case len(h.Values("Set-Cookie")) > 0 && views.HasVaryHeader(h, "Cookie"):
		// A user-specific (maybe security-sensitive) cookie on a page
		// that varies on Cookie: whatever cookies the request carried.
		return "set-cookie"
	case strings.Contains(cc, "private"):
		return "private"
	case strings.Contains(cc, "no-cache"):
		return "no-cache"
	case strings.Contains(cc, "no-store"):
		return "no-store"
	case views.HasVaryHeader(h, "*"):
		return "vary-star"
	}
	return ""
}
