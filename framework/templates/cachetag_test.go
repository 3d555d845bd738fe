package templates_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/db"
	"gojango/framework/templates"
)

// counter is a template function, {{ count() }}, proving when a fragment's
// body is rendered.
type counter struct{ n atomic.Int64 }

func (c *counter) next() int64 { return c.n.Add(1) }

func renderString(t *testing.T, e *templates.Engine, src string, data map[string]any) string {
	t.Helper()
	got, err := e.RenderString(context.Background(), src, data)
	if err != nil {
		t.Fatalf("render %q: %v", src, err)
	}
	return got
}

func hasKey(t *testing.T, alias, key string) bool {
	t.Helper()
	ok, err := cache.Caches(alias).HasKey(context.Background(), key)
	if err != nil {
		t.Fatalf("HasKey(%s, %s): %v", alias, key, err)
	}
	return ok
}

// TestCacheTagHitDoesNotRenderTheBodyAgain: the first render stores the
// fragment under make_template_fragment_key(name); later renders output it
// without rendering the body.
func TestCacheTagHitDoesNotRenderTheBodyAgain(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", map[string]string{
		"templates/p.html": "{% load cache %}[{% cache 500 frag %}{{ count() }}{% endcache %}]",
	})
	c := &counter{}
	for i := 0; i < 3; i++ {
		got, err := e.RenderToString(context.Background(), "p.html", map[string]any{"count": c.next})
		if err != nil || got != "[1]" {
			t.Fatalf("render %d: %q, %v", i, got, err)
		}
	}
	if c.n.Load() != 1 {
		t.Errorf("body rendered %d times, want 1", c.n.Load())
	}
	var v string
	if ok, err := cache.Default().Get(context.Background(), cache.MakeTemplateFragmentKey("frag"), &v); !ok || err != nil || v != "1" {
		t.Errorf("cached fragment %q, %v, %v; want \"1\"", v, ok, err)
	}
}

// TestCacheTagVaryOnGivesSeparateEntries: each combination of vary values
// is its own entry; values hash by their text, so 1 and "1" share one, as
// str() makes them in Django.
func TestCacheTagVaryOnGivesSeparateEntries(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", nil)
	c := &counter{}
	src := "{% load cache %}{% cache 500 frag x y %}{{ count() }}{% endcache %}"
	steps := []struct {
		x, y any
		want string
	}{
		{1, "a", "1"},
		{2, "a", "2"},
		{1, "a", "1"},
		{1, "b", "3"},
		{"1", "a", "1"},
		{2, "a", "2"},
	}
	for i, s := range steps {
		if got := renderString(t, e, src, map[string]any{"x": s.x, "y": s.y, "count": c.next}); got != s.want {
			t.Errorf("step %d (%v, %v): got %q, want %q", i, s.x, s.y, got, s.want)
		}
	}
	for _, k := range [][]any{{1, "a"}, {2, "a"}, {1, "b"}} {
		if !hasKey(t, "default", cache.MakeTemplateFragmentKey("frag", k...)) {
			t.Errorf("no entry for %v", k)
		}
	}
}

// TestDeletingTheFragmentKeyRendersAgain: cache.MakeTemplateFragmentKey
// (Django's make_template_fragment_key, rule 91) names the entry, so
// deleting it from Go invalidates that fragment, and only that one.
func TestDeletingTheFragmentKeyRendersAgain(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", map[string]string{
		"templates/p.html": "{% load cache %}{% cache 500 sidebar user n %}{{ user }}:{{ count() }}{% endcache %}",
	})
	ctx := context.Background()
	c := &counter{}
	render := func(user string) string {
		got, err := e.RenderToString(ctx, "p.html", map[string]any{"user": user, "n": 5, "count": c.next})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if a, b := render("alice"), render("bob"); a != "alice:1" || b != "bob:2" {
		t.Fatalf("first renders %q %q", a, b)
	}
	deleted, err := cache.Default().Delete(ctx, cache.MakeTemplateFragmentKey("sidebar", "alice", 5))
	if err != nil || !deleted {
		t.Fatalf("Delete: %v, %v (the tag stored under another key)", deleted, err)
	}
	if a, b := render("alice"), render("bob"); a != "alice:3" || b != "bob:2" {
		t.Errorf("after deleting alice's fragment: %q %q, want alice:3 bob:2", a, b)
	}
}

