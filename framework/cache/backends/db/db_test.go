package db

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

func TestRegisteredUnderDjangoName(t *testing.T) {
	for _, name := range []string{"db", "django.core.cache.backends.db.DatabaseCache"} {
		got, err := cache.BackendName(name)
		if err != nil || got != "db" {
			t.Errorf("BackendName(%q) = %q, %v; want db", name, got, err)
		}
	}
}

func TestNewReturnsStore(t *testing.T) {
	db := testDBs()[0]
	clock := newClock()
	var ev atomic.Int64
	p := params(t, db.entry(t), uniqueTable(t), clock, &ev)
	st, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, ok := st.(*Store)
	if !ok {
		t.Fatalf("New returned %T, want *Store", st)
	}
	if s.Table() != p.Config.Location || s.Database() != "default" || s.Dialect().Name() != "sqlite3" {
		t.Errorf("Table/Database/Dialect = %q, %q, %q", s.Table(), s.Database(), s.Dialect().Name())
	}
}

// Rule 1: set then get.
func TestSetGet(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "key", "value", time.Minute)
		if v, ok := h.get(t, "key"); !ok || v != "value" {
			t.Fatalf("get = %q, %v", v, ok)
		}
		h.set(t, "key", "other", time.Minute)
		if v, _ := h.get(t, "key"); v != "other" {
			t.Fatalf("after second set: %q", v)
		}
		if h.rows(t) != 1 {
			t.Fatalf("rows = %d", h.rows(t))
		}
	})
}

// Rule 4: a missing key misses.
func TestGetMissing(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		if _, ok := h.get(t, "does_not_exist"); ok {
			t.Fatal("hit on a missing key")
		}
	})
}

// Rule 12: values round-trip byte-exact (binary, empty, unicode keys).
func TestValuesRoundTripByteExact(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		bin := make([]byte, 256)
		for i := range bin {
			bin[i] = byte(i)
		}
		cases := map[string][]byte{"binary": bin, "empty": {}, "ascii-key-unicode-value": []byte("清 😀"), "ключ-清": []byte("x")}
		for k, v := range cases {
			if err := h.s.Set(h.ctx, k, v, h.at(time.Minute)); err != nil {
				t.Fatal(err)
			}
			got, ok, err := h.s.Get(h.ctx, k)
			if err != nil || !ok || !bytes.Equal(got, v) {
				t.Errorf("%q: got %q, %v, %v", k, got, ok, err)
			}
		}
	})
}

// The value column holds base64 of the value; expires is UTC truncated to
// seconds.
func TestValueColumnIsBase64AndExpiresWholeSecondsUTC(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.clock.Advance(700 * time.Millisecond)
		h.set(t, "k", "hello", 90*time.Second)
		v, exp, ok := h.raw(t, "k")
		if !ok {
			t.Fatal("no row")
		}
		if v != "aGVsbG8=" {
			t.Errorf("value column = %q, want base64 aGVsbG8=", v)
		}
		want := time.Date(2024, 5, 1, 12, 1, 30, 0, time.UTC)
		if !exp.Equal(want) {
			t.Errorf("expires = %v, want %v", exp, want)
		}
	})
}

// Rule 19 / Django: timeout None stores datetime.max truncated to seconds.
func TestNeverExpiresStoredAsDatetimeMax(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		if err := h.s.Set(h.ctx, "forever", []byte("v"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, exp, _ := h.raw(t, "forever")
		if want := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); !exp.Equal(want) {
			t.Errorf("expires = %v, want %v", exp, want)
		}
		h.clock.Advance(100 * 365 * 24 * time.Hour)
		if _, ok := h.get(t, "forever"); !ok || !h.has(t, "forever") {
			t.Error("never-expiring key expired")
		}
		if ok, err := h.s.Add(h.ctx, "forever", []byte("x"), time.Time{}); err != nil || ok {
			t.Errorf("add on a never-expiring key = %v, %v", ok, err)
		}
	})
}

// Django's db boundaries: get misses only when expires < now; has_key needs
// expires > now. At expires == now get still hits and has_key says no.
func TestExpiryBoundaryGetVersusHasKey(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", time.Second)
		h.clock.Advance(time.Second) // now == expires
		if h.has(t, "k") {
			t.Error("has_key true at expires == now")
		}
		if _, ok := h.get(t, "k"); !ok {
			t.Error("get missed at expires == now")
		}
		h.clock.Advance(time.Millisecond) // expires < now
		if _, ok := h.get(t, "k"); ok {
			t.Error("get hit after expires")
		}
	})
}

