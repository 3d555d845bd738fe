package settings

import (
	"errors"
	"testing"
)

// FuzzParse: Parse never panics; it returns either settings with a "default"
// cache alias and non-nil maps, or an *Error naming the file.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"",
		fullFile,
		"DEBUG = true\n",
		"DEBGU = true\n",
		"[CACHES.default]\nBACKEND = \"locmem\"\nTIMEOUT = \"None\"\n",
		"[CACHES.other]\nBACKEND = \"locmem\"\n",
		"CACHES = { default = { BACKEND = \"x\", LOCATION = [\"a\", \"b\"], OPTIONS = { MAX_ENTRIES = -1, CULL_FREQUENCY = 0 } } }\n",
		"[[TEMPLATES]]\nBACKEND = \"x\"\n[[TEMPLATES]]\nBACKEND = \"y\"\n[TEMPLATES.OPTIONS]\na = 1\n",
		"[[a.b]]\n[[a.b]]\n[a.b.c]\nd = [[], [1], [{x = 1}]]\n",
		"[DATABASES.default]\nENGINE = \"sqlite3\"\nPORT = 5432\n",
		"TIMEOUT = 1e400\n",
		"x = [\n# c\n1,\n]\n",
		"'a.b' = 1\n\"c\" = { 'd.e' = 2 }\n",
		"DEBUG = true\r\nSECRET_KEY = 'k'\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.toml", data)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T (%v), want *Error", err, err)
			}
			if se.File == "" || se.Msg == "" {
				t.Fatalf("incomplete error %#v", se)
			}
			if s != nil {
				t.Fatalf("settings returned with error %v", err)
			}
			return
		}
		if _, ok := s.Caches["default"]; !ok {
			t.Fatalf("no default cache alias: %+v", s.Caches)
		}
		if s.Databases == nil || s.Custom == nil || s.AllowedHosts == nil || s.Middleware == nil {
			t.Fatalf("nil collection in %+v", s)
		}
		for alias, c := range s.Caches {
			if c.Options == nil || c.Backend == "" || c.CullFrequency < 0 {
				t.Fatalf("alias %q: %+v", alias, c)
			}
			if len(c.Locations) == 0 != (c.Location == "" || c.Locations == nil) {
				t.Fatalf("alias %q: Location %q Locations %q", alias, c.Location, c.Locations)
			}
		}
	})
}
