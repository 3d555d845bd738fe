package file

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"

	"gojango/framework/cache"
)

// corruptImages are damaged cache files, each with whether the store logs
// it as corrupt (an empty file is an expired entry, rule 52, not logged).
func corruptImages() []struct {
	name string
	data []byte
	warn bool
} {
	var c codec
	good := c.encode(nil, bytes.Repeat([]byte("value "), 200), time.Time{})
	raw := c.encode(nil, []byte("small"), time.Time{})
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 0x40
		return b
	}
	return []struct {
		name string
		data []byte
		warn bool
	}{
		{"empty", nil, false},
		{"shorter than the header", good[:headerSize-1], true},
		{"header only", good[:headerSize], true},
		{"truncated payload", good[:len(good)-3], true},
		{"truncated raw payload", raw[:len(raw)-1], true},
		{"payload bit flip", flip(good, len(good)-10), true},
		{"raw payload bit flip", flip(raw, len(raw)-1), true},
		{"expiry bit flip", flip(good, 12), true},
		{"length bit flip", flip(raw, 23), true},
		{"bad magic", flip(good, 0), true},
		{"unknown version", flip(good, 4), true},
		{"unknown flag", flip(good, 5), true},
		{"checksum flip", flip(good, 25), true},
		{"garbage", []byte("this is not a cache file at all, just text"), true},
		{"python pickle", []byte("\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00N.x\x9c\x03\x00\x00\x00\x00\x01"), true},
		{"trailing bytes", append(bytes.Clone(good), 'x'), true},
	}
}

// A corrupt entry (bad checksum, truncated, garbage, empty) is a miss for
// every operation, never an error: get and has miss, touch reports false,
// incr is ErrNotFound, add stores its value over it. The file is removed
// (add replaces it) and logged at Warn.
func TestCorruptEntryIsMiss(t *testing.T) {
	ops := []struct {
		name string
		// run does the operation and reports whether it found an entry.
		run func(t *testing.T, e *env, key string) (found bool)
		// replaces says the operation writes a new entry over the file.
		replaces bool
	}{
		{"get", func(t *testing.T, e *env, key string) bool {
			v, ok, err := e.s.Get(ctx, key)
			if err != nil {
				t.Fatalf("Get = %q, %v", v, err)
			}
			return ok
		}, false},
		{"has", func(t *testing.T, e *env, key string) bool {
			ok, err := e.s.Has(ctx, key)
			if err != nil {
				t.Fatalf("Has: %v", err)
			}
			return ok
		}, false},
		{"touch", func(t *testing.T, e *env, key string) bool {
			ok, err := e.s.Touch(ctx, key, time.Time{})
			if err != nil {
				t.Fatalf("Touch: %v", err)
			}
			return ok
		}, false},
		{"incr", func(t *testing.T, e *env, key string) bool {
			_, err := e.s.Incr(ctx, key, 1)
			if !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("Incr = %v, want ErrNotFound", err)
			}
			return false
		}, false},
		{"add", func(t *testing.T, e *env, key string) bool {
			added, err := e.s.Add(ctx, key, []byte("new"), time.Time{})
			if err != nil {
				t.Fatalf("Add: %v", err)
			}
			return !added
		}, true},
	}
	for _, img := range corruptImages() {
		for _, op := range ops {
			t.Run(img.name+"/"+op.name, func(t *testing.T) {
				e, logs := newLoggedEnv(t)
				const key = "k"
				if err := os.WriteFile(e.path(key), img.data, 0o600); err != nil {
					t.Fatal(err)
				}
				if op.run(t, e, key) {
					t.Fatalf("%s found an entry in a corrupt file", op.name)
				}
				if op.replaces {
					if v, ok := mustGet(t, e.s, key); !ok || string(v) != "new" {
						t.Fatalf("after %s: Get = %q, %v; want the new value", op.name, v, ok)
					}
				} else if exists(e.path(key)) {
					t.Fatalf("%s left the corrupt file", op.name)
				}
				if got := logs.count(); (got > 0) != img.warn {
					t.Fatalf("%d Warn records, want logged = %v", got, img.warn)
				}
			})
		}
	}
}
