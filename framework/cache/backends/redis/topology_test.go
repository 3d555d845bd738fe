package redis

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"

	_ "gojango/framework/cache/backends/tiered"
)

func openTopology(t testing.TB, p cache.Params) cache.Store {
	t.Helper()
	st, err := New(p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// TestCluster starts a Redis Cluster of three primaries with one replica
// each, runs the shared behaviour suite and the many-key checks on it, then
// kills a primary under page-cache load (last: it changes the cluster).
func TestCluster(t *testing.T) {
	cl := redistest.StartCluster(t, 3, 1)
	base := settings.Cache{Backend: "redis", Locations: cl.URLs()[:2], Options: map[string]any{"cluster": true}}
	t.Run("Suite", func(t *testing.T) {
		cachetest.Run(t, cachetest.Backend{Name: "redis-cluster", Base: base, Open: openTopology, RealClock: true})
	})
	t.Run("ManyKeysAcrossSlots", func(t *testing.T) { clusterManyKeys(t, cl, base) })
	t.Run("TieredInvalidation", func(t *testing.T) { tieredAcross(t, base) })
	t.Run("FailoverUnderPageLoad", func(t *testing.T) { clusterFailoverUnderPageLoad(t, cl) })
}

// TestSentinel starts a primary, a replica and three sentinels, runs the
// shared behaviour suite on them, then kills the primary under page-cache
// load.
func TestSentinel(t *testing.T) {
	se := redistest.StartSentinel(t)
	t.Run("Suite", func(t *testing.T) {
		base := settings.Cache{Backend: "redis", Location: "redis://" + se.Master + "/3", Options: map[string]any{"sentinels": se.Addrs()}}
		cachetest.Run(t, cachetest.Backend{Name: "redis-sentinel", Base: base, Open: openTopology, RealClock: true})
	})
	t.Run("TieredInvalidation", func(t *testing.T) {
		tieredAcross(t, settings.Cache{Backend: "redis", Location: "redis://" + se.Master + "/4", Options: map[string]any{"sentinels": se.Addrs()}})
	})
	t.Run("FailoverUnderPageLoad", func(t *testing.T) { sentinelFailoverUnderPageLoad(t, se) })
}

// clusterManyKeys: 200 keys spread over every primary's slots go through
// set_many, get_many and delete_many (no CROSSSLOT), and clear empties every
// primary.
func clusterManyKeys(t *testing.T, cl *redistest.Cluster, base settings.Cache) {
	ctx := context.Background()
	st := openTopology(t, cache.Params{Alias: "default", Config: base, Now: time.Now})
	bs := st.(cache.BatchStore)
	items := map[string][]byte{}
	keys := make([]string, 0, 200)
	for i := range 200 {
		k := fmt.Sprintf(":1:many-%d", i)
		items[k] = []byte(fmt.Sprint(i))
		keys = append(keys, k)
	}
	if failed, err := bs.SetMany(ctx, items, time.Now().Add(time.Minute)); err != nil || len(failed) != 0 {
		t.Fatalf("SetMany = %v, %v", failed, err)
	}
	primaries := 0
	for _, n := range cl.Nodes {
		if r, _ := n.Cli("ROLE"); strings.HasPrefix(r, "master") {
			primaries++
			if out, _ := n.Cli("DBSIZE"); strings.TrimSpace(out) == "0" {
				t.Errorf("primary %s holds none of the 200 keys", n.Addr())
			}
		}
	}
	if primaries != cl.Primaries {
		t.Fatalf("found %d primaries, want %d", primaries, cl.Primaries)
	}
	got, err := bs.GetMany(ctx, append(keys, ":1:absent"))
	if err != nil || len(got) != 200 {
		t.Fatalf("GetMany = %d keys, %v; want 200", len(got), err)
	}
	for k, v := range items {
		if string(got[k]) != string(v) {
			t.Fatalf("GetMany[%q] = %q; want %q", k, got[k], v)
		}
	}
	if err := bs.DeleteMany(ctx, keys[:100]); err != nil {
		t.Fatalf("DeleteMany: %v", err)
	}
	if got, err := bs.GetMany(ctx, keys); err != nil || len(got) != 100 {
		t.Fatalf("GetMany after DeleteMany = %d keys, %v; want 100", len(got), err)
	}
	if err := st.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	for _, n := range cl.Nodes {
		if r, _ := n.Cli("ROLE"); strings.HasPrefix(r, "master") {
			if out, _ := n.Cli("DBSIZE"); strings.TrimSpace(out) != "0" {
				t.Errorf("primary %s holds %s keys after Clear", n.Addr(), strings.TrimSpace(out))
			}
		}
	}
}

// LOCATION and OPTIONS forms of Cluster and Sentinel, and their mistakes.
func TestTopologyForms(t *testing.T) {
	tests := []struct {
		name      string
		locations []string
		opts      map[string]any
		wantErr   string
		check     func(t *testing.T, s *Store)
	}{
		{"cluster seeds", []string{"redis://10.0.0.1:7000", "redis://:pw@10.0.0.2:7001/0"}, map[string]any{"cluster": true}, "", func(t *testing.T, s *Store) {
			c := s.multi.cluster
			if c == nil || strings.Join(c.Addrs, ",") != "10.0.0.1:7000,10.0.0.2:7001" || c.ReadTimeout != defaultReadTimeout {
				t.Fatalf("cluster options = %+v", c)
			}
		}},
		{"cluster db", []string{"redis://10.0.0.1:7000/1"}, map[string]any{"cluster": true}, "only database 0", nil},
		{"cluster not bool", []string{"redis://10.0.0.1:7000"}, map[string]any{"cluster": "yes"}, "true or false", nil},
		{"sentinel", []string{"redis://mymaster/2"}, map[string]any{"sentinels": []any{"10.0.0.1:26379", "10.0.0.2:26379"}, "sentinel_password": "s"}, "", func(t *testing.T, s *Store) {
			f := s.multi.failed
			if f == nil || f.MasterName != "mymaster" || f.DB != 2 || len(f.SentinelAddrs) != 2 || f.SentinelPassword != "s" {
				t.Fatalf("failover options = %+v", f)
			}
		}},
		{"django-redis SENTINELS pairs", []string{"redis://mymaster/0"}, map[string]any{"SENTINELS": []any{[]any{"localhost", int64(26379)}}}, "", func(t *testing.T, s *Store) {
			if got := s.multi.failed.SentinelAddrs; len(got) != 1 || got[0] != "localhost:26379" {
				t.Fatalf("SentinelAddrs = %v", got)
			}
		}},
		{"sentinels as a string", []string{"redis://mymaster"}, map[string]any{"sentinels": "a:1, b:2"}, "", func(t *testing.T, s *Store) {
			if got := s.multi.failed.SentinelAddrs; len(got) != 2 || got[1] != "b:2" {
				t.Fatalf("SentinelAddrs = %v", got)
			}
		}},
		{"sentinel two locations", []string{"redis://a/0", "redis://b/0"}, map[string]any{"sentinels": "a:1"}, "one URL naming the master set", nil},
		{"sentinel bad address", []string{"redis://m/0"}, map[string]any{"sentinels": []any{"nohost"}}, "missing port", nil},
		{"cluster and sentinel", []string{"redis://m/0"}, map[string]any{"sentinels": "a:1", "cluster": true}, "exclude each other", nil},
		{"django form unchanged", []string{"redis://10.0.0.1:6379/1", "redis://10.0.0.2:6379/1"}, nil, "", func(t *testing.T, s *Store) {
			if s.multi != nil || len(s.servers) != 2 {
				t.Fatalf("plain LOCATION list became %+v", s)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := params("", tc.opts)
			p.Config.Locations = tc.locations
			st, err := New(p)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New = %v; want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			tc.check(t, st.(*Store))
		})
	}
}

// tieredAcross: two processes (Handlers) with a tiered alias over shared:
// writes by one reach the other's in-process copies on every node.
func tieredAcross(t *testing.T, shared settings.Cache) {
	open := func() *cache.Cache {
		st := settings.Default()
		shared.Timeout, shared.Version = 300, 1
		st.Caches = map[string]settings.Cache{
			"default": {Backend: "tiered", Timeout: 300, Version: 1, Options: map[string]any{"SHARED": "shared"}},
			"shared":  shared,
		}
		h, err := cache.NewHandler(st, cache.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.CloseAll() })
		c, _ := h.Cache("default")
		s, err := c.Store()
		if err != nil {
			t.Fatal(err)
		}
		on := s.(interface{ TrackingOn() bool })
		deadline := time.Now().Add(5 * time.Second)
		for !on.TrackingOn() {
			if time.Now().After(deadline) {
				t.Fatal("tracking not on within 5s")
			}
			time.Sleep(5 * time.Millisecond)
		}
		return c
	}
	a, b := open(), open()
	ctx := context.Background()
	read := func(key, want string) {
		t.Helper()
		deadline := time.Now().Add(time.Second)
		for {
			var got string
			ok, err := b.Get(ctx, key, &got)
			if err != nil {
				t.Fatal(err)
			}
			if (want == "" && !ok) || got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("Get(%q) = %q a second after the write; want %q", key, got, want)
			}
			time.Sleep(100 * time.Microsecond)
		}
	}
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"} // over every primary
	for _, k := range keys {
		if err := a.Set(ctx, k, "old", 60); err != nil {
			t.Fatal(err)
		}
		read(k, "old")
		read(k, "old")
	}
	for _, k := range keys {
		if err := a.Set(ctx, k, "new", 60); err != nil {
			t.Fatal(err)
		}
		read(k, "new")
	}
	if err := a.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		read(k, "")
	}
}
