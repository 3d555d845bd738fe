package pickle

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"time"
)

// call builds what a REDUCE of one of the known globals builds.
func call(g global, args Tuple) (any, error) {
	switch {
	case g.module == "_codecs":
		// Python 3 bytes under protocol < 3: _codecs.encode(text, "latin1").
		if len(args) != 2 {
			return nil, errors.New("pickle: _codecs.encode wants 2 arguments")
		}
		s, ok1 := args[0].(string)
		enc, ok2 := args[1].(string)
		if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
			return nil, errors.New("pickle: _codecs.encode is read only for latin1 text")
		}
		return latin1(s)
	case builtins(g.module) && g.name == "getattr":
		// getattr(zoneinfo.ZoneInfo, "_unpickle"): how protocols < 4 name
		// a method. Only that one resolves.
		if len(args) == 2 && args[0] == (global{"zoneinfo", "ZoneInfo"}) && args[1] == "_unpickle" {
			return global{"zoneinfo", "ZoneInfo._unpickle"}, nil
		}
		return nil, errors.New("pickle: getattr is read only for zoneinfo.ZoneInfo._unpickle")
	case builtins(g.module) && (g.name == "bytearray" || g.name == "bytes"):
		switch len(args) {
		case 0:
			return []byte{}, nil
		case 1:
			if b, ok := args[0].([]byte); ok {
				return append([]byte{}, b...), nil
			}
		case 2:
			if s, ok := args[0].(string); ok {
				return latin1(s)
			}
		}
		return nil, fmt.Errorf("pickle: %s arguments not understood", g.name)
	case builtins(g.module) && (g.name == "set" || g.name == "frozenset"):
		s := &pySet{frozen: g.name == "frozenset"}
		if len(args) == 1 {
			switch it := args[0].(type) {
			case *pyList:
				s.items = append(s.items, it.items...)
			case Tuple:
				s.items = append(s.items, it...)
			default:
				return nil, fmt.Errorf("pickle: %s of %T", g.name, args[0])
			}
		} else if len(args) != 0 {
			return nil, fmt.Errorf("pickle: %s wants one argument", g.name)
		}
		return s, nil
	case g.module == "decimal":
		if len(args) == 1 {
			if s, ok := args[0].(string); ok {
				return Decimal(s), nil
			}
		}
		return nil, errors.New("pickle: decimal.Decimal wants one str")
	case g == (global{"zoneinfo", "ZoneInfo._unpickle"}):
		if len(args) >= 1 {
			if key, ok := args[0].(string); ok {
				loc, err := time.LoadLocation(key)
				if err != nil {
					return nil, fmt.Errorf("pickle: zoneinfo.ZoneInfo(%q): %w", key, err)
				}
				return loc, nil
			}
		}
		return nil, errors.New("pickle: zoneinfo.ZoneInfo wants a key")
	case g.module == "datetime":
		return callDatetime(g.name, args)
	}
	return nil, fmt.Errorf("pickle: %s.%s cannot be called with REDUCE", g.module, g.name)
}

func latin1(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, errors.New("pickle: latin1 text with a character above U+00FF")
		}
		out = append(out, byte(r))
	}
	return out, nil
}

// state returns the bytes state of a datetime class (Python 3 bytes, or a
// Python 2 str read as latin1).
func state(v any, n int) ([]byte, bool) {
	switch s := v.(type) {
	case []byte:
		return s, len(s) == n
	case string:
		b, err := latin1(s)
		return b, err == nil && len(b) == n
	}
	return nil, false
}

func tzArg(args Tuple, i int) (*time.Location, bool, error) {
	if len(args) <= i || args[i] == nil {
		return nil, false, nil
	}
	loc, ok := args[i].(*time.Location)
	if !ok {
		return nil, false, fmt.Errorf("pickle: tzinfo of type %T", args[i])
	}
	return loc, true, nil
}

