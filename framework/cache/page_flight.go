package cache

import (
	"context"
	"sync"
	"time"
)

// pageFlights coordinates requests for a page nobody has stored yet: the
// first one (the leader) renders it, the others wait for the leader to
// finish, bounded by the page cache's StampedeWait.
type pageFlights struct {
	mu sync.Mutex
	m  map[string]*pageFlight
}

type pageFlight struct{ done chan struct{} }

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

func (c *Cache) pageFlights() *pageFlights {
	c.flightsOnce.Do(c.initPageState)
	return c.flights
}

func (c *Cache) pageMemo() *pageMemo {
	c.flightsOnce.Do(c.initPageState)
	return c.memo
}

func (c *Cache) initPageState() {
	c.flights = &pageFlights{m: map[string]*pageFlight{}}
	c.memo = newPageMemo()
}

// release ends the stampede lock this request holds, if any.
func (s *pageState) release() {
	if s.flight != nil {
		s.owner.pageFlights().leave(s.fkey, s.flight)
		s.flight = nil
	}
}
