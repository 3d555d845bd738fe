package db

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"   // builds the DSN; registers the "mysql" driver
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver

	"gojango/framework/settings"
)

// Engine is a database engine a DATABASES ENGINE names, by its short name
// (Django's twin: the backend module ENGINE names, such as
// django.db.backends.sqlite3). It knows the database/sql driver it connects
// with and how to build that driver's data source name from a DATABASES
// entry. ParseEngine returns one from an ENGINE.
type Engine string

// The engines DATABASES accepts.
const (
	// SQLite is django.db.backends.sqlite3, through
	// github.com/mattn/go-sqlite3.
	SQLite Engine = "sqlite3"
	// PostgreSQL is django.db.backends.postgresql, through pgx's
	// database/sql driver.
	PostgreSQL Engine = "postgresql"
	// MySQL is django.db.backends.mysql (MySQL and MariaDB), through
	// go-sql-driver/mysql.
	MySQL Engine = "mysql"
)

// ErrUnknownEngine is wrapped by the error for an ENGINE that is not one of
// the engines (Django's ImproperlyConfigured "isn't an available database
// backend" from load_backend).
var ErrUnknownEngine = errors.New("unknown database ENGINE")

// knownEngines is the list printed when an ENGINE is not recognised.
const knownEngines = "django.db.backends.sqlite3, sqlite3, sqlite, " +
	"django.db.backends.postgresql, postgresql, postgres, " +
	"django.db.backends.mysql, mysql, mariadb"

// ParseEngine returns the Engine of a DATABASES ENGINE, given as Django's
// dotted name or a short one: django.db.backends.sqlite3 / sqlite3 / sqlite,
// django.db.backends.postgresql / postgresql / postgres,
// django.db.backends.mysql / mysql / mariadb (Django's
// django.db.utils.load_backend). Any other name is an error wrapping
// ErrUnknownEngine that lists the known ones.
func ParseEngine(name string) (Engine, error) {
	switch strings.TrimSpace(name) {
	case "django.db.backends.sqlite3", "sqlite3", "sqlite":
		return SQLite, nil
	case "django.db.backends.postgresql", "postgresql", "postgres":
		return PostgreSQL, nil
	case "django.db.backends.mysql", "mysql", "mariadb":
		return MySQL, nil
	}
	return "", fmt.Errorf("%w %q (known: %s)", ErrUnknownEngine, name, knownEngines)
}

// DriverName is the database/sql driver e connects with: "sqlite3", "pgx"
// or "mysql" (Django's twin: the backend's Database module). This package
// registers all three. It is "" for an Engine ParseEngine does not return.
func (e Engine) DriverName() string {
	switch e {
	case SQLite:
		return "sqlite3"
	case PostgreSQL:
		return "pgx"
	case MySQL:
		return "mysql"
	}
	return ""
}

// DSN builds e's data source name from a DATABASES entry (NAME, USER,
// PASSWORD, HOST, PORT, OPTIONS), as Django's
// DatabaseWrapper.get_connection_params builds the driver's connection
// arguments. A bad entry is an error naming the engine and the field or
// OPTIONS key.
//
// SQLite: NAME is the file (relative to baseDir) or ":memory:"; WAL
// journaling, BEGIN IMMEDIATE transactions and a busy timeout of OPTIONS
// "timeout" seconds (default 5). PostgreSQL: a libpq keyword/value string;
// every OPTIONS entry but Django's own passes through, connect_timeout
// defaulting to 10. MySQL: TCP to HOST:PORT (default 127.0.0.1:3306) or a
// unix socket, DATETIME parsed in UTC; OPTIONS connect_timeout (default
// 10), unix_socket and charset. Django's other OPTIONS of each engine are
// accepted and ignored; on SQLite and MySQL any other key is an error.
func (e Engine) DSN(entry settings.Database, baseDir string) (string, error) {
	switch e {
	case SQLite:
		return sqliteDSN(entry, baseDir)
	case PostgreSQL:
		return postgresDSN(entry)
	case MySQL:
		return mysqlDSN(entry)
	}
	return "", fmt.Errorf("%w %q (known: %s)", ErrUnknownEngine, string(e), knownEngines)
}

// InMemory reports whether entry is an in-memory SQLite database (NAME
// ":memory:", "file::memory:..." or a URI with mode=memory), which exists
// only inside its one connection (Django's sqlite3
// DatabaseWrapper.is_in_memory_db). It is false for the other engines.
func (e Engine) InMemory(entry settings.Database) bool {
	return e == SQLite && sqliteIsMemory(entry.Name)
}

