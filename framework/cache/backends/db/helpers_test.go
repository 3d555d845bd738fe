package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"gojango/framework/cache/cachetest"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"gojango/framework/cache"
	databases "gojango/framework/db"
	"gojango/framework/settings"
)

// testDB is one database the tests run against. entry returns its DATABASES
// entry, skipping the test when the server is unreachable (failing when the
// CI environment variable is set).
type testDB struct {
	name  string
	entry func(tb testing.TB) settings.Database
}

// testDBs: SQLite always (a file in a temp dir), PostgreSQL and MariaDB/MySQL
// when GOJANGO_TEST_POSTGRES_DSN / GOJANGO_TEST_MYSQL_DSN (or their
// defaults) answer.
func testDBs() []testDB {
	return []testDB{
		{"sqlite", func(tb testing.TB) settings.Database {
			return settings.Database{Engine: "django.db.backends.sqlite3", Name: filepath.Join(tb.TempDir(), "cache.sqlite3")}
		}},
		{"postgresql", postgresEntry},
		{"mysql", mysqlEntry},
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func postgresEntry(tb testing.TB) settings.Database {
	tb.Helper()
	dsn := envOr("GOJANGO_TEST_POSTGRES_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("GOJANGO_TEST_POSTGRES_DSN %q: %v", dsn, err)
	}
	e := settings.Database{Engine: "postgresql", Host: u.Hostname(), Port: u.Port(), User: u.User.Username(),
		Name: strings.TrimPrefix(u.Path, "/"), Options: map[string]any{"connect_timeout": 3}}
	e.Password, _ = u.User.Password()
	for k, v := range u.Query() {
		e.Options[k] = v[0]
	}
	requireReachable(tb, "PostgreSQL", e, "GOJANGO_TEST_POSTGRES_DSN")
	return e
}

func mysqlEntry(tb testing.TB) settings.Database {
	tb.Helper()
	dsn := envOr("GOJANGO_TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/test")
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("GOJANGO_TEST_MYSQL_DSN %q: %v", dsn, err)
	}
	e := settings.Database{Engine: "mysql", User: cfg.User, Password: cfg.Passwd, Name: cfg.DBName,
		Options: map[string]any{"connect_timeout": 3}}
	if cfg.Net == "unix" {
		e.Host = cfg.Addr
	} else {
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			tb.Fatalf("GOJANGO_TEST_MYSQL_DSN %q: address %q: %v", dsn, cfg.Addr, err)
		}
		e.Host, e.Port = host, port
	}
	requireReachable(tb, "MySQL", e, "GOJANGO_TEST_MYSQL_DSN")
	return e
}

// requireReachable pings the server of e, skipping (or failing under CI)
// when it does not answer.
func requireReachable(tb testing.TB, what string, e settings.Database, env string) {
	tb.Helper()
	driver, dsn, err := databases.Driver(e, "")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s unreachable (set %s): %v", what, env, err)
		}
		tb.Skipf("%s unreachable, skipping (set %s to a reachable server): %v", what, env, err)
	}
}

// fakeClock is the shared test clock (cachetest.Clock).
type fakeClock = cachetest.Clock

