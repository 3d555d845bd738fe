package apps

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"

	"gojango/framework/settings"
	"gojango/framework/templates"
	"gojango/framework/urls"
)

// Include mounts the URLs of every installed app that has a Mount prefix
// on r, in INSTALLED_APPS order: Django's path("blog/",
// include("blog.urls")) for each app, written once in the project's
// urls.go.
func Include(r chi.Router, s *settings.Settings) error {
	installed, err := Installed(s)
	if err != nil {
		return err
	}
	for _, a := range installed {
		if a.URLs == nil || a.Mount == "" {
			continue
		}
		h, err := a.URLs(s)
		if err != nil {
			return fmt.Errorf("%s: urls: %w", a.Name, err)
		}
		prefix := strings.TrimSuffix(a.Mount, "/")
		if prefix == "" {
			prefix = "/"
		}
		if child, ok := h.(chi.Router); ok {
			urls.Include(r, prefix, child, "") // its URL names reverse from the root
		} else {
			r.Mount(prefix, h)
		}
	}
	return nil
}

var (
	enginesMu sync.Mutex
	engines   = map[*settings.Settings]*templates.Engine{}
)

// Engine returns the project's template engine for s (Django's one
// DjangoTemplates engine): TEMPLATES DIRS, then with APP_DIRS every
// installed app's templates/ folder in INSTALLED_APPS order. It is built
// once per Settings and shared by every app.
func Engine(s *settings.Settings) (*templates.Engine, error) {
	enginesMu.Lock()
	defer enginesMu.Unlock()
	if e, ok := engines[s]; ok {
		return e, nil
	}
	installed, err := Installed(s)
	if err != nil {
		return nil, err
	}
	e, err := templates.New(s, Templates(installed)...)
	if err != nil {
		return nil, err
	}
	engines[s] = e
	return e, nil
}