func callDatetime(name string, args Tuple) (any, error) {
	switch name {
	case "datetime":
		b, ok := state(first(args), 10)
		if !ok {
			return nil, errors.New("pickle: datetime.datetime state not understood")
		}
		year, month, day := int(b[0])<<8|int(b[1]), int(b[2]), int(b[3])
		hour, minute, sec := int(b[4]&0x7f), int(b[5]), int(b[6])
		us := int(b[7])<<16 | int(b[8])<<8 | int(b[9])
		if year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 59 || us > 999999 {
			return nil, errors.New("pickle: datetime.datetime out of range")
		}
		loc, aware, err := tzArg(args, 1)
		if err != nil {
			return nil, err
		}
		if !aware {
			return NaiveDateTime{time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, time.UTC)}, nil
		}
		return time.Date(year, time.Month(month), day, hour, minute, sec, us*1000, loc), nil
	case "date":
		b, ok := state(first(args), 4)
		if !ok || b[2] < 1 || b[2] > 12 || b[3] < 1 || b[3] > 31 {
			return nil, errors.New("pickle: datetime.date state not understood")
		}
		return Date{Year: int(b[0])<<8 | int(b[1]), Month: time.Month(b[2]), Day: int(b[3])}, nil
	case "time":
		b, ok := state(first(args), 6)
		if !ok || b[0]&0x7f > 23 || b[1] > 59 || b[2] > 59 {
			return nil, errors.New("pickle: datetime.time state not understood")
		}
		us := int(b[3])<<16 | int(b[4])<<8 | int(b[5])
		if us > 999999 {
			return nil, errors.New("pickle: datetime.time out of range")
		}
		loc, _, err := tzArg(args, 1)
		if err != nil {
			return nil, err
		}
		return Time{Hour: int(b[0] & 0x7f), Minute: int(b[1]), Second: int(b[2]), Microsecond: us, Location: loc}, nil
	case "timedelta":
		var parts [3]int64
		for i := range min(len(args), 3) {
			n, ok := args[i].(int64)
			if !ok {
				return nil, errors.New("pickle: datetime.timedelta wants ints")
			}
			parts[i] = n
		}
		us := new(big.Int).Mul(big.NewInt(parts[0]), big.NewInt(86400e6))
		us.Add(us, new(big.Int).Mul(big.NewInt(parts[1]), big.NewInt(1e6)))
		us.Add(us, big.NewInt(parts[2]))
		ns := new(big.Int).Mul(us, big.NewInt(1000))
		if !ns.IsInt64() {
			return nil, errors.New("pickle: datetime.timedelta beyond time.Duration (about 292 years)")
		}
		return time.Duration(ns.Int64()), nil
	case "timezone":
		d, ok := first(args).(time.Duration)
		if !ok || d%time.Second != 0 || d <= -24*time.Hour || d >= 24*time.Hour {
			return nil, errors.New("pickle: datetime.timezone offset not understood")
		}
		name := ""
		if len(args) > 1 {
			name, _ = args[1].(string)
		}
		if d == 0 && name == "" {
			return time.UTC, nil
		}
		return time.FixedZone(name, int(d/time.Second)), nil
	}
	return nil, fmt.Errorf("pickle: datetime.%s not understood", name)
}

func first(t Tuple) any {
	if len(t) == 0 {
		return nil
	}
	return t[0]
}

// finish turns the reader's working objects into the Go values of the type
// table; a value that contains itself is an error.
func finish(v any, open map[any]bool, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("pickle: value nested deeper than %d", maxDepth)
	}
	enter := func(p any) error {
		if open[p] {
			return errors.New("pickle: a value that contains itself has no Go form")
		}
		open[p] = true
		return nil
	}
	switch x := v.(type) {
	case *pyList:
		if err := enter(x); err != nil {
			return nil, err
		}
		defer delete(open, x)
		out := make([]any, len(x.items))
		for i, it := range x.items {
			f, err := finish(it, open, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	case Tuple:
		out := make(Tuple, len(x))
		for i, it := range x {
			f, err := finish(it, open, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = f
		}
		return out, nil
	case *pyDict:
		if err := enter(x); err != nil {
			return nil, err
		}
		defer delete(open, x)
		return finishDict(x, open, depth)
	case *pySet:
		if err := enter(x); err != nil {
			return nil, err
		}
		defer delete(open, x)
		m := make(map[any]struct{}, len(x.items))
		for _, it := range x.items {
			f, err := finish(it, open, depth+1)
			if err != nil {
				return nil, err
			}
			if !hashable(f) {
				return nil, fmt.Errorf("pickle: a set member of Go type %T cannot be a map key", f)
			}
			m[f] = struct{}{}
		}
		if x.frozen {
			return FrozenSet(m), nil
		}
		return Set(m), nil
	case *pyUUID:
		if !x.set {
			return nil, errors.New("pickle: uuid.UUID without state")
		}
		return x.u, nil
	case global:
		return nil, &UnknownClassError{Module: x.module, Name: x.name + " (the class itself, as a value)"}
	case *time.Location:
		return nil, errors.New("pickle: a bare tzinfo is not a value of the type table")
	case mark:
		return nil, errors.New("pickle: MARK left on the stack")
	}
	return v, nil
}

func finishDict(x *pyDict, open map[any]bool, depth int) (any, error) {
	allStr := true
	keys := make([]any, len(x.keys))
	vals := make([]any, len(x.vals))
	for i := range x.keys {
		k, err := finish(x.keys[i], open, depth+1)
		if err != nil {
			return nil, err
		}
		if !hashable(k) {
			return nil, fmt.Errorf("pickle: a dict key of Go type %T cannot be a map key", k)
		}
		if _, ok := k.(string); !ok {
			allStr = false
		}
		keys[i] = k
		if vals[i], err = finish(x.vals[i], open, depth+1); err != nil {
			return nil, err
		}
	}
	if allStr {
		m := make(map[string]any, len(keys))
		for i, k := range keys {
			m[k.(string)] = vals[i]
		}
		return m, nil
	}
	m := make(map[any]any, len(keys))
	for i, k := range keys {
		m[k] = vals[i]
	}
	return m, nil
}

// hashable reports whether v can be a Go map key: a *big.Int key would
// compare by pointer, so it is refused as well.
func hashable(v any) bool {
	if v == nil {
		return true
	}
	if _, ok := v.(*big.Int); ok {
		return false
	}
	t := reflect.TypeOf(v)
	return t.Comparable() && t.Kind() != reflect.Interface && !containsInterfaceOrPointer(t)
}

func containsInterfaceOrPointer(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Interface, reflect.Pointer:
		return true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if containsInterfaceOrPointer(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
