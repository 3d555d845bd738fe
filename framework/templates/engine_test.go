package templates_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gojango/framework/templates"
)

// projectFiles is a project with two DIRS and two apps, each file saying
// where it lives.
var projectFiles = map[string]string{
	"templates/a.html":              "project a",
	"more/a.html":                   "more a",
	"more/b.html":                   "more b",
	"blog/templates/b.html":         "blog b",
	"blog/templates/c.html":         "blog c",
	"shop/templates/c.html":         "shop c",
	"shop/templates/shop/only.html": "shop only",
	"settings.toml":                 "SECRET_KEY = 'x'",
	"secret.html":                   "secret",
}

func projectEngine(t *testing.T, appDirs bool) (*templates.Engine, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, projectFiles)
	toml := `INSTALLED_APPS = ["blog", "shop"]
[[TEMPLATES]]
BACKEND = "django.template.backends.django.DjangoTemplates"
DIRS = ["templates", "more"]
APP_DIRS = ` + map[bool]string{true: "true", false: "false"}[appDirs] + "\n"
	// Apps given in the other order: INSTALLED_APPS decides.
	e, err := templates.New(parseSettings(t, root, toml),
		templates.App{Name: "shop", Dir: "shop"},
		templates.App{Name: "blog", Dir: filepath.Join(root, "blog")})
	if err != nil {
		t.Fatal(err)
	}
	return e, root
}

