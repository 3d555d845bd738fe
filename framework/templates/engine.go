package templates

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/settings"
)

// Backend names of a TEMPLATES entry this package serves. Entries with
// another BACKEND (Jinja2, say) belong to another engine and are skipped.
var backendNames = map[string]bool{
	"django.template.backends.django.DjangoTemplates": true,
	"django": true,
	"pongo2": true,
}

// App is one installed app as far as templates care: its name as listed in
// INSTALLED_APPS and its folder, whose templates/ subfolder is searched when
// the TEMPLATES entry has APP_DIRS = true.
type App struct {
	Name string
	Dir  string // relative paths resolve against Settings.BaseDir
}

// Engine renders Django-syntax templates (pongo2) found in the TEMPLATES
// entry's DIRS and the apps' templates/ folders, with the {% cache %} and
// {% load %} tags. It is safe for concurrent use.
//
// Without DEBUG each template is parsed once and kept (with the templates it
// extends and includes by a literal name); with DEBUG every render reads the
// files again, so edits show at once.
type Engine struct {
	debug  bool
	dirs   []string
	loader *loader
	set    *pongo2.TemplateSet // the caching set; nil with DEBUG
}

// New builds the engine of the first TEMPLATES entry whose BACKEND is
// Django's (django.template.backends.django.DjangoTemplates, or "django" /
// "pongo2"). Templates are searched, in order, in the entry's DIRS
// (relative to s.BaseDir), then, with APP_DIRS, in each app's templates/
// folder in INSTALLED_APPS order (in the order given when INSTALLED_APPS is
// empty; an app missing from a non-empty INSTALLED_APPS is an error).
// OPTIONS.debug (a boolean) overrides DEBUG for template reloading; other
// OPTIONS are ignored. A nil s means Django's default settings.
func New(s *settings.Settings, apps ...App) (*Engine, error) {
	if err := registerTags(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if err := registerFilters(); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	if s == nil {
		s = settings.Default()
	}
	if err := applyFormats(s); err != nil {
		return nil, err
	}
	idx := -1
	for i, t := range s.Templates {
		if backendNames[t.Backend] {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, s.Errorf("TEMPLATES", "no entry with BACKEND = %q", "django.template.backends.django.DjangoTemplates")
	}
	tb := s.Templates[idx]
	key := "TEMPLATES." + strconv.Itoa(idx)

	debugMode := s.Debug
	if v, ok := tb.Options["debug"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, s.Errorf(key+".OPTIONS.debug", "want true or false, got %v", v)
		}
		debugMode = b
	}

	base := s.BaseDir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("templates: resolve relative DIRS: %w", err)
		}
		base = wd
	}
	abs := func(p string) (string, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(base, p)
		}
		return filepath.Abs(p)
	}

	var dirs []string
	for _, d := range tb.Dirs {
		p, err := abs(d)
		if err != nil {
			return nil, s.Errorf(key+".DIRS", "resolve %q: %v", d, err)
		}
		dirs = append(dirs, p)
	}
	if tb.AppDirs {
		ordered, err := orderApps(s, apps)
		if err != nil {
			return nil, err
		}
		for _, a := range ordered {
			if a.Dir == "" {
				return nil, fmt.Errorf("templates: app %q has no Dir", a.Name)
			}
			p, err := abs(a.Dir)
			if err != nil {
				return nil, fmt.Errorf("templates: app %q: resolve %q: %w", a.Name, a.Dir, err)
			}
			dirs = append(dirs, filepath.Join(p, "templates"))
		}
	}

	e := &Engine{debug: debugMode, dirs: dirs, loader: newLoader(dirs, !debugMode)}
	if !debugMode {
		e.set = e.newSet()
	}
	return e, nil
}

// orderApps puts apps in INSTALLED_APPS order.
func orderApps(s *settings.Settings, apps []App) ([]App, error) {
	seen := make(map[string]bool, len(apps))
	for _, a := range apps {
		if seen[a.Name] {
			return nil, fmt.Errorf("templates: app %q given twice", a.Name)
		}
		seen[a.Name] = true
	}
	if len(s.InstalledApps) == 0 {
		return apps, nil
	}
	pos := make(map[string]int, len(s.InstalledApps))
	for i, n := range s.InstalledApps {
		pos[n] = i
	}
	for _, a := range apps {
		if _, ok := pos[a.Name]; !ok {
			return nil, s.Errorf("INSTALLED_APPS", "app %q (folder %s) has templates but is not in INSTALLED_APPS", a.Name, a.Dir)
		}
	}
	out := append([]App(nil), apps...)
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i].Name] < pos[out[j].Name] })
	return out, nil
}

func (e *Engine) newSet() *pongo2.TemplateSet {
	return pongo2.NewSet("gojango", e.loader)
}

// Dirs returns the directories searched for templates, in order.
func (e *Engine) Dirs() []string { return append([]string(nil), e.dirs...) }

// Debug reports whether templates are read again on every render.
func (e *Engine) Debug() bool { return e.debug }

