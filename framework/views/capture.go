package views

import "net/http"

// OnWriteHeader wraps w so that hook runs exactly once, just before the
// status line and headers go out: on the first final WriteHeader, Write or
// Flush, whichever comes first. The hook receives the status about to be
// sent (200 for an implicit one) and the live header map, which it may
// change. Informational 1xx statuses (other than 101) pass through without
// running it.
//
// Call finish after the handler returns: if the handler wrote nothing, it
// runs the hook with status 200 (net/http then sends the headers as they
// are). It does nothing when the hook has already run.
//
// The returned writer implements http.Flusher when w does, and Unwrap so
// that http.ResponseController reaches w; flushing through either runs the
// hook first.
func OnWriteHeader(w http.ResponseWriter, hook func(status int, h http.Header)) (rw http.ResponseWriter, finish func()) {
	hw := &hookWriter{w: w, hook: hook}
	finish = func() { hw.fire(http.StatusOK) }
	if _, ok := w.(http.Flusher); ok {
		return &hookFlushWriter{hw}, finish
	}
	return hw, finish
}

// patchBeforeWrite returns a view that runs view with hook installed by
// OnWriteHeader: the shape of every response-patching decorator here.
func patchBeforeWrite(view http.HandlerFunc, hook func(status int, h http.Header)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rw, finish := OnWriteHeader(w, hook)
		view(rw, r)
		finish()
	}
}

// hookWriter is the ResponseWriter of OnWriteHeader.
type hookWriter struct {
	w     http.ResponseWriter
	hook  func(status int, h http.Header)
	fired bool
}

func (hw *hookWriter) fire(status int) {
	if hw.fired {
		return
	}
	hw.fired = true
	hw.hook(status, hw.w.Header())
}

// Header returns the wrapped writer's header map.
func (hw *hookWriter) Header() http.Header { return hw.w.Header() }

// WriteHeader runs the hook before the first final status is written.
func (hw *hookWriter) WriteHeader(status int) {
	if status >= 100 && status <= 199 && status != http.StatusSwitchingProtocols {
		hw.w.WriteHeader(status)
		return
	}
	hw.fire(status)
	hw.w.WriteHeader(status)
}

// Write runs the hook (status 200) if nothing was written yet, then writes.
func (hw *hookWriter) Write(p []byte) (int, error) {
	hw.fire(http.StatusOK)
	return hw.w.Write(p)
}

// FlushError runs the hook (status 200) if nothing was written yet, then
// flushes the wrapped writer through http.ResponseController.
func (hw *hookWriter) FlushError() error {
	hw.fire(http.StatusOK)
	return http.NewResponseController(hw.w).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (hw *hookWriter) Unwrap() http.ResponseWriter { return hw.w }

// hookFlushWriter is a hookWriter over a writer that implements
// http.Flusher.
type hookFlushWriter struct {
	*hookWriter
}

// Flush runs the hook (status 200) if nothing was written yet, then
// flushes.
func (hf *hookFlushWriter) Flush() {
	hf.fire(http.StatusOK)
	hf.w.(http.Flusher).Flush()
}
