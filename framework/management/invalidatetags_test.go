package management

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// `invalidatetags TAG...` makes the entries another process tagged misses
// (a file cache, shared through its directory); without a tag it is a usage
// error.
func TestInvalidateTagsCommand(t *testing.T) {
	dir := writeSettings(t, "[CACHES.default]\nBACKEND = \"file\"\nLOCATION = \"cache\"\n")
	ctx := context.Background()
	c, err := cache.New(cache.Params{Alias: "default", Config: settings.Cache{Backend: "file", Location: filepath.Join(dir, "cache"),
		Timeout: 300, MaxEntries: 300, CullFrequency: 3, Version: 1}, Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set(ctx, "summary", "old", 300, cache.Tags("article:42")); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "other", "kept", 300, cache.Tags("article:7")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", "invalidatetags", "article:42")
	if code != 0 || !strings.Contains(out, "Invalidated 1 tag(s) in cache 'default'.") {
		t.Fatalf("invalidatetags: %d %q %q", code, out, errOut)
	}
	if ok, _ := c.Get(ctx, "summary", nil); ok {
		t.Fatal("the tagged entry survived invalidatetags")
	}
	if ok, _ := c.Get(ctx, "other", nil); !ok {
		t.Fatal("an entry with another tag was invalidated")
	}
	if code, _, _ := run(t, "", "invalidatetags"); code != 2 {
		t.Fatalf("invalidatetags without a tag: code %d; want 2", code)
	}
}
