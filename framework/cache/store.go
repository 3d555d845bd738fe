package cache

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"gojango/framework/cache/serializer"
	"gojango/framework/settings"
)

// Store is the back layer of a cache: the few primitive operations a backend
// implements, on full (already made) keys and encoded values, with an
// absolute expiry. The zero time.Time means "never expires"; an expiry at or
// before now means the entry is already expired (Django's timeout 0 or
// negative). Every Store is safe for concurrent use.
//
// Values are opaque bytes produced by the front's codec, with one rule a
// Store relies on: an integer is stored as its decimal text (optionally with
// a leading '-'), and no other value starts with a digit or '-'. So Incr can
// work natively on what Set stored.
//
// A Store may return its own internal buffer from Get; the caller never
// modifies it.
type Store interface {
	// Get returns the value and true, or false when the key is missing or
	// expired (an expired entry found by Get may be deleted).
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores the value, replacing any existing entry.
	Set(ctx context.Context, key string, value []byte, exp time.Time) error
	// Add stores the value only if the key is missing or expired, and
	// reports whether it did.
	Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error)
	// Touch sets a new expiry on a live key and reports whether the key was
	// there.
	Touch(ctx context.Context, key string, exp time.Time) (bool, error)
	// Delete removes the key and reports whether it was there.
	Delete(ctx context.Context, key string) (bool, error)
	// Has reports whether the key is present and unexpired.
	Has(ctx context.Context, key string) (bool, error)
	// Incr adds delta to the integer stored at key, keeps its expiry, and
	// returns the new value. A missing or expired key is ErrNotFound; a value
	// that is not an integer is ErrNotInteger.
	Incr(ctx context.Context, key string, delta int64) (int64, error)
	// Clear removes every entry of the store (not only this alias's keys:
	// Django's clear() empties the whole store).
	Clear(ctx context.Context) error
	// Close releases connections and files. The store is not used after.
	Close() error
}

// BatchStore is implemented by stores with a native many-key form (MGET,
// multi-row SQL). The front falls back to one call per key otherwise.
type BatchStore interface {
	// GetMany returns the present, unexpired keys only.
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	// SetMany stores every item with one expiry and returns the keys that
	// failed to store.
	SetMany(ctx context.Context, items map[string][]byte, exp time.Time) ([]string, error)
	// DeleteMany removes the keys.
	DeleteMany(ctx context.Context, keys []string) error
}

// StrictKeys is implemented by stores (memcached) whose server rejects keys
// that Django only warns about: for them an invalid key is an error
// (ErrInvalidKey) instead of a logged warning.
type StrictKeys interface {
	StrictKeys() bool
}

// ExpiryGetter is implemented by stores that can return an entry's expiry
// with its value in one call (the zero time: never expires). A two-tier alias
// (backends/tiered) uses it so that its in-process copy expires with the
// shared entry; without it the copy lives for the tier's front timeout.
type ExpiryGetter interface {
	GetWithExpiry(ctx context.Context, key string) (value []byte, exp time.Time, found bool, err error)
}

// Tracker is implemented by stores whose server tells a client which keys
// any client changed: Redis's server-assisted client-side caching (CLIENT
// TRACKING in broadcast mode). A two-tier alias keeps its in-process copies
// correct with it.
//
// Track follows every key that starts with prefix ("" for all keys) on its
// own connections until stop is called, and reports to inv from its own
// goroutines (Changed may be called from several at once, one per server).
// It returns at once; inv.Tracking(true) comes once reports flow, and
// stop returns after the last report.
type Tracker interface {
	Track(prefix string, inv Invalidations) (stop func())
}

// Invalidations receives what a Tracker's server reports.
type Invalidations interface {
	// Changed reports keys written, deleted, expired or evicted by any
	// client; nil means every key (FLUSHDB, FLUSHALL).
	Changed(keys []string)
	// Tracking reports whether changes are being reported: false when the
	// connection that carries them drops (changes may be missed until
	// Tracking(true) again).
	Tracking(on bool)
}

