// Package redis is the Redis cache backend, Django's RedisCache
// (django.core.cache.backends.redis.RedisCache) on github.com/redis/go-redis/v9.
//
// LOCATION is one URL (redis://, rediss://, unix://) or several, separated by
// "," or ";" or given as a list. The first server is the primary: it takes
// every write (set, add, touch, delete, incr, clear). Reads (get, get_many,
// has) go to a server picked uniformly at random among the others when there
// are several, to the only one otherwise. Each server gets one go-redis client
// (one connection pool), made on first use: New never dials.
//
// Values are stored as the front's encoded bytes, as they are. Integers are
// encoded as decimal text, so Redis holds them as native integers and Incr is
// a server-side INCRBY that keeps the key's TTL.
//
// Clear runs FLUSHDB on the primary: it empties the whole Redis database the
// LOCATION selects, every key in it, not only this alias's keys (as Django's
// RedisCache.clear does). Give a cache its own database number when other data
// lives on the same server.
//
// Two more topologies, each through one go-redis client that follows the
// servers by itself:
//
//   - Redis Cluster: OPTIONS.cluster = true, LOCATION the seed nodes
//     ("redis://10.0.0.1:7000", ...; any few of the cluster's nodes). Keys are
//     spread over the primaries by hash slot; reads and writes go to the
//     slot's primary. Many-key operations are sent as one pipeline per node
//     (never one cross-slot MGET); clear runs FLUSHDB on every primary.
//     Only database 0 exists on a cluster.
//   - Sentinel: OPTIONS.sentinels lists the sentinels ("10.0.0.1:26379", ...),
//     and LOCATION names the master set as its host, as django-redis's
//     SentinelClient: "redis://mymaster/1". Every operation goes to the
//     primary the sentinels currently elect; sentinel_username and
//     sentinel_password authenticate to the sentinels.
//
// The Store also reports which keys any client changed (Track, Redis
// server-assisted client-side caching, for the tiered backend) and returns an
// entry's expiry with its value (GetWithExpiry).
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"gojango/framework/cache"
)

func init() {
	goredis.SetLogger(slogAdapter{}) // go-redis's logger registry, set once like our backend registry
	cache.Register("redis", New, "django.core.cache.backends.redis.RedisCache")
}

// Default network timeouts, so that an unreachable or stuck server turns into
// an error instead of a hang.
const (
	defaultDialTimeout  = 5 * time.Second
	defaultReadTimeout  = 3 * time.Second
	defaultWriteTimeout = 3 * time.Second
)

// Store is a cache.Store and cache.BatchStore on one or more Redis servers,
// a Redis Cluster or a Sentinel-managed primary.
type Store struct {
	servers []*server // one LOCATION server each; servers[0] is the write server
	multi   *multi    // cluster or sentinel: one client for every operation; then servers is nil
	now     func() time.Time
	logger  *slog.Logger // the alias's (cache.Params.Logger)
}

// server is one LOCATION entry and its lazily made client.
type server struct {
	opts   *goredis.Options
	once   sync.Once
	client *goredis.Client // nil until first use; stays nil if Close came first
}

var (
	_ cache.Store      = (*Store)(nil)
	_ cache.BatchStore = (*Store)(nil)
)

// errClosed is returned by operations on a server whose client was never made
// before Close.
var errClosed = errors.New("redis: cache store is closed")

