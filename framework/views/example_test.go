package views_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"gojango/framework/views"
)

func ExamplePatchVaryHeaders() {
	h := http.Header{}
	h.Set("Vary", "Cookie    ,     Accept-Encoding")
	views.PatchVaryHeaders(h, "accept-encoding", "Accept-Language")
	fmt.Println(h.Get("Vary"))
	// Output: Cookie, Accept-Encoding, Accept-Language
}

func ExampleCacheControl() {
	view := views.CacheControl(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "report")
	}, views.Private, views.MaxAge(3600))

	rec := httptest.NewRecorder()
	view(rec, httptest.NewRequest(http.MethodGet, "/report/", nil))
	fmt.Println(rec.Result().Header.Get("Cache-Control"))
	// Output: private, max-age=3600
}

func ExampleNeverCache() {
	view := views.NeverCache(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "your account")
	})

	rec := httptest.NewRecorder()
	view(rec, httptest.NewRequest(http.MethodGet, "/account/", nil))
	fmt.Println(rec.Result().Header.Get("Cache-Control"))
	// Output: max-age=0, no-cache, no-store, must-revalidate, private
}
