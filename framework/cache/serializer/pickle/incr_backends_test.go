package pickle_test

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/file"
	_ "gojango/framework/cache/backends/locmem"
	_ "gojango/framework/cache/serializer/pickle"
	"gojango/framework/settings"
)

// Under the pickle serializer, Incr past int64 follows Python on the
// stores that add in Go as Django's add in Python (locmem, file): the sum
// is stored as a big integer and the call says so with ErrIncrOverflow.
func TestIncrPastInt64StoresBigIntegerUnderPickle(t *testing.T) {
	for _, backend := range []string{"locmem", "file"} {
		t.Run(backend, func(t *testing.T) {
			loc := t.Name()
			if backend == "file" {
				loc = t.TempDir()
			}
			c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: backend, Location: loc,
				Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1, Options: map[string]any{"SERIALIZER": "pickle"}}})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := c.Set(ctx, "n", int64(1<<63-1), 300); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Incr(ctx, "n", 1); !errors.Is(err, cache.ErrIncrOverflow) {
				t.Fatalf("Incr past int64: %v; want ErrIncrOverflow", err)
			}
			var got *big.Int
			if ok, err := c.Get(ctx, "n", &got); !ok || err != nil || got.String() != "9223372036854775808" {
				t.Fatalf("stored %v (%v, %v); want Python's 9223372036854775808", got, ok, err)
			}
		})
	}
}
