package cache

import (
	"hash/maphash"
	"net/http"
	"sync/atomic"
)

// keyMemo remembers the page cache's keys per URL and per variant (beyond
// Django; the keys are Django's byte for byte), so that a hit builds no
// string and computes no md5 it has computed before. An entry is used
// only when every input of the key equals the request's: scheme, Host,
// path, query, key prefix and i18n suffix for the URL; the header list
// (the very list the page memo decoded) and each Vary'd header's value,
// present or absent, for the variant. So no request can be handed
// another URL's or another variant's key.
type keyMemo struct {
	seed  maphash.Seed
	slots [1024]atomic.Pointer[urlKeys]
}

// urlKeys are one URL's keys.
type urlKeys struct {
	tls                      bool
	host, path, query        string
	prefix, suffix           string
	uriHash                  string
	headerKey, headerKeyMade string // unmade (memo, flights) and made by the alias's key function
	variants                 [4]atomic.Pointer[variantKeys]
	nextVariant              atomic.Uint32
}

// variantKeys are the GET page keys of one variant of a URL.
type variantKeys struct {
	list       []string // the header list they were computed for
	values     []string // each listed header's value ("" when absent)
	present    []bool
	getKey     string
	getKeyMade string
}

func newKeyMemo() *keyMemo { return &keyMemo{seed: maphash.MakeSeed()} }

// forURL returns the URL keys of r under prefix and suffix in c.
func (m *keyMemo) forURL(r *http.Request, c *Cache, prefix, suffix string) (*urlKeys, error) {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(r.Host)
	h.WriteString(r.URL.Path)
	h.WriteString(r.URL.RawQuery)
	h.WriteString(prefix)
	slot := &m.slots[h.Sum64()%uint64(len(m.slots))]
	tls := r.TLS != nil
	if u := slot.Load(); u != nil && u.tls == tls && u.host == r.Host && u.path == r.URL.Path &&
		u.query == r.URL.RawQuery && u.prefix == prefix && u.suffix == suffix {
		return u, nil
	}
	u := &urlKeys{tls: tls, host: r.Host, path: r.URL.Path, query: r.URL.RawQuery, prefix: prefix, suffix: suffix,
		uriHash: md5hex(AbsoluteURI(r))}
	u.headerKey = headerKeyFor(prefix, u.uriHash, suffix)
	made, err := c.makeKey(u.headerKey, c.defaultVersion)
	if err != nil {
		return nil, err
	}
	u.headerKeyMade = made
	slot.Store(u)
	return u, nil
}

// variant returns the GET page keys of r's variant for header list.
func (u *urlKeys) variant(r *http.Request, c *Cache, list []string) (*variantKeys, error) {
	for i := range u.variants {
		if v := u.variants[i].Load(); v != nil && v.matches(r, list) {
			return v, nil
		}
	}
	v := &variantKeys{list: list, values: make([]string, len(list)), present: make([]bool, len(list)),
		getKey: pageKeyFor(r, http.MethodGet, list, u.prefix, u.uriHash, u.suffix)}
	for i, name := range list {
		v.values[i], v.present[i] = metaValue(r, name)
	}
	made, err := c.makeKey(v.getKey, c.defaultVersion)
	if err != nil {
		return nil, err
	}
	v.getKeyMade = made
	u.variants[u.nextVariant.Add(1)%uint32(len(u.variants))].Store(v)
	return v, nil
}

// matches reports whether r has exactly the header values v was computed
// for, under the same header list.
func (v *variantKeys) matches(r *http.Request, list []string) bool {
	if len(list) != len(v.list) {
		return false
	}
	for i, name := range list {
		if name != v.list[i] {
			return false
		}
	}
	for i, name := range list {
		val, ok := metaValue(r, name)
		if ok != v.present[i] || val != v.values[i] {
			return false
		}
	}
	return true
}
