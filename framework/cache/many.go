package cache

import (
	"context"
	"fmt"
)

// Value is one value returned by GetMany, still encoded: Decode copies it
// into a destination, as Get does.
type Value struct {
	raw []byte
	c   *Cache // whose serializer decodes it
}

// Decode copies the value into dst (see Cache.Get for what dst may be).
func (v Value) Decode(dst any) error {
	if v.c != nil {
		return v.c.decode(v.raw, dst)
	}
	return decode(v.raw, dst)
}

// Any returns the value as int64, uint64, float64, bool, string, []byte or
// nil; a structured value needs Decode with a typed destination.
func (v Value) Any() (any, error) {
	var x any
	err := v.Decode(&x)
	return x, err
}

// GetMany returns the values of the keys that are present, keyed by the
// caller's keys (missing and expired keys are absent), as Django's get_many.
func (c *Cache) GetMany(ctx context.Context, keys []string, opts ...Option) (map[string]Value, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpGetMany, t)
	}
	out := make(map[string]Value, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	version := c.version(opts)
	full := make([]string, 0, len(keys))
	orig := make(map[string]string, len(keys))
	for _, k := range keys {
		fk, err := c.makeKey(k, version)
		if err != nil {
			return nil, err
		}
		if _, dup := orig[fk]; !dup {
			full = append(full, fk)
		}
		orig[fk] = k
	}
	s, err := c.open("get_many")
	if err != nil {
		return out, ignoreResting(err)
	}
	if bs, ok := s.(BatchStore); ok {
		got, err := bs.GetMany(ctx, full)
		if err != nil {
			c.stats.misses.Add(uint64(len(full)))
			return out, c.fail("get_many", full[0], err)
		}
		hits := 0
		for fk, raw := range got {
			raw, ok, err := c.unwrapTags(ctx, fk, raw)
			if err != nil {
				return out, err
			}
			if ok {
				out[orig[fk]] = Value{raw, c}
				hits++
			}
		}
		c.stats.hits.Add(uint64(hits))
		c.stats.misses.Add(uint64(len(full) - hits))
		return out, nil
	}
	for _, fk := range full {
		raw, ok, err := s.Get(ctx, fk)
		if err != nil {
			c.stats.misses.Add(1)
			if ferr := c.fail("get_many", fk, err); ferr != nil {
				return nil, ferr
			}
			continue
		}
		if ok {
			if raw, ok, err = c.unwrapTags(ctx, fk, raw); err != nil {
				return out, err
			}
		}
		if !ok {
			c.stats.misses.Add(1)
			continue
		}
		c.stats.hits.Add(1)
		out[orig[fk]] = Value{raw, c}
	}
	return out, nil
}

// SetMany stores every item with one timeout and returns the caller's keys
// that failed to store (empty on success), as Django's set_many.
func (c *Cache) SetMany(ctx context.Context, items map[string]any, timeout Timeout, opts ...Option) ([]string, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpSetMany, t)
	}
	if len(items) == 0 {
		return []string{}, nil
	}
	version := c.version(opts)
	tags := callTags(opts)
	enc := make(map[string][]byte, len(items))
	orig := make(map[string]string, len(items))
	for k, v := range items {
		raw, err := c.encode(v)
		if err == nil {
			raw, err = c.wrapTags(ctx, raw, tags)
		}
		if err != nil {
			return nil, fmt.Errorf("cache %q: set_many %q: %w", c.alias, k, err)
		}
		fk, err := c.makeKey(k, version)
		if err != nil {
			return nil, err
		}
		enc[fk] = raw
		orig[fk] = k
	}
	s, err := c.open("set_many")
	if err != nil {
		return []string{}, ignoreResting(err)
	}
	exp := c.expiry(timeout)
	failed := []string{}
	if bs, ok := s.(BatchStore); ok {
		bad, err := bs.SetMany(ctx, enc, exp)
		if err != nil {
			if ferr := c.fail("set_many", "", err); ferr != nil {
				return nil, ferr
			}
			return failed, nil
		}
		for _, fk := range bad {
			failed = append(failed, orig[fk])
		}
		c.stats.sets.Add(uint64(len(enc) - len(bad)))
		return failed, nil
	}
	for fk, raw := range enc {
		if err := s.Set(ctx, fk, raw, exp); err != nil {
			if ferr := c.fail("set_many", fk, err); ferr != nil {
				return nil, ferr
			}
			failed = append(failed, orig[fk])
			continue
		}
		c.stats.sets.Add(1)
	}
	return failed, nil
}

// DeleteMany removes the keys (Django's delete_many returns nothing).
func (c *Cache) DeleteMany(ctx context.Context, keys []string, opts ...Option) error {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpDeleteMany, t)
	}
	if len(keys) == 0 {
		return nil
	}
	version := c.version(opts)
	full := make([]string, 0, len(keys))
	for _, k := range keys {
		fk, err := c.makeKey(k, version)
		if err != nil {
			return err
		}
		full = append(full, fk)
	}
	s, err := c.open("delete_many")
	if err != nil {
		return ignoreResting(err)
	}
	if bs, ok := s.(BatchStore); ok {
		if err := bs.DeleteMany(ctx, full); err != nil {
			return c.fail("delete_many", full[0], err)
		}
		c.stats.deletes.Add(uint64(len(full)))
		return nil
	}
	for _, fk := range full {
		ok, err := s.Delete(ctx, fk)
		if err != nil {
			if ferr := c.fail("delete_many", fk, err); ferr != nil {
				return ferr
			}
			continue
		}
		if ok {
			c.stats.deletes.Add(1)
		}
	}
	return nil
}

// Item is one key and value of SetManyOrdered.
type Item struct {
	Key   string
	Value any
}

// SetManyOrdered is SetMany for items in the caller's order, as Django's
// set_many stores a dict's items in its insertion order: on a store that
// culls (locmem, file, db), which entries a cull removes depends on that
// order. It returns the caller's keys that failed to store.
func (c *Cache) SetManyOrdered(ctx context.Context, items []Item, timeout Timeout, opts ...Option) ([]string, error) {
	failed := []string{}
	for _, it := range items {
		m := map[string]any{it.Key: it.Value}
		bad, err := c.SetMany(ctx, m, timeout, opts...)
		if err != nil {
			return nil, err
		}
		failed = append(failed, bad...)
	}
	return failed, nil
}
