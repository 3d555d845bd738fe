// Package db is the database cache backend, Django's DatabaseCache: entries
// live in a table (LOCATION) of one of the project's DATABASES, created by
// the createcachetable command with Django's schema:
//
//	CREATE TABLE "my_cache_table" (
//	    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
//	    "value" text NOT NULL,
//	    "expires" datetime NOT NULL
//	);
//	CREATE INDEX "my_cache_table_expires" ON "my_cache_table" ("expires");
//
// On MySQL/MariaDB cache_key is varbinary(1020) instead, so that keys
// compare byte for byte (Django's varchar(255) takes a case-insensitive,
// PAD SPACE collation there; see mysqlKeyType, and the check command's
// caches.W010 for tables made with Django's DDL).
//
// value holds the base64 (standard encoding) of the encoded value; expires
// is UTC truncated to whole seconds, 9999-12-31 23:59:59 for "never".
// As in Django, a row is expired for get when expires < now and live for
// has_key only when expires > now. A row whose value is not such base64 is
// corrupt: a miss, never an error (see ops.go).
//
// Settings:
//
//	[CACHES.default]
//	BACKEND = "django.core.cache.backends.db.DatabaseCache"  # or "db"
//	LOCATION = "my_cache_table"
//	OPTIONS = { DATABASE = "default", MAX_ENTRIES = 300, CULL_FREQUENCY = 3 }
//
// OPTIONS.DATABASE (default "default") names the DATABASES entry; its ENGINE
// may be SQLite, PostgreSQL or MySQL/MariaDB. The driver and data source
// name come from framework/db (ParseEngine, Engine.DSN), as for the
// project's own connections; this package adds the SQL dialect (see
// Dialect and Engine). Culling follows Django without its COUNT(*) on every
// write: see cull.go.
//
// The management commands reach the table through the concrete type:
//
//	s, err := db.Open(params)          // or: st, _ := db.New(params); s := st.(*db.Store)
//	exists, err := s.TableExists(ctx)
//	created, stmts, err := s.CreateTable(ctx, dryRun)
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"gojango/framework/cache"
	"gojango/framework/cache/serializer"
	databases "gojango/framework/db"
)

func init() {
	cache.Register("db", New, "django.core.cache.backends.db.DatabaseCache")
}

// Store is the database cache store. It is safe for concurrent use.
type Store struct {
	d        Dialect
	table    string
	database string // the DATABASES alias
	read     *sqlx.DB
	write    *sqlx.DB // == read except for SQLite files (one writer connection)
	sql      statements

	now     func() time.Time
	loc     *time.Location // the expires column's clock: UTC, or TIME_ZONE when USE_TZ is false
	log     *slog.Logger
	onEvict func(int)

	// whole is the serializer's form for whole stored values (the pickle
	// serializer pickles ints too, as Django's DatabaseCache does); nil:
	// the value column holds the front's bytes. incr is its integer rule.
	whole    serializer.Whole
	incrRule func(stored []byte, delta int64) (int64, []byte, error)

	cull cullState

	queries atomic.Int64       // every statement run (tests check Django's query counts)
	counts  atomic.Int64       // COUNT(*) statements run by the cull schedule
	trace   func(query string) // tests only: sees every statement; set before use
}

// New builds the Store for p; it is the factory registered as "db". It
// returns a *Store, so a caller needing the table helpers may assert
// st.(*db.Store), or call Open directly.
func New(p cache.Params) (cache.Store, error) {
	return Open(p)
}

