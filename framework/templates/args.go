package templates

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/cache"
)

// bit is one argument of a tag as Django's Token.split_contents() cuts it
// (at whitespace outside quotes), kept as the pongo2 tokens it was lexed
// into: tokens [start, end) of the tag's argument parser. pongo2 hands tags
// tokens, not text, so bits are rebuilt from the tokens' positions: two
// tokens belong to one bit when nothing separates them on the line.
type bit struct{ start, end int }

// splitBits cuts a tag's arguments into bits.
func splitBits(args *pongo2.Parser) []bit {
	var bits []bit
	for i := 0; i < args.Count(); i++ {
		if i > 0 && adjacent(args.Get(i-1), args.Get(i)) {
			bits[len(bits)-1].end = i + 1
			continue
		}
		bits = append(bits, bit{i, i + 1})
	}
	return bits
}

// adjacent reports whether next starts where prev ends. Columns are byte
// offsets. A string token's Val has lost its quotes and escapes: a '\' in
// it was written "\\" and a '"' was written "\"" (or, inside single quotes,
// possibly as is), so its written length is known up to the number of '"'.
func adjacent(prev, next *pongo2.Token) bool {
	if prev == nil || next == nil || prev.Line != next.Line {
		return false
	}
	if prev.Typ != pongo2.TokenString {
		return next.Col == prev.Col+len(prev.Val)
	}
	least := prev.Col + 2 + len(prev.Val) + strings.Count(prev.Val, `\`)
	switch d := next.Col - least; {
	case d == 0:
		return true
	case d > 0 && d <= strings.Count(prev.Val, `"`):
		// Either an escaped '"' made the string longer, or a single-quoted
		// string holding '"' is followed by a space. Only a symbol
		// (|, :, ...) can follow a string inside one argument.
		return next.Typ == pongo2.TokenSymbol
	}
	return false
}

// position is the index of the parser's current token.
func position(args *pongo2.Parser) int { return args.Count() - args.Remaining() }

// tokensText is tokens [from, to) as written: a string is shown in double
// quotes whichever quotes it was written with (pongo2 does not keep them).
func tokensText(args *pongo2.Parser, from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		t := args.Get(i)
		if t == nil {
			break
		}
		if t.Typ == pongo2.TokenString {
			b.WriteByte('"')
			b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t.Val))
			b.WriteByte('"')
			continue
		}
		b.WriteString(t.Val)
	}
	return b.String()
}

// pathPart is one step of a plain variable: a name (a.b) or an index (a.0).
type pathPart struct {
	name    string
	index   int
	isIndex bool
}

// expr is one argument of a tag, resolved at render time. Like Django's
// FilterExpression it tells a missing variable from one holding None,
// which pongo2 itself does not: plain variables (a, a.b, a.0) are looked up
// before pongo2 evaluates them.
type expr struct {
	text    string        // as written
	tok     *pongo2.Token // its first token, for error positions
	literal bool          // None, True or False, Django's literals
	value   any           // the literal's value
	path    []pathPart    // non-nil for a plain variable
	eval    pongo2.IEvaluator
}

// parseExpr parses tokens [from, b.end) as one pongo2 expression, moving the
// parser there first.
func parseExpr(args *pongo2.Parser, b bit, from int) (*expr, *pongo2.Error) {
	if d := from - position(args); d > 0 {
		args.ConsumeN(d)
	}
	tok := args.Current()
	x := &expr{text: tokensText(args, from, b.end), tok: tok}
	if from >= b.end || tok == nil {
		return nil, args.Error("Missing value in '"+tokensText(args, b.start, b.end)+"'.", args.Get(b.start))
	}
	if b.end-from == 1 && tok.Typ == pongo2.TokenIdentifier {
		switch tok.Val {
		case "None":
			x.literal, x.value = true, nil
		case "True":
			x.literal, x.value = true, true
		case "False":
			x.literal, x.value = true, false
		}
		if x.literal {
			args.Consume()
			return x, nil
		}
	}
	x.path = plainPath(args, from, b.end)
	ev, err := args.ParseExpression()
	if err != nil {
		return nil, err
	}
	switch at := position(args); {
	case at < b.end:
		return nil, args.Error(fmt.Sprintf("Could not parse the remainder: '%s' from '%s'", tokensText(args, at, b.end), x.text), args.Get(at))
	case at > b.end:
		return nil, args.Error(fmt.Sprintf("'%s' and the '%s' after it are one expression to pongo2; give that value a variable of its own",
			x.text, tokensText(args, b.end, at)), tok)
	}
	x.eval = ev
	return x, nil
}

// plainPath returns the steps of tokens [from, to) when they are a plain
// variable (ident, then ".ident" or ".number" steps), else nil.
func plainPath(args *pongo2.Parser, from, to int) []pathPart {
	first := args.Get(from)
	if first == nil || first.Typ != pongo2.TokenIdentifier || (to-from)%2 != 1 {
		return nil
	}
	parts := []pathPart{{name: first.Val}}
	for i := from + 1; i < to; i += 2 {
		dot, step := args.Get(i), args.Get(i+1)
		if dot == nil || step == nil || dot.Typ != pongo2.TokenSymbol || dot.Val != "." {
			return nil
		}
		switch step.Typ {
		case pongo2.TokenIdentifier:
			parts = append(parts, pathPart{name: step.Val})
		case pongo2.TokenNumber:
			n, err := strconv.Atoi(step.Val)
			if err != nil {
				return nil
			}
			parts = append(parts, pathPart{index: n, isIndex: true})
		default:
			return nil
		}
	}
	return parts
}

