package tiered

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/settings"
)

// invalidationAllowance is how long after a write returns the other
// processes' copies may still hold the previous value: the invalidation
// travels on another connection (a fraction of a millisecond on loopback;
// this allows for -race on a loaded two-core machine). A copy that was not
// invalidated across a failover stays stale for good, far beyond it.
const invalidationAllowance = 250 * time.Millisecond

// failoverTopology is a Redis with replicas whose primary (of key "k0", for
// a cluster) is killed and replaced by a replica.
type failoverTopology struct {
	shared settings.Cache // the shared alias's settings
	keys   []string
	// arm finds the primary to kill (the one serving the made key of "k0")
	// and returns it and whether a replica now serves in its place.
	arm func(t *testing.T, k0 string) (victim *redistest.Server, promoted func() bool)
}

// sharedTimeouts are the shared alias's connection timeouts (as in the
// other outage tests: a dead server costs half a second, not go-redis's 3 s).
var sharedTimeouts = map[string]any{"read_timeout": 0.5, "write_timeout": 0.5, "dial_timeout": 0.5}

func sentinelTopology(t *testing.T) failoverTopology {
	se := redistest.StartSentinel(t)
	o := maps.Clone(sharedTimeouts)
	o["sentinels"] = se.Addrs()
	return failoverTopology{
		shared: settings.Cache{Backend: "redis", Location: "redis://" + se.Master + "/0", Options: o},
		keys:   []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"},
		arm: func(t *testing.T, _ string) (*redistest.Server, func() bool) {
			old := se.Primary.Addr()
			if now := se.CurrentPrimary(); now != old {
				t.Fatalf("sentinels name %q as the primary, want %q", now, old)
			}
			promoted := func() bool {
				now := se.CurrentPrimary()
				role, _ := se.Replica.Cli("ROLE")
				return now == se.Replica.Addr() && strings.HasPrefix(role, "master")
			}
			return se.Primary, promoted
		},
	}
}

func clusterTopology(t *testing.T) failoverTopology {
	cl := redistest.StartCluster(t, 3, 1)
	o := maps.Clone(sharedTimeouts)
	o["cluster"] = true
	keys := make([]string, 16) // over every primary's slots
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	return failoverTopology{
		shared: settings.Cache{Backend: "redis", Locations: cl.URLs(), Options: o},
		keys:   keys,
		arm: func(t *testing.T, k0 string) (*redistest.Server, func() bool) {
			victim := cl.PrimaryOf(t, k0)
			promoted := func() bool {
				masters := 0
				for _, n := range cl.Nodes {
					if n == victim {
						continue
					}
					if role, _ := n.Cli("ROLE"); strings.HasPrefix(role, "master") {
						masters++
					}
					if info, _ := n.Cli("CLUSTER", "INFO"); !strings.Contains(info, "cluster_state:ok") {
						return false
					}
				}
				return masters == cl.Primaries
			}
			return victim, promoted
		},
	}
}

// replication reads the primary's INFO replication: its replication
// offset and the offset each replica last acknowledged (about once a
// second).
func replication(primary *redistest.Server) (offset int64, acked []int64, err error) {
	out, err := primary.Cli("INFO", "replication")
	if err != nil {
		return 0, nil, err
	}
	offset = -1
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		switch {
		case k == "master_repl_offset":
			offset, err = strconv.ParseInt(v, 10, 64)
		case strings.HasPrefix(k, "slave") && strings.Contains(v, "offset="):
			for _, f := range strings.Split(v, ",") {
				if o, ok := strings.CutPrefix(f, "offset="); ok {
					n, perr := strconv.ParseInt(o, 10, 64)
					if perr != nil {
						return 0, nil, perr
					}
					acked = append(acked, n)
				}
			}
		}
		if err != nil {
			return 0, nil, err
		}
	}
	if offset < 0 || len(acked) == 0 {
		return 0, nil, fmt.Errorf("no offset or no replica in %q", out)
	}
	return offset, acked, nil
}