// Get deletes the expired row it finds (Django's get_many).
func TestGetDeletesExpiredRow(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", time.Second)
		h.clock.Advance(2 * time.Second)
		if _, ok := h.get(t, "k"); ok {
			t.Fatal("hit on expired key")
		}
		if _, _, ok := h.raw(t, "k"); ok {
			t.Error("expired row still in the table")
		}
	})
}

// Rule 3: add returns false on a live key and keeps the value.
func TestAddOnLiveKeyFails(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		for i, want := range []bool{true, false} {
			ok, err := h.s.Add(h.ctx, "k", []byte(fmt.Sprint("value", i)), h.at(time.Minute))
			if err != nil || ok != want {
				t.Fatalf("add #%d = %v, %v; want %v", i, ok, err, want)
			}
		}
		if v, _ := h.get(t, "k"); v != "value0" {
			t.Fatalf("value = %q", v)
		}
	})
}

// Rule 13: an expired key counts as absent for add.
func TestAddReplacesExpiredKey(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "old", time.Second)
		h.clock.Advance(2 * time.Second)
		ok, err := h.s.Add(h.ctx, "k", []byte("new"), h.at(time.Minute))
		if err != nil || !ok {
			t.Fatalf("add on expired = %v, %v", ok, err)
		}
		if v, _ := h.get(t, "k"); v != "new" {
			t.Fatalf("value = %q", v)
		}
		if h.rows(t) != 1 {
			t.Fatalf("rows = %d", h.rows(t))
		}
	})
}

// Rule 20: add with timeout 0 returns true but the value is not readable,
// also when repeated on its own expired row with identical values.
func TestAddTimeoutZeroReturnsTrue(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		for i := range 2 {
			ok, err := h.s.Add(h.ctx, "k", []byte("v"), h.at(-time.Second))
			if err != nil || !ok {
				t.Fatalf("add #%d with timeout 0 = %v, %v", i, ok, err)
			}
		}
		if _, ok := h.get(t, "k"); ok {
			t.Fatal("value readable after timeout 0")
		}
	})
}

// Rule 14: touch extends a live key; touch on a missing or expired key is
// false.
func TestTouch(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", time.Second)
		for range 2 { // the second touch sets the same expiry again
			ok, err := h.s.Touch(h.ctx, "k", h.at(4*time.Second))
			if err != nil || !ok {
				t.Fatalf("touch = %v, %v", ok, err)
			}
		}
		h.clock.Advance(2 * time.Second)
		if v, ok := h.get(t, "k"); !ok || v != "v" {
			t.Fatal("touched key expired at its old expiry")
		}
		if ok, err := h.s.Touch(h.ctx, "nonexistent", h.at(time.Minute)); err != nil || ok {
			t.Fatalf("touch missing = %v, %v", ok, err)
		}
		h.clock.Advance(3 * time.Second)
		if ok, err := h.s.Touch(h.ctx, "k", h.at(time.Minute)); err != nil || ok {
			t.Fatalf("touch expired = %v, %v", ok, err)
		}
	})
}

// Rule 19/20: touch with never makes a key permanent; touch with 0 expires it.
func TestTouchForeverAndZero(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "a", "v", time.Second)
		h.set(t, "b", "v", time.Minute)
		if ok, _ := h.s.Touch(h.ctx, "a", time.Time{}); !ok {
			t.Fatal("touch forever false")
		}
		if ok, _ := h.s.Touch(h.ctx, "b", h.at(-time.Second)); !ok {
			t.Fatal("touch 0 false")
		}
		h.clock.Advance(2 * time.Second)
		if _, ok := h.get(t, "a"); !ok {
			t.Error("touched-forever key expired")
		}
		if _, ok := h.get(t, "b"); ok {
			t.Error("touched-0 key still readable")
		}
	})
}

