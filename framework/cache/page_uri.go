package cache

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// AbsoluteURI is Django's request.build_absolute_uri() as the page cache's
// keys hash it: scheme, the raw Host, and the full path with its query
// string, spelled as Django spells them:
//
//   - the path is the decoded path (so %2F is "/" and %c3%a9 is "é"),
//     bytes that are not UTF-8 re-percent-encoded and the "%" of that
//     escaped again, then escaped keeping only letters, digits and
//     /:@&+$,-_.!~*'() (escape_uri_path, upper-case hex);
//   - "/./" and "/../" segments are resolved as urljoin resolves them
//     (empty segments between them dropped);
//   - the query is the raw query string, with every byte that is not
//     ASCII read as Latin-1 (as WSGI servers hand it over) and then
//     UTF-8 percent-encoded, and other unsafe ASCII escaped (iri_to_uri).
//
// A request for /a/../b/ and one for /b/ therefore share a page, and so do
// /%c3%a9/ and /%C3%A9/.
func AbsoluteURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + djangoFullPath(r.URL.Path, r.URL.RawQuery)
}

// djangoFullPath is get_full_path() plus build_absolute_uri's resolution of
// dot segments.
func djangoFullPath(path, rawQuery string) string {
	if path == "" {
		path = "/"
	}
	p := quoteDjango(repercentBrokenUTF8(path), pathSafe)
	if strings.Contains(p, "/./") || strings.Contains(p, "/../") {
		p = resolveDots(p)
	}
	if rawQuery == "" {
		return p
	}
	return p + "?" + quoteDjango(latin1ToUTF8(rawQuery), iriSafe)
}

// The bytes Python's quote() leaves alone with Django's safe sets: letters,
// digits, "_.-~" always, plus escape_uri_path's or iri_to_uri's extras.
var (
	pathSafe = safeSet("/:@&+$,-_.!~*'()")
	iriSafe  = safeSet("/#%[]=:;$&()+,!?*@'~")
)

func safeSet(extra string) *[256]bool {
	var s [256]bool
	for c := 'a'; c <= 'z'; c++ {
		s[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		s[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		s[c] = true
	}
	for _, c := range "_.-~" + extra {
		s[c] = true
	}
	return &s
}

// quoteDjango percent-encodes (upper-case hex) every byte of s outside
// safe, as Python's urllib.parse.quote does on UTF-8 bytes.
func quoteDjango(s string, safe *[256]bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !safe[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if safe[c] {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

// repercentBrokenUTF8 is Django's repercent_broken_unicode: each byte that
// is not part of valid UTF-8 becomes "%XX" (which escape_uri_path then
// escapes again, to "%25XX", as Django does).
func repercentBrokenUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(quoteDjango(s[i:i+1], iriSafe))
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// latin1ToUTF8 reads each byte of s as a Latin-1 character, as a WSGI
// server hands Django the query string.
func latin1ToUTF8(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			b := make([]byte, 0, len(s)+8)
			for j := 0; j < len(s); j++ {
				b = utf8.AppendRune(b, rune(s[j]))
			}
			return string(b)
		}
	}
	return s
}

// resolveDots resolves "." and ".." segments of an absolute path as
// Python's urljoin does for an absolute reference: ".." above the root
// stays at the root, empty segments are kept, and a path ending in "." or
// ".." ends with "/".
func resolveDots(p string) string {
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case ".":
		default:
			out = append(out, s)
		}
	}
	if last := segs[len(segs)-1]; last == "." || last == ".." {
		out = append(out, "")
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}
