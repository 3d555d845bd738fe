package cache_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// SetManyOrdered stores in the caller's order, so a cull on the way keeps
// what Django's set_many keeps for the same dict: MAX_ENTRIES 4 and
// CULL_FREQUENCY 2, six keys in each order (Django 5.2.19 printed the
// survivors).
func TestSetManyOrderedCullsAsDjango(t *testing.T) {
	for _, tc := range []struct {
		order []int
		want  []string
	}{
		{[]int{1, 2, 3, 4, 5, 6}, []string{"k3", "k4", "k5", "k6"}},
		{[]int{6, 5, 4, 3, 2, 1}, []string{"k1", "k2", "k3", "k4"}},
	} {
		t.Run(fmt.Sprint(tc.order), func(t *testing.T) {
			ctx := context.Background()
			c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: "locmem", Location: t.Name(),
				Timeout: 300, MaxEntries: 4, CullFrequency: 2, Version: 1}})
			if err != nil {
				t.Fatal(err)
			}
			items := make([]cache.Item, len(tc.order))
			for i, n := range tc.order {
				items[i] = cache.Item{Key: fmt.Sprintf("k%d", n), Value: n}
			}
			if failed, err := c.SetManyOrdered(ctx, items, cache.DefaultTimeout); err != nil || len(failed) != 0 {
				t.Fatalf("SetManyOrdered = %v, %v", failed, err)
			}
			var got []string
			for i := 1; i <= 6; i++ {
				if ok, _ := c.HasKey(ctx, fmt.Sprintf("k%d", i)); ok {
					got = append(got, fmt.Sprintf("k%d", i))
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("survivors %v; Django keeps %v", got, tc.want)
			}
		})
	}
}
