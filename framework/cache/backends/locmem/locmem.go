// Package locmem is Django's LocMemCache: an in-process store with LRU
// order, MAX_ENTRIES and CULL_FREQUENCY exactly as Django culls. Aliases
// with the same LOCATION share one store within the process. Registered as
// "locmem" and "django.core.cache.backends.locmem.LocMemCache".
package locmem

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
)

func init() {
	cache.Register("locmem", New, "django.core.cache.backends.locmem.LocMemCache")
}

// entry is one stored value. val is never modified after it is stored (a
// set or incr stores a new slice), so readers may hold it without the lock.
type entry struct {
	val  []byte
	exp  int64         // expiry, Unix nanoseconds; 0 = never
	tick atomic.Uint64 // last use, for LRU order: higher is more recent
}

// shared is the state of one LOCATION.
type shared struct {
	mu    sync.RWMutex
	items map[string]*entry
	clock atomic.Uint64 // LRU tick source
}

// Store is one alias's view of a LOCATION's shared state.
type Store struct {
	s             *shared
	maxEntries    int
	cullFrequency int
	now           func() time.Time
	onEvict       func(int)
}

// New returns the store of p.Config.Location, shared with every alias of the
// same Handler that names the same LOCATION.
func New(p cache.Params) (cache.Store, error) {
	create := func() any { return &shared{items: map[string]*entry{}} }
	var sh *shared
	if p.Shared != nil {
		sh = p.Shared("locmem:"+p.Config.Location, create).(*shared)
	} else {
		sh = create().(*shared)
	}
	if p.Config.CullFrequency < 0 {
		return nil, fmt.Errorf("locmem %q: CULL_FREQUENCY must not be negative", p.Config.Location)
	}
	return &Store{s: sh, maxEntries: p.Config.MaxEntries, cullFrequency: p.Config.CullFrequency, now: p.Now, onEvict: p.OnEvict}, nil
}

func (st *Store) nowNano() int64 { return st.now().UnixNano() }

func expNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if n := t.UnixNano(); n != 0 {
		return n
	}
	return 1
}

// expired is Django's locmem rule: expiry <= now.
func (e *entry) expired(now int64) bool { return e.exp != 0 && e.exp <= now }

// Get returns the value and moves the key to the most recently used end.
func (st *Store) Get(_ context.Context, key string) ([]byte, bool, error) {
	st.s.mu.RLock()
	v, state := st.read(st.s.items[key])
	if state == expiredEntry {
		st.deleteIfExpired(key, st.nowNano())
	}
	return v, state == liveEntry, nil
}

// GetKeyBytes is Get with the key as bytes (no string is made for the
// lookup): the front's allocation-free path.
func (st *Store) GetKeyBytes(_ context.Context, key []byte) ([]byte, bool, error) {
	st.s.mu.RLock()
	v, state := st.read(st.s.items[string(key)])
	if state == expiredEntry {
		st.deleteIfExpired(string(key), st.nowNano())
	}
	return v, state == liveEntry, nil
}

const (
	missingEntry = iota
	liveEntry
	expiredEntry
)

// read finishes a lookup begun under the read lock, which it releases: a
// live entry becomes the most recently used. The clock is read only for
// entries that can expire.
func (st *Store) read(e *entry) ([]byte, int) {
	s := st.s
	if e == nil {
		s.mu.RUnlock()
		return nil, missingEntry
	}
	if e.exp != 0 && e.expired(st.nowNano()) {
		s.mu.RUnlock()
		return nil, expiredEntry
	}
	e.tick.Store(s.clock.Add(1))
	v := e.val
	s.mu.RUnlock()
	return v, liveEntry
}

func (st *Store) deleteIfExpired(key string, now int64) {
	s := st.s
	s.mu.Lock()
	if e := s.items[key]; e != nil && e.expired(now) {
		delete(s.items, key)
	}
	s.mu.Unlock()
}

