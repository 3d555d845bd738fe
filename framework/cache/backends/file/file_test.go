package file

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

var ctx = context.Background()

func mustSet(t testing.TB, s *Store, key string, v []byte, exp time.Time) {
	t.Helper()
	if err := s.Set(ctx, key, v, exp); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(t testing.TB, s *Store, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func TestRegisteredUnderDjangoName(t *testing.T) {
	for _, name := range []string{"file", "django.core.cache.backends.filebased.FileBasedCache"} {
		got, err := cache.BackendName(name)
		if err != nil || got != "file" {
			t.Errorf("BackendName(%q) = %q, %v; want file", name, got, err)
		}
	}
}

func TestFileNameIsMD5HexDjcache(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "answer", []byte("v42"), time.Time{})
	sum := md5.Sum([]byte("answer"))
	want := filepath.Join(e.dir, hex.EncodeToString(sum[:])+".djcache")
	if !exists(want) {
		t.Fatalf("%s not written", want)
	}
	files, temps := e.files(t)
	if len(files) != 1 || len(temps) != 0 {
		t.Fatalf("files %v temps %v; want the one cache file", files, temps)
	}
}

// Rule 54 and LOCATION handling: relative paths resolve against BaseDir and
// the directory is made absolute and created at once.
func TestLocationResolution(t *testing.T) {
	base := t.TempDir()
	tests := []struct {
		name, loc, want string
	}{
		{"relative", "cache/dir", filepath.Join(base, "cache/dir")},
		{"dot segments", "./a/../b", filepath.Join(base, "b")},
		{"absolute", filepath.Join(base, "abs"), filepath.Join(base, "abs")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(p *cache.Params) { p.Config.Location = tc.loc; p.BaseDir = base })
			if e.dir != tc.want {
				t.Fatalf("Dir() = %q, want %q", e.dir, tc.want)
			}
			if fi, err := os.Stat(tc.want); err != nil || !fi.IsDir() {
				t.Fatalf("directory not created at New: %v", err)
			}
		})
	}
}

func TestLocationInvalid(t *testing.T) {
	tests := []struct {
		name string
		p    func(p *cache.Params)
	}{
		{"empty location", func(p *cache.Params) { p.Config.Location = "" }},
		{"negative cull frequency", func(p *cache.Params) { p.Config.CullFrequency = -1 }},
		{"location is a file", func(p *cache.Params) {
			f := filepath.Join(filepath.Dir(p.Config.Location), "plain")
			_ = os.WriteFile(f, nil, 0o600)
			p.Config.Location = filepath.Join(f, "sub")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := cache.Params{Config: settings.Cache{Location: filepath.Join(t.TempDir(), "c"), MaxEntries: 300, CullFrequency: 3}}
			tc.p(&p)
			if _, err := New(p); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}

// Rule 12: values of any bytes round-trip, compressed or not.
func TestValuesRoundTrip(t *testing.T) {
	e := newEnv(t, nil)
	rnd := make([]byte, 100_000)
	for i := range rnd {
		rnd[i] = byte(rand.Uint32())
	}
	tests := []struct {
		name  string
		value []byte
	}{
		{"empty", []byte{}},
		{"one byte", []byte("x")},
		{"integer text", []byte("-12")},
		{"just under the compression threshold", bytes.Repeat([]byte("a"), compressMin-1)},
		{"compression threshold", bytes.Repeat([]byte("a"), compressMin)},
		{"compressible 1 MiB", bytes.Repeat([]byte("gojango "), 1<<17)},
		{"random 100 kB", rnd},
		{"unicode", []byte("清 key value 😀")},
		{"binary zeros", make([]byte, 1000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustSet(t, e.s, tc.name, tc.value, time.Time{})
			got, ok := mustGet(t, e.s, tc.name)
			if !ok || !bytes.Equal(got, tc.value) {
				t.Fatalf("Get = %d bytes, %v; want the %d bytes set", len(got), ok, len(tc.value))
			}
		})
	}
}

// Rule 13: an expired entry is a miss, and get deletes its file.
func TestExpiredGetDeletesFile(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "k", []byte("v"), e.clock.Now().Add(time.Second))
	if _, ok := mustGet(t, e.s, "k"); !ok {
		t.Fatal("fresh entry missed")
	}
	e.clock.Advance(2 * time.Second)
	if _, ok := mustGet(t, e.s, "k"); ok {
		t.Fatal("expired entry hit")
	}
	if exists(e.path("k")) {
		t.Fatal("expired file not deleted by get")
	}
}

// The expiry boundary is cache.Expired's: expiry <= now is expired.
func TestExpiryBoundary(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	tests := []struct {
		name string
		exp  time.Time
		hit  bool
	}{
		{"never", time.Time{}, true},
		{"one nanosecond ahead", now.Add(time.Nanosecond), true},
		{"exactly now", now, false},
		{"timeout 0 (now-1s)", now.Add(-time.Second), false},
		{"far future, beyond int64 nanoseconds", now.AddDate(400, 0, 0), true},
		{"far past", time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC), false},
		{"unix epoch", time.Unix(0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustSet(t, e.s, tc.name, []byte("v"), tc.exp)
			if has, err := e.s.Has(ctx, tc.name); err != nil || has != tc.hit {
				t.Errorf("Has = %v, %v; want %v", has, err, tc.hit)
			}
			if _, ok := mustGet(t, e.s, tc.name); ok != tc.hit {
				t.Errorf("Get hit = %v, want %v", ok, tc.hit)
			}
		})
	}
}

// Rule 13: has_key is false for an expired key, and removes its file.
func TestHasExpiredIsFalse(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "k", []byte("v"), e.clock.Now().Add(time.Second))
	if has, _ := e.s.Has(ctx, "k"); !has {
		t.Fatal("Has = false on a live key")
	}
	e.clock.Advance(time.Second)
	if has, _ := e.s.Has(ctx, "k"); has {
		t.Fatal("Has = true on an expired key")
	}
	if exists(e.path("k")) {
		t.Fatal("expired file not deleted by has")
	}
	if has, _ := e.s.Has(ctx, "never-set"); has {
		t.Fatal("Has = true on a missing key")
	}
}

