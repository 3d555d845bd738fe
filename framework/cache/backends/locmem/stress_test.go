package locmem

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Readers take no lock: hammer the store with concurrent reads, writes,
// deletes and culls (a small MAX_ENTRIES) and check every value read
// belongs to its key and the count stays near the bound.
func TestConcurrentReadersWritersAndCulls(t *testing.T) {
	ctx := context.Background()
	c, err := cache.NewFromFactory(cache.Params{Alias: "default", Config: settings.Cache{Timeout: 300, MaxEntries: 200, CullFrequency: 3, Version: 1}}, New)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var dst []byte
			for i := 0; i < 3000; i++ {
				k := fmt.Sprint("k", rand.IntN(600))
				switch rand.IntN(6) {
				case 0, 1:
					if err := c.Set(ctx, k, []byte(k+"="+fmt.Sprint(w)), cache.DefaultTimeout); err != nil {
						errs <- err
						return
					}
				case 2:
					_, _ = c.Delete(ctx, k)
				case 3:
					_, _ = c.Add(ctx, k, []byte(k+"=add"), cache.DefaultTimeout)
				default:
					ok, err := c.Get(ctx, k, &dst)
					if err != nil {
						errs <- err
						return
					}
					if ok && !strings.HasPrefix(string(dst), k+"=") {
						errs <- fmt.Errorf("key %s read value %q", k, dst)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, _ := c.Store()
	if n := st.(*Store).Len(); n > 200+8 {
		t.Fatalf("store holds %d entries with MAX_ENTRIES 200", n)
	}
}
