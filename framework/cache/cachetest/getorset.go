package cachetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"gojango/framework/cache"
)

func init() {
	register("GetOrSetStoresDefault", func(t *testing.T, b *Backend) { // rule 35
		e := newEnv(t, b, nil)
		n, err := cache.GetOrSet(ctx, e.C, "projector", cache.DefaultTimeout, func(context.Context) (int, error) { return 42, nil })
		if err != nil || n != 42 {
			t.Fatalf("GetOrSet = %d, %v", n, err)
		}
		if x, ok := get[int](t, e.C, "projector"); !ok || x != 42 {
			t.Fatal("not stored")
		}
		p, err := cache.GetOrSet(ctx, e.C, "null", cache.DefaultTimeout, func(context.Context) (*int, error) { return nil, nil })
		if err != nil || p != nil {
			t.Fatalf("GetOrSet(nil) = %v, %v", p, err)
		}
		if !has(t, e.C, "null") {
			t.Fatal("GetOrSet did not store nil")
		}
	})
	register("GetOrSetCallsFillOnlyOnMiss", func(t *testing.T, b *Backend) { // rule 36
		e := newEnv(t, b, nil)
		calls := 0
		fill := func(context.Context) (string, error) { calls++; return "computed", nil }
		for i := 0; i < 3; i++ {
			if v, err := cache.GetOrSet(ctx, e.C, "mykey", cache.DefaultTimeout, fill); err != nil || v != "computed" {
				t.Fatalf("GetOrSet = %q, %v", v, err)
			}
		}
		if calls != 1 {
			t.Fatalf("fill called %d times; want 1", calls)
		}
		boom := errors.New("boom")
		if _, err := cache.GetOrSet(ctx, e.C, "failing", cache.DefaultTimeout, func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
			t.Fatalf("fill error = %v", err)
		}
		wantMiss(t, e.C, "failing")
	})
	register("GetOrSetVersionTouchesOnlyThatVersion", func(t *testing.T, b *Backend) { // rule 37
		e := newEnv(t, b, nil)
		n, err := cache.GetOrSet(ctx, e.C, "brian", cache.DefaultTimeout, func(context.Context) (int, error) { return 1979, nil }, v2)
		if err != nil || n != 1979 {
			t.Fatal(n, err)
		}
		wantMiss(t, e.C, "brian")
		wantMiss(t, e.C, "brian", v3)
		if x, _ := get[int](t, e.C, "brian", v2); x != 1979 {
			t.Fatal("v2 not stored")
		}
	})
	register("GetOrSetReturnsComputedWhenAddDiscarded", func(t *testing.T, b *Backend) { // rule 38
		e := newEnv(t, b, nil)
		v, err := cache.GetOrSet(ctx, e.C, "zero", 0, func(context.Context) (string, error) { return "computed", nil })
		if err != nil || v != "computed" {
			t.Fatalf("GetOrSet with timeout 0 = %q, %v", v, err)
		}
	})
	register("GetOrSetCoalescesConcurrentFills", func(t *testing.T, b *Backend) { // beyond Django: stampede protection
		e := newEnv(t, b, nil)
		var calls atomic.Int32
		release := make(chan struct{})
		fill := func(context.Context) (string, error) {
			calls.Add(1)
			<-release
			return "once", nil
		}
		const n = 50
		var wg sync.WaitGroup
		var started sync.WaitGroup
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			started.Add(1)
			go func() {
				defer wg.Done()
				started.Done()
				v, err := cache.GetOrSet(ctx, e.C, "hot", cache.DefaultTimeout, fill)
				if err == nil && v != "once" {
					err = errors.New("wrong value " + v)
				}
				errs <- err
			}()
		}
		started.Wait()
		for calls.Load() == 0 {
			runtimeGosched()
		}
		close(release)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		// A goroutine scheduled after the fill finished reads the stored
		// value; none may run fill a second time.
		if c := calls.Load(); c != 1 {
			t.Fatalf("fill ran %d times for %d concurrent callers; want 1", c, n)
		}
	})
}
