package redis

import (
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// options is the parsed OPTIONS of a redis alias. A nil pointer or zero value
// means "not set": the URL's value, or the default, stays.
type options struct {
	db           *int
	username     *string
	password     *string
	poolSize     int
	dialTimeout  time.Duration
	readTimeout  time.Duration
	writeTimeout time.Duration

	cluster          bool     // LOCATION lists seed nodes of a Redis Cluster
	sentinels        []string // Sentinel addresses; LOCATION's host is the master name
	sentinelUsername *string
	sentinelPassword *string
}

// acceptedOptions lists the OPTIONS keys, for error messages.
// socket_timeout and socket_connect_timeout are redis-py's names, accepted so
// Django settings carry over: the first sets both the read and the write
// timeout, the second the dial timeout.
// cluster and sentinels pick the topology (see the package doc);
// SENTINELS is django-redis's spelling of sentinels.
const acceptedOptions = "cluster, db, dial_timeout, password, pool_size, read_timeout, " +
	"sentinel_password, sentinel_username, sentinels (or SENTINELS), " +
	"socket_connect_timeout, socket_timeout, username, write_timeout"

// parseOption parses one OPTIONS entry into o; known is false for a key that
// is not accepted.
func parseOption(o *options, key string, v any) (known bool, err error) {
	switch key {
	case "db":
		n, err := intOption(v)
		if err != nil {
			return true, err
		}
		if n < 0 {
			return true, fmt.Errorf("must be >= 0, got %d", n)
		}
		o.db = &n
	case "username", "password":
		s, ok := v.(string)
		if !ok {
			return true, fmt.Errorf("must be a string, got %T", v)
		}
		if key == "username" {
			o.username = &s
		} else {
			o.password = &s
		}
	case "pool_size":
		n, err := intOption(v)
		if err != nil {
			return true, err
		}
		if n <= 0 {
			return true, fmt.Errorf("must be > 0, got %d", n)
		}
		o.poolSize = n
	case "dial_timeout", "socket_connect_timeout":
		return true, secondsOption(v, &o.dialTimeout)
	case "read_timeout":
		return true, secondsOption(v, &o.readTimeout)
	case "write_timeout":
		return true, secondsOption(v, &o.writeTimeout)
	case "socket_timeout":
		if err := secondsOption(v, &o.readTimeout); err != nil {
			return true, err
		}
		o.writeTimeout = o.readTimeout
	case "cluster":
		b, ok := v.(bool)
		if !ok {
			return true, fmt.Errorf("must be true or false, got %T", v)
		}
		o.cluster = b
	case "sentinels", "SENTINELS":
		addrs, err := addrList(v)
		if err != nil {
			return true, err
		}
		o.sentinels = addrs
	case "sentinel_username", "sentinel_password":
		s, ok := v.(string)
		if !ok {
			return true, fmt.Errorf("must be a string, got %T", v)
		}
		if key == "sentinel_username" {
			o.sentinelUsername = &s
		} else {
			o.sentinelPassword = &s
		}
	default:
		return false, nil
	}
	return true, nil
}

// addrList reads Sentinel addresses: a list of "host:port" strings (or
// django-redis's [host, port] pairs), or one string separated by "," or ";".
func addrList(v any) ([]string, error) {
	var items []any
	switch v := v.(type) {
	case string:
		for _, s := range locations(v, nil) {
			items = append(items, s)
		}
	case []string:
		for _, s := range v {
			items = append(items, s)
		}
	case []any:
		items = v
	default:
		return nil, fmt.Errorf(`must be a list of "host:port" addresses, got %T`, v)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch it := it.(type) {
		case string:
			if _, _, err := net.SplitHostPort(strings.TrimSpace(it)); err != nil {
				return nil, fmt.Errorf("address %q: %w", it, err)
			}
			out = append(out, strings.TrimSpace(it))
		case []any: // django-redis: ("localhost", 26379)
			if len(it) != 2 {
				return nil, fmt.Errorf("address %v: want [host, port]", it)
			}
			host, ok := it[0].(string)
			port, err := intOption(it[1])
			if !ok || err != nil || port <= 0 || port > 65535 {
				return nil, fmt.Errorf("address %v: want [host, port]", it)
			}
			out = append(out, net.JoinHostPort(host, strconv.Itoa(port)))
		default:
			return nil, fmt.Errorf(`address %v: want "host:port"`, it)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("is empty")
	}
	return out, nil
}

// parseOptions checks and parses OPTIONS. Keys are applied in sorted order so
// that, of two keys setting the same timeout, the result does not depend on
// map order (socket_timeout sorts after read_timeout and write_timeout).
func parseOptions(m map[string]any) (options, error) {
	var o options
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		known, err := parseOption(&o, k, m[k])
		if !known {
			return options{}, fmt.Errorf("redis: unknown OPTIONS key %q (accepted: %s)", k, acceptedOptions)
		}
		if err != nil {
			return options{}, fmt.Errorf("redis: OPTIONS %q: %w", k, err)
		}
	}
	return o, nil
}

// apply puts the options over what the URL set, then fills the defaults.
func (o options) apply(r *goredis.Options) {
	if o.db != nil {
		r.DB = *o.db
	}
	if o.username != nil {
		r.Username = *o.username
	}
	if o.password != nil {
		r.Password = *o.password
	}
	if o.poolSize > 0 {
		r.PoolSize = o.poolSize
	}
	set := func(dst *time.Duration, opt, def time.Duration) {
		switch {
		case opt > 0:
			*dst = opt
		case *dst == 0: // neither OPTIONS nor the URL's query set it
			*dst = def
		}
	}
	set(&r.DialTimeout, o.dialTimeout, defaultDialTimeout)
	set(&r.ReadTimeout, o.readTimeout, defaultReadTimeout)
	set(&r.WriteTimeout, o.writeTimeout, defaultWriteTimeout)
	// One dial per command attempt (go-redis's default is five, 100ms apart,
	// times its three command retries): a cache whose server is down should
	// fail in milliseconds so the front can fall back, not stall requests.
	// The URL's dialer_retries query parameter still wins.
	if r.DialerRetries == 0 {
		r.DialerRetries = 1
	}
	// A context deadline shortens the socket timeouts of a call.
	r.ContextTimeoutEnabled = true
	// Django's client does not take part in Redis Enterprise maintenance
	// notifications; "auto" would send an extra command on every connection.
	r.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// intOption reads an integer option: a TOML integer, an integral float or a
// decimal string.
func intOption(v any) (int, error) {
	switch v := v.(type) {
	case int:
		return v, nil
	case int64:
		if v < math.MinInt || v > math.MaxInt {
			return 0, fmt.Errorf("%d is out of range", v)
		}
		return int(v), nil
	case int32:
		return int(v), nil
	case float64:
		if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
			return 0, fmt.Errorf("must be an integer, got %v", v)
		}
		return int(v), nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("must be an integer, got %q", v)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("must be an integer, got %T", v)
	}
}

// secondsOption parses a timeout in seconds (integer, float or decimal
// string), which must be positive, into dst.
func secondsOption(v any, dst *time.Duration) error {
	var secs float64
	switch v := v.(type) {
	case int:
		secs = float64(v)
	case int64:
		secs = float64(v)
	case int32:
		secs = float64(v)
	case float64:
		secs = v
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return fmt.Errorf("must be a number of seconds, got %q", v)
		}
		secs = f
	default:
		return fmt.Errorf("must be a number of seconds, got %T", v)
	}
	if math.IsNaN(secs) || secs <= 0 || secs > float64(math.MaxInt64/int64(time.Second)) {
		return fmt.Errorf("must be a positive number of seconds, got %v", v)
	}
	d := time.Duration(secs * float64(time.Second))
	if d <= 0 {
		d = 1 // below a nanosecond: still a timeout, the shortest one
	}
	*dst = d
	return nil
}
