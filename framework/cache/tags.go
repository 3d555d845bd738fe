package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"
)

// Cache tags (beyond Django): an entry written with Tags("article:42") is a
// miss once InvalidateTags(ctx, c, "article:42") has run, in this process
// or in any other sharing the backend. Each tag has a version, stored
// under its own key; a tagged entry carries the versions its tags had when
// it was written, and a read compares them with the current ones (one
// batch read of the tags' keys). Invalidating a tag writes it a new random
// version: constant time, whatever the number of tagged entries. A tag
// whose version was culled or lost gets a new one on the next write, so an
// old entry can never become valid again.
//
// A tagged entry is stored as:
//
//	0x08 | uvarint count | per tag: uvarint len, name, uvarint version | the value as stored untagged
//
// Incr on a tagged entry is ErrNotInteger (only plain integers are
// incremented natively).

// Tags attaches tags to what Set, Add, SetMany and GetOrSet write.
func Tags(tags ...string) Option {
	return func(o *callOptions) { o.tags = append(o.tags, tags...) }
}

// TagKey is the key a tag's version is stored under (then made through the
// alias's KEY_PREFIX and VERSION like any key).
func TagKey(name string) string { return tagKeyPrefix + name }

const tagKeyPrefix = "gojango.cache.tag."

// newTagVersion is a fresh, unguessable version: never 0, never reused.
func newTagVersion() uint64 { return rand.Uint64()>>1 | 1 }

// InvalidateTags makes every entry written with any of tags a miss, on
// every backend and in every process that shares c's backend.
func InvalidateTags(ctx context.Context, c *Cache, tags ...string) error {
	for _, t := range tags {
		v := strconv.AppendUint(nil, newTagVersion(), 10)
		if err := c.setRaw(ctx, TagKey(t), v, Forever, c.defaultVersion); err != nil {
			return fmt.Errorf("cache %q: invalidate tag %q: %w", c.alias, t, err)
		}
	}
	return nil
}

// tagsInUse records that this process saw a tagged entry on the alias, so
// HasKey reads values to check their tags (a read it spares otherwise).
type tagsInUse struct{ atomic.Bool }

// wrapTags returns raw wrapped with the current versions of tags, giving
// a version to any tag that has none; raw itself when tags is empty.
func (c *Cache) wrapTags(ctx context.Context, raw []byte, tags []string) ([]byte, error) {
	if len(tags) == 0 {
		return raw, nil
	}
	c.tagsSeen.Store(true)
	versions, err := c.tagVersions(ctx, tags)
	if err != nil {
		return nil, err
	}
	out := []byte{tagTagged}
	out = binary.AppendUvarint(out, uint64(len(tags)))
	for _, t := range tags {
		v := versions[t]
		if v == 0 {
			// Never given a version (or lost it): give it one. Add, so that
			// a concurrent InvalidateTags or writer wins, then read it back.
			nv := strconv.AppendUint(nil, newTagVersion(), 10)
			if _, err := c.addRaw(ctx, TagKey(t), nv, Forever, c.defaultVersion); err != nil {
				return nil, err
			}
			again, err := c.tagVersions(ctx, []string{t})
			if err != nil {
				return nil, err
			}
			v = again[t] // still 0 if the backend keeps nothing: the entry never validates
		}
		out = binary.AppendUvarint(out, uint64(len(t)))
		out = append(out, t...)
		out = binary.AppendUvarint(out, v)
	}
	return append(out, raw...), nil
}

var errCorruptTags = errors.New("corrupt tagged entry")

// parseTagged splits a tagged entry into its tags' versions and the value.
func parseTagged(raw []byte) (map[string]uint64, []byte, error) {
	d := decoder{b: raw[1:]}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		return nil, nil, errCorruptTags
	}
	tags := make(map[string]uint64, n)
	for range n {
		name := d.str()
		tags[name] = d.uvarint()
	}
	if d.err != nil {
		return nil, nil, errCorruptTags
	}
	return tags, d.b, nil
}

// unwrapTags returns the value inside a tagged entry and whether it is
// still valid (every tag at the version it was written with); an untagged
// raw is returned as is. A corrupt envelope is logged and is a miss.
func (c *Cache) unwrapTags(ctx context.Context, key string, raw []byte) ([]byte, bool, error) {
	if len(raw) == 0 || raw[0] != tagTagged {
		return raw, true, nil
	}
	c.tagsSeen.Store(true)
	if inner, valid, ok := c.unwrapTagsFast(ctx, raw); ok {
		return inner, valid, nil
	}
	want, inner, err := parseTagged(raw)
	if err != nil {
		c.logger.Warn("corrupt tagged entry ignored", "key", key)
		return nil, false, nil
	}
	names := make([]string, 0, len(want))
	for t := range want {
		names = append(names, t)
	}
	have, err := c.tagVersions(ctx, names)
	if err != nil {
		return nil, false, err
	}
	for t, v := range want {
		if have[t] != v || v == 0 {
			return nil, false, nil
		}
	}
	return inner, true, nil
}

