package tiered

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"

	_ "gojango/framework/cache/backends/redis"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// twoTier is the settings of one process: "default" is tiered in front of
// "redis" on srv.
func twoTier(srv *redistest.Server, opts map[string]any) *settings.Settings {
	return twoTierOver(settings.Cache{Backend: "redis", Location: srv.URL(0),
		Options: map[string]any{"read_timeout": 0.5, "write_timeout": 0.5, "dial_timeout": 0.5}}, opts)
}

// twoTierOver is the settings of a tiered "default" in front of shared,
// the "redis" alias (any topology), with opts added to the tiered OPTIONS.
func twoTierOver(shared settings.Cache, opts map[string]any) *settings.Settings {
	st := settings.Default()
	o := map[string]any{OptionShared: "redis", OptionFrontMaxEntries: 1000}
	maps.Copy(o, opts)
	shared.Timeout, shared.Version, shared.MaxEntries, shared.CullFrequency = 300, 1, 300, 3
	shared.Options = maps.Clone(shared.Options)
	st.Caches = map[string]settings.Cache{
		"default": {Backend: "tiered", Timeout: 300, Version: 1, MaxEntries: 300, CullFrequency: 3, Options: o},
		"redis":   shared,
	}
	return st
}

// process is one independent client: its own Handler, so its own Redis
// connections, tracking connection and in-process copy.
func process(t testing.TB, srv *redistest.Server, opts map[string]any) (*cache.Cache, *Store) {
	t.Helper()
	return openClient(t, twoTier(srv, opts))
}

// openClient opens a Handler on st and returns its "default" alias and
// store once the store trusts its in-process copy.
func openClient(t testing.TB, st *settings.Settings) (*cache.Cache, *Store) {
	t.Helper()
	h, err := cache.NewHandler(st, cache.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.CloseAll() })
	c, err := h.Cache("default")
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Store()
	if err != nil {
		t.Fatal(err)
	}
	ts := s.(*Store)
	waitTrusted(t, ts, true)
	return c, ts
}

func waitTrusted(t testing.TB, s *Store, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.trusted.Load() != want {
		if time.Now().After(deadline) {
			t.Fatalf("tracking state did not become %v within 5s", want)
		}
		time.Sleep(time.Millisecond)
	}
}

// frontHas reports whether the in-process copy holds key (made key).
func frontHas(s *Store, c *cache.Cache, key string) bool {
	ok, _ := s.front.Has(ctx, c.MakeKey(key))
	return ok
}

// TestSuite runs the shared behaviour suite on a tiered alias over Redis
// (a server of the test's own): every rule holds through the copy.
func TestSuite(t *testing.T) {
	srv := redistest.Start(t)
	cachetest.Run(t, cachetest.Backend{
		Name: "tiered-redis",
		Base: settings.Cache{Backend: "tiered", Options: map[string]any{OptionShared: "redis"}},
		Open: func(t testing.TB, p cache.Params) cache.Store {
			shared, err := cache.New(cache.Params{Alias: "redis", Config: twoTier(srv, nil).Caches["redis"], Now: p.Now, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = shared.Close() })
			p.Caches = func(string) (*cache.Cache, error) { return shared, nil }
			st, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			t.Cleanup(func() { _ = st.Close() })
			waitTrusted(t, st.(*Store), true)
			return st
		},
		RealClock: true,
	})
}

