package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"gojango/framework/cache/serializer"
)

// Cache is the front of one cache alias: what Django's BaseCache does once
// for every backend (key making and validation, timeouts, the value codec,
// versions, get_or_set, many-key fallbacks, counters, fail-open). Users hold
// only this type. A Cache is safe for concurrent use; its Store is opened
// on first use.
type Cache struct {
	alias            string
	backend          string
	params           Params
	keyFunc          KeyFunc
	keyFuncIsDefault bool
	keyPrefix        string
	keyHead          string // "<prefix>:<VERSION>:", the default key function's head
	keyHeadOK        bool   // keyHead has nothing Django warns about (the fast key paths apply)
	defaultVersion   int
	defaultTimeout   Timeout
	failOpen         bool
	strict           bool
	ser              serializer.Serializer // OPTIONS.SERIALIZER; nil: the codec
	logger           *slog.Logger
	now              func() time.Time

	mu     sync.Mutex // guards opening the store
	store  atomic.Pointer[storeBox]
	flight singleflight.Group
	_      [64]byte // the counters, written on every get, off the line of store
	stats  counters
	_      [64]byte

	downUntil atomic.Int64 // fail-open: skip the backend until then (Unix ns)
	tagsSeen  tagsInUse    // a tagged entry was written or read here (tags.go)

	factory Factory // nil: the registry's factory for backend

	err error // set on the handle of an unknown alias: every call returns it
}

type storeBox struct {
	s  Store
	kb KeyBytesGetter // s, when it has the allocation-free lookup
	kp KeyPartsGetter // s, when it looks up head+key from the parts
	ks KeyPartsSetter // s, when it stores head+key from the parts
}

// IgnoreExceptionsOption is the OPTIONS key that turns on failing open
// (django-redis's IGNORE_EXCEPTIONS): a backend error is logged and counted,
// reads are misses and writes are dropped.
const IgnoreExceptionsOption = "IGNORE_EXCEPTIONS"

// New builds the front for one alias from its settings; the backend's Store
// is created by the registered factory on first use. p.Config.Backend may be
// a short or a dotted Django name.
func New(p Params) (*Cache, error) {
	name, err := BackendName(p.Config.Backend)
	if err != nil {
		return nil, fmt.Errorf("cache %q: %w", p.Alias, err)
	}
	c, err := newFront(p)
	if err != nil {
		return nil, err
	}
	c.backend = name
	return c, nil
}

// NewFromFactory builds the front over a backend that is not in the
// registry: f is called on first use with the alias's final Params.
func NewFromFactory(p Params, f Factory) (*Cache, error) {
	c, err := newFront(p)
	if err != nil {
		return nil, err
	}
	c.backend = "custom"
	c.factory = f
	return c, nil
}

// NewWithStore builds the front over a Store the caller already has (a
// custom backend not in the registry, or a test).
func NewWithStore(p Params, s Store) (*Cache, error) {
	c, err := newFront(p)
	if err != nil {
		return nil, err
	}
	c.backend = "custom"
	c.setStore(s)
	return c, nil
}

