package views

import (
	"net/http"
	"strconv"
	"strings"
)

// Directive is one Cache-Control directive, spelled as it appears in the
// header: a bare name ("private") or name=value ("max-age=60"). It plays the
// part of one keyword argument of Django's patch_cache_control /
// @cache_control: an underscore in the name is turned into a hyphen
// (Directive("max_age=60") is max-age=60), and a value holding several
// comma-separated directives counts as each of them in turn, which is how
// NoCacheFields names several fields. Any directive without a constructor
// below is written by name: Directive("stale-if-error=60"),
// Directive("x-custom").
type Directive string

// The bare directives Django's cache_control accepts as name=True.
const (
	Public          Directive = "public"
	Private         Directive = "private"
	NoCache         Directive = "no-cache"
	NoStore         Directive = "no-store"
	NoTransform     Directive = "no-transform"
	MustRevalidate  Directive = "must-revalidate"
	ProxyRevalidate Directive = "proxy-revalidate"
	Immutable       Directive = "immutable"
	MustUnderstand  Directive = "must-understand"
)

// MaxAge is max-age=seconds. Patched over an existing max-age, the smaller
// of the two wins (Django's rule for a decorator and a middleware that both
// set one).
func MaxAge(seconds int) Directive { return secondsDirective("max-age", seconds) }

// SMaxAge is s-maxage=seconds.
func SMaxAge(seconds int) Directive { return secondsDirective("s-maxage", seconds) }

// StaleWhileRevalidate is stale-while-revalidate=seconds.
func StaleWhileRevalidate(seconds int) Directive {
	return secondsDirective("stale-while-revalidate", seconds)
}

// StaleIfError is stale-if-error=seconds.
func StaleIfError(seconds int) Directive { return secondsDirective("stale-if-error", seconds) }

// NoCacheFields is no-cache=<field> for each field (Django's
// no_cache="Set-Cookie"): caches may reuse the response without the named
// header fields. Field names accumulate with those already in the header; a
// bare no-cache, old or new, overrides them all. Without fields it is the
// bare NoCache.
func NoCacheFields(fields ...string) Directive {
	if len(fields) == 0 {
		return NoCache
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "no-cache=" + f
	}
	return Directive(strings.Join(parts, ", "))
}

func secondsDirective(name string, seconds int) Directive {
	return Directive(name + "=" + strconv.Itoa(seconds))
}

// ccValue is one directive's value: bare (Django's True) or name=text.
type ccValue struct {
	text string
	bare bool
}

func (v ccValue) render(name string) string {
	if v.bare {
		return name
	}
	return name + "=" + v.text
}

// ccDirectives is the ordered dictionary Django's patch_cache_control
// builds: directive names in first-insertion order; no-cache holds a set of
// values (field names and/or bare), every other name its last value.
type ccDirectives struct {
	order   []string
	values  map[string]ccValue
	noCache []ccValue // set semantics, insertion order
}

func newCCDirectives() *ccDirectives {
	return &ccDirectives{values: make(map[string]ccValue)}
}

func (cc *ccDirectives) has(name string) bool {
	if name == "no-cache" {
		return len(cc.noCache) > 0
	}
	_, ok := cc.values[name]
	return ok
}

func (cc *ccDirectives) set(name string, v ccValue) {
	if name == "no-cache" {
		if len(cc.noCache) == 0 {
			cc.order = append(cc.order, name)
		}
		for _, old := range cc.noCache {
			if old == v {
				return
			}
		}
		cc.noCache = append(cc.noCache, v)
		return
	}
	if _, ok := cc.values[name]; !ok {
		cc.order = append(cc.order, name)
	}
	cc.values[name] = v
}

func (cc *ccDirectives) del(name string) {
	if !cc.has(name) {
		return
	}
	if name == "no-cache" {
		cc.noCache = nil
	} else {
		delete(cc.values, name)
	}
	for i, n := range cc.order {
		if n == name {
			cc.order = append(cc.order[:i], cc.order[i+1:]...)
			break
		}
	}
}