// unwrapTagsFast checks a tagged entry against an in-process store that
// looks keys up by bytes (locmem), reading each tag's version without
// making a string or a map: a tagged page hit stays allocation-light. ok is
// false when it does not apply (or the envelope is corrupt: the slow path
// reports it).
func (c *Cache) unwrapTagsFast(ctx context.Context, raw []byte) (inner []byte, valid, ok bool) {
	if !c.keyFuncIsDefault {
		return nil, false, false
	}
	b := c.store.Load()
	if b == nil || b.kb == nil {
		return nil, false, false
	}
	bp := keyBufs.Get().(*[]byte)
	k := (*bp)[:0]
	defer func() { *bp = k; keyBufs.Put(bp) }()
	d := decoder{b: raw[1:]}
	n := d.uvarint()
	valid = true
	for i := uint64(0); i < n && d.err == nil; i++ {
		name := d.bytes()
		want := d.uvarint()
		if d.err != nil || !valid {
			continue // parse the rest, to hand back the value
		}
		k = append(append(append(k[:0], c.keyHead...), tagKeyPrefix...), name...)
		cur, hit, err := b.kb.GetKeyBytes(ctx, k)
		if err != nil {
			return nil, false, false
		}
		if !hit || want == 0 || parseUintBytes(cur) != want {
			valid = false
		}
	}
	if d.err != nil {
		return nil, false, false
	}
	if !valid {
		return nil, false, true
	}
	return d.b, true, true
}

// parseUintBytes parses a decimal uint64; 0 for anything else.
func parseUintBytes(b []byte) uint64 {
	if len(b) == 0 || len(b) > 20 {
		return 0
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0
		}
		nv := v*10 + uint64(ch-'0')
		if nv < v {
			return 0
		}
		v = nv
	}
	return v
}

// tagVersions reads the current versions of tags (0 for a tag with none),
// in one batch where the store has one. Tag reads are not counted as the
// caller's hits and misses.
func (c *Cache) tagVersions(ctx context.Context, tags []string) (map[string]uint64, error) {
	out := make(map[string]uint64, len(tags))
	s, err := c.open("get_many")
	if err != nil {
		return out, ignoreResting(err)
	}
	full := make([]string, len(tags))
	byKey := make(map[string]string, len(tags))
	for i, t := range tags {
		k, err := c.makeKey(TagKey(t), c.defaultVersion)
		if err != nil {
			return nil, err
		}
		full[i], byKey[k] = k, t
	}
	got := map[string][]byte{}
	if bs, ok := s.(BatchStore); ok && len(full) > 1 {
		if got, err = bs.GetMany(ctx, full); err != nil {
			return out, c.fail("get_many", full[0], err)
		}
	} else {
		for _, k := range full {
			raw, ok, err := s.Get(ctx, k)
			if err != nil {
				return out, c.fail("get", k, err)
			}
			if ok {
				got[k] = raw
			}
		}
	}
	for k, raw := range got {
		if v, err := strconv.ParseUint(string(raw), 10, 64); err == nil {
			out[byKey[k]] = v
		}
	}
	return out, nil
}

// storedForm returns what to write to keep the entry at key (version)
// as it is stored: its tagged envelope when it has one, else raw (the
// value getRaw returned).
func (c *Cache) storedForm(ctx context.Context, key string, version int, raw []byte) ([]byte, error) {
	if !c.tagsSeen.Load() {
		return raw, nil
	}
	k, err := c.makeKey(key, version)
	if err != nil {
		return nil, err
	}
	s, err := c.open("get")
	if err != nil {
		return raw, ignoreResting(err)
	}
	stored, ok, err := s.Get(ctx, k)
	if err != nil {
		return nil, c.fail("get", k, err)
	}
	if !ok {
		return raw, nil
	}
	return stored, nil
}

// addOverInvalid is Add's second chance: a store that refused the add
// because the key holds a tagged entry whose tags were invalidated (as
// good as absent, like an expired one) gets the value set over it.
func (c *Cache) addOverInvalid(ctx context.Context, s Store, k string, raw []byte, exp time.Time) (bool, error) {
	if !c.tagsSeen.Load() {
		return false, nil
	}
	cur, ok, err := s.Get(ctx, k)
	if err != nil || !ok || len(cur) == 0 || cur[0] != tagTagged {
		return false, nil
	}
	if _, valid, err := c.unwrapTags(ctx, k, cur); err != nil || valid {
		return false, err
	}
	if err := s.Set(ctx, k, raw, exp); err != nil {
		return false, err
	}
	return true, nil
}
