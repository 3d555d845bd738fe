package locmem

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

func TestSuite(t *testing.T) {
	cachetest.Run(t, cachetest.Backend{
		Name:  "locmem",
		Open:  func(t testing.TB, p cache.Params) cache.Store { s, _ := New(p); return s },
		Culls: true,
	})
}

func newCache(t *testing.T, maxEntries int) *cache.Cache {
	t.Helper()
	c, err := cache.NewFromFactory(cache.Params{Alias: "default", Config: settings.Cache{
		Timeout: 300, MaxEntries: maxEntries, CullFrequency: 3, Version: 1,
	}}, New)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Django's LRU tests (reference rules 44-46): with MAX_ENTRIES=9 the tenth
// set culls 9//3 = 3 least recently used keys.
func TestLRUOrder(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		touch   func(c *cache.Cache, k string) // applied to keys 0..5 (or 3..8)
		touched []int
		evicted []int
	}{
		{"LRUGetMovesToFront", func(c *cache.Cache, k string) { _, _ = c.Get(ctx, k, nil) }, []int{0, 1, 2, 3, 4, 5}, []int{6, 7, 8}},
		{"LRUSetMovesToFront", func(c *cache.Cache, k string) { _ = c.Set(ctx, k, 1, cache.DefaultTimeout) }, []int{3, 4, 5, 6, 7, 8}, []int{0, 1, 2}},
		{"LRUIncrMovesToFront", func(c *cache.Cache, k string) { _, _ = c.Incr(ctx, k, 1) }, []int{0, 1, 2, 3, 4, 5}, []int{6, 7, 8}},
		{"LRUHasKeyDoesNotReorder", func(c *cache.Cache, k string) { _, _ = c.HasKey(ctx, k) }, []int{0, 1, 2, 3, 4, 5}, []int{0, 1, 2}},
		{"LRUTouchDoesNotReorder", func(c *cache.Cache, k string) { _, _ = c.Touch(ctx, k, 100) }, []int{6, 7, 8}, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t, 9)
			for i := 0; i < 9; i++ {
				if err := c.Set(ctx, fmt.Sprint(i), i, cache.DefaultTimeout); err != nil {
					t.Fatal(err)
				}
			}
			for _, i := range tc.touched {
				tc.touch(c, fmt.Sprint(i))
			}
			if err := c.Set(ctx, "9", 9, cache.DefaultTimeout); err != nil {
				t.Fatal(err)
			}
			gone := map[int]bool{}
			for _, i := range tc.evicted {
				gone[i] = true
			}
			for i := 0; i < 10; i++ {
				ok, _ := c.HasKey(ctx, fmt.Sprint(i))
				if ok == gone[i] {
					t.Errorf("key %d present=%v; evicted should be %v", i, ok, tc.evicted)
				}
			}
		})
	}
}

// Rule 41: aliases with the same LOCATION share a store; different ones are
// isolated.
func TestSameLocationShares(t *testing.T) {
	ctx := context.Background()
	s := settings.Default()
	s.Caches = map[string]settings.Cache{
		"default": {Backend: "locmem", Location: "one", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1},
		"same":    {Backend: "django.core.cache.backends.locmem.LocMemCache", Location: "one", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1},
		"other":   {Backend: "locmem", Location: "two", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1},
	}
	h, err := cache.NewHandler(s)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := h.Cache("default")
	same, _ := h.Cache("same")
	other, _ := h.Cache("other")
	if err := d.Set(ctx, "k", "v", cache.DefaultTimeout); err != nil {
		t.Fatal(err)
	}
	if ok, _ := same.HasKey(ctx, "k"); !ok {
		t.Fatal("same LOCATION does not share")
	}
	if ok, _ := other.HasKey(ctx, "k"); ok {
		t.Fatal("different LOCATION shares")
	}
}

func BenchmarkGetHit(b *testing.B) {
	ctx := context.Background()
	clock := cache.NewCoarseClock(time.Millisecond)
	defer clock.Stop()
	c, _ := cache.NewFromFactory(cache.Params{Alias: "default", Now: clock.Now, Config: settings.Cache{Timeout: 300, MaxEntries: 1 << 30, CullFrequency: 3, Version: 1}}, New)
	val := make([]byte, 100)
	_ = c.Set(ctx, "k", val, cache.DefaultTimeout)
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, _ := c.Get(ctx, "k", &dst); !ok {
			b.Fatal("miss")
		}
	}
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	c, _ := cache.NewFromFactory(cache.Params{Alias: "default", Config: settings.Cache{Timeout: 300, MaxEntries: 10000, CullFrequency: 3, Version: 1}}, New)
	val := make([]byte, 100)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = c.Set(ctx, keys[i%len(keys)], val, cache.DefaultTimeout)
	}
}

// BenchmarkGetHitParallel reads 10k keys from GOMAXPROCS goroutines through
// a Handler's alias (coarse clock), 100-byte values.
func BenchmarkGetHitParallel(b *testing.B) {
	ctx := context.Background()
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: b.Name(), Timeout: 300, MaxEntries: 1 << 20, CullFrequency: 3, Version: 1}}
	h, err := cache.NewHandler(s)
	if err != nil {
		b.Fatal(err)
	}
	defer h.CloseAll()
	c, _ := h.Cache("default")
	keys := make([]string, 10000)
	val := make([]byte, 100)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
		_ = c.Set(ctx, keys[i], val, cache.DefaultTimeout)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]byte, 0, 128)
		i := 0
		for pb.Next() {
			if ok, _ := c.Get(ctx, keys[i%len(keys)], &dst); !ok {
				b.Fatal("miss")
			}
			i += 7
		}
	})
}

// BenchmarkGetMiss looks up absent keys through the front (the fast key
// path), 10k keys stored.
func BenchmarkGetMiss(b *testing.B) {
	ctx := context.Background()
	clock := cache.NewCoarseClock(time.Millisecond)
	defer clock.Stop()
	c, _ := cache.NewFromFactory(cache.Params{Alias: "default", Now: clock.Now, Config: settings.Cache{Timeout: 300, MaxEntries: 1 << 30, CullFrequency: 3, Version: 1}}, New)
	val := make([]byte, 100)
	keys := make([]string, 10000)
	for i := range keys {
		_ = c.Set(ctx, fmt.Sprint("key", i), val, cache.DefaultTimeout)
		keys[i] = fmt.Sprint("mis", i)
	}
	dst := make([]byte, 0, 128)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, _ := c.Get(ctx, keys[i%len(keys)], &dst); ok {
			b.Fatal("hit")
		}
	}
}
