package middleware

// Recover answers a request whose handler panicked with 500 (the technical
// page with DEBUG, else the project's handler500 or Django's "Server Error
// (500)") and logs the panic with its stack on slog, so one bad request
// never takes the connection or the server down. http.ErrAbortHandler is
// re-panicked, as net/http expects. A panic after the response started
// cannot become a 500: it is logged and the connection is aborted.

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"gojango/framework/views"
)

// PanicError is a recovered panic: its value and the goroutine's stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic value when it is an error.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// Recover is the middleware.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started := false
		rw, finish := views.OnWriteHeader(w, func(int, http.Header) { started = true })
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			pe := &PanicError{Value: v, Stack: debug.Stack()}
			siteOf(r).logger().LogAttrs(r.Context(), slog.LevelError, "Internal Server Error: "+r.URL.Path,
				slog.String("logger", "django.request"), slog.Int("status_code", http.StatusInternalServerError),
				slog.String("method", r.Method), slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(pe.Stack)))
			if started {
				panic(http.ErrAbortHandler) // half a response is out: drop the connection, quietly
			}
			resetForError(w.Header())
			serveErrorPage(w, r, http.StatusInternalServerError, pe)
		}()
		next.ServeHTTP(rw, r)
		finish()
	})
}

// ServerError answers r with the 500 page for err (the technical page with
// DEBUG, else the project's handler500 or Django's plain page) and logs
// err: what Django does with an exception a view raises, for a view that
// returns an error instead of panicking.
func ServerError(w http.ResponseWriter, r *http.Request, err error) {
	siteOf(r).logger().LogAttrs(r.Context(), slog.LevelError, "Internal Server Error: "+r.URL.Path,
		slog.String("logger", "django.request"), slog.Int("status_code", http.StatusInternalServerError),
		slog.String("method", r.Method), slog.Any("error", err))
	resetForError(w.Header())
	serveErrorPage(w, r, http.StatusInternalServerError, err)
}

// resetForError drops the headers a view set about the body it did not
// send.
func resetForError(h http.Header) {
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Etag", "Last-Modified", "Location"} {
		h.Del(k)
	}
}
