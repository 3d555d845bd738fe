package management

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/file"
	"gojango/framework/metrics"
	"gojango/framework/settings"
)

// TestCacheStats reads a metrics endpoint and a file store: the server's
// numbers with --json and as a table, and without a server the store's.
func TestCacheStats(t *testing.T) {
	dir := writeSettings(t, "[CACHES.default]\nBACKEND = \"locmem\"\n[CACHES.files]\nBACKEND = \"file\"\nLOCATION = \"fc\"\n")
	// The "server": a Handler of its own (Execute replaces the current one)
	// whose default alias sees a set, a hit and a miss.
	h, err := cache.NewHandler(settings.Default())
	if err != nil {
		t.Fatal(err)
	}
	m, mh, err := metrics.Enable(metrics.Options{Caches: func() *cache.Handler { return h }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	srv := httptest.NewServer(mh)
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c, err := h.Cache("default")
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Set(ctx, "k", "v", 60)
	var v string
	_, _ = c.Get(ctx, "k", &v)
	_, _ = c.Get(ctx, "nope", &v)

	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, out string)
	}{
		{"json", []string{"cachestats", "--json", "--url", srv.URL}, func(t *testing.T, out string) {
			var rep cacheStatsReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if rep.Server == nil {
				t.Fatalf("no server numbers: %s", rep.ServerError)
			}
			var found bool
			for _, a := range rep.Server.Aliases {
				if a.Alias == "default" && a.Hits == 1 && a.Misses == 1 && a.Sets == 1 && a.HitRatio == 0.5 {
					found = true
				}
			}
			if !found {
				t.Fatalf("server aliases = %+v; want default with 1 hit, 1 miss, 1 set", rep.Server.Aliases)
			}
			var files *storeReport
			for i := range rep.Stores {
				if rep.Stores[i].Alias == "files" {
					files = &rep.Stores[i]
				}
			}
			if files == nil || files.Info == nil || files.Info.Entries != 2 || files.Info.Bytes <= 0 || files.Info.Where != filepath.Join(dir, "fc") {
				t.Fatalf("files store = %+v; want 2 entries on disk in %s", files, filepath.Join(dir, "fc"))
			}
		}},
		{"table", []string{"cachestats", "--url", srv.URL}, func(t *testing.T, out string) {
			for _, want := range []string{"Server " + srv.URL, "default", "50.0%", "files", "2 ", "bytes on disk"} {
				if !strings.Contains(out, want) {
					t.Fatalf("output lacks %q:\n%s", want, out)
				}
			}
		}},
		{"no server", []string{"cachestats", "--url", "http://127.0.0.1:1/metrics"}, func(t *testing.T, out string) {
			if !strings.Contains(out, "no server answers at http://127.0.0.1:1/metrics") || !strings.Contains(out, "bytes on disk") {
				t.Fatalf("output:\n%s", out)
			}
		}},
	}
	// Two entries in the file store, written through a handle of the
	// command's own settings (Execute sets the cache up from them).
	if code, _, errOut := run(t, "", "clearcache", "files"); code != 0 {
		t.Fatalf("clearcache: %s", errOut)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFiles(t)
			code, out, errOut := run(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("cachestats: exit %d: %s", code, errOut)
			}
			tt.check(t, out)
		})
	}
}

// writeFiles puts two entries in the "files" alias of the current settings.
func writeFiles(t *testing.T) {
	t.Helper()
	fc, err := cache.Lookup("files")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if err := fc.Set(context.Background(), k, k, 60); err != nil {
			t.Fatal(err)
		}
	}
}
