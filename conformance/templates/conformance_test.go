package templatesconformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"gojango/framework/csrf"
	"gojango/framework/settings"
	"gojango/framework/templates"
	"gojango/framework/urls"
)

// variant is one set of settings the templates render under.
type variant struct {
	UseTZ    bool   `json:"USE_TZ"`
	TimeZone string `json:"TIME_ZONE"`
}

var variants = map[string]variant{
	"chicago":       {UseTZ: true, TimeZone: "America/Chicago"},
	"chicago-no-tz": {UseTZ: false, TimeZone: "America/Chicago"},
	"tokyo":         {UseTZ: true, TimeZone: "Asia/Tokyo"},
}

// dateTemplates render under every variant; the rest under "chicago".
var dateTemplates = map[string]bool{
	"dateformat_chars.html": true, "dateformat_combined.html": true,
	"date_settings.html": true, "timesince.html": true, "now.html": true,
	"child.html": true,
}

type renderCase struct {
	Template string `json:"template"`
	Variant  string `json:"variant"`
}

type result struct {
	Output *string `json:"output"`
	Error  string  `json:"error"`
}

// csrfToken is the token both sides render for {% csrf_token %}.
const csrfToken = "TOKEN-abc123"

type fixedToken string

func (t fixedToken) Token() string { return string(t) }

// TestTemplatesRenderAsDjango renders every template in testdata/ with
// Django and with framework/templates and compares the bytes.
func TestTemplatesRenderAsDjango(t *testing.T) {
	pythonPath, err := djangoPath()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	rawContext, err := os.ReadFile(filepath.Join(dir, "context.json"))
	if err != nil {
		t.Fatal(err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []renderCase
	for _, p := range names {
		name := filepath.Base(p)
		vs := []string{"chicago"}
		if dateTemplates[name] {
			vs = []string{"chicago", "chicago-no-tz", "tokyo"}
		}
		for _, v := range vs {
			cases = append(cases, renderCase{Template: name, Variant: v})
		}
	}

	want, err := renderDjango(t, pythonPath, dir, rawContext, cases)
	if err != nil {
		t.Fatal(err)
	}
	data, err := decodeContext(rawContext)
	if err != nil {
		t.Fatalf("testdata/context.json: %v", err)
	}
	registerURLs()

	same := 0
	for i, c := range cases {
		got := renderGo(t, dir, c, data)
		w := want[i]
		switch {
		case w.Output == nil:
			// The set holds templates Django renders; an error is a broken case.
			t.Errorf("%s [%s]: Django failed (%s), we rendered:\n%s", c.Template, c.Variant, w.Error, *got.Output)
		case got.Output == nil:
			t.Errorf("%s [%s]: we failed (%s), Django rendered:\n%s", c.Template, c.Variant, got.Error, *w.Output)
		case *w.Output == *got.Output:
			same++
		default:
			t.Errorf("%s [%s] differs from Django:\n%s", c.Template, c.Variant, lineDiff(*w.Output, *got.Output))
		}
	}
	summary := fmt.Sprintf("templates: %d of %d templates render identically", same, len(cases))
	t.Log(summary)
	fmt.Println(summary)
}

// registerURLs builds the URLconf render.py builds for Django.
func registerURLs() {
	view := func(http.ResponseWriter, *http.Request) {}
	blog := chi.NewRouter()
	urls.Path(blog, "/", view, "index")
	urls.Path(blog, "/{year:[0-9]+}/{slug:[-a-zA-Z0-9_]+}/", view, "detail")
	root := chi.NewRouter()
	urls.Path(root, "/", view, "home")
	urls.Path(root, "/articles/", view, "article-list")
	urls.Path(root, "/articles/{id:[0-9]+}/", view, "article-detail")
	urls.Path(root, "/articles/{id:[0-9]+}/edit/", view, "article-edit")
	urls.Path(root, "/search/{q}/", view, "search")
	urls.Include(root, "/blog/", blog, "blog")
	urls.SetRoot(root)
}

// renderGo renders one case with framework/templates through Render, with
// a request carrying the CSRF token.
func renderGo(t *testing.T, dir string, c renderCase, data map[string]any) result {
	t.Helper()
	v := variants[c.Variant]
	s := settings.Default()
	s.Templates = []settings.TemplateBackend{{Backend: "django", Dirs: []string{dir}, Options: map[string]any{}}}
	s.TimeZone, s.UseTZ = v.TimeZone, v.UseTZ
	e, err := templates.New(s)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(csrf.WithSource(req.Context(), fixedToken(csrfToken)))
	rec := httptest.NewRecorder()
	if err := e.Render(rec, req, c.Template, data); err != nil {
		return result{Error: err.Error()}
	}
	out := rec.Body.String()
	return result{Output: &out}
}

// renderDjango runs render.py once for every case.
func renderDjango(t *testing.T, pythonPath, dir string, rawContext []byte, cases []renderCase) ([]result, error) {
	t.Helper()
	in, err := json.Marshal(map[string]any{
		"dir": dir, "variants": variants, "context": json.RawMessage(rawContext), "cases": cases,
		"csrf_token": csrfToken,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "render.py")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonPath, "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("render.py: %w\n%s", err, stderr.String())
	}
	var res []result
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("render.py output: %w", err)
	}
	if len(res) != len(cases) {
		return nil, fmt.Errorf("render.py returned %d results for %d cases", len(res), len(cases))
	}
	return res, nil
}

// decodeContext reads testdata/context.json into Go values: {"$dt": ...}
// is a time.Time (in "tz" when given), {"$safe": ...} a
// templates.SafeString, numbers with a fraction or exponent float64, the
// others int.
func decodeContext(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	out, err := convert(v)
	if err != nil {
		return nil, err
	}
	return out.(map[string]any), nil
}

func convert(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return x.Float64()
		}
		n, err := x.Int64()
		return int(n), err
	case []any:
		for i := range x {
			c, err := convert(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case map[string]any:
		if s, ok := x["$dt"].(string); ok {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			if tz, ok := x["tz"].(string); ok {
				loc, err := time.LoadLocation(tz)
				if err != nil {
					return nil, err
				}
				tm = tm.In(loc)
			}
			return tm, nil
		}
		if s, ok := x["$safe"].(string); ok {
			return templates.SafeString(s), nil
		}
		for k := range x {
			c, err := convert(x[k])
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	}
	return v, nil
}

// djangoPath is the PYTHONPATH of the Django that getdjango.sh unpacked in
// $GOJANGO_DJANGO_DIR (relative to the repository root), by default
// conformance/.django.
func djangoPath() (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	dir := os.Getenv("GOJANGO_DJANGO_DIR")
	if dir == "" {
		dir = filepath.Join("conformance", ".django")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	parts := []string{filepath.Join(dir, "django"), filepath.Join(dir, "asgiref"), filepath.Join(dir, "sqlparse")}
	if _, err := os.Stat(filepath.Join(parts[0], "django", "__init__.py")); err != nil {
		return "", fmt.Errorf("Django 5.2.19 not found in %s: run `bash conformance/getdjango.sh conformance/.django` from the repository root, or set GOJANGO_DJANGO_DIR", dir)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return "", errors.New("python3 is not on PATH")
	}
	return strings.Join(parts, string(os.PathListSeparator)), nil
}

// lineDiff shows the lines that differ, Django's first.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "  line %d\n    django: %q\n    gojango: %q\n", i+1, w, g)
		}
	}
	return b.String()
}
