package gotwin

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/locmem"
)

// RecordingBackend is the BACKEND name of the Go twin's default cache: a
// real locmem store that also remembers every key written to it, so that
// GET /_keys/ can list the live keys as Django's twin lists them from
// LocMemCache's internals.
const RecordingBackend = "conformance-recording"

func init() { cache.Register(RecordingBackend, newRecordingStore) }

// RecordingStore is a locmem Store that records the keys written through
// it. Every operation is locmem's; only the key bookkeeping is added.
type RecordingStore struct {
	cache.Store
	fast cache.KeyBytesGetter // locmem's byte-key lookup, kept available

	mu      sync.Mutex // protects written
	written map[string]struct{}
}

var _ cache.KeyBytesGetter = (*RecordingStore)(nil)

func newRecordingStore(p cache.Params) (cache.Store, error) {
	inner, err := locmem.New(p)
	if err != nil {
		return nil, fmt.Errorf("recording store: %w", err)
	}
	fast, ok := inner.(cache.KeyBytesGetter)
	if !ok {
		return nil, fmt.Errorf("recording store: locmem no longer implements cache.KeyBytesGetter")
	}
	return &RecordingStore{Store: inner, fast: fast, written: map[string]struct{}{}}, nil
}

func (s *RecordingStore) record(key string) {
	s.mu.Lock()
	s.written[key] = struct{}{}
	s.mu.Unlock()
}

// Set is locmem's Set, recording the key.
func (s *RecordingStore) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	s.record(key)
	return s.Store.Set(ctx, key, value, exp)
}

// Add is locmem's Add, recording the key.
func (s *RecordingStore) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	s.record(key)
	return s.Store.Add(ctx, key, value, exp)
}

// GetKeyBytes is locmem's byte-key lookup.
func (s *RecordingStore) GetKeyBytes(ctx context.Context, key []byte) ([]byte, bool, error) {
	return s.fast.GetKeyBytes(ctx, key)
}

// LiveKeys returns the recorded keys that are still present and unexpired
// (locmem's Has), sorted, for which keep returns true.
func (s *RecordingStore) LiveKeys(ctx context.Context, keep func(string) bool) ([]string, error) {
	s.mu.Lock()
	candidates := make([]string, 0, len(s.written))
	for k := range s.written {
		if keep(k) {
			candidates = append(candidates, k)
		}
	}
	s.mu.Unlock()
	live := candidates[:0]
	for _, k := range candidates {
		ok, err := s.Store.Has(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("has %q: %w", k, err)
		}
		if ok {
			live = append(live, k)
		}
	}
	sort.Strings(live)
	return live, nil
}
