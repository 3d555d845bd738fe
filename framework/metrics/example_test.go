package metrics_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gojango/framework/cache"
	"gojango/framework/metrics"
	"gojango/framework/settings"
)

// Register the cache framework's metrics on the application's own
// registry, and serve that registry wherever the application serves it.
func ExampleMetrics_Register() {
	_ = cache.Setup(settings.Default()) // Django's default: one locmem alias
	defer func() { _ = cache.Setup(settings.Default()) }()

	reg := prometheus.NewRegistry() // or prometheus.DefaultRegisterer
	m := metrics.New(metrics.Options{SampleEvery: 1})
	if err := m.Register(reg); err != nil {
		fmt.Println(err)
		return
	}
	m.Observe() // latencies and page routes from now on
	defer m.Stop()

	ctx := context.Background()
	c := cache.Default()
	_ = c.Set(ctx, "greeting", "hello", 60)
	var s string
	_, _ = c.Get(ctx, "greeting", &s)
	_, _ = c.Get(ctx, "absent", &s)

	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if strings.HasPrefix(line, "gojango_cache_gets_total") || strings.HasPrefix(line, "gojango_cache_sets_total") {
			fmt.Println(line)
		}
	}
	// Output:
	// gojango_cache_gets_total{alias="default",backend="locmem",result="hit"} 1
	// gojango_cache_gets_total{alias="default",backend="locmem",result="miss"} 1
	// gojango_cache_sets_total{alias="default",backend="locmem"} 1
}
