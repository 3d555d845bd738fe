package cache

import (
	"math"
	"time"
)

// Timeout is a cache timeout in seconds, as in Django: c.Set(ctx, "k", v,
// 60*15) keeps the value fifteen minutes. Zero or negative means "expired at
// once" (the value is written but no read sees it), whatever its size. Two
// named values stand for Django's sentinels.
type Timeout int64

const (
	// DefaultTimeout uses the alias's TIMEOUT (Django's DEFAULT_TIMEOUT).
	DefaultTimeout Timeout = math.MinInt64
	// Forever never expires (Django's timeout=None).
	Forever Timeout = math.MaxInt64
)

// maxTimeout is the largest timeout, in seconds, a time.Duration holds
// (about 292 years). A larger positive timeout is as good as never; a
// negative one beyond -maxTimeout is clamped to it, which is long expired.
const maxTimeout = Timeout(math.MaxInt64 / int64(time.Second))

// maxExpiry is the latest expiry kept as a time: Python's datetime.max to
// the second, 9999-12-31 23:59:59 UTC, where SQL DATETIME columns end (the
// db backend stores "never" as this very value).
var maxExpiry = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// NeverExpires reports whether exp, an expiry given to a Store, means
// "never": the zero Time, or a time after 9999-12-31 23:59:59 UTC (which no
// SQL DATETIME column holds). The front never passes such a later time (it
// sends the zero Time instead); a Store handed one directly should keep the
// entry without expiry rather than convert the time, which may overflow.
func NeverExpires(exp time.Time) bool {
	return exp.IsZero() || exp.After(maxExpiry)
}

// expiry turns a timeout into an absolute expiry for a Store: the zero Time
// for never; now+n for zero or negative n (Django turns 0 into -1), clamped
// to now-maxTimeout so that it never wraps into the future; now+n otherwise,
// or never when now+n is beyond what a Duration holds or after year 9999.
// The expiry of a zero or negative timeout is always at or before now, and
// never the zero Time.
func expiry(now time.Time, t Timeout) time.Time {
	switch {
	case t == Forever:
		return time.Time{}
	case t <= 0:
		if t == 0 {
			t = -1
		}
		if t < -maxTimeout {
			t = -maxTimeout // time.Duration(t) * time.Second would wrap
		}
		exp := now.Add(time.Duration(t) * time.Second)
		if exp.IsZero() {
			exp = exp.Add(-time.Nanosecond) // the zero Time means never
		}
		return exp
	case t > maxTimeout:
		return time.Time{} // beyond what time.Duration holds: as good as never
	}
	exp := now.Add(time.Duration(t) * time.Second)
	if NeverExpires(exp) {
		return time.Time{}
	}
	return exp
}

// Expired reports whether an entry with expiry exp is expired at now
// (locmem's rule: expiry <= now). The zero Time never expires. Backends use it
// so every store agrees on the boundary.
func Expired(exp, now time.Time) bool {
	return !exp.IsZero() && !exp.After(now)
}
