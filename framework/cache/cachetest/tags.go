package cachetest

import (
	"context"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

var tagX, tagY = cache.Tags("x"), cache.Tags("y")

func init() {
	register("InvalidateTagsMakesTaggedEntriesMiss", func(t *testing.T, b *Backend) { // beyond Django: tags
		e := newEnv(t, b, nil)
		set(t, e.C, "a", "A", cache.DefaultTimeout, tagX)
		set(t, e.C, "b", "B", cache.DefaultTimeout, tagX, tagY)
		if !add(t, e.C, "c", "C", cache.DefaultTimeout, tagY) {
			t.Fatal("Add of a new tagged key refused")
		}
		set(t, e.C, "d", "D", cache.DefaultTimeout)
		if _, err := e.C.SetMany(ctx, map[string]any{"m1": 1, "m2": 2}, cache.DefaultTimeout, tagX); err != nil {
			t.Fatal(err)
		}
		if v, err := cache.GetOrSet(ctx, e.C, "g", cache.DefaultTimeout, func(context.Context) (string, error) { return "G", nil }, tagX); err != nil || v != "G" {
			t.Fatalf("GetOrSet = %q, %v", v, err)
		}
		for k, want := range map[string]string{"a": "A", "b": "B", "c": "C", "d": "D", "g": "G"} {
			if v, ok := get[string](t, e.C, k); !ok || v != want {
				t.Fatalf("before invalidation Get(%q) = %q, %v", k, v, ok)
			}
		}
		if err := cache.InvalidateTags(ctx, e.C, "x"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b", "m1", "m2", "g"} {
			wantMiss(t, e.C, k)
			if has(t, e.C, k) {
				t.Fatalf("HasKey(%q) after its tag was invalidated", k)
			}
		}
		if m, err := e.C.GetMany(ctx, []string{"a", "b", "c", "d", "m1"}); err != nil || len(m) != 2 {
			t.Fatalf("GetMany after invalidation = %v, %v; want c and d", m, err)
		}
		for k, want := range map[string]string{"c": "C", "d": "D"} {
			if v, ok := get[string](t, e.C, k); !ok || v != want {
				t.Fatalf("untouched Get(%q) = %q, %v", k, v, ok)
			}
		}
		// Written again under the tag: valid under its new version.
		set(t, e.C, "a", "A2", cache.DefaultTimeout, tagX)
		if v, ok := get[string](t, e.C, "a"); !ok || v != "A2" {
			t.Fatalf("rewritten tagged Get = %q, %v", v, ok)
		}
		// An invalidated entry is absent for Add and GetOrSet, as an
		// expired one is.
		if !add(t, e.C, "b", "B2", cache.DefaultTimeout, tagX) {
			t.Fatal("Add over an invalidated entry refused")
		}
		if v, err := cache.GetOrSet(ctx, e.C, "g", cache.DefaultTimeout, func(context.Context) (string, error) { return "G2", nil }, tagX); err != nil || v != "G2" {
			t.Fatalf("GetOrSet over an invalidated entry = %q, %v", v, err)
		}
		if v, ok := get[string](t, e.C, "g"); !ok || v != "G2" {
			t.Fatalf("GetOrSet did not store over the invalidated entry: %q, %v", v, ok)
		}
	})

	register("TaggedEntryKeepsTagsThroughIncrVersion", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		set(t, e.C, "k", "v", cache.DefaultTimeout, tagY)
		if _, err := e.C.IncrVersion(ctx, "k", 1); err != nil {
			t.Fatal(err)
		}
		if v, ok := get[string](t, e.C, "k", v2); !ok || v != "v" {
			t.Fatalf("after IncrVersion Get(version 2) = %q, %v", v, ok)
		}
		if err := cache.InvalidateTags(ctx, e.C, "y"); err != nil {
			t.Fatal(err)
		}
		wantMiss(t, e.C, "k", v2)
	})

	register("InvalidateTagsReachesOtherHandles", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		other := shareEnv(t, e, func(*settings.Cache) {})
		set(t, e.C, "k", "v", cache.DefaultTimeout, tagX)
		if err := cache.InvalidateTags(ctx, other, "x"); err != nil {
			t.Fatal(err)
		}
		wantMiss(t, e.C, "k")
	})

	register("LostTagVersionNeverRevivesEntries", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		set(t, e.C, "k", "v", cache.DefaultTimeout, tagX)
		// The tag's own entry is culled or deleted: entries written under
		// the old version stay misses, and a new write gets a new version.
		del(t, e.C, cache.TagKey("x"))
		wantMiss(t, e.C, "k")
		set(t, e.C, "k2", "v2", cache.DefaultTimeout, tagX)
		wantMiss(t, e.C, "k")
		if v, ok := get[string](t, e.C, "k2"); !ok || v != "v2" {
			t.Fatalf("new tagged entry Get = %q, %v", v, ok)
		}
	})
}