// TestCacheTagTimeout: the timeout is resolved at render time: a literal, a
// variable, a numeric string, Django's int() of a float or bool, None (or a
// None-valued variable) for never, and 0 or less for "expired at once".
// Expiry is checked with the caches' fake clock.
func TestCacheTagTimeout(t *testing.T) {
	const forever = -1
	var nilInt *int
	cases := []struct {
		expr string
		data map[string]any
		secs int64 // seconds the fragment lives; 0 = not at all; forever
	}{
		{"60", nil, 60},
		{`"60"`, nil, 60},
		{"t", map[string]any{"t": 60}, 60},
		{"t", map[string]any{"t": int64(60)}, 60},
		{"t", map[string]any{"t": uint8(60)}, 60},
		{"t", map[string]any{"t": "60"}, 60},
		{"t", map[string]any{"t": " +6_0 "}, 60},
		{"t", map[string]any{"t": 60.9}, 60},
		{"t", map[string]any{"t": time.Minute}, 60},
		{"t", map[string]any{"t": cache.Timeout(60)}, 60},
		{"t", map[string]any{"t": true}, 1},
		{"t|add:30", map[string]any{"t": 30}, 60},
		{"obj.T", map[string]any{"obj": map[string]any{"T": 60}}, 60},
		{"None", nil, forever},
		{"t", map[string]any{"t": nil}, forever},
		{"t", map[string]any{"t": nilInt}, forever},
		{"t", map[string]any{"t": cache.Forever}, forever},
		{"t", map[string]any{"t": "99999999999999999999999"}, forever}, // beyond int64: as good as never
		{"0", nil, 0},
		{"-5", nil, 0},
		{"t", map[string]any{"t": "-5"}, 0},
		{"t", map[string]any{"t": false}, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s=%v", tc.expr, tc.data), func(t *testing.T) {
			clk := setupCaches(t, map[string]string{"default": t.Name()})
			e, _ := newEngine(t, "", nil)
			c := &counter{}
			data := map[string]any{"count": c.next}
			for k, v := range tc.data {
				data[k] = v
			}
			src := "{% load cache %}{% cache " + tc.expr + " frag %}{{ count() }}{% endcache %}"
			render := func() string { return renderString(t, e, src, data) }
			if got := render(); got != "1" {
				t.Fatalf("first render %q", got)
			}
			switch tc.secs {
			case 0:
				if got := render(); got != "2" {
					t.Errorf("second render %q, want the body rendered again (expired at once)", got)
				}
				return
			case forever:
				clk.Advance(100 * 365 * 24 * time.Hour)
				if got := render(); got != "1" {
					t.Errorf("a century later %q, want the fragment still cached", got)
				}
				return
			}
			clk.Advance(time.Duration(tc.secs-1) * time.Second)
			if got := render(); got != "1" {
				t.Errorf("after %ds: %q, want still cached", tc.secs-1, got)
			}
			clk.Advance(2 * time.Second)
			if got := render(); got != "2" {
				t.Errorf("after %ds: %q, want expired", tc.secs+1, got)
			}
		})
	}
}