func newFront(p Params) (*Cache, error) {
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	p.Logger = p.Logger.With(slog.String("cache", p.Alias))
	cfg := p.Config
	if cfg.Version == 0 {
		cfg.Version = 1
	}
	c := &Cache{
		alias:          p.Alias,
		keyFunc:        DefaultKeyFunc,
		keyPrefix:      cfg.KeyPrefix,
		defaultVersion: cfg.Version,
		defaultTimeout: Timeout(cfg.Timeout),
		logger:         p.Logger,
		now:            p.Now,
	}
	if cfg.Forever {
		c.defaultTimeout = Forever
	}
	if cfg.KeyFunction != "" {
		f, ok := keyFunc(cfg.KeyFunction)
		if !ok {
			return nil, fmt.Errorf("cache %q: KEY_FUNCTION %q is not registered (known: %s)", p.Alias, cfg.KeyFunction, strings.Join(keyFuncNames(), ", "))
		}
		c.keyFunc = f
	}
	// IGNORE_EXCEPTIONS is the front's option: the backend never sees it.
	if v, ok := cfg.Options[IgnoreExceptionsOption]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("cache %q: OPTIONS.%s must be true or false, not %v", p.Alias, IgnoreExceptionsOption, v)
		}
		c.failOpen = b
		opts := make(map[string]any, len(cfg.Options))
		for k, v := range cfg.Options {
			if k != IgnoreExceptionsOption {
				opts[k] = v
			}
		}
		cfg.Options = opts
	}
	ser, opts, err := resolveSerializer(p.Alias, cfg.Options)
	if err != nil {
		return nil, err
	}
	c.ser, cfg.Options, p.Serializer = ser, opts, ser
	c.keyFuncIsDefault = cfg.KeyFunction == ""
	c.keyHead = DefaultKeyFunc("", cfg.KeyPrefix, cfg.Version)
	c.keyHeadOK = len(c.keyHead) <= MaxKeyLength && !needsWarning(c.keyHead)
	p.Config = cfg
	p.OnEvict = func(n int) { c.stats.evictions.Add(uint64(n)) }
	c.params = p
	return c, nil
}

func (c *Cache) setStore(s Store) {
	if sk, ok := s.(StrictKeys); ok && sk.StrictKeys() {
		c.strict = true
	}
	kb, _ := s.(KeyBytesGetter)
	kp, _ := s.(KeyPartsGetter)
	ks, _ := s.(KeyPartsSetter)
	c.store.Store(&storeBox{s: s, kb: kb, kp: kp, ks: ks})
}

// Alias is the CACHES alias this handle serves.
func (c *Cache) Alias() string { return c.alias }

// Backend is the registered short name of the alias's backend.
func (c *Cache) Backend() string { return c.backend }

// Stats returns a snapshot of the alias's counters.
func (c *Cache) Stats() Stats { return c.stats.snapshot() }

// DefaultTimeout is the alias's TIMEOUT (Forever for TIMEOUT = "None").
func (c *Cache) DefaultTimeout() Timeout { return c.defaultTimeout }

// Store returns the alias's Store, opening it on first use. Management
// commands use it to reach backend-specific operations.
func (c *Cache) Store() (Store, error) {
	if c.err != nil {
		return nil, c.err
	}
	if b := c.store.Load(); b != nil {
		return b.s, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.store.Load(); b != nil {
		return b.s, nil
	}
	f := c.factory
	if f == nil {
		f = factory(c.backend)
	}
	if f == nil {
		return nil, fmt.Errorf("cache %q: backend %q is not registered", c.alias, c.backend)
	}
	s, err := f(c.params)
	if err != nil {
		return nil, fmt.Errorf("cache %q: open %s backend: %w", c.alias, c.backend, err)
	}
	c.setStore(s)
	return s, nil
}

// MakeKey returns the full key for key, as Django's make_key does.
func (c *Cache) MakeKey(key string, opts ...Option) string {
	return c.keyFunc(key, c.keyPrefix, c.version(opts))
}

func (c *Cache) makeKey(key string, version int) (string, error) {
	k := c.keyFunc(key, c.keyPrefix, version)
	if err := c.validateKey(k); err != nil {
		return "", fmt.Errorf("cache %q: %w", c.alias, err)
	}
	return k, nil
}

// expiry resolves a call's timeout (DefaultTimeout -> the alias's TIMEOUT).
func (c *Cache) expiry(t Timeout) time.Time {
	if t == DefaultTimeout {
		t = c.defaultTimeout
	}
	return expiry(c.now(), t)
}

// semantic reports whether err is an answer of the cache rather than a
// failure of the backend.
func semantic(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrNotInteger) ||
		errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrEncode)
}

// fail counts and wraps a backend error. With IGNORE_EXCEPTIONS it is logged
// and swallowed (the caller then answers as for a miss / a dropped write).
func (c *Cache) fail(op, key string, err error) error {
	if semantic(err) {
		return err
	}
	err = fmt.Errorf("cache %q: %s %q: %w", c.alias, op, key, err)
	if c.backendFailed(op, "cache backend error ignored", err) {
		return nil
	}
	return err
}

