package file

// On-disk format of one cache file (<dir>/<md5hex(key)>.djcache).
//
// Django pickles the expiry and then zlib-compresses the pickled value. We
// keep the shape (expiry first, then the compressed value) in a format of our
// own that can be checked without trusting a byte of it:
//
//	offset  size  field
//	     0     4  magic "GJFC" (gojango file cache)
//	     4     1  format version, 1
//	     5     1  flags: bit 0 set = the payload is zlib-compressed;
//	              every other bit must be 0
//	     6     2  reserved, must be 0
//	     8     8  expiry: int64 big-endian Unix nanoseconds; 0 = never expires
//	    16     8  value length before compression: uint64 big-endian
//	    24     4  CRC-32C (Castagnoli), big-endian, of bytes [0,24) followed by
//	              the payload: the checksum covers the header and the value
//	    28     -  payload, up to the end of the file: the value, zlib-compressed
//	              when flag bit 0 is set, raw otherwise
//
// Values shorter than compressMin bytes, and values that zlib does not
// shrink, are stored raw (flag bit 0 clear). A value of probeMin bytes or more
// is compressed only if its first probeSize bytes shrink by an eighth: large
// incompressible values (random, already compressed) are not run through
// zlib for nothing.
//
// A file that is empty is an expired entry (Django's rule: EOF while reading
// the expiry reads as an expiry in the past). A file that is too short, has
// another magic, version or flag, fails its checksum, or whose payload does
// not decompress to exactly the recorded length is corrupt: the store treats
// it as a miss and removes it. Files are never written in place (see
// writeTemp and Store.Set), so a reader never meets a half-written file; the
// checksum also catches what a crash of the machine may leave behind, which
// is why the store does not fsync.

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"sync"
	"time"
)