// Rules 13, 19, 20: add stores only when the key is missing or expired.
func TestAddOnlyWhenMissingOrExpired(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	if ok, err := e.s.Add(ctx, "k", []byte("first"), now.Add(time.Second)); !ok || err != nil {
		t.Fatalf("Add on missing = %v, %v; want true", ok, err)
	}
	if ok, _ := e.s.Add(ctx, "k", []byte("second"), time.Time{}); ok {
		t.Fatal("Add on a live key = true")
	}
	if v, _ := mustGet(t, e.s, "k"); string(v) != "first" {
		t.Fatalf("value after failed add = %q", v)
	}
	e.clock.Advance(2 * time.Second)
	if ok, _ := e.s.Add(ctx, "k", []byte("new"), time.Time{}); !ok {
		t.Fatal("Add on an expired key = false")
	}
	if v, _ := mustGet(t, e.s, "k"); string(v) != "new" {
		t.Fatalf("value after add over expired = %q", v)
	}
	// Rule 20: add with timeout 0 reports true but stores an expired entry.
	if ok, _ := e.s.Add(ctx, "zero", []byte("v"), e.clock.Now().Add(-time.Second)); !ok {
		t.Fatal("Add with an expired expiry = false")
	}
	if _, ok := mustGet(t, e.s, "zero"); ok {
		t.Fatal("entry added already expired is a hit")
	}
}

// Concurrent adds of one key: exactly one wins, and its value is kept.
func TestAddIsAtomicInProcess(t *testing.T) {
	e := newEnv(t, nil)
	const n = 32
	var wg sync.WaitGroup
	wins := make(chan int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := e.s.Add(ctx, "race", []byte(fmt.Sprint("v", i)), time.Time{})
			if err != nil {
				t.Errorf("Add: %v", err)
			}
			if ok {
				wins <- i
			}
		}()
	}
	wg.Wait()
	close(wins)
	var won []int
	for i := range wins {
		won = append(won, i)
	}
	if len(won) != 1 {
		t.Fatalf("%d adds won, want 1", len(won))
	}
	if v, _ := mustGet(t, e.s, "race"); string(v) != fmt.Sprint("v", won[0]) {
		t.Fatalf("value %q, want the winner's v%d", v, won[0])
	}
}