// Rule 6: delete reports whether the key was there.
func TestDelete(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k1", "a", time.Minute)
		h.set(t, "k2", "b", time.Minute)
		if ok, err := h.s.Delete(h.ctx, "k1"); err != nil || !ok {
			t.Fatalf("delete existing = %v, %v", ok, err)
		}
		if ok, err := h.s.Delete(h.ctx, "k1"); err != nil || ok {
			t.Fatalf("delete missing = %v, %v", ok, err)
		}
		if _, ok := h.get(t, "k2"); !ok {
			t.Fatal("other key deleted")
		}
	})
}

// Rule 7: has_key for live, missing and expired keys.
func TestHasKey(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", time.Second)
		if !h.has(t, "k") || h.has(t, "missing") {
			t.Fatal("has_key wrong before expiry")
		}
		h.clock.Advance(2 * time.Second)
		if h.has(t, "k") {
			t.Fatal("has_key true after expiry")
		}
	})
}

// Rules 8, 9, 11, 43: incr/decr add to the integer, keep expires, and miss
// on absent or expired keys with "Key '<key>' not found".
func TestIncrKeepsExpiry(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "answer", "41", 10*time.Second)
		_, before, _ := h.raw(t, "answer")
		h.clock.Advance(3 * time.Second)
		for _, c := range []struct{ delta, want int64 }{{1, 42}, {10, 52}, {-10, 42}, {-50, -8}} {
			n, err := h.s.Incr(h.ctx, "answer", c.delta)
			if err != nil || n != c.want {
				t.Fatalf("incr(%d) = %d, %v; want %d", c.delta, n, err, c.want)
			}
		}
		if v, _ := h.get(t, "answer"); v != "-8" {
			t.Fatalf("stored %q", v)
		}
		if _, after, _ := h.raw(t, "answer"); !after.Equal(before) {
			t.Fatalf("expires changed %v -> %v", before, after)
		}
		h.clock.Advance(8 * time.Second)
		if _, err := h.s.Incr(h.ctx, "answer", 1); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("incr expired: %v", err)
		}
		if _, _, ok := h.raw(t, "answer"); ok {
			t.Fatal("incr left the expired row")
		}
		_, err := h.s.Incr(h.ctx, "nope", -1)
		if !errors.Is(err, cache.ErrNotFound) || err.Error() != "Key 'nope' not found" {
			t.Fatalf("incr missing: %v", err)
		}
	})
}

// Rule 10: incr on a value that is not an integer.
func TestIncrNotInteger(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		for _, v := range []string{"abc", "", "1.5", "\x80\x04N."} {
			h.set(t, "k", v, time.Minute)
			if _, err := h.s.Incr(h.ctx, "k", 1); !errors.Is(err, cache.ErrNotInteger) {
				t.Errorf("incr on %q: %v", v, err)
			}
		}
		h.set(t, "big", strconv.FormatInt(1<<63-1, 10), time.Minute)
		if _, err := h.s.Incr(h.ctx, "big", 1); err == nil {
			t.Error("overflow not reported")
		}
	})
}

// Incr is atomic: concurrent increments lose nothing.
func TestIncrConcurrent(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "n", "0", time.Hour)
		const workers, each = 8, 20
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Go(func() {
				for range each {
					if _, err := h.s.Incr(h.ctx, "n", 1); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if v, _ := h.get(t, "n"); v != strconv.Itoa(workers*each) {
			t.Fatalf("n = %s, want %d", v, workers*each)
		}
	})
}

// Rule 17: clear empties the table.
func TestClear(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		for i := range 5 {
			h.set(t, fmt.Sprint("k", i), "v", time.Minute)
		}
		if err := h.s.Clear(h.ctx); err != nil {
			t.Fatal(err)
		}
		if n := h.rows(t); n != 0 {
			t.Fatalf("rows after clear = %d", n)
		}
	})
}

// Rules 5, 55: get_many returns present keys only, in one query; with an
// expired key among them, one more (the DELETE of expired rows).
func TestGetManyQueryCount(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		for _, k := range []string{"a", "b", "c", "d"} {
			h.set(t, k, k, time.Minute)
		}
		var got map[string][]byte
		var err error
		if n := h.queriesDuring(func() { got, err = h.s.GetMany(h.ctx, []string{"a", "b", "e"}) }); n != 1 {
			t.Errorf("get_many of present keys ran %d queries, want 1", n)
		}
		if err != nil || len(got) != 2 || string(got["a"]) != "a" || string(got["b"]) != "b" {
			t.Fatalf("get_many = %q, %v", got, err)
		}
		h.set(t, "short", "s", time.Second)
		h.clock.Advance(2 * time.Second)
		if n := h.queriesDuring(func() { got, err = h.s.GetMany(h.ctx, []string{"a", "short"}) }); n != 2 {
			t.Errorf("get_many with an expired key ran %d queries, want 2", n)
		}
		if err != nil || len(got) != 1 {
			t.Fatalf("get_many = %q, %v", got, err)
		}
		if _, _, ok := h.raw(t, "short"); ok {
			t.Error("expired row not deleted")
		}
		if got, err := h.s.GetMany(h.ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("get_many(nil) = %v, %v", got, err)
		}
	})
}

