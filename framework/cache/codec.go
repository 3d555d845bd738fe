package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unsafe"

	"gojango/framework/cache/serializer"
)

// The value codec. Every value reaching a Store is encoded by it, and every
// value read back is decoded into a fresh copy, which gives Django's copy
// semantics (changing a value after Set or after Get never changes the
// cached one).
//
// Format: an integer that fits int64 is its decimal text ("42", "-7"), so
// stores can increment it natively (Redis INCRBY, memcached incr). Every
// other value starts with one tag byte that is never a digit or '-':
const (
	tagBytes  byte = 0x01 // []byte, stored as is after the tag
	tagString byte = 0x02 // string, stored as is after the tag
	tagNil    byte = 0x03 // nil (Django's None)
	tagBool   byte = 0x04 // one byte, 0 or 1
	tagFloat  byte = 0x05 // 8 bytes, IEEE 754 big endian
	tagUint   byte = 0x06 // a uint64 above MaxInt64, decimal text
	tagGob    byte = 0x07 // anything else, encoding/gob of the value
	// tagTagged wraps another stored value with the versions of the cache
	// tags it was written under (tags.go); reads unwrap it.
	tagTagged byte = 0x08
)

// encode returns the stored form of v.
func encode(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte{tagNil}, nil
	case []byte:
		b := make([]byte, 1+len(x))
		b[0] = tagBytes
		copy(b[1:], x)
		return b, nil
	case string:
		b := make([]byte, 1+len(x))
		b[0] = tagString
		copy(b[1:], x)
		return b, nil
	case int:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int32:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(nil, x, 10), nil
	case uint:
		return encodeUint(uint64(x)), nil
	case uint8:
		return encodeUint(uint64(x)), nil
	case uint16:
		return encodeUint(uint64(x)), nil
	case uint32:
		return encodeUint(uint64(x)), nil
	case uint64:
		return encodeUint(x), nil
	case bool:
		if x {
			return []byte{tagBool, 1}, nil
		}
		return []byte{tagBool, 0}, nil
	case float64:
		return encodeFloat(x), nil
	case float32:
		return encodeFloat(float64(x)), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return []byte{tagNil}, nil
	}
	var buf bytes.Buffer
	buf.WriteByte(tagGob)
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("%w of type %T: %v", ErrEncode, v, err)
	}
	return buf.Bytes(), nil
}

// The one-byte heads of a stored []byte and string (encodeParts).
var (
	headBytes  = []byte{tagBytes}
	headString = []byte{tagString}
)

// encodeParts is encode for a caller that copies what it stores (a
// cache.KeyPartsSetter): the stored form is head followed by body. A
// []byte or string value is not copied (body is its own bytes, to be read
// only); other values are encoded, with a nil head.
func encodeParts(v any) (head, body []byte, err error) {
	switch x := v.(type) {
	case []byte:
		return headBytes, x, nil
	case string:
		return headString, unsafe.Slice(unsafe.StringData(x), len(x)), nil
	}
	body, err = encode(v)
	return nil, body, err
}

func encodeUint(u uint64) []byte {
	if u <= math.MaxInt64 {
		return strconv.AppendUint(nil, u, 10)
	}
	return strconv.AppendUint([]byte{tagUint}, u, 10)
}

func encodeFloat(f float64) []byte {
	b := make([]byte, 9)
	b[0] = tagFloat
	binary.BigEndian.PutUint64(b[1:], math.Float64bits(f))
	return b
}

// isInt reports whether b is the stored form of an integer.
func isInt(b []byte) bool {
	return len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9'))
}

