package redis_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/redis"
	"gojango/framework/settings"
)

// redisServer is a redis-server of the test's own, on a free port.
type redisServer struct {
	t    *testing.T
	port int
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server not installed (CI is set)")
		}
		t.Skip("redis-server not installed: skipping the fail-open test")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &redisServer{t: t, port: port}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) start() {
	s.t.Helper()
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.t.TempDir())
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", s.addr()); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatal("own redis-server did not start")
}

func (s *redisServer) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func (s *redisServer) stop() { s.kill() }

func (s *redisServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

func setupRedisAlias(t *testing.T, srv *redisServer, ignore bool) {
	t.Helper()
	st := settings.Default()
	st.Caches = map[string]settings.Cache{"default": {
		Backend: "redis", Location: "redis://" + srv.addr() + "/0", Locations: []string{"redis://" + srv.addr() + "/0"},
		Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1,
		Options: map[string]any{cache.IgnoreExceptionsOption: ignore, "dial_timeout": 0.2, "read_timeout": 0.2, "write_timeout": 0.2},
	}}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := cache.Setup(st, cache.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
}

// IGNORE_EXCEPTIONS (django-redis's fail-open): a page cached in Redis keeps
// being served while the server is killed and restarted, with no 5xx, and
// the cache is used again within seconds of the restart.
func TestIgnoreExceptionsServesPagesThroughRedisOutage(t *testing.T) {
	srv := startOwnRedis(t)
	setupRedisAlias(t, srv, true)
	var renders atomic.Int64
	view := cache.Page(60, func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprint(w, "article body")
	})
	ts := httptest.NewServer(view)
	defer ts.Close()

	type phase struct {
		ok, fail, renders atomic.Int64
	}
	var before, down, after phase
	cur := atomic.Pointer[phase]{}
	cur.Store(&before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				p := cur.Load()
				resp, err := client.Get(ts.URL + "/article/1/")
				if err != nil {
					p.fail.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode >= 500 {
					p.fail.Add(1)
				} else {
					p.ok.Add(1)
				}
			}
		}()
	}
	phaseRenders := func(p *phase, start int64) { p.renders.Store(renders.Load() - start) }

	time.Sleep(1 * time.Second)
	r0 := renders.Load()
	phaseRenders(&before, 0)
	srv.kill()
	cur.Store(&down)
	time.Sleep(1500 * time.Millisecond)
	phaseRenders(&down, r0)
	srv.start()
	restarted := time.Now()
	r1 := renders.Load()
	cur.Store(&after)
	// The cache is back once renders stop: the page was stored again.
	var backAfter time.Duration
	for time.Since(restarted) < 10*time.Second {
		n := renders.Load()
		time.Sleep(300 * time.Millisecond)
		if renders.Load() == n && cache.Default().Stats().Hits > 0 {
			backAfter = time.Since(restarted)
			break
		}
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	phaseRenders(&after, r1)

	t.Logf("before kill: %d ok, %d failed, %d renders", before.ok.Load(), before.fail.Load(), before.renders.Load())
	t.Logf("server down: %d ok, %d failed, %d renders", down.ok.Load(), down.fail.Load(), down.renders.Load())
	t.Logf("after restart: %d ok, %d failed, %d renders; cache used again after %v", after.ok.Load(), after.fail.Load(), after.renders.Load(), backAfter)
	t.Logf("alias stats: %+v", cache.Default().Stats())
	if f := before.fail.Load() + down.fail.Load() + after.fail.Load(); f != 0 {
		t.Fatalf("%d requests failed (5xx or transport error) with IGNORE_EXCEPTIONS", f)
	}
	if down.ok.Load() == 0 {
		t.Fatal("no page served while Redis was down")
	}
	if backAfter == 0 {
		t.Fatal("the cache was not used again within 10 s of the restart")
	}
	if before.renders.Load() > 8 {
		t.Fatalf("%d renders before the outage: the page cache was not serving", before.renders.Load())
	}
}

// Without IGNORE_EXCEPTIONS a backend error reaches the caller, as in
// Django: the low-level API returns it and the page cache answers 500.
func TestBackendErrorReachesCallerWithoutIgnoreExceptions(t *testing.T) {
	srv := startOwnRedis(t)
	setupRedisAlias(t, srv, false)
	ctx := context.Background()
	if err := cache.Default().Set(ctx, "k", "v", 60); err != nil {
		t.Fatal(err)
	}
	srv.kill()
	if _, err := cache.Default().Get(ctx, "k", nil); err == nil {
		t.Fatal("Get on a dead Redis returned no error")
	}
	view := cache.Page(60, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "x") })
	w := httptest.NewRecorder()
	view(w, httptest.NewRequest("GET", "http://testserver/x/", nil))
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("page on a dead Redis without IGNORE_EXCEPTIONS: status %d; want 500", w.Code)
	}
	if cache.Default().Stats().Errors == 0 {
		t.Fatal("errors not counted")
	}
}

// With IGNORE_EXCEPTIONS the low-level API answers as for a miss or a
// dropped write, and counts the error.
func TestIgnoreExceptionsReadsMissWritesDropped(t *testing.T) {
	srv := startOwnRedis(t)
	setupRedisAlias(t, srv, true)
	srv.kill()
	ctx := context.Background()
	c := cache.Default()
	if err := c.Set(ctx, "k", "v", 60); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if ok, err := c.Get(ctx, "k", nil); ok || err != nil {
		t.Fatalf("Get = %v, %v; want a miss", ok, err)
	}
	if ok, err := c.Add(ctx, "k", "v", 60); ok || err != nil {
		t.Fatalf("Add = %v, %v", ok, err)
	}
	if m, err := c.GetMany(ctx, []string{"a", "b"}); len(m) != 0 || err != nil {
		t.Fatalf("GetMany = %v, %v", m, err)
	}
	v, err := cache.GetOrSet(ctx, c, "g", 60, func(context.Context) (string, error) { return "computed", nil })
	if err != nil || v != "computed" {
		t.Fatalf("GetOrSet = %q, %v", v, err)
	}
	// The first error rests the backend for cache.FailOpenCooldown: the
	// calls after it do not wait for the dead server again.
	if s := c.Stats(); s.Errors == 0 {
		t.Fatal("the backend error was not counted")
	}
}
