package main

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ristretto "github.com/dgraph-io/ristretto/v2"
	otter "github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// kv is the common face of the caches compared: get copies the value into
// *dst (our front's semantics: the caller owns what it got), set stores v
// for 300 s.
type kv interface {
	get(key string, dst *[]byte) bool
	set(key string, v []byte)
}

const valueSize = 100

// ours is gojango's locmem through the public front, from a Handler (so the
// coarse clock is in use).
type ours struct {
	ctx context.Context
	c   *cache.Cache
}

func (o ours) get(k string, dst *[]byte) bool { ok, _ := o.c.Get(o.ctx, k, dst); return ok }
func (o ours) set(k string, v []byte)         { _ = o.c.Set(o.ctx, k, v, 300) }

type otterKV struct{ c *otter.Cache[string, []byte] }

func (o otterKV) get(k string, dst *[]byte) bool {
	v, ok := o.c.GetIfPresent(k)
	if ok {
		*dst = append((*dst)[:0], v...)
	}
	return ok
}
func (o otterKV) set(k string, v []byte) { o.c.Set(k, v) }

type ristrettoKV struct {
	c *ristretto.Cache[string, []byte]
}

func (r ristrettoKV) get(k string, dst *[]byte) bool {
	v, ok := r.c.Get(k)
	if ok {
		*dst = append((*dst)[:0], v...)
	}
	return ok
}
func (r ristrettoKV) set(k string, v []byte) { r.c.SetWithTTL(k, v, 1, 300*time.Second) }

type goCacheKV struct{ c *gocache.Cache }

func (g goCacheKV) get(k string, dst *[]byte) bool {
	v, ok := g.c.Get(k)
	if ok {
		*dst = append((*dst)[:0], v.([]byte)...)
	}
	return ok
}
func (g goCacheKV) set(k string, v []byte) { g.c.Set(k, v, 300*time.Second) }

// goCacheCopyKV is go-cache storing a copy of each value, as Django's
// caches do (locmem pickles) and ours does: the same API, with the copy's
// allocation that go-cache alone leaves to the caller.
type goCacheCopyKV struct{ goCacheKV }

func (g goCacheCopyKV) set(k string, v []byte) { g.c.Set(k, bytes.Clone(v), 300*time.Second) }

// rng is xorshift64*: cheap, per goroutine.
type rng uint64

var seeds atomic.Uint64

func newRng() rng { return rng(seeds.Add(0x9E3779B97F4A7C15) | 1) }

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

// index returns a uniform index below n.
func (r *rng) index(n int) int { return int((r.next() >> 32) * uint64(n) >> 32) }

type dataOp struct {
	id, name string
}

var dataOps = []dataOp{
	{"hit", "get hit"},
	{"miss", "get miss"},
	{"set", "set (overwrite)"},
	{"mix", "90% get / 10% set"},
}

// dataSet is one key count's keys and values.
type dataSet struct {
	label  string
	keys   []string
	miss   []string
	values [][]byte
}

func newDataSet(label string, n int) *dataSet {
	d := &dataSet{label: label, keys: make([]string, n), miss: make([]string, n), values: make([][]byte, n)}
	buf := make([]byte, n*valueSize)
	for i := range n {
		d.keys[i] = fmt.Sprintf("key-%08d", i)
		d.miss[i] = fmt.Sprintf("mis-%08d", i)
		v := buf[i*valueSize : (i+1)*valueSize : (i+1)*valueSize]
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		d.values[i] = v
	}
	return d
}

// benchOp measures op on c over d, single goroutine or GOMAXPROCS; it
// returns the result and the fraction of gets that hit.
func benchOp(c kv, d *dataSet, op string, parallel bool) (testing.BenchmarkResult, float64) {
	var gets, hits atomic.Int64
	n := len(d.keys)
	body := func(next func() bool) {
		r := newRng()
		dst := make([]byte, 0, 2*valueSize)
		var g, h int64
		switch op {
		case "hit":
			for next() {
				g++
				if c.get(d.keys[r.index(n)], &dst) {
					h++
				}
			}
		case "miss":
			for next() {
				g++
				if c.get(d.miss[r.index(n)], &dst) {
					h++
				}
			}
		case "set":
			for next() {
				i := r.index(n)
				c.set(d.keys[i], d.values[i])
			}
		case "mix":
			for next() {
				x := r.next()
				i := int((x >> 32) * uint64(n) >> 32)
				if x&0xffff < 6554 { // 10%
					c.set(d.keys[i], d.values[i])
				} else {
					g++
					if c.get(d.keys[i], &dst) {
						h++
					}
				}
			}
		}
		gets.Add(g)
		hits.Add(h)
	}
	res := testing.Benchmark(func(b *testing.B) {
		if parallel {
			b.RunParallel(func(pb *testing.PB) { body(pb.Next) })
			return
		}
		i := 0
		body(func() bool { i++; return i <= b.N })
	})
	ratio := 1.0
	if g := gets.Load(); g > 0 {
		ratio = float64(hits.Load()) / float64(g)
	}
	return res, ratio
}

