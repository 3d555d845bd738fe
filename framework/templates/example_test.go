package templates_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"gojango/framework/cache"
	"gojango/framework/settings"
	"gojango/framework/templates"
)

func ExampleEngine_Render() {
	// A project folder with settings.toml and templates/.
	dir, err := os.MkdirTemp("", "gojango-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	files := map[string]string{
		"base.html": "<h1>{% block title %}{% endblock %}</h1>\n",
		"hello.html": `{% extends "base.html" %}{% load cache %}` +
			`{% block title %}{% cache 300 greeting name %}Hello, {{ name }}{% endcache %}{% endblock %}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, "templates", name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(body), 0o644)
	}
	s, err := settings.Parse(filepath.Join(dir, "settings.toml"), []byte(`
[[TEMPLATES]]
BACKEND = "django.template.backends.django.DjangoTemplates"
DIRS = ["templates"]
APP_DIRS = true
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	prev := cache.Current().Settings()
	defer func() { _ = cache.Setup(prev) }()
	if err := cache.Setup(s); err != nil { // CACHES: Django's default locmem alias
		fmt.Println(err)
		return
	}

	e, err := templates.New(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	hello := func(w http.ResponseWriter, r *http.Request) {
		// Django: return render(request, "hello.html", {"name": ...})
		_ = e.Render(w, r, "hello.html", map[string]any{"name": r.URL.Query().Get("name")})
	}

	w := httptest.NewRecorder()
	hello(w, httptest.NewRequest("GET", "/hello/?name=<Gopher>", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(w.Body.String())

	// The fragment is cached under Django's key; deleting it from Go makes
	// the next render build it again.
	key := cache.MakeTemplateFragmentKey("greeting", "<Gopher>")
	deleted, _ := cache.Default().Delete(context.Background(), key)
	fmt.Println(key, deleted)
	// Output:
	// 200 text/html; charset=utf-8
	// <h1>Hello, &lt;Gopher&gt;</h1>
	// template.cache.greeting.ec8d6e57cd8addedc42d5779a606963f true
}
