package settings

import (
	"math"
	"reflect"
	"testing"
)

// parseCache parses a file whose [CACHES.default] table holds body and
// returns the default alias.
func parseCache(t *testing.T, body string) Cache {
	t.Helper()
	s, err := Parse("settings.toml", []byte("[CACHES.default]\nBACKEND = \"locmem\"\n"+body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s.Caches["default"]
}

// TestTimeoutNoneMeansNeverExpire: Django's TIMEOUT = None, written "None"
// because TOML has no null (edge case 47).
func TestTimeoutNoneMeansNeverExpire(t *testing.T) {
	for _, v := range []string{`"None"`, `"none"`, `"forever"`, `" None "`, `"FOREVER"`} {
		c := parseCache(t, "TIMEOUT = "+v+"\n")
		if !c.Forever || c.Timeout != 0 {
			t.Errorf("TIMEOUT = %s: Forever %v Timeout %d, want Forever", v, c.Forever, c.Timeout)
		}
	}
}

// TestTimeoutUnsetDefaultsTo300 (edge case 47).
func TestTimeoutUnsetDefaultsTo300(t *testing.T) {
	c := parseCache(t, "")
	if c.Forever || c.Timeout != 300 {
		t.Errorf("Forever %v Timeout %d, want 300", c.Forever, c.Timeout)
	}
}

// TestTimeoutPassedThroughInt: Django runs TIMEOUT through int(): a float is
// truncated (edge case 21), a numeric string is accepted (edge case 84), zero
// and negative values are kept (they mean "expire at once").
func TestTimeoutPassedThroughInt(t *testing.T) {
	cases := []struct {
		toml string
		want int64
	}{
		{"60", 60},
		{"100.2", 100},
		{"-1.9", -1},
		{`"1"`, 1},
		{`" 60 "`, 60},
		{`"+7"`, 7},
		{"0", 0},
		{"-5", -5},
		{"2592001", 2592001}, // 30 days + 1 s stays relative (edge case 18)
		{"9223372036854775807", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64 + 1}, // away from the cache package's sentinel
	}
	for _, tc := range cases {
		c := parseCache(t, "TIMEOUT = "+tc.toml+"\n")
		if c.Forever || c.Timeout != tc.want {
			t.Errorf("TIMEOUT = %s: Timeout %d Forever %v, want %d", tc.toml, c.Timeout, c.Forever, tc.want)
		}
	}
}

// TestMaxEntriesMinusOneAllowed: Django's test forces MAX_ENTRIES = -1
// (edge case 24), so any integer is accepted.
func TestMaxEntriesMinusOneAllowed(t *testing.T) {
	c := parseCache(t, "[CACHES.default.OPTIONS]\nMAX_ENTRIES = -1\n")
	if c.MaxEntries != -1 {
		t.Errorf("MaxEntries = %d, want -1", c.MaxEntries)
	}
}

// TestCullFrequencyZeroClearsAll: CULL_FREQUENCY = 0 is valid and means
// "clear the whole cache when full" (edge case 23).
func TestCullFrequencyZeroClearsAll(t *testing.T) {
	c := parseCache(t, "[CACHES.default.OPTIONS]\nCULL_FREQUENCY = 0\nMAX_ENTRIES = 30\n")
	if c.CullFrequency != 0 || c.MaxEntries != 30 {
		t.Errorf("CullFrequency %d MaxEntries %d, want 0 and 30", c.CullFrequency, c.MaxEntries)
	}
}

func TestCacheOptionsNumericStringsAccepted(t *testing.T) {
	c := parseCache(t, "[CACHES.default.OPTIONS]\nMAX_ENTRIES = \"30\"\nCULL_FREQUENCY = 2.0\n")
	if c.MaxEntries != 30 || c.CullFrequency != 2 {
		t.Errorf("MaxEntries %d CullFrequency %d", c.MaxEntries, c.CullFrequency)
	}
}

// TestCacheOptionsDefaultsAre300And3 (reference §1: MAX_ENTRIES 300,
// CULL_FREQUENCY 3) and backend-specific OPTIONS are kept apart.
func TestCacheOptionsDefaultsAre300And3(t *testing.T) {
	c := parseCache(t, "[CACHES.default.OPTIONS]\ndb = 2\nmax_entries = 5\n")
	if c.MaxEntries != 300 || c.CullFrequency != 3 {
		t.Errorf("MaxEntries %d CullFrequency %d, want 300 and 3", c.MaxEntries, c.CullFrequency)
	}
	want := map[string]any{"db": int64(2), "max_entries": int64(5)}
	if !reflect.DeepEqual(c.Options, want) {
		t.Errorf("Options = %#v, want %#v", c.Options, want)
	}
}

// TestLocationListOrSeparatedString: a LOCATION list, "a;b" and "a,b" all
// give the servers a and b (edge case 60); Location keeps what was written.
func TestLocationListOrSeparatedString(t *testing.T) {
	cases := []struct {
		toml      string
		location  string
		locations []string
	}{
		{`["a", "b"]`, "a;b", []string{"a", "b"}},
		{`"a;b"`, "a;b", []string{"a", "b"}},
		{`"a,b"`, "a,b", []string{"a", "b"}},
		{`"a; b,"`, "a; b,", []string{"a", "b"}},
		{`"unique-snowflake"`, "unique-snowflake", []string{"unique-snowflake"}},
		{`""`, "", nil},
		{`[]`, "", nil},
	}
	for _, tc := range cases {
		c := parseCache(t, "LOCATION = "+tc.toml+"\n")
		if c.Location != tc.location || !reflect.DeepEqual(c.Locations, tc.locations) {
			t.Errorf("LOCATION = %s: Location %q Locations %q, want %q %q", tc.toml, c.Location, c.Locations, tc.location, tc.locations)
		}
	}
	if c := parseCache(t, ""); c.Location != "" || c.Locations != nil {
		t.Errorf("no LOCATION: Location %q Locations %q", c.Location, c.Locations)
	}
}

func TestVersionKeyPrefixKeyFunction(t *testing.T) {
	cases := []struct {
		toml string
		want int
	}{{"VERSION = 2", 2}, {"VERSION = 3.0", 3}, {`VERSION = "4"`, 4}, {"", 1}}
	for _, tc := range cases {
		c := parseCache(t, tc.toml+"\nKEY_PREFIX = \"site\"\nKEY_FUNCTION = \"mine\"\n")
		if c.Version != tc.want || c.KeyPrefix != "site" || c.KeyFunction != "mine" {
			t.Errorf("%s: Version %d KeyPrefix %q KeyFunction %q", tc.toml, c.Version, c.KeyPrefix, c.KeyFunction)
		}
	}
}

// TestBackendNamesAreNotCheckedHere: the cache package's registry decides
// which BACKEND names exist; settings keeps the name as written.
func TestBackendNamesAreNotCheckedHere(t *testing.T) {
	s, err := Parse("settings.toml", []byte("[CACHES.default]\nBACKEND = \"no.such.Backend\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Caches["default"].Backend; got != "no.such.Backend" {
		t.Errorf("Backend = %q", got)
	}
}

func TestCachesSeveralAliases(t *testing.T) {
	s, err := Parse("settings.toml", []byte(`CACHES = { default = { BACKEND = "locmem" }, other = { BACKEND = "dummy", TIMEOUT = 5 } }`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Caches) != 2 || s.Caches["other"].Timeout != 5 || s.Caches["default"].Timeout != 300 {
		t.Errorf("Caches = %+v", s.Caches)
	}
}
