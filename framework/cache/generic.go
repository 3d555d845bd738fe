package cache

import (
	"context"
	"fmt"
)

// GetAs reads key as a T: the value, whether it was found, and an error.
func GetAs[T any](ctx context.Context, c *Cache, key string, opts ...Option) (T, bool, error) {
	var v T
	ok, err := c.Get(ctx, key, &v, opts...)
	return v, ok, err
}

// GetManyAs is GetMany decoding every value as a T.
func GetManyAs[T any](ctx context.Context, c *Cache, keys []string, opts ...Option) (map[string]T, error) {
	vals, err := c.GetMany(ctx, keys, opts...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]T, len(vals))
	for k, v := range vals {
		var t T
		if err := v.Decode(&t); err != nil {
			return nil, fmt.Errorf("cache %q: get_many %q: %w", c.alias, k, err)
		}
		out[k] = t
	}
	return out, nil
}

// GetOrSet returns the value at key; on a miss it calls fill, adds the result
// with timeout and returns what the cache then holds (Django's get_or_set:
// get, compute, add, get again, so a concurrent writer wins). Unlike Django,
// concurrent callers of the same missing key in this process wait for one
// fill instead of each computing it (stampede protection).
func GetOrSet[T any](ctx context.Context, c *Cache, key string, timeout Timeout, fill func(ctx context.Context) (T, error), opts ...Option) (T, error) {
	var zero T
	version := c.version(opts)
	if raw, ok, err := c.getRaw(ctx, key, version); err != nil {
		return zero, err
	} else if ok {
		return decodeAs[T](c, key, raw)
	}
	fk := c.keyFunc(key, c.keyPrefix, version)
	res, err, _ := c.flight.Do(fk, func() (any, error) {
		// Another caller may have filled it between our miss and now.
		if raw, ok, err := c.getRaw(ctx, key, version); err != nil {
			return nil, err
		} else if ok {
			return raw, nil
		}
		v, err := fill(ctx)
		if err != nil {
			return nil, err
		}
		raw, err := c.encode(v)
		if err != nil {
			return nil, fmt.Errorf("cache %q: get_or_set %q: %w", c.alias, key, err)
		}
		stored, err := c.wrapTags(ctx, raw, callTags(opts))
		if err != nil {
			return nil, fmt.Errorf("cache %q: get_or_set %q: %w", c.alias, key, err)
		}
		if _, err := c.addRaw(ctx, key, stored, timeout, version); err != nil {
			return nil, err
		}
		if cur, ok, err := c.getRaw(ctx, key, version); err == nil && ok {
			return cur, nil
		}
		return raw, nil // add discarded (timeout 0, dummy, failing open): the computed value
	})
	if err != nil {
		return zero, err
	}
	return decodeAs[T](c, key, res.([]byte))
}

func decodeAs[T any](c *Cache, key string, raw []byte) (T, error) {
	var v T
	if err := c.decode(raw, &v); err != nil {
		return v, fmt.Errorf("cache %q: %q: %w", c.alias, key, err)
	}
	return v, nil
}
