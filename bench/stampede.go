package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
)

const (
	stampedeRequests = 1000
	stampedeRender   = 50 * time.Millisecond
)

// runStampede sends 1000 concurrent requests, over 1000 connections opened
// beforehand, to one cold cache.Page page whose view takes 50 ms, and
// counts the view's runs.
func runStampede(ctx context.Context, cfg config, rep *report) error {
	if !cfg.exact("stampede") {
		return nil
	}
	dir, err := os.MkdirTemp("", "gojango-bench-stampede-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := cache.Setup(pageSettings(dir, "")); err != nil {
		return err
	}
	defer cache.Close()

	var runs atomic.Int64
	view := func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		time.Sleep(stampedeRender)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("rendered once\n"))
	}
	var hits, misses, other atomic.Int64
	page := cache.Page(600, view, cache.Using("locmem"))
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/cold/", func(w http.ResponseWriter, r *http.Request) {
		tctx, res := cache.TrackPage(r.Context())
		page(w, r.WithContext(tctx))
		switch *res {
		case cache.PageHit:
			hits.Add(1)
		case cache.PageMiss:
			misses.Add(1)
		default:
			other.Add(1)
		}
	})
	srv, err := serve(mux)
	if err != nil {
		return err
	}
	defer srv.close()

	progress("stampede: opening %d connections", stampedeRequests)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	lat := make([]time.Duration, stampedeRequests)
	for i := range stampedeRequests {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			c, tr := newClient()
			defer tr.CloseIdleConnections()
			ping, _ := http.NewRequest(http.MethodGet, srv.url+"/ping", nil)
			_, _, err := get(c, ping) // opens this client's connection
			ready.Done()
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			<-start
			req, _ := http.NewRequest(http.MethodGet, srv.url+"/cold/", nil)
			t0 := time.Now()
			status, _, err := get(c, req)
			lat[i] = time.Since(t0)
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("status %d", status)
			}
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
		}()
	}
	ready.Wait()
	progress("stampede: %d requests at once", stampedeRequests)
	t0 := time.Now()
	close(start)
	done.Wait()
	wall := time.Since(t0)
	var slowest time.Duration
	for _, l := range lat {
		slowest = max(slowest, l)
	}

	t := rep.table(fmt.Sprintf("Stampede: %d concurrent requests for one cold cache.Page page (view takes %s)", stampedeRequests, stampedeRender),
		"view runs", "served by the render (miss)", "served from cache after waiting (hit)", "other", "failed", "all answered in", "slowest request")
	t.add(fmt.Sprint(runs.Load()), fmt.Sprint(misses.Load()), fmt.Sprint(hits.Load()), fmt.Sprint(other.Load()), fmt.Sprint(failed.Load()), fmtDur(wall), fmtDur(slowest))
	if e, ok := firstErr.Load().(error); ok {
		t.note("first failure: %v", e)
	}
	t.note("Each request has its own keep-alive connection, opened (GET /ping) before the %d requests are released together.", stampedeRequests)
	rep.goal("stampede: the view runs once for 1000 concurrent requests", fmt.Sprintf("%d run(s), %d failed", runs.Load(), failed.Load()), runs.Load() == 1 && failed.Load() == 0)
	return nil
}