// Open builds the Store for p without connecting: the first statement
// connects (network databases with a connect timeout, so an unreachable
// server fails instead of hanging).
func Open(p cache.Params) (*Store, error) {
	table := p.Config.Location
	if table == "" {
		return nil, fmt.Errorf("db cache %q: LOCATION (the table name) is empty", p.Alias)
	}
	if p.Config.CullFrequency < 0 {
		return nil, fmt.Errorf("db cache %q: CULL_FREQUENCY must be 0 or more, got %d", p.Alias, p.Config.CullFrequency)
	}
	alias := "default"
	if v, ok := p.Config.Options["DATABASE"]; ok {
		s, ok := v.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("db cache %q: OPTIONS.DATABASE must be a DATABASES alias, got %v", p.Alias, v)
		}
		alias = s
	}
	entry, ok := p.Databases[alias]
	if !ok {
		known := make([]string, 0, len(p.Databases))
		for k := range p.Databases {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("db cache %q: DATABASES has no %q (known: %s)", p.Alias, alias, strings.Join(known, ", "))
	}
	engine, err := databases.ParseEngine(entry.Engine)
	if err != nil {
		return nil, fmt.Errorf("db cache %q: DATABASES %q: %w", p.Alias, alias, err)
	}
	dsn, err := engine.DSN(entry, p.BaseDir)
	if err != nil {
		return nil, fmt.Errorf("db cache %q: DATABASES %q: %w", p.Alias, alias, err)
	}
	d := dialectOf(engine)
	read, err := sqlx.Open(engine.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("db cache %q: open DATABASES %q: %w", p.Alias, alias, err)
	}
	write := read
	if engine == databases.SQLite {
		if engine.InMemory(entry) {
			// An in-memory database exists only inside its connection.
			read.SetMaxOpenConns(1)
			read.SetConnMaxLifetime(0)
			read.SetConnMaxIdleTime(0)
		} else {
			// SQLite has one writer at a time: queue writers in the pool
			// rather than in the busy handler.
			write, err = sqlx.Open(engine.DriverName(), dsn)
			if err != nil {
				read.Close()
				return nil, fmt.Errorf("db cache %q: open DATABASES %q: %w", p.Alias, alias, err)
			}
			write.SetMaxOpenConns(1)
			read.SetMaxIdleConns(8)
		}
	} else {
		read.SetMaxIdleConns(16)
		read.SetConnMaxIdleTime(5 * time.Minute)
	}
	s := &Store{
		d: d, table: table, database: alias, read: read, write: write,
		sql: buildStatements(d, table),
		now: p.Now, log: p.Logger, onEvict: p.OnEvict,
	}
	// Django writes expires in UTC under USE_TZ and as TIME_ZONE's wall
	// clock otherwise; a naive column is read back the same way.
	s.loc = time.UTC
	if !p.UseTZ && p.TimeZone != "" {
		if s.loc, err = time.LoadLocation(p.TimeZone); err != nil {
			return nil, fmt.Errorf("db cache %q: TIME_ZONE %q: %w", p.Alias, p.TimeZone, err)
		}
	}
	s.whole, _ = p.Serializer.(serializer.Whole)
	s.incrRule = p.Incr
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.onEvict == nil {
		s.onEvict = func(int) {}
	}
	s.cull.init(p.Config.MaxEntries, p.Config.CullFrequency)
	return s, nil
}

// Table is the cache table's name (LOCATION).
func (s *Store) Table() string { return s.table }

// Database is the DATABASES alias the table lives in.
func (s *Store) Database() string { return s.database }

// Dialect is the SQL dialect of the table's database.
func (s *Store) Dialect() Dialect { return s.d }

// Close closes the connection pools.
func (s *Store) Close() error {
	err := s.read.Close()
	if s.write != s.read {
		err = errors.Join(err, s.write.Close())
	}
	if err != nil {
		return fmt.Errorf("db cache %q: close: %w", s.table, err)
	}
	return nil
}

// rq and wq are the read and write connections, counting statements.
func (s *Store) rq() Querier { return counted{s.read, s} }
func (s *Store) wq() Querier { return counted{s.write, s} }

// counted counts (and for tests traces) the statements run through q.
type counted struct {
	q Querier
	s *Store
}

func (c counted) note(query string) {
	c.s.queries.Add(1)
	if c.s.trace != nil {
		c.s.trace(query)
	}
}

func (c counted) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.note(query)
	return c.q.ExecContext(ctx, query, args...)
}

func (c counted) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.note(query)
	return c.q.QueryContext(ctx, query, args...)
}

func (c counted) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.note(query)
	return c.q.QueryRowContext(ctx, query, args...)
}
