package pickle

import (
	"encoding/hex"
	"fmt"
	"time"
)

// Tuple is a Python tuple ([]any is a list).
type Tuple []any

// Set is a Python set; FrozenSet a frozenset. Members are comparable Go
// values (int64, string, float64, bool, Tuple is not comparable: a set of
// tuples is an error when read).
type Set map[any]struct{}

// FrozenSet is a Python frozenset.
type FrozenSet map[any]struct{}

// NaiveDateTime is a Python datetime without tzinfo (Django's USE_TZ =
// False values): the wall clock of Time, its location ignored. An aware
// datetime is a time.Time.
type NaiveDateTime struct{ time.Time }

// Date is a Python datetime.date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Time is a Python datetime.time; Location nil means naive.
type Time struct {
	Hour, Minute, Second, Microsecond int
	Location                          *time.Location
}

// Decimal is a Python decimal.Decimal, as its str() text ("1.50",
// "-Infinity", "NaN").
type Decimal string

// UUID is a Python uuid.UUID.
type UUID [16]byte

// String is the canonical hyphenated form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// UnknownClassError is the error of a pickle naming a Python class or
// function outside the type table: the serializer builds only the types it
// documents and never runs anything else.
type UnknownClassError struct{ Module, Name string }

func (e *UnknownClassError) Error() string {
	return fmt.Sprintf("pickle: Python class %s.%s is not one the serializer maps (see the type table in framework/cache/serializer/pickle)", e.Module, e.Name)
}
