package views

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

type hookCall struct {
	status int
	vary   string
}

func recordHook(calls *[]hookCall) func(int, http.Header) {
	return func(status int, h http.Header) {
		*calls = append(*calls, hookCall{status, h.Get("Vary")})
		h.Set("X-Hooked", "1")
	}
}

func TestOnWriteHeaderRunsOnce(t *testing.T) {
	tests := []struct {
		name       string
		act        func(w http.ResponseWriter)
		wantStatus int
	}{
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot); w.WriteHeader(http.StatusOK) }, http.StatusTeapot},
		{"Write", func(w http.ResponseWriter) { _, _ = w.Write([]byte("a")); _, _ = w.Write([]byte("b")) }, http.StatusOK},
		{"Flush", func(w http.ResponseWriter) { w.(http.Flusher).Flush(); _, _ = w.Write([]byte("a")) }, http.StatusOK},
		{"nothing", func(w http.ResponseWriter) {}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []hookCall
			rec := httptest.NewRecorder()
			w, finish := OnWriteHeader(rec, recordHook(&calls))
			w.Header().Set("Vary", "Cookie")
			tt.act(w)
			finish()
			finish()
			if len(calls) != 1 || calls[0] != (hookCall{tt.wantStatus, "Cookie"}) {
				t.Fatalf("hook calls = %v, want one with status %d", calls, tt.wantStatus)
			}
			res := rec.Result()
			if res.StatusCode != tt.wantStatus || res.Header.Get("X-Hooked") != "1" {
				t.Errorf("status %d, X-Hooked %q: the hook did not run before the status line", res.StatusCode, res.Header.Get("X-Hooked"))
			}
		})
	}
}

// An informational 1xx status passes through; the hook runs for the final
// one. (httptest.ResponseRecorder does not model 1xx, so a real server.)
func TestOnWriteHeaderInformationalPassesThrough(t *testing.T) {
	var calls []hookCall
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w, finish := OnWriteHeader(rw, recordHook(&calls))
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusAccepted)
		finish()
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	srv.Close() // waits for the handler: calls is safe to read after it
	if res.StatusCode != http.StatusAccepted || res.Header.Get("X-Hooked") != "1" {
		t.Errorf("status %d, X-Hooked %q", res.StatusCode, res.Header.Get("X-Hooked"))
	}
	if len(calls) != 1 || calls[0].status != http.StatusAccepted {
		t.Errorf("hook calls = %v, want one with status 202", calls)
	}
}

// noFlushWriter is a ResponseWriter without http.Flusher.
type noFlushWriter struct{ http.ResponseWriter }

func TestOnWriteHeaderFlusher(t *testing.T) {
	noop := func(int, http.Header) {}

	w, _ := OnWriteHeader(httptest.NewRecorder(), noop)
	if _, ok := w.(http.Flusher); !ok {
		t.Error("Flusher lost over a writer that has it")
	}

	w, _ = OnWriteHeader(noFlushWriter{httptest.NewRecorder()}, noop)
	if _, ok := w.(http.Flusher); ok {
		t.Error("Flusher claimed over a writer that lacks it")
	}
	if err := http.NewResponseController(w).Flush(); !errors.Is(err, http.ErrNotSupported) {
		t.Errorf("ResponseController.Flush = %v, want ErrNotSupported", err)
	}
}

// http.ResponseController.Flush goes through the hook, not around it.
func TestOnWriteHeaderResponseController(t *testing.T) {
	var calls []hookCall
	rec := httptest.NewRecorder()
	w, finish := OnWriteHeader(rec, recordHook(&calls))
	if err := http.NewResponseController(w).Flush(); err != nil {
		t.Fatal(err)
	}
	finish()
	if len(calls) != 1 || !rec.Flushed || rec.Result().Header.Get("X-Hooked") != "1" {
		t.Errorf("calls %v, flushed %v, X-Hooked %q", calls, rec.Flushed, rec.Result().Header.Get("X-Hooked"))
	}
	if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != rec {
		t.Error("Unwrap does not return the wrapped writer")
	}
}
