package redis

// Server-assisted client-side caching: the Store reports which keys any
// client changed, for a two-tier alias (backends/tiered) that keeps copies in
// process. Each server that takes writes gets one dedicated RESP3 connection
// with CLIENT TRACKING ON BCAST PREFIX <prefix>: Redis pushes an "invalidate"
// message on it for every key with that prefix that any client writes,
// deletes, expires or evicts, and a null one for FLUSHDB/FLUSHALL.
//
// The connections are github.com/redis/rueidis's: its connections read
// continuously in their own goroutine, so a push is handled as soon as it
// arrives (go-redis reads a pooled connection only when a command is sent on
// it), and a dedicated connection reports its own loss on a channel, which is
// exactly when the front must stop trusting its copies.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"

	"gojango/framework/cache"
)

var _ cache.Tracker = (*Store)(nil)
var _ cache.ExpiryGetter = (*Store)(nil)

// Retry delays of the tracking connection after a failure.
const (
	trackRetryMin = 50 * time.Millisecond
	trackRetryMax = time.Second
)

// getExpiryScript returns a key's value and its PTTL in one atomic step.
var getExpiryScript = `local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}`

// GetWithExpiry reads key and its expiry from the server that takes writes
// (the primary: a copy read from a replica could predate an invalidation
// already delivered), as one atomic script.
func (s *Store) GetWithExpiry(ctx context.Context, key string) ([]byte, time.Time, bool, error) {
	c, err := s.writeClient()
	if err != nil {
		return nil, time.Time{}, false, opErr("get", key, err)
	}
	now := s.now()
	res, err := c.Eval(ctx, getExpiryScript, []string{key}).Slice()
	if errors.Is(err, goredis.Nil) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, opErr("get", key, err)
	}
	if len(res) != 2 {
		return nil, time.Time{}, false, opErr("get", key, fmt.Errorf("unexpected reply %v", res))
	}
	var v []byte
	switch x := res[0].(type) {
	case string:
		v = []byte(x)
	case []byte:
		v = x
	default:
		return nil, time.Time{}, false, opErr("get", key, fmt.Errorf("unexpected value type %T", x))
	}
	var exp time.Time
	if pttl, ok := res[1].(int64); ok && pttl >= 0 {
		exp = now.Add(time.Duration(pttl) * time.Millisecond)
	}
	return v, exp, true, nil
}

// Track implements cache.Tracker: see the file comment. Until the tracking
// connections are up (and whenever one drops) inv hears Tracking(false).
func (s *Store) Track(prefix string, inv cache.Invalidations) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.trackLoop(ctx, prefix, inv)
	}()
	return func() { cancel(); <-done }
}

// trackingOption is the rueidis client for the servers that take writes.
func (s *Store) trackingOption() rueidis.ClientOption {
	var o rueidis.ClientOption
	base := s.trackBase()
	o.Username, o.Password, o.SelectDB = base.Username, base.Password, base.DB
	o.TLSConfig = base.TLSConfig
	o.Dialer.Timeout = base.DialTimeout
	o.ConnWriteTimeout = base.ReadTimeout
	o.DisableCache = true // our own CLIENT TRACKING on the dedicated connection
	o.DisableRetry = true
	switch {
	case s.multi != nil && s.multi.cluster != nil:
		o.InitAddress = s.multi.cluster.Addrs
	case s.multi != nil:
		o.InitAddress = s.multi.failed.SentinelAddrs
		o.Sentinel = rueidis.SentinelOption{
			MasterSet: s.multi.failed.MasterName,
			Username:  s.multi.failed.SentinelUsername,
			Password:  s.multi.failed.SentinelPassword,
		}
	default:
		o.InitAddress = []string{base.Addr}
		o.ForceSingleClient = true
	}
	return o
}

func (s *Store) trackBase() *goredis.Options {
	if s.multi != nil {
		return s.multi.trackOpts
	}
	return s.servers[0].opts
}

func (s *Store) trackLoop(ctx context.Context, prefix string, inv cache.Invalidations) {
	delay := trackRetryMin
	for ctx.Err() == nil {
		err := s.trackOnce(ctx, prefix, inv, func() { delay = trackRetryMin })
		inv.Tracking(false)
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("redis: invalidation connection lost, in-process copies bypassed until it is back",
			slog.String("component", "redis-tracking"), slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, trackRetryMax)
	}
}

// trackOnce connects, turns tracking on on one dedicated connection per node
// and reports until one of them drops or ctx ends.
func (s *Store) trackOnce(ctx context.Context, prefix string, inv cache.Invalidations, connected func()) error {
	client, err := rueidis.NewClient(s.trackingOption())
	if err != nil {
		return fmt.Errorf("redis tracking: connect: %w", err)
	}
	defer client.Close()
	onInv := func(msgs []rueidis.RedisMessage) {
		if msgs == nil {
			inv.Changed(nil)
			return
		}
		keys := make([]string, 0, len(msgs))
		for _, m := range msgs {
			if k, err := m.ToString(); err == nil {
				keys = append(keys, k)
			}
		}
		inv.Changed(keys)
	}
	cmd := []string{"CLIENT", "TRACKING", "ON", "BCAST"}
	if prefix != "" {
		cmd = append(cmd, "PREFIX", prefix)
	}
	var lost []<-chan error
	for addr, node := range client.Nodes() {
		dc, release := node.Dedicate()
		defer release()
		ch := dc.SetOnInvalidations(onInv)
		if err := dc.Do(ctx, dc.B().Arbitrary(cmd...).Build()).Error(); err != nil {
			return fmt.Errorf("redis tracking: node %s: CLIENT TRACKING: %w", addr, err)
		}
		lost = append(lost, ch)
	}
	if len(lost) == 0 {
		return errors.New("redis tracking: no node to track")
	}
	connected()
	inv.Tracking(true)
	// Wait for the first connection to drop (or stop).
	dropped := make(chan error, len(lost))
	for _, ch := range lost {
		go func() {
			select {
			case err := <-ch:
				dropped <- err
			case <-ctx.Done():
			}
		}()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-dropped:
		if err == nil {
			err = errors.New("connection closed")
		}
		return fmt.Errorf("redis tracking: %w", err)
	}
}
