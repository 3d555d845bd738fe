// Package dummy is Django's DummyCache: every operation succeeds and nothing
// is stored. It is registered as "dummy" and
// "django.core.cache.backends.dummy.DummyCache".
package dummy

import (
	"context"
	"fmt"
	"time"

	"gojango/framework/cache"
)

func init() {
	cache.Register("dummy", New, "django.core.cache.backends.dummy.DummyCache")
}

// Store implements cache.Store and stores nothing.
type Store struct{}

// New returns a dummy store; LOCATION and OPTIONS are ignored.
func New(cache.Params) (cache.Store, error) { return Store{}, nil }

// Get always misses.
func (Store) Get(context.Context, string) ([]byte, bool, error) { return nil, false, nil }

// Set stores nothing.
func (Store) Set(context.Context, string, []byte, time.Time) error { return nil }

// Add reports true, as Django's DummyCache.add, and stores nothing.
func (Store) Add(context.Context, string, []byte, time.Time) (bool, error) { return true, nil }

// Touch reports false.
func (Store) Touch(context.Context, string, time.Time) (bool, error) { return false, nil }

// Delete reports false.
func (Store) Delete(context.Context, string) (bool, error) { return false, nil }

// Has reports false.
func (Store) Has(context.Context, string) (bool, error) { return false, nil }

// Incr fails with cache.ErrNotFound: there is never a value.
func (Store) Incr(_ context.Context, key string, _ int64) (int64, error) {
	return 0, fmt.Errorf("Key '%s' not found: %w", key, cache.ErrNotFound)
}

// Clear does nothing.
func (Store) Clear(context.Context) error { return nil }

// Close does nothing.
func (Store) Close() error { return nil }
