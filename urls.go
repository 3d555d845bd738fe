package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/apps"
	"gojango/framework/management"
	"gojango/framework/settings"
)

// urls is the root URLconf (Django's ROOT_URLCONF): every installed app's
// URLs at its Mount prefix, as urlpatterns = [path("", include(
// "app_example.urls")), ...]. Mount other handlers on r here.
func urls(s *settings.Settings) (http.Handler, error) {
	r := chi.NewRouter()
	if err := apps.Include(r, s); err != nil {
		return nil, err
	}
	return r, nil
}

// project is what manage.go runs: the root URLconf and the error views
// (Django's handler400, handler403, handler404 and handler500 in urls.py;
// nil keeps Django's pages), e.g. Handler404: http.HandlerFunc(notFound).
var project = management.Project{
	URLConf: urls,
}
