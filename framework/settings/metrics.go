package settings

import "strings"

// MetricsSettings holds the Prometheus settings (beyond Django): whether runserver
// serves the cache framework's metrics (framework/metrics), and where. It
// is embedded in Settings.
type MetricsSettings struct {
	Metrics    bool   // METRICS, default false
	MetricsURL string // METRICS_URL, default "/metrics": the path they are served at
}

func defaultMetrics() MetricsSettings { return MetricsSettings{MetricsURL: "/metrics"} }

// metrics decodes METRICS and METRICS_URL.
func (d *decoder) metrics(key string, v any) {
	switch key {
	case "METRICS":
		d.boolean(key, v, &d.s.Metrics)
	case "METRICS_URL":
		if d.str(key, v, &d.s.MetricsURL) && !strings.HasPrefix(d.s.MetricsURL, "/") {
			d.errorf(key, "want a path starting with \"/\", got %q", d.s.MetricsURL)
		}
	}
}