const (
	magic        = "GJFC"
	formatV1     = 1
	flagZlib     = 1 << 0
	headerSize   = 28
	compressMin  = 256     // values shorter than this are stored raw
	probeMin     = 1 << 17 // values this long are probed before compressing
	probeSize    = 1 << 15 // how much of the value the probe compresses
	maxPrealloc  = 1 << 26 // never preallocate more than 64 MiB on a length read from disk
	expiryOffset = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errCorrupt marks a file whose content is not a valid cache entry.
var errCorrupt = errors.New("corrupt cache file")

// errEmpty marks an empty file: an expired entry (Django's rule 52).
var errEmpty = errors.New("empty cache file")

// codec holds the zlib writers and readers a store reuses. The zero value is
// ready to use.
type codec struct {
	writers sync.Pool // *zlib.Writer
	readers sync.Pool // io.ReadCloser implementing zlib.Resetter
}

// expiryNanos turns an expiry into the header's int64: 0 for never, the Unix
// nanoseconds otherwise, clamped to what an int64 holds. An expiry exactly at
// the Unix epoch is written as -1 ns, so it stays distinct from "never" (it is
// long expired either way).
func expiryNanos(exp time.Time) int64 {
	if exp.IsZero() {
		return 0
	}
	switch {
	case exp.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	case exp.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	}
	n := exp.UnixNano()
	if n == 0 {
		n = -1
	}
	return n
}

// nanosExpiry is the inverse of expiryNanos.
func nanosExpiry(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// encode appends the file image of value with expiry exp to dst and returns
// it.
func (c *codec) encode(dst, value []byte, exp time.Time) []byte {
	start := len(dst)
	dst = slices.Grow(dst, headerSize+len(value)) // room for the raw form
	var hdr [headerSize]byte
	copy(hdr[0:4], magic)
	hdr[4] = formatV1
	binary.BigEndian.PutUint64(hdr[8:16], uint64(expiryNanos(exp)))
	binary.BigEndian.PutUint64(hdr[16:24], uint64(len(value)))
	dst = append(dst, hdr[:]...)

	stored := false
	if len(value) >= compressMin && (len(value) < probeMin || c.compressible(value[:probeSize])) {
		buf := bytes.NewBuffer(dst)
		w, _ := c.writers.Get().(*zlib.Writer)
		if w == nil {
			// BestSpeed: the level is a constant, the error cannot happen.
			w, _ = zlib.NewWriterLevel(buf, zlib.BestSpeed)
		} else {
			w.Reset(buf)
		}
		_, werr := w.Write(value)
		cerr := w.Close()
		w.Reset(io.Discard) // do not keep dst alive from the pool
		c.writers.Put(w)
		out := buf.Bytes()
		if werr == nil && cerr == nil && len(out)-start-headerSize < len(value) {
			dst = out
			dst[start+5] = flagZlib
			stored = true
		} else {
			dst = out[:start+headerSize]
		}
	}
	if !stored {
		dst = append(dst, value...)
	}
	sum := crc32.Update(0, castagnoli, dst[start:start+24])
	sum = crc32.Update(sum, castagnoli, dst[start+headerSize:])
	binary.BigEndian.PutUint32(dst[start+24:start+28], sum)
	return dst
}

// compressible reports whether zlib shrinks sample by at least an eighth.
func (c *codec) compressible(sample []byte) bool {
	var cw countWriter
	w, _ := c.writers.Get().(*zlib.Writer)
	if w == nil {
		w, _ = zlib.NewWriterLevel(&cw, zlib.BestSpeed)
	} else {
		w.Reset(&cw)
	}
	_, werr := w.Write(sample)
	cerr := w.Close()
	w.Reset(io.Discard)
	c.writers.Put(w)
	return werr == nil && cerr == nil && cw.n <= len(sample)-len(sample)/8
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

// header is the decoded fixed part of a file.
type header struct {
	exp    time.Time
	rawLen uint64
	flags  byte
}

// parseHeader checks the fixed part of a file image (at least headerSize
// bytes) and returns it. It does not check the checksum. An empty b is
// errEmpty.
func parseHeader(b []byte) (header, error) {
	if len(b) == 0 {
		return header{}, errEmpty
	}
	if len(b) < headerSize {
		return header{}, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", errCorrupt, len(b), headerSize)
	}
	if string(b[0:4]) != magic {
		return header{}, fmt.Errorf("%w: bad magic %q", errCorrupt, b[0:4])
	}
	if b[4] != formatV1 {
		return header{}, fmt.Errorf("%w: unknown format version %d", errCorrupt, b[4])
	}
	if b[5]&^flagZlib != 0 || b[6] != 0 || b[7] != 0 {
		return header{}, fmt.Errorf("%w: unknown flags %#x %#x %#x", errCorrupt, b[5], b[6], b[7])
	}
	return header{
		exp:    nanosExpiry(int64(binary.BigEndian.Uint64(b[8:16]))),
		rawLen: binary.BigEndian.Uint64(b[16:24]),
		flags:  b[5],
	}, nil
}

// verify checks a whole file image, short of inflating a compressed value:
// its header, its checksum and, for a raw value, its length. Any defect is
// errCorrupt (or errEmpty for an empty image). The checksum covers every
// byte, so what verify accepts decodes unless it was forged.
func verify(b []byte) (header, error) {
	h, err := parseHeader(b)
	if err != nil {
		return header{}, err
	}
	payload := b[headerSize:]
	sum := crc32.Update(0, castagnoli, b[0:24])
	sum = crc32.Update(sum, castagnoli, payload)
	if want := binary.BigEndian.Uint32(b[24:28]); sum != want {
		return header{}, fmt.Errorf("%w: checksum %08x, header says %08x", errCorrupt, sum, want)
	}
	if h.flags&flagZlib == 0 && uint64(len(payload)) != h.rawLen {
		return header{}, fmt.Errorf("%w: %d value bytes, header says %d", errCorrupt, len(payload), h.rawLen)
	}
	return h, nil
}

// decode checks a whole file image and returns its value and expiry. Any
// defect is errCorrupt (or errEmpty for an empty image); decode never panics.
// The returned value does not alias b when it was compressed, and does
// otherwise.
func (c *codec) decode(b []byte) ([]byte, time.Time, error) {
	h, err := verify(b)
	if err != nil {
		return nil, time.Time{}, err
	}
	v, err := c.value(b, h)
	if err != nil {
		return nil, time.Time{}, err
	}
	return v, h.exp, nil
}

// value returns the value of b, an image verify accepted with header h,
// inflating it if it is compressed (which may still find it corrupt).
func (c *codec) value(b []byte, h header) ([]byte, error) {
	payload := b[headerSize:]
	if h.flags&flagZlib == 0 {
		return payload, nil
	}
	return c.inflate(payload, h.rawLen)
}

// inflate decompresses payload, which must hold exactly rawLen bytes of
// value.
func (c *codec) inflate(payload []byte, rawLen uint64) ([]byte, error) {
	src := bytes.NewReader(payload)
	var zr io.ReadCloser
	if r, ok := c.readers.Get().(io.ReadCloser); ok {
		if err := r.(zlib.Resetter).Reset(src, nil); err != nil {
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		zr = r
	} else {
		r, err := zlib.NewReader(src)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errCorrupt, err)
		}
		zr = r
	}
	defer c.readers.Put(zr)

	limit := rawLen
	if limit > math.MaxInt64-1 {
		limit = math.MaxInt64 - 1
	}
	var out bytes.Buffer
	out.Grow(int(min(rawLen, maxPrealloc)))
	n, err := out.ReadFrom(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if uint64(n) != rawLen {
		return nil, fmt.Errorf("%w: %d value bytes after inflating, header says %d", errCorrupt, n, rawLen)
	}
	// n == rawLen < the limit means the zlib stream itself ended, and zlib
	// checks its Adler-32 trailer before reporting EOF.
	return out.Bytes(), nil
}

// reexpire changes the expiry of a valid file image in place, recomputes its
// checksum and returns it. The payload is kept byte for byte.
func reexpire(img []byte, exp time.Time) []byte {
	binary.BigEndian.PutUint64(img[expiryOffset:expiryOffset+8], uint64(expiryNanos(exp)))
	sum := crc32.Update(0, castagnoli, img[0:24])
	sum = crc32.Update(sum, castagnoli, img[headerSize:])
	binary.BigEndian.PutUint32(img[24:28], sum)
	return img
}
