package cache

import "sync"

// counterRegistry is a process-wide set of counters by name (page routes,
// template fragments): made on first use, never removed, listed for the
// metrics. The names are few (routes and fragment names are literals in
// the code and templates).
type counterRegistry[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*V
}

// get returns k's counters, made by mk the first time.
func (r *counterRegistry[K, V]) get(k K, mk func() *V) *V {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.m[k]; v != nil {
		return v
	}
	if r.m == nil {
		r.m = map[K]*V{}
	}
	v := mk()
	r.m[k] = v
	return v
}

// all returns every counter set, in no order.
func (r *counterRegistry[K, V]) all() []*V {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*V, 0, len(r.m))
	for _, v := range r.m {
		out = append(out, v)
	}
	return out
}
