package db

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Rule 58 / createcachetable: the DDL is Django's, laid out as Django prints
// it, per dialect; on MySQL cache_key is varbinary(1020) (issue 9).
func TestCreateTableSQLLayout(t *testing.T) {
	cases := []struct {
		engine string
		want   []string
	}{
		{"sqlite3", []string{
			"CREATE TABLE \"my cache\" (\n" +
				"    \"cache_key\" varchar(255) NOT NULL PRIMARY KEY,\n" +
				"    \"value\" text NOT NULL,\n" +
				"    \"expires\" datetime NOT NULL\n" +
				");",
			`CREATE INDEX "my cache_expires" ON "my cache" ("expires");`,
		}},
		{"postgresql", []string{
			"CREATE TABLE \"my cache\" (\n" +
				"    \"cache_key\" varchar(255) NOT NULL PRIMARY KEY,\n" +
				"    \"value\" text NOT NULL,\n" +
				"    \"expires\" timestamp with time zone NOT NULL\n" +
				");",
			`CREATE INDEX "my cache_expires" ON "my cache" ("expires");`,
		}},
		{"mysql", []string{
			"CREATE TABLE `my cache` (\n" +
				"    `cache_key` varbinary(1020) NOT NULL PRIMARY KEY,\n" +
				"    `value` longtext NOT NULL,\n" +
				"    `expires` datetime(6) NOT NULL\n" +
				");",
			"CREATE INDEX `my cache_expires` ON `my cache` (`expires`);",
		}},
	}
	for _, c := range cases {
		t.Run(c.engine, func(t *testing.T) {
			d, err := Engine(c.engine)
			if err != nil {
				t.Fatal(err)
			}
			got := CreateTableSQL(d, "my cache")
			if len(got) != 2 || got[0] != c.want[0] || got[1] != c.want[1] {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// Rule 58: a second createcachetable does nothing; --dry-run returns the SQL
// (starting with CREATE TABLE) and creates nothing.
func TestCreateTableTwiceAndDryRun(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			h := newHarness(t, db, nil) // creates the table
			created, stmts, err := h.s.CreateTable(h.ctx, false)
			if err != nil || created || stmts != nil {
				t.Fatalf("second CreateTable = %v, %q, %v; want false, nil, nil", created, stmts, err)
			}
			created, stmts, err = h.s.CreateTable(h.ctx, true)
			if err != nil || created || stmts != nil {
				t.Fatalf("dry run on an existing table = %v, %q, %v", created, stmts, err)
			}

			p := params(t, h.entry, uniqueTable(t)+" dry", h.clock, &h.evicted)
			s, err := Open(p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dropTable(t, s) })
			created, stmts, err = s.CreateTable(h.ctx, true)
			if err != nil || created || len(stmts) != 2 || !strings.HasPrefix(stmts[0], "CREATE TABLE") {
				t.Fatalf("dry run = %v, %q, %v", created, stmts, err)
			}
			if ok, err := s.TableExists(h.ctx); err != nil || ok {
				t.Fatalf("dry run created the table (%v, %v)", ok, err)
			}
			created, stmts, err = s.CreateTable(h.ctx, false)
			if err != nil || !created || len(stmts) != 2 {
				t.Fatalf("CreateTable = %v, %q, %v", created, stmts, err)
			}
			if ok, err := s.TableExists(h.ctx); err != nil || !ok {
				t.Fatalf("TableExists after create = %v, %v", ok, err)
			}
			if db.name == "sqlite" {
				var one int
				if err := s.read.QueryRowContext(h.ctx, `SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?`, s.table+"_expires").Scan(&one); err != nil {
					t.Fatalf("index %s_expires: %v", s.table, err)
				}
			}
		})
	}
}

// A CREATE TABLE the database refuses comes back as Django's CommandError
// text. (SQLite: a view already holds the name, which TableExists does not
// count as a table.)
func TestCreateTableErrorIsDjangoMessage(t *testing.T) {
	h := newHarness(t, testDBs()[0], nil)
	p := params(t, h.entry, "a_view", h.clock, &h.evicted)
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.write.ExecContext(h.ctx, `CREATE VIEW "a_view" AS SELECT 1 AS x`); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.CreateTable(h.ctx, false)
	if err == nil || !strings.HasPrefix(err.Error(), "Cache table 'a_view' could not be created.\nThe error was: ") ||
		!strings.HasSuffix(err.Error(), ".") {
		t.Fatalf("err = %v", err)
	}
}

// TableExists is false before createcachetable.
func TestTableExistsFalseForMissingTable(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			h := newHarness(t, db, nil)
			s, err := Open(params(t, h.entry, uniqueTable(t)+"x", h.clock, &h.evicted))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if ok, err := s.TableExists(h.ctx); err != nil || ok {
				t.Fatalf("TableExists = %v, %v", ok, err)
			}
		})
	}
}

