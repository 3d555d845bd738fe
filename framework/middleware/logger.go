package middleware

import (
	"log/slog"
	"net/http"
	"time"

	"gojango/framework/cache"
)

// RequestLogger logs one line per request: method, path, status, duration,
// and what the page cache did (hit, miss, stale, bypass, error, or "-" when
// no page cache saw the request), with its reason when it bypassed the
// cache (cache_reason=private, the reason X-Cache gives under DEBUG), as
// runserver prints them.
func RequestLogger(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ctx, res := cache.TrackPageOutcome(r.Context())
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r.WithContext(ctx))
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			pc := string(res.Result)
			if pc == "" {
				pc = "-"
			}
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.RequestURI()),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.String("cache", pc),
			}
			if res.Reason != cache.BypassNone {
				attrs = append(attrs, slog.String("cache_reason", res.Reason.String()))
			}
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		})
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush through.
func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}
