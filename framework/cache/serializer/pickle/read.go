package pickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Loads reads one pickle (protocols 0-5 opcodes as Python 3 writes them for
// the types of the table) and returns it as Go values: nil, bool, int64 (or
// *big.Int beyond int64), float64, string, []byte, []any (list), Tuple,
// map[string]any (a dict whose keys are all str) or map[any]any, Set,
// FrozenSet, time.Time (aware datetime), NaiveDateTime, Date, Time,
// time.Duration (timedelta), Decimal, UUID. A class or function outside the
// table is an *UnknownClassError; malformed input is an error; neither
// panics nor runs anything.
func Loads(b []byte) (any, error) {
	r := reader{b: b, memo: map[uint64]any{}}
	v, err := r.run()
	if err != nil {
		return nil, err
	}
	return finish(v, map[any]bool{}, 0)
}

// LoadsPrefix reads the pickle at the start of b and returns it with the
// number of bytes it took (Django's file cache writes two pickles back to
// back: the expiry, then the compressed value).
func LoadsPrefix(b []byte) (any, int, error) {
	r := reader{b: b, memo: map[uint64]any{}}
	v, err := r.run()
	if err != nil {
		return nil, 0, err
	}
	f, err := finish(v, map[any]bool{}, 0)
	return f, r.pos, err
}

var errTruncated = errors.New("pickle: truncated data")

type mark struct{}

type global struct{ module, name string }

type pyList struct{ items []any }

type pyDict struct{ keys, vals []any }

type pySet struct {
	items  []any
	frozen bool
}

type pyUUID struct {
	u   UUID
	set bool
}

type reader struct {
	b     []byte
	pos   int
	stack []any
	memo  map[uint64]any
	marks []int
}

func (r *reader) n(k int) ([]byte, error) {
	if k < 0 || len(r.b)-r.pos < k {
		return nil, errTruncated
	}
	s := r.b[r.pos : r.pos+k]
	r.pos += k
	return s, nil
}

func (r *reader) u8() (int, error) {
	s, err := r.n(1)
	if err != nil {
		return 0, err
	}
	return int(s[0]), nil
}

func (r *reader) u32() (int, error) {
	s, err := r.n(4)
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(s)), nil
}

func (r *reader) u64len() (int, error) {
	s, err := r.n(8)
	if err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint64(s)
	if v > uint64(len(r.b)) {
		return 0, errTruncated
	}
	return int(v), nil
}

func (r *reader) line() (string, error) {
	i := strings.IndexByte(string(r.b[r.pos:]), '\n')
	if i < 0 {
		return "", errTruncated
	}
	s := string(r.b[r.pos : r.pos+i])
	r.pos += i + 1
	return s, nil
}

func (r *reader) push(v any) { r.stack = append(r.stack, v) }

func (r *reader) pop() (any, error) {
	if len(r.stack) == 0 || (len(r.marks) > 0 && len(r.stack) <= r.marks[len(r.marks)-1]) {
		return nil, errors.New("pickle: stack underflow")
	}
	v := r.stack[len(r.stack)-1]
	r.stack = r.stack[:len(r.stack)-1]
	return v, nil
}

func (r *reader) top() (any, error) {
	if len(r.stack) == 0 {
		return nil, errors.New("pickle: stack underflow")
	}
	return r.stack[len(r.stack)-1], nil
}

// popMark returns the items pushed since the last MARK and drops the mark.
func (r *reader) popMark() ([]any, error) {
	if len(r.marks) == 0 {
		return nil, errors.New("pickle: MARK expected")
	}
	m := r.marks[len(r.marks)-1]
	r.marks = r.marks[:len(r.marks)-1]
	items := append([]any(nil), r.stack[m:]...)
	r.stack = r.stack[:m]
	return items, nil
}

func (r *reader) run() (any, error) {
	for {
		op, err := r.u8()
		if err != nil {
			return nil, err
		}
		if op == opStop {
			if len(r.stack) != 1 || len(r.marks) != 0 {
				return nil, errors.New("pickle: STOP with a malformed stack")
			}
			return r.stack[0], nil
		}
		if len(r.stack) > len(r.b)+16 {
			return nil, errors.New("pickle: stack grows past the data")
		}
		if err := r.step(byte(op)); err != nil {
			return nil, err
		}
	}
}

