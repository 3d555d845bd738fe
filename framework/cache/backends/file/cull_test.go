package file

import (
	"fmt"
	"os"
	"testing"
	"time"

	"gojango/framework/cache"
)

func cullEnv(t testing.TB, maxEntries, freq int) *env {
	return newEnv(t, func(p *cache.Params) {
		p.Config.MaxEntries = maxEntries
		p.Config.CullFrequency = freq
	})
}

// Rule 22: MAX_ENTRIES=30, CULL_FREQUENCY=3, keys cull1..cull49 leave
// exactly 29 files (culls of 10 at the 31st and the 41st set).
func TestCullFrequencyThreeLeaves29(t *testing.T) {
	e := cullEnv(t, 30, 3)
	for i := 1; i < 50; i++ {
		mustSet(t, e.s, fmt.Sprint("cull", i), []byte("value"), e.clock.Now().Add(1000*time.Second))
	}
	if n := e.count(t); n != 29 {
		t.Fatalf("%d files, want 29", n)
	}
	if got := e.evicted.Load(); got != 20 {
		t.Fatalf("OnEvict reported %d, want 20", got)
	}
	if _, ok := mustGet(t, e.s, "cull49"); !ok {
		t.Fatal("the last key set was culled")
	}
}

// Rule 23: CULL_FREQUENCY=0 clears everything at the 31st set, which then
// stores: 19 files remain.
func TestCullFrequencyZeroClearsAll(t *testing.T) {
	e := cullEnv(t, 30, 0)
	for i := 1; i < 50; i++ {
		mustSet(t, e.s, fmt.Sprint("cull", i), []byte("value"), e.clock.Now().Add(1000*time.Second))
	}
	if n := e.count(t); n != 19 {
		t.Fatalf("%d files, want 19", n)
	}
	if got := e.evicted.Load(); got != 30 {
		t.Fatalf("OnEvict reported %d, want 30", got)
	}
}

// Rule 24: with MAX_ENTRIES -1 a set still stores the key (culling an empty
// directory must not fail).
func TestMaxEntriesMinusOneStillStores(t *testing.T) {
	for _, freq := range []int{0, 3} {
		t.Run(fmt.Sprint("cull frequency ", freq), func(t *testing.T) {
			e := cullEnv(t, -1, freq)
			mustSet(t, e.s, "key", []byte("v"), time.Time{})
			if v, ok := mustGet(t, e.s, "key"); !ok || string(v) != "v" {
				t.Fatal("set key not stored")
			}
			if ok, err := e.s.Add(ctx, "added", []byte("v"), time.Time{}); !ok || err != nil {
				t.Fatalf("Add = %v, %v", ok, err)
			}
		})
	}
}

// Django culls at set even when the key exists; an add that finds a live
// key does not write, so it does not cull either.
func TestCullOnOverwriteNotOnFailedAdd(t *testing.T) {
	e := cullEnv(t, 6, 3)
	for i := range 6 {
		mustSet(t, e.s, fmt.Sprint("k", i), []byte("v"), time.Time{})
	}
	if ok, _ := e.s.Add(ctx, "k0", []byte("x"), time.Time{}); ok {
		t.Fatal("add on a live key succeeded")
	}
	if n := e.count(t); n != 6 {
		t.Fatalf("failed add culled: %d files, want 6", n)
	}
	mustSet(t, e.s, "k5", []byte("again"), time.Time{})
	// 6 >= 6: cull 2, then k5 is (re)written: 4 or 5 files.
	if n := e.count(t); n != 4 && n != 5 {
		t.Fatalf("%d files after an overwrite at MAX_ENTRIES, want 4 or 5", n)
	}
	if got := e.evicted.Load(); got != 2 {
		t.Fatalf("OnEvict reported %d, want 2", got)
	}
}

