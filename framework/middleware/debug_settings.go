package middleware

// The masking of Django's SafeExceptionReporterFilter, for the technical
// 500 page: settings, headers and cookies whose names look secret are
// shown as stars. Nothing here touches a request or response.

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"gojango/framework/settings"
)

// hiddenSettings is Django's hidden_settings: a name matching it is shown
// as cleansedSubstitute.
var hiddenSettings = regexp.MustCompile(`(?i)API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE`)

const cleansedSubstitute = "********************"

// namedValue is one row of a table on the technical 500 page.
type namedValue struct{ Name, Value string }

// safeSettings lists s with Django's names (DEBUG, CACHES, ...), secrets
// masked as Django's get_safe_settings masks them, sorted by name.
func safeSettings(s *settings.Settings) []namedValue {
	if s == nil {
		return nil
	}
	var out []namedValue
	v := reflect.ValueOf(s).Elem()
	collectFields(v, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// collectFields adds v's exported fields (and those of embedded structs)
// under their Django names.
func collectFields(v reflect.Value, out *[]namedValue) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			collectFields(v.Field(i), out)
			continue
		}
		name := djangoName(f.Name)
		*out = append(*out, namedValue{name, cleanse(name, v.Field(i))})
	}
}

// cleanse renders v, or the stars when name is sensitive; maps and
// structs are cleansed key by key, as Django's cleanse_setting recurses
// into dicts.
func cleanse(name string, v reflect.Value) string {
	if name != "" && hiddenSettings.MatchString(name) {
		return cleansedSubstitute
	}
	switch v.Kind() {
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			ks := fmt.Sprint(k.Interface())
			parts = append(parts, fmt.Sprintf("%q: %s", ks, cleanse(ks, v.MapIndex(k))))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Struct:
		var fields []namedValue
		collectFields(v, &fields)
		parts := make([]string, 0, len(fields))
		for _, f := range fields {
			parts = append(parts, fmt.Sprintf("%q: %s", f.Name, f.Value))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Slice:
		parts := make([]string, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, cleanse("", v.Index(i)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		return fmt.Sprintf("%q", v.String())
	case reflect.Interface:
		if v.IsNil() {
			return "None"
		}
		return cleanse("", v.Elem())
	}
	return fmt.Sprint(v.Interface())
}

// djangoName turns a Go field name into Django's setting name:
// AllowedHosts -> ALLOWED_HOSTS, CSRFCookieName -> CSRF_COOKIE_NAME,
// UseI18N -> USE_I18N.
func djangoName(field string) string {
	rs := []rune(field)
	var b strings.Builder
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// safeHeaders lists the request's headers as Django's META names
// (HTTP_USER_AGENT), masked by name as get_safe_request_meta masks them.
func safeHeaders(h map[string][]string) []namedValue {
	out := make([]namedValue, 0, len(h))
	for k, vs := range h {
		name := "HTTP_" + strings.ToUpper(strings.ReplaceAll(k, "-", "_"))
		val := strings.Join(vs, ", ")
		if hiddenSettings.MatchString(name) {
			val = cleansedSubstitute
		}
		out = append(out, namedValue{name, val})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
