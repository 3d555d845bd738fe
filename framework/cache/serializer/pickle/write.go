package pickle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"time"
	"unicode/utf8"
)

// Opcodes (Python's Lib/pickle.py names).
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opDup            = '2'
	opFloat          = 'F'
	opInt            = 'I'
	opBinint         = 'J'
	opBinint1        = 'K'
	opLong           = 'L'
	opBinint2        = 'M'
	opNone           = 'N'
	opReduce         = 'R'
	opBinstring      = 'T'
	opShortBinstring = 'U'
	opBinunicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opDict           = 'd'
	opEmptyDict      = '}'
	opAppends        = 'e'
	opGet            = 'g'
	opBinget         = 'h'
	opLongBinget     = 'j'
	opList           = 'l'
	opEmptyList      = ']'
	opPut            = 'p'
	opBinput         = 'q'
	opLongBinput     = 'r'
	opSetitem        = 's'
	opTuple          = 't'
	opEmptyTuple     = ')'
	opSetitems       = 'u'
	opBinfloat       = 'G'
	opProto          = 0x80
	opNewobj         = 0x81
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewtrue        = 0x88
	opNewfalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opBinbytes       = 'B'
	opShortBinbytes  = 'C'
	opShortBinunicod = 0x8c
	opBinunicode8    = 0x8d
	opBinbytes8      = 0x8e
	opEmptySet       = 0x8f
	opAdditems       = 0x90
	opFrozenset      = 0x91
	opNewobjEx       = 0x92
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
	opBytearray8     = 0x96
)

// Protocol is the pickle protocol written (Django's pickle.HIGHEST_PROTOCOL
// on Python 3.8+).
const Protocol = 5

// maxDepth bounds nesting on both sides: a deeper value is an error, not a
// stack overflow.
const maxDepth = 512

// Dumps returns the protocol 5 pickle of v (see the package's type table).
func Dumps(v any) ([]byte, error) {
	w := writer{b: make([]byte, 0, 64)}
	if err := w.value(reflect.ValueOf(v), 0); err != nil {
		return nil, err
	}
	w.b = append(w.b, opStop)
	// PROTO, then one FRAME holding the rest, as Python frames protocol 4+.
	out := make([]byte, 0, 11+len(w.b))
	out = append(out, opProto, Protocol)
	if len(w.b) >= 4 {
		out = append(out, opFrame)
		out = binary.LittleEndian.AppendUint64(out, uint64(len(w.b)))
	}
	return append(out, w.b...), nil
}

type writer struct{ b []byte }

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	bigIntType   = reflect.TypeFor[*big.Int]()
	bigIntVal    = reflect.TypeFor[big.Int]()
)

func (w *writer) value(rv reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("pickle: value nested deeper than %d", maxDepth)
	}
	if !rv.IsValid() {
		w.b = append(w.b, opNone)
		return nil
	}
	switch x := rv.Interface().(type) {
	case *big.Int:
		if x == nil {
			w.b = append(w.b, opNone)
			return nil
		}
		w.bigInt(x)
		return nil
	case big.Int:
		w.bigInt(&x)
		return nil
	case time.Time:
		return w.datetime(x, false)
	case NaiveDateTime:
		return w.datetime(x.Time, true)
	case time.Duration:
		w.timedelta(x)
		return nil
	case Date:
		w.global("datetime", "date")
		w.bytes([]byte{byte(x.Year >> 8), byte(x.Year), byte(x.Month), byte(x.Day)})
		w.b = append(w.b, opTuple1, opReduce)
		return nil
	case Time:
		return w.clock(x)
	case Decimal:
		w.global("decimal", "Decimal")
		if err := w.str(string(x)); err != nil {
			return err
		}
		w.b = append(w.b, opTuple1, opReduce)
		return nil
	case UUID:
		// uuid.UUID.__new__(uuid.UUID) then __setstate__({'int': n}), as
		// Python pickles it.
		w.global("uuid", "UUID")
		w.b = append(w.b, opEmptyTuple, opNewobj, opEmptyDict)
		_ = w.str("int")
		w.bigInt(new(big.Int).SetBytes(x[:]))
		w.b = append(w.b, opSetitem, opBuild)
		return nil
	case Tuple:
		return w.tuple([]any(x), depth)
	case Set:
		w.b = append(w.b, opEmptySet)
		if len(x) > 0 {
			w.b = append(w.b, opMark)
			if err := w.members(x, depth); err != nil {
				return err
			}
			w.b = append(w.b, opAdditems)
		}
		return nil
	case FrozenSet:
		w.b = append(w.b, opMark)
		if err := w.members(x, depth); err != nil {
			return err
		}
		w.b = append(w.b, opFrozenset)
		return nil
	}
	switch rv.Kind() {
	case reflect.Bool:
		if rv.Bool() {
			w.b = append(w.b, opNewtrue)
		} else {
			w.b = append(w.b, opNewfalse)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.int(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u <= math.MaxInt64 {
			w.int(int64(u))
		} else {
			w.bigInt(new(big.Int).SetUint64(u))
		}
	case reflect.Float32, reflect.Float64:
		w.b = append(w.b, opBinfloat)
		w.b = binary.BigEndian.AppendUint64(w.b, math.Float64bits(rv.Float()))
	case reflect.String:
		return w.str(rv.String())
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			w.bytes(rv.Bytes())
			return nil
		}
		if rv.IsNil() {
			w.b = append(w.b, opNone)
			return nil
		}
		return w.list(rv, depth)
	case reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, rv.Len())
			reflect.Copy(reflect.ValueOf(b), rv)
			w.bytes(b)
			return nil
		}
		return w.list(rv, depth)
	case reflect.Map:
		if rv.IsNil() {
			w.b = append(w.b, opNone)
			return nil
		}
		return w.dict(rv, depth)
	case reflect.Struct:
		return w.structDict(rv, depth)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			w.b = append(w.b, opNone)
			return nil
		}
		return w.value(rv.Elem(), depth+1)
	default:
		return fmt.Errorf("pickle: a Go %s has no Python type", rv.Type())
	}
	return nil
}

