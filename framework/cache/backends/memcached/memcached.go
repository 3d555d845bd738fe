// Package memcached is the Memcached cache backend (Django's
// PyMemcacheCache / PyLibMCCache), built on github.com/bradfitz/gomemcache.
//
// Settings:
//
//	[CACHES.default]
//	BACKEND  = "memcached"   # or "django.core.cache.backends.memcached.PyMemcacheCache"
//	LOCATION = "127.0.0.1:11211"   # or "unix:/run/memcached.sock", "a:11211;b:11211", ["a:11211", "b:11211"]
//	OPTIONS  = { timeout = 2, max_idle_conns = 16 }
//
// Several servers share the keys by hashing (gomemcache's scheme: crc32 of
// the key modulo the number of servers). Nothing is dialed or resolved until
// the first operation.
//
// Differences from Django that come from memcached itself:
//   - Keys longer than 250 bytes or holding control characters or spaces are
//     refused: the store reports them as cache.ErrInvalidKey, and it declares
//     cache.StrictKeys so the front checks keys before sending them.
//   - Values larger than the server's item size (1 MB by default) are
//     refused: Set deletes the key, so no stale value survives, and returns
//     the error.
//   - Decrementing below zero stops at 0: memcached's decr clamps unsigned
//     counters (Django's memcached backends behave the same). A counter that
//     is already negative (stored by Set) is still handled exactly, by a
//     compare-and-swap read-modify-write that keeps its expiry.
//   - Expiry is enforced by the server's clock; Params.Now must be the real
//     clock, since timeouts over 30 days are sent as absolute Unix times.
//   - gomemcache has no context support: a context is checked before each
//     call, and a call in flight is bounded by OPTIONS timeout instead.
package memcached

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"gojango/framework/cache"
	"gojango/framework/cache/serializer/pickle"
)

func init() {
	cache.Register("memcached", New,
		"django.core.cache.backends.memcached.PyMemcacheCache",
		"django.core.cache.backends.memcached.PyLibMCCache",
		"django.core.cache.backends.memcached.MemcachedCache")
}

const (
	// DefaultTimeout is the socket read/write (and connect) timeout when
	// OPTIONS timeout is not set.
	DefaultTimeout = 2 * time.Second
	// DefaultMaxIdleConns is the number of idle connections kept per server
	// when OPTIONS max_idle_conns is not set.
	DefaultMaxIdleConns = 8

	optTimeout      = "timeout"
	optMaxIdleConns = "max_idle_conns"
	acceptedOptions = optMaxIdleConns + ", " + optTimeout

	// maxRelative is memcached's limit for a relative expiry (30 days):
	// larger values are read by the server as absolute Unix times.
	maxRelative = 60 * 60 * 24 * 30
)

// Store is a cache.Store over one or more memcached servers. It is safe for
// concurrent use.
type Store struct {
	client  *memcache.Client
	sel     *selector
	timeout time.Duration
	now     func() time.Time
	logger  *slog.Logger
	// pymemcache: values carry pymemcache's pickle serde flags (the pickle
	// serializer), so Django's PyMemcacheCache reads what we store.
	pymemcache bool
}

var (
	_ cache.Store      = (*Store)(nil)
	_ cache.BatchStore = (*Store)(nil)
	_ cache.StrictKeys = (*Store)(nil)
)

// New builds a memcached store from LOCATION and OPTIONS. It does not dial
// or resolve anything: connections are made on first use.
func New(p cache.Params) (cache.Store, error) {
	locs := p.Config.Locations
	if len(locs) == 0 {
		locs = []string{p.Config.Location}
	}
	servers, err := parseLocations(locs)
	if err != nil {
		return nil, fmt.Errorf("memcached cache %q: %w", p.Alias, err)
	}
	timeout, maxIdle, err := parseOptions(p.Config.Options)
	if err != nil {
		return nil, fmt.Errorf("memcached cache %q: %w", p.Alias, err)
	}
	sel := newSelector(servers)
	pickled := p.Serializer != nil && p.Serializer.Name() == "pickle"
	sel.rendezvous = pickled
	client := memcache.NewFromSelector(sel)
	client.Timeout = timeout
	client.MaxIdleConns = maxIdle
	now := p.Now
	if now == nil {
		now = time.Now
	}
	logger := p.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Store{client: client, sel: sel, timeout: timeout, now: now, logger: logger, pymemcache: pickled}, nil
}

