package redis

// Redis Cluster and Sentinel: one go-redis client (ClusterClient or the
// Sentinel-following FailoverClient) made on first use, and the many-key
// forms that must not cross hash slots on a cluster.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// clusterStateReload is how often a cluster client reloads the slot map.
const clusterStateReload = time.Second

// multi is the routing client of a cluster or Sentinel alias, made on first
// use from the options New parsed.
type multi struct {
	cluster *goredis.ClusterOptions  // set for a cluster
	failed  *goredis.FailoverOptions // set for Sentinel
	// trackOpts is what a tracking connection needs besides the addresses:
	// credentials, database, timeouts (the first LOCATION's options).
	trackOpts *goredis.Options

	mu     sync.Mutex
	client goredis.UniversalClient // nil until first use
	closed bool
}

// newClusterMulti builds the options of a cluster alias from its seed URLs.
func newClusterMulti(locs []string, seeds []*goredis.Options) (*multi, error) {
	first := seeds[0]
	addrs := make([]string, len(seeds))
	for i, o := range seeds {
		if o.DB != 0 {
			return nil, fmt.Errorf("redis: LOCATION %q: a Redis Cluster has only database 0, not %d", redactURL(locs[i]), o.DB)
		}
		addrs[i] = o.Addr
	}
	return &multi{
		cluster: &goredis.ClusterOptions{
			Addrs:                    addrs,
			Username:                 first.Username,
			Password:                 first.Password,
			DialTimeout:              first.DialTimeout,
			DialerRetries:            first.DialerRetries,
			ReadTimeout:              first.ReadTimeout,
			WriteTimeout:             first.WriteTimeout,
			ContextTimeoutEnabled:    first.ContextTimeoutEnabled,
			PoolSize:                 first.PoolSize,
			TLSConfig:                first.TLSConfig,
			MaintNotificationsConfig: first.MaintNotificationsConfig,
			// go-redis reloads the slot map on MOVED, not when a primary
			// stops answering: poll it so that a failover is followed
			// within about a second of the cluster's promotion.
			ClusterStateReloadInterval: clusterStateReload,
		},
		trackOpts: first,
	}, nil
}

// newSentinelMulti builds the options of a Sentinel alias: LOCATION is one URL
// whose host is the master set's name (django-redis's form), its path the
// database.
func newSentinelMulti(locs []string, parsed []*goredis.Options, o options) (*multi, error) {
	if len(locs) != 1 {
		return nil, fmt.Errorf("redis: with OPTIONS sentinels, LOCATION is one URL naming the master set (redis://mymaster/0), not %d", len(locs))
	}
	u, err := url.Parse(locs[0])
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("redis: LOCATION %q: want redis://<master name>/<db> with OPTIONS sentinels", redactURL(locs[0]))
	}
	first := parsed[0]
	f := &goredis.FailoverOptions{
		MasterName:            u.Hostname(),
		SentinelAddrs:         o.sentinels,
		Username:              first.Username,
		Password:              first.Password,
		DB:                    first.DB,
		DialTimeout:           first.DialTimeout,
		DialerRetries:         first.DialerRetries,
		ReadTimeout:           first.ReadTimeout,
		WriteTimeout:          first.WriteTimeout,
		ContextTimeoutEnabled: first.ContextTimeoutEnabled,
		PoolSize:              first.PoolSize,
		TLSConfig:             first.TLSConfig,
	}
	if o.sentinelUsername != nil {
		f.SentinelUsername = *o.sentinelUsername
	}
	if o.sentinelPassword != nil {
		f.SentinelPassword = *o.sentinelPassword
	}
	return &multi{failed: f, trackOpts: first}, nil
}

// get returns the routing client, making it on first use.
func (m *multi) get() (goredis.UniversalClient, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errClosed
	}
	if m.client == nil {
		if m.cluster != nil {
			m.client = goredis.NewClusterClient(m.cluster)
		} else {
			m.client = goredis.NewFailoverClient(m.failed)
		}
	}
	return m.client, nil
}

func (m *multi) close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.client == nil {
		return nil
	}
	err := m.client.Close()
	m.client = nil
	if err != nil && !errors.Is(err, goredis.ErrClosed) {
		return fmt.Errorf("redis close: %w", err)
	}
	return nil
}

// clusterGetMany reads keys on a cluster as one pipeline of GETs: go-redis
// sends each node the commands for its slots in one round trip, the nodes in
// parallel, where a single MGET would fail with CROSSSLOT.
func clusterGetMany(ctx context.Context, cc *goredis.ClusterClient, keys []string, out map[string][]byte) (map[string][]byte, error) {
	cmds := make([]*goredis.StringCmd, len(keys))
	_, err := cc.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, manyErr("get_many", keys, err)
	}
	for i, cmd := range cmds {
		b, err := cmd.Bytes()
		switch {
		case errors.Is(err, goredis.Nil):
		case err != nil:
			return nil, opErr("get_many", keys[i], err)
		default:
			out[keys[i]] = b
		}
	}
	return out, nil
}

// del removes keys: one DEL, or on a cluster one pipeline of DELs grouped per
// node by go-redis.
func del(ctx context.Context, c goredis.UniversalClient, keys []string) error {
	cc, ok := c.(*goredis.ClusterClient)
	if !ok {
		return c.Del(ctx, keys...).Err()
	}
	_, err := cc.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, k)
		}
		return nil
	})
	return err
}
