package middleware

// ErrorPages replaces the stock error responses of net/http and chi
// (http.NotFound's "404 page not found", http.Error's "Not Found",
// "Bad Request (400)", "Server Error (500)", ...) with Django's pages: the
// project's handler404/400/403/500 when it has one, else with DEBUG the
// technical 404 page and otherwise Django's plain "Not Found", "Bad Request
// (400)", "403 Forbidden" and "Server Error (500)" pages. Any other
// response passes through untouched.

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"strings"
)

// stockBodies are the bodies, by status, that net/http, chi and the
// framework write for an error nobody dressed: a text/plain response with
// one of them is replaced.
var stockBodies = map[int][]string{
	http.StatusNotFound:            {"404 page not found\n", "Not Found\n", "Not Found"},
	http.StatusBadRequest:          {"Bad Request (400)", "Bad Request (400)\n", "Bad Request\n", "400 Bad Request"},
	http.StatusForbidden:           {"Forbidden\n", "403 Forbidden", "403 Forbidden\n"},
	http.StatusInternalServerError: {"Server Error (500)", "Server Error (500)\n", "Internal Server Error\n"},
}

// maxStockBody is the longest stock body; a longer one is passed on.
const maxStockBody = 32

// ErrorPages is the middleware; the Site in the request's context (see
// Site.Middleware) supplies the project's handlers and DEBUG.
func ErrorPages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &errorPageWriter{w: w}
		var rw http.ResponseWriter = ew
		if _, ok := w.(http.Flusher); ok {
			rw = errorPageFlushWriter{ew}
		}
		next.ServeHTTP(rw, r)
		if ew.holding {
			if isStockBody(ew.status, ew.body.Bytes()) {
				ew.w.Header().Del("X-Content-Type-Options") // http.Error's; Security sets its own
				serveErrorPage(ew.w, r, ew.status, nil)
				return
			}
			ew.release()
		}
	})
}

func isStockBody(status int, body []byte) bool {
	for _, s := range stockBodies[status] {
		if string(body) == s {
			return true
		}
	}
	return false
}

// serveErrorPage answers r with the page for status: the project's handler,
// the technical page (DEBUG), or Django's plain page. err is the cause of a
// 500, if known.
func serveErrorPage(w http.ResponseWriter, r *http.Request, status int, err error) {
	site := siteOf(r)
	var custom http.Handler
	switch status {
	case http.StatusNotFound:
		custom = site.Handler404
	case http.StatusBadRequest:
		custom = site.Handler400
	case http.StatusForbidden:
		custom = site.Handler403
	case http.StatusInternalServerError:
		custom = site.Handler500
	}
	if site.debug() {
		switch status {
		case http.StatusNotFound:
			writeHTML(w, status, technical404(r, site))
			return
		case http.StatusInternalServerError:
			writeHTML(w, status, technical500(r, site, err))
			return
		}
	}
	if custom != nil {
		custom.ServeHTTP(w, r)
		return
	}
	writeHTML(w, status, PlainErrorPage(status))
}

// PlainErrorPage is the body of Django's default error view for status
// (page_not_found, bad_request, permission_denied, server_error without a
// template): its ERROR_PAGE_TEMPLATE with the title and details Django
// gives.
func PlainErrorPage(status int) []byte {
	title, details := fmt.Sprintf("%d %s", status, http.StatusText(status)), ""
	switch status {
	case http.StatusNotFound:
		title, details = "Not Found", "The requested resource was not found on this server."
	case http.StatusBadRequest:
		title = "Bad Request (400)"
	case http.StatusForbidden:
		title = "403 Forbidden"
	case http.StatusInternalServerError:
		title = "Server Error (500)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n<!doctype html>\n<html lang=\"en\">\n<head>\n  <title>%s</title>\n</head>\n<body>\n  <h1>%s</h1><p>%s</p>\n</body>\n</html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(details))
	return []byte(b.String())
}

// errorPageWriter holds back a text/plain error response until it is
// known whether its body is a stock one.
type errorPageWriter struct {
	w           http.ResponseWriter
	status      int
	holding     bool // an error status with a text/plain body, not yet sent
	wroteHeader bool
	body        bytes.Buffer
}

func (ew *errorPageWriter) Header() http.Header { return ew.w.Header() }

func (ew *errorPageWriter) WriteHeader(status int) {
	if ew.wroteHeader || ew.holding {
		return
	}
	if _, ok := stockBodies[status]; ok && strings.HasPrefix(ew.w.Header().Get("Content-Type"), "text/plain") {
		ew.status, ew.holding = status, true
		return
	}
	if status >= 200 {
		ew.wroteHeader = true
	}
	ew.w.WriteHeader(status)
}

func (ew *errorPageWriter) Write(p []byte) (int, error) {
	if !ew.wroteHeader && !ew.holding {
		ew.WriteHeader(http.StatusOK)
	}
	if ew.holding {
		if ew.body.Len()+len(p) <= maxStockBody {
			return ew.body.Write(p)
		}
		ew.release()
	}
	return ew.w.Write(p)
}

// release sends the held response as it was written.
func (ew *errorPageWriter) release() {
	ew.holding, ew.wroteHeader = false, true
	ew.w.WriteHeader(ew.status)
	if ew.body.Len() > 0 {
		_, _ = ew.w.Write(ew.body.Bytes())
	}
}

// FlushError sends a held response, then flushes.
func (ew *errorPageWriter) FlushError() error {
	if ew.holding {
		ew.release()
	}
	return http.NewResponseController(ew.w).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (ew *errorPageWriter) Unwrap() http.ResponseWriter { return ew.w }

// errorPageFlushWriter is an errorPageWriter over a writer that implements
// http.Flusher.
type errorPageFlushWriter struct{ *errorPageWriter }

// Flush sends a held response, then flushes.
func (ew errorPageFlushWriter) Flush() { _ = ew.FlushError() }

var _ http.Flusher = errorPageFlushWriter{}
