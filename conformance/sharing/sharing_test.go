// Package sharing runs Django 5.2.19 beside our cache on the same stores
// (an SQLite file, a file directory, Redis, memcached with one and with
// two servers) with OPTIONS.SERIALIZER = "pickle", and checks both
// directions for every value type of the pickle serializer's table: Django
// writes and Go reads, Go writes and Django reads; then each side incrs,
// touches, deletes and expires what the other stored.
//
// Django comes from GOJANGO_DJANGO_DIR (conformance/.django in CI, made by
// EXTRAS="redis pymemcache" bash conformance/getdjango.sh): the django,
// asgiref, sqlparse, redis and pymemcache directories. Redis is
// GOJANGO_TEST_REDIS_URL's server (database 14 by default); memcached
// servers are started by the test on free ports.
package sharing

import (
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/all"
	"gojango/framework/cache/serializer/pickle"
	"gojango/framework/settings"
)

//go:embed djangoside.py
var djangoSide string

// skip skips with why, or fails when CI is set (CI must run every case).
func skip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set: the sharing suite must run)", why)
	}
	t.Skip(why)
}

func djangoPath(t *testing.T) string {
	dir := os.Getenv("GOJANGO_DJANGO_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".django")
	}
	var parts []string
	for _, p := range []string{"django", "asgiref", "sqlparse", "redis", "pymemcache", "psycopg2", "mysqldb"} {
		d := filepath.Join(dir, p)
		if _, err := os.Stat(d); err != nil {
			skip(t, fmt.Sprintf("Django's %s is not in %s (EXTRAS=\"redis pymemcache\" DBEXTRAS=\"psycopg2 mysqldb\" bash conformance/getdjango.sh %s)", p, dir, dir))
		}
		abs, _ := filepath.Abs(d)
		parts = append(parts, abs)
	}
	return strings.Join(parts, string(os.PathListSeparator))
}