// backendFailed counts a failure of the backend in op and reports whether
// the alias fails open (IGNORE_EXCEPTIONS): then the error is logged with
// msg and the backend rests for FailOpenCooldown, and the caller answers as
// for a miss or a dropped write.
func (c *Cache) backendFailed(op, msg string, err error) bool {
	c.stats.errors.Add(1)
	c.stats.opErrors[opOf(op)].Add(1)
	if !c.failOpen {
		return false
	}
	c.downUntil.Store(c.now().Add(FailOpenCooldown).UnixNano())
	c.logger.Warn(msg, slog.String("op", op), slog.Any("error", err))
	return true
}

// errResting is open's answer while an alias that fails open rests its
// backend after an error: callers answer as for a miss or a dropped write
// (ignoreResting turns it into nil).
var errResting = errors.New("cache backend resting after an error (IGNORE_EXCEPTIONS)")

// ignoreResting is err, or nil for errResting.
func ignoreResting(err error) error {
	if err == errResting {
		return nil
	}
	return err
}

// FailOpenCooldown is how long an alias with IGNORE_EXCEPTIONS skips its
// backend after an error: requests do not each wait for a dead server's
// timeouts; the first call after it tries the backend again.
const FailOpenCooldown = time.Second

// open returns the alias's Store for op, or errResting when an alias that
// fails open is resting its backend (or could not open it just now).
func (c *Cache) open(op string) (Store, error) {
	if c.failOpen {
		if until := c.downUntil.Load(); until != 0 && c.now().UnixNano() < until {
			c.stats.skips.Add(1)
			return nil, errResting
		}
	}
	s, err := c.Store()
	if err != nil {
		if c.err != nil {
			return nil, err
		}
		if c.backendFailed(op, "cache backend unavailable, ignored", err) {
			return nil, errResting
		}
		return nil, err
	}
	return s, nil
}

// Get reads key into dst (a pointer; nil to test presence only) and reports
// whether it was found. A stored nil (Django's None) is found and zeroes
// *dst. Django's get(key, default): on a miss dst is left as it was, so
// setting *dst to the default first gives the same result.
func (c *Cache) Get(ctx context.Context, key string, dst any, opts ...Option) (bool, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpGet, t)
	}
	version := c.version(opts)
	if found, ok, err := c.getFast(ctx, key, version, dst); ok {
		if err != nil {
			return false, fmt.Errorf("cache %q: get %q: %w", c.alias, key, err)
		}
		return found, nil
	}
	raw, ok, err := c.getRaw(ctx, key, version)
	if err != nil || !ok {
		return false, err
	}
	if err := c.decode(raw, dst); err != nil {
		return false, fmt.Errorf("cache %q: get %q: %w", c.alias, key, err)
	}
	return true, nil
}

func (c *Cache) getRaw(ctx context.Context, key string, version int) ([]byte, bool, error) {
	k, err := c.makeKey(key, version)
	if err != nil {
		return nil, false, err
	}
	return c.getMade(ctx, k)
}

// getMade is getRaw for a key already made by the alias's key function.
func (c *Cache) getMade(ctx context.Context, k string) ([]byte, bool, error) {
	s, err := c.open("get")
	if err != nil {
		return nil, false, ignoreResting(err)
	}
	raw, ok, err := s.Get(ctx, k)
	if err != nil {
		c.stats.misses.Add(1)
		return nil, false, c.fail("get", k, err)
	}
	if !ok {
		c.stats.misses.Add(1)
		return nil, false, nil
	}
	if raw, ok, err = c.unwrapTags(ctx, k, raw); err != nil || !ok {
		c.stats.misses.Add(1)
		return nil, false, err
	}
	c.stats.hits.Add(1)
	return raw, true, nil
}

