package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	databases "gojango/framework/db"
)

// sqliteDialect talks to SQLite through github.com/mattn/go-sqlite3.
//
// Connections use WAL journaling, a busy timeout and BEGIN IMMEDIATE
// transactions (framework/db's DSN for SQLite), and the Store writes through
// a pool of one connection, so concurrent use inside one process never
// fails with "database is locked"; other processes wait up to the busy
// timeout.
//
// Times are stored as text "YYYY-MM-DD HH:MM:SS" in UTC, the form Django's
// sqlite backend writes, so comparisons on the text order like the times.
type sqliteDialect struct{}

func (sqliteDialect) Name() string  { return string(databases.SQLite) }
func (sqliteDialect) BindType() int { return sqlx.QUESTION }
func (sqliteDialect) Quote(ident string) string {
	return quoteWith(ident, `"`)
}
func (sqliteDialect) ColumnTypes() (string, string, string) {
	return "varchar(255)", "text", "datetime"
}
func (sqliteDialect) CanRollbackDDL() bool { return true }
func (sqliteDialect) TableExistsSQL() string {
	return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
}
func (sqliteDialect) ForUpdateSQL() string { return "" }

// TimeArg formats t's wall clock as Django's sqlite backend does: whole
// seconds print without a fraction.
func (sqliteDialect) TimeArg(t time.Time) any {
	return t.Format("2006-01-02 15:04:05.999999")
}

func (sqliteDialect) NaiveExpires() bool { return true }

func (d sqliteDialect) CullSQL(table string) string {
	return `SELECT "cache_key" FROM ` + d.Quote(table) + ` ORDER BY "cache_key" LIMIT 1 OFFSET ?`
}

// ValidValueSQL: SQLite has no regular expressions built in. Stripping the
// trailing '='s and then the trailing alphabet characters must leave
// nothing; rtrim counts every byte (a NUL too), and the length is taken in
// bytes.
func (sqliteDialect) ValidValueSQL(c string) string {
	return "(length(CAST(" + c + " AS BLOB)) % 4 = 0 AND rtrim(rtrim(" + c + ", '='), '" + b64Chars + "') = ''" +
		" AND length(" + c + ") - length(rtrim(" + c + ", '=')) <= 2)"
}

// Upsert tries the INSERT first (the usual case: a set after a miss) and
// falls back to the UPDATE, so it knows whether a row was created. A row
// deleted between the two statements makes it try again.
func (d sqliteDialect) Upsert(ctx context.Context, q Querier, table, key, value string, exp any) (bool, error) {
	t := d.Quote(table)
	ins := `INSERT INTO ` + t + ` ("cache_key", "value", "expires") VALUES (?, ?, ?) ON CONFLICT ("cache_key") DO NOTHING`
	upd := `UPDATE ` + t + ` SET "value" = ?, "expires" = ? WHERE "cache_key" = ?`
	for range 3 {
		res, err := q.ExecContext(ctx, ins, key, value, exp)
		if err != nil {
			return false, err
		}
		if n, err := rowsAffected(res); err != nil || n == 1 {
			return n == 1, err
		}
		res, err = q.ExecContext(ctx, upd, value, exp, key)
		if err != nil {
			return false, err
		}
		if n, err := rowsAffected(res); err != nil || n == 1 {
			return false, err
		}
	}
	return false, fmt.Errorf("sqlite3: upsert %q: row kept vanishing", key)
}

// Add inserts when the key is absent, else replaces an expired row.
func (d sqliteDialect) Add(ctx context.Context, q Querier, table, key, value string, exp, now any) (bool, bool, error) {
	t := d.Quote(table)
	res, err := q.ExecContext(ctx, `INSERT INTO `+t+` ("cache_key", "value", "expires") VALUES (?, ?, ?) ON CONFLICT ("cache_key") DO NOTHING`, key, value, exp)
	if err != nil {
		return false, false, err
	}
	if n, err := rowsAffected(res); err != nil || n == 1 {
		return n == 1, n == 1, err
	}
	res, err = q.ExecContext(ctx, `UPDATE `+t+` SET "value" = ?, "expires" = ? WHERE "cache_key" = ? AND "expires" < ?`, value, exp, key, now)
	if err != nil {
		return false, false, err
	}
	n, err := rowsAffected(res)
	return n == 1, false, err
}

func (d sqliteDialect) Touch(ctx context.Context, q Querier, table, key string, exp, now any) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE `+d.Quote(table)+` SET "expires" = ? WHERE "cache_key" = ? AND "expires" >= ?`, exp, key, now)
	if err != nil {
		return false, err
	}
	n, err := rowsAffected(res)
	return n > 0, err
}
