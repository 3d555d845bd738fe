package cache

import "testing"

// needsWarning's eight-bytes-at-a-time test agrees with a byte-by-byte one
// for every byte value at every position of keys of 1 to 20 bytes, and
// over keys of only high bytes (0x80-0xff, which the SWAR masks must not
// take for control characters).
func TestNeedsWarningMatchesByteRule(t *testing.T) {
	slow := func(k []byte) bool {
		for _, c := range k {
			if c <= 0x20 || c == 0x7f {
				return true
			}
		}
		return false
	}
	for n := 1; n <= 20; n++ {
		for _, fill := range []byte{'a', 0x80, 0xff, 0x21, 0x7e} {
			for pos := 0; pos < n; pos++ {
				for c := 0; c < 256; c++ {
					k := make([]byte, n)
					for i := range k {
						k[i] = fill
					}
					k[pos] = byte(c)
					if got, want := needsWarning(k), slow(k); got != want {
						t.Fatalf("needsWarning(%q) = %v; want %v", k, got, want)
					}
					if got := needsWarning(string(k)); got != slow(k) {
						t.Fatalf("needsWarning(string %q) = %v", k, got)
					}
				}
			}
		}
	}
}
