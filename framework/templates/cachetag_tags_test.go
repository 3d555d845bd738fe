package templates_test

import (
	"context"
	"testing"

	"gojango/framework/cache"
)

// Beyond Django: tags="..." tags a fragment, and cache.InvalidateTags with
// any of its tags makes it render again; using= still works beside it.
func TestCacheTagTagsFragment(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name(), "other": t.Name() + "-other"})
	e, _ := newEngine(t, "", map[string]string{
		"templates/p.html":  `{% load cache %}[{% cache 500 side tags="articles, article:1" %}{{ count() }}{% endcache %}]`,
		"templates/u.html":  `{% load cache %}[{% cache 500 side2 who tags=tagvar using="other" %}{{ count() }}{% endcache %}]`,
		"templates/u2.html": `{% load cache %}[{% cache 500 side3 using="other" tags="x" %}{{ count() }}{% endcache %}]`,
	})
	ctx := context.Background()
	c := &counter{}
	render := func(name string) string {
		got, err := e.RenderToString(ctx, name, map[string]any{"count": c.next, "who": "ann", "tagvar": "users"})
		if err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		return got
	}
	if a, b := render("p.html"), render("p.html"); a != "[1]" || b != "[1]" {
		t.Fatalf("renders %q, %q; want the fragment cached", a, b)
	}
	if err := cache.InvalidateTags(ctx, cache.Default(), "article:1"); err != nil {
		t.Fatal(err)
	}
	if got := render("p.html"); got != "[2]" {
		t.Fatalf("after invalidating a tag: %q; want a fresh render", got)
	}
	if a, b := render("u.html"), render("u.html"); a != "[3]" || b != "[3]" {
		t.Fatalf("tags from a variable with using=: %q, %q", a, b)
	}
	if err := cache.InvalidateTags(ctx, cache.Caches("other"), "users"); err != nil {
		t.Fatal(err)
	}
	if got := render("u.html"); got != "[4]" {
		t.Fatalf("after invalidating the variable's tag: %q", got)
	}
	if a, b := render("u2.html"), render("u2.html"); a != "[5]" || b != "[5]" {
		t.Fatalf("using= before tags=: %q, %q", a, b)
	}
}
