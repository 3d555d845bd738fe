package urls

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ErrNoReverseMatch is wrapped by every *NoReverseMatch.
var ErrNoReverseMatch = errors.New("NoReverseMatch")

// NoReverseMatch is Django's NoReverseMatch: no route has the name, or
// none with that name accepts the arguments. Known lists the names that
// are reversible, for the message.
type NoReverseMatch struct {
	Name  string
	Msg   string   // Django's message
	Known []string // every reversible name, sorted
}

func (e *NoReverseMatch) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return e.Msg + " (known URL names: " + known + ")"
}

// Is makes errors.Is(err, ErrNoReverseMatch) true.
func (e *NoReverseMatch) Is(target error) bool { return target == ErrNoReverseMatch }

// Reverse is Django's reverse(name, args=args): the path of the route
// named name ("namespace:name" for an included one) with args in its
// parameters, in order.
func Reverse(name string, args ...any) (string, error) {
	return reverse(name, args, nil)
}

// ReverseKwargs is Django's reverse(name, kwargs=kwargs): the parameters
// by name.
func ReverseKwargs(name string, kwargs map[string]any) (string, error) {
	return reverse(name, nil, kwargs)
}

func reverse(name string, args []any, kwargs map[string]any) (string, error) {
	registry.mu.RLock()
	es := entries()
	registry.mu.RUnlock()

	var cands []entry
	for _, e := range es {
		if e.name == name {
			cands = append(cands, e)
		}
	}
	if len(cands) == 0 {
		return "", &NoReverseMatch{Name: name, Msg: notFoundMessage(name, es), Known: namesOf(es)}
	}
	// The route named last is tried first, as Django's reverse_dict does.
	for i := len(cands) - 1; i >= 0; i-- {
		p, err := compile(cands[i].pattern)
		if err != nil {
			continue
		}
		if u, ok := p.fill(args, kwargs); ok {
			return u, nil
		}
	}
	tried := make([]string, len(cands))
	for i := range cands {
		tried[len(cands)-1-i] = pyQuote(cands[i].pattern)
	}
	var with string
	switch {
	case len(args) > 0:
		with = "with arguments '" + pyTuple(args) + "' "
	case len(kwargs) > 0:
		with = "with keyword arguments '" + pyDict(kwargs) + "' "
	default:
		with = "with no arguments "
	}
	msg := fmt.Sprintf("Reverse for '%s' %snot found. %d pattern(s) tried: [%s]", name, with, len(cands), strings.Join(tried, ", "))
	return "", &NoReverseMatch{Name: name, Msg: msg, Known: namesOf(es)}
}

// notFoundMessage is Django's message for a name no route has: an unknown
// namespace is named as such.
func notFoundMessage(name string, es []entry) string {
	parts := strings.Split(name, ":")
	for i := 1; i < len(parts); i++ {
		ns := strings.Join(parts[:i], ":") + ":"
		found := false
		for _, e := range es {
			if strings.HasPrefix(e.name, ns) {
				found = true
				break
			}
		}
		if !found {
			if i == 1 {
				return fmt.Sprintf("'%s' is not a registered namespace", parts[0])
			}
			return fmt.Sprintf("'%s' is not a registered namespace inside '%s'", parts[i-1], strings.Join(parts[:i-1], ":"))
		}
	}
	view := parts[len(parts)-1]
	return fmt.Sprintf("Reverse for '%s' not found. '%s' is not a valid view function or pattern name.", view, view)
}

// param is one parameter of a chi pattern.
type param struct {
	name string
	re   *regexp.Regexp // what a value must match, whole
}

// pattern is a chi pattern cut at its parameters: literal[0] param[0]
// literal[1] ... literal[n].
type pattern struct {
	literals []string
	params   []param
}

var compiled sync.Map // pattern text -> *pattern

// compile cuts a chi pattern ("/articles/{id:[0-9]+}/", "/files/*") into
// literals and parameters.
func compile(p string) (*pattern, error) {
	if v, ok := compiled.Load(p); ok {
		return v.(*pattern), nil
	}
	out := &pattern{}
	var lit strings.Builder
	for i := 0; i < len(p); {
		switch {
		case p[i] == '{':
			depth, j := 0, i
			for ; j < len(p); j++ {
				if p[j] == '{' {
					depth++
				} else if p[j] == '}' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(p) {
				return nil, fmt.Errorf("urls: pattern %q: unclosed '{'", p)
			}
			name, expr, hasRE := strings.Cut(p[i+1:j], ":")
			if !hasRE {
				expr = "[^/]+"
			}
			re, err := regexp.Compile("^(?:" + expr + ")$")
			if err != nil {
				return nil, fmt.Errorf("urls: pattern %q: parameter %q: %w", p, name, err)
			}
			out.literals = append(out.literals, lit.String())
			lit.Reset()
			out.params = append(out.params, param{name: name, re: re})
			i = j + 1
		case p[i] == '*' && i == len(p)-1:
			out.literals = append(out.literals, lit.String())
			lit.Reset()
			out.params = append(out.params, param{name: "*", re: regexp.MustCompile(`^(?s:.*)$`)})
			i++
		default:
			lit.WriteByte(p[i])
			i++
		}
	}
	out.literals = append(out.literals, lit.String())
	compiled.Store(p, out)
	return out, nil
}

// fill puts the arguments into the pattern; ok is false when their number
// or names do not fit or a value does not match its parameter.
func (p *pattern) fill(args []any, kwargs map[string]any) (string, bool) {
	values := make([]string, len(p.params))
	switch {
	case len(kwargs) > 0:
		if len(args) > 0 || len(kwargs) != len(p.params) {
			return "", false
		}
		for i, prm := range p.params {
			v, ok := kwargs[prm.name]
			if !ok {
				return "", false
			}
			values[i] = text(v)
		}
	default:
		if len(args) != len(p.params) {
			return "", false
		}
		for i, a := range args {
			values[i] = text(a)
		}
	}
	var b strings.Builder
	for i, lit := range p.literals {
		b.WriteString(lit)
		if i < len(values) {
			if !p.params[i].re.MatchString(values[i]) {
				return "", false
			}
			b.WriteString(values[i])
		}
	}
	u := quote(b.String())
	if strings.HasPrefix(u, "//") {
		u = "/%2F" + u[2:] // Django keeps a path from reading as a host
	}
	return u, true
}

// text is an argument as Django's to_url makes it (str(value)).
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// quote is Django's quote(url, safe=RFC3986_SUBDELIMS + "/~:@"): letters,
// digits, "_.-~" and "!$&'()*+,;=/:@" as they are, every other UTF-8 byte
// (a "%" too) as %XX.
func quote(s string) string {
	const hex = "0123456789ABCDEF"
	const safe = "_.-~!$&'()*+,;=/:@"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// pyQuote is Python's repr of a string.
func pyQuote(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func pyValue(v any) string {
	switch x := v.(type) {
	case string:
		return pyQuote(x)
	case nil:
		return "None"
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return text(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return pyQuote(text(v))
}

// pyTuple is Python's repr of a tuple of args: ('a',) or (1, 2).
func pyTuple(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = pyValue(a)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// pyDict is Python's repr of the kwargs (keys sorted).
func pyDict(kw map[string]any) string {
	keys := make([]string, 0, len(kw))
	for k := range kw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = pyQuote(k) + ": " + pyValue(kw[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