// Driver returns the database/sql driver name and data source name of a
// DATABASES entry: ParseEngine(entry.Engine), then that Engine's DriverName
// and DSN. An error is ParseEngine's or DSN's, unwrapped, for the caller to
// place (errors.Is(err, ErrUnknownEngine) tells the ENGINE's fault).
func Driver(entry settings.Database, baseDir string) (driverName, dsn string, err error) {
	e, err := ParseEngine(entry.Engine)
	if err != nil {
		return "", "", err
	}
	dsn, err = e.DSN(entry, baseDir)
	if err != nil {
		return "", "", err
	}
	return e.DriverName(), dsn, nil
}

// sqliteDefaultBusy is the busy timeout when OPTIONS has no "timeout".
const sqliteDefaultBusy = 5 * time.Second

// sqliteIgnoredOption reports the Django sqlite OPTIONS with no meaning
// here: connections always use IMMEDIATE transactions and their own
// connection setup.
func sqliteIgnoredOption(k string) bool {
	switch k {
	case "transaction_mode", "init_command", "check_same_thread", "isolation_level", "detect_types", "uri":
		return true
	}
	return false
}

// sqliteIsMemory reports whether NAME names an in-memory database.
func sqliteIsMemory(name string) bool {
	return name == ":memory:" || strings.HasPrefix(name, "file::memory:") || strings.Contains(name, "mode=memory")
}

// sqliteDSN is the database path (NAME relative to baseDir) with the driver
// parameters for WAL journaling, a busy timeout (OPTIONS "timeout" in
// seconds, as Django's sqlite backend; default 5), BEGIN IMMEDIATE
// transactions and a cache of 32 prepared statements per connection
// (halves the cost of a db cache get). Django's other sqlite OPTIONS
// (transaction_mode, init_command, check_same_thread, isolation_level,
// detect_types, uri) are accepted and ignored.
func sqliteDSN(db settings.Database, baseDir string) (string, error) {
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
	if sqliteIsMemory(db.Name) {
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

// postgresDefaultConnectTimeout bounds a connection attempt when OPTIONS
// has no connect_timeout.
const postgresDefaultConnectTimeout = "10"

// postgresIgnoredOption reports the Django postgresql OPTIONS that configure
// Django itself rather than the connection.
func postgresIgnoredOption(k string) bool {
	switch k {
	case "isolation_level", "server_side_binding", "pool", "assume_role", "cursor_factory":
		return true
	}
	return false
}

// postgresDSN is a libpq keyword/value string: host, port, user, password,
// dbname, then every OPTIONS entry (sslmode, connect_timeout,
// application_name, ...) except the few that configure Django itself
// (isolation_level, server_side_binding, pool, assume_role,
// cursor_factory). connect_timeout defaults to 10 seconds so an
// unreachable server fails instead of hanging.
func postgresDSN(db settings.Database) (string, error) {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(pgQuoteValue(v))
	}
	add("host", db.Host)
	add("port", db.Port)
	add("user", db.User)
	add("password", db.Password)
	add("dbname", db.Name)
	keys := make([]string, 0, len(db.Options))
	for k := range db.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	timeout := false
	for _, k := range keys {
		if postgresIgnoredOption(k) {
			continue
		}
		if k == "" || strings.ContainsAny(k, " ='\\") {
			return "", fmt.Errorf("postgresql: bad OPTIONS key %q", k)
		}
		v, err := optionString(k, db.Options[k])
		if err != nil {
			return "", fmt.Errorf("postgresql: %w", err)
		}
		if k == "connect_timeout" {
			timeout = true
		}
		add(k, v)
	}
	if !timeout {
		add("connect_timeout", postgresDefaultConnectTimeout)
	}
	return b.String(), nil
}

// pgQuoteValue quotes a keyword/value value when it needs it.
func pgQuoteValue(v string) string {
	if v != "" && !strings.ContainsAny(v, " '\\\t\n") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

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

// mysqlDSN builds a go-sql-driver DSN: TCP to HOST:PORT (default
// 127.0.0.1:3306), or the unix socket when HOST is a path or OPTIONS has
// unix_socket. The connection parses DATETIME into time.Time in UTC and
// interpolates arguments client-side (one round trip a statement instead
// of three). OPTIONS connect_timeout (seconds, default 10) and charset are
// honoured; init_command, sql_mode, isolation_level, read_default_file, ssl
// and autocommit are accepted and ignored.
func mysqlDSN(db settings.Database) (string, error) {
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