// template returns the parsed template name: from the engine's cache, or
// freshly read with DEBUG.
func (e *Engine) template(name string) (*pongo2.Template, error) {
	p, tried := e.loader.find(name, 0)
	if p == "" {
		return nil, notFound(name, tried)
	}
	var (
		tpl *pongo2.Template
		err error
	)
	if e.debug {
		// A set of its own per render: nothing is kept, and no two renders
		// share pongo2's unsynchronised set state.
		tpl, err = e.newSet().FromFile(p)
	} else {
		tpl, err = e.set.FromCache(p)
	}
	if err != nil {
		return nil, wrapError(name, err)
	}
	return tpl, nil
}

// RenderToString renders the template name with data, as Django's
// render_to_string does. ctx is the render's context.Context (tags read it
// with ContextOf). A request, if any, goes in data["request"].
func (e *Engine) RenderToString(ctx context.Context, name string, data map[string]any) (string, error) {
	b, err := e.render(ctx, nil, name, data)
	return string(b), err
}

// RenderString renders the template source src (Django's
// Engine.from_string(src).render(...)); it may extend and include the
// engine's templates. It is parsed on every call.
func (e *Engine) RenderString(ctx context.Context, src string, data map[string]any) (string, error) {
	var out []byte
	err := safely(func() error {
		tpl, err := e.newSet().FromString(src)
		if err != nil {
			return err
		}
		out, err = tpl.ExecuteBytes(contextFor(ctx, nil, data))
		return err
	})
	if err != nil {
		return "", wrapError("<string>", err)
	}
	return string(out), nil
}

func (e *Engine) render(ctx context.Context, r *http.Request, name string, data map[string]any) ([]byte, error) {
	var out []byte
	err := safely(func() error {
		tpl, err := e.template(name)
		if err != nil {
			return err
		}
		out, err = tpl.ExecuteBytes(contextFor(ctx, r, data))
		return err
	})
	if err != nil {
		return nil, wrapError(name, err)
	}
	return out, nil
}

// safely runs f, turning a panic (in pongo2 or in a function the template
// calls) into an error.
func safely(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return f()
}

// panicError is a panic during a render; the stack goes to the log and the
// DEBUG page, not into the message.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic while rendering: %v", p.value) }

// contextFor builds the pongo2 context of one render: "request" (when there
// is one), then data (which wins, as a view's context wins over Django's
// context processors), and the render state read by ContextOf.
func contextFor(ctx context.Context, r *http.Request, data map[string]any) pongo2.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	pc := make(pongo2.Context, len(data)+2)
	if r != nil {
		pc["request"] = r
	}
	for k, v := range data {
		pc[k] = v
	}
	pc[stateVar] = &renderState{ctx: ctx}
	return pc
}

// Render is Django's render(request, template_name, context, status): it
// renders the template name with data (plus "request": r) into a buffer and
// writes it with status (200 when not given) and Content-Type
// "text/html; charset=utf-8" (a Content-Type already set on w is kept, as
// Django's content_type argument would). Tags see r.Context() through
// ContextOf.
//
// On a template error nothing of the template is written: the response is
// a 500, which with DEBUG shows the file, line and cause of the error and
// otherwise is the project's 500.html or Django's plain "Server Error
// (500)" page. The error, naming file, line and cause, is logged with slog
// and returned.
func (e *Engine) Render(w http.ResponseWriter, r *http.Request, name string, data map[string]any, status ...int) error {
	code := http.StatusOK
	if len(status) > 0 {
		code = status[0]
	}
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	if code < 100 || code > 599 {
		err := fmt.Errorf("templates: render %q: HTTP status code must be an integer from 100 to 599, got %d", name, code)
		e.serverError(ctx, w, r, err)
		return err
	}
	body, err := e.render(ctx, r, name, data)
	if err != nil {
		e.serverError(ctx, w, r, err)
		return err
	}
	h := w.Header()
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "text/html; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("templates: render %q: write response: %w", name, err)
	}
	return nil
}

// serverError logs err and writes the 500 response: the debug page with
// DEBUG, else 500.html if the project has one, else Django's plain page.
func (e *Engine) serverError(ctx context.Context, w http.ResponseWriter, r *http.Request, err error) {
	attrs := []any{slog.Any("error", err)}
	if te, ok := err.(*Error); ok {
		attrs = append(attrs, slog.String("template", te.Name), slog.String("file", te.File), slog.Int("line", te.Line))
	}
	if r != nil && r.URL != nil {
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path))
	}
	var pe *panicError
	if errors.As(err, &pe) {
		attrs = append(attrs, slog.String("stack", string(pe.stack)))
	}
	slog.Default().ErrorContext(ctx, "template render failed", attrs...)

	var body []byte
	if e.debug {
		body = debugPage(e.loader, r, err)
	} else {
		body = e.errorPage(ctx)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Content-Encoding")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(body)
}

// errorPage is Django's server_error view: the 500.html template rendered
// without context, or the built-in page when there is none (or it fails).
func (e *Engine) errorPage(ctx context.Context) []byte {
	if p, _ := e.loader.find("500.html", 0); p != "" {
		if b, err := e.render(ctx, nil, "500.html", nil); err == nil {
			return b
		}
	}
	return []byte(serverErrorPage)
}

// serverErrorPage is Django's ERROR_PAGE_TEMPLATE for a 500.
const serverErrorPage = `
<!doctype html>
<html lang="en">
<head>
  <title>Server Error (500)</title>
</head>
<body>
  <h1>Server Error (500)</h1><p></p>
</body>
</html>
`
