package conformance

import "time"

// Request headers the cases use.
const (
	alice   = "Cookie: u=alice"
	bob     = "Cookie: u=bob"
	session = "Cookie: sessionid=abc123"
	basicA  = "Authorization: Basic a"
	basicB  = "Authorization: Basic b"
)

// Query strings of the parameterised view (see djangotwin/twin/views.py).
const (
	setCookieVaryCookie = "vary=Cookie&setcookie=sessionid"
	maxAge1             = "cc=max-age%3D1"
)

// expireWait outlasts a 1-second entry; a 5-second one is still live.
const expireWait = 2200 * time.Millisecond

// variant picks the cache_page / cache.Page variant behind /v/ in view mode
// (djangotwin/twin/urls.py, gotwin/urls.go).
func variant(name string) string { return "X-Twin-Cache: " + name }

// ruleCases are the page-cache rules of the reference that show over HTTP:
// "Changed in recent Django" items (changedN) and §7 rules (ruleN), each in
// every entry unless it names its entries.
var ruleCases = []Case{
	// Changed 1: an absent Vary'd header hashes "-," and an empty one nothing.
	{Name: "changed1/absent-vs-empty-vary-header", Steps: []Step{get("vary=Pony"), get("vary=Pony", "Pony: ")}},
	// Changed 2: Set-Cookie with Vary: Cookie is never stored, whatever the request's cookies.
	{Name: "changed2/set-cookie-vary-cookie-request-with-cookie", Steps: twice(get(setCookieVaryCookie, alice))},
	{Name: "changed2/set-cookie-vary-cookie-request-without-cookie", Steps: twice(get(setCookieVaryCookie))},
	// Changed 3: Cache-Control lower-cased; private, no-cache, no-store as substrings.
	{Name: "changed3/cache-control-Private", Steps: twice(get("cc=Private"))},
	{Name: "changed3/cache-control-NO-STORE", Steps: twice(get("cc=NO-STORE"))},
	{Name: "changed3/cache-control-No-Cache", Steps: twice(get("cc=No-Cache"))},
	{Name: "changed3/cache-control-proxy-private", Steps: twice(get("cc=proxy-private"))},
	// Changed 4: Vary: * is never stored.
	{Name: "changed4/vary-star", Steps: twice(get("vary=*"))},
	// Changed 5: has_vary_header trims the names.
	{Name: "changed5/vary-star-padded", Steps: twice(get("vary=Accept%20,%20%20*%20"))},
	{Name: "changed5/vary-cookie-padded-with-set-cookie", Steps: twice(get("vary=Cookie%20&setcookie=sessionid", alice))},
	// Changed 6: Authorization without public adds Vary: Authorization.
	{Name: "changed6/authorization-adds-vary", Steps: []Step{get("", basicA), get("", basicA), get("", basicB), get("")}},
	{Name: "changed6/public-shares-across-authorization", Steps: []Step{get("cc=public", basicA), get("cc=public", basicB)}},
	{Name: "changed6/empty-authorization-is-absent", Steps: []Step{get("", "Authorization: "), get("")}},
	// Changed 9: header names with "_" are dropped (runserver does it too).
	{Name: "changed9/x_user-header-dropped", Steps: []Step{get("vary=X-User", "X_User: alice"), get("vary=X-User", "X_User: bob"), get("vary=X-User", "X-User: alice")}},

	{Name: "rule78/query-string-separate", Steps: []Step{get("x=1"), get("x=2"), get("x=1")}},
	// USE_I18N is off in the twins, so rule 79's per-language keys show as
	// Vary: Accept-Language keys.
	{Name: "rule79/accept-language-vary-without-i18n", Steps: []Step{
		get("vary=Accept-Language", "Accept-Language: fr"), get("vary=Accept-Language", "Accept-Language: de"), get("vary=Accept-Language", "Accept-Language: fr")}},
	{Name: "rule80/streaming-never-cached", Steps: twice(get("stream=1"))},
	{Name: "rule81/get-then-head", Steps: []Step{get(""), head("")}},
	{Name: "rule81/head-then-head", Steps: []Step{head(""), head("")}},
	{Name: "rule81/head-then-get", Steps: []Step{head(""), get("")}},

	// Rules 83-85 put one URL behind differently configured cache_page
	// wrappers (view mode's /v/ only).
	{Name: "rule83/key-prefixes-separate", Entries: []string{"view"}, Steps: []Step{
		get("", variant("600-pa")), get("", variant("600-pb")), get("", variant("600-pa")), get("", variant("600"))}},
	{Name: "rule83/same-prefix-other-timeout-shares", Entries: []string{"view"}, Steps: []Step{
		get("", variant("600-pa")), get("", variant("300-pa"))}},
	{Name: "rule84/explicit-default-alias-shares", Entries: []string{"view"}, Steps: []Step{
		get("", variant("600")), get("", variant("600-default"))}},
	{Name: "rule84/other-alias-separate", Entries: []string{"view"}, Steps: []Step{
		get("", variant("600")), get("", variant("600-other")), get("", variant("600-other"))}},
	{Name: "rule84/short-timeout-expires-per-alias", Entries: []string{"view"}, Steps: []Step{
		get("", variant("1-other")), get("", variant("5")),
		get("", variant("1-other")).after(expireWait), get("", variant("5"))}},
	{Name: "rule85/page-timeout-beats-short-max-age", Entries: []string{"view"}, Steps: []Step{
		get(maxAge1, variant("5")), get(maxAge1, variant("5")).after(expireWait)}},
	{Name: "rule85/page-timeout-beats-long-max-age", Entries: []string{"view"}, Steps: []Step{
		get("cc=max-age%3D5", variant("1")), get("cc=max-age%3D5", variant("1")).after(expireWait)}},
	// Per site, max-age beats CACHE_MIDDLEWARE_SECONDS; per view, the page
	// timeout (600) beats max-age.
	{Name: "rule85/max-age-1", Steps: []Step{get(maxAge1), get(maxAge1).after(expireWait)}},

	{Name: "rule86/private", Steps: twice(get("cc=private"))},
	{Name: "rule86/PRIVATE", Steps: twice(get("cc=PRIVATE"))},
	{Name: "rule86/max-age-60-NO-CACHE", Steps: twice(get("cc=max-age%3D60,%20NO-CACHE"))},
	{Name: "rule86/no-cache-set-cookie-field", Steps: twice(get("cc=no-cache%3D%22Set-Cookie%22"))},
	{Name: "rule86/no-store", Steps: twice(get("cc=no-store"))},
	{Name: "rule87/vary-accept-COOKIE-set-cookie-with-cookie", Steps: twice(get("vary=Accept,%20COOKIE&setcookie=csrftoken", alice))},
	{Name: "rule87/vary-accept-COOKIE-set-cookie-without-cookie", Steps: twice(get("vary=Accept,%20COOKIE&setcookie=csrftoken"))},
	{Name: "rule88/304-from-view-not-cached", Steps: twice(get("status=304"))},
	{Name: "rule92/absent-and-empty-each-hit-own-entry", Steps: []Step{
		get("vary=Pony"), get("vary=Pony", "Pony: "), get("vary=Pony"), get("vary=Pony", "Pony: ")}},
	{Name: "rule93/dash-comma-value-hashes-like-absent", Steps: []Step{get("vary=X-A", "X-A: -,"), get("vary=X-A")}},
	{Name: "rule93/values-shift-between-headers", Steps: []Step{
		get("vary=X-A,X-B", "X-A: ab", "X-B: "), get("vary=X-A,X-B", "X-A: a", "X-B: b")}},
	{Name: "rule93/dash-comma-shifts-into-absent", Steps: []Step{
		get("vary=X-A,X-B", "X-A: x-,", "X-B: "), get("vary=X-A,X-B", "X-A: x")}},
	// Rule 94: a skipped response is untouched: no Expires, no max-age, no Vary: Authorization.
	{Name: "rule94/private-with-authorization-untouched", Steps: []Step{get("cc=private", basicA)}},
	{Name: "rule94/vary-star-with-authorization-untouched", Steps: []Step{get("vary=*", basicA)}},
	{Name: "rule94/streaming-with-authorization-untouched", Steps: []Step{get("stream=1", basicA)}},
	{Name: "rule94/status-404-with-authorization-untouched", Steps: twice(get("status=404", basicA))},
	{Name: "rule94/set-cookie-vary-cookie-with-authorization-untouched", Steps: []Step{get(setCookieVaryCookie, basicA)}},
	{Name: "rule94/max-age-0-with-authorization", Steps: twice(get("cc=max-age%3D0", basicA))},
	{Name: "rule95/vary-cookie-star", Steps: twice(get("vary=Cookie,%20*"))},
	{Name: "rule95/vary-star-trailing-space", Steps: twice(get("vary=*%20"))},
	{Name: "rule96/set-cookie-without-vary-replayed", Steps: []Step{get("setcookie=sessionid", alice), get("setcookie=sessionid", bob)}},
	{Name: "rule97/authorization-basic-a-hits", Steps: twice(get("", basicA))},
	{Name: "rule97/authorization-basic-b-misses", Steps: []Step{get("", basicA), get("", basicB)}},
	{Name: "rule97/no-authorization-misses", Steps: []Step{get("", basicA), get("")}},
	{Name: "rule97/Public-shares", Steps: []Step{get("cc=Public", basicA), get("cc=Public", basicB)}},
	{Name: "rule97/appended-to-existing-vary", Steps: twice(get("vary=Accept", basicA, "Accept: text/plain"))},
	{Name: "rule98/vary-authorization-on-304", Steps: []Step{get("status=304", basicA)}},
	{Name: "rule98/vary-authorization-on-cache-page-0", Entries: []string{"view"}, Steps: twice(get("", basicA, variant("0")))},
	{Name: "rule99/age-on-hits", Steps: []Step{get(""), get(""), get("").after(1200 * time.Millisecond)}},
	// Rule 100: ALLOWED_HOSTS before the cache; allowed spellings are separate pages.
	{Name: "rule100/disallowed-host-nothing-cached", Steps: []Step{get("").host("evil.com"), get("")}},
	{Name: "rule100/userinfo-host-rejected", Steps: []Step{get("").host("example.com@evil.com")}},
	{Name: "rule100/empty-host-rejected", Steps: []Step{get("").host("")}},
	{Name: "rule100/host-letter-case-separate", Steps: []Step{
		get("").host("example.com"), get("").host("EXAMPLE.com"), get("").host("example.com")}},
	{Name: "rule100/host-port-and-trailing-dot-separate", Steps: []Step{
		get(""), get("").host("localhost:80"), get("").host("localhost."), get("")}},
	{Name: "rule100/x-forwarded-host-ignored", Steps: []Step{get("", "X-Forwarded-Host: evil.com"), get("")}},
	// Rule 101: the URL part of the key is Django's re-quoted, dot-resolved URI.
	{Name: "rule101/dot-dot-segment-shares-key", Steps: []Step{get("").at("/any/x/../y/"), get("").at("/any/y/")}},
	{Name: "rule101/dot-segment-shares-key", Steps: []Step{get("").at("/any/./z/"), get("").at("/any/z/")}},
	{Name: "rule101/space-in-path", Steps: twice(get("").at("/any/a%20b/"))},
	{Name: "rule101/utf8-path-escape-case", Steps: []Step{get("").at("/any/%C3%A9/"), get("").at("/any/%c3%a9/")}},
	{Name: "rule101/raw-utf8-path", Steps: []Step{get("").at("/any/\u00e9/"), get("").at("/any/%C3%A9/")}},
	{Name: "rule101/equals-in-path", KeyTargets: []string{"/any/a%3Db/?{case}"}, Steps: twice(get("").at("/any/a=b/"))},
	{Name: "rule101/semicolon-in-path", KeyTargets: []string{"/any/a%3Bb/?{case}"}, Steps: twice(get("").at("/any/a;b/"))},
	// Over WSGI the raw query reaches META latin-1-decoded, so Django's
	// key has é's two bytes each UTF-8-encoded (%C3%83%C2%A9), not %C3%A9.
	{Name: "rule101/non-ascii-query", KeyTargets: []string{"/any/q/?{case}&a=1&b=%20%C3%83%C2%A9"}, Steps: []Step{
		get("a=1&b=%20\u00e9").at("/any/q/"), get("a=1&b=%20%C3%A9").at("/any/q/")}},
	// Rule 104: Django learns "HTTP_COOKIE " from "Vary: Cookie " and serves
	// Alice's page to Bob; we trim (known.go).
	// It is searched for leaks like a matrix case.
	{Name: "rule104/vary-cookie-trailing-space", Steps: []Step{get("vary=Cookie%20", alice), get("vary=Cookie%20", bob)},
		Matrix: &matrixCell{A: requestShape{Name: "alice"}, B: requestShape{Name: "bob"}, Shape: responseShape{Name: "vary-cookie-padded", CookiePrivate: true}}},
	// Rule 105: what SessionMiddleware does for an existing session (sets
	// the cookie, adds Vary: Cookie), done by the view: never stored.
	{Name: "rule105/session-cookie-set-with-vary-cookie", Steps: twice(get(setCookieVaryCookie, session))},
	{Name: "rule106/repeated-headers-joined-with-comma", Steps: []Step{
		get("vary=Accept", "Accept: a", "Accept: b"), get("vary=Accept", "Accept: a,b")}},
	{Name: "rule106/x_user-dropped-x-user-kept", Steps: []Step{get("vary=X-User", "X_User: alice"), get("vary=X-User", "X-User: alice")}},
	{Name: "rule109/negative-max-age", Steps: twice(get("cc=max-age%3D-5"))},
	// FetchFromCacheMiddleware step 1: only GET and HEAD are looked up or stored.
	{Name: "fetch1/post-bypasses-cache", Steps: []Step{post(""), post(""), get(""), get("")}},
}
