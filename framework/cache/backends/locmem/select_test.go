package locmem

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectSmallest(t *testing.T) {
	for _, n := range []int{1, 2, 3, 9, 10, 100, 1001} {
		for _, k := range []int{1, n / 3, n / 2, n - 1, n} {
			if k < 1 || k > n {
				continue
			}
			xs := rand.Perm(n)
			selectSmallest(xs, k, func(a, b int) bool { return a < b })
			got := slices.Clone(xs[:k])
			slices.Sort(got)
			for i, v := range got {
				if v != i {
					t.Fatalf("n=%d k=%d: first k = %v; want 0..%d", n, k, got, k-1)
				}
			}
		}
	}
}