func (r *reader) step(op byte) error {
	switch op {
	case opProto:
		v, err := r.u8()
		if err != nil {
			return err
		}
		if v > 5 {
			return fmt.Errorf("pickle: unsupported protocol %d", v)
		}
	case opFrame:
		_, err := r.n(8)
		return err
	case opMark:
		r.marks = append(r.marks, len(r.stack))
	case opPop:
		if len(r.marks) > 0 && r.marks[len(r.marks)-1] == len(r.stack) {
			r.marks = r.marks[:len(r.marks)-1]
			return nil
		}
		_, err := r.pop()
		return err
	case opPopMark:
		_, err := r.popMark()
		return err
	case opDup:
		v, err := r.top()
		if err != nil {
			return err
		}
		r.push(v)
	case opNone:
		r.push(nil)
	case opNewtrue:
		r.push(true)
	case opNewfalse:
		r.push(false)
	case opBinint:
		s, err := r.n(4)
		if err != nil {
			return err
		}
		r.push(int64(int32(binary.LittleEndian.Uint32(s))))
	case opBinint1:
		v, err := r.u8()
		if err != nil {
			return err
		}
		r.push(int64(v))
	case opBinint2:
		s, err := r.n(2)
		if err != nil {
			return err
		}
		r.push(int64(binary.LittleEndian.Uint16(s)))
	case opLong1, opLong4:
		var k int
		var err error
		if op == opLong1 {
			k, err = r.u8()
		} else {
			k, err = r.u32()
		}
		if err != nil {
			return err
		}
		s, err := r.n(k)
		if err != nil {
			return err
		}
		r.push(normInt(fromTwosComplementLE(s)))
	case opInt, opLong:
		s, err := r.line()
		if err != nil {
			return err
		}
		if op == opInt && (s == "00" || s == "01") {
			r.push(s == "01")
			return nil
		}
		x, ok := new(big.Int).SetString(strings.TrimSuffix(s, "L"), 10)
		if !ok {
			return fmt.Errorf("pickle: bad integer %q", s)
		}
		r.push(normInt(x))
	case opBinfloat:
		s, err := r.n(8)
		if err != nil {
			return err
		}
		r.push(math.Float64frombits(binary.BigEndian.Uint64(s)))
	case opFloat:
		s, err := r.line()
		if err != nil {
			return err
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("pickle: bad float %q", s)
		}
		r.push(f)
	case opShortBinunicod, opBinunicode, opBinunicode8:
		s, err := r.sized(op, opShortBinunicod, opBinunicode)
		if err != nil {
			return err
		}
		if !utf8.Valid(s) {
			return errors.New("pickle: str that is not UTF-8")
		}
		r.push(string(s))
	case opShortBinbytes, opBinbytes, opBinbytes8, opBytearray8:
		small := byte(opShortBinbytes)
		if op == opBytearray8 {
			small = 0 // 8-byte length only
		}
		s, err := r.sized(op, small, opBinbytes)
		if err != nil {
			return err
		}
		r.push(append([]byte{}, s...))
	case opShortBinstring, opBinstring:
		// A Python 2 str: read as Python 3 does with encoding="latin1"
		// would give str; Django on Python 3 never writes it. Bytes.
		s, err := r.sized(op, opShortBinstring, opBinstring)
		if err != nil {
			return err
		}
		r.push(append([]byte{}, s...))
	case opEmptyList:
		r.push(&pyList{})
	case opEmptyDict:
		r.push(&pyDict{})
	case opEmptyTuple:
		r.push(Tuple{})
	case opEmptySet:
		r.push(&pySet{})
	case opList:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		r.push(&pyList{items: items})
	case opTuple:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		r.push(Tuple(items))
	case opTuple1, opTuple2, opTuple3:
		k := int(op-opTuple1) + 1
		t := make(Tuple, k)
		for i := k - 1; i >= 0; i-- {
			v, err := r.pop()
			if err != nil {
				return err
			}
			t[i] = v
		}
		r.push(t)
	case opDict:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		d := &pyDict{}
		if err := d.setItems(items); err != nil {
			return err
		}
		r.push(d)
	case opFrozenset:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		r.push(&pySet{items: items, frozen: true})
	case opAppend:
		v, err := r.pop()
		if err != nil {
			return err
		}
		return r.appendTo([]any{v})
	case opAppends:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		return r.appendTo(items)
	case opAdditems:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		t, err := r.top()
		if err != nil {
			return err
		}
		s, ok := t.(*pySet)
		if !ok || s.frozen {
			return errors.New("pickle: ADDITEMS on something that is not a set")
		}
		s.items = append(s.items, items...)
	case opSetitem:
		v, err := r.pop()
		if err != nil {
			return err
		}
		k, err := r.pop()
		if err != nil {
			return err
		}
		return r.setItems([]any{k, v})
	case opSetitems:
		items, err := r.popMark()
		if err != nil {
			return err
		}
		return r.setItems(items)
	case opGlobal:
		mod, err := r.line()
		if err != nil {
			return err
		}
		name, err := r.line()
		if err != nil {
			return err
		}
		return r.global(mod, name)
	case opStackGlobal:
		name, err := r.pop()
		if err != nil {
			return err
		}
		mod, err := r.pop()
		if err != nil {
			return err
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return errors.New("pickle: STACK_GLOBAL needs two str")
		}
		return r.global(ms, ns)
	case opReduce:
		args, err := r.pop()
		if err != nil {
			return err
		}
		fn, err := r.pop()
		if err != nil {
			return err
		}
		t, ok := args.(Tuple)
		g, ok2 := fn.(global)
		if !ok || !ok2 {
			return errors.New("pickle: REDUCE needs a callable and a tuple")
		}
		v, err := call(g, t)
		if err != nil {
			return err
		}
		r.push(v)
	case opNewobj, opNewobjEx:
		if op == opNewobjEx {
			if _, err := r.pop(); err != nil { // kwargs
				return err
			}
		}
		args, err := r.pop()
		if err != nil {
			return err
		}
		cls, err := r.pop()
		if err != nil {
			return err
		}
		g, _ := cls.(global)
		switch {
		case g == (global{"uuid", "UUID"}):
			r.push(&pyUUID{})
			return nil
		case isSafeString(g):
			// Django's mark_safe'd str (how a {% cache %} fragment is
			// stored): the text it holds.
			if t, ok := args.(Tuple); ok && len(t) == 1 {
				if s, ok := t[0].(string); ok {
					r.push(s)
					return nil
				}
			}
			return errors.New("pickle: SafeString wants one str")
		}
		return errors.New("pickle: NEWOBJ of something other than uuid.UUID or SafeString")
	case opBuild:
		state, err := r.pop()
		if err != nil {
			return err
		}
		t, err := r.top()
		if err != nil {
			return err
		}
		u, ok := t.(*pyUUID)
		d, ok2 := state.(*pyDict)
		if !ok || !ok2 {
			return errors.New("pickle: BUILD is only read for uuid.UUID")
		}
		return u.build(d)
	case opPut:
		s, err := r.line()
		if err != nil {
			return err
		}
		k, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fmt.Errorf("pickle: bad PUT %q", s)
		}
		return r.put(k)
	case opBinput:
		k, err := r.u8()
		if err != nil {
			return err
		}
		return r.put(uint64(k))
	case opLongBinput:
		k, err := r.u32()
		if err != nil {
			return err
		}
		return r.put(uint64(k))
	case opMemoize:
		return r.put(uint64(len(r.memo)))
	case opGet:
		s, err := r.line()
		if err != nil {
			return err
		}
		k, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return fmt.Errorf("pickle: bad GET %q", s)
		}
		return r.get(k)
	case opBinget:
		k, err := r.u8()
		if err != nil {
			return err
		}
		return r.get(uint64(k))
	case opLongBinget:
		k, err := r.u32()
		if err != nil {
			return err
		}
		return r.get(uint64(k))
	default:
		return fmt.Errorf("pickle: unsupported opcode 0x%02x at byte %d", op, r.pos-1)
	}
	return nil
}

