package db

import (
	"context"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// The store hands out its *sql.DB handles, for the application's
// instrumentation (Stats), and Inspect counts the table's rows and value
// bytes, on every reachable database.
func TestDBHandlesAndInspect(t *testing.T) {
	for _, tdb := range testDBs() {
		t.Run(tdb.name, func(t *testing.T) {
			entry := tdb.entry(t)
			table := uniqueTable(t)
			st, err := Open(cache.Params{Alias: "default", Config: settings.Cache{Backend: "db", Location: table, MaxEntries: 300, CullFrequency: 3},
				Databases: map[string]settings.Database{"default": entry}, BaseDir: t.TempDir(), Now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			t.Cleanup(func() { dropTableFresh(t, entry, table) })
			ctx := context.Background()
			if _, _, err := st.CreateTable(ctx, false); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{":1:a", ":1:b"} {
				if err := st.Set(ctx, k, []byte("\x02value"), time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.DB().PingContext(ctx); err != nil {
				t.Fatalf("DB() does not answer: %v", err)
			}
			if st.WriteDB() == nil || st.DB().Stats().OpenConnections < 1 {
				t.Fatalf("handles: write %v, read stats %+v", st.WriteDB(), st.DB().Stats())
			}
			info, err := st.Inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.Entries != 2 || info.Bytes <= 0 {
				t.Fatalf("Inspect = %+v; want 2 rows and their value bytes", info)
			}
		})
	}
}
