package views

import (
	"net/http"
	"strings"
)

// CacheTagsHeader is the response header CacheTags writes. The page cache
// reads it, stores the page under those tags and removes it from the
// response; without a page cache in front it reaches the client.
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

// TakeCacheTags returns the tags CacheTags put in h and removes the header.
func TakeCacheTags(h http.Header) []string {
	var tags []string
	for _, line := range h.Values(CacheTagsHeader) {
		for _, t := range strings.Split(line, ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
	}
	h.Del(CacheTagsHeader)
	return tags
}
