package views

import (
	"net/http"
	"strings"
)

// CacheTagsHeader is the response header CacheTags writes. Each page cache
// reads it and stores the page under those tags; the outermost removes it
// from the response. Without a page cache in front it reaches the client.
const CacheTagsHeader = "X-Gojango-Cache-Tags"

// CacheTags tags the page the view is writing (beyond Django): when the
// page cache stores it, cache.InvalidateTags with any of the tags makes it
// a miss, every variant of it, in every process sharing the cache. Call it
// before the response's first write.
func CacheTags(w http.ResponseWriter, tags ...string) {
	if len(tags) > 0 {
		w.Header().Add(CacheTagsHeader, strings.Join(tags, ","))
	}
}

// ReadCacheTags returns the tags CacheTags put in h.
func ReadCacheTags(h http.Header) []string {
	var tags []string
	for _, line := range h[CacheTagsHeader] { // the name is canonical: no re-canonicalising per call
		for _, t := range strings.Split(line, ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
	}
	return tags
}
