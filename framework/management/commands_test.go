package management

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "gojango/framework/cache/backends/db"
	_ "gojango/framework/cache/backends/file"
)

// run executes a manage command with settings written to a temp dir.
func run(t *testing.T, _ string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Execute(context.Background(), args, Project{}, &out, &errb)
	return code, out.String(), errb.String()
}

func writeSettings(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOJANGO_SETTINGS", path)
	return dir
}

const dbSettings = `
[DATABASES.default]
ENGINE = "sqlite3"
NAME = "test.sqlite3"
[CACHES.default]
BACKEND = "locmem"
[CACHES.db]
BACKEND = "django.core.cache.backends.db.DatabaseCache"
LOCATION = "my cache table"
[CACHES.db2]
BACKEND = "db"
LOCATION = "my cache table"
`

func TestCreateCacheTable(t *testing.T) {
	writeSettings(t, dbSettings)
	code, out, _ := run(t, "", "createcachetable", "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "CREATE TABLE \"my cache table\" (") || !strings.Contains(out, "CREATE INDEX") {
		t.Fatalf("dry run: code %d, out %q", code, out)
	}
	code, out, errOut := run(t, "", "check")
	if code == 0 || !strings.Contains(errOut, "Run `go run . createcachetable`") {
		t.Fatalf("check before createcachetable: code %d, stderr %q", code, errOut)
	}
	code, out, _ = run(t, "", "createcachetable")
	if code != 0 || !strings.Contains(out, "Cache table 'my cache table' created.") {
		t.Fatalf("create: code %d, out %q", code, out)
	}
	// A second run reports the existing table once per alias using it
	// (Django's rule 58).
	code, out, _ = run(t, "", "createcachetable")
	if code != 0 || strings.Count(out, "Cache table 'my cache table' already exists.") != 2 {
		t.Fatalf("second create: code %d, out %q", code, out)
	}
	if code, out, _ = run(t, "", "check"); code != 0 || !strings.Contains(out, "no issues") {
		t.Fatalf("check after create: code %d, out %q", code, out)
	}
	if code, _, errOut = run(t, "", "createcachetable", "--database", "nope"); code != 1 || !strings.Contains(errOut, "unknown database") {
		t.Fatalf("unknown database: code %d, stderr %q", code, errOut)
	}
}

func TestCheckReportsUnwritableFileLocation(t *testing.T) {
	// root writes anywhere, so the LOCATION is made unusable by a regular
	// file where a directory should be.
	dir := writeSettings(t, "[CACHES.default]\nBACKEND = \"file\"\nLOCATION = \"blocker/cache\"\n")
	if err := os.WriteFile(filepath.Join(dir, "blocker"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", "check")
	if code != 1 || !strings.Contains(errOut, "is not a directory") || !strings.Contains(errOut, "HINT") {
		t.Fatalf("code %d stderr %q", code, errOut)
	}
}

func TestClearCacheAndExpirePage(t *testing.T) {
	writeSettings(t, "[CACHES.default]\nBACKEND = \"locmem\"\n[CACHES.other]\nBACKEND = \"locmem\"\nLOCATION = \"o\"\n")
	code, out, _ := run(t, "", "clearcache")
	if code != 0 || !strings.Contains(out, "Cleared cache 'default'.") || !strings.Contains(out, "Cleared cache 'other'.") {
		t.Fatalf("clearcache: %d %q", code, out)
	}
	if code, _, errOut := run(t, "", "clearcache", "nope"); code != 1 || !strings.Contains(errOut, "doesn't exist") {
		t.Fatalf("clearcache unknown alias: %d %q", code, errOut)
	}
	if code, out, _ := run(t, "", "expirepage", "http://127.0.0.1:8000/clock/"); code != 0 || !strings.Contains(out, "Expired http://127.0.0.1:8000/clock/") {
		t.Fatalf("expirepage: %d %q", code, out)
	}
	if code, _, _ := run(t, "", "expirepage"); code != 2 {
		t.Fatalf("expirepage without URL: code %d; want 2", code)
	}
}

func TestCommandErrorsAreOneLine(t *testing.T) {
	tests := []struct {
		name, settings string
		args           []string
		code           int
		want           string
	}{
		{"BrokenSettings", "DEBUG = \"yes\"\n", []string{"check"}, 1, "settings.toml:1: DEBUG"},
		{"UnknownBackend", "[CACHES.default]\nBACKEND = \"memcache\"\n", []string{"check"}, 1, "unknown backend \"memcache\" (known:"},
		{"MissingDefault", "[CACHES.other]\nBACKEND = \"locmem\"\n", []string{"check"}, 1, "You must define a 'default' cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeSettings(t, tc.settings)
			code, _, errOut := run(t, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Fatalf("code %d stderr %q; want code %d, one line containing %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range builtin(Project{}) {
		var out, errb bytes.Buffer
		if code := Execute(context.Background(), []string{c.Name, "--help"}, Project{}, &out, &errb); code != 0 {
			t.Errorf("%s --help: code %d", c.Name, code)
		}
		if !strings.Contains(errb.String()+out.String(), "usage: go run . "+c.Name) {
			t.Errorf("%s --help printed %q", c.Name, errb.String()+out.String())
		}
	}
}