// Two aliases on one directory share the stripe locks through
// Params.Shared, so add stays atomic across them.
func TestAliasesOnOneDirectoryShareLocks(t *testing.T) {
	shared := map[string]any{}
	var mu sync.Mutex
	share := func(name string, create func() any) any {
		mu.Lock()
		defer mu.Unlock()
		if v, ok := shared[name]; ok {
			return v
		}
		v := create()
		shared[name] = v
		return v
	}
	a := newEnv(t, func(p *cache.Params) { p.Shared = share })
	b := newEnv(t, func(p *cache.Params) { p.Shared = share; p.Config.Location = a.dir })
	if a.s.st != b.s.st {
		t.Fatal("stores on one directory do not share their state")
	}
	c := newEnv(t, func(p *cache.Params) { p.Shared = share })
	if c.s.st == a.s.st {
		t.Fatal("stores on different directories share their state")
	}
}

// Rules 14, 19, 20: touch sets a new expiry on a live key only.
func TestTouch(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	if ok, err := e.s.Touch(ctx, "nonexistent", time.Time{}); ok || err != nil {
		t.Fatalf("Touch on missing = %v, %v; want false", ok, err)
	}
	value := bytes.Repeat([]byte("touch me "), 100) // compressed on disk
	mustSet(t, e.s, "k", value, now.Add(time.Second))
	if ok, _ := e.s.Touch(ctx, "k", now.Add(4*time.Second)); !ok {
		t.Fatal("Touch on a live key = false")
	}
	e.clock.Advance(2 * time.Second)
	if v, ok := mustGet(t, e.s, "k"); !ok || !bytes.Equal(v, value) {
		t.Fatal("touched key did not survive its first expiry with its value")
	}
	if ok, _ := e.s.Touch(ctx, "k", time.Time{}); !ok {
		t.Fatal("Touch to never = false")
	}
	e.clock.Advance(time.Hour)
	if _, ok := mustGet(t, e.s, "k"); !ok {
		t.Fatal("key touched to never expired")
	}
	// Timeout 0: touch reports true, and the key is gone for readers.
	if ok, _ := e.s.Touch(ctx, "k", e.clock.Now().Add(-time.Second)); !ok {
		t.Fatal("Touch with timeout 0 = false")
	}
	if _, ok := mustGet(t, e.s, "k"); ok {
		t.Fatal("key touched with timeout 0 still hits")
	}
	// An expired key cannot be touched back to life.
	mustSet(t, e.s, "old", []byte("v"), e.clock.Now().Add(time.Second))
	e.clock.Advance(time.Second)
	if ok, _ := e.s.Touch(ctx, "old", time.Time{}); ok {
		t.Fatal("Touch on an expired key = true")
	}
	if exists(e.path("old")) {
		t.Fatal("expired file left by touch")
	}
}

func TestDeleteReportsRemoval(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "k", []byte("v"), time.Time{})
	if ok, err := e.s.Delete(ctx, "k"); !ok || err != nil {
		t.Fatalf("Delete present = %v, %v; want true", ok, err)
	}
	if ok, err := e.s.Delete(ctx, "k"); ok || err != nil {
		t.Fatalf("Delete again = %v, %v; want false", ok, err)
	}
	if exists(e.path("k")) {
		t.Fatal("file still there")
	}
}

// Rules 10, 11, 43: incr/decr on integers, keeping the expiry.
func TestIncrKeepsExpiry(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	mustSet(t, e.s, "n", []byte("41"), now.Add(10*time.Second))
	tests := []struct {
		delta, want int64
	}{{1, 42}, {-10, 32}, {10, 42}, {-100, -58}}
	for _, tc := range tests {
		got, err := e.s.Incr(ctx, "n", tc.delta)
		if err != nil || got != tc.want {
			t.Fatalf("Incr(%d) = %d, %v; want %d", tc.delta, got, err, tc.want)
		}
		if v, _ := mustGet(t, e.s, "n"); string(v) != fmt.Sprint(tc.want) {
			t.Fatalf("stored %q, want %d", v, tc.want)
		}
	}
	e.clock.Advance(9 * time.Second)
	if _, ok := mustGet(t, e.s, "n"); !ok {
		t.Fatal("incremented key lost its expiry (expired early)")
	}
	e.clock.Advance(time.Second)
	if _, ok := mustGet(t, e.s, "n"); ok {
		t.Fatal("incr extended the expiry")
	}
}

