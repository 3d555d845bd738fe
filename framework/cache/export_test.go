package cache

// Test-only access for the external test package.
var MD5Hex = md5hex

// IndexKey is the page index's counter key for a URL (page_expire.go).
func IndexKey(prefix, rawURI string) string { return indexKey(prefix, rawURI) }
