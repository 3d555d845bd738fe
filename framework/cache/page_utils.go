package cache

import (
	"context"
	"fmt"
	"log/slog"
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
	list, ok, err := readHeaderList(ctx, c, nil, headerKey(keyPrefix, r, i))
	if err != nil || !ok {
		return "", false, err
	}
	return pageKey(r, method, list, keyPrefix, i), true, nil
}

// readHeaderList reads the header list stored under key (Django's
// get_cache_key's first step); false when no response for the URL has
// taught it yet. With a memo (the page cache's), the parsed list is
// memoised for in-process stores.
func readHeaderList(ctx context.Context, c *Cache, memo *pageMemo, key string) ([]string, bool, error) {
	made, err := c.makeKey(key, c.defaultVersion)
	if err != nil {
		return nil, false, err
	}
	return readHeaderListMade(ctx, c, memo, key, made)
}

// readHeaderListMade is readHeaderList with the key also made already.
func readHeaderListMade(ctx context.Context, c *Cache, memo *pageMemo, key, made string) ([]string, bool, error) {
	raw, ok, err := c.getMade(ctx, made)
	if err != nil || !ok {
		return nil, false, err
	}
	if memo != nil {
		if v, ok := memo.get(key, raw); ok {
			return v.([]string), true, nil
		}
	}
	list, err := decodeHeaderList(c, raw)
	if err != nil {
		c.logger.Warn("corrupt cached header list ignored", slog.String("key", key))
		return nil, false, nil // not a header list: as if absent
	}
	if memo != nil {
		memo.put(key, raw, list)
	}
	return list, true, nil
}

// LearnCacheKey is Django's learn_cache_key: it stores in c, for timeout
// seconds, the list of request headers the response (its header h) varies
// on, and returns the page key for r's method.
func LearnCacheKey(ctx context.Context, r *http.Request, h http.Header, timeout Timeout, c *Cache, keyPrefix string, i I18N) (string, error) {
	list := headerListFromVary(h, i)
	var stored any = strings.Join(list, ",")
	if c.ser != nil {
		stored = list // Django's form: a list of str (a pickle a Django process reads)
	}
	if err := c.Set(ctx, headerKey(keyPrefix, r, i), stored, timeout); err != nil {
		return "", err
	}
	return pageKey(r, r.Method, list, keyPrefix, i), nil
}

// decodeHeaderList reads a stored header list: the codec's comma-joined
// string, or under another serializer Django's list of str (a string is
// accepted too).
func decodeHeaderList(c *Cache, raw []byte) ([]string, error) {
	if c.ser == nil {
		var s string
		if err := decode(raw, &s); err != nil {
			return nil, err
		}
		return splitHeaderList(s), nil
	}
	var v any
	if err := c.ser.Decode(raw, &v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		return splitHeaderList(x), nil
	case []any:
		list := make([]string, 0, len(x))
		for _, h := range x {
			s, ok := h.(string)
			if !ok {
				return nil, fmt.Errorf("%w: header list item %T", ErrEncode, h)
			}
			list = append(list, s)
		}
		return list, nil
	}
	return nil, fmt.Errorf("%w: header list of type %T", ErrEncode, v)
}
