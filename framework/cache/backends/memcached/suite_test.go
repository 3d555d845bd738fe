package memcached

import (
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// TestSuite runs the shared Django behaviour suite against a private
// memcached. Expiry is the server's, so the suite sleeps (RealClock); the
// server evicts by memory, not MAX_ENTRIES (Culls false).
func TestSuite(t *testing.T) {
	addr := startMemcached(t)
	cachetest.Run(t, cachetest.Backend{
		Name: "memcached",
		Open: func(t testing.TB, p cache.Params) cache.Store {
			s, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return s
		},
		Base:      settings.Cache{Location: addr},
		RealClock: true,
		Culls:     false,
	})
}
