package cache

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// Observer is told what the cache framework does that its counters do not
// hold: how long backend operations take (sampled), how long page requests
// waited for another request's render, and the route of a request the
// router has not matched yet. framework/metrics implements it with
// Prometheus, so this package never imports Prometheus.
//
// Counts are not reported: they are kept here in striped counters
// (Cache.Stats, PageRoutes, Fragments) and an observer reads them when it
// is scraped, so nothing is counted twice on the hot path.
//
// Methods are called from many goroutines at once and must not block.
type Observer interface {
	// ObserveOp receives the duration of one sampled operation of c (one
	// in SetObserver's sampleEvery calls).
	ObserveOp(c *Cache, op Op, d time.Duration)
	// ObserveWait receives how long a page request waited for another
	// request's render of its page (the stampede lock), and whether that
	// render ended in time.
	ObserveWait(route PageRoute, d time.Duration, served bool)
	// PageRoute returns the route pattern of r for a page cache that runs
	// before the router has matched r (the per-site middleware), e.g.
	// "/articles/{id}/"; "" when no route matches.
	PageRoute(r *http.Request) string
}

type observerBox struct {
	o     Observer
	every uint32 // sample one call in every
}

var observer atomic.Pointer[observerBox]

// SetObserver makes o the process's observer (nil: none, the default).
// sampleEvery is how many operations share one latency sample (1: every
// operation is timed; 0 means 64). Page-route counters are kept only while
// an observer is set.
func SetObserver(o Observer, sampleEvery uint32) {
	if o == nil {
		observer.Store(nil)
		return
	}
	if sampleEvery == 0 {
		sampleEvery = 64
	}
	observer.Store(&observerBox{o: o, every: sampleEvery})
}

// CurrentObserver returns the observer SetObserver set, or nil.
func CurrentObserver() Observer {
	if b := observer.Load(); b != nil {
		return b.o
	}
	return nil
}

// Op names one operation of the cache API, for latency and error counts.
type Op uint8

// The operations; their String is Django's method name.
const (
	OpGet Op = iota
	OpSet
	OpAdd
	OpDelete
	OpIncr
	OpTouch
	OpHasKey
	OpGetMany
	OpSetMany
	OpDeleteMany
	OpClear
	OpOther // anything else (opening the store)
	NumOps  = int(OpOther) + 1
)

var opNames = [NumOps]string{"get", "set", "add", "delete", "incr", "touch", "has_key", "get_many", "set_many", "delete_many", "clear", "other"}

// String is the operation's Django name: "get", "set_many", ...
func (o Op) String() string {
	if int(o) < NumOps {
		return opNames[o]
	}
	return "other"
}

// opOf maps the op names cache.go passes to fail and open (the error path).
func opOf(name string) Op {
	for i, n := range opNames {
		if n == name {
			return Op(i)
		}
	}
	return OpOther
}

// sampleStart reports whether this call is timed, and when it started.
// With no observer it costs one atomic load.
func sampleStart() (time.Time, bool) {
	b := observer.Load()
	if b == nil || (b.every > 1 && rand.Uint32()%b.every != 0) {
		return time.Time{}, false
	}
	return time.Now(), true
}

// sampleEnd reports a timed call of op on c.
func (c *Cache) sampleEnd(op Op, start time.Time) {
	if b := observer.Load(); b != nil {
		b.o.ObserveOp(c, op, time.Since(start))
	}
}

// PageOutcome is what the page cache did with one request, with the
// reason when it did not store or serve the page: the request log and the
// X-Cache header under DEBUG show it.
type PageOutcome struct {
	Result PageResult
	Reason BypassReason // BypassNone unless Result is PageBypass or PageError
}

// String is the outcome as the X-Cache header writes it: "hit", "miss",
// "stale", "bypass; reason=private"; "" when no page cache saw the request.
func (o PageOutcome) String() string {
	if o.Reason != BypassNone {
		return string(o.Result) + "; reason=" + o.Reason.String()
	}
	return string(o.Result)
}

// TrackPageOutcome returns a context in which the page cache records what
// it did into *out. When ctx already tracks one (an outer middleware's),
// that one is returned, so the request log and the X-Cache header agree.
func TrackPageOutcome(ctx context.Context) (context.Context, *PageOutcome) {
	if o, ok := ctx.Value(pageResultKey{}).(*PageOutcome); ok {
		return ctx, o
	}
	o := new(PageOutcome)
	return context.WithValue(ctx, pageResultKey{}, o), o
}

// setPageBypass records a bypass (or an error) and its reason.
func setPageBypass(ctx context.Context, result PageResult, reason BypassReason) {
	if o, ok := ctx.Value(pageResultKey{}).(*PageOutcome); ok {
		o.Result, o.Reason = result, reason
	}
}
