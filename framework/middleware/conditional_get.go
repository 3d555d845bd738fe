package middleware

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ConditionalGet answers conditional GET requests, as Django's
// ConditionalGetMiddleware does. Only GET requests are touched (for a HEAD
// the body is empty, so no accurate ETag can be computed; for an unsafe
// method it is too late for a 412); anything else passes through as is.
//
// The response is buffered. If it has a body, no ETag yet, and no
// Cache-Control no-store, it gets the strong ETag `"<md5 hex of body>"`.
// Then, if it has an ETag or a valid Last-Modified and a 2xx status, the
// request's preconditions are evaluated in RFC 9110 section 13.2.2 order
// (If-Match, If-Unmodified-Since, If-None-Match with weak comparison,
// If-Modified-Since): a failed If-Match or If-Unmodified-Since gives an
// empty 412 Precondition Failed; a matching If-None-Match or an
// If-Modified-Since not older than Last-Modified gives a 304 Not Modified
// without body that keeps only Cache-Control, Content-Location, Date, ETag,
// Expires, Last-Modified, Vary and Set-Cookie. Headers that outer
// middleware set before calling ConditionalGet are kept on both.
//
// A handler that flushes is streaming: the response gets no ETag, the
// preconditions are evaluated on the headers as they are at the first
// flush, and from then on the body passes straight through (or is dropped
// after a 304 or 412, as Django drops a streaming response it replaces).
func ConditionalGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		cw := &condGetWriter{w: w, r: r, base: w.Header().Clone()}
		var rw http.ResponseWriter = cw
		if _, ok := w.(http.Flusher); ok {
			rw = condGetFlushWriter{cw}
		}
		next.ServeHTTP(rw, r)
		if cw.mode == condGetBuffering {
			cw.commit(false)
		}
	})
}

// condGetMode is what a condGetWriter does with writes.
type condGetMode int

const (
	condGetBuffering   condGetMode = iota // collecting status and body
	condGetPassthrough                    // response sent as the handler made it
	condGetDiscard                        // replaced by a 304 or 412
)

// condGetWriter buffers the response of a GET for ConditionalGet.
type condGetWriter struct {
	w      http.ResponseWriter
	r      *http.Request
	base   http.Header // headers set before the handler ran
	status int         // 0 until the handler picks one
	body   bytes.Buffer
	mode   condGetMode
}

// Header returns the wrapped writer's header map.
func (cw *condGetWriter) Header() http.Header { return cw.w.Header() }

// WriteHeader records the status (informational 1xx statuses pass
// straight through).
func (cw *condGetWriter) WriteHeader(status int) {
	switch cw.mode {
	case condGetPassthrough:
		cw.w.WriteHeader(status)
		return
	case condGetDiscard:
		return
	}
	if status >= 100 && status <= 199 && status != http.StatusSwitchingProtocols {
		cw.w.WriteHeader(status)
		return
	}
	if cw.status == 0 {
		cw.status = status
	}
}

// Write buffers p until the handler returns or flushes.
func (cw *condGetWriter) Write(p []byte) (int, error) {
	switch cw.mode {
	case condGetPassthrough:
		return cw.w.Write(p)
	case condGetDiscard:
		return len(p), nil
	}
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	if !condGetBodyAllowed(cw.status) {
		return 0, http.ErrBodyNotAllowed
	}
	return cw.body.Write(p)
}

