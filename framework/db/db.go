// Package db is Django's django.db.connections for gojango: each DATABASES
// alias opened once, on first use, as a *sqlx.DB shared by every app, and
// closed at exit.
//
//	conn, err := db.Connection("default")   // connections["default"]
//	err = conn.SelectContext(ctx, &articles, `SELECT ...`)
//
// The engines are sqlite3, postgresql and mysql, with Django's dotted
// names (engines.go: ParseEngine, Engine.DriverName, Engine.DSN, Driver);
// the data source names are built here from NAME, USER, PASSWORD, HOST,
// PORT and OPTIONS, and the db cache backend builds its own with the same
// functions, so an app and the db cache alias reach the same database. A
// relative SQLite NAME is relative to the settings file's directory.
package db

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"

	"gojango/framework/settings"
)

// ErrUnknownDatabase is wrapped by the error for an alias DATABASES lacks
// (Django's ConnectionDoesNotExist).
var ErrUnknownDatabase = errors.New("db: unknown database alias")

// Handler holds the connections of one Settings (Django's
// ConnectionHandler). It is safe for concurrent use.
type Handler struct {
	s *settings.Settings

	mu    sync.Mutex // protects conns
	conns map[string]*sqlx.DB
}

// NewHandler returns the connections of s; nothing is opened yet.
func NewHandler(s *settings.Settings) *Handler {
	return &Handler{s: s, conns: map[string]*sqlx.DB{}}
}

// Connection returns the database of alias, opening it on first use.
// Opening does not dial: the first query does (database/sql's rule).
func (h *Handler) Connection(alias string) (*sqlx.DB, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.conns[alias]; ok {
		return c, nil
	}
	entry, ok := h.s.Databases[alias]
	if !ok {
		names := make([]string, 0, len(h.s.Databases))
		for n := range h.s.Databases {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%w %q (DATABASES has %s)", ErrUnknownDatabase, alias, strings.Join(names, ", "))
	}
	engine, err := ParseEngine(entry.Engine)
	if err != nil {
		return nil, h.s.Errorf("DATABASES."+alias+".ENGINE", "%v", err)
	}
	dsn, err := engine.DSN(entry, h.s.BaseDir)
	if err != nil {
		return nil, h.s.Errorf("DATABASES."+alias, "%v", err)
	}
	c, err := sqlx.Open(engine.DriverName(), dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %q: %w", alias, err)
	}
	h.conns[alias] = c
	return c, nil
}

// Close closes every opened connection.
func (h *Handler) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var errs []error
	for alias, c := range h.conns {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("db: close %q: %w", alias, err))
		}
	}
	h.conns = map[string]*sqlx.DB{}
	return errors.Join(errs...)
}

var (
	currentMu sync.RWMutex
	current   = NewHandler(settings.Default())
)

// Setup makes the connections of s the process's (closing the previous
// ones); management.Execute calls it after loading the settings.
func Setup(s *settings.Settings) error {
	currentMu.Lock()
	old := current
	current = NewHandler(s)
	currentMu.Unlock()
	return old.Close()
}

// Current returns the process's connections.
func Current() *Handler {
	currentMu.RLock()
	defer currentMu.RUnlock()
	return current
}

// Connection is Current().Connection(alias): Django's connections[alias].
func Connection(alias string) (*sqlx.DB, error) { return Current().Connection(alias) }

// Close closes the process's connections.
func Close() error { return Current().Close() }
