package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// server serves h on a fresh loopback port until close.
type server struct {
	srv *http.Server
	url string
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	s := &server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}, url: "http://" + ln.Addr().String()}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *server) close() { _ = s.srv.Close() }

// newClient is one load-generator client: its own Transport, so its
// requests go over one keep-alive HTTP/1.1 connection.
func newClient() (*http.Client, *http.Transport) {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, tr
}

// get does one GET with c and reads the whole body; it returns the status
// and the body length.
func get(c *http.Client, req *http.Request) (int, int64, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, err
}

// slot is one client's request counter, on its own cache line.
type slot struct {
	n atomic.Int64
	_ [56]byte
}

// loadResult is what a load run measured.
type loadResult struct {
	requests int64
	elapsed  time.Duration
	cpu      time.Duration // process CPU time (user + system) over elapsed
	mallocs  uint64        // heap allocations in the process over elapsed
}

// allocsPerRequest is the process's heap allocations (client and server
// together) per request.
func (r loadResult) allocsPerRequest() float64 { return float64(r.mallocs) / float64(r.requests) }

func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// cpuPerRequest is the process CPU (client and server together) per request.
func (r loadResult) cpuPerRequest() time.Duration { return r.cpu / time.Duration(r.requests) }

// processCPU is the CPU time the process has used, user plus system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r loadResult) perSec() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// load runs clients goroutines, each looping GET url over its own
// keep-alive connection and reading the full body, for warm and then d;
// it counts the requests completed in d. Every response must be a 200 with
// a body of wantLen bytes.
func load(url string, clients int, warm, d time.Duration, wantLen int64) (loadResult, error) {
	slots := make([]slot, clients)
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, tr := newClient()
			defer tr.CloseIdleConnections()
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err != nil {
				fail(err)
				return
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, n, err := get(c, req)
				if err == nil && (status != http.StatusOK || n != wantLen) {
					err = fmt.Errorf("GET %s: status %d, %d bytes (want 200, %d bytes)", url, status, n, wantLen)
				}
				if err != nil {
					fail(err)
					return
				}
				slots[i].n.Add(1)
			}
		}()
	}
	count := func() int64 {
		var t int64
		for i := range slots {
			t += slots[i].n.Load()
		}
		return t
	}
	time.Sleep(warm)
	m0 := mallocs()
	n0, t0, c0 := count(), time.Now(), processCPU()
	time.Sleep(d)
	n1, t1, c1 := count(), time.Now(), processCPU()
	m1 := mallocs()
	close(stop)
	wg.Wait()
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	if n1 == n0 {
		return loadResult{}, errors.New("no request completed")
	}
	return loadResult{requests: n1 - n0, elapsed: t1.Sub(t0), cpu: c1 - c0, mallocs: m1 - m0}, nil
}
