package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/app_example"
	"gojango/framework/settings"
)

// urls is the root URLconf (Django's ROOT_URLCONF): it mounts each app's
// routes, as urlpatterns = [path("", include("app_example.urls"))].
func urls(s *settings.Settings) (http.Handler, error) {
	r := chi.NewRouter()
	app, err := app_example.URLs(s)
	if err != nil {
		return nil, err
	}
	r.Mount("/", app)
	return r, nil
}
