package cache

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"
)

// KeyFunc builds the full key from the user's key, the alias's KEY_PREFIX and
// the version, as Django's KEY_FUNCTION does.
type KeyFunc func(key, keyPrefix string, version int) string

// DefaultKeyFunc is Django's default_key_func: "<prefix>:<version>:<key>",
// the key after its head (appendKeyHead).
func DefaultKeyFunc(key, keyPrefix string, version int) string {
	var buf [48]byte
	return string(appendKeyHead(buf[:0], keyPrefix, version)) + key
}

// appendKeyHead appends the default key function's head,
// "<prefix>:<version>:", to dst: the one place its format is written. The
// fast paths pass a key as this head and the user's key (fastkey.go).
func appendKeyHead(dst []byte, keyPrefix string, version int) []byte {
	dst = append(dst, keyPrefix...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(version), 10)
	return append(dst, ':')
}

// MaxKeyLength is memcached's key limit, which Django warns about for every
// backend (MEMCACHE_MAX_KEY_LENGTH).
const MaxKeyLength = 250

// RegisterKeyFunc makes f available to settings.toml as KEY_FUNCTION = name.
// Like Register, it belongs in an init() and panics on a duplicate name.
func RegisterKeyFunc(name string, f KeyFunc) {
	registry.Lock()
	defer registry.Unlock()
	if registry.keyFuncs == nil {
		registry.keyFuncs = map[string]KeyFunc{}
	}
	if _, dup := registry.keyFuncs[name]; dup {
		panic("cache: RegisterKeyFunc called twice for " + name)
	}
	registry.keyFuncs[name] = f
}

func keyFunc(name string) (KeyFunc, bool) {
	registry.RLock()
	defer registry.RUnlock()
	f, ok := registry.keyFuncs[name]
	return f, ok
}

func keyFuncNames() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.keyFuncs))
	for n := range registry.keyFuncs {
		names = append(names, n)
	}
	return names
}

// keyWarnings returns Django's CacheKeyWarning messages for a made key:
// longer than 250 characters, and control characters, space or DEL.
func keyWarnings(key string) []string {
	var out []string
	long := len(key) > MaxKeyLength && utf8.RuneCountInString(key) > MaxKeyLength
	bad := needsWarning(key)
	if !long && !bad {
		return nil
	}
	if long {
		out = append(out, fmt.Sprintf("Cache key will cause errors if used with memcached: %s (longer than %d)", pyRepr(key), MaxKeyLength))
	}
	if bad {
		out = append(out, "Cache key contains characters that will cause errors if used with memcached: "+pyRepr(key))
	}
	return out
}

// pyRepr quotes s the way Python's repr quotes a str with no single quote in
// it: single quotes, control characters escaped, printable Unicode kept.
func pyRepr(s string) string {
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
	return "'" + q + "'"
}

// validateKey applies Django's key checks: strict stores (memcached) get an
// error wrapping ErrInvalidKey, every other store a slog warning and the
// operation goes on.
func (c *Cache) validateKey(key string) error {
	ws := keyWarnings(key)
	if ws == nil {
		return nil
	}
	if c.strict {
		return fmt.Errorf("%w: %s", ErrInvalidKey, ws[0])
	}
	for _, w := range ws {
		c.logger.Warn(w, slog.String("alias", c.alias), slog.String("category", "CacheKeyWarning"))
	}
	return nil
}
