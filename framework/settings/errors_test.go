package settings

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type errorCase struct {
	name string
	data string
	line int
	col  int // checked when > 0
	key  string
	msg  string // substring of Error.Msg
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	path, err := filepath.Abs("settings.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("settings.toml", []byte(tc.data))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want an error at line %d key %q", s, tc.line, tc.key)
			}
			if s != nil {
				t.Errorf("Parse returned settings with the error")
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if se.File != path || se.Line != tc.line || se.Key != tc.key {
				t.Errorf("got File %q Line %d Key %q, want %q %d %q (%v)", se.File, se.Line, se.Key, path, tc.line, tc.key, err)
			}
			if tc.col > 0 && se.Col != tc.col {
				t.Errorf("Col = %d, want %d (%v)", se.Col, tc.col, err)
			}
			if !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("Msg %q does not contain %q", se.Msg, tc.msg)
			}
		})
	}
}

func TestMalformedTOMLNamesLineAndColumn(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "missing value", data: "DEBUG = true\nSECRET_KEY =\n", line: 2, col: 13, msg: "invalid TOML"},
		{name: "bad string", data: "\n\nDEBUG = tru\n", line: 3, col: 9, msg: "invalid TOML"},
		{name: "unclosed table", data: "[CACHES.default\nBACKEND = 'x'\n", line: 1, msg: "invalid TOML"},
		{name: "duplicate key", data: "DEBUG = true\nDEBUG = false\n", line: 2, key: "DEBUG", msg: "invalid TOML"},
	})
	_, err := Parse("settings.toml", []byte("DEBUG = true\nSECRET_KEY =\n"))
	if msg := err.Error(); !strings.Contains(msg, "settings.toml:2:13: invalid TOML: ") {
		t.Errorf("message %q lacks file:line:col", msg)
	}
}

