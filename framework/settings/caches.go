package settings

import (
	"math"
	"strconv"
	"strings"
)

// Django's defaults for a cache alias.
const (
	DefaultCacheTimeout  = 300 // TIMEOUT
	DefaultMaxEntries    = 300 // OPTIONS.MAX_ENTRIES
	DefaultCullFrequency = 3   // OPTIONS.CULL_FREQUENCY
	DefaultCacheVersion  = 1   // VERSION
)

// cacheKeys are the keys of one CACHES alias.
var cacheKeys = []string{"BACKEND", "LOCATION", "TIMEOUT", "OPTIONS", "KEY_PREFIX", "VERSION", "KEY_FUNCTION"}

// defaultCache is an alias with Django's defaults and the given backend.
func defaultCache(backend string) Cache {
	return Cache{
		Backend:       backend,
		Timeout:       DefaultCacheTimeout,
		MaxEntries:    DefaultMaxEntries,
		CullFrequency: DefaultCullFrequency,
		Options:       map[string]any{},
		Version:       DefaultCacheVersion,
	}
}

// caches decodes CACHES. Backend names are not checked here: the cache
// package's registry knows them (it reports with Settings.Errorf).
func (d *decoder) caches(key string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table of cache aliases such as [CACHES.default], got %s", typeName(v))
		return
	}
	if _, ok := m["default"]; !ok {
		// Django's system check caches.E001.
		d.errorf(key, "You must define a 'default' cache in your CACHES setting.")
	}
	out := make(map[string]Cache, len(m))
	for alias, av := range m {
		if c, ok := d.cache(join(key, alias), av); ok {
			out[alias] = c
		}
	}
	d.s.Caches = out
}

// cache decodes one alias of CACHES.
func (d *decoder) cache(key string, v any) (Cache, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table (BACKEND, LOCATION, TIMEOUT, OPTIONS, ...), got %s", typeName(v))
		return Cache{}, false
	}
	errs := len(d.errs)
	d.unknownKeys(key, m, cacheKeys)
	c := defaultCache("")

	if b, ok := m["BACKEND"]; !ok {
		d.errorf(key+".BACKEND", "missing: every cache alias needs a BACKEND (e.g. \"locmem\" or \"django.core.cache.backends.locmem.LocMemCache\")")
	} else if d.str(key+".BACKEND", b, &c.Backend) && strings.TrimSpace(c.Backend) == "" {
		d.errorf(key+".BACKEND", "must not be empty")
	}
	if l, ok := m["LOCATION"]; ok {
		d.location(key+".LOCATION", l, &c)
	}
	if t, ok := m["TIMEOUT"]; ok {
		d.timeout(key+".TIMEOUT", t, &c)
	}
	if o, ok := m["OPTIONS"]; ok {
		d.cacheOptions(key+".OPTIONS", o, &c)
	}
	if p, ok := m["KEY_PREFIX"]; ok {
		d.str(key+".KEY_PREFIX", p, &c.KeyPrefix)
	}
	if ver, ok := m["VERSION"]; ok {
		if n, ok := d.integer(key+".VERSION", ver, intRule{numericString: true}); ok {
			c.Version = n
		}
	}
	if f, ok := m["KEY_FUNCTION"]; ok {
		d.str(key+".KEY_FUNCTION", f, &c.KeyFunction)
	}
	return c, len(d.errs) == errs
}

// location decodes LOCATION: a string, or an array of strings. A string with
// ";" or "," lists several servers (Django's redis and memcached split
// LOCATION at [;,]); Location keeps it as written.
func (d *decoder) location(key string, v any, c *Cache) {
	switch x := v.(type) {
	case string:
		c.Location = x
		c.Locations = splitLocation(x)
	case []any:
		var list []string
		if !d.strs(key, x, &list) {
			return
		}
		c.Location = strings.Join(list, ";")
		for _, l := range list {
			if l = strings.TrimSpace(l); l != "" {
				c.Locations = append(c.Locations, l)
			}
		}
	default:
		d.errorf(key, "want a string or an array of strings, got %s", typeName(v))
	}
}

// splitLocation splits a LOCATION string at ";" and ",", trims the parts and
// drops empty ones.
func splitLocation(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// timeout decodes TIMEOUT: seconds, or "None" for never expire (TOML has no
// null). Like Django's int(), a float is truncated and a numeric string is
// accepted. Zero and negative values mean "expire at once".
func (d *decoder) timeout(key string, v any, c *Cache) {
	if s, ok := v.(string); ok {
		switch t := strings.TrimSpace(s); {
		case strings.EqualFold(t, "none"), strings.EqualFold(t, "forever"):
			c.Timeout, c.Forever = 0, true
			return
		default:
			if n, err := strconv.ParseInt(t, 10, 64); err == nil {
				c.Timeout = clampTimeout(n)
				return
			}
		}
		d.errorf(key, `want seconds (an integer) or "None" to never expire, got %s`, typeName(v))
		return
	}
	if _, isBool := v.(bool); isBool {
		d.errorf(key, `want seconds (an integer) or "None" to never expire, got %s`, typeName(v))
		return
	}
	if n, ok := d.integer64(key, v, intRule{truncate: true}); ok {
		c.Timeout = clampTimeout(n)
	}
}

// clampTimeout keeps a negative TIMEOUT (already expired, whatever its size)
// away from math.MinInt64, which the cache package uses as its "default
// timeout" sentinel.
func clampTimeout(n int64) int64 {
	if n == math.MinInt64 {
		return math.MinInt64 + 1
	}
	return n
}

// cacheOptions decodes OPTIONS: MAX_ENTRIES and CULL_FREQUENCY go to their
// fields, every other key is backend specific and kept in Options.
func (d *decoder) cacheOptions(key string, v any, c *Cache) {
	m, ok := d.table(key, v)
	if !ok {
		return
	}
	opts := make(map[string]any, len(m))
	for k, ov := range m {
		switch k {
		case "MAX_ENTRIES":
			// Any integer: Django's own tests force -1 (edge case 24).
			if n, ok := d.integer(key+"."+k, ov, intRule{numericString: true}); ok {
				c.MaxEntries = n
			}
		case "CULL_FREQUENCY":
			// 0 means "clear everything" when culling; below 0 means nothing.
			if n, ok := d.integer(key+"."+k, ov, intRule{numericString: true}); ok {
				if n < 0 {
					d.errorf(key+"."+k, "must be 0 (clear the whole cache when full) or a positive integer N (cull 1/N of the entries), got %d", n)
				} else {
					c.CullFrequency = n
				}
			}
		default:
			opts[k] = ov
		}
	}
	c.Options = opts
}
