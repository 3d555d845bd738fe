package settings

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fullFile sets every setting; fullWant is what it decodes to.
const fullFile = `# a complete settings file
DEBUG = true
SECRET_KEY = "s3cret"
ALLOWED_HOSTS = ["localhost", ".example.com"]
INSTALLED_APPS = ["app_example", "blog"]
MIDDLEWARE = [
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
]
CACHE_MIDDLEWARE_ALIAS = "pages"
CACHE_MIDDLEWARE_SECONDS = 60
CACHE_MIDDLEWARE_KEY_PREFIX = "site1"
LANGUAGE_CODE = "fr"
USE_I18N = false
TIME_ZONE = "UTC"
USE_TZ = false

[DATABASES.default]
ENGINE = "django.db.backends.sqlite3"
NAME = "db.sqlite3"

[DATABASES.pg]
ENGINE = "postgresql"
NAME = "app"
USER = "postgres"
PASSWORD = "pw"
HOST = "127.0.0.1"
PORT = 5432
OPTIONS = { sslmode = "disable" }

[[TEMPLATES]]
BACKEND = "django.template.backends.django.DjangoTemplates"
DIRS = ["templates", "more"]
APP_DIRS = true
OPTIONS = { autoescape = false }

[[TEMPLATES]]
BACKEND = "pongo2"

[CACHES.default]
BACKEND = "locmem"
LOCATION = "unique-snowflake"
TIMEOUT = 120
KEY_PREFIX = "p"
VERSION = 2
KEY_FUNCTION = "custom_key"

[CACHES.default.OPTIONS]
MAX_ENTRIES = 1000
CULL_FREQUENCY = 4
extra = "kept"

[CACHES.pages]
BACKEND = "django.core.cache.backends.redis.RedisCache"
LOCATION = ["redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2"]
TIMEOUT = "None"

[CUSTOM]
GREETING = "hello"
[CUSTOM.nested]
n = 3
`

