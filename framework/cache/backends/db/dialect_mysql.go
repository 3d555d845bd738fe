package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	databases "gojango/framework/db"
)

// mysqlDialect talks to MySQL and MariaDB through go-sql-driver/mysql.
// value is longtext and expires datetime(6), as Django creates them;
// cache_key is varbinary(1020), not Django's varchar(255) (see
// mysqlKeyType). The connection (framework/db's DSN for MySQL) parses
// DATETIME into time.Time in UTC and interpolates arguments client-side.
//
// MySQL reports 0 affected rows for an UPDATE that changes nothing; Add and
// Touch check with one SELECT in that case, so a no-op update is not taken
// for a missing row.
type mysqlDialect struct{}

func (mysqlDialect) Name() string  { return string(databases.MySQL) }
func (mysqlDialect) BindType() int { return sqlx.QUESTION }
func (mysqlDialect) Quote(ident string) string {
	return quoteWith(ident, "`")
}
func (mysqlDialect) ColumnTypes() (string, string, string) {
	return mysqlKeyType, "longtext", "datetime(6)"
}

// mysqlKeyType is the cache_key column type createcachetable uses on MySQL
// and MariaDB instead of Django's varchar(255).
//
// Django's varchar(255) takes the table's default collation. The default
// collations of MySQL and MariaDB are case- and accent-insensitive, and
// MariaDB's (and MySQL 5.7's) are PAD SPACE, trailing spaces ignored (even
// utf8mb4_bin is): 'Key' and 'key', 'café' and 'cafe', 'pad' and 'pad '
// are one primary key, so keys built from user input can read and overwrite
// each other's entries.
//
// varbinary compares bytes, without padding or collation, on every server
// version (MySQL 5.7 to 9, MariaDB), whatever the table's or the
// connection's character set: one DDL everywhere, and --dry-run needs no
// server version. It also keeps every Go string key exactly, where a
// utf8mb4 varchar refuses a key that is not valid UTF-8 (strict mode) or
// stores it with '?' for the bad bytes (non-strict mode: distinct keys, one
// row). The alternative, varchar(255) with a binary NO PAD collation,
// differs per server (utf8mb4_nopad_bin on MariaDB 10.2+, utf8mb4_0900_bin
// on MySQL 8.0.17+, none on MySQL 5.7) and keeps the UTF-8 problem.
//
// 1020 bytes are 255 characters of 4-byte UTF-8: every key Django's
// varchar(255) utf8mb4 column holds fits, and the primary key index has the
// same 1020-byte width (under InnoDB's 3072-byte limit). The limit is in
// bytes, so longer ASCII keys (up to 1020 characters) fit too. Ordering is
// by bytes, which for UTF-8 is code point order; the cull's ORDER BY
// cache_key and cache_key < ? use that order consistently.
const mysqlKeyType = "varbinary(1020)"

func (mysqlDialect) CanRollbackDDL() bool { return false }
func (mysqlDialect) TableExistsSQL() string {
	return "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
}
func (mysqlDialect) ForUpdateSQL() string { return " FOR UPDATE" }
func (mysqlDialect) TimeArg(t time.Time) any {
	// t's wall clock as text: the driver would move a time.Time to its own
	// location (UTC) first.
	return t.Format("2006-01-02 15:04:05.999999")
}

func (mysqlDialect) NaiveExpires() bool { return true }

func (d mysqlDialect) CullSQL(table string) string {
	return "SELECT `cache_key` FROM " + d.Quote(table) + " ORDER BY `cache_key` LIMIT 1 OFFSET ?"
}

// ValidValueSQL: as PostgreSQL's, with REGEXP, plus LENGTH = CHAR_LENGTH
// (ASCII only, so LENGTH counts characters). REGEXP follows the column's
// collation, case-insensitive for the usual _ci ones, and case-insensitive
// matching folds some non-ASCII characters onto the alphabet (KELVIN SIGN
// onto 'k', LONG S onto 's'); on ASCII it changes nothing, the alphabet
// holding both cases. (An inline (?-i) would say it too, but a '?' in the
// text breaks the driver's client-side interpolation and sqlx.In.) The
// REGEXP searches for a bad character instead of matching the whole value,
// so MySQL 8's ICU engine does not step back through a large value
// (regexp_time_limit).
func (mysqlDialect) ValidValueSQL(c string) string {
	return "(LENGTH(" + c + ") % 4 = 0 AND LENGTH(" + c + ") = CHAR_LENGTH(" + c + ") AND " +
		c + " NOT REGEXP '" + invalidValueRegexp + "')"
}

