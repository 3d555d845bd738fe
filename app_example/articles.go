package app_example

import (
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"gojango/framework/cache"
	"gojango/framework/middleware"
	"gojango/framework/settings"
	"gojango/framework/templates"
	"gojango/framework/views"
)

// articleViews are the article pages: a cached list, a page per article,
// and an edit form whose POST invalidates, by tag, what the change made
// stale.
type articleViews struct {
	s        *settings.Settings
	articles *Articles
	tpl      *templates.Engine
}

// list is the front page: cache.Page(60*15) keeps it a quarter of an hour.
// It is tagged "articles": any edit invalidates it.
func (v *articleViews) list(w http.ResponseWriter, r *http.Request) {
	all, err := v.articles.All(r.Context())
	if err != nil {
		middleware.ServerError(w, r, err)
		return
	}
	views.CacheTags(w, "articles")
	_ = v.tpl.Render(w, r, "app_example/article_list.html", map[string]any{"articles": all, "recent": recent(all)})
}

func (v *articleViews) detail(w http.ResponseWriter, r *http.Request) {
	art, ok := v.article(w, r)
	if !ok {
		return
	}
	all, err := v.articles.All(r.Context())
	if err != nil {
		middleware.ServerError(w, r, err)
		return
	}
	// The page shows this article and, in the sidebar, the others' titles.
	views.CacheTags(w, articleTag(art.ID), "articles")
	_ = v.tpl.Render(w, r, "app_example/article_detail.html", map[string]any{"article": art, "recent": recent(all)})
}

// edit shows the form (GET) or saves it (POST). After a save the article's
// page, the list and the sidebar fragment are expired, in every cache that
// holds them, so the next request shows the change.
func (v *articleViews) edit(w http.ResponseWriter, r *http.Request) {
	art, ok := v.article(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		_ = v.tpl.Render(w, r, "app_example/article_form.html", map[string]any{"article": art})
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request (400)", http.StatusBadRequest) // Django's 400 page, by the error-pages middleware
		return
	}
	title, body := strings.TrimSpace(r.PostForm.Get("title")), strings.TrimSpace(r.PostForm.Get("body"))
	if title == "" {
		art.Title, art.Body = title, body
		_ = v.tpl.Render(w, r, "app_example/article_form.html", map[string]any{"article": art, "error": "The title may not be blank."}, http.StatusBadRequest)
		return
	}
	if err := v.articles.Update(r.Context(), art.ID, title, body); err != nil {
		middleware.ServerError(w, r, err)
		return
	}
	v.invalidate(r, articleTag(art.ID), "articles")
	http.Redirect(w, r, "/articles/"+strconv.FormatInt(art.ID, 10)+"/", http.StatusSeeOther)
}

// articleTag is the cache tag of everything built from one article.
func articleTag(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// invalidate makes every page and fragment tagged with tags a miss, in
// each cache that holds them: the per-site cache's, cache.Page's
// ("default") and the fragments' (template_fragments when CACHES has it).
// One call per alias, whatever the number of pages, variants and hosts.
func (v *articleViews) invalidate(r *http.Request, tags ...string) {
	aliases := map[string]bool{v.s.CacheMiddlewareAlias: true, "default": true}
	if _, ok := v.s.Caches["template_fragments"]; ok {
		aliases["template_fragments"] = true
	}
	for alias := range aliases {
		c, err := cache.Lookup(alias)
		if err != nil {
			continue
		}
		if err := cache.InvalidateTags(r.Context(), c, tags...); err != nil {
			slog.Warn("invalidate tags", slog.String("alias", alias), slog.Any("tags", tags), slog.Any("error", err))
		}
	}
}

func (v *articleViews) article(w http.ResponseWriter, r *http.Request) (Article, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return Article{}, false
	}
	art, err := v.articles.Get(r.Context(), id)
	if errors.Is(err, sql.ErrNoRows) {
		http.NotFound(w, r)
		return Article{}, false
	}
	if err != nil {
		middleware.ServerError(w, r, err)
		return Article{}, false
	}
	return art, true
}

func recent(all []Article) []Article {
	if len(all) > 3 {
		return all[:3]
	}
	return all
}
