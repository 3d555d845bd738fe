package locmem

import "sync/atomic"

// table is one shard's hash table: open addressing with linear probing over
// atomic slots, so that readers need no lock at all (a read writes nothing
// shared, and two cores reading do not pass a lock's cache line back and
// forth). Writers hold the shard's mutex. Entries are immutable once stored
// (but for their LRU tick): a write stores a new entry in the slot, a delete
// stores the tombstone, and a table that fills up is rebuilt and swapped in
// whole, so a reader sees either the old table or the new one, both complete.
//
// Beside each slot's entry pointer the table keeps a 32-bit tag from the
// key's hash (tags, 0 for a slot never used). A probe reads tags only, 16
// to a cache line, and follows an entry pointer only when the tag matches:
// a miss touches no entry at all, a hit only its own. Because probes are
// that cheap the table may be three quarters full, which keeps the slots
// at about 12 to 20 bytes per entry.
type table struct {
	tags  []atomic.Uint32
	slots []atomic.Pointer[entry]
	mask  uint64
	used  int // slots that are not empty: live entries and tombstones
	live  int // live entries
}

// tombstone marks a deleted slot; probing goes on past it. It is never
// changed.
var tombstone = &entry{key: "\x00tombstone"}

// Load factors: a table is rebuilt when its used slots (tombstones
// included) reach maxLoad of it, into one whose live entries fill at most
// rebuiltLoad of it, so that rebuilds stay amortised.
const (
	maxLoadNum, maxLoadDen         = 3, 4
	rebuiltLoadNum, rebuiltLoadDen = 13, 20
)

func newTable(size int) *table {
	n := 16
	for n < size {
		n <<= 1
	}
	return &table{tags: make([]atomic.Uint32, n), slots: make([]atomic.Pointer[entry], n), mask: uint64(n - 1)}
}

// tagOf is the slot tag of a hash: bits 28-59 (the top four pick the shard,
// the low ones the slot), never 0.
func tagOf(h uint64) uint32 { return uint32(h>>28) | 1 }

// find returns the live entry for key, or nil. Safe without the lock.
func (t *table) find(key string, h uint64) *entry {
	tag := tagOf(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i].Load() {
		case 0:
			return nil
		case tag:
			// The pointer is stored before the tag: a slot whose tag is
			// set has its entry (or a later one, or the tombstone).
			if e := t.slots[i].Load(); e != tombstone && e.key == key {
				return e
			}
		}
	}
}

// findParts is find for the key head+key, never joined.
func (t *table) findParts(head, key string, h uint64) *entry {
	tag := tagOf(h)
	n := len(head) + len(key)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i].Load() {
		case 0:
			return nil
		case tag:
			if e := t.slots[i].Load(); e != tombstone && len(e.key) == n && e.key[:len(head)] == head && e.key[len(head):] == key {
				return e
			}
		}
	}
}

// findBytes is find for a key held in bytes (no string is made).
func (t *table) findBytes(key []byte, h uint64) *entry {
	tag := tagOf(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i].Load() {
		case 0:
			return nil
		case tag:
			if e := t.slots[i].Load(); e != tombstone && e.key == string(key) {
				return e
			}
		}
	}
}

// put stores e under e.key (whose hash is h) and reports whether it added
// a new key. The caller holds the shard's lock and swaps in the table put
// returns (it is t unless t had to grow); rehash gives the hash of a stored
// key, for the rebuild.
func (t *table) put(e *entry, h uint64, rehash func(string) uint64) (*table, bool) {
	tag := tagOf(h)
	free := -1
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i].Load() {
		case 0:
			if free < 0 {
				free = int(i)
				t.used++
			}
			t.slots[free].Store(e)
			t.tags[free].Store(tag)
			t.live++
			if t.used*maxLoadDen >= len(t.slots)*maxLoadNum {
				return t.rebuilt(rehash), true
			}
			return t, true
		case tag:
			cur := t.slots[i].Load()
			if cur != tombstone && cur.key == e.key {
				t.slots[i].Store(e)
				return t, false
			}
			if cur == tombstone && free < 0 {
				free = int(i)
			}
		default:
			if free < 0 && t.slots[i].Load() == tombstone {
				free = int(i)
			}
		}
	}
}

// remove deletes key if it is there and holds want (any entry when want is
// nil), reporting whether it did. The caller holds the shard's lock.
func (t *table) remove(key string, h uint64, want *entry) bool {
	tag := tagOf(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.tags[i].Load() {
		case 0:
			return false
		case tag:
			if cur := t.slots[i].Load(); cur != tombstone && cur.key == key {
				if want != nil && cur != want {
					return false
				}
				t.slots[i].Store(tombstone)
				t.live--
				return true
			}
		}
	}
}

// removeAt deletes the entry in slot i if it is still e. The caller holds
// the shard's lock.
func (t *table) removeAt(i int, e *entry) bool {
	if t.slots[i].Load() != e {
		return false
	}
	t.slots[i].Store(tombstone)
	t.live--
	return true
}

// rebuilt returns a new table holding t's live entries (tombstones are
// dropped), sized so that they fill at most rebuiltLoad of it.
func (t *table) rebuilt(rehash func(string) uint64) *table {
	n := 16
	for (t.live+1)*rebuiltLoadDen > n*rebuiltLoadNum {
		n <<= 1
	}
	nt := newTable(n)
	t.each(func(_ int, e *entry) {
		nt.insertNew(e, rehash(e.key))
	})
	return nt
}

// insertNew puts an entry known to be absent into a table being built.
func (t *table) insertNew(e *entry, h uint64) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		if t.tags[i].Load() == 0 {
			t.slots[i].Store(e)
			t.tags[i].Store(tagOf(h))
			t.used++
			t.live++
			return
		}
	}
}

// each calls f for every live entry, with its slot.
func (t *table) each(f func(i int, e *entry)) {
	for i := range t.slots {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
			f(i, e)
		}
	}
}
