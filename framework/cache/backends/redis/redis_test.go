package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Databases this package's tests use on the test server, so that they do not
// collide with other packages' tests: the primary and two replicas.
const (
	dbPrimary  = 9
	dbReplica1 = 10
	dbReplica2 = 11
)

// testURL is GOJANGO_TEST_REDIS_URL (default redis://127.0.0.1:6379/0) with
// its database replaced by db.
func testURL(t testing.TB, db int) string {
	t.Helper()
	raw := os.Getenv("GOJANGO_TEST_REDIS_URL")
	if raw == "" {
		raw = "redis://127.0.0.1:6379/0"
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("GOJANGO_TEST_REDIS_URL %q: %v", raw, err)
	}
	if u.Scheme == "unix" {
		q := u.Query()
		q.Set("db", strconv.Itoa(db))
		u.RawQuery = q.Encode()
	} else {
		u.Path = "/" + strconv.Itoa(db)
	}
	return u.String()
}

// requireRedis skips the test when the test server does not answer (fails it
// when CI is set).
func requireRedis(t testing.TB) {
	t.Helper()
	opts, err := goredis.ParseURL(testURL(t, dbPrimary))
	if err != nil {
		t.Fatalf("parse test URL: %v", err)
	}
	opts.DialTimeout = time.Second
	opts.DialerRetries = 1
	opts.MaxRetries = -1
	c := goredis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		msg := fmt.Sprintf("redis test server %s unreachable (set GOJANGO_TEST_REDIS_URL): %v", opts.Addr, err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// rawClient is a plain client on database db of the test server, to look at
// what the store did behind its back. The database is flushed first.
func rawClient(t testing.TB, db int) *goredis.Client {
	t.Helper()
	opts, err := goredis.ParseURL(testURL(t, db))
	if err != nil {
		t.Fatalf("parse test URL: %v", err)
	}
	c := goredis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	if err := c.FlushDB(context.Background()).Err(); err != nil {
		t.Fatalf("flush db %d: %v", db, err)
	}
	return c
}

func params(location string, opts map[string]any) cache.Params {
	return cache.Params{
		Alias:   "default",
		Config:  settings.Cache{Backend: "redis", Location: location, Options: opts},
		Now:     time.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnEvict: func(int) {},
	}
}

// openStore builds a store on the given LOCATION and closes it at cleanup.
func openStore(t testing.TB, location string, opts map[string]any) *Store {
	t.Helper()
	st, err := New(params(location, opts))
	if err != nil {
		t.Fatalf("New(%q): %v", location, err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st.(*Store)
}

// primary is a store on the primary test database only, plus a raw client
// on that database (flushed).
func primary(t testing.TB) (*Store, *goredis.Client) {
	t.Helper()
	requireRedis(t)
	raw := rawClient(t, dbPrimary)
	return openStore(t, testURL(t, dbPrimary), nil), raw
}

func TestRegisteredUnderDjangoName(t *testing.T) {
	for _, name := range []string{"redis", "django.core.cache.backends.redis.RedisCache"} {
		got, err := cache.BackendName(name)
		if err != nil || got != "redis" {
			t.Errorf("BackendName(%q) = %q, %v; want redis", name, got, err)
		}
	}
}

// §1 LOCATION: a URL, several separated by "," or ";", or a list.
func TestLocationSplitting(t *testing.T) {
	tests := []struct {
		name     string
		location string
		list     []string
		want     []string
	}{
		{"single", "redis://a:6379/0", nil, []string{"redis://a:6379/0"}},
		{"semicolon", "redis://a/0;redis://b/0", nil, []string{"redis://a/0", "redis://b/0"}},
		{"comma", "redis://a/0,redis://b/0", nil, []string{"redis://a/0", "redis://b/0"}},
		{"mixed with spaces", "redis://a/0; redis://b/0 ,redis://c/0", nil, []string{"redis://a/0", "redis://b/0", "redis://c/0"}},
		{"list", "redis://a/0;redis://b/0", []string{"redis://a/0", "redis://b/0"}, []string{"redis://a/0", "redis://b/0"}},
		{"list element with separators", "", []string{"redis://a/0", "redis://b/0,redis://c/0"}, []string{"redis://a/0", "redis://b/0", "redis://c/0"}},
		{"empty parts dropped", ";redis://a/0;;", nil, []string{"redis://a/0"}},
		{"empty", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := locations(tt.location, tt.list); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("locations(%q, %q) = %q, want %q", tt.location, tt.list, got, tt.want)
			}
		})
	}
}

func TestNewServersFromLocation(t *testing.T) {
	st := openStore(t, "redis://h1:6001/2;redis://h2:6002/3,redis://h3:6003", nil)
	var addrs []string
	var dbs []int
	for _, s := range st.servers {
		addrs = append(addrs, s.opts.Addr)
		dbs = append(dbs, s.opts.DB)
	}
	if want := []string{"h1:6001", "h2:6002", "h3:6003"}; !reflect.DeepEqual(addrs, want) {
		t.Errorf("addrs = %q, want %q", addrs, want)
	}
	if want := []int{2, 3, 0}; !reflect.DeepEqual(dbs, want) {
		t.Errorf("dbs = %v, want %v", dbs, want)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name     string
		location string
		opts     map[string]any
		want     string // in the error message
	}{
		{"empty location", "", nil, "LOCATION is empty"},
		{"bad scheme", "http://127.0.0.1:6379", nil, "invalid URL scheme"},
		{"bad db password redacted", "redis://u:secret@h:6379/x", nil, `"redis://u:xxxxx@h:6379/x": redis: invalid database number`},
		{"bad escape password redacted", "redis://u:secret@h:6379/0%zz", nil, `"redis://u:xxxxx@h:6379/0%zz": invalid URL escape`},
		{"bad userinfo password redacted", "redis://u:sec ret@h/0", nil, `"redis://u:xxxxx@h/0": net/url: invalid userinfo`},
		{"unknown option lists accepted", "redis://h/0", map[string]any{"serializer": "pickle"},
			`unknown OPTIONS key "serializer" (accepted: cluster, db, dial_timeout, password, pool_size, read_timeout, sentinel_password, sentinel_username, sentinels (or SENTINELS), socket_connect_timeout, socket_timeout, username, write_timeout)`},
		{"db not integer", "redis://h/0", map[string]any{"db": 1.5}, `OPTIONS "db": must be an integer`},
		{"db negative", "redis://h/0", map[string]any{"db": int64(-1)}, `OPTIONS "db": must be >= 0`},
		{"db wrong type", "redis://h/0", map[string]any{"db": true}, `must be an integer, got bool`},
		{"pool_size zero", "redis://h/0", map[string]any{"pool_size": int64(0)}, `OPTIONS "pool_size": must be > 0`},
		{"password not string", "redis://h/0", map[string]any{"password": int64(3)}, `OPTIONS "password": must be a string`},
		{"timeout zero", "redis://h/0", map[string]any{"read_timeout": int64(0)}, `OPTIONS "read_timeout": must be a positive number of seconds`},
		{"timeout negative", "redis://h/0", map[string]any{"dial_timeout": -1.0}, `must be a positive number of seconds`},
		{"timeout text", "redis://h/0", map[string]any{"write_timeout": "soon"}, `must be a number of seconds, got "soon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := New(params(tt.location, tt.opts))
			if err == nil {
				st.Close()
				t.Fatalf("New succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func TestOptionsApplied(t *testing.T) {
	tests := []struct {
		name     string
		location string
		opts     map[string]any
		check    func(t *testing.T, o *goredis.Options)
	}{
		{"defaults so nothing hangs", "redis://h/4", nil, func(t *testing.T, o *goredis.Options) {
			if o.DB != 4 || o.DialTimeout != 5*time.Second || o.ReadTimeout != 3*time.Second || o.WriteTimeout != 3*time.Second {
				t.Errorf("db=%d dial=%v read=%v write=%v; want 4 5s 3s 3s", o.DB, o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
			}
			if !o.ContextTimeoutEnabled {
				t.Error("ContextTimeoutEnabled is false")
			}
			if o.DialerRetries != 1 {
				t.Errorf("DialerRetries = %d, want 1 (fail fast when the server is down)", o.DialerRetries)
			}
		}},
		{"db overrides URL", "redis://h/4", map[string]any{"db": int64(7)}, func(t *testing.T, o *goredis.Options) {
			if o.DB != 7 {
				t.Errorf("db = %d, want 7", o.DB)
			}
		}},
		{"credentials and pool", "redis://a:b@h/0", map[string]any{"username": "u", "password": "p", "pool_size": int64(12)}, func(t *testing.T, o *goredis.Options) {
			if o.Username != "u" || o.Password != "p" || o.PoolSize != 12 {
				t.Errorf("username=%q password=%q pool=%d; want u p 12", o.Username, o.Password, o.PoolSize)
			}
		}},
		{"URL credentials kept", "redis://a:b@h/0", nil, func(t *testing.T, o *goredis.Options) {
			if o.Username != "a" || o.Password != "b" {
				t.Errorf("username=%q password=%q; want a b", o.Username, o.Password)
			}
		}},
		{"timeouts int and float seconds", "redis://h/0", map[string]any{"dial_timeout": int64(2), "read_timeout": 0.25, "write_timeout": "1.5"}, func(t *testing.T, o *goredis.Options) {
			if o.DialTimeout != 2*time.Second || o.ReadTimeout != 250*time.Millisecond || o.WriteTimeout != 1500*time.Millisecond {
				t.Errorf("dial=%v read=%v write=%v; want 2s 250ms 1.5s", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
			}
		}},
		{"redis-py socket timeouts", "redis://h/0", map[string]any{"socket_timeout": 0.5, "socket_connect_timeout": int64(1)}, func(t *testing.T, o *goredis.Options) {
			if o.DialTimeout != time.Second || o.ReadTimeout != 500*time.Millisecond || o.WriteTimeout != 500*time.Millisecond {
				t.Errorf("dial=%v read=%v write=%v; want 1s 500ms 500ms", o.DialTimeout, o.ReadTimeout, o.WriteTimeout)
			}
		}},
		{"URL query timeout kept", "redis://h/0?dial_timeout=1s", nil, func(t *testing.T, o *goredis.Options) {
			if o.DialTimeout != time.Second {
				t.Errorf("dial = %v, want 1s", o.DialTimeout)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t, tt.location, tt.opts)
			tt.check(t, st.servers[0].opts)
		})
	}
}

// OPTIONS apply to every server, as Django passes them to every pool.
func TestOptionsApplyToEveryServer(t *testing.T) {
	st := openStore(t, "redis://h1/1;redis://h2/2", map[string]any{"db": int64(5)})
	for i, s := range st.servers {
		if s.opts.DB != 5 {
			t.Errorf("server %d db = %d, want 5", i, s.opts.DB)
		}
	}
}

// The Factory contract: New does no I/O; a client is made on first use, and a
// connection error surfaces as an error naming the operation and the key.
func TestNewDoesNotDialAndConnErrorsSurface(t *testing.T) {
	st := openStore(t, "redis://127.0.0.1:1/0;redis://127.0.0.1:1/1", map[string]any{"dial_timeout": 0.5})
	for i, s := range st.servers {
		if s.client != nil {
			t.Fatalf("server %d has a client before any use", i)
		}
	}
	ctx := context.Background()
	if err := st.Set(ctx, "k", []byte("v"), time.Time{}); err == nil || !strings.Contains(err.Error(), `redis set "k"`) {
		t.Errorf("Set on a closed port: error %v, want one naming set and the key", err)
	}
	if st.servers[0].client == nil || st.servers[1].client != nil {
		t.Errorf("after a write: clients made = %v, %v; want the write server's only", st.servers[0].client != nil, st.servers[1].client != nil)
	}
	_, _, err := st.Get(ctx, "k")
	if err == nil || !strings.Contains(err.Error(), `redis get "k"`) {
		t.Errorf("Get on a closed port: error %v, want one naming get and the key", err)
	}
	if errors.Is(err, cache.ErrNotFound) {
		t.Errorf("connection error %v is ErrNotFound", err)
	}
	if _, err := st.Incr(ctx, "n", 1); err == nil || errors.Is(err, cache.ErrNotFound) || errors.Is(err, cache.ErrNotInteger) {
		t.Errorf("Incr on a closed port: error %v, want a connection error", err)
	}
}

// Edge case 65: get_backend_timeout 10 -> 10, -5 -> 0 (expired), None -> None.
func TestGetBackendTimeout(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name        string
		exp         time.Time
		wantD       time.Duration
		wantNever   bool
		wantExpired bool
	}{
		{"10 -> 10", now.Add(10 * time.Second), 10 * time.Second, false, false},
		{"-5 -> 0", now.Add(-5 * time.Second), 0, false, true},
		{"0 (-1) -> 0", now.Add(-time.Second), 0, false, true},
		{"exactly now is expired", now, 0, false, true},
		{"None -> None", time.Time{}, 0, true, false},
		{"rounded up to the millisecond", now.Add(1500*time.Millisecond + 300*time.Microsecond), 1501 * time.Millisecond, false, false},
		{"below a millisecond is one", now.Add(time.Nanosecond), time.Millisecond, false, false},
		// Overflow (issue 9): however far the expiry, nothing wraps.
		{"past beyond a Duration is expired", now.AddDate(-300, 0, 0), 0, false, true},
		{"year 1 is expired", time.Time{}.Add(time.Second), 0, false, true},
		{"Unix MinInt64/2 seconds is expired", time.Unix(math.MinInt64/2, 0), 0, false, true},
		{"longest TTL rounds up without wrapping", now.Add(maxTTL), 9223372036854000000, false, false},
		{"TTL a Duration barely holds is never", now.Add(math.MaxInt64), 0, true, false},
		{"future beyond a Duration is never", now.AddDate(300, 0, 0), 0, true, false},
		{"after year 9999 is never", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 0, true, false},
		{"Unix MaxInt64/2 seconds is never", time.Unix(math.MaxInt64/2, 0), 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, never, expired := ttl(tt.exp, now)
			if d != tt.wantD || never != tt.wantNever || expired != tt.wantExpired {
				t.Errorf("ttl = %v, never=%v, expired=%v; want %v, %v, %v", d, never, expired, tt.wantD, tt.wantNever, tt.wantExpired)
			}
		})
	}
}

// Edge case 65: write pool index 0; read index in [1, n-1] when n > 1.
func TestReadServerIndex(t *testing.T) {
	if got := readIndex(1); got != 0 {
		t.Errorf("readIndex(1) = %d, want 0", got)
	}
	if got := readIndex(2); got != 1 {
		t.Errorf("readIndex(2) = %d, want 1", got)
	}
	seen := map[int]bool{}
	for range 1000 {
		i := readIndex(4)
		if i < 1 || i > 3 {
			t.Fatalf("readIndex(4) = %d, want in [1, 3]", i)
		}
		seen[i] = true
	}
	if len(seen) != 3 {
		t.Errorf("readIndex(4) over 1000 draws gave %v, want each of 1, 2, 3", seen)
	}
}

// §4 redis: the first server takes every write (and incr); reads go to the
// others. Two databases of the test server stand in for the replicas.
func TestWritesGoToFirstServerReadsToReplicas(t *testing.T) {
	requireRedis(t)
	ctx := context.Background()
	p := rawClient(t, dbPrimary)
	r1 := rawClient(t, dbReplica1)
	r2 := rawClient(t, dbReplica2)
	st := openStore(t, testURL(t, dbPrimary)+";"+testURL(t, dbReplica1)+","+testURL(t, dbReplica2), nil)

	if err := st.Set(ctx, "k", []byte("primary"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Get(ctx, "k").Result(); v != "primary" {
		t.Errorf("primary holds %q, want the written value", v)
	}
	for i, r := range []*goredis.Client{r1, r2} {
		if n := r.Exists(ctx, "k").Val(); n != 0 {
			t.Errorf("replica %d got the write", i+1)
		}
	}
	// The replicas are empty: every read misses, though the primary has k.
	for range 20 {
		if _, ok, err := st.Get(ctx, "k"); err != nil || ok {
			t.Fatalf("Get read the primary (ok=%v, err=%v)", ok, err)
		}
		if ok, err := st.Has(ctx, "k"); err != nil || ok {
			t.Fatalf("Has read the primary (ok=%v, err=%v)", ok, err)
		}
		if m, err := st.GetMany(ctx, []string{"k"}); err != nil || len(m) != 0 {
			t.Fatalf("GetMany read the primary (%v, %v)", m, err)
		}
	}
	// "Replicate": both replicas now answer every read.
	r1.Set(ctx, "k", "replica", 0)
	r2.Set(ctx, "k", "replica", 0)
	for range 20 {
		v, ok, err := st.Get(ctx, "k")
		if err != nil || !ok || string(v) != "replica" {
			t.Fatalf("Get = %q, %v, %v; want the replica's value", v, ok, err)
		}
	}
	// Only replica 2 has k2: reads spread over both replicas, so some miss
	// and some hit.
	r2.Set(ctx, "k2", "two", 0)
	hits := 0
	for range 200 {
		if _, ok, _ := st.Get(ctx, "k2"); ok {
			hits++
		}
	}
	if hits == 0 || hits == 200 {
		t.Errorf("k2 on replica 2 only: %d hits of 200, want reads on both replicas", hits)
	}
	// Incr uses the write connection.
	p.Set(ctx, "n", "1", 0)
	if n, err := st.Incr(ctx, "n", 5); err != nil || n != 6 {
		t.Errorf("Incr on a key only the primary has = %d, %v; want 6", n, err)
	}
	// Delete and Touch use the write connection too.
	if ok, err := st.Touch(ctx, "n", time.Now().Add(time.Minute)); err != nil || !ok {
		t.Errorf("Touch = %v, %v; want true", ok, err)
	}
	if ok, err := st.Delete(ctx, "n"); err != nil || !ok {
		t.Errorf("Delete = %v, %v; want true", ok, err)
	}
}

// One server does everything.
func TestSingleServerReadsAndWrites(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	if err := st.Set(ctx, "k", []byte("value"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	v, ok, err := st.Get(ctx, "k")
	if err != nil || !ok || string(v) != "value" {
		t.Fatalf("Get = %q, %v, %v", v, ok, err)
	}
	if ttl := raw.TTL(ctx, "k").Val(); ttl != -1 {
		t.Errorf("never-expiring key has TTL %v, want none (-1)", ttl)
	}
	if ok, _ := st.Has(ctx, "k"); !ok {
		t.Error("Has = false after Set")
	}
	if ok, err := st.Delete(ctx, "k"); err != nil || !ok {
		t.Errorf("Delete = %v, %v; want true", ok, err)
	}
	if ok, err := st.Delete(ctx, "k"); err != nil || ok {
		t.Errorf("second Delete = %v, %v; want false", ok, err)
	}
	if _, ok, err := st.Get(ctx, "k"); err != nil || ok {
		t.Errorf("Get after Delete = %v, %v; want a miss", ok, err)
	}
}

// Values are stored byte for byte, whatever they hold.
func TestBinaryValuesRoundTrip(t *testing.T) {
	st, _ := primary(t)
	ctx := context.Background()
	for _, v := range [][]byte{{}, {0}, {0xff, 0x00, 0x80, '\n'}, []byte(strings.Repeat("x", 1<<20))} {
		if err := st.Set(ctx, "bin", v, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, ok, err := st.Get(ctx, "bin")
		if err != nil || !ok || string(got) != string(v) {
			t.Errorf("round trip of %d bytes: got %d bytes, ok=%v, err=%v", len(v), len(got), ok, err)
		}
	}
}

// §4 redis set: a positive timeout becomes the key's TTL.
func TestSetTimeoutBecomesTTL(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	if err := st.Set(ctx, "k", []byte("v"), time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if pttl := raw.PTTL(ctx, "k").Val(); pttl <= 9*time.Second || pttl > 10*time.Second {
		t.Errorf("PTTL = %v, want about 10s", pttl)
	}
}

// §4 redis set: timeout 0 -> DEL key (nothing stored, old value gone).
func TestSetTimeoutZeroDeletes(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	raw.Set(ctx, "k", "old", 0)
	if err := st.Set(ctx, "k", []byte("new"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := raw.Exists(ctx, "k").Val(); n != 0 {
		t.Error("key still there after set with timeout 0")
	}
}

// §4 redis add: SET NX; timeout 0 -> SET NX then DEL if it succeeded,
// returning the NX result.
func TestAddNX(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	future := time.Now().Add(time.Minute)
	if ok, err := st.Add(ctx, "k", []byte("value"), future); err != nil || !ok {
		t.Fatalf("Add on a missing key = %v, %v; want true", ok, err)
	}
	if ok, err := st.Add(ctx, "k", []byte("newvalue"), future); err != nil || ok {
		t.Fatalf("Add on a present key = %v, %v; want false", ok, err)
	}
	if v := raw.Get(ctx, "k").Val(); v != "value" {
		t.Errorf("value after failed Add = %q, want value", v)
	}
	if pttl := raw.PTTL(ctx, "k").Val(); pttl <= 0 {
		t.Errorf("Add did not set the TTL (PTTL %v)", pttl)
	}
	if ok, err := st.Add(ctx, "forever", []byte("v"), time.Time{}); err != nil || !ok {
		t.Fatalf("Add forever = %v, %v; want true", ok, err)
	}
	if ttl := raw.TTL(ctx, "forever").Val(); ttl != -1 {
		t.Errorf("Add forever TTL = %v, want none", ttl)
	}
}

func TestAddTimeoutZeroReturnsNXResult(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Second)
	if ok, err := st.Add(ctx, "absent", []byte("v"), past); err != nil || !ok {
		t.Errorf("Add timeout 0 on a missing key = %v, %v; want true (NX succeeded)", ok, err)
	}
	if n := raw.Exists(ctx, "absent").Val(); n != 0 {
		t.Error("Add with timeout 0 left the key stored")
	}
	raw.Set(ctx, "present", "old", 0)
	if ok, err := st.Add(ctx, "present", []byte("v"), past); err != nil || ok {
		t.Errorf("Add timeout 0 on a present key = %v, %v; want false", ok, err)
	}
	if v := raw.Get(ctx, "present").Val(); v != "old" {
		t.Errorf("present key = %q after a failed Add, want old", v)
	}
}

// Edge case 65 serializer: integers are stored raw (decimal text), so INCRBY
// works natively; Incr keeps the TTL; negative deltas decrement.
func TestIncrNativeOnRawIntegers(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	if err := st.Set(ctx, "n", []byte("41"), time.Now().Add(100*time.Second)); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Incr(ctx, "n", 1); err != nil || n != 42 {
		t.Fatalf("Incr = %d, %v; want 42", n, err)
	}
	if n, err := st.Incr(ctx, "n", -50); err != nil || n != -8 {
		t.Fatalf("decr = %d, %v; want -8", n, err)
	}
	if v := raw.Get(ctx, "n").Val(); v != "-8" {
		t.Errorf("stored %q, want -8", v)
	}
	if pttl := raw.PTTL(ctx, "n").Val(); pttl <= 0 {
		t.Errorf("Incr dropped the TTL (PTTL %v)", pttl)
	}
	v, ok, err := st.Get(ctx, "n")
	if err != nil || !ok || string(v) != "-8" {
		t.Errorf("Get = %q, %v, %v; want -8", v, ok, err)
	}
}

// §2 incr: a missing key is ValueError "Key '<made key>' not found".
func TestIncrMissingKeyNotFound(t *testing.T) {
	st, raw := primary(t)
	_, err := st.Incr(context.Background(), ":1:nope", 1)
	if !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("Incr on a missing key: %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), "Key ':1:nope' not found") {
		t.Errorf("error %q does not say Key ':1:nope' not found", err)
	}
	if n := raw.Exists(context.Background(), ":1:nope").Val(); n != 0 {
		t.Error("Incr on a missing key created it")
	}
}

// §2 incr on a value that is not an integer (a pickled value in Django; any
// non-integer encoding here) -> TypeError, ErrNotInteger. Overflow too.
func TestIncrNotInteger(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	tests := []struct{ name, value string }{
		{"text", `"abc"`},
		{"binary", "\x80\x04\x95"},
		{"float", "1.5"},
		{"overflow", "9223372036854775807"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw.Set(ctx, "k", tt.value, 0)
			_, err := st.Incr(ctx, "k", 1)
			if !errors.Is(err, cache.ErrNotInteger) {
				t.Fatalf("Incr on %q: %v, want ErrNotInteger", tt.value, err)
			}
			if !strings.Contains(err.Error(), `"k"`) {
				t.Errorf("error %q does not name the key", err)
			}
			if v := raw.Get(ctx, "k").Val(); v != tt.value {
				t.Errorf("value changed to %q", v)
			}
		})
	}
}

// §4 redis touch: EXPIRE key t; None -> PERSIST; touch(k, 0) expires it.
func TestTouch(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()

	raw.Set(ctx, "k", "v", time.Hour)
	if ok, err := st.Touch(ctx, "k", time.Now().Add(10*time.Second)); err != nil || !ok {
		t.Fatalf("Touch = %v, %v; want true", ok, err)
	}
	if pttl := raw.PTTL(ctx, "k").Val(); pttl <= 9*time.Second || pttl > 10*time.Second {
		t.Errorf("PTTL after Touch = %v, want about 10s", pttl)
	}
	if ok, err := st.Touch(ctx, "missing", time.Now().Add(time.Minute)); err != nil || ok {
		t.Errorf("Touch on a missing key = %v, %v; want false", ok, err)
	}
}

func TestTouchNonePersists(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	raw.Set(ctx, "k", "v", time.Hour)
	if ok, err := st.Touch(ctx, "k", time.Time{}); err != nil || !ok {
		t.Fatalf("Touch(None) = %v, %v; want true", ok, err)
	}
	if ttl := raw.TTL(ctx, "k").Val(); ttl != -1 {
		t.Errorf("TTL after Touch(None) = %v, want none", ttl)
	}
	// A key without a TTL is there: true (the Store contract), where
	// redis-py's bool(PERSIST) would say false.
	if ok, err := st.Touch(ctx, "k", time.Time{}); err != nil || !ok {
		t.Errorf("Touch(None) on a permanent key = %v, %v; want true", ok, err)
	}
	if ok, err := st.Touch(ctx, "missing", time.Time{}); err != nil || ok {
		t.Errorf("Touch(None) on a missing key = %v, %v; want false", ok, err)
	}
}

func TestTouchTimeoutZeroDeletes(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	raw.Set(ctx, "k", "v", 0)
	if ok, err := st.Touch(ctx, "k", time.Now().Add(-time.Second)); err != nil || !ok {
		t.Fatalf("Touch(0) = %v, %v; want true", ok, err)
	}
	if n := raw.Exists(ctx, "k").Val(); n != 0 {
		t.Error("Touch(0) left the key")
	}
	if ok, err := st.Touch(ctx, "k", time.Now().Add(-time.Second)); err != nil || ok {
		t.Errorf("Touch(0) on a missing key = %v, %v; want false", ok, err)
	}
}

// §4 redis get_many -> MGET skipping nil; edge case 5: missing keys absent.
func TestGetManySkipsMissing(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d"} {
		raw.Set(ctx, k, k, 0)
	}
	raw.Set(ctx, "empty", "", 0)
	got, err := st.GetMany(ctx, []string{"a", "b", "e", "empty"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"a": []byte("a"), "b": []byte("b"), "empty": {}}
	if len(got) != len(want) || string(got["a"]) != "a" || string(got["b"]) != "b" {
		t.Errorf("GetMany = %q, want %q", got, want)
	}
	if v, ok := got["empty"]; !ok || len(v) != 0 {
		t.Errorf("empty value: %q, %v; want present and empty", v, ok)
	}
	if got, err := st.GetMany(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("GetMany(nil) = %v, %v; want empty", got, err)
	}
}

// §2 set_many returns [] for redis; with a timeout every key gets it.
func TestSetManyReturnsNoFailedKeys(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	items := map[string][]byte{"a": []byte("1"), "b": []byte("two"), "c": {0xff}}
	failed, err := st.SetMany(ctx, items, time.Now().Add(10*time.Second))
	if err != nil || len(failed) != 0 {
		t.Fatalf("SetMany = %q, %v; want no failed keys", failed, err)
	}
	for k, v := range items {
		if got := raw.Get(ctx, k).Val(); got != string(v) {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
		if pttl := raw.PTTL(ctx, k).Val(); pttl <= 9*time.Second || pttl > 10*time.Second {
			t.Errorf("%s PTTL = %v, want about 10s", k, pttl)
		}
	}
	failed, err = st.SetMany(ctx, map[string][]byte{"f": []byte("v")}, time.Time{})
	if err != nil || len(failed) != 0 {
		t.Fatalf("SetMany forever = %q, %v", failed, err)
	}
	if ttl := raw.TTL(ctx, "f").Val(); ttl != -1 {
		t.Errorf("SetMany forever TTL = %v, want none", ttl)
	}
	if failed, err := st.SetMany(ctx, nil, time.Time{}); err != nil || len(failed) != 0 {
		t.Errorf("SetMany(empty) = %q, %v; want []", failed, err)
	}
}

// set_many with timeout 0 stores nothing (each set with timeout 0 deletes).
func TestSetManyTimeoutZeroDeletes(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	raw.Set(ctx, "a", "old", 0)
	failed, err := st.SetMany(ctx, map[string][]byte{"a": []byte("1"), "b": []byte("2")}, time.Now().Add(-time.Second))
	if err != nil || len(failed) != 0 {
		t.Fatalf("SetMany = %q, %v", failed, err)
	}
	if n := raw.Exists(ctx, "a", "b").Val(); n != 0 {
		t.Errorf("%d keys left after set_many with timeout 0", n)
	}
}

// §4 redis delete_many -> DEL k1 k2 ... (empty -> nothing).
func TestDeleteMany(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c"} {
		raw.Set(ctx, k, k, 0)
	}
	if err := st.DeleteMany(ctx, []string{"a", "c", "missing"}); err != nil {
		t.Fatal(err)
	}
	if keys := raw.Keys(ctx, "*").Val(); !reflect.DeepEqual(keys, []string{"b"}) {
		t.Errorf("keys left = %q, want [b]", keys)
	}
	if err := st.DeleteMany(ctx, nil); err != nil {
		t.Errorf("DeleteMany(nil) = %v", err)
	}
}

// §4 redis clear -> FLUSHDB on the primary: the whole database, not only the
// cache's keys; other databases are left alone.
func TestClearFlushesWholeDatabase(t *testing.T) {
	requireRedis(t)
	ctx := context.Background()
	p := rawClient(t, dbPrimary)
	r := rawClient(t, dbReplica1)
	st := openStore(t, testURL(t, dbPrimary)+";"+testURL(t, dbReplica1), nil)
	if err := st.Set(ctx, ":1:mine", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	p.Set(ctx, "someone-elses", "v", 0)
	r.Set(ctx, "replica-key", "v", 0)
	if err := st.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n := p.DBSize(ctx).Val(); n != 0 {
		t.Errorf("primary has %d keys after Clear, want 0", n)
	}
	if n := r.DBSize(ctx).Val(); n != 1 {
		t.Errorf("Clear touched the replica database (%d keys, want 1)", n)
	}
}

func TestContextCanceled(t *testing.T) {
	st, _ := primary(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.Set(ctx, "k", []byte("v"), time.Time{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with a canceled context: %v, want context.Canceled", err)
	}
}

func TestCloseBeforeAndAfterUse(t *testing.T) {
	requireRedis(t)
	ctx := context.Background()
	st, err := New(params(testURL(t, dbPrimary)+";"+testURL(t, dbReplica1), nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Set(ctx, "k", []byte("v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := st.Set(ctx, "k", []byte("v"), time.Time{}); err == nil {
		t.Error("Set after Close succeeded")
	}
	if _, _, err := st.Get(ctx, "k"); err == nil {
		t.Error("Get on a never-used server after Close succeeded")
	}
}

func TestConcurrentUse(t *testing.T) {
	st, _ := primary(t)
	ctx := context.Background()
	if err := st.Set(ctx, "counter", []byte("0"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			key := fmt.Sprintf("g%d", g)
			for i := range 50 {
				if err := st.Set(ctx, key, []byte(strconv.Itoa(i)), time.Now().Add(time.Minute)); err != nil {
					t.Error(err)
					return
				}
				if _, _, err := st.Get(ctx, key); err != nil {
					t.Error(err)
					return
				}
				if _, err := st.Incr(ctx, "counter", 1); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if v, _, _ := st.Get(ctx, "counter"); string(v) != "400" {
		t.Errorf("counter = %q, want 400", v)
	}
}
