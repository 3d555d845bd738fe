package cache

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Expiring a page by URL (beyond Django). Django's page keys hash the URL
// together with the values of the headers the page varies on, so the keys
// of a page's variants cannot be rebuilt from the URL alone. Each time a
// page is stored we also record its keys in a numbered slot of the URL's
// index:
//
//	views.decorators.cache.cache_index.<prefix>.<md5(site URI)>       the number of slots taken (a counter)
//	views.decorators.cache.cache_index.<prefix>.<md5(site URI)>.<n>   "<header-list key>\n<page key>", for the page's timeout
//	views.decorators.cache.cache_index.<prefix>.<md5(site URI)>.low   the slots an ExpirePage has already handled
//
// The site URI is the absolute URI with the host's spellings folded
// (letter case, a trailing dot, the scheme's default port), so that one
// ExpirePage finds the pages Django keys apart for LOCALHOST, localhost.
// and localhost:80. Recording a store is one Incr and one Set whatever the
// number of variants, so a miss costs the same for the first and the
// twenty-thousandth cookie on a page that varies on Cookie; slots expire
// with their pages, so the index is as big as the pages it lists.

func indexKey(prefix, siteURI string) string {
	return "views.decorators.cache.cache_index." + prefix + "." + md5hex(siteURI)
}

// siteURI is AbsoluteURI with the host folded to one spelling.
func siteURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + foldHost(scheme, r.Host) + djangoFullPath(r.URL.Path, r.URL.RawQuery)
}

// foldHost lower-cases host, drops the scheme's default port and one
// trailing dot.
func foldHost(scheme, host string) string {
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil &&
		(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return strings.TrimSuffix(host, ".")
}

// remember records the stored page's keys in a new slot of its URL's index.
// The slot lives as long as the longest-lived key it lists (the page, or
// its stale copies).
func (p *PageCache) remember(ctx context.Context, r *http.Request, res *pageResolved, key string, timeout Timeout, stale staleCopies) {
	if timeout <= 0 {
		return // already expired: nothing to expire later
	}
	c := res.c
	ik := indexKey(p.keyPrefix, siteURI(r))
	n, err := c.Incr(ctx, ik, 1)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotInteger) {
		// The first store of the URL (or an index of an older format).
		if errors.Is(err, ErrNotInteger) {
			_, _ = c.Delete(ctx, ik)
		}
		if _, err = c.Add(ctx, ik, 0, Forever); err == nil {
			n, err = c.Incr(ctx, ik, 1)
		}
	}
	if err == nil {
		keys := append([]string{headerKey(p.keyPrefix, r, res.i18n), key}, stale.keys...)
		err = c.Set(ctx, ik+"."+strconv.FormatInt(n, 10), strings.Join(keys, "\n"), timeout+stale.window)
	}
	if err != nil {
		c.logger.Warn("page index not updated: ExpirePage may miss this page", slog.String("key", key), slog.Any("error", err))
	}
}

// expireBatch is how many index slots ExpirePage reads at once.
const expireBatch = 500

// ExpirePage removes every cached variant of the page at rawURL (absolute:
// scheme, host, path and query, as the page was requested) from the page
// cache of c under keyPrefix: all Vary variants, GET and HEAD, every
// language and time zone, and every spelling of the host that Django keys
// apart (letter case, a trailing dot, the default port). It returns how
// many page and header-list entries it deleted. The per-site middleware
// uses CACHE_MIDDLEWARE_KEY_PREFIX and CACHE_MIDDLEWARE_ALIAS; Page uses ""
// and "default" unless given others.
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
	i18n := I18N{}
	if h := Current(); h != nil {
		s := h.Settings()
		i18n = I18N{UseI18N: s.UseI18N, LanguageCode: s.LanguageCode, UseTZ: s.UseTZ, TimeZone: s.TimeZone}
	}
	// The keys it can compute, in case the index lost track of them.
	keys := []string{headerKey(keyPrefix, r, i18n),
		pageKey(r, http.MethodGet, nil, keyPrefix, i18n), pageKey(r, http.MethodHead, nil, keyPrefix, i18n)}
	ik := indexKey(keyPrefix, siteURI(r))
	var n, low int64
	if _, err := c.Get(ctx, ik, &n); err != nil && !errors.Is(err, ErrNotInteger) {
		return 0, fmt.Errorf("expire page %s: %w", rawURL, err)
	}
	if _, err := c.Get(ctx, ik+".low", &low); err != nil || low > n {
		low = 0 // the counter started again: read every slot
	}
	for from := low + 1; from <= n; from += expireBatch {
		slots := make([]string, 0, expireBatch)
		for i := from; i <= n && i < from+expireBatch; i++ {
			slots = append(slots, ik+"."+strconv.FormatInt(i, 10))
		}
		found, err := c.GetMany(ctx, slots)
		if err != nil {
			return 0, fmt.Errorf("expire page %s: %w", rawURL, err)
		}
		for _, v := range found {
			var s string
			if v.Decode(&s) == nil {
				keys = append(keys, strings.Split(s, "\n")...)
			}
		}
		if err := c.DeleteMany(ctx, slots); err != nil {
			return 0, fmt.Errorf("expire page %s: %w", rawURL, err)
		}
	}
	deleted := 0
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		ok, err := c.Delete(ctx, k)
		if err != nil {
			return deleted, fmt.Errorf("expire page %s: %w", rawURL, err)
		}
		if ok {
			deleted++
		}
	}
	if n > 0 {
		if err := c.Set(ctx, ik+".low", n, Forever); err != nil {
			return deleted, fmt.Errorf("expire page %s: %w", rawURL, err)
		}
	}
	more, err := expireUnlisted(ctx, c, keyPrefix, md5hex(AbsoluteURI(r)))
	deleted += more
	if err != nil {
		return deleted, fmt.Errorf("expire page %s: %w", rawURL, err)
	}
	return deleted, nil
}

// expireUnlisted deletes, on a store that can match keys (locmem, db,
// redis), the variants of the page at uriHash that no index of ours lists:
// those a Django process sharing the cache stored (every method, Vary'd
// value, language and time zone), and their header lists. Only for the
// default key function, whose made keys have a known shape.
func expireUnlisted(ctx context.Context, c *Cache, keyPrefix, uriHash string) (int, error) {
	if !c.keyFuncIsDefault {
		return 0, nil
	}
	s, err := c.open("delete_many")
	if err != nil {
		return 0, ignoreResting(err)
	}
	km, ok := s.(KeyMatcher)
	if !ok {
		return 0, nil
	}
	total := 0
	for _, parts := range [][]string{
		{c.keyHead + "views.decorators.cache.cache_page." + keyPrefix + ".", "." + uriHash + ".", ""},
		{c.keyHead + "views.decorators.cache.cache_header." + keyPrefix + "." + uriHash, ""},
	} {
		n, err := km.DeleteMatching(ctx, parts)
		total += n
		if err != nil {
			return total, c.fail("delete_many", parts[0], err)
		}
	}
	return total, nil
}
