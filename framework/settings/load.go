// Loading settings.toml.
//
// A project's settings live in one TOML file with Django's setting names,
// upper-case:
//
//	DEBUG = true
//	ALLOWED_HOSTS = ["localhost", ".example.com"]
//	MIDDLEWARE = [
//	    "django.middleware.cache.UpdateCacheMiddleware",
//	    "django.middleware.cache.FetchFromCacheMiddleware",
//	]
//
//	[CACHES.default]
//	BACKEND = "locmem"
//	LOCATION = "unique-snowflake"
//	TIMEOUT = 300
//
//	[CACHES.default.OPTIONS]
//	MAX_ENTRIES = 300
//	CULL_FREQUENCY = 3
//
//	[CUSTOM]          # the project's own settings, anything goes
//	GREETING = "hello"
//
// Django's TIMEOUT = None (never expire) cannot be written as such: TOML has
// no null. Write it as a string:
//
//	TIMEOUT = "None"   # never expire ("none" and "forever" are accepted too)
//
// which sets Cache.Forever. As with Django's int(), a float TIMEOUT is
// truncated and a numeric string such as "60" is accepted.
//
// Settings the file leaves out keep Django's defaults (see Default). Unknown
// keys are errors, with a "did you mean" hint for a near miss, except inside
// OPTIONS tables (backend specific) and [CUSTOM]. Every error is a *Error
// naming the file, the line and the dotted key; when a file has several
// problems the first one in the file is reported.

package settings

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// EnvSettings is the environment variable LoadDefault reads the settings
// file's path from.
const EnvSettings = "GOJANGO_SETTINGS"

// DefaultFile is the file LoadDefault reads when EnvSettings is unset.
const DefaultFile = "settings.toml"

// Load reads, parses and validates the settings file at path, applying
// Django's defaults to what the file leaves out. Django's TIMEOUT = None is
// written TIMEOUT = "None" (TOML has no null).
func Load(path string) (*Settings, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return Parse(path, data)
}

// LoadDefault loads the file named by $GOJANGO_SETTINGS, or settings.toml in
// the working directory when the variable is unset or empty.
func LoadDefault() (*Settings, error) {
	path := os.Getenv(EnvSettings)
	if path == "" {
		path = DefaultFile
	}
	return Load(path)
}

// Default returns Django's default settings, as if read from an empty file.
// Path and BaseDir are "" (relative paths resolve against the working
// directory).
func Default() *Settings {
	return &Settings{
		AllowedHosts: []string{},
		Databases: map[string]Database{
			"default": {
				Engine:  "django.db.backends.sqlite3",
				Name:    "db.sqlite3",
				Options: map[string]any{},
			},
		},
		Middleware: []string{},
		Templates: []TemplateBackend{{
			Backend: "django.template.backends.django.DjangoTemplates",
			Dirs:    []string{"templates"},
			AppDirs: true,
			Options: map[string]any{},
		}},
		InstalledApps: []string{},
		Caches: map[string]Cache{
			"default": defaultCache("django.core.cache.backends.locmem.LocMemCache"),
		},
		CacheMiddlewareAlias:     "default",
		CacheMiddlewareSeconds:   600,
		CacheMiddlewareKeyPrefix: "",
		LanguageCode:             "en-us",
		UseI18N:                  true,
		TimeZone:                 "America/Chicago",
		UseTZ:                    true,
		DateFormat:               "N j, Y",
		DatetimeFormat:           "N j, Y, P",
		TimeFormat:               "P",
		ShortDateFormat:          "m/d/Y",
		MetricsSettings:          defaultMetrics(),
		ShortDatetimeFormat:      "m/d/Y P",
		Custom:                   map[string]any{},
		Security:                 defaultSecurity(),
	}
}

// Parse parses and validates settings from data. path names the file in
// error messages and sets Path (made absolute) and BaseDir; it may be "".
func Parse(path string, data []byte) (*Settings, error) {
	s := Default()
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("settings: resolve path %q: %w", path, err)
		}
		s.Path = abs
		s.BaseDir = filepath.Dir(abs)
	}
	file := s.Path
	if file == "" {
		file = "settings"
	}

	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	pos, err := scanPositions(data)
	if err != nil {
		// go-toml's decoder accepted what its parser rejects: not expected,
		// but report it the same way.
		line, col := parserErrorPosition(data, err)
		return nil, &Error{File: file, Line: line, Col: col, Msg: "invalid TOML: " + err.Error()}
	}
	s.lines = make(map[string]int, len(pos))
	for k, p := range pos {
		s.lines[k] = p.line
	}

	d := &decoder{s: s, file: file, pos: pos}
	d.top(raw)
	if err := d.first(); err != nil {
		return nil, err
	}
	return s, nil
}

// tomlError turns go-toml's error into an *Error with the position.
func tomlError(file string, data []byte, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, col := de.Position()
		return &Error{
			File: file,
			Line: line,
			Col:  col,
			Key:  strings.Join(de.Key(), "."),
			Msg:  "invalid TOML: " + strings.TrimPrefix(de.Error(), "toml: "),
		}
	}
	if line, col := parserErrorPosition(data, err); line > 0 {
		return &Error{File: file, Line: line, Col: col, Msg: "invalid TOML: " + err.Error()}
	}
	return &Error{File: file, Msg: "invalid TOML: " + err.Error()}
}

