package file

// Django's own file format, used when the alias's serializer is "pickle"
// (OPTIONS.SERIALIZER): what django.core.cache.backends.filebased writes,
// so a Django process and ours share one directory. A file is
//
//	pickle.dumps(expiry)  zlib.compress(pickle.dumps(value))
//
// where expiry is the Unix time as a Python float, or None for never.
// There is no checksum: a file whose expiry does not read as a float or
// None, or whose rest does not inflate, is corrupt (a miss, removed), as
// Django's reads would raise on it.

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/serializer"
	"gojango/framework/cache/serializer/pickle"
)

// maxInflate bounds what one Django-format file may inflate to (a corrupt
// or hostile file is not inflated without end).
const maxInflate = 1 << 30

// djangoFormat reads and writes Django's file format with whole gives the
// value's whole pickle.
type djangoFormat struct{ whole serializer.Whole }

// encode returns the file image of the front's value with expiry exp.
func (d djangoFormat) encode(dst, value []byte, exp time.Time) []byte {
	var e any // None: never expires
	if !exp.IsZero() {
		e = float64(exp.UnixNano()) / 1e9
	}
	head, _ := pickle.Dumps(e) // a float or None always pickles
	dst = append(dst, head...)
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write(d.whole.ToWhole(value)) // a bytes.Buffer never fails
	_ = w.Close()
	return append(dst, buf.Bytes()...)
}

// expiry reads the leading expiry pickle and returns it with the offset of
// the compressed value.
func (djangoFormat) expiry(img []byte) (time.Time, int, error) {
	v, n, err := pickle.LoadsPrefix(img)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("%w: expiry: %v", errCorrupt, err)
	}
	switch x := v.(type) {
	case nil:
		return time.Time{}, n, nil
	case float64:
		return floatExpiry(x), n, nil
	case int64:
		return floatExpiry(float64(x)), n, nil
	}
	return time.Time{}, 0, fmt.Errorf("%w: expiry of Python type %T", errCorrupt, v)
}

func floatExpiry(f float64) time.Time {
	switch {
	case math.IsNaN(f) || f < -1e10:
		return time.Unix(0, 1) // long expired
	case f > 1e11:
		return time.Unix(1e11, 0)
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(frac*1e9))
	if t.IsZero() {
		t = t.Add(time.Nanosecond)
	}
	return t
}

// value inflates the value after the expiry and returns the front's form.
func (d djangoFormat) value(img []byte, off int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(img[off:]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	defer zr.Close()
	var out bytes.Buffer
	n, err := out.ReadFrom(io.LimitReader(zr, maxInflate+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if n > maxInflate {
		return nil, fmt.Errorf("%w: inflates past %d bytes", errCorrupt, maxInflate)
	}
	return d.whole.FromWhole(out.Bytes()), nil
}

// loadDjango is load for a Django-format file f (opened, not empty).
func (s *Store) loadDjango(f io.Reader, l loaded, decode bool) (loaded, error) {
	img, err := io.ReadAll(io.LimitReader(f, maxInflate))
	if err != nil {
		return loaded{}, err
	}
	exp, off, err := s.django.expiry(img)
	if err != nil {
		l.state, l.err = corrupt, err
		return l, nil
	}
	l.exp = exp
	if cache.Expired(exp, s.now()) {
		l.state = expired
		return l, nil
	}
	if !decode {
		l.state = live
		return l, nil
	}
	v, err := s.django.value(img, off)
	if err != nil {
		l.state, l.err = corrupt, err
		return l, nil
	}
	l.state, l.img, l.value = live, img, v
	return l, nil
}
