package db

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 9: keys are compared byte for byte, so keys that a collation would
// call equal are distinct rows. Django's MySQL DDL fails this (varchar(255)
// in a case-insensitive, PAD SPACE collation); createcachetable's
// varbinary(1020) passes, and so do SQLite and PostgreSQL.
func TestKeyColumnComparesBytes(t *testing.T) {
	cases := []struct {
		name string
		a, b string
		only []string // dialects that can hold the keys (all when empty)
	}{
		{name: "Case", a: "Key", b: "key"},
		{name: "TrailingSpace", a: "pad", b: "pad "},
		{name: "TrailingSpaces", a: "pad ", b: "pad  "},
		{name: "Accent", a: "café", b: "cafe"},
		{name: "Expansion", a: "straße", b: "strasse"},
		{name: "Width", a: "ａ", b: "a"},
		{name: "TrailingTab", a: "t", b: "t\t"},
		// Not valid UTF-8: a utf8mb4 varchar refuses it or stores '?'.
		// PostgreSQL refuses such text whatever the column.
		{name: "InvalidUTF8", a: "user\xff", b: "user\xfe", only: []string{"sqlite", "mysql"}},
	}
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			h := newHarness(t, db, nil)
			for _, c := range cases {
				if len(c.only) > 0 && !slices.Contains(c.only, db.name) {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					if err := h.s.Clear(h.ctx); err != nil {
						t.Fatal(err)
					}
					h.set(t, c.a, "value of a", time.Minute)
					h.set(t, c.b, "value of b", time.Minute)
					if n := h.rows(t); n != 2 {
						t.Fatalf("%q and %q share a row: %d rows", c.a, c.b, n)
					}
					if v, ok := h.get(t, c.a); !ok || v != "value of a" {
						t.Errorf("get %q = %q, %v", c.a, v, ok)
					}
					if v, ok := h.get(t, c.b); !ok || v != "value of b" {
						t.Errorf("get %q = %q, %v", c.b, v, ok)
					}
					got, err := h.s.GetMany(h.ctx, []string{c.a, c.b})
					if err != nil || len(got) != 2 || string(got[c.a]) != "value of a" || string(got[c.b]) != "value of b" {
						t.Errorf("get_many = %q, %v", got, err)
					}
					if added, err := h.s.Add(h.ctx, c.b, []byte("x"), h.at(time.Minute)); err != nil || added {
						t.Errorf("add %q on its live row = %v, %v", c.b, added, err)
					}
					if ok, err := h.s.Delete(h.ctx, c.a); err != nil || !ok {
						t.Fatalf("delete %q = %v, %v", c.a, ok, err)
					}
					if _, ok := h.get(t, c.a); ok {
						t.Errorf("%q still there after its delete", c.a)
					}
					if v, ok := h.get(t, c.b); !ok || v != "value of b" || !h.has(t, c.b) {
						t.Errorf("deleting %q removed %q (%q, %v)", c.a, c.b, v, ok)
					}
				})
			}
		})
	}
}

// The cull's SELECT ... ORDER BY cache_key OFFSET n and DELETE ... WHERE
// cache_key < ? agree on the byte order: the smallest keys in bytes go
// ("B" < "a" < "b"), however the keys are cased.
func TestCullOrdersKeysByBytes(t *testing.T) {
	eachDB(t, withCull(4, 2), func(t *testing.T, h *harness) {
		for _, k := range []string{"b", "a", "B", "A", "b "} {
			h.set(t, k, "v", time.Minute)
		}
		// The fifth set saw 4 rows, not over MAX_ENTRIES; the sixth sees 5
		// and culls 5/2 = 2: "A" and "B".
		h.set(t, "c", "v", time.Minute)
		var left []string
		for _, k := range []string{"A", "B", "a", "b", "b ", "c"} {
			if _, ok := h.get(t, k); ok {
				left = append(left, k)
			}
		}
		if want := []string{"a", "b", "b ", "c"}; !slices.Equal(left, want) {
			t.Fatalf("keys left %q, want %q", left, want)
		}
	})
}

