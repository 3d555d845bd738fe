package locmem

import (
	"errors"
	"math"
	"sync/atomic"
	"unsafe"
)

// entry is one stored value: a 24-byte header followed, in the same
// allocation, by the key's bytes and then the value's. The block is
// allocated as a []byte, so it holds no pointers and the collector never
// scans it; a set allocates once, and a read touches one block for the key
// it compares and the value it copies. Only tick changes after the entry is
// stored: a set, touch or incr stores a new entry, so readers use an entry
// without a lock.
type entry struct {
	tick atomic.Uint64 // last use, for LRU order: higher is more recent
	exp  int64         // expiry, Unix nanoseconds; 0 = never
	klen uint32
	vlen uint32
}

const entryHeader = unsafe.Sizeof(entry{})

// The header's fields sit where a []byte's first 24 bytes are: allocations
// of 8 bytes or more are 8-byte aligned on every platform Go supports, as
// the 64-bit atomic tick needs.
var _ = [1]struct{}{}[entryHeader-24]

// errTooLarge is returned for a key or value of 4 GiB or more.
var errTooLarge = errors.New("locmem: key or value of 4 GiB or more")

// newEntry copies khead+key and vhead+value into a new entry. The Store
// keeps no reference to what it was given, so callers may pass bytes they
// reuse.
func newEntry(khead, key string, vhead, value []byte, exp int64) (*entry, error) {
	n, m := len(khead)+len(key), len(vhead)+len(value)
	if uint64(n) > math.MaxUint32 || uint64(m) > math.MaxUint32 {
		return nil, errTooLarge
	}
	buf := make([]byte, int(entryHeader)+n+m)
	e := (*entry)(unsafe.Pointer(&buf[0]))
	e.exp, e.klen, e.vlen = exp, uint32(n), uint32(m)
	d := buf[entryHeader:]
	d = d[copy(d, khead):]
	d = d[copy(d, key):]
	d = d[copy(d, vhead):]
	copy(d, value)
	return e, nil
}

// withExp is a copy of e with another expiry (its tick is the caller's to
// set).
func (e *entry) withExp(exp int64) *entry {
	size := int(entryHeader) + int(e.klen) + int(e.vlen)
	buf := make([]byte, size)
	copy(buf, unsafe.Slice((*byte)(unsafe.Pointer(e)), size))
	ne := (*entry)(unsafe.Pointer(&buf[0]))
	ne.tick.Store(0)
	ne.exp = exp
	return ne
}

// data is the address of the first byte after the header.
func (e *entry) data() unsafe.Pointer { return unsafe.Add(unsafe.Pointer(e), entryHeader) }

// key returns the stored key, backed by the entry (never modified).
func (e *entry) key() string {
	if e.klen == 0 {
		return ""
	}
	return unsafe.String((*byte)(e.data()), int(e.klen))
}

// bytes returns the stored value, backed by the entry. Callers never
// modify it (cache.Store's contract for values a Store returns).
func (e *entry) bytes() []byte {
	if e.vlen == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(unsafe.Add(e.data(), uintptr(e.klen))), int(e.vlen))
}

// expired is Django's locmem rule: expiry <= now.
func (e *entry) expired(now int64) bool { return e.exp != 0 && e.exp <= now }
