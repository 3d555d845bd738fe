package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"gojango/framework/cache"
)

// Snapshot is the cache framework's numbers at one moment, in a shape for
// pages and JSON (the example's /_cache/ page, `cachestats --json`).
type Snapshot struct {
	Time        time.Time       `json:"time"`
	SampleEvery uint32          `json:"sample_every"` // 0: no latencies (Metrics not observing)
	Aliases     []AliasSnapshot `json:"aliases"`
	Routes      []RouteSnapshot `json:"routes"`
	Fragments   []FragmentCount `json:"fragments"`
}

// AliasSnapshot is one opened alias.
type AliasSnapshot struct {
	Alias         string            `json:"alias"`
	Backend       string            `json:"backend"`
	Hits          uint64            `json:"hits"`
	Misses        uint64            `json:"misses"`
	HitRatio      float64           `json:"hit_ratio"`
	Sets          uint64            `json:"sets"`
	Adds          uint64            `json:"adds"`
	Deletes       uint64            `json:"deletes"`
	Incrs         uint64            `json:"incrs"`
	Touches       uint64            `json:"touches"`
	Evictions     uint64            `json:"evictions"`
	Errors        map[string]uint64 `json:"errors"` // by operation
	FailOpenSkips uint64            `json:"fail_open_skips"`
	Latency       []OpLatency       `json:"latency"` // operations with samples
}

// OpLatency summarises one operation's sampled durations.
type OpLatency struct {
	Op      string  `json:"op"`
	Samples uint64  `json:"samples"`
	MeanSec float64 `json:"mean_seconds"`
	P95Sec  float64 `json:"p95_seconds"` // the upper bound of the bucket holding the 95th percentile
}

// RouteSnapshot is one page route.
type RouteSnapshot struct {
	Route         string            `json:"route"`
	Layer         string            `json:"layer"`
	Alias         string            `json:"alias"`
	Hits          uint64            `json:"hits"`
	Misses        uint64            `json:"misses"`
	HitRatio      float64           `json:"hit_ratio"`
	Stores        uint64            `json:"stores"`
	Stale         uint64            `json:"stale"`
	StampedeWaits uint64            `json:"stampede_waits"`
	Bypasses      map[string]uint64 `json:"bypasses"` // by reason
}

// FragmentCount is one {% cache %} fragment name.
type FragmentCount struct {
	Name   string `json:"name"`
	Hits   uint64 `json:"hits"`
	Misses uint64 `json:"misses"`
}

func ratio(hits, misses uint64) float64 {
	if hits+misses == 0 {
		return 0
	}
	return float64(hits) / float64(hits+misses)
}

// Snapshot reads the numbers now. On a nil *Metrics it reports the
// counters of cache.Current without latencies.
func (m *Metrics) Snapshot() Snapshot {
	h := cache.Current()
	if m != nil {
		h = m.opts.Caches()
	}
	snap := Snapshot{Time: time.Now().UTC(), Aliases: []AliasSnapshot{}, Routes: []RouteSnapshot{}, Fragments: []FragmentCount{}}
	if m != nil && Current() == m {
		snap.SampleEvery = m.opts.SampleEvery
	}
	if h != nil {
		for _, c := range h.Opened() {
			s := c.Stats()
			a := AliasSnapshot{Alias: c.Alias(), Backend: c.Backend(), Hits: s.Hits, Misses: s.Misses, HitRatio: s.HitRatio(),
				Sets: s.Sets, Adds: s.Adds, Deletes: s.Deletes, Incrs: s.Incrs, Touches: s.Touches, Evictions: s.Evictions,
				FailOpenSkips: s.FailOpenSkips, Errors: map[string]uint64{}, Latency: []OpLatency{}}
			for op, n := range s.ErrorsByOp {
				if n > 0 {
					a.Errors[cache.Op(op).String()] = n
				}
			}
			if m != nil {
				a.Latency = m.latencies(c)
			}
			snap.Aliases = append(snap.Aliases, a)
		}
	}
	for _, r := range cache.PageRoutes() {
		rs := RouteSnapshot{Route: r.Route, Layer: r.Layer, Alias: r.Alias, Hits: r.Hits, Misses: r.Misses, HitRatio: ratio(r.Hits, r.Misses),
			Stores: r.Stores, Stale: r.Stale, StampedeWaits: r.StampedeWaits, Bypasses: map[string]uint64{}}
		for reason, n := range r.Bypasses {
			if n > 0 {
				rs.Bypasses[cache.BypassReason(reason).String()] = n
			}
		}
		snap.Routes = append(snap.Routes, rs)
	}
	for _, f := range cache.Fragments() {
		snap.Fragments = append(snap.Fragments, FragmentCount{Name: f.Name, Hits: f.Hits, Misses: f.Misses})
	}
	return snap
}

// latencies reads c's histograms (only those with samples).
func (m *Metrics) latencies(c *cache.Cache) []OpLatency {
	out := []OpLatency{}
	v, ok := m.byCache.Load(c)
	if !ok {
		return out
	}
	for op, o := range v.(*[cache.NumOps]prometheus.Observer) {
		pm, ok := o.(interface{ Write(*dto.Metric) error })
		if !ok {
			continue
		}
		var d dto.Metric
		if err := pm.Write(&d); err != nil || d.Histogram == nil || d.Histogram.GetSampleCount() == 0 {
			continue
		}
		hist := d.Histogram
		n := hist.GetSampleCount()
		l := OpLatency{Op: cache.Op(op).String(), Samples: n, MeanSec: hist.GetSampleSum() / float64(n)}
		want := uint64(float64(n)*0.95 + 0.5)
		l.P95Sec = -1 // past the last bucket
		for _, b := range hist.GetBucket() {
			if b.GetCumulativeCount() >= want {
				l.P95Sec = b.GetUpperBound()
				break
			}
		}
		out = append(out, l)
	}
	return out
}