// CheckKeyColumn flags a MySQL cache_key column that does not compare bytes,
// with an ALTER TABLE that fixes it; createcachetable's column and the
// binary NO PAD collations pass. SQLite and PostgreSQL columns always pass.
func TestCheckKeyColumnFlagsCollatedKey(t *testing.T) {
	cases := []struct {
		name    string
		keyType string // "" for the table createcachetable made
		flagged bool
	}{
		{name: "CreateCacheTable"},
		{name: "DjangoDDL", keyType: "varchar(255)", flagged: true},
		{name: "GeneralCI", keyType: "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", flagged: true},
		{name: "Utf8mb4BinPadSpace", keyType: "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", flagged: true},
		{name: "Char", keyType: "char(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin", flagged: true},
		{name: "NoPadBin", keyType: "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"},
		{name: "Varbinary255", keyType: "varbinary(255)"},
	}
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			if db.name != "mysql" {
				h := newHarness(t, db, nil)
				if p, err := h.s.CheckKeyColumn(h.ctx); err != nil || p != nil {
					t.Fatalf("CheckKeyColumn = %+v, %v; want nil, nil", p, err)
				}
				return
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					h := newHarness(t, db, nil)
					if c.keyType != "" {
						recreateWithKeyType(t, h, c.keyType)
					}
					p, err := h.s.CheckKeyColumn(h.ctx)
					if err != nil {
						t.Fatal(err)
					}
					if (p != nil) != c.flagged {
						t.Fatalf("CheckKeyColumn = %+v; want flagged %v", p, c.flagged)
					}
					if p == nil {
						return
					}
					wantFix := "ALTER TABLE " + h.s.d.Quote(h.s.table) + " MODIFY `cache_key` varbinary(1020) NOT NULL;"
					if p.Fix != wantFix || p.Type == "" {
						t.Fatalf("problem = %+v; want Fix %q", p, wantFix)
					}
					// The fix works on a table with rows, keeps the primary
					// key, and the keys then compare bytes.
					h.set(t, "Key", "1", time.Minute)
					if _, err := h.s.write.ExecContext(h.ctx, p.Fix); err != nil {
						t.Fatalf("%s: %v", p.Fix, err)
					}
					if p, err := h.s.CheckKeyColumn(h.ctx); err != nil || p != nil {
						t.Fatalf("after the fix CheckKeyColumn = %+v, %v", p, err)
					}
					h.set(t, "key", "2", time.Minute)
					h.set(t, "key", "3", time.Minute)
					if v, _ := h.get(t, "Key"); v != "1" || h.rows(t) != 2 {
						t.Fatalf("after the fix: Key = %q, %d rows", v, h.rows(t))
					}
				})
			}
		})
	}
	t.Run("MissingTable", func(t *testing.T) {
		for _, db := range testDBs() {
			h := newHarness(t, db, nil)
			s, err := Open(params(t, h.entry, uniqueTable(t)+"x", h.clock, &h.evicted))
			if err != nil {
				t.Fatal(err)
			}
			if p, err := s.CheckKeyColumn(h.ctx); err != nil || p != nil {
				t.Errorf("%s: CheckKeyColumn on a missing table = %+v, %v", db.name, p, err)
			}
			s.Close()
		}
	})
}

// recreateWithKeyType replaces the harness table by one laid out as
// createcachetable's but with cache_key of keyType (Django's DDL when
// keyType is varchar(255)).
func recreateWithKeyType(tb testing.TB, h *harness, keyType string) {
	tb.Helper()
	stmts := CreateTableSQL(h.s.d, h.s.table)
	keyDef, _, _ := h.s.d.ColumnTypes()
	stmts[0] = strings.Replace(stmts[0], keyDef, keyType, 1)
	ctx := context.Background()
	if _, err := h.s.write.ExecContext(ctx, "DROP TABLE "+h.s.d.Quote(h.s.table)); err != nil {
		tb.Fatal(err)
	}
	for _, st := range stmts {
		if _, err := h.s.write.ExecContext(ctx, st); err != nil {
			tb.Fatalf("%s: %v", st, err)
		}
	}
}

// Django's DDL on MySQL is the bug this package avoids: the same keys share
// one row there. (Kept as evidence the test above tests something.)
func TestDjangoMySQLKeyColumnMergesKeys(t *testing.T) {
	h := newHarness(t, testDB{"mysql", mysqlEntry}, nil)
	recreateWithKeyType(t, h, "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	h.set(t, "pad", "a", time.Minute)
	h.set(t, "pad ", "b", time.Minute)
	if v, _ := h.get(t, "pad"); v != "b" || h.rows(t) != 1 {
		t.Fatalf("utf8mb4_bin (PAD SPACE) kept 'pad' and 'pad ' apart (%q, %d rows): the server changed", v, h.rows(t))
	}
}
