package templates

import (
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flosch/pongo2/v6"
)

// Django's number and list filters, with Django's outputs.

// pyInt is Python's int() of a template value: integers, floats
// (truncated), booleans and decimal text (with surrounding whitespace and
// single underscores between digits).
func pyInt(v *pongo2.Value) (int, bool) {
	if v == nil || v.IsNil() {
		return 0, false
	}
	switch {
	case v.IsBool():
		if v.Bool() {
			return 1, true
		}
		return 0, true
	case v.IsInteger():
		return v.Integer(), true
	case v.IsFloat():
		f := v.Float()
		if f != f || f > 9e18 || f < -9e18 {
			return 0, false
		}
		return int(f), true
	case v.IsString():
		s := strings.TrimFunc(str(v), pyIsSpace)
		body := strings.TrimLeft(s, "+-")
		if len(s)-len(body) > 1 || body == "" || body[0] == '_' || body[len(body)-1] == '_' || strings.Contains(body, "__") {
			return 0, false
		}
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		return n, err == nil
	}
	return 0, false
}

// isMap reports whether v is a map.
func isMap(v *pongo2.Value) bool {
	if v == nil || v.IsNil() {
		return false
	}
	return reflect.Indirect(reflect.ValueOf(v.Interface())).Kind() == reflect.Map
}

// filterAdd is Django's add: int(value) + int(arg) when both are
// integers, else value + arg (numbers, strings, lists), else "".
func filterAdd(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if a, ok := pyInt(in); ok {
		if b, ok := pyInt(arg); ok {
			return pongo2.AsValue(a + b), nil
		}
	}
	switch {
	case in.IsString() && arg.IsString():
		return pongo2.AsValue(str(in) + str(arg)), nil
	case in.IsNumber() && arg.IsNumber():
		return pongo2.AsValue(pyFloat(in.Float() + arg.Float())), nil
	case isSeq(in) && isSeq(arg) && !in.IsString() && !arg.IsString():
		out := make([]any, 0, in.Len()+arg.Len())
		for _, v := range []*pongo2.Value{in, arg} {
			for i := 0; i < v.Len(); i++ {
				out = append(out, v.Index(i).Interface())
			}
		}
		return pongo2.AsValue(out), nil
	}
	return pongo2.AsValue(""), nil
}

// filterDivisibleby is Django's divisibleby: True or False. A value or
// arg that is no integer, or a zero arg, fails the render, as in Django.
func filterDivisibleby(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	a, ok1 := pyInt(in)
	b, ok2 := pyInt(arg)
	switch {
	case !ok1:
		return nil, filterError("divisibleby: invalid literal for int(): %q", str(in))
	case !ok2:
		return nil, filterError("divisibleby: invalid literal for int(): %q", str(arg))
	case b == 0:
		return nil, filterError("divisibleby: integer modulo by zero")
	}
	return pongo2.AsValue(a%b == 0), nil
}

// filterFilesizeformat is Django's filesizeformat: "13\u00a0KB",
// "4.1\u00a0MB", "102\u00a0bytes" (non-breaking spaces), binary units.
func filterFilesizeformat(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	n, ok := pyInt(in)
	if !ok {
		return pongo2.AsValue("0\u00a0bytes"), nil
	}
	neg := n < 0
	if neg {
		n = -n
	}
	const kb = 1 << 10
	var s string
	switch f := float64(n); {
	case n == 1:
		s = "1\u00a0byte"
	case n < kb:
		s = strconv.Itoa(n) + "\u00a0bytes"
	case n < kb<<10:
		s = strconv.FormatFloat(f/kb, 'f', 1, 64) + "\u00a0KB"
	case n < kb<<20:
		s = strconv.FormatFloat(f/(kb<<10), 'f', 1, 64) + "\u00a0MB"
	case n < kb<<30:
		s = strconv.FormatFloat(f/(kb<<20), 'f', 1, 64) + "\u00a0GB"
	case n < kb<<40:
		s = strconv.FormatFloat(f/(kb<<30), 'f', 1, 64) + "\u00a0TB"
	default:
		s = strconv.FormatFloat(f/(kb<<40), 'f', 1, 64) + "\u00a0PB"
	}
	if neg {
		s = "-" + s
	}
	return pongo2.AsValue(s), nil
}

// filterFirst is Django's first: the first item of a list (or character
// of a string), "" when empty.
func filterFirst(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return item(in, false)
}

// filterLast is Django's last.
func filterLast(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return item(in, true)
}

func item(in *pongo2.Value, last bool) (*pongo2.Value, *pongo2.Error) {
	switch {
	case in == nil || in.IsNil():
		return pongo2.AsValue(""), nil
	case in.IsString():
		s := str(in)
		if s == "" {
			return pongo2.AsValue(""), nil
		}
		if last {
			r, _ := utf8.DecodeLastRuneInString(s)
			return pongo2.AsValue(string(r)), nil
		}
		r, _ := utf8.DecodeRuneInString(s)
		return pongo2.AsValue(string(r)), nil
	case isSeq(in):
		if in.Len() == 0 {
			return pongo2.AsValue(""), nil
		}
		if last {
			return in.Index(in.Len() - 1), nil
		}
		return in.Index(0), nil
	}
	return nil, filterError("'%s' object is not subscriptable", reflect.TypeOf(in.Interface()))
}

