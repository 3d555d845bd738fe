// Package tiered is a two-tier cache backend: a bounded in-process copy (a
// locmem store) in front of another alias, the shared one, usually Redis.
// Registered as "tiered".
//
//	[CACHES.default]
//	BACKEND = "tiered"
//	[CACHES.default.OPTIONS]
//	SHARED = "redis"            # the alias behind the in-process copy
//	FRONT_MAX_ENTRIES = 10000   # the copy's bound (default 1000), culled as locmem culls
//	# FRONT_TIMEOUT = 1         # seconds a copy may live (see below)
//
//	[CACHES.redis]
//	BACKEND = "redis"
//	LOCATION = "redis://127.0.0.1:6379/1"
//
// The tiered alias uses the shared alias's connections (its Store) with its
// own KEY_PREFIX, VERSION, TIMEOUT and IGNORE_EXCEPTIONS; the shared alias's
// own KEY_PREFIX does not apply to it. Reads are served from the copy when it
// has the key, else from the shared store, and the copy is filled; writes
// (set, add, touch, delete, incr, clear and so version bumps) go to the shared
// store, then drop this process's copy of the key.
//
// Other processes' writes reach the copy through the shared store's
// invalidations (cache.Tracker): with Redis, server-assisted client-side
// caching in broadcast mode tells every process which keys changed, a
// fraction of a millisecond after the write on loopback. A copy expires with
// the shared entry (cache.ExpiryGetter) or after FRONT_TIMEOUT when set. If
// the connection that carries invalidations drops, the copy is emptied and
// bypassed (every read goes to the shared store) until it is back: the tier
// never serves what might be stale.
//
// Behind a store that cannot report changes (db, file, memcached), nothing
// tells a process about another's writes: a copy lives FRONT_TIMEOUT seconds
// (default 1), which bounds how stale a read can be.
package tiered

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem" // the in-process copy
	"gojango/framework/settings"
)

func init() {
	cache.Register("tiered", New)
}

// The OPTIONS of a tiered alias.
const (
	OptionShared          = "SHARED"            // the shared alias (required)
	OptionFrontMaxEntries = "FRONT_MAX_ENTRIES" // bound of the in-process copy
	OptionFrontTimeout    = "FRONT_TIMEOUT"     // seconds a copy may live
)

// Defaults of the OPTIONS.
const (
	DefaultFrontMaxEntries = 1000
	// DefaultUntrackedFrontTimeout bounds staleness behind a store that
	// reports no changes.
	DefaultUntrackedFrontTimeout = time.Second
)

const numStripes = 256

// stripe orders fills against invalidations of the keys hashed to it.
type stripe struct {
	mu  sync.Mutex
	seq uint64 // bumped by every invalidation of one of its keys
	_   [48]byte
}

// Store is the two-tier cache.Store. It is safe for concurrent use.
type Store struct {
	alias    string
	shared   string
	front    cache.Store
	frontKB  cache.KeyBytesGetter
	frontKP  keyPartsGetter
	back     cache.Store
	backExp  cache.ExpiryGetter // nil: copies live frontTTL
	frontTTL time.Duration      // 0: copies live as long as the shared entry
	now      func() time.Time
	logger   *slog.Logger

	// trusted: the copy may be served (always behind a store that cannot
	// track; while tracking is on behind one that can).
	trusted atomic.Bool
	// epoch is bumped when the whole copy is dropped (clear, FLUSHDB, a
	// tracking connection lost or back): a fill that began before must not
	// land.
	epoch   atomic.Uint64
	seed    maphash.Seed
	stripes [numStripes]stripe
	stop    func() // ends tracking; nil without
	closing atomic.Bool
}

// keyPartsGetter is the front's allocation-free lookup of head+key, when the
// locmem store has it.
type keyPartsGetter interface {
	GetKeyParts(ctx context.Context, head, key string) ([]byte, bool, error)
}

