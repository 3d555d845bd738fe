package file

import (
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// TestSuite runs the shared behaviour suite (Django's rules) against the
// file store, in a temporary directory.
func TestSuite(t *testing.T) {
	cachetest.Run(t, cachetest.Backend{
		Name: "file",
		Open: func(t testing.TB, p cache.Params) cache.Store {
			s, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return s
		},
		Base:  settings.Cache{Backend: "file", Location: t.TempDir()},
		Culls: true,
	})
}
