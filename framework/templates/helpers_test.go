package templates_test

import (
	"gojango/framework/cache/cachetest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/settings"
	"gojango/framework/templates"
)

// writeTree writes files (slash-separated paths relative to root).
func writeTree(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// parseSettings parses TOML as if read from root/settings.toml, so relative
// paths resolve against root.
func parseSettings(t testing.TB, root, toml string) *settings.Settings {
	t.Helper()
	s, err := settings.Parse(filepath.Join(root, "settings.toml"), []byte(toml))
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	return s
}

// templatesTOML is one Django TEMPLATES entry searching templates/ and the
// apps' folders.
const templatesTOML = `
[[TEMPLATES]]
BACKEND = "django.template.backends.django.DjangoTemplates"
DIRS = ["templates"]
APP_DIRS = true
`

// newEngine writes files under a fresh project folder and builds the
// engine of its settings (top is put before the TEMPLATES entry).
func newEngine(t testing.TB, top string, files map[string]string, apps ...templates.App) (*templates.Engine, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, files)
	e, err := templates.New(parseSettings(t, root, top+templatesTOML), apps...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e, root
}

// fakeClock is the shared test clock (cachetest.Clock).
type fakeClock = cachetest.Clock

// setupCaches makes aliases (alias -> LOCATION, all locmem) the process's
// CACHES with a fake clock, restoring the previous settings after the test.
// Each Setup starts with empty stores.
func setupCaches(t testing.TB, aliases map[string]string) *fakeClock {
	t.Helper()
	s := settings.Default()
	s.Caches = map[string]settings.Cache{}
	for alias, loc := range aliases {
		s.Caches[alias] = settings.Cache{Backend: "locmem", Location: loc, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}
	}
	return setupCacheSettings(t, s)
}

func setupCacheSettings(t testing.TB, s *settings.Settings) *fakeClock {
	t.Helper()
	prev := cache.Current().Settings()
	clk := cachetest.NewClock(time.Unix(1468749600, 0))
	if err := cache.Setup(s, cache.WithClock(clk.Now)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cache.Setup(prev); err != nil {
			t.Errorf("restore caches: %v", err)
		}
	})
	return clk
}
