package gotwin

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// URLs is the Go twin's URLconf; conformance/djangotwin/twin/urls.py has
// the same routes. CUSTOM.TWIN_MODE picks how pages are cached: "view"
// wraps the views in cache.Page (and one route group in
// cache.PageMiddleware), "site" leaves them bare for the per-site
// middleware of MIDDLEWARE. Every route takes every method, as Django's do.
func URLs(s *settings.Settings) (http.Handler, error) {
	mode, _ := s.Custom["TWIN_MODE"].(string)
	c := &counter{calls: map[string]int{}}
	view := http.HandlerFunc(c.paramView)
	r := chi.NewRouter()
	switch mode {
	case "view":
		// The cache.Page variants behind /v/, picked by X-Twin-Cache.
		r.HandleFunc("/v/", dispatch(map[string]http.HandlerFunc{
			"600":         cache.Page(600, view),
			"600-default": cache.Page(600, view, cache.Using("default")),
			"300":         cache.Page(300, view),
			"600-pa":      cache.Page(600, view, cache.KeyPrefix("a")),
			"300-pa":      cache.Page(300, view, cache.KeyPrefix("a")),
			"600-pb":      cache.Page(600, view, cache.KeyPrefix("b")),
			"600-other":   cache.Page(600, view, cache.Using("other")),
			"5":           cache.Page(5, view),
			"1":           cache.Page(1, view),
			"1-other":     cache.Page(1, view, cache.Using("other")),
			"0":           cache.Page(0, view),
			"none":        view,
		}))
		// cache.PageMiddleware on a route group.
		r.Group(func(r chi.Router) {
			r.Use(cache.PageMiddleware(600))
			r.HandleFunc("/mw/v/", view)
		})
		// A catch-all, for the URL part of the key (rule 101).
		r.HandleFunc("/any/*", cache.Page(600, view))
	case "site":
		r.HandleFunc("/v/", view)
		r.HandleFunc("/mw/v/", view)
		r.HandleFunc("/any/*", view)
	default:
		return nil, s.Errorf("CUSTOM.TWIN_MODE", "want \"view\" or \"site\", got %q", fmt.Sprint(s.Custom["TWIN_MODE"]))
	}
	r.HandleFunc("/_keys/", keys)
	return r, nil
}