func (cc *ccDirectives) String() string {
	out := make([]string, 0, len(cc.order))
	for _, name := range cc.order {
		if name != "no-cache" {
			out = append(out, cc.values[name].render(name))
			continue
		}
		values := cc.noCache
		for _, v := range values {
			if v.bare {
				// A bare no-cache takes precedence over field names.
				values = []ccValue{{bare: true}}
				break
			}
		}
		for _, v := range values {
			out = append(out, v.render(name))
		}
	}
	return strings.Join(out, ", ")
}

// splitDirective splits "name=value" at the first "=" (a bare name has no
// value).
func splitDirective(s string) (name string, v ccValue) {
	name, text, found := strings.Cut(s, "=")
	return name, ccValue{text: text, bare: !found}
}

// parseCacheControl reads the response's Cache-Control header(s) as Django
// does: elements split on `\s*,\s*`, names lower-cased, a bare name is
// True, no-cache accumulates, any other repeated name keeps its last value.
func parseCacheControl(h http.Header) *ccDirectives {
	cc := newCCDirectives()
	elems, _ := splitHeaderList(h, "Cache-Control")
	for _, e := range elems {
		name, v := splitDirective(e)
		cc.set(strings.ToLower(name), v)
	}
	return cc
}

// parseMaxAge converts a max-age value the way Python's int() does for the
// common cases: surrounding whitespace allowed, a sign allowed, nothing else.
func parseMaxAge(v ccValue) (int, bool) {
	if v.bare {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(v.text))
	if err != nil {
		return 0, false
	}
	return n, true
}

// PatchCacheControl adds directives to the response's Cache-Control header,
// as Django's patch_cache_control does: the existing header is parsed
// (names lower-cased, bare names true); a new max-age is lowered to an
// existing smaller one; a new public removes an existing private, or else a
// new private removes an existing public; no-cache accumulates field names
// and a bare no-cache wins over them; every other new directive replaces the
// old value in its old place. Directives come out existing-first, then new,
// joined with ", " into one Cache-Control line.
//
// Where Django would raise (an existing max-age that is not an integer) the
// new max-age is used as given.
func PatchCacheControl(h http.Header, directives ...Directive) {
	if h == nil {
		return // nothing to patch (and a nil map cannot be written)
	}
	cc := parseCacheControl(h)

	// Django's kwargs: one entry per name, in first-seen order, last value
	// wins; no-cache values are collected as a set.
	kw := newCCDirectives()
	for _, d := range directives {
		for _, e := range splitList(string(d)) {
			name, v := splitDirective(e)
			kw.set(strings.ReplaceAll(name, "_", "-"), v)
		}
	}

	if cc.has("max-age") && kw.has("max-age") {
		oldAge, okOld := parseMaxAge(cc.values["max-age"])
		newAge, okNew := parseMaxAge(kw.values["max-age"])
		if okOld && okNew {
			kw.values["max-age"] = ccValue{text: strconv.Itoa(min(oldAge, newAge))}
		}
	}

	// Allow overriding private caching and vice versa.
	if cc.has("private") && kw.has("public") {
		cc.del("private")
	} else if cc.has("public") && kw.has("private") {
		cc.del("public")
	}

	for _, name := range kw.order {
		if name == "no-cache" {
			for _, v := range kw.noCache {
				cc.set(name, v)
			}
			continue
		}
		cc.set(name, kw.values[name])
	}
	h.Set("Cache-Control", cc.String())
}

// GetMaxAge returns the max-age of the response's Cache-Control header as
// an integer, as Django's get_max_age does; ok is false when there is no
// Cache-Control, no max-age, or a max-age that is not an integer.
func GetMaxAge(h http.Header) (seconds int, ok bool) {
	cc := parseCacheControl(h)
	v, found := cc.values["max-age"]
	if !found {
		return 0, false
	}
	return parseMaxAge(v)
}

// CacheControlSeconds returns the integer value of the Cache-Control
// directive name (lower case, e.g. "stale-while-revalidate"), parsed as
// GetMaxAge parses max-age; ok is false when it is absent or not an integer.
func CacheControlSeconds(h http.Header, name string) (seconds int, ok bool) {
	v, found := parseCacheControl(h).values[name]
	if !found {
		return 0, false
	}
	return parseMaxAge(v)
}
