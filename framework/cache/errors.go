package cache

import (
	"errors"

	"gojango/framework/cache/serializer"
)

// Sentinel errors callers branch on with errors.Is.
var (
	// ErrNotFound: Incr, Decr, IncrVersion or DecrVersion on a missing or
	// expired key (Django's ValueError "Key '...' not found").
	ErrNotFound = errors.New("cache: key not found")
	// ErrNotInteger: Incr or Decr on a value that is not an integer
	// (Django's TypeError).
	ErrNotInteger = serializer.ErrNotInteger
	// ErrInvalidKey: a key a strict backend (memcached) refuses
	// (Django's InvalidCacheKey).
	ErrInvalidKey = errors.New("cache: invalid key")
	// ErrInvalidBackend: an unknown BACKEND or alias (Django's
	// InvalidCacheBackendError).
	ErrInvalidBackend = errors.New("cache: invalid cache backend")
	// ErrEncode: a value the codec cannot encode or decode into the
	// destination given.
	ErrEncode = serializer.ErrEncode
)