// TestSuiteOverLocmem runs the suite on a tiered alias over a locmem alias,
// a store that reports no changes (copies live FRONT_TIMEOUT).
func TestSuiteOverLocmem(t *testing.T) {
	cachetest.Run(t, cachetest.Backend{
		Name: "tiered-locmem",
		Base: settings.Cache{Backend: "tiered", Options: map[string]any{OptionShared: "shared"}},
		Open: func(t testing.TB, p cache.Params) cache.Store {
			cfg := settings.Cache{Backend: "locmem", Location: t.Name(), Timeout: 300, Version: 1, MaxEntries: 100000, CullFrequency: 3, Options: map[string]any{}}
			shared, err := cache.New(cache.Params{Alias: "shared", Config: cfg, Now: p.Now, Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			p.Caches = func(string) (*cache.Cache, error) { return shared, nil }
			st, err := New(p)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			return st
		},
	})
}

// Every kind of write from one process drops the other process's copy:
// the other's next read sees the change.
func TestWritesInvalidateOtherProcess(t *testing.T) {
	srv := redistest.Start(t)
	a, _ := process(t, srv, nil)
	b, bs := process(t, srv, nil)
	tests := []struct {
		name  string
		write func(t *testing.T)
		want  string // "" for a miss
	}{
		{"Set", func(t *testing.T) { must(t, a.Set(ctx, "k", "new", 60)) }, "new"},
		{"Delete", func(t *testing.T) { _, err := a.Delete(ctx, "k"); must(t, err) }, ""},
		{"Clear", func(t *testing.T) { must(t, a.Clear(ctx)) }, ""},
		{"Touch expired", func(t *testing.T) { _, err := a.Touch(ctx, "k", 0); must(t, err) }, ""},
		{"SetMany", func(t *testing.T) {
			_, err := a.SetMany(ctx, map[string]any{"k": "many", "other": 1}, 60)
			must(t, err)
		}, "many"},
		{"DeleteMany", func(t *testing.T) { must(t, a.DeleteMany(ctx, []string{"k", "other"})) }, ""},
		{"IncrVersion", func(t *testing.T) { _, err := a.IncrVersion(ctx, "k", 1); must(t, err) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			must(t, a.Set(ctx, "k", "old", 60))
			readUntil(t, b, "k", "old")
			readUntil(t, b, "k", "old") // now from the copy
			if !frontHas(bs, b, "k") {
				t.Fatal("the other process holds no copy after two reads")
			}
			tc.write(t)
			readUntil(t, b, "k", tc.want)
		})
	}
	t.Run("Incr", func(t *testing.T) {
		must(t, a.Set(ctx, "n", 41, 60))
		readIntUntil(t, b, "n", 41)
		readIntUntil(t, b, "n", 41)
		if _, err := a.Incr(ctx, "n", 1); err != nil {
			t.Fatal(err)
		}
		readIntUntil(t, b, "n", 42)
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readUntil reads key from c until it is want ("" = a miss), for up to a
// second: the invalidation takes a moment to arrive.
func readUntil(t *testing.T, c *cache.Cache, key, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		var got string
		ok, err := c.Get(ctx, key, &got)
		if err != nil {
			t.Fatal(err)
		}
		if (want == "" && !ok) || (ok && got == want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(%q) = %q, %v a second after the write; want %q", key, got, ok, want)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func readIntUntil(t *testing.T, c *cache.Cache, key string, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		var got int
		ok, err := c.Get(ctx, key, &got)
		if err != nil {
			t.Fatal(err)
		}
		if ok && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Get(%q) = %d, %v a second after the write; want %d", key, got, ok, want)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// TestStaleness measures, over 10,000 writes by one client, how long the
// other client (its own Handler, connections and copy, in this process)
// keeps reading the old value: from the writer's Set returning to the
// reader's first read of the new value.
func TestStaleness(t *testing.T) {
	srv := redistest.Start(t)
	a, _ := process(t, srv, nil)
	b, _ := process(t, srv, nil)
	const writes = 10_000
	lat := make([]time.Duration, 0, writes)
	must(t, a.Set(ctx, "hot", -1, cache.Forever))
	readIntUntil(t, b, "hot", -1)
	for i := range writes {
		must(t, a.Set(ctx, "hot", i, cache.Forever))
		start := time.Now()
		for {
			var got int
			if _, err := b.Get(ctx, "hot", &got); err != nil {
				t.Fatal(err)
			}
			if got == i {
				break
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("write %d not seen after 2s (read %d)", i, got)
			}
			runtime.Gosched() // a reader that spins must not starve the goroutine reading invalidations
		}
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	t.Logf("staleness over %d writes (two Handlers in one process, each with its own connections): p50 %v, p90 %v, p99 %v, max %v",
		writes, p(0.5), p(0.9), p(0.99), lat[len(lat)-1])
	if p(0.99) > 100*time.Millisecond {
		t.Errorf("staleness p99 %v; want well under 10ms on loopback (100ms allowed for -race on a loaded CI machine)", p(0.99))
	}
}

// If the connection carrying invalidations drops, the copy is emptied and
// bypassed until it is back: a write made meanwhile is seen at once.
func TestTrackingLossBypassesCopy(t *testing.T) {
	srv := redistest.Start(t)
	a, _ := process(t, srv, nil)
	b, bs := process(t, srv, nil)
	must(t, a.Set(ctx, "k", "old", 60))
	readUntil(t, b, "k", "old")
	readUntil(t, b, "k", "old")
	if !frontHas(bs, b, "k") {
		t.Fatal("no copy before the drop")
	}
	// Kill every tracking connection (CLIENT LIST flags contain t).
	out, err := srv.Cli("CLIENT", "LIST")
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(out, "\n") {
		var id, flags string
		for _, f := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(f, "id="); ok {
				id = v
			}
			if v, ok := strings.CutPrefix(f, "flags="); ok {
				flags = v
			}
		}
		if strings.Contains(flags, "t") && id != "" {
			if _, err := srv.Cli("CLIENT", "KILL", "ID", id); err == nil {
				killed++
			}
		}
	}
	if killed != 2 {
		t.Fatalf("killed %d tracking connections; want 2", killed)
	}
	waitTrusted(t, bs, false)
	if frontHas(bs, b, "k") {
		t.Error("the copy was not emptied when tracking dropped")
	}
	// Reconnection is automatic; writes and reads stay correct throughout.
	must(t, a.Set(ctx, "k", "during", 60))
	readUntil(t, b, "k", "during")
	waitTrusted(t, bs, true)
	readUntil(t, b, "k", "during")
	readUntil(t, b, "k", "during")
	if !frontHas(bs, b, "k") {
		t.Error("no copy once tracking is back")
	}
	must(t, a.Set(ctx, "k", "after", 60))
	readUntil(t, b, "k", "after")
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]any
		wantErr string
	}{
		{"shared required", map[string]any{}, "SHARED is required"},
		{"shared must be a string", map[string]any{OptionShared: 3}, "must name the shared alias"},
		{"bad size", map[string]any{OptionShared: "r", OptionFrontMaxEntries: 0}, "positive integer"},
		{"bad timeout", map[string]any{OptionShared: "r", OptionFrontTimeout: -1}, "positive number of seconds"},
		{"unknown", map[string]any{OptionShared: "r", "FRONT_SIZE": 3}, `unknown OPTIONS key "FRONT_SIZE"`},
		{"ok", map[string]any{OptionShared: "r", OptionFrontMaxEntries: int64(10), OptionFrontTimeout: 0.5}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseOptions(tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v; want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestSharedAliasChecks(t *testing.T) {
	st := settings.Default()
	st.Caches = map[string]settings.Cache{
		"default": {Backend: "tiered", Version: 1, Options: map[string]any{OptionShared: "default"}},
		"loop":    {Backend: "tiered", Version: 1, Options: map[string]any{OptionShared: "default"}},
		"missing": {Backend: "tiered", Version: 1, Options: map[string]any{OptionShared: "nope"}},
	}
	h, err := cache.NewHandler(st, cache.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	defer h.CloseAll()
	for alias, want := range map[string]string{"default": "names the alias itself", "loop": "is itself tiered", "missing": "doesn't exist"} {
		c, err := h.Cache(alias)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Store(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want one containing %q", alias, err, want)
		}
	}
}

var _ = fmt.Sprint
