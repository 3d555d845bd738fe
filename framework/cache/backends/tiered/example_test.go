package tiered_test

import (
	"context"
	"fmt"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	_ "gojango/framework/cache/backends/redis"
	_ "gojango/framework/cache/backends/tiered"
	"gojango/framework/settings"
)

// A tiered alias keeps an in-process copy of what it reads from a shared
// alias. In settings.toml, with Redis behind it (copies kept fresh by Redis's
// invalidations):
//
//	[CACHES.default]
//	BACKEND = "tiered"
//	[CACHES.default.OPTIONS]
//	SHARED = "redis"
//	FRONT_MAX_ENTRIES = 10000
//
//	[CACHES.redis]
//	BACKEND = "redis"
//	LOCATION = "redis://127.0.0.1:6379/1"
//
// The example puts it in front of a locmem alias so that it runs anywhere;
// behind a store that reports no changes a copy lives FRONT_TIMEOUT seconds.
func Example() {
	st := settings.Default()
	st.Caches = map[string]settings.Cache{
		"default": {Backend: "tiered", Timeout: 300, Version: 1, Options: map[string]any{
			"SHARED": "shared", "FRONT_MAX_ENTRIES": 10000, "FRONT_TIMEOUT": 1,
		}},
		"shared": {Backend: "locmem", Location: "example", Timeout: 300, Version: 1, MaxEntries: 300, CullFrequency: 3, Options: map[string]any{}},
	}
	h, err := cache.NewHandler(st)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.CloseAll()
	c, _ := h.Cache("default")
	ctx := context.Background()
	_ = c.Set(ctx, "greeting", "hello", 60) // written to the shared alias
	var s string
	found, _ := c.Get(ctx, "greeting", &s) // read from it, then kept in process
	fmt.Println(s, found)
	found, _ = c.Get(ctx, "greeting", &s) // served from the in-process copy
	fmt.Println(s, found)
	// Output:
	// hello true
	// hello true
}
