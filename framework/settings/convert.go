package settings

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// typeName describes a decoded TOML value for error messages.
func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case bool:
		return fmt.Sprintf("boolean %t", x)
	case int64:
		return fmt.Sprintf("integer %d", x)
	case float64:
		return "float " + strconv.FormatFloat(x, 'g', -1, 64)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time, toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return fmt.Sprintf("date/time %v", x)
	default:
		return fmt.Sprintf("%T", v)
	}
}

// boolean decodes a true/false setting into dst.
func (d *decoder) boolean(key string, v any, dst *bool) bool {
	b, ok := v.(bool)
	if !ok {
		d.errorf(key, "want a boolean (true or false), got %s", typeName(v))
		return false
	}
	*dst = b
	return true
}

// str decodes a string setting into dst.
func (d *decoder) str(key string, v any, dst *string) bool {
	s, ok := v.(string)
	if !ok {
		d.errorf(key, "want a string, got %s", typeName(v))
		return false
	}
	*dst = s
	return true
}

// strs decodes an array of strings into dst (never nil on success).
func (d *decoder) strs(key string, v any, dst *[]string) bool {
	arr, ok := v.([]any)
	if !ok {
		d.errorf(key, "want an array of strings, e.g. %s = [\"...\"], got %s", lastPart(key), typeName(v))
		return false
	}
	out := make([]string, 0, len(arr))
	good := true
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			d.errorf(key+"."+strconv.Itoa(i), "want a string (element %d of %s), got %s", i, lastPart(key), typeName(e))
			good = false
			continue
		}
		out = append(out, s)
	}
	if good {
		*dst = out
	}
	return good
}

// table checks that v is a table.
func (d *decoder) table(key string, v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table, got %s", typeName(v))
		return nil, false
	}
	return m, true
}

// intRule says which non-integer spellings an integer setting accepts.
// Integral floats (2.0) are always accepted.
type intRule struct {
	numericString bool // "60" (Django passes such values through int())
	truncate      bool // 100.2 -> 100, as Python's int()
}

// integer64 decodes an integer setting.
func (d *decoder) integer64(key string, v any, r intRule) (int64, bool) {
	want := "an integer"
	if r.numericString {
		want = `an integer (or a numeric string such as "60")`
	}
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) || x < -(1<<63) || x >= 1<<63 {
			d.errorf(key, "want %s, got %s (out of range)", want, typeName(v))
			return 0, false
		}
		if x != math.Trunc(x) && !r.truncate {
			d.errorf(key, "want %s, got %s (not a whole number)", want, typeName(v))
			return 0, false
		}
		return int64(x), true
	case string:
		if r.numericString {
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, true
			}
		}
	}
	d.errorf(key, "want %s, got %s", want, typeName(v))
	return 0, false
}

// integer decodes an integer setting that must fit an int.
func (d *decoder) integer(key string, v any, r intRule) (int, bool) {
	n, ok := d.integer64(key, v, r)
	if !ok {
		return 0, false
	}
	if int64(int(n)) != n {
		d.errorf(key, "%d is out of range", n)
		return 0, false
	}
	return int(n), true
}

// timeZone applies Django's check "Incorrect timezone setting: X". As in
// Django, the check is only made where the time zone database is available.
func (d *decoder) timeZone(key, tz string) {
	if tz == "" {
		return
	}
	if _, err := time.LoadLocation("America/Chicago"); err != nil {
		return // no time zone database here: nothing to check against
	}
	if _, err := time.LoadLocation(tz); err != nil {
		d.errorf(key, "Incorrect timezone setting: %s", tz)
	}
}

func lastPart(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}