type peer struct {
	id, name string
	open     func(d *dataSet) (kv, func() string, func(), error) // the cache, a note after the runs, close
}

func peers(ctx context.Context) []peer {
	return []peer{
		{"ours", "gojango locmem", func(d *dataSet) (kv, func() string, func(), error) {
			s := settings.Default()
			s.Caches = map[string]settings.Cache{"default": cacheConfig("locmem", "bench-data-"+d.label, 2*len(d.keys), nil)}
			h, err := cache.NewHandler(s)
			if err != nil {
				return nil, nil, nil, err
			}
			c, err := h.Cache("default")
			if err != nil {
				return nil, nil, nil, err
			}
			return ours{ctx: ctx, c: c}, nil, func() { _ = h.CloseAll() }, nil
		}},
		{"otter", "otter v2", func(d *dataSet) (kv, func() string, func(), error) {
			c, err := otter.New(&otter.Options[string, []byte]{
				MaximumSize:      2 * len(d.keys),
				InitialCapacity:  len(d.keys),
				ExpiryCalculator: otter.ExpiryWriting[string, []byte](300 * time.Second),
			})
			if err != nil {
				return nil, nil, nil, err
			}
			return otterKV{c}, nil, func() { c.InvalidateAll(); c.StopAllGoroutines() }, nil
		}},
		{"ristretto", "ristretto v2", func(d *dataSet) (kv, func() string, func(), error) {
			c, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
				NumCounters:        int64(10 * len(d.keys)),
				MaxCost:            int64(2 * len(d.keys)),
				BufferItems:        64,
				Metrics:            true,
				IgnoreInternalCost: true,
			})
			if err != nil {
				return nil, nil, nil, err
			}
			note := func() string {
				m := c.Metrics
				return fmt.Sprintf("ristretto at %s keys: %s of %s sets dropped, %s rejected by its admission policy",
					d.label, groupThousands(int64(m.SetsDropped())), groupThousands(int64(m.KeysAdded()+m.KeysUpdated()+m.SetsDropped()+m.SetsRejected())), groupThousands(int64(m.SetsRejected())))
			}
			return ristrettoKV{c}, note, c.Close, nil
		}},
		{"gocache", "patrickmn/go-cache", func(d *dataSet) (kv, func() string, func(), error) {
			c := gocache.New(300*time.Second, 0)
			return goCacheKV{c}, nil, func() { c.Flush() }, nil
		}},
		{"gocache-copy", "go-cache storing a copy", func(d *dataSet) (kv, func() string, func(), error) {
			c := gocache.New(300*time.Second, 0)
			return goCacheCopyKV{goCacheKV{c}}, nil, func() { c.Flush() }, nil
		}},
	}
}

// fill stores every key of d in c, each value a copy of its own (so that
// the heap measured after it holds every cache's values, as ours copies
// them); ristretto drops sets under load, so its keys are set again until
// all are in.
func fill(c kv, d *dataSet) error {
	for i, k := range d.keys {
		c.set(k, bytes.Clone(d.values[i]))
	}
	dst := make([]byte, 0, valueSize)
	for round := 0; ; round++ {
		if r, ok := c.(ristrettoKV); ok {
			r.c.Wait()
		}
		missing := 0
		for i, k := range d.keys {
			if !c.get(k, &dst) {
				missing++
				c.set(k, d.values[i])
			}
		}
		if missing == 0 {
			return nil
		}
		if round == 20 {
			return fmt.Errorf("%d of %d keys still missing after 20 rounds of sets", missing, len(d.keys))
		}
	}
}

type dataKey struct{ op, par string }

