package cachetest

import (
	"errors"
	"math"
	"testing"

	"gojango/framework/cache"
)

func init() {
	register("IncrOverflowIsTypedError", func(t *testing.T, b *Backend) { // STYLE departure 1: one integer rule
		cases := []struct {
			name     string
			start    int64
			delta    int64
			overflow bool
			want     int64
		}{
			{"MaxPlusOne", math.MaxInt64, 1, true, 0},
			{"OnePlusMax", 1, math.MaxInt64, true, 0},
			{"MinMinusOne", math.MinInt64, -1, true, 0},
			{"MinusTwoPlusMin", -2, math.MinInt64, true, 0},
			{"UpToMax", math.MaxInt64 - 1, 1, false, math.MaxInt64},
			{"DownToMin", math.MinInt64 + 1, -1, false, math.MinInt64},
		}
		e := newEnv(t, b, nil)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				key := "overflow_" + tc.name
				set(t, e.C, key, tc.start, cache.DefaultTimeout)
				n, err := e.C.Incr(ctx, key, tc.delta)
				if !tc.overflow {
					if err != nil || n != tc.want {
						t.Fatalf("Incr(%d, %d) = %d, %v; want %d", tc.start, tc.delta, n, err, tc.want)
					}
					return
				}
				if err == nil {
					t.Fatalf("Incr(%d, %d) = %d; want an overflow error", tc.start, tc.delta, n)
				}
				if !errors.Is(err, cache.ErrNotInteger) {
					t.Fatalf("Incr(%d, %d) err = %v; want one matching ErrNotInteger", tc.start, tc.delta, err)
				}
				if !errors.Is(err, cache.ErrIncrOverflow) {
					t.Fatalf("Incr(%d, %d) err = %v; want ErrIncrOverflow", tc.start, tc.delta, err)
				}
				if got, ok := get[int64](t, e.C, key); !ok || got != tc.start {
					t.Fatalf("after the failed Incr the value is %d, %v; want %d kept", got, ok, tc.start)
				}
			})
		}
	})
}