// TestCacheTagErrors: Django's messages for a malformed tag (at parse time)
// and for bad timeouts and aliases (at render time), each reported at the
// tag's file and line.
func TestCacheTagErrors(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", nil)
	cases := []struct {
		tag  string
		data map[string]any
		want string
	}{
		// Django's exact text: the tag name is formatted with '%r' inside quotes.
		{"{% cache %}{% endcache %}", nil, "''cache'' tag requires at least 2 arguments."},
		{"{% cache 500 %}{% endcache %}", nil, "''cache'' tag requires at least 2 arguments."},
		{"{% cache foo frag %}{% endcache %}", nil, `"cache" tag got an unknown variable: 'foo'`},
		{"{% cache foo.bar frag %}{% endcache %}", map[string]any{"foo": map[string]any{}}, `"cache" tag got an unknown variable: 'foo.bar'`},
		{"{% cache foo.1 frag %}{% endcache %}", map[string]any{"foo": []int{1}}, `"cache" tag got an unknown variable: 'foo.1'`},
		{"{% cache foo frag %}{% endcache %}", map[string]any{"foo": "fail"}, `"cache" tag got a non-integer timeout value: 'fail'`},
		{"{% cache foo frag %}{% endcache %}", map[string]any{"foo": []int{}}, `"cache" tag got a non-integer timeout value: []`},
		{"{% cache foo frag %}{% endcache %}", map[string]any{"foo": "2.5"}, `"cache" tag got a non-integer timeout value: '2.5'`},
		{`{% cache "" frag %}{% endcache %}`, nil, `"cache" tag got a non-integer timeout value: ''`},
		{`{% cache "it's" frag %}{% endcache %}`, nil, `"cache" tag got a non-integer timeout value: "it's"`},
		{`{% cache 500 frag using="nope" %}{% endcache %}`, nil, `Invalid cache name specified for cache tag: 'nope'`},
		{`{% cache 500 frag x using=alias %}{% endcache %}`, map[string]any{"alias": "nope"}, `Invalid cache name specified for cache tag: 'nope'`},
		{`{% cache 500 frag using=alias %}{% endcache %}`, map[string]any{"alias": 5}, `Invalid cache name specified for cache tag: 5`},
		{`{% cache 500 frag using=alias %}{% endcache %}`, nil, `"cache" tag got an unknown variable: 'alias'`},
		{`{% cache 500 frag x"y" %}{% endcache %}`, nil, `Could not parse the remainder: '"y"' from 'x"y"'`},
		{`{% cache 500 frag using= %}{% endcache %}`, nil, `Missing value in 'using='.`},
		// using= anywhere but last is a vary value, which Django cannot parse either.
		{`{% cache 500 frag using="other" v %}{% endcache %}`, nil, `Could not parse the remainder: '="other"' from 'using="other"'`},
		{`{% cache 500 frag %}`, nil, `Unexpected EOF, expected tag endcache.`},
		{`{% cache 500 frag %}{% endcache frag %}`, nil, `'endcache' takes no arguments.`},
		// pongo2 reads "a -1" as one expression where Django sees two.
		{`{% cache 500 frag a -1 %}{% endcache %}`, nil, `'a' and the '-1' after it are one expression to pongo2`},
	}
	for _, tc := range cases {
		t.Run(tc.tag, func(t *testing.T) {
			_, err := e.RenderString(context.Background(), "{% load cache %}\n"+tc.tag, tc.data)
			var te *templates.Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *templates.Error", err)
			}
			if !strings.Contains(te.Msg, tc.want) {
				t.Errorf("message %q, want %q", te.Msg, tc.want)
			}
			if te.File != "<string>" || te.Line != 2 {
				t.Errorf("error at %s:%d, want <string>:2 (%v)", te.File, te.Line, err)
			}
		})
	}
}

// TestCacheTagUsingPicksTheAlias: using="alias" (a literal or a variable)
// picks the cache, but only as the last of more than two arguments:
// {% cache 500 using="other" %} is the fragment named using="other".
func TestCacheTagUsingPicksTheAlias(t *testing.T) {
	cases := []struct {
		tag   string
		data  map[string]any
		alias string
		key   string
	}{
		{`{% cache 500 frag using="other" %}`, nil, "other", cache.MakeTemplateFragmentKey("frag")},
		{`{% cache 500 frag using='other' %}`, nil, "other", cache.MakeTemplateFragmentKey("frag")},
		{`{% cache 500 frag using=alias %}`, map[string]any{"alias": "other"}, "other", cache.MakeTemplateFragmentKey("frag")},
		{`{% cache 500 frag v using="other" %}`, map[string]any{"v": "x"}, "other", cache.MakeTemplateFragmentKey("frag", "x")},
		{`{% cache 500 frag using="default" %}`, nil, "default", cache.MakeTemplateFragmentKey("frag")},
		{`{% cache 500 using="other" %}`, nil, "default", cache.MakeTemplateFragmentKey(`using="other"`)},
	}
	for _, tc := range cases {
		t.Run(tc.tag, func(t *testing.T) {
			setupCaches(t, map[string]string{"default": t.Name() + "-d", "other": t.Name() + "-o"})
			e, _ := newEngine(t, "", nil)
			if got := renderString(t, e, "{% load cache %}"+tc.tag+"body{% endcache %}", tc.data); got != "body" {
				t.Fatalf("render %q", got)
			}
			for _, a := range []string{"default", "other"} {
				if got := hasKey(t, a, tc.key); got != (a == tc.alias) {
					t.Errorf("alias %s has the fragment: %v, want it in %s", a, got, tc.alias)
				}
			}
		})
	}
}