func fullWant(path string) *Settings {
	return &Settings{
		Path:          path,
		BaseDir:       filepath.Dir(path),
		Debug:         true,
		SecretKey:     "s3cret",
		AllowedHosts:  []string{"localhost", ".example.com"},
		InstalledApps: []string{"app_example", "blog"},
		Middleware: []string{
			"django.middleware.cache.UpdateCacheMiddleware",
			"django.middleware.common.CommonMiddleware",
			"django.middleware.cache.FetchFromCacheMiddleware",
		},
		Databases: map[string]Database{
			"default": {Engine: "django.db.backends.sqlite3", Name: "db.sqlite3", Options: map[string]any{}},
			"pg": {Engine: "postgresql", Name: "app", User: "postgres", Password: "pw", Host: "127.0.0.1", Port: "5432",
				Options: map[string]any{"sslmode": "disable"}},
		},
		Templates: []TemplateBackend{
			{Backend: "django.template.backends.django.DjangoTemplates", Dirs: []string{"templates", "more"}, AppDirs: true,
				Options: map[string]any{"autoescape": false}},
			{Backend: "pongo2", Dirs: []string{}, Options: map[string]any{}},
		},
		Caches: map[string]Cache{
			"default": {Backend: "locmem", Location: "unique-snowflake", Locations: []string{"unique-snowflake"},
				Timeout: 120, MaxEntries: 1000, CullFrequency: 4, Options: map[string]any{"extra": "kept"},
				KeyPrefix: "p", Version: 2, KeyFunction: "custom_key"},
			"pages": {Backend: "django.core.cache.backends.redis.RedisCache",
				Location:  "redis://127.0.0.1:6379/1;redis://127.0.0.1:6379/2",
				Locations: []string{"redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2"},
				Forever:   true, MaxEntries: 300, CullFrequency: 3, Options: map[string]any{}, Version: 1},
		},
		CacheMiddlewareAlias:     "pages",
		CacheMiddlewareSeconds:   60,
		CacheMiddlewareKeyPrefix: "site1",
		LanguageCode:             "fr",
		UseI18N:                  false,
		TimeZone:                 "UTC",
		UseTZ:                    false,
		DateFormat:               "N j, Y",
		DatetimeFormat:           "N j, Y, P",
		TimeFormat:               "P",
		ShortDateFormat:          "m/d/Y",
		ShortDatetimeFormat:      "m/d/Y P",
		MetricsSettings:          defaultMetrics(),
		Custom:                   map[string]any{"GREETING": "hello", "nested": map[string]any{"n": int64(3)}},
		Security:                 defaultSecurity(),
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// withoutLines drops the private line map so settings compare by value.
func withoutLines(s *Settings) *Settings {
	c := *s
	c.lines = nil
	return &c
}

func TestFullFileRoundTrip(t *testing.T) {
	path := writeFile(t, t.TempDir(), "settings.toml", fullFile)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withoutLines(s), fullWant(path); !reflect.DeepEqual(got, want) {
		t.Errorf("Load:\n got  %+v\n want %+v", got, want)
	}
}

func TestDefaultsWithEmptyFile(t *testing.T) {
	for _, data := range []string{"", "\n# only a comment\n"} {
		s, err := Parse("settings.toml", []byte(data))
		if err != nil {
			t.Fatalf("Parse(%q): %v", data, err)
		}
		want := Default()
		want.Path, want.BaseDir = s.Path, s.BaseDir
		if got := withoutLines(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%q):\n got  %+v\n want %+v", data, got, want)
		}
	}
}

// TestDefaultsAreDjangoGlobalSettings checks Default against Django's
// global_settings (reference §1).
func TestDefaultsAreDjangoGlobalSettings(t *testing.T) {
	s := Default()
	checks := []struct {
		name     string
		got, exp any
	}{
		{"DEBUG", s.Debug, false},
		{"ALLOWED_HOSTS", s.AllowedHosts, []string{}},
		{"MIDDLEWARE", s.Middleware, []string{}},
		{"INSTALLED_APPS", s.InstalledApps, []string{}},
		{"CACHES", s.Caches, map[string]Cache{"default": {
			Backend: "django.core.cache.backends.locmem.LocMemCache", Timeout: 300,
			MaxEntries: 300, CullFrequency: 3, Options: map[string]any{}, Version: 1}}},
		{"DATABASES", s.Databases, map[string]Database{"default": {
			Engine: "django.db.backends.sqlite3", Name: "db.sqlite3", Options: map[string]any{}}}},
		{"TEMPLATES", s.Templates, []TemplateBackend{{
			Backend: "django.template.backends.django.DjangoTemplates", Dirs: []string{"templates"},
			AppDirs: true, Options: map[string]any{}}}},
		{"CACHE_MIDDLEWARE_ALIAS", s.CacheMiddlewareAlias, "default"},
		{"CACHE_MIDDLEWARE_SECONDS", s.CacheMiddlewareSeconds, 600},
		{"CACHE_MIDDLEWARE_KEY_PREFIX", s.CacheMiddlewareKeyPrefix, ""},
		{"LANGUAGE_CODE", s.LanguageCode, "en-us"},
		{"USE_I18N", s.UseI18N, true},
		{"TIME_ZONE", s.TimeZone, "America/Chicago"},
		{"USE_TZ", s.UseTZ, true},
		{"CUSTOM", s.Custom, map[string]any{}},
		{"Path", s.Path, ""},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.exp) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.exp)
		}
	}
}

func TestDefaultReturnsFreshMaps(t *testing.T) {
	a := Default()
	a.Caches["other"] = Cache{}
	a.Custom["x"] = 1
	if b := Default(); len(b.Caches) != 1 || len(b.Custom) != 0 {
		t.Fatalf("Default shares state between calls: %+v", b)
	}
}

func TestPathIsAbsoluteAndBaseDirItsDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "settings.toml", "DEBUG = true\n")
	t.Chdir(dir)
	s, err := Load("settings.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "settings.toml")
	if s.Path != want || s.BaseDir != dir {
		t.Errorf("Path, BaseDir = %q, %q; want %q, %q", s.Path, s.BaseDir, want, dir)
	}
}

func TestLoadDefaultHonoursGOJANGO_SETTINGS(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "other.toml", "SECRET_KEY = \"from-env\"\n")
	t.Setenv(EnvSettings, p)
	s, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if s.SecretKey != "from-env" || s.Path != p {
		t.Errorf("LoadDefault read %q (SECRET_KEY %q), want %q", s.Path, s.SecretKey, p)
	}
}

func TestLoadDefaultReadsSettingsTomlInWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "settings.toml", "SECRET_KEY = \"from-cwd\"\n")
	t.Chdir(dir)
	t.Setenv(EnvSettings, "")
	s, err := LoadDefault()
	if err != nil {
		t.Fatal(err)
	}
	if s.SecretKey != "from-cwd" || s.Path != filepath.Join(dir, "settings.toml") {
		t.Errorf("LoadDefault read %q (SECRET_KEY %q)", s.Path, s.SecretKey)
	}
}