func runData(ctx context.Context, cfg config, rep *report) error {
	sizes := []struct {
		label string
		n     int
	}{{"10k", 10_000}, {"1M", 1_000_000}}
	if cfg.quick {
		// testing.Benchmark collects garbage before every run, which with
		// four caches of 1M keys live costs more than -quick's figures.
		sizes[1].label, sizes[1].n = "100k", 100_000
	}
	pars := []struct {
		id    string
		label string
		par   bool
	}{{"1", "1", false}, {"par", fmt.Sprint(runtime.GOMAXPROCS(0)), true}}
	ps := peers(ctx)
	for _, size := range sizes {
		if !cfg.want("data/" + size.label) {
			continue
		}
		d := newDataSet(size.label, size.n)
		// Every selected cache is filled first, then each figure is taken
		// for all of them in turn, so that a burst of load from elsewhere
		// does not fall on one cache's figures only.
		type opened struct {
			p       peer
			c       kv
			note    func() string
			closeFn func()
		}
		var open []opened
		perEntry := map[string]float64{} // heap bytes per stored entry, by cache
		closeAll := func() {
			for _, o := range open {
				o.closeFn()
			}
		}
		for _, p := range ps {
			base := "data/" + size.label + "/" + p.id
			if !cfg.want(base) {
				continue
			}
			before := heapInUse()
			c, note, closeFn, err := p.open(d)
			if err != nil {
				closeAll()
				return fmt.Errorf("%s: %w", p.name, err)
			}
			open = append(open, opened{p, c, note, closeFn})
			progress("%s: filling %d keys", base, size.n)
			if err := fill(c, d); err != nil {
				closeAll()
				return fmt.Errorf("%s: fill: %w", p.name, err)
			}
			perEntry[p.id] = float64(heapInUse()-before) / float64(size.n)
		}
		results := map[dataKey]map[string]testing.BenchmarkResult{}
		hitRatio := map[string]float64{}
		for _, op := range dataOps {
			for _, par := range pars {
				for _, o := range open {
					id := "data/" + size.label + "/" + o.p.id + "/" + op.id + "/" + par.id
					if !cfg.exact(id) || (o.p.id == "gocache-copy" && op.id != "set" && op.id != "mix") {
						continue // the copy changes only what a set does
					}
					progress("%s", id)
					res, ratio := benchOp(o.c, d, op.id, par.par)
					k := dataKey{op.id, par.id}
					if results[k] == nil {
						results[k] = map[string]testing.BenchmarkResult{}
					}
					results[k][o.p.id] = res
					if op.id == "hit" && ratio < 0.999 {
						hitRatio[o.p.name+", "+par.label+" goroutine(s)"] = ratio
					}
				}
			}
		}
		var notes []string
		var allocsHit float64 = -1
		for _, o := range open {
			if oc, ok := o.c.(ours); ok && cfg.exact("data/"+size.label+"/ours/hit") {
				dst := make([]byte, 0, 2*valueSize)
				i := 0
				allocsHit = testing.AllocsPerRun(10000, func() {
					_, _ = oc.c.Get(ctx, d.keys[i%len(d.keys)], &dst)
					i++
				})
			}
			if o.note != nil {
				notes = append(notes, o.note())
			}
		}
		closeAll()
		open = nil
		dataTable(rep, cfg, size.label, pars[1].label, results, hitRatio, notes, allocsHit, perEntry)
		d = nil
		runtime.GC()
	}
	return nil
}

// heapInUse is the live heap after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// dataGoals are the minimum ratios (peer ns/op ÷ ours) for every
// op of the table, by peer.
var dataGoals = []struct {
	peer, name string
	min        float64
}{{"gocache", "go-cache", 1.0}, {"otter", "otter", 0.8}}

// maxBytesPerEntry is the memory goal for a 100-byte locmem entry.
const maxBytesPerEntry = 210