func TestWrongTypes(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "DEBUG string", data: "\nDEBUG = \"yes\"\n", line: 2, key: "DEBUG", msg: `want a boolean (true or false), got string "yes"`},
		{name: "USE_TZ integer", data: "USE_TZ = 1\n", line: 1, key: "USE_TZ", msg: "want a boolean"},
		{name: "SECRET_KEY integer", data: "SECRET_KEY = 5\n", line: 1, key: "SECRET_KEY", msg: "want a string"},
		{name: "ALLOWED_HOSTS string", data: "ALLOWED_HOSTS = \"x\"\n", line: 1, key: "ALLOWED_HOSTS", msg: "want an array of strings"},
		{name: "ALLOWED_HOSTS element", data: "ALLOWED_HOSTS = [\n  \"a\",\n  1,\n]\n", line: 3, key: "ALLOWED_HOSTS.1", msg: "got integer 1"},
		{name: "MIDDLEWARE table", data: "[MIDDLEWARE]\n", line: 1, key: "MIDDLEWARE", msg: "want an array of strings"},
		{name: "CACHE_MIDDLEWARE_SECONDS word", data: "CACHE_MIDDLEWARE_SECONDS = \"ten\"\n", line: 1, key: "CACHE_MIDDLEWARE_SECONDS", msg: "want an integer"},
		{name: "TIMEOUT word", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = \"soon\"\n", line: 3, key: "CACHES.default.TIMEOUT", msg: `or "None"`},
		{name: "TIMEOUT bool", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = true\n", line: 3, key: "CACHES.default.TIMEOUT", msg: "got boolean true"},
		{name: "TIMEOUT nan", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = nan\n", line: 3, key: "CACHES.default.TIMEOUT", msg: "out of range"},
		{name: "TIMEOUT huge float", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = 1e30\n", line: 3, key: "CACHES.default.TIMEOUT", msg: "out of range"},
		{name: "VERSION fraction", data: "[CACHES.default]\nBACKEND = \"locmem\"\nVERSION = 1.5\n", line: 3, key: "CACHES.default.VERSION", msg: "not a whole number"},
		{name: "MAX_ENTRIES word", data: "[CACHES.default]\nBACKEND = \"locmem\"\n[CACHES.default.OPTIONS]\nMAX_ENTRIES = \"many\"\n", line: 4, key: "CACHES.default.OPTIONS.MAX_ENTRIES", msg: "want an integer"},
		{name: "CULL_FREQUENCY negative", data: "[CACHES.default]\nBACKEND = \"locmem\"\nOPTIONS = { CULL_FREQUENCY = -1 }\n", line: 3, key: "CACHES.default.OPTIONS.CULL_FREQUENCY", msg: "must be 0"},
		{name: "OPTIONS not a table", data: "[CACHES.default]\nBACKEND = \"locmem\"\nOPTIONS = 3\n", line: 3, key: "CACHES.default.OPTIONS", msg: "want a table"},
		{name: "LOCATION integer", data: "[CACHES.default]\nBACKEND = \"locmem\"\nLOCATION = 5\n", line: 3, key: "CACHES.default.LOCATION", msg: "want a string or an array of strings"},
		{name: "LOCATION list element", data: "[CACHES.default]\nBACKEND = \"locmem\"\nLOCATION = [\"a\", 2]\n", line: 3, key: "CACHES.default.LOCATION.1", msg: "want a string"},
		{name: "CACHES string", data: "CACHES = \"locmem\"\n", line: 1, key: "CACHES", msg: "want a table of cache aliases"},
		{name: "cache alias string", data: "[CACHES]\ndefault = \"locmem\"\n", line: 2, key: "CACHES.default", msg: "want a table"},
		{name: "PORT float", data: "[DATABASES.default]\nENGINE = \"postgresql\"\nPORT = 54.32\n", line: 3, key: "DATABASES.default.PORT", msg: "want an integer or a string"},
		{name: "DATABASES array", data: "DATABASES = []\n", line: 1, key: "DATABASES", msg: "want a table"},
		{name: "TEMPLATES table", data: "[TEMPLATES]\nBACKEND = \"x\"\n", line: 1, key: "TEMPLATES", msg: "want an array of tables"},
		{name: "TEMPLATES entry string", data: "TEMPLATES = [\"x\"]\n", line: 1, key: "TEMPLATES.0", msg: "want a table"},
		{name: "TEMPLATES DIRS string", data: "[[TEMPLATES]]\nBACKEND = \"x\"\n[[TEMPLATES]]\nBACKEND = \"y\"\nDIRS = \"templates\"\n", line: 5, key: "TEMPLATES.1.DIRS", msg: "want an array of strings"},
		{name: "APP_DIRS string", data: "[[TEMPLATES]]\nBACKEND = \"x\"\nAPP_DIRS = \"yes\"\n", line: 3, key: "TEMPLATES.0.APP_DIRS", msg: "want a boolean"},
		{name: "CUSTOM integer", data: "CUSTOM = 3\n", line: 1, key: "CUSTOM", msg: "want a table"},
		{name: "datetime", data: "DEBUG = 1979-05-27\n", line: 1, key: "DEBUG", msg: "date/time"},
	})
}

