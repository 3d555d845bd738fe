package db

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gojango/framework/settings"
)

// Django's connections[alias]: one connection object per alias, the same
// every time; an alias DATABASES lacks is ConnectionDoesNotExist.
func TestConnectionsOpenEachAliasOnce(t *testing.T) {
	s := settings.Default()
	s.BaseDir = t.TempDir()
	s.Databases["default"] = settings.Database{Engine: "django.db.backends.sqlite3", Name: "app.sqlite3"}
	h := NewHandler(s)
	t.Cleanup(func() { _ = h.Close() })
	a, err := h.Connection("default")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Connection("default")
	if a != b {
		t.Fatal("connections[\"default\"] opened twice")
	}
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, `CREATE TABLE t (n integer)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.BaseDir, "app.sqlite3")); err != nil {
		t.Fatalf("a relative NAME is relative to the settings' directory: %v", err)
	}
	if _, err := h.Connection("other"); !errors.Is(err, ErrUnknownDatabase) {
		t.Fatalf("unknown alias: %v", err)
	}
}
