package redis

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/settings"
)

// failoverLoad is one alias under page-cache load while a primary dies.
type failoverLoad struct {
	alias   string
	ts      *httptest.Server
	renders atomic.Int64
	ok      atomic.Int64
	status5 atomic.Int64 // 5xx responses
	errs    atomic.Int64 // transport errors
	// lastBad is when a request last rendered its page or failed (Unix ns):
	// after it, every request was a cache hit.
	lastBad atomic.Int64
}

// failoverResult is what a failover under load measured for one alias.
type failoverResult struct {
	alias                string
	ok, status5, errs    int64
	renders              int64
	hitsResumeAfterKill  time.Duration
	servedBeforeKill     int64
	rendersBeforeKill    int64
	status5BeforeKill    int64
	hitsResumedInWindow  bool
	observedAfterKillFor time.Duration
}

// runFailover puts two aliases on the same topology, one with
// IGNORE_EXCEPTIONS and one without, serves pages cached through each
// (cache.Page) to 8 clients, kills a primary with kill, and reports per
// alias the 5xx, transport errors and the time from the kill until every
// request was a hit again.
func runFailover(t *testing.T, base settings.Cache, pages int, kill func(), observe time.Duration) []failoverResult {
	t.Helper()
	st := settings.Default()
	st.Caches = map[string]settings.Cache{}
	for _, alias := range []string{"default", "failopen"} {
		c := base
		c.Timeout, c.Version, c.MaxEntries, c.CullFrequency = 300, 1, 300, 3
		c.Options = maps.Clone(base.Options)
		c.Options["read_timeout"] = 0.5
		c.Options["write_timeout"] = 0.5
		c.Options["dial_timeout"] = 0.5
		c.Options[cache.IgnoreExceptionsOption] = alias == "failopen"
		st.Caches[alias] = c
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := cache.Setup(st, cache.WithLogger(quiet)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cache.Setup(settings.Default()) })

	loads := []*failoverLoad{{alias: "default"}, {alias: "failopen"}}
	for _, l := range loads {
		view := cache.Page(300, func(w http.ResponseWriter, r *http.Request) {
			l.renders.Add(1)
			l.lastBad.Store(time.Now().UnixNano())
			fmt.Fprintf(w, "page %s", r.URL.Path)
		}, cache.Using(l.alias))
		l.ts = httptest.NewServer(view)
		t.Cleanup(l.ts.Close)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for _, l := range loads {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; n < 1_000_000; n++ {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := client.Get(fmt.Sprintf("%s/page/%d/", l.ts.URL, (n*4+g)%pages))
					if err != nil {
						l.errs.Add(1)
						l.lastBad.Store(time.Now().UnixNano())
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if resp.StatusCode >= 500 {
						l.status5.Add(1)
						l.lastBad.Store(time.Now().UnixNano())
					} else {
						l.ok.Add(1)
					}
				}
			}()
		}
	}
	time.Sleep(time.Second) // every page stored, then served from the cache
	before := make([][3]int64, len(loads))
	for i, l := range loads {
		before[i] = [3]int64{l.ok.Load(), l.renders.Load(), l.status5.Load()}
	}
	killedAt := time.Now()
	kill()
	time.Sleep(observe)
	close(stop)
	wg.Wait()

	var out []failoverResult
	for i, l := range loads {
		r := failoverResult{
			alias: l.alias, ok: l.ok.Load() - before[i][0], status5: l.status5.Load() - before[i][2],
			errs: l.errs.Load(), renders: l.renders.Load() - before[i][1],
			servedBeforeKill: before[i][0], rendersBeforeKill: before[i][1], status5BeforeKill: before[i][2],
			observedAfterKillFor: observe,
		}
		last := time.Unix(0, l.lastBad.Load())
		r.hitsResumeAfterKill = max(0, last.Sub(killedAt))
		// Hits resumed if the last render or failure came well before the
		// end of the observation.
		r.hitsResumedInWindow = last.Before(killedAt.Add(observe - time.Second))
		t.Logf("%-8s before kill: %d served, %d renders, %d 5xx | after kill (%v): %d served, %d 5xx, %d transport errors, %d renders; every request a hit again %v after the kill",
			r.alias, r.servedBeforeKill, r.rendersBeforeKill, r.status5BeforeKill, observe, r.ok, r.status5, r.errs, r.renders, r.hitsResumeAfterKill.Round(10*time.Millisecond))
		out = append(out, r)
	}
	return out
}

// checkFailover holds both aliases to: no failure before the kill, hits
// resumed after it, and no 5xx at all with IGNORE_EXCEPTIONS.
func checkFailover(t *testing.T, res []failoverResult) {
	t.Helper()
	for _, r := range res {
		if r.status5BeforeKill != 0 || r.servedBeforeKill == 0 {
			t.Errorf("%s: before the kill %d served, %d 5xx", r.alias, r.servedBeforeKill, r.status5BeforeKill)
		}
		if !r.hitsResumedInWindow {
			t.Errorf("%s: hits had not resumed %v after the kill (last render or failure %v after it)", r.alias, r.observedAfterKillFor, r.hitsResumeAfterKill)
		}
		if r.errs != 0 {
			t.Errorf("%s: %d transport errors", r.alias, r.errs)
		}
		if strings.HasPrefix(r.alias, "failopen") && r.status5 != 0 {
			t.Errorf("%s: %d 5xx with IGNORE_EXCEPTIONS", r.alias, r.status5)
		}
	}
}

// clusterFailoverUnderPageLoad: a cluster primary killed under page-cache
// load; the cluster promotes its replica. With IGNORE_EXCEPTIONS no request
// fails; without it the pages on the dead primary's slots answer 500 until
// go-redis follows the new primary.
func clusterFailoverUnderPageLoad(t *testing.T, cl *redistest.Cluster) {
	base := settings.Cache{Backend: "redis", Locations: cl.URLs(), Options: map[string]any{"cluster": true}}
	res := runFailover(t, base, 32, func() { cl.Nodes[0].Kill() }, 8*time.Second)
	checkFailover(t, res)
}

// sentinelFailoverUnderPageLoad: the Sentinel-managed primary killed under
// page-cache load; the sentinels promote the replica and go-redis's
// failover client follows them.
func sentinelFailoverUnderPageLoad(t *testing.T, se *redistest.Sentinel) {
	base := settings.Cache{Backend: "redis", Location: "redis://" + se.Master + "/0", Options: map[string]any{"sentinels": se.Addrs()}}
	oldPrimary := se.Primary.Addr()
	res := runFailover(t, base, 32, func() { se.Primary.Kill() }, 8*time.Second)
	if now := se.CurrentPrimary(); now == oldPrimary || now == "" {
		t.Errorf("sentinels still name %q as the primary", now)
	}
	checkFailover(t, res)
}