func TestUnknownSettingDidYouMean(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "top-level typo", data: "DEBUG = true\nDEBGU = true\n", line: 2, key: "DEBGU", msg: "unknown setting; did you mean DEBUG?"},
		{name: "lower case", data: "debug = true\n", line: 1, key: "debug", msg: "did you mean DEBUG?"},
		{name: "table typo", data: "[CACHE.default]\nBACKEND = \"locmem\"\n", line: 1, key: "CACHE", msg: "did you mean CACHES?"},
		{name: "far from anything", data: "SITE_NAME = \"x\"\n", line: 1, key: "SITE_NAME", msg: "[CUSTOM]"},
		{name: "cache alias typo", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUTS = 3\n", line: 3, key: "CACHES.default.TIMEOUTS", msg: "did you mean TIMEOUT?"},
		{name: "legacy lower-case timeout", data: "[CACHES.default]\nBACKEND = \"locmem\"\ntimeout = 3\n", line: 3, key: "CACHES.default.timeout", msg: "did you mean TIMEOUT?"},
		{name: "cache alias unknown", data: "[CACHES.default]\nBACKEND = \"locmem\"\nSERVERS = []\n", line: 3, key: "CACHES.default.SERVERS", msg: "known here: BACKEND, LOCATION"},
		{name: "inline cache typo", data: "CACHES = { default = { BACKEND = \"locmem\", LOCATON = \"x\" } }\n", line: 1, key: "CACHES.default.LOCATON", msg: "did you mean LOCATION?"},
		{name: "database typo", data: "[DATABASES.default]\nENGINE = \"sqlite3\"\nNAEM = \"x\"\n", line: 3, key: "DATABASES.default.NAEM", msg: "did you mean NAME?"},
		{name: "template typo", data: "[[TEMPLATES]]\nBACKEND = \"x\"\nDIR = [\"t\"]\n", line: 3, key: "TEMPLATES.0.DIR", msg: "did you mean DIRS?"},
		{name: "second template typo", data: "[[TEMPLATES]]\nBACKEND = \"x\"\n\n[[TEMPLATES]]\nBACKEND = \"y\"\nAPPDIRS = true\n", line: 6, key: "TEMPLATES.1.APPDIRS", msg: "did you mean APP_DIRS?"},
	})
}

func TestUnknownKeysAllowedInOptionsAndCustom(t *testing.T) {
	const data = `[CACHES.default]
BACKEND = "redis"
[CACHES.default.OPTIONS]
db = 1
SOCKET_TIMEOUT = 5
[DATABASES.default]
ENGINE = "sqlite3"
OPTIONS = { timeout = 20 }
[[TEMPLATES]]
BACKEND = "x"
OPTIONS = { context_processors = [] }
[CUSTOM]
DEBGU = 1
`
	if _, err := Parse("settings.toml", []byte(data)); err != nil {
		t.Fatal(err)
	}
}

// TestMissingDefaultCacheIsE001: Django's system check caches.E001.
func TestMissingDefaultCacheIsE001(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "other alias only", data: "DEBUG = true\n\n[CACHES.other]\nBACKEND = \"locmem\"\n", line: 3, key: "CACHES",
			msg: "You must define a 'default' cache in your CACHES setting."},
		{name: "empty CACHES", data: "CACHES = {}\n", line: 1, key: "CACHES", msg: "You must define a 'default' cache"},
	})
}

func TestMissingBackendIsAnError(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "cache", data: "[CACHES.default]\nLOCATION = \"x\"\n", line: 1, key: "CACHES.default.BACKEND", msg: "needs a BACKEND"},
		{name: "cache inline", data: "\nCACHES = { default = {} }\n", line: 2, key: "CACHES.default.BACKEND", msg: "needs a BACKEND"},
		{name: "empty cache backend", data: "[CACHES.default]\nBACKEND = \"\"\n", line: 2, key: "CACHES.default.BACKEND", msg: "must not be empty"},
		{name: "template", data: "[[TEMPLATES]]\nDIRS = []\n", line: 1, key: "TEMPLATES.0.BACKEND", msg: "needs a BACKEND"},
	})
}

// TestMissingDefaultDatabase follows Django's ConnectionHandler:
// "You must define a 'default' database.", and ENGINE is required.
func TestMissingDefaultDatabase(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "no default", data: "[DATABASES.other]\nENGINE = \"sqlite3\"\n", line: 1, key: "DATABASES", msg: "You must define a 'default' database."},
		{name: "no engine", data: "[DATABASES.default]\nNAME = \"x\"\n", line: 1, key: "DATABASES.default.ENGINE", msg: "needs an ENGINE"},
		{name: "empty engine", data: "[DATABASES.default]\nENGINE = \" \"\n", line: 2, key: "DATABASES.default.ENGINE", msg: "must not be empty"},
	})
}

