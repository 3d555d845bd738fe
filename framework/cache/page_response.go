package cache

import (
	"encoding/binary"
	"errors"
	"net/http"
)

// storedResponse is a whole response as the page cache keeps it: status,
// headers (Set-Cookie included, as Django pickles the response with its
// cookies) and body.
type storedResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

const pageFormat byte = 'P' // first byte of an encoded response, then version 1

var errCorruptPage = errors.New("corrupt cached page")

// marshal encodes the response in a compact binary form:
// 'P' 1 | status uvarint | header count uvarint | per header: name, value
// count, values (each uvarint length + bytes) | body length uvarint + body.
func (s *storedResponse) marshal() []byte {
	n := 16 + len(s.Body)
	for k, vs := range s.Header {
		n += len(k) + 4
		for _, v := range vs {
			n += len(v) + 2
		}
	}
	b := make([]byte, 0, n)
	b = append(b, pageFormat, 1)
	b = binary.AppendUvarint(b, uint64(s.Status))
	b = binary.AppendUvarint(b, uint64(len(s.Header)))
	for k, vs := range s.Header {
		b = appendString(b, k)
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			b = appendString(b, v)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.Body)))
	return append(b, s.Body...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// unmarshalResponse decodes what marshal wrote; anything else is an error
// (and the page cache treats it as a miss). The body aliases b.
func unmarshalResponse(b []byte) (*storedResponse, error) {
	if len(b) < 2 || b[0] != pageFormat || b[1] != 1 {
		return nil, errCorruptPage
	}
	d := decoder{b: b[2:]}
	s := &storedResponse{Status: int(d.uvarint())}
	nh := d.uvarint()
	if d.err != nil || nh > uint64(len(d.b)) {
		return nil, errCorruptPage
	}
	s.Header = make(http.Header, nh)
	for i := uint64(0); i < nh; i++ {
		k := d.str()
		nv := d.uvarint()
		if d.err != nil || nv > uint64(len(d.b)) {
			return nil, errCorruptPage
		}
		vs := make([]string, nv)
		for j := range vs {
			vs[j] = d.str()
		}
		s.Header[k] = vs
	}
	s.Body = d.bytes()
	if d.err != nil || len(d.b) != 0 || s.Status < 100 || s.Status > 999 {
		return nil, errCorruptPage
	}
	return s, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorruptPage
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errCorruptPage
		return nil
	}
	out := d.b[:n:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) str() string { return string(d.bytes()) }
