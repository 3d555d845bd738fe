// Package locmem is Django's LocMemCache: an in-process store with LRU
// order, MAX_ENTRIES and CULL_FREQUENCY exactly as Django culls. Aliases
// with the same LOCATION share one store within the process. Registered as
// "locmem" and "django.core.cache.backends.locmem.LocMemCache".
//
// The store is split into shards, each with its own lock, so that reads on
// several cores do not queue on one mutex; the LRU order stays global (a
// tick from one counter), and a cull locks every shard. Sequentially the
// results are Django's exactly; under concurrent sets the MAX_ENTRIES check
// and the insert are not one atomic step, so the store may pass
// MAX_ENTRIES by the number of concurrent writers until the next cull.
package locmem

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
)

func init() {
	cache.Register("locmem", New, "django.core.cache.backends.locmem.LocMemCache")
}

const numShards = 16

type shard struct {
	mu  sync.Mutex // writers only: readers never lock
	tab atomic.Pointer[table]
	_   [48]byte // keep neighbouring shards off one cache line
}

// shared is the state of one LOCATION.
type shared struct {
	shards [numShards]shard
	hasher hasher
	count  atomic.Int64 // entries in all shards, expired ones included
	_      [56]byte
	clock  atomic.Uint64 // LRU tick source
	cullMu sync.Mutex    // one cull at a time
}

func newShared() *shared {
	s := &shared{hasher: newHasher()}
	for i := range s.shards {
		s.shards[i].tab.Store(newTable(16))
	}
	return s
}

// The top bits of a key's hash pick its shard, the low bits its group.
func (s *shared) hash(key string) (*shard, uint64) {
	h := s.hasher.str(key)
	return &s.shards[h>>60], h
}

func (s *shared) hashBytes(key []byte) (*shard, uint64) {
	h := s.hasher.bytes(key)
	return &s.shards[h>>60], h
}

func (s *shared) hashParts(head, key string) (*shard, uint64) {
	h := s.hasher.parts(head, key)
	return &s.shards[h>>60], h
}

// rehash is the hash of a stored key, for table rebuilds.
func (s *shared) rehash(key string) uint64 { return s.hasher.str(key) }

// lockAll and unlockAll take every shard's lock, in index order (the only
// order in which more than one is ever held).
func (s *shared) lockAll() {
	for i := range s.shards {
		s.shards[i].mu.Lock()
	}
}

func (s *shared) unlockAll() {
	for i := range s.shards {
		s.shards[i].mu.Unlock()
	}
}

// LRU ticks: every write (set, add, incr) advances the shared clock by 2
// and stamps its entry with the new, even value; a read stamps its entry
// with the clock's current value made odd. So a read is newer than every
// write before it and older than every write after it, as in Django's LRU,
// and reads write nothing shared. Reads with no write between them share a
// tick: among them a cull picks arbitrarily (Django would drop the one
// read first).

// Store is one alias's view of a LOCATION's shared state.
type Store struct {
	s             *shared
	maxEntries    int
	cullFrequency int
	now           func() time.Time
	onEvict       func(int)
	// incrRule is the serializer's integer rule (cache.Params.Incr): a
	// sum past int64 is an error under the Go codec, a Python big
	// integer under pickle, as Django's locmem adds in Python.
	incrRule func(stored []byte, delta int64) (int64, []byte, error)
}

// New returns the store of p.Config.Location, shared with every alias of the
// same Handler that names the same LOCATION.
func New(p cache.Params) (cache.Store, error) {
	if p.Config.CullFrequency < 0 {
		return nil, fmt.Errorf("locmem %q: CULL_FREQUENCY must not be negative", p.Config.Location)
	}
	create := func() any { return newShared() }
	var sh *shared
	if p.Shared != nil {
		sh = p.Shared("locmem:"+p.Config.Location, create).(*shared)
	} else {
		sh = newShared()
	}
	onEvict := p.OnEvict
	if onEvict == nil {
		onEvict = func(int) {}
	}
	now := p.Now
	if now == nil {
		now = time.Now
	}
	return &Store{s: sh, maxEntries: p.Config.MaxEntries, cullFrequency: p.Config.CullFrequency, now: now, onEvict: onEvict,
		incrRule: p.Incr}, nil
}

func (st *Store) nowNano() int64 { return st.now().UnixNano() }