// sized reads a length-prefixed payload: 1-byte length for small, 4 bytes
// for mid, else 8.
func (r *reader) sized(op, small, mid byte) ([]byte, error) {
	var k int
	var err error
	switch op {
	case small:
		k, err = r.u8()
	case mid:
		k, err = r.u32()
	default:
		k, err = r.u64len()
	}
	if err != nil {
		return nil, err
	}
	return r.n(k)
}

func (r *reader) put(k uint64) error {
	v, err := r.top()
	if err != nil {
		return err
	}
	if len(r.memo) > len(r.b) {
		return errors.New("pickle: memo grows past the data")
	}
	r.memo[k] = v
	return nil
}

func (r *reader) get(k uint64) error {
	v, ok := r.memo[k]
	if !ok {
		return fmt.Errorf("pickle: memo %d not defined", k)
	}
	r.push(v)
	return nil
}

func (r *reader) appendTo(items []any) error {
	t, err := r.top()
	if err != nil {
		return err
	}
	l, ok := t.(*pyList)
	if !ok {
		return errors.New("pickle: APPEND on something that is not a list")
	}
	l.items = append(l.items, items...)
	return nil
}

func (r *reader) setItems(items []any) error {
	t, err := r.top()
	if err != nil {
		return err
	}
	d, ok := t.(*pyDict)
	if !ok {
		return errors.New("pickle: SETITEM on something that is not a dict")
	}
	return d.setItems(items)
}