// decode copies the stored value b into the value dst points to. dst may be
// nil (presence only), a pointer to a concrete type, or *any, which receives
// int64, uint64, float64, bool, string, []byte or nil; a gob-encoded value
// needs a pointer to its own type.
func decode(b []byte, dst any) error {
	if dst == nil {
		return nil
	}
	if len(b) == 0 {
		return fmt.Errorf("%w: empty stored value", ErrEncode)
	}
	if isInt(b) {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: corrupt integer %q", ErrEncode, b)
		}
		return setInt(dst, n)
	}
	tag, data := b[0], b[1:]
	switch tag {
	case tagBytes, tagString:
		switch d := dst.(type) {
		case *[]byte:
			*d = append((*d)[:0], data...)
			if *d == nil {
				*d = []byte{}
			}
			return nil
		case *string:
			*d = string(data)
			return nil
		case *any:
			if tag == tagString {
				*d = string(data)
			} else {
				*d = bytes.Clone(data)
			}
			return nil
		}
	case tagNil:
		rv := reflect.ValueOf(dst)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return fmt.Errorf("%w: destination %T is not a non-nil pointer", ErrEncode, dst)
		}
		rv.Elem().SetZero()
		return nil
	case tagBool:
		if len(data) != 1 {
			return fmt.Errorf("%w: corrupt bool", ErrEncode)
		}
		switch d := dst.(type) {
		case *bool:
			*d = data[0] == 1
			return nil
		case *any:
			*d = data[0] == 1
			return nil
		}
	case tagFloat:
		if len(data) != 8 {
			return fmt.Errorf("%w: corrupt float", ErrEncode)
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(data))
		switch d := dst.(type) {
		case *float64:
			*d = f
			return nil
		case *float32:
			*d = float32(f)
			return nil
		case *any:
			*d = f
			return nil
		}
	case tagUint:
		u, err := strconv.ParseUint(string(data), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: corrupt uint %q", ErrEncode, data)
		}
		switch d := dst.(type) {
		case *uint64:
			*d = u
			return nil
		case *uint:
			*d = uint(u)
			return nil
		case *any:
			*d = u
			return nil
		}
	case tagGob:
		if _, ok := dst.(*any); ok {
			return fmt.Errorf("%w: a structured value needs a typed destination, not *any", ErrEncode)
		}
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(dst); err != nil {
			return fmt.Errorf("%w: into %T: %v", ErrEncode, dst, err)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown value tag 0x%02x", ErrEncode, tag)
	}
	return fmt.Errorf("%w: stored %s cannot be decoded into %T", ErrEncode, tagName(tag), dst)
}

func tagName(t byte) string {
	switch t {
	case tagBytes:
		return "[]byte"
	case tagString:
		return "string"
	case tagBool:
		return "bool"
	case tagFloat:
		return "float"
	case tagUint:
		return "uint64"
	}
	return "value"
}

func setInt(dst any, n int64) error {
	switch d := dst.(type) {
	case *int64:
		*d = n
	case *int:
		*d = int(n)
	case *any:
		*d = n
	case *float64:
		*d = float64(n)
	default:
		rv := reflect.ValueOf(dst)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return fmt.Errorf("%w: destination %T is not a non-nil pointer", ErrEncode, dst)
		}
		e := rv.Elem()
		switch e.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if e.OverflowInt(n) {
				return fmt.Errorf("%w: %d overflows %s", ErrEncode, n, e.Type())
			}
			e.SetInt(n)
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if n < 0 || e.OverflowUint(uint64(n)) {
				return fmt.Errorf("%w: %d overflows %s", ErrEncode, n, e.Type())
			}
			e.SetUint(uint64(n))
		default:
			return fmt.Errorf("%w: stored integer cannot be decoded into %T", ErrEncode, dst)
		}
	}
	return nil
}

// ErrIncrOverflow: Incr or Decr whose result does not fit in int64. Under
// the Go codec the stored value is left as it was and the error matches
// ErrNotInteger too (the result is not an integer the codec can store), so
// code that handles ErrNotInteger needs no change; under the pickle
// serializer the sum is stored as a Python big integer, as Django's
// backends that add in Python do (db, file, locmem).
var ErrIncrOverflow = serializer.ErrIncrOverflow

// incrOverflowError is the error of an Incr whose sum overflows.
type incrOverflowError struct{ n, delta int64 }

func (e *incrOverflowError) Error() string {
	return fmt.Sprintf("%v: %d%+d", ErrIncrOverflow, e.n, e.delta)
}

func (e *incrOverflowError) Unwrap() []error { return []error{ErrIncrOverflow, ErrNotInteger} }

// IncrOverflow returns the error of adding delta to n when the sum does not
// fit in int64 (ErrIncrOverflow, also ErrNotInteger), nil when it fits.
// Stores that add natively (memcached's incr) call it with what they know.
func IncrOverflow(n, delta int64) error {
	if (delta > 0 && n > math.MaxInt64-delta) || (delta < 0 && n < math.MinInt64-delta) {
		return &incrOverflowError{n, delta}
	}
	return nil
}

