package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	goredis "github.com/redis/go-redis/v9"

	"gojango/framework/cache"
)

// Client returns the go-redis client every write goes to (the primary's;
// on a Redis Cluster or Sentinel the one client that routes by itself),
// made on first use, for the application's own instrumentation: go-redis
// hooks (Client.AddHook), OpenTelemetry (redisotel.InstrumentTracing),
// PoolStats. The store keeps using it: do not Close it. Reach it from an
// alias with
//
//	st, err := cache.Caches("redis").Store()
//	client, err := st.(*redis.Store).Client()
//
// It fails once the store is closed.
func (s *Store) Client() (goredis.UniversalClient, error) { return s.writeClient() }

// Clients returns the client of every LOCATION server, the write server
// first (one client on a Cluster or Sentinel), so hooks can be added to
// the replicas' too.
func (s *Store) Clients() ([]goredis.UniversalClient, error) {
	if s.multi != nil {
		c, err := s.multi.get()
		if err != nil {
			return nil, err
		}
		return []goredis.UniversalClient{c}, nil
	}
	out := make([]goredis.UniversalClient, 0, len(s.servers))
	for i := range s.servers {
		c, err := s.client(i)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Inspect reports the write server's key count (DBSIZE: every key of the
// database, other aliases' included) and its used memory (cachestats).
func (s *Store) Inspect(ctx context.Context) (cache.StoreInfo, error) {
	c, err := s.writeClient()
	if err != nil {
		return cache.StoreInfo{}, fmt.Errorf("redis: inspect: %w", err)
	}
	n, err := c.DBSize(ctx).Result()
	if err != nil {
		return cache.StoreInfo{}, fmt.Errorf("redis: inspect: DBSIZE: %w", err)
	}
	info := cache.StoreInfo{Entries: n, Bytes: -1, BytesWhat: "server memory"}
	if o, ok := c.(*goredis.Client); ok {
		info.Where = o.Options().Addr
	}
	if mem, err := c.Info(ctx, "memory").Result(); err == nil {
		for _, line := range strings.Split(mem, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				if b, err := strconv.ParseInt(v, 10, 64); err == nil {
					info.Bytes = b
				}
			}
		}
	}
	return info, nil
}

var _ cache.Inspector = (*Store)(nil)