// parseOptions reads OPTIONS: timeout (seconds, a positive number) and
// max_idle_conns (a positive integer). Any other key is an error.
func parseOptions(opts map[string]any) (time.Duration, int, error) {
	timeout, maxIdle := DefaultTimeout, DefaultMaxIdleConns
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := opts[k]
		switch strings.ToLower(k) {
		case optTimeout:
			secs, ok := number(v)
			if !ok || secs <= 0 || secs > math.MaxInt32 {
				return 0, 0, fmt.Errorf("OPTIONS.%s must be a positive number of seconds, not %v", k, v)
			}
			timeout = time.Duration(secs * float64(time.Second))
		case optMaxIdleConns:
			n, ok := number(v)
			if !ok || n < 1 || n != math.Trunc(n) || n > math.MaxInt32 {
				return 0, 0, fmt.Errorf("OPTIONS.%s must be a positive integer, not %v", k, v)
			}
			maxIdle = int(n)
		default:
			return 0, 0, fmt.Errorf("unknown OPTIONS key %q (accepted: %s)", k, acceptedOptions)
		}
	}
	return timeout, maxIdle, nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	default:
		return 0, false
	}
}

// expiration converts an absolute expiry into memcached's exptime as
// Django's get_backend_timeout does: never (zero Time) -> 0; already
// expired (Django's timeout 0 or negative) -> -1, which memcached treats
// as expired at once; up to 30 days -> relative seconds (rounded up, so a
// positive remainder never becomes 0, "never"); over 30 days -> absolute
// Unix time (now + seconds), clamped to the int32 memcached reads (so kept
// until 2038). An expiry after year 9999 is never (cache.NeverExpires), as
// is the zero Time; one however far in the past is -1. exp.Sub saturates at
// about 292 years, so nothing here wraps.
func expiration(exp, now time.Time) int32 {
	if cache.NeverExpires(exp) {
		return 0
	}
	if cache.Expired(exp, now) {
		return -1
	}
	d := exp.Sub(now)
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	if secs <= maxRelative {
		return int32(secs)
	}
	abs := now.Unix() + secs
	if abs > math.MaxInt32 || abs < 0 {
		return math.MaxInt32
	}
	return int32(abs)
}

// StrictKeys reports true: memcached refuses keys Django only warns about.
func (s *Store) StrictKeys() bool { return true }

// validKey is memcached's key rule (gomemcache's, plus non-empty): at most
// 250 bytes, no control characters, space or DEL.
func validKey(key string) bool {
	if key == "" || len(key) > 250 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] <= ' ' || key[i] == 0x7f {
			return false
		}
	}
	return true
}

// check returns the error to report before sending op on key: a done
// context or an invalid key.
func check(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memcached %s %q: %w", op, key, err)
	}
	if !validKey(key) {
		return invalidKey(op, key, nil)
	}
	return nil
}

func invalidKey(op, key string, cause error) error {
	if cause == nil {
		cause = memcache.ErrMalformedKey
	}
	return fmt.Errorf("memcached %s %q: %w: %w", op, key, cache.ErrInvalidKey, cause)
}

// wrap names the operation and key of a client error.
func wrap(op, key string, err error) error {
	if errors.Is(err, memcache.ErrMalformedKey) {
		return invalidKey(op, key, err)
	}
	return fmt.Errorf("memcached %s %q: %w", op, key, err)
}

// refused reports whether the server answered a store command but declined
// it (value too large, out of memory), as opposed to a network failure.
func refused(err error) bool {
	return errors.Is(err, memcache.ErrNotStored) || errors.Is(err, memcache.ErrServerError) ||
		strings.Contains(err.Error(), "SERVER_ERROR")
}

// Get returns the value at key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := check(ctx, "get", key); err != nil {
		return nil, false, err
	}
	it, err := s.client.Get(key)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("get", key, err)
	}
	v, err := s.fromItem(it)
	if err != nil {
		return nil, false, wrap("get", key, err)
	}
	return v, true, nil
}

// item is the memcached item of a stored value: with pymemcache's flags
// under the pickle serializer.
func (s *Store) item(key string, value []byte, exptime int32) *memcache.Item {
	if !s.pymemcache {
		return &memcache.Item{Key: key, Value: value, Expiration: exptime}
	}
	v, flags := pickle.ForMemcached(value)
	return &memcache.Item{Key: key, Value: v, Flags: flags, Expiration: exptime}
}

// fromItem is the stored value of an item read back.
func (s *Store) fromItem(it *memcache.Item) ([]byte, error) {
	v := unpad(it.Value)
	if !s.pymemcache {
		return v, nil
	}
	if it.Flags == pickle.FlagInteger || it.Flags == pickle.FlagLong {
		return v, nil
	}
	return pickle.FromMemcached(it.Value, it.Flags)
}

