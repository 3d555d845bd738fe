package cachetest

import (
	"context"
	"testing"

	"gojango/framework/cache"
)

var ctx = context.Background()

func get[T any](t *testing.T, c *cache.Cache, key string, opts ...cache.Option) (T, bool) {
	t.Helper()
	v, ok, err := cache.GetAs[T](ctx, c, key, opts...)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func set(t *testing.T, c *cache.Cache, key string, v any, timeout cache.Timeout, opts ...cache.Option) {
	t.Helper()
	if err := c.Set(ctx, key, v, timeout, opts...); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func add(t *testing.T, c *cache.Cache, key string, v any, timeout cache.Timeout, opts ...cache.Option) bool {
	t.Helper()
	ok, err := c.Add(ctx, key, v, timeout, opts...)
	if err != nil {
		t.Fatalf("Add(%q): %v", key, err)
	}
	return ok
}

func has(t *testing.T, c *cache.Cache, key string, opts ...cache.Option) bool {
	t.Helper()
	ok, err := c.HasKey(ctx, key, opts...)
	if err != nil {
		t.Fatalf("HasKey(%q): %v", key, err)
	}
	return ok
}

func del(t *testing.T, c *cache.Cache, key string, opts ...cache.Option) bool {
	t.Helper()
	ok, err := c.Delete(ctx, key, opts...)
	if err != nil {
		t.Fatalf("Delete(%q): %v", key, err)
	}
	return ok
}

func touch(t *testing.T, c *cache.Cache, key string, timeout cache.Timeout) bool {
	t.Helper()
	ok, err := c.Touch(ctx, key, timeout)
	if err != nil {
		t.Fatalf("Touch(%q): %v", key, err)
	}
	return ok
}

func incr(t *testing.T, c *cache.Cache, key string, delta int64, opts ...cache.Option) int64 {
	t.Helper()
	n, err := c.Incr(ctx, key, delta, opts...)
	if err != nil {
		t.Fatalf("Incr(%q, %d): %v", key, delta, err)
	}
	return n
}

func wantString(t *testing.T, c *cache.Cache, key, want string, opts ...cache.Option) {
	t.Helper()
	got, ok := get[string](t, c, key, opts...)
	if !ok || got != want {
		t.Fatalf("Get(%q) = %q, %v; want %q, true", key, got, ok, want)
	}
}

func wantMiss(t *testing.T, c *cache.Cache, key string, opts ...cache.Option) {
	t.Helper()
	ok, err := c.Get(ctx, key, nil, opts...)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if ok {
		t.Fatalf("Get(%q) found a value; want a miss", key)
	}
}
