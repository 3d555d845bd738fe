package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Culling, as Django's DatabaseCache._cull, without its COUNT(*) on every
// write.
//
// Django counts the table before every set/add/touch and culls when the
// count exceeds MAX_ENTRIES (strictly greater, unlike locmem's >=):
//
//   - CULL_FREQUENCY 0: DELETE every row.
//   - else DELETE the rows with expires < now; if the rows remaining still
//     exceed MAX_ENTRIES, delete the remaining//CULL_FREQUENCY
//     lexicographically smallest keys: SELECT cache_key ... ORDER BY
//     cache_key LIMIT 1 OFFSET n, then DELETE ... WHERE cache_key < it.
//
// On a large table that COUNT(*) dominates the cost of a write (Django
// ticket #32785). Here the Store keeps an estimate of the row count instead:
//
//   - The first write (set, add, or an item of set_many) runs COUNT(*).
//   - Every write since knows whether it created a row (each dialect's
//     upsert and add report it), and deletes, get's removal of expired rows,
//     incr's removal of an expired row, culls and clear subtract what they
//     removed. So for this Store's own writes the estimate is exact.
//   - Before each write, when the estimate exceeds MAX_ENTRIES, the Store
//     culls exactly as Django would with that count (the estimate stands for
//     Django's COUNT result).
//   - Other processes (or other Stores on the same table) are invisible to
//     the estimate, so it is re-synchronised by a COUNT(*) once every K
//     writes, K = max(1, MAX_ENTRIES / (2 * max(1, CULL_FREQUENCY))):
//     300 / 3 -> every 50 writes; 1,000,000 / 3 -> every 166,666 writes.
//     Half a cull's worth of rows is the most the table can drift over its
//     bound from others' writes before this Store looks again.
//   - A failed write forgets the estimate: the next write counts again.
//
// Bounds this gives, for N writes through one Store: at most 1 + N/K COUNT
// queries (Django: N), and a table of at most MAX_ENTRIES+1 rows after each
// write when the Store is the only writer (Django's bound: a write sees
// count <= MAX_ENTRIES, then inserts one row).
//
// Touch never creates a row, so it does not take part (Django culls on touch
// too; with an exact estimate that cull could only repeat the one the last
// set already did).
//
// Django quirk kept: with CULL_FREQUENCY 1 the OFFSET equals the row count,
// the SELECT finds no key and nothing is culled beyond expired rows.
type cullState struct {
	mu    sync.Mutex // held across COUNT and cull statements: one cull at a time
	max   int64      // MAX_ENTRIES
	freq  int64      // CULL_FREQUENCY
	every int64      // K: writes between COUNT(*)s
	known bool       // est is meaningful
	est   int64      // estimated rows in the table
	since int64      // writes since the last COUNT(*)
}

func (c *cullState) init(maxEntries, freq int) {
	c.max, c.freq = int64(maxEntries), int64(freq)
	c.every = max(1, c.max/(2*max(1, c.freq)))
}

// beforeWrite runs before a write that may create a row: COUNT(*) when due,
// then Django's cull when the count exceeds MAX_ENTRIES.
func (s *Store) beforeWrite(ctx context.Context) error {
	c := &s.cull
	c.mu.Lock()
	removed, err := s.beforeWriteLocked(ctx)
	c.mu.Unlock()
	if removed > 0 {
		s.onEvict(int(removed))
	}
	return err
}

func (s *Store) beforeWriteLocked(ctx context.Context) (int64, error) {
	c := &s.cull
	if !c.known || c.since >= c.every {
		var n int64
		s.counts.Add(1)
		if err := s.wq().QueryRowContext(ctx, s.sql.count).Scan(&n); err != nil {
			c.known = false
			return 0, fmt.Errorf("db cache %q: count rows: %w", s.table, err)
		}
		c.est, c.known, c.since = n, true, 0
	}
	c.since++
	if c.est <= c.max {
		return 0, nil
	}
	removed, err := s.cullRows(ctx, c.est)
	if err != nil {
		c.known = false
		return removed, fmt.Errorf("db cache %q: cull: %w", s.table, err)
	}
	c.est = max(0, c.est-removed)
	return removed, nil
}

// cullRows is Django's _cull(num) and returns the rows it deleted.
func (s *Store) cullRows(ctx context.Context, num int64) (int64, error) {
	q := s.wq()
	if s.cull.freq == 0 {
		res, err := q.ExecContext(ctx, s.sql.clear)
		if err != nil {
			return 0, err
		}
		return rowsAffected(res)
	}
	now := s.now().UTC().Truncate(time.Second)
	res, err := q.ExecContext(ctx, s.sql.cullExpired, s.timeArg(now))
	if err != nil {
		return 0, err
	}
	deleted, err := rowsAffected(res)
	if err != nil {
		return 0, err
	}
	remaining := num - deleted
	if remaining <= s.cull.max {
		return deleted, nil
	}
	var last string
	err = q.QueryRowContext(ctx, s.sql.cullSelect, remaining/s.cull.freq).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return deleted, nil
	}
	if err != nil {
		return deleted, err
	}
	res, err = q.ExecContext(ctx, s.sql.cullBelow, last)
	if err != nil {
		return deleted, err
	}
	n, err := rowsAffected(res)
	return deleted + n, err
}

// afterWrite records a write's outcome in the estimate.
func (s *Store) afterWrite(inserted bool, err error) {
	c := &s.cull
	c.mu.Lock()
	switch {
	case err != nil:
		c.known = false
	case inserted:
		c.est++
	}
	c.mu.Unlock()
}

// removedRows subtracts rows deleted outside culling from the estimate.
func (s *Store) removedRows(n int64) {
	if n <= 0 {
		return
	}
	c := &s.cull
	c.mu.Lock()
	c.est = max(0, c.est-n)
	c.mu.Unlock()
}

// cleared records that the table was emptied.
func (s *Store) cleared() {
	c := &s.cull
	c.mu.Lock()
	c.est, c.known, c.since = 0, true, 0
	c.mu.Unlock()
}
