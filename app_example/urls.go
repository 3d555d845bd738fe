// Package app_example is a small app in Django's layout (urls.go,
// views.go, templates/) that shows the cache framework at work.
package app_example

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/cache"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// URLs returns the app's routes (its urlpatterns).
func URLs(s *settings.Settings) (http.Handler, error) {
	r := chi.NewRouter()
	// The low-level API: compute once, cache, reuse.
	r.Get("/stats/", Stats)
	// Per-view caching: cache_page(60 * 15).
	r.Get("/clock/", cache.Page(60*15, Clock))
	// Vary: one cached copy per Accept-Language value.
	r.Get("/greeting/", cache.Page(60*15, views.VaryOnHeaders(Greeting, "Accept-Language")))
	// A private page: Cache-Control: private keeps it out of every cache.
	r.Get("/me/", cache.Page(60*15, views.CacheControl(Me, views.Private)))
	return r, nil
}
