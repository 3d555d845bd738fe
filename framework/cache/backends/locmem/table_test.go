package locmem

import (
	"fmt"
	"hash/maphash"
	"testing"
)

// The table keeps every key through growth, overwrites and deletes
// (tombstones), and a rebuild drops the tombstones.
func TestTableGrowDeleteReinsert(t *testing.T) {
	seed := maphash.MakeSeed()
	tab := newTable(16)
	put := func(k string, v string) bool {
		h := maphash.String(seed, k)
		var added bool
		tab, added = tab.put(newEntry(k, []byte(v), 0), h, func(k string) uint64 { return maphash.String(seed, k) })
		return added
	}
	for i := 0; i < 1000; i++ {
		if !put(fmt.Sprint(i), "a") {
			t.Fatalf("key %d not new", i)
		}
	}
	for i := 0; i < 1000; i += 2 {
		if put(fmt.Sprint(i), "b") {
			t.Fatalf("overwrite of %d counted as new", i)
		}
	}
	for i := 0; i < 1000; i += 3 {
		k := fmt.Sprint(i)
		if !tab.remove(k, maphash.String(seed, k), nil) {
			t.Fatalf("remove %d failed", i)
		}
	}
	for round := 0; round < 5; round++ { // churn: tombstones must not fill the table
		for i := 0; i < 1000; i += 3 {
			k := fmt.Sprint(i)
			put(k, "c")
			tab.remove(k, maphash.String(seed, k), nil)
		}
	}
	for i := 0; i < 1000; i++ {
		k := fmt.Sprint(i)
		e := tab.find(k, maphash.String(seed, k))
		eb := tab.findBytes([]byte(k), maphash.String(seed, k))
		if ep := tab.findParts(k[:len(k)/2], k[len(k)/2:], maphash.String(seed, k)); ep != eb {
			t.Fatalf("findParts(%q) = %v; findBytes = %v", k, ep, eb)
		}
		switch {
		case i%3 == 0:
			if e != nil || eb != nil {
				t.Fatalf("deleted key %d found", i)
			}
		case i%2 == 0:
			if e == nil || string(e.val) != "b" || eb != e {
				t.Fatalf("key %d = %v", i, e)
			}
		default:
			if e == nil || string(e.val) != "a" {
				t.Fatalf("key %d = %v", i, e)
			}
		}
	}
	if want := 1000 - 334; tab.live != want {
		t.Fatalf("live = %d; want %d", tab.live, want)
	}
}
