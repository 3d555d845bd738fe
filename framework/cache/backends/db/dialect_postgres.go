package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"

	databases "gojango/framework/db"
)

// postgresDialect talks to PostgreSQL through pgx's database/sql driver.
// expires is "timestamp with time zone", as Django creates it; times are
// passed as time.Time in UTC.
type postgresDialect struct{}

func (postgresDialect) Name() string  { return string(databases.PostgreSQL) }
func (postgresDialect) BindType() int { return sqlx.DOLLAR }
func (postgresDialect) Quote(ident string) string {
	return quoteWith(ident, `"`)
}
func (postgresDialect) ColumnTypes() (string, string, string) {
	return "varchar(255)", "text", "timestamp with time zone"
}
func (postgresDialect) CanRollbackDDL() bool { return true }
func (postgresDialect) TableExistsSQL() string {
	return "SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = $1 " +
		"AND c.relkind IN ('r', 'p') AND pg_catalog.pg_table_is_visible(c.oid)"
}
func (postgresDialect) ForUpdateSQL() string    { return " FOR UPDATE" }
func (postgresDialect) TimeArg(t time.Time) any { return t.UTC() }

func (postgresDialect) NaiveExpires() bool { return false }

func (d postgresDialect) CullSQL(table string) string {
	return `SELECT "cache_key" FROM ` + d.Quote(table) + ` ORDER BY "cache_key" LIMIT 1 OFFSET $1`
}

// ValidValueSQL: no character outside the alphabet and '=', no '=' before a
// non-'=', at most two '=', a multiple of 4 long (text holds no NUL and
// only valid UTF-8, and anything but ASCII fails the first test).
func (postgresDialect) ValidValueSQL(c string) string {
	return "(" + c + " !~ '" + invalidValueRegexp + "' AND length(" + c + ") % 4 = 0)"
}

// pgUpsertSet makes an INSERT replace the row on conflict; RETURNING reports through
// xmax whether the row is new (xmax = 0 on a freshly inserted row).
const pgUpsertSet = ` ON CONFLICT ("cache_key") DO UPDATE SET "value" = EXCLUDED."value", "expires" = EXCLUDED."expires"`

func (d postgresDialect) Upsert(ctx context.Context, q Querier, table, key, value string, exp any) (bool, error) {
	var inserted bool
	err := q.QueryRowContext(ctx, `INSERT INTO `+d.Quote(table)+` AS c ("cache_key", "value", "expires") VALUES ($1, $2, $3)`+
		pgUpsertSet+` RETURNING (xmax = 0)`, key, value, exp).Scan(&inserted)
	return inserted, err
}

// Add is one statement: the conflict update only applies to an expired row;
// no row returned means a live row was kept.
func (d postgresDialect) Add(ctx context.Context, q Querier, table, key, value string, exp, now any) (bool, bool, error) {
	var inserted bool
	err := q.QueryRowContext(ctx, `INSERT INTO `+d.Quote(table)+` AS c ("cache_key", "value", "expires") VALUES ($1, $2, $3)`+
		pgUpsertSet+` WHERE c."expires" < $4 RETURNING (xmax = 0)`, key, value, exp, now).Scan(&inserted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, inserted, nil
}

func (d postgresDialect) Touch(ctx context.Context, q Querier, table, key string, exp, now any) (bool, error) {
	res, err := q.ExecContext(ctx, `UPDATE `+d.Quote(table)+` SET "expires" = $1 WHERE "cache_key" = $2 AND "expires" >= $3`, exp, key, now)
	if err != nil {
		return false, err
	}
	n, err := rowsAffected(res)
	return n > 0, err
}
