package locmem

// selectSmallest reorders xs so that its first k elements are the k
// smallest by less (in no particular order among themselves): quickselect,
// O(len(xs)) on average, where sorting would be O(n log n).
func selectSmallest[T any](xs []T, k int, less func(a, b T) bool) {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		p := partition(xs, lo, hi, less)
		switch {
		case p == k-1 || p == k:
			return
		case p < k:
			lo = p + 1
		default:
			hi = p - 1
		}
	}
}

// partition is Lomuto's, with the middle element as pivot.
func partition[T any](xs []T, lo, hi int, less func(a, b T) bool) int {
	mid := lo + (hi-lo)/2
	xs[mid], xs[hi] = xs[hi], xs[mid]
	pivot := xs[hi]
	i := lo
	for j := lo; j < hi; j++ {
		if less(xs[j], pivot) {
			xs[i], xs[j] = xs[j], xs[i]
			i++
		}
	}
	xs[i], xs[hi] = xs[hi], xs[i]
	return i
}
