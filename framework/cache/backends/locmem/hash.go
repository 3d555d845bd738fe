package locmem

import (
	"hash/maphash"
	"unsafe"
)

// hasher is a store's hash of its keys. A key of 8 bytes or fewer hashes
// as maphash does; a longer key K is maphash(K[8:]) xor a keyed mix of its
// first eight bytes. The split is what lets a lookup by parts (the front's
// "<prefix>:<version>:" head and the user's key) hash without joining
// them: the first word is put together from the two, the rest is a suffix
// of the user's key. maphash is seeded per store and the mix is keyed, so
// keys chosen to collide cannot be found without the seeds.
type hasher struct {
	seed maphash.Seed
	k0   uint64
}

func newHasher() hasher {
	s := maphash.MakeSeed()
	return hasher{seed: s, k0: maphash.String(s, "gojango locmem k0") | 1}
}

// mix is splitmix64's finalizer of w xor k0: a keyed bijection of the
// first word, every output bit depending on every input bit.
func (h hasher) mix(w uint64) uint64 {
	x := w ^ h.k0
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// word is the little-endian value of the first 8 bytes of k (len(k) >= 8).
func word[K string | []byte](k K) uint64 {
	_ = k[7]
	return uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
		uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
}

// str is the hash of key.
func (h hasher) str(key string) uint64 {
	if len(key) <= 8 {
		return maphash.String(h.seed, key)
	}
	return maphash.String(h.seed, key[8:]) ^ h.mix(word(key))
}

// bytes is str of a key held in bytes.
func (h hasher) bytes(key []byte) uint64 {
	if len(key) <= 8 {
		return maphash.Bytes(h.seed, key)
	}
	return maphash.Bytes(h.seed, key[8:]) ^ h.mix(word(key))
}

// parts is str(head + key), without joining them when head is 8 bytes or
// shorter (the default key function's head is ":1:").
func (h hasher) parts(head, key string) uint64 {
	n := len(head) + len(key)
	switch {
	case n <= 8:
		var buf [8]byte
		copy(buf[copy(buf[:], head):], key)
		return maphash.Bytes(h.seed, buf[:n])
	case len(head) <= 8:
		var w uint64
		for i := 0; i < len(head); i++ {
			w |= uint64(head[i]) << (8 * i)
		}
		if len(key) >= 8 {
			w |= word(key) << (8 * len(head)) // one load; the bytes past 8 shift out
		} else {
			for i := len(head); i < 8; i++ {
				w |= uint64(key[i-len(head)]) << (8 * i)
			}
		}
		return maphash.String(h.seed, key[8-len(head):]) ^ h.mix(w)
	case n <= 128:
		var buf [128]byte
		copy(buf[copy(buf[:], head):], key)
		return h.str(unsafe.String(&buf[0], n))
	}
	return h.str(head + key)
}
