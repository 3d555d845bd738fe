package templates

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/flosch/pongo2/v6"
	"golang.org/x/text/unicode/norm"
)

// Django's text filters (django/template/defaultfilters.py with
// django/utils/text.py and html.py), with Django's outputs.

// filterCapfirst is Django's capfirst: the first character upper-cased.
func filterCapfirst(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	s := str(in)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return pongo2.AsValue(s), nil
	}
	return pongo2.AsValue(string(unicode.ToUpper(r)) + s[n:]), nil
}

// filterLower is Django's lower.
func filterLower(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return pongo2.AsValue(strings.ToLower(str(in))), nil
}

// filterUpper is Django's upper (not is_safe: its output is escaped).
func filterUpper(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return pongo2.AsValue(strings.ToUpper(str(in))), nil
}

// filterDefault is Django's default: value or arg (Python's truthiness).
func filterDefault(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if truthy(in) {
		return in, nil
	}
	return arg, nil
}

// filterDefaultIfNone is Django's default_if_none: arg when the value is
// None (nil; pongo2 also gives nil for a missing variable).
func filterDefaultIfNone(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if in == nil || in.IsNil() {
		return arg, nil
	}
	return in, nil
}

// truthy is Python's bool() of a template value.
func truthy(v *pongo2.Value) bool {
	if v == nil || v.IsNil() {
		return false
	}
	if _, ok := v.Interface().(SafeString); ok {
		return v.Len() > 0
	}
	return v.IsTrue()
}

// filterJoin is Django's join: the items (each conditionally escaped)
// joined with arg, marked safe. A string value is
// joined character by character, as Python's str.join does; a value that
// is no list comes back unchanged.
func filterJoin(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if !isSeq(in) || !arg.IsString() {
		return in, nil
	}
	var parts []string
	if in.IsString() {
		for _, r := range str(in) {
			parts = append(parts, Escape(string(r)))
		}
	} else {
		for i := 0; i < in.Len(); i++ {
			item := in.Index(i)
			if !item.IsString() {
				// Python's str.join accepts strings only.
				return in, nil
			}
			parts = append(parts, conditionalEscape(item))
		}
	}
	// The separator is written in the template, and Django does not escape
	// a template's string literals.
	return safeValue(strings.Join(parts, str(arg))), nil
}

// normalizeNewlines is Django's normalize_newlines: \r\n and \r become \n.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

var paragraphBreak = regexp.MustCompile("\n{2,}")

// filterLinebreaks is Django's linebreaks: paragraphs in <p>, single
// newlines as <br>, the text escaped unless it is safe.
func filterLinebreaks(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	escape := !isSafe(in)
	paras := paragraphBreak.Split(normalizeNewlines(str(in)), -1)
	for i, p := range paras {
		if escape {
			p = Escape(p)
		}
		paras[i] = "<p>" + strings.ReplaceAll(p, "\n", "<br>") + "</p>"
	}
	return safeValue(strings.Join(paras, "\n\n")), nil
}

// filterLinebreaksbr is Django's linebreaksbr: newlines as <br>, the text
// escaped unless it is safe.
func filterLinebreaksbr(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	s := normalizeNewlines(str(in))
	if !isSafe(in) {
		s = Escape(s)
	}
	return safeValue(strings.ReplaceAll(s, "\n", "<br>")), nil
}

// filterPluralize is Django's pluralize: arg is "plural" or
// "singular,plural" (default "s"); the singular suffix when the value is 1
// (a number or numeric text) or a list of one.
func filterPluralize(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	a := "s"
	if arg != nil && !arg.IsNil() {
		a = str(arg)
	}
	if !strings.Contains(a, ",") {
		a = "," + a
	}
	bits := strings.Split(a, ",")
	if len(bits) > 2 {
		return pongo2.AsValue(""), nil
	}
	singular, plural := bits[0], bits[1]
	pick := func(one bool) (*pongo2.Value, *pongo2.Error) {
		if one {
			return pongo2.AsValue(singular), nil
		}
		return pongo2.AsValue(plural), nil
	}
	switch {
	case in == nil || in.IsNil():
		return pongo2.AsValue(""), nil
	case in.IsBool():
		return pick(in.Bool())
	case in.IsNumber():
		return pick(in.Float() == 1)
	case in.IsString():
		f, ok := pyFloatParse(str(in))
		if !ok {
			return pongo2.AsValue(""), nil
		}
		return pick(f == 1)
	case isSeq(in) || isMap(in):
		return pick(in.Len() == 1)
	}
	return pongo2.AsValue(""), nil
}

var (
	slugDrop   = regexp.MustCompile(`[^\w\s-]`)
	slugDashes = regexp.MustCompile(`[-\s]+`)
)