// The range of Unix nanoseconds an int64 holds (years 1677 to 2262).
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// expNano turns an expiry into the entry's Unix nanoseconds: 0 for never (the
// zero Time, or after year 9999: cache.NeverExpires), clamped to what an
// int64 holds otherwise, since UnixNano wraps outside that range (an expiry
// in year 1 would become a live one). Before 1677 is math.MinInt64, long
// expired; after 2262 is math.MaxInt64, kept as good as forever.
func expNano(t time.Time) int64 {
	switch {
	case cache.NeverExpires(t):
		return 0
	case t.Before(minNanoTime):
		return math.MinInt64
	case t.After(maxNanoTime):
		return math.MaxInt64
	}
	if n := t.UnixNano(); n != 0 {
		return n
	}
	return 1
}

// Get returns the value and moves the key to the most recently used end.
// It takes no lock.
func (st *Store) Get(_ context.Context, key string) ([]byte, bool, error) {
	sh, h := st.s.hash(key)
	return st.read(sh, h, sh.tab.Load().find(key, h))
}

// GetKeyBytes is Get with the key as bytes (no string is made for the
// lookup).
func (st *Store) GetKeyBytes(_ context.Context, key []byte) ([]byte, bool, error) {
	sh, h := st.s.hashBytes(key)
	return st.read(sh, h, sh.tab.Load().findBytes(key, h))
}

// GetKeyParts is Get of the key head+key, never joined: the front's
// allocation-free path for the default key function.
func (st *Store) GetKeyParts(_ context.Context, head, key string) ([]byte, bool, error) {
	sh, h := st.s.hashParts(head, key)
	return st.read(sh, h, sh.tab.Load().findParts(head, key, h))
}

// read finishes a lookup: a live entry becomes the most recently used, an
// expired one is deleted. The clock is read only for entries that can
// expire.
func (st *Store) read(sh *shard, h uint64, e *entry) ([]byte, bool, error) {
	if e == nil {
		return nil, false, nil
	}
	if e.exp != 0 {
		if now := st.nowNano(); e.expired(now) {
			st.deleteEntry(sh, h, e)
			return nil, false, nil
		}
	}
	// A read takes the clock's current value, odd: newer than every write
	// so far, without writing the shared clock.
	if t := st.s.clock.Load() | 1; e.tick.Load() != t {
		e.tick.Store(t)
	}
	return e.bytes(), true, nil
}

// deleteEntry removes e, whose key hashes to h, if its key still holds it.
func (st *Store) deleteEntry(sh *shard, h uint64, e *entry) {
	sh.mu.Lock()
	if sh.tab.Load().remove(e.key(), h, e) {
		st.s.count.Add(-1)
	}
	sh.mu.Unlock()
}

// Set stores the value as most recently used, culling first when the store
// holds MAX_ENTRIES or more (Django counts the key being set too).
func (st *Store) Set(_ context.Context, key string, value []byte, exp time.Time) error {
	e, err := newEntry("", key, nil, value, expNano(exp))
	if err != nil {
		return fmt.Errorf("set %q: %w", key, err)
	}
	st.cullIfFull()
	sh, h := st.s.hash(key)
	sh.mu.Lock()
	st.putLocked(sh, e, h, st.s.clock.Add(2))
	sh.mu.Unlock()
	return nil
}

// SetKeyParts is Set of the key head+key to the value vhead+value, neither
// joined by the caller: the front's single-allocation path for the default
// key function (cache.KeyPartsSetter). The entry is the only allocation;
// nothing given is kept.
func (st *Store) SetKeyParts(_ context.Context, head, key string, vhead, value []byte, exp time.Time) error {
	e, err := newEntry(head, key, vhead, value, expNano(exp))
	if err != nil {
		return fmt.Errorf("set %q: %w", head+key, err)
	}
	st.cullIfFull()
	sh, h := st.s.hash(e.key())
	sh.mu.Lock()
	st.putLocked(sh, e, h, st.s.clock.Add(2))
	sh.mu.Unlock()
	return nil
}

// putLocked stores e, the entry of a key whose hash is h, with the given
// tick; the caller holds sh.mu.
func (st *Store) putLocked(sh *shard, e *entry, h uint64, tick uint64) {
	e.tick.Store(tick)
	tab := sh.tab.Load()
	nt, added := tab.put(e, h, st.s.rehash)
	if added {
		st.s.count.Add(1)
	}
	if nt != tab {
		sh.tab.Store(nt)
	}
}