// Operations on a table that does not exist fail with an error naming it.
func TestMissingTableErrors(t *testing.T) {
	h := newHarness(t, testDBs()[0], nil)
	s, err := Open(params(t, h.entry, "no_such_table", h.clock, &h.evicted))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Get(h.ctx, "k"); err == nil || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("get on a missing table: %v", err)
	}
	if err := s.Set(h.ctx, "k", []byte("v"), h.at(0)); err == nil {
		t.Fatal("set on a missing table succeeded")
	}
}

func TestOpenErrors(t *testing.T) {
	base := func(tb testing.TB) cache.Params {
		var ev atomic.Int64
		return params(tb, testDBs()[0].entry(tb), "t", newClock(), &ev)
	}
	cases := []struct {
		name  string
		tweak func(*cache.Params)
		want  string
	}{
		{"empty LOCATION", func(p *cache.Params) { p.Config.Location = "" }, "LOCATION (the table name) is empty"},
		{"unknown DATABASE", func(p *cache.Params) { p.Config.Options["DATABASE"] = "other" }, `DATABASES has no "other" (known: default)`},
		{"DATABASE not a string", func(p *cache.Params) { p.Config.Options["DATABASE"] = 3 }, "OPTIONS.DATABASE must be a DATABASES alias"},
		{"unknown ENGINE", func(p *cache.Params) {
			e := p.Databases["default"]
			e.Engine = "django.db.backends.oracle"
			p.Databases["default"] = e
		}, `unknown database ENGINE "django.db.backends.oracle" (known: django.db.backends.sqlite3, sqlite3, sqlite, ` +
			"django.db.backends.postgresql, postgresql, postgres, django.db.backends.mysql, mysql, mariadb)"},
		{"negative CULL_FREQUENCY", func(p *cache.Params) { p.Config.CullFrequency = -1 }, "CULL_FREQUENCY must be 0 or more"},
		{"empty sqlite NAME", func(p *cache.Params) {
			e := p.Databases["default"]
			e.Name = ""
			p.Databases["default"] = e
		}, "NAME (the database file) is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base(t)
			c.tweak(&p)
			_, err := Open(p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// OPTIONS.DATABASE picks another DATABASES entry.
func TestOptionsDatabaseSelectsEntry(t *testing.T) {
	h := newHarness(t, testDBs()[0], nil)
	p := params(t, h.entry, h.s.table, h.clock, &h.evicted)
	p.Databases = map[string]settings.Database{"cachedb": h.entry}
	p.Config.Options["DATABASE"] = "cachedb"
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Database() != "cachedb" {
		t.Fatalf("Database() = %q", s.Database())
	}
	h.set(t, "k", "v", time.Minute)
	if v, ok, err := s.Get(h.ctx, "k"); err != nil || !ok || string(v) != "v" {
		t.Fatalf("get through cachedb = %q, %v, %v", v, ok, err)
	}
}