// New builds a Store from the alias's LOCATION and OPTIONS. It parses and
// checks them but does not connect.
func New(p cache.Params) (cache.Store, error) {
	locs := locations(p.Config.Location, p.Config.Locations)
	if len(locs) == 0 {
		return nil, errors.New(`redis: LOCATION is empty: want a URL such as "redis://127.0.0.1:6379/0", or several separated by "," or ";"`)
	}
	o, err := parseOptions(p.Config.Options)
	if err != nil {
		return nil, err
	}
	now := p.Now
	if now == nil {
		now = time.Now
	}
	parsed := make([]*goredis.Options, len(locs))
	for i, loc := range locs {
		opts, err := goredis.ParseURL(loc)
		if err != nil {
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err // its text repeats the URL, password and all
			}
			return nil, fmt.Errorf("redis: LOCATION %q: %w", redactURL(loc), err)
		}
		o.apply(opts)
		parsed[i] = opts
	}
	logger := p.Logger
	if logger == nil {
		logger = slog.Default()
	}
	s := &Store{now: now, logger: logger}
	switch {
	case o.cluster && len(o.sentinels) > 0:
		return nil, errors.New("redis: OPTIONS cluster and sentinels exclude each other")
	case o.cluster:
		m, err := newClusterMulti(locs, parsed)
		if err != nil {
			return nil, err
		}
		s.multi = m
	case len(o.sentinels) > 0:
		m, err := newSentinelMulti(locs, parsed, o)
		if err != nil {
			return nil, err
		}
		s.multi = m
	default:
		s.servers = make([]*server, len(parsed))
		for i, opts := range parsed {
			s.servers[i] = &server{opts: opts}
		}
	}
	return s, nil
}

// locations returns the server URLs of a LOCATION: the list form when the
// settings gave one, the single string otherwise, each part split again on
// "," and ";" (Django's re.split("[;,]", ...)), blanks dropped.
func locations(location string, list []string) []string {
	parts := list
	if len(parts) == 0 && location != "" {
		parts = []string{location}
	}
	var out []string
	for _, p := range parts {
		for _, s := range strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ';' }) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// redactURL hides the password of a URL for error messages.
func redactURL(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return u
	}
	user, _, hasPw := strings.Cut(authority[:at], ":")
	if !hasPw {
		return u
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// client returns the go-redis client of server i, making it on first use.
func (s *Store) client(i int) (*goredis.Client, error) {
	srv := s.servers[i]
	srv.once.Do(func() { srv.client = goredis.NewClient(srv.opts) })
	if srv.client == nil {
		return nil, errClosed
	}
	return srv.client, nil
}

// writeClient is the primary's client: every write goes there. On a cluster
// or Sentinel it is the one client that routes by itself.
func (s *Store) writeClient() (goredis.UniversalClient, error) {
	if s.multi != nil {
		return s.multi.get()
	}
	return s.client(0)
}

// readClient is a replica's client picked at random among servers 1..n-1,
// or the only server's (the routing client on a cluster or Sentinel).
func (s *Store) readClient() (goredis.UniversalClient, error) {
	if s.multi != nil {
		return s.multi.get()
	}
	return s.client(readIndex(len(s.servers)))
}

// readIndex is Django's read server choice: 0 with one server, otherwise
// uniformly random in [1, n-1].
func readIndex(n int) int {
	if n <= 1 {
		return 0
	}
	return 1 + rand.IntN(n-1)
}

// maxTTL is the longest TTL sent: the largest Duration that rounding up to
// the millisecond cannot overflow.
const maxTTL = time.Duration(math.MaxInt64) - time.Millisecond

// ttl turns an absolute expiry into a Redis TTL at now: never is true for the
// zero time or one after year 9999 (cache.NeverExpires), and for a TTL
// beyond what a Duration holds (about 292 years; exp.Sub saturates there), as
// the front treats such a timeout; expired is true when the entry is already
// expired, however far in the past (Django's timeout 0 or negative, turned
// into 0 by get_backend_timeout); otherwise d is the time left rounded up to
// the millisecond, sent as PX.
func ttl(exp, now time.Time) (d time.Duration, never, expired bool) {
	if cache.NeverExpires(exp) {
		return 0, true, false
	}
	if cache.Expired(exp, now) {
		return 0, false, true
	}
	d = exp.Sub(now)
	if d > maxTTL {
		return 0, true, false
	}
	if r := d % time.Millisecond; r != 0 {
		d += time.Millisecond - r
	}
	return d, false, false
}

// Get reads key from a read server.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c, err := s.readClient()
	if err != nil {
		return nil, false, opErr("get", key, err)
	}
	b, err := c.Get(ctx, key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, opErr("get", key, err)
	}
	return b, true, nil
}