var (
	_ cache.Store          = (*Store)(nil)
	_ cache.BatchStore     = (*Store)(nil)
	_ cache.KeyBytesGetter = (*Store)(nil)
	_ cache.Invalidations  = (*Store)(nil)
)

// options is a tiered alias's parsed OPTIONS.
type options struct {
	shared     string
	maxEntries int
	frontTTL   time.Duration
	ttlSet     bool
}

func parseOptions(m map[string]any) (options, error) {
	o := options{maxEntries: DefaultFrontMaxEntries}
	for k, v := range m {
		switch k {
		case OptionShared:
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return o, fmt.Errorf("tiered: OPTIONS %s must name the shared alias, got %v", k, v)
			}
			o.shared = strings.TrimSpace(s)
		case OptionFrontMaxEntries:
			n, ok := intValue(v)
			if !ok || n <= 0 {
				return o, fmt.Errorf("tiered: OPTIONS %s must be a positive integer, got %v", k, v)
			}
			o.maxEntries = n
		case OptionFrontTimeout:
			secs, ok := floatValue(v)
			if !ok || math.IsNaN(secs) || secs <= 0 || secs > float64(math.MaxInt64/int64(time.Second)) {
				return o, fmt.Errorf("tiered: OPTIONS %s must be a positive number of seconds, got %v", k, v)
			}
			o.frontTTL = max(time.Duration(secs*float64(time.Second)), time.Millisecond)
			o.ttlSet = true
		default:
			return o, fmt.Errorf("tiered: unknown OPTIONS key %q (accepted: %s, %s, %s, %s)", k,
				OptionShared, OptionFrontMaxEntries, OptionFrontTimeout, cache.IgnoreExceptionsOption)
		}
	}
	if o.shared == "" {
		return o, fmt.Errorf("tiered: OPTIONS %s is required: the alias the in-process copy sits in front of", OptionShared)
	}
	return o, nil
}

func intValue(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), v >= math.MinInt && v <= math.MaxInt
	case float64:
		return int(v), v == math.Trunc(v) && math.Abs(v) < 1<<53
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil
	}
	return 0, false
}

func floatValue(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil
	}
	return 0, false
}

// New builds the tiered Store of an alias: it opens the shared alias's Store
// (through p.Caches, no I/O for network stores), a locmem store for the
// copy, and starts following invalidations when the shared store can report
// them.
func New(p cache.Params) (cache.Store, error) {
	o, err := parseOptions(p.Config.Options)
	if err != nil {
		return nil, err
	}
	if p.Caches == nil {
		return nil, errors.New("tiered: the shared alias cannot be reached: the store was built outside a cache.Handler (Params.Caches is nil)")
	}
	if o.shared == p.Alias {
		return nil, fmt.Errorf("tiered: OPTIONS %s names the alias itself (%q)", OptionShared, p.Alias)
	}
	sc, err := p.Caches(o.shared)
	if err != nil {
		return nil, fmt.Errorf("tiered: OPTIONS %s: %w", OptionShared, err)
	}
	if sc.Backend() == "tiered" {
		return nil, fmt.Errorf("tiered: OPTIONS %s: alias %q is itself tiered", OptionShared, o.shared)
	}
	back, err := sc.Store()
	if err != nil {
		return nil, fmt.Errorf("tiered: shared alias %q: %w", o.shared, err)
	}
	return newStore(p, o, back)
}

