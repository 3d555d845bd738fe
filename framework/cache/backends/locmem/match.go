package locmem

import (
	"context"

	"gojango/framework/cache"
)

var _ cache.KeyMatcher = (*Store)(nil)

// DeleteMatching deletes the keys of the LOCATION's store that match parts
// (cache.MatchParts), one shard at a time under its lock.
func (st *Store) DeleteMatching(_ context.Context, parts []string) (int, error) {
	n := 0
	for i := range st.s.shards {
		sh := &st.s.shards[i]
		sh.mu.Lock()
		t := sh.tab.Load()
		var hit []*entry
		var at []int
		t.each(func(slot int, e *entry) {
			if cache.MatchParts(e.key(), parts) {
				hit, at = append(hit, e), append(at, slot)
			}
		})
		for j, e := range hit {
			if t.removeAt(at[j], e) {
				st.s.count.Add(-1)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n, nil
}
