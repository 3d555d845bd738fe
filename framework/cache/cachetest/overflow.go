package cachetest

import (
	"fmt"
	"math"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// maxDurationSeconds is the largest timeout, in seconds, a time.Duration
// holds (about 292 years): beyond it, in either direction, a timeout turned
// into a Duration wraps (issue 9).
const maxDurationSeconds = cache.Timeout(math.MaxInt64 / int64(time.Second))

// Zero or negative timeouts however large: each is "expired at once"
// (Django's rule 20). math.MinInt64 itself is cache.DefaultTimeout.
var overflowNegative = []cache.Timeout{
	-maxDurationSeconds, // the most negative a Duration holds
	-maxDurationSeconds - 1,
	-10000000000, // about -317 years
	-1 << 62,
	math.MinInt64 + 1,
}

// Positive timeouts however large: each keeps the entry (beyond what a
// Duration holds, as never). math.MaxInt64 itself is cache.Forever.
var overflowPositive = []cache.Timeout{
	maxDurationSeconds, // the largest a Duration holds: now + 292 years
	maxDurationSeconds + 1,
	10000000000, // about 317 years
	1 << 62,
	math.MaxInt64 - 1,
}

// century is a jump of the fake clock after which a far-future entry must
// still be there.
const century = 100 * 365 * 24 * time.Hour

// Extreme absolute expiries handed straight to a Store, past and future.
// time.Time{} itself (0001-01-01 00:00:00 UTC) is the Store's "never".
func extremePast(now time.Time) []namedTime {
	return []namedTime{
		{"UnixMinInt64Half", time.Unix(math.MinInt64/2, 0)},
		{"Year1", time.Time{}.Add(time.Second)},
		{"Year1000", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"BeforeUnixNanos", time.Unix(0, math.MinInt64).Add(-time.Second)}, // before 1677
		{"Epoch", time.Unix(0, 0)},
		{"NowMinus300Years", now.AddDate(-300, 0, 0)},
		{"NowMinus1s", now.Add(-time.Second)},
	}
}

func extremeFuture(now time.Time) []namedTime {
	return []namedTime{
		{"NowPlus300Years", now.AddDate(300, 0, 0)},
		{"AfterUnixNanos", time.Unix(0, math.MaxInt64).Add(time.Second)}, // after 2262
		{"Year3000", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Year9999End", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"Year10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"UnixMaxInt64Half", time.Unix(math.MaxInt64/2, 0)},
	}
}

type namedTime struct {
	name string
	t    time.Time
}

// wantGone checks that key is neither found by Get nor by HasKey.
func wantGone(t *testing.T, c *cache.Cache, key string) {
	t.Helper()
	wantMiss(t, c, key)
	if has(t, c, key) {
		t.Fatalf("HasKey(%q) = true; want false", key)
	}
}

// wantKept checks that key holds want for Get and HasKey.
func wantKept(t *testing.T, c *cache.Cache, key, want string) {
	t.Helper()
	wantString(t, c, key, want)
	if !has(t, c, key) {
		t.Fatalf("HasKey(%q) = false; want true", key)
	}
}

func init() {
	register("TimeoutOverflowIsClamped", func(t *testing.T, b *Backend) { // rules 19, 20; issue 9
		e := newEnv(t, b, nil)
		for i, tm := range overflowNegative {
			t.Run(fmt.Sprint(tm), func(t *testing.T) {
				k := fmt.Sprintf("neg%d_", i)
				set(t, e.C, k+"set", "eggs", tm)
				wantGone(t, e.C, k+"set")
				if !add(t, e.C, k+"add", "ham", tm) {
					t.Fatal("Add = false; Django's add with a negative timeout returns True")
				}
				wantGone(t, e.C, k+"add")
				if !add(t, e.C, k+"add", "ham", tm) {
					t.Fatal("second Add = false: the first one stored a live entry")
				}
				set(t, e.C, k+"touch", "spam", cache.DefaultTimeout)
				if !touch(t, e.C, k+"touch", tm) {
					t.Fatal("Touch on a live key = false")
				}
				wantGone(t, e.C, k+"touch")
				if _, err := e.C.SetMany(ctx, map[string]any{k + "many1": "a", k + "many2": "b"}, tm); err != nil {
					t.Fatal(err)
				}
				wantGone(t, e.C, k+"many1")
				wantGone(t, e.C, k+"many2")
			})
		}
		for i, tm := range overflowPositive {
			t.Run(fmt.Sprint(tm), func(t *testing.T) {
				k := fmt.Sprintf("pos%d_", i)
				set(t, e.C, k+"set", "eggs", tm)
				wantKept(t, e.C, k+"set", "eggs")
				if !add(t, e.C, k+"add", "ham", tm) {
					t.Fatal("Add of a missing key = false")
				}
				wantKept(t, e.C, k+"add", "ham")
				if add(t, e.C, k+"add", "other", tm) {
					t.Fatal("second Add = true: the first one did not store a live entry")
				}
				set(t, e.C, k+"touch", "spam", 1)
				if !touch(t, e.C, k+"touch", tm) {
					t.Fatal("Touch on a live key = false")
				}
				wantKept(t, e.C, k+"touch", "spam")
				if _, err := e.C.SetMany(ctx, map[string]any{k + "many1": "a", k + "many2": "b"}, tm); err != nil {
					t.Fatal(err)
				}
				wantKept(t, e.C, k+"many1", "a")
				wantKept(t, e.C, k+"many2", "b")
			})
		}
		if !b.RealClock {
			// A century on, every far-future entry is still there (the
			// touched one was first set for 1 s).
			e.Clock.Advance(century)
			for i := range overflowPositive {
				k := fmt.Sprintf("pos%d_", i)
				wantKept(t, e.C, k+"set", "eggs")
				wantKept(t, e.C, k+"add", "ham")
				wantKept(t, e.C, k+"touch", "spam")
				wantKept(t, e.C, k+"many1", "a")
			}
		}
		// An alias whose TIMEOUT overflows: DefaultTimeout resolves to it.
		for _, tm := range []int64{-10000000000, -1 << 62, math.MinInt64 + 1} {
			c := shareEnv(t, e, func(c *settings.Cache) { c.Timeout = tm })
			k := fmt.Sprintf("alias%d", tm)
			set(t, c, k, "eggs", cache.DefaultTimeout)
			wantGone(t, c, k)
		}
	})

	register("StoreExpiryOverflowIsClamped", func(t *testing.T, b *Backend) { // issue 9, at the Store
		e := newEnv(t, b, nil)
		st := e.Store
		now := e.Clock.Now()
		val := []byte("v")
		storeHas := func(t *testing.T, key string) bool {
			t.Helper()
			v, ok, err := st.Get(ctx, key)
			if err != nil {
				t.Fatalf("Store.Get(%q): %v", key, err)
			}
			h, err := st.Has(ctx, key)
			if err != nil {
				t.Fatalf("Store.Has(%q): %v", key, err)
			}
			if ok != h {
				t.Fatalf("Store.Get(%q) found=%v but Store.Has = %v", key, ok, h)
			}
			if ok && string(v) != string(val) {
				t.Fatalf("Store.Get(%q) = %q; want %q", key, v, val)
			}
			return ok
		}
		check := func(t *testing.T, key string, exp time.Time, live bool) {
			t.Helper()
			if err := st.Set(ctx, key+"set", val, exp); err != nil {
				t.Fatalf("Store.Set: %v", err)
			}
			if got := storeHas(t, key+"set"); got != live {
				t.Fatalf("after Store.Set(exp %v): present = %v; want %v", exp, got, live)
			}
			ok, err := st.Add(ctx, key+"add", val, exp)
			if err != nil || !ok {
				t.Fatalf("Store.Add of a missing key = %v, %v; want true", ok, err)
			}
			if got := storeHas(t, key+"add"); got != live {
				t.Fatalf("after Store.Add(exp %v): present = %v; want %v", exp, got, live)
			}
			if ok, err := st.Add(ctx, key+"add", val, exp); err != nil || ok == live {
				t.Fatalf("second Store.Add(exp %v) = %v, %v; want %v", exp, ok, err, !live)
			}
			if err := st.Set(ctx, key+"touch", val, time.Time{}); err != nil {
				t.Fatalf("Store.Set: %v", err)
			}
			if ok, err := st.Touch(ctx, key+"touch", exp); err != nil || !ok {
				t.Fatalf("Store.Touch of a live key = %v, %v; want true", ok, err)
			}
			if got := storeHas(t, key+"touch"); got != live {
				t.Fatalf("after Store.Touch(exp %v): present = %v; want %v", exp, got, live)
			}
			if bs, ok := st.(cache.BatchStore); ok {
				failed, err := bs.SetMany(ctx, map[string][]byte{key + "many1": val, key + "many2": val}, exp)
				if err != nil || len(failed) != 0 {
					t.Fatalf("Store.SetMany = %v, %v", failed, err)
				}
				for _, k := range []string{key + "many1", key + "many2"} {
					if got := storeHas(t, k); got != live {
						t.Fatalf("after Store.SetMany(exp %v): %s present = %v; want %v", exp, k, got, live)
					}
				}
			}
		}
		for i, p := range extremePast(now) {
			t.Run("Past"+p.name, func(t *testing.T) { check(t, fmt.Sprintf("past%d_", i), p.t, false) })
		}
		future := extremeFuture(now)
		for i, f := range future {
			t.Run("Future"+f.name, func(t *testing.T) { check(t, fmt.Sprintf("future%d_", i), f.t, true) })
		}
		if !b.RealClock {
			e.Clock.Advance(century)
			for i, f := range future {
				t.Run("CenturyOn"+f.name, func(t *testing.T) {
					for _, s := range []string{"set", "add", "touch"} {
						if k := fmt.Sprintf("future%d_%s", i, s); !storeHas(t, k) {
							t.Fatalf("%s (exp %v) gone a century on", k, f.t)
						}
					}
				})
			}
		}
	})
}
