package cache

// Test-only access for the external test package.
var MD5Hex = md5hex

// WaitPageRefreshes waits for the background refreshes of the current
// Handler's page caches on alias to finish.
func WaitPageRefreshes(alias string) {
	Current().sharedObject("page cache "+alias, newPageShared).(*pageShared).refreshes.Wait()
}

// IndexKey is the page index's counter key for a URL (page_expire.go).
func IndexKey(prefix, rawURI string) string { return indexKey(prefix, rawURI) }
