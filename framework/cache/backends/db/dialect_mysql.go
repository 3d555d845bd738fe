package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"gojango/framework/settings"
)

// mysqlDialect talks to MySQL and MariaDB through go-sql-driver/mysql.
// value is longtext and expires datetime(6), as Django creates them; the
// connection parses DATETIME into time.Time in UTC and interpolates
// arguments client-side (one round trip a statement instead of three).
//
// MySQL reports 0 affected rows for an UPDATE that changes nothing; Add and
// Touch check with one SELECT in that case, so a no-op update is not taken
// for a missing row.
type mysqlDialect struct{}

// mysqlDefaultConnectTimeout bounds a connection attempt when OPTIONS has no
// connect_timeout.
const mysqlDefaultConnectTimeout = 10 * time.Second

// mysqlIgnoredOption reports the Django mysql OPTIONS that have no driver
// equivalent here.
func mysqlIgnoredOption(k string) bool {
	switch k {
	case "init_command", "sql_mode", "isolation_level", "read_default_file", "ssl", "autocommit":
		return true
	}
	return false
}

func (mysqlDialect) Name() string       { return "mysql" }
func (mysqlDialect) DriverName() string { return "mysql" }
func (mysqlDialect) BindType() int      { return sqlx.QUESTION }
func (mysqlDialect) Quote(ident string) string {
	return quoteWith(ident, "`")
}
func (mysqlDialect) ColumnTypes() (string, string, string) {
	return "varchar(255)", "longtext", "datetime(6)"
}
func (mysqlDialect) CanRollbackDDL() bool { return false }
func (mysqlDialect) TableExistsSQL() string {
	return "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
}
func (mysqlDialect) ForUpdateSQL() string    { return " FOR UPDATE" }
func (mysqlDialect) TimeArg(t time.Time) any { return t.UTC() }

func (d mysqlDialect) CullSQL(table string) string {
	return "SELECT `cache_key` FROM " + d.Quote(table) + " ORDER BY `cache_key` LIMIT 1 OFFSET ?"
}

// DSN builds a go-sql-driver DSN: TCP to HOST:PORT (default
// 127.0.0.1:3306), or the unix socket when HOST is a path or OPTIONS has
// unix_socket. OPTIONS connect_timeout (seconds, default 10) and charset are
// honoured; init_command, sql_mode, isolation_level, read_default_file, ssl
// and autocommit are accepted and ignored.
func (mysqlDialect) DSN(db settings.Database, _ string) (string, error) {
	cfg := mysql.NewConfig()
	cfg.User = db.User
	cfg.Passwd = db.Password
	cfg.DBName = db.Name
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	cfg.Timeout = mysqlDefaultConnectTimeout
	host, port := db.Host, db.Port
	if port == "" {
		port = "3306"
	}
	if strings.HasPrefix(host, "/") {
		cfg.Net, cfg.Addr = "unix", host
	} else {
		if host == "" {
			host = "127.0.0.1"
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, port)
	}
	keys := make([]string, 0, len(db.Options))
	for k := range db.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := db.Options[k]
		switch {
		case k == "connect_timeout":
			t, err := optionSeconds(k, v)
			if err != nil {
				return "", fmt.Errorf("mysql: %w", err)
			}
			cfg.Timeout = t
		case k == "unix_socket":
			s, err := optionString(k, v)
			if err != nil {
				return "", fmt.Errorf("mysql: %w", err)
			}
			cfg.Net, cfg.Addr = "unix", s
		case k == "charset":
			s, err := optionString(k, v)
			if err != nil {
				return "", fmt.Errorf("mysql: %w", err)
			}
			if err := cfg.Apply(mysql.Charset(s, "")); err != nil {
				return "", fmt.Errorf("mysql: OPTIONS charset: %w", err)
			}
		case mysqlIgnoredOption(k):
		default:
			return "", fmt.Errorf("mysql: unsupported OPTIONS key %q (supported: connect_timeout, unix_socket, charset)", k)
		}
	}
	return cfg.FormatDSN(), nil
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
