package cache

import (
	"context"
	"strconv"
	"sync"
)

// KeyBytesGetter is implemented by in-process stores (locmem) that can look
// a key up from a byte slice without making a string of it. The front then
// builds the full key in a pooled buffer, so a hit into a []byte
// destination with room allocates nothing.
type KeyBytesGetter interface {
	GetKeyBytes(ctx context.Context, key []byte) ([]byte, bool, error)
}

// KeyPartsGetter is implemented by in-process stores (locmem) that can look
// up the key head+key from its two parts, never joined. The front then
// makes no key at all for a read at the alias's VERSION with the default
// key function: head is "<KEY_PREFIX>:<VERSION>:".
type KeyPartsGetter interface {
	GetKeyParts(ctx context.Context, head, key string) ([]byte, bool, error)
}

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// getFast is Get for the default key function over a KeyBytesGetter (or a
// KeyPartsGetter). ok reports whether the fast path applied.
func (c *Cache) getFast(ctx context.Context, key string, version int, dst any) (found, ok bool, err error) {
	if !c.keyFuncIsDefault || c.err != nil {
		return false, false, nil
	}
	b := c.store.Load()
	if b == nil || b.kb == nil {
		return false, false, nil
	}
	var raw []byte
	var hit bool
	if kp, parts := b.s.(KeyPartsGetter); parts && version == c.defaultVersion {
		if len(c.keyHead)+len(key) > MaxKeyLength || needsWarning(c.keyHead) || needsWarning(key) {
			return false, false, nil // the slow path logs the warning
		}
		raw, hit, err = kp.GetKeyParts(ctx, c.keyHead, key)
	} else {
		var warn bool
		raw, hit, warn, err = c.getPooledKey(ctx, b.kb, key, version)
		if warn {
			return false, false, nil
		}
	}
	if err != nil {
		return false, false, nil // let the slow path report it
	}
	if !hit {
		c.stats.misses.Add(key, 1)
		return false, true, nil
	}
	if raw[0] == tagTagged { // len(raw) > 0: every stored value has a tag or a digit
		if raw, hit, err = c.unwrapTags(ctx, key, raw); err != nil || !hit {
			c.stats.misses.Add(key, 1)
			return false, true, err
		}
	}
	c.stats.hits.Add(key, 1)
	if err := c.decode(raw, dst); err != nil {
		return false, true, err
	}
	return true, true, nil
}

// getPooledKey builds the full key in a pooled buffer and looks it up; warn
// reports a key Django would warn about (not looked up).
func (c *Cache) getPooledKey(ctx context.Context, kb KeyBytesGetter, key string, version int) (raw []byte, hit, warn bool, err error) {
	bp := keyBufs.Get().(*[]byte)
	k := append((*bp)[:0], c.keyPrefix...)
	k = append(k, ':')
	k = strconv.AppendInt(k, int64(version), 10)
	k = append(k, ':')
	k = append(k, key...)
	defer func() { *bp = k; keyBufs.Put(bp) }()
	if len(k) > MaxKeyLength || needsWarning(k) {
		return nil, false, true, nil
	}
	raw, hit, err = kb.GetKeyBytes(ctx, k)
	return raw, hit, false, err
}

// needsWarning reports whether Django would warn about the characters of a
// key (or a part of one): control characters, space or DEL. Length is the
// caller's check.
func needsWarning[K string | []byte](k K) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
