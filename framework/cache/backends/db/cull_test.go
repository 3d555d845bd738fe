package db

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
)

func withCull(maxEntries, freq int) func(*cache.Params) {
	return func(p *cache.Params) {
		p.Config.MaxEntries, p.Config.CullFrequency = maxEntries, freq
	}
}

// Rule 22: MAX_ENTRIES=30, CULL_FREQUENCY=3, keys cull1..cull49 -> 29 rows
// (culls at the 32nd and 42nd sets, 10 smallest keys each).
func TestCullMaxEntries30Frequency3Leaves29(t *testing.T) {
	eachDB(t, withCull(30, 3), func(t *testing.T, h *harness) {
		for i := 1; i < 50; i++ {
			h.set(t, fmt.Sprint("cull", i), "value", 1000*time.Second)
		}
		if n := h.rows(t); n != 29 {
			t.Fatalf("rows = %d, want 29", n)
		}
		if ev := h.evicted.Load(); ev != 20 {
			t.Errorf("OnEvict total = %d, want 20", ev)
		}
		// The culled keys are the lexicographically smallest: cull1, cull10..
		if _, ok := h.get(t, "cull1"); ok {
			t.Error("cull1 survived")
		}
		if _, ok := h.get(t, "cull9"); !ok {
			t.Error("cull9 culled")
		}
	})
}

// Rule 23: CULL_FREQUENCY=0 clears the table when the count exceeds
// MAX_ENTRIES (at the 32nd set for db, not the 31st as locmem): 18 rows.
func TestCullFrequencyZeroClearsAll(t *testing.T) {
	eachDB(t, withCull(30, 0), func(t *testing.T, h *harness) {
		for i := 1; i < 50; i++ {
			h.set(t, fmt.Sprint("cull", i), "value", 1000*time.Second)
		}
		if n := h.rows(t); n != 18 {
			t.Fatalf("rows = %d, want 18", n)
		}
		if ev := h.evicted.Load(); ev != 31 {
			t.Errorf("OnEvict total = %d, want 31", ev)
		}
	})
}

// Rule 24: with MAX_ENTRIES=-1 a set still stores the key (cull on an empty
// table must not fail).
func TestMaxEntriesMinusOneStillStores(t *testing.T) {
	eachDB(t, withCull(-1, 3), func(t *testing.T, h *harness) {
		h.set(t, "force_cull_delete", "value", 1000*time.Second)
		if _, ok := h.get(t, "force_cull_delete"); !ok {
			t.Fatal("key not stored")
		}
	})
}

// Rule 57: a forced cull on a fresh store issues exactly one COUNT query.
func TestForcedCullIssuesOneCount(t *testing.T) {
	eachDB(t, withCull(-1, 3), func(t *testing.T, h *harness) {
		h.set(t, "force_cull", "value", 1000*time.Second)
		if n := h.s.counts.Load(); n != 1 {
			t.Fatalf("COUNT queries = %d, want 1", n)
		}
	})
}

// Django's cull deletes expired rows first and stops there when that is
// enough.
func TestCullDeletesExpiredFirst(t *testing.T) {
	eachDB(t, withCull(5, 3), func(t *testing.T, h *harness) {
		for i := range 6 {
			d := time.Hour
			if i%2 == 0 {
				d = time.Second
			}
			h.set(t, fmt.Sprint("k", i), "v", d)
		}
		h.clock.Advance(2 * time.Second)
		h.set(t, "k6", "v", time.Hour) // count 6 > 5: the 3 expired go
		if n := h.rows(t); n != 4 {
			t.Fatalf("rows = %d, want 4", n)
		}
		for _, k := range []string{"k1", "k3", "k5", "k6"} {
			if _, ok := h.get(t, k); !ok {
				t.Errorf("%s culled", k)
			}
		}
		if ev := h.evicted.Load(); ev != 3 {
			t.Errorf("OnEvict total = %d, want 3", ev)
		}
	})
}

// The estimate's promise: after every write the table holds at most
// MAX_ENTRIES+1 rows (Django's bound), while COUNT(*) runs at most N/K+1
// times for N writes, K = max(1, MAX_ENTRIES/(2*CULL_FREQUENCY)) — Django
// runs it N times. The workload mixes new keys, overwrites, adds (live and
// expired keys), deletes, get's removal of expired rows, and clear.
func TestCullBoundHoldsWithFewCounts(t *testing.T) {
	const maxEntries, freq, n = 60, 3, 600
	k := int64(max(1, maxEntries/(2*freq)))
	eachDB(t, withCull(maxEntries, freq), func(t *testing.T, h *harness) {
		writes := int64(0)
		for i := range n {
			key := fmt.Sprint("key", i)
			switch i % 10 {
			case 3: // overwrite
				key = fmt.Sprint("key", i-1)
			case 5: // short-lived, read after expiry below
				h.set(t, key, "v", time.Second)
				writes++
				h.clock.Advance(2 * time.Second)
				h.get(t, key)
				continue
			case 7:
				if _, err := h.s.Add(h.ctx, fmt.Sprint("key", i-1), []byte("v"), h.at(time.Hour)); err != nil {
					t.Fatal(err)
				}
				writes++
				if _, err := h.s.Delete(h.ctx, fmt.Sprint("key", i-2)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if i == n/2 {
				if err := h.s.Clear(h.ctx); err != nil {
					t.Fatal(err)
				}
			}
			h.set(t, key, "v", time.Hour)
			writes++
			if rows := h.rows(t); rows > maxEntries+1 {
				t.Fatalf("after write %d: %d rows > MAX_ENTRIES+1", i, rows)
			}
		}
		if counts := h.s.counts.Load(); counts > writes/k+1 {
			t.Fatalf("%d COUNT queries for %d writes, want <= %d", counts, writes, writes/k+1)
		}
		if h.evicted.Load() == 0 {
			t.Fatal("nothing culled")
		}
	})
}

// Writers the estimate does not see (another Store on the same table) are
// caught by the periodic COUNT: within K writes the Store counts, then culls
// like Django until the table is back under its bound.
func TestCullEstimateResyncsWithOtherWriters(t *testing.T) {
	const maxEntries, freq = 30, 3
	k := max(1, maxEntries/(2*freq))
	eachDB(t, withCull(maxEntries, freq), func(t *testing.T, h *harness) {
		h.set(t, "first", "v", time.Hour) // the estimate starts
		var ev atomic.Int64
		p := params(t, h.entry, h.s.table, h.clock, &ev)
		p.Config.MaxEntries = 100000
		other, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		for i := range 200 {
			if err := other.Set(h.ctx, fmt.Sprint("other", i), []byte("v"), h.at(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range k + 10 {
			h.set(t, fmt.Sprint("mine", i), "v", time.Hour)
		}
		if rows := h.rows(t); rows > maxEntries+1 {
			t.Fatalf("%d rows after %d writes, want <= %d", rows, k+10, maxEntries+1)
		}
	})
}
