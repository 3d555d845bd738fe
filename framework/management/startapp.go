package management

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"gojango/framework/apps"
)

// startappCommand is Django's startapp: it writes a new app in Django's
// layout (app.go registering it, urls.go, views.go, models.go,
// templates/NAME/, a test) and adds its import to the project's apps.go,
// so listing NAME in INSTALLED_APPS is the one line left to write.
func startappCommand() *Command {
	return &Command{
		Name:  "startapp",
		Usage: "NAME [DIRECTORY]",
		Short: "Creates an app (app.go, urls.go, views.go, models.go, templates/NAME/, a test) and imports it in apps.go.",
		Run: func(_ context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return fmt.Errorf("%w: give the app's name, e.g. `go run . startapp blog`", errUsage)
			}
			name := args[0]
			if err := validAppName(name); err != nil {
				return err
			}
			dir := name
			if len(args) == 2 {
				dir = args[1]
			}
			dir, err := filepath.Abs(dir)
			if err != nil {
				return fmt.Errorf("startapp: %w", err)
			}
			if _, err := os.Stat(dir); err == nil {
				return fmt.Errorf("'%s' already exists", dir)
			}
			root, module, err := findModule(filepath.Dir(dir))
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return fmt.Errorf("startapp: %w", err)
			}
			data := appTemplateData{Name: name, Dir: filepath.ToSlash(rel), Import: module + "/" + filepath.ToSlash(rel)}
			if err := writeApp(dir, data); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Created the app %s in %s.\n", name, dir)
			added, err := addImport(filepath.Join(root, "apps.go"), data.Import)
			if err != nil {
				return err
			}
			if added {
				fmt.Fprintf(env.Stdout, "Imported %s in apps.go.\n", data.Import)
			}
			fmt.Fprintf(env.Stdout, "Add %q to INSTALLED_APPS in settings.toml; its pages are then at /%s/.\n", name, name)
			return nil
		},
	}
}

// validAppName applies Django's rule (a valid identifier that names no
// existing module) in Go's terms: a Go identifier, not a keyword, not an
// app already registered.
func validAppName(name string) error {
	if !token.IsIdentifier(name) || strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return fmt.Errorf("'%s' is not a valid app name. Please make sure the name is a valid identifier (lower-case letters, digits and _, as a Go package name).", name)
	}
	for _, n := range apps.Registered() {
		if n == name {
			return fmt.Errorf("'%s' conflicts with the name of an existing app. Please try another name.", name)
		}
	}
	return nil
}

// findModule walks up from dir to the go.mod and returns its directory
// and module path.
func findModule(dir string) (root, module string, err error) {
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
					return d, strings.Trim(f[1], `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s has no module line", filepath.Join(d, "go.mod"))
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("startapp: read go.mod: %w", err)
		}
		if filepath.Dir(d) == d {
			return "", "", fmt.Errorf("no go.mod in %s or above: run startapp inside the project", dir)
		}
	}
}

// addImport adds `_ "path"` to the import block of the project's apps.go;
// false when there is no apps.go or it imports path already.
func addImport(file, path string) (bool, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("startapp: %w", err)
	}
	line := fmt.Sprintf("\t_ %q\n", path)
	if bytes.Contains(b, []byte(fmt.Sprintf("%q", path))) {
		return false, nil
	}
	i := bytes.Index(b, []byte("import (\n"))
	if i < 0 {
		return false, fmt.Errorf("startapp: %s has no import ( ... ) block; add %s to it", file, strings.TrimSpace(line))
	}
	end := bytes.Index(b[i:], []byte("\n)"))
	if end < 0 {
		return false, fmt.Errorf("startapp: %s: unterminated import block", file)
	}
	at := i + end + 1
	out := append(append(append([]byte{}, b[:at]...), line...), b[at:]...)
	if err := os.WriteFile(file, out, 0o644); err != nil {
		return false, fmt.Errorf("startapp: %w", err)
	}
	return true, nil
}

// appTemplateData fills the app's files.
type appTemplateData struct {
	Name   string // the app's name and package
	Dir    string // its folder, relative to the project root
	Import string // its import path
}

func writeApp(dir string, data appTemplateData) error {
	files := map[string]string{
		"app.go":      appGo,
		"urls.go":     urlsGo,
		"views.go":    viewsGo,
		"models.go":   modelsGo,
		"app_test.go": appTestGo,
		filepath.Join("templates", data.Name, "index.html"): indexHTML,
	}
	for name, src := range files {
		t, err := template.New(name).Delims("[[", "]]").Parse(src)
		if err != nil {
			return fmt.Errorf("startapp: template %s: %w", name, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return fmt.Errorf("startapp: %s: %w", name, err)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("startapp: %w", err)
		}
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("startapp: %w", err)
		}
	}
	return nil
}
