package db

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
)

// garbageValues are value columns encodeValue cannot have written. only
// lists the dialects that can store the text at all (all when empty):
// PostgreSQL text refuses NUL and invalid UTF-8, MySQL's utf8mb4 longtext
// invalid UTF-8.
var garbageValues = []struct {
	name, value string
	only        []string
}{
	{name: "RandomText", value: "this is not base64!"},
	{name: "Truncated", value: "aGVsbG8gd29ybGQ"}, // "hello world" base64, last char cut
	{name: "TruncatedAtFour", value: "aGVsbG8gd29y="},
	{name: "PaddingInside", value: "aGVsbG8=aGVsbG8="},
	{name: "ThreePads", value: "Q==="},
	{name: "OnlyPadding", value: "===="},
	{name: "LineBreaks", value: "QUJD\n\n\n\n"}, // Go's lenient decoder would skip them
	{name: "CRLF", value: "QUJD\r\nQQ=="},
	{name: "URLAlphabet", value: "QU-_"},
	{name: "NonASCII", value: "QUJé"},              // 4 characters, 5 bytes
	{name: "KelvinSign", value: "\u212aQ"},         // 4 bytes; folds onto 'k' case-insensitively
	{name: "LongS", value: "\u017fQU"},             // 4 bytes; folds onto 's'
	{name: "Space", value: "QUJD QUJD   "},         // 12 bytes
	{name: "JSON", value: `{"a":1,"b":[2]}` + " "}, // 16 bytes
	{name: "NUL", value: "QUJD\x00\x00\x00\x00", only: []string{"sqlite", "mysql"}},
	{name: "NULInside", value: "QUJD\x00QUJ", only: []string{"sqlite", "mysql"}},
	{name: "InvalidUTF8", value: "\xff\xfe\xfd\xfc", only: []string{"sqlite"}},
	{name: "Large", value: strings.Repeat("QUJD", 1<<18) + "QUJ!"}, // 1 MiB, bad at the end
}

// wellFormedValues are what encodeValue writes (and the lenient forms
// both checks accept), each a multiple of 4 long.
var wellFormedValues = []string{"", "QUJD", "QUI=", "QQ==", "ab==", "aGVsbG8=", "+/+/", strings.Repeat("QUJD", 1<<18)}

// insertRaw stores value as key's value column with plain SQL, live for an
// hour, replacing any row.
func (h *harness) insertRaw(tb testing.TB, key, value string) {
	tb.Helper()
	t, d := h.s.table, h.s.d
	if _, err := h.s.write.ExecContext(h.ctx, sqlx.Rebind(d.BindType(), "DELETE FROM "+d.Quote(t)+" WHERE "+d.Quote("cache_key")+" = ?"), key); err != nil {
		tb.Fatal(err)
	}
	ins := sqlx.Rebind(d.BindType(), "INSERT INTO "+d.Quote(t)+" ("+d.Quote("cache_key")+", "+d.Quote("value")+", "+d.Quote("expires")+") VALUES (?, ?, ?)")
	if _, err := h.s.write.ExecContext(h.ctx, ins, key, value, d.TimeArg(storedExpiry(h.at(time.Hour)))); err != nil {
		tb.Fatalf("insert %q: %v", value, err)
	}
}

