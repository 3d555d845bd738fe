package templates_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"gojango/framework/csrf"
	"gojango/framework/urls"
)

type token string

func (t token) Token() string { return string(t) }

// TestCSRFTokenTag checks Django's CsrfTokenNode: the hidden input with
// the request's token, nothing without one.
func TestCSRFTokenTag(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{"templates/form.html": `<form>{% csrf_token %}</form>`})
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"token_rendered_as_hidden_input", `abc"<`, `<form><input type="hidden" name="csrfmiddlewaretoken" value="abc&quot;&lt;"></form>`},
		{"no_middleware_renders_nothing", "", `<form></form>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.token != "" {
				r = r.WithContext(csrf.WithSource(r.Context(), token(tt.token)))
			}
			w := httptest.NewRecorder()
			if err := e.Render(w, r, "form.html", nil); err != nil {
				t.Fatal(err)
			}
			if got := w.Body.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestURLTag checks {% url %}: positional and keyword arguments,
// namespaces, "as var" swallowing NoReverseMatch, and the error otherwise.
func TestURLTag(t *testing.T) {
	view := func(http.ResponseWriter, *http.Request) {}
	root, blog := chi.NewRouter(), chi.NewRouter()
	urls.Path(root, "/articles/{id:[0-9]+}/", view, "tag-test-detail")
	urls.Path(blog, "/{slug}/", view, "post")
	urls.Include(root, "/tag-test-blog/", blog, "tagtestblog")
	urls.SetRoot(root)
	t.Cleanup(func() { urls.SetRoot(chi.NewRouter()) })

	got := render(t, `{% url "tag-test-detail" 42 %} {% url "tag-test-detail" id=7 %} {% url "tagtestblog:post" "a&b" %} {% url "nope" as x %}[{{ x }}]`, nil)
	if want := "/articles/42/ /articles/7/ /tag-test-blog/a&amp;b/ []"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	e, _ := newEngine(t, "", map[string]string{})
	_, err := e.RenderString(context.Background(), `{% url "nope" %}`, nil)
	if err == nil || !strings.Contains(err.Error(), "Reverse for 'nope' not found. 'nope' is not a valid view function or pattern name.") ||
		!strings.Contains(err.Error(), "tag-test-detail") {
		t.Errorf("error = %v, want Django's NoReverseMatch naming the known names", err)
	}
}