// waitReplicated waits until every replica of primary has acknowledged its
// replication stream up to now: a write it took before survives its death
// (Redis replicates asynchronously: what a replica never received is lost
// with the primary, a loss no client could prevent).
func waitReplicated(primary *redistest.Server) error {
	upTo, _, err := replication(primary)
	if err != nil {
		return fmt.Errorf("INFO replication: %w", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, acked, err := replication(primary)
		if err == nil && slices.Min(acked) >= upTo {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replicas did not acknowledge offset %d within 5s (acked %v, %v)", upTo, acked, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// eventually retries f every 100µs until it reports done, for up to d; an
// error only means "not yet" (a client may still be finding the new
// primary), and the last one is returned with the timeout.
func eventually(d time.Duration, f func() (bool, error)) error {
	deadline := time.Now().Add(d)
	for {
		done, err := f()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("condition not met")
			}
			return fmt.Errorf("not within %v: %w", d, err)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// handlerOn is one independent client of the topology (its own Handler, so
// its own connections, tracking connection and in-process copy): "default"
// is tiered in front of "redis".
func handlerOn(t *testing.T, shared settings.Cache, opts map[string]any) (*cache.Cache, *Store) {
	t.Helper()
	return openClient(t, twoTierOver(shared, opts))
}

// written is the history of one key's successful writes: values 1, 2, ...
// ("n" as a string), each with when its Set returned. Values only grow.
type written struct {
	mu   sync.Mutex
	hist []write
	max  atomic.Int64 // highest value ever attempted
}

type write struct {
	n  int64
	at time.Time
}

func (w *written) add(n int64, at time.Time) {
	w.mu.Lock()
	w.hist = append(w.hist, write{n, at})
	w.mu.Unlock()
}

// missed is, for a read that began at start and returned v, the oldest
// write newer than v that had returned before start, and whether there is
// one (the read then missed a write that had succeeded).
func (w *written) missed(v int64, start time.Time) (write, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	i := sort.Search(len(w.hist), func(i int) bool { return w.hist[i].n > v })
	if i < len(w.hist) && !w.hist[i].at.After(start) {
		return w.hist[i], true
	}
	return write{}, false
}

func (w *written) last() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.hist) == 0 {
		return 0
	}
	return w.hist[len(w.hist)-1].n
}

// readPhase counts one reader's reads in one phase of the test: keys hit
// and missed (a GetMany counts each key), calls that failed.
type readPhase struct {
	hits, misses, errs atomic.Int64
}

// failoverReader is one tiered alias read under load across the failover.
type failoverReader struct {
	name   string
	c      *cache.Cache
	s      *Store
	phases [3]readPhase // before the kill, the outage, after it
	// maxLag is the longest a read returned a value older than a write that
	// had returned before the read began (ns): the invalidation's delay.
	maxLag atomic.Int64
	// freshAt is when (Unix ns) a read of k0 first returned a value written
	// after the kill.
	freshAt atomic.Int64
}

const (
	phaseBefore = iota
	phaseOutage
	phaseAfter
)

var phaseNames = [3]string{"before the kill", "outage", "after"}

// noPanic runs f; a panic fails the test with its stack instead of taking
// the test binary down.
func noPanic(t *testing.T, what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v\n%s", what, r, debug.Stack())
		}
	}()
	f()
}

// TestFailoverNeverServesStale puts tiered aliases over a Redis with
// replicas (Sentinel, Cluster), kills the primary while one independent
// client writes and two others (IGNORE_EXCEPTIONS on and off) read through
// their in-process copies, and holds every read to the writes that had
// succeeded before it began: the copies are dropped and bypassed when the
// tracking connection to the dead primary drops, and tracking resumes on the
// promoted replica, so a copy never outlives a write by more than the
// invalidation's delay. Then it writes new values and checks both readers'
// copies (filled after the failover) are invalidated through the new
// primary. With IGNORE_EXCEPTIONS the reads during the outage are misses,
// never errors; no call panics.
func TestFailoverNeverServesStale(t *testing.T) {
	redistest.Require(t)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) failoverTopology
	}{
		{"SentinelPrimaryKilled", sentinelTopology},
		{"ClusterPrimaryKilled", clusterTopology},
	} {
		t.Run(tc.name, func(t *testing.T) { failoverNeverServesStale(t, tc.start(t)) })
	}
}