func (w *writer) int(n int64) {
	switch {
	case n >= 0 && n < 1<<8:
		w.b = append(w.b, opBinint1, byte(n))
	case n >= 0 && n < 1<<16:
		w.b = append(w.b, opBinint2, byte(n), byte(n>>8))
	case n >= math.MinInt32 && n <= math.MaxInt32:
		w.b = append(w.b, opBinint)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(int32(n)))
	default:
		w.bigInt(big.NewInt(n))
	}
}

// bigInt writes LONG1/LONG4: little-endian two's complement, shortest form
// (Python's encode_long).
func (w *writer) bigInt(x *big.Int) {
	if x.IsInt64() && x.Int64() >= math.MinInt32 && x.Int64() <= math.MaxInt32 {
		w.int(x.Int64())
		return
	}
	b := twosComplementLE(x)
	if len(b) < 256 {
		w.b = append(w.b, opLong1, byte(len(b)))
	} else {
		w.b = append(w.b, opLong4)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(len(b)))
	}
	w.b = append(w.b, b...)
}

func twosComplementLE(x *big.Int) []byte {
	if x.Sign() == 0 {
		return nil
	}
	n := (x.BitLen() + 8) / 8 // room for the sign bit
	var v *big.Int
	if x.Sign() > 0 {
		v = x
	} else {
		v = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(n*8)), x)
	}
	be := v.FillBytes(make([]byte, n))
	// Python's shortest form: drop a redundant top byte.
	if n > 1 {
		top, next := be[0], be[1]
		if (top == 0 && next&0x80 == 0) || (top == 0xff && next&0x80 != 0) {
			be = be[1:]
		}
	}
	le := make([]byte, len(be))
	for i := range be {
		le[i] = be[len(be)-1-i]
	}
	return le
}

func (w *writer) str(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("pickle: a string that is not UTF-8 has no Python str (store it as []byte)")
	}
	switch n := len(s); {
	case n < 256:
		w.b = append(w.b, opShortBinunicod, byte(n))
	case n <= math.MaxUint32:
		w.b = append(w.b, opBinunicode)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n))
	default:
		w.b = append(w.b, opBinunicode8)
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(n))
	}
	w.b = append(w.b, s...)
	return nil
}

func (w *writer) bytes(b []byte) {
	switch n := len(b); {
	case n < 256:
		w.b = append(w.b, opShortBinbytes, byte(n))
	case n <= math.MaxUint32:
		w.b = append(w.b, opBinbytes)
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(n))
	default:
		w.b = append(w.b, opBinbytes8)
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(n))
	}
	w.b = append(w.b, b...)
}

func (w *writer) global(module, name string) {
	_ = w.str(module)
	_ = w.str(name)
	w.b = append(w.b, opStackGlobal)
}

func (w *writer) list(rv reflect.Value, depth int) error {
	w.b = append(w.b, opEmptyList)
	if rv.Len() == 0 {
		return nil
	}
	w.b = append(w.b, opMark)
	for i := 0; i < rv.Len(); i++ {
		if err := w.value(rv.Index(i), depth+1); err != nil {
			return err
		}
	}
	w.b = append(w.b, opAppends)
	return nil
}

func (w *writer) tuple(items []any, depth int) error {
	if len(items) == 0 {
		w.b = append(w.b, opEmptyTuple)
		return nil
	}
	if len(items) > 3 {
		w.b = append(w.b, opMark)
	}
	for _, it := range items {
		if err := w.value(reflect.ValueOf(it), depth+1); err != nil {
			return err
		}
	}
	w.b = append(w.b, [...]byte{opTuple, opTuple1, opTuple2, opTuple3, opTuple}[min(len(items), 4)])
	return nil
}