// filterLength is Django's length: the number of items (characters of a
// string), 0 for what has no length.
func filterLength(in, _ *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	switch {
	case in == nil || in.IsNil():
		return pongo2.AsValue(0), nil
	case in.IsString():
		return pongo2.AsValue(utf8.RuneCountInString(str(in))), nil
	case isSeq(in) || isMap(in):
		return pongo2.AsValue(in.Len()), nil
	}
	return pongo2.AsValue(0), nil
}

// decimal is a number as Python's Decimal holds it: coef * 10**exp.
type decimal struct {
	coef *big.Int
	exp  int
	neg  bool // the sign, also of a zero ("-0.0")
}

// parseDecimal is Python's Decimal(text) for finite numbers.
func parseDecimal(s string) (decimal, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	d := decimal{}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil || strings.HasPrefix(expText, "+-") {
			return d, false
		}
		d.exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.ReplaceAll(intPart+frac, "_", "")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return d, false
	}
	d.exp -= len(frac)
	d.coef, _ = new(big.Int).SetString(digits, 10)
	return d, d.coef != nil
}

// filterFloatformat is Django's floatformat: arg decimal places (default
// -1), a negative arg meaning "only if the number has a fraction", "g"
// for thousands separators, "u" for unlocalized; rounding half up.
func filterFloatformat(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	input := str(in)
	a := "-1"
	if arg != nil && !arg.IsNil() {
		a = str(arg)
	}
	grouping := false
	switch {
	case len(a) >= 2 && (a[len(a)-2:] == "gu" || a[len(a)-2:] == "ug"):
		a = a[:len(a)-2] // unlocalized: NUMBER_GROUPING 0, so no grouping
	case strings.HasSuffix(a, "g"):
		grouping, a = true, a[:len(a)-1]
	case strings.HasSuffix(a, "u"):
		a = a[:len(a)-1]
	}
	if a == "" {
		a = "-1"
	}
	d, ok := parseDecimal(input)
	if !ok && in != nil && in.IsBool() {
		d, ok = parseDecimal(input1(in.Bool()))
	}
	if !ok {
		if isInfOrNaN(input) {
			return pongo2.AsValue(input), nil
		}
		return pongo2.AsValue(""), nil
	}
	p, ok := pyInt(pongo2.AsValue(a))
	if !ok {
		return pongo2.AsValue(input), nil
	}
	if len(d.coef.String())+abs(d.exp) > 200 {
		return pongo2.AsValue(input), nil
	}
	places := abs(p)
	ten := big.NewInt(10)
	pow := func(n int) *big.Int { return new(big.Int).Exp(ten, big.NewInt(int64(n)), nil) }
	whole := d.exp >= 0 || new(big.Int).Mod(d.coef, pow(-d.exp)).Sign() == 0
	if whole && p <= 0 {
		var n *big.Int
		if d.exp >= 0 {
			n = new(big.Int).Mul(d.coef, pow(d.exp))
		} else {
			n = new(big.Int).Quo(d.coef, pow(-d.exp))
		}
		s := groupThousands(n.String(), grouping)
		if d.neg && n.Sign() != 0 {
			s = "-" + s
		}
		return safeValue(s), nil
	}
	var q *big.Int
	if shift := d.exp + places; shift >= 0 {
		q = new(big.Int).Mul(d.coef, pow(shift))
	} else {
		div := pow(-shift)
		var r big.Int
		q, _ = new(big.Int).QuoRem(d.coef, div, &r)
		if new(big.Int).Mul(&r, big.NewInt(2)).Cmp(div) >= 0 {
			q.Add(q, big.NewInt(1))
		}
	}
	digits := q.String()
	if len(digits) <= places {
		digits = strings.Repeat("0", places-len(digits)+1) + digits
	}
	s := groupThousands(digits[:len(digits)-places], grouping)
	if places > 0 {
		s += "." + digits[len(digits)-places:]
	}
	if d.neg && q.Sign() != 0 {
		s = "-" + s
	}
	return safeValue(s), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// groupThousands puts "," between groups of three digits when grouping.
func groupThousands(digits string, grouping bool) string {
	if !grouping || len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

func input1(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// isInfOrNaN reports whether Python's Decimal reads s as an infinity or a
// NaN (which floatformat returns as written).
func isInfOrNaN(s string) bool {
	s = strings.ToLower(strings.TrimLeft(strings.TrimFunc(s, pyIsSpace), "+-"))
	return s == "inf" || s == "infinity" || s == "nan" || s == "snan"
}
