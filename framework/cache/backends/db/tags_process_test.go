package db

import (
	"context"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// Cache tags hold across two processes sharing one cache table, on every
// reachable database.
func TestTagsAcrossProcesses(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			entry := db.entry(t)
			dbs := map[string]settings.Database{"default": entry}
			cfg := settings.Cache{Backend: "db", Location: uniqueTable(t), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}
			dir := t.TempDir()
			s, err := Open(cache.Params{Alias: "default", Config: cfg, Databases: dbs, BaseDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.CreateTable(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			t.Cleanup(func() { dropTableFresh(t, entry, cfg.Location) })
			cachetest.TagsAcrossProcesses(t, cfg, dbs, dir)
		})
	}
}

// TestTagChildProcess is TestTagsAcrossProcesses's other process.
func TestTagChildProcess(t *testing.T) { cachetest.TagChild(t) }
