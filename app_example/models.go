package app_example

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"gojango/framework/db"
)

// Article is the app's model (app_example_article).
type Article struct {
	ID      int64     `db:"id"`
	Title   string    `db:"title"`
	Body    string    `db:"body"`
	Updated time.Time `db:"updated"`
}

// Articles is the article table, kept in the project's default database.
type Articles struct{ db *sqlx.DB }

var sampleArticles = []Article{
	{Title: "Caching pages with cache.Page", Body: "Wrap a view in cache.Page(60*15, view) and it renders once every fifteen minutes."},
	{Title: "The per-site cache", Body: "UpdateCacheMiddleware first, FetchFromCacheMiddleware last: every GET page is cached."},
	{Title: "Fragment caching", Body: "{% cache 600 sidebar %} keeps a piece of a template; delete its key to rebuild it."},
	{Title: "Stampedes", Body: "When a popular page expires, one request renders it and the others wait for it."},
}

// OpenArticles returns the articles in the project's default database
// (framework/db's connections["default"], a SQLite file in the example),
// creating the table and the sample articles on first run (the app's own
// migration).
func OpenArticles(ctx context.Context) (*Articles, error) {
	conn, err := db.Connection("default")
	if err != nil {
		return nil, fmt.Errorf("app_example: %w", err)
	}
	if conn.DriverName() != "sqlite3" {
		return nil, fmt.Errorf("app_example: the example keeps its articles in SQLite; DATABASES.default is %s", conn.DriverName())
	}
	a := &Articles{db: conn}
	if err := a.migrate(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Articles) migrate(ctx context.Context) error {
	if _, err := a.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS app_example_article (
    id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
    title varchar(200) NOT NULL,
    body text NOT NULL,
    updated datetime NOT NULL
)`); err != nil {
		return fmt.Errorf("app_example: create table: %w", err)
	}
	var n int
	if err := a.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM app_example_article`); err != nil {
		return fmt.Errorf("app_example: count articles: %w", err)
	}
	if n > 0 {
		return nil
	}
	for _, art := range sampleArticles {
		if _, err := a.db.ExecContext(ctx, `INSERT INTO app_example_article (title, body, updated) VALUES (?, ?, ?)`, art.Title, art.Body, time.Now().UTC()); err != nil {
			return fmt.Errorf("app_example: sample data: %w", err)
		}
	}
	return nil
}

// All returns the articles, newest change first.
func (a *Articles) All(ctx context.Context) ([]Article, error) {
	var out []Article
	if err := a.db.SelectContext(ctx, &out, `SELECT id, title, body, updated FROM app_example_article ORDER BY updated DESC, id`); err != nil {
		return nil, fmt.Errorf("app_example: list articles: %w", err)
	}
	return out, nil
}

// Get returns one article; sql.ErrNoRows when there is none.
func (a *Articles) Get(ctx context.Context, id int64) (Article, error) {
	var art Article
	err := a.db.GetContext(ctx, &art, `SELECT id, title, body, updated FROM app_example_article WHERE id = ?`, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		err = fmt.Errorf("app_example: article %d: %w", id, err)
	}
	return art, err
}

// Update saves a new title and body.
func (a *Articles) Update(ctx context.Context, id int64, title, body string) error {
	res, err := a.db.ExecContext(ctx, `UPDATE app_example_article SET title = ?, body = ?, updated = ? WHERE id = ?`, title, body, time.Now().UTC(), id)
	if err != nil {
		return fmt.Errorf("app_example: update article %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