// Set stores value at key on the write server. An already expired exp
// deletes the key instead, as Django does for timeout 0.
func (s *Store) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	c, err := s.writeClient()
	if err != nil {
		return opErr("set", key, err)
	}
	d, _, expired := ttl(exp, s.now())
	if expired {
		err = c.Del(ctx, key).Err()
	} else {
		err = c.Set(ctx, key, value, d).Err()
	}
	if err != nil {
		return opErr("set", key, err)
	}
	return nil
}

// Add stores value at key with SET NX and reports whether it did. With an
// already expired exp the value is written with NX and deleted at once when
// that succeeded, so the result still tells whether the key was free
// (Django's timeout 0).
func (s *Store) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	c, err := s.writeClient()
	if err != nil {
		return false, opErr("add", key, err)
	}
	d, _, expired := ttl(exp, s.now())
	ok, err := c.SetNX(ctx, key, value, d).Result()
	if err != nil {
		return false, opErr("add", key, err)
	}
	if ok && expired {
		if err := c.Del(ctx, key).Err(); err != nil {
			return true, opErr("add", key, err)
		}
	}
	return ok, nil
}

// Touch sets a new expiry on key and reports whether the key was there:
// EXPIRE (in milliseconds) for a future exp, PERSIST for never, DEL for an
// already expired exp (what Redis does for EXPIRE key 0).
//
// For never, Touch reports whether the key exists, as the Store contract asks,
// where redis-py's bool(PERSIST) is false for a key that had no TTL.
func (s *Store) Touch(ctx context.Context, key string, exp time.Time) (bool, error) {
	c, err := s.writeClient()
	if err != nil {
		return false, opErr("touch", key, err)
	}
	d, never, expired := ttl(exp, s.now())
	var ok bool
	switch {
	case expired:
		var n int64
		n, err = c.Del(ctx, key).Result()
		ok = n > 0
	case never:
		var exists *goredis.IntCmd
		_, err = c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			exists = p.Exists(ctx, key)
			p.Persist(ctx, key)
			return nil
		})
		if err == nil {
			ok = exists.Val() > 0
		}
	default:
		ok, err = c.PExpire(ctx, key, d).Result()
	}
	if err != nil {
		return false, opErr("touch", key, err)
	}
	return ok, nil
}

// Delete removes key on the write server and reports whether it was there.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	c, err := s.writeClient()
	if err != nil {
		return false, opErr("delete", key, err)
	}
	n, err := c.Del(ctx, key).Result()
	if err != nil {
		return false, opErr("delete", key, err)
	}
	return n > 0, nil
}

// Has reports whether key exists on a read server (Redis drops expired keys).
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	c, err := s.readClient()
	if err != nil {
		return false, opErr("has", key, err)
	}
	n, err := c.Exists(ctx, key).Result()
	if err != nil {
		return false, opErr("has", key, err)
	}
	return n > 0, nil
}

// incrScript is Django's "EXISTS, then INCRBY" made atomic and one round trip:
// a key that expires between the two can no longer be re-created without a
// TTL. It returns nil (redis.Nil) for a missing key, and the new value as
// Redis stores it (text): Lua numbers are doubles, so INCRBY's own reply
// would come back rounded above 2^53.
var incrScript = goredis.NewScript(`if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('INCRBY', KEYS[1], ARGV[1])
return redis.call('GET', KEYS[1])`)

// Incr adds delta to the integer at key on the write server, keeping its TTL,
// and returns the new value. A missing key is cache.ErrNotFound; a value Redis
// cannot read as a 64-bit integer is cache.ErrNotInteger, a sum that
// overflows cache.ErrIncrOverflow (which matches ErrNotInteger too).
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	c, err := s.writeClient()
	if err != nil {
		return 0, opErr("incr", key, err)
	}
	n, err := incrScript.Run(ctx, c, []string{key}, delta).Int64()
	switch {
	case errors.Is(err, goredis.Nil):
		return 0, fmt.Errorf("redis incr: Key '%s' not found: %w", key, cache.ErrNotFound)
	case err != nil && isOverflow(err):
		return 0, fmt.Errorf("redis incr %q by %d: %w: %w: %w", key, delta, cache.ErrIncrOverflow, cache.ErrNotInteger, err)
	case err != nil && isNotInteger(err):
		return 0, fmt.Errorf("redis incr %q: %w: %w", key, cache.ErrNotInteger, err)
	case err != nil:
		return 0, opErr("incr", key, err)
	}
	return n, nil
}