// get_many over more keys than one IN list holds.
func TestGetManyChunks(t *testing.T) {
	eachDB(t, func(p *cache.Params) { p.Config.MaxEntries = 10000 }, func(t *testing.T, h *harness) {
		items := map[string][]byte{}
		keys := make([]string, 0, 2500)
		for i := range 2500 {
			k := fmt.Sprint("key", i)
			items[k] = []byte(k)
			keys = append(keys, k)
		}
		if failed, err := h.s.SetMany(h.ctx, items, h.at(time.Minute)); err != nil || len(failed) != 0 {
			t.Fatal(failed, err)
		}
		got, err := h.s.GetMany(h.ctx, keys)
		if err != nil || len(got) != 2500 {
			t.Fatalf("got %d, %v", len(got), err)
		}
		if err := h.s.DeleteMany(h.ctx, keys); err != nil || h.rows(t) != 0 {
			t.Fatalf("delete_many: %v, rows %d", err, h.rows(t))
		}
	})
}

// Rules 15, 16, 56: set_many returns no failed keys; delete_many of three
// keys is one query and leaves the others.
func TestSetManyDeleteMany(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		failed, err := h.s.SetMany(h.ctx, map[string][]byte{"key1": []byte("1"), "key2": []byte("2"), "key3": []byte("3"), "key4": []byte("4")}, h.at(time.Second))
		if err != nil || len(failed) != 0 {
			t.Fatalf("set_many = %v, %v", failed, err)
		}
		if n := h.queriesDuring(func() { err = h.s.DeleteMany(h.ctx, []string{"key1", "key2", "key4"}) }); n != 1 || err != nil {
			t.Fatalf("delete_many ran %d queries, err %v", n, err)
		}
		if v, ok := h.get(t, "key3"); !ok || v != "3" {
			t.Fatal("key3 gone")
		}
		if n := h.queriesDuring(func() { err = h.s.DeleteMany(h.ctx, nil) }); n != 0 || err != nil {
			t.Fatalf("delete_many(nil) ran %d queries, %v", n, err)
		}
		h.clock.Advance(2 * time.Second)
		if _, ok := h.get(t, "key3"); ok {
			t.Fatal("set_many entry did not expire")
		}
		if failed, err := h.s.SetMany(h.ctx, nil, time.Time{}); err != nil || len(failed) != 0 {
			t.Fatalf("set_many(nil) = %v, %v", failed, err)
		}
	})
}

// Rule 20: set with timeout 0 writes an already-expired row.
func TestSetTimeoutZero(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", -time.Second)
		if _, ok := h.get(t, "k"); ok {
			t.Fatal("readable")
		}
		if h.has(t, "k") {
			t.Fatal("has_key true")
		}
	})
}

// Rule 18: a 30-days-and-a-second timeout is an ordinary relative timeout.
func TestLongTimeout(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		h.set(t, "k", "v", 2592001*time.Second)
		if _, ok := h.get(t, "k"); !ok {
			t.Fatal("miss")
		}
	})
}

// Rule 57: every column name in the SQL run is quoted.
func TestColumnNamesQuoted(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		var mu sync.Mutex
		var seen []string
		h.s.trace = func(q string) { mu.Lock(); seen = append(seen, q); mu.Unlock() }
		h.s.cull.max = -1 // force a cull
		h.set(t, "a", "1", time.Minute)
		h.set(t, "b", "2", time.Minute)
		h.s.Add(h.ctx, "c", []byte("3"), h.at(time.Minute))
		h.s.Touch(h.ctx, "a", h.at(time.Hour))
		h.s.Incr(h.ctx, "a", 1)
		h.s.Has(h.ctx, "a")
		h.s.GetMany(h.ctx, []string{"a", "b"})
		h.s.DeleteMany(h.ctx, []string{"a"})
		h.s.Delete(h.ctx, "b")
		h.s.Clear(h.ctx)
		h.s.trace = nil
		q := h.s.d.Quote
		for _, sql := range seen {
			for _, col := range []string{"cache_key", "value", "expires"} {
				if strings.Contains(sql, col) && !strings.Contains(sql, q(col)) {
					t.Errorf("%s unquoted in %s", col, sql)
				}
			}
		}
		if len(seen) < 10 {
			t.Fatalf("traced only %d statements", len(seen))
		}
	})
}

