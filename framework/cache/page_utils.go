package cache

import (
	"context"
	"net/http"
	"strings"
)

// GetCacheKey is Django's get_cache_key: the page key for r and method in
// c under keyPrefix, or false when no response for the URL has taught the
// header list yet (Django's None: "must rebuild").
func GetCacheKey(ctx context.Context, r *http.Request, c *Cache, keyPrefix, method string, i I18N) (string, bool) {
	k, ok, err := getCacheKey(ctx, r, c, keyPrefix, method, i)
	return k, ok && err == nil
}

func getCacheKey(ctx context.Context, r *http.Request, c *Cache, keyPrefix, method string, i I18N) (string, bool, error) {
	var list string
	ok, err := c.Get(ctx, headerKey(keyPrefix, r, i), &list)
	if err != nil || !ok {
		return "", false, err
	}
	return pageKey(r, method, splitHeaderList(list), keyPrefix, i), true, nil
}

// LearnCacheKey is Django's learn_cache_key: it stores in c, for timeout
// seconds, the list of request headers the response (its header h) varies
// on, and returns the page key for r's method.
func LearnCacheKey(ctx context.Context, r *http.Request, h http.Header, timeout Timeout, c *Cache, keyPrefix string, i I18N) (string, error) {
	list := headerListFromVary(h, i)
	if err := c.Set(ctx, headerKey(keyPrefix, r, i), strings.Join(list, ","), timeout); err != nil {
		return "", err
	}
	return pageKey(r, r.Method, list, keyPrefix, i), nil
}
