package locmem

import (
	"fmt"
	"strings"
	"testing"
)

// A key hashes the same whole, as bytes, and in any two parts (the front's
// head and key), for every split of keys up to 140 bytes.
func TestHashOfPartsIsHashOfKey(t *testing.T) {
	h := newHasher()
	for n := 0; n <= 140; n++ {
		k := strings.Repeat("abcdefghij", 15)[:n]
		whole := h.str(k)
		if b := h.bytes([]byte(k)); b != whole {
			t.Fatalf("len %d: bytes %x != str %x", n, b, whole)
		}
		for cut := 0; cut <= n; cut++ {
			if p := h.parts(k[:cut], k[cut:]); p != whole {
				t.Fatalf("len %d, head %d: parts %x != str %x", n, cut, p, whole)
			}
		}
	}
}

// Keys that differ only in their first eight bytes, or only after them,
// spread evenly: no two of 200,000 share a 64-bit hash, and over 4,096
// buckets of their low bits none holds more than twice its share.
func TestHashSpreadsKeysThatDifferAnywhere(t *testing.T) {
	h := newHasher()
	for _, shape := range []string{":1:%08d-same-tail", ":1:key-%08d", "%08d"} {
		seen := map[uint64]string{}
		buckets := make([]int, 4096)
		const n = 200_000
		for i := range n {
			k := fmt.Sprintf(shape, i)
			x := h.str(k)
			if other, dup := seen[x]; dup {
				t.Fatalf("%q and %q share hash %x", k, other, x)
			}
			seen[x] = k
			buckets[x&4095]++
		}
		for b, c := range buckets {
			if c > 2*n/4096 {
				t.Fatalf("shape %q: bucket %d holds %d keys (share %d)", shape, b, c, n/4096)
			}
		}
	}
}