// Set stores value under key for timeout seconds (DefaultTimeout: the
// alias's TIMEOUT; Forever: never expires; zero or negative: expired at once).
func (c *Cache) Set(ctx context.Context, key string, value any, timeout Timeout, opts ...Option) error {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpSet, t)
	}
	if done, err := c.setFast(ctx, key, value, timeout, opts); done {
		return err
	}
	raw, err := c.encode(value)
	if err != nil {
		return fmt.Errorf("cache %q: set %q: %w", c.alias, key, err)
	}
	if raw, err = c.wrapTags(ctx, raw, callTags(opts)); err != nil {
		return fmt.Errorf("cache %q: set %q: %w", c.alias, key, err)
	}
	return c.setRaw(ctx, key, raw, timeout, c.version(opts))
}

func (c *Cache) setRaw(ctx context.Context, key string, raw []byte, timeout Timeout, version int) error {
	k, err := c.makeKey(key, version)
	if err != nil {
		return err
	}
	s, err := c.open("set")
	if err != nil {
		return ignoreResting(err)
	}
	if err := s.Set(ctx, k, raw, c.expiry(timeout)); err != nil {
		return c.fail("set", k, err)
	}
	c.stats.sets.Add(1)
	return nil
}

// Add stores value only if key is missing or expired, and reports whether it
// did (Django's add).
func (c *Cache) Add(ctx context.Context, key string, value any, timeout Timeout, opts ...Option) (bool, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpAdd, t)
	}
	raw, err := c.encode(value)
	if err != nil {
		return false, fmt.Errorf("cache %q: add %q: %w", c.alias, key, err)
	}
	if raw, err = c.wrapTags(ctx, raw, callTags(opts)); err != nil {
		return false, fmt.Errorf("cache %q: add %q: %w", c.alias, key, err)
	}
	return c.addRaw(ctx, key, raw, timeout, c.version(opts))
}

func (c *Cache) addRaw(ctx context.Context, key string, raw []byte, timeout Timeout, version int) (bool, error) {
	k, err := c.makeKey(key, version)
	if err != nil {
		return false, err
	}
	s, err := c.open("add")
	if err != nil {
		return false, ignoreResting(err)
	}
	exp := c.expiry(timeout)
	c.stats.adds.Add(1)
	ok, err := s.Add(ctx, k, raw, exp)
	if err == nil && !ok {
		ok, err = c.addOverInvalid(ctx, s, k, raw, exp)
	}
	if err != nil {
		return false, c.fail("add", k, err)
	}
	if ok {
		c.stats.sets.Add(1)
	}
	return ok, nil
}

// Touch gives a live key a new timeout and reports whether the key was there.
func (c *Cache) Touch(ctx context.Context, key string, timeout Timeout, opts ...Option) (bool, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpTouch, t)
	}
	k, err := c.makeKey(key, c.version(opts))
	if err != nil {
		return false, err
	}
	s, err := c.open("touch")
	if err != nil {
		return false, ignoreResting(err)
	}
	c.stats.touches.Add(1)
	ok, err := s.Touch(ctx, k, c.expiry(timeout))
	if err != nil {
		return false, c.fail("touch", k, err)
	}
	return ok, nil
}

// Delete removes key and reports whether it was there.
func (c *Cache) Delete(ctx context.Context, key string, opts ...Option) (bool, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpDelete, t)
	}
	return c.deleteVersion(ctx, key, c.version(opts))
}

func (c *Cache) deleteVersion(ctx context.Context, key string, version int) (bool, error) {
	k, err := c.makeKey(key, version)
	if err != nil {
		return false, err
	}
	s, err := c.open("delete")
	if err != nil {
		return false, ignoreResting(err)
	}
	ok, err := s.Delete(ctx, k)
	if err != nil {
		return false, c.fail("delete", k, err)
	}
	if ok {
		c.stats.deletes.Add(1)
	}
	return ok, nil
}

// HasKey reports whether key is present and unexpired (a stored nil counts).
func (c *Cache) HasKey(ctx context.Context, key string, opts ...Option) (bool, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpHasKey, t)
	}
	k, err := c.makeKey(key, c.version(opts))
	if err != nil {
		return false, err
	}
	s, err := c.open("has_key")
	if err != nil {
		return false, ignoreResting(err)
	}
	ok, err := s.Has(ctx, k)
	if err != nil {
		return false, c.fail("has_key", k, err)
	}
	if ok && c.tagsSeen.Load() {
		// Tags in use: an entry whose tag was invalidated is not there.
		_, ok, err = c.getRaw(ctx, key, c.version(opts))
	}
	return ok, err
}

