package cache

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// MakeTemplateFragmentKey returns the cache key under which the template tag
// {% cache TIMEOUT fragmentName varyOn... %} stores its fragment, as Django's
// make_template_fragment_key does:
//
//	template.cache.<fragmentName>.<md5 hex of str(v1) + ":" + str(v2) + ":" ...>
//
// Every vary value is followed by ':'; with none the digest is the MD5 of the
// empty string. Delete the key to make the next render rebuild the fragment:
//
//	cache.Caches("default").Delete(ctx, cache.MakeTemplateFragmentKey("sidebar", user.Name))
//
// The key is the one given to Cache.Get/Set, so the alias's KEY_PREFIX and
// VERSION still apply on top of it.
//
// Values are turned into text the way Python's str() turns the template's
// values into text, so keys match Django's for the same values:
//   - nil, and a nil pointer: "None"
//   - bool (and a type whose kind is bool, without a String method):
//     "True" / "False"
//   - float64, float32 (and float kinds without a String method): Python's
//     repr, e.g. 2.0 -> "2.0", 1e16 -> "1e+16", 1e-05 -> "1e-05", NaN -> "nan"
//   - string: as is (its UTF-8 bytes are hashed)
//   - everything else: fmt's %v (integers in decimal; a fmt.Stringer or
//     error through its method). Composite values (slices, maps, structs)
//     print Go's way ("[1 2]"), not Python's ("[1, 2]").
func MakeTemplateFragmentKey(fragmentName string, varyOn ...any) string {
	h := md5.New()
	for _, v := range varyOn {
		h.Write([]byte(fragmentPyStr(v)))
		h.Write([]byte{':'})
	}
	return "template.cache." + fragmentName + "." + hex.EncodeToString(h.Sum(nil))
}

// fragmentPyStr is Python's str() for the values a template hands to the
// fragment key (see MakeTemplateFragmentKey for the rules).
func fragmentPyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		return fragmentPyBool(x)
	case float64:
		return fragmentPyFloat(x, 64)
	case float32:
		return fragmentPyFloat(float64(x), 32)
	}
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); (k == reflect.Pointer || k == reflect.Interface) && rv.IsNil() {
		return "None"
	}
	switch v.(type) {
	case fmt.Stringer, error:
		return fmt.Sprint(v)
	}
	switch rv.Kind() {
	case reflect.Bool:
		return fragmentPyBool(rv.Bool())
	case reflect.Float64:
		return fragmentPyFloat(rv.Float(), 64)
	case reflect.Float32:
		return fragmentPyFloat(rv.Float(), 32)
	}
	return fmt.Sprint(v)
}

func fragmentPyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// fragmentPyFloat is Python's repr(float): the shortest digits that read
// back to the same value, positional notation when the decimal exponent is
// in [-4, 16) (with ".0" when integral), scientific otherwise with at least
// two exponent digits.
func fragmentPyFloat(f float64, bitSize int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'e', -1, bitSize) // "-1.2345e+06"
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	mant, expText, _ := strings.Cut(s, "e")
	exp, err := strconv.Atoi(expText)
	if err != nil {
		return sign + s // not reached: FormatFloat always writes an exponent
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp >= -4 && exp < 16 {
		if exp < 0 {
			return sign + "0." + strings.Repeat("0", -exp-1) + digits
		}
		if len(digits) <= exp+1 {
			return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
		}
		return sign + digits[:exp+1] + "." + digits[exp+1:]
	}
	out := sign + digits[:1]
	if len(digits) > 1 {
		out += "." + digits[1:]
	}
	expSign := "+"
	if exp < 0 {
		expSign, exp = "-", -exp
	}
	e := strconv.Itoa(exp)
	if len(e) < 2 {
		e = "0" + e
	}
	return out + "e" + expSign + e
}
