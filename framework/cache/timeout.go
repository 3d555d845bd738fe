package cache

import (
	"math"
	"time"
)

// Timeout is a cache timeout in seconds, as in Django: c.Set(ctx, "k", v,
// 60*15) keeps the value fifteen minutes. Zero or negative means "expired at
// once" (the value is written but no read sees it). Two named values stand
// for Django's sentinels.
type Timeout int64

const (
	// DefaultTimeout uses the alias's TIMEOUT (Django's DEFAULT_TIMEOUT).
	DefaultTimeout Timeout = math.MinInt64
	// Forever never expires (Django's timeout=None).
	Forever Timeout = math.MaxInt64
)

// expiry turns a timeout into an absolute expiry for a Store: the zero Time
// for never; now-1s for zero or negative (Django turns 0 into -1); now+n
// otherwise.
func expiry(now time.Time, t Timeout) time.Time {
	switch {
	case t == Forever:
		return time.Time{}
	case t <= 0:
		if t == 0 {
			t = -1
		}
		return now.Add(time.Duration(t) * time.Second)
	case t > Timeout(math.MaxInt64/int64(time.Second)):
		return time.Time{} // beyond what time.Duration holds: as good as never
	default:
		return now.Add(time.Duration(t) * time.Second)
	}
}

// Expired reports whether an entry with expiry exp is expired at now
// (locmem's rule: expiry <= now). The zero Time never expires. Backends use it
// so every store agrees on the boundary.
func Expired(exp, now time.Time) bool {
	return !exp.IsZero() && !exp.After(now)
}