// Set stores the value as most recently used, culling first when the store
// holds MAX_ENTRIES or more (Django counts the key being set too).
func (st *Store) Set(_ context.Context, key string, value []byte, exp time.Time) error {
	s := st.s
	s.mu.Lock()
	st.setLocked(key, value, expNano(exp))
	s.mu.Unlock()
	return nil
}

func (st *Store) setLocked(key string, value []byte, exp int64) {
	s := st.s
	if len(s.items) >= st.maxEntries {
		st.cullLocked()
	}
	e := s.items[key]
	if e == nil {
		e = &entry{}
		s.items[key] = e
	}
	e.val, e.exp = value, exp
	e.tick.Store(s.clock.Add(1))
}

// cullLocked is Django's _cull: CULL_FREQUENCY 0 empties the store, else the
// len/CULL_FREQUENCY least recently used entries go.
func (st *Store) cullLocked() {
	s := st.s
	n := len(s.items)
	if n == 0 {
		return
	}
	if st.cullFrequency == 0 {
		clear(s.items)
		st.onEvict(n)
		return
	}
	k := n / st.cullFrequency
	if k == 0 {
		return
	}
	type kt struct {
		key  string
		tick uint64
	}
	all := make([]kt, 0, n)
	for key, e := range s.items {
		all = append(all, kt{key, e.tick.Load()})
	}
	slices.SortFunc(all, func(a, b kt) int {
		switch {
		case a.tick < b.tick:
			return -1
		case a.tick > b.tick:
			return 1
		}
		return 0
	})
	for _, x := range all[:k] {
		delete(s.items, x.key)
	}
	st.onEvict(k)
}

// Add stores the value if the key is missing or expired.
func (st *Store) Add(_ context.Context, key string, value []byte, exp time.Time) (bool, error) {
	now := st.nowNano()
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.items[key]; e != nil && !e.expired(now) {
		return false, nil
	}
	st.setLocked(key, value, expNano(exp))
	return true, nil
}

// Touch sets a new expiry on a live key without changing its LRU position.
func (st *Store) Touch(_ context.Context, key string, exp time.Time) (bool, error) {
	now := st.nowNano()
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.items[key]
	if e == nil || e.expired(now) {
		return false, nil
	}
	e.exp = expNano(exp)
	return true, nil
}

// Delete removes the key and reports whether it was there.
func (st *Store) Delete(_ context.Context, key string) (bool, error) {
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[key]
	delete(s.items, key)
	return ok, nil
}

// Has reports whether the key is live; an expired key is deleted. It does
// not change the LRU order.
func (st *Store) Has(_ context.Context, key string) (bool, error) {
	now := st.nowNano()
	s := st.s
	s.mu.RLock()
	e := s.items[key]
	s.mu.RUnlock()
	if e == nil {
		return false, nil
	}
	if e.expired(now) {
		st.deleteIfExpired(key, now)
		return false, nil
	}
	return true, nil
}

// Incr adds delta to a stored integer, keeps its expiry and makes it the
// most recently used key.
func (st *Store) Incr(_ context.Context, key string, delta int64) (int64, error) {
	now := st.nowNano()
	s := st.s
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.items[key]
	if e == nil || e.expired(now) {
		delete(s.items, key)
		return 0, fmt.Errorf("Key '%s' not found: %w", key, cache.ErrNotFound)
	}
	n, err := strconv.ParseInt(string(e.val), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("incr %q: %w", key, cache.ErrNotInteger)
	}
	n += delta
	e.val = strconv.AppendInt(nil, n, 10)
	e.tick.Store(s.clock.Add(1))
	return n, nil
}

// Clear empties the LOCATION's store (every alias sharing it).
func (st *Store) Clear(context.Context) error {
	s := st.s
	s.mu.Lock()
	clear(s.items)
	s.mu.Unlock()
	return nil
}

// Close does nothing: the data stays for the other aliases of the LOCATION.
func (st *Store) Close() error { return nil }

// Len returns the number of entries, expired ones included.
func (st *Store) Len() int {
	st.s.mu.RLock()
	defer st.s.mu.RUnlock()
	return len(st.s.items)
}
