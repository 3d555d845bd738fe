package dummy

import (
	"context"
	"errors"
	"math"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Django's DummyCache tests (reference rule 40): every operation succeeds
// and nothing is stored.
func TestDummyCacheStoresNothing(t *testing.T) {
	ctx := context.Background()
	c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: "django.core.cache.backends.dummy.DummyCache", Timeout: 300, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Set(ctx, "key", "value", cache.DefaultTimeout))
	if ok, err := c.Get(ctx, "key", nil); ok || err != nil {
		t.Fatalf("Get after Set = %v, %v; want a miss", ok, err)
	}
	for i := 0; i < 2; i++ {
		if ok, err := c.Add(ctx, "addkey1", "value", cache.DefaultTimeout); !ok || err != nil {
			t.Fatalf("Add #%d = %v, %v; Django's dummy add returns True", i+1, ok, err)
		}
	}
	if ok, _ := c.Delete(ctx, "key"); ok {
		t.Fatal("Delete = true")
	}
	if ok, _ := c.HasKey(ctx, "key"); ok {
		t.Fatal("HasKey = true")
	}
	if m, err := c.GetMany(ctx, []string{"a", "b"}); len(m) != 0 || err != nil {
		t.Fatalf("GetMany = %v, %v", m, err)
	}
	if f, err := c.SetMany(ctx, map[string]any{"a": 1, "b": 2}, 10, cache.Version(1)); len(f) != 0 || err != nil {
		t.Fatalf("SetMany = %v, %v", f, err)
	}
	must(c.Set(ctx, "answer", 42, cache.DefaultTimeout))
	for name, op := range map[string]func() error{
		"incr":         func() error { _, err := c.Incr(ctx, "answer", 1); return err },
		"decr":         func() error { _, err := c.Decr(ctx, "answer", 1); return err },
		"incr_version": func() error { _, err := c.IncrVersion(ctx, "answer", 1); return err },
		"decr_version": func() error { _, err := c.DecrVersion(ctx, "answer", 1); return err },
	} {
		if err := op(); !errors.Is(err, cache.ErrNotFound) {
			t.Errorf("%s err = %v; want ErrNotFound (Django's ValueError)", name, err)
		}
	}
	if ok, _ := c.Touch(ctx, "key", 10); ok {
		t.Fatal("Touch = true")
	}
	v, err := cache.GetOrSet(ctx, c, "mykey", cache.DefaultTimeout, func(context.Context) (string, error) { return "default", nil })
	if err != nil || v != "default" {
		t.Fatalf("GetOrSet = %q, %v", v, err)
	}
	must(c.Clear(ctx))
	must(c.DeleteMany(ctx, []string{"a"}))
}

// TestDummyCacheExtremeTimeouts (issue 9): timeouts that overflow a
// time.Duration, either way, are accepted and still store nothing.
func TestDummyCacheExtremeTimeouts(t *testing.T) {
	ctx := context.Background()
	c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: "dummy", Timeout: -10000000000, Version: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range []cache.Timeout{cache.DefaultTimeout, -10000000000, math.MinInt64 + 1, -1 << 62, 1 << 62, math.MaxInt64 - 1} {
		if err := c.Set(ctx, "k", "v", tm); err != nil {
			t.Fatalf("Set(timeout %d) = %v", tm, err)
		}
		if ok, err := c.Add(ctx, "k", "v", tm); !ok || err != nil {
			t.Fatalf("Add(timeout %d) = %v, %v; want true", tm, ok, err)
		}
		if ok, err := c.Touch(ctx, "k", tm); ok || err != nil {
			t.Fatalf("Touch(timeout %d) = %v, %v; want false", tm, ok, err)
		}
		if f, err := c.SetMany(ctx, map[string]any{"a": 1}, tm); len(f) != 0 || err != nil {
			t.Fatalf("SetMany(timeout %d) = %v, %v", tm, f, err)
		}
		if ok, err := c.HasKey(ctx, "k"); ok || err != nil {
			t.Fatalf("HasKey after timeout %d = %v, %v; want false", tm, ok, err)
		}
	}
}
