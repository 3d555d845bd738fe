package redis

import (
	"context"
	"testing"
	"time"
)

// The store hands out its own go-redis client, for the application's
// instrumentation: it answers, sees what the store wrote, and Inspect
// counts the database's keys.
func TestClientAndInspect(t *testing.T) {
	st, raw := primary(t)
	ctx := context.Background()
	if err := st.Set(ctx, ":1:instrumented", []byte("\x02v"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, err := st.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("the store's client does not answer: %v", err)
	}
	if n, err := c.Exists(ctx, ":1:instrumented").Result(); err != nil || n != 1 {
		t.Fatalf("the store's client does not see the store's key: %d, %v", n, err)
	}
	all, err := st.Clients()
	if err != nil || len(all) == 0 {
		t.Fatalf("Clients = %d, %v", len(all), err)
	}
	info, err := st.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := raw.DBSize(ctx).Result()
	if info.Entries != want || info.Entries < 1 {
		t.Fatalf("Inspect entries = %d; DBSIZE says %d", info.Entries, want)
	}
}
