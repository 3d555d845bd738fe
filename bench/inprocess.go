package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"gojango/framework/cache"
)

// runInProcess measures a page hit without the network: each operation is
// a new request and a new recorder handed to the handler, as a server hands
// them, against a plain handler writing the same headers and body. The
// page cache's cost is the difference; its goals are at most 1.25x the
// plain handler's ns/op and at most 10 allocations of its own.
func runInProcess(ctx context.Context, cfg config, rep *report) error {
	dir, err := os.MkdirTemp("", "gojango-bench-inprocess-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var body bytes.Buffer
	if err := rowsTmpl.Execute(&body, rows); err != nil {
		return err
	}
	s := pageSettings(dir, "")
	if err := cache.Setup(s); err != nil {
		return err
	}
	defer cache.Close()
	hh, err := hitHeaders()
	if err != nil {
		return err
	}
	var calls atomic.Int64
	site, err := perSite(s, "locmem", rowsView(&calls))
	if err != nil {
		return err
	}
	rowsOf := []struct {
		id, name string
		h        http.Handler
	}{
		{"p", "plain handler writing a hit's headers and body", plainWithHeaders(body.Bytes(), hh)},
		{"b", "cache.Page on locmem, hit", cache.Page(600, rowsView(&calls), cache.Using("locmem"))},
		{"c", "per-site middleware (Update + Fetch) on locmem, hit", site},
	}
	t := rep.table(fmt.Sprintf("Page hit in process: a new request and recorder per operation, %d-byte body", body.Len()),
		"row", "variant", "ns/op", "allocs/op", "÷ (p) plain ns/op", "allocs beyond (p)")
	type result struct{ ns, allocs float64 }
	got := map[string]result{}
	for _, row := range rowsOf {
		id := "inprocess/" + row.id
		if !cfg.exact(id) {
			continue
		}
		progress("%s: %s", id, row.name)
		for range 2 { // store, then a hit: the figure is hits only
			row.h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://127.0.0.1/rows/", nil))
		}
		before := calls.Load()
		h := row.h
		br := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "http://127.0.0.1/rows/", nil))
			}
		})
		if row.id != "p" && calls.Load() != before {
			return fmt.Errorf("%s: the view ran %d times while measuring hits", id, calls.Load()-before)
		}
		r := result{float64(br.NsPerOp()), float64(br.AllocsPerOp())}
		got[row.id] = r
		ratio, extra := "", ""
		if p, ok := got["p"]; ok && row.id != "p" {
			ratio = fmtRatio(r.ns / p.ns)
			extra = fmt.Sprintf("%.0f", r.allocs-p.allocs)
		}
		t.add(row.id, row.name, fmt.Sprintf("%d", br.NsPerOp()), fmt.Sprintf("%d", br.AllocsPerOp()), ratio, extra)
	}
	t.note("Each operation makes an httptest request and recorder (what a server's connection hands a handler) and serves it; the plain row is the floor. One testing.Benchmark run of about %s each.", cfg.duration)
	p, okP := got["p"]
	for _, g := range []struct{ id, what string }{{"b", "cache.Page"}, {"c", "per-site"}} {
		x, ok := got[g.id]
		if !ok || !okP {
			rep.skipped(g.what+" hit in process ≤ 1.25 × plain, ≤ 10 allocations of its own", "not measured")
			continue
		}
		rep.goal(g.what+" hit in process ≤ 1.25 × plain ns/op", fmt.Sprintf("%s (%.0f vs %.0f ns)", fmtRatio(x.ns/p.ns), x.ns, p.ns), x.ns/p.ns <= 1.25)
		rep.goal(g.what+" hit in process: ≤ 10 allocations of its own", fmt.Sprintf("%.0f", x.allocs-p.allocs), x.allocs-p.allocs <= 10)
	}
	return nil
}
