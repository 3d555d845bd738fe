package cache

import (
	"context"
	"net/http"

	"gojango/framework/views"
)

// pageWriter captures a response for the page cache. It decides at the
// first write whether to buffer: only when the request may be stored
// (Django's _cache_update_cache). A buffered response goes out when the
// middleware has processed it (release); a Flush, or a body past maxBody,
// turns it into a streaming response, which is never cached (Django skips
// streaming responses).
type pageWriter struct {
	w         http.ResponseWriter
	state     *pageState
	maxBody   int
	outermost bool // no page cache around this one: it drops the tags header
	decided   bool
	buffering bool
	streamed  bool
	status    int
	body      []byte
	tooLarge  bool            // streamed because the body passed maxBody
	ctx       context.Context // the request's, for its outcome (nil: not tracked)
}

func (pw *pageWriter) Header() http.Header { return pw.w.Header() }

func (pw *pageWriter) decide() {
	if !pw.decided {
		pw.decided = true
		pw.buffering = pw.state.update
	}
}

func (pw *pageWriter) WriteHeader(status int) {
	pw.decide()
	if status >= 100 && status <= 199 && status != http.StatusSwitchingProtocols {
		pw.w.WriteHeader(status)
		return
	}
	if !pw.buffering {
		pw.dropTags()
		pw.w.WriteHeader(status)
		return
	}
	if pw.status == 0 {
		pw.status = status
	}
}

func (pw *pageWriter) Write(p []byte) (int, error) {
	pw.decide()
	if !pw.buffering {
		return pw.w.Write(p)
	}
	if pw.status == 0 {
		pw.status = http.StatusOK
	}
	if pw.maxBody > 0 && len(pw.body)+len(p) > pw.maxBody {
		pw.tooLarge = true
		if err := pw.stream(); err != nil {
			return 0, err
		}
		return pw.w.Write(p)
	}
	pw.body = append(pw.body, p...)
	return len(p), nil
}

// stream gives up buffering: what was buffered goes out as is, and the rest
// passes through.
func (pw *pageWriter) stream() error {
	pw.buffering = false
	pw.streamed = true
	pw.state.update = false
	if pw.ctx != nil { // the headers go out now: say why it is not stored
		setPageBypass(pw.ctx, PageBypass, pw.streamReason())
	}
	if pw.status == 0 {
		pw.status = http.StatusOK
	}
	pw.dropTags()
	pw.w.WriteHeader(pw.status)
	if len(pw.body) > 0 {
		if _, err := pw.w.Write(pw.body); err != nil {
			return err
		}
	}
	pw.body = nil
	return nil
}

// Flush makes the response a streaming one.
func (pw *pageWriter) Flush() {
	_ = pw.FlushError()
}

// FlushError is Flush for http.ResponseController.
func (pw *pageWriter) FlushError() error {
	pw.decide()
	if pw.buffering {
		if err := pw.stream(); err != nil {
			return err
		}
	}
	return http.NewResponseController(pw.w).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (pw *pageWriter) Unwrap() http.ResponseWriter { return pw.w }

// streamReason says why a streamed response is not stored.
func (pw *pageWriter) streamReason() BypassReason {
	if pw.tooLarge {
		return BypassBodyTooLarge
	}
	return BypassStreaming
}

// captured reports whether the whole response is in the buffer.
func (pw *pageWriter) captured() bool { return pw.decided && pw.buffering }

// discard drops the buffered response: release then writes nothing.
func (pw *pageWriter) discard() {
	pw.buffering = false
	pw.body = nil
}

// release writes the buffered response.
func (pw *pageWriter) release() {
	if !pw.captured() {
		return
	}
	pw.buffering = false
	if pw.status == 0 {
		pw.status = http.StatusOK
	}
	pw.dropTags()
	pw.w.WriteHeader(pw.status)
	if len(pw.body) > 0 {
		_, _ = pw.w.Write(pw.body)
	}
}

// dropTags removes the tags header (views.CacheTags) before the response
// leaves the outermost page cache.
func (pw *pageWriter) dropTags() {
	if pw.outermost {
		delete(pw.w.Header(), views.CacheTagsHeader) // canonical already
	}
}
