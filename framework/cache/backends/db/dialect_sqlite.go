package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"gojango/framework/settings"
)

// sqliteDialect talks to SQLite through github.com/mattn/go-sqlite3.
//
// Connections use WAL journaling, a busy timeout (OPTIONS "timeout" in
// seconds, as Django's sqlite backend; default 5) and BEGIN IMMEDIATE
// transactions, and the Store writes through a pool of one connection, so
// concurrent use inside one process never fails with "database is locked";
// other processes wait up to the busy timeout.
//
// Times are stored as text "YYYY-MM-DD HH:MM:SS" in UTC, the form Django's
// sqlite backend writes, so comparisons on the text order like the times.
type sqliteDialect struct{}

// sqliteDefaultBusy is the busy timeout when OPTIONS has no "timeout".
const sqliteDefaultBusy = 5 * time.Second

// sqliteIgnoredOption reports the Django sqlite OPTIONS with no meaning
// here: the cache always uses IMMEDIATE transactions and its own connection
// setup.
func sqliteIgnoredOption(k string) bool {
	switch k {
	case "transaction_mode", "init_command", "check_same_thread", "isolation_level", "detect_types", "uri":
		return true
	}
	return false
}

func (sqliteDialect) Name() string       { return "sqlite3" }
func (sqliteDialect) DriverName() string { return "sqlite3" }
func (sqliteDialect) BindType() int      { return sqlx.QUESTION }
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

// isMemory reports whether NAME names an in-memory database, which lives in
// a single connection.
func (sqliteDialect) isMemory(name string) bool {
	return name == ":memory:" || strings.HasPrefix(name, "file::memory:") || strings.Contains(name, "mode=memory")
}

// DSN is the database path (NAME relative to baseDir) with the driver
// parameters for WAL, the busy timeout, IMMEDIATE transactions and a cache
// of 32 prepared statements per connection (halves the cost of a get).
func (d sqliteDialect) DSN(db settings.Database, baseDir string) (string, error) {
	if db.Name == "" {
		return "", errors.New("sqlite3: NAME (the database file) is empty")
	}
	busy := sqliteDefaultBusy
	keys := make([]string, 0, len(db.Options))
	for k := range db.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case k == "timeout":
			t, err := optionSeconds(k, db.Options[k])
			if err != nil {
				return "", fmt.Errorf("sqlite3: %w", err)
			}
			busy = t
		case sqliteIgnoredOption(k):
		default:
			return "", fmt.Errorf("sqlite3: unsupported OPTIONS key %q (supported: timeout)", k)
		}
	}
	params := url.Values{}
	params.Set("_busy_timeout", strconv.FormatInt(busy.Milliseconds(), 10))
	params.Set("_txlock", "immediate")
	params.Set("_stmt_cache_size", "32")
	if d.isMemory(db.Name) {
		return ":memory:?" + params.Encode(), nil
	}
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", "NORMAL")
	path := db.Name
	if strings.HasPrefix(path, "file:") {
		return "", fmt.Errorf("sqlite3: NAME %q: give a file path, not a URI", db.Name)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(baseDir, path)
	}
	if strings.ContainsAny(path, "?#%") {
		// The driver cuts a plain name at '?': use a URI, whose path SQLite
		// percent-decodes.
		u := url.URL{Path: filepath.ToSlash(path)}
		return "file:" + u.EscapedPath() + "?" + params.Encode(), nil
	}
	return path + "?" + params.Encode(), nil
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
