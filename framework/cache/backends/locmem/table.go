package locmem

import "sync/atomic"

// table is one shard's hash table: open addressing with linear probing over
// atomic slots, so that readers need no lock at all (a read writes nothing
// shared, and two cores reading do not pass a lock's cache line back and
// forth). Writers hold the shard's mutex. Entries are immutable once stored
// (but for their LRU tick): a write stores a new entry in the slot, a delete
// stores the tombstone, and a table that fills up is rebuilt and swapped in
// whole, so a reader sees either the old table or the new one, both complete.
type table struct {
	slots []atomic.Pointer[entry]
	mask  uint64
	used  int // slots that are not nil: live entries and tombstones
	live  int // live entries
}

// tombstone marks a deleted slot; probing goes on past it. It is never
// changed.
var tombstone = &entry{key: "\x00tombstone"}

func newTable(size int) *table {
	n := 16
	for n < size {
		n <<= 1
	}
	return &table{slots: make([]atomic.Pointer[entry], n), mask: uint64(n - 1)}
}

// find returns the live entry for key, or nil. Safe without the lock.
func (t *table) find(key string, h uint64) *entry {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && e != tombstone && e.key == key {
			return e
		}
	}
}

// findBytes is find for a key held in bytes (no string is made).
func (t *table) findBytes(key []byte, h uint64) *entry {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		e := t.slots[i].Load()
		if e == nil {
			return nil
		}
		if e.hash == h && e != tombstone && e.key == string(key) {
			return e
		}
	}
}

// put stores e under e.key and reports whether it added a new key. The
// caller holds the shard's lock and swaps in the table put returns (it is
// t unless t had to grow). Tables are kept at most half full, so probes
// stay short; the stored hash is compared before the key.
func (t *table) put(e *entry, h uint64) (*table, bool) {
	free := -1
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		cur := t.slots[i].Load()
		if cur == nil {
			if free < 0 {
				free = int(i)
				t.used++
			}
			t.slots[free].Store(e)
			t.live++
			if t.used*2 >= len(t.slots) {
				return t.rebuilt(), true
			}
			return t, true
		}
		if cur == tombstone {
			if free < 0 {
				free = int(i)
			}
			continue
		}
		if cur.key == e.key {
			t.slots[i].Store(e)
			return t, false
		}
	}
}

// remove deletes key if it is there and holds want (any entry when want is
// nil), reporting whether it did. The caller holds the shard's lock.
func (t *table) remove(key string, h uint64, want *entry) bool {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		cur := t.slots[i].Load()
		if cur == nil {
			return false
		}
		if cur != tombstone && cur.key == key {
			if want != nil && cur != want {
				return false
			}
			t.slots[i].Store(tombstone)
			t.live--
			return true
		}
	}
}

// rebuilt returns a new table holding t's live entries, sized for them with
// room to grow (tombstones are dropped).
func (t *table) rebuilt() *table {
	nt := newTable(t.live * 3)
	t.each(func(e *entry) {
		nt.insertNew(e, e.hash)
	})
	return nt
}

// insertNew puts an entry known to be absent into a table being built.
func (t *table) insertNew(e *entry, h uint64) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		if t.slots[i].Load() == nil {
			t.slots[i].Store(e)
			t.used++
			t.live++
			return
		}
	}
}

// each calls f for every live entry.
func (t *table) each(f func(e *entry)) {
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
			f(e)
		}
	}
}
