package templates

import (
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/flosch/pongo2/v6"

	"gojango/framework/cache"
)

// bitsTag is {% gojango_test_bits ... %}: it prints its arguments as
// splitBits cut them, joined by " | ".
type bitsTag string

func (b bitsTag) Execute(_ *pongo2.ExecutionContext, w pongo2.TemplateWriter) *pongo2.Error {
	_, _ = w.WriteString(string(b))
	return nil
}

var registerBitsTag = sync.OnceValue(func() error {
	return pongo2.RegisterTag("gojango_test_bits", func(_ *pongo2.Parser, _ *pongo2.Token, args *pongo2.Parser) (pongo2.INodeTag, *pongo2.Error) {
		var texts []string
		for _, b := range splitBits(args) {
			texts = append(texts, tokensText(args, b.start, b.end))
		}
		return bitsTag(strings.Join(texts, " | ")), nil
	})
})

// TestSplitBitsLikeSplitContents: arguments split at whitespace outside
// quotes, as Django's Token.split_contents() does, rebuilt from pongo2's
// token positions.
func TestSplitBitsLikeSplitContents(t *testing.T) {
	if err := registerBitsTag(); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ args, want string }{
		{`a b c`, `a | b | c`},
		{`a   b`, `a | b`},
		{`500 a.fragment x.0 y`, `500 | a.fragment | x.0 | y`},
		{`"x y" c|d:"e f"`, `"x y" | c|d:"e f"`},
		{`using="x"`, `using="x"`},
		{`my-frag:x/1 -1 +2`, `my-frag:x/1 | -1 | +2`},
		{`x "y"`, `x | "y"`},
		{`x"y"`, `x"y"`},
		{`"a\"b"|upper x`, `"a\"b"|upper | x`},
		{`'a"b' x`, `"a\"b" | x`},
		{`'single' "double"`, `"single" | "double"`},
		{`"a\\b" c`, `"a\\b" | c`},
		{`"º😀" x`, `"º😀" | x`},
		{`f(a, b) c`, `f(a, | b) | c`}, // a space inside a call splits it, as in Django
	}
	set := pongo2.NewSet("bits", newLoader(nil, false))
	for _, tc := range cases {
		tpl, err := set.FromString("{% gojango_test_bits " + tc.args + " %}")
		if err != nil {
			t.Errorf("%s: %v", tc.args, err)
			continue
		}
		got, err := tpl.Execute(nil)
		if err != nil || got != tc.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tc.args, got, err, tc.want)
		}
	}
}

// TestPyTimeoutIsPythonInt: Django runs the timeout through int().
func TestPyTimeoutIsPythonInt(t *testing.T) {
	cases := []struct {
		v    any
		want cache.Timeout
		ok   bool
	}{
		{60, 60, true},
		{"60", 60, true},
		{" 60\n", 60, true},
		{"+60", 60, true},
		{"-60", -60, true},
		{"007", 7, true},
		{"1_000", 1000, true},
		{"1__000", 0, false},
		{"_1", 0, false},
		{"1_", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"2.5", 0, false},
		{"0x10", 0, false},
		{"1e3", 0, false},
		{2.9, 2, true},
		{-2.9, -2, true},
		{math.NaN(), 0, false},
		{math.Inf(1), 0, false},
		{true, 1, true},
		{false, 0, true},
		{[]int{}, 0, false},
		{map[string]int{}, 0, false},
		{struct{}{}, 0, false},
		{"99999999999999999999", math.MaxInt64 - 1, true},
		{"-99999999999999999999", math.MinInt64 + 1, true},
		{"-9223372036854775808", math.MinInt64 + 1, true}, // not cache.DefaultTimeout
		{int64(math.MinInt64), math.MinInt64 + 1, true},
		{uint64(math.MaxUint64), math.MaxInt64 - 1, true},
		{cache.Forever, cache.Forever, true},
		{cache.DefaultTimeout, cache.DefaultTimeout, true},
	}
	for _, tc := range cases {
		got, ok := pyTimeout(tc.v)
		if got != tc.want || ok != tc.ok {
			t.Errorf("pyTimeout(%#v) = %d, %v; want %d, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPyReprForErrorMessages(t *testing.T) {
	var nilPtr *int
	cases := []struct {
		v    any
		want string
	}{
		{"fail", `'fail'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{"a\nb\\", `'a\nb\\'`},
		{nil, "None"},
		{nilPtr, "None"},
		{true, "True"},
		{5, "5"},
		{[]int{}, "[]"},
		{[]any{"a", 1}, "['a', 1]"},
		{[]byte("x"), "b'x'"},
		{map[string]int{"b": 2, "a": 1}, "{'a': 1, 'b': 2}"},
	}
	for _, tc := range cases {
		if got := pyRepr(tc.v); got != tc.want {
			t.Errorf("pyRepr(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