func dataTable(rep *report, cfg config, size, procs string, results map[dataKey]map[string]testing.BenchmarkResult, hitRatio map[string]float64, notes []string, allocsHit float64, perEntry map[string]float64) {
	t := rep.table(fmt.Sprintf("Data API, %s keys, %d-byte []byte values: ns/op (allocs/op)", size, valueSize),
		"op", "goroutines", "gojango locmem", "otter v2", "ristretto v2", "go-cache", "go-cache storing a copy", "ours ÷ otter", "ours ÷ ristretto", "ours ÷ go-cache", "ours ÷ go-cache storing a copy")
	cell := func(r testing.BenchmarkResult, ok bool) string {
		if !ok {
			return "-"
		}
		return fmt.Sprintf("%s (%d)", fmtNs(float64(r.T.Nanoseconds())/float64(r.N)), r.AllocsPerOp())
	}
	nsOp := func(r testing.BenchmarkResult) float64 { return float64(r.T.Nanoseconds()) / float64(r.N) }
	for _, op := range dataOps {
		for _, par := range []struct{ id, label string }{{"1", "1"}, {"par", procs}} {
			m := results[dataKey{op.id, par.id}]
			if m == nil {
				continue
			}
			o, okO := m["ours"]
			row := []string{op.name, par.label, cell(o, okO)}
			peerIDs := []string{"otter", "ristretto", "gocache", "gocache-copy"}
			for _, p := range peerIDs {
				r, ok := m[p]
				row = append(row, cell(r, ok))
			}
			for _, p := range peerIDs {
				r, ok := m[p]
				if !ok || !okO {
					row = append(row, "-")
					continue
				}
				row = append(row, fmtRatio(nsOp(r)/nsOp(o)))
			}
			t.add(row...)
			if op.id == "mix" || !okO {
				continue
			}
			for _, g := range dataGoals {
				r, ok := m[g.peer]
				text := fmt.Sprintf("locmem %s ≥ %.1f × %s (%s keys, %s goroutine(s))", op.name, g.min, g.name, size, par.label)
				if !ok {
					rep.skipped(text, "not measured")
					continue
				}
				x := nsOp(r) / nsOp(o)
				rep.goal(text, fmt.Sprintf("%s (%s vs %s)", fmtRatio(x), fmtNs(nsOp(o)), fmtNs(nsOp(r))), x >= g.min)
			}
		}
	}
	if len(perEntry) > 0 {
		var cells []string
		for _, p := range []struct{ id, name string }{{"ours", "gojango locmem"}, {"otter", "otter"}, {"ristretto", "ristretto"}, {"gocache", "go-cache"}} {
			if b, ok := perEntry[p.id]; ok {
				cells = append(cells, fmt.Sprintf("%s %.0f", p.name, b))
			}
		}
		t.note("Heap per entry after filling %s keys (live heap after two GCs, divided by the keys; every cache holds its own copy of each value; ours also holds its own `\":1:\"` key strings, the peers the benchmark's): %s bytes.", size, strings.Join(cells, ", "))
		if b, ok := perEntry["ours"]; ok {
			rep.goal(fmt.Sprintf("locmem heap per %d-byte entry ≤ %d bytes (%s keys)", valueSize, maxBytesPerEntry, size), fmt.Sprintf("%.0f bytes", b), b <= maxBytesPerEntry)
		}
	}
	t.note("go-cache keeps the caller's slice as it is given; ours copies every value on set, as Django's caches do (locmem pickles it), so a caller changing its slice afterwards does not change the cache. \"go-cache storing a copy\" is go-cache given `bytes.Clone(v)`: the same work as ours on a set (measured for set and the mix only; its gets are go-cache's). The goals compare with go-cache as it is.")
	t.note("ours is `cache.Cache.Get(ctx, key, &dst)` into a reused `[]byte` and `Set(ctx, key, v, 300)` on a locmem alias from `cache.NewHandler` (coarse clock), MAX_ENTRIES = 2 × keys. The peers are used through their own APIs with a 300 s TTL and capacity 2 × keys; their gets copy the value into the same reused destination, so every cache hands back bytes the caller owns.")
	t.note("Keys are picked uniformly at random per op; `ours ÷ peer` is peer ns/op ÷ our ns/op: above 1 means we are faster. Each figure is one testing.Benchmark run of about %s, the caches taken in turn for each figure; every cache is called through the same small interface.", cfg.duration)
	for k, v := range hitRatio {
		t.note("get hit on %s found only %.1f%% of the keys it asked for", k, 100*v)
	}
	for _, n := range notes {
		t.note("%s", n)
	}
	if allocsHit >= 0 {
		rep.goal(fmt.Sprintf("[]byte get hit allocates 0 (%s keys, testing.AllocsPerRun)", size), fmt.Sprintf("%.2f allocs/op", allocsHit), allocsHit == 0)
	}
}
