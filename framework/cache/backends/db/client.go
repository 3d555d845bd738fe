package db

import (
	"context"
	"database/sql"
	"fmt"

	"gojango/framework/cache"
)

// DB returns the database handle the store reads with, for the
// application's own instrumentation (DB.Stats for the pool's figures, a
// tracing wrapper around its driver). The store keeps using it: do not
// Close it. Reach it from an alias with
//
//	st, err := cache.Caches("db").Store()
//	stats := st.(*db.Store).DB().Stats()
func (s *Store) DB() *sql.DB { return s.read.DB }

// WriteDB returns the handle the store writes with: DB itself, except for
// an SQLite file, which is written through one connection of its own.
func (s *Store) WriteDB() *sql.DB { return s.write.DB }

// Inspect reports the table's row count (expired rows not yet culled
// included) and the size of its values as stored (cachestats).
func (s *Store) Inspect(ctx context.Context) (cache.StoreInfo, error) {
	q := fmt.Sprintf("SELECT COUNT(*), COALESCE(SUM(LENGTH(%s)), 0) FROM %s", s.d.Quote("value"), s.d.Quote(s.table))
	var n, size int64
	if err := s.read.QueryRowContext(ctx, q).Scan(&n, &size); err != nil {
		return cache.StoreInfo{}, fmt.Errorf("db cache: inspect table %s: %w", s.table, err)
	}
	return cache.StoreInfo{Entries: n, Bytes: size, BytesWhat: "values", Where: s.database + ": " + s.table}, nil
}

var _ cache.Inspector = (*Store)(nil)
