package templates

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flosch/pongo2/v6"
)

// filter is one of Django's filters as this package provides it. safe is
// Django's is_safe: when the input was marked safe and the output is a
// string, the output stays marked safe.
type filter struct {
	fn   pongo2.FilterFunction
	safe bool
}

// djangoFilters are the filters registered with pongo2 (replacing pongo2's
// own of the same name, whose behaviour differs from Django's).
var djangoFilters = map[string]filter{
	// escaping (escape.go)
	"escape":       {filterEscape, true},
	"force_escape": {filterForceEscape, true},
	"safe":         {filterSafe, true},
	// text (filters_text.go)
	"capfirst":        {filterCapfirst, true},
	"default":         {filterDefault, false},
	"default_if_none": {filterDefaultIfNone, false},
	"join":            {filterJoin, true},
	"linebreaks":      {filterLinebreaks, true},
	"linebreaksbr":    {filterLinebreaksbr, true},
	"pluralize":       {filterPluralize, false},
	"slugify":         {filterSlugify, true},
	"title":           {filterTitle, true},
	"truncatechars":   {filterTruncatechars, true},
	"truncatewords":   {filterTruncatewords, true},
	"urlencode":       {filterUrlencode, false},
	"yesno":           {filterYesno, false},
	"lower":           {filterLower, true},
	"upper":           {filterUpper, false},
	// numbers and lists (filters_numbers.go)
	"add":            {filterAdd, false},
	"divisibleby":    {filterDivisibleby, false},
	"filesizeformat": {filterFilesizeformat, true},
	"first":          {filterFirst, false},
	"floatformat":    {filterFloatformat, true},
	"last":           {filterLast, true},
	"length":         {filterLength, false},
	// dates (filters_dates.go)
	"date":      {filterDate, false},
	"time":      {filterTime, false},
	"timesince": {filterTimesince, false},
	"timeuntil": {filterTimeuntil, false},
}

// registerFilters puts djangoFilters into pongo2's filter registry, which
// is global to the process: it runs once, on the first New.
var registerFilters = sync.OnceValue(func() error {
	var errs []error
	for name, f := range djangoFilters {
		fn := wrapSafety(f)
		var err error
		if pongo2.FilterExists(name) {
			err = pongo2.ReplaceFilter(name, fn)
		} else {
			err = pongo2.RegisterFilter(name, fn)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("register the %s filter with pongo2: %w", name, err))
		}
	}
	return errors.Join(errs...)
})

// wrapSafety applies Django's is_safe rule to f's output and turns a panic
// into an error (a filter must never bring a render down).
func wrapSafety(f filter) pongo2.FilterFunction {
	return func(in, arg *pongo2.Value) (out *pongo2.Value, perr *pongo2.Error) {
		defer func() {
			if v := recover(); v != nil {
				out, perr = nil, &pongo2.Error{Sender: "filter", OrigError: fmt.Errorf("filter panicked: %v", v)}
			}
		}()
		out, perr = f.fn(in, arg)
		if perr != nil || out == nil || !f.safe || !isSafe(in) || isSafe(out) {
			return out, perr
		}
		if s, ok := out.Interface().(string); ok {
			return safeValue(s), nil
		}
		return out, nil
	}
}

// filterError is the error a filter returns (Django raises it as an
// exception, which fails the render).
func filterError(format string, args ...any) *pongo2.Error {
	return &pongo2.Error{Sender: "filter", OrigError: fmt.Errorf(format, args...)}
}

// str is Python's str() of a template value as Django's stringfilter sees
// it: "" for nil (pongo2 cannot tell None from a missing variable, which
// Django renders as ""), True/False, floats as Python prints them, a
// time.Time as Python prints an aware datetime.
func str(v *pongo2.Value) string {
	if v == nil || v.IsNil() {
		return ""
	}
	switch x := v.Interface().(type) {
	case string:
		return x
	case SafeString:
		return string(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(float64(x))
	case time.Time:
		s := isoFormat(x)
		return s[:10] + " " + s[11:]
	}
	return v.String()
}

// pyFloat is Python's repr of a float: the shortest text that reads back,
// with ".0" on whole numbers, exponents from 1e16 and below 1e-4.
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if a := math.Abs(f); a != 0 && (a >= 1e16 || a < 1e-4) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		if len(exp) < 2 {
			exp = strings.Repeat("0", 2-len(exp)) + exp
		}
		return mant + "e" + string(sign) + exp
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// isSeq reports whether v is a list Django would index or measure (a
// slice, an array or a string).
func isSeq(v *pongo2.Value) bool {
	if v == nil || v.IsNil() {
		return false
	}
	k := reflect.Indirect(reflect.ValueOf(v.Interface())).Kind()
	return k == reflect.Slice || k == reflect.Array || k == reflect.String
}
