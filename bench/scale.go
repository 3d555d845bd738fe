package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3"

	"gojango/framework/cache"
	dbcache "gojango/framework/cache/backends/db"
	"gojango/framework/settings"
)

// scaleResult is the cost of sets at one bound.
type scaleResult struct {
	bound   int
	fill    time.Duration // pre-filling to the bound
	sets    int
	total   time.Duration
	p50     time.Duration
	p99     time.Duration
	slowest time.Duration
}

func (r scaleResult) perSet() time.Duration { return r.total / time.Duration(r.sets) }

// measureSets sets n new keys through c, one at a time, and times them:
// the total and the distribution of single sets.
func measureSets(ctx context.Context, c *cache.Cache, r *scaleResult) error {
	v := bytes.Repeat([]byte("v"), valueSize)
	lat := make([]time.Duration, r.sets)
	keys := make([]string, r.sets)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%08d", i)
	}
	start := time.Now()
	prev := start
	for i, k := range keys {
		if err := c.Set(ctx, k, v, 300); err != nil {
			return err
		}
		now := time.Now()
		lat[i] = now.Sub(prev)
		prev = now
	}
	r.total = time.Since(start)
	slices.Sort(lat)
	r.p50, r.p99, r.slowest = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	return nil
}

// scaleCache opens a one-alias Handler over cfg.
func scaleCache(dir string, cfg settings.Cache) (*cache.Handler, *cache.Cache, error) {
	s := settings.Default()
	s.BaseDir = dir
	s.Databases["scale"] = settings.Database{Engine: "sqlite3", Name: filepath.Join(dir, "scale.sqlite3"), Options: map[string]any{}}
	s.Caches = map[string]settings.Cache{"default": cfg}
	h, err := cache.NewHandler(s)
	if err != nil {
		return nil, nil, err
	}
	c, err := h.Cache("default")
	if err != nil {
		return nil, nil, err
	}
	return h, c, nil
}

// fileAt pre-fills a file cache to bound-1 entries, then times sets of new
// keys (a cull comes every bound/3 of them).
func fileAt(ctx context.Context, bound, sets int) (scaleResult, error) {
	dir, err := os.MkdirTemp("", "gojango-bench-file-")
	if err != nil {
		return scaleResult{}, err
	}
	defer os.RemoveAll(dir)
	h, c, err := scaleCache(dir, cacheConfig("file", filepath.Join(dir, "cache"), bound, nil))
	if err != nil {
		return scaleResult{}, err
	}
	defer h.CloseAll()
	v := bytes.Repeat([]byte("f"), valueSize)
	start := time.Now()
	for i := range bound - 1 {
		if err := c.Set(ctx, fmt.Sprintf("fill-%08d", i), v, 300); err != nil {
			return scaleResult{}, err
		}
	}
	r := scaleResult{bound: bound, fill: time.Since(start), sets: sets}
	// Write the pre-fill's dirty pages out before timing: otherwise the
	// kernel's writeback of 100k fresh files lands in the timed sets of the
	// big bound only, and the ratio measures the page cache, not the store.
	syscall.Sync()
	return r, measureSets(ctx, c, &r)
}

// dbAt creates the table with the store's CreateTable, pre-fills it to
// bound rows with multi-row INSERTs in one transaction (values base64 as
// the store writes them), then times sets of new keys.
func dbAt(ctx context.Context, bound, sets int) (scaleResult, error) {
	dir, err := os.MkdirTemp("", "gojango-bench-db-")
	if err != nil {
		return scaleResult{}, err
	}
	defer os.RemoveAll(dir)
	h, c, err := scaleCache(dir, cacheConfig("db", "bench_scale", bound, map[string]any{"DATABASE": "scale"}))
	if err != nil {
		return scaleResult{}, err
	}
	defer h.CloseAll()
	st, err := c.Store()
	if err != nil {
		return scaleResult{}, err
	}
	if _, _, err := st.(*dbcache.Store).CreateTable(ctx, false); err != nil {
		return scaleResult{}, err
	}
	start := time.Now()
	if err := prefillDB(ctx, filepath.Join(dir, "scale.sqlite3"), "bench_scale", bound); err != nil {
		return scaleResult{}, err
	}
	r := scaleResult{bound: bound, fill: time.Since(start), sets: sets}
	return r, measureSets(ctx, c, &r)
}

