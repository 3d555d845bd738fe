package management

import (
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"gojango/framework/metrics"
	"gojango/framework/settings"
)

// serveMetrics answers METRICS_URL with the cache framework's Prometheus
// metrics and passes every other request to next. The root router, when
// it is a chi router, names the routes of the pages the per-site cache
// serves before routing.
func serveMetrics(s *settings.Settings, root, next http.Handler) (http.Handler, error) {
	routes, _ := root.(chi.Routes)
	_, mh, err := metrics.Enable(metrics.Options{Routes: routes})
	if err != nil {
		return nil, fmt.Errorf("METRICS: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == s.MetricsURL {
			mh.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	}), nil
}
