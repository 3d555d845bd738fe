package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// CreateTableSQL returns the statements Django's createcachetable runs for
// table, laid out as Django prints them with --dry-run: the CREATE TABLE
// (one column a line, indented four spaces) and the CREATE INDEX on expires.
func CreateTableSQL(d Dialect, table string) []string {
	keyType, valueType, expiresType := d.ColumnTypes()
	columns := []string{
		d.Quote("cache_key") + " " + keyType + " NOT NULL PRIMARY KEY",
		d.Quote("value") + " " + valueType + " NOT NULL",
		d.Quote("expires") + " " + expiresType + " NOT NULL",
	}
	var b strings.Builder
	b.WriteString("CREATE TABLE " + d.Quote(table) + " (\n")
	for i, c := range columns {
		b.WriteString("    " + c)
		if i < len(columns)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(");")
	index := "CREATE INDEX " + d.Quote(table+"_expires") + " ON " + d.Quote(table) + " (" + d.Quote("expires") + ");"
	return []string{b.String(), index}
}

// TableExists reports whether the cache table exists in the database.
func (s *Store) TableExists(ctx context.Context) (bool, error) {
	var one int
	err := s.rq().QueryRowContext(ctx, s.d.TableExistsSQL(), s.table).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("db cache: look up table %q in DATABASES %q: %w", s.table, s.database, err)
	}
	return true, nil
}

// CreateTable is createcachetable for this Store's table. When the table
// exists it does nothing and returns created=false, sql=nil (the command
// prints "Cache table '<t>' already exists."). Otherwise it returns the
// statements (CreateTableSQL) and, unless dryRun, runs them, in one
// transaction where the database can roll DDL back. A failing CREATE TABLE
// comes back as Django's message: "Cache table '<t>' could not be
// created.\nThe error was: <e>."
func (s *Store) CreateTable(ctx context.Context, dryRun bool) (created bool, stmts []string, err error) {
	exists, err := s.TableExists(ctx)
	if err != nil || exists {
		return false, nil, err
	}
	stmts = CreateTableSQL(s.d, s.table)
	if dryRun {
		return false, stmts, nil
	}
	var q Querier = s.wq()
	commit := func() error { return nil }
	if s.d.CanRollbackDDL() {
		tx, err := s.write.BeginTxx(ctx, nil)
		if err != nil {
			return false, stmts, fmt.Errorf("db cache: create table %q: %w", s.table, err)
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		q, commit = counted{tx, s}, tx.Commit
	}
	if _, err := q.ExecContext(ctx, stmts[0]); err != nil {
		return false, stmts, fmt.Errorf("Cache table '%s' could not be created.\nThe error was: %w.", s.table, err)
	}
	for _, st := range stmts[1:] {
		if _, err := q.ExecContext(ctx, st); err != nil {
			return false, stmts, fmt.Errorf("db cache: create table %q: %w", s.table, err)
		}
	}
	if err := commit(); err != nil {
		return false, stmts, fmt.Errorf("db cache: create table %q: commit: %w", s.table, err)
	}
	return true, stmts, nil
}

// KeyColumnProblem describes a cache_key column that does not compare keys
// byte for byte, so that distinct keys ('Key' and 'key', 'pad' and 'pad ',
// 'café' and 'cafe') share one row: on MySQL/MariaDB, a table created with
// Django's DDL (varchar(255) in the table's default collation).
type KeyColumnProblem struct {
	Type      string // the column's type, e.g. "varchar(255)"
	Collation string // its collation, e.g. "utf8mb4_general_ci"; "" for a binary type
	Fix       string // the ALTER TABLE statement that makes it what createcachetable creates
}

// CheckKeyColumn returns the problem of the table's cache_key column, or nil
// when it compares bytes exactly or the table does not exist. Only
// MySQL/MariaDB columns can have one: SQLite compares text with BINARY, and
// PostgreSQL's default (deterministic) collations only call identical
// strings equal.
func (s *Store) CheckKeyColumn(ctx context.Context) (*KeyColumnProblem, error) {
	md, ok := s.d.(mysqlDialect)
	if !ok {
		return nil, nil
	}
	p, err := md.keyColumnProblem(ctx, s.rq(), s.table)
	if err != nil {
		return nil, fmt.Errorf("db cache: read the cache_key column of %q in DATABASES %q: %w", s.table, s.database, err)
	}
	return p, nil
}
