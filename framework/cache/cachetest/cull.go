package cachetest

import (
	"fmt"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

func countLive(t *testing.T, c *cache.Cache, n int) int {
	t.Helper()
	count := 0
	for i := 1; i < n; i++ {
		if has(t, c, fmt.Sprintf("cull%d", i)) {
			count++
		}
	}
	return count
}

func init() {
	registerCull("CullRemovesOneThird", func(t *testing.T, b *Backend) { // rule 22
		e := newEnv(t, b, func(c *settings.Cache) { c.MaxEntries, c.CullFrequency = 30, 3 })
		for i := 1; i < 50; i++ {
			set(t, e.C, fmt.Sprintf("cull%d", i), "value", 1000)
		}
		if got := countLive(t, e.C, 50); got != 29 {
			t.Fatalf("after 49 sets with MAX_ENTRIES=30, CULL_FREQUENCY=3: %d keys; Django leaves 29", got)
		}
		if ev := e.C.Stats().Evictions; ev == 0 {
			t.Fatal("no evictions counted")
		}
	})
	registerCull("CullFrequencyZeroClearsAll", func(t *testing.T, b *Backend) { // rule 23
		e := newEnvExact(t, b, 30, 0)
		for i := 1; i < 50; i++ {
			set(t, e.C, fmt.Sprintf("cull%d", i), "value", 1000)
		}
		want := 19
		if b.CullsWhenOver {
			want = 18
		}
		if got := countLive(t, e.C, 50); got != want {
			t.Fatalf("after 49 sets with MAX_ENTRIES=30, CULL_FREQUENCY=0: %d keys; Django leaves %d", got, want)
		}
	})
	registerCull("CullOnEmptyStoreKeepsNewKey", func(t *testing.T, b *Backend) { // rule 24
		e := newEnvExact(t, b, -1, 3)
		set(t, e.C, "force_cull", "value", 1000)
		if !has(t, e.C, "force_cull") {
			t.Fatal("with MAX_ENTRIES=-1 the key just set is gone")
		}
	})
}

// newEnvExact opens an env with exactly these MAX_ENTRIES and CULL_FREQUENCY.
func newEnvExact(t *testing.T, b *Backend, maxEntries, cullFrequency int) *Env {
	t.Helper()
	bb := *b
	bb.Base.MaxEntries, bb.Base.CullFrequency = maxEntries, cullFrequency
	if cullFrequency == 0 {
		// newEnv treats 0 as unset; set it after defaulting.
		return newEnv(t, &bb, func(c *settings.Cache) { c.CullFrequency = 0 })
	}
	return newEnv(t, &bb, nil)
}
