package cache_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"gojango/framework/cache"
	_ "gojango/framework/cache/backends/locmem"
	"gojango/framework/settings"
)

func ExampleCache_Set() {
	ctx := context.Background()
	_ = cache.Setup(settings.Default()) // normally done by manage: `go run . runserver`
	c := cache.Default()

	_ = c.Set(ctx, "greeting", "hello, world!", 60*15) // cache.set("greeting", ..., 60 * 15)
	var s string
	found, _ := c.Get(ctx, "greeting", &s)
	fmt.Println(found, s)

	added, _ := c.Add(ctx, "greeting", "ignored", cache.DefaultTimeout)
	fmt.Println(added)

	_, err := c.Incr(ctx, "no-such-counter", 1)
	fmt.Println(errors.Is(err, cache.ErrNotFound))
	// Output:
	// true hello, world!
	// false
	// true
}

func ExampleGetOrSet() {
	ctx := context.Background()
	_ = cache.Setup(settings.Default())
	calls := 0
	compute := func(context.Context) ([]int, error) { calls++; return []int{2, 3, 5, 7}, nil }
	for i := 0; i < 3; i++ {
		primes, _ := cache.GetOrSet(ctx, cache.Default(), "primes", 60*15, compute)
		fmt.Println(primes)
	}
	fmt.Println("computed", calls, "time")
	// Output:
	// [2 3 5 7]
	// [2 3 5 7]
	// [2 3 5 7]
	// computed 1 time
}

func ExamplePage() {
	_ = cache.Setup(settings.Default())
	renders := 0
	view := cache.Page(60*15, func(w http.ResponseWriter, r *http.Request) {
		renders++
		fmt.Fprintf(w, "render %d", renders)
	})
	for i := 0; i < 2; i++ {
		w := httptest.NewRecorder()
		view(w, httptest.NewRequest("GET", "http://example.com/articles/", nil))
		fmt.Println(w.Body.String(), w.Header().Get("Cache-Control"))
	}
	n, _ := cache.ExpirePage(context.Background(), cache.Default(), "", "http://example.com/articles/")
	w := httptest.NewRecorder()
	view(w, httptest.NewRequest("GET", "http://example.com/articles/", nil))
	fmt.Println(n > 0, w.Body.String())
	// Output:
	// render 1 max-age=900
	// render 1 max-age=900
	// true render 2
}