// KeyMatcher is implemented by stores that can find keys by their shape
// (locmem, db, redis). ExpirePage uses it for the page variants no index
// of ours lists: those a Django process sharing the cache stored.
type KeyMatcher interface {
	// DeleteMatching deletes every key that is parts[0], then anything,
	// then parts[1], ... then anything, then the last part (so the key
	// starts with parts[0] and ends with the last part), and returns how
	// many it deleted.
	DeleteMatching(ctx context.Context, parts []string) (int, error)
}

// MatchParts reports whether key is parts joined by runs of anything
// (KeyMatcher's pattern): it starts with the first, ends with the last
// and holds the others in order between.
func MatchParts(key string, parts []string) bool {
	if len(parts) == 0 {
		return key == ""
	}
	if !strings.HasPrefix(key, parts[0]) {
		return false
	}
	rest := key[len(parts[0]):]
	if len(parts) == 1 {
		return rest == ""
	}
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return strings.HasSuffix(rest, last)
}

// KeyBytesGetter is implemented by in-process stores (locmem) that can look
// a key up from a byte slice without making a string of it. The front then
// builds the full key in a pooled buffer, so a hit into a []byte
// destination with room allocates nothing.
type KeyBytesGetter interface {
	GetKeyBytes(ctx context.Context, key []byte) ([]byte, bool, error)
}

// KeyPartsGetter is implemented by in-process stores (locmem) that can look
// up the key head+key from its two parts, never joined. The front then
// makes no key at all for a read at the alias's VERSION with the default
// key function: head is "<KEY_PREFIX>:<VERSION>:".
type KeyPartsGetter interface {
	GetKeyParts(ctx context.Context, head, key string) ([]byte, bool, error)
}

// KeyPartsSetter is implemented by in-process stores (locmem) that store
// the key head+key with the value vhead+value, copying all four parts into
// what they keep (the caller may reuse every slice it passes). The front
// then joins neither: a Set at the alias's VERSION with the default key
// function makes no key, and a []byte or string value is not encoded into
// a buffer of its own.
type KeyPartsSetter interface {
	SetKeyParts(ctx context.Context, head, key string, vhead, value []byte, exp time.Time) error
}

// Params is what a backend factory receives to build its Store.
type Params struct {
	Alias     string         // the CACHES alias
	Config    settings.Cache // the alias's settings (LOCATION, OPTIONS, MAX_ENTRIES, ...)
	Databases map[string]settings.Database
	BaseDir   string // directory relative paths resolve against
	// Now is the clock; tests replace it. Never nil.
	Now func() time.Time
	// Logger is the alias's logger. Never nil.
	Logger *slog.Logger
	// OnEvict is called with the number of entries a store culled or
	// evicted, for the alias's counters. Never nil.
	OnEvict func(n int)
	// Shared returns the process-wide object registered under name, calling
	// create the first time. Stores shared by aliases (locmem stores with the
	// same LOCATION) live here. It belongs to the Handler that opened the
	// alias; nil when the Store was built outside a Handler, and then a store
	// keeps its state to itself.
	Shared func(name string, create func() any) any
	// Caches returns another alias of the same Handler (Django's
	// caches[alias]), for stores built over another alias (tiered); nil
	// when the Store was built outside a Handler.
	Caches func(alias string) (*Cache, error)
	// Serializer is the alias's value serializer (OPTIONS.SERIALIZER); nil
	// means the Go codec. Stores that keep whole values in Django's format
	// (db, file, memcached) consult it; Params.Incr applies its integer rule.
	Serializer serializer.Serializer
	// UseTZ and TimeZone are the project's USE_TZ and TIME_ZONE: the db
	// store writes its expires column as Django does for them.
	UseTZ    bool
	TimeZone string
}

// Factory builds a Store from its Params. It should not do I/O that can hang:
// network stores connect lazily on first use.
type Factory func(p Params) (Store, error)