func TestIncrErrors(t *testing.T) {
	e := newEnv(t, nil)
	now := e.clock.Now()
	mustSet(t, e.s, "text", []byte("\x80pickled"), time.Time{})
	mustSet(t, e.s, "max", []byte(fmt.Sprint(int64(math.MaxInt64))), time.Time{})
	mustSet(t, e.s, "expired", []byte("1"), now.Add(-time.Second))
	tests := []struct {
		key   string
		delta int64
		want  error
		msg   string
	}{
		{"missing", 1, cache.ErrNotFound, "Key 'missing' not found"},
		{"expired", 1, cache.ErrNotFound, "Key 'expired' not found"},
		{"text", 1, cache.ErrNotInteger, ""},
		{"max", 1, cache.ErrNotInteger, "overflows"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			_, err := e.s.Incr(ctx, tc.key, tc.delta)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Incr = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not say %q", err, tc.msg)
			}
		})
	}
	if v, _ := mustGet(t, e.s, "max"); string(v) != fmt.Sprint(int64(math.MaxInt64)) {
		t.Fatal("failed incr changed the value")
	}
}

func TestIncrIsAtomicInProcess(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "hits", []byte("0"), time.Time{})
	const goroutines, each = 8, 25
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := e.s.Incr(ctx, "hits", 1); err != nil {
					t.Errorf("Incr: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if v, _ := mustGet(t, e.s, "hits"); string(v) != fmt.Sprint(goroutines*each) {
		t.Fatalf("hits = %s, want %d", v, goroutines*each)
	}
}

