package cache

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// pageFlights coordinates requests for a page variant nobody has stored
// yet (beyond Django): the first one (the leader) renders it, the others
// wait for the leader to finish, bounded by the page cache's StampedeWait.
// A flight is keyed by the variant's GET page key when the URL's header
// list is known, so requests with other Vary'd values (another user's
// cookie) never wait on each other; by the header-list key when it is not
// (the first render of a URL teaches the list).
//
// A render that turns out not to be storable (private, a cookie on a page
// varying on Cookie, ...) releases its waiters at once and marks its key
// for unstorableFor, so later requests for it render without waiting:
// waiting only pays off for a page that will be stored.
type pageFlights struct {
	mu sync.Mutex
	m  map[string]*pageFlight

	seed       maphash.Seed
	unstorable [1024]atomic.Pointer[unstorableMark]
}

type pageFlight struct{ done chan struct{} }

type unstorableMark struct {
	key   string
	until time.Time
}

// unstorableFor is how long a key whose render could not be stored is
// rendered without waiting for other renders of it.
const unstorableFor = time.Minute

func newPageFlights() *pageFlights {
	return &pageFlights{m: map[string]*pageFlight{}, seed: maphash.MakeSeed()}
}

// join returns the flight for key and whether the caller leads it.
func (g *pageFlights) join(key string) (*pageFlight, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.m[key]; ok {
		return f, false
	}
	f := &pageFlight{done: make(chan struct{})}
	g.m[key] = f
	return f, true
}

// leave ends the leader's flight and wakes the waiters.
func (g *pageFlights) leave(key string, f *pageFlight) {
	g.mu.Lock()
	if g.m[key] == f {
		delete(g.m, key)
	}
	g.mu.Unlock()
	close(f.done)
}

func (g *pageFlights) mark(key string) *atomic.Pointer[unstorableMark] {
	return &g.unstorable[maphash.String(g.seed, key)%uint64(len(g.unstorable))]
}

// markUnstorable records that the last render of key could not be stored.
func (g *pageFlights) markUnstorable(key string, now time.Time) {
	g.mark(key).Store(&unstorableMark{key: key, until: now.Add(unstorableFor)})
}

// markStored forgets an unstorable mark of key.
func (g *pageFlights) markStored(key string) {
	m := g.mark(key)
	if cur := m.Load(); cur != nil && cur.key == key {
		m.CompareAndSwap(cur, nil)
	}
}

// isUnstorable reports whether a recent render of key could not be stored.
func (g *pageFlights) isUnstorable(key string, now time.Time) bool {
	cur := g.mark(key).Load()
	return cur != nil && cur.key == key && now.Before(cur.until)
}

// wait blocks until the leader is done (true), or d passes or ctx ends
// (false).
func (f *pageFlight) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.done:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// pageState is what Fetch tells Update about a request (Django's
// request._cache_update_cache), plus the stampede lock it holds.
type pageState struct {
	update   bool
	lookedUp bool         // the fetch side saw the request (else an update-side bypass is its own)
	flights  *pageFlights // the alias's flights, once the request is coordinated
	fkey     string       // the flight key of the request's variant
	flight   *pageFlight  // held while this request leads the render

	// stale pages (page_stale.go)
	refreshing bool          // this is a background refresh
	refresh    *staleRefresh // a stale hit whose refresh this request leads
	fallback   *cachedPage   // the stale page to serve if the render fails
	wasStored  bool          // the render was stored
}

// unstorable records that this request's render is not stored and
// releases its waiters now.
func (s *pageState) unstorable(res *pageResolved) {
	if s.flights != nil && s.fkey != "" {
		s.flights.markUnstorable(s.fkey, res.now())
	}
	s.release()
}

// stored records that this request's render was stored and releases its
// waiters (who will find it).
func (s *pageState) stored() {
	s.wasStored = true
	if s.flights != nil && s.fkey != "" {
		s.flights.markStored(s.fkey)
	}
	s.release()
}

// release ends the stampede lock this request holds, if any.
func (s *pageState) release() {
	if s.flight != nil {
		s.flights.leave(s.fkey, s.flight)
		s.flight = nil
	}
	if s.refresh != nil { // a refresh nobody started (no update side)
		s.refresh.flights.leave(s.refresh.fkey, s.refresh.flight)
		s.refresh = nil
	}
}

// pageShared is the page cache's own state for one alias, shared by every
// PageCache on it (held by the Handler, not by Cache, which every data call
// touches): the stampede flights and the memo of decoded pages.
type pageShared struct {
	flights   *pageFlights
	memo      *pageMemo
	keys      *keyMemo       // the page keys per URL and variant (page_keymemo.go)
	staleSeen atomic.Bool    // a stored response declared a stale window of its own
	refreshes sync.WaitGroup // background refreshes running (page_stale.go)
}

func newPageShared() any {
	return &pageShared{flights: newPageFlights(), memo: newPageMemo(), keys: newKeyMemo()}
}
