package db

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
)

// Benchmarks run on SQLite (a file in a temp dir) with 100-byte values:
//
//	go test -run '^$' -bench . -benchtime 100000x ./framework/cache/backends/db/
//
// BenchmarkSetAt1k and BenchmarkSetAt1M compare the cost of one set of a new
// key in a table held at MAX_ENTRIES = 1,000 and 1,000,000 rows. Django
// runs COUNT(*) before every set, so its cost grows with the table; here the
// estimate (cull.go) keeps it flat. The setup pushes the table over its bound
// once so the timed loop starts right after a cull; culls then come at their
// natural rate (every MAX_ENTRIES/3 sets). count-ns is what one COUNT(*)
// costs on that table, i.e. what Django adds to every set; cull-ns/row is the
// setup cull's time per row it deleted, the amortized cost culling adds to
// each set that created a row.

// benchValue is a 100-byte value.
func benchValue() []byte { return bytes.Repeat([]byte("v"), 100) }

func benchHarness(b *testing.B, maxEntries int) *harness {
	b.Helper()
	return newHarness(b, testDBs()[0], func(p *cache.Params) {
		p.Config.MaxEntries, p.Config.CullFrequency = maxEntries, 3
	})
}

// prefill inserts n rows (keys fill0000000...) in one transaction with
// multi-row INSERTs.
func prefill(b *testing.B, h *harness, n int) {
	b.Helper()
	const perStmt = 500
	ctx := context.Background()
	tx, err := h.s.write.BeginTxx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	value := encodeValue(benchValue())
	exp := h.s.d.TimeArg(storedExpiry(h.at(time.Hour)))
	for start := 0; start < n; start += perStmt {
		rows := min(perStmt, n-start)
		var q strings.Builder
		q.WriteString(`INSERT INTO ` + h.s.d.Quote(h.s.table) + ` ("cache_key", "value", "expires") VALUES `)
		args := make([]any, 0, rows*3)
		for i := range rows {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?)")
			args = append(args, fmt.Sprintf("fill%07d", start+i), value, exp)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkGet(b *testing.B) {
	h := benchHarness(b, 10000)
	prefill(b, h, 1000)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, ok, err := h.s.Get(ctx, fmt.Sprintf("fill%07d", i%1000)); err != nil || !ok {
			b.Fatal(ok, err)
		}
		i++
	}
}

func BenchmarkSet(b *testing.B) {
	h := benchHarness(b, 10000)
	prefill(b, h, 1000)
	ctx := context.Background()
	exp, v := h.at(time.Hour), benchValue()
	i := 0
	for b.Loop() {
		if err := h.s.Set(ctx, fmt.Sprintf("fill%07d", i%1000), v, exp); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchSetAt(b *testing.B, n int) {
	h := benchHarness(b, n)
	prefill(b, h, n)
	ctx := context.Background()
	exp, v := h.at(time.Hour), benchValue()

	// One COUNT(*) on the warm table: what Django pays on every set.
	var countNS int64
	for range 2 {
		start := time.Now()
		var rows int
		if err := h.s.read.QueryRowContext(ctx, h.s.sql.count).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		countNS = time.Since(start).Nanoseconds()
	}

	// Over the bound, then the first cull (timed: it deletes a third of the
	// table, the work culls spread over the next MAX_ENTRIES/3 sets); the
	// loop starts after it.
	var cullNS int64
	for i := range 2 {
		start := time.Now()
		if err := h.s.Set(ctx, fmt.Sprintf("bench-setup%d", i), v, exp); err != nil {
			b.Fatal(err)
		}
		cullNS = time.Since(start).Nanoseconds()
	}
	counts, evicted := h.s.counts.Load(), h.evicted.Load()
	i := 0
	for b.Loop() {
		if err := h.s.Set(ctx, fmt.Sprintf("bench%09d", i), v, exp); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(countNS), "count-ns")
	b.ReportMetric(float64(cullNS)/float64(n/3), "cull-ns/row")
	b.ReportMetric(float64(h.s.counts.Load()-counts), "counts")
	b.ReportMetric(float64(h.evicted.Load()-evicted), "culled")
}

func BenchmarkSetAt1k(b *testing.B) { benchSetAt(b, 1_000) }
func BenchmarkSetAt1M(b *testing.B) { benchSetAt(b, 1_000_000) }
