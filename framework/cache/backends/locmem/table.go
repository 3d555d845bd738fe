package locmem

import (
	"math/bits"
	"sync/atomic"
)

// table is one shard's hash table: open addressing over groups of eight
// slots, each group one control word (a tag byte per slot) beside its eight
// entry pointers, all atomic, so that readers need no lock at all (a read
// writes nothing shared, and two cores reading do not pass a lock's cache
// line back and forth). Writers hold the shard's mutex. Entries are
// immutable once stored (but for their LRU tick): a write stores a new
// entry in the slot, a delete empties it, and a table that fills up is
// rebuilt and swapped in whole, so a reader sees either the old table or
// the new one, both complete.
//
// A lookup reads the control word of the key's group and compares all
// eight tags at once (SWAR); it follows an entry pointer only where a tag
// matches, and stops at the first group with a never-used slot. A miss
// usually touches one cache line and no entry; a hit, the group's line and
// its own entry.
type table struct {
	groups []group
	mask   uint64 // len(groups) - 1
	used   int    // slots that are not empty: live entries and deleted slots
	live   int    // live entries
}

const groupSize = 8

type group struct {
	// ctrl holds slot j's tag in byte j: 0 for a slot never used,
	// ctrlDeleted for a deleted one, else the tag of the entry's hash
	// (tagOf). A writer stores a slot's pointer before its tag.
	ctrl  atomic.Uint64
	slots [groupSize]atomic.Pointer[entry]
}

const (
	ctrlDeleted = 0xff
	lsbs        = 0x0101010101010101
	msbs        = 0x8080808080808080
)

// Load factors: a table is rebuilt when its used slots (deleted ones
// included) reach maxLoad of it, into one whose live entries fill at most
// rebuiltLoad of it, so that rebuilds stay amortised.
const (
	maxLoadNum, maxLoadDen         = 3, 4
	rebuiltLoadNum, rebuiltLoadDen = 13, 20
)

// newTable returns an empty table of at least size slots (a power of two,
// 16 or more).
func newTable(size int) *table {
	n := 16
	for n < size {
		n <<= 1
	}
	return &table{groups: make([]group, n/groupSize), mask: uint64(n/groupSize - 1)}
}

// slotCount is the number of slots.
func (t *table) slotCount() int { return len(t.groups) * groupSize }

// tagOf is the slot tag of a hash: bits 52-59 (the top four pick the shard,
// the low ones the group), never 0 or ctrlDeleted.
func tagOf(h uint64) uint64 {
	tag := h >> 52 & 0xff
	switch tag {
	case 0:
		return 1
	case ctrlDeleted:
		return ctrlDeleted - 1
	}
	return tag
}

// zeroBytes returns w with the top bit set in its zero bytes. The lowest
// bit set is always a zero byte; higher ones may be false (a 0x01 byte
// above a zero one), so callers check the byte or the entry.
func zeroBytes(w uint64) uint64 { return (w - lsbs) &^ w & msbs }

// ctrlByte is byte j of a control word.
func ctrlByte(w uint64, j int) uint64 { return w >> (8 * j) & 0xff }

// withCtrl is w with byte j set to b.
func withCtrl(w uint64, j int, b uint64) uint64 {
	return w&^(0xff<<(8*j)) | b<<(8*j)
}

// lookup returns the live entry whose key is equal by eq, or nil; the
// slot's group and index come with it. Safe without the lock.
func (t *table) lookup(h uint64, eq func(*entry) bool) (*entry, *group, int) {
	tag := tagOf(h)
	for g := h & t.mask; ; g = (g + 1) & t.mask {
		gr := &t.groups[g]
		w := gr.ctrl.Load()
		for m := zeroBytes(w ^ lsbs*tag); m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m) >> 3
			if ctrlByte(w, j) != tag {
				continue
			}
			if e := gr.slots[j].Load(); e != nil && eq(e) {
				return e, gr, j
			}
		}
		if zeroBytes(w) != 0 {
			return nil, nil, 0
		}
	}
}

// find returns the live entry for key, or nil. Safe without the lock.
func (t *table) find(key string, h uint64) *entry { return findKey(t, key, h) }

// findBytes is find for a key held in bytes (no string is made).
func (t *table) findBytes(key []byte, h uint64) *entry { return findKey(t, key, h) }

// findKey is lookup with the key comparison written in, for the path of
// every read (no call per candidate); the conversion in the comparison
// makes no string.
func findKey[K string | []byte](t *table, key K, h uint64) *entry {
	tag := tagOf(h)
	for g := h & t.mask; ; g = (g + 1) & t.mask {
		gr := &t.groups[g]
		w := gr.ctrl.Load()
		for m := zeroBytes(w ^ lsbs*tag); m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m) >> 3
			if ctrlByte(w, j) != tag {
				continue
			}
			if e := gr.slots[j].Load(); e != nil && e.key() == string(key) {
				return e
			}
		}
		if zeroBytes(w) != 0 {
			return nil
		}
	}
}