// unpad removes the trailing spaces memcached's decr may leave when a
// counter loses digits ("50" decremented by 50 reads "0 "): the server
// rewrites the number in place. Only values starting with a digit are
// touched: by the codec's rule those are integers, which never end in a
// space otherwise.
func unpad(v []byte) []byte {
	if len(v) > 1 && v[0] >= '0' && v[0] <= '9' && v[len(v)-1] == ' ' {
		return bytes.TrimRight(v, " ")
	}
	return v
}

// Set stores value at key. If the server refuses the value (larger than its
// item size), the key is deleted so no stale value survives (Django's
// memcached set) and the refusal is returned.
func (s *Store) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	if err := check(ctx, "set", key); err != nil {
		return err
	}
	return s.set(key, value, expiration(exp, s.now()))
}

func (s *Store) set(key string, value []byte, exptime int32) error {
	err := s.client.Set(s.item(key, value, exptime))
	if err == nil {
		return nil
	}
	if refused(err) {
		s.logger.Warn("memcached refused a value; key deleted",
			slog.String("key", key), slog.Int("bytes", len(value)), slog.Any("error", err))
		if derr := s.client.Delete(key); derr != nil && !errors.Is(derr, memcache.ErrCacheMiss) {
			return errors.Join(wrap("set", key, err), wrap("delete", key, derr))
		}
	}
	return wrap("set", key, err)
}

// Add stores value only if key is absent, and reports whether it did.
func (s *Store) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	if err := check(ctx, "add", key); err != nil {
		return false, err
	}
	err := s.client.Add(s.item(key, value, expiration(exp, s.now())))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, memcache.ErrNotStored):
		return false, nil
	default:
		return false, wrap("add", key, err)
	}
}

// Touch sets a new expiry on key and reports whether it was there.
func (s *Store) Touch(ctx context.Context, key string, exp time.Time) (bool, error) {
	if err := check(ctx, "touch", key); err != nil {
		return false, err
	}
	err := s.client.Touch(key, expiration(exp, s.now()))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, memcache.ErrCacheMiss):
		return false, nil
	default:
		return false, wrap("touch", key, err)
	}
}

// Delete removes key and reports whether it was there.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	if err := check(ctx, "delete", key); err != nil {
		return false, err
	}
	err := s.client.Delete(key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, memcache.ErrCacheMiss):
		return false, nil
	default:
		return false, wrap("delete", key, err)
	}
}

// Has reports whether key is present.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	_, ok, err := s.Get(ctx, key)
	return ok, err
}

// Clear empties every server (flush_all), as Django's clear does.
func (s *Store) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memcached flush_all: %w", err)
	}
	if err := s.client.FlushAll(); err != nil {
		return fmt.Errorf("memcached flush_all: %w", err)
	}
	return nil
}

// Close closes the idle connections.
func (s *Store) Close() error {
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("memcached close: %w", err)
	}
	return nil
}

// GetMany reads keys with one get per server.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	for _, k := range keys {
		if err := check(ctx, "get_many", k); err != nil {
			return nil, err
		}
	}
	items, err := s.client.GetMulti(keys)
	if err != nil {
		return nil, fmt.Errorf("memcached get_many (%d keys): %w", len(keys), err)
	}
	for k, it := range items {
		v, err := s.fromItem(it)
		if err != nil {
			return nil, fmt.Errorf("memcached get_many %q: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// SetMany stores every item and returns the keys the server refused (each
// deleted, as for Set). A network failure stops and is returned.
func (s *Store) SetMany(ctx context.Context, items map[string][]byte, exp time.Time) ([]string, error) {
	failed := []string{}
	if len(items) == 0 {
		return failed, nil
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		if err := check(ctx, "set_many", k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	exptime := expiration(exp, s.now())
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("memcached set_many: %w", err)
		}
		if err := s.set(k, items[k], exptime); err != nil {
			if refused(err) {
				failed = append(failed, k)
				continue
			}
			return nil, err
		}
	}
	return failed, nil
}

// DeleteMany removes keys; missing keys are not an error.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	for _, k := range keys {
		if err := check(ctx, "delete_many", k); err != nil {
			return err
		}
	}
	var errs []error
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memcached delete_many: %w", err)
		}
		if err := s.client.Delete(k); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
			errs = append(errs, wrap("delete_many", k, err))
		}
	}
	return errors.Join(errs...)
}
