package cachetest

import (
	"errors"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

var v1, v2, v3 = cache.Version(1), cache.Version(2), cache.Version(3)

func init() {
	register("VersionSeparatesEntries", func(t *testing.T, b *Backend) { // rule 27
		e := newEnv(t, b, nil)
		c2 := shareEnv(t, e, func(c *settings.Cache) { c.Version = 2 })
		set(t, e.C, "answer1", 42, cache.DefaultTimeout)
		if n, ok := get[int](t, e.C, "answer1"); !ok || n != 42 {
			t.Fatal("default version")
		}
		wantMiss(t, e.C, "answer1", v2)
		wantMiss(t, c2, "answer1")
		if n, ok := get[int](t, c2, "answer1", v1); !ok || n != 42 {
			t.Fatal("VERSION=2 cache with version=1 must see the value")
		}
		set(t, c2, "answer2", 42, cache.DefaultTimeout)
		wantMiss(t, e.C, "answer2")
		if !has(t, e.C, "answer2", v2) || has(t, e.C, "answer2") {
			t.Fatal("explicit version on HasKey")
		}
		if _, err := e.C.SetMany(ctx, map[string]any{"ford1": 37, "arthur1": 42}, cache.DefaultTimeout, v2); err != nil {
			t.Fatal(err)
		}
		if m, _ := e.C.GetMany(ctx, []string{"ford1", "arthur1"}); len(m) != 0 {
			t.Fatalf("GetMany default version = %v; want empty", m)
		}
		if m, _ := cache.GetManyAs[int](ctx, e.C, []string{"ford1", "arthur1"}, v2); m["ford1"] != 37 || m["arthur1"] != 42 {
			t.Fatalf("GetMany version 2 = %v", m)
		}
	})
	register("AddIsPerVersion", func(t *testing.T, b *Backend) { // rule 28
		e := newEnv(t, b, nil)
		if !add(t, e.C, "answer1", 42, cache.DefaultTimeout, v2) {
			t.Fatal("add v2")
		}
		if add(t, e.C, "answer1", 37, cache.DefaultTimeout, v2) {
			t.Fatal("second add v2 = true")
		}
		if !add(t, e.C, "answer1", 37, cache.DefaultTimeout, v1) {
			t.Fatal("add v1 = false")
		}
		if n, _ := get[int](t, e.C, "answer1", v2); n != 42 {
			t.Fatal("v2 changed")
		}
	})
	register("DeleteIsPerVersion", func(t *testing.T, b *Backend) { // rule 29
		e := newEnv(t, b, nil)
		set(t, e.C, "answer1", 37, cache.DefaultTimeout, v1)
		set(t, e.C, "answer1", 42, cache.DefaultTimeout, v2)
		del(t, e.C, "answer1")
		wantMiss(t, e.C, "answer1", v1)
		if n, _ := get[int](t, e.C, "answer1", v2); n != 42 {
			t.Fatal("delete removed the other version")
		}
		set(t, e.C, "answer2", 37, cache.DefaultTimeout, v1)
		set(t, e.C, "answer2", 42, cache.DefaultTimeout, v2)
		del(t, e.C, "answer2", v2)
		if n, _ := get[int](t, e.C, "answer2", v1); n != 37 {
			t.Fatal("explicit version delete removed v1")
		}
		wantMiss(t, e.C, "answer2", v2)
	})
	register("IncrIsPerVersion", func(t *testing.T, b *Backend) { // rule 27 (incr)
		e := newEnv(t, b, nil)
		set(t, e.C, "answer1", 37, cache.DefaultTimeout, v1)
		set(t, e.C, "answer1", 42, cache.DefaultTimeout, v2)
		if n := incr(t, e.C, "answer1", 1, v2); n != 43 {
			t.Fatalf("incr v2 = %d", n)
		}
		if n, _ := get[int](t, e.C, "answer1", v1); n != 37 {
			t.Fatal("incr v2 changed v1")
		}
	})
	register("IncrVersionMovesValue", func(t *testing.T, b *Backend) { // rule 30
		e := newEnv(t, b, nil)
		set(t, e.C, "answer", 42, cache.DefaultTimeout, v2)
		n, err := e.C.IncrVersion(ctx, "answer", 1, v2)
		if err != nil || n != 3 {
			t.Fatalf("IncrVersion = %d, %v; want 3", n, err)
		}
		wantMiss(t, e.C, "answer", v2)
		if x, _ := get[int](t, e.C, "answer", v3); x != 42 {
			t.Fatal("value not at version 3")
		}
		c2 := shareEnv(t, e, func(c *settings.Cache) { c.Version = 2 })
		set(t, c2, "answer2", 42, cache.DefaultTimeout)
		if n, err := c2.IncrVersion(ctx, "answer2", 1); err != nil || n != 3 {
			t.Fatalf("VERSION=2 IncrVersion = %d, %v", n, err)
		}
		if _, err := e.C.IncrVersion(ctx, "does_not_exist", 1); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("IncrVersion missing err = %v", err)
		}
		set(t, e.C, "null", nil, cache.DefaultTimeout)
		if n, err := e.C.IncrVersion(ctx, "null", 1); err != nil || n != 2 {
			t.Fatalf("IncrVersion of stored nil = %d, %v; want 2", n, err)
		}
		if !has(t, e.C, "null", v2) {
			t.Fatal("stored nil not moved")
		}
	})
	register("DecrVersionMovesValue", func(t *testing.T, b *Backend) { // rule 31
		e := newEnv(t, b, nil)
		set(t, e.C, "answer", 42, cache.DefaultTimeout, v2)
		n, err := e.C.DecrVersion(ctx, "answer", 1, v2)
		if err != nil || n != 1 {
			t.Fatalf("DecrVersion = %d, %v; want 1", n, err)
		}
		if x, _ := get[int](t, e.C, "answer"); x != 42 {
			t.Fatal("value not visible at version 1")
		}
		wantMiss(t, e.C, "answer", v2)
	})
}
