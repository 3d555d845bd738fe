package app_example

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"gojango/framework/metrics"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// CacheStaff decides who may open /_cache/ when DEBUG is off, as the
// debug toolbar's SHOW_TOOLBAR_CALLBACK does (a staff check on the
// project's own users); nil, the default, lets nobody in. Under DEBUG
// everybody on ALLOWED_HOSTS may.
var CacheStaff func(r *http.Request) bool

//go:embed cachepage.html
var cachePageHTML []byte

// cachePage serves the live cache panel (/_cache/, a page of plain HTML,
// JS and SVG that polls /_cache/data.json) and its data: per alias the hit
// ratio, operation counts and sampled latencies, per page route its hit
// ratio and bypass reasons, per {% cache %} fragment its hits. Both are
// never cached, and answer 404 to whoever may not see them.
type cachePage struct{ s *settings.Settings }

func (p cachePage) allowed(r *http.Request) bool {
	return p.s.Debug || (CacheStaff != nil && CacheStaff(r))
}

// page is /_cache/.
func (p cachePage) page(w http.ResponseWriter, r *http.Request) {
	if !p.allowed(r) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(cachePageHTML)
}

// data is /_cache/data.json: metrics.Snapshot of the running metrics
// (without latencies when METRICS is off).
func (p cachePage) data(w http.ResponseWriter, r *http.Request) {
	if !p.allowed(r) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(metrics.Current().Snapshot())
}

func (p cachePage) routes() (page, data http.HandlerFunc) {
	return views.NeverCache(p.page), views.NeverCache(p.data)
}
