package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
)

// runTiered measures a page-cache hit through a two-tier alias (a locmem
// copy in front of Redis, kept fresh by Redis's invalidations) side by side
// with cache.Page on locmem and on plain Redis: the same handler, the same
// page, the same load.
func runTiered(ctx context.Context, cfg config, rep *report) error {
	dir, err := os.MkdirTemp("", "gojango-bench-tiered-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var buf bytes.Buffer
	if err := rowsTmpl.Execute(&buf, rows); err != nil {
		return err
	}
	body := buf.Bytes()
	redisURL, err := redisTestURL()
	if err != nil {
		return err
	}
	s := pageSettings(dir, redisURL)
	s.Caches["tiered"] = cacheConfig("tiered", "", 300, map[string]any{"SHARED": "redis", "FRONT_MAX_ENTRIES": 10_000})
	if err := cache.Setup(s); err != nil {
		return err
	}
	defer cache.Close()
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	_, perr := cache.Caches("redis").HasKey(pctx, "bench-ping")
	cancel()
	t := rep.table(fmt.Sprintf("Two-tier page hits: cache.Page, requests/s, %d keep-alive clients, %d-byte body, median of %d round(s)", cfg.clients, len(body), cfg.rounds),
		"row", "variant", "requests/s", "min – max", "÷ (t1) locmem", "CPU µs/request", "(t1) CPU ÷ CPU", "allocs/request", "view calls while measured")
	if perr != nil {
		t.add("t*", "two-tier rows", fmt.Sprintf("skipped: Redis at %s unreachable (set GOJANGO_TEST_REDIS_URL): %v", redisURL, perr))
		rep.skipped("two-tier page hit ≥ 0.9 × locmem", "Redis unreachable")
		return nil
	}
	if err := cache.Caches("redis").Clear(ctx); err != nil {
		return err
	}
	defer cache.Caches("redis").Clear(context.Background()) //nolint:errcheck
	// The tiered alias serves its copy only once invalidations flow.
	if st, err := cache.Caches("tiered").Store(); err != nil {
		return err
	} else if err := waitTracking(ctx, st); err != nil {
		return err
	}
	page := func(alias string) func(*atomic.Int64) (http.Handler, error) {
		return func(calls *atomic.Int64) (http.Handler, error) {
			return cache.Page(600, rowsView(calls), cache.Using(alias)), nil
		}
	}
	variants := []pageVariant{
		{id: "t1", name: "cache.Page on locmem", cached: true, handler: page("locmem")},
		{id: "t2", name: "cache.Page on tiered (locmem copy in front of redis, db 12, RESP3 invalidations)", cached: true, handler: page("tiered")},
		{id: "t3", name: "cache.Page on redis (db 12)", cached: true, handler: page("redis")},
	}
	type outcome struct {
		rates, cpus, alloc []float64
		calls              int64
		err                error
	}
	out := map[string]*outcome{}
	for round := range cfg.rounds {
		for _, v := range variants {
			id := "tiered/" + v.id
			if !cfg.exact(id) {
				continue
			}
			o := out[v.id]
			if o == nil {
				o = &outcome{}
				out[v.id] = o
			}
			if o.err != nil {
				continue
			}
			progress("%s (round %d/%d): %s", id, round+1, cfg.rounds, v.name)
			res, calls, err := measurePage(v, cfg, int64(len(body)))
			if err != nil {
				o.err = err
				continue
			}
			o.rates = append(o.rates, res.perSec())
			o.cpus = append(o.cpus, float64(res.cpuPerRequest().Nanoseconds())/1e3)
			o.alloc = append(o.alloc, res.allocsPerRequest())
			o.calls += calls
		}
	}
	rate, cpu := map[string]float64{}, map[string]float64{}
	for _, v := range variants {
		o := out[v.id]
		if o == nil {
			continue
		}
		if o.err != nil {
			t.add(v.id, v.name, "error: "+o.err.Error())
			continue
		}
		rate[v.id], cpu[v.id] = median(o.rates), median(o.cpus)
		ratio, cpuRatio := "", ""
		if l, ok := rate["t1"]; ok && v.id != "t1" {
			ratio, cpuRatio = fmtRatio(rate[v.id]/l), fmtRatio(cpu["t1"]/cpu[v.id])
		}
		t.add(v.id, v.name, fmtRate(rate[v.id]), fmtRate(slices.Min(o.rates))+" – "+fmtRate(slices.Max(o.rates)), ratio,
			fmt.Sprintf("%.1f", cpu[v.id]), cpuRatio, fmt.Sprintf("%.1f", median(o.alloc)), groupThousands(o.calls))
	}
	if t2, ok := rate["t2"]; ok {
		if t3, ok := rate["t3"]; ok {
			t.note("(t2) ÷ (t3), two-tier against plain Redis: %s requests/s, %s CPU", fmtRatio(t2/t3), fmtRatio(cpu["t3"]/cpu["t2"]))
		}
	}
	t.note("A hit on the two-tier alias reads the in-process copy: no network round trip while Redis reports no change to the page's keys.")
	l, okL := rate["t1"]
	x, okX := rate["t2"]
	if !okL || !okX {
		rep.skipped("two-tier page hit ≥ 0.9 × locmem", "not measured")
		return nil
	}
	rep.goal("two-tier page hit ≥ 0.9 × locmem", fmt.Sprintf("%s (%s vs %s req/s)", fmtRatio(x/l), fmtRate(x), fmtRate(l)), x/l >= 0.9)
	return nil
}

// waitTracking waits until the tiered store serves its copy (invalidations
// flowing), probing with a read of a key it has just written.
func waitTracking(ctx context.Context, st cache.Store) error {
	deadline := time.Now().Add(5 * time.Second)
	type tracking interface{ TrackingOn() bool }
	tr, ok := st.(tracking)
	if !ok {
		return nil
	}
	for !tr.TrackingOn() {
		if time.Now().After(deadline) {
			return fmt.Errorf("tiered: invalidations not flowing after 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ctx.Err()
}