// TestLoaderSearchesDirsThenAppDirsInInstalledAppsOrder: Django's loader
// order is TEMPLATES DIRS in order, then each installed app's templates/ in
// INSTALLED_APPS order; names never leave a directory (safe_join).
func TestLoaderSearchesDirsThenAppDirsInInstalledAppsOrder(t *testing.T) {
	e, root := projectEngine(t, true)
	cases := []struct {
		name, want string
		missing    bool
	}{
		{name: "a.html", want: "project a"},         // first DIR wins
		{name: "b.html", want: "more b"},            // second DIR beats the apps
		{name: "c.html", want: "blog c"},            // blog is first in INSTALLED_APPS
		{name: "shop/only.html", want: "shop only"}, // subfolders of an app dir
		{name: "sub/../a.html", want: "project a"},  // cleaned inside the dir
		{name: "missing.html", missing: true},
		{name: "../settings.toml", missing: true},
		{name: "../secret.html", missing: true},
		{name: filepath.Join(root, "settings.toml"), missing: true}, // absolute, outside every dir
		{name: "", missing: true},
		{name: "shop", missing: true}, // a directory
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.RenderToString(context.Background(), tc.name, nil)
			if tc.missing {
				if !errors.Is(err, templates.ErrTemplateDoesNotExist) {
					t.Fatalf("got %q, %v; want ErrTemplateDoesNotExist", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestMissingTemplateListsThePathsTried(t *testing.T) {
	e, root := projectEngine(t, true)
	_, err := e.RenderToString(context.Background(), "nope.html", nil)
	var te *templates.Error
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *templates.Error", err)
	}
	want := []string{
		filepath.Join(root, "templates", "nope.html"),
		filepath.Join(root, "more", "nope.html"),
		filepath.Join(root, "blog", "templates", "nope.html"),
		filepath.Join(root, "shop", "templates", "nope.html"),
	}
	if strings.Join(te.Tried, "\n") != strings.Join(want, "\n") {
		t.Errorf("Tried = %q, want %q", te.Tried, want)
	}
	if !strings.Contains(err.Error(), "template does not exist: nope.html") {
		t.Errorf("err = %v", err)
	}
	for i := range want {
		want[i] = filepath.Dir(want[i])
	}
	if got := e.Dirs(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Dirs = %q, want %q", got, want)
	}
}

// TestAppDirsFalseSkipsApps: APP_DIRS = false searches DIRS only.
func TestAppDirsFalseSkipsApps(t *testing.T) {
	e, _ := projectEngine(t, false)
	if got, err := e.RenderToString(context.Background(), "b.html", nil); err != nil || got != "more b" {
		t.Errorf("b.html: %q, %v", got, err)
	}
	if _, err := e.RenderToString(context.Background(), "c.html", nil); !errors.Is(err, templates.ErrTemplateDoesNotExist) {
		t.Errorf("c.html: err = %v, want ErrTemplateDoesNotExist", err)
	}
}

func TestAppsOrder(t *testing.T) {
	files := map[string]string{"one/templates/x.html": "one", "two/templates/x.html": "two"}
	cases := []struct {
		name      string
		installed string
		apps      []templates.App
		want      string
		wantErr   string
	}{
		{"INSTALLED_APPS empty: apps as given", "", []templates.App{{Name: "two", Dir: "two"}, {Name: "one", Dir: "one"}}, "two", ""},
		{"INSTALLED_APPS decides", `INSTALLED_APPS = ["one", "two"]`, []templates.App{{Name: "two", Dir: "two"}, {Name: "one", Dir: "one"}}, "one", ""},
		{"app not installed", `INSTALLED_APPS = ["one"]`, []templates.App{{Name: "two", Dir: "two"}, {Name: "one", Dir: "one"}}, "", `app "two" (folder two) has templates but is not in INSTALLED_APPS`},
		{"app given twice", "", []templates.App{{Name: "one", Dir: "one"}, {Name: "one", Dir: "two"}}, "", `app "one" given twice`},
		{"app without Dir", "", []templates.App{{Name: "one"}}, "", `app "one" has no Dir`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, files)
			e, err := templates.New(parseSettings(t, root, tc.installed+templatesTOML), tc.apps...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New: err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, err := e.RenderToString(context.Background(), "x.html", nil); err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNewRejectsSettingsWithoutDjangoTemplates(t *testing.T) {
	root := t.TempDir()
	cases := []struct{ toml, want string }{
		{"TEMPLATES = []\n", "no entry with BACKEND"},
		{"[[TEMPLATES]]\nBACKEND = \"django.template.backends.jinja2.Jinja2\"\n", "no entry with BACKEND"},
		{"[[TEMPLATES]]\nBACKEND = \"django\"\nOPTIONS = { debug = \"yes\" }\n", "OPTIONS.debug: want true or false"},
	}
	for _, tc := range cases {
		_, err := templates.New(parseSettings(t, root, tc.toml))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "settings.toml") {
			t.Errorf("%q: err = %v, want %q naming settings.toml", tc.toml, err, tc.want)
		}
	}
	// Default settings: DIRS ["templates"] relative to the working
	// directory, APP_DIRS true.
	if _, err := templates.New(nil); err != nil {
		t.Errorf("New(nil): %v", err)
	}
}

// TestInheritanceAcrossProjectAndAppDirs: {% extends %}, {% block %} and
// {% include %} find their templates in every directory, and a project
// template overriding an app's can extend the app's own (Django's
// recursive template loading).
func TestInheritanceAcrossProjectAndAppDirs(t *testing.T) {
	e, _ := newEngine(t, `INSTALLED_APPS = ["blog"]`, map[string]string{
		"templates/base.html":   `<title>{% block title %}Site{% endblock %}</title>{% block content %}{% endblock %}{% include "footer.html" %}`,
		"templates/footer.html": `<footer>project footer</footer>`,
		// The project overrides the app's list page, reusing it.
		"templates/blog/list.html":       `{% extends "blog/list.html" %}{% block title %}Project: {{ block.Super }}{% endblock %}`,
		"blog/templates/blog/list.html":  `{% extends "base.html" %}{% block title %}Blog{% endblock %}{% block content %}<ul>{% for p in posts %}{% include "blog/_item.html" %}{% endfor %}</ul>{% endblock %}`,
		"blog/templates/blog/_item.html": `<li>{{ p }}</li>`,
		// An app template extending a project one.
		"blog/templates/blog/post.html": `{% extends "base.html" %}{% block content %}<p>{{ post }}</p>{% endblock %}`,
	}, templates.App{Name: "blog", Dir: "blog"})

	cases := []struct {
		name string
		data map[string]any
		want string
	}{
		{"blog/post.html", map[string]any{"post": "<hi>"}, `<title>Site</title><p>&lt;hi&gt;</p><footer>project footer</footer>`},
		{"blog/list.html", map[string]any{"posts": []string{"a", "b"}}, `<title>Project: Blog</title><ul><li>a</li><li>b</li></ul><footer>project footer</footer>`},
	}
	for _, tc := range cases {
		got, err := e.RenderToString(context.Background(), tc.name, tc.data)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %q, %v\nwant %q", tc.name, got, err, tc.want)
		}
	}
}

// TestRenderWritesStatusAndContentType: Django's render(): the body, the
// status (200 unless given) and text/html; charset=utf-8, with "request"
// in the context.
func TestRenderWritesStatusAndContentType(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{
		"templates/page.html": `{{ request.Method }} {{ request.URL.Path }} {{ who }}`,
	})
	cases := []struct {
		name       string
		status     []int
		preset     string // Content-Type set before Render
		wantStatus int
		wantType   string
	}{
		{"default 200", nil, "", 200, "text/html; charset=utf-8"},
		{"status given", []int{201}, "", 201, "text/html; charset=utf-8"},
		{"404 page", []int{404}, "", 404, "text/html; charset=utf-8"},
		{"content type kept", nil, "application/xhtml+xml", 200, "application/xhtml+xml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/hello/", nil)
			if tc.preset != "" {
				w.Header().Set("Content-Type", tc.preset)
			}
			if err := e.Render(w, r, "page.html", map[string]any{"who": "<world>"}, tc.status...); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.wantStatus || w.Header().Get("Content-Type") != tc.wantType {
				t.Errorf("status %d type %q, want %d %q", w.Code, w.Header().Get("Content-Type"), tc.wantStatus, tc.wantType)
			}
			if body := w.Body.String(); body != "GET /hello/ &lt;world&gt;" {
				t.Errorf("body %q", body)
			}
			if w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
				t.Errorf("Content-Length %q", w.Header().Get("Content-Length"))
			}
		})
	}
}

func TestRenderRejectsAnInvalidStatus(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/page.html": "ok"})
	for _, code := range []int{0, 99, 600, -1} {
		w := httptest.NewRecorder()
		err := e.Render(w, httptest.NewRequest("GET", "/", nil), "page.html", nil, code)
		if err == nil || !strings.Contains(err.Error(), "HTTP status code must be an integer from 100 to 599") || w.Code != 500 {
			t.Errorf("status %d: err %v, code %d", code, err, w.Code)
		}
	}
}

// TestDebugErrorPageShowsFileLineAndCause: with DEBUG a template error is a
// 500 page naming the file, the line and the cause, all HTML-escaped; the
// returned error says the same.
func TestDebugErrorPageShowsFileLineAndCause(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		line   int
		file   string // relative to the project
		causes []string
	}{
		{
			name:  "render-time error in the page",
			files: map[string]string{"templates/page.html": "<h1>Hi</h1>\n\n{% cache \"<b>\" frag %}x{% endcache %}\n"},
			line:  3, file: "templates/page.html",
			causes: []string{`"cache" tag got a non-integer timeout value: '<b>'`},
		},
		{
			name:  "parse error in a parent",
			files: map[string]string{"templates/page.html": `{% extends "base.html" %}`, "templates/base.html": "line 1\n{% cache 5 %}{% endcache %}"},
			line:  2, file: "templates/base.html",
			causes: []string{`''cache'' tag requires at least 2 arguments.`},
		},
		{
			name:  "unknown tag",
			files: map[string]string{"templates/page.html": "a\nb\n{% frobnicate %}"},
			line:  3, file: "templates/page.html",
			causes: []string{`Invalid block tag on line 3: 'frobnicate'. Did you forget to register or load this tag?`},
		},
		{
			name:  "missing include",
			files: map[string]string{"templates/page.html": "a\n{% include \"nope.html\" %}"},
			line:  2, file: "templates/page.html",
			causes: []string{`template does not exist: nope.html`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, root := newEngine(t, "DEBUG = true\n", tc.files)
			w := httptest.NewRecorder()
			err := e.Render(w, httptest.NewRequest("GET", "/p/?q=<x>", nil), "page.html", nil)
			file := filepath.Join(root, filepath.FromSlash(tc.file))

			var te *templates.Error
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want *templates.Error", err)
			}
			if te.File != file || te.Line != tc.line {
				t.Errorf("error at %s:%d, want %s:%d (%v)", te.File, te.Line, file, tc.line, err)
			}
			for _, c := range tc.causes {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("err %q lacks %q", err, c)
				}
			}
			if w.Code != 500 || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("status %d type %q", w.Code, w.Header().Get("Content-Type"))
			}
			body := w.Body.String()
			for _, want := range []string{
				"In template <code>" + htmlEscape(file) + "</code>, error at line <strong>" + strconv.Itoa(tc.line) + "</strong>",
				htmlEscape(tc.causes[0]),
				"GET /p/?q=&lt;x&gt;",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("debug page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "<b>") || strings.Contains(body, "<x>") {
				t.Errorf("debug page has unescaped input:\n%s", body)
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestErrorPageWithoutDebug: without DEBUG the 500 shows nothing of the
// error: Django's plain "Server Error (500)", or the project's 500.html.
func TestErrorPageWithoutDebug(t *testing.T) {
	broken := map[string]string{"templates/page.html": "{% cache x %}{% endcache %}"}
	e, root := newEngine(t, "", broken)
	w := httptest.NewRecorder()
	if err := e.Render(w, httptest.NewRequest("GET", "/", nil), "page.html", nil); err == nil {
		t.Fatal("no error")
	}
	body := w.Body.String()
	if w.Code != 500 || !strings.Contains(body, "<h1>Server Error (500)</h1>") || strings.Contains(body, "cache") || strings.Contains(body, root) {
		t.Errorf("status %d body %q", w.Code, body)
	}

	broken["templates/500.html"] = "<p>Sorry {{ missing }}</p>"
	e, _ = newEngine(t, "", broken)
	w = httptest.NewRecorder()
	_ = e.Render(w, httptest.NewRequest("GET", "/", nil), "page.html", nil)
	if w.Code != 500 || w.Body.String() != "<p>Sorry </p>" {
		t.Errorf("with 500.html: status %d body %q", w.Code, w.Body.String())
	}
}

// TestDebugReadsTemplatesAgain: with DEBUG an edited template shows at the
// next render; without, the parsed template is kept.
func TestDebugReadsTemplatesAgain(t *testing.T) {
	for _, debug := range []bool{true, false} {
		top := "DEBUG = false\n"
		if debug {
			top = "DEBUG = true\n"
		}
		e, root := newEngine(t, top, map[string]string{
			"templates/page.html": `{% extends "base.html" %}{% block b %}one{% endblock %}`,
			"templates/base.html": `[{% block b %}{% endblock %}]`,
		})
		if e.Debug() != debug {
			t.Errorf("Debug() = %v", e.Debug())
		}
		if got, _ := e.RenderToString(context.Background(), "page.html", nil); got != "[one]" {
			t.Fatalf("first render %q", got)
		}
		writeTree(t, root, map[string]string{"templates/base.html": `({% block b %}{% endblock %})`})
		want := "[one]"
		if debug {
			want = "(one)"
		}
		if got, err := e.RenderToString(context.Background(), "page.html", nil); got != want {
			t.Errorf("debug=%v: after editing the parent got %q, %v; want %q", debug, got, err, want)
		}
	}
}

// TestOptionsDebugOverridesDEBUG: Django's OPTIONS "debug".
func TestOptionsDebugOverridesDEBUG(t *testing.T) {
	root := t.TempDir()
	s := parseSettings(t, root, "DEBUG = true\n[[TEMPLATES]]\nBACKEND = \"django\"\nOPTIONS = { debug = false }\n")
	e, err := templates.New(s)
	if err != nil || e.Debug() {
		t.Errorf("Debug() = %v, %v", e != nil && e.Debug(), err)
	}
}

// TestLoadTagAcceptsCacheOnly: {% load cache %} (and {% load cache from
// cache %}) are accepted; anything else fails with Django's message.
func TestLoadTagAcceptsCacheOnly(t *testing.T) {
	e, _ := newEngine(t, "", nil)
	cases := []struct{ src, wantErr string }{
		{"{% load cache %}ok", ""},
		{"{% load cache cache %}ok", ""},
		{"{% load cache from cache %}ok", ""},
		{"{% load %}ok", ""},
		{"{% load i18n %}", "'i18n' is not a registered tag library. Must be one of:\ncache"},
		{"{% load cache static %}", "'static' is not a registered tag library. Must be one of:\ncache"},
		{"{% load cache from humanize %}", "'humanize' is not a registered tag library."},
		{"{% load intcomma from cache %}", "'intcomma' is not a valid tag or filter in tag library 'cache'"},
	}
	for _, tc := range cases {
		got, err := e.RenderString(context.Background(), tc.src, nil)
		if tc.wantErr == "" {
			if err != nil || got != "ok" {
				t.Errorf("%s: %q, %v", tc.src, got, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want %q", tc.src, err, tc.wantErr)
		}
	}
}

// TestPanicInTemplateIsAnError: a function the template calls may panic;
// the render fails with an error instead of taking the server down.
func TestPanicInTemplateIsAnError(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/p.html": "{{ boom() }}"})
	w := httptest.NewRecorder()
	err := e.Render(w, httptest.NewRequest("GET", "/", nil), "p.html", map[string]any{"boom": func() string { panic("kaboom") }})
	if err == nil || !strings.Contains(err.Error(), "kaboom") || w.Code != 500 {
		t.Errorf("err %v code %d", err, w.Code)
	}
}

func TestInvalidContextNameIsAnError(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/p.html": "x"})
	if _, err := e.RenderToString(context.Background(), "p.html", map[string]any{"not-valid": 1}); err == nil {
		t.Error("no error for a context name pongo2 cannot use")
	}
}

// TestRenderStringExtendsEngineTemplates: a template from a string can
// extend the engine's files.
func TestRenderStringExtendsEngineTemplates(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/base.html": "<{% block x %}{% endblock %}>"})
	got, err := e.RenderString(context.Background(), `{% extends "base.html" %}{% block x %}{{ v }}{% endblock %}`, map[string]any{"v": 1})
	if err != nil || got != "<1>" {
		t.Errorf("got %q, %v", got, err)
	}
	_, err = e.RenderString(context.Background(), "a\n{% if %}", nil)
	var te *templates.Error
	if !errors.As(err, &te) || te.File != "<string>" || te.Line != 2 {
		t.Errorf("err = %#v", err)
	}
}
