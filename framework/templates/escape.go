package templates

import (
	"reflect"
	"strings"

	"github.com/flosch/pongo2/v6"
)

// SafeString is a string that is already HTML: autoescaping and the escape
// filter leave it as it is (Django's SafeString). Put one in a template's
// data for HTML a view built itself:
//
//	data["banner"] = templates.SafeString("<b>Sale</b>")
type SafeString string

// MarkSafe is Django's mark_safe: s, marked as needing no escaping.
func MarkSafe(s string) SafeString { return SafeString(s) }

// htmlEscaper is Django's escape(): Python's html.escape with quote=True.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// Escape is Django's escape(): s with & < > " ' replaced by entities,
// always (even if s is already escaped).
func Escape(s string) string { return htmlEscaper.Replace(s) }

// isSafe reports whether v is marked safe: a SafeString, or a pongo2 value
// marked safe (pongo2.AsSafeValue, the safe filter, a safe filter's
// output). pongo2 keeps the mark in an unexported field, read here through
// reflection (reading is allowed; nothing is written).
func isSafe(v *pongo2.Value) bool {
	if v == nil {
		return false
	}
	if _, ok := v.Interface().(SafeString); ok {
		return true
	}
	f := reflect.ValueOf(v).Elem().FieldByName("safe")
	return f.IsValid() && f.Kind() == reflect.Bool && f.Bool()
}

// safeValue is a string marked safe.
func safeValue(s string) *pongo2.Value { return pongo2.AsSafeValue(s) }

// conditionalEscape is Django's conditional_escape: a safe value's text as
// it is, anything else escaped.
func conditionalEscape(v *pongo2.Value) string {
	if isSafe(v) {
		return str(v)
	}
	return Escape(str(v))
}

// filterEscape is Django's escape filter (and pongo2's autoescaping, which
// calls the filter named "escape"): conditional_escape, so escaping twice
// (autoescape, or |escape|escape) escapes once.
func filterEscape(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if isSafe(in) {
		return in, nil
	}
	return safeValue(Escape(str(in))), nil
}

// filterForceEscape is Django's force_escape: escapes even a safe value.
func filterForceEscape(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return safeValue(Escape(str(in))), nil
}

// filterSafe is Django's safe: the value's text, marked safe.
func filterSafe(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return safeValue(str(in)), nil
}