// cullIfFull is Django's _cull, run before an insert when the store holds
// MAX_ENTRIES or more: CULL_FREQUENCY 0 empties the store, else the
// len/CULL_FREQUENCY least recently used entries go.
func (st *Store) cullIfFull() {
	s := st.s
	if s.count.Load() < int64(st.maxEntries) {
		return
	}
	s.cullMu.Lock()
	defer s.cullMu.Unlock()
	s.lockAll()
	defer s.unlockAll()
	n := 0
	for i := range s.shards {
		n += s.shards[i].tab.Load().live
	}
	if n < st.maxEntries || n == 0 {
		return // another writer culled first
	}
	if st.cullFrequency == 0 {
		for i := range s.shards {
			s.shards[i].tab.Store(newTable(16))
		}
		s.count.Store(0)
		st.onEvict(n)
		return
	}
	k := n / st.cullFrequency
	if k == 0 {
		return
	}
	type victim struct {
		e     *entry
		tick  uint64
		shard int32
		slot  int32
	}
	all := make([]victim, 0, n)
	for i := range s.shards {
		s.shards[i].tab.Load().each(func(slot int, e *entry) { all = append(all, victim{e, e.tick.Load(), int32(i), int32(slot)}) })
	}
	// Only the k oldest are needed: select them instead of sorting all.
	selectSmallest(all, k, func(a, b victim) bool { return a.tick < b.tick })
	for _, v := range all[:k] {
		s.shards[v.shard].tab.Load().removeAt(int(v.slot), v.e)
	}
	s.count.Add(int64(-k))
	st.onEvict(k)
}

// Add stores the value if the key is missing or expired.
func (st *Store) Add(_ context.Context, key string, value []byte, exp time.Time) (bool, error) {
	e, err := newEntry("", key, nil, value, expNano(exp))
	if err != nil {
		return false, fmt.Errorf("add %q: %w", key, err)
	}
	sh, h := st.s.hash(key)
	live := func() bool {
		e := sh.tab.Load().find(key, h)
		return e != nil && !e.expired(st.nowNano())
	}
	if live() {
		return false, nil
	}
	st.cullIfFull()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if live() {
		return false, nil
	}
	st.putLocked(sh, e, h, st.s.clock.Add(2))
	return true, nil
}

// Touch sets a new expiry on a live key without changing its LRU position.
func (st *Store) Touch(_ context.Context, key string, exp time.Time) (bool, error) {
	sh, h := st.s.hash(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.tab.Load().find(key, h)
	if e == nil || e.expired(st.nowNano()) {
		return false, nil
	}
	st.putLocked(sh, e.withExp(expNano(exp)), h, e.tick.Load())
	return true, nil
}

// Delete removes the key and reports whether it was there.
func (st *Store) Delete(_ context.Context, key string) (bool, error) {
	sh, h := st.s.hash(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ok := sh.tab.Load().remove(key, h, nil)
	if ok {
		st.s.count.Add(-1)
	}
	return ok, nil
}

// Has reports whether the key is live; an expired key is deleted. It does
// not change the LRU order.
func (st *Store) Has(_ context.Context, key string) (bool, error) {
	sh, h := st.s.hash(key)
	e := sh.tab.Load().find(key, h)
	if e == nil {
		return false, nil
	}
	if e.expired(st.nowNano()) {
		st.deleteEntry(sh, h, e)
		return false, nil
	}
	return true, nil
}

// Incr adds delta to a stored integer, keeps its expiry and makes it the
// most recently used key.
func (st *Store) Incr(_ context.Context, key string, delta int64) (int64, error) {
	sh, h := st.s.hash(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	tab := sh.tab.Load()
	e := tab.find(key, h)
	if e == nil || e.expired(st.nowNano()) {
		if e != nil && tab.remove(key, h, e) {
			st.s.count.Add(-1)
		}
		return 0, fmt.Errorf("Key '%s' not found: %w", key, cache.ErrNotFound)
	}
	n, stored, err := st.incrRule(e.bytes(), delta)
	if stored == nil {
		return 0, fmt.Errorf("locmem incr %q: %w", key, err)
	}
	ne, err2 := newEntry("", key, nil, stored, e.exp)
	if err2 != nil {
		return 0, fmt.Errorf("locmem incr %q: %w", key, err2)
	}
	st.putLocked(sh, ne, h, st.s.clock.Add(2))
	if err != nil { // stored all the same: a Python big integer or float sum
		return n, fmt.Errorf("locmem incr %q: %w", key, err)
	}
	return n, nil
}

// Clear empties the LOCATION's store (every alias sharing it).
func (st *Store) Clear(context.Context) error {
	s := st.s
	s.lockAll()
	for i := range s.shards {
		s.shards[i].tab.Store(newTable(16))
	}
	s.count.Store(0)
	s.unlockAll()
	return nil
}

// Close does nothing: the data stays for the other aliases of the LOCATION.
func (st *Store) Close() error { return nil }

// Len returns the number of entries, expired ones included.
func (st *Store) Len() int { return int(st.s.count.Load()) }
