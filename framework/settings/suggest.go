package settings

import (
	"strings"
	"unicode/utf8"
)

// maxSuggestDistance is how far (in edits, ignoring case) an unknown key may
// be from a known one for "did you mean" to name it.
const maxSuggestDistance = 2

// unknownKeys reports every key of m (a table at prefix) that is not in known.
func (d *decoder) unknownKeys(prefix string, m map[string]any, known []string) {
	for k := range m {
		if containsString(known, k) {
			continue
		}
		if s := suggest(k, known); s != "" {
			d.errorf(join(prefix, k), "unknown setting; did you mean %s?", s)
		} else if prefix == "" {
			d.errorf(k, "unknown setting (a project's own settings go in the [CUSTOM] table)")
		} else {
			d.errorf(join(prefix, k), "unknown setting (known here: %s)", strings.Join(known, ", "))
		}
	}
}

// suggest returns the known key closest to key (case-insensitively) within
// maxSuggestDistance edits, or "". Ties go to the earlier known key.
func suggest(key string, known []string) string {
	// Long keys cannot be close to the short known ones; skip the work.
	if utf8.RuneCountInString(key) > 64 {
		return ""
	}
	up := strings.ToUpper(key)
	best, bestDist := "", maxSuggestDistance+1
	for _, k := range known {
		if dist := editDistance(up, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
