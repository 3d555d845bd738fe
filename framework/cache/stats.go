package cache

import (
	"sync/atomic"
	"unsafe"
)

// Stats are an alias's counters since the process started.
type Stats struct {
	Hits      uint64 // reads that found a value
	Misses    uint64 // reads that found none
	Sets      uint64 // values written (set, add that stored, set_many items)
	Deletes   uint64 // keys removed by delete/delete_many that existed (delete_many counts keys asked)
	Evictions uint64 // entries the store culled or evicted to stay under MAX_ENTRIES
	Errors    uint64 // backend errors (with IGNORE_EXCEPTIONS: the ones swallowed)
}

type counters struct {
	hits, misses                     striped
	sets, deletes, evictions, errors atomic.Uint64
}

// striped is a counter spread over cache lines, so that reads on several
// cores do not all write one line: hits and misses are counted on every get.
type striped struct {
	s [8]struct {
		n atomic.Uint64
		_ [56]byte
	}
}

// Add adds n to the calling goroutine's stripe. The stripe comes from the
// address of a local variable: goroutines run on separate stacks, so two
// goroutines on two cores mostly write two different cache lines, which a
// stripe picked by key would not give (both cores see every key).
func (c *striped) Add(_ string, n uint64) {
	var here byte
	i := (uintptr(unsafe.Pointer(&here)) >> 12) ^ (uintptr(unsafe.Pointer(&here)) >> 16)
	c.s[i&7].n.Add(n)
}

// Load returns the total.
func (c *striped) Load() uint64 {
	var t uint64
	for i := range c.s {
		t += c.s[i].n.Load()
	}
	return t
}

func (c *counters) snapshot() Stats {
	return Stats{
		Hits:      c.hits.Load(),
		Misses:    c.misses.Load(),
		Sets:      c.sets.Load(),
		Deletes:   c.deletes.Load(),
		Evictions: c.evictions.Load(),
		Errors:    c.errors.Load(),
	}
}