func (d mysqlDialect) Upsert(ctx context.Context, q Querier, table, key, value string, exp any) (bool, error) {
	res, err := q.ExecContext(ctx, "INSERT INTO "+d.Quote(table)+" (`cache_key`, `value`, `expires`) VALUES (?, ?, ?) "+
		"ON DUPLICATE KEY UPDATE `value` = VALUES(`value`), `expires` = VALUES(`expires`)", key, value, exp)
	if err != nil {
		return false, err
	}
	// 1: inserted; 2: updated; 0: updated to the same values.
	n, err := rowsAffected(res)
	return n == 1, err
}

// Add updates a conflicting row only when it is expired. The value
// assignment comes first: MySQL evaluates the assignments in order, so the
// second IF still sees the old expires.
func (d mysqlDialect) Add(ctx context.Context, q Querier, table, key, value string, exp, now any) (bool, bool, error) {
	t := d.Quote(table)
	res, err := q.ExecContext(ctx, "INSERT INTO "+t+" (`cache_key`, `value`, `expires`) VALUES (?, ?, ?) "+
		"ON DUPLICATE KEY UPDATE `value` = IF(`expires` < ?, VALUES(`value`), `value`), "+
		"`expires` = IF(`expires` < ?, VALUES(`expires`), `expires`)", key, value, exp, now, now)
	if err != nil {
		return false, false, err
	}
	n, err := rowsAffected(res)
	if err != nil {
		return false, false, err
	}
	switch n {
	case 1:
		return true, true, nil
	case 2:
		return true, false, nil
	}
	// 0 rows: a live row was kept, or an expired row was "replaced" by
	// identical values; only the latter is still expired.
	expired, err := mysqlRowExists(ctx, q, "SELECT 1 FROM "+t+" WHERE `cache_key` = ? AND `expires` < ?", key, now)
	return expired, false, err
}

func (d mysqlDialect) Touch(ctx context.Context, q Querier, table, key string, exp, now any) (bool, error) {
	t := d.Quote(table)
	res, err := q.ExecContext(ctx, "UPDATE "+t+" SET `expires` = ? WHERE `cache_key` = ? AND `expires` >= ?", exp, key, now)
	if err != nil {
		return false, err
	}
	n, err := rowsAffected(res)
	if err != nil || n > 0 {
		return n > 0, err
	}
	// 0 rows: missing or expired, or live with expires already exp.
	return mysqlRowExists(ctx, q, "SELECT 1 FROM "+t+" WHERE `cache_key` = ? AND `expires` >= ?", key, now)
}

// mysqlRowExists reports whether query returns a row.
func mysqlRowExists(ctx context.Context, q Querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// mysqlKeyColumnOK reports whether a cache_key column of dataType and
// collation (information_schema.COLUMNS DATA_TYPE, COLLATION_NAME) compares
// keys byte for byte and holds every key: varbinary, or a utf8mb4 varchar
// with a binary NO PAD collation.
func mysqlKeyColumnOK(dataType, collation string) bool {
	switch strings.ToLower(dataType) {
	case "varbinary":
		return true
	case "varchar":
		switch strings.ToLower(collation) {
		case "utf8mb4_nopad_bin", "utf8mb4_0900_bin":
			return true
		}
	}
	return false
}

// keyColumnProblem reads table's cache_key column from
// information_schema; nil when it is fine or the table (or column) is not
// there.
func (d mysqlDialect) keyColumnProblem(ctx context.Context, q Querier, table string) (*KeyColumnProblem, error) {
	var colType, dataType, collation string
	err := q.QueryRowContext(ctx, "SELECT COLUMN_TYPE, DATA_TYPE, COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS "+
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'cache_key'", table).Scan(&colType, &dataType, &collation)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if mysqlKeyColumnOK(dataType, collation) {
		return nil, nil
	}
	return &KeyColumnProblem{
		Type:      colType,
		Collation: collation,
		Fix:       "ALTER TABLE " + d.Quote(table) + " MODIFY " + d.Quote("cache_key") + " " + mysqlKeyType + " NOT NULL;",
	}, nil
}