// decoder turns the decoded TOML into Settings, collecting every error with
// its position so that the first one in the file is reported.
type decoder struct {
	s    *Settings
	file string
	pos  map[string]keyPos
	errs []posError
}

type posError struct {
	off int
	err *Error
}

// errorf records an error about key. Its position is that of key, or of the
// nearest enclosing table written in the file (for a missing key).
func (d *decoder) errorf(key, format string, args ...any) {
	e := &Error{File: d.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	off := math.MaxInt
	for k := key; k != ""; {
		if p, ok := d.pos[k]; ok {
			e.Line, off = p.line, p.off
			break
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	d.errs = append(d.errs, posError{off: off, err: e})
}

// first returns the error written first in the file, or nil.
func (d *decoder) first() error {
	if len(d.errs) == 0 {
		return nil
	}
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.off != b.off {
			return a.off < b.off
		}
		return a.err.Key < b.err.Key
	})
	return d.errs[0].err
}

// topKeys are the settings a file may set at the top level.
var topKeys = []string{
	"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "INSTALLED_APPS", "MIDDLEWARE",
	"DATABASES", "TEMPLATES", "CACHES",
	"CACHE_MIDDLEWARE_ALIAS", "CACHE_MIDDLEWARE_SECONDS", "CACHE_MIDDLEWARE_KEY_PREFIX",
	"CACHE_MIDDLEWARE_STALE_WHILE_REVALIDATE", "CACHE_MIDDLEWARE_STALE_IF_ERROR",
	"LANGUAGE_CODE", "USE_I18N", "TIME_ZONE", "USE_TZ",
	"DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT", "SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT",
	"CUSTOM", "METRICS", "METRICS_URL",
}

// top decodes the top-level table.
func (d *decoder) top(raw map[string]any) {
	s := d.s
	d.unknownKeys("", raw, append(append([]string(nil), topKeys...), securityKeys...))
	for key, v := range raw {
		switch key {
		case "DEBUG":
			d.boolean(key, v, &s.Debug)
		case "SECRET_KEY":
			d.str(key, v, &s.SecretKey)
		case "ALLOWED_HOSTS":
			d.strs(key, v, &s.AllowedHosts)
		case "INSTALLED_APPS":
			if d.strs(key, v, &s.InstalledApps) {
				d.uniqueApps(key, s.InstalledApps)
			}
		case "MIDDLEWARE":
			d.strs(key, v, &s.Middleware)
		case "DATABASES":
			d.databases(key, v)
		case "TEMPLATES":
			d.templates(key, v)
		case "CACHES":
			d.caches(key, v)
		case "CACHE_MIDDLEWARE_ALIAS":
			d.str(key, v, &s.CacheMiddlewareAlias)
		case "CACHE_MIDDLEWARE_SECONDS":
			if n, ok := d.integer(key, v, intRule{numericString: true}); ok {
				s.CacheMiddlewareSeconds = n
			}
		case "CACHE_MIDDLEWARE_KEY_PREFIX":
			d.str(key, v, &s.CacheMiddlewareKeyPrefix)
		case "CACHE_MIDDLEWARE_STALE_WHILE_REVALIDATE":
			if n, ok := d.integer(key, v, intRule{numericString: true}); ok {
				s.CacheMiddlewareStaleWhileRevalidate = n
			}
		case "CACHE_MIDDLEWARE_STALE_IF_ERROR":
			if n, ok := d.integer(key, v, intRule{numericString: true}); ok {
				s.CacheMiddlewareStaleIfError = n
			}
		case "LANGUAGE_CODE":
			d.str(key, v, &s.LanguageCode)
		case "USE_I18N":
			d.boolean(key, v, &s.UseI18N)
		case "TIME_ZONE":
			if d.str(key, v, &s.TimeZone) {
				d.timeZone(key, s.TimeZone)
			}
		case "USE_TZ":
			d.boolean(key, v, &s.UseTZ)
		case "DATE_FORMAT":
			d.str(key, v, &s.DateFormat)
		case "DATETIME_FORMAT":
			d.str(key, v, &s.DatetimeFormat)
		case "TIME_FORMAT":
			d.str(key, v, &s.TimeFormat)
		case "SHORT_DATE_FORMAT":
			d.str(key, v, &s.ShortDateFormat)
		case "SHORT_DATETIME_FORMAT":
			d.str(key, v, &s.ShortDatetimeFormat)
		case "METRICS", "METRICS_URL":
			d.metrics(key, v)
		case "CUSTOM":
			if m, ok := d.table(key, v); ok {
				s.Custom = m
			}
		default:
			d.security(key, v)
		}
	}
}

// uniqueApps applies Django's apps registry rule: "Application names aren't
// unique, duplicates: ...".
func (d *decoder) uniqueApps(key string, apps []string) {
	seen := make(map[string]bool, len(apps))
	var dups []string
	for _, a := range apps {
		if seen[a] && !containsString(dups, a) {
			dups = append(dups, a)
		}
		seen[a] = true
	}
	if len(dups) > 0 {
		d.errorf(key, "Application names aren't unique, duplicates: %s", strings.Join(dups, ", "))
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
