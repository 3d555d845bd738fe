package middleware_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/middleware"
	"gojango/framework/settings"
	"gojango/framework/views"
)

// The request log line says what the page cache did and, for a bypass,
// why (the reason X-Cache gives under DEBUG); "-" when no page cache saw
// the request.
func TestRequestLoggerShowsCacheResultAndReason(t *testing.T) {
	s := settings.Default()
	s.Caches = map[string]settings.Cache{"default": {Backend: "locmem", Location: t.Name(), Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}}
	if err := cache.Setup(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	text := func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "x") }
	mux := http.NewServeMux()
	mux.Handle("/page/", cache.Page(60, text))
	mux.Handle("/private/", cache.Page(60, views.CacheControl(text, views.Private)))
	mux.HandleFunc("/plain/", text)
	var logs bytes.Buffer
	h := middleware.RequestLogger(slog.New(slog.NewTextHandler(&logs, nil)))(mux)
	tests := []struct{ path, want, reason string }{
		{"/page/", "cache=miss", ""},
		{"/page/", "cache=hit", ""},
		{"/private/", "cache=bypass", "cache_reason=private"},
		{"/plain/", "cache=-", ""},
	}
	for _, tc := range tests {
		logs.Reset()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", tc.path, nil))
		line := logs.String()
		if !strings.Contains(line, tc.want) || (tc.reason != "" && !strings.Contains(line, tc.reason)) ||
			(tc.reason == "" && strings.Contains(line, "cache_reason=")) {
			t.Errorf("GET %s logged %q; want %s %s", tc.path, line, tc.want, tc.reason)
		}
	}
}
