package file

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestFormatRoundTrip(t *testing.T) {
	var c codec
	tests := []struct {
		name       string
		value      []byte
		exp        time.Time
		compressed bool
	}{
		{"empty, never", nil, time.Time{}, false},
		{"small raw", []byte("v"), time.Unix(1700000000, 123), false},
		{"compressible", bytes.Repeat([]byte("ab"), 1000), time.Unix(1700000000, 0), true},
		{"incompressible stays raw", func() []byte {
			b := make([]byte, 4096)
			x := uint32(1)
			for i := range b {
				x = x*1664525 + 1013904223
				b[i] = byte(x >> 24)
			}
			return b
		}(), time.Time{}, false},
		{"before the epoch", []byte("v"), time.Unix(-5, 0), false},
		{"large compressible, probed", bytes.Repeat([]byte("gojango "), probeMin/4), time.Time{}, true},
		{"large random, probed and stored raw", func() []byte {
			b := make([]byte, probeMin*2)
			_, _ = rand.NewChaCha8([32]byte{1}).Read(b)
			return b
		}(), time.Time{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := c.encode(nil, tc.value, tc.exp)
			if got := img[5]&flagZlib != 0; got != tc.compressed {
				t.Fatalf("compressed = %v, want %v", got, tc.compressed)
			}
			v, exp, err := c.decode(img)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !bytes.Equal(v, tc.value) || !exp.Equal(tc.exp) {
				t.Fatalf("decode = %d bytes, %v; want %d bytes, %v", len(v), exp, len(tc.value), tc.exp)
			}
		})
	}
}

func TestExpiryNanosClamps(t *testing.T) {
	tests := []struct {
		name string
		exp  time.Time
		want int64
	}{
		{"zero is never", time.Time{}, 0},
		{"epoch stays distinct from never", time.Unix(0, 0), -1},
		{"far future", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{"far past", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), math.MinInt64},
		{"ordinary", time.Unix(10, 5), 10_000_000_005},
	}
	for _, tc := range tests {
		if got := expiryNanos(tc.exp); got != tc.want {
			t.Errorf("%s: expiryNanos = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestDecodeEmptyIsErrEmpty(t *testing.T) {
	var c codec
	if _, _, err := c.decode(nil); !errors.Is(err, errEmpty) {
		t.Fatalf("decode(empty) = %v, want errEmpty", err)
	}
	if _, _, err := c.decode([]byte("GJFC")); !errors.Is(err, errCorrupt) {
		t.Fatalf("decode(short) = %v, want errCorrupt", err)
	}
}

func TestReexpireKeepsPayload(t *testing.T) {
	var c codec
	value := bytes.Repeat([]byte("xyz"), 500)
	img := c.encode(nil, value, time.Unix(100, 0))
	payload := bytes.Clone(img[headerSize:])
	img = reexpire(img, time.Unix(200, 0))
	if !bytes.Equal(img[headerSize:], payload) {
		t.Fatal("payload changed")
	}
	v, exp, err := c.decode(img)
	if err != nil || !bytes.Equal(v, value) || !exp.Equal(time.Unix(200, 0)) {
		t.Fatalf("decode = %v, %v", exp, err)
	}
}

// FuzzDecode: decoding any bytes never panics; whatever decodes re-encodes
// to an image that decodes to the same value and expiry; and any value and
// expiry round-trip through encode and decode.
func FuzzDecode(f *testing.F) {
	var c codec
	f.Add(c.encode(nil, []byte("v"), time.Time{}), []byte("seed"), int64(0))
	f.Add(c.encode(nil, bytes.Repeat([]byte("ab"), 300), time.Unix(1, 2)), []byte{}, int64(-1))
	f.Add([]byte{}, bytes.Repeat([]byte{0}, 300), int64(math.MaxInt64))
	f.Add([]byte("GJFC\x01\x01\x00\x00garbage-garbage-garbage"), []byte("-12"), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, data, value []byte, expNanos int64) {
		v, exp, err := c.decode(data)
		if err == nil {
			img := c.encode(nil, v, exp)
			v2, exp2, err := c.decode(img)
			if err != nil {
				t.Fatalf("re-encoded image does not decode: %v", err)
			}
			if !bytes.Equal(v, v2) || !exp.Equal(exp2) {
				t.Fatalf("round trip changed the entry: %v/%v", exp, exp2)
			}
		} else if !errors.Is(err, errCorrupt) && !errors.Is(err, errEmpty) {
			t.Fatalf("decode error %v is neither errCorrupt nor errEmpty", err)
		}

		want := nanosExpiry(expNanos)
		img := c.encode(nil, value, want)
		got, gotExp, err := c.decode(img)
		if err != nil {
			t.Fatalf("decode(encode(value)): %v", err)
		}
		if !bytes.Equal(got, value) || gotExp.UnixNano() != want.UnixNano() || gotExp.IsZero() != want.IsZero() {
			t.Fatalf("encode/decode: got %d bytes exp %v, want %d bytes exp %v", len(got), gotExp, len(value), want)
		}
	})
}
