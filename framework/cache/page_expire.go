package cache

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Expiring a page by URL (beyond Django). Django's page keys hash the URL
// together with the values of the headers the page varies on, so the keys
// of a page's variants cannot be rebuilt from the URL alone. Each time a
// page is stored we also record its keys in an index entry per URL,
//
//	views.decorators.cache.cache_index.<prefix>.<md5(absolute URI)>
//
// and ExpirePage deletes every key listed there, plus the keys it can
// compute (the header list and the no-Vary page keys) in case the index
// entry was culled.

func indexKey(prefix, uri string) string {
	return "views.decorators.cache.cache_index." + prefix + "." + md5hex(uri)
}

// remember adds the page key and the header-list key to the URL's index.
func (p *PageCache) remember(ctx context.Context, r *http.Request, res *pageResolved, key string, timeout Timeout) {
	ik := indexKey(p.keyPrefix, AbsoluteURI(r))
	hk := headerKey(p.keyPrefix, r, res.i18n)
	c := res.c
	c.indexMu.Lock()
	defer c.indexMu.Unlock()
	var cur string
	if _, err := c.Get(ctx, ik, &cur); err != nil {
		return
	}
	keys := splitLines(cur)
	changed := false
	for _, k := range []string{hk, key} {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
			changed = true
		}
	}
	if changed {
		// The index outlives any one variant: it is small, and a stale
		// entry only costs a delete of a missing key.
		_ = c.Set(ctx, ik, strings.Join(keys, "\n"), Forever)
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// ExpirePage removes every cached variant of the page at rawURL (absolute:
// scheme, host, path and query, as the page was requested) from the page
// cache of c under keyPrefix: all Vary variants, GET and HEAD, every
// language and time zone. It returns how many cache entries it deleted.
// The per-site middleware uses CACHE_MIDDLEWARE_KEY_PREFIX and
// CACHE_MIDDLEWARE_ALIAS; Page uses "" and "default" unless given others.
func ExpirePage(ctx context.Context, c *Cache, keyPrefix, rawURL string) (int, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return 0, fmt.Errorf("expire page: %q is not an absolute URL (scheme://host/path)", rawURL)
	}
	r := &http.Request{Method: http.MethodGet, Host: u.Host, URL: u, Header: http.Header{}}
	if u.Scheme == "https" {
		r.TLS = &tls.ConnectionState{}
	}
	r = r.WithContext(ctx)
	uri := AbsoluteURI(r)
	ik := indexKey(keyPrefix, uri)
	c.indexMu.Lock()
	defer c.indexMu.Unlock()
	var cur string
	if _, err := c.Get(ctx, ik, &cur); err != nil {
		return 0, err
	}
	keys := splitLines(cur)
	i18n := I18N{}
	if h := Current(); h != nil {
		s := h.Settings()
		i18n = I18N{UseI18N: s.UseI18N, LanguageCode: s.LanguageCode, UseTZ: s.UseTZ, TimeZone: s.TimeZone}
	}
	keys = append(keys, headerKey(keyPrefix, r, i18n),
		pageKey(r, http.MethodGet, nil, keyPrefix, i18n), pageKey(r, http.MethodHead, nil, keyPrefix, i18n), ik)
	n := 0
	for _, k := range keys {
		ok, err := c.Delete(ctx, k)
		if err != nil {
			return n, err
		}
		if ok && k != ik {
			n++
		}
	}
	return n, nil
}