// newStore builds the Store over back.
func newStore(p cache.Params, o options, back cache.Store) (*Store, error) {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	logger := p.Logger
	if logger == nil {
		logger = slog.Default()
	}
	fc, err := cache.New(cache.Params{
		Alias: p.Alias + ".front",
		Config: settings.Cache{
			Backend: "locmem", Location: "tiered front " + p.Alias,
			Timeout: 300, Version: 1, MaxEntries: o.maxEntries, CullFrequency: settings.DefaultCullFrequency,
			Options: map[string]any{},
		},
		Now:    now,
		Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("tiered: in-process copy: %w", err)
	}
	front, err := fc.Store()
	if err != nil {
		return nil, fmt.Errorf("tiered: in-process copy: %w", err)
	}
	s := &Store{
		alias: p.Alias, shared: o.shared, front: front, back: back,
		frontTTL: o.frontTTL, now: now, logger: logger, seed: maphash.MakeSeed(),
	}
	s.frontKB, _ = front.(cache.KeyBytesGetter)
	s.frontKP, _ = front.(keyPartsGetter)
	s.backExp, _ = back.(cache.ExpiryGetter)
	tr, tracks := back.(cache.Tracker)
	if !tracks {
		if !o.ttlSet {
			s.frontTTL = DefaultUntrackedFrontTimeout
		}
		s.trusted.Store(true)
		return s, nil
	}
	// Until the tracking connection is up, the copy is bypassed.
	s.stop = tr.Track(trackPrefix(p.Config), s)
	return s, nil
}

// trackPrefix is the prefix every key of the alias starts with: the default
// key function's "<KEY_PREFIX>:"; "" (every key) with a KEY_FUNCTION.
func trackPrefix(c settings.Cache) string {
	if c.KeyFunction != "" {
		return ""
	}
	return c.KeyPrefix + ":"
}

// Tracking implements cache.Invalidations: the copy is dropped when the
// invalidation connection goes down and again when it is back, and served
// only while it is up.
func (s *Store) Tracking(on bool) {
	was := s.trusted.Load()
	if !on {
		s.trusted.Store(false)
	}
	s.dropAll()
	if on {
		s.trusted.Store(true)
	}
	switch {
	case on && !was:
		s.logger.Info("tiered: invalidations flowing, in-process copy in use", slog.String("shared", s.shared))
	case !on && was && !s.closing.Load():
		s.logger.Warn("tiered: invalidation connection lost, in-process copy emptied and bypassed", slog.String("shared", s.shared))
	}
}

// TrackingOn reports whether the in-process copy is in use: always behind a
// store that reports no changes, while invalidations flow behind one that
// does.
func (s *Store) TrackingOn() bool { return s.trusted.Load() }

// Changed implements cache.Invalidations: the copies of keys another client
// (or this one) changed are dropped; nil drops every copy.
func (s *Store) Changed(keys []string) {
	if keys == nil {
		s.dropAll()
		return
	}
	for _, k := range keys {
		s.invalidate(k)
	}
}

// dropAll empties the copy; fills in flight will not land.
func (s *Store) dropAll() {
	s.epoch.Add(1)
	_ = s.front.Clear(context.Background())
}

func (s *Store) stripe(key string) *stripe {
	return &s.stripes[maphash.String(s.seed, key)%numStripes]
}

// invalidate drops the copy of key; a fill of key that began before will
// not land.
func (s *Store) invalidate(key string) {
	st := s.stripe(key)
	st.mu.Lock()
	st.seq++
	_, _ = s.front.Delete(context.Background(), key)
	st.mu.Unlock()
}

// snapshot is what a fill checks: no invalidation of the key's stripe, no
// drop of everything since the read from the shared store began.
type snapshot struct{ seq, epoch uint64 }

func (s *Store) snapshot(key string) snapshot {
	st := s.stripe(key)
	st.mu.Lock()
	seq := st.seq
	st.mu.Unlock()
	return snapshot{seq: seq, epoch: s.epoch.Load()}
}

// fill copies a value read from the shared store into the front, unless the
// key (or everything) was invalidated since snap was taken.
func (s *Store) fill(key string, value []byte, exp time.Time, snap snapshot) {
	now := s.now()
	if s.frontTTL > 0 {
		if cap := now.Add(s.frontTTL); exp.IsZero() || exp.After(cap) {
			exp = cap
		}
	}
	if !exp.IsZero() && !exp.After(now) {
		return
	}
	st := s.stripe(key)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.seq != snap.seq || s.epoch.Load() != snap.epoch || !s.trusted.Load() {
		return
	}
	_ = s.front.Set(context.Background(), key, value, exp)
	// A drop of everything may have run between the check and the set.
	if s.epoch.Load() != snap.epoch || !s.trusted.Load() {
		_, _ = s.front.Delete(context.Background(), key)
	}
}

// Get returns the copy when there is one, else reads the shared store and
// keeps a copy.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if s.trusted.Load() {
		if v, ok, _ := s.front.Get(ctx, key); ok {
			return v, true, nil
		}
	}
	return s.fetch(ctx, key)
}