// findParts is find for the key head+key, never joined.
func (t *table) findParts(head, key string, h uint64) *entry {
	n := len(head) + len(key)
	e, _, _ := t.lookup(h, func(e *entry) bool {
		k := e.key()
		return len(k) == n && k[:len(head)] == head && k[len(head):] == key
	})
	return e
}

// put stores e under e.key() (whose hash is h) and reports whether it added
// a new key. The caller holds the shard's lock and swaps in the table put
// returns (it is t unless t had to grow); rehash gives the hash of a stored
// key, for the rebuild.
func (t *table) put(e *entry, h uint64, rehash func(string) uint64) (*table, bool) {
	tag := tagOf(h)
	key := e.key()
	var free *group // the first deleted or empty slot on the probe path
	freeJ := 0
	for g := h & t.mask; ; g = (g + 1) & t.mask {
		gr := &t.groups[g]
		w := gr.ctrl.Load()
		for m := zeroBytes(w ^ lsbs*tag); m != 0; m &= m - 1 {
			j := bits.TrailingZeros64(m) >> 3
			if ctrlByte(w, j) != tag {
				continue
			}
			if cur := gr.slots[j].Load(); cur != nil && cur.key() == key {
				gr.slots[j].Store(e)
				return t, false
			}
		}
		empty := zeroBytes(w)
		if free == nil {
			// The lowest flagged byte of each mask is exact.
			if m := empty | zeroBytes(^w); m != 0 {
				free, freeJ = gr, bits.TrailingZeros64(m)>>3
			}
		}
		if empty != 0 {
			break // the key is not stored beyond the first group with an empty slot
		}
	}
	fw := free.ctrl.Load()
	if ctrlByte(fw, freeJ) == 0 {
		t.used++
	}
	free.slots[freeJ].Store(e)
	free.ctrl.Store(withCtrl(fw, freeJ, tag))
	t.live++
	if t.used*maxLoadDen >= t.slotCount()*maxLoadNum {
		return t.rebuilt(rehash), true
	}
	return t, true
}

// remove deletes key if it is there and holds want (any entry when want is
// nil), reporting whether it did. The caller holds the shard's lock.
func (t *table) remove(key string, h uint64, want *entry) bool {
	cur, gr, j := t.lookup(h, func(e *entry) bool { return e.key() == key })
	if cur == nil || (want != nil && cur != want) {
		return false
	}
	t.clear(gr, j)
	return true
}

// clear deletes the entry of slot j of gr.
func (t *table) clear(gr *group, j int) {
	gr.slots[j].Store(nil)
	gr.ctrl.Store(withCtrl(gr.ctrl.Load(), j, ctrlDeleted))
	t.live--
}

// removeAt deletes the entry in slot i (as each numbers them) if it is
// still e. The caller holds the shard's lock.
func (t *table) removeAt(i int, e *entry) bool {
	gr := &t.groups[i/groupSize]
	j := i % groupSize
	if gr.slots[j].Load() != e {
		return false
	}
	t.clear(gr, j)
	return true
}

// rebuilt returns a new table holding t's live entries (deleted slots are
// dropped), sized so that they fill at most rebuiltLoad of it.
func (t *table) rebuilt(rehash func(string) uint64) *table {
	n := 16
	for (t.live+1)*rebuiltLoadDen > n*rebuiltLoadNum {
		n <<= 1
	}
	nt := newTable(n)
	t.each(func(_ int, e *entry) {
		nt.insertNew(e, rehash(e.key()))
	})
	return nt
}

// insertNew puts an entry known to be absent into a table being built.
func (t *table) insertNew(e *entry, h uint64) {
	for g := h & t.mask; ; g = (g + 1) & t.mask {
		gr := &t.groups[g]
		w := gr.ctrl.Load()
		if m := zeroBytes(w); m != 0 {
			j := bits.TrailingZeros64(m) >> 3
			gr.slots[j].Store(e)
			gr.ctrl.Store(withCtrl(w, j, tagOf(h)))
			t.used++
			t.live++
			return
		}
	}
}

// each calls f for every live entry, with its slot number.
func (t *table) each(f func(i int, e *entry)) {
	for g := range t.groups {
		for j := range t.groups[g].slots {
			if e := t.groups[g].slots[j].Load(); e != nil {
				f(g*groupSize+j, e)
			}
		}
	}
}
