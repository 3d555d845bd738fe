// Package middleware holds the MIDDLEWARE registry (names in settings.toml
// -> net/http middleware), ALLOWED_HOSTS validation and the framework's own
// middleware. Every middleware is a func(http.Handler) http.Handler, so it
// plugs into chi and plain net/http alike.
package middleware

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Constructor builds a middleware from the project's settings.
type Constructor func(s *settings.Settings) (func(http.Handler) http.Handler, error)

// Builtin returns the middleware the framework provides, by every name
// MIDDLEWARE may use for them: Django's dotted path and the short name.
// The map is new on each call: a project adds its own entries to it.
func Builtin() map[string]Constructor {
	update := func(s *settings.Settings) (func(http.Handler) http.Handler, error) {
		return cache.NewUpdateCacheMiddleware(s).Middleware, nil
	}
	fetch := func(s *settings.Settings) (func(http.Handler) http.Handler, error) {
		return cache.NewFetchFromCacheMiddleware(s).Middleware, nil
	}
	both := func(s *settings.Settings) (func(http.Handler) http.Handler, error) {
		return cache.NewCacheMiddleware(s).Middleware, nil
	}
	cond := func(*settings.Settings) (func(http.Handler) http.Handler, error) { return ConditionalGet, nil }
	sec := NewSecurity
	xfo := func(s *settings.Settings) (func(http.Handler) http.Handler, error) { return NewXFrameOptions(s), nil }
	csrfView := func(s *settings.Settings) (func(http.Handler) http.Handler, error) {
		c, err := NewCSRF(s)
		if err != nil {
			return nil, err
		}
		return c.Middleware, nil
	}
	return map[string]Constructor{
		"django.middleware.cache.UpdateCacheMiddleware":          update,
		"UpdateCacheMiddleware":                                  update,
		"django.middleware.cache.FetchFromCacheMiddleware":       fetch,
		"FetchFromCacheMiddleware":                               fetch,
		"django.middleware.cache.CacheMiddleware":                both,
		"CacheMiddleware":                                        both,
		"django.middleware.http.ConditionalGetMiddleware":        cond,
		"ConditionalGetMiddleware":                               cond,
		"django.middleware.security.SecurityMiddleware":          sec,
		"SecurityMiddleware":                                     sec,
		"django.middleware.clickjacking.XFrameOptionsMiddleware": xfo,
		"XFrameOptionsMiddleware":                                xfo,
		"django.middleware.csrf.CsrfViewMiddleware":              csrfView,
		"CsrfViewMiddleware":                                     csrfView,
	}
}

// CheckCacheOrder returns an error naming the settings line when
// MIDDLEWARE lists FetchFromCacheMiddleware before UpdateCacheMiddleware:
// Django's order is UpdateCacheMiddleware first, FetchFromCacheMiddleware
// last (in the other order no page is ever stored the way Django stores it).
func CheckCacheOrder(s *settings.Settings) error {
	update, fetch := -1, -1
	for i, name := range s.Middleware {
		switch name {
		case "django.middleware.cache.UpdateCacheMiddleware", "UpdateCacheMiddleware":
			if update < 0 {
				update = i
			}
		case "django.middleware.cache.FetchFromCacheMiddleware", "FetchFromCacheMiddleware":
			fetch = i
		}
	}
	if update >= 0 && fetch >= 0 && fetch < update {
		return s.Errorf(fmt.Sprintf("MIDDLEWARE.%d", fetch), "FetchFromCacheMiddleware must come after UpdateCacheMiddleware (MIDDLEWARE.%d): UpdateCacheMiddleware first, FetchFromCacheMiddleware last", update)
	}
	return nil
}

// Chain builds the MIDDLEWARE of s, in Django's order (the first entry is
// the outermost: it sees the request first and the response last), from
// the constructors in known. An unknown name is an error naming the
// settings line and listing the known names.
func Chain(s *settings.Settings, known map[string]Constructor) (func(http.Handler) http.Handler, error) {
	if err := CheckCacheOrder(s); err != nil {
		return nil, err
	}
	mws := make([]func(http.Handler) http.Handler, 0, len(s.Middleware))
	for i, name := range s.Middleware {
		ctor, ok := known[name]
		if !ok {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, s.Errorf(fmt.Sprintf("MIDDLEWARE.%d", i), "unknown middleware %q (known: %s)", name, strings.Join(names, ", "))
		}
		mw, err := ctor(s)
		if err != nil {
			return nil, s.Errorf(fmt.Sprintf("MIDDLEWARE.%d", i), "%s: %v", name, err)
		}
		mws = append(mws, mw)
	}
	return func(h http.Handler) http.Handler {
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		return h
	}, nil
}