func prefillDB(ctx context.Context, path, table string, n int) error {
	x, err := sqlx.Open("sqlite3", path+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer x.Close()
	// The value column: base64 of the encoded []byte (tag 0x01, then the bytes).
	raw := append([]byte{0x01}, bytes.Repeat([]byte("f"), valueSize)...)
	value := base64.StdEncoding.EncodeToString(raw)
	expires := time.Now().Add(300 * time.Second).UTC().Truncate(time.Second).Format("2006-01-02 15:04:05.999999")
	const perStmt = 1000 // 3000 parameters, under SQLite's 32766
	tx, err := x.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmtFor := func(rows int) string {
		return `INSERT INTO "` + table + `" ("cache_key", "value", "expires") VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", rows), ", ")
	}
	full, err := tx.PreparexContext(ctx, stmtFor(perStmt))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, 3*perStmt)
	for i := 0; i < n; i += perStmt {
		rows := min(perStmt, n-i)
		args = args[:0]
		for j := range rows {
			args = append(args, fmt.Sprintf(":1:fill-%08d", i+j), value, expires)
		}
		if rows == perStmt {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, stmtFor(rows), args...)
		}
		if err != nil {
			return fmt.Errorf("insert rows %d..%d: %w", i, i+rows, err)
		}
	}
	return tx.Commit()
}

func runScale(ctx context.Context, cfg config, rep *report) error {
	t := rep.table("Scale: cost per set of a new key at the MAX_ENTRIES bound (CULL_FREQUENCY 3)",
		"backend", "MAX_ENTRIES (pre-filled)", "pre-fill took", "sets timed", "per set (mean)", "median", "p99", "slowest set", "big ÷ small (mean)")
	cases := []struct {
		id, name    string
		small, big  int
		at          func(context.Context, int, int) (scaleResult, error)
		fillComment string
	}{
		{"file", "file", 1_000, 100_000, fileAt, "through Cache.Set"},
		{"db", "db (SQLite, WAL)", 1_000, 1_000_000, dbAt, "multi-row INSERTs in one transaction"},
	}
	for _, k := range cases {
		if !cfg.exact("scale/" + k.id) {
			continue
		}
		// One full cull cycle of the big bound, the same count for both.
		sets := k.big / 3
		var res []scaleResult
		for _, bound := range []int{k.small, k.big} {
			progress("scale/%s: bound %d, %d sets", k.id, bound, sets)
			r, err := k.at(ctx, bound, sets)
			if err != nil {
				return fmt.Errorf("%s at %d: %w", k.name, bound, err)
			}
			res = append(res, r)
		}
		ratio := float64(res[1].perSet()) / float64(res[0].perSet())
		for i, r := range res {
			rc := ""
			if i == 1 {
				rc = fmtRatio(ratio)
			}
			t.add(k.name, groupThousands(int64(r.bound)), fmtDur(r.fill)+" ("+k.fillComment+")", groupThousands(int64(r.sets)),
				fmtDur(r.perSet()), fmtDur(r.p50), fmtDur(r.p99), fmtDur(r.slowest), rc)
		}
		rep.goal(fmt.Sprintf("%s: per-set cost at %s ÷ at %s ≤ 1.5", k.name, groupThousands(int64(k.big)), groupThousands(int64(k.small))),
			fmt.Sprintf("%s (%s vs %s)", fmtRatio(ratio), fmtDur(res[1].perSet()), fmtDur(res[0].perSet())), ratio <= 1.5)
	}
	t.note("Each bound is pre-filled (file: bound-1 entries, db: bound rows), then the same number of sets of new keys is timed: one full cull cycle of the big bound (big/3 sets), so both sizes pay for the culls they cause (the small bound culls every ~333 sets, the big one once). \"slowest set\" is the longest single Set: the one that culls.")
	t.note("Sets go through the public front (`cache.Cache.Set`, 100-byte []byte values, timeout 300). These figures are set counts, not -duration.")
	return nil
}
