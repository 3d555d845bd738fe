package cache_test

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/db"
	_ "gojango/framework/cache/backends/file"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// A stored page that cannot be decoded (a corrupt row, file or value) is a
// miss: the view renders, the new page overwrites the corrupt one (the next
// request is a hit), and the cache logs it. Never a 500.
func TestCorruptStoredPageIsReRenderedAndOverwritten(t *testing.T) {
	ctx := context.Background()
	type backend struct {
		name    string
		config  func(t *testing.T, s *settings.Settings) settings.Cache
		corrupt func(t *testing.T, c settings.Cache, s *settings.Settings, key string)
	}
	backends := []backend{
		{"locmem",
			func(t *testing.T, _ *settings.Settings) settings.Cache {
				return settings.Cache{Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}
			},
			func(t *testing.T, _ settings.Cache, _ *settings.Settings, key string) {
				if err := cache.Default().Set(ctx, key, []byte("garbage"), 60); err != nil {
					t.Fatal(err)
				}
			}},
		{"file",
			func(t *testing.T, _ *settings.Settings) settings.Cache {
				return settings.Cache{Backend: "file", Location: t.TempDir(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}
			},
			func(t *testing.T, c settings.Cache, _ *settings.Settings, key string) {
				sum := md5.Sum([]byte(":1:" + key))
				path := filepath.Join(c.Location, hex.EncodeToString(sum[:])+".djcache")
				if err := os.WriteFile(path, []byte("not a cache file at all"), 0o600); err != nil {
					t.Fatal(err)
				}
			}},
		{"db-sqlite",
			func(t *testing.T, s *settings.Settings) settings.Cache {
				c := sqliteCacheTable(t, s)
				c.Timeout, c.MaxEntries, c.CullFrequency, c.Version = 300, 300, 3, 1
				return c
			},
			func(t *testing.T, _ settings.Cache, s *settings.Settings, key string) {
				conn, err := sql.Open("sqlite3", s.Databases["default"].Name)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				res, err := conn.Exec(`UPDATE "cache_table" SET "value" = 'garbage!!' WHERE "cache_key" = ?`, ":1:"+key)
				if err != nil {
					t.Fatal(err)
				}
				if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("corrupted %d rows; want 1", n)
				}
			}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := settings.Default()
			s.UseI18N, s.UseTZ = false, false
			cfg := b.config(t, s)
			s.Caches = map[string]settings.Cache{"default": cfg}
			logs := &cachetest.LogBuffer{}
			if err := cache.Setup(s, cache.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
			v := &countingView{}
			h := cache.Page(60, v.ServeHTTP)
			do(h, "GET", url)
			key, ok := cache.GetCacheKey(ctx, httptest.NewRequest("GET", url, nil), cache.Default(), "", "GET", cache.I18N{})
			if !ok {
				t.Fatal("page not stored")
			}
			b.corrupt(t, cfg, s, key)
			for i, want := range []struct {
				calls int32
				body  string
			}{{2, "response 2"}, {2, "response 2"}} {
				w := do(h, "GET", url)
				if w.Code != http.StatusOK || v.calls.Load() != want.calls || w.Body.String() != want.body {
					t.Fatalf("request %d after corruption: status %d, body %q, %d view calls; want 200, %q, %d",
						i+1, w.Code, w.Body.String(), v.calls.Load(), want.body, want.calls)
				}
			}
			if !strings.Contains(logs.String(), "corrupt") {
				t.Errorf("no log line names the corrupt entry; logs:\n%s", logs.String())
			}
		})
	}
}

// sqliteCacheTable points s's default database at a new SQLite file with
// a cache table made by createcachetable's DDL, and returns the db alias's
// settings for it.
func sqliteCacheTable(t *testing.T, s *settings.Settings) settings.Cache {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.sqlite3")
	s.Databases = map[string]settings.Database{"default": {Engine: "sqlite3", Name: path}}
	d, err := db.Engine("sqlite3")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, stmt := range db.CreateTableSQL(d, "cache_table") {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return settings.Cache{Backend: "db", Location: "cache_table"}
}
