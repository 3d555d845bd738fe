package settings

import (
	"os"
	"path/filepath"
	"testing"
)

// The per-site cache's stale windows (beyond Django) load from
// settings.toml, default 0.
func TestCacheMiddlewareStaleSettings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.toml")
	if err := os.WriteFile(path, []byte("CACHE_MIDDLEWARE_STALE_WHILE_REVALIDATE = 60\nCACHE_MIDDLEWARE_STALE_IF_ERROR = \"300\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.CacheMiddlewareStaleWhileRevalidate != 60 || s.CacheMiddlewareStaleIfError != 300 {
		t.Fatalf("stale windows = %d, %d; want 60, 300", s.CacheMiddlewareStaleWhileRevalidate, s.CacheMiddlewareStaleIfError)
	}
	if d := Default(); d.CacheMiddlewareStaleWhileRevalidate != 0 || d.CacheMiddlewareStaleIfError != 0 {
		t.Fatal("stale windows default to non-zero")
	}
}
