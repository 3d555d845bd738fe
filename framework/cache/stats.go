package cache

import (
	"context"
	"sort"
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

	Adds          uint64         // add calls (stored or not)
	Incrs         uint64         // incr and decr calls
	Touches       uint64         // touch calls
	FailOpenSkips uint64         // calls answered without the backend while it rests after an error (IGNORE_EXCEPTIONS)
	ErrorsByOp    [NumOps]uint64 // Errors by operation, indexed by Op
}

type counters struct {
	hits, misses, sets          striped
	deletes, evictions, errors  atomic.Uint64
	adds, incrs, touches, skips atomic.Uint64
	opErrors                    [NumOps]atomic.Uint64
}

// striped is a counter spread over cache lines, so that reads on several
// cores do not all write one line: hits and misses are counted on every get.
type striped struct {
	s [stripes]struct {
		n atomic.Uint64
		_ [56]byte
	}
}

// stripes is the number of cache lines a striped counter spreads over: two
// busy goroutines share one with odds of 1 in 32.
const stripes = 32

// Add adds n to the calling goroutine's stripe. The stripe comes from the
// address of a local variable, its 4 KB page hashed: goroutines run on
// separate stacks, so two goroutines on two cores mostly write two
// different cache lines, which a stripe picked by key would not give (both
// cores see every key).
func (c *striped) Add(n uint64) {
	var here byte
	page := uint64(uintptr(unsafe.Pointer(&here)) >> 12)
	c.s[(page*0x9E3779B97F4A7C15)>>59].n.Add(n)
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
		Hits:          c.hits.Load(),
		Misses:        c.misses.Load(),
		Sets:          c.sets.Load(),
		Deletes:       c.deletes.Load(),
		Evictions:     c.evictions.Load(),
		Errors:        c.errors.Load(),
		Adds:          c.adds.Load(),
		Incrs:         c.incrs.Load(),
		Touches:       c.touches.Load(),
		FailOpenSkips: c.skips.Load(),
		ErrorsByOp:    c.opErrorsSnapshot(),
	}
}

func (c *counters) opErrorsSnapshot() [NumOps]uint64 {
	var out [NumOps]uint64
	for i := range c.opErrors {
		out[i] = c.opErrors[i].Load()
	}
	return out
}

// HitRatio is Hits / (Hits + Misses), 0 before any read.
func (s Stats) HitRatio() float64 {
	if s.Hits+s.Misses == 0 {
		return 0
	}
	return float64(s.Hits) / float64(s.Hits+s.Misses)
}

// FragmentStats are the {% cache %} tag's counters for one fragment name.
type FragmentStats struct {
	Name         string
	Hits, Misses uint64
}

// FragmentCounter counts the reads of one {% cache %} fragment; the
// template tag finds it once, when the template is parsed.
type FragmentCounter struct {
	name         string
	hits, misses striped
}

// Hit counts a fragment served from the cache.
func (f *FragmentCounter) Hit() { f.hits.Add(1) }

// Miss counts a fragment rendered (not found, or the cache unavailable).
func (f *FragmentCounter) Miss() { f.misses.Add(1) }

var fragments counterRegistry[string, FragmentCounter]

// Fragment returns the counter of the fragment name (one per name for the
// process: fragment names are literals in templates, so they are few).
func Fragment(name string) *FragmentCounter {
	return fragments.get(name, func() *FragmentCounter { return &FragmentCounter{name: name} })
}

// Fragments returns every fragment's counters, sorted by name.
func Fragments() []FragmentStats {
	fs := fragments.all()
	out := make([]FragmentStats, 0, len(fs))
	for _, f := range fs {
		out = append(out, FragmentStats{Name: f.name, Hits: f.hits.Load(), Misses: f.misses.Load()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// StoreInfo is what a store can tell about what it holds, for
// `cachestats`: entries and bytes, and what the bytes measure.
type StoreInfo struct {
	Entries   int64  // entries stored (expired ones not yet removed included, where the store cannot tell)
	Bytes     int64  // their size (-1: unknown)
	BytesWhat string // what Bytes measures: "on disk", "values", "server memory"
	Where     string // the directory, table or server
}

// Inspector is implemented by stores that can say what they hold (file,
// db, redis); cachestats reads it.
type Inspector interface {
	Inspect(ctx context.Context) (StoreInfo, error)
}
