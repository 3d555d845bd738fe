package cache_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// barrierView blocks each call until n calls are inside it at once, so a
// test passes only if n requests render concurrently (none waits on
// another's render). A call that waits longer than 5 s gives up and
// reports it.
type barrierView struct {
	n       int
	cc      string
	vary    string
	mu      sync.Mutex
	in      int
	release chan struct{}
	stuck   chan struct{}
}

func newBarrierView(n int, cc, vary string) *barrierView {
	return &barrierView{n: n, cc: cc, vary: vary, release: make(chan struct{}), stuck: make(chan struct{}, 1000)}
}

func (v *barrierView) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	v.in++
	if v.in == v.n {
		close(v.release)
	}
	v.mu.Unlock()
	select {
	case <-v.release:
	case <-time.After(5 * time.Second):
		v.stuck <- struct{}{}
	}
	if v.cc != "" {
		w.Header().Set("Cache-Control", v.cc)
	}
	if v.vary != "" {
		w.Header().Set("Vary", v.vary)
	}
	fmt.Fprintf(w, "for %s", r.Header.Get("Cookie"))
}

func concurrently(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); f(i) }()
	}
	wg.Wait()
}

// Beyond Django: requests wait only for a render of their own variant. On
// a page that varies on Cookie and whose header list is known, 20 users
// with 20 cookies render at once.
func TestStampedeWaitsOnlyForOwnVariant(t *testing.T) {
	clk := setupPages(t, nil)
	warm := newBarrierView(1, "", "Cookie")
	v := newBarrierView(20, "", "Cookie")
	var h http.Handler = page(60, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") == "u=warm" {
			warm.ServeHTTP(w, r)
			return
		}
		v.ServeHTTP(w, r)
	}), clk)
	do(h, "GET", url, "Cookie", "u=warm") // teaches the header list
	wrong := make(chan string, 20)
	concurrently(20, func(i int) {
		me := fmt.Sprintf("u=%d", i)
		if w := do(h, "GET", url, "Cookie", me); w.Body.String() != "for "+me {
			wrong <- w.Body.String()
		}
	})
	close(wrong)
	if len(v.stuck) > 0 {
		t.Fatalf("%d of 20 users waited on another user's render", len(v.stuck))
	}
	for body := range wrong {
		t.Errorf("a user was served %q", body)
	}
}

// Beyond Django: a render that turns out not to be storable releases its
// waiters at once, and later requests for that page do not wait at all, so
// a private per-user page costs each user one render, not a queue.
func TestUnstorableRenderReleasesWaiters(t *testing.T) {
	clk := setupPages(t, nil)
	first := newBarrierView(1, "private", "")
	v := newBarrierView(20, "private", "")
	calls := 0
	var mu sync.Mutex
	h := page(60, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			first.ServeHTTP(w, r)
			return
		}
		v.ServeHTTP(w, r)
	}), clk)
	do(h, "GET", url, "Cookie", "u=first") // a private render: nothing to wait for next time
	concurrently(20, func(i int) { do(h, "GET", url, "Cookie", fmt.Sprintf("u=%d", i)) })
	if len(v.stuck) > 0 {
		t.Fatalf("%d of 20 requests for a private page waited on another's render", len(v.stuck))
	}
	if calls != 21 {
		t.Fatalf("%d view calls; want 21 (private: never stored)", calls)
	}
}

// The waiters of a render that cannot be stored go on at once: a leader
// that answers private wakes the requests that queued behind it, and they
// render side by side.
func TestWaitersOfUnstorableLeaderRenderSideBySide(t *testing.T) {
	clk := setupPages(t, nil)
	leaderIn := make(chan struct{})
	leaderGo := make(chan struct{})
	v := newBarrierView(10, "private", "")
	var mu sync.Mutex
	calls := 0
	h := page(60, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			close(leaderIn)
			<-leaderGo
			w.Header().Set("Cache-Control", "private")
			fmt.Fprint(w, "leader")
			return
		}
		v.ServeHTTP(w, r)
	}), clk)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); do(h, "GET", url) }()
	<-leaderIn
	done := make(chan struct{})
	go func() {
		concurrently(10, func(int) { do(h, "GET", url) })
		close(done)
	}()
	time.Sleep(50 * time.Millisecond) // let the ten queue behind the leader
	close(leaderGo)
	<-done
	wg.Wait()
	if len(v.stuck) > 0 {
		t.Fatalf("%d of 10 waiters did not render side by side", len(v.stuck))
	}
}