func failoverNeverServesStale(t *testing.T, topo failoverTopology) {
	w, _ := handlerOn(t, topo.shared, nil) // the writer: no IGNORE_EXCEPTIONS, so a failed write says so
	readers := []*failoverReader{{name: "failopen"}, {name: "strict"}}
	for _, r := range readers {
		r.c, r.s = handlerOn(t, topo.shared, map[string]any{cache.IgnoreExceptionsOption: r.name == "failopen"})
	}
	// The hot keys are written all along; each cold key once more, as soon
	// as it can be after the kill (on a cluster, the cold keys on the
	// surviving primaries at once, while the readers' tracking is down):
	// a copy kept from before the kill would serve its old value for good.
	cold := make([]string, len(topo.keys))
	for i, k := range topo.keys {
		cold[i] = "cold-" + k
	}
	all := slices.Concat(topo.keys, cold)
	hist := map[string]*written{}
	for _, k := range all {
		hist[k] = &written{}
	}
	call := func(d time.Duration) (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), d)
	}

	// (1) Values written before the failover are read, then held in every
	// reader's copy.
	for _, k := range all {
		must(t, w.Set(ctx, k, "1", 300))
		hist[k].add(1, time.Now())
		hist[k].max.Store(1)
	}
	holdsCopies(t, readers, all, func(string) string { return "1" })

	var phase atomic.Int32
	var killedAt atomic.Int64
	var stale atomic.Int64
	reportStale := func(format string, args ...any) {
		if stale.Add(1) <= 5 {
			t.Errorf(format, args...)
		}
	}

	// The writer: every hot key in turn gets the next value, and after the
	// kill every cold key not yet rewritten; a write counts once Set
	// returned nil. pauseMu stops it between writes.
	var (
		pauseMu        sync.Mutex // held by the writer around each write
		writesOK       atomic.Int64
		writesFailed   atomic.Int64
		firstWriteBack atomic.Int64 // first k0 write that succeeded after the kill (Unix ns)
		maxValueAtKill atomic.Int64
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		writeNext := func(k string) bool {
			h := hist[k]
			n := h.max.Add(1)
			var err error
			noPanic(t, "writer Set", func() {
				c, cancel := call(3 * time.Second)
				defer cancel()
				err = w.Set(c, k, strconv.FormatInt(n, 10), 300)
			})
			if err != nil {
				writesFailed.Add(1)
				return false
			}
			now := time.Now()
			h.add(n, now)
			writesOK.Add(1)
			if k == "k0" && killedAt.Load() != 0 && firstWriteBack.Load() == 0 {
				firstWriteBack.Store(now.UnixNano())
			}
			return true
		}
		coldDone := map[string]bool{}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			pauseMu.Lock()
			writeNext(topo.keys[i%len(topo.keys)])
			if killedAt.Load() != 0 {
				for _, k := range cold {
					if !coldDone[k] && writeNext(k) {
						coldDone[k] = true
					}
				}
			}
			pauseMu.Unlock()
			time.Sleep(500 * time.Microsecond)
		}
	}()

	// The readers: Get, and every fourth call GetMany of every key; each
	// value is checked against the writes that had returned when the read
	// began.
	check := func(r *failoverReader, k string, got string, start time.Time) {
		v, err := strconv.ParseInt(got, 10, 64)
		if err != nil || v < 1 || v > hist[k].max.Load() {
			reportStale("%s: read %q = %q: never written", r.name, k, got)
			return
		}
		if m, ok := hist[k].missed(v, start); ok {
			lag := start.Sub(m.at)
			for {
				old := r.maxLag.Load()
				if int64(lag) <= old || r.maxLag.CompareAndSwap(old, int64(lag)) {
					break
				}
			}
			if lag > invalidationAllowance {
				sinceKill := "before the kill"
				if ka := killedAt.Load(); ka != 0 {
					sinceKill = fmt.Sprintf("%v after the kill", start.Sub(time.Unix(0, ka)).Round(time.Millisecond))
				}
				reportStale("%s: read %q = %d (%s, phase %s), but %d had been written %v before the read began",
					r.name, k, v, sinceKill, phaseNames[phase.Load()], m.n, lag.Round(time.Millisecond))
			}
		}
		if k == "k0" && killedAt.Load() != 0 && v > maxValueAtKill.Load() && r.freshAt.Load() == 0 {
			r.freshAt.CompareAndSwap(0, time.Now().UnixNano())
		}
	}
	for _, r := range readers {
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					p := &r.phases[phase.Load()]
					start := time.Now()
					c, cancel := call(3 * time.Second)
					if i%4 == 3 {
						noPanic(t, r.name+" GetMany", func() {
							got, err := r.c.GetMany(c, all)
							if err != nil {
								p.errs.Add(1)
								return
							}
							for _, k := range all {
								v, ok := got[k]
								if !ok {
									p.misses.Add(1)
									continue
								}
								p.hits.Add(1)
								var s string
								if err := v.Decode(&s); err != nil {
									reportStale("%s: GetMany %q: decode: %v", r.name, k, err)
									continue
								}
								check(r, k, s, start)
							}
						})
					} else {
						k := all[(i/2)%len(all)]
						noPanic(t, r.name+" Get", func() {
							var s string
							ok, err := r.c.Get(c, k, &s)
							switch {
							case err != nil:
								p.errs.Add(1)
							case !ok:
								p.misses.Add(1)
							default:
								p.hits.Add(1)
								check(r, k, s, start)
							}
						})
					}
					cancel()
					time.Sleep(200 * time.Microsecond)
				}
			}()
		}
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	// (2) Kill the primary once its replicas hold every write it took
	// (writes paused meanwhile), and wait for a replica to be promoted.
	time.Sleep(500 * time.Millisecond)
	victim, promoted := topo.arm(t, w.MakeKey("k0"))
	pauseMu.Lock()
	if err := waitReplicated(victim); err != nil {
		pauseMu.Unlock()
		t.Fatal(err)
	}
	k0AtKill := hist["k0"].last()
	maxValueAtKill.Store(hist["k0"].max.Load())
	phase.Store(phaseOutage)
	victim.Kill()
	killed := time.Now()
	killedAt.Store(killed.UnixNano())
	pauseMu.Unlock()

	bypassed := map[string]time.Duration{}
	for _, r := range readers {
		waitTrusted(t, r.s, false)
		bypassed[r.name] = time.Since(killed)
	}
	wait := func(what string, d time.Duration, cond func() bool) time.Duration {
		t.Helper()
		deadline := time.Now().Add(d)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s not within %v of the kill", what, d)
			}
			time.Sleep(5 * time.Millisecond)
		}
		return time.Since(killed)
	}
	promotedAfter := wait("a replica promoted", 15*time.Second, promoted)
	trackingBack := map[string]time.Duration{}
	for _, r := range readers {
		trackingBack[r.name] = wait(r.name+"'s tracking back", 15*time.Second, r.s.TrackingOn)
	}
	phase.Store(phaseAfter)
	wait("a write of k0 succeeding", 10*time.Second, func() bool { return firstWriteBack.Load() != 0 })
	for _, r := range readers {
		wait(r.name+" reading a value of k0 written after the kill", 10*time.Second, func() bool { return r.freshAt.Load() != 0 })
	}
	wait("every cold key rewritten", 10*time.Second, func() bool {
		for _, k := range cold {
			if hist[k].last() < 2 {
				return false
			}
		}
		return true
	})
	time.Sleep(500 * time.Millisecond) // reads and writes on the new primary
	close(stop)
	wg.Wait()
	var coldAt []time.Duration
	for _, k := range cold {
		hist[k].mu.Lock()
		coldAt = append(coldAt, hist[k].hist[1].at.Sub(killed))
		hist[k].mu.Unlock()
	}
	slices.Sort(coldAt)

	// (3) Every reader's copy, filled after the failover, is invalidated
	// through the new primary: new values written by the other client show
	// within a bounded time (a copy lives as long as its shared entry, 300 s,
	// so nothing else would replace it).
	holdsCopies(t, readers, all, func(k string) string { return strconv.FormatInt(hist[k].last(), 10) })
	finals := map[string]string{}
	for _, k := range all {
		finals[k] = "final-" + k
		if err := eventually(2*time.Second, func() (bool, error) {
			err := w.Set(ctx, k, finals[k], 300)
			return err == nil, err
		}); err != nil {
			t.Fatalf("writer: Set(%q) after the failover: %v", k, err)
		}
	}
	writtenAt := time.Now()
	seen := map[string]time.Duration{}
	pending := map[string]map[string]string{}
	for _, r := range readers {
		pending[r.name] = maps.Clone(finals)
	}
	var lastErr error
	err := eventually(2*time.Second, func() (bool, error) {
		for _, r := range readers {
			p := pending[r.name]
			if len(p) == 0 {
				continue
			}
			for k, want := range p {
				var got string
				ok, err := r.c.Get(ctx, k, &got)
				if err != nil {
					lastErr = err
				} else if ok && got == want {
					delete(p, k)
				}
			}
			if len(p) == 0 {
				seen[r.name] = time.Since(writtenAt)
			}
		}
		return len(seen) == len(readers), lastErr
	})
	if err != nil {
		for _, r := range readers {
			if p := pending[r.name]; len(p) > 0 {
				t.Errorf("%s: %d of %d keys still read their pre-write copy 2s after the write (%v): the copy was not invalidated through the new primary",
					r.name, len(p), len(finals), sortedKeys(p))
			}
		}
		t.Fatal(err)
	}

	// (4) The figures, and the outage's reads.
	t.Logf("writer: %d writes succeeded, %d failed; k0 = %d at the kill; first k0 write succeeded %v after the kill",
		writesOK.Load(), writesFailed.Load(), k0AtKill, time.Unix(0, firstWriteBack.Load()).Sub(killed).Round(time.Millisecond))
	t.Logf("replica promoted %v after the kill; cold keys rewritten %v to %v after it",
		promotedAfter.Round(time.Millisecond), coldAt[0].Round(time.Millisecond), coldAt[len(coldAt)-1].Round(time.Millisecond))
	for _, r := range readers {
		gap := 0
		for _, d := range coldAt {
			if d < trackingBack[r.name] {
				gap++
			}
		}
		t.Logf("%-8s %d of %d cold keys rewritten before its copy was back in use", r.name, gap, len(coldAt))
		t.Logf("%-8s copies bypassed %v after the kill, tracking back %v after it, first fresh k0 read %v after it; longest a read lagged a returned write: %v; new values after the failover seen within %v",
			r.name, bypassed[r.name].Round(time.Microsecond), trackingBack[r.name].Round(time.Millisecond),
			time.Unix(0, r.freshAt.Load()).Sub(killed).Round(time.Millisecond),
			time.Duration(r.maxLag.Load()).Round(time.Microsecond), seen[r.name].Round(time.Microsecond))
		for i := range r.phases {
			p := &r.phases[i]
			t.Logf("%-8s %-15s %7d keys hit %6d missed, %4d calls failed", r.name, phaseNames[i], p.hits.Load(), p.misses.Load(), p.errs.Load())
		}
	}
	fo := readers[0]
	for i := range fo.phases {
		if n := fo.phases[i].errs.Load(); n != 0 {
			t.Errorf("failopen (IGNORE_EXCEPTIONS): %d reads failed %s; want misses", n, phaseNames[i])
		}
	}
	if fo.phases[phaseOutage].misses.Load() == 0 {
		t.Error("failopen: no miss during the outage: copies were served while the tracking connection was down")
	}
	for _, r := range readers {
		if r.phases[phaseBefore].errs.Load() != 0 {
			t.Errorf("%s: %d reads failed before the kill", r.name, r.phases[phaseBefore].errs.Load())
		}
	}
	if n := stale.Load(); n != 0 {
		t.Errorf("%d stale or corrupt reads (first 5 above)", n)
	}
}

// holdsCopies reads every key through every reader until it reads want(key)
// and the reader's in-process copy holds it: later reads are served from
// the copy, which only an invalidation can then replace.
func holdsCopies(t *testing.T, readers []*failoverReader, keys []string, want func(string) string) {
	t.Helper()
	for _, r := range readers {
		for _, k := range keys {
			w := want(k)
			if err := eventually(2*time.Second, func() (bool, error) {
				var got string
				ok, err := r.c.Get(ctx, k, &got)
				return err == nil && ok && got == w && frontHas(r.s, r.c, k), err
			}); err != nil {
				t.Fatalf("%s: no in-process copy of %q = %q: %v", r.name, k, w, err)
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
