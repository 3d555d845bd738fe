// Package pickle is the "pickle" cache serializer: values stored as Django
// stores them (Python pickles, protocol 5 written, protocols 2-5 read), so a
// Django service and a Go one share one cache. Pick it per alias:
//
//	[CACHES.default.OPTIONS]
//	SERIALIZER = "pickle"
//
// The type mapping, both ways (Go -> Python when storing; Python -> Go when
// reading into *any; typed destinations take any lossless conversion):
//
//	Python                Go written                         Go read (into *any)
//	None                  nil, a nil pointer/slice/map       nil
//	bool                  bool                               bool
//	int                   int*, uint*, *big.Int, big.Int     int64, *big.Int beyond int64
//	float                 float32, float64                   float64
//	str                   string (must be UTF-8)             string
//	bytes                 []byte, [N]byte                    []byte
//	bytearray             -                                  []byte
//	list                  []T, [N]T                          []any
//	tuple                 pickle.Tuple                       pickle.Tuple
//	dict                  map[K]V, struct (exported fields)  map[string]any (str keys), map[any]any
//	set, frozenset        pickle.Set, pickle.FrozenSet       pickle.Set, pickle.FrozenSet
//	datetime (aware)      time.Time                          time.Time (timezone.utc = time.UTC,
//	                                                         ZoneInfo = its Location, else fixed)
//	datetime (naive)      pickle.NaiveDateTime               pickle.NaiveDateTime (into *time.Time: UTC)
//	date, time            pickle.Date, pickle.Time           pickle.Date, pickle.Time
//	timedelta             time.Duration                      time.Duration (microseconds; +-292 years)
//	decimal.Decimal       pickle.Decimal (its text)          pickle.Decimal
//	uuid.UUID             pickle.UUID                        pickle.UUID
//
// Any other Python class or function in a pickle is an *UnknownClassError
// naming it: nothing outside the table is built or called. Go values with
// no Python type (channels, funcs) are errors.
//
// Stored form: a Python int is its decimal text, everything else its
// pickle, which is Django's RedisCache rule (so INCR works on either side's
// counters). Stores that keep whole pickles (Django's db and file backends
// pickle ints too) convert with ToWhole / FromWhole; memcached stores
// pymemcache's flags with ForMemcached / FromMemcached.
package pickle

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"

	"gojango/framework/cache/serializer"
)

func init() {
	serializer.Register(Serializer{}, "django_redis.serializers.pickle.PickleSerializer")
}

// Serializer is the pickle serializer (registered as "pickle").
type Serializer struct{}

var _ serializer.Whole = Serializer{}

// Name is "pickle".
func (Serializer) Name() string { return "pickle" }

// Encode returns the decimal text of an integer, else the pickle of v.
func (Serializer) Encode(v any) ([]byte, error) {
	if b, ok := intText(v); ok {
		return b, nil
	}
	b, err := Dumps(v)
	if err != nil {
		return nil, fmt.Errorf("%w of type %T: %v", serializer.ErrEncode, v, err)
	}
	return b, nil
}

