package cache

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
)

// The page cache's key formats are Django's (django.utils.cache), so that
// a page stored by us has the key Django would give it:
//
//	views.decorators.cache.cache_header.<prefix>.<md5(absolute URI)>[.<lang>][.<tz>]
//	views.decorators.cache.cache_page.<prefix>.<METHOD>.<md5(absolute URI)>.<md5(header values)>[.<lang>][.<tz>]
//
// Both then go through the alias's KEY_FUNCTION like any other key.

// I18N is what Django's page keys take from the i18n and time-zone
// settings: with UseI18N the active language is added, with UseTZ the
// current time zone.
type I18N struct {
	UseI18N      bool
	LanguageCode string // the active language unless the request carries one (WithLanguage)
	UseTZ        bool
	TimeZone     string // the current time zone unless the request carries one (WithTimeZone)

	def string // the suffix for a request without overrides, when precomputed
}

// withDefaultSuffix precomputes the suffix of requests that carry no
// language or time zone of their own.
func (i I18N) withDefaultSuffix() I18N {
	i.def = i.keySuffix(&http.Request{})
	return i
}

type langKey struct{}
type tzKey struct{}

// WithLanguage makes lang the request's active language (what Django's
// LocaleMiddleware sets as request.LANGUAGE_CODE) for the page cache's keys.
func WithLanguage(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// WithTimeZone makes tz the request's current time zone for the page
// cache's keys (Django's timezone.activate).
func WithTimeZone(ctx context.Context, tz string) context.Context {
	return context.WithValue(ctx, tzKey{}, tz)
}

// keySuffix is Django's _i18n_cache_key_suffix.
func (i I18N) keySuffix(r *http.Request) string {
	if !i.UseI18N && !i.UseTZ {
		return ""
	}
	if i.def != "" && r.Context().Value(langKey{}) == nil && r.Context().Value(tzKey{}) == nil {
		return i.def
	}
	var b strings.Builder
	if i.UseI18N {
		lang := i.LanguageCode
		if l, ok := r.Context().Value(langKey{}).(string); ok && l != "" {
			lang = l
		}
		b.WriteString(".")
		b.WriteString(lang)
	}
	if i.UseTZ {
		tz := i.TimeZone
		if z, ok := r.Context().Value(tzKey{}).(string); ok && z != "" {
			tz = z
		}
		b.WriteString(".")
		b.WriteString(tz)
	}
	return b.String()
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// headerKey is Django's _generate_cache_header_key.
func headerKey(prefix string, r *http.Request, i I18N) string {
	return headerKeyFor(prefix, md5hex(AbsoluteURI(r)), i.keySuffix(r))
}

func headerKeyFor(prefix, uriHash, suffix string) string {
	return "views.decorators.cache.cache_header." + prefix + "." + uriHash + suffix
}

// pageKey is Django's _generate_cache_key.
func pageKey(r *http.Request, method string, headerList []string, prefix string, i I18N) string {
	return pageKeyFor(r, method, headerList, prefix, md5hex(AbsoluteURI(r)), i.keySuffix(r))
}

// md5Empty is md5(""): the header-values hash of a page that varies on
// nothing.
const md5Empty = "d41d8cd98f00b204e9800998ecf8427e"

// absentMarker is what Django 5.2.19 hashes in place of a Vary'd header the
// request lacks, so that an absent header and a present-but-empty one get
// different keys (an empty value adds nothing).
const absentMarker = "-,"

func pageKeyFor(r *http.Request, method string, headerList []string, prefix, uriHash, suffix string) string {
	values := md5Empty
	if len(headerList) > 0 {
		var hashed strings.Builder
		for _, name := range headerList {
			if v, ok := metaValue(r, name); ok {
				hashed.WriteString(v)
			} else {
				hashed.WriteString(absentMarker)
			}
		}
		values = md5hex(hashed.String())
	}
	return "views.decorators.cache.cache_page." + prefix + "." + method + "." + uriHash + "." + values + suffix
}

// metaValue returns request.META[name] for an HTTP_* name: the request
// header's values joined with ",", as WSGI servers join repeated headers.
// Content-Type and Content-Length are CONTENT_TYPE and CONTENT_LENGTH in
// Django's META, never HTTP_*, so a Vary on them finds nothing (absent).
// Host is not in Go's r.Header but in r.Host; Django has it as HTTP_HOST.
func metaValue(r *http.Request, name string) (string, bool) {
	if !strings.HasPrefix(name, "HTTP_") || name == "HTTP_CONTENT_TYPE" || name == "HTTP_CONTENT_LENGTH" {
		return "", false
	}
	if name == "HTTP_HOST" {
		return r.Host, r.Host != ""
	}
	h := strings.ReplaceAll(name[len("HTTP_"):], "_", "-")
	vals, ok := r.Header[http.CanonicalHeaderKey(h)]
	if !ok {
		// Header names with underscores never reach META (Django's servers
		// drop them); the canonical lookup above is the only one.
		return "", false
	}
	return strings.Join(vals, ","), true
}

// headerListFromVary turns a response's Vary header into Django's stored
// header list (learn_cache_key): HTTP_<NAME> per comma-separated entry,
// Accept-Language dropped under i18n (the language is in the key suffix),
// sorted, duplicates and empty entries kept as Django keeps them (an empty
// entry becomes "HTTP_", a name no request has). One deliberate difference:
// each name is trimmed, so "Vary: Cookie " varies on Cookie; Django 5.2.19
// learns "HTTP_COOKIE " and then serves one cookie's page to every other
// (reference rule 104).
func headerListFromVary(h http.Header, i I18N) []string {
	lines, ok := h["Vary"]
	if !ok {
		return []string{}
	}
	list := []string{}
	for _, part := range strings.Split(strings.Join(lines, ","), ",") {
		meta := "HTTP_" + strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(part)), "-", "_")
		if i.UseI18N && meta == "HTTP_ACCEPT_LANGUAGE" {
			continue
		}
		list = append(list, meta)
	}
	sort.Strings(list)
	return list
}
