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

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 128); return &b }}

// getFast is Get for the default key function over a KeyBytesGetter. ok
// reports whether the fast path applied.
func (c *Cache) getFast(ctx context.Context, key string, version int, dst any) (found, ok bool, err error) {
	if !c.keyFuncIsDefault || c.err != nil {
		return false, false, nil
	}
	b := c.store.Load()
	if b == nil || b.kb == nil {
		return false, false, nil
	}
	bp := keyBufs.Get().(*[]byte)
	var k []byte
	if version == c.defaultVersion {
		k = append((*bp)[:0], c.keyHead...)
	} else {
		k = append((*bp)[:0], c.keyPrefix...)
		k = append(k, ':')
		k = strconv.AppendInt(k, int64(version), 10)
		k = append(k, ':')
	}
	k = append(k, key...)
	defer func() { *bp = k; keyBufs.Put(bp) }()
	if needsWarning(k) {
		return false, false, nil // the slow path logs the warning
	}
	raw, hit, err := b.kb.GetKeyBytes(ctx, k)
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
	if err := decode(raw, dst); err != nil {
		return false, true, err
	}
	return true, true, nil
}

// needsWarning reports whether Django would warn about the made key.
func needsWarning(k []byte) bool {
	if len(k) > MaxKeyLength {
		return true
	}
	for _, c := range k {
		if c <= 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
