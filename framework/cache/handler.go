package cache

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/settings"
)

// Handler holds the caches of one set of settings: one Cache per alias,
// created on first use, shared by the whole process (Django's caches). The
// package keeps one current Handler (Setup), used by Default and Caches.
type Handler struct {
	settings *settings.Settings
	now      func() time.Time
	clock    *CoarseClock // the default clock, stopped by CloseAll
	logger   *slog.Logger

	mu     sync.Mutex
	caches map[string]*Cache
	shared map[string]any
}

// HandlerOption configures a Handler.
type HandlerOption func(*Handler)

// WithClock makes every alias use now as its clock (tests).
func WithClock(now func() time.Time) HandlerOption { return func(h *Handler) { h.now = now } }

// WithLogger sets the logger the aliases log to.
func WithLogger(l *slog.Logger) HandlerOption { return func(h *Handler) { h.logger = l } }

// NewHandler checks every alias of s (known backend, registered
// KEY_FUNCTION, a "default" alias) and returns a Handler that opens them
// lazily. Errors name the settings file, line and key.
func NewHandler(s *settings.Settings, opts ...HandlerOption) (*Handler, error) {
	if s == nil {
		s = settings.Default()
	}
	clock := NewCoarseClock(time.Millisecond)
	h := &Handler{settings: s, now: clock.Now, clock: clock, logger: slog.Default(), caches: map[string]*Cache{}, shared: map[string]any{}}
	for _, o := range opts {
		o(h)
	}
	if _, ok := s.Caches["default"]; !ok {
		return nil, s.Errorf("CACHES", "You must define a 'default' cache in your CACHES setting.")
	}
	for _, alias := range sortedAliases(s) {
		cfg := s.Caches[alias]
		if _, err := BackendName(cfg.Backend); err != nil {
			return nil, s.Errorf("CACHES."+alias+".BACKEND", "%v", err)
		}
		if cfg.KeyFunction != "" {
			if _, ok := keyFunc(cfg.KeyFunction); !ok {
				return nil, s.Errorf("CACHES."+alias+".KEY_FUNCTION", "KEY_FUNCTION %q is not registered with cache.RegisterKeyFunc", cfg.KeyFunction)
			}
		}
	}
	return h, nil
}

func sortedAliases(s *settings.Settings) []string {
	names := make([]string, 0, len(s.Caches))
	for n := range s.Caches {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Settings returns the settings the Handler was built from.
func (h *Handler) Settings() *settings.Settings { return h.settings }

// Aliases returns the configured aliases, sorted.
func (h *Handler) Aliases() []string { return sortedAliases(h.settings) }

// Cache returns the handle of alias, creating it on first use. An unknown
// alias is an error wrapping ErrInvalidBackend with Django's text.
func (h *Handler) Cache(alias string) (*Cache, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.caches[alias]; ok {
		return c, nil
	}
	cfg, ok := h.settings.Caches[alias]
	if !ok {
		return nil, fmt.Errorf("%w: The connection '%s' doesn't exist.", ErrInvalidBackend, alias)
	}
	c, err := New(Params{
		Alias:     alias,
		Config:    cfg,
		Databases: h.settings.Databases,
		BaseDir:   h.settings.BaseDir,
		Now:       h.now,
		Logger:    h.logger,
		Shared:    h.sharedObject,
		Caches:    h.Cache,
		UseTZ:     h.settings.UseTZ,
		TimeZone:  h.settings.TimeZone,
	})
	if err != nil {
		return nil, err
	}
	h.caches[alias] = c
	return c, nil
}

func (h *Handler) sharedObject(name string, create func() any) any {
	// Factories run on a store's first use, never under h.mu.
	h.mu.Lock()
	defer h.mu.Unlock()
	if v, ok := h.shared[name]; ok {
		return v
	}
	v := create()
	h.shared[name] = v
	return v
}

// Opened returns the handles created so far (Django's
// caches.all(initialized_only=True)).
func (h *Handler) Opened() []*Cache {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*Cache, 0, len(h.caches))
	for _, a := range sortedKeys(h.caches) {
		out = append(out, h.caches[a])
	}
	return out
}

func sortedKeys(m map[string]*Cache) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// CloseAll closes every opened alias (on shutdown) and returns the first error.
func (h *Handler) CloseAll() error {
	if h.clock != nil {
		defer h.clock.Stop()
	}
	var first error
	for _, c := range h.Opened() {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// The alias handle: the one package-level Handler, replaced by Setup.
var current atomic.Pointer[Handler]

// Setup checks s and makes it the process's cache configuration, closing the
// aliases of the previous one.
func Setup(s *settings.Settings, opts ...HandlerOption) error {
	h, err := NewHandler(s, opts...)
	if err != nil {
		return err
	}
	if old := current.Swap(h); old != nil {
		_ = old.CloseAll()
	}
	return nil
}

// Current returns the process's Handler; before Setup, one over Django's
// default settings (a single locmem "default" alias).
func Current() *Handler {
	if h := current.Load(); h != nil {
		return h
	}
	h, err := NewHandler(settings.Default())
	if err != nil {
		// Default settings always have a locmem default alias; reaching this
		// means the locmem backend was not linked in. Keep a handler whose
		// aliases report it.
		h = &Handler{settings: settings.Default(), now: time.Now, logger: slog.Default(), caches: map[string]*Cache{}, shared: map[string]any{}}
	}
	if current.CompareAndSwap(nil, h) {
		return h
	}
	return current.Load()
}

// Default is Django's `cache`: the "default" alias.
func Default() *Cache { return Caches("default") }

// Caches is Django's caches[alias]. For an unknown alias it returns a handle
// whose every call fails with the error (use Lookup to get it up front).
func Caches(alias string) *Cache {
	c, err := Current().Cache(alias)
	if err != nil {
		return invalid(alias, err)
	}
	return c
}

// Lookup is Caches with the error of an unknown alias returned at once.
func Lookup(alias string) (*Cache, error) { return Current().Cache(alias) }

// Close closes every opened alias of the current Handler.
func Close() error {
	if h := current.Load(); h != nil {
		return h.CloseAll()
	}
	return nil
}
