package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"gojango/framework/settings"
)

// Dialect is everything that differs between the SQL databases the cache
// table can live in: how to connect, how to quote, the column types of
// Django's createcachetable, and the few statements that have no portable
// form (upsert, add-if-absent-or-expired, touch, the culling SELECT, the
// table-exists query). Statements that are the same everywhere are built once
// per Store from Quote (see statements.go).
//
// The three implementations are sqlite3 (dialect_sqlite.go), postgresql
// (dialect_postgres.go) and mysql (dialect_mysql.go); Engine picks one from a
// DATABASES ENGINE.
type Dialect interface {
	// Name is the short engine name: "sqlite3", "postgresql" or "mysql".
	Name() string
	// DriverName is the database/sql driver the dialect connects with
	// ("sqlite3", "pgx" or "mysql").
	DriverName() string
	// DSN builds the driver's data source name from a DATABASES entry
	// (NAME, USER, PASSWORD, HOST, PORT, OPTIONS). Relative SQLite paths
	// resolve against baseDir.
	DSN(db settings.Database, baseDir string) (string, error)
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

// knownEngines is the list printed when an ENGINE is not recognised.
const knownEngines = "django.db.backends.sqlite3, sqlite3, sqlite, " +
	"django.db.backends.postgresql, postgresql, postgres, " +
	"django.db.backends.mysql, mysql, mariadb"

// Engine returns the Dialect for a DATABASES ENGINE, given as Django's
// dotted name or a short one: django.db.backends.sqlite3 / sqlite3 / sqlite,
// django.db.backends.postgresql / postgresql / postgres,
// django.db.backends.mysql / mysql / mariadb.
func Engine(name string) (Dialect, error) {
	switch strings.TrimSpace(name) {
	case "django.db.backends.sqlite3", "sqlite3", "sqlite":
		return sqliteDialect{}, nil
	case "django.db.backends.postgresql", "postgresql", "postgres":
		return postgresDialect{}, nil
	case "django.db.backends.mysql", "mysql", "mariadb":
		return mysqlDialect{}, nil
	}
	return nil, fmt.Errorf("unknown database ENGINE %q (known: %s)", name, knownEngines)
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

// optionString reads an OPTIONS value that must be text or a number.
func optionString(key string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x), nil
	case float32, float64:
		return fmt.Sprint(x), nil
	}
	return "", fmt.Errorf("OPTIONS %q: want a string or a number, got %T", key, v)
}

// optionSeconds reads an OPTIONS value given in seconds (int, float or a
// numeric string) as a duration.
func optionSeconds(key string, v any) (time.Duration, error) {
	var secs float64
	switch x := v.(type) {
	case int:
		secs = float64(x)
	case int64:
		secs = float64(x)
	case float64:
		secs = x
	case string:
		if _, err := fmt.Sscan(x, &secs); err != nil {
			return 0, fmt.Errorf("OPTIONS %q: %q is not a number of seconds", key, x)
		}
	default:
		return 0, fmt.Errorf("OPTIONS %q: want a number of seconds, got %T", key, v)
	}
	if secs < 0 || secs > 1e6 {
		return 0, fmt.Errorf("OPTIONS %q: %v seconds is out of range", key, secs)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
