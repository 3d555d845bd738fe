package locmem

import (
	"fmt"
	"hash/maphash"
	"math/bits"
	"testing"
)

// The table keeps every key through growth, overwrites and deletes
// (deleted slots), and a rebuild drops the deleted slots.
func TestTableGrowDeleteReinsert(t *testing.T) {
	seed := maphash.MakeSeed()
	tab := newTable(16)
	put := func(k string, v string) bool {
		h := maphash.String(seed, k)
		var added bool
		e, _ := newEntry("", k, nil, []byte(v), 0)
		tab, added = tab.put(e, h, func(k string) uint64 { return maphash.String(seed, k) })
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
	for round := 0; round < 5; round++ { // churn: deleted slots must not fill the table
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
			if e == nil || string(e.bytes()) != "b" || eb != e {
				t.Fatalf("key %d = %v", i, e)
			}
		default:
			if e == nil || string(e.bytes()) != "a" {
				t.Fatalf("key %d = %v", i, e)
			}
		}
	}
	if want := 1000 - 334; tab.live != want {
		t.Fatalf("live = %d; want %d", tab.live, want)
	}
}

// Keys whose hashes share a group and a tag (the worst case for the
// control word's SWAR match, including tag 1 next to empty bytes, where
// zeroBytes flags false positives) are all found, deleted and stored again
// by key, across groups.
func TestTableCollidingTags(t *testing.T) {
	for _, h := range []uint64{0, 1 << 52, 0xff << 52, 0xfe << 52, 5} {
		tab := newTable(64)
		keys := make([]string, 40)
		for i := range keys {
			keys[i] = fmt.Sprint("k", i)
			e, _ := newEntry("", keys[i], nil, []byte(keys[i]), 0)
			var added bool
			tab, added = tab.put(e, h, func(string) uint64 { return h })
			if !added {
				t.Fatalf("h=%x: %s not added", h, keys[i])
			}
		}
		for i, k := range keys {
			if e := tab.find(k, h); e == nil || string(e.bytes()) != k {
				t.Fatalf("h=%x: find(%s) = %v", h, k, e)
			}
			if i%2 == 0 && !tab.remove(k, h, nil) {
				t.Fatalf("h=%x: remove(%s) failed", h, k)
			}
		}
		for i, k := range keys {
			e := tab.find(k, h)
			if (e == nil) != (i%2 == 0) {
				t.Fatalf("h=%x: after removes find(%s) = %v", h, k, e)
			}
			if tab.find(k+"x", h) != nil {
				t.Fatalf("h=%x: absent key found", h)
			}
		}
		for i := 0; i < len(keys); i += 2 {
			e, _ := newEntry("", keys[i], nil, []byte("again"), 0)
			if _, added := tab.put(e, h, func(string) uint64 { return h }); !added {
				t.Fatalf("h=%x: %s not added again", h, keys[i])
			}
		}
		if tab.live != len(keys) {
			t.Fatalf("h=%x: live = %d; want %d", h, tab.live, len(keys))
		}
	}
}

// zeroBytes' lowest flagged byte is always a zero byte, and every zero
// byte is flagged.
func TestZeroBytes(t *testing.T) {
	for _, w := range []uint64{0, 1, 0x0100, 0x010001, 0xff00ff00ff00ff00, 0x0101010101010100, 0x8000000000000000, 0x0100000000000000, ^uint64(0)} {
		m := zeroBytes(w)
		for j := 0; j < 8; j++ {
			if ctrlByte(w, j) == 0 && m&(0x80<<(8*j)) == 0 {
				t.Fatalf("w=%016x: zero byte %d not flagged (m=%016x)", w, j, m)
			}
		}
		if m != 0 {
			if j := bits.TrailingZeros64(m) >> 3; ctrlByte(w, j) != 0 {
				t.Fatalf("w=%016x: lowest flagged byte %d is not zero", w, j)
			}
		}
	}
}
