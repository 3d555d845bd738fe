package db

import (
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"gojango/framework/settings"
)

// ENGINE accepts Django's dotted names and short ones (surrounding spaces
// trimmed); anything else is ErrUnknownEngine, listing the known names.
func TestParseEngine(t *testing.T) {
	cases := map[string]Engine{
		"django.db.backends.sqlite3": SQLite, "sqlite3": SQLite, "sqlite": SQLite, " sqlite3 ": SQLite,
		"django.db.backends.postgresql": PostgreSQL, "postgresql": PostgreSQL, "postgres": PostgreSQL,
		"django.db.backends.mysql": MySQL, "mysql": MySQL, "mariadb": MySQL,
	}
	for name, want := range cases {
		e, err := ParseEngine(name)
		if err != nil || e != want {
			t.Errorf("ParseEngine(%q) = %q, %v; want %s", name, e, err, want)
		}
	}
	for _, bad := range []string{"", "oracle", "django.db.backends.oracle", "SQLite3"} {
		_, err := ParseEngine(bad)
		if !errors.Is(err, ErrUnknownEngine) || !strings.Contains(err.Error(), "known: django.db.backends.sqlite3, sqlite3, sqlite,") {
			t.Errorf("ParseEngine(%q) err = %v", bad, err)
		}
	}
	_, err := ParseEngine("django.db.backends.oracle")
	if want := `unknown database ENGINE "django.db.backends.oracle" (known: django.db.backends.sqlite3, sqlite3, sqlite, ` +
		`django.db.backends.postgresql, postgresql, postgres, django.db.backends.mysql, mysql, mariadb)`; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
}

// Each engine connects with its database/sql driver, which this package
// registers.
func TestDriverNames(t *testing.T) {
	registered := sql.Drivers()
	for e, want := range map[Engine]string{SQLite: "sqlite3", PostgreSQL: "pgx", MySQL: "mysql"} {
		if got := e.DriverName(); got != want {
			t.Errorf("%s.DriverName() = %q, want %q", e, got, want)
		}
		if !slices.Contains(registered, want) {
			t.Errorf("driver %q is not registered (have %v)", want, registered)
		}
	}
	if got := Engine("oracle").DriverName(); got != "" {
		t.Errorf("unknown engine's driver = %q", got)
	}
	if _, err := Engine("oracle").DSN(settings.Database{Name: "x"}, ""); !errors.Is(err, ErrUnknownEngine) {
		t.Errorf("unknown engine's DSN err = %v", err)
	}
}

// Driver is ParseEngine, DriverName and DSN in one; its errors are theirs.
func TestDriver(t *testing.T) {
	driver, dsn, err := Driver(settings.Database{Engine: "django.db.backends.postgresql", Name: "app"}, "")
	if err != nil || driver != "pgx" || dsn != "dbname=app connect_timeout=10" {
		t.Errorf("Driver = %q, %q, %v", driver, dsn, err)
	}
	driver, dsn, err = Driver(settings.Database{Engine: "sqlite", Name: "a.db"}, "/srv")
	if err != nil || driver != "sqlite3" || !strings.HasPrefix(dsn, filepath.Join("/srv", "a.db")+"?") {
		t.Errorf("Driver = %q, %q, %v", driver, dsn, err)
	}
	if _, _, err := Driver(settings.Database{Engine: "oracle"}, ""); !errors.Is(err, ErrUnknownEngine) {
		t.Errorf("unknown ENGINE: %v", err)
	}
	if _, _, err := Driver(settings.Database{Engine: "sqlite3"}, ""); err == nil || errors.Is(err, ErrUnknownEngine) ||
		err.Error() != "sqlite3: NAME (the database file) is empty" {
		t.Errorf("empty NAME: %v", err)
	}
}

// Only SQLite has in-memory databases.
func TestInMemory(t *testing.T) {
	for name, want := range map[string]bool{
		":memory:": true, "file::memory:?cache=shared": true, "file:x?mode=memory": true,
		"db.sqlite3": false, "": false,
	} {
		if got := SQLite.InMemory(settings.Database{Name: name}); got != want {
			t.Errorf("SQLite.InMemory(%q) = %v", name, got)
		}
	}
	if PostgreSQL.InMemory(settings.Database{Name: ":memory:"}) || MySQL.InMemory(settings.Database{Name: ":memory:"}) {
		t.Error("a server database taken for in-memory")
	}
}

