package cache_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/locmem"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// expStore is a locmem store that records the expiry of the last write.
type expStore struct {
	cache.Store
	last time.Time
}

func (s *expStore) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	s.last = exp
	return s.Store.Set(ctx, key, value, exp)
}

// expiryFor returns the expiry the front hands its Store for timeout t at now.
func expiryFor(t *testing.T, now time.Time, timeout cache.Timeout) time.Time {
	t.Helper()
	inner, err := locmem.New(cache.Params{Config: settings.Cache{MaxEntries: 300, CullFrequency: 3}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	st := &expStore{Store: inner}
	c, err := cache.NewWithStore(cache.Params{Alias: "default", Config: settings.Cache{Timeout: 300, Version: 1}, Now: cachetest.NewClock(now).Now}, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set(context.Background(), "k", "v", timeout); err != nil {
		t.Fatal(err)
	}
	return st.last
}

// maxSeconds is the largest timeout a time.Duration holds, in seconds.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// TestTimeoutOverflowNeverWraps (issue 9): a zero or negative timeout is
// now+n (0 is -1), clamped to now-maxSeconds where n*time.Second would
// overflow, so it is always already expired and never the zero Time
// ("never"); a positive one is now+n, or never beyond what a Duration holds.
func TestTimeoutOverflowNeverWraps(t *testing.T) {
	now := time.Unix(1468749600, 0).UTC()
	clamped := now.Add(-time.Duration(maxSeconds) * time.Second)
	cases := []struct {
		timeout cache.Timeout
		want    time.Time // zero: never
	}{
		{0, now.Add(-time.Second)},
		{-1, now.Add(-time.Second)},
		{-5, now.Add(-5 * time.Second)},
		{cache.Timeout(-maxSeconds), clamped},
		{cache.Timeout(-maxSeconds - 1), clamped},
		{-10000000000, clamped},
		{-1 << 62, clamped},
		{math.MinInt64 + 1, clamped},
		{1, now.Add(time.Second)},
		{60 * 60 * 24 * 30, now.Add(30 * 24 * time.Hour)},
		{cache.Timeout(maxSeconds), now.Add(time.Duration(maxSeconds) * time.Second)},
		{cache.Timeout(maxSeconds + 1), time.Time{}},
		{10000000000, time.Time{}},
		{1 << 62, time.Time{}},
		{math.MaxInt64 - 1, time.Time{}},
		{cache.Forever, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.timeout), func(t *testing.T) {
			got := expiryFor(t, now, tc.timeout)
			if !got.Equal(tc.want) {
				t.Errorf("expiry = %v; want %v", got, tc.want)
			}
			if tc.timeout <= 0 && (got.IsZero() || !cache.Expired(got, now)) {
				t.Errorf("expiry %v of timeout %d is not already expired at %v", got, tc.timeout, now)
			}
		})
	}
}

// TestTimeoutBeyondYear9999IsNever: an expiry after 9999-12-31 23:59:59 UTC
// (where SQL DATETIME columns end) is sent as never, the zero Time.
func TestTimeoutBeyondYear9999IsNever(t *testing.T) {
	now := time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)
	if got, want := expiryFor(t, now, 3599), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC); !got.Equal(want) {
		t.Errorf("expiry of 3599 s = %v; want %v", got, want)
	}
	if got := expiryFor(t, now, 3600); !got.IsZero() {
		t.Errorf("expiry of 3600 s = %v; want never (the zero Time)", got)
	}
	if got := expiryFor(t, now, -1); got.IsZero() || !cache.Expired(got, now) {
		t.Errorf("expiry of -1 s = %v; want already expired", got)
	}
}

// TestNegativeTimeoutIsNeverTheZeroTime: even a clock one second after the
// zero Time gives a negative timeout an expiry that is not "never".
func TestNegativeTimeoutIsNeverTheZeroTime(t *testing.T) {
	now := time.Time{}.Add(time.Second)
	for _, tm := range []cache.Timeout{0, -1, math.MinInt64 + 1} {
		if got := expiryFor(t, now, tm); got.IsZero() || !cache.Expired(got, now) {
			t.Errorf("expiry of %d at %v = %v; want already expired, not never", tm, now, got)
		}
	}
}

func TestNeverExpires(t *testing.T) {
	cases := []struct {
		exp  time.Time
		want bool
	}{
		{time.Time{}, true},
		{time.Time{}.Add(time.Second), false},
		{time.Unix(0, 0), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{time.Date(9999, 12, 31, 23, 59, 59, 1, time.UTC), true},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Unix(math.MaxInt64/2, 0), true},
		{time.Unix(math.MinInt64/2, 0), false},
	}
	for _, tc := range cases {
		if got := cache.NeverExpires(tc.exp); got != tc.want {
			t.Errorf("NeverExpires(%v) = %v; want %v", tc.exp, got, tc.want)
		}
	}
}

// TestSettingsTimeoutOverflowExpiresAtOnce (issue 9): TIMEOUT =
// -10000000000 in settings.toml gives an alias whose Set stores an entry no
// read sees, however the huge negative TIMEOUT is written.
func TestSettingsTimeoutOverflowExpiresAtOnce(t *testing.T) {
	for _, v := range []string{"-10000000000", "-1e10", `"-10000000000"`, "-4611686018427387904", "-9223372036854775808"} {
		t.Run(v, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.toml")
			body := "[CACHES.default]\nBACKEND = \"django.core.cache.backends.locmem.LocMemCache\"\nTIMEOUT = " + v + "\n"
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := settings.Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			h, err := cache.NewHandler(s)
			if err != nil {
				t.Fatalf("NewHandler: %v", err)
			}
			t.Cleanup(func() { _ = h.CloseAll() })
			c, err := h.Cache("default")
			if err != nil {
				t.Fatal(err)
			}
			if c.DefaultTimeout() >= 0 {
				t.Fatalf("DefaultTimeout = %d; want negative", c.DefaultTimeout())
			}
			ctx := context.Background()
			if err := c.Set(ctx, "key", "value", cache.DefaultTimeout); err != nil {
				t.Fatal(err)
			}
			if ok, err := c.Get(ctx, "key", nil); err != nil || ok {
				t.Fatalf("Get after Set = %v, %v; want a miss", ok, err)
			}
			if ok, err := c.HasKey(ctx, "key"); err != nil || ok {
				t.Fatalf("HasKey after Set = %v, %v; want false", ok, err)
			}
			for i := 0; i < 2; i++ {
				if ok, err := c.Add(ctx, "added", "value", cache.DefaultTimeout); err != nil || !ok {
					t.Fatalf("Add #%d = %v, %v; want true (the entry is never live)", i+1, ok, err)
				}
			}
			if _, err := c.SetMany(ctx, map[string]any{"a": 1, "b": 2}, cache.DefaultTimeout); err != nil {
				t.Fatal(err)
			}
			if m, err := c.GetMany(ctx, []string{"a", "b"}); err != nil || len(m) != 0 {
				t.Fatalf("GetMany after SetMany = %v, %v; want none", m, err)
			}
		})
	}
}