// filterSlugify is Django's slugify: ASCII only (accents dropped after
// NFKD), lower case, anything but letters, digits, _, - and spaces
// removed, runs of spaces and dashes as one dash, - and _ trimmed.
func filterSlugify(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	var b strings.Builder
	for _, r := range norm.NFKD.String(str(in)) {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		}
	}
	s := slugDrop.ReplaceAllString(strings.ToLower(b.String()), "")
	s = slugDashes.ReplaceAllString(s, "-")
	return pongo2.AsValue(strings.Trim(s, "-_")), nil
}

var (
	titleApostrophe = regexp.MustCompile(`([a-z])'([A-Z])`)
	titleDigit      = regexp.MustCompile(`\d([A-Z])`)
)

// filterTitle is Django's title: Python's str.title(), then a letter after
// an apostrophe or a digit back to lower case ("they're", "1st").
func filterTitle(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	var b strings.Builder
	prevCased := false
	for _, r := range str(in) {
		cased := unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r)
		switch {
		case cased && !prevCased:
			b.WriteRune(unicode.ToTitle(r))
		case cased:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
		prevCased = cased
	}
	s := titleApostrophe.ReplaceAllStringFunc(b.String(), strings.ToLower)
	s = titleDigit.ReplaceAllStringFunc(s, strings.ToLower)
	return pongo2.AsValue(s), nil
}

// filterTruncatechars is Django's truncatechars: at most arg characters
// (combining marks not counted), the last one an ellipsis "…" when cut.
func filterTruncatechars(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	s := str(in)
	n, ok := pyInt(arg)
	if !ok {
		return pongo2.AsValue(s), nil
	}
	if n <= 0 {
		return pongo2.AsValue(""), nil
	}
	text := norm.NFC.String(s)
	keep := n - 1 // room for "…"
	count, end, i := 0, -1, 0
	for _, r := range text {
		if norm.NFC.PropertiesString(string(r)).CCC() == 0 {
			count++
			if end < 0 && count > keep {
				end = i
			}
			if count > n {
				return pongo2.AsValue(text[:max(end, 0)] + "…"), nil
			}
		}
		i += utf8.RuneLen(r)
	}
	return pongo2.AsValue(text), nil
}

// filterTruncatewords is Django's truncatewords: at most arg words, joined
// by single spaces, and " …" when cut.
func filterTruncatewords(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	s := str(in)
	n, ok := pyInt(arg)
	if !ok {
		return pongo2.AsValue(s), nil
	}
	if n <= 0 {
		return pongo2.AsValue(""), nil
	}
	words := strings.FieldsFunc(s, pyIsSpace)
	if len(words) > n {
		t := strings.Join(words[:n], " ")
		if !strings.HasSuffix(t, " …") {
			t += " …"
		}
		return pongo2.AsValue(t), nil
	}
	return pongo2.AsValue(strings.Join(words, " ")), nil
}

// pyIsSpace is what Python's str.split() splits at.
func pyIsSpace(r rune) bool {
	switch r {
	case '\x1c', '\x1d', '\x1e', '\x1f':
		return true
	}
	return unicode.IsSpace(r)
}

// filterUrlencode is Django's urlencode: Python's urllib.parse.quote, with
// "/" kept unless arg names the characters to keep instead.
func filterUrlencode(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	safe := "/"
	if arg != nil && !arg.IsNil() {
		safe = str(arg)
	}
	return pongo2.AsValue(quote(str(in), safe)), nil
}

// quote is Python's urllib.parse.quote(s, safe): letters, digits, "_.-~"
// and the bytes in safe as they are, every other UTF-8 byte as %XX.
func quote(s, safe string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// filterYesno is Django's yesno: "yes,no,maybe" (or arg) picked by the
// value: true, false, None (None counts as false without a third word).
// An arg of fewer than two words returns the value itself.
func filterYesno(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	a := "yes,no,maybe"
	if arg != nil && !arg.IsNil() {
		a = str(arg)
	}
	bits := strings.Split(a, ",")
	if len(bits) < 2 {
		return in, nil
	}
	yes, no, maybe := bits[0], bits[1], bits[1]
	if len(bits) == 3 {
		maybe = bits[2]
	}
	switch {
	case in == nil || in.IsNil():
		return pongo2.AsValue(maybe), nil
	case truthy(in):
		return pongo2.AsValue(yes), nil
	}
	return pongo2.AsValue(no), nil
}

// pyFloatParse is Python's float() of a string (surrounding whitespace
// allowed, "_" between digits, inf and nan).
func pyFloatParse(s string) (float64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	if s == "" || strings.Contains(s, "__") || strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") ||
		strings.ContainsAny(s, "xXpP") {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}
