package memcached

import (
	"math/bits"
	"net"
)

// Under the pickle serializer the store talks to the servers as Django's
// PyMemcacheCache does: pymemcache's HashClient picks a key's server by
// rendezvous hashing (pymemcache/client/rendezvous.py): every server's
// score is murmur3_32 (seed 0) of "<node>-<key>", the node being
// "host:port" (a Unix socket: its path), and the highest score wins (a tie
// goes to the greater node name). So a Go and a Django process given the
// same LOCATION list find each other's keys.

// nodeName is the name pymemcache's HashClient gives a server.
func nodeName(a net.Addr) string { return a.String() }

// pickRendezvous returns the server of key among addrs by pymemcache's rule.
func pickRendezvous(addrs []net.Addr, key string) net.Addr {
	var winner net.Addr
	var high int64 = -1
	for _, a := range addrs {
		score := int64(murmur3Py(nodeName(a) + "-" + key))
		switch {
		case score > high:
			high, winner = score, a
		case score == high && nodeName(a) > nodeName(winner):
			winner = a
		}
	}
	return winner
}

// murmur3Py is pymemcache's pure-Python murmur3_32 with seed 0: it hashes
// the string's code points, each taken modulo 256 (the same as the bytes
// for ASCII keys).
func murmur3Py(s string) uint32 {
	data := make([]byte, 0, len(s))
	for _, r := range s {
		data = append(data, byte(r))
	}
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	var h1 uint32
	n := len(data)
	end := n &^ 3
	for i := 0; i < end; i += 4 {
		k1 := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k1 *= c1
		k1 = bits.RotateLeft32(k1, 15)
		k1 *= c2
		h1 ^= k1
		h1 = bits.RotateLeft32(h1, 13)
		h1 = h1*5 + 0xe6546b64
	}
	var k1 uint32
	switch n & 3 {
	case 3:
		k1 = uint32(data[end+2]) << 16
		fallthrough
	case 2:
		k1 |= uint32(data[end+1]) << 8
		fallthrough
	case 1:
		k1 |= uint32(data[end])
		k1 *= c1
		k1 = bits.RotateLeft32(k1, 15)
		k1 *= c2
		h1 ^= k1
	}
	h1 ^= uint32(n)
	h1 ^= h1 >> 16
	h1 *= 0x85ebca6b
	h1 ^= h1 >> 13
	h1 *= 0xc2b2ae35
	h1 ^= h1 >> 16
	return h1
}
