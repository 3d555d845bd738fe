// Package cachetest is the behaviour suite every backend runs against its
// own Store: Django's rules (django-cache-reference §7) written once and
// checked for all. A backend's tests call Run with a Backend describing how
// to open a fresh store.
package cachetest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Backend describes the store under test.
type Backend struct {
	Name string
	// Open builds a store for p. The suite sets p.Config (from Base, with
	// the test's TIMEOUT, MAX_ENTRIES, CULL_FREQUENCY, ...) and p.Now (a
	// fake clock unless RealClock). The store must start empty, or be
	// cleared by Clear: the suite clears it before each test.
	Open func(t testing.TB, p cache.Params) cache.Store
	// Base is the alias configuration the backend needs (LOCATION, OPTIONS).
	Base settings.Cache
	// RealClock: expiry is enforced by a server with its own clock (redis,
	// memcached), so the suite sleeps instead of moving a fake clock.
	RealClock bool
	// Culls: the store honours MAX_ENTRIES and CULL_FREQUENCY.
	Culls bool
	// CullsWhenOver: the store culls only when it holds more than
	// MAX_ENTRIES (Django's db backend), not at MAX_ENTRIES (locmem, file).
	CullsWhenOver bool
}

// Run runs the whole suite against b.
func Run(t *testing.T, b Backend) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsCull && !b.Culls {
				t.Skipf("%s does not cull (no MAX_ENTRIES)", b.Name)
			}
			tc.run(t, &b)
		})
	}
}

type suiteTest struct {
	name      string
	needsCull bool
	run       func(t *testing.T, b *Backend)
}

var tests []suiteTest

func register(name string, run func(t *testing.T, b *Backend)) {
	tests = append(tests, suiteTest{name: name, run: run})
}

func registerCull(name string, run func(t *testing.T, b *Backend)) {
	tests = append(tests, suiteTest{name: name, needsCull: true, run: run})
}

// Clock is the suite's clock: fake (Advance moves it) or real (Advance
// sleeps).
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	real bool
}

// NewClock returns a fake clock at start; Advance moves it. Tests of any
// package use it as the injectable Params.Now.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	if c.real {
		return time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d (a real clock sleeps d).
func (c *Clock) Advance(d time.Duration) {
	if c.real {
		time.Sleep(d)
		return
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is one test's cache and what it observes.
type Env struct {
	C     *cache.Cache
	Clock *Clock
	Log   *LogRecorder
	Store cache.Store
}

// newEnv opens a cleared store with the base config changed by mutate.
func newEnv(t *testing.T, b *Backend, mutate func(*settings.Cache)) *Env {
	t.Helper()
	cfg := b.Base
	if cfg.Timeout == 0 && !cfg.Forever {
		cfg.Timeout = 300
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = 300
	}
	if cfg.CullFrequency == 0 {
		cfg.CullFrequency = 3
	}
	if cfg.Version == 0 {
		cfg.Version = 1
	}
	if mutate != nil {
		mutate(&cfg)
	}
	clk := &Clock{t: time.Unix(1468749600, 0), real: b.RealClock}
	rec := &LogRecorder{}
	var store cache.Store
	p := cache.Params{Alias: "default", Config: cfg, Now: clk.Now, Logger: slog.New(rec)}
	c, err := cache.NewFromFactory(p, func(p cache.Params) (cache.Store, error) {
		store = b.Open(t, p)
		return store, nil
	})
	if err != nil {
		t.Fatalf("NewFromFactory: %v", err)
	}
	if err := c.Clear(context.Background()); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &Env{C: c, Clock: clk, Log: rec, Store: store}
}

// shareEnv opens a second front over the same store as e, with another config.
func shareEnv(t *testing.T, e *Env, mutate func(*settings.Cache)) *cache.Cache {
	t.Helper()
	cfg := settings.Cache{Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}
	mutate(&cfg)
	c, err := cache.NewWithStore(cache.Params{Alias: "other", Config: cfg, Now: e.Clock.Now, Logger: slog.New(e.Log)}, e.Store)
	if err != nil {
		t.Fatalf("NewWithStore: %v", err)
	}
	return c
}

// LogRecorder is a slog.Handler that keeps the messages logged.
type LogRecorder struct {
	mu   sync.Mutex
	msgs []string
}

// Enabled accepts every level.
func (r *LogRecorder) Enabled(context.Context, slog.Level) bool { return true }

// Handle records the message.
func (r *LogRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, rec.Message)
	r.mu.Unlock()
	return nil
}

// WithAttrs returns r: attributes are not recorded.
func (r *LogRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }

// WithGroup returns r.
func (r *LogRecorder) WithGroup(string) slog.Handler { return r }

// Messages returns the messages logged so far and forgets them.
func (r *LogRecorder) Messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.msgs
	r.msgs = nil
	return m
}

// Contains reports whether a logged message equals msg (and forgets them).
func (r *LogRecorder) Contains(msg string) bool {
	for _, m := range r.Messages() {
		if m == msg {
			return true
		}
	}
	return false
}

func joinMsgs(m []string) string { return strings.Join(m, " | ") }
