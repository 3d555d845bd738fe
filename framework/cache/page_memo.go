package cache

import (
	"hash/maphash"
	"net/http"
	"strconv"
	"sync/atomic"
	"unsafe"

	"gojango/framework/views"
)

// pageMemo remembers what the page cache decoded from stored bytes, so a
// hit on an in-process store (locmem returns the very slice it stored)
// does not decode the same page again. It is a small direct-mapped table:
// an entry is reused only when its key matches and the stored bytes are the
// same slice (same address and length), which for an immutable stored
// value means the same value. Other stores return fresh bytes on every
// read, so they simply always decode.
type pageMemo struct {
	seed  maphash.Seed
	slots [512]atomic.Pointer[memoEntry]
}

type memoEntry struct {
	key string
	raw []byte
	val any
}

func newPageMemo() *pageMemo { return &pageMemo{seed: maphash.MakeSeed()} }

func (m *pageMemo) slot(key string) *atomic.Pointer[memoEntry] {
	return &m.slots[maphash.String(m.seed, key)%uint64(len(m.slots))]
}

func (m *pageMemo) get(key string, raw []byte) (any, bool) {
	e := m.slot(key).Load()
	if e == nil || e.key != key || len(e.raw) != len(raw) || unsafe.SliceData(e.raw) != unsafe.SliceData(raw) {
		return nil, false
	}
	return e.val, true
}

func (m *pageMemo) put(key string, raw []byte, val any) {
	m.slot(key).Store(&memoEntry{key: key, raw: raw, val: val})
}

// cachedPage is a stored response decoded once, with what a hit needs
// worked out in advance.
type cachedPage struct {
	resp          *storedResponse
	header        []headerField // resp.Header as a list, for a hit to copy without a map iterator
	maxAge        int64
	expires       int64 // Unix seconds
	hasAge        bool  // both max-age and a parseable Expires: Django 5.1's Age
	contentLength []string
	route         atomic.Pointer[pageRouteCounters] // the route it was served on (page_stats.go)
	age           atomic.Pointer[ageHeader]         // the last Age value written, reused while it holds
}

// headerField is one header of a cached page.
type headerField struct {
	name string
	vals []string
}

// ageHeader is an Age header value ready to be set.
type ageHeader struct {
	age  int64
	vals []string
}

// ageValues returns the Age header for age, made once per distinct value.
func (p *cachedPage) ageValues(age int64) []string {
	if a := p.age.Load(); a != nil && a.age == age {
		return a.vals
	}
	a := &ageHeader{age: age, vals: []string{strconv.FormatInt(age, 10)}}
	p.age.Store(a)
	return a.vals
}

func newCachedPage(resp *storedResponse) *cachedPage {
	p := &cachedPage{resp: resp}
	p.header = make([]headerField, 0, len(resp.Header))
	for k, vs := range resp.Header {
		vs = vs[:len(vs):len(vs)] // an Add downstream copies instead of writing into ours
		resp.Header[k] = vs
		p.header = append(p.header, headerField{k, vs})
	}
	if maxAge, ok := views.GetMaxAge(resp.Header); ok {
		if exp, err := http.ParseTime(resp.Header.Get("Expires")); err == nil {
			p.maxAge, p.expires, p.hasAge = int64(maxAge), exp.Unix(), true
		}
	}
	if resp.Header.Get("Content-Length") == "" {
		p.contentLength = []string{strconv.Itoa(len(resp.Body))}
	}
	return p
}
