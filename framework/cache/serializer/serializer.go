// Package serializer is the value-serializer registry of the cache: what a
// cache alias turns values into before its Store keeps them, chosen per
// alias with OPTIONS.SERIALIZER. The default, "gojango", is the cache
// package's own codec (framework/cache/codec.go); "pickle"
// (framework/cache/serializer/pickle) writes Python pickles as Django does,
// so a Django service and ours can share one cache.
//
// Every serializer keeps one rule Stores rely on: a Python/Go integer is
// stored as its decimal text (an optional '-' then digits), and nothing else
// starts with a digit or '-'. So Redis INCRBY and memcached incr work on
// what either side stored, as Django's RedisCache and pymemcache do.
package serializer

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Serializer turns Go values into the bytes a Store keeps and back.
// Implementations are safe for concurrent use.
type Serializer interface {
	// Name is the registered name (OPTIONS.SERIALIZER).
	Name() string
	// Encode returns the stored form of v; an integer is its decimal text.
	// A value the serializer cannot represent is an error wrapping
	// ErrEncode.
	Encode(v any) ([]byte, error)
	// Decode copies the stored value b into what dst points to (nil: only
	// check it). Errors wrap ErrEncode.
	Decode(b []byte, dst any) error
	// Incr adds delta to the stored value, as the serializer's language
	// adds. It returns the sum as an int64 and its stored form. When out is
	// non-nil the store writes it, even when err is not nil: err then says
	// the sum is stored but is no int64 (a Python big integer or float sum,
	// under pickle). A value that is not a number is an error wrapping
	// ErrNotInteger, with out nil.
	Incr(stored []byte, delta int64) (n int64, out []byte, err error)
}

// Whole is implemented by serializers whose form differs on stores that
// keep one whole serialized value per entry (Django's db and file backends
// pickle integers too; only Redis and memcached keep them as text). ToWhole
// turns the front's form into that one; FromWhole reverses it.
type Whole interface {
	ToWhole(front []byte) []byte
	FromWhole(whole []byte) []byte
}

// Errors shared with the cache package (cache.ErrEncode and
// cache.ErrNotInteger are these values).
var (
	// ErrEncode: a value the serializer cannot encode, or stored bytes it
	// cannot decode into the destination given.
	ErrEncode = errors.New("cache: cannot encode value")
	// ErrNotInteger: Incr or Decr on a value that is not a number
	// (Django's TypeError).
	ErrNotInteger = errors.New("cache: value is not an integer")
	// ErrIncrOverflow: an Incr whose result is no int64. Under the Go codec
	// nothing is stored; under pickle the big integer is stored, as Python
	// adds.
	ErrIncrOverflow = errors.New("cache: increment overflows int64")
)

// The registry (copies framework/cache/registry.go): serializers register
// in their package's init().
var registry = struct {
	sync.RWMutex
	byName map[string]Serializer
}{byName: map[string]Serializer{}}

// Register makes s available under its Name and under each alias (a dotted
// name such as django-redis's "django_redis.serializers.pickle.PickleSerializer").
// It panics when a name is registered twice: a programming error at init
// time, never caused by input.
func Register(s Serializer, aliases ...string) {
	registry.Lock()
	defer registry.Unlock()
	for _, n := range append([]string{s.Name()}, aliases...) {
		if _, dup := registry.byName[n]; dup {
			panic("serializer: Register called twice for " + n)
		}
		registry.byName[n] = s
	}
}

// Lookup returns the serializer registered under name; an unknown name is
// an error listing the known ones.
func Lookup(name string) (Serializer, error) {
	registry.RLock()
	defer registry.RUnlock()
	if s, ok := registry.byName[name]; ok {
		return s, nil
	}
	return nil, fmt.Errorf("unknown serializer %q (known: %s)", name, strings.Join(namesLocked(), ", "))
}

// Names returns the registered names, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(registry.byName))
	for n := range registry.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
