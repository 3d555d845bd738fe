// Package views holds Django's response-header helpers
// (django.utils.cache's patch_vary_headers, patch_cache_control,
// get_max_age, patch_response_headers, add_never_cache_headers) and the
// view decorators built on them (django.views.decorators.vary and
// .cache's cache_control and never_cache). A view is an http.HandlerFunc;
// a decorator takes one and returns one, patching the response headers
// just before the status line is written. Nothing here stores anything.
package views

import "net/http"

// VaryOnHeaders wraps view so that its response's Vary header lists
// headers (Django's @vary_on_headers), merged by PatchVaryHeaders just
// before the status line is written.
func VaryOnHeaders(view http.HandlerFunc, headers ...string) http.HandlerFunc {
	headers = append([]string(nil), headers...)
	return patchBeforeWrite(view, func(_ int, h http.Header) {
		PatchVaryHeaders(h, headers...)
	})
}

// VaryOnCookie wraps view so that its response varies on Cookie (Django's
// @vary_on_cookie).
func VaryOnCookie(view http.HandlerFunc) http.HandlerFunc {
	return VaryOnHeaders(view, "Cookie")
}

// CacheControl wraps view so that directives are patched into its
// response's Cache-Control header by PatchCacheControl (Django's
// @cache_control), just before the status line is written.
func CacheControl(view http.HandlerFunc, directives ...Directive) http.HandlerFunc {
	directives = append([]Directive(nil), directives...)
	return patchBeforeWrite(view, func(_ int, h http.Header) {
		PatchCacheControl(h, directives...)
	})
}