// Table names with spaces (and quotes) work: every use is quoted.
func TestTableNameWithSpaces(t *testing.T) {
	for _, db := range testDBs() {
		t.Run(db.name, func(t *testing.T) {
			h := newHarness(t, db, func(p *cache.Params) {
				p.Config.Location = "cache table " + strings.ReplaceAll(p.Config.Location, "_", " ") + ` "q"`
			})
			h.set(t, "k", "v", time.Minute)
			if v, ok := h.get(t, "k"); !ok || v != "v" {
				t.Fatal("round trip through a spaced table name failed")
			}
			if ok, err := h.s.TableExists(h.ctx); err != nil || !ok {
				t.Fatalf("TableExists = %v, %v", ok, err)
			}
		})
	}
}

// A cancelled context fails the operation instead of blocking.
func TestContextCancelled(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, h *harness) {
		ctx, cancel := context.WithCancel(h.ctx)
		cancel()
		if _, _, err := h.s.Get(ctx, "k"); err == nil {
			t.Error("get with a cancelled context succeeded")
		}
		if err := h.s.Set(ctx, "k", []byte("v"), time.Time{}); err == nil {
			t.Error("set with a cancelled context succeeded")
		}
		// The store still works afterwards (the estimate recounts).
		h.set(t, "k", "v", time.Minute)
		if _, ok := h.get(t, "k"); !ok {
			t.Error("store broken after a cancelled call")
		}
	})
}

// Concurrent use of one SQLite store never fails with "database is
// locked", writers and readers mixed (and two stores on one file).
func TestSQLiteConcurrentNoLockErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.sqlite3")
	db := testDB{"sqlite", func(testing.TB) settings.Database {
		return settings.Database{Engine: "sqlite3", Name: path}
	}}
	h := newHarness(t, db, func(p *cache.Params) { p.Config.MaxEntries = 50 })
	var ev atomic.Int64
	p2 := params(t, db.entry(t), h.s.table, h.clock, &ev)
	p2.Config.MaxEntries = 50
	s2, err := Open(p2)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		s := h.s
		if w%2 == 1 {
			s = s2
		}
		wg.Go(func() {
			for i := range 60 {
				k := fmt.Sprintf("w%d-%d", w, i%20)
				var err error
				switch i % 6 {
				case 0, 1:
					err = s.Set(h.ctx, k, []byte("1"), h.at(time.Minute))
				case 2:
					_, _, err = s.Get(h.ctx, k)
				case 3:
					_, err = s.Add(h.ctx, k+"a", []byte("1"), h.at(time.Minute))
				case 4:
					_, err = s.Incr(h.ctx, k, 1)
					if errors.Is(err, cache.ErrNotFound) {
						err = nil
					}
				case 5:
					_, err = s.GetMany(h.ctx, []string{k, k + "a"})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// NAME ":memory:" works: the database lives in the store's one connection.
func TestSQLiteInMemory(t *testing.T) {
	mem := testDB{"sqlite-memory", func(testing.TB) settings.Database {
		return settings.Database{Engine: "sqlite", Name: ":memory:"}
	}}
	h := newHarness(t, mem, nil)
	h.set(t, "k", "1", time.Minute)
	if n, err := h.s.Incr(h.ctx, "k", 1); err != nil || n != 2 {
		t.Fatalf("incr = %d, %v", n, err)
	}
	h.set(t, "gone", "x", time.Second)
	h.clock.Advance(2 * time.Second)
	got, err := h.s.GetMany(h.ctx, []string{"k", "gone"})
	if err != nil || len(got) != 1 || string(got["k"]) != "2" {
		t.Fatalf("get_many = %q, %v", got, err)
	}
}
