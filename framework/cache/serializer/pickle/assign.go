package pickle

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"time"
)

// assign copies a value of the type table into dst, a non-nil pointer:
// *any takes it as it is; typed destinations take what converts without
// loss (ints into any integer kind that holds them, lists and tuples into
// slices and arrays, dicts into maps and structs by field name, sets into
// map[T]struct{} / map[T]bool / slices, datetimes into time.Time, Decimal
// and UUID into strings).
func assign(dst any, v any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("destination %T is not a non-nil pointer", dst)
	}
	return set(rv.Elem(), v, 0)
}

func set(dst reflect.Value, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("value nested deeper than %d", maxDepth)
	}
	if v == nil {
		dst.SetZero()
		return nil
	}
	vt := reflect.TypeOf(v)
	if dst.Kind() == reflect.Interface && dst.NumMethod() == 0 {
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	if vt.AssignableTo(dst.Type()) {
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	fail := func() error {
		return fmt.Errorf("a Python %s cannot be decoded into %s", pyName(v), dst.Type())
	}
	switch x := v.(type) {
	case int64:
		return setInt(dst, big.NewInt(x), fail)
	case *big.Int:
		return setInt(dst, x, fail)
	case bool:
		if dst.Kind() == reflect.Bool {
			dst.SetBool(x)
			return nil
		}
	case float64:
		if dst.Kind() == reflect.Float32 || dst.Kind() == reflect.Float64 {
			dst.SetFloat(x)
			return nil
		}
	case string:
		switch {
		case dst.Kind() == reflect.String:
			dst.SetString(x)
			return nil
		case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8:
			dst.SetBytes([]byte(x))
			return nil
		}
	case []byte:
		switch {
		case dst.Kind() == reflect.String:
			dst.SetString(string(x))
			return nil
		case dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8:
			dst.SetBytes(append([]byte{}, x...))
			return nil
		}
	case []any:
		return setSeq(dst, x, depth, fail)
	case Tuple:
		return setSeq(dst, x, depth, fail)
	case Set:
		return setMembers(dst, x, depth, fail)
	case FrozenSet:
		return setMembers(dst, x, depth, fail)
	case map[string]any:
		if dst.Kind() == reflect.Struct {
			return setStruct(dst, x, depth)
		}
		m := make(map[any]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return setMap(dst, m, depth, fail)
	case map[any]any:
		return setMap(dst, x, depth, fail)
	case NaiveDateTime:
		if dst.Type() == timeType {
			dst.Set(reflect.ValueOf(x.Time))
			return nil
		}
	case time.Time:
		if dst.Type() == reflect.TypeFor[NaiveDateTime]() {
			dst.Set(reflect.ValueOf(NaiveDateTime{x}))
			return nil
		}
	case Decimal:
		if dst.Kind() == reflect.String {
			dst.SetString(string(x))
			return nil
		}
	case UUID:
		if dst.Kind() == reflect.String {
			dst.SetString(x.String())
			return nil
		}
		if dst.Kind() == reflect.Array && dst.Len() == 16 && dst.Type().Elem().Kind() == reflect.Uint8 {
			reflect.Copy(dst, reflect.ValueOf(x[:]))
			return nil
		}
	}
	if dst.Kind() == reflect.Pointer {
		p := reflect.New(dst.Type().Elem())
		if err := set(p.Elem(), v, depth+1); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
	return fail()
}

func setInt(dst reflect.Value, x *big.Int, fail func() error) error {
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if dst.Type() == durationType || !x.IsInt64() || dst.OverflowInt(x.Int64()) {
			break
		}
		dst.SetInt(x.Int64())
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !x.IsUint64() || dst.OverflowUint(x.Uint64()) {
			break
		}
		dst.SetUint(x.Uint64())
		return nil
	case reflect.Float32, reflect.Float64:
		f, _ := new(big.Float).SetInt(x).Float64()
		dst.SetFloat(f)
		return nil
	case reflect.Struct:
		if dst.Type() == bigIntVal {
			dst.Set(reflect.ValueOf(*new(big.Int).Set(x)))
			return nil
		}
	case reflect.Pointer:
		if dst.Type() == bigIntType {
			dst.Set(reflect.ValueOf(new(big.Int).Set(x)))
			return nil
		}
	}
	if dst.Kind() >= reflect.Int && dst.Kind() <= reflect.Uintptr && dst.Type() != durationType {
		return fmt.Errorf("the integer %s overflows %s", x, dst.Type())
	}
	return fail()
}

func setSeq(dst reflect.Value, items []any, depth int, fail func() error) error {
	switch dst.Kind() {
	case reflect.Slice:
		s := reflect.MakeSlice(dst.Type(), len(items), len(items))
		for i, it := range items {
			if err := set(s.Index(i), it, depth+1); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		if dst.Len() != len(items) {
			return fmt.Errorf("a sequence of %d items cannot be decoded into %s", len(items), dst.Type())
		}
		for i, it := range items {
			if err := set(dst.Index(i), it, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fail()
}

func setMembers(dst reflect.Value, m map[any]struct{}, depth int, fail func() error) error {
	switch dst.Kind() {
	case reflect.Map:
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		et := dst.Type().Elem()
		var mark reflect.Value
		switch {
		case et.Kind() == reflect.Bool:
			mark = reflect.ValueOf(true).Convert(et)
		case et.Kind() == reflect.Struct && et.NumField() == 0:
			mark = reflect.Zero(et)
		default:
			return fail()
		}
		for k := range m {
			kv := reflect.New(dst.Type().Key()).Elem()
			if err := set(kv, k, depth+1); err != nil {
				return err
			}
			out.SetMapIndex(kv, mark)
		}
		dst.Set(out)
		return nil
	case reflect.Slice:
		items := make([]any, 0, len(m))
		for k := range m {
			items = append(items, k)
		}
		return setSeq(dst, items, depth, fail)
	}
	return fail()
}

func setMap(dst reflect.Value, m map[any]any, depth int, fail func() error) error {
	if dst.Kind() != reflect.Map {
		return fail()
	}
	out := reflect.MakeMapWithSize(dst.Type(), len(m))
	for k, e := range m {
		kv := reflect.New(dst.Type().Key()).Elem()
		if err := set(kv, k, depth+1); err != nil {
			return err
		}
		ev := reflect.New(dst.Type().Elem()).Elem()
		if err := set(ev, e, depth+1); err != nil {
			return err
		}
		out.SetMapIndex(kv, ev)
	}
	dst.Set(out)
	return nil
}

// setStruct fills exported fields from the dict's keys of the same name
// (exact first, then case-insensitive); other keys are ignored, as JSON
// decoding does.
func setStruct(dst reflect.Value, m map[string]any, depth int) error {
	t := dst.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		v, ok := m[f.Name]
		if !ok {
			for k, e := range m {
				if strings.EqualFold(k, f.Name) {
					v, ok = e, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if err := set(dst.Field(i), v, depth+1); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

// pyName names the Python type a decoded value came from, for errors.
func pyName(v any) string {
	switch v.(type) {
	case int64, *big.Int:
		return "int"
	case bool:
		return "bool"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case []any:
		return "list"
	case Tuple:
		return "tuple"
	case map[string]any, map[any]any:
		return "dict"
	case Set:
		return "set"
	case FrozenSet:
		return "frozenset"
	case time.Time, NaiveDateTime:
		return "datetime"
	case Date:
		return "date"
	case Time:
		return "time"
	case time.Duration:
		return "timedelta"
	case Decimal:
		return "Decimal"
	case UUID:
		return "UUID"
	}
	return fmt.Sprintf("%T", v)
}
