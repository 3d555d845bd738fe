package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/views"
)

// BenchmarkPageHitTagged is BenchmarkPageHitCachePage for a page its view
// tagged with two tags: the difference is the tag check on every hit (one
// batch read of the tags' versions).
func BenchmarkPageHitTagged(b *testing.B) {
	benchSettings(b)
	benchPage(b, cache.Page(900, func(w http.ResponseWriter, r *http.Request) {
		views.CacheTags(w, "article:42", "articles")
		_, _ = w.Write(page2K)
	}))
}

// BenchmarkInvalidateTags measures InvalidateTags with 10 to 100,000
// entries under the tag: the cost must not depend on the count.
func BenchmarkInvalidateTags(b *testing.B) {
	for _, n := range []int{10, 1000, 100000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			benchSettings(b)
			ctx := context.Background()
			c := cache.Default()
			items := make(map[string]any, n)
			for i := range n {
				items[fmt.Sprintf("k%d", i)] = i
			}
			if _, err := c.SetMany(ctx, items, cache.Forever, cache.Tags("t")); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := cache.InvalidateTags(ctx, c, "t"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