// Issue 9: a row whose value is garbage is a miss for Get and GetMany and
// absent for Has, never an error; Incr finds it not found. Get, GetMany and
// Incr delete it; every operation logs its key at Warn.
func TestGarbageRowIsMiss(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			var logs cachetest.LogBuffer
			h := newHarness(t, db, func(p *cache.Params) {
				p.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			h.set(t, "good", "fine", time.Minute)
			for _, g := range garbageValues {
				if len(g.only) > 0 && !slices.Contains(g.only, db.name) {
					continue
				}
				t.Run(g.name, func(t *testing.T) {
					key := "garbage:" + g.name
					ops := []struct {
						name string
						run  func(t *testing.T)
						gone bool // the op deletes the row
					}{
						{"Has", func(t *testing.T) {
							if ok, err := h.s.Has(h.ctx, key); err != nil || ok {
								t.Fatalf("Has = %v, %v; want false, nil", ok, err)
							}
						}, false},
						{"Get", func(t *testing.T) {
							if v, ok, err := h.s.Get(h.ctx, key); err != nil || ok || v != nil {
								t.Fatalf("Get = %q, %v, %v; want a miss", v, ok, err)
							}
						}, true},
						{"GetMany", func(t *testing.T) {
							got, err := h.s.GetMany(h.ctx, []string{key, "good", "missing"})
							if err != nil || len(got) != 1 || string(got["good"]) != "fine" {
								t.Fatalf("GetMany = %q, %v; want only good", got, err)
							}
						}, true},
						{"Incr", func(t *testing.T) {
							n, err := h.s.Incr(h.ctx, key, 1)
							if !errors.Is(err, cache.ErrNotFound) && !errors.Is(err, cache.ErrNotInteger) {
								t.Fatalf("Incr = %d, %v; want ErrNotFound or ErrNotInteger", n, err)
							}
						}, true},
					}
					for _, op := range ops {
						t.Run(op.name, func(t *testing.T) {
							h.insertRaw(t, key, g.value)
							before := len(logs.String())
							op.run(t)
							logged := logs.String()[before:]
							if !strings.Contains(logged, "level=WARN") || !strings.Contains(logged, "key="+key) {
								t.Errorf("no Warn naming the key; logged %q", logged)
							}
							if _, _, there := h.raw(t, key); there == op.gone {
								t.Errorf("row there after %s: %v; want %v", op.name, there, !op.gone)
							}
							// The key works again once set.
							h.set(t, key, "new", time.Minute)
							if v, ok := h.get(t, key); !ok || v != "new" || !h.has(t, key) {
								t.Fatalf("after set: %q, %v", v, ok)
							}
						})
					}
				})
			}
			if v, ok := h.get(t, "good"); !ok || v != "fine" {
				t.Fatalf("the good row suffered: %q, %v", v, ok)
			}
		})
	}
}

// A corrupt row found by Get is deleted only while still corrupt: a value
// set meanwhile survives the cleanup statement.
func TestCorruptCleanupSparesRewrittenRow(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.insertRaw(t, "k", "garbage!")
		h.set(t, "k", "fresh", time.Minute) // as if set between the SELECT and the DELETE
		h.s.dropCorrupt(h.ctx, "get", []string{"k"}, errCorruptValue)
		if v, ok := h.get(t, "k"); !ok || v != "fresh" {
			t.Fatalf("get = %q, %v; the rewritten row was deleted", v, ok)
		}
	})
}

// The cleanup of corrupt rows checks the value in SQL (ValidValueSQL), the
// reads in Go (validValue): they agree on every row, so the cleanup never
// deletes a row the reads would return.
func TestValidValueSQLAgreesWithGo(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			h := newHarness(t, db, nil)
			d := h.s.d
			if strings.Contains(d.ValidValueSQL(d.Quote("value")), "?") {
				// A '?' would be taken for a placeholder by sqlx.In and by
				// the MySQL driver's client-side interpolation.
				t.Fatalf("ValidValueSQL holds a '?': %s", d.ValidValueSQL(d.Quote("value")))
			}
			q := sqlx.Rebind(d.BindType(), "SELECT CASE WHEN "+d.ValidValueSQL(d.Quote("value"))+" THEN 1 ELSE 0 END FROM "+
				d.Quote(h.s.table)+" WHERE "+d.Quote("cache_key")+" = ?")
			check := func(name, value string, want bool) {
				h.insertRaw(t, "k", value)
				var inSQL int
				if err := h.s.read.QueryRowContext(h.ctx, q, "k").Scan(&inSQL); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if got := validValue([]byte(value)); got != want || (inSQL == 1) != want {
					t.Errorf("%s: validValue = %v, SQL = %d; want %v", name, got, inSQL, want)
				}
			}
			for _, v := range wellFormedValues {
				check("well-formed "+v[:min(len(v), 12)], v, true)
			}
			for _, g := range garbageValues {
				if len(g.only) == 0 || slices.Contains(g.only, db.name) {
					check(g.name, g.value, false)
				}
			}
		})
	}
}

// Every value encodeValue writes passes validValue, and decodes back.
func TestEncodeValueIsValid(t *testing.T) {
	for n := range 70 {
		b := bytes.Repeat([]byte{0xff, 0x00, 'x'}, n)[:n*2/3+n%3]
		s := encodeValue(b)
		if !validValue([]byte(s)) {
			t.Fatalf("validValue(encodeValue(%x)) = false", b)
		}
		if got, err := decodeValue([]byte(s)); err != nil || !bytes.Equal(got, b) {
			t.Fatalf("decodeValue(%q) = %x, %v", s, got, err)
		}
	}
}
