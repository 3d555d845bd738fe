package memcached

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

const (
	day  = 24 * time.Hour
	year = 365 * day
)

func params(t testing.TB, cfg settings.Cache) cache.Params {
	return cache.Params{
		Alias:   "test",
		Config:  cfg,
		Now:     time.Now,
		Logger:  slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		OnEvict: func(int) {},
	}
}

// open builds a store on location and closes it when the test ends.
func open(t testing.TB, location string) *Store {
	t.Helper()
	st, err := New(params(t, settings.Cache{Location: location}))
	if err != nil {
		t.Fatalf("New(%q): %v", location, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st.(*Store)
}

func mustSet(t *testing.T, s *Store, key, value string, exp time.Time) {
	t.Helper()
	if err := s.Set(context.Background(), key, []byte(value), exp); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func wantValue(t *testing.T, s *Store, key, want string) {
	t.Helper()
	v, ok, err := s.Get(context.Background(), key)
	if err != nil || !ok || string(v) != want {
		t.Fatalf("Get(%q) = %q, %v, %v; want %q, true, nil", key, v, ok, err, want)
	}
}

func wantMissing(t *testing.T, s *Store, key string) {
	t.Helper()
	v, ok, err := s.Get(context.Background(), key)
	if err != nil || ok {
		t.Fatalf("Get(%q) = %q, %v, %v; want a miss", key, v, ok, err)
	}
}

func TestRegistered(t *testing.T) {
	for _, name := range []string{
		"memcached",
		"django.core.cache.backends.memcached.PyMemcacheCache",
		"django.core.cache.backends.memcached.PyLibMCCache",
		"django.core.cache.backends.memcached.MemcachedCache",
	} {
		got, err := cache.BackendName(name)
		if err != nil || got != "memcached" {
			t.Errorf("BackendName(%q) = %q, %v; want memcached", name, got, err)
		}
	}
}

// Django's get_backend_timeout for memcached (reference §2): None -> 0,
// 0 -> -1, > 30 days -> absolute Unix time, otherwise relative seconds.
func TestExpiration(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	unix := now.Unix()
	tests := []struct {
		name string
		exp  time.Time
		want int32
	}{
		{"None never expires -> 0", time.Time{}, 0},
		{"timeout 0 (expiry now) -> -1", now, -1},
		{"timeout 0 is now-1s in the front -> -1", now.Add(-time.Second), -1},
		{"negative timeout -> -1", now.Add(-time.Hour), -1},
		{"1 second", now.Add(time.Second), 1},
		{"300 seconds", now.Add(300 * time.Second), 300},
		{"fraction rounds up, never 0", now.Add(time.Millisecond), 1},
		{"clock drift below a whole second rounds up", now.Add(60*time.Second - time.Microsecond), 60},
		{"30 days exactly stays relative", now.Add(30 * day), 2592000},
		{"30 days + 1s becomes absolute", now.Add(30*day + time.Second), int32(unix + 2592001)},
		{"1 year becomes absolute", now.Add(year), int32(unix + 31536000)},
		{"beyond 2038 clamps to int32", now.Add(100 * year), math.MaxInt32},
		// Overflow (issue 9): however far the expiry, nothing wraps.
		{"past beyond a Duration -> -1", now.AddDate(-300, 0, 0), -1},
		{"year 1 -> -1", time.Time{}.Add(time.Second), -1},
		{"Unix MinInt64/2 seconds -> -1", time.Unix(math.MinInt64/2, 0), -1},
		{"future beyond a Duration clamps to int32", now.AddDate(300, 0, 0), math.MaxInt32},
		{"year 9999 clamps to int32", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), math.MaxInt32},
		{"after year 9999 is never -> 0", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{"Unix MaxInt64/2 seconds is never -> 0", time.Unix(math.MaxInt64/2, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := expiration(tt.exp, now); got != tt.want {
				t.Errorf("expiration = %d, want %d", got, tt.want)
			}
		})
	}
}

// Rule 60: LOCATION as a list, "a;b" and "a,b" all give the same servers.
func TestMemcachedLocationSplitting(t *testing.T) {
	tests := []struct {
		name      string
		location  string
		locations []string
		want      []string // network/address
		wantErr   string
	}{
		{name: "single", location: "127.0.0.1:11211", want: []string{"tcp/127.0.0.1:11211"}},
		{name: "semicolon", location: "a:11211;b:11212", want: []string{"tcp/a:11211", "tcp/b:11212"}},
		{name: "comma", location: "a:11211,b:11212", want: []string{"tcp/a:11211", "tcp/b:11212"}},
		{name: "list", locations: []string{"a:11211", "b:11212"}, want: []string{"tcp/a:11211", "tcp/b:11212"}},
		{name: "spaces and empty parts", location: " a:11211 ;; b:11212 ,", want: []string{"tcp/a:11211", "tcp/b:11212"}},
		{name: "unix prefix stripped", location: "unix:/run/memcached.sock", want: []string{"unix//run/memcached.sock"}},
		{name: "bare socket path", location: "/run/memcached.sock", want: []string{"unix//run/memcached.sock"}},
		{name: "default port", location: "cachehost", want: []string{"tcp/cachehost:11211"}},
		{name: "ipv6", location: "[::1]:11211", want: []string{"tcp/[::1]:11211"}},
		{name: "mixed list", locations: []string{"unix:/a.sock", "h:1;h:2"}, want: []string{"unix//a.sock", "tcp/h:1", "tcp/h:2"}},
		{name: "empty", location: "", wantErr: "LOCATION is empty"},
		{name: "only separators", location: ";,", wantErr: "LOCATION is empty"},
		{name: "bad port", location: "h:99999", wantErr: "invalid port"},
		{name: "named port", location: "h:memcache", wantErr: "invalid port"},
		{name: "empty socket", location: "unix:", wantErr: "empty unix socket path"},
		{name: "missing host", location: ":11211", wantErr: "missing host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := New(params(t, settings.Cache{Location: tt.location, Locations: tt.locations}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New: err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			var got []string
			_ = st.(*Store).sel.Each(func(a net.Addr) error {
				got = append(got, a.Network()+"/"+a.String())
				return nil
			})
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("servers = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name        string
		opts        map[string]any
		wantTimeout time.Duration
		wantIdle    int
		wantErr     string
	}{
		{name: "defaults", wantTimeout: DefaultTimeout, wantIdle: DefaultMaxIdleConns},
		{name: "int timeout", opts: map[string]any{"timeout": int64(5)}, wantTimeout: 5 * time.Second, wantIdle: DefaultMaxIdleConns},
		{name: "float timeout", opts: map[string]any{"timeout": 0.25}, wantTimeout: 250 * time.Millisecond, wantIdle: DefaultMaxIdleConns},
		{name: "max idle", opts: map[string]any{"max_idle_conns": int64(32)}, wantTimeout: DefaultTimeout, wantIdle: 32},
		{name: "unknown", opts: map[string]any{"no_delay": true}, wantErr: `unknown OPTIONS key "no_delay" (accepted: max_idle_conns, timeout)`},
		{name: "zero timeout", opts: map[string]any{"timeout": int64(0)}, wantErr: "positive number of seconds"},
		{name: "string timeout", opts: map[string]any{"timeout": "5"}, wantErr: "positive number of seconds"},
		{name: "fractional idle", opts: map[string]any{"max_idle_conns": 1.5}, wantErr: "positive integer"},
		{name: "zero idle", opts: map[string]any{"max_idle_conns": int64(0)}, wantErr: "positive integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := New(params(t, settings.Cache{Location: "127.0.0.1:11211", Options: tt.opts}))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New: err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			c := st.(*Store).client
			if c.Timeout != tt.wantTimeout || c.MaxIdleConns != tt.wantIdle {
				t.Errorf("Timeout, MaxIdleConns = %v, %d; want %v, %d", c.Timeout, c.MaxIdleConns, tt.wantTimeout, tt.wantIdle)
			}
		})
	}
}

// New must not dial nor resolve: an unreachable or unresolvable LOCATION
// fails on first use, with an error and no panic.
func TestNewDoesNotDial(t *testing.T) {
	port, err := freePort() // nothing listens there once freePort returns
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{fmt.Sprintf("127.0.0.1:%d", port), "no-such-host.invalid:11211"} {
		st, err := New(params(t, settings.Cache{Location: loc, Options: map[string]any{"timeout": 0.5}}))
		if err != nil {
			t.Fatalf("New(%q): %v", loc, err)
		}
		if _, _, err := st.Get(context.Background(), "k"); err == nil {
			t.Errorf("Get on %q: want a connection error", loc)
		}
		if _, err := st.Incr(context.Background(), "k", -1); err == nil {
			t.Errorf("Incr on %q: want a connection error", loc)
		}
		_ = st.Close()
	}
}

func TestStrictKeys(t *testing.T) {
	st := open(t, "127.0.0.1:11211")
	if !st.StrictKeys() {
		t.Fatal("StrictKeys() = false, want true")
	}
}

// Rule 61: keys memcached refuses are errors (ErrInvalidKey) on every
// operation, never a panic. The front checks length in characters; the
// store also refuses a key short in characters but over 250 bytes.
func TestMemcachedInvalidKeysRaise(t *testing.T) {
	addr := startMemcached(t)
	st := open(t, addr)
	ctx := context.Background()
	for _, key := range []string{
		"",
		strings.Repeat("a", 251),
		":1:key with spaces",
		":1:ctrl\x01",
		":1:del\x7f",
		":1:" + strings.Repeat("清", 100), // 100 characters, 303 bytes
	} {
		ops := map[string]error{}
		_, _, ops["get"] = st.Get(ctx, key)
		ops["set"] = st.Set(ctx, key, []byte("v"), time.Time{})
		_, ops["add"] = st.Add(ctx, key, []byte("v"), time.Time{})
		_, ops["touch"] = st.Touch(ctx, key, time.Time{})
		_, ops["delete"] = st.Delete(ctx, key)
		_, ops["has"] = st.Has(ctx, key)
		_, ops["incr"] = st.Incr(ctx, key, 1)
		_, ops["get_many"] = st.GetMany(ctx, []string{"ok", key})
		_, ops["set_many"] = st.SetMany(ctx, map[string][]byte{"ok": []byte("v"), key: []byte("v")}, time.Time{})
		ops["delete_many"] = st.DeleteMany(ctx, []string{"ok", key})
		for op, err := range ops {
			if !errors.Is(err, cache.ErrInvalidKey) {
				t.Errorf("%s(%q): err = %v, want ErrInvalidKey", op, key, err)
			}
		}
	}
	// The checks come before any write: "ok" was never stored.
	wantMissing(t, st, "ok")
}

func TestGetSetAddDeleteHas(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	wantMissing(t, st, "k")
	mustSet(t, st, "k", "v1", time.Time{})
	wantValue(t, st, "k", "v1")
	if ok, err := st.Has(ctx, "k"); !ok || err != nil {
		t.Errorf("Has(k) = %v, %v; want true", ok, err)
	}
	if ok, err := st.Has(ctx, "missing"); ok || err != nil {
		t.Errorf("Has(missing) = %v, %v; want false", ok, err)
	}
	if ok, err := st.Add(ctx, "k", []byte("v2"), time.Time{}); ok || err != nil {
		t.Errorf("Add(existing) = %v, %v; want false", ok, err)
	}
	wantValue(t, st, "k", "v1")
	if ok, err := st.Add(ctx, "new", []byte("n"), time.Time{}); !ok || err != nil {
		t.Errorf("Add(new) = %v, %v; want true", ok, err)
	}
	wantValue(t, st, "new", "n")
	if ok, err := st.Delete(ctx, "k"); !ok || err != nil {
		t.Errorf("Delete(k) = %v, %v; want true", ok, err)
	}
	if ok, err := st.Delete(ctx, "k"); ok || err != nil {
		t.Errorf("Delete(k) again = %v, %v; want false", ok, err)
	}
	wantMissing(t, st, "k")
	// Raw bytes round-trip exactly (rule 12), the empty value too.
	bin := []byte{0, 1, 2, '\r', '\n', 0xff, 'E', 'N', 'D'}
	if err := st.Set(ctx, "bin", bin, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := st.Get(ctx, "bin"); !ok || err != nil || !bytes.Equal(v, bin) {
		t.Errorf("Get(bin) = %q, %v, %v", v, ok, err)
	}
	mustSet(t, st, "empty", "", time.Time{})
	wantValue(t, st, "empty", "")
}

func TestTouch(t *testing.T) {
	addr := startMemcached(t)
	st := open(t, addr)
	ctx := context.Background()
	if ok, err := st.Touch(ctx, "nonexistent", time.Now().Add(time.Minute)); ok || err != nil {
		t.Errorf("Touch(nonexistent) = %v, %v; want false", ok, err)
	}
	mustSet(t, st, "k", "v", time.Now().Add(time.Minute))
	if ok, err := st.Touch(ctx, "k", time.Now().Add(time.Hour)); !ok || err != nil {
		t.Errorf("Touch(k) = %v, %v; want true", ok, err)
	}
	if ttl, _ := serverTTL(t, "tcp", addr, "k"); ttl < 3000 || ttl > 3600 {
		t.Errorf("TTL after Touch(1h) = %d, want about 3600", ttl)
	}
	// Rule 19: touch(k, None) makes the key permanent.
	if ok, err := st.Touch(ctx, "k", time.Time{}); !ok || err != nil {
		t.Errorf("Touch(k, never) = %v, %v; want true", ok, err)
	}
	if ttl, _ := serverTTL(t, "tcp", addr, "k"); ttl != -1 {
		t.Errorf("TTL after Touch(never) = %d, want -1", ttl)
	}
}

// Rule 20: timeout 0 (an expiry at or before now) writes an entry no read
// sees: memcached receives exptime -1.
func TestZeroTimeoutExpiresAtOnce(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	now := time.Now()

	mustSet(t, st, "set", "old", time.Time{})
	mustSet(t, st, "set", "new", now)
	wantMissing(t, st, "set") // the old value is gone too

	if ok, err := st.Add(ctx, "add", []byte("v"), now.Add(-time.Second)); !ok || err != nil {
		t.Errorf("Add(timeout 0) = %v, %v; want true (Django returns True)", ok, err)
	}
	wantMissing(t, st, "add")

	failed, err := st.SetMany(ctx, map[string][]byte{"m1": []byte("1"), "m2": []byte("2")}, now)
	if err != nil || len(failed) != 0 {
		t.Errorf("SetMany(timeout 0) = %v, %v; want [], nil", failed, err)
	}
	wantMissing(t, st, "m1")
	wantMissing(t, st, "m2")

	mustSet(t, st, "touch", "v", time.Time{})
	if ok, err := st.Touch(ctx, "touch", now); !ok || err != nil {
		t.Errorf("Touch(timeout 0) = %v, %v; want true", ok, err)
	}
	wantMissing(t, st, "touch")
}

// Rule 18: a timeout of 30 days + 1 s is readable at once with set, add and
// set_many (memcached gets it as an absolute time, not a 1970 one).
func TestLongTimeoutIsRelative(t *testing.T) {
	addr := startMemcached(t)
	st := open(t, addr)
	ctx := context.Background()
	exp := time.Now().Add(30*day + time.Second)
	mustSet(t, st, "set", "v", exp)
	wantValue(t, st, "set", "v")
	if ok, err := st.Add(ctx, "add", []byte("v"), exp); !ok || err != nil {
		t.Fatalf("Add = %v, %v", ok, err)
	}
	wantValue(t, st, "add", "v")
	if failed, err := st.SetMany(ctx, map[string][]byte{"many": []byte("v")}, exp); err != nil || len(failed) != 0 {
		t.Fatalf("SetMany = %v, %v", failed, err)
	}
	wantValue(t, st, "many", "v")
	if ttl, _ := serverTTL(t, "tcp", addr, "set"); ttl <= 30*86400-60 || ttl > 30*86400+1 {
		t.Errorf("server TTL = %d, want about %d", ttl, 30*86400+1)
	}
}

// Rule 62: TIMEOUT None (0 to memcached) and TIMEOUT one year (an absolute
// timestamp) both store values readable at once.
func TestMemcachedTimeoutNoneAndOneYear(t *testing.T) {
	addr := startMemcached(t)
	st := open(t, addr)
	mustSet(t, st, "none", "v", time.Time{})
	wantValue(t, st, "none", "v")
	if ttl, _ := serverTTL(t, "tcp", addr, "none"); ttl != -1 {
		t.Errorf("TTL of a None timeout = %d, want -1 (never)", ttl)
	}
	mustSet(t, st, "year", "v", time.Now().Add(year))
	wantValue(t, st, "year", "v")
	if ttl, _ := serverTTL(t, "tcp", addr, "year"); ttl < 364*86400 || ttl > 365*86400+1 {
		t.Errorf("TTL of a 1-year timeout = %d, want about %d", ttl, 365*86400)
	}
}

// Rule 63: a value the server refuses (over its 1 MB item size) leaves the
// key deleted, not holding the old value, and Set reports the refusal.
func TestMemcachedDeletesKeyOnFailedSet(t *testing.T) {
	st := open(t, startMemcached(t))
	mustSet(t, st, "small_value", "a", time.Time{})
	large := bytes.Repeat([]byte("a"), 1<<20+1)
	if err := st.Set(context.Background(), "small_value", large, time.Time{}); err == nil {
		t.Fatal("Set(> 1 MB) succeeded, want the server's refusal")
	}
	wantMissing(t, st, "small_value")
	// The store keeps working on the same client afterwards.
	mustSet(t, st, "after", "ok", time.Time{})
	wantValue(t, st, "after", "ok")
}

// Rule 64: set_many returns the keys the server refused, and stores the rest.
func TestSetManyReturnsFailedKeys(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	mustSet(t, st, "big", "old", time.Time{})
	items := map[string][]byte{
		"a":   []byte("1"),
		"big": bytes.Repeat([]byte("x"), 2<<20),
		"b":   []byte("2"),
	}
	failed, err := st.SetMany(ctx, items, time.Time{})
	if err != nil {
		t.Fatalf("SetMany: %v", err)
	}
	if fmt.Sprint(failed) != "[big]" {
		t.Errorf("SetMany failed keys = %v, want [big]", failed)
	}
	wantValue(t, st, "a", "1")
	wantValue(t, st, "b", "2")
	wantMissing(t, st, "big")
	if failed, err := st.SetMany(ctx, map[string][]byte{}, time.Time{}); err != nil || failed == nil || len(failed) != 0 {
		t.Errorf("SetMany({}) = %#v, %v; want []", failed, err)
	}
}

func TestGetManyDeleteManyClear(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	for _, k := range []string{"key1", "key2", "key3"} {
		mustSet(t, st, k, "v"+k, time.Time{})
	}
	got, err := st.GetMany(ctx, []string{"key1", "missing", "key3"})
	if err != nil || len(got) != 2 || string(got["key1"]) != "vkey1" || string(got["key3"]) != "vkey3" {
		t.Errorf("GetMany = %q, %v", got, err)
	}
	if got, err := st.GetMany(ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("GetMany(nil) = %#v, %v; want empty map", got, err)
	}
	// Rule 16.
	if err := st.DeleteMany(ctx, []string{"key1", "key2", "missing"}); err != nil {
		t.Fatalf("DeleteMany: %v", err)
	}
	wantMissing(t, st, "key1")
	wantMissing(t, st, "key2")
	wantValue(t, st, "key3", "vkey3")
	if err := st.DeleteMany(ctx, nil); err != nil {
		t.Errorf("DeleteMany(nil): %v", err)
	}
	// Rule 17.
	if err := st.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	wantMissing(t, st, "key3")
	mustSet(t, st, "after", "v", time.Time{})
	wantValue(t, st, "after", "v")
}

func TestIncr(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	mustSet(t, st, "answer", "41", time.Time{})
	steps := []struct {
		delta, want int64
	}{{1, 42}, {10, 52}, {-2, 50}, {0, 50}, {-50, 0}}
	for _, s := range steps {
		if n, err := st.Incr(ctx, "answer", s.delta); err != nil || n != s.want {
			t.Fatalf("Incr(%d) = %d, %v; want %d", s.delta, n, err, s.want)
		}
	}
	wantValue(t, st, "answer", "0")
}

// memcached's decr rewrites a shrinking number in place, space-padded
// ("100" - 91 is stored as "9  "): reads must still give the bare decimal
// text the codec parses.
func TestDecrLosingDigitsReadsClean(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	mustSet(t, st, "k", "100", time.Time{})
	if n, err := st.Incr(ctx, "k", -91); err != nil || n != 9 {
		t.Fatalf("Incr(-91) = %d, %v; want 9", n, err)
	}
	wantValue(t, st, "k", "9")
	if got, err := st.GetMany(ctx, []string{"k"}); err != nil || string(got["k"]) != "9" {
		t.Errorf("GetMany = %q, %v; want 9", got, err)
	}
	if n, err := st.Incr(ctx, "k", 1); err != nil || n != 10 {
		t.Errorf("Incr(1) after padding = %d, %v; want 10", n, err)
	}
	wantValue(t, st, "k", "10")
}

// Reference §4: memcached's decr stops at 0 (unsigned counters); Django's
// memcached backends have the same difference from locmem.
func TestMemcachedDecrClampsAtZero(t *testing.T) {
	st := open(t, startMemcached(t))
	mustSet(t, st, "k", "5", time.Time{})
	if n, err := st.Incr(context.Background(), "k", -10); err != nil || n != 0 {
		t.Fatalf("Incr(-10) on 5 = %d, %v; want 0 (memcached clamps)", n, err)
	}
}

// Rule 10: incr of a missing key is ErrNotFound naming the key; of a value
// that is no integer, ErrNotInteger.
func TestIncrMissingAndNonInteger(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	for _, delta := range []int64{1, -1} {
		_, err := st.Incr(ctx, ":1:missing", delta)
		if !errors.Is(err, cache.ErrNotFound) || !strings.Contains(err.Error(), "Key ':1:missing' not found") {
			t.Errorf("Incr(missing, %d) err = %v, want ErrNotFound naming the key", delta, err)
		}
	}
	for _, v := range []string{"abc", "\x80gob", "12abc", "99999999999999999999999", strings.Repeat("x", 5000)} {
		mustSet(t, st, "bad", v, time.Time{})
		for _, delta := range []int64{1, -1} {
			if _, err := st.Incr(ctx, "bad", delta); !errors.Is(err, cache.ErrNotInteger) {
				t.Errorf("Incr(%.10q, %d) err = %v, want ErrNotInteger", v, delta, err)
			}
		}
	}
}

// Negative counters (which memcached's incr calls non-numeric) are updated
// by compare-and-swap and keep their expiry (rule 43's "incr keeps expiry").
func TestIncrNegativeValue(t *testing.T) {
	addr := startMemcached(t)
	st := open(t, addr)
	ctx := context.Background()
	mustSet(t, st, "neg", "-5", time.Now().Add(time.Hour))
	for _, s := range []struct{ delta, want int64 }{{3, -2}, {-10, -12}, {12, 0}} {
		if n, err := st.Incr(ctx, "neg", s.delta); err != nil || n != s.want {
			t.Fatalf("Incr(%d) = %d, %v; want %d", s.delta, n, err, s.want)
		}
	}
	wantValue(t, st, "neg", "0")
	if ttl, _ := serverTTL(t, "tcp", addr, "neg"); ttl < 3000 || ttl > 3600 {
		t.Errorf("TTL after incr = %d, want about 3600 (kept)", ttl)
	}

	mustSet(t, st, "forever", "-1", time.Time{})
	if n, err := st.Incr(ctx, "forever", -1); err != nil || n != -2 {
		t.Fatalf("Incr = %d, %v; want -2", n, err)
	}
	if ttl, _ := serverTTL(t, "tcp", addr, "forever"); ttl != -1 {
		t.Errorf("TTL after incr = %d, want -1 (never, kept)", ttl)
	}

	mustSet(t, st, "year", "-1", time.Now().Add(year))
	if n, err := st.Incr(ctx, "year", 1); err != nil || n != 0 {
		t.Fatalf("Incr = %d, %v; want 0", n, err)
	}
	if ttl, _ := serverTTL(t, "tcp", addr, "year"); ttl < 364*86400 {
		t.Errorf("TTL after incr = %d, want about a year (kept, sent as absolute)", ttl)
	}
}

func TestIncrNegativeValueConcurrent(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	mustSet(t, st, "c", "-1", time.Time{})
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := st.Incr(ctx, "c", -1); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Incr: %v", err)
	}
	wantValue(t, st, "c", strconv.Itoa(-1-workers*each))
}

func TestIncrOverflow(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx := context.Background()
	maxS := strconv.FormatInt(math.MaxInt64, 10)
	minS := strconv.FormatInt(math.MinInt64, 10)
	mustSet(t, st, "max", maxS, time.Time{})
	if _, err := st.Incr(ctx, "max", 1); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("Incr(MaxInt64, 1) err = %v, want overflow", err)
	}
	wantValue(t, st, "max", maxS) // undone
	mustSet(t, st, "min", minS, time.Time{})
	if _, err := st.Incr(ctx, "min", -1); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("Incr(MinInt64, -1) err = %v, want overflow", err)
	}
	wantValue(t, st, "min", minS)
	if n, err := st.Incr(ctx, "min", math.MaxInt64); err != nil || n != -1 {
		t.Errorf("Incr(MinInt64, MaxInt64) = %d, %v; want -1", n, err)
	}
	mustSet(t, st, "zero", "0", time.Time{})
	if n, err := st.Incr(ctx, "zero", math.MinInt64); err != nil || n != 0 {
		t.Errorf("Incr(0, MinInt64) = %d, %v; want 0 (clamped)", n, err)
	}
}

func TestCanceledContext(t *testing.T) {
	st := open(t, startMemcached(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Set(ctx, "k", []byte("v"), time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Set err = %v, want context.Canceled", err)
	}
	if _, _, err := st.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get err = %v, want context.Canceled", err)
	}
	if err := st.Clear(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Clear err = %v, want context.Canceled", err)
	}
	wantMissing(t, st, "k")
}

// Rule 60 end to end: a Unix socket LOCATION with the "unix:" prefix.
func TestLocationUnixSocket(t *testing.T) {
	sock := startMemcachedUnix(t)
	st := open(t, "unix:"+sock)
	mustSet(t, st, "k", "-3", time.Now().Add(time.Hour))
	wantValue(t, st, "k", "-3")
	if n, err := st.Incr(context.Background(), "k", 1); err != nil || n != -2 {
		t.Fatalf("Incr over the socket = %d, %v; want -2", n, err)
	}
	if ttl, ok := serverTTL(t, "unix", sock, "k"); !ok || ttl < 3000 {
		t.Errorf("TTL = %d, %v; want about 3600", ttl, ok)
	}
}

// Several servers: keys are spread over them and each is found again.
func TestMultipleServersSpreadKeys(t *testing.T) {
	a, b := startMemcached(t), startMemcached(t)
	st := open(t, a+";"+b)
	onlyA, onlyB := open(t, a), open(t, b)
	ctx := context.Background()
	const n = 100
	items := map[string][]byte{}
	for i := range n {
		items[fmt.Sprintf("key%d", i)] = []byte(strconv.Itoa(i))
	}
	if failed, err := st.SetMany(ctx, items, time.Time{}); err != nil || len(failed) != 0 {
		t.Fatalf("SetMany = %v, %v", failed, err)
	}
	keys := make([]string, 0, n)
	for k := range items {
		keys = append(keys, k)
	}
	got, err := st.GetMany(ctx, keys)
	if err != nil || len(got) != n {
		t.Fatalf("GetMany: %d of %d keys, %v", len(got), n, err)
	}
	inA, _ := onlyA.GetMany(ctx, keys)
	inB, _ := onlyB.GetMany(ctx, keys)
	if len(inA) == 0 || len(inB) == 0 || len(inA)+len(inB) != n {
		t.Errorf("keys on servers: %d + %d, want both non-empty, summing to %d", len(inA), len(inB), n)
	}
	if err := st.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.GetMany(ctx, keys); len(got) != 0 {
		t.Errorf("after Clear %d keys remain, want 0 (flush_all on every server)", len(got))
	}
}

func BenchmarkGet(b *testing.B) {
	st := open(b, startMemcached(b))
	ctx := context.Background()
	value := bytes.Repeat([]byte("v"), 100)
	if err := st.Set(ctx, "bench", value, time.Time{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := st.Get(ctx, "bench"); !ok || err != nil {
			b.Fatalf("Get = %v, %v", ok, err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	st := open(b, startMemcached(b))
	ctx := context.Background()
	value := bytes.Repeat([]byte("v"), 100)
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Set(ctx, "bench", value, time.Now().Add(time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}
