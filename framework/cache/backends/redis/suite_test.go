package redis

import (
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// TestSuite runs the shared behaviour suite against a single-server store on
// this package's test database. Redis enforces expiry with its own clock and
// never culls (no MAX_ENTRIES).
func TestSuite(t *testing.T) {
	requireRedis(t)
	cachetest.Run(t, cachetest.Backend{
		Name: "redis",
		Base: settings.Cache{Backend: "redis", Location: testURL(t, dbPrimary)},
		Open: func(t testing.TB, p cache.Params) cache.Store {
			st, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return st
		},
		RealClock: true,
		Culls:     false,
	})
}