// Incr adds delta to the integer at key and returns the new value. A missing
// key is an error wrapping ErrNotFound (Django's ValueError), a value that is
// not an integer one wrapping ErrNotInteger. The expiry is kept.
func (c *Cache) Incr(ctx context.Context, key string, delta int64, opts ...Option) (int64, error) {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpIncr, t)
	}
	k, err := c.makeKey(key, c.version(opts))
	if err != nil {
		return 0, err
	}
	s, err := c.open("incr")
	if err != nil {
		if err == errResting {
			err = fmt.Errorf("cache %q: Key '%s' not found (backend unavailable): %w", c.alias, k, ErrNotFound)
		}
		return 0, err
	}
	c.stats.incrs.Add(1)
	n, err := s.Incr(ctx, k, delta)
	if err != nil {
		switch {
		case errors.Is(err, ErrNotFound):
			return 0, fmt.Errorf("cache %q: Key '%s' not found: %w", c.alias, k, ErrNotFound)
		case errors.Is(err, ErrNotInteger):
			return 0, fmt.Errorf("cache %q: %w", c.alias, err)
		}
		if ferr := c.fail("incr", k, err); ferr != nil {
			return 0, ferr
		}
		return 0, fmt.Errorf("cache %q: Key '%s' not found (backend error ignored): %w", c.alias, k, ErrNotFound)
	}
	return n, nil
}

// Decr is Incr(ctx, key, -delta).
func (c *Cache) Decr(ctx context.Context, key string, delta int64, opts ...Option) (int64, error) {
	return c.Incr(ctx, key, -delta, opts...)
}

// Clear removes every entry of the alias's store: for stores shared between
// aliases (a locmem LOCATION, a db table, a Redis database) that is every
// alias's entries, as in Django.
func (c *Cache) Clear(ctx context.Context) error {
	if t, sampled := sampleStart(); sampled {
		defer c.sampleEnd(OpClear, t)
	}
	s, err := c.open("clear")
	if err != nil {
		return ignoreResting(err)
	}
	if err := s.Clear(ctx); err != nil {
		return c.fail("clear", "", err)
	}
	return nil
}

// Close releases the store's connections; the next call opens it again.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.store.Swap(nil)
	if b == nil {
		return nil
	}
	if err := b.s.Close(); err != nil {
		return fmt.Errorf("cache %q: close: %w", c.alias, err)
	}
	return nil
}

// IncrVersion moves key from its version (the alias's VERSION unless a
// Version option is given) to version+delta and returns the new version.
// A missing key is ErrNotFound.
func (c *Cache) IncrVersion(ctx context.Context, key string, delta int, opts ...Option) (int, error) {
	v := c.version(opts)
	raw, ok, err := c.getRaw(ctx, key, v)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("cache %q: Key '%s' not found: %w", c.alias, key, ErrNotFound)
	}
	// A tagged entry moves with its tags (as written, not as unwrapped).
	if raw, err = c.storedForm(ctx, key, v, raw); err != nil {
		return 0, err
	}
	if err := c.setRaw(ctx, key, raw, DefaultTimeout, v+delta); err != nil {
		return 0, err
	}
	if _, err := c.deleteVersion(ctx, key, v); err != nil {
		return 0, err
	}
	return v + delta, nil
}

// DecrVersion is IncrVersion(ctx, key, -delta).
func (c *Cache) DecrVersion(ctx context.Context, key string, delta int, opts ...Option) (int, error) {
	return c.IncrVersion(ctx, key, -delta, opts...)
}

// invalid returns a handle whose every call fails with err (the handle of an
// alias that does not exist, as Django's caches["nope"] raises).
func invalid(alias string, err error) *Cache {
	return &Cache{alias: alias, err: err, keyFunc: DefaultKeyFunc, logger: slog.Default(), now: time.Now, defaultVersion: 1}
}