// GetKeyBytes is Get for the front's allocation-free path: a hit on the copy
// makes no string of the key.
func (s *Store) GetKeyBytes(ctx context.Context, key []byte) ([]byte, bool, error) {
	if s.frontKB != nil && s.trusted.Load() {
		if v, ok, _ := s.frontKB.GetKeyBytes(ctx, key); ok {
			return v, true, nil
		}
	}
	return s.fetch(ctx, string(key))
}

// GetKeyParts is Get of head+key, for the front's allocation-free path.
func (s *Store) GetKeyParts(ctx context.Context, head, key string) ([]byte, bool, error) {
	if s.frontKP != nil && s.trusted.Load() {
		if v, ok, _ := s.frontKP.GetKeyParts(ctx, head, key); ok {
			return v, true, nil
		}
	}
	return s.fetch(ctx, head+key)
}

// fetch reads key from the shared store and keeps a copy when the copy is
// in use.
func (s *Store) fetch(ctx context.Context, key string) ([]byte, bool, error) {
	trusted := s.trusted.Load()
	var snap snapshot
	if trusted {
		snap = s.snapshot(key)
	}
	var (
		v   []byte
		exp time.Time
		ok  bool
		err error
	)
	if s.backExp != nil {
		v, exp, ok, err = s.backExp.GetWithExpiry(ctx, key)
	} else {
		v, ok, err = s.back.Get(ctx, key)
	}
	if err != nil {
		return nil, false, s.backErr("get", key, err)
	}
	if ok && trusted {
		s.fill(key, v, exp, snap)
	}
	return v, ok, nil
}

func (s *Store) backErr(op, key string, err error) error {
	return fmt.Errorf("tiered %s %q on shared alias %q: %w", op, key, s.shared, err)
}

// Set writes to the shared store, then drops this process's copy.
func (s *Store) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	err := s.back.Set(ctx, key, value, exp)
	s.invalidate(key)
	if err != nil {
		return s.backErr("set", key, err)
	}
	return nil
}

// Add writes to the shared store if the key is free there.
func (s *Store) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	ok, err := s.back.Add(ctx, key, value, exp)
	s.invalidate(key)
	if err != nil {
		return false, s.backErr("add", key, err)
	}
	return ok, nil
}

// Touch sets a new expiry in the shared store.
func (s *Store) Touch(ctx context.Context, key string, exp time.Time) (bool, error) {
	ok, err := s.back.Touch(ctx, key, exp)
	s.invalidate(key)
	if err != nil {
		return false, s.backErr("touch", key, err)
	}
	return ok, nil
}

// Delete removes the key from the shared store.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	ok, err := s.back.Delete(ctx, key)
	s.invalidate(key)
	if err != nil {
		return false, s.backErr("delete", key, err)
	}
	return ok, nil
}

// Has answers from the copy when it has the key, else from the shared store.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	if s.trusted.Load() {
		if ok, _ := s.front.Has(ctx, key); ok {
			return true, nil
		}
	}
	ok, err := s.back.Has(ctx, key)
	if err != nil {
		return false, s.backErr("has", key, err)
	}
	return ok, nil
}