// resolve evaluates x. known is false when x is a plain variable that does
// not exist (Django's VariableDoesNotExist).
func (x *expr) resolve(ectx *pongo2.ExecutionContext) (v any, known bool, err *pongo2.Error) {
	if x.literal {
		return x.value, true, nil
	}
	if x.path != nil && !exists(ectx, x.path) {
		return nil, false, nil
	}
	val, err := x.eval.Evaluate(ectx)
	if err != nil {
		return nil, false, err
	}
	return val.Interface(), true, nil
}

var valuePtrType = reflect.TypeOf((*pongo2.Value)(nil))

// exists reports whether the plain variable path is there, looking it up
// the way pongo2 resolves it (methods, struct fields, map keys, indexes),
// without calling anything: a step past a method is taken to exist.
// Where pongo2 would fail with an error of its own, exists says true and
// leaves the error to pongo2.
func exists(ectx *pongo2.ExecutionContext, path []pathPart) bool {
	v, ok := ectx.Private[path[0].name]
	if !ok {
		v, ok = ectx.Public[path[0].name]
	}
	if !ok {
		return false
	}
	cur := reflect.ValueOf(v)
	for _, part := range path[1:] {
		if cur.IsValid() && cur.Type() == valuePtrType {
			if pv := cur.Interface().(*pongo2.Value); pv != nil {
				cur = reflect.ValueOf(pv.Interface())
			}
		}
		for cur.IsValid() && cur.Kind() == reflect.Interface {
			cur = cur.Elem()
		}
		if !cur.IsValid() {
			return false // an attribute of None
		}
		if !part.isIndex && cur.MethodByName(part.name).IsValid() {
			return true
		}
		for cur.Kind() == reflect.Pointer {
			if cur.IsNil() {
				return false
			}
			cur = cur.Elem()
		}
		switch cur.Kind() {
		case reflect.String, reflect.Array, reflect.Slice:
			if !part.isIndex {
				return true
			}
			if part.index < 0 || part.index >= cur.Len() {
				return false
			}
			cur = cur.Index(part.index)
		case reflect.Struct:
			if part.isIndex {
				return true
			}
			f, ok := cur.Type().FieldByName(part.name)
			if !ok || !f.IsExported() {
				return false
			}
			cur = cur.FieldByIndex(f.Index)
		case reflect.Map:
			if part.isIndex || !reflect.TypeOf("").AssignableTo(cur.Type().Key()) {
				return true
			}
			mv := cur.MapIndex(reflect.ValueOf(part.name))
			if !mv.IsValid() {
				return false
			}
			cur = mv
		default:
			return true
		}
	}
	return true
}

// pyTimeout is Django's int(timeout) for the cache tag: integers as they
// are, floats truncated, booleans 1/0, strings as Python's int() reads
// them (surrounding spaces, a sign, '_' between digits). A cache.Timeout is
// used as it is (so cache.Forever and cache.DefaultTimeout keep their
// meaning) and a time.Duration counts whole seconds. Values beyond int64
// are clamped (never expire / already expired).
func pyTimeout(v any) (cache.Timeout, bool) {
	switch x := v.(type) {
	case cache.Timeout:
		return x, true
	case time.Duration:
		return clampSeconds(int64(x / time.Second)), true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		return pyIntString(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return clampSeconds(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return cache.Timeout(u), true
		}
		return cache.Timeout(math.MaxInt64 - 1), true
	case reflect.Float32, reflect.Float64:
		f := math.Trunc(rv.Float())
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return 0, false
		case f >= math.MaxInt64:
			return cache.Timeout(math.MaxInt64 - 1), true
		case f <= math.MinInt64:
			return cache.Timeout(math.MinInt64 + 1), true
		}
		return clampSeconds(int64(f)), true
	case reflect.String:
		return pyIntString(rv.String())
	case reflect.Bool:
		return pyTimeout(rv.Bool())
	}
	return 0, false
}

// clampSeconds keeps a plain integer off math.MinInt64, which is
// cache.DefaultTimeout.
func clampSeconds(n int64) cache.Timeout {
	if n == math.MinInt64 {
		n++
	}
	return cache.Timeout(n)
}

// pyIntString is Python's int(s) in base 10.
func pyIntString(s string) (cache.Timeout, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	digits := strings.ReplaceAll(s, "_", "")
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	u, err := strconv.ParseUint(digits, 10, 64)
	switch {
	case err != nil || (!neg && u > math.MaxInt64):
		if neg {
			return cache.Timeout(math.MinInt64 + 1), true
		}
		return cache.Timeout(math.MaxInt64 - 1), true
	case neg && u > math.MaxInt64:
		return cache.Timeout(math.MinInt64 + 1), true
	case neg:
		return clampSeconds(-int64(u)), true
	}
	return cache.Timeout(u), true
}

// pyRepr is Python's repr() of a value for error messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return pyReprString(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case fmt.Stringer, error:
		return pyReprString(fmt.Sprint(x))
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return "None"
		}
	case reflect.String:
		return pyReprString(rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return "b" + pyReprString(string(rv.Bytes()))
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = pyRepr(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		parts := make([]string, 0, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			parts = append(parts, pyRepr(iter.Key().Interface())+": "+pyRepr(iter.Value().Interface()))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// pyReprString quotes s as Python's repr does: single quotes unless s
// holds a single quote and no double quote.
func pyReprString(s string) string {
	q := byte('\'')
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
