// Package app_example is a small app in Django's layout (urls.go,
// views.go, models.go, templates/) that shows the cache framework at work:
// articles kept in SQLite, a cached list, a cached sidebar fragment, and
// an edit form whose POST expires what it made stale.
package app_example

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/apps"
	"gojango/framework/cache"
	"gojango/framework/settings"
	"gojango/framework/urls"
	"gojango/framework/views"
)

// URLs returns the app's routes (its urlpatterns). It creates the app's
// table and sample data on first run.
func URLs(s *settings.Settings) (http.Handler, error) {
	articles, err := OpenArticles(context.Background())
	if err != nil {
		return nil, err
	}
	tpl, err := apps.Engine(s)
	if err != nil {
		return nil, err
	}
	av := &articleViews{s: s, articles: articles, tpl: tpl}

	r := chi.NewRouter()
	// The article list, cached per view for fifteen minutes: cache_page(60 * 15).
	r.Get("/", cache.Page(60*15, av.list))
	urls.Name(r, "article-list", "/") // path("", ..., name="article-list"): {% url "article-list" %}
	r.Get("/articles/{id}/", av.detail)
	urls.Name(r, "article-detail", "/articles/{id}/")
	// The edit form: never cached; its POST must carry the CSRF token.
	r.Get("/articles/{id}/edit/", views.NeverCache(av.edit))
	r.Post("/articles/{id}/edit/", av.edit)
	urls.Name(r, "article-edit", "/articles/{id}/edit/")
	// The low-level API: compute once, cache, reuse.
	r.Get("/stats/", Stats)
	// Per-view caching of a page that shows when it was rendered.
	r.Get("/clock/", cache.Page(60*15, Clock))
	// Vary: one cached copy per Accept-Language value.
	r.Get("/greeting/", cache.Page(60*15, views.VaryOnHeaders(Greeting, "Accept-Language")))
	// A private page: Cache-Control: private keeps it out of every cache.
	r.Get("/me/", cache.Page(60*15, views.CacheControl(Me, views.Private)))
	// A view that panics: 500, the technical page with DEBUG, the stack in the log.
	r.Get("/boom/", Boom)
	// The live cache panel (DEBUG or CacheStaff only), never cached.
	panel, panelData := cachePage{s: s}.routes()
	r.Get("/_cache/", panel)
	r.Get("/_cache/data.json", panelData)
	return r, nil
}
