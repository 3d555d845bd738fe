package management

// The files startapp writes (text/template with [[ ]] delimiters, so the
// Django templates inside keep their {{ }} and {% %}).

const appGo = `// Package [[.Name]] is an app of this project, made by ` + "`go run . startapp [[.Name]]`" + `.
// It registers itself here; list "[[.Name]]" in INSTALLED_APPS to install it.
package [[.Name]]

import "gojango/framework/apps"

func init() {
	apps.Register(apps.App{
		Name:  "[[.Name]]",
		Dir:   "[[.Dir]]", // templates/ in here, searched with APP_DIRS
		URLs:  URLs,
		Mount: "/[[.Name]]/", // apps.Include in urls.go mounts URLs here
	})
}
`

const urlsGo = `package [[.Name]]

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/apps"
	"gojango/framework/settings"
)

// URLs returns the app's routes (its urlpatterns), relative to where the
// project mounts it.
func URLs(s *settings.Settings) (http.Handler, error) {
	if err := migrate(context.Background()); err != nil {
		return nil, err
	}
	tpl, err := apps.Engine(s)
	if err != nil {
		return nil, err
	}
	v := &views{tpl: tpl}
	r := chi.NewRouter()
	r.Get("/", v.index)
	return r, nil
}
`

const viewsGo = `package [[.Name]]

import (
	"net/http"

	"gojango/framework/middleware"
	"gojango/framework/templates"
)

// views are the app's pages.
type views struct {
	tpl *templates.Engine
}

// index lists the entries.
func (v *views) index(w http.ResponseWriter, r *http.Request) {
	entries, err := allEntries(r.Context())
	if err != nil {
		middleware.ServerError(w, r, err)
		return
	}
	_ = v.tpl.Render(w, r, "[[.Name]]/index.html", map[string]any{"entries": entries})
}
`

const modelsGo = `package [[.Name]]

import (
	"context"
	"fmt"

	"gojango/framework/db"
)

// Entry is the app's model (table [[.Name]]_entry).
type Entry struct {
	ID    int64  ` + "`db:\"id\"`" + `
	Title string ` + "`db:\"title\"`" + `
}

// migrate creates the app's table in the default database (its
// migration).
func migrate(ctx context.Context) error {
	conn, err := db.Connection("default")
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, ` + "`CREATE TABLE IF NOT EXISTS [[.Name]]_entry (id integer NOT NULL PRIMARY KEY, title varchar(200) NOT NULL)`" + `); err != nil {
		return fmt.Errorf("[[.Name]]: create table: %w", err)
	}
	return nil
}

// allEntries returns every entry.
func allEntries(ctx context.Context) ([]Entry, error) {
	conn, err := db.Connection("default")
	if err != nil {
		return nil, err
	}
	var out []Entry
	if err := conn.SelectContext(ctx, &out, ` + "`SELECT id, title FROM [[.Name]]_entry ORDER BY id`" + `); err != nil {
		return nil, fmt.Errorf("[[.Name]]: list entries: %w", err)
	}
	return out, nil
}
`

const appTestGo = `package [[.Name]]

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"gojango/framework/db"
	"gojango/framework/settings"
)

// The index page renders the app's template from its own database.
func TestIndexPageRenders(t *testing.T) {
	s := settings.Default()
	s.BaseDir = ".." // the project root: the app's folder is [[.Dir]]
	s.InstalledApps = []string{"[[.Name]]"}
	s.Databases["default"] = settings.Database{Engine: "sqlite3", Name: filepath.Join(t.TempDir(), "test.sqlite3"), Options: map[string]any{}}
	if err := db.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	h, err := URLs(s)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<h1>[[.Name]]</h1>") {
		t.Fatalf("GET /: %d %q", rec.Code, rec.Body.String())
	}
}
`

const indexHTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>[[.Name]]</title></head>
<body>
<h1>[[.Name]]</h1>
<ul>
{% for e in entries %}<li>{{ e.Title }}</li>{% empty %}<li>No entries yet.</li>{% endfor %}
</ul>
</body>
</html>
`