// isNotInteger recognises Redis's "ERR value is not an integer or out of
// range" reply.
func isNotInteger(err error) bool {
	var rerr goredis.Error
	return errors.As(err, &rerr) && strings.Contains(rerr.Error(), "not an integer")
}

// isOverflow recognises Redis's "ERR increment or decrement would overflow".
func isOverflow(err error) bool {
	var rerr goredis.Error
	return errors.As(err, &rerr) && strings.Contains(rerr.Error(), "overflow")
}

// Clear runs FLUSHDB on the write server: every key of that Redis database is
// removed, not only this cache's (Django's RedisCache.clear does the same). On
// a cluster it runs on every primary.
func (s *Store) Clear(ctx context.Context) error {
	c, err := s.writeClient()
	if err != nil {
		return fmt.Errorf("redis clear: %w", err)
	}
	if cc, ok := c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
			if err := n.FlushDB(ctx).Err(); err != nil {
				return fmt.Errorf("node %s: %w", n.Options().Addr, err)
			}
			return nil
		})
	} else {
		err = c.FlushDB(ctx).Err()
	}
	if err != nil {
		return fmt.Errorf("redis clear (FLUSHDB): %w", err)
	}
	return nil
}

// Close closes the clients made so far and stops new ones from being made.
func (s *Store) Close() error {
	if s.multi != nil {
		return s.multi.close()
	}
	var errs []error
	for i, srv := range s.servers {
		srv.once.Do(func() {}) // a server never used gets no client
		if srv.client != nil {
			if err := srv.client.Close(); err != nil && !errors.Is(err, goredis.ErrClosed) {
				errs = append(errs, fmt.Errorf("redis close server %d (%s): %w", i, srv.opts.Addr, err))
			}
		}
	}
	return errors.Join(errs...)
}

// GetMany reads keys with one MGET on a read server; missing keys are left
// out of the result.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	c, err := s.readClient()
	if err != nil {
		return nil, manyErr("get_many", keys, err)
	}
	if cc, ok := c.(*goredis.ClusterClient); ok {
		return clusterGetMany(ctx, cc, keys, out)
	}
	vals, err := c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, manyErr("get_many", keys, err)
	}
	for i, v := range vals {
		if i >= len(keys) {
			break
		}
		switch v := v.(type) {
		case string:
			out[keys[i]] = []byte(v)
		case []byte:
			out[keys[i]] = v
		}
	}
	return out, nil
}

// SetMany stores every item on the write server in one pipeline of SETs, each
// with the expiry. An already expired exp deletes the keys instead. No key is
// reported as failed; a failure is an error.
func (s *Store) SetMany(ctx context.Context, items map[string][]byte, exp time.Time) ([]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	c, err := s.writeClient()
	if err != nil {
		return nil, manyErr("set_many", keys, err)
	}
	d, _, expired := ttl(exp, s.now())
	if expired {
		if err := del(ctx, c, keys); err != nil {
			return nil, manyErr("set_many", keys, err)
		}
		return nil, nil
	}
	_, err = c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, k := range keys {
			p.Set(ctx, k, items[k], d)
		}
		return nil
	})
	if err != nil {
		return nil, manyErr("set_many", keys, err)
	}
	return nil, nil
}

// DeleteMany removes keys with one DEL on the write server.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	c, err := s.writeClient()
	if err != nil {
		return manyErr("delete_many", keys, err)
	}
	if err := del(ctx, c, keys); err != nil {
		return manyErr("delete_many", keys, err)
	}
	return nil
}

func opErr(op, key string, err error) error {
	return fmt.Errorf("redis %s %q: %w", op, key, err)
}

// manyErr names the operation, the key count and the first key.
func manyErr(op string, keys []string, err error) error {
	if len(keys) == 1 {
		return opErr(op, keys[0], err)
	}
	return fmt.Errorf("redis %s (%d keys, first %q): %w", op, len(keys), keys[0], err)
}