// FlushError turns the response into a streaming one, then flushes the
// wrapped writer through http.ResponseController.
func (cw *condGetWriter) FlushError() error {
	if cw.mode == condGetBuffering {
		cw.commit(true)
	}
	if cw.mode == condGetDiscard {
		return nil
	}
	return http.NewResponseController(cw.w).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (cw *condGetWriter) Unwrap() http.ResponseWriter { return cw.w }

// condGetFlushWriter is a condGetWriter over a writer with http.Flusher.
type condGetFlushWriter struct {
	*condGetWriter
}

// Flush turns the response into a streaming one, then flushes.
func (fw condGetFlushWriter) Flush() { _ = fw.FlushError() }

// commit decides the response: an ETag for a buffered body, then a 304, a
// 412 or the response itself.
func (cw *condGetWriter) commit(streaming bool) {
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	h := cw.w.Header()
	if !streaming && cw.body.Len() > 0 && len(h.Values("Etag")) == 0 && condGetNeedsETag(h) {
		sum := md5.Sum(cw.body.Bytes())
		h.Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	}
	etag := h.Get("Etag")
	now := time.Now()
	lastModified := condGetParseHTTPDate(h.Get("Last-Modified"), now)
	outcome := condGetNone
	if etag != "" || lastModified != 0 {
		outcome = condGetEvaluate(cw.r, status, etag, lastModified, now)
	}
	switch outcome {
	case condGetNotModified:
		cw.mode = condGetDiscard
		cw.writeNotModified()
	case condGetPreconditionFailed:
		cw.mode = condGetDiscard
		cw.writePreconditionFailed()
	default:
		cw.mode = condGetPassthrough
		if !streaming && condGetBodyAllowed(status) && len(h.Values("Content-Length")) == 0 &&
			len(h.Values("Transfer-Encoding")) == 0 {
			h.Set("Content-Length", strconv.Itoa(cw.body.Len()))
		}
		cw.w.WriteHeader(status)
		if cw.body.Len() > 0 {
			_, _ = cw.w.Write(cw.body.Bytes())
		}
	}
	cw.body = bytes.Buffer{}
}

// condGetNotModifiedKeep are the headers a 304 keeps from the response it
// replaces (RFC 9110 section 15.4.5, plus Last-Modified, and cookies).
var condGetNotModifiedKeep = []string{
	"Cache-Control", "Content-Location", "Date", "Etag", "Expires", "Last-Modified", "Vary", "Set-Cookie",
}

// resetHeader replaces the response headers by those set before the
// handler ran.
func (cw *condGetWriter) resetHeader() http.Header {
	h := cw.w.Header()
	for k := range h {
		delete(h, k)
	}
	for k, v := range cw.base {
		h[k] = v
	}
	h.Del("Content-Length")
	h.Del("Transfer-Encoding")
	return h
}

func (cw *condGetWriter) writeNotModified() {
	h := cw.w.Header()
	kept := make(http.Header, len(condGetNotModifiedKeep))
	for _, k := range condGetNotModifiedKeep {
		if v := h.Values(k); len(v) > 0 {
			kept[k] = v
		}
	}
	h = cw.resetHeader()
	h.Del("Content-Type")
	for k, v := range kept {
		h[k] = v
	}
	cw.w.WriteHeader(http.StatusNotModified)
}

func (cw *condGetWriter) writePreconditionFailed() {
	h := cw.resetHeader()
	h.Set("Content-Type", "text/html; charset=utf-8")
	slog.Default().LogAttrs(cw.r.Context(), slog.LevelWarn, "Precondition Failed: "+cw.r.URL.Path,
		slog.String("logger", "django.request"),
		slog.Int("status_code", http.StatusPreconditionFailed),
	)
	cw.w.WriteHeader(http.StatusPreconditionFailed)
}

// condGetBodyAllowed reports whether a response with status may have a
// body (net/http refuses one for 1xx, 204 and 304).
func condGetBodyAllowed(status int) bool {
	return !(status >= 100 && status <= 199) && status != http.StatusNoContent && status != http.StatusNotModified
}

// condGetCCDelim is Django's cc_delim_re.
var condGetCCDelim = regexp.MustCompile(`\s*,\s*`)

// condGetNeedsETag reports whether an ETag should be added: no
// Cache-Control element is no-store (Django's needs_etag).
func condGetNeedsETag(h http.Header) bool {
	for _, e := range condGetCCDelim.Split(strings.Join(h.Values("Cache-Control"), ", "), -1) {
		if strings.ToLower(e) == "no-store" {
			return false
		}
	}
	return true
}

// condGetOutcome is the result of evaluating request preconditions.
type condGetOutcome int

const (
	condGetNone condGetOutcome = iota
	condGetNotModified
	condGetPreconditionFailed
)

// condGetEvaluate is Django's get_conditional_response for a response with
// status, ETag etag and Last-Modified lastModified (Unix seconds, 0 =
// none). Only 2xx responses are candidates.
func condGetEvaluate(r *http.Request, status int, etag string, lastModified int64, now time.Time) condGetOutcome {
	if status < 200 || status >= 300 {
		return condGetNone
	}
	header := func(k string) string { return strings.Join(r.Header.Values(k), ", ") }
	ifMatch := condGetParseETags(header("If-Match"))
	ifUnmodifiedSince := condGetParseHTTPDate(header("If-Unmodified-Since"), now)
	ifNoneMatch := condGetParseETags(header("If-None-Match"))
	ifModifiedSince := condGetParseHTTPDate(header("If-Modified-Since"), now)
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead

	// Step 1: If-Match.
	if len(ifMatch) > 0 && !condGetIfMatchPasses(etag, ifMatch) {
		return condGetPreconditionFailed
	}
	// Step 2: If-Unmodified-Since, only without If-Match.
	if len(ifMatch) == 0 && ifUnmodifiedSince != 0 &&
		!(lastModified != 0 && lastModified <= ifUnmodifiedSince) {
		return condGetPreconditionFailed
	}
	// Step 3: If-None-Match.
	if len(ifNoneMatch) > 0 && !condGetIfNoneMatchPasses(etag, ifNoneMatch) {
		if safe {
			return condGetNotModified
		}
		return condGetPreconditionFailed
	}
	// Step 4: If-Modified-Since, only without If-None-Match.
	if len(ifNoneMatch) == 0 && ifModifiedSince != 0 &&
		!(lastModified == 0 || lastModified > ifModifiedSince) && safe {
		return condGetNotModified
	}
	// Step 5: If-Range is not supported.
	return condGetNone
}

// condGetIfMatchPasses is the strong If-Match comparison (RFC 9110 section
// 13.1.1).
func condGetIfMatchPasses(target string, etags []string) bool {
	switch {
	case target == "":
		return false // No ETag, so no match.
	case len(etags) == 1 && etags[0] == "*":
		return true // Any current representation matches '*', even a weak one.
	case strings.HasPrefix(target, "W/"):
		return false // A weak ETag never matches strongly.
	}
	for _, e := range etags {
		if e == target {
			return true
		}
	}
	return false
}

// condGetIfNoneMatchPasses is the weak If-None-Match comparison (RFC 9110
// section 13.1.2): true when nothing matches.
func condGetIfNoneMatchPasses(target string, etags []string) bool {
	switch {
	case target == "":
		return true
	case len(etags) == 1 && etags[0] == "*":
		return false
	}
	// Python's str.strip("W/"): drop W and / from both ends.
	target = strings.Trim(target, "W/")
	for _, e := range etags {
		if strings.Trim(e, "W/") == target {
			return false
		}
	}
	return true
}

// condGetETagRE is Django's ETAG_MATCH: one optionally weak quoted ETag.
var condGetETagRE = regexp.MustCompile(`^(?:W/)?"[^"]*"$`)

// condGetParseETags is Django's parse_etags: ["*"] for a lone "*",
// otherwise the well-formed quoted ETags of a comma-separated list (others
// are skipped).
func condGetParseETags(s string) []string {
	if strings.TrimSpace(s) == "*" {
		return []string{"*"}
	}
	var etags []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if condGetETagRE.MatchString(e) {
			etags = append(etags, e)
		}
	}
	return etags
}

