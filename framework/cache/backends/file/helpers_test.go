package file

import (
	"context"
	"gojango/framework/cache/cachetest"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// fakeClock is the shared test clock (cachetest.Clock).
type fakeClock = cachetest.Clock

func newClock() *fakeClock { return cachetest.NewClock(time.Unix(1468749600, 0)) }

// env is one test's store and what it observes.
type env struct {
	s       *Store
	clock   *fakeClock
	dir     string
	evicted *atomic.Int64
}

// newEnv opens a store on a fresh directory with MAX_ENTRIES 300 and
// CULL_FREQUENCY 3 unless mutate changes the params.
func newEnv(t testing.TB, mutate func(p *cache.Params)) *env {
	t.Helper()
	clk := newClock()
	var evicted atomic.Int64
	p := cache.Params{
		Alias:   "default",
		Config:  settings.Cache{Location: filepath.Join(t.TempDir(), "cache"), MaxEntries: 300, CullFrequency: 3},
		Now:     clk.Now,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnEvict: func(n int) { evicted.Add(int64(n)) },
	}
	if mutate != nil {
		mutate(&p)
	}
	st, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	s := st.(*Store)
	return &env{s: s, clock: clk, dir: s.Dir(), evicted: &evicted}
}

// path returns the file of key.
func (e *env) path(key string) string {
	name, _ := fileName(key)
	return filepath.Join(e.dir, name)
}

// files returns the names in the directory ending in suffix, and the
// temporary files.
func (e *env) files(t testing.TB) (cacheFiles, temps []string) {
	t.Helper()
	ents, err := os.ReadDir(e.dir)
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	for _, en := range ents {
		switch {
		case strings.HasSuffix(en.Name(), suffix):
			cacheFiles = append(cacheFiles, en.Name())
		case strings.HasPrefix(en.Name(), tempPrefix):
			temps = append(temps, en.Name())
		}
	}
	return cacheFiles, temps
}

func (e *env) count(t testing.TB) int {
	t.Helper()
	f, _ := e.files(t)
	return len(f)
}

// cacheConfig is a default alias config for LOCATION loc.
func cacheConfig(loc string) settings.Cache {
	return settings.Cache{Location: loc, MaxEntries: 300, CullFrequency: 3}
}

// opTimeout is how long an operation may take before noHang calls it hung.
const opTimeout = 5 * time.Second

// noHang runs op in a goroutine and fails the test if it has not returned
// within opTimeout, so that an operation blocking for ever (on a FIFO) fails
// the suite instead of hanging it. A hung goroutine is left behind.
func noHang(t testing.TB, what string, op func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		op()
	}()
	select {
	case <-done:
	case <-time.After(opTimeout):
		t.Fatalf("%s blocked for %v", what, opTimeout)
	}
}

// logRecorder is a slog.Handler keeping the messages of the records at
// Warn and above.
type logRecorder struct {
	mu    sync.Mutex
	warns []string
}

func (r *logRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warns = append(r.warns, rec.Message)
	return nil
}

func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// count returns how many Warn records were logged.
func (r *logRecorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.warns)
}

// newLoggedEnv is newEnv with a logRecorder as the store's logger.
func newLoggedEnv(t testing.TB) (*env, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	e := newEnv(t, func(p *cache.Params) { p.Logger = slog.New(rec) })
	return e, rec
}