// Culling removes expired (and empty or corrupt) files before live ones.
func TestCullRemovesExpiredFirst(t *testing.T) {
	e := cullEnv(t, 30, 3)
	now := e.clock.Now()
	for i := range 8 {
		mustSet(t, e.s, fmt.Sprint("expiring", i), []byte("v"), now.Add(time.Second))
	}
	for i := range 20 {
		mustSet(t, e.s, fmt.Sprint("live", i), []byte("v"), time.Time{})
	}
	// An empty and a corrupt file count as expired too.
	for i, data := range [][]byte{nil, []byte("junk")} {
		if err := os.WriteFile(e.path(fmt.Sprint("bad", i)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(2 * time.Second)
	// The store counted 28; the scheduled rescan or the cull finds 30.
	for i := range 3 {
		mustSet(t, e.s, fmt.Sprint("new", i), []byte("v"), time.Time{})
	}
	for i := range 20 {
		if _, ok := mustGet(t, e.s, fmt.Sprint("live", i)); !ok {
			t.Fatalf("live%d culled while expired files were left", i)
		}
	}
	for i := range 8 {
		if exists(e.path(fmt.Sprint("expiring", i))) {
			t.Fatalf("expired file expiring%d not culled", i)
		}
	}
	if got := e.evicted.Load(); got != 10 {
		t.Fatalf("OnEvict reported %d, want 10", got)
	}
}

// A set does not list the directory: 3000 sets with MAX_ENTRIES 300
// bounding the directory list it at most once per cull batch (plus the first
// count and one for where the batches fall), and with a directory far from
// full only once. Each listing reads at most MAX_ENTRIES names, so the
// listing cost per set is O(MAX_ENTRIES / batch) = O(CULL_FREQUENCY), not
// O(entries) as in Django.
func TestSetDoesNotListDirectory(t *testing.T) {
	const sets = 3000
	tests := []struct {
		name       string
		maxEntries int
		freq       int
		maxScans   int64
	}{
		{"bounded at 300, cull batch 100", 300, 3, 2 + sets/100},
		{"bounded at 300, cull frequency 0", 300, 0, 2 + sets/300},
		{"far from full", 1_000_000, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := cullEnv(t, tc.maxEntries, tc.freq)
			for i := range sets {
				mustSet(t, e.s, fmt.Sprint("key", i), []byte("v"), time.Time{})
			}
			scans := e.s.st.scans.Load()
			t.Logf("%d sets listed the directory %d times", sets, scans)
			if scans > tc.maxScans {
				t.Fatalf("%d directory listings for %d sets, want at most %d", scans, sets, tc.maxScans)
			}
			if n := e.count(t); n > tc.maxEntries {
				t.Fatalf("%d files, more than MAX_ENTRIES %d", n, tc.maxEntries)
			}
		})
	}
}

// Several processes sharing one directory (here: stores that do not share
// their in-memory state) keep it bounded: the scheduled recount sees the
// other writers' files.
func TestSharedDirectoryStaysBounded(t *testing.T) {
	a := cullEnv(t, 100, 4)
	b := newEnv(t, func(p *cache.Params) {
		p.Config.Location = a.dir
		p.Config.MaxEntries = 100
		p.Config.CullFrequency = 4
	})
	if a.s.st == b.s.st {
		t.Fatal("test needs two independent states")
	}
	bound := 100 + 2*int(a.s.rescanEvery)
	most := 0
	for i := range 2000 {
		mustSet(t, a.s, fmt.Sprint("a", i), []byte("v"), time.Time{})
		mustSet(t, b.s, fmt.Sprint("b", i), []byte("v"), time.Time{})
		if i%50 == 0 {
			most = max(most, a.count(t))
		}
	}
	most = max(most, a.count(t))
	t.Logf("directory held at most %d files (MAX_ENTRIES 100, bound %d)", most, bound)
	if most > bound {
		t.Fatalf("shared directory grew to %d files, bound %d", most, bound)
	}
}

// The in-memory count follows deletes, clears and expired files removed by
// reads, so it does not drift into needless culls.
func TestCountFollowsRemovals(t *testing.T) {
	e := cullEnv(t, 1000, 3)
	for i := range 10 {
		mustSet(t, e.s, fmt.Sprint("k", i), []byte("v"), e.clock.Now().Add(time.Second))
	}
	mustSet(t, e.s, "k0", []byte("again"), time.Time{}) // overwrite: no new file
	if got := e.s.st.count.Load(); got != 10 {
		t.Fatalf("count %d after 10 creates and an overwrite, want 10", got)
	}
	_, _ = e.s.Delete(ctx, "k1")
	e.clock.Advance(time.Second)
	_, _, _ = e.s.Get(ctx, "k2") // expired: removed
	if got := e.s.st.count.Load(); got != 8 {
		t.Fatalf("count %d, want 8", got)
	}
	if err := e.s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got := e.s.st.count.Load(); got != 0 {
		t.Fatalf("count %d after clear, want 0", got)
	}
}

// A cull bigger than syncCullMax runs off the caller's path and removes
// Django's count all the same: MAX_ENTRIES 3003, CULL_FREQUENCY 3, so the
// 3004th set starts a cull of int(3003 / 3) = 1001 files (or int(3004 / 3),
// the same, when the listing sees that set's file) and returns before it
// ends; Close waits for it.
func TestBigCullRunsInBackground(t *testing.T) {
	for _, tc := range []struct {
		name       string
		freq, want int
	}{
		{"frequency 3", 3, 3004 - 1001},
		{"frequency 0", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const maxEntries = 3003
			e := cullEnv(t, maxEntries, tc.freq)
			exp := e.clock.Now().Add(1000 * time.Second)
			for i := range maxEntries {
				mustSet(t, e.s, fmt.Sprint("fill", i), []byte("v"), exp)
			}
			mustSet(t, e.s, "last", []byte("v"), exp)
			if err := e.s.Close(); err != nil {
				t.Fatal(err)
			}
			n := e.count(t)
			if tc.freq == 0 {
				// Clearing everything may or may not take the last file.
				if n > 1 {
					t.Fatalf("%d files after a CULL_FREQUENCY 0 cull; want 0 or 1", n)
				}
				return
			}
			if n != tc.want {
				t.Fatalf("%d files after the cull; want %d", n, tc.want)
			}
			if got := e.evicted.Load(); got != 1001 {
				t.Fatalf("OnEvict reported %d, want 1001", got)
			}
		})
	}
}