// The three date formats RFC 9110 section 5.6.7 accepts, as Django's
// parse_http_date matches them.
var (
	condGetRFC1123 = regexp.MustCompile(`^\w{3}, (\d{2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$`)
	condGetRFC850  = regexp.MustCompile(`^\w{6,9}, (\d{2})-(\w{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$`)
	condGetASCTime = regexp.MustCompile(`^\w{3} (\w{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$`)
)

var condGetMonths = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// condGetParseHTTPDate is Django's parse_http_date_safe: the Unix seconds
// of an HTTP date in any of the three formats, or 0 when s is empty or not
// a valid date. (0 doubles as "none", as Django's falsy None and 0 do.) A
// two-digit year is taken within 50 years of now's year.
func condGetParseHTTPDate(s string, now time.Time) int64 {
	if s == "" {
		return 0
	}
	var day, mon, year, hh, mm, ss string
	if m := condGetRFC1123.FindStringSubmatch(s); m != nil {
		day, mon, year, hh, mm, ss = m[1], m[2], m[3], m[4], m[5], m[6]
	} else if m := condGetRFC850.FindStringSubmatch(s); m != nil {
		day, mon, year, hh, mm, ss = m[1], m[2], m[3], m[4], m[5], m[6]
	} else if m := condGetASCTime.FindStringSubmatch(s); m != nil {
		mon, day, hh, mm, ss, year = m[1], m[2], m[3], m[4], m[5], m[6]
	} else {
		return 0
	}
	month := 0
	for i, name := range condGetMonths {
		if strings.ToLower(mon) == name {
			month = i + 1
		}
	}
	if month == 0 {
		return 0
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(strings.TrimSpace(s)); return n }
	y, d, h, mi, se := atoi(year), atoi(day), atoi(hh), atoi(mm), atoi(ss)
	if y < 100 {
		current := now.UTC().Year()
		century := current - current%100
		if y-current%100 > 50 {
			y += century - 100
		} else {
			y += century
		}
	}
	t := time.Date(y, time.Month(month), d, h, mi, se, 0, time.UTC)
	// Python's datetime() rejects out-of-range fields; time.Date would
	// normalise them (31 Feb -> 3 Mar), so reject any that moved.
	if y < 1 || t.Year() != y || int(t.Month()) != month || t.Day() != d ||
		t.Hour() != h || t.Minute() != mi || t.Second() != se {
		return 0
	}
	return t.Unix()
}
