package db

import (
	"context"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// TestSuite runs the shared behaviour suite (Django's rules) against the
// database store on every reachable database: each suite test gets its own
// table, created with createcachetable's DDL and dropped afterwards.
func TestSuite(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			entry := db.entry(t) // skips the dialect when its server is unreachable
			cachetest.Run(t, cachetest.Backend{
				Name: "db/" + db.name,
				Open: func(tb testing.TB, p cache.Params) cache.Store {
					p.Config.Location = uniqueTable(tb)
					p.Databases = map[string]settings.Database{"default": entry}
					p.BaseDir = tb.TempDir()
					s, err := Open(p)
					if err != nil {
						tb.Fatalf("Open: %v", err)
					}
					// The suite closes the store before this cleanup runs.
					tb.Cleanup(func() { dropTableFresh(tb, entry, p.Config.Location) })
					if _, _, err := s.CreateTable(context.Background(), false); err != nil {
						tb.Fatalf("CreateTable: %v", err)
					}
					return s
				},
				Base:          settings.Cache{Backend: "db"},
				Culls:         true,
				CullsWhenOver: true,
			})
		})
	}
}
