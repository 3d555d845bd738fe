package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	databases "gojango/framework/db"
)

// Dialect is everything that differs in SQL between the databases the
// cache table can live in: how to quote, the column types of Django's
// createcachetable, and the few statements that have no portable form
// (upsert, add-if-absent-or-expired, touch, the culling SELECT, the
// table-exists query). Statements that are the same everywhere are built once
// per Store from Quote (see statements.go). How to connect (the driver and
// its data source name) is not the dialect's: framework/db's Engine builds
// it, for the project's connections and the cache's alike.
//
// The three implementations are sqlite3 (dialect_sqlite.go), postgresql
// (dialect_postgres.go) and mysql (dialect_mysql.go); Engine picks one from a
// DATABASES ENGINE.
type Dialect interface {
	// Name is the short engine name: "sqlite3", "postgresql" or "mysql"
	// (framework/db's Engine).
	Name() string
	// Quote quotes an identifier (table, column or index name).
	Quote(ident string) string
	// BindType is the sqlx bind type of the driver's placeholders
	// (sqlx.QUESTION or sqlx.DOLLAR).
	BindType() int
	// ColumnTypes returns the column types createcachetable gives
	// cache_key, value and expires: Django's, except on MySQL/MariaDB,
	// where cache_key is varbinary so that keys compare byte for byte (see
	// mysqlKeyType).
	ColumnTypes() (key, value, expires string)
	// ValidValueSQL is a boolean SQL expression, in parentheses, true when
	// column (quoted) holds what encodeValue writes: standard base64 with
	// its padding and nothing else. It must accept exactly what validValue
	// accepts (at the least, everything validValue accepts): the cleanup of
	// corrupt rows deletes a row only while it is still corrupt, so a value
	// set meanwhile survives.
	ValidValueSQL(column string) string
	// TimeArg turns a time into the query argument compared with, or
	// stored in, the expires column. A dialect whose column is naive
	// (NaiveExpires) writes t's wall clock in t's own location; the store
	// hands it times in UTC, or in TIME_ZONE when USE_TZ is false, as
	// Django writes them.
	TimeArg(t time.Time) any
	// NaiveExpires reports whether the expires column holds a wall clock
	// without a zone (SQLite's text, MySQL's datetime), read back in the
	// store's location; PostgreSQL's timestamptz holds an instant.
	NaiveExpires() bool
	// CanRollbackDDL reports whether CREATE TABLE runs inside a transaction.
	CanRollbackDDL() bool
	// TableExistsSQL is a query taking one argument, the table name, that
	// returns a row when the table exists (and is visible).
	TableExistsSQL() string
	// ForUpdateSQL is the suffix that locks the row incr reads inside its
	// transaction ("" when the transaction itself locks, as SQLite's BEGIN
	// IMMEDIATE does).
	ForUpdateSQL() string
	// CullSQL selects the cache_key at the offset given as its one argument,
	// in cache_key order (Django's cache_key_culling_sql).
	CullSQL(table string) string
	// Upsert stores value under key with expiry exp (a TimeArg), replacing
	// any row, and reports whether a new row was created.
	Upsert(ctx context.Context, q Querier, table, key, value string, exp any) (inserted bool, err error)
	// Add stores value under key only when no row exists or the row's
	// expires is before now (both TimeArgs); stored reports whether it did,
	// inserted whether a new row was created.
	Add(ctx context.Context, q Querier, table, key, value string, exp, now any) (stored, inserted bool, err error)
	// Touch sets expires to exp on the row of key when that row's expires
	// is not before now, and reports whether it was such a row.
	Touch(ctx context.Context, q Querier, table, key string, exp, now any) (bool, error)
}

// Querier is what a Dialect runs its statements on: a *sqlx.DB, a *sqlx.Tx,
// or the Store's query-counting wrapper around one of them.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Engine returns the Dialect for a DATABASES ENGINE, given as Django's
// dotted name or a short one; framework/db's ParseEngine resolves the name
// and its error is returned unchanged.
func Engine(name string) (Dialect, error) {
	e, err := databases.ParseEngine(name)
	if err != nil {
		return nil, err
	}
	return dialectOf(e), nil
}

// dialectOf returns the Dialect of an engine ParseEngine returned (nil for
// any other).
func dialectOf(e databases.Engine) Dialect {
	switch e {
	case databases.SQLite:
		return sqliteDialect{}
	case databases.PostgreSQL:
		return postgresDialect{}
	case databases.MySQL:
		return mysqlDialect{}
	}
	return nil
}

// quoteWith wraps ident in q, doubling any q inside it.
func quoteWith(ident, q string) string {
	return q + strings.ReplaceAll(ident, q, q+q) + q
}

// rowsAffected returns res.RowsAffected, wrapping a driver that cannot say.
func rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