// IncrStored is the integer rule of Store.Incr, in one place for every
// backend that reads the value and writes the sum back: stored must be an
// integer in the codec's form (decimal text), else the error wraps
// ErrNotInteger; a sum that does not fit in int64 is IncrOverflow's error.
// It returns the sum and its stored form.
func IncrStored(stored []byte, delta int64) (int64, []byte, error) {
	if !isInt(stored) {
		return 0, nil, ErrNotInteger
	}
	n, err := strconv.ParseInt(string(stored), 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %q", ErrNotInteger, stored)
	}
	if err := IncrOverflow(n, delta); err != nil {
		return 0, nil, err
	}
	n += delta
	return n, strconv.AppendInt(make([]byte, 0, 20), n, 10), nil
}

// SerializerOption is the OPTIONS key that picks the alias's value
// serializer: "gojango" (this codec, the default) or "pickle" (Django's
// stored values, framework/cache/serializer/pickle; its package must be
// linked in, as backends/all does).
const SerializerOption = "SERIALIZER"

// Codec is the Go codec as a serializer.Serializer, registered as
// "gojango": the default of every alias.
type Codec struct{}

func init() { serializer.Register(Codec{}) }

// Name is "gojango".
func (Codec) Name() string { return "gojango" }

// Encode is the codec's encode.
func (Codec) Encode(v any) ([]byte, error) { return encode(v) }

// Decode is the codec's decode.
func (Codec) Decode(b []byte, dst any) error { return decode(b, dst) }

// Incr is IncrStored: the sum is stored only when it fits in int64.
func (Codec) Incr(stored []byte, delta int64) (int64, []byte, error) {
	return IncrStored(stored, delta)
}

// encode and decode go through the alias's serializer (nil: the codec).
func (c *Cache) encode(v any) ([]byte, error) {
	if c.ser != nil {
		return c.ser.Encode(v)
	}
	return encode(v)
}

func (c *Cache) decode(b []byte, dst any) error {
	if c.ser != nil {
		return c.ser.Decode(b, dst)
	}
	return decode(b, dst)
}

// storedBytes returns the []byte value that raw, a stored value of the
// alias, holds: under the codec the bytes after its tag, not copied (to be
// read only); under a serializer (pickle) a decoded copy. ok is false when
// raw holds no []byte value.
func (c *Cache) storedBytes(raw []byte) (b []byte, ok bool) {
	if c.ser == nil {
		if len(raw) == 0 || raw[0] != tagBytes {
			return nil, false
		}
		return raw[1:], true
	}
	if err := c.ser.Decode(raw, &b); err != nil {
		return nil, false
	}
	return b, true
}

// Serializer returns the alias's value serializer.
func (c *Cache) Serializer() serializer.Serializer {
	if c.ser != nil {
		return c.ser
	}
	return Codec{}
}

// Incr returns the integer rule of the Params' serializer: what a
// Store.Incr that reads and writes back calls (IncrStored under the
// codec). When out is non-nil the store writes it, even with an error (a
// Python big integer or float sum under pickle).
func (p Params) Incr(stored []byte, delta int64) (n int64, out []byte, err error) {
	if p.Serializer != nil {
		return p.Serializer.Incr(stored, delta)
	}
	return IncrStored(stored, delta)
}

// resolveSerializer takes OPTIONS.SERIALIZER out of the options (backends
// never see it) and looks it up; the codec gives nil (the fast path).
func resolveSerializer(alias string, opts map[string]any) (serializer.Serializer, map[string]any, error) {
	v, ok := opts[SerializerOption]
	if !ok {
		return nil, opts, nil
	}
	name, ok := v.(string)
	if !ok {
		return nil, nil, fmt.Errorf("cache %q: OPTIONS.%s must be a string, not %v", alias, SerializerOption, v)
	}
	s, err := serializer.Lookup(name)
	if err != nil {
		return nil, nil, fmt.Errorf("cache %q: OPTIONS.%s: %w", alias, SerializerOption, err)
	}
	rest := make(map[string]any, len(opts))
	for k, v := range opts {
		if k != SerializerOption {
			rest[k] = v
		}
	}
	if _, isCodec := s.(Codec); isCodec {
		return nil, rest, nil
	}
	return s, rest, nil
}
