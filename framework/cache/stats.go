package cache

import "sync/atomic"

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
	hits, misses, sets, deletes, evictions, errors atomic.Uint64
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
