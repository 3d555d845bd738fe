package cache_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/locmem"
	"gojango/framework/settings"
)

// countingStore is a custom backend: it keeps its data in a locmem store
// and counts the reads that reach it.
type countingStore struct {
	cache.Store
	reads *atomic.Int64
}

func (s countingStore) Get(ctx context.Context, key string) ([]byte, bool, error) {
	s.reads.Add(1)
	return s.Store.Get(ctx, key)
}

var exampleReads atomic.Int64

// A custom backend is a package that registers a factory by name in its
// init(); settings.toml then names it in BACKEND.
func ExampleRegister() {
	cache.Register("counting", func(p cache.Params) (cache.Store, error) {
		inner, err := locmem.New(p)
		if err != nil {
			return nil, err
		}
		return countingStore{Store: inner, reads: &exampleReads}, nil
	}, "myproject.cache.CountingCache")

	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "myproject.cache.CountingCache", Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	_ = cache.Default().Set(ctx, "k", "v", 60)
	var v string
	found, _ := cache.Default().Get(ctx, "k", &v)
	fmt.Println(cache.Default().Backend(), found, v, exampleReads.Load())
	_ = cache.Setup(settings.Default())
	// Output: counting true v 1
}