func newClock() *fakeClock {
	return cachetest.NewClock(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
}

// harness is one Store on a fresh table, with its clock and eviction count.
type harness struct {
	s       *Store
	entry   settings.Database // the DATABASES entry of the store
	clock   *fakeClock
	evicted atomic.Int64
	ctx     context.Context
}

// uniqueTable is a table name unique to the test: its name and a random
// suffix, short enough for PostgreSQL's 63-byte identifiers with
// "_expires" appended.
func uniqueTable(tb testing.TB) string {
	name := regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(tb.Name()), "_")
	if len(name) > 30 {
		name = name[len(name)-30:]
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return "c_" + strings.Trim(name, "_") + "_" + hex.EncodeToString(b[:])
}

// params builds Params for table in the database e.
func params(tb testing.TB, e settings.Database, table string, clock *fakeClock, evicted *atomic.Int64) cache.Params {
	return cache.Params{
		Alias:     "default",
		Config:    settings.Cache{Backend: "db", Location: table, Locations: []string{table}, MaxEntries: 300, CullFrequency: 3, Options: map[string]any{}},
		Databases: map[string]settings.Database{"default": e},
		BaseDir:   tb.TempDir(),
		Now:       clock.Now,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnEvict:   func(n int) { evicted.Add(int64(n)) },
	}
}

// newHarness opens a Store on a new table of db (created, and dropped at
// the end); tweak may adjust the Params first.
func newHarness(tb testing.TB, db testDB, tweak func(*cache.Params)) *harness {
	tb.Helper()
	e := db.entry(tb)
	h := &harness{entry: e, clock: newClock(), ctx: context.Background()}
	p := params(tb, e, uniqueTable(tb), h.clock, &h.evicted)
	if tweak != nil {
		tweak(&p)
	}
	s, err := Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	h.s = s
	tb.Cleanup(func() { dropTable(tb, s) })
	if _, _, err := s.CreateTable(h.ctx, false); err != nil {
		tb.Fatal(err)
	}
	return h
}

// dropTable drops the store's table and closes the store.
func dropTable(tb testing.TB, s *Store) {
	tb.Helper()
	if _, err := s.write.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+s.d.Quote(s.table)); err != nil {
		tb.Errorf("drop table %q: %v", s.table, err)
	}
	if err := s.Close(); err != nil {
		tb.Errorf("close: %v", err)
	}
}

// dropTableFresh drops table in the database of e through a connection of
// its own (for stores already closed).
func dropTableFresh(tb testing.TB, e settings.Database, table string) {
	tb.Helper()
	d, err := Engine(e.Engine)
	if err != nil {
		tb.Fatal(err)
	}
	driver, dsn, err := databases.Driver(e, "")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+d.Quote(table)); err != nil {
		tb.Errorf("drop table %q: %v", table, err)
	}
}

// eachDB runs fn against a fresh harness per reachable database.
func eachDB(t *testing.T, tweak func(*cache.Params), fn func(t *testing.T, h *harness)) {
	t.Helper()
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			fn(t, newHarness(t, db, tweak))
		})
	}
}

// rows counts the table's rows without touching the Store's counters.
func (h *harness) rows(tb testing.TB) int {
	tb.Helper()
	var n int
	if err := h.s.read.QueryRowContext(h.ctx, "SELECT COUNT(*) FROM "+h.s.d.Quote(h.s.table)).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// raw returns a row's columns as stored.
func (h *harness) raw(tb testing.TB, key string) (value string, expires time.Time, ok bool) {
	tb.Helper()
	var exp dbTime
	err := h.s.read.QueryRowContext(h.ctx, h.s.sql.get, key).Scan(&value, &exp)
	if err == sql.ErrNoRows {
		return "", time.Time{}, false
	}
	if err != nil {
		tb.Fatal(err)
	}
	return value, exp.t.UTC(), true
}

// at returns the fake now plus d.
func (h *harness) at(d time.Duration) time.Time { return h.clock.Now().Add(d) }

func (h *harness) set(tb testing.TB, key, value string, d time.Duration) {
	tb.Helper()
	if err := h.s.Set(h.ctx, key, []byte(value), h.at(d)); err != nil {
		tb.Fatal(err)
	}
}

func (h *harness) get(tb testing.TB, key string) (string, bool) {
	tb.Helper()
	v, ok, err := h.s.Get(h.ctx, key)
	if err != nil {
		tb.Fatal(err)
	}
	return string(v), ok
}

func (h *harness) has(tb testing.TB, key string) bool {
	tb.Helper()
	ok, err := h.s.Has(h.ctx, key)
	if err != nil {
		tb.Fatal(err)
	}
	return ok
}

// queriesDuring returns how many statements fn ran.
func (h *harness) queriesDuring(fn func()) int64 {
	before := h.s.queries.Load()
	fn()
	return h.s.queries.Load() - before
}