func (d *pyDict) setItems(items []any) error {
	if len(items)%2 != 0 {
		return errors.New("pickle: odd number of dict items")
	}
	for i := 0; i < len(items); i += 2 {
		d.keys = append(d.keys, items[i])
		d.vals = append(d.vals, items[i+1])
	}
	return nil
}

func (u *pyUUID) build(d *pyDict) error {
	for i, k := range d.keys {
		if k != "int" {
			continue // is_safe and the like
		}
		var x *big.Int
		switch n := d.vals[i].(type) {
		case int64:
			x = big.NewInt(n)
		case *big.Int:
			x = n
		}
		if x == nil || x.Sign() < 0 || x.BitLen() > 128 {
			return errors.New("pickle: uuid.UUID int out of range")
		}
		x.FillBytes(u.u[:])
		u.set = true
		return nil
	}
	return errors.New("pickle: uuid.UUID state without int")
}

func fromTwosComplementLE(le []byte) *big.Int {
	if len(le) == 0 {
		return new(big.Int)
	}
	be := make([]byte, len(le))
	for i := range le {
		be[i] = le[len(le)-1-i]
	}
	x := new(big.Int).SetBytes(be)
	if be[0]&0x80 != 0 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(len(be)*8)))
	}
	return x
}

// normInt returns an int64 when x fits, else x.
func normInt(x *big.Int) any {
	if x.IsInt64() {
		return x.Int64()
	}
	return x
}

// builtins names Python 3's builtins module and Python 2's (protocol < 3
// pickles with fix_imports).
func builtins(mod string) bool { return mod == "builtins" || mod == "__builtin__" }

// known is the table of globals the reader resolves; everything else is an
// UnknownClassError.
func (r *reader) global(mod, name string) error {
	switch {
	case mod == "datetime" && (name == "datetime" || name == "date" || name == "time" || name == "timedelta" || name == "timezone"),
		mod == "decimal" && name == "Decimal",
		mod == "uuid" && name == "UUID",
		isSafeString(global{mod, name}),
		mod == "zoneinfo" && (name == "ZoneInfo._unpickle" || name == "ZoneInfo"),
		mod == "_codecs" && name == "encode",
		builtins(mod) && (name == "set" || name == "frozenset" || name == "bytearray" || name == "bytes" || name == "getattr"):
		r.push(global{mod, name})
		return nil
	}
	return &UnknownClassError{Module: mod, Name: name}
}

// isSafeString reports whether g is Django's SafeString (SafeText is its
// old name): a str subclass read as the string it holds.
func isSafeString(g global) bool {
	return g.module == "django.utils.safestring" && (g.name == "SafeString" || g.name == "SafeText")
}
