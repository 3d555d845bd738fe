// Package settings loads a project's settings.toml into typed Settings with
// Django's defaults. Errors name the file, the line and the key at fault.
package settings

import "fmt"

// Settings is the typed form of settings.toml. Every field has Django's
// default when the file does not set it.
type Settings struct {
	// Path is the absolute path of the file the settings were read from
	// ("" when built with Default).
	Path string
	// BaseDir is the directory relative paths in the settings resolve against
	// (the directory of Path).
	BaseDir string

	Debug        bool     // DEBUG, default false
	AllowedHosts []string // ALLOWED_HOSTS, default []
	SecretKey    string   // SECRET_KEY, default ""

	Databases     map[string]Database // DATABASES, default {"default": SQLite db.sqlite3}
	Middleware    []string            // MIDDLEWARE, default []
	Templates     []TemplateBackend   // TEMPLATES, default one pongo2 backend with APP_DIRS=true
	InstalledApps []string            // INSTALLED_APPS, default []

	Caches map[string]Cache // CACHES, default {"default": locmem}

	Security // CSRF_*, SECURE_*, X_FRAME_OPTIONS (security.go)

	CacheMiddlewareAlias   string // CACHE_MIDDLEWARE_ALIAS, default "default"
	CacheMiddlewareSeconds int    // CACHE_MIDDLEWARE_SECONDS, default 600
	// CACHE_MIDDLEWARE_STALE_WHILE_REVALIDATE and _STALE_IF_ERROR (beyond
	// Django, seconds, default 0): the per-site cache's RFC 5861 windows.
	CacheMiddlewareStaleWhileRevalidate int
	CacheMiddlewareStaleIfError         int
	CacheMiddlewareKeyPrefix            string // CACHE_MIDDLEWARE_KEY_PREFIX, default ""

	LanguageCode string // LANGUAGE_CODE, default "en-us"
	UseI18N      bool   // USE_I18N, default true
	TimeZone     string // TIME_ZONE, default "America/Chicago"
	UseTZ        bool   // USE_TZ, default true

	// Date and time formats (Django's format characters), used by the
	// date and time template filters and {% now %}.
	DateFormat          string // DATE_FORMAT, default "N j, Y"
	DatetimeFormat      string // DATETIME_FORMAT, default "N j, Y, P"
	TimeFormat          string // TIME_FORMAT, default "P"
	ShortDateFormat     string // SHORT_DATE_FORMAT, default "m/d/Y"
	ShortDatetimeFormat string // SHORT_DATETIME_FORMAT, default "m/d/Y P"

	MetricsSettings // METRICS, METRICS_URL (metrics.go)

	// Custom is the contents of the top-level [CUSTOM] table, where a
	// project keeps its own settings (never nil; any keys are allowed).
	Custom map[string]any

	lines map[string]int // dotted key path -> line in Path
}

// Database is one entry of DATABASES.
type Database struct {
	Engine   string // ENGINE: Django's dotted names or short ones (sqlite3, postgresql, mysql)
	Name     string // NAME: file path for SQLite, database name otherwise
	User     string
	Password string
	Host     string
	Port     string         // PORT, written as an integer or a string
	Options  map[string]any // OPTIONS (never nil)
}

// TemplateBackend is one entry of TEMPLATES.
type TemplateBackend struct {
	Backend string         // BACKEND
	Dirs    []string       // DIRS
	AppDirs bool           // APP_DIRS
	Options map[string]any // OPTIONS (never nil)
}

// Cache is one alias of CACHES.
type Cache struct {
	Backend string // BACKEND as written (dotted Django name or short name)
	// Location is LOCATION as written; a list is joined with ";".
	Location string
	// Locations is LOCATION split into its parts: the elements of a list, or
	// a string split at ";" and "," (Django's redis/memcached rule), each
	// trimmed, empty parts dropped. One element for a single value; nil
	// when LOCATION is "" or not set.
	Locations []string
	// Timeout is TIMEOUT in seconds (default 300); Forever is true when
	// TIMEOUT = "None", and Timeout is then 0.
	Timeout       int64
	Forever       bool
	MaxEntries    int            // OPTIONS.MAX_ENTRIES, default 300
	CullFrequency int            // OPTIONS.CULL_FREQUENCY, default 3
	Options       map[string]any // OPTIONS without MAX_ENTRIES and CULL_FREQUENCY
	KeyPrefix     string         // KEY_PREFIX, default ""
	Version       int            // VERSION, default 1
	KeyFunction   string         // KEY_FUNCTION: name of a function registered with cache.RegisterKeyFunc
}

// Line returns the line of settings.toml that set the dotted key path
// (for example "CACHES.default.BACKEND"), or 0 when the key was not set in
// the file.
func (s *Settings) Line(key string) int {
	if s == nil || s.lines == nil {
		return 0
	}
	return s.lines[key]
}

// Errorf returns an error that names the settings file, the line that set key
// and key itself, followed by the formatted message:
//
//	settings.toml:12: CACHES.default.BACKEND: unknown backend "x" (known: ...)
func (s *Settings) Errorf(key string, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	path := "settings"
	if s != nil && s.Path != "" {
		path = s.Path
	}
	if line := s.Line(key); line > 0 {
		return &Error{File: path, Line: line, Key: key, Msg: msg}
	}
	return &Error{File: path, Key: key, Msg: msg}
}

// Error is a settings error: which file, which line, which key, and what is wrong.
type Error struct {
	File string
	Line int // 0 when unknown
	Col  int // column (bytes, from 1) for malformed TOML; 0 otherwise
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	switch {
	case e.Line > 0 && e.Col > 0:
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	case e.Line > 0:
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Key == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Key + ": " + e.Msg
}