// TestCacheTagDefaultAliasIsTemplateFragments: without using=, the
// "template_fragments" alias when CACHES has it, else "default".
func TestCacheTagDefaultAliasIsTemplateFragments(t *testing.T) {
	key := cache.MakeTemplateFragmentKey("frag")
	for _, withFragments := range []bool{true, false} {
		aliases := map[string]string{"default": t.Name() + "-d"}
		want := "default"
		if withFragments {
			aliases["template_fragments"] = t.Name() + "-tf"
			want = "template_fragments"
		}
		setupCaches(t, aliases)
		e, _ := newEngine(t, "", nil)
		renderString(t, e, "{% load cache %}{% cache 500 frag %}x{% endcache %}", nil)
		for a := range aliases {
			if got := hasKey(t, a, key); got != (a == want) {
				t.Errorf("template_fragments configured %v: alias %s has the fragment: %v, want it in %s", withFragments, a, got, want)
			}
		}
	}
}

// TestCacheTagCachedEmptyStringIsAHit: only a missing entry (or a stored
// None) is a miss; a cached "" is output as is.
func TestCacheTagCachedEmptyStringIsAHit(t *testing.T) {
	key := cache.MakeTemplateFragmentKey("frag")
	cases := []struct {
		stored any
		want   string
	}{
		{"", "[]"},
		{"from cache", "[from cache]"},
		{[]byte("bytes"), "[bytes]"},
		{nil, "[1]"}, // None: rendered again
	}
	for _, tc := range cases {
		setupCaches(t, map[string]string{"default": t.Name()})
		e, _ := newEngine(t, "", nil)
		if err := cache.Default().Set(context.Background(), key, tc.stored, cache.Forever); err != nil {
			t.Fatal(err)
		}
		c := &counter{}
		if got := renderString(t, e, "{% load cache %}[{% cache 500 frag %}{{ count() }}{% endcache %}]", map[string]any{"count": c.next}); got != tc.want {
			t.Errorf("stored %#v: got %q, want %q", tc.stored, got, tc.want)
		}
	}
}

type varyUser struct {
	Name  string
	Admin *bool
}

func (varyUser) Title() string { return "Dr" }

// TestCacheTagVaryValuesResolveLikeDjango: vary values are expressions; the
// key hashes them as Django's str() prints the same values: None, True and
// False are literals, a missing variable is "" (string_if_invalid) and a
// nil one "None".
func TestCacheTagVaryValuesResolveLikeDjango(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", nil)
	data := map[string]any{
		"n":    5,
		"f":    1.0,
		"s":    "abc",
		"user": &varyUser{Name: "Bob"},
		"nilv": nil,
	}
	cases := []struct {
		vary string
		want []any
	}{
		{"None True False", []any{nil, true, false}},
		{"n f s", []any{5, "1.0", "abc"}},
		{`"lit" 'quoted' 42`, []any{"lit", "quoted", 42}},
		{"missing user.Missing user.Admin nilv", []any{"", "", nil, nil}},
		{"user.Name user.Title s|upper", []any{"Bob", "Dr", "ABC"}},
	}
	for _, tc := range cases {
		renderString(t, e, "{% load cache %}{% cache 500 frag "+tc.vary+" %}x{% endcache %}", data)
		if !hasKey(t, "default", cache.MakeTemplateFragmentKey("frag", tc.want...)) {
			t.Errorf("vary %s: no entry under the key of %#v", tc.vary, tc.want)
		}
	}
	// Loop variables live in pongo2's private context.
	renderString(t, e, "{% load cache %}{% for u in users %}{% cache 500 loop u.Name forloop.Counter %}x{% endcache %}{% endfor %}",
		map[string]any{"users": []varyUser{{Name: "A"}, {Name: "B"}}})
	for _, want := range [][]any{{"A", 1}, {"B", 2}} {
		if !hasKey(t, "default", cache.MakeTemplateFragmentKey("loop", want...)) {
			t.Errorf("loop: no entry under the key of %#v", want)
		}
	}
}

// TestCacheTagFragmentNameIsLiteral: the name is the argument's text, never
// a variable; characters like . - : / stay in it.
func TestCacheTagFragmentNameIsLiteral(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", nil)
	for _, name := range []string{"a.fragment", "frag", "my-frag:x/1", "sidebar_2", `"quoted name"`, "a.0"} {
		renderString(t, e, "{% load cache %}{% cache 500 "+name+" %}x{% endcache %}", map[string]any{"a": "not used", "frag": "nor this"})
		if !hasKey(t, "default", cache.MakeTemplateFragmentKey(name)) {
			t.Errorf("no entry for the fragment named %s", name)
		}
	}
}

