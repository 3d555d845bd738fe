package cache_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gojango/framework/cache"
)

// TestMakeTemplateFragmentKeyMatchesDjango: the vectors of edge case 91,
// verbatim from Django's tests (the UTF-8 bytes of str(arg) + ":" are hashed).
func TestMakeTemplateFragmentKeyMatchesDjango(t *testing.T) {
	cases := []struct {
		name string
		vary []any
		want string
	}{
		{"a.fragment", nil, "template.cache.a.fragment.d41d8cd98f00b204e9800998ecf8427e"},
		{"foo", []any{"abc"}, "template.cache.foo.493e283d571a73056196f1a68efd0f66"},
		{"bar", []any{"abc", "def"}, "template.cache.bar.17c1a507a0cb58384f4c639067a93520"},
		{"spam", []any{"abc:def%"}, "template.cache.spam.06c8ae8e8c430b69fb0a6443504153dc"},
		{"foo", []any{1, 2, 3, 4, 5}, "template.cache.foo.7ae8fd2e0d25d651c683bdeebdb29461"},
		{"foo", []any{"42º", "😀"}, "template.cache.foo.7ced1c94e543668590ba39b3c08b0237"},
		// Mixed Go integer types print the same decimal text.
		{"foo", []any{int8(1), uint16(2), int64(3), uint(4), int32(5)}, "template.cache.foo.7ae8fd2e0d25d651c683bdeebdb29461"},
		// An explicitly empty vary list is the same as none.
		{"a.fragment", []any{}, "template.cache.a.fragment.d41d8cd98f00b204e9800998ecf8427e"},
	}
	for _, tc := range cases {
		if got := cache.MakeTemplateFragmentKey(tc.name, tc.vary...); got != tc.want {
			t.Errorf("MakeTemplateFragmentKey(%q, %v) = %q, want %q", tc.name, tc.vary, got, tc.want)
		}
	}
}

type fragmentTestStringer struct{ s string }

func (f *fragmentTestStringer) String() string { return f.s }

type fragmentTestBool bool

// TestMakeTemplateFragmentKeyStringifiesLikePython: Go values are hashed as
// Python's str() would print the same value. The expected digests were made
// with Python 3: hashlib.md5(b"".join(str(a).encode() + b":" for a in vary)).
func TestMakeTemplateFragmentKeyStringifiesLikePython(t *testing.T) {
	var nilPtr *fragmentTestStringer
	cases := []struct {
		name string
		vary []any
		want string
	}{
		// str(True), str(False), str(None)
		{"bools and None", []any{true, false, nil}, "template.cache.foo.7fec1b569ec60887ebaeba098f7e75f8"},
		{"named bool, nil pointer", []any{fragmentTestBool(true), false, nilPtr}, "template.cache.foo.7fec1b569ec60887ebaeba098f7e75f8"},
		// str(2.0), str(1e16), str(1e-05), str(0.1), str(-0.0), str(nan), str(inf)
		{"floats", []any{2.0, 1e16, 1e-05, 0.1, math.Copysign(0, -1), math.NaN(), math.Inf(1)}, "template.cache.foo.82776dcd874a5c9233f7b17cf5ae239e"},
		// str(1.5), str(100.0), str(1e22), str(123456789012345678.0)
		{"more floats", []any{1.5, 100.0, 1e22, 123456789012345678.0}, "template.cache.foo.e06d6479c3ca251ec5842f0b739bdc08"},
		// A fmt.Stringer prints through its String method.
		{"stringer", []any{&fragmentTestStringer{"abc"}}, "template.cache.foo.493e283d571a73056196f1a68efd0f66"},
		{"error", []any{errors.New("abc")}, "template.cache.foo.493e283d571a73056196f1a68efd0f66"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cache.MakeTemplateFragmentKey("foo", tc.vary...); got != tc.want {
				t.Errorf("MakeTemplateFragmentKey(foo, %v) = %q, want %q", tc.vary, got, tc.want)
			}
		})
	}
}

// TestMakeTemplateFragmentKeyDistinguishesValues: the separator keeps
// ("ab", "c") and ("a", "bc") apart, and the order of the values counts.
func TestMakeTemplateFragmentKeyDistinguishesValues(t *testing.T) {
	keys := map[string][]any{}
	for _, vary := range [][]any{{"ab", "c"}, {"a", "bc"}, {"c", "ab"}, {"abc"}, {}, {""}, {"", ""}} {
		k := cache.MakeTemplateFragmentKey("f", vary...)
		if prev, dup := keys[k]; dup {
			t.Errorf("vary %q and %q give the same key %s", prev, vary, k)
		}
		keys[k] = vary
	}
}

func ExampleMakeTemplateFragmentKey() {
	// The key of {% cache 500 sidebar request.user.username %} for "alice".
	fmt.Println(cache.MakeTemplateFragmentKey("sidebar", "alice"))
	// A fragment cached without vary values.
	fmt.Println(cache.MakeTemplateFragmentKey("a.fragment"))
	// Output:
	// template.cache.sidebar.770553c33dfa3a641da8312d60b3b9ef
	// template.cache.a.fragment.d41d8cd98f00b204e9800998ecf8427e
}