// TestInstalledAppsNamesMustBeUnique: Django's apps registry raises
// "Application names aren't unique, duplicates: ...".
func TestInstalledAppsNamesMustBeUnique(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "duplicate", data: "INSTALLED_APPS = [\"a\", \"b\", \"a\", \"a\"]\n", line: 1, key: "INSTALLED_APPS", msg: "Application names aren't unique, duplicates: a"},
	})
}

// TestIncorrectTimezoneSetting: Django refuses an unknown TIME_ZONE
// ("Incorrect timezone setting: X") where the time zone database exists.
func TestIncorrectTimezoneSetting(t *testing.T) {
	if _, err := time.LoadLocation("America/Chicago"); err != nil {
		t.Skip("no time zone database on this system:", err)
	}
	runErrorCases(t, []errorCase{
		{name: "unknown zone", data: "TIME_ZONE = \"Mars/Olympus_Mons\"\n", line: 1, key: "TIME_ZONE", msg: "Incorrect timezone setting: Mars/Olympus_Mons"},
	})
	if _, err := Parse("settings.toml", []byte("TIME_ZONE = \"Europe/Paris\"\n")); err != nil {
		t.Errorf("Europe/Paris: %v", err)
	}
}

// TestFirstErrorInFileOrder: with several problems, the one written first is
// reported, whatever order the checks run in.
func TestFirstErrorInFileOrder(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "two lines", data: "[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = \"soon\"\n\n[DATABASES.default]\nENGINE = 1\n\n[CACHES.default.OPTIONS]\nCULL_FREQUENCY = -2\n",
			line: 3, key: "CACHES.default.TIMEOUT", msg: "or \"None\""},
		{name: "top first", data: "DEBGU = 1\nDEBUG = \"x\"\n", line: 1, key: "DEBGU", msg: "did you mean DEBUG?"},
		{name: "same line by column", data: "CACHES = { default = { BACKEND = \"locmem\", VERSION = 1.5, TIMEOUT = \"soon\" } }\n",
			line: 1, key: "CACHES.default.VERSION", msg: "not a whole number"},
		{name: "E001 before alias errors", data: "[CACHES.other]\nTIMEOUT = \"x\"\n", line: 1, key: "CACHES", msg: "'default' cache"},
	})
	// The order is stable from run to run (map iteration is random).
	const data = "ALLOWED_HOSTS = 1\nINSTALLED_APPS = 2\nMIDDLEWARE = 3\nDEBUG = 4\nUSE_TZ = 5\n"
	for range 20 {
		_, err := Parse("settings.toml", []byte(data))
		var se *Error
		if !errors.As(err, &se) || se.Key != "ALLOWED_HOSTS" {
			t.Fatalf("got %v, want the ALLOWED_HOSTS error", err)
		}
	}
}

func TestErrorMessageFormat(t *testing.T) {
	cases := []struct {
		err  Error
		want string
	}{
		{Error{File: "s.toml", Line: 3, Key: "DEBUG", Msg: "bad"}, "s.toml:3: DEBUG: bad"},
		{Error{File: "s.toml", Line: 3, Col: 7, Msg: "invalid TOML: x"}, "s.toml:3:7: invalid TOML: x"},
		{Error{File: "s.toml", Key: "CACHES", Msg: "bad"}, "s.toml: CACHES: bad"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"DEBUG", "DEBUG", 0}, {"DEBGU", "DEBUG", 2}, {"CACHE", "CACHES", 1},
		{"TIMEOUTS", "TIMEOUT", 1}, {"", "ABC", 3}, {"清", "清a", 1},
	}
	for _, tc := range cases {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if got := suggest("zzzzzz", topKeys); got != "" {
		t.Errorf("suggest(zzzzzz) = %q, want none", got)
	}
}