// Incr adds in the shared store (natively where it can).
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	n, err := s.back.Incr(ctx, key, delta)
	s.invalidate(key)
	if err != nil {
		if errors.Is(err, cache.ErrNotFound) || errors.Is(err, cache.ErrNotInteger) {
			return 0, err
		}
		return 0, s.backErr("incr", key, err)
	}
	return n, nil
}

// Clear empties the shared store (every alias's keys in it, as Django's
// clear) and this process's copy; with Redis, FLUSHDB tells every other
// process to drop its copy too.
func (s *Store) Clear(ctx context.Context) error {
	err := s.back.Clear(ctx)
	s.dropAll()
	if err != nil {
		return fmt.Errorf("tiered clear on shared alias %q: %w", s.shared, err)
	}
	return nil
}

// Close stops following invalidations and drops the copy. The shared store
// belongs to its own alias and stays open.
func (s *Store) Close() error {
	s.closing.Store(true)
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
	s.trusted.Store(false)
	s.dropAll()
	return s.front.Close()
}

// GetMany answers from the copy what it has and reads the rest from the
// shared store in one call where it can. Copies are kept only behind a store
// without expiries to report (they then live FRONT_TIMEOUT).
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	trusted := s.trusted.Load()
	var rest []string
	for _, k := range keys {
		if trusted {
			if v, ok, _ := s.front.Get(ctx, k); ok {
				out[k] = v
				continue
			}
		}
		rest = append(rest, k)
	}
	if len(rest) == 0 {
		return out, nil
	}
	fill := trusted && s.backExp == nil
	snaps := make([]snapshot, len(rest))
	if fill {
		for i, k := range rest {
			snaps[i] = s.snapshot(k)
		}
	}
	got, err := s.backGetMany(ctx, rest)
	if err != nil {
		return nil, err
	}
	for i, k := range rest {
		if v, ok := got[k]; ok {
			out[k] = v
			if fill {
				s.fill(k, v, time.Time{}, snaps[i])
			}
		}
	}
	return out, nil
}

func (s *Store) backGetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if bs, ok := s.back.(cache.BatchStore); ok {
		m, err := bs.GetMany(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("tiered get_many (%d keys) on shared alias %q: %w", len(keys), s.shared, err)
		}
		return m, nil
	}
	m := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, ok, err := s.back.Get(ctx, k)
		if err != nil {
			return nil, s.backErr("get_many", k, err)
		}
		if ok {
			m[k] = v
		}
	}
	return m, nil
}

// SetMany writes every item to the shared store, then drops the copies.
func (s *Store) SetMany(ctx context.Context, items map[string][]byte, exp time.Time) ([]string, error) {
	var failed []string
	var err error
	if bs, ok := s.back.(cache.BatchStore); ok {
		failed, err = bs.SetMany(ctx, items, exp)
	} else {
		for k, v := range items {
			if e := s.back.Set(ctx, k, v, exp); e != nil {
				failed = append(failed, k)
				err = e
			}
		}
		if err != nil && len(failed) < len(items) {
			err = nil // partly stored: the failed keys say which
		}
	}
	for k := range items {
		s.invalidate(k)
	}
	if err != nil {
		return nil, fmt.Errorf("tiered set_many (%d keys) on shared alias %q: %w", len(items), s.shared, err)
	}
	return failed, nil
}

// DeleteMany removes the keys from the shared store, then drops the copies.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	var err error
	if bs, ok := s.back.(cache.BatchStore); ok {
		err = bs.DeleteMany(ctx, keys)
	} else {
		for _, k := range keys {
			if _, e := s.back.Delete(ctx, k); e != nil && err == nil {
				err = e
			}
		}
	}
	for _, k := range keys {
		s.invalidate(k)
	}
	if err != nil {
		return fmt.Errorf("tiered delete_many (%d keys) on shared alias %q: %w", len(keys), s.shared, err)
	}
	return nil
}
