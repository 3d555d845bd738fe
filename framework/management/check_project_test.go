package management

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// `check` fails (exit 1) on everything runserver would fail on, naming
// the settings line, as Django's check framework does.
func TestCheckFailsOnWhatRunserverFailsOn(t *testing.T) {
	tests := []struct {
		name, settings, want string
	}{
		{"UnknownMiddleware", "MIDDLEWARE = [\"django.middleware.nope.Nope\"]\n", "(middleware.E001) "},
		{"CachePairOrder", "MIDDLEWARE = [\"django.middleware.cache.FetchFromCacheMiddleware\", \"django.middleware.cache.UpdateCacheMiddleware\"]\n", "FetchFromCacheMiddleware must come after UpdateCacheMiddleware"},
		{"UnknownApp", "INSTALLED_APPS = [\"blogx\"]\n", "no app named \"blogx\" is registered"},
		{"BadTrustedOrigin", "MIDDLEWARE = [\"django.middleware.csrf.CsrfViewMiddleware\"]\nCSRF_TRUSTED_ORIGINS = [\"example.com\"]\n", "must start with a scheme"},
		{"AppCheck", "INSTALLED_APPS = [\"testapp\"]\n[CUSTOM]\nTESTAPP_CHECKED = true\n", "?: (testapp.E001) CUSTOM.TESTAPP_REQUIRED is not set."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeSettings(t, tc.settings+"[CACHES.default]\nBACKEND = \"locmem\"\n")
			code, _, errOut := run(t, "", "check")
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("check: code %d, stderr %q; want 1 and %q", code, errOut, tc.want)
			}
			code, _, errOut2 := run(t, "", "runserver", "127.0.0.1:0")
			if code != 1 || !strings.Contains(errOut2, tc.want) {
				t.Fatalf("runserver: code %d, stderr %q; want it to fail on the same: %q", code, errOut2, tc.want)
			}
		})
	}
	// An app's middleware is usable in MIDDLEWARE once the app is installed.
	writeSettings(t, "INSTALLED_APPS = [\"testapp\"]\nMIDDLEWARE = [\"testapp.middleware.Stamp\"]\n[CACHES.default]\nBACKEND = \"locmem\"\n")
	if code, out, errOut := run(t, "", "check"); code != 0 || !strings.Contains(out, "no issues") {
		t.Fatalf("check with an app's middleware: %d %q %q", code, out, errOut)
	}
}

// startapp writes an app in Django's layout that builds and passes its own
// test, and imports it in the project's apps.go: adding it to
// INSTALLED_APPS is the one line left.
func TestStartappWritesAnAppThatBuildsAndPassesItsTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go tool")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Join(filepath.Dir(file), "..", "..")
	proj := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// The project's own requirements, plus gojango from this checkout.
	gomod := strings.Replace(string(mod), "module gojango", "module mysite", 1) + "\nrequire gojango v0.0.0\n\nreplace gojango => " + repo + "\n"
	for name, body := range map[string]string{
		"go.mod": gomod, "go.sum": string(sum),
		"apps.go": "package main\n\nimport (\n)\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.WriteFile(filepath.Join(proj, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(proj)
	code, out, errOut := run(t, "", "startapp", "blog")
	if code != 0 || !strings.Contains(out, "Imported mysite/blog in apps.go.") || !strings.Contains(out, `Add "blog" to INSTALLED_APPS`) {
		t.Fatalf("startapp: %d %q %q", code, out, errOut)
	}
	for _, f := range []string{"app.go", "urls.go", "views.go", "models.go", "app_test.go", "templates/blog/index.html"} {
		if _, err := os.Stat(filepath.Join(proj, "blog", f)); err != nil {
			t.Errorf("startapp did not write %s: %v", f, err)
		}
	}
	if code, _, errOut := run(t, "", "startapp", "blog"); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("second startapp: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "", "startapp", "my-app"); code != 1 || !strings.Contains(errOut, "is not a valid app name") {
		t.Fatalf("startapp my-app: %d %q", code, errOut)
	}
	cmd := exec.Command(goBin, "test", "-count=1", "./...")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "ok  \tmysite/blog") {
		t.Fatalf("go test ./... in the project: %v\n%s", err, b)
	}
}
