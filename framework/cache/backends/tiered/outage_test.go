package tiered

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/settings"
)

// The Redis behind a two-tier alias is killed under page-cache load (8
// clients, 16 pages, IGNORE_EXCEPTIONS on the tiered alias) and restarted
// 1.5 s later. The copies are dropped when the invalidation connection
// drops, so nothing possibly stale is served: pages are rendered by the view
// while Redis is down (no 5xx), and served from the copies again shortly
// after it is back.
func TestRedisKilledUnderPageLoad(t *testing.T) {
	srv := redistest.Start(t)
	st := twoTier(srv, map[string]any{cache.IgnoreExceptionsOption: true})
	if err := cache.Setup(st, cache.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })
	store, err := cache.Default().Store()
	if err != nil {
		t.Fatal(err)
	}
	ts0 := store.(*Store)
	waitTrusted(t, ts0, true)

	var renders atomic.Int64
	view := cache.Page(300, func(w http.ResponseWriter, r *http.Request) {
		renders.Add(1)
		fmt.Fprintf(w, "page %s", r.URL.Path)
	})
	ts := httptest.NewServer(view)
	defer ts.Close()
	type phase struct{ ok, fail, renders atomic.Int64 }
	var before, down, after phase
	cur := atomic.Pointer[phase]{}
	cur.Store(&before)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 1_000_000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				p := cur.Load()
				resp, err := client.Get(fmt.Sprintf("%s/p/%d/", ts.URL, (n*8+g)%16))
				if err != nil {
					p.fail.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode >= 500 {
					p.fail.Add(1)
				} else {
					p.ok.Add(1)
				}
			}
		}()
	}
	time.Sleep(time.Second)
	r0 := renders.Load()
	before.renders.Store(r0)
	srv.Kill()
	cur.Store(&down)
	killed := time.Now()
	// How long until the copies stop being served (tracking lost).
	waitTrusted(t, ts0, false)
	bypassAfter := time.Since(killed)
	time.Sleep(1500*time.Millisecond - bypassAfter)
	r1 := renders.Load()
	down.renders.Store(r1 - r0)
	srv.Restart()
	restarted := time.Now()
	cur.Store(&after)
	waitTrusted(t, ts0, true)
	trackingBack := time.Since(restarted)
	var hitsAfter time.Duration
	for time.Since(restarted) < 10*time.Second {
		n := renders.Load()
		time.Sleep(200 * time.Millisecond)
		if renders.Load() == n {
			hitsAfter = time.Since(restarted) - 200*time.Millisecond
			break
		}
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	after.renders.Store(renders.Load() - r1)

	t.Logf("before the kill: %d served, %d failed, %d renders (of 16 pages)", before.ok.Load(), before.fail.Load(), before.renders.Load())
	t.Logf("Redis down 1.5s: copies bypassed %v after the kill; %d served, %d failed, %d renders", bypassAfter.Round(time.Microsecond), down.ok.Load(), down.fail.Load(), down.renders.Load())
	t.Logf("after the restart: tracking back after %v, every request a hit again after about %v; %d served, %d failed, %d renders",
		trackingBack.Round(time.Millisecond), hitsAfter.Round(10*time.Millisecond), after.ok.Load(), after.fail.Load(), after.renders.Load())
	if f := before.fail.Load() + down.fail.Load() + after.fail.Load(); f != 0 {
		t.Errorf("%d requests failed with IGNORE_EXCEPTIONS", f)
	}
	if down.ok.Load() == 0 {
		t.Error("nothing served while Redis was down")
	}
	if down.renders.Load() == 0 {
		t.Error("no render while Redis was down: copies were served without invalidations")
	}
	if hitsAfter == 0 {
		t.Error("pages not served from the cache within 10s of the restart")
	}
}
