package cache_test

import (
	"net/http/httptest"
	"testing"

	"gojango/framework/cache"
)

// Rule 101: the URL part of the page key is build_absolute_uri() spelled
// as Django spells it. The expected strings were printed by Django 5.2.19
// (request through runserver's WSGI handler, then build_absolute_uri()).
func TestAbsoluteURIMatchesDjango(t *testing.T) {
	tests := []struct{ target, want string }{
		{"/b/", "http://testserver/b/"},
		{"/a/../b/", "http://testserver/b/"},
		{"/any/x/../y/", "http://testserver/any/y/"},
		{"/a/./b/", "http://testserver/a/b/"},
		{"/a//b/../c", "http://testserver/a//c"},
		{"/../x", "http://testserver/x"},
		{"/a/b/../", "http://testserver/a/"},
		{"/a/..", "http://testserver/a/.."}, // no "/../": Django keeps it
		{"/a%20b/", "http://testserver/a%20b/"},
		{"/%C3%A9/", "http://testserver/%C3%A9/"},
		{"/%c3%a9/", "http://testserver/%C3%A9/"},
		{"/a%2Fb/", "http://testserver/a/b/"},
		{"/a=b;c/", "http://testserver/a%3Db%3Bc/"},
		{"/%FF/", "http://testserver/%25FF/"},
		{"/p/?a=1&b=%20%C3%A9", "http://testserver/p/?a=1&b=%20%C3%A9"},
		{"/p/?b=%20\xc3\xa9", "http://testserver/p/?b=%20%C3%83%C2%A9"},
		{"/p/?x=<y>", "http://testserver/p/?x=%3Cy%3E"},
		{"/p/?", "http://testserver/p/"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "http://testserver"+tc.target, nil)
		if got := cache.AbsoluteURI(r); got != tc.want {
			t.Errorf("%q: AbsoluteURI = %q\n want %q", tc.target, got, tc.want)
		}
	}
}