func TestSQLiteDSN(t *testing.T) {
	d := SQLite
	base := filepath.FromSlash("/srv/project")
	cases := []struct {
		name    string
		db      settings.Database
		path    string // the part before '?'
		params  map[string]string
		wantErr string
	}{
		{name: "relative NAME resolves against BaseDir", db: settings.Database{Name: "db.sqlite3"},
			path:   filepath.Join(base, "db.sqlite3"),
			params: map[string]string{"_journal_mode": "WAL", "_busy_timeout": "5000", "_txlock": "immediate", "_synchronous": "NORMAL"}},
		{name: "absolute NAME kept", db: settings.Database{Name: "/var/cache.db"}, path: "/var/cache.db"},
		{name: "timeout option in seconds", db: settings.Database{Name: "a.db", Options: map[string]any{"timeout": 20}},
			path: filepath.Join(base, "a.db"), params: map[string]string{"_busy_timeout": "20000"}},
		{name: "Django-only options ignored", db: settings.Database{Name: "a.db", Options: map[string]any{"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA x"}},
			path: filepath.Join(base, "a.db")},
		{name: "memory", db: settings.Database{Name: ":memory:"}, path: ":memory:"},
		{name: "path with ? becomes a URI", db: settings.Database{Name: "/tmp/a?b c.db"}, path: "file:/tmp/a%3Fb%20c.db"},
		{name: "empty NAME", db: settings.Database{}, wantErr: "NAME (the database file) is empty"},
		{name: "unknown option", db: settings.Database{Name: "a", Options: map[string]any{"bogus": 1}}, wantErr: `unsupported OPTIONS key "bogus"`},
		{name: "bad timeout", db: settings.Database{Name: "a", Options: map[string]any{"timeout": "soon"}}, wantErr: `"soon" is not a number of seconds`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dsn, err := d.DSN(c.db, base)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			path, query, _ := strings.Cut(dsn, "?")
			if path != c.path {
				t.Errorf("path = %q, want %q", path, c.path)
			}
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.params {
				if q.Get(k) != v {
					t.Errorf("%s = %q, want %q (dsn %s)", k, q.Get(k), v, dsn)
				}
			}
		})
	}
}

func TestPostgresDSN(t *testing.T) {
	d := PostgreSQL
	cases := []struct {
		name string
		db   settings.Database
		want string
	}{
		{"full entry with default connect_timeout",
			settings.Database{Name: "app", User: "u", Password: "p w'\\", Host: "db.internal", Port: "5433"},
			`host=db.internal port=5433 user=u password='p w\'\\' dbname=app connect_timeout=10`},
		{"options pass through, Django-only dropped",
			settings.Database{Name: "app", Options: map[string]any{"sslmode": "require", "connect_timeout": 3, "isolation_level": 1, "application_name": "my app"}},
			`dbname=app application_name='my app' connect_timeout=3 sslmode=require`},
		{"empty host left to libpq defaults", settings.Database{Name: "x"}, `dbname=x connect_timeout=10`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := d.DSN(c.db, "")
			if err != nil || got != c.want {
				t.Fatalf("DSN = %q, %v; want %q", got, err, c.want)
			}
		})
	}
	if _, err := d.DSN(settings.Database{Options: map[string]any{"sslmode": []string{"x"}}}, ""); err == nil {
		t.Error("a list option was accepted")
	}
}

func TestMySQLDSN(t *testing.T) {
	d := MySQL
	parse := func(t *testing.T, db settings.Database) *mysql.Config {
		t.Helper()
		dsn, err := d.DSN(db, "")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatalf("ParseDSN(%q): %v", dsn, err)
		}
		return cfg
	}
	cfg := parse(t, settings.Database{Name: "app", User: "root", Password: "pw", Host: "db", Port: "3307"})
	if cfg.Net != "tcp" || cfg.Addr != "db:3307" || cfg.DBName != "app" || cfg.User != "root" || cfg.Passwd != "pw" {
		t.Errorf("cfg = %+v", cfg)
	}
	if !cfg.ParseTime || cfg.Loc != time.UTC || !cfg.InterpolateParams || cfg.Timeout != 10*time.Second {
		t.Errorf("parseTime/loc/interpolate/timeout = %v %v %v %v", cfg.ParseTime, cfg.Loc, cfg.InterpolateParams, cfg.Timeout)
	}
	cfg = parse(t, settings.Database{Name: "app"})
	if cfg.Addr != "127.0.0.1:3306" {
		t.Errorf("default addr = %q", cfg.Addr)
	}
	cfg = parse(t, settings.Database{Name: "app", Host: "/run/mysqld/mysqld.sock"})
	if cfg.Net != "unix" || cfg.Addr != "/run/mysqld/mysqld.sock" {
		t.Errorf("socket host: %s %s", cfg.Net, cfg.Addr)
	}
	cfg = parse(t, settings.Database{Name: "app", Options: map[string]any{"connect_timeout": 2, "unix_socket": "/s.sock", "init_command": "SET x=1"}})
	if cfg.Timeout != 2*time.Second || cfg.Net != "unix" || cfg.Addr != "/s.sock" {
		t.Errorf("options: %v %s %s", cfg.Timeout, cfg.Net, cfg.Addr)
	}
	if _, err := d.DSN(settings.Database{Options: map[string]any{"bogus": 1}}, ""); err == nil || !strings.Contains(err.Error(), `unsupported OPTIONS key "bogus"`) {
		t.Errorf("unknown option: %v", err)
	}
}