// Rule 48: clear() removes the cache files only; other files and the
// directory stay.
func TestClearLeavesOtherFilesAndDirectory(t *testing.T) {
	e := newEnv(t, nil)
	for i := range 5 {
		mustSet(t, e.s, fmt.Sprint("k", i), []byte("v"), time.Time{})
	}
	others := []string{"notes.txt", "tmp123", "x.djcache.bak"}
	for _, name := range others {
		if err := os.WriteFile(filepath.Join(e.dir, name), []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	if n := e.count(t); n != 0 {
		t.Fatalf("%d cache files after clear", n)
	}
	for _, name := range others {
		if !exists(filepath.Join(e.dir, name)) {
			t.Errorf("clear removed %s", name)
		}
	}
	if _, ok := mustGet(t, e.s, "k1"); ok {
		t.Fatal("hit after clear")
	}
}

// Rule 49: a set re-creates a cache directory deleted under the store, with
// mode 0700.
func TestSetRecreatesDeletedDirectory(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "before", []byte("v"), time.Time{})
	if err := os.RemoveAll(e.dir); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustGet(t, e.s, "before"); ok {
		t.Fatal("hit in a deleted directory")
	}
	if err := e.s.Clear(ctx); err != nil {
		t.Fatalf("Clear on a deleted directory: %v", err)
	}
	mustSet(t, e.s, "after", []byte("v"), time.Time{})
	if v, ok := mustGet(t, e.s, "after"); !ok || string(v) != "v" {
		t.Fatal("set into a deleted directory did not store")
	}
	fi, err := os.Stat(e.dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("re-created directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
	// Add and incr re-create it too.
	_ = os.RemoveAll(e.dir)
	if ok, err := e.s.Add(ctx, "added", []byte("1"), time.Time{}); !ok || err != nil {
		t.Fatalf("Add into a deleted directory = %v, %v", ok, err)
	}
	if n, err := e.s.Incr(ctx, "added", 1); n != 2 || err != nil {
		t.Fatalf("Incr = %d, %v", n, err)
	}
}

// Rule 50: a file unlinked externally is a miss; other OS errors propagate.
func TestGetAfterExternalUnlinkIsMiss(t *testing.T) {
	e := newEnv(t, nil)
	mustSet(t, e.s, "k", []byte("v"), time.Time{})
	if err := os.Remove(e.path("k")); err != nil {
		t.Fatal(err)
	}
	if _, ok := mustGet(t, e.s, "k"); ok {
		t.Fatal("hit after unlink")
	}
}

func TestGetOtherOSErrorPropagates(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows reports a path through a file as not found")
	}
	e := newEnv(t, nil)
	// A regular file where the cache directory should be: opening a cache
	// file in it fails with "not a directory", which is not "not found".
	// (A directory where a cache file should be is no entry: see
	// TestDirectoryAtEntryPathIsReplaced.)
	if err := os.Remove(e.dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.s.Get(ctx, "k"); err == nil {
		t.Fatal("Get in a file: no error")
	}
	if _, err := e.s.Has(ctx, "k"); err == nil {
		t.Fatal("Has in a file: no error")
	}
	if err := e.s.Set(ctx, "k", []byte("v"), time.Time{}); err == nil {
		t.Fatal("Set in a file: no error")
	}
}

// Rule 52: an empty cache file is treated as expired.
func TestEmptyFileIsExpired(t *testing.T) {
	e := newEnv(t, nil)
	for _, op := range []string{"get", "has", "add", "touch", "incr"} {
		t.Run(op, func(t *testing.T) {
			if err := os.WriteFile(e.path(op), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			var hit bool
			var err error
			switch op {
			case "get":
				_, hit, err = e.s.Get(ctx, op)
			case "has":
				hit, err = e.s.Has(ctx, op)
			case "add":
				var added bool
				added, err = e.s.Add(ctx, op, []byte("v"), time.Time{})
				hit = !added
			case "touch":
				hit, err = e.s.Touch(ctx, op, time.Time{})
			case "incr":
				_, err = e.s.Incr(ctx, op, 1)
				if !errors.Is(err, cache.ErrNotFound) {
					t.Fatalf("Incr on empty file = %v, want ErrNotFound", err)
				}
				err = nil
			}
			if err != nil || hit {
				t.Fatalf("%s on an empty file: hit %v, err %v; want a miss", op, hit, err)
			}
			if op != "add" && exists(e.path(op)) {
				t.Fatalf("%s left the empty file", op)
			}
		})
	}
}

// Rule 53: has is false when its open races with a deletion.
func TestHasRacingDeletionIsFalse(t *testing.T) {
	e := newEnv(t, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = e.s.Set(ctx, "k", []byte("v"), time.Time{})
			_, _ = e.s.Delete(ctx, "k")
		}
	}()
	for range 2000 {
		if _, err := e.s.Has(ctx, "k"); err != nil {
			t.Errorf("Has: %v", err)
			break
		}
		if _, _, err := e.s.Get(ctx, "k"); err != nil {
			t.Errorf("Get: %v", err)
			break
		}
	}
	close(stop)
	wg.Wait()
}

func TestCancelledContextIsAnError(t *testing.T) {
	e := newEnv(t, nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.s.Set(cctx, "k", []byte("v"), time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Set = %v", err)
	}
	if _, _, err := e.s.Get(cctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get = %v", err)
	}
	if err := e.s.Clear(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Clear = %v", err)
	}
}

// Writes leave no temporary file behind, and a stale one (a killed
// writer's) is removed by clear and by culling scans, a fresh one is not.
func TestStaleTempFilesRemovedByClearAndCull(t *testing.T) {
	e := newEnv(t, func(p *cache.Params) { p.Config.MaxEntries = 5; p.Config.CullFrequency = 2 })
	for i := range 3 {
		mustSet(t, e.s, fmt.Sprint("k", i), []byte("v"), time.Time{})
	}
	if _, temps := e.files(t); len(temps) != 0 {
		t.Fatalf("sets left temporary files %v", temps)
	}
	mkTemp := func(name string, age time.Duration) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte("half a val"), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := time.Now().Add(-age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mkTemp(tempPrefix+"stale", 2*staleTempAge)
	fresh := mkTemp(tempPrefix+"fresh", 0)
	if err := e.s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if exists(stale) || !exists(fresh) {
		t.Fatalf("after clear: stale exists %v, fresh exists %v; want false, true", exists(stale), exists(fresh))
	}
	stale = mkTemp(tempPrefix+"stale2", 2*staleTempAge)
	for i := range 6 { // the 6th set finds 5 entries: a cull scan
		mustSet(t, e.s, fmt.Sprint("c", i), []byte("v"), time.Time{})
	}
	if exists(stale) || !exists(fresh) {
		t.Fatalf("after cull: stale exists %v, fresh exists %v; want false, true", exists(stale), exists(fresh))
	}
}