// sortedKeys orders map keys (Go maps have no order; Python dicts keep
// insertion order): by type, then value, so a value pickles the same way
// every time.
func sortedKeys(keys []reflect.Value) {
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		ka, kb := fmt.Sprintf("%T", a.Interface()), fmt.Sprintf("%T", b.Interface())
		if ka != kb {
			return ka < kb
		}
		return fmt.Sprint(a.Interface()) < fmt.Sprint(b.Interface())
	})
}

func (w *writer) members(m map[any]struct{}, depth int) error {
	keys := make([]reflect.Value, 0, len(m))
	for k := range m {
		keys = append(keys, reflect.ValueOf(k))
	}
	sortedKeys(keys)
	for _, k := range keys {
		if err := w.value(k, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) dict(rv reflect.Value, depth int) error {
	w.b = append(w.b, opEmptyDict)
	if rv.Len() == 0 {
		return nil
	}
	keys := rv.MapKeys()
	sortedKeys(keys)
	w.b = append(w.b, opMark)
	for _, k := range keys {
		if err := w.value(k, depth+1); err != nil {
			return err
		}
		if err := w.value(rv.MapIndex(k), depth+1); err != nil {
			return err
		}
	}
	w.b = append(w.b, opSetitems)
	return nil
}

// structDict writes a struct as a dict of its exported fields, in field
// order, named as declared.
func (w *writer) structDict(rv reflect.Value, depth int) error {
	t := rv.Type()
	w.b = append(w.b, opEmptyDict, opMark)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		_ = w.str(f.Name)
		if err := w.value(rv.Field(i), depth+1); err != nil {
			return err
		}
	}
	w.b = append(w.b, opSetitems)
	return nil
}

// datetime writes datetime.datetime(state[, tzinfo]); state is Python's
// 10 bytes: year (2, big-endian), month, day, hour, minute, second,
// microsecond (3, big-endian).
func (w *writer) datetime(t time.Time, naive bool) error {
	if t.Year() < 1 || t.Year() > 9999 {
		return fmt.Errorf("pickle: year %d is outside Python's datetime (1-9999)", t.Year())
	}
	us := t.Nanosecond() / 1000
	w.global("datetime", "datetime")
	w.bytes([]byte{byte(t.Year() >> 8), byte(t.Year()), byte(t.Month()), byte(t.Day()),
		byte(t.Hour()), byte(t.Minute()), byte(t.Second()), byte(us >> 16), byte(us >> 8), byte(us)})
	if naive {
		w.b = append(w.b, opTuple1, opReduce)
		return nil
	}
	w.tzinfo(t.Location(), t)
	w.b = append(w.b, opTuple2, opReduce)
	return nil
}

func (w *writer) clock(c Time) error {
	if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 || c.Second < 0 || c.Second > 59 || c.Microsecond < 0 || c.Microsecond > 999999 {
		return fmt.Errorf("pickle: %02d:%02d:%02d.%06d is not a Python time", c.Hour, c.Minute, c.Second, c.Microsecond)
	}
	us := c.Microsecond
	w.global("datetime", "time")
	w.bytes([]byte{byte(c.Hour), byte(c.Minute), byte(c.Second), byte(us >> 16), byte(us >> 8), byte(us)})
	if c.Location == nil {
		w.b = append(w.b, opTuple1, opReduce)
		return nil
	}
	w.tzinfo(c.Location, time.Date(2000, 1, 1, c.Hour, c.Minute, c.Second, 0, c.Location))
	w.b = append(w.b, opTuple2, opReduce)
	return nil
}

// tzinfo writes UTC as datetime.timezone.utc, a named zone as
// zoneinfo.ZoneInfo(key), and any other location as the fixed offset it
// has at t.
func (w *writer) tzinfo(loc *time.Location, t time.Time) {
	name := loc.String()
	if loc == time.UTC || name == "UTC" {
		w.global("datetime", "timezone")
		w.timedelta(0)
		w.b = append(w.b, opTuple1, opReduce)
		return
	}
	if name != "" && name != "Local" {
		if _, err := time.LoadLocation(name); err == nil {
			w.global("zoneinfo", "ZoneInfo._unpickle")
			_ = w.str(name)
			w.int(1)
			w.b = append(w.b, opTuple2, opReduce)
			return
		}
	}
	_, off := t.Zone()
	w.global("datetime", "timezone")
	w.timedelta(time.Duration(off) * time.Second)
	w.b = append(w.b, opTuple1, opReduce)
}

// timedelta writes datetime.timedelta(days, seconds, microseconds),
// normalized as Python does (0 <= seconds < 86400, 0 <= microseconds < 10**6).
func (w *writer) timedelta(d time.Duration) {
	us := int64(d / time.Microsecond)
	if d%time.Microsecond < 0 {
		us-- // floor, as Python rounds toward minus infinity here
	}
	days := floorDiv(us, 86400*1e6)
	rem := us - days*86400*1e6
	w.global("datetime", "timedelta")
	w.int(days)
	w.int(rem / 1e6)
	w.int(rem % 1e6)
	w.b = append(w.b, opTuple3, opReduce)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
