package cache

import (
	"context"
	"fmt"
	"sync"
)

// partsKeyOK reports whether keyHead+key is a key Django would not warn
// about, so the parts paths may use it without making it.
func (c *Cache) partsKeyOK(key string) bool {
	return c.keyHeadOK && len(c.keyHead)+len(key) <= MaxKeyLength && !needsWarning(key)
}

// setFast is Set through a KeyPartsSetter: the default key function at the
// alias's VERSION, the codec, no options and no fail-open. done reports
// whether it applied (else the caller takes the general path).
func (c *Cache) setFast(ctx context.Context, key string, value any, timeout Timeout, opts []Option) (done bool, err error) {
	if len(opts) != 0 || !c.keyFuncIsDefault || c.ser != nil || c.failOpen || c.err != nil {
		return false, nil
	}
	b := c.store.Load()
	if b == nil || b.ks == nil || !c.partsKeyOK(key) {
		return false, nil
	}
	vhead, body, err := encodeParts(value)
	if err != nil {
		return true, fmt.Errorf("cache %q: set %q: %w", c.alias, key, err)
	}
	if err := b.ks.SetKeyParts(ctx, c.keyHead, key, vhead, body, c.expiry(timeout)); err != nil {
		return true, c.fail("set", c.keyHead+key, err)
	}
	c.stats.sets.Add(1)
	return true, nil
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
	if b.kp != nil && version == c.defaultVersion {
		if !c.partsKeyOK(key) {
			return false, false, nil // the slow path logs the warning
		}
		raw, hit, err = b.kp.GetKeyParts(ctx, c.keyHead, key)
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
		c.stats.misses.Add(1)
		return false, true, nil
	}
	if raw[0] == tagTagged { // len(raw) > 0: every stored value has a tag or a digit
		if raw, hit, err = c.unwrapTags(ctx, key, raw); err != nil || !hit {
			c.stats.misses.Add(1)
			return false, true, err
		}
	}
	c.stats.hits.Add(1)
	if err := c.decode(raw, dst); err != nil {
		return false, true, err
	}
	return true, true, nil
}

// getPooledKey builds the full key in a pooled buffer and looks it up; warn
// reports a key Django would warn about (not looked up).
func (c *Cache) getPooledKey(ctx context.Context, kb KeyBytesGetter, key string, version int) (raw []byte, hit, warn bool, err error) {
	bp := keyBufs.Get().(*[]byte)
	k := append(appendKeyHead((*bp)[:0], c.keyPrefix, version), key...)
	defer func() { *bp = k; keyBufs.Put(bp) }()
	if len(k) > MaxKeyLength || needsWarning(k) {
		return nil, false, true, nil
	}
	raw, hit, err = kb.GetKeyBytes(ctx, k)
	return raw, hit, false, err
}

// needsWarning reports whether Django would warn about the characters of a
// key (or a part of one): control characters, space or DEL. Length is the
// caller's check. Eight bytes are tested at a time: a byte below 0x21, or
// one equal to 0x7f, is a zero byte of the word's "less than" or
// "equal" mask (the classic SWAR tests, exact as yes/no answers).
func needsWarning[K string | []byte](k K) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(k); i += 8 {
		w := uint64(k[i]) | uint64(k[i+1])<<8 | uint64(k[i+2])<<16 | uint64(k[i+3])<<24 |
			uint64(k[i+4])<<32 | uint64(k[i+5])<<40 | uint64(k[i+6])<<48 | uint64(k[i+7])<<56
		below := (w - ones*0x21) &^ w & highs
		x := w ^ ones*0x7f
		del := (x - ones) &^ x & highs
		if below|del != 0 {
			return true
		}
	}
	for ; i < len(k); i++ {
		if c := k[i]; c <= 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}