func TestLoadMissingFileIsNotExist(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestLinesRecordEveryKey(t *testing.T) {
	const data = `DEBUG = true
ALLOWED_HOSTS = [
  "a",
  "b",
]
CACHES = { default = { BACKEND = "locmem", OPTIONS = { MAX_ENTRIES = 5 } } }

[[TEMPLATES]]
BACKEND = "x"
DIRS = ["t"]

[[TEMPLATES]]
BACKEND = "y"
OPTIONS.a.b = 1

[DATABASES.default.OPTIONS]
x = 1
[DATABASES.default]
ENGINE = "sqlite3"
`
	s, err := Parse("settings.toml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"DEBUG":                              1,
		"ALLOWED_HOSTS":                      2,
		"ALLOWED_HOSTS.0":                    3,
		"ALLOWED_HOSTS.1":                    4,
		"CACHES":                             6,
		"CACHES.default":                     6,
		"CACHES.default.BACKEND":             6,
		"CACHES.default.OPTIONS.MAX_ENTRIES": 6,
		"TEMPLATES":                          8,
		"TEMPLATES.0":                        8,
		"TEMPLATES.0.BACKEND":                9,
		"TEMPLATES.0.DIRS":                   10,
		"TEMPLATES.0.DIRS.0":                 10,
		"TEMPLATES.1":                        12,
		"TEMPLATES.1.BACKEND":                13,
		"TEMPLATES.1.OPTIONS":                14,
		"TEMPLATES.1.OPTIONS.a.b":            14,
		"DATABASES":                          16,
		"DATABASES.default":                  18, // its own header beats the implicit mention
		"DATABASES.default.OPTIONS":          16,
		"DATABASES.default.OPTIONS.x":        17,
		"DATABASES.default.ENGINE":           19,
		"MIDDLEWARE":                         0, // not in the file
	}
	for key, line := range want {
		if got := s.Line(key); got != line {
			t.Errorf("Line(%q) = %d, want %d", key, got, line)
		}
	}
}

func TestErrorfNamesFileLineAndKey(t *testing.T) {
	path := writeFile(t, t.TempDir(), "settings.toml", "DEBUG = false\n\n[CACHES.default]\nBACKEND = \"nope\"\n")
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Errorf("CACHES.default.BACKEND", "unknown backend %q", "nope")
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("Errorf returned %T", err)
	}
	if se.File != path || se.Line != 4 || se.Key != "CACHES.default.BACKEND" {
		t.Errorf("got %+v", se)
	}
	if want := path + `:4: CACHES.default.BACKEND: unknown backend "nope"`; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestCustomKeepsAnyKeys(t *testing.T) {
	s, err := Parse("settings.toml", []byte("[CUSTOM]\nwhatever = [1, 2]\nDEBGU = 'not a typo here'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Custom["DEBGU"]; got != "not a typo here" {
		t.Errorf("Custom = %#v", s.Custom)
	}
	if got, want := s.Custom["whatever"], []any{int64(1), int64(2)}; !reflect.DeepEqual(got, want) {
		t.Errorf("Custom[whatever] = %#v, want %#v", got, want)
	}
}

// TestEmptyDatabasesAllowed follows Django's ConnectionHandler: DATABASES = {}
// means "no database" and is not an error.
func TestEmptyDatabasesAllowed(t *testing.T) {
	s, err := Parse("settings.toml", []byte("DATABASES = {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Databases == nil || len(s.Databases) != 0 {
		t.Errorf("Databases = %#v, want an empty non-nil map", s.Databases)
	}
}

func TestDatabasePortIntOrString(t *testing.T) {
	for _, port := range []string{`5432`, `"5432"`} {
		s, err := Parse("settings.toml", []byte("[DATABASES.default]\nENGINE = \"postgresql\"\nPORT = "+port+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Databases["default"].Port; got != "5432" {
			t.Errorf("PORT = %s: Port %q", port, got)
		}
	}
}

func TestInlineTemplatesArray(t *testing.T) {
	s, err := Parse("settings.toml", []byte(`TEMPLATES = [{ BACKEND = "pongo2", APP_DIRS = true }]`))
	if err != nil {
		t.Fatal(err)
	}
	want := []TemplateBackend{{Backend: "pongo2", Dirs: []string{}, AppDirs: true, Options: map[string]any{}}}
	if !reflect.DeepEqual(s.Templates, want) {
		t.Errorf("Templates = %+v", s.Templates)
	}
	if s.Line("TEMPLATES.0.APP_DIRS") != 1 {
		t.Errorf("Line(TEMPLATES.0.APP_DIRS) = %d", s.Line("TEMPLATES.0.APP_DIRS"))
	}
}

func TestEmptyTemplatesMeansNoEngine(t *testing.T) {
	s, err := Parse("settings.toml", []byte("TEMPLATES = []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Templates == nil || len(s.Templates) != 0 {
		t.Errorf("Templates = %#v, want empty", s.Templates)
	}
}