// op is one operation for the Django side.
type op struct {
	Op      string  `json:"op"`
	Key     string  `json:"key,omitempty"`
	Expr    string  `json:"expr,omitempty"`
	Timeout *int    `json:"timeout,omitempty"`
	Delta   int64   `json:"delta,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
}

func seconds(n int) *int { return &n }

// django runs ops in a fresh Django process configured with conf.
func django(t *testing.T, pypath string, conf map[string]any, ops []op) []any {
	t.Helper()
	c, _ := json.Marshal(conf)
	in, _ := json.Marshal(ops)
	cmd := exec.Command("python3", "-c", djangoSide, string(c))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pypath)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("django side: %v\n%s", err, stderr)
	}
	var res []any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("django side printed %q: %v", out, err)
	}
	return res
}

// valueCase is one type of the pickle serializer's table.
type valueCase struct {
	name string
	py   string
	go_  any
}

func bigInt(s string) *big.Int { x, _ := new(big.Int).SetString(s, 10); return x }

var valueCases = []valueCase{
	{"None", "None", nil},
	{"bool", "True", true},
	{"int", "42", int64(42)},
	{"int negative", "-7", int64(-7)},
	{"int beyond int64", "2**70", bigInt("1180591620717411303424")},
	{"float", "2.5", 2.5},
	{"str", "'héllo wörld'", "héllo wörld"},
	{"bytes", "b'\\x00\\x01bin'", []byte("\x00\x01bin")},
	{"list", "[1, 'two', [3.0]]", []any{int64(1), "two", []any{3.0}}},
	{"tuple", "(1, 'a')", pickle.Tuple{int64(1), "a"}},
	{"dict", "{'a': 1, 'b': None}", map[string]any{"a": int64(1), "b": nil}},
	{"set", "{1, 2, 3}", pickle.Set{int64(1): {}, int64(2): {}, int64(3): {}}},
	{"frozenset", "frozenset({'x'})", pickle.FrozenSet{"x": {}}},
	{"datetime naive", "datetime.datetime(2024, 5, 6, 7, 8, 9, 10)", pickle.NaiveDateTime{Time: time.Date(2024, 5, 6, 7, 8, 9, 10000, time.UTC)}},
	{"datetime aware", "datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
	{"date", "datetime.date(2024, 2, 29)", pickle.Date{Year: 2024, Month: 2, Day: 29}},
	{"time", "datetime.time(12, 30, 15, 500)", pickle.Time{Hour: 12, Minute: 30, Second: 15, Microsecond: 500}},
	{"timedelta", "datetime.timedelta(days=2, seconds=5)", 48*time.Hour + 5*time.Second},
	{"Decimal", "decimal.Decimal('3.14')", pickle.Decimal("3.14")},
	{"UUID", "uuid.UUID('12345678-1234-5678-1234-567812345678')", pickle.UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}},
}

func same(a, b any) bool {
	if x, ok := a.(*big.Int); ok {
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	}
	if x, ok := a.(time.Time); ok {
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	}
	return reflect.DeepEqual(a, b)
}

// backend is one store both sides share.
type backend struct {
	name    string
	naiveTZ string // USE_TZ = False with this TIME_ZONE ("": USE_TZ = True, UTC)
	// matchesKeys: the store finds keys by shape, so ExpirePage reaches
	// the page variants Django stored.
	matchesKeys bool
	django      map[string]any // CACHES.default and DATABASES for Django
	goCache     settings.Cache
	goDBs       map[string]settings.Database
	setup       []op // run by Django first (createcachetable)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// memcachedServers starts n memcached servers of the test's own.
func memcachedServers(t *testing.T, n int) []string {
	bin, err := exec.LookPath("memcached")
	if err != nil {
		skip(t, "memcached is not installed")
	}
	var addrs []string
	for range n {
		port := freePort(t)
		args := []string{"-l", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "0", "-m", "16"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "nobody") // memcached refuses to run as root
		}
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; ; i++ {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if i > 50 {
				t.Fatalf("memcached on %s did not start", addr)
			}
			time.Sleep(20 * time.Millisecond)
		}
		addrs = append(addrs, addr)
	}
	return addrs
}

func redisURL(t *testing.T) string {
	u := os.Getenv("GOJANGO_TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/14"
	}
	host := strings.TrimPrefix(u, "redis://")
	host = strings.SplitN(host, "/", 2)[0]
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		skip(t, "Redis is not reachable at "+host+" (GOJANGO_TEST_REDIS_URL)")
	}
	c.Close()
	return u
}

func opts() map[string]any { return map[string]any{"SERIALIZER": "pickle"} }

func backends() []func(t *testing.T) backend {
	return []func(t *testing.T) backend{
		func(t *testing.T) backend { return serverDB(t, "postgresql") },
		func(t *testing.T) backend { return serverDB(t, "mysql") },
		func(t *testing.T) backend {
			dbFile := filepath.Join(t.TempDir(), "shared.sqlite3")
			return backend{
				name: "db (SQLite)", matchesKeys: true,
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shared_cache"}},
					"DATABASES": map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": dbFile}},
				},
				goCache: settings.Cache{Backend: "db", Location: "shared_cache", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
				goDBs:   map[string]settings.Database{"default": {Engine: "sqlite3", Name: dbFile, Options: map[string]any{}}},
				setup:   []op{{Op: "createcachetable"}},
			}
		},
		func(t *testing.T) backend {
			// USE_TZ = False: Django writes expires as TIME_ZONE's wall clock.
			dbFile := filepath.Join(t.TempDir(), "shared-naive.sqlite3")
			return backend{
				name: "db (SQLite), USE_TZ = False, TIME_ZONE = America/Chicago", matchesKeys: true,
				naiveTZ: "America/Chicago",
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shared_cache"}},
					"DATABASES": map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": dbFile}},
					"USE_TZ":    false,
					"TIME_ZONE": "America/Chicago",
				},
				goCache: settings.Cache{Backend: "db", Location: "shared_cache", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
				goDBs:   map[string]settings.Database{"default": {Engine: "sqlite3", Name: dbFile, Options: map[string]any{}}},
				setup:   []op{{Op: "createcachetable"}},
			}
		},
		func(t *testing.T) backend {
			dir := filepath.Join(t.TempDir(), "django_cache")
			return backend{
				name: "file",
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": dir}},
					"DATABASES": map[string]any{},
				},
				goCache: settings.Cache{Backend: "file", Location: dir, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
			}
		},
		func(t *testing.T) backend {
			u := redisURL(t)
			return backend{
				name: "redis", matchesKeys: true,
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": u}},
					"DATABASES": map[string]any{},
				},
				goCache: settings.Cache{Backend: "redis", Location: u, Locations: []string{u}, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
			}
		},
		func(t *testing.T) backend {
			addrs := memcachedServers(t, 1)
			return backend{
				name: "memcached",
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": addrs[0]}},
					"DATABASES": map[string]any{},
				},
				goCache: settings.Cache{Backend: "memcached", Location: addrs[0], Locations: addrs, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
			}
		},
		func(t *testing.T) backend {
			addrs := memcachedServers(t, 2)
			return backend{
				name: "memcached, 2 servers",
				django: map[string]any{
					"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": addrs}},
					"DATABASES": map[string]any{},
				},
				goCache: settings.Cache{Backend: "memcached", Location: strings.Join(addrs, ";"), Locations: addrs, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
			}
		},
	}
}

// TestSharing is the suite: per backend, per value type, both directions,
// then incr, touch, delete and expiry across the two processes. It logs
// "N of M cases round-trip" at the end.
func TestSharing(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		skip(t, "python3 is not installed")
	}
	pypath := djangoPath(t)
	ctx := context.Background()
	total, passed := 0, 0
	for i, mk := range backends() {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			b := mk(t)
			t.Log(b.name)
			conf := b.django
			if len(b.setup) > 0 {
				django(t, pypath, conf, b.setup)
			}
			useTZ, tz := b.naiveTZ == "", b.naiveTZ
			if useTZ {
				tz = "UTC"
			}
			c, err := cache.New(cache.Params{Alias: "default", Config: b.goCache, Databases: b.goDBs, UseTZ: useTZ, TimeZone: tz})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// 1. Django writes every type; Go reads.
			var ops []op
			for i, vc := range valueCases {
				ops = append(ops, op{Op: "set", Key: fmt.Sprintf("dj:%d", i), Expr: vc.py})
			}
			django(t, pypath, conf, ops)
			for i, vc := range valueCases {
				total++
				var got any
				found, err := c.Get(ctx, fmt.Sprintf("dj:%d", i), &got)
				if err != nil || !found || !same(got, vc.go_) {
					t.Errorf("%s: Django wrote, Go read %#v (found %v, %v), want %#v", vc.name, got, found, err, vc.go_)
					continue
				}
				passed++
			}
			// 2. Go writes every type; Django reads.
			ops = nil
			for i, vc := range valueCases {
				if err := c.Set(ctx, fmt.Sprintf("go:%d", i), vc.go_, 300); err != nil {
					t.Fatalf("%s: Go set: %v", vc.name, err)
				}
				ops = append(ops, op{Op: "check", Key: fmt.Sprintf("go:%d", i), Expr: vc.py})
			}
			res := django(t, pypath, conf, ops)
			for i, vc := range valueCases {
				total++
				if res[i] != true {
					t.Errorf("%s: Go wrote, Django read: %v", vc.name, res[i])
					continue
				}
				passed++
			}
			// 3. Each side incrs, touches and deletes what the other stored.
			if err := c.Set(ctx, "go:n", 10, 300); err != nil {
				t.Fatal(err)
			}
			res = django(t, pypath, conf, []op{
				{Op: "set", Key: "dj:n", Expr: "20"},
				{Op: "incr", Key: "go:n", Delta: 5},
				{Op: "touch", Key: "go:0", Timeout: seconds(600)},
				{Op: "delete", Key: "go:1"},
				{Op: "set", Key: "dj:del", Expr: "'x'"},
			})
			check := func(what string, ok bool) {
				total++
				if !ok {
					t.Errorf("%s", what)
					return
				}
				passed++
			}
			check(fmt.Sprintf("Django incr of Go's 10 by 5: %v", res[1]), res[1] == 15.0)
			check(fmt.Sprintf("Django touch of Go's key: %v", res[2]), res[2] == true)
			check(fmt.Sprintf("Django delete of Go's key: %v", res[3]), res[3] == true)
			n, err := c.Incr(ctx, "go:n", 1)
			check(fmt.Sprintf("Go reads Django's incr: %d, %v", n, err), err == nil && n == 16)
			n, err = c.Incr(ctx, "dj:n", 2)
			check(fmt.Sprintf("Go incr of Django's 20 by 2: %d, %v", n, err), err == nil && n == 22)
			has, err := c.HasKey(ctx, "go:1")
			check(fmt.Sprintf("Go sees Django's delete: has %v, %v", has, err), err == nil && !has)
			touched, err := c.Touch(ctx, "dj:0", 600)
			check(fmt.Sprintf("Go touch of Django's key: %v, %v", touched, err), err == nil && touched)
			deleted, err := c.Delete(ctx, "dj:del")
			check(fmt.Sprintf("Go delete of Django's key: %v, %v", deleted, err), err == nil && deleted)
			// 5. {% cache %} fragments: Django's stored fragment (a pickled
			// SafeString) is read by our tag's key; ours is served by
			// Django's tag without rendering.
			res = django(t, pypath, conf, []op{{Op: "fragment", Expr: "ann"}})
			var frag any
			found, err := c.Get(ctx, cache.MakeTemplateFragmentKey("side", "ann"), &frag)
			check(fmt.Sprintf("Django's fragment read by Go: %#v (found %v, %v; Django rendered %v)", frag, found, err, res[0]),
				err == nil && found && frag == "<b>ann by django</b>")
			if err := c.Set(ctx, cache.MakeTemplateFragmentKey("side", "bob"), "<i>bob from go</i>", 300); err != nil {
				t.Fatal(err)
			}
			res = django(t, pypath, conf, []op{{Op: "fragment", Expr: "bob"}})
			check(fmt.Sprintf("Go's fragment served by Django's tag: %v", res[0]), res[0] == "<i>bob from go</i>")
			// 6. Pages: ExpirePage from Go removes every variant Django's
			// page cache stored (on stores that can match keys).
			if b.matchesKeys {
				first := django(t, pypath, conf, []op{{Op: "page", Expr: "sessionid=a"}, {Op: "page", Expr: "sessionid=b"}, {Op: "page", Expr: "sessionid=a"}})
				check(fmt.Sprintf("Django's page cache hit its own page: %v", first), first[0] == first[2] && first[0] != first[1])
				if _, err := cache.ExpirePage(ctx, c, "", "http://testserver/p/"); err != nil {
					t.Fatal(err)
				}
				again := django(t, pypath, conf, []op{{Op: "page", Expr: "sessionid=a"}, {Op: "page", Expr: "sessionid=b"}})
				check(fmt.Sprintf("Go's ExpirePage removed Django's cookie-a page: %v then %v", first[0], again[0]), again[0] != first[0])
				check(fmt.Sprintf("Go's ExpirePage removed Django's cookie-b page: %v then %v", first[1], again[1]), again[1] != first[1])
			}
			// 4. Expiry: each side stores for 1 s; the other sees it go.
			if err := c.Set(ctx, "go:exp", "soon", 1); err != nil {
				t.Fatal(err)
			}
			res = django(t, pypath, conf, []op{
				{Op: "set", Key: "dj:exp", Expr: "'soon'", Timeout: seconds(1)},
				{Op: "has", Key: "dj:n"},
				{Op: "check", Key: "dj:n", Expr: "22"},
				{Op: "has", Key: "go:1"},
				{Op: "sleep", Seconds: 2.2},
				{Op: "has", Key: "go:exp"},
			})
			check(fmt.Sprintf("Django reads Go's incr of its key: %v", res[2]), res[2] == true)
			check(fmt.Sprintf("Django sees Go's delete: %v", res[3]), res[3] == false)
			check(fmt.Sprintf("Go's 1 s entry expired for Django: has %v", res[5]), res[5] == false)
			found, err = c.Get(ctx, "dj:exp", nil)
			check(fmt.Sprintf("Django's 1 s entry expired for Go: found %v, %v", found, err), err == nil && !found)
		})
	}
	t.Logf("sharing: %d of %d cases round-trip", passed, total)
}

// serverDB is a DatabaseCache table on the test PostgreSQL or MariaDB
// server (GOJANGO_TEST_POSTGRES_DSN / GOJANGO_TEST_MYSQL_DSN defaults),
// made by Django's createcachetable and dropped afterwards.
func serverDB(t *testing.T, engine string) backend {
	table := fmt.Sprintf("shared_cache_%d", time.Now().UnixNano())
	var driver, dsn string
	var djangoDB map[string]any
	var goDB settings.Database
	switch engine {
	case "postgresql":
		driver, dsn = "pgx", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		djangoDB = map[string]any{"ENGINE": "django.db.backends.postgresql", "NAME": "test", "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432"}
		goDB = settings.Database{Engine: "postgresql", Name: "test", User: "postgres", Host: "127.0.0.1", Port: "5432", Options: map[string]any{"sslmode": "disable"}}
	default:
		driver, dsn = "mysql", "root@tcp(127.0.0.1:3306)/test"
		djangoDB = map[string]any{"ENGINE": "django.db.backends.mysql", "NAME": "test", "USER": "root", "HOST": "127.0.0.1", "PORT": "3306"}
		goDB = settings.Database{Engine: "mysql", Name: "test", User: "root", Host: "127.0.0.1", Port: "3306", Options: map[string]any{}}
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		skip(t, fmt.Sprintf("%s is not reachable at %s: %v", engine, dsn, err))
	}
	t.Cleanup(func() {
		q := `DROP TABLE IF EXISTS "` + table + `"`
		if engine == "mysql" {
			q = "DROP TABLE IF EXISTS `" + table + "`"
		}
		_, _ = conn.Exec(q)
		conn.Close()
	})
	return backend{
		name: "db (" + engine + ")", matchesKeys: true,
		django: map[string]any{
			"CACHES":    map[string]any{"default": map[string]any{"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}},
			"DATABASES": map[string]any{"default": djangoDB},
		},
		goCache: settings.Cache{Backend: "db", Location: table, Timeout: 300, MaxEntries: 300, CullFrequency: 3, Options: opts()},
		goDBs:   map[string]settings.Database{"default": goDB},
		setup:   []op{{Op: "createcachetable"}},
	}
}
