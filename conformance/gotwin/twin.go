// Package gotwin is the Go twin of the conformance suite: the Django twin's
// project (conformance/djangotwin) rebuilt on gojango, with the same
// settings, routes and views, in two modes: "view" (cache.Page and
// cache.PageMiddleware on the routes) and "site" (the per-site
// UpdateCacheMiddleware ... FetchFromCacheMiddleware pair from MIDDLEWARE).
package gotwin

import (
	"embed"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/management"
	"gojango/framework/settings"
)

// Modes are the twin's modes, as in Django's TWIN_MODE.
var Modes = []string{"view", "site"}

//go:embed settings_view.toml settings_site.toml
var settingsFiles embed.FS

// Settings returns the settings of mode ("view" or "site").
func Settings(mode string) (*settings.Settings, error) {
	name := "settings_" + mode + ".toml"
	data, err := settingsFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("gotwin: no settings for mode %q: %w", mode, err)
	}
	s, err := settings.Parse("conformance/gotwin/"+name, data)
	if err != nil {
		return nil, fmt.Errorf("gotwin: %w", err)
	}
	return s, nil
}

// Handlers makes the twin's CACHES the process's cache configuration
// (cache.Setup; both modes have the same CACHES and share the caches) and
// returns each mode's full handler, built as runserver builds it:
// ALLOWED_HOSTS outermost, then MIDDLEWARE around the URLconf. logger gets
// the request log and rejected hosts (nil: discarded).
func Handlers(logger *slog.Logger) (map[string]http.Handler, error) {
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	out := map[string]http.Handler{}
	var first *settings.Settings
	for _, mode := range Modes {
		s, err := Settings(mode)
		if err != nil {
			return nil, err
		}
		if first == nil {
			first = s
			if err := cache.Setup(s, cache.WithLogger(logger)); err != nil {
				return nil, fmt.Errorf("gotwin: cache setup: %w", err)
			}
		} else if !reflect.DeepEqual(s.Caches, first.Caches) {
			return nil, fmt.Errorf("gotwin: the %s and %s settings have different CACHES; the modes share one cache setup", Modes[0], mode)
		}
		h, err := management.Handler(s, management.Project{URLConf: URLs}, logger, nil)
		if err != nil {
			return nil, fmt.Errorf("gotwin: %s mode: %w", mode, err)
		}
		out[mode] = h
	}
	return out, nil
}
