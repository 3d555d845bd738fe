package urls

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

func view(http.ResponseWriter, *http.Request) {}

// newConf is a root URLconf with an included, namespaced app.
func newConf(t *testing.T) {
	t.Helper()
	reset()
	t.Cleanup(reset)
	blog := chi.NewRouter()
	Path(blog, "/", view, "index")
	Path(blog, "/{year:[0-9]+}/{slug}/", view, "detail")
	root := chi.NewRouter()
	Path(root, "/", view, "home")
	Path(root, "/articles/{id:[0-9]+}/", view, "article-detail")
	root.Post("/articles/{id}/edit/", view)
	Name(root, "article-edit", "/articles/{id}/edit/")
	Path(root, "/files/*", view, "files")
	Include(root, "/blog/", blog, "blog")
	SetRoot(root)
}

// TestReverse checks Django's reverse(): arguments in order or by name,
// namespaces, percent-encoding of values.
func TestReverse(t *testing.T) {
	newConf(t)
	tests := []struct {
		name   string
		url    string
		args   []any
		kwargs map[string]any
		want   string
	}{
		{"no_arguments", "home", nil, nil, "/"},
		{"positional", "article-detail", []any{42}, nil, "/articles/42/"},
		{"keyword", "article-detail", nil, map[string]any{"id": "7"}, "/articles/7/"},
		{"named_after_chi_route", "article-edit", []any{3}, nil, "/articles/3/edit/"},
		{"namespace", "blog:index", nil, nil, "/blog/"},
		{"namespace_with_args", "blog:detail", []any{2024, "hello world"}, nil, "/blog/2024/hello%20world/"},
		{"quote_keeps_subdelims", "blog:detail", []any{1, "a&b=c:d@e"}, nil, "/blog/1/a&b=c:d@e/"},
		{"quote_escapes_percent_and_unicode", "blog:detail", []any{1, "ü%"}, nil, "/blog/1/%C3%BC%25/"},
		{"wildcard", "files", []any{"a/b.txt"}, nil, "/files/a/b.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var err error
			if tt.kwargs != nil {
				got, err = ReverseKwargs(tt.url, tt.kwargs)
			} else {
				got, err = Reverse(tt.url, tt.args...)
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestNoReverseMatch checks Django's NoReverseMatch messages, plus the
// known names.
func TestNoReverseMatch(t *testing.T) {
	newConf(t)
	tests := []struct {
		name string
		url  string
		args []any
		want string
	}{
		{"unknown_name", "nope", nil, "Reverse for 'nope' not found. 'nope' is not a valid view function or pattern name."},
		{"unknown_namespace", "shop:index", nil, "'shop' is not a registered namespace"},
		{"unknown_nested_namespace", "blog:x:index", nil, "'x' is not a registered namespace inside 'blog'"},
		{"value_does_not_match_converter", "article-detail", []any{"abc"}, "Reverse for 'article-detail' with arguments '('abc',)' not found. 1 pattern(s) tried: ['/articles/{id:[0-9]+}/']"},
		{"missing_arguments", "article-detail", nil, "Reverse for 'article-detail' with no arguments not found."},
		{"slash_in_plain_parameter", "blog:detail", []any{1, "a/b"}, "not found. 1 pattern(s) tried"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Reverse(tt.url, tt.args...)
			var nrm *NoReverseMatch
			if !errors.As(err, &nrm) || !errors.Is(err, ErrNoReverseMatch) {
				t.Fatalf("err = %v, want a *NoReverseMatch", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "known URL names: article-detail, article-edit, blog:detail, blog:index, files, home") {
				t.Errorf("err = %q, want the known names", err)
			}
		})
	}
}

// TestPathRoutesEveryMethod checks that Path routes like Django's path():
// every method reaches the view.
func TestPathRoutesEveryMethod(t *testing.T) {
	reset()
	t.Cleanup(reset)
	r := chi.NewRouter()
	hit := 0
	Path(r, "/x/", func(http.ResponseWriter, *http.Request) { hit++ }, "x")
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		req, _ := http.NewRequest(m, "/x/", nil)
		r.ServeHTTP(discard{}, req)
	}
	if hit != 3 {
		t.Errorf("view ran %d times, want 3", hit)
	}
	if got, err := Reverse("x"); err != nil || got != "/x/" {
		t.Errorf("Reverse without SetRoot = %q, %v", got, err)
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