// TestCacheTagInBlocksAndIncludes: fragments cache inside a child's block
// and inside an included template, with the engine's cached templates.
func TestCacheTagInBlocksAndIncludes(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", map[string]string{
		"templates/base.html":  "<{% block b %}{% endblock %}|{% include \"inc.html\" %}>",
		"templates/inc.html":   "{% load cache %}{% cache 60 inc %}i{{ count() }}{% endcache %}",
		"templates/child.html": "{% extends \"base.html\" %}{% load cache %}{% block b %}{% cache 60 block %}b{{ count() }}{% endcache %}{% endblock %}",
	})
	c := &counter{}
	for i := 0; i < 3; i++ {
		got, err := e.RenderToString(context.Background(), "child.html", map[string]any{"count": c.next})
		if err != nil || got != "<b1|i2>" {
			t.Fatalf("render %d: %q, %v", i, got, err)
		}
	}
}

// TestCacheTagBackendDownRendersUncached: a failing cache never fails the
// page: the body is rendered (every time) and the error logged. The db
// backend without its table (createcachetable not run) is a real failure.
func TestCacheTagBackendDownRendersUncached(t *testing.T) {
	root := t.TempDir()
	setupCacheSettings(t, parseSettings(t, root, `
[DATABASES.default]
ENGINE = "django.db.backends.sqlite3"
NAME = "db.sqlite3"
[CACHES.default]
BACKEND = "django.core.cache.backends.db.DatabaseCache"
LOCATION = "no_such_table"
`))
	var logs bytes.Buffer
	var mu sync.Mutex
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })

	e, _ := newEngine(t, "", nil)
	c := &counter{}
	for i := 1; i <= 2; i++ {
		got := renderString(t, e, "{% load cache %}[{% cache 500 frag %}{{ count() }}{% endcache %}]", map[string]any{"count": c.next})
		if want := fmt.Sprintf("[%d]", i); got != want {
			t.Errorf("render %d: %q, want %q", i, got, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if out := logs.String(); !strings.Contains(out, "template fragment cache failed") || !strings.Contains(out, "no_such_table") {
		t.Errorf("log:\n%s", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestCacheTagConcurrentRenders: one engine, one cached template, many
// requests at once (run with -race).
func TestCacheTagConcurrentRenders(t *testing.T) {
	setupCaches(t, map[string]string{"default": t.Name()})
	e, _ := newEngine(t, "", map[string]string{
		"templates/base.html": "{% load cache %}<{% block b %}{% endblock %}>",
		"templates/p.html":    "{% extends \"base.html\" %}{% block b %}{% cache 60 frag i %}{{ i }}{% endcache %}{% include \"inc.html\" %}{% endblock %}",
		"templates/inc.html":  "!",
	})
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				w := httptest.NewRecorder()
				if err := e.Render(w, httptest.NewRequest("GET", "/", nil), "p.html", map[string]any{"i": i % 4}); err != nil {
					t.Error(err)
					return
				}
				if want := fmt.Sprintf("<%d!>", i%4); w.Body.String() != want {
					t.Errorf("got %q, want %q", w.Body.String(), want)
				}
			}
		}()
	}
	wg.Wait()
}

type ctxKey struct{}

// TestTagsSeeTheRequestAndItsContext: ContextOf is the request's context in
// Render and the given one in RenderToString; RequestOf is the request.
func TestTagsSeeTheRequestAndItsContext(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/p.html": "{{ probe() }}"})
	probe := func(ectx *pongo2.ExecutionContext) string {
		v, _ := templates.ContextOf(ectx).Value(ctxKey{}).(string)
		method := "-"
		if r := templates.RequestOf(ectx); r != nil {
			method = r.Method
		}
		return v + " " + method
	}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "from request"))
	w := httptest.NewRecorder()
	if err := e.Render(w, r, "p.html", map[string]any{"probe": probe}); err != nil || w.Body.String() != "from request POST" {
		t.Errorf("Render: %q, %v", w.Body.String(), err)
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, "given")
	if got, err := e.RenderToString(ctx, "p.html", map[string]any{"probe": probe}); err != nil || got != "given -" {
		t.Errorf("RenderToString: %q, %v", got, err)
	}
	if templates.ContextOf(nil) == nil || templates.RequestOf(nil) != nil {
		t.Error("nil execution context")
	}
}