// intText returns the decimal text of a Go integer (what Django's
// RedisSerializer stores for a Python int).
func intText(v any) ([]byte, bool) {
	switch x := v.(type) {
	case int:
		return strconv.AppendInt(nil, int64(x), 10), true
	case int8:
		return strconv.AppendInt(nil, int64(x), 10), true
	case int16:
		return strconv.AppendInt(nil, int64(x), 10), true
	case int32:
		return strconv.AppendInt(nil, int64(x), 10), true
	case int64:
		return strconv.AppendInt(nil, x, 10), true
	case uint:
		return strconv.AppendUint(nil, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(nil, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(nil, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(nil, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(nil, x, 10), true
	case *big.Int:
		if x != nil {
			return x.Append(nil, 10), true
		}
	case big.Int:
		return x.Append(nil, 10), true
	}
	return nil, false
}

func isIntText(b []byte) bool {
	return len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9'))
}

// load reads a stored value: decimal text or a pickle.
func load(b []byte) (any, error) {
	if len(b) == 0 {
		return nil, errors.New("empty stored value")
	}
	if isIntText(b) {
		x, ok := new(big.Int).SetString(string(b), 10)
		if !ok {
			return nil, fmt.Errorf("corrupt integer %q", b)
		}
		return normInt(x), nil
	}
	return Loads(b)
}

// Decode copies the stored value into dst (see the type table).
func (Serializer) Decode(b []byte, dst any) error {
	v, err := load(b)
	if err != nil {
		return fmt.Errorf("%w: %w", serializer.ErrEncode, err)
	}
	if dst == nil {
		return nil
	}
	if err := assign(dst, v); err != nil {
		return fmt.Errorf("%w: %v", serializer.ErrEncode, err)
	}
	return nil
}

// Incr adds delta as Python's + does: an int sum beyond int64 is stored
// (a big integer) and reported with an error wrapping
// serializer.ErrIncrOverflow; a float sum (and a bool, as 0/1) is stored too,
// a float reported with an error wrapping serializer.ErrNotInteger; any
// other value is ErrNotInteger and nothing is stored.
func (Serializer) Incr(stored []byte, delta int64) (int64, []byte, error) {
	v, err := load(stored)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", serializer.ErrNotInteger, err)
	}
	var x *big.Int
	switch n := v.(type) {
	case int64:
		x = big.NewInt(n)
	case *big.Int:
		x = n
	case bool:
		x = big.NewInt(0)
		if n {
			x.SetInt64(1)
		}
	case float64:
		sum := n + float64(delta)
		out, err := Dumps(sum)
		if err != nil {
			return 0, nil, err
		}
		return clampInt(sum), out, &floatSumError{sum}
	default:
		return 0, nil, fmt.Errorf("%w: a Python %s", serializer.ErrNotInteger, pyName(v))
	}
	x = new(big.Int).Add(x, big.NewInt(delta))
	out := x.Append(make([]byte, 0, 20), 10)
	if !x.IsInt64() {
		return 0, out, &bigSumError{x}
	}
	return x.Int64(), out, nil
}

func clampInt(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

type bigSumError struct{ sum *big.Int }

func (e *bigSumError) Error() string {
	return fmt.Sprintf("%v: stored the Python int %s (read it into a *big.Int)", serializer.ErrIncrOverflow, e.sum)
}

func (e *bigSumError) Unwrap() error { return serializer.ErrIncrOverflow }

type floatSumError struct{ sum float64 }

func (e *floatSumError) Error() string {
	return fmt.Sprintf("%v: stored the Python float %v, as Django adds (read it into a float64)", serializer.ErrNotInteger, e.sum)
}

func (e *floatSumError) Unwrap() error { return serializer.ErrNotInteger }

// ToWhole turns the stored form into what Django's db and file backends
// keep: the pickle of every value, ints included.
func (Serializer) ToWhole(front []byte) []byte {
	if !isIntText(front) {
		return front
	}
	x, ok := new(big.Int).SetString(string(front), 10)
	if !ok {
		return front
	}
	b, err := Dumps(x)
	if err != nil {
		return front
	}
	return b
}

// FromWhole reverses ToWhole: a pickled int becomes its decimal text, any
// other pickle stays as it is.
func (Serializer) FromWhole(whole []byte) []byte {
	if len(whole) > 64 || len(whole) == 0 || whole[0] != opProto {
		return whole
	}
	v, err := Loads(whole)
	if err != nil {
		return whole
	}
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case *big.Int:
		return x.Append(nil, 10)
	}
	return whole
}

// pymemcache's serde flags (pymemcache/serde.py).
const (
	FlagBytes   = 0
	FlagPickle  = 1 << 0
	FlagInteger = 1 << 1
	FlagLong    = 1 << 2
	FlagText    = 1 << 4
)

// ForMemcached returns the value and flags pymemcache's pickle serde
// stores for the stored form: bytes as they are (0), str as UTF-8
// (FlagText), an int as its decimal text (FlagInteger), anything else
// pickled (FlagPickle).
func ForMemcached(front []byte) ([]byte, uint32) {
	if isIntText(front) {
		return front, FlagInteger
	}
	if len(front) < 3 || front[0] != opProto {
		return front, FlagPickle
	}
	// A str or bytes pickle is short to parse: PROTO, maybe FRAME, one
	// string opcode, STOP.
	if v, err := Loads(front); err == nil {
		switch x := v.(type) {
		case string:
			return []byte(x), FlagText
		case []byte:
			return x, FlagBytes
		}
	}
	return front, FlagPickle
}

// FromMemcached reverses ForMemcached for what pymemcache stored with
// flags; unknown flags (compression, another client's) are an error.
func FromMemcached(value []byte, flags uint32) ([]byte, error) {
	switch flags {
	case FlagBytes:
		return Dumps(value)
	case FlagText:
		return Dumps(string(value))
	case FlagInteger, FlagLong:
		if !isIntText(value) {
			return nil, fmt.Errorf("%w: memcached integer flag on %q", serializer.ErrEncode, value)
		}
		return value, nil
	case FlagPickle:
		return value, nil
	}
	return nil, fmt.Errorf("%w: memcached flags %#x are not pymemcache's pickle serde", serializer.ErrEncode, flags)
}
